"""The detectors of the screening assistant: each rule finds one kind of identifying detail in a text and
yields :class:`Finding` objects with offsets into that text (pure: no database, no Qt). :func:`detect` runs them
all; merging and undoing disguised writing are done by :func:`screen_text` (``screening/__init__.py``)."""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from adoption_desktop.letterbox.places import _NOT_LOWER, FAMILY_AFTER, GENERIC_STREETS, find_places
from adoption_desktop.letterbox.screening.findings import (
    _SAINT_REASON,
    DOB,
    EMAIL,
    INSTITUTION,
    PHONE,
    PLACE,
    POSTCODE,
    PROTECTED,
    SOCIAL,
    STREET,
    SURNAME,
    URL,
    VEHICLE,
    Finding,
    _f,
)
from adoption_desktop.letterbox.screening.ordinary_names import ORDINARY_WORD_SURNAMES
from adoption_desktop.letterbox.screening.short_forms import (
    is_everyday,
    not_forms_of,
    short_forms,
    starts_sentence,
    used_as_word,
)

# --- patterns -----------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')]+[^\s<>\"').,!?;:]"
    # labels of at most 63 characters (DNS), at most 8 of them before the last: unbounded, a start after every
    # "-" of a long "a-b.c-d…" scanned to its end (quadratic: 40,000 dashes took 19 s)
    r"|(?<![@\w.])[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.(?:com|co\.uk|org\.uk|org|net|uk|io|me|tv|info|sch\.uk)"
    r"(?:/[^\s<>\"')]*[^\s<>\"').,!?;:])?(?![\w])",
    re.IGNORECASE)
_SOCIAL_AT = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])")
_PLATFORM = (r"(?:instagram|insta|ig|tik\s?tok|tt|snap\s?chat|snap|sc|facebook|fb|twitter|threads|youtube|yt|"
             r"discord|roblox|xbox|xbox\s+live|psn|playstation|ps4|ps5|fortnite|epic|epic\s+games|steam|twitch|"
             r"whatsapp|telegram|kik|pinterest|bereal|minecraft|deviantart|deviant\s?art|tumblr|reddit|vsco|"
             r"wattpad|linkedin|soundcloud|spotify|yubo|gamertag|username|user\s?name)"
             # a whole word: "insta" is not read out of "instagram", leaving "gram" as the handle
             r"(?![A-Za-z0-9])")
_LABEL = r"(?:name|handle|account|acc|username|user\s?name|id|tag|gamertag|channel|page|profile|code)"
_CONNECT = r"(?:is|'s|’s|its|it's|it’s|=|:|-|–|was)"
# what follows a cue: one handle-like token, or a run of capitalised words / numbers ("N8 Builds It",
# "Julie Bramley-Hart", "MikeyMoves 2010")
_HANDLE = r"(?P<h>[A-Za-z0-9_][A-Za-z0-9_.'’-]{1,29}(?-i:\x20(?:[A-Z][A-Za-z0-9'’-]*|\d{1,4})(?![\w])){0,3})"
_SOCIAL_CUES = [
    # "my snap is kaz_h2011", "my insta its ...", "her YouTube channel is ...", "my gamertag is ..."
    re.compile(rf"\b(?:my|his|her|our|ur|your|their|the)\s+{_PLATFORM}(?:\s+{_LABEL})?\s*{_CONNECT}\s*['\"“]?{_HANDLE}",
               re.IGNORECASE),
    # "my Xbox gamertag RocketFox77", "my roblox name TommyTheBuilder16"
    re.compile(rf"\b{_PLATFORM}\s+{_LABEL}\s*{_CONNECT}?\s*['\"“]?{_HANDLE}", re.IGNORECASE),
    # "add me on snapchat jordz.w09", "find me on Facebook as Julie Bramley-Hart"
    re.compile(rf"\b(?:add|find|follow|message|msg|dm|search\s+for|look\s+for|look|friend|sub(?:scribe)?\s+to)"
               rf"\s+(?:me|us|him|her|them)(?:\s+up)?\s+(?:on|at)\s+{_PLATFORM}\s*(?:as|at|under|called|:|-)?\s*"
               rf"['\"“]?{_HANDLE}", re.IGNORECASE),
    # "on TikTok I'm jordzskillz", "im on snap as rileyyy.b", "snapchat: jadeyboxx"
    re.compile(rf"\b(?:on|at)\s+{_PLATFORM}\s*(?:i'?m|i’m|im|i\s+am|as|under|called|:)\s*['\"“]?{_HANDLE}",
               re.IGNORECASE),
    re.compile(rf"\b{_PLATFORM}\s*[:=]\s*['\"“]?{_HANDLE}", re.IGNORECASE),
    # "search Holme Valley Foster Friends on Facebook", "look up KianFlips on YouTube"
    re.compile(rf"\b(?:search(?:\s+for)?|look\s+up|look\s+for|find|follow|add)\s+(?P<h>(?-i:[A-Z][\w'’-]*"
               rf"(?:\s[A-Z][\w'’-]*){{0,5}})|[\w.]*[._\d][\w.]*)\s+on\s+{_PLATFORM}\b", re.IGNORECASE),
]
# a word shaped like an account name (kian.flipz, connor_sparky, kaz_h2011) soon after a platform is named
_PLATFORM_WORD = re.compile(rf"\b{_PLATFORM}\b", re.IGNORECASE)
_HANDLE_SHAPE = re.compile(r"(?<![\w.@/])(?=[\w.]*[A-Za-z])(?:[A-Za-z0-9]+(?:[._][A-Za-z0-9]+)+_?|[A-Za-z0-9]+_"
                           r"|[A-Za-z]{2,}\d{2,})(?![\w@]|\.\w)")
# first words that are not handles ("my snap is down", "on TikTok I'm always ...")
_NOT_HANDLE = frozenset((
    "a", "an", "the", "is", "its", "it's", "if", "but", "and", "or", "so", "too", "now", "not", "no", "yes",
    "lol", "haha", "still", "always", "just", "really", "very", "on", "in", "at", "to", "for", "with", "me",
    "you", "u", "ur", "your", "my", "his", "her", "our", "their", "all", "every", "loads", "lots", "down",
    "broken", "private", "blocked", "deleted", "new", "same", "different", "there", "here", "when", "what",
    "where", "because", "bc", "cos", "though", "tho", "allowed", "ok", "okay", "fine", "good", "great",
    "banned", "off", "only", "also", "soon", "again", "then", "that", "this", "he", "she", "they", "we", "i",
    "im", "i'm", "been", "be", "are", "was", "were", "called", "as", "like", "about", "nearly", "almost",
))
# an e-mail address written with words: "jess dot smith at gmail dot com", "jess_smith2011 (at) hotmail.co.uk",
# "jess.smith @ gmail.com"; the domain ends in a written or typed dot and a common ending, or is a mail
# provider's name (then the name before "at" must look like an address: a dot, underscore or digit in it)
_SAY_DOT = r"(?:\s+dot\s+|\s*[(\[]\s*dot\s*[)\]]\s*|\.)"
_SAY_AT = r"(?:\s+at\s+|\s*[(\[]\s*at\s*[)\]]\s*|\s+@\s*|\s*@\s+)"
_MAIL_ENDING = r"(?:com|co(?:\s+dot\s+|\.)uk|org(?:\s+dot\s+|\.)uk|ac(?:\s+dot\s+|\.)uk|org|net|uk|info)"
_MAIL_PROVIDER = r"(?:gmail|googlemail|hotmail|yahoo|ymail|outlook|icloud|btinternet|aol|msn|protonmail|proton)"
_PART = r"(?:[^\W_]|[+-])"
_WRITTEN_EMAIL = re.compile(
    # (a part's letters leave out "_", which separates parts: with it in both, a name of underscored words
    # could be split countless ways and a failed match took minutes on a form's "Signed ______ at ____")
    rf"(?<![\w.+-])(?P<local>{_PART}{{1,64}}(?:(?:{_SAY_DOT}|\s+underscore\s+|_){_PART}{{1,64}}){{0,4}}){_SAY_AT}"
    rf"(?:(?P<domain>[a-z0-9-]{{1,63}}(?:{_SAY_DOT}[a-z0-9-]{{1,63}}){{0,3}}?){_SAY_DOT}{_MAIL_ENDING}"
    rf"|(?P<provider>{_MAIL_PROVIDER}))(?![\w@])",
    re.IGNORECASE)
# what every such address ends with (the ending's or provider's word): only the few hundred characters before
# one are searched with the slower pattern above (a hint starting "\s+dot" was quadratic on a run of spaces)
_MAIL_HINT = re.compile(rf"(?<![\w@])(?:com|uk|org|net|info|{_MAIL_PROVIDER})(?![\w@])", re.IGNORECASE)
_SAID_AT = re.compile(r"\sat\s|[(\[]\s*at\s*[)\]]|@", re.IGNORECASE)
# first words of what precedes "at" that are not an address's name ("email me at gmail dot com" has none)
_NOT_MAIL_NAME = frozenset(("me", "us", "him", "her", "them", "you", "it", "is", "are", "was", "were", "be",
                            "mum", "dad", "email", "e-mail", "mail", "address", "on", "or", "and", "i'm", "im"))
# UK postcodes (outward + inward code), any letters in the inward code (people mistype them)
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}|GIR\s*0AA)(?![A-Za-z0-9])")
_PHONE = re.compile(
    r"(?<![\w+£$€])(?:"
    r"(?:\+|00)\s?44\s?\(?0?\)?[\s-]?\d{2,5}[\s-]?\d{3,4}[\s-]?\d{3,4}"   # +44 / 0044
    r"|\(?0\d{2,5}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}"                          # 01632 960 123, 07700 900123
    r"|(?:\+|00)[1-9]\d{0,2}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d{2,4}){2,4}"    # international
    r")(?![\w])")
_VEHICLE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z])"
                      r"(?![A-Za-z0-9])")
# dates with a year, as people write them
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?P<d>[0-3]?\d)[/.\-](?P<m>[01]?\d)[/.\-](?P<y>(?:19|20)\d{2}|\d{2})"                    # 14/07/2024
    rf"|[0-3]?\d(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTHS},?\s+(?:19|20)\d{{2}}"                    # 9th January 2025
    rf"|{_MONTHS}\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"                              # January 9th, 2025
    r")(?![\w/])", re.IGNORECASE)
_BIRTH_CUE = re.compile(r"\b(?:born|birth|birthday|b\.|dob|d\.o\.b\.?|delivered|weigh(?:ed|ing)|due\s+date|baby|"
                        r"came\s+into\s+the\s+world)\b", re.IGNORECASE)
# "arrived" / "came" is a birth only when a child is the subject ("Isla arrived", not "your letter arrived")
_ARRIVAL = re.compile(r"\b(?:arrived|came|come)\b", re.IGNORECASE)
_CHILD = re.compile(r"\b(?:baby|babies|son|daughter|brother|sister|boy|girl|twins?|\d+\s*lb|\d+\s*oz)\b", re.IGNORECASE)
# a capitalised word of at most 60 characters: unbounded, each start inside a long "A'A'A'…" (a word
# boundary after every apostrophe) scanned to its end, quadratic (40,000 characters took 12 s)
_CAP = r"[A-Z][A-Za-z'’&.-]{0,59}"
# a street word and its written forms: "Drive" is also written "Dr", "Dr." (the first form is the full one)
_SUFFIX_FORMS: tuple[tuple[str, ...], ...] = (
    ("Street", "St"), ("Road", "Rd"), ("Drive", "Dr"), ("Lane", "Ln"), ("Avenue", "Ave", "Av"), ("Close", "Cl"),
    ("Crescent", "Cres"), ("Court", "Ct"), ("Gardens", "Gdns"), ("Grove", "Gr"), ("Place", "Pl"),
    ("Square", "Sq"), ("Terrace", "Terr", "Ter"), ("Way",), ("Walk",), ("Row",), ("Mews",), ("Hill",), ("Park",),
    ("Rise",), ("View",), ("Green",), ("Parade",), ("Boulevard",), ("Vale",), ("Wharf",), ("Chase",),
    ("Approach",))
_SUFFIX_OF = {form.lower(): forms for forms in _SUFFIX_FORMS for form in forms}
_ABBREVIATIONS = "|".join(f for forms in _SUFFIX_FORMS for f in forms[1:])
_ABBREVIATION_SET = frozenset(f.lower() for forms in _SUFFIX_FORMS for f in forms[1:])
# "Dr Smith", "St Aidan's": before a capitalised word these are titles and saints, not street words
_TITLE_ABBREVIATIONS = ("st", "dr")
_STREET_WORDS = "|".join(f for forms in _SUFFIX_FORMS for f in forms)  # every street word, in every form
_STREET_NUMBERED = re.compile(
    rf"(?<![\w£$.,])(?:(?:flat|apartment|apt)\s+\d{{1,4}}[A-Za-z]?,?\s+)?(?:no\.?\s*)?\d{{1,4}}[A-Za-z]?,?\s+"
    rf"(?:{_CAP}\s+){{1,3}}(?:{_STREET_WORDS})\b"
    rf"|(?<![\w£$.,])(?:(?:flat|apartment|apt)\s+\d{{1,4}}[A-Za-z]?,?\s+)?(?:no\.?\s*)?\d{{1,4}}[A-Za-z]?,?\s+"
    rf"(?:[a-z]+\s+){{1,2}}(?:road|street|lane|avenue|close|drive|crescent|grove|way|terrace|gardens|court)\b",
    re.IGNORECASE)
# street words read only after a house number and a capitalised name ("12 Heron Gate", "9 Meadow Bank", "9 The
# Paddocks"): alone they are ordinary words ("the school gate", "in the bank") or a town's ("Park Gate"), so they
# are not in :data:`_SUFFIX_FORMS` (whose words also end streets with no number, and are never a town's last word)
_NUMBERED_ONLY_WORDS = ("Gate", "Bank", "Croft", "Paddocks", "Meadows", "Fold", "Garth")
_STREET_NUMBERED_ONLY = re.compile(
    rf"(?<![\w£$.,])(?:(?i:flat|apartment|apt)\s+\d{{1,4}}[A-Za-z]?,?\s+)?(?:(?i:no)\.?\s*)?\d{{1,4}}[A-Za-z]?,?[ \t]+"
    rf"(?:[A-Z][A-Za-z'’&-]{{0,59}}[ \t]+){{1,3}}(?:{'|'.join(_NUMBERED_ONLY_WORDS)})\b")
_STREET_NAMED = re.compile(rf"\b(?:{_CAP}\s+){{1,3}}(?:Road|Street|Lane|Avenue|Crescent|Grove|Terrace|Gardens|Mews|"
                           rf"Drive|Close|Way|Approach|Court|Walk|Rise|Row|Square|Parade|Place|View)\b")
# a capitalised name (one or two words) before an abbreviated street word or Hill/Park: "Tanner St", "Kirk Ln",
# "Larkspur Dr." ("Dr Smith" is a doctor and "St Aidan's" a saint: see _streets)
_STREET_ABBREVIATED = re.compile(
    rf"\b(?:{_CAP}\s+){{1,2}}(?P<sfx>(?:{_ABBREVIATIONS}|Hill|Park)\b)")
# a capitalised word that starts a sentence after "Tanner St." rather than a saint's or a doctor's name
_SENTENCE_WORDS = frozenset((
    "I", "I'm", "I’m", "Im", "It", "It's", "It’s", "Its", "We", "We're", "He", "She", "They", "The", "My", "Our",
    "His", "Her", "Their", "This", "That", "There", "Then", "So", "But", "And", "Love", "Hope", "You", "Your",
    "A", "An", "In", "On", "At", "If", "When", "Now", "Please", "Thanks", "Thank", "Lots", "All", "Mum", "Dad"))
# words before Park or Hill that make a kind of place, not a name ("the Water Park", "a steep Hill")
_NOT_STREET_NAME = frozenset(("car", "theme", "water", "skate", "trampoline", "safari", "country", "adventure",
                              "splash", "ski", "steep", "wildlife", "dog", "bike", "fun", "retail", "business"))
# "we live on mill lane", "just off cromwell road", "our address is mill lane": a lower-case street after a word of
# living or walking, or after "address is"
_STREET_LOWER = re.compile(
    r"\b(?:(?:live|lives|living|lived|moved|house|flat|home|bungalow)\s+(?:on|in|at|to|off)"
    r"|(?P<addr>address)\s+is(?:\s+now)?\s*:?)\s+"
    r"(?P<s>(?!the\b|a\b|our\b|my\b|high\b|main\b)[a-z]+(?:\s+[a-z]+)?\s+"
    r"(?:road|street|lane|avenue|close|drive|crescent|grove|way|terrace|gardens|court)s?"
    r"|(?!the\b|a\b|our\b|my\b|high\b|main\b)[a-z]+(?:\s+[a-z]+)?\s+"
    r"(?:st|rd|dr|ln|ave|cl|cres|ct|gdns|pl|sq|terr?)\b)")
# the town after a generic street and a comma: one or two capitalised words, then the end of the sentence, the line
# or the address, or a postcode ("High Street, Greystow.", "Main Street, Greystow ZZ99 1YY"; not "the High Street,
# Sophie loved it")
_TOWN_AFTER = re.compile(r",[ \t]*(?P<t>[A-Z][a-z'’-]{1,59}(?:[ -][A-Z][a-z'’-]{1,59})?)"
                         r"(?=[ \t]*(?:[.,;:!?)\n]|$|[A-Za-z]{1,2}\d))")
# words of living just before a street every town has ("we live on the High Street", "living on High Street", "our
# house on the High Street", "our house is on Main Road", "we moved to the High Street")
_LIVING_ON = re.compile(r"\b(?:live|lives|lived|living|moved|move|moving|house|home|flat|bungalow|address)"
                        r"(?:\s+(?:is|was|now|still))*\s+(?:on|in|at|to|into|off)\s+(?:the\s+)?$", re.IGNORECASE)
# a street every town has, written in lower case with its town: after a comma ("high street, greystow") or after its
# house number ("12 high street greystow", the number read backwards from the street: a pattern starting with an
# optional number was four times slower), the town one word, then the end of the sentence, the line or the address,
# or a postcode ("on the high street, mum bought" is not one: see _NOT_LOWER_STREET_TOWN)
_GENERIC_STREET_LOWER_TOWN = re.compile(
    r"(?<![\w'’-])(?P<s>(?:high|main|green|park)[ \t]+(?:street|road|lane))(?P<sep>[ \t]*,[ \t]*|[ \t]+)"
    r"(?P<t>[a-z][a-z'’-]{2,59})(?=[ \t]*(?:[.,;:!?)\n]|$|[A-Za-z]{1,2}\d))")
_PO_BOX = re.compile(r"\bP\.?\s?O\.?\s+Box\s+\d{1,6}\b", re.IGNORECASE)
#: the streets every town has (``places.GENERIC_STREETS``) as written with capitals
_GENERIC_STREETS = frozenset(name.title() for name in GENERIC_STREETS)
_INSTITUTION_WORDS = (
    "Primary School|Junior School|Infant School|Infants School|High School|Grammar School|Secondary School|"
    "Academy|School|Nursery|Pre-School|Preschool|Playgroup|College|University|Club|FC|AFC|RFC|ABC|"
    "Hospital|Infirmary|Surgery|Medical Centre|Health Centre|Church|Chapel|Mosque|Temple|Synagogue|Gurdwara|"
    "Islamic Centre|Scouts|Scout Group|Brownies|Guides|Cubs|Beavers|Rainbows|Sea Cadets|Cadets|"
    "Leisure Centre|Sports Centre|Community Centre|Ltd|Limited|PLC|plc|"
    "Stores|Garage|Dental Practice|Practice|Library|Theatre School|Dance School|Stage School|Youth Theatre|"
    "Primary|CofE Primary|Infants|Juniors|Grammar|Comprehensive|Soft Play|Play Centre|"
    "Hotel|Inn|Arms|Tavern|Kitchen|Restaurant|Cafe|Café|Bistro|Takeaway|Bakery|Salon|Gym|"
    "Holiday Park|Caravan Park|Holiday Village|Homecare|Care Home|Nursing Home|Hall Hotel|Shop|"
    "Electrical|Electricals|Plumbing|Builders|Motors|Construction|Logistics|Services|Solutions|Transport|"
    "Haulage|Roofing|Joinery|Cleaning|Engineering|Group|Garden Centre|Register Office|Men's Shed|Shed|"
    "Martial Arts|Kickboxing|Taekwondo|Karate|Boxing Club|Garrison|Barracks|Camp|"
    # church schools named by their church ("Holy Trinity C of E", "Sacred Heart RC", "St Anne's R.C.")
    r"C\.?\s?of\s?E|C\.E|CE|R\.C|RC")
_INSTITUTION = re.compile(rf"\b((?:{_CAP}\s+){{1,5}})(?:{_INSTITUTION_WORDS})\b")
# the institution words of one word ("School", "Academy", "Club", "FC", "RC"), not the last words of two ("Park"
# of "Holiday Park", "Home" of "Care Home"): an "and" after one may start another institution's name (see
# :func:`_name_length`), and one written with a capital starts a name ("Club Tropicana Dance": :func:`_cue_name`)
_INSTITUTION_ENDS = frozenset(
    {alt.lower() for alt in _INSTITUTION_WORDS.split("|") if re.fullmatch(r"[\w'-]+", alt)} | {"r.c", "c.e", "cofe"})
# a church school's abbreviation ("Sacred Heart RC", "Holy Trinity C of E"): after people's names it is not one
# ("Love from Sam and Jo RC": see :func:`_people_before`)
_CHURCH_ABBREVIATION = re.compile(r"C\.?\s?of\s?E|C\.E|CE|R\.C|RC")
# the school's own word after a church school's abbreviation written with a lower-case "of": the "Academy" of "St
# John's C of E Academy", the "VA Primary School" of "Holy Trinity C of E VA Primary School" (a capitalised word's
# run stops at "of", so the name ended at "C of E")
_AFTER_C_OF_E = re.compile(
    r"[ \t]+(?:[A-Z][A-Za-z'’-]{0,59}[ \t]+){0,2}?"
    rf"(?:{'|'.join(w for w in _INSTITUTION_WORDS.split('|') if not _CHURCH_ABBREVIATION.fullmatch(w))}"
    r"|(?i:primary\s+school|school|academy|primary|nursery))\b")
# words of a saint's or a church's name: before "RC" or "C of E" they make a school, even after "and" or in a
# sign-off ("St Mary and St John RC", "Love from all at St Joseph's RC")
_CHURCH_NAME_WORDS = frozenset((
    "st", "ss", "sts", "saint", "saints", "holy", "sacred", "heart", "lady", "blessed", "christ", "christ's",
    "corpus", "christi", "trinity", "cross", "martyrs", "cardinal", "bishop", "pope", "immaculate", "notre",
    "dame", "angels", "apostles", "redeemer", "nativity", "assumption", "ascension", "annunciation",
    "resurrection", "shepherd", "catholic", "jesus", "virgin", "sacrament", "spirit", "rosary", "loreto"))
# two people: a capitalised word and "and"/"&" just before a name ("Sam and " of "Sam and Jo RC")
_PAIR_BEFORE = re.compile(r"(?:^|(?<=\s))(?P<w>[A-Z][\w'’.-]*),?\s+(?:and|&)\s+$")
# what before such a pair makes it a church's name or a place: "Ss Peter and Paul RC", "she's at Peter and Paul
# RC", "goes to …" (not "love to", "hello to": greetings to people)
_SAINT_OR_AT_BEFORE = re.compile(r"(?:^|\s)(?:St|Ss|Sts|Saint|Saints|at|attends|(?<!love\s)(?<!hello\s)(?<!hi\s)to)"
                                 r"\.?\s+$", re.IGNORECASE)
# a sign-off starting the line of a name: "Love from ", "Lots of love, ", "Best wishes, "
_SIGN_OFF = re.compile(r"[ \t]*(?:(?:with\s+|all\s+(?:our|my)\s+|lots\s+(?:and\s+lots\s+)?of\s+|much\s+|big\s+)?love"
                       r"|best\s+wishes|(?:warm|kind)(?:est)?\s+(?:wishes|regards)|regards|take\s+care|thanks"
                       r"|thank\s+you|bye|cheers|from)(?:[ \t,]+from)?[ \t,]*", re.IGNORECASE)
_LINE_END = re.compile(r"[ \t.,!]*(?:x+[ \t]*)?(?:\n|$)", re.IGNORECASE)
_INITIALS = re.compile(r"[A-Z]\.?(?:[A-Z]\.?)?")
# words that start the next part of a sentence, not a name's next word: "… Spencer and I help"
_AFTER_NAME = frozenset(("I", "I'm", "I’m", "Im", "I've", "I’ve", "We", "We're", "We’re", "We've", "We’ve", "She",
                         "She's", "She’s", "He", "He's", "He’s", "They", "They're", "They’re", "It", "It's",
                         "It’s", "You", "My", "Our", "His", "Their", "Mum", "Dad", "Then", "So", "But", "When",
                         "Now", "Please", "Thanks", "Thank"))
# the commonest institution words also in lower case ("Lifeline café", "Oakfield school"): the name counts
_INSTITUTION_LOWER = re.compile(
    rf"\b((?:{_CAP}\s+){{1,5}})(?:primary\s+school|school|nursery|pre-school|preschool|academy|college|club|"
    rf"church|chapel|mosque|hospital|surgery|caf[eé]|cafe|pub|shop|salon|gym|leisure\s+centre)\b")
# a name given after a word for a child's nursery, school, club or team: "her nursery, Little Acorns,", "her
# swimming club is Ponds Forge Penguins", "a nursery called Busy Bees", "the team: Ponds Forge Penguins"; the
# cue word in any case, the name capitalised (one to five words, "of", "and", "&" inside it)
_CUE_NAME = rf"['\"“‘]?(?P<n>{_CAP}(?:\s+(?:{_CAP}|of|and|&)){{0,4}})"
_CUE_PLACE = (r"(?i:nursery|pre-school|preschool|playgroup|creche|crèche|childminders?|club|team|squad|troop|"
              r"school|academy|college|sixth\s+form|swimming\s+lessons|lessons|classes|church)")
_NAMED_AFTER_CUE = (
    # a determiner, up to two lower-case words ("her swimming club", "the new after-school club"), the cue and
    # "is"/"was"/"called"/":" ("the team is Ponds Forge Penguins", "our nursery: Busy Bees")
    re.compile(rf"\b(?i:her|his|their|my|our|your|the|a|an|new)\s+(?P<mod>(?:[a-z][a-z'’-]*\s+){{0,2}}?)"
               rf"{_CUE_PLACE}(?:\s+(?:is|was|are|were|'s|’s)\s+(?:called\s+|named\s+)?|\s*:\s*)(?:the\s+)?"
               rf"{_CUE_NAME}"),
    # the name between commas after a child's own nursery or club ("her nursery, Little Acorns, has …"; not
    # "in the team, Sophie scored", "after school, Grandma …")
    re.compile(rf"\b(?i:her|his|their|my|our|your)\s+(?P<mod>(?:[a-z][a-z'’-]*\s+){{0,2}}?){_CUE_PLACE}\s*,\s*"
               # … and not the first of a list of names ("her team, Sophie, Mia and Jess")
               rf"{_CUE_NAME}(?=\s*(?:[,.;!?)–—]|$))(?!\s*,\s*[A-Z][\w'’-]*\s*(?:,|and\b|&))"),
    # "a nursery called Little Acorns" (no determiner needed with "called"/"named")
    re.compile(rf"\b{_CUE_PLACE}\s+(?i:called|named)\s+{_CUE_NAME}"),
    # "the Year 2 class at Holy Trinity", "she's in year 3 at Oakwood", "swimming lessons at Ponds Forge"
    re.compile(rf"\b(?i:class|form|year\s+\d{{1,2}}|reception|nursery|pre-school|preschool|playgroup|club|lessons|"
               # ("lessons with Toby" is a friend or a teacher, not a place: "at" only)
               rf"classes|sessions|training|practice|rehearsals)\s+(?i:at)\s+(?:the\s+)?{_CUE_NAME}"),
    # "she plays for Ponds Forge Penguins", "swims for City of Leeds"
    re.compile(rf"\b(?i:plays|played|playing|swims|swam|swimming|runs|dances|signed)\s+(?i:for)\s+(?:the\s+)?"
               rf"{_CUE_NAME}"),
)
# words before the cue that make it anybody's (a favourite team is one she supports, not one she is in)
_NOT_OWN = frozenset(("favourite", "favorite", "fave", "fav", "best", "old", "last", "previous", "dream"))
# first words after a cue that are not a name: people, titles, days, months, words of praise or Ofsted grades
_NOT_CUE_NAME = frozenset((
    "mr", "mrs", "miss", "ms", "mx", "dr", "sir", "nanny", "auntie", "aunty", "uncle", "grandma", "grandpa",
    # family as the child says it ("swimming lessons with Daddy", "classes with Nana")
    "mum", "mummy", "mam", "mom", "mommy", "dad", "daddy", "nan", "nana", "nanna", "granny", "gran", "grandad",
    "granddad", "grandpa", "grandmother", "grandfather", "santa",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "outstanding", "ofsted", "brilliant", "amazing", "fab", "fabulous", "lovely", "ok",
    "okay", "fine", "excellent", "super", "awesome", "brill", "ace", "rubbish", "closed", "shut", "open",
    "full", "english", "maths", "science", "pe", "re", "art", "music", "french", "spanish", "history",
    "geography", "reading", "writing", "phonics", "tag", "under", "u", "covid", "sats", "gcses", "mocks",
    # a kind of place with no name ("lessons at the Leisure Centre", "club at the Village Hall")
    "centre", "center", "hall", "park", "pool", "baths", "field", "fields", "rec", "library", "beach", "zoo",
))


_WORKPLACE = re.compile(
    r"\b(?:works?|working|worked|job|employed|starts?|started|volunteers?|volunteering|carer|apprentice|"
    r"apprenticeship|placement|employer)\s+"
    r"(?:(?:as\s+)?\w+(?:\s+\w+){0,2}\s+)?(?:at|for|with)\s+"
    r"(?:the\s+)?((?:[A-Z][\w&'’-]*)(?:\s+(?:[A-Z][\w&'’-]*|&|of|and)){0,4})")
# pubs: "the Black Bull", "the Fox and Hounds", "the Royal Oak"
_PUB_NOUNS = (r"(?:Lion|Bull|Horse|Swan|Crown|Bell|Plough|Anchor|Ship|Star|Angel|Fox|Hare|Hounds|Arms|Oak|"
              r"Wheatsheaf|Feathers|Falcon|Eagle|Greyhound|Cock|Hart|Stag|Bear|Dragon|Harp|Woolpack|Mitre|Globe|"
              r"Boar|Ram|Lamb|Unicorn|Griffin|Castle|Railway|Junction|Grapes|Chequers|Queen|King|Kings|Sun|"
              r"Moon|Bridge|Mill|Tavern|Hounds|Groom|Partridge|Pheasant|Cross\s+Keys|Three\s+Horseshoes)")
_PUB = re.compile(rf"\bthe\s+((?:(?:Red|Black|White|Golden|Royal|Old|Blue|Green|Grey|Brown|Nags|Dun)\s+{_PUB_NOUNS})"
                  rf"|(?:{_PUB_NOUNS}\s+(?:and|&)\s+{_PUB_NOUNS}))\b")
# a saint's name is usually a school or church: "St Bede's", "st bedes" (not St Patrick's Day)
_SAINT = re.compile(r"(?<![\w])(?:St\.?|Saint|st\.?)\s+(?P<n>[A-Za-z][a-z]+(?:['’]?s)?)(?![\w'’])"
                    r"(?!\s+(?:Day|Eve|day|eve)\b)")
_GENERIC = {
    "the", "my", "our", "his", "her", "their", "your", "at", "in", "on", "to", "a", "an", "new", "big", "old",
    "primary", "secondary", "junior", "infant", "infants", "high", "grammar", "nursery", "sixth", "form",
    "middle", "sunday", "football", "swimming", "dance", "drama", "youth", "boxing", "rugby", "cricket",
    "tennis", "chess", "gymnastics", "karate", "judo", "after", "breakfast", "holiday", "book", "art",
    "music", "coding", "reading", "homework", "netball", "hockey", "golf", "running", "cycling", "riding",
    "pony", "stage", "theatre", "ballet", "tap", "singing", "choir", "film", "lego", "science", "forest",
    "summer", "winter", "spring", "autumn", "local", "village", "town", "city", "catholic", "church",
    "c", "e", "of", "and", "we", "she", "he", "they", "i", "it", "this", "that", "when", "since", "now",
    "also", "then", "so", "but", "mum", "dad", "nan", "nana", "grandad", "granny", "grandma", "grandpa",
    "year", "reception", "preschool", "pre-school", "playgroup", "college", "university",
    "school", "club", "hospital", "all", "every", "both", "last", "next", "first", "weekend", "saturday",
    "monday", "tuesday", "wednesday", "thursday", "friday", "christmas", "easter", "half", "term", "mondays",
    "tuesdays", "wednesdays", "thursdays", "fridays", "saturdays", "sundays", "weekends",
    "gcse", "a-level", "btec", "uni", "happy", "dear", "love", "lots", "many", "some", "few", "great",
    "good", "best", "small", "large", "special", "christian", "day", "night", "evening",
    "morning", "scouts", "brownies", "guides", "cubs", "beavers", "rainbows", "medical", "health",
    "sports", "leisure", "dental", "doctors", "doctor", "dentist", "is", "was", "has", "goes", "went",
    "soft", "play", "charity", "community", "care", "home", "nursing", "cafe", "shop", "bakery", "kitchen",
    "hotel", "caravan", "gym", "pub", "restaurant", "takeaway", "sea", "cadets", "islamic", "army", "navy",
    "raf", "air", "police", "fire", "volunteer", "national", "royal",
}
_NOT_WORKPLACE = {"Christmas", "Easter", "Halloween", "Mum", "Dad", "Nan", "Grandad", "Home", "Monday", "Tuesday",
                  "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "The", "Weekends", "Weekend", "Night",
                  "I", "It", "We", "She", "He", "They", "Year"}


def _sentence_start(text: str, at: int) -> bool:
    r"""Whether ``at`` starts a sentence: the text before it is empty, or ends with a full stop, ! or ? and a
    space, or with a line break and spaces (as ``(?:^|[.!?]\s+|\n\s*)$`` on ``text[:at]``, without copying and
    searching everything before ``at`` for each street: that was quadratic).

    Not :func:`short_forms.starts_sentence`, on purpose: both rules drop a finding at a sentence start, so each
    says "start" only where it can afford to lose one. :func:`_streets` drops a street's capitalised everyday
    first word there ("New Road was shut." may be "new" capitalised; "on New Road" is a street): this reading
    keeps the street after an opening quote or bracket ('Bye. "New Road" was shut'), an ellipsis ("…New
    Road"), a stop with no space ("Hi.New Road") and spaces at the start of the text, where
    ``starts_sentence`` says "start". The short forms need that wider reading: a familiar form that is also a
    word ("Will") is the verb only at a sentence start, quoted or not ('"Will you write back?"'), and only
    before a word that makes it the verb (:func:`short_forms.used_as_word`), so it costs little there. Pinned
    by tests/letterbox/test_screening_sentence_starts.py."""
    i = at
    while i > 0 and text[i - 1].isspace():
        i -= 1
    gap = text[i:at]
    return at == 0 or "\n" in gap or (bool(gap) and i > 0 and text[i - 1] in ".!?")

# --- detectors ----------------------------------------------------------------------------------
#: the dashes a hyphenated name is written with ("Smith-Jones", "Smith‐Jones", "Smith–Jones", "Smith—Jones")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
#: the apostrophes a name is written with ("O'Neill", "O’Neill", "O‘Neill", "O`Neill")
_APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc"
#: a run of dashes and apostrophes inside a term's word ("-" of "Lily-Mae", "'" of "O'Neill")
_MARKS = re.compile(f"[{_DASHES}{_APOSTROPHES}]+")
#: between two parts of a word parted by dashes or apostrophes: any of them, spaces, or nothing ("Lily-Mae",
#: "Lily–Mae", "Lily Mae", "LilyMae"; "O'Neill", "O’Neill", "O Neill", "ONeill")
_BETWEEN_PARTS = rf"(?:\s*[{_DASHES}{_APOSTROPHES}]+\s*|\s+|)"
#: at the start or end of a word: any of them ("Thornleys'" is also "Thornleys’")
_EDGE_MARKS = f"[{_DASHES}{_APOSTROPHES}]+"
#: between the words of a term: spaces or a dash ("Kestrel Vale", "Kestrel-Vale")
_BETWEEN_WORDS = rf"(?:\s*[{_DASHES}]\s*|\s+)"


def _term_body(term: str) -> str:
    """A pattern of ``term`` (spaces made single) as people write it: its words parted by spaces or a dash;
    inside a word, the parts parted by dashes or apostrophes also by others, by spaces or by nothing ("Lily
    Mae", "Lily–Mae", "LilyMae" for "Lily-Mae"; "O’Neill", "O Neill", "ONeill" for "O'Neill"); a postcode
    with or without its space ("ZZ991HJ" for "ZZ99 1HJ"). Whatever the term matched as typed it still
    matches."""
    if _POSTCODE.fullmatch(term):
        outward, inward = term[:-3].strip(), term[-3:]
        return rf"{re.escape(outward)}\s*{re.escape(inward)}"
    words = []
    for word in term.split(" "):
        out: list[str] = []
        pos = 0
        for m in _MARKS.finditer(word):
            out.append(re.escape(word[pos:m.start()]))
            out.append(_BETWEEN_PARTS if m.start() > 0 and m.end() < len(word) else _EDGE_MARKS)
            pos = m.end()
        out.append(re.escape(word[pos:]))
        words.append("".join(out))
    return _BETWEEN_WORDS.join(words)


#: what may follow a whole protected term: a plural or a possessive ("Thornleys", "Thornley's", "Joneses'")
_TERM_TAIL = "(?P<tail>'s|’s|s'|s’|es|s|'|’)?"


@lru_cache(maxsize=256)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all the protected terms (longest first), group ``t<n>`` naming the term, ``tail`` its
    plural or possessive ending; each term as people write it (:func:`_term_body`)."""
    alternatives = []
    for n, term in sorted(enumerate(terms), key=lambda t: -len(t[1])):
        alternatives.append(f"(?P<t{n}>{_term_body(term)})")
    # a protected name inside a handle or address ("dev.family@", "kaz_dev") is still that name
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)}){_TERM_TAIL}(?![^\W_])", re.IGNORECASE)


# the street of an address line: "14 Larkspur Drive" -> "Larkspur" + Drive (a flat, house number or town
# around it is left out: the street is what gives the address away)
_ADDRESS_LINE = re.compile(rf"(?:^|(?<=[\s,]))(?P<name>(?:[^\W\d_][\w'’-]*\s+){{1,3}}?)"
                           rf"(?P<sfx>{_STREET_WORDS})\.?(?=\s*(?:,|$))", re.IGNORECASE)
# words of a protected term too ordinary to flag alone ("Junior" of "Oatlands Junior School")
_TERM_STOP_WORDS = frozenset((
    "school", "schools", "junior", "juniors", "infant", "infants", "primary", "secondary", "academy", "nursery",
    "college", "club", "football", "rugby", "united", "city", "town", "rovers", "athletic", "wanderers",
    "church", "chapel", "saint", "house", "farm", "centre", "center", "village", "north", "south", "east",
    "west", "upper", "lower", "little", "great", "old", "new", "flat", "apartment", "road", "street", "lane",
    "avenue", "close", "drive", "crescent", "court", "gardens", "grove", "place", "square", "terrace", "park",
    "hill", "green", "walk", "mews", "with", "from", "group", "team", "youth", "sports", "leisure",
    "hospital", "surgery", "practice", "limited", "services", "community", "family", "mrs", "miss", "mr",
    "market", "castle", "bridge", "river", "valley", "wood", "woods", "manor", "hall", "lodge", "cross", "lake",
    "holy", "trinity", "sacred", "heart", "lady", "county", "borough", "district", "kings", "queens", "king",
    "queen", "rose", "star", "stars", "baby", "babies", "girls", "boys", "ladies", "mens", "women", "children",
    "nurseries", "netball", "cricket", "swimming", "dance", "grammar",
)) | _GENERIC


@lru_cache(maxsize=256)
def _address_patterns(terms: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """For each protected address line, its street in every written form: "14 Larkspur Drive" also as
    "14, Larkspur Dr", "Larkspur Dr.", "larkspur drive" (with or without a house number)."""
    out = []
    for term in terms:
        lines = list(_ADDRESS_LINE.finditer(term))
        if not lines:
            continue
        m = lines[-1]  # the last street in the line
        name = m.group("name").split()
        if name[0].lower() in ("flat", "apartment", "apt", "unit", "no"):
            continue
        forms = _SUFFIX_OF.get(m.group("sfx").lower(), (m.group("sfx"),))
        number = r"(?:(?:flat|apartment|apt)\s*\d{1,4}[a-z]?,?\s+)?(?:no\.?\s*)?\d{1,4}[a-z]?,?\s+"
        if f"{' '.join(name)} {forms[0]}".title() not in _GENERIC_STREETS:
            number = f"(?:{number})?"  # "High Street" alone is anybody's high street
        body = r"[\s-]+".join(re.escape(w) for w in name)
        suffix = "|".join(re.escape(f) for f in forms)
        out.append((re.compile(rf"(?<![\w£$.,]){number}{body}\s+(?:{suffix})\b", re.IGNORECASE), term))
    return tuple(out)


@lru_cache(maxsize=256)
def _distinctive_words(terms: tuple[str, ...]) -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """The distinctive words of multi-word protected terms ("Harriers" of "Harrogate Harriers"): each alone
    may be the term, shortened. Words of four letters or more, not ordinary words, not terms themselves."""
    whole = {t.lower() for t in terms}
    out = []
    for term in terms:
        words = re.findall(r"[^\W\d_][\w'’-]*", term)
        if len(words) < 2:
            continue
        for word in dict.fromkeys(words):
            if len(word) < 4 or word.lower() in _TERM_STOP_WORDS or word.lower() in _SUFFIX_OF \
                    or word.lower() in whole:
                continue
            # capitalised in the letter ("the Harriers", "OATLANDS"): in lower case it is usually an ordinary word
            body = f"{re.escape(word[0].upper())}(?:{re.escape(word[1:])}|{re.escape(word[1:].upper())})"
            pattern = re.compile(rf"(?<![^\W_]){body}(?:'s|’s|s'|s’|es|s|'|’)?(?![^\W_])")
            out.append((pattern, word, term))
    return tuple(out)


# --- protected terms: accents and name endings ------------------------------------------------------
#: letters with no one-letter base (NFKD leaves them whole) and how they are read: "Søren" is "Soren", "Łucja"
#: "Lucja", "Æsa" "Aesa", "Weiß" "Weiss", "Đurić" "Duric", "Þóra" "Thora", "Cœlia" "Coelia", "Guðrún" "Gudrun"
_NO_BASE = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "Ae", "ß": "ss", "ẞ": "SS", "đ": "d",
            "Đ": "D", "þ": "th", "Þ": "Th", "œ": "oe", "Œ": "Oe", "ð": "d", "Ð": "D"}


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    """``c`` without its accents (NFKD, combining marks dropped): "é" -> "e"; "" for a combining mark itself;
    a letter with no one-letter base as the letters it stands for (:data:`_NO_BASE`: "ø" -> "o", "ß" -> "ss",
    "Æ" -> "Ae"); ``c`` unchanged when that would not leave letters ("½", "…" stay)."""
    if unicodedata.combining(c):
        return ""
    if c in _NO_BASE:
        return _NO_BASE[c]
    base = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    if len(base) == 1 and base in _NO_BASE:  # "ǿ": "ø" with an accent
        return _NO_BASE[base]
    return base if len(base) == 1 and base.isalpha() else c


def _fold_at(text: str, i: int) -> str:
    """``text[i]`` folded (:func:`_fold_char`); a capital that becomes two letters is all in capitals in a word
    in capitals ("ÆSA" -> "AESA", "ÞÓRA" -> "THORA"; "Æsa" -> "Aesa"): the next letter is a capital, or
    there is none and the one before is."""
    f = _fold_char(text[i])
    if len(f) > 1 and f[0].isupper() and not f.isupper():
        after = text[i + 1] if i + 1 < len(text) else ""
        if after.isupper() or (not after.isalpha() and i > 0 and text[i - 1].isupper()):
            return f.upper()
    return f


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_match(m: re.Match[str]) -> str:
    return _fold_at(m.string, m.start())


def fold(text: str) -> str:
    """``text`` with accents removed from its letters ("Jéss" -> "Jess", "Zoë" -> "Zoe"; an accent typed as
    a separate combining mark is left out), and letters with no one-letter base read as the letters they
    stand for ("Søren" -> "Soren", "Weiß" -> "Weiss", "Þóra" -> "Thora": :data:`_NO_BASE`). Only the characters
    outside ASCII are looked at: a letter's curly apostrophe or dash does not make it read character by
    character."""
    return text if text.isascii() else _NOT_ASCII.sub(_fold_match, text)


@lru_cache(maxsize=4)  # the same letter is folded for its protected terms, streets and places
def _folded(text: str) -> tuple[str, list[int], list[int]] | None:
    """``text`` folded (see :func:`fold`) with, for each of its characters, the span of ``text`` it came from
    (a combining mark left out belongs to the letter before it; both letters of "ß" -> "ss" come from the
    one "ß"); None when folding changes nothing."""
    if text.isascii():
        return None
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    changed = False
    last = 0  # how many characters the last character that was kept became
    for i, c in enumerate(text):
        f = _fold_at(text, i) if not c.isascii() else c
        if f != c:
            changed = True
        if not f:
            for k in range(len(ends) - last, len(ends)):
                ends[k] = i + 1
            continue
        out.append(f)
        starts.extend([i] * len(f))
        ends.extend([i + 1] * len(f))
        last = len(f)
    return ("".join(out), starts, ends) if changed else None


#: a text folded by :func:`_folded`, with the spans its characters came from (None: folding changed nothing)
Folded = tuple[str, list[int], list[int]] | None


def _original_span(mapped: Folded, a: int, b: int) -> tuple[int, int]:
    """The span of the text as written that the span ``a``–``b`` of its folded form came from (a combining
    mark after the last letter is inside it: "Pénrith" typed with a separate accent is found whole)."""
    if mapped is None:
        return a, b
    starts, ends = mapped[1], mapped[2]
    if b > a:
        return starts[a], ends[b - 1]
    at = starts[a] if a < len(starts) else (ends[-1] if ends else 0)
    return at, at


def _on_folded(text: str, mapped: Folded, detector: Callable[[str], Iterable[Finding]]) -> Iterator[Finding]:
    """``detector``'s findings in ``text`` read without its accents ("14 Lårkspur Drive", "Pénrith", also with
    a separate combining accent), each over the span of ``text`` as written."""
    if mapped is None:
        yield from detector(text)
        return
    for f in detector(mapped[0]):
        start, end = _original_span(mapped, f.start, f.end)
        yield Finding(start, end, f.kind, text[start:end], f.reason)


#: endings that make a pet or short form of a name ("Jessie", "Jessy", "Annie", "Anna"); "-e" only after a
#: double consonant ("Anne", "Jesse": "Time" of "Tim", "Sale" of "Sal" are ordinary words); after a last
#: consonant doubled only the "-y" sounds ("Benny", "Tommie"); after a name's silent "e" dropped only
#: "-ie"/"-y" ("Katie", "Katy" of "Kate"), after its last "a" dropped only "-ie" ("Rosie" of "Rosa")
_NAME_ENDINGS = ("ie", "ey", "ee", "y", "a", "i")
_DOUBLED_ENDINGS = ("ie", "ey", "y")
_VOWELS = frozenset("aeiou")
#: what may follow a protected term or its pet form: plural and possessive ("Jess's", "Jessie's", "Ashbys'")
_TAIL = r"(?:'s|’s|s'|s’|es|s|'|’)?"


@lru_cache(maxsize=4096)
def variant_words(term: str) -> frozenset[str]:
    """The pet and short forms, in lower case, of a one-word protected name of three letters or more
    ("jessie", "jessy", "jesse", … of "Jess"); none for shorter terms, terms of several words or with letters
    outside A–Z (fold the term first). The incoming screening and the outgoing letters' leak check both use
    these."""
    if len(term) < 3 or not term.isalpha() or not term.isascii():
        return frozenset()
    t = term.lower()
    endings = (*_NAME_ENDINGS, "e") if t[-1] == t[-2] and t[-1] not in _VOWELS else _NAME_ENDINGS
    out = [t + e for e in endings]
    if t[-1] not in _VOWELS | {"y", "w", "x"} and t[-2] in _VOWELS:
        out += [t + t[-1] + e for e in _DOUBLED_ENDINGS]  # Ben -> Benny
    if t[-1] == "e" and len(t) >= 4 and t[-2] not in _VOWELS:
        out += [t[:-1] + "ie", t[:-1] + "y"]  # Kate -> Katie, Katy
    if t[-1] == "a" and len(t) >= 4 and t[-2] not in _VOWELS:
        out.append(t[:-1] + "ie")  # Rosa -> Rosie, Ella -> Ellie (not "-y": Vera -> "Very")
    return frozenset(out)


def _variant_forms(term: str) -> list[str]:
    """A regular expression (for a case-insensitive search) of :func:`variant_words`, longest first; none
    when the term has no pet forms."""
    words = variant_words(term)
    return ["|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))] if words else []


@lru_cache(maxsize=256)
def _variants_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for the pet and short forms of all the one-word protected terms, group ``v<n>`` naming the
    term; None when no term has any."""
    alternatives = [f"(?P<v{n}>{'|'.join(forms)})" for n, term in enumerate(terms) if (forms := _variant_forms(term))]
    if not alternatives:
        return None
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)}){_TAIL}(?![^\W_])", re.IGNORECASE)


def _with_pet_forms(forms: frozenset[str]) -> frozenset[str]:
    """Short forms with their own pet forms ("Gwennie", "Gwenny" of "Gwen"; :func:`variant_words`), less those
    that are everyday words ("Carry" of "Carr")."""
    return forms | {v for f in forms if len(f) >= 3 for v in variant_words(f) if not is_everyday(v)}


#: the word after a short form ("Will you": "you")
_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_]+)")


@lru_cache(maxsize=256)
def _short_forms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for the short forms (:func:`short_forms.short_forms`: "Gwen" of "Gwenllian") of the one-word
    protected terms that are not surnames, with their pet forms, group ``s<n>`` naming the term; None when none
    has any."""
    alternatives = [f"(?P<s{n}>{'|'.join(re.escape(w) for w in sorted(forms, key=lambda w: (-len(w), w)))})"
                    for n, term in enumerate(terms) if (forms := _with_pet_forms(short_forms(term)) - not_forms_of(term))]
    if not alternatives:
        return None
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)}){_TAIL}(?![^\W_])", re.IGNORECASE)


def _accents(written: str, term: str) -> str:
    """How ``written`` (the letter's span) differs in accents from the protected ``term`` it matched: "" when
    it does not ("Zoë's" for "Zoë")."""
    has, had = fold(written) != written, fold(term) != term
    if has and not had:
        return "written with an accent"
    if had and not has:
        return "written without its accents"
    if has and not written.casefold().startswith(term.casefold()):
        return "written with other accents"
    return ""


def labelled(reason: str, term: str, labels: Mapping[str, str] | None) -> str:
    """``reason`` with the term's label in front ("names the adoptive family: the protected term 'Ashby'")."""
    label = labels.get(term) if labels else None
    return f"{label}: {reason}" if label else reason


# a lower-case word reads as the surname after a title, or before "family" ("mrs may", "the hope family")
_SURNAME_BEFORE = re.compile(r"(?<![^\W_])(?:mrs?|ms|miss|mx|dr|auntie|aunty|aunt|uncle|nanna|nana|nan|grandma|"
                          r"granny|grandad|grandpa|love|from|dear|hi|hello|to)\.?,?\s+$", re.IGNORECASE)
# ... before "family", or ending a line or the letter as a signature does ("love, will x")
_SURNAME_AFTER = re.compile(r"\s+(?:family|families|household|clan|twins)\b|[ \t]*[,.!]?[ \t]*(?:x+[ \t]*)?(?:\n|$)",
                         re.IGNORECASE)


def _ordinary_word_not_name(view: str, start: int, end: int, term: str) -> bool:
    """True for a one-word protected surname that is also an everyday word (:data:`ORDINARY_WORD_SURNAMES`),
    written here in lower case and not where it reads as a name: "we may visit", "I hope", "young people".
    Asked only of terms the caller says are surnames: a child's first name "May" is found in lower case too."""
    if " " in term or fold(term).lower() not in ORDINARY_WORD_SURNAMES:
        return False
    if any(c.isupper() for c in view[start:end]):
        return False
    return not (_SURNAME_BEFORE.search(view, max(0, start - 14), start) or _SURNAME_AFTER.match(view, end))


#: how a protected term was found in a text (:attr:`TermMatch.how`)
WHOLE, PET_FORM, SHORT_FORM, ADDRESS, WORD, JOINED = "whole", "pet form", "short form", "address", "word", "joined"


@dataclass(frozen=True)
class TermMatch:
    """One place a protected term is written in a text (:func:`match_terms`): ``start``/``end`` in the text as
    written; ``term`` as it was given (spaces made single); ``how`` it was found (:data:`WHOLE`, :data:`PET_FORM`,
    :data:`SHORT_FORM`, :data:`ADDRESS`, :data:`WORD`: a distinctive word of it alone, :data:`JOINED`: inside a
    hashtag, an account name or a joined-up word); ``body`` the term's letters as the text writes them and
    ``tail`` the plural or possessive ending after them (both read without accents: "Thornley", "s'");
    ``reason`` what the screening's finding says; ``sign`` of a :data:`JOINED` match, what its token starts
    with: "#" (a hashtag), "@" (an account name) or "" (a joined-up word such as "ThornleyFamily")."""

    start: int
    end: int
    term: str
    how: str
    body: str
    tail: str
    reason: str
    sign: str = ""


def _written_otherwise(body: str, term: str) -> bool:
    """Whether ``body`` writes ``term`` with other dashes, apostrophes or spaces between its letters ("Lily Mae",
    "Lily–Mae", "LilyMae" for "Lily-Mae"; "O’Neill", "ONeill" for "O'Neill"; "ZZ991HJ" for "ZZ99 1HJ")."""
    def gaps(s: str) -> list[str]:
        return re.split(r"[^\W_]+", re.sub(r"\s+", " ", s))
    return gaps(body) != gaps(term)


def _scan(pattern: re.Pattern[str], view: str, keep: Callable[[re.Match[str]], bool]) -> Iterator[re.Match[str]]:
    """``pattern``'s matches in ``view`` that ``keep`` keeps; after one it does not, the search goes on from the
    next character (not from its end: a match left out does not hide another term written inside it)."""
    pos = 0
    while (m := pattern.search(view, pos)) is not None:
        if keep(m):
            yield m
            pos = max(m.end(), m.start() + 1)
        else:
            pos = m.start() + 1


#: a hashtag or an account name ("#TeamThornley", "@thornley.family"); not an e-mail address, nor a link's "#"
_TAG = re.compile(r"(?<![\w#@/&.])[#@](?P<b>[^\W_](?:[\w.]*[^\W_])?)")
#: a word joined up from capitalised words ("ThornleyFamily", "LilyMae"): a capital straight after a small letter
_JOINED_WORD = re.compile(r"(?<![\w#@])(?=[^\W_]*[a-z][A-Z])(?P<b>[^\W_]+)(?![\w@])")
#: the words a hashtag or joined-up word is made of ("Team" "Smith" "Jones" of "TeamSmithJones", "KVP" "School")
_COMPONENT = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
#: the start of a name, not a word of its own, before a capital ("McDonald", "MacLeod", "ONeill", "DeShawn")
_NAME_PARTICLES = frozenset(("mc", "mac", "o", "fitz", "de", "di", "da", "la", "le", "van", "von"))
#: what a term found inside a token is said to be in
_TOKEN_WORDS = {"#": "the hashtag", "@": "the account name", "": "the joined-up word"}


def _components(view: str, start: int, end: int) -> tuple[str, list[int], set[int]]:
    """The letters and digits of ``view[start:end]`` in lower case, the offset in ``view`` of each, and where in
    those letters each of its words starts (and the end): "#TeamThornley" -> "teamthornley", …, {0, 4, 12}."""
    letters: list[str] = []
    at: list[int] = []
    bounds: set[int] = set()
    pending = False  # the last word was a name's particle ("Mc"): the next capitalised word goes on from it
    for c in _COMPONENT.finditer(view, start, end):
        word = c.group()
        if not (pending and word[:1].isupper()):
            bounds.add(len(letters))
        pending = word.lower() in _NAME_PARTICLES and len(word) < 5 and word[:1].isupper()
        letters.extend(word.lower())
        at.extend(range(c.start(), c.end()))
    bounds.add(len(letters))
    return "".join(letters), at, bounds


def _joined(view: str, terms: tuple[str, ...], skip: frozenset[str]) -> Iterator[tuple[int, int, str, str, str]]:
    """Protected terms inside hashtags, account names and joined-up words: (start, end, term, written, token
    kind) with the span of the whole token in ``view``. A term is found when it is one or more whole words of
    the token ("#TeamThornley", "ThornleyFamily", "#TeamSmithJones" for "Smith-Jones", "LilyMae" for
    "Lily-Mae"); in a hashtag or account name also, at four letters or more, anywhere in it
    ("#thornleyfamilyadventures"). ``skip``: terms not looked for (everyday-word surnames: "#HopeForTheBest")."""
    keys = [(t, k) for t in terms if t not in skip and len(k := "".join(c for c in t.lower() if c.isalnum())) >= 3]
    if not keys:
        return
    for pattern in (_TAG, _JOINED_WORD):
        for m in pattern.finditer(view):
            letters, at, bounds = _components(view, m.start("b"), m.end("b"))
            sign = m.group()[:1] if pattern is _TAG else ""
            for term, key in keys:
                i = letters.find(key)
                while i >= 0:
                    if (i in bounds and i + len(key) in bounds) or (sign and len(key) >= 4):
                        written = view[at[i]:at[i + len(key) - 1] + 1]
                        yield m.start(), m.end(), term, written, sign
                        break
                    i = letters.find(key, i + 1)


# --- the outgoing letters' prefilter: whole words, not letters anywhere ---------------------------------
#: what parts a text's words for :class:`TextWords`: anything but a letter or digit, and the dashes and
#: apostrophes a name is written with (all of them but the modifier letter apostrophe "ʼ" are ``\W``: that one
#: is a letter to ``\w``, yet :func:`_term_body` reads it between a name's parts, "OʼNeill" for "O'Neill")
_WORD_GAP = re.compile("[\\W_" + "".join(c for c in _DASHES + _APOSTROPHES if c.isalnum()) + "]+")
#: :data:`_WORD_GAP` for a text of ASCII characters only, as a table for ``str.translate`` (a regular expression
#: replacing each gap of a letter took longer than everything else the prefilter does)
_ASCII_GAPS = {i: " " for i in range(128) if not chr(i).isalnum()}
#: the same, leaving the gaps out ("o'neill" -> "oneill")
_ASCII_GAPS_OUT = dict.fromkeys(_ASCII_GAPS)
#: a small letter straight before a capital: without one a text has no joined-up word (:data:`_JOINED_WORD`)
_SMALL_THEN_CAPITAL = re.compile(r"[a-z][A-Z]")
#: a word of a term as :func:`_distinctive_words` takes them
_TERM_WORD = re.compile(r"[^\W\d_][\w'’-]*")
#: what is never a distinctive word (:func:`_distinctive_words`): an ordinary word or a street word
_NOT_ALONE = _TERM_STOP_WORDS | _SUFFIX_OF.keys()
#: the words that may come between a house number and the street's name ("Flat 2, 12", "No. 12"): a street of
#: the reader's own is one only where none of them is in front of it (:meth:`TextWords.readers_street`)
_BEFORE_NUMBER = frozenset(("flat", "apartment", "apt", "no"))


def _gaps_to_spaces(text: str) -> str:
    """``text`` with each character of :data:`_WORD_GAP` a space (a run of them as one space, or as many)."""
    return text.translate(_ASCII_GAPS) if text.isascii() else _WORD_GAP.sub(" ", text)


def _lower(text: str) -> str:
    """``text`` as a search without case compares it (what the patterns' IGNORECASE takes as one letter is one
    here: "ı" and "i", "ſ" and "s"; a final "ς" as "σ" wherever it is)."""
    return text.upper().lower().replace("ς", "σ")


class TextWords:
    """A text as :func:`could_match_words` reads it, made once for all the terms looked for in it.

    ``spaced``: its words (letters and digits, folded, as a search without case compares them) each between
    spaces (" o neill zz99 1hj " of "O’Neill, ZZ99 1HJ"); ``low`` the same run together ("oneillzz991hj");
    ``cased`` is ``spaced`` as written (None when the two differ in length); ``plain``: the text (folded) is
    of ASCII characters only. Where in ``low`` each word starts and ends, and the text's hashtags, account
    names and joined-up words (:attr:`tokens`), are worked out only when a term's letters are there."""

    __slots__ = ("_bounds", "_cased_low", "_starts", "_tokens", "_view", "cased", "low", "plain", "spaced")

    def __init__(self, text: str) -> None:
        view = self._view = fold(text)  # what match_terms reads (its _folded text: the same letters)
        self.plain = view.isascii()
        cased = f" {_gaps_to_spaces(view)} "
        self.spaced = _lower(cased)
        self.cased: str | None = cased if len(cased) == len(self.spaced) else None
        self.low = self.spaced.replace(" ", "")
        self._tokens: tuple[str, ...] | None = None
        self._bounds: frozenset[int] = frozenset()
        self._starts: list[int] = []
        self._cased_low: str | None = None

    @property
    def tokens(self) -> tuple[str, ...]:
        """The letters of the text's hashtags, account names and joined-up words, as :func:`_joined` reads them
        ("teamthornley" of "#TeamThornley"); in a text of ASCII characters each is part of ``low``."""
        if self._tokens is None:
            view = self._view
            tokens: list[str] = []
            if "#" in view or "@" in view or _SMALL_THEN_CAPITAL.search(view):
                for pattern in (_TAG, _JOINED_WORD):
                    tokens.extend(_components(view, m.start("b"), m.end("b"))[0] for m in pattern.finditer(view))
            self._tokens = tuple(tokens)
        return self._tokens

    def word(self, needle: str, capital: bool, tail: bool) -> bool:
        """Whether ``needle`` (" " and one word) is a word of the text, also with "s" or "es" added if
        ``tail``, starting with a capital if ``capital``."""
        spaced, cased = self.spaced, self.cased
        i = spaced.find(needle)
        while i >= 0:
            j = i + len(needle)  # the text ends with a space: there is a character at j
            if (spaced[j] == " " or (tail and (spaced.startswith("s ", j) or spaced.startswith("es ", j)))) and (
                    not capital or cased is None or cased[i + 1].isupper()):
                return True
            i = spaced.find(needle, i + 1)
        return False

    def words(self, needle: str, capital: bool, tail: bool) -> Iterator[tuple[int, int]]:
        """Where ``needle`` (the letters of one or more words) is whole words of the text, as :meth:`word`
        says: its start and end in ``low`` (before any "s" or "es")."""
        low = self.low
        i = low.find(needle)
        if i < 0:
            return
        if not self._starts:
            self._starts = [0, *itertools.accumulate(map(len, self.spaced.split()))]
            self._bounds = frozenset(self._starts)
            if self.cased is not None:
                self._cased_low = self.cased.replace(" ", "")
        bounds, cased = self._bounds, self._cased_low
        while i >= 0:
            j = i + len(needle)
            if i in bounds and (not capital or cased is None or cased[i].isupper()) and (
                    j in bounds or (tail and ((low.startswith("s", j) and j + 1 in bounds)
                                              or (low.startswith("es", j) and j + 2 in bounds)))):
                yield i, j
            i = low.find(needle, i + 1)

    def _word_at(self, k: int) -> str:
        """The ``k``-th word (as ``low`` reads it); "" before the first or after the last."""
        starts = self._starts
        return self.low[starts[k]:starts[k + 1]] if 0 <= k < len(starts) - 1 else ""

    def street_word(self, j: int, forms: list[str]) -> str:
        """The word at ``j`` in ``low`` (an end :meth:`words` gave) if it is one of ``forms``; else ""."""
        k = bisect.bisect_left(self._starts, j)
        word = self._word_at(k) if k < len(self._starts) and self._starts[k] == j else ""
        return word if word in forms else ""

    def readers_street(self, i: int, j: int, owned: Callable[[str], bool] | None) -> bool:
        """Whether the street from ``i`` to ``j`` in ``low`` (its name and street word, :meth:`words`) is one the
        leak check never takes, however the matcher reads it: its words are all ``owned`` (the reader's own) and
        no word the matcher may read with it is in front (a house number's letter "12a", "Flat", "No": a word
        of digits only it leaves out). Only in a text of plain letters, where its words are the matcher's."""
        if owned is None or not self.plain:
            return False
        first = bisect.bisect_left(self._starts, i)
        last = bisect.bisect_left(self._starts, j)
        if not all(owned(self._word_at(k)) for k in range(first, last)):
            return False
        before = self._word_at(first - 1)
        if before.isdigit():  # a house number: what may stand before it ("Flat 2, 12", "No 12") is read too
            before = self._word_at(first - 2)
            return not (before in _BEFORE_NUMBER or any(c.isdigit() for c in before))
        return not any(c.isdigit() for c in before)


#: what :func:`could_match_words` looks for of each term (:func:`_probe`), kept as text: a batch meets thousands of
#: terms once each, and a tuple, set or cache entry kept for each made the interpreter's garbage collector run
#: its full pass inside the leak check (strings are not the collector's to follow). ``_LETTERS``: every term's
#: letters; ``_OTHER``: the pet forms' start, streets and words alone of a term that has any; ``_KEYS``: what
#: :func:`_joined` looks for, where that is not the term's letters
_LETTERS: dict[str, str] = {}
_OTHER: dict[str, str] = {}
_KEYS: dict[str, str] = {}
_PROBES_KEPT = 8192
#: what parts :func:`_probe`'s fields, its entries and the parts of an entry (none is in a word or a street word)
_FIELD, _ENTRY, _PART = "\x00", "\x02", "\x01"


def _probe(term: str) -> None:
    """Note what :func:`match_terms` (without short forms) cannot find ``term`` without, as :class:`TextWords`
    reads a text: its letters (after a space if they are one word in any text that has the term: " thornley"
    for :meth:`TextWords.word`; run together otherwise, "smithjones" of "Smith-Jones", "zz991hj" of a postcode,
    for :meth:`TextWords.words`); what :func:`_joined` looks for in a hashtag ("" under three characters); and
    as fields parted by "\x00": its pet forms' common start (" ann"; the forms are :func:`variant_words`); each
    street name of an address line with its street word's forms ("flint\x01road\x01rd", entries parted by
    "\x02"); the distinctive words the leak check may take alone ("kestrel", or with the word as the term
    writes it when that has more than letters: "obrien\x01o'brien")."""
    if len(_LETTERS) >= _PROBES_KEPT:
        _LETTERS.clear()
        _OTHER.clear()
        _KEYS.clear()
    t = fold(" ".join(term.split()))
    letters, start, streets, alone = _make_probe(t)
    key = t.lower().translate(_ASCII_GAPS_OUT) if t.isascii() else "".join(c for c in t.lower() if c.isalnum())
    if len(key) < 3 or key != (letters[1:] if letters[:1] == " " else letters):
        _KEYS[term] = key if len(key) >= 3 else ""
    if start or streets or alone:
        _OTHER[term] = _FIELD.join((start, streets, alone))
    _LETTERS[term] = letters


def _make_probe(t: str) -> tuple[str, str, str, str]:
    """:func:`_probe` of a term ``t`` (folded, its spaces single) but what _joined looks for."""
    if t.isalpha() and t.isascii():  # one word of letters only (most names): no street, no word alone
        return f" {t.lower()}", _common_start(variant_words(t)), "", ""
    plain = _plain_probe(t) if t.isascii() else None
    if plain is not None:
        return plain
    runs = _lower(_gaps_to_spaces(t)).split()
    if len(runs) <= 1:  # pet forms, streets and words alone are of letters only, or of two words or more
        one = bool(runs) and not _POSTCODE.fullmatch(t)  # "ZZ991HJ" is also "ZZ99 1HJ"
        return (f" {runs[0]}" if one else runs[0]) if runs else "", "", "", ""
    streets = []
    if not _SUFFIX_OF.keys().isdisjoint(runs):  # an address line's street word is a word of its own (_ADDRESS_LINE)
        for m in _ADDRESS_LINE.finditer(t):
            forms_of = _SUFFIX_OF.get(m.group("sfx").lower(), (m.group("sfx"),))
            streets.append(_PART.join((_letters_only(m.group("name")), *(_lower(f) for f in forms_of))))
    # the words _distinctive_words may look for alone (of a term of two words or more), but those with a digit
    # ("ZZ99" of a postcode: the leak check takes no such word alone)
    words = _TERM_WORD.findall(t)
    alone = dict.fromkeys(_alone_entry(w) for w in words if len(w) >= 4 and w.lower() not in _NOT_ALONE
                          and not any(c.isdigit() for c in w)) if len(words) >= 2 else {}
    return "".join(runs), "", _ENTRY.join(streets), _ENTRY.join(alone)


def _plain_probe(t: str) -> tuple[str, str, str, str] | None:
    """:func:`_make_probe` of a term of words each of letters only or of digits only, between spaces ("59 Flint
    Road", "Zara and Tara Cloverham"; most of a batch's), without a pattern: None for any other."""
    words = t.split(" ")
    letters = 0
    for w in words:
        if w.isalpha():
            letters += 1
        elif not w.isdigit():
            return None
    low = t.lower().split(" ")
    if len(low) == 1:  # a number
        return low[0], "", "", ""
    streets = ""
    forms = _SUFFIX_OF.get(low[-1])
    if forms is not None:  # _ADDRESS_LINE: the street word last, after up to three words starting with a letter
        n = len(low) - 1
        while n > 0 and len(low) - 1 - n < 3 and words[n - 1].isalpha():
            n -= 1
        if n < len(low) - 1:
            streets = _PART.join(("".join(low[n:-1]), *(f.lower() for f in forms)))
    # words alone: _TERM_WORD's words are those of letters (digits start none), a distinctive word one of them
    alone = _ENTRY.join(dict.fromkeys(w for w in low if w.isalpha() and len(w) >= 4
                                      and w not in _NOT_ALONE)) if letters >= 2 else ""
    return "".join(low), "", streets, alone


def _alone_entry(word: str) -> str:
    """A distinctive word as :func:`_probe` notes it: its letters, and the word as written if that differs."""
    letters = _letters_only(word)
    return letters if letters == word else f"{letters}{_PART}{word}"


def _letters_only(text: str) -> str:
    """``text``'s letters and digits as :attr:`TextWords.low` reads them."""
    return text.lower() if text.isalpha() and text.isascii() else "".join(_lower(_gaps_to_spaces(text)).split())


def _common_start(forms: frozenset[str]) -> str:
    """The start all the pet ``forms`` share, after a space (" ann" of "annie", "anna", …); "" when none."""
    if not forms:
        return ""
    first, last = min(forms), max(forms)  # the common start of the first and last in order is that of all
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return " " + first[:n]


def _pet_form(word: str, forms: frozenset[str]) -> bool:
    """Whether ``word`` is one of the pet ``forms``, also with "s" or "es" (the plural endings the matcher reads)."""
    return word in forms or (word.endswith("s") and word[:-1] in forms) or (word.endswith("es") and word[:-2] in forms)


def could_match_words(words: TextWords, term: str, capitalised: bool = False,
                      owned: Callable[[str], bool] | None = None) -> bool:
    """Whether :func:`match_terms` without short forms, with the outgoing leak check's rule on top, could find
    ``term`` in a text (``words``); when not, it cannot, and the batch runs no pattern for it. The term's letters (or a street's name, a distinctive word) must be whole words of
    the text, as the matcher's patterns need them ("Ann" is not in "annual", nor "Moss" of "12 Moss Road" in
    "Mossley"), a pet form a whole word ("Annie", "Annies"), capitalised; only a hashtag, an account name or a
    joined-up word is searched for the term's letters anywhere in it (:func:`_joined`). ``capitalised``: the
    term is a name, found only where it starts with a capital and the only term found in the plural;
    ``owned``: the words (as the text writes them, or in lower case) the caller never takes as a pet form, a
    distinctive word alone or a street (the reader's own)."""
    if term not in _LETTERS:
        _probe(term)
    letters = _LETTERS[term]
    if not letters:
        return True  # no letter or digit in it (",.", "--"): only its pattern can tell
    low = words.low
    # a name also in the plural; anything else only with a possessive ("12 Heron Gate's": "s" a word of its own)
    key = letters[1:] if letters[0] == " " else letters
    if key in low:
        if letters[0] == " ":
            if words.word(letters, capitalised, capitalised):
                return True
        elif next(words.words(letters, capitalised, capitalised), None) is not None:
            return True
    elif term not in _OTHER and term not in _KEYS:
        return not words.plain and any(key in token for token in words.tokens)  # (most terms: nowhere at all)
    if term in _OTHER:
        start, streets, alone = _OTHER[term].split(_FIELD)
        if start and start in words.spaced and _pet_form_in(words, term, start, owned):
            return True
        if streets and _street_in(words, streets, owned):
            return True
        if alone and _alone_in(words, alone, owned):
            return True
    # in a hashtag, an account name or a joined-up word: anywhere in it, as _joined looks (in a text of ASCII
    # characters, a token's letters are part of the text's letters)
    if term in _KEYS:
        key = _KEYS[term]
    if not key or (words.plain and key not in low):
        return False
    return any(key in token for token in words.tokens)


def _street_in(words: TextWords, streets: str, owned: Callable[[str], bool] | None) -> bool:
    """Whether a street of an address line (:func:`_probe`) is in the text: its name, then its street word, and
    not the reader's own street."""
    for entry in streets.split(_ENTRY):
        name, *street_words = entry.split(_PART)
        for i, j in words.words(name, False, False) if name in words.low else ():
            if (street := words.street_word(j, street_words)) and not words.readers_street(i, j + len(street), owned):
                return True
    return False


def _alone_in(words: TextWords, alone: str, owned: Callable[[str], bool] | None) -> bool:
    """Whether a distinctive word of a term (:func:`_probe`) is a word of the text, capitalised, not the reader's
    own as the letter may write it (as in the term, or in capitals)."""
    low = words.low
    for entry in alone.split(_ENTRY):
        if entry in low or _PART in entry:
            word, _, as_written = entry.partition(_PART)
            if next(words.words(word, True, True), None) is not None and not (
                    owned and owned(as_written or word) and owned((as_written or word).upper())):
                return True
    return False


def _pet_form_in(words: TextWords, term: str, start: str, owned: Callable[[str], bool] | None) -> bool:
    """Whether a word of the text starting ``start`` is a pet form of ``term``, capitalised, not ``owned``."""
    spaced, cased = words.spaced, words.cased
    forms = variant_words(fold(" ".join(term.split())))
    i = spaced.find(start)
    while i >= 0:
        word = spaced[i + 1:spaced.index(" ", i + 1)]
        if _pet_form(word, forms):
            written = cased[i + 1:i + 1 + len(word)] if cased is not None else None
            if written is None or (written[:1].isupper() and not (owned and owned(written))):
                return True
        i = spaced.find(start, i + 1)
    return False

def match_terms(text: str, protected: Iterable[str], labels: Mapping[str, str] | None = None,
                surnames: frozenset[str] = frozenset(), *, short_forms: bool = True,
                accept: Callable[[TermMatch], bool] | None = None, each: bool = False) -> list[TermMatch]:
    """Where the protected terms are written in ``text``: the one matcher of the incoming screening (its
    protected-term findings) and of the outgoing letters' leak check (``documents.leaked_terms``).

    Letters and terms are compared without their accents ("Jéss" is "Jess", "Zoe" is "Zoë") and whatever their
    case; a term as people write it (:func:`_term_body`: "Lily Mae", "Lily–Mae" or "LilyMae" for "Lily-Mae",
    "O’Neill" or "ONeill" for "O'Neill", "ZZ991HJ" for "ZZ99 1HJ"), in the plural or possessive; a one-word
    name also in its pet forms, capitalised ("Jessie", "Jessie's", "Benny" of "Ben"), and, with
    ``short_forms``, its short forms ("Gwen" of "Gwenllian"); an address line's street in its other written
    forms ("43 Quill Rd"); a distinctive word of a longer term alone ("Kestrel" of "Kestrel Vale Primary"); a
    term inside a hashtag, an account name or a joined-up word (:func:`_joined`). ``surnames``: which terms are
    surnames (an everyday word among them is found in lower case only where it reads as the name).
    ``accept``: the caller's own rule (the leak check's: a name as written or in capitals); a match it does not
    accept neither counts nor hides another (but its words are not looked for alone). ``each``: every term
    looked for on its own, so one inside or beside another is found too ("Thornley" in "Sam and Alex
    Thornley"; the screening reports the longest). The reason says how a term was written when it was not as
    given."""
    originals = tuple(dict.fromkeys(t for t in (" ".join(str(p).split()) for p in protected) if len(t) >= 2))
    if not originals:
        return []
    norm = {" ".join(str(term).split()): label for term, label in (labels or {}).items()}
    of_folded: dict[str, str] = {}
    for t in originals:
        of_folded.setdefault(fold(t), t)
    terms = tuple(of_folded)
    folded = _folded(text)
    view = folded[0] if folded else text

    def span(a: int, b: int) -> tuple[int, int]:
        return _original_span(folded, a, b) if b > a else (a, b)

    def match(a: int, b: int, term: str, how: str, reason: str, against: str, body_end: int | None = None) -> TermMatch:
        """A match over ``view[a:b]`` (its term's letters up to ``body_end``), its reason with the label and
        with how it was written (accents, other dashes or apostrophes)."""
        start, end = span(a, b)
        body = view[a:b if body_end is None else body_end]
        notes = [n for n in (_accents(text[start:end], against),) if n]
        if how in (WHOLE, ADDRESS) and _written_otherwise(body, fold(against)):
            notes.insert(0, f"written '{text[start:span(a, body_end or b)[1]]}'")
        full = f"{reason} ({', '.join(notes)})" if notes else reason
        return TermMatch(start, end, term, how, body, view[body_end:b] if body_end is not None else "",
                         labelled(full, term, norm))

    def keep(found: TermMatch | None) -> bool:
        if found is None:
            return False
        if accept is not None and not accept(found):
            if found.how in (WHOLE, ADDRESS):
                refused.append(found)  # "12 Heron Gates": not the address's word "Heron" alone either
            return False
        out.append(found)
        return True

    def group_term(m: re.Match[str], names: tuple[str, ...], prefix: str) -> str:
        return names[int(next(k for k, v in m.groupdict().items() if v is not None and k.startswith(prefix))[1:])]

    def pet_form(m: re.Match[str], names: tuple[str, ...]) -> TermMatch | None:
        if not m.group()[0].isupper():
            return None  # "kitty", "billy", "honey": in lower case an ordinary word more often than a name
        term = of_folded[group_term(m, names, "v")]
        start, end = span(m.start(), m.end())
        written = text[start:end]
        how = _accents(written, term)
        reason = f"the protected term '{term}' (written '{written}': the name with an ending added" + \
            (f", {how})" if how else ")")
        return TermMatch(start, end, term, PET_FORM, m.group(), "", labelled(reason, term, norm))

    def short_form(m: re.Match[str]) -> TermMatch | None:
        group = next(k for k, v in m.groupdict().items() if v is not None)
        form = m.group(group)
        if not m.group()[0].isupper() and (len(form) < 3 or is_everyday(form) or is_everyday(m.group())):
            return None  # "will", "max", "hols", "em" in lower case are words; "gwen", "sam" in lower case are names
        after = _NEXT_WORD.match(view, m.end())
        if after and used_as_word(m.group(), after.group(1), starts_sentence(view, m.start())):
            return None  # "Will you write back?", "Will write soon" with "William" protected: the verb, not the name
        term = of_folded[short_terms[int(group[1:])]]
        start, end = span(m.start(), m.end())
        written = text[start:end]
        return TermMatch(start, end, term, SHORT_FORM, form, "", labelled(
            f"possibly the protected term '{term}' (written '{written}': a short form of the name)", term, norm))

    surname_keys = {fold(str(t)).casefold() for t in surnames}
    out: list[TermMatch] = []
    refused: list[TermMatch] = []
    # every term on its own (its patterns cached by it alone: a batch's letters share few terms), or all at once
    groups = [(t,) for t in terms] if each else [terms]
    for names in groups:
        def whole_term(m: re.Match[str], names: tuple[str, ...] = names) -> TermMatch | None:
            term = of_folded[group_term(m, names, "t")]
            if fold(term).casefold() in surname_keys and _ordinary_word_not_name(view, m.start(), m.end(), term):
                return None  # "we may visit" with the adopters' surname "May" protected
            return match(m.start(), m.end(), term, WHOLE, f"the protected term '{term}'", term, m.start("tail")
                         if m.group("tail") else m.end())
        for _m in _scan(_terms_pattern(names), view, lambda m: keep(whole_term(m))):
            pass
    for names in groups:
        variants = _variants_pattern(names)

        def pet(m: re.Match[str], names: tuple[str, ...] = names) -> bool:
            return keep(pet_form(m, names))
        for _m in _scan(variants, view, pet) if variants else ():
            pass
    short_terms = tuple(t for t in terms if fold(t).casefold() not in surname_keys)
    shorts = _short_forms_pattern(short_terms) if short_forms else None
    for _m in _scan(shorts, view, lambda m: keep(short_form(m))) if shorts else ():
        pass
    for pattern, term in (p for names in groups for p in _address_patterns(names)):
        original = of_folded[term]

        def address(m: re.Match[str], o: str = original) -> bool:
            return keep(match(m.start(), m.end(), o, ADDRESS, f"the protected address '{o}'", o))
        for _m in _scan(pattern, view, address):
            pass
    # is a word inside a whole term? the whole terms by start, with the furthest end so far (a scan of every
    # whole term for every word was quadratic: "Harrogate Harriers" 10,000 times)
    whole = sorted(out, key=lambda f: f.start)
    cover = sorted((*whole, *refused), key=lambda f: f.start)
    starts = [f.start for f in cover]
    reach = list(itertools.accumulate((f.end for f in cover), max))

    def inside_whole(start: int, end: int) -> bool:
        k = bisect.bisect_right(starts, start)
        return bool(k and reach[k - 1] >= end)

    lower = {t.lower() for t in terms}
    for pattern, word, term in (d for names in groups for d in _distinctive_words(names) if d[1].lower() not in lower):
        original = of_folded[term]

        def alone(m: re.Match[str], o: str = original, w: str = word) -> bool:
            return not inside_whole(*span(m.start(), m.end())) and keep(
                match(m.start(), m.end(), o, WORD, f"possibly the protected term '{o}' (its word '{w}' alone)", w))
        for _m in _scan(pattern, view, alone):
            pass
    everyday = frozenset(t for t in terms if fold(t).casefold() in surname_keys
                         and fold(t).lower() in ORDINARY_WORD_SURNAMES)
    found_in: set[tuple[int, int, str]] = set()
    for a, b, term, written, sign in _joined(view, terms, everyday):
        original = of_folded[term]
        start, end = span(a, b)
        if (start, end, original) in found_in or any(
                f.term == original and start <= f.start and f.end <= end for f in whole):
            continue  # found whole already ("@thornley_fam")
        token = text[start:end]
        reason = f"the protected term '{original}' (in {_TOKEN_WORDS[sign]} '{token}')"
        if keep(TermMatch(start, end, original, JOINED, written, "", labelled(reason, original, norm), sign)):
            found_in.add((start, end, original))
    return out


def _protected(text: str, protected: Iterable[str], labels: Mapping[str, str] | None = None,
               surnames: frozenset[str] = frozenset()) -> Iterator[Finding]:
    """The protected terms in ``text`` as findings (:func:`match_terms`)."""
    for m in match_terms(text, protected, labels, surnames):
        yield Finding(m.start, m.end, PROTECTED, text[m.start:m.end], m.reason)


def _institutions(text: str) -> Iterator[Finding]:
    for m in (*_INSTITUTION.finditer(text), *_INSTITUTION_LOWER.finditer(text)):
        words = m.group(1).split()
        # a name does not run across the end of a sentence ("on Saturdays. Her school")
        ends = [n for n, w in enumerate(words) if w[-1] in ".!?" and w.rstrip(".") not in ("St", "Mt", "Dr")]
        if ends:
            cut = ends[-1] + 1
            if cut == len(words):
                continue
            words = words[cut:]
            m_start = m.start() + text[m.start():m.end()].index(words[0], len(" ".join(m.group(1).split()[:cut])))
        else:
            m_start = m.start()
        # drop leading generic words; a name must remain in front of the institution word
        k = 0
        while k < len(words) and words[k].lower().strip(".'’") in _GENERIC:
            k += 1
        if k == len(words):
            continue
        start = m_start + len(" ".join(words[:k])) + (1 if k else 0)
        while start < m.end() and text[start].isspace():
            start += 1
        if _CHURCH_ABBREVIATION.fullmatch(text, m.end(1), m.end()) and _people_before(text, start, words[k:], m.end()):
            continue  # "Love from Sam and Jo RC"
        end = m.end()
        abbreviation = text[m.end(1):end]
        if " " in abbreviation:  # "C of E", "C. of E." (not "CE", "RC": a capitalised word's run goes on after them)
            dot = end < len(text) and text[end] == "." and "." in abbreviation
            after = _AFTER_C_OF_E.match(text, end + dot)
            if after:
                end = after.end()  # "St John's C of E Academy", "St Mary's C. of E. Junior School"
        yield _f(start, end, INSTITUTION, text)
    for pattern in _NAMED_AFTER_CUE:
        for m in pattern.finditer(text):
            span = _cue_name(m)
            if span:
                yield _f(*span, INSTITUTION, text, "the name of a nursery, school, club or team")
    for m in _WORKPLACE.finditer(text):
        name = m.group(1)
        first, *rest = name.split()
        if first in _NOT_WORKPLACE:
            continue
        # a generic first word is no workplace ("works at Christmas"), except an institution word before a name
        # ("works at Cafe Nero Dellmouth", "Hotel Chocolat", "Church Farm Shop")
        if first.lower() in _GENERIC and not (first.lower() in _INSTITUTION_ENDS and rest and rest[0][:1].isupper()
                                              and rest[0].lower() not in _GENERIC):
            continue
        parts = list(re.finditer(r"\S+", name))
        keep = _name_length(text, [(m.start(1) + w.start(), w.group()) for w in parts])
        name = name[:parts[max(keep, 1) - 1].end()]
        trimmed = re.sub(r"(?:\s+(?:of|and|&))+$", "", name.rstrip(" &"))
        yield _f(m.start(1), m.start(1) + len(trimmed), INSTITUTION, text, "a workplace")
    for m in _PUB.finditer(text):
        yield _f(m.start(1), m.end(1), INSTITUTION, text, "a pub or inn")
    for m in _SAINT.finditer(text):
        if m.group().startswith("st") and m.group("n") in ("of", "and"):
            continue
        yield _f(m.start(), m.end(), INSTITUTION, text, _SAINT_REASON)
    yield from _age_group_teams(text)
    for m in _PARTICLE_NAME.finditer(text):
        first = re.sub(r"['’]s$", "", m.group("n")).lower()  # "Club on Saturday", "Hotel of the Year": no name
        if first not in _AWARD_WORDS and first not in _GENERIC and first not in _NOT_CUE_NAME:
            yield _f(m.start(), m.end(), INSTITUTION, text)
    for m in _ROYAL_INFIRMARY.finditer(text) if "Infirmary" in text else ():  # (a scan for "\bRoyal" costs more)
        yield _f(m.start(), m.end(), INSTITUTION, text, "a hospital")


# a team's age group: "Under 9s", "under-12s", "U11", "U-11", "u11s", "under 10's", and in words, always plural ("under
# nines", "Under-Elevens", "under sixes"; "under five" is an age) (looked for first: the name before one is read only
# where there is one)
_AGE_WORDS = ("fives|sixes|sevens|eights|nines|tens|elevens|twelves|thirteens|fourteens|fifteens|sixteens|seventeens|"
              "eighteens")
_AGE_GROUP = re.compile(r"(?<![\w'’-])(?:(?:[Uu]nder|U)[- ]?\d{1,2}(?:['’]?s)?|u-?\d{1,2}(?:['’]?s)?"
                        rf"|(?:[Uu]nder|UNDER)[- ](?i:{_AGE_WORDS}))(?![\w'’])")
# a club's name in lower case before an age group ("dellmouth rovers under nines"): a club word last ("rovers"), or
# the name after words of playing for it ("he plays for greystow under 9s")
_LOWER_TEAM_BEFORE = re.compile(r"(?<![\w'’&.-])(?P<n>(?:[a-z][a-z'’&.-]{0,59}[ \t]+){1,4})$")
_CLUB_WORDS = frozenset((
    "rovers", "united", "utd", "athletic", "juniors", "colts", "wanderers", "rangers", "albion", "celtic", "city",
    "town", "fc", "afc", "jfc", "jnrs", "youth", "harriers", "dynamos", "tigers", "lions", "eagles", "hawks",
    "sharks", "spartans", "vikings", "panthers", "wolves", "bears", "stars", "swifts", "saints", "hotspurs",
    "hornets", "falcons", "villa", "boys", "girls", "academy", "sports"))
_PLAYS_FOR = re.compile(r"\b(?:plays?|playing|played|signed|trains?|training|trained)\s+(?:for|with)\s+$"
                        r"|\b(?:joined|joins|joining)\s+$", re.IGNORECASE)
_NOT_LOWER_TEAM = frozenset(("for", "with", "plays", "play", "playing", "played", "joined", "joins", "in", "the",
                             "trains", "training", "signed", "he", "she", "they", "we", "team", "squad"))
# the club's name just before it: one to four capitalised words ("Dellmouth Rovers ", "Greystow Juniors ")
_TEAM_BEFORE = re.compile(rf"(?<![\w'’&.-])(?P<n>{_CAP}(?:[ \t]+{_CAP}){{0,3}})[ \t]+$")


def _age_group_teams(text: str) -> Iterator[Finding]:
    """A club named with its age group ("Dellmouth Rovers Under 9s", "Greystow Juniors U11", "Thornley Athletic
    under-12s"), club and age group as one finding: together they say where a child plays and how old they
    are. An age group with no club name in front ("the Under 9s", "Saturday's U11 match") is not one."""
    for m in _AGE_GROUP.finditer(text):
        before = _TEAM_BEFORE.search(text, max(0, m.start() - 100), m.start())
        if not before:
            yield from _lower_case_team(text, m)
            continue
        words = list(re.finditer(r"\S+", before.group("n")))
        # a name does not run across the end of a sentence ("… in Greystow. Under 9s …")
        ends = [n for n, w in enumerate(words) if w.group()[-1] in ".!?" and w.group().rstrip(".") not in ("St", "Mt")]
        if ends:
            words = words[ends[-1] + 1:]
        k = 0
        while k < len(words) and _not_name_start(words[k].group()):
            k += 1
        if k == len(words):
            continue
        yield _f(before.start("n") + words[k].start(), m.end(), INSTITUTION, text,
                 "a sports club or team (named with its age group)")


def _lower_case_team(text: str, m: re.Match[str]) -> Iterator[Finding]:
    """A club written in lower case before its age group ("he plays for dellmouth rovers under nines"): the
    lower-case words just before it that are no ordinary words, ending in a club word ("rovers") or after words of
    playing for it ("plays for greystow under 9s"). Not "the under 9s", "he plays for the under nines"."""
    before = _LOWER_TEAM_BEFORE.search(text, max(0, m.start() - 100), m.start())
    if not before:
        return
    words = list(re.finditer(r"\S+", before.group("n")))
    k = len(words)
    while k > 0 and len(words) - k < 3 and not _not_lower_team_word(words[k - 1].group()):
        k -= 1
    name = words[k:]
    if not name:
        return
    start = before.start("n") + name[0].start()
    last = name[-1].group()
    named = len(name) > 1 or last not in _CLUB_WORDS  # a place's or a club's own name, not "rovers" alone
    if named and (last in _CLUB_WORDS or _PLAYS_FOR.search(text, max(0, start - 30), start)):
        yield _f(start, m.end(), INSTITUTION, text, "a sports club or team (named with its age group)")


def _not_lower_team_word(word: str) -> bool:
    """A lower-case word that is no part of a club's name ("for", "the", "my", "nan's", "football")."""
    key = word.replace("’", "'")
    return (key in _NOT_LOWER_TEAM or key in _GENERIC or key in _NOT_LOWER_TOWN or key.endswith("'s")
            or not key[-1].isalpha()) and key not in _CLUB_WORDS


def _not_name_start(word: str) -> bool:
    """A word that does not start a club's or a town's name: a determiner, a day, a person, a sentence's first word."""
    key = re.sub(r"['’]s$", "", word.strip(".,!?'’")).lower()
    return (key in _GENERIC or key in _NOT_CUE_NAME or word in _SENTENCE_WORDS or word in _NOT_WORKPLACE
            or word in _AFTER_NAME)


# a hotel's, café's or club's name with small words in it: "Hotel du Vin", "Cafe de la Mer", "Hotel on the Quay"
# (the small words alone do not end the name, nor start a generic one: "Hotel of the Year" is an award)
_PARTICLE_NAME = re.compile(
    r"\b(?:Hotel|Café|Cafe|Restaurant|Bistro|Brasserie|Inn|Club|Bar|Salon|Maison)[ \t]+"
    r"(?:(?:du|de|des|la|le|les|of|on|the|del|della|di)[ \t]+){1,3}"
    r"(?P<n>[A-Z][\w'’&-]{0,59})(?:[ \t]+[A-Z][\w'’&-]{0,59}){0,2}\b")
_AWARD_WORDS = frozenset(("year", "month", "week", "day", "season", "decade", "century", "world", "town", "city"))
# "the Royal Infirmary": a town's main hospital, though "Royal" alone is a generic word (a name in front is found by
# :data:`_INSTITUTION`: "Dellmouth Royal Infirmary")
_ROYAL_INFIRMARY = re.compile(r"\bRoyal[ \t]+Infirmary\b")

def _name_length(text: str, words: list[tuple[int, str]]) -> int:
    """How many of ``words`` (a name read after a cue: capitalised words, "of", "and", "&", each with where it
    starts in ``text``) are the name. The whole name, unless an "and"/"&" in it starts the next part of the
    sentence: a person ("Oakfield Primary School" of "Oakfield Primary School and I went", "Marks and Spencer"
    of "Marks and Spencer and Mum"), or, straight after an institution word, another institution's name
    ("Oakfield Primary School" of "Oakfield Primary School and Busy Bees Nursery", which is found on its own).
    A name that starts with or holds an institution word is kept whole ("Club Tropicana Dance", "Garage Doors
    Direct", "Kids Club Kingsway", "Oakfield Primary School and Nursery"): missing a real name is far worse
    than a highlight a little too long."""
    bare = [w.rstrip(".,!?").lower() for _at, w in words]
    for n in range(1, len(words) - 1):
        if bare[n] not in ("and", "&"):
            continue
        after_at, after = words[n + 1]
        if after.rstrip(".,!?") in _AFTER_NAME:
            return n
        if bare[n - 1] in _INSTITUTION_ENDS and _INSTITUTION.match(text, after_at):
            return n
    return len(words)


def _people_before(text: str, start: int, name: list[str], end: int) -> bool:
    """Whether the ``name`` at ``start`` before a church school's abbreviation (ending at ``end``) is people's
    names, not a church's: two names joined by "and"/"&" ("Sam and Jo RC", not "Ss Peter and Paul RC" nor
    "at Peter and Paul RC"), a name in a sign-off line it ends ("Love from Jo RC"), or initials ("J and B RC").
    A saint's or church's word in the name ("St Joseph's", "Sacred Heart", "Our Lady") makes it a school."""
    for w in name:
        key = w.lower().rstrip(".")
        if key in _CHURCH_NAME_WORDS or re.sub(r"['’]s$", "", key) in _CHURCH_NAME_WORDS:
            return False
    if all(_INITIALS.fullmatch(w) for w in name):
        return True
    lo = max(0, start - 60)
    pair = _PAIR_BEFORE.search(text, lo, start)
    if pair:
        return not (pair.group("w").lower().rstrip(".") in _CHURCH_NAME_WORDS
                    or _SAINT_OR_AT_BEFORE.search(text, lo, pair.start()))
    line = text.rfind("\n", 0, start) + 1
    return bool(_SIGN_OFF.fullmatch(text, line, start) and _LINE_END.match(text, end))


def _cue_name(m: re.Match[str]) -> tuple[int, int] | None:
    """The span of the name a :data:`_NAMED_AFTER_CUE` match found, leading generic words and a trailing "of",
    "and", "&" dropped; None when nothing like a name is left (a person, a day, "Outstanding"),
    or the cue is not the child's own ("his favourite team is …")."""
    if "mod" in m.re.groupindex and set((m.group("mod") or "").lower().split()) & _NOT_OWN:
        return None
    words = [(w.start(), w.end(), w.group()) for w in re.finditer(r"\S+", m.group("n"))]
    # a name does not run across the end of a sentence ("… is Oakwood. The …")
    for n, (_a, _b, w) in enumerate(words):
        if w[-1] in ".!?" and w.rstrip(".") not in ("St", "Mt", "Dr"):
            words = words[:n + 1]
            break
    words = words[:_name_length(m.string, [(m.start("n") + a, w) for a, _b, w in words])]
    while words and words[-1][2].rstrip(".!?").lower() in ("of", "and", "&"):
        words.pop()
    k = 0
    while k < len(words) and words[k][2].lower().strip(".,!?'’") in _GENERIC:
        k += 1
    if k == len(words):
        return None
    first = words[k][2].rstrip(".,!?'’")
    key = first.lower()
    key = key[:-2] if key.endswith(("'s", "’s")) else key
    if key in _NOT_CUE_NAME or key in _GENERIC or first in _SENTENCE_WORDS or first in _NOT_WORKPLACE:
        return None
    # an institution word written with a capital just before the name is the name's own first word ("her club
    # is Club Tropicana Dance", "Nursery Rhymes Daycare", "Church Lads Brigade"), not a generic word to drop
    while k > 0 and words[k - 1][2][:1].isupper() and words[k - 1][2].lower() in _INSTITUTION_ENDS:
        k -= 1
    words = words[k:]
    last = words[-1][2]
    base = m.start("n")
    return base + words[0][0], base + words[-1][0] + len(last.rstrip(".,!?"))


_NAME_AFTER = re.compile(r"\.?\s+([A-Z][\w'’]*)")


def _is_title(text: str, end: int) -> bool:
    """Whether the "St"/"Dr" ending at ``end`` stands before a name ("St Aidan's", "Dr. Patel"): a saint or a
    doctor, not a street word; a word starting a sentence ("Tanner St. It's …") does not count."""
    m = _NAME_AFTER.match(text, end)  # not text[end:]: a copy of the rest of the letter for each "St"
    return m is not None and m.group(1) not in _SENTENCE_WORDS


def _suffixed_streets(text: str) -> Iterator[tuple[int, int]]:
    """Spans of "Tanner St", "Kirk Ln", "Castle Hill": a capitalised name before an abbreviated street word
    (or Hill, Park), leading generic words dropped; a doctor's title or a saint is not a street."""
    for m in _STREET_ABBREVIATED.finditer(text):
        sfx = m.group("sfx")
        if sfx.lower() in _TITLE_ABBREVIATIONS and _is_title(text, m.end()):
            continue
        words = text[m.start():m.start("sfx")].split()
        k = 0
        while k < len(words) and (words[k].lower().strip(".'’") in _GENERIC or words[k].lower() in _NOT_STREET_NAME):
            k += 1
        if k == len(words) or any(w.endswith((".", ",")) for w in words[k:]):
            continue
        start = m.start() + text[m.start():m.start("sfx")].index(words[k], len(" ".join(words[:k])))
        yield start, m.end()


# what a number counts, written right after it in lower case: "3 goals in the Park", "5 miles up the Hill", "2 times
# round the Green" (a closed list: a house number is followed by the street's name, "14 prince of wales road")
_COUNTED = frozenset((
    "goal", "goals", "point", "points", "run", "runs", "try", "tries", "wickets", "medals", "badges", "stars",
    "mile", "miles", "metres", "meters", "km", "kilometres", "yards", "feet", "foot", "inches", "laps", "lengths",
    "times", "minutes", "mins", "min", "hours", "hrs", "seconds", "secs", "days", "weeks", "months", "years",
    "nights", "weekends", "goes", "turns", "rounds", "games", "matches", "races", "tickets", "people",
    "children", "kids", "friends", "dogs", "cats", "ducks", "birds", "sheep", "cows", "horses", "ponies", "pets",
    "books", "pages", "steps", "stops", "doors", "houses", "streets", "more", "extra", "pounds", "quid", "pence",
    "boys", "girls"))
# a preposition or adverb right after the number, in lower case: "2 in a row", "about 5 down the road", "year 3 at
# Hill Top Primary", "2 or 3 times" (never a street's first word; "the" is: "5 the chase", "3 The Green"; and "a"
# may be a house number's letter: "14 a mill lane")
_AFTER_COUNT = frozenset((
    "at", "in", "on", "for", "up", "down", "of", "to", "and", "or", "with", "from", "by", "into", "onto", "near",
    "past", "over", "round", "around", "across", "through", "along", "about", "off", "out", "away", "is", "was",
    "are", "were", "we", "i", "he", "she", "they", "it", "my", "our", "his", "her", "their", "your", "its"))
_HOUSE_NUMBER = re.compile(r"\d{1,4}[A-Za-z]?,?\s+")


def _count_not_house_number(text: str, m: re.Match[str]) -> bool:
    """Whether the number of a :data:`_STREET_NUMBERED` match is a count, not a house number: the word written
    right after it (in lower case) is what is counted (:data:`_COUNTED`: "3 goals in the Park", "5 miles up the
    Hill") or a preposition (:data:`_AFTER_COUNT`: "2 in a row", "about 5 down the road"). Words further on do
    not decide: "14 Prince of Wales Road", "22 top of the hill", "3 king and queen street" are addresses."""
    numbers = list(_HOUSE_NUMBER.finditer(text, m.start(), m.end()))
    if not numbers:
        return False
    name = text[numbers[-1].end():m.end()].split()[:-1]  # after the last number: "Flat 2, 14 Mill Lane"
    return bool(name) and (name[0] in _COUNTED or name[0] in _AFTER_COUNT)


def _streets(text: str) -> Iterator[Finding]:
    for m in itertools.chain(_STREET_NUMBERED.finditer(text), _STREET_NUMBERED_ONLY.finditer(text)):
        if _count_not_house_number(text, m):
            continue
        last = m.group().split()[-1]
        if last.lower() in _ABBREVIATION_SET:
            # an abbreviation after a number ("14, Larkspur Dr"): not "2 hours the Dr said", "at 3 Dr Smith"
            name = m.group().split()[1:-1]
            if any(w.lower() in _GENERIC for w in name):
                continue
            if last.lower() in _TITLE_ABBREVIATIONS and _is_title(text, m.end()) and not all(
                    w[:1].isupper() for w in name):
                continue
        yield _f(m.start(), m.end(), STREET, text)
    for start, end in _suffixed_streets(text):
        yield _f(start, end, STREET, text)
    for m in _STREET_NAMED.finditer(text):
        words = m.group().split()
        k = 0
        # leading generic words are dropped, except a capitalised word in mid-sentence ("on Every Street") and
        # the first word of a street every town has ("High Street, Greystow" alone on an address block's line)
        while k < len(words) - 1 and words[k].lower() in _GENERIC and (
                k > 0 or _sentence_start(text, m.start()) or words[k].lower() in ("the", "my", "our", "a")) \
                and " ".join(words[k:]) not in _GENERIC_STREETS:
            k += 1
        if k == len(words) - 1:
            continue
        start = m.start() + len(" ".join(words[:k])) + (1 if k else 0)
        if text[start:m.end()] in _GENERIC_STREETS:
            # "High Street" alone is anybody's; with its town after a comma it is an address ("High Street, Greystow")
            town = _TOWN_AFTER.match(text, m.end())
            if town and not _not_name_start(town.group("t").split()[0]):
                yield _f(start, town.end("t"), STREET, text, "a street and its town")
            elif _LIVING_ON.search(text, max(0, start - 40), start):
                # where someone lives: "we live on the High Street", "our house is on Main Road"
                yield _f(start, m.end(), STREET, text, "a street where someone lives: with their town, it says where "
                                                       "they are")
            continue
        yield _f(start, m.end(), STREET, text)
    for m in _STREET_LOWER.finditer(text):
        if m.group("addr") and any(w in _NOT_LOWER_STREET_NAME for w in m.group("s").split()[:-1]):
            continue  # "his address is on the way", "the address is very close"
        yield _f(m.start("s"), m.end("s"), STREET, text)
    for m in _GENERIC_STREET_LOWER_TOWN.finditer(text):
        # "high street, greystow", "12 high street greystow": in lower case, with its town as the capitalised form
        if (" ".join(m.group("s").split()) not in GENERIC_STREETS
                or m.group("t").replace("’", "'") in _NOT_LOWER_STREET_TOWN):
            continue
        number = _NUMBER_BEFORE.search(text, max(0, m.start() - 30), m.start())
        if number or "," in m.group("sep"):
            yield _f(number.start() if number else m.start(), m.end(), STREET, text, "a street and its town")
    for m in _PO_BOX.finditer(text):
        yield _f(m.start(), m.end(), STREET, text, "a PO box address")
    yield from _house_names(text)
    for m in _STREET_PARTICLE.finditer(text):
        number = _NUMBER_BEFORE.search(text, max(0, m.start() - 30), m.start())
        if number or not _not_street_start(m.group("first")):
            yield _f(number.start() if number else m.start(), m.end(), STREET, text)


# a house's name: one to three capitalised words and a house word ("Rose Cottage", "Beck Side Farm", "The Old
# Barn"); the house word is looked for first (it is rare), the name before it only then
_HOUSE_WORDS = ("Cottage", "Cottages", "Farm", "Farmhouse", "House", "Lodge", "Barn", "Rectory", "Vicarage", "Forge",
                "Granary", "Manse", "Bungalow")
_HOUSE_WORD = re.compile(rf"\b(?:{'|'.join(_HOUSE_WORDS)})\b")
_HOUSE_NAME_BEFORE = re.compile(r"(?<![\w'’-])(?P<n>(?:[A-Z][\w'’-]{0,59}[ \t]+){1,3})$")
# words that name the house someone lives in: "our new house is", "our home is now called" (not "it's called" alone:
# a film's, a book's, a game's name, "Monster House")
_NAMED_HOUSE = r"(?:house|home|bungalow|cottage|farm|place)\s+(?:is|was|['’]s)(?:\s+now)?(?:\s+called)?"
# words before it that say someone lives there: "moved to", "live at", "living at", "address is", "stay at", or name it
_HOUSE_CUE = re.compile(r"(?i:\b(?:(?:moved|moving|move|moves)\s+(?:in)?to|(?:live|lives|living|lived|stay|stays|staying|"
                        r"stayed)\s+at|address\s+is(?:\s+now)?\s*:?|address\s*:|" + _NAMED_HOUSE + r"))\s+(?:the\s+)?$")
# ... or what follows it in an address: a street, or a postcode (perhaps after a town): "Rose Cottage, Mill Lane",
# "Rose Cottage\nMill Lane", "Rose Cottage, ZZ99 1YY", "Oak Lodge, Greystow, ZZ99 4EF"
_HOUSE_BLOCK_AFTER = re.compile(
    rf"[ \t]*(?:,[ \t]*\n?|\n)[ \t]*(?:(?:\d{{1,4}}[A-Za-z]?,?[ \t]+)?(?:[A-Z][\w'’-]{{0,59}}[ \t]+){{1,3}}(?:{_STREET_WORDS})\b"
    rf"|(?:[A-Z][\w'’-]{{0,59}}(?:[ \t]+[A-Z][\w'’-]{{0,59}})?[ \t]*(?:,[ \t]*\n?|\n)[ \t]*)?{_POSTCODE.pattern})")
_LOWER_THE_BEFORE = re.compile(r"\bthe\s+$")


def _house_names(text: str) -> Iterator[Finding]:
    """A house's name where someone lives ("moved to Rose Cottage", "live at Holly Farm", "Rose Cottage, Mill
    Lane"): after words of living there, or at the head of an address (a street or a postcode after it). Not "the
    farm", "the Farm House" (house words only), "Nan's House", nor "the White House" in a history lesson."""
    for m in _HOUSE_WORD.finditer(text):
        before = _HOUSE_NAME_BEFORE.search(text, max(0, m.start() - 80), m.start())
        if not before:
            continue
        words = list(re.finditer(r"\S+", before.group("n")))
        ends = [n for n, w in enumerate(words) if w.group()[-1] in ".!?:,;"]
        if ends:
            words = words[ends[-1] + 1:]
        if not words:
            continue
        names = [w.group() for w in words if w.group() != "The"]
        if not names or any(_not_house_name(w) for w in names) or all(w in _HOUSE_WORDS for w in names):
            continue
        start = before.start("n") + words[0].start()
        cue = _HOUSE_CUE.search(text, max(0, start - 40), start)
        if not cue and (_LOWER_THE_BEFORE.search(text, max(0, start - 5), start)
                        or not _HOUSE_BLOCK_AFTER.match(text, m.end())):
            continue
        yield _f(start, m.end(), STREET, text, "a house name (where someone lives)")
        yield from _lower_street_after_house(text, m.end())
    for m in _LOWER_HOUSE_WORD.finditer(text):
        # in lower case ("we have moved to rose cottage", "we live at oak farm now"): only straight after words of
        # living there, with no "the", "a", "my", "nan's" or other ordinary word in the name
        before = _LOWER_HOUSE_BEFORE.search(text, max(0, m.start() - 120), m.start())
        if not before:
            continue
        names = before.group("n").split()
        if all(w in _LOWER_HOUSE_WORDS for w in names) or any(_not_lower_house_name(w, m.group()) for w in names):
            continue
        yield _f(before.start("n"), m.end(), STREET, text, "a house name (where someone lives)")
        yield from _lower_street_after_house(text, m.end())


# a lower-case street after a house name and a comma (or on the next line), perhaps with its number: "our address is
# rose cottage, mill lane", "Rose Cottage, 4 mill lane"; not "we moved to rose cottage, the road is busy"
_LOWER_STREET_AFTER_HOUSE = re.compile(
    r"[ \t]*(?:,[ \t]*\n?|\n)[ \t]*(?P<s>(?:\d{1,4}[a-z]?,?[ \t]+)?(?P<n>[a-z]+(?:[ \t]+[a-z]+)?)[ \t]+"
    r"(?:road|street|lane|avenue|close|drive|crescent|grove|way|terrace|gardens|court)s?)\b")
# words that make what follows the comma a sentence, not a street's name ("rose cottage, it is way bigger", "the
# road is busy", "down the lane")
_NOT_LOWER_STREET_NAME = frozenset((
    "the", "a", "an", "our", "my", "your", "his", "her", "their", "this", "that", "every", "each", "no", "one", "down",
    "up", "along", "across", "on", "in", "at", "off", "by", "near", "and", "but", "so", "then", "it", "its", "is",
    "was", "we", "i", "he", "she", "they", "you", "there", "which", "who", "all", "just", "really", "very", "quite",
    "much", "too", "not", "right", "any", "some", "other", "way", "be", "been", "are", "were", "has", "have", "had",
    "get", "got", "come", "came", "go", "went", "to", "from", "for", "with", "over", "round", "around", "past"))


def _lower_street_after_house(text: str, end: int) -> Iterator[Finding]:
    """The street written in lower case right after a house name found where someone lives ("rose cottage, mill
    lane"): the house name says an address is being written, so the street is part of it. Lower-case street words
    elsewhere ("we walked down the lane") are not looked for here."""
    street = _LOWER_STREET_AFTER_HOUSE.match(text, end)
    if street and not any(w in _NOT_LOWER_STREET_NAME for w in street.group("n").split()):
        yield _f(street.start("s"), street.end("s"), STREET, text)


# a house's name in lower case: one to three lower-case words and a house word, straight after words of living there
_LOWER_HOUSE_WORDS = frozenset(w.lower() for w in _HOUSE_WORDS)
_LOWER_HOUSE_WORD = re.compile(rf"\b(?:{'|'.join(_LOWER_HOUSE_WORDS)})\b")
_LOWER_HOUSE_BEFORE = re.compile(r"(?i:\b(?:(?:moved|moving|move|moves)\s+(?:in)?to|(?:live|lives|living|lived|stay|"
                                 r"stays|staying|stayed)\s+at|address\s+is(?:\s+now)?\s*:?|address\s*:|"
                                 + _NAMED_HOUSE + r"))\s+"
                                 r"(?P<n>(?:[a-z][a-z'’-]{0,59}[ \t]+){1,3})$")
# lower-case words that say what kind of house, or whose, not its name ("a new house", "my mates house")
_NOT_LOWER_HOUSE_NAME = frozenset((
    "another", "other", "same", "bigger", "smaller", "little", "nice", "different", "own", "friend", "friends",
    "mate", "mates", "foster", "council", "family", "rented", "rental", "holiday", "tree", "play", "doll", "dolls",
    "haunted", "one", "two", "three", "next", "door", "nearby", "lovely", "real", "proper", "farm", "country", "dairy",
    "sheep", "pig", "cow", "horse", "pony", "chicken", "wendy", "bird", "dog", "guinea", "posh", "huge", "tiny",
    "whole", "empty", "shared", "safe", "half", "way", "semi", "detached", "terraced", "bungalow", "yellow",
    "white", "red", "blue", "green", "brown", "grey", "black", "pink", "purple", "orange", "boarding", "care",
    "party", "big", "old", "young", "best", "better", "good", "great", "first", "second", "last", "this", "that",
    "these", "those", "some", "any", "which", "what", "whose", "his", "hers", "her", "him", "them", "their", "our",
    "your", "my", "a", "an", "the", "no", "not", "every", "each", "grandparents", "parents", "cousins", "aunts",
    "uncles", "grandads", "nans", "mums", "dads", "at", "in", "on", "to", "of", "and", "or", "we", "she", "he",
    "they", "i", "it", "its", "so", "but", "then", "now", "also", "is", "was", "has", "goes", "went", "new", "with",
    "from", "for", "near", "by", "x", "xx", "home", "nursing", "club", "hotel",
    "caravan", "city", "country", "summer", "winter", "beach", "lake", "seaside", "full",
    "bouncy", "gingerbread", "lego", "toy", "sleepover"))


def _not_lower_house_name(word: str, house: str) -> bool:
    """A lower-case word that is no part of a house's name: an ordinary word ("new", "my", "the"), a person's
    ("nan's house", "bobs house")."""
    key = word.replace("’", "'")
    if key.endswith("'s") or key.endswith("s'") or (house == "house" and key.endswith("s") and len(key) > 3):
        return True
    return key in _NOT_LOWER_HOUSE_NAME or key in _NOT_CUE_NAME


def _not_house_name(word: str) -> bool:
    """A word that is no part of a house's name: a person's ("Nan's House"), a sentence's first word."""
    key = re.sub(r"['’]s$", "", word).lower()
    return key in _NOT_CUE_NAME or word in _SENTENCE_WORDS or word in _AFTER_NAME or word in _NOT_WORKPLACE


# a street's name with small words inside: "12 Lord of the Manor Close", "Prince of Wales Road", "Stratford upon
# Avon Road" (the street patterns above read capitalised words only, and found "Manor Close", "Wales Road")
_STREET_PARTICLE = re.compile(
    r"\b(?P<first>[A-Z][\w'’-]{0,59})[ \t]+(?:[Oo]f|[Oo]n|[Uu]pon|[Uu]nder|[Ii]n|[Bb]y|[Dd]e|[Ll]a|[Ll]e|[Dd]u|[Nn]ext)"
    r"[ \t]+(?:(?:[Tt]he|[Ll]a|[Ll]e|[Tt]o)[ \t]+)?(?:[A-Z][\w'’-]{0,59}[ \t]+){1,2}"
    rf"(?:{'|'.join(forms[0] for forms in _SUFFIX_FORMS)})\b")
# its house number (and flat), looked for only before such a street: a pattern starting with an optional number
# tried at every position of the letter was three times slower
_NUMBER_BEFORE = re.compile(r"(?<![\w£$.,])(?:(?i:flat|apartment|apt)[ \t]+\d{1,4}[A-Za-z]?,?[ \t]+)?(?:(?i:no)\.?[ \t]*)?"
                            r"\d{1,4}[A-Za-z]?,?[ \t]+$")
# first words that start a sentence's "Most of the Manor Close …", not a street's name
_NOT_STREET_START = frozenset(("most", "some", "half", "part", "rest", "each", "one", "none", "any", "lots", "loads",
                               "out", "end", "side", "front", "back", "bottom", "middle", "corner"))


def _not_street_start(word: str) -> bool:
    """A word that starts a sentence or a phrase rather than a street's name ("Most of the Manor Close")."""
    key = word.lower()
    return key in _NOT_STREET_START or key in _GENERIC or word in _SENTENCE_WORDS or word in _AFTER_NAME

def _regex(text: str, pattern: re.Pattern[str], kind: str) -> Iterator[Finding]:
    for m in pattern.finditer(text):
        yield _f(m.start(), m.end(), kind, text)


def _phones(text: str) -> Iterator[Finding]:
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 9 <= len(digits) <= 15:
            yield _f(m.start(), m.end(), PHONE, text)


def _written_emails(text: str) -> Iterator[Finding]:
    """E-mail addresses written with "at" and "dot" (:data:`_WRITTEN_EMAIL`); one typed plainly is left to
    :data:`_EMAIL`."""
    seen: set[tuple[int, int]] = set()
    # only the few hundred characters before each domain's ending are searched (letters name e-mail
    # addresses typed plainly, ".com" and all, far more often than written out)
    for hint in _MAIL_HINT.finditer(text):
        lo = max(0, hint.start() - 440)
        if not _SAID_AT.search(text, lo, hint.start()):
            continue  # "a dot com" with no "at" before it
        for m in _WRITTEN_EMAIL.finditer(text, lo, hint.end()):
            if (m.start(), m.end()) not in seen:
                seen.add((m.start(), m.end()))
                yield from _written_email(text, m)


def _written_email(text: str, m: re.Match[str]) -> Iterator[Finding]:
    """The e-mail finding of a :data:`_WRITTEN_EMAIL` match, unless what is before "at" is not an address's name
    ("me at gmail dot com") or a provider's name has nothing address-like before it."""
    local = m.group("local")
    if local.lower() in _NOT_MAIL_NAME:
        return
    if m.group("provider") and not re.search(r"[._\d]|\sdot\s|\sunderscore\s", local, re.IGNORECASE):
        return  # "Dad works at Outlook": a provider's name needs an address-like name before "at"
    yield _f(m.start(), m.end(), EMAIL, text, "an e-mail address (written with words)")


# a phone number said in words or in words and digits: "seven seven double oh nine …", "07700 nine double oh
# one two three", "oh one one three, four nine six …"; "oh" and "o" are noughts only inside such a run
_DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "nought": "0", "nil": "0", "one": "1", "two": "2",
                "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_NUMBER_TOKEN = re.compile(r"(?<![\w'’])(?:(?P<w>zero|oh|o|nought|nil|one|two|three|four|five|six|seven|eight|nine)"
                           r"|(?P<x>double|treble|triple)|(?P<d>\d{1,11}))(?![\w'’])", re.IGNORECASE)
_NUMBER_GAP = re.compile(r"[\s,-]*")


def _counting(digits: str) -> bool:
    """A count, not a number: "one two three … nine", or a count said over and over ("one, two, three, one,
    two, three, one, two, three": a song or a game): a run of three or more digits each one up (or down) from
    the last, said whole at least twice (the last time perhaps cut short). "Oh one two three four, five six
    seven eight nine oh" (01234 567890, a Bedford number) is not a count said twice."""
    for size in range(3, len(digits) + 1):
        unit = digits[:size]
        if {int(b) - int(a) for a, b in itertools.pairwise(unit)} not in ({1}, {-1}):
            return False
        if size == len(digits) or (len(digits) >= 2 * size
                                   and (unit * (len(digits) // size + 1)).startswith(digits)):
            return True
    return False


def _said_phones(text: str) -> Iterator[Finding]:
    """Runs of digit words, digits and "double"/"treble" parted only by spaces, commas or dashes that make 9 to
    15 digits with at least two words among them (a number in digits alone is :data:`_PHONE`'s), not a count
    ("one two three … nine"), each as one phone finding over the whole run."""
    run: list[re.Match[str]] = []

    def flush() -> Iterator[Finding]:
        while run and run[-1].group("x"):
            run.pop()  # "… three double": a "double" with nothing after it is not a digit
        digits, times, words = "", 1, 0
        for t in run:
            if t.group("x"):
                times = 3 if t.group("x").lower() in ("treble", "triple") else 2
                continue
            said = t.group("w")
            d = _DIGIT_WORDS[said.lower()] if said else t.group("d")
            words += bool(said)
            digits += d[0] * times + d[1:]
            times = 1
        if run and words >= 2 and 9 <= len(digits) <= 15 and not _counting(digits):
            yield _f(run[0].start(), run[-1].end(), PHONE, text, "a phone number (said in words)")
        run.clear()

    for t in _NUMBER_TOKEN.finditer(text):
        if run:
            gap = _NUMBER_GAP.fullmatch(text, run[-1].end(), t.start())
            # "double" must be followed by a digit; two "doubles" in a row are not a number
            if gap is None or (run[-1].group("x") and t.group("x")):
                yield from flush()
        run.append(t)
    yield from flush()


def _social(text: str) -> Iterator[Finding]:
    yield from _regex(text, _SOCIAL_AT, SOCIAL)
    # every cue names a platform: look only around the platform words (the cue patterns are slow to run over
    # a whole letter)
    for p in _PLATFORM_WORD.finditer(text):
        lo = max(0, p.start() - 40)
        window = text[lo:p.end() + 80]
        for pattern in _SOCIAL_CUES:
            for m in pattern.finditer(window):
                if not (lo + m.start() <= p.start() < lo + m.end()):
                    continue  # another platform word's cue: found from its own window
                handle = m.group("h")
                first = handle.split(" ")[0].lower().rstrip(".'’-")
                if first in _NOT_HANDLE or len(first) < 2:
                    continue
                start = lo + m.start("h")
                end = start + len(handle.rstrip(".'’-"))
                cue = window[m.start():m.start("h")].strip()
                yield _f(start, end, SOCIAL, text, f"a social-media or gaming account (after '{cue}')")
        after = re.split(r"[.!?\n](?:\s|$)", text[p.end():p.end() + 60])[0]
        for m in _HANDLE_SHAPE.finditer(after):
            start = p.end() + m.start()
            yield _f(start, start + len(m.group()), SOCIAL, text,
                     f"a social-media or gaming account (a user name after '{p.group()}')")


def _dates_of_birth(text: str) -> Iterator[Finding]:
    for m in _DATE.finditer(text):
        if m.group("d") is not None and not (1 <= int(m.group("d")) <= 31 and 1 <= int(m.group("m")) <= 12):
            continue
        # the cue is in the same sentence (or just after the date: "14/07/2024, the day she was born")
        before = re.split(r"[.!?\n]\s", text[max(0, m.start() - 120):m.start()])[-1]
        after = re.split(r"[.!?\n]", text[m.end():m.end() + 60])[0]
        sentence = f"{before} {after}"
        if _BIRTH_CUE.search(sentence) or (_ARRIVAL.search(sentence) and _CHILD.search(sentence)):
            yield _f(m.start(), m.end(), DOB, text)


def _places(text: str) -> Iterator[Finding]:
    for p in find_places(text):
        yield _f(p.start, p.end, PLACE, text, p.reason)


# a surname's word: "Thornley", "O'Brien", "McDonald", "MacDonald"
_SURNAME_WORD = r"(?:O['’]|Ma?c)?[A-Z][a-z'’]{1,40}"
# a surname between "the" and "family": "the Thornley family", "The Okafor-Bennett family", "the Smith household"
_FAMILY_NAME = re.compile(rf"\b(?:the|The|THE)(?:[ \t]+|[ \t]*\n[ \t]*)(?P<n>{_SURNAME_WORD}(?:-{_SURNAME_WORD})?)(?={FAMILY_AFTER})")
# words before "family" that are no surname
_NOT_SURNAME = frozenset(("whole", "foster", "fostering", "adoptive", "adopted", "birth", "extended", "entire", "wider",
                          "host", "other", "same", "lovely", "modern", "addams", "simpsons", "happy", "royal", "new",
                          "big", "little", "nuclear", "blended", "step", "forever", "school", "church", "football"))


def _family_surnames(text: str) -> Iterator[Finding]:
    """A surname before "family" ("the Thornley family", "THE Thornley family", "the" at the end of a line): a
    family's name, found whether or not it is also a place's (the place found over exactly this word gives way to
    it: :func:`detect`) or a protected term (merged with it)."""
    for m in _FAMILY_NAME.finditer(text):
        word = m.group("n")
        key = word.lower()
        if key in _NOT_SURNAME or key in _GENERIC or key in _NOT_CUE_NAME or word in _SENTENCE_WORDS \
                or word in _NOT_WORKPLACE:
            continue
        yield _f(m.start("n"), m.end("n"), SURNAME, text)

def detect(text: str, protected: Iterable[str] = (), labels: Mapping[str, str] | None = None,
           surnames: frozenset[str] = frozenset()) -> list[Finding]:
    """Every rule's findings in ``text``, not merged (overlapping findings are merged by the caller);
    ``labels``: what a protected term's finding says first (see :func:`screening.screen_text`)."""
    found: list[Finding] = []
    # protected terms, postcodes, streets, institutions, handles and places are looked for in the text folded
    # (:func:`fold`: "Jéss", "LS1 4ÁP", "14 Lårkspur Drive", "Søby Primary School", "søren_2011", "Pénrith"),
    # each finding over the span as written
    mapped = _folded(text)
    found += _protected(text, protected, labels, surnames)
    found += _regex(text, _EMAIL, EMAIL)
    found += _regex(text, _URL, URL)
    found += _on_folded(text, mapped, _postcodes)
    found += _phones(text)
    found += _said_phones(text)
    found += _written_emails(text)
    found += _dates_of_birth(text)
    found += _regex(text, _VEHICLE, VEHICLE)
    found += _on_folded(text, mapped, _streets)
    found += _on_folded(text, mapped, _institutions)
    found += _on_folded(text, mapped, _social)
    # "the Thornley family": the surname, not the village; a place gives way only to a surname over exactly its span,
    # so "the Milton Keynes family swim", "the Stoke-on-Trent family swim" (no one-word surname) stay places
    surnames_found = list(_on_folded(text, mapped, _family_surnames))
    surname_spans = {(f.start, f.end) for f in surnames_found}
    found += [f for f in _on_folded(text, mapped, _places) if (f.start, f.end) not in surname_spans]
    found += surnames_found
    # "Tanner St now": the "St" ending a street (or a protected address) is not a saint before the next word
    # (its two letters, as written: "Tanner Śt" typed with a separate accent is three characters)
    street_ends = {f.end for f in found if f.kind in (STREET, PROTECTED)}
    return [f for f in found if not (f.reason == _SAINT_REASON and _two_letters_end(mapped, f.start) in street_ends)]


# the town of an address: one or two capitalised words just before its postcode, after a comma, a line break
# or a space ("in Dellmouth, ZZ99 1YY", "Dellmouth\nZZ99 4EF")
_TOWN_BEFORE = re.compile(r"(?<![\w'’.-])(?P<t>[A-Z][a-z'’-]+(?:[ -][A-Z][a-z'’-]+)?)"
                          r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*|[ \t]+)$")
# a town written in lower case: one word just before its postcode ("greystow zz99 7qt"), when it is not an
# ordinary word (:data:`_NOT_LOWER_TOWN`: "in ZZ99 7QT", "love mum ZZ99 4EF", "the hill zz99 7qt")
_LOWER_TOWN_BEFORE = re.compile(r"(?<![\w'’.-])(?P<t>[a-z][a-z'’-]{2,})(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*|[ \t]+)$")
_NOT_LOWER_TOWN = (
    _TERM_STOP_WORDS | _NOT_HANDLE | _NOT_MAIL_NAME | _NOT_CUE_NAME | _AFTER_COUNT | _COUNTED | ORDINARY_WORD_SURNAMES
    | frozenset(_SUFFIX_OF) | frozenset(w.lower() for w in _NUMBERED_ONLY_WORDS) | frozenset((
        "postcode", "post", "code", "address", "from", "near", "by", "our", "us", "is", "its", "it's", "number",
        "house", "flat", "street", "town", "village", "area", "please", "write", "send", "moved", "live", "lives",
        "living", "now", "here", "there", "x", "xx", "xxx")))
# a lower-case word after "high street, " that is no town ("on the high street, mum bought …", "high street, lol")
_NOT_LOWER_STREET_TOWN = _NOT_LOWER_TOWN | frozenset(_GENERIC) | _NOT_LOWER | frozenset((
    "today", "yesterday", "tonight", "tomorrow", "again", "too", "though", "tho", "haha", "aswell", "innit", "obviously",
    "anyway", "lol", "which", "who", "where", "what", "everyone", "everybody", "nobody", "someone", "loads", "there",
    "opposite", "outside", "next", "round", "past", "near", "above", "behind", "before", "after", "once", "twice",
    "right", "left", "please", "thanks", "yes", "no", "yeah", "oh", "wow", "sadly", "luckily", "actually"))
# a street's name or house number just before a street word on the same line: the "Mill " of "14 Mill Lane
# Dellmouth ZZ99 1YY" (the town is "Dellmouth", "Lane" ends the street)
_STREET_NAME_BEFORE = re.compile(r"(?<![\w'’])(?:[A-Z][\w'’-]*|\d{1,4}[A-Za-z]?)[ \t]+$")


def _postcodes(text: str) -> Iterator[Finding]:
    """Postcodes, and the town written just before one (a town of an address line, whether or not the gazetteer
    knows it: "in Dellmouth, ZZ99 1YY"); not a street's last word, a sentence word or a generic word."""
    for m in _POSTCODE.finditer(text):
        yield _f(m.start(), m.end(), POSTCODE, text)
        town = _TOWN_BEFORE.search(text, max(0, m.start() - 50), m.start())
        if town:
            start = town.start("t")
            words = town.group("t").replace("-", " ").split()
            if (len(words) == 2 and (words[0].lower() in _SUFFIX_OF or words[0] in _NUMBERED_ONLY_WORDS)
                    and _STREET_NAME_BEFORE.search(text, max(0, start - 60), start)):
                # "14 Mill Lane Dellmouth", "12 Heron Gate Dellmouth": "Lane" is the street's last word, the town is "Dellmouth" (not "Park
                # Gate" of "we are in Park Gate ZZ99 1YY": a town may start with a street word)
                start += len(words[0]) + 1
                words = words[1:]
            if words[-1].lower() in _SUFFIX_OF or words[0] in _SENTENCE_WORDS or words[0].lower() in _GENERIC:
                continue
            yield _f(start, town.end("t"), PLACE, text, "a town in an address (before its postcode)")
            continue
        lower = _LOWER_TOWN_BEFORE.search(text, max(0, m.start() - 50), m.start())
        if lower and lower.group("t").replace("’", "'") not in _NOT_LOWER_TOWN:
            yield _f(lower.start("t"), lower.end("t"), PLACE, text, "a town in an address (before its postcode)")


def _two_letters_end(mapped: Folded, start: int) -> int:
    """Where the two folded letters from ``start`` (in the text as written) end in the text as written."""
    if mapped is None:
        return start + 2
    starts, ends = mapped[1], mapped[2]
    a = bisect.bisect_left(starts, start)
    return ends[a + 1] if a + 1 < len(ends) else start + 2
