"""Short forms of a protected first name (pure logic): "Gwen" of "Gwenllian", "Sam" of "Samantha", "Alex" of
"Alexander", and the familiar forms that are no start of the name ("Kate" of "Katherine", "Bill" of "William").

A user trial (6 December 2026) forwarded "Gwen is doing well" to the birth family of a child renamed
"Gwenllian": the pet forms (:func:`detectors.variant_words`: "Jessie" of "Jess") only add endings. A letter
names a child by the short form as often as by the whole name, so the incoming screening looks for both,
written with a capital letter as a name is ("sam" in lower case is not looked for), and never for a start of
the name that is an everyday word ("The" of "Theodore", "Will" of "Willow", "Art" of "Arthur") unless it is the
name's familiar form ("Will" of "William", from a list of familiar forms): those would be
flagged in every letter, and a coordinator who is shown the same false alarm in every letter stops reading
them. The outgoing letters' leak check does not use them (a false alarm there stops a batch).
"""

from __future__ import annotations

from functools import lru_cache

#: familiar forms that are not a start of the name (lower case); a start of the name is found anyway
FAMILIAR_FORMS: dict[str, tuple[str, ...]] = {
    "alexander": ("xander", "sandy", "lex"), "alexandra": ("sasha", "lexi", "lexie", "sandra", "sandy"),
    "amelia": ("millie", "milly", "mia"), "anthony": ("tony",), "antonia": ("toni",), "catherine": ("kate", "katie", "kitty", "cathy"),
    "charles": ("charlie", "chas"), "charlotte": ("lottie", "lotty", "charlie"), "christopher": ("kit",),
    "dorothy": ("dot", "dotty", "dolly"), "edward": ("ted", "teddy", "ned", "eddie"), "eleanor": ("ellie", "nell", "nora"),
    "elizabeth": ("liz", "lizzie", "lizzy", "beth", "betty", "bess", "libby", "lily"), "frederick": ("freddie", "freddy"),
    "florence": ("flo", "florrie", "flossie"), "henry": ("harry", "hal"), "isabel": ("izzy", "issy", "bella"),
    "isabella": ("izzy", "issy", "bella"), "isabelle": ("izzy", "issy", "belle"), "jacob": ("jake",),
    "james": ("jim", "jimmy", "jamie"), "jennifer": ("jenny", "jen"), "john": ("jack", "johnny"), "jonathan": ("jonny",),
    "katherine": ("kate", "katie", "kath", "kitty", "kat"), "kathryn": ("kate", "katie", "kath"),
    "margaret": ("maggie", "meg", "peggy", "madge"), "mary": ("molly", "polly"), "matilda": ("tilly", "tilda"),
    "michael": ("mike", "mikey", "mick", "mickey"), "nicholas": ("nick", "nicky"), "oliver": ("ollie", "olly"),
    "olivia": ("liv", "livvy", "livia"), "patricia": ("pat", "patty", "trish"), "penelope": ("penny", "poppy"),
    "rebecca": ("becky", "becca", "bex"), "richard": ("rick", "ricky", "dick", "richie"),
    "robert": ("bob", "bobby", "robbie", "bert"), "samantha": ("sammy", "sammie"), "samuel": ("sammy",),
    "sarah": ("sally", "sadie"), "susan": ("sue", "susie", "suzy"), "theodore": ("theo", "ted", "teddy"),
    "thomas": ("tom", "tommy"), "victoria": ("vicky", "vikki", "tori"), "william": ("bill", "billy", "liam", "will"),
    "joseph": ("joe", "joey"), "daniel": ("danny",), "benjamin": ("benny",), "gwenllian": ("gwenny",),
    "harriet": ("hattie", "hetty"), "louisa": ("lou",), "louise": ("lou",), "maximilian": ("maxi",),
    "andrew": ("andy", "drew"), "gregory": ("greg",), "matthew": ("matt", "matty"), "nathaniel": ("nate", "nat"),
    "zachary": ("zack", "zach", "zac"), "abigail": ("abbie", "abby", "gail"), "gabriella": ("gabby", "ella"),
    "jessica": ("jess", "jessie"), "josephine": ("jo", "josie"), "joanna": ("jo",), "natalie": ("nat",),
    "stephanie": ("steph",), "stephen": ("steve",), "steven": ("steve",), "timothy": ("tim", "timmy"),
    "lawrence": ("larry", "laurie"), "leonard": ("leo", "len", "lenny"), "harrison": ("harry",),
    "gwendolyn": ("gwen",), "evelyn": ("evie",), "frances": ("fran", "frankie"), "francis": ("frank", "frankie"),
}

#: starts of names that are everyday words (lower case), never looked for as a short form: a capital
#: letter does not make them names at the start of a sentence ("And then …" of "Andrew")
EVERYDAY_WORDS = frozenset((
    # words that start sentences
    "and", "the", "then", "them", "they", "there", "these", "her", "here", "hers", "his", "him", "she", "for",
    "not", "but", "you", "our", "out", "one", "two", "now", "how", "who", "why", "yes", "yet", "see", "saw",
    "say", "got", "get", "let", "was", "has", "had", "have", "with", "what", "when", "that", "this", "some",
    "same", "more", "most", "much", "many", "very", "just", "only", "over", "after", "again", "still", "well",
    "back", "good", "best", "last", "next", "each", "both", "such", "soon", "once", "from", "into", "about",
    "also", "all", "are", "can", "even", "ever", "every", "dear", "love", "lots", "happy", "hope", "thank",
    "thanks", "please", "sorry", "since", "sometimes", "today", "tomorrow", "later", "call", "come", "could",
    "did", "does", "don", "give", "keep", "know", "look", "make", "read", "remember", "send", "take", "tell",
    "try", "want", "write", "wish", "went", "would", "should", "shall", "must", "might", "maybe", "perhaps",
    "hello", "hi", "hey", "dearest", "lovely", "sweet", "bye", "big", "ever", "never", "always", "often",
    # everyday words that start names ("Art" of "Arthur", "Car" of "Caroline", "Pen" of "Penelope")
    "art", "arch", "bar", "barn", "bell", "bet", "brook", "bran", "cam", "car", "cat", "char", "chat", "chest",
    "christ", "den", "est", "eve", "fan", "fin", "fine", "gab", "gem", "gran", "hat", "hen", "hole", "jam",
    "jaw", "kid", "kids", "lad", "mad", "man", "mar", "mark", "marks", "mat", "men", "mill", "mole", "pea",
    "pen", "pet", "son", "stan", "ter", "mum", "dad", "nan", "shell", "win", "wind", "wine", "will", "fall",
    # days, months and seasons, and their short forms ("Jan" of "Janet", "Sept" of "Septimus")
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues",
    "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "april", "june", "august", "march", "spring", "summer",
    "winter", "christmas", "easter",
    # words of places, colours and things that start place names as well ("Green" of "Greenford")
    "green", "grey", "gray", "brown", "white", "black", "red", "blue", "gold", "silver", "north", "south",
    "east", "west", "new", "old", "great", "little", "big", "long", "high", "low", "king", "queen", "prince",
    "lord", "lady", "saint", "church", "school", "home", "house", "farm", "wood", "woods", "field", "fields",
    "water", "river", "hill", "park", "bridge", "ford", "port", "kettle", "oak", "ash", "elm", "pine", "fern",
    "heath", "moor", "marsh", "lake", "pool", "rock", "stone", "sand", "sands", "bay", "cliff", "dale", "glen",
    "vale", "mere", "wells", "hall", "castle", "tower", "gate", "gates", "cross", "market", "mills", "bank",
    "banks", "worth", "ham", "ton", "bury", "wick", "stow", "top", "bottom", "middle", "upper", "lower",
))

#: a name shorter than this has no short form looked for ("Jess", "Rosa": their pet forms are enough)
_SHORTEST_NAME = 5
#: the shortest short form ("Sam", "Max", "Ben")
_SHORTEST_FORM = 3


@lru_cache(maxsize=4096)
def short_forms(term: str) -> frozenset[str]:
    """The short forms, in lower case, of a one-word first name of five letters or more (fold it first):
    each start of the name of three letters or more, short of the whole name less one letter, that is no
    everyday word (:data:`EVERYDAY_WORDS`), and the familiar forms of :data:`FAMILIAR_FORMS` (everyday word
    or not: "Will" of "William" is how a letter names him). None for a shorter name, several words, or
    letters outside A–Z."""
    if len(term) < _SHORTEST_NAME or not term.isalpha() or not term.isascii():
        return frozenset()
    t = term.lower()
    starts = {t[:n] for n in range(_SHORTEST_FORM, len(t) - 1)} - EVERYDAY_WORDS
    return frozenset(starts | set(FAMILIAR_FORMS.get(t, ())))
