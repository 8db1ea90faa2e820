"""Short forms of a protected first name (pure logic): "Gwen" of "Gwenllian", "Sam" of "Samantha", "Alex" of
"Alexander", and the familiar forms that are no start of the name ("Kate" of "Katherine", "Bill" of "William").

A user trial (6 December 2026) forwarded "Gwen is doing well" to the birth family of a child renamed
"Gwenllian": the pet forms (:func:`detectors.variant_words`: "Jessie" of "Jess") only add endings. A letter
names a child by the short form as often as by the whole name, so the incoming screening looks for both,
written with a capital letter as a name is ("sam" in lower case is not looked for), and never for a start of
the name that is an everyday word ("The" of "Theodore", "Made" of "Madeleine", "Step" of "Stephanie": the
words of SCOWL's British English dictionary, ``resources/words``, and :data:`EVERYDAY_WORDS`): those would be
flagged in every letter, and a coordinator who is shown the same false alarm in every letter stops reading
them. A familiar form is looked for even when it is an everyday word ("Will" of "William", "Max" of
"Maximilian"), but not where, starting a sentence, it is the verb ("Will you write back?", "Will write again
at Christmas": see :func:`used_as_word`), nor a name the rules make that is another name in its own right
("Lucy" of "Lucas": :data:`NOT_FORMS_OF`). The outgoing letters' leak check does not use them (a false alarm
there stops a batch).
"""

from __future__ import annotations

import gzip
from functools import lru_cache

from adoption_desktop.core.resources import resource_path

#: familiar forms that are not a start of the name (lower case); a start of the name is found anyway
FAMILIAR_FORMS: dict[str, tuple[str, ...]] = {
    "alexander": ("xander", "sandy", "lex"), "alexandra": ("sasha", "lexi", "lexie", "sandra", "sandy"),
    "amelia": ("millie", "milly", "mia"), "anthony": ("tony",), "antonia": ("toni",), "catherine": ("kate", "katie", "kitty", "cathy"),
    "charles": ("charlie", "chas"), "charlotte": ("lottie", "lotty", "charlie"), "christopher": ("kit",),
    "dorothy": ("dot", "dotty", "dolly"), "eleanor": ("ellie", "nell", "nora"),
    "elizabeth": ("liz", "lizzie", "lizzy", "beth", "betty", "bess", "libby", "lily"), "frederick": ("freddie", "freddy"),
    "florence": ("flo", "florrie", "flossie"), "henry": ("harry", "hal"), "isabel": ("izzy", "issy", "bella"),
    "isabella": ("izzy", "issy", "bella"), "isabelle": ("izzy", "issy", "belle"), "jacob": ("jake",),
    "james": ("jim", "jimmy", "jamie"), "jennifer": ("jenny", "jen"), "john": ("jack", "johnny"), "jonathan": ("jonny",),
    "katherine": ("kate", "katie", "kath", "kitty", "kat"), "kathryn": ("kate", "katie", "kath"),
    "margaret": ("maggie", "meg", "peggy", "madge"), "mary": ("molly", "polly"), "matilda": ("tilly", "tilda"),
    "michael": ("mike", "mikey", "mick", "mickey"), "nicholas": ("nick", "nicky"), "oliver": ("ollie", "olly"),
    "olivia": ("liv", "livvy", "livia"), "patricia": ("pat", "patty", "trish"), "penelope": ("penny", "poppy"),
    "rebecca": ("becky", "becca", "bex"), "richard": ("rich", "rick", "ricky", "dick", "richie"),
    "robert": ("rob", "bob", "bobby", "robbie", "bert"), "samantha": ("sammy", "sammie"), "samuel": ("sammy",),
    "sarah": ("sally", "sadie"), "susan": ("sue", "susie", "suzy"), "theodore": ("theo", "ted", "teddy"),
    "thomas": ("tom", "tommy"), "victoria": ("vicky", "vikki", "tori"), "william": ("bill", "billy", "liam", "will"),
    "joseph": ("joe", "joey"), "gwenllian": ("gwenny", "gwennie"),
    "harriet": ("hattie", "hetty"), "louisa": ("lou",), "louise": ("lou",),
    "andrew": ("andy", "drew"), "gregory": ("greg",), "matthew": ("matt", "matty", "mat"), "nathaniel": ("nate", "nat"),
    "zachary": ("zack", "zach", "zac"), "abigail": ("abbie", "abby", "gail"), "gabriella": ("gabby", "ella"),
    "jessica": ("jess", "jessie"), "josephine": ("jo", "josie"), "joanna": ("jo",), "natalie": ("nat",),
    "stephen": ("steve",), "steven": ("steve",), "timothy": ("tim", "timmy"),
    "lawrence": ("larry", "laurie"), "leonard": ("leo", "len", "lenny"), "harrison": ("harry",),
    "gwendolyn": ("gwen",), "evelyn": ("evie",), "frances": ("fran", "frankie"), "francis": ("frank", "frankie"),
    "katharine": ("kate", "katie", "kath", "kitty", "kat"), "kathleen": ("kath", "kathy", "kate"),
    "maximilian": ("max", "maxi"), "maxwell": ("max",), "benjamin": ("ben", "benny"), "daniel": ("dan", "danny"),
    "madeleine": ("maddie", "maddy"), "madeline": ("maddie", "maddy"), "stephanie": ("steph", "stevie"),
    # a user trial's misses, 6 December 2026 ("Rob came to visit", "Ed has a new puppy", "Carol sends her love")
    "edward": ("ed", "ted", "teddy", "ned", "eddie"), "edmund": ("ed", "eddie", "ned"), "edwin": ("ed", "eddie"),
    "raymond": ("ray",), "rosemary": ("rose", "rosie", "romy"), "caroline": ("carol", "caz", "carrie", "lina"),
    "carolyn": ("carol", "caz", "carrie"), "finley": ("finn", "fin"), "finlay": ("finn", "fin"),
    "arabella": ("bella", "bel", "belle"), "jackson": ("jack", "jacko"), "francesca": ("fran", "frankie", "cesca"),
    "rosalind": ("ros", "roz", "rosie"), "rosalie": ("rosie", "ros"), "ronald": ("ron", "ronnie"),
    "donald": ("don", "donny"), "douglas": ("doug", "dougie"), "gerald": ("gerry", "ged"), "albert": ("bert", "al", "alby"),
    "alfred": ("alf", "alfie", "fred"), "archibald": ("archie", "arch"), "augustus": ("gus", "gussie"),
    "barnaby": ("barney",), "bartholomew": ("bart", "barty"), "cameron": ("cam",), "christian": ("chris", "christy"),
    "christina": ("chrissy", "tina", "chris"), "christine": ("chrissy", "tina", "chris"), "cornelius": ("neil",),
    "deborah": ("debbie", "deb", "debs"), "dominic": ("dom", "nic"), "eleanora": ("ellie", "nell", "nora"),
    "emily": ("em", "emmy", "millie"), "emma": ("em", "emmy"), "ernest": ("ernie",), "eugene": ("gene",),
    "gabriel": ("gabe", "gabby"), "georgina": ("georgie", "gina"), "george": ("georgie",), "gillian": ("gill", "jill"),
    "hannah": ("han", "hannie"), "harold": ("harry", "hal"), "imogen": ("immy", "imo"), "jacqueline": ("jackie", "jacqui"),
    "jeremy": ("jez", "jerry"), "joshua": ("josh",), "julian": ("jules",), "juliet": ("jules",), "julia": ("jules",),
    "kenneth": ("ken", "kenny"), "lucas": ("luke",), "lucinda": ("lucy", "cindy"), "lydia": ("liddy",),
    "marcus": ("marc",), "martin": ("marty",), "melanie": ("mel",), "mildred": ("millie",), "nathan": ("nate", "nat"),
    "percival": ("percy",), "philip": ("phil", "pip"), "phillip": ("phil", "pip"), "phoebe": ("phoebs",),
    "reginald": ("reg", "reggie"), "rowena": ("row",), "rupert": ("rupe",), "sebastian": ("seb", "bastian"),
    "sophia": ("sophie", "soph"), "sophie": ("soph",), "stanley": ("stan",), "susanna": ("sue", "susie", "suzy"),
    "susannah": ("sue", "susie", "suzy"), "terence": ("terry", "tel"), "tobias": ("toby",), "valentine": ("val",),
    "vincent": ("vince", "vinny"), "walter": ("walt", "wally"), "wilfred": ("wilf", "fred"), "winifred": ("winnie", "freda"),
}

#: names that the rules make of a name (a start of it with a pet ending: "Luc" + "y") but that are another
#: name in their own right, not a form of this one: a boy called Lucas is "Luke" or "Luca", never "Lucy", and
#: with "Lucy" looked for every letter mentioning a friend or sister Lucy is flagged. Only names a letter
#: showed (user trial, 6 December 2026); a name is not left out here because a word list also holds it as
#: another name ("Sara" of "Sarah", "Annie" of "Annabel", "Mattie" of "Matthew" are its forms), and a familiar
#: form (:data:`FAMILIAR_FORMS`: "Lucy" of "Lucinda") is always looked for
NOT_FORMS_OF: dict[str, tuple[str, ...]] = {
    "lucas": ("lucy", "lucie"),
}

#: everyday words the word list (``resources/words``) does not hold: short forms of days and months ("Jan" of
#: "Janet", "Sept" of "Septimus"), words of a child's letter ("Mum", "Nan", "thanks hun") and short words
EVERYDAY_WORDS = frozenset((
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "tues",
    "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "mum", "mam", "nan", "gran", "grandad", "xmas",
    "hun", "hon", "em", "al", "ya", "gray",  # "thanks hun", "love em", "et al"
))

#: a name shorter than this has no short form looked for ("Jess", "Rosa": their pet forms are enough)
_SHORTEST_NAME = 5
#: the shortest short form ("Sam", "Max", "Ben")
_SHORTEST_FORM = 3


#: words after which an everyday word that is also a familiar form is that word, not the name: "Will you
#: write back?", "Will be lovely", "Rob us" (a question or a verb before its subject or object)
_AFTER_THE_WORD = frozenset((
    "you", "u", "ya", "we", "i", "he", "she", "they", "it", "there", "be", "not", "us", "me", "him", "her",
    "them", "definitely", "probably", "always", "never", "soon", "also", "just", "really"))

#: verbs in their base form, as a letter writes them after the modal "will" with its subject left out ("Will
#: write again at Christmas", "Will send photos next time", "Will have more news in the summer"); after the
#: name a verb takes an "-s" or a past form ("Will writes", "Will wrote"), so "Will write" is the modal verb
_AFTER_WILL = frozenset((
    "have", "write", "see", "send", "let", "keep", "try", "come", "go", "get", "make", "call", "ring", "phone",
    "text", "email", "post", "tell", "update", "speak", "talk", "visit", "miss", "think", "hope", "love", "take",
    "bring", "put", "do", "say", "give", "look", "pop", "catch", "chat", "share", "meet", "stay", "start",
    "finish", "need", "find", "ask", "help", "hear", "enjoy", "leave", "explain", "enclose", "include", "attach",
    "reply", "respond", "answer", "forward", "pass", "show", "check", "sort", "arrange", "plan", "wait",
    "continue", "remember", "add", "print"))

#: what may stand between the end of a sentence and its first word: spaces, opening quotes and brackets (and
#: any other space but a line break: see :func:`starts_sentence`)
_BEFORE_SENTENCE = " \t\"'“‘("
#: what ends a line (as ``str.splitlines`` reads them): a word after one begins a sentence
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def starts_sentence(text: str, start: int) -> bool:
    """True when the word at ``start`` begins a sentence of ``text``: it begins the text or a line, or follows
    a full stop, question or exclamation mark (opening quotes and brackets between): "Will write soon.",
    "Thank you. Will write soon.", 'Hi. "Will you write?"' but not "Tell Will we said hello." nor "Dear Will,".
    The space after the full stop may be any space, a no-break space among them ("photos.\u00a0 Will write":
    letters pasted from an e-mail have one; until 6 December 2026, sixth release, "Will" there was William).

    The street rule has its own, narrower reading (``detectors._sentence_start``): each drops a finding at a
    sentence start, and each says "start" only where its rule can afford to (see there)."""
    i = start
    while i > 0 and (text[i - 1] in _BEFORE_SENTENCE or (text[i - 1].isspace() and text[i - 1] not in _LINE_BREAKS)):
        i -= 1
    return i == 0 or text[i - 1] in _LINE_BREAKS or text[i - 1] in ".!?…"


def used_as_word(form: str, next_word: str, sentence_start: bool = True) -> bool:
    """True when ``form``, a familiar form that is also an everyday word ("Will", "Bill", "Rob"), reads as that
    word because of the word after it, not as the name ("Will scored …"): at the start of a sentence
    (``sentence_start``, see :func:`starts_sentence`), a question or a verb before its subject or object
    ("Will you …", "Will be …", "Rob us …"), or the modal "Will" before a verb in lower case, with its
    subject left out ("Will write again at Christmas", "Will have more news"). Inside a sentence "Will" with a
    capital is the name: "Tell Will we said hello", "Did Will write?", "saw Will play"."""
    if not sentence_start or not is_everyday(form):
        return False
    if next_word.lower() in _AFTER_THE_WORD:
        return True
    # in lower case ("Will write"), or all in capitals as the whole letter may be ("WILL WRITE SOON"): "Will
    # Read" with a capital is a name and a surname
    written = next_word.islower() or (form.isupper() and next_word.isupper())
    return form.lower() == "will" and written and next_word.lower() in _AFTER_WILL


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    data = gzip.decompress(resource_path("words", "everyday_words.txt.gz").read_bytes()).decode("ascii")
    return frozenset(data.split()) | EVERYDAY_WORDS


def is_everyday(word: str) -> bool:
    """True for an everyday English word, in any case ("made", "Will"): one the dictionary holds in lower
    case, or one of :data:`EVERYDAY_WORDS`."""
    return word.lower() in _dictionary()


@lru_cache(maxsize=4096)
def short_forms(term: str) -> frozenset[str]:
    """The short forms, in lower case, of a one-word first name (fold it first): its familiar forms
    (:data:`FAMILIAR_FORMS`, everyday word or not: "Will" of "William", "Jack" of "John" is how a letter names
    him) and, for a name of five letters or more, each start of it of three letters or more, short of the
    whole name less one letter, that is no everyday word (:func:`is_everyday`). None for several words or
    letters outside A–Z."""
    if not term.isalpha() or not term.isascii():
        return frozenset()
    t = term.lower()
    familiar = set(FAMILIAR_FORMS.get(t, ()))
    if len(t) < _SHORTEST_NAME:
        return frozenset(familiar)
    starts = {t[:n] for n in range(_SHORTEST_FORM, len(t) - 1)}
    return frozenset({w for w in starts if not is_everyday(w)} | familiar)


def not_forms_of(term: str) -> frozenset[str]:
    """The names, in lower case, that the rules make of a one-word first name but that are not its forms
    (:data:`NOT_FORMS_OF`: "Lucy" of "Lucas"), less its familiar forms."""
    t = term.lower()
    return frozenset(NOT_FORMS_OF.get(t, ())) - set(FAMILIAR_FORMS.get(t, ()))
