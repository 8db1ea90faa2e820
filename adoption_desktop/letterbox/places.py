"""The gazetteer behind the screening assistant: every populated place of Great Britain (OS Open Names) plus
hand-kept additions (Northern Ireland, counties, islands, shortened town names), shipped as
``resources/places/places.txt.gz`` (built by ``resources/places/build_places.py``).

Matching is by token: the text's words are looked up (case-folded, accents removed) in a dictionary keyed by a
name's first word, longest name first. Whether a match is reported depends on the name's flag:

* a plain place name ("Kessingland", "Market Harborough"): when capitalised, or after a place word in lower
  case ("we moved to scunthorpe");
* a name that is also an ordinary word or a first name ("Reading", "Bath", "Sale", "Hope", "Street",
  "Ashley"): only capitalised **and** in a place-like context: after a place word ("moved to Reading", "near
  Bath") or followed by a local paper's or club's word ("Sale Sharks", "Hope Valley Harriers");
* a month name that is also a place ("March"): only after a verb of living or travelling ("moved to March",
  "lives in March").

Pure logic: no database, no Qt.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from adoption_desktop.core.resources import resource_path

PLAIN, WORD, NAME, MONTH = "", "w", "n", "m"

# a word before the name that makes it a place ("to Bath", "lives in Reading", "nr Hope")
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|to|from|near|nr|at|around|outside|visit|visited|visiting|live|lives|lived|living|moved|move|"
    r"moving|towards|into|through|past|via|round|stay|stayed|staying|born|2|"
    r"(?:side|outskirts|edge|centre|center|middle|part|north|south|east|west|top|bottom|end)\s+of)\s+)$",
    re.IGNORECASE)
# before a name of several words ("on the Isle of Wight", "in the Lake District")
_PLACE_BEFORE_THE = re.compile(
    r"(?:\b(?:in|to|from|near|at|on|around|visit|visited|visiting|round|across|over|up|down)\s+the\s+)$",
    re.IGNORECASE)
# an address line: a house number earlier on the line, then a comma ("5 The Paddocks, Little Snoring");
# a name given to a place ("a village called Little Snoring")
_ADDRESS_BEFORE = re.compile(r"(?:\d[^,\n.!?]{0,40},\s*|\b(?:called|named)\s+)$", re.IGNORECASE)
# a single-word name after a street line and a comma ("12 Mill Lane, Hope")
_STREET_LINE_BEFORE = re.compile(
    r"\d[^,\n.!?]{0,30}\b(?:road|rd|street|st|lane|avenue|ave|close|drive|crescent|grove|place|gardens|terrace|"
    r"court|way|walk|row|square|mews|rise|view|parade|paddocks?|green|hill),\s*$", re.IGNORECASE)
# a stronger context for names that are mostly months ("moved to March", "lives in March")
_MONTH_BEFORE = re.compile(
    r"\b(?:moved|move|moving|live|lives|lived|living|stay|stayed|staying|born|visit|visited|visiting|drove|"
    r"went|go|going|gone|come|came|holiday|holidays|house|flat|home|near|nr)\s+(?:(?:to|in|from|at|near|up\s+to|"
    r"down\s+to|over\s+to)\s+)?$", re.IGNORECASE)
# words after a town that make "<Town> ..." a local paper, club or team named after it
ORG_WORDS = frozenset((
    "Mail", "Times", "Echo", "Post", "Gazette", "Herald", "Chronicle", "Advertiser", "Observer", "Journal",
    "Press", "News", "Mercury", "Argus", "Courier", "Express", "Standard", "Guardian", "Star", "Telegraph",
    "Tigers", "Rovers", "United", "Utd", "Town", "City", "Athletic", "Juniors", "Harriers", "Rangers",
    "Wanderers", "Sharks", "Swifts", "Albion", "Rugby", "Cricket", "Hockey", "Netball", "Swimming", "Sc",
    "FC", "AFC", "RFC", "RUFC", "CC", "Academy", "Leisure", "Library", "Station", "Hospital", "Lions", "Bears",
    "Wolves", "Eagles", "Falcons", "Hawks", "Panthers", "Giants", "Warriors", "Knights", "Vikings", "Saints",
    "Phoenix", "Dynamos", "Celtic", "Colts", "Cougars", "Whalers", "Free", "Youth", "Scouts", "Brownies",
    "Guides", "Cubs", "Beavers", "Rainbows", "Gymnastics", "Dance", "Boxing", "Judo", "Karate", "Taekwondo",
    "Baths", "Pool", "Lido", "Carnival", "Show", "Festival", "Market", "Primary", "Infants", "Juniors", "High",
    "Grammar", "Comprehensive", "College", "Nursery", "Pre-School", "Preschool", "Playgroup", "Community",
    "Parish", "Methodist", "Baptist", "Mosque", "Gurdwara", "Temple", "Synagogue", "Church", "Cathedral",
    "Harbour", "Pier", "Beach", "Sands", "Bay", "Marina", "Zoo", "Farm", "Holiday", "Caravan", "Camping",
    "Club", "Band", "Choir", "Theatre", "Players", "Singers", "Sea", "Cadets", "Runners", "Striders", "Tri",
))
# a place name followed by one of these is a thing, not a place ("Yorkshire pudding", "Bakewell tart",
# "Wellington boots", "Yorkshire terrier"); preceded by these, a title ("Duke of Edinburgh")
_THING_AFTER = re.compile(
    r"\s+(?:puddings?|tarts?|cakes?|cheese|buns?|sponge|boots?|sausages?|hotpot|rock|mess|sauce|terriers?|"
    r"bull\s+terriers?|collies?|pork\s+pies?|pasty|pasties|fudge|tea|cream\s+teas?|award|awards|"
    r"sauce|ham|gin|bitter|ale|rolls?)\b", re.IGNORECASE)
_TITLE_BEFORE = re.compile(r"\b(?:duke|duchess|prince|princess|earl|countess|bishop|archbishop|lord|lady)\s+of\s+$",
                           re.IGNORECASE)
# a street every town has ("the High Street"): a hamlet of the same name only after a word of living there ("we
# moved to High Street", "we live on the High Street"); "shopping on the High Street" says nothing of where the
# family is
GENERIC_STREETS = frozenset(("high street", "main street", "main road", "high road", "green lane", "park road"))
_LIVING_BEFORE = re.compile(r"\b(?:live|lives|lived|living|moved|move|moving|born|grew\s+up|house|home|flat|address)"
                            r"(?:\s+(?:is|was|now|still))*\s+(?:in|to|at|near|into|on)\s+(?:the\s+)?$", re.IGNORECASE)
# "family" after a name makes it a surname ("the Thornley family"), not a family centre named after a town: the
# screening's surname rule reads it; a place found over exactly the same word gives way to it there (screening's
# ``detect``), so a name is always found as one or the other
FAMILY_AFTER = (r"(?i:[ \t]+(?:family|families|household)\b"
                r"(?![ \t]+(?:centres?|centers?|hubs?|support|services?|court|rooms?|practice|days?|fun)\b))")
_FAMILY_AFTER = re.compile(FAMILY_AFTER)
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
# famous national football clubs and grounds: a team a child supports or a ground they visited may say nothing of
# where the family lives ("He supports Manchester United"), but the same words are a town or an area where someone
# may live ("we live two minutes from Old Trafford", "his school is in Wembley"). A miss is far worse than a false
# highlight, so they are always found, with a reason that says so, for the coordinator to decide quickly
NATIONAL_TEAMS = (
    "Manchester United", "Manchester Utd", "Man United", "Man Utd", "Manchester City", "Man City", "Leeds United",
    "Newcastle United", "West Ham United", "Sheffield United", "Sheffield Wednesday", "Leicester City",
    "Norwich City", "Cardiff City", "Swansea City", "Stoke City", "Hull City", "Bristol City", "Birmingham City",
    "Coventry City", "Ipswich Town", "Luton Town", "Huddersfield Town", "Aston Villa", "Tottenham Hotspur",
    "West Bromwich Albion", "West Brom", "Brighton and Hove Albion", "Brighton & Hove Albion", "Wolverhampton Wanderers",
    "Bolton Wanderers", "Blackburn Rovers", "Nottingham Forest", "Queens Park Rangers", "Preston North End",
    "Derby County", "Glasgow Rangers", "Glasgow Celtic")
# grounds (and clubs) that are also places where people live
NATIONAL_GROUNDS = ("Old Trafford", "Wembley", "Anfield", "Twickenham", "Ibrox", "Parkhead", "Murrayfield",
                    "Hampden", "West Ham", "Crystal Palace", "Highbury", "Goodison")
_NATIONAL_TEAM = re.compile(r"(?:" + "|".join(r"[ \t]+".join(re.escape(w) for w in name.split())
                                              for name in sorted(NATIONAL_TEAMS, key=len, reverse=True))
                            + r")(?![\w'’-])(?![ \t]+(?i:centre|center|council|hall|farm|library|college|museum)\b)")
_NATIONAL_GROUND_KEYS = frozenset(name.lower() for name in NATIONAL_GROUNDS)  # as :func:`key` reads them
NATIONAL_REASON = ("a town, village or area (also the name of a national club or ground: check whether it says where "
                   "someone lives)")


def _national(text: str, start: int, end: int, found: PlaceMatch | None) -> PlaceMatch | None:
    """``found`` (the place judged from the gazetteer's name at ``start:end``) when it is no famous national club or
    ground; otherwise the place over the club's whole name ("Derby County", "Aston Villa"), with
    :data:`NATIONAL_REASON`: found whatever the sentence says of sport, for the coordinator to judge, and a club
    also when its town alone would need a place word before it ("he supports Aston Villa")."""
    team = _NATIONAL_TEAM.match(text, start)
    if not team and (found is None or key(text[start:end]) not in _NATIONAL_GROUND_KEYS):
        return found
    stop = max(found.end if found else end, team.end() if team else end)
    return PlaceMatch(start, stop, text[start:stop], f"'{text[start:stop]}' is {NATIONAL_REASON}")


# lower-case words of text-speak that a gazetteer also holds (never read as places in lower case)
_NOT_LOWER = frozenset(("lol", "omg", "ur", "im", "bc", "tho", "innit", "wiv", "mam", "nan", "nana", "nanna",
                        "gran", "mum", "dad", "home", "school", "town", "city", "park", "church", "beach"))


class Entry(NamedTuple):
    name: str   # as shipped, e.g. "Market Harborough"
    flag: str   # '' plain, 'w' ordinary word, 'n' a person's name, 'm' a month


@dataclass(frozen=True)
class Gazetteer:
    entries: dict[str, Entry]     # key (folded words joined by one space) -> entry
    longest: dict[str, int]       # first folded word -> most words of a name starting with it

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(e.name for e in self.entries.values())

    @property
    def ambiguous(self) -> frozenset[str]:
        """Names flagged only in a place context (ordinary words, people's names, months)."""
        return frozenset(e.name for e in self.entries.values() if e.flag)

    def flag(self, name: str) -> str | None:
        """The name's flag ('' plain, 'w' ordinary word, 'n' a person's name, 'm' month), None if absent."""
        entry = self.entries.get(key(name))
        return None if entry is None else entry.flag


def fold(word: str) -> str:
    """Case-folded, accents, apostrophes and full stops removed ("King's Lynn" = "Kings Lynn"): how names and
    words are compared."""
    word = word.replace("’", "").replace("'", "").replace(".", "")
    if word.isascii():
        return word.lower()
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c)).lower()


def key(name: str) -> str:
    """The lookup key of a name: its folded words joined by one space ("ashby de la zouch")."""
    return " ".join(fold(name.replace("-", " ")).split())


def parse(lines: list[str]) -> Gazetteer:
    """``NAME<TAB>FLAG[<TAB>KEY]`` lines (KEY given where it is not the name in lower case)."""
    entries: dict[str, Entry] = {}
    longest: dict[str, int] = {}
    for line in lines:
        parts = line.split("\t")
        name = parts[0]
        k = parts[2] if len(parts) > 2 else name.lower()
        if not k:
            continue
        entry = Entry(name, parts[1] if len(parts) > 1 else PLAIN)
        entries[k] = entry
        # a name with marks no word of a letter ends in ("Westward Ho!", "Mochras (Shell Island)") is also found
        # from its words ("westward ho", "mochras"), when no other name has them
        keys = [k]
        if "(" in k or "!" in k or "?" in k:  # a test of 3 characters: a regex on every name costs 20 ms of the load
            readable = " ".join(_UNREAD.sub(" ", k).split())
            if readable:
                keys.append(readable)
                entries.setdefault(readable, entry)
        for k in keys:
            if " " in k:
                first, _, rest = k.partition(" ")
                n = rest.count(" ") + 2
                if longest.get(first, 1) < n:
                    longest[first] = n
            elif k not in longest:
                longest[k] = 1
    return Gazetteer(entries, longest)


# what no word of a letter ends in: a bracketed addition, an exclamation mark
_UNREAD = re.compile(r"\([^)]*\)|[!?]")


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The shipped gazetteer, read once per process."""
    data = gzip.decompress(resource_path("places", "places.txt.gz").read_bytes()).decode("utf-8")
    return parse(data.splitlines())


# words: letters (any script), apostrophes inside; hyphens and spaces separate the words of a name
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.](?=[^\W\d_]))*")


@dataclass(frozen=True)
class PlaceMatch:
    start: int
    end: int
    name: str
    reason: str


def _capitalised(text: str, start: int, end: int) -> bool:
    """Every significant word of the span starts with a capital ("Ashby-de-la-Zouch", "Isle of Wight")."""
    words = _WORD.findall(text[start:end])
    small = {"of", "on", "upon", "in", "le", "la", "de", "the", "under", "by", "and", "next", "super", "y", "yr",
             # "John o' Groats", "Top o' th' Brow", "Hall i' th' Wood", "Ashby cum Fenby", "Bun a' Mhuilinn"
             "o", "th", "i", "cum", "en", "a", "an", "na", "nan", "t"}
    return bool(words) and words[0][0].isupper() and all(w[0].isupper() or w.lower() in small for w in words)


_ORG_WORD = re.compile(r" ([A-Z][\w&'’-]*)")


def _org_tail(text: str, end: int) -> int:
    """End of "<Town> Tigers" / "<Town> Free Press" / "<Town> Town Cricket Club": the org words after ``end``."""
    pos = end
    for _ in range(3):
        m = _ORG_WORD.match(text, pos)  # not text[pos:]: a copy of the rest of the letter for each place
        if not m or m.group(1) not in ORG_WORDS:
            break
        pos = m.end()
    return pos


def _base(raw: str) -> str:
    """The folded word without a possessive ending ("Bath's" -> "bath"), or "" when there is none."""
    return fold(raw[:-2]) if raw[-2:] in ("'s", "’s") else ""


_NAME_GAPS = frozenset((" ", "-", "' ", "’ "))


def find_places(text: str) -> Iterator[PlaceMatch]:
    gaz = gazetteer()
    words = [(m.start(), m.end(), fold(m.group()), _base(m.group())) for m in _WORD.finditer(text)]
    i = 0
    n_words = len(words)
    while i < n_words:
        first = words[i][2]
        most = max(gaz.longest.get(first, 0), 1 if words[i][3] in gaz.longest else 0)
        hit: tuple[Entry, int] | None = None
        k = 0
        for k in range(min(most, n_words - i), 0, -1):
            # the words of one name are separated by one space or a hyphen only
            # (after a word's closing apostrophe too: "John o' Groats", "Pilgrims' Hatch", "Top o' th' Brow")
            if any(text[words[j][1]:words[j + 1][0]] not in _NAME_GAPS for j in range(i, i + k - 1)):
                continue
            head = " ".join(w[2] for w in words[i:i + k - 1])
            last = words[i + k - 1]
            for candidate, end in ((last[2], last[1]), (last[3], last[1] - 2)):
                entry = gaz.entries.get(f"{head} {candidate}" if head else candidate) if candidate else None
                if entry is not None:
                    hit = (entry, end)
                    break
            if hit is not None:
                break
        if hit is None:
            i += 1
            continue
        entry, end = hit
        found = _national(text, words[i][0], end, _judge(text, words[i][0], end, entry, k))
        if found is not None:
            yield found
            # skip the words the reported span covers
            while i < n_words and words[i][0] < found.end:
                i += 1
        else:
            i += 1


def _judge(text: str, start: int, end: int, entry: Entry, n_words: int) -> PlaceMatch | None:
    span = text[start:end]
    before = text[max(0, start - 40):start]
    if _TITLE_BEFORE.search(before) or _THING_AFTER.match(text, end):
        return None
    if span[0].isupper() and _FAMILY_AFTER.match(text, end) and _THE_BEFORE.search(before):
        # "the Milton Keynes family swim", "the Abbey End family": a family's name or a group named after the place,
        # found either way (a one-word surname's finding takes its place: screening's ``detect``)
        return PlaceMatch(start, end, span, f"'{entry.name}' is a place (gazetteer); before 'family' it may be a "
                                            "family's name or a group named after the place")
    if key(span) in GENERIC_STREETS and not _LIVING_BEFORE.search(before):
        return None
    caps = _capitalised(text, start, end)
    tail = _org_tail(text, end) if caps else end
    place_before = bool(_PLACE_BEFORE.search(before)) or (
        n_words > 1 and bool(_PLACE_BEFORE_THE.search(before) or _ADDRESS_BEFORE.search(before))) or (
        bool(_STREET_LINE_BEFORE.search(before)))
    if entry.flag == MONTH:
        nxt = text[end:end + 12]
        if caps and _MONTH_BEFORE.search(before) and not re.match(r"\s*(?:\d|and\b|to\b|-|–)", nxt):
            return PlaceMatch(start, end, span, f"'{entry.name}' is a town and follows a place word")
        return None
    if entry.flag in (WORD, NAME):
        if not caps:
            return None
        if tail > end:
            return PlaceMatch(start, tail, text[start:tail], f"'{entry.name}' is a place: a local paper or club "
                                                              "named after it")
        if place_before:
            what = "an ordinary word" if entry.flag == WORD else "a name"
            return PlaceMatch(start, end, span, f"'{entry.name}' is a place (also {what}) and follows a place word")
        return None
    if caps:
        if tail > end:
            return PlaceMatch(start, tail, text[start:tail], f"'{entry.name}' is a place: a local paper or club "
                                                              "named after it")
        return PlaceMatch(start, end, span, f"'{entry.name}' is a place (gazetteer)")
    if place_before and len(span) >= 4 and span.islower() and fold(span) not in _NOT_LOWER:
        return PlaceMatch(start, end, span, f"'{entry.name}' is a place (gazetteer), written in lower case")
    return None
