"""Screening assistant: find what in a letterbox letter could identify where a child lives or their
new name (pure logic: no database, no Qt).

    screen_text(text, protected=("Ashby", "Oakfield Primary")) -> list[Finding]

Each finding has ``start``/``end`` character offsets into ``text``, a ``kind`` and the matched ``text``.
Precision matters as much as recall: ordinary family news (months, ages, Christmas, "Mum", "Year 4",
hobbies, sums of money) must not be flagged, so place names that are also ordinary words ("Reading",
"Bath", "Hope") are flagged only when capitalised *and* after a place preposition ("went to Bath"),
and generic institution words ("her swimming club", "Secondary School") need a proper name in front.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from adoption_desktop.core.resources import resource_path

PROTECTED = "protected term"
POSTCODE = "postcode"
PHONE = "phone"
EMAIL = "email"
URL = "url"
SOCIAL = "social handle"
STREET = "street address"
INSTITUTION = "institution"
PLACE = "place"
VEHICLE = "vehicle registration"
KINDS = (PROTECTED, POSTCODE, PHONE, EMAIL, URL, SOCIAL, STREET, INSTITUTION, PLACE, VEHICLE)
_PRIORITY = {k: n for n, k in enumerate((PROTECTED, EMAIL, URL, POSTCODE, PHONE, VEHICLE, STREET,
                                         INSTITUTION, SOCIAL, PLACE))}


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: str
    text: str


# --- patterns -----------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')]+[^\s<>\"').,!?;:]"
    r"|(?<![@\w.])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|co\.uk|org\.uk|org|net|uk|io|me|tv|info|sch\.uk)"
    r"(?:/[^\s<>\"')]*[^\s<>\"').,!?;:])?(?![\w])",
    re.IGNORECASE)
_SOCIAL = re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])")
_SOCIAL_NAMED = re.compile(
    r"\b(?:instagram|insta|tiktok|tik tok|snapchat|snap|facebook|twitter|youtube|discord|roblox|xbox|"
    r"psn|fortnite|whatsapp)\s+(?:name|handle|account|username|user name|id|tag|gamertag|channel)"
    r"\s*(?:is|:)?\s*['\"]?([A-Za-z0-9_.]{3,30})",
    re.IGNORECASE)
# UK postcodes (outward + inward code); ZZ99 test postcodes included
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}"
                       r"|GIR\s*0AA)(?![A-Za-z0-9])")
_PHONE = re.compile(
    r"(?<![\w+£$€])(?:"
    r"(?:\+|00)\s?44\s?\(?0?\)?[\s-]?\d{2,5}[\s-]?\d{3,4}[\s-]?\d{3,4}"   # +44 / 0044
    r"|\(?0\d{2,5}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}"                          # 01632 960 123, 07700 900123
    r"|(?:\+|00)[1-9]\d{0,2}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d{2,4}){2,4}"    # international
    r")(?![\w])")
_VEHICLE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|[A-Z]\d{1,3}\s?[A-Z]{3}|[A-Z]{3}\s?\d{1,3}[A-Z])"
                      r"(?![A-Za-z0-9])")
_CAP = r"[A-Z][A-Za-z'’&.-]*"
_STREET_WORDS = ("Road|Rd|Street|St|Lane|Avenue|Ave|Close|Drive|Crescent|Grove|Place|Gardens|Terrace|Court|"
                 "Way|Walk|Row|Square|Mews|Rise|View|Park|Green|Hill|Parade|Boulevard|Vale|Wharf|Chase")
_STREET_NUMBERED = re.compile(rf"(?<![\w£$.,])\d{{1,4}}[A-Za-z]?,?\s+(?:{_CAP}\s+){{1,3}}(?:{_STREET_WORDS})\b"
                              rf"|(?<![\w£$.,])\d{{1,4}}[A-Za-z]?,?\s+(?:[a-z]+\s+){{1,2}}(?:road|street|lane|avenue|close|drive|crescent)\b")
_STREET_NAMED = re.compile(rf"\b(?:{_CAP}\s+){{1,3}}(?:Road|Street|Lane|Avenue|Crescent|Grove|Terrace|Gardens|Mews|"
                           rf"Drive|Close)\b")
_INSTITUTION_WORDS = (
    "Primary School|Junior School|Infant School|Infants School|High School|Grammar School|Secondary School|"
    "Academy|School|Nursery|Pre-School|Preschool|Playgroup|College|University|Club|FC|AFC|RFC|"
    "Hospital|Surgery|Medical Centre|Health Centre|Church|Chapel|Mosque|Temple|Synagogue|Gurdwara|"
    "Scouts|Scout Group|Brownies|Guides|Cubs|Beavers|Rainbows|Leisure Centre|Sports Centre|Ltd|Limited|PLC|plc|"
    "Stores|Garage|Dental Practice|Practice|Library|Theatre School|Dance School|Stage School")
_INSTITUTION = re.compile(rf"\b((?:{_CAP}\s+){{1,5}})(?:{_INSTITUTION_WORDS})\b")
_WORKPLACE = re.compile(
    r"\b(?:works?|working|worked|job|employed|starts?|started)\s+(?:as\s+\w+(?:\s+\w+)?\s+)?(?:at|for|with)\s+"
    r"(?:the\s+)?((?:[A-Z][\w&'’-]*)(?:\s+(?:[A-Z][\w&'’-]*|&|of|and)){0,4})")
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
    "monday", "tuesday", "wednesday", "thursday", "friday", "christmas", "easter", "half", "term",
    "gcse", "a-level", "btec", "uni", "happy", "dear", "love", "lots", "many", "some", "few", "great",
    "good", "best", "small", "large", "special", "christian", "day", "night", "evening",
    "morning", "scouts", "brownies", "guides", "cubs", "beavers", "rainbows", "medical", "health",
    "sports", "leisure", "dental", "doctors", "doctor", "dentist", "is", "was", "has", "goes", "went",
}
_NOT_WORKPLACE = {"Christmas", "Easter", "Halloween", "Mum", "Dad", "Nan", "Grandad", "Home", "Monday", "Tuesday",
                  "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "The", "Weekends", "Weekend", "Night"}
_PLACE_PREPOSITIONS = re.compile(
    r"(?:\b(?:in|to|from|near|at|around|outside|visit|visited|visiting|live|lives|living|moved|move|"
    r"towards|into|through|past|via)\s+)$", re.IGNORECASE)


# --- gazetteer ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Gazetteer:
    names: frozenset[str]        # exact capitalisation, e.g. "Market Harborough"
    ambiguous: frozenset[str]    # also ordinary words/first names: need a place preposition before
    max_words: int


def _read_lines(path: Sequence[str]) -> list[str]:
    file = resource_path(*path)
    out = []
    for line in file.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    names = set(_read_lines(("places", "uk_places.txt")))
    ambiguous = set(_read_lines(("places", "ambiguous.txt")))
    never = set(_read_lines(("places", "never.txt")))
    names -= never
    return Gazetteer(frozenset(names), frozenset(ambiguous & names), max(len(n.split()) for n in names))


_TOKEN = re.compile(r"[A-Z][a-z'’]*(?:-[A-Za-z][a-z'’]*)*|[A-Za-z]+")


def _places(text: str) -> Iterable[Finding]:
    gaz = gazetteer()
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[A-Za-z][A-Za-z'’-]*", text)]
    i = 0
    while i < len(tokens):
        hit = None
        for n in range(min(gaz.max_words, len(tokens) - i), 0, -1):
            start, end = tokens[i][0], tokens[i + n - 1][1]
            span = text[start:end]
            # words of one name are separated by single spaces only
            if n > 1 and any(text[tokens[j][1]:tokens[j + 1][0]] not in (" ", "-")
                             for j in range(i, i + n - 1)):
                continue
            candidate = span
            stripped = re.sub(r"(?:'s|’s)$", "", candidate)
            if stripped in gaz.names:
                hit = (start, start + len(stripped), stripped, n)
                break
        if hit is None:
            i += 1
            continue
        start, end, name, n = hit
        if name in gaz.ambiguous and not _PLACE_PREPOSITIONS.search(text[max(0, start - 20):start]):
            i += n
            continue
        yield Finding(start, end, PLACE, text[start:end])
        i += n


# --- protected terms ----------------------------------------------------------------------------
def _protected(text: str, protected: Iterable[str]) -> Iterable[Finding]:
    for term in protected:
        term = " ".join(str(term).split())
        if len(term) < 2:
            continue
        body = r"\s+".join(re.escape(w) for w in term.split(" "))
        pattern = re.compile(rf"(?<![\w]){body}(?:'s|’s|s'|s’|es|s|'|’)?(?![\w])", re.IGNORECASE)
        for m in pattern.finditer(text):
            yield Finding(m.start(), m.end(), PROTECTED, m.group())


def _institutions(text: str) -> Iterable[Finding]:
    for m in _INSTITUTION.finditer(text):
        words = m.group(1).split()
        # drop leading generic words; a name must remain in front of the institution word
        k = 0
        while k < len(words) and words[k].lower().strip(".'’") in _GENERIC:
            k += 1
        if k == len(words):
            continue
        prefix_len = len(" ".join(words[:k])) + (1 if k else 0)
        start = m.start() + prefix_len
        # skip whitespace differences
        while start < m.end() and text[start].isspace():
            start += 1
        if not any(w.lower().strip(".'’") not in _GENERIC for w in words[k:]):
            continue
        yield Finding(start, m.end(), INSTITUTION, text[start:m.end()])
    for m in _WORKPLACE.finditer(text):
        name = m.group(1)
        first = name.split()[0]
        if first in _NOT_WORKPLACE or first.lower() in _GENERIC:
            continue
        end = m.start(1) + len(name.rstrip(" &"))
        # trim trailing connectors
        trimmed = re.sub(r"\s+(?:of|and|&)$", "", text[m.start(1):end])
        yield Finding(m.start(1), m.start(1) + len(trimmed), INSTITUTION, trimmed)


def _streets(text: str) -> Iterable[Finding]:
    for m in _STREET_NUMBERED.finditer(text):
        yield Finding(m.start(), m.end(), STREET, m.group())
    for m in _STREET_NAMED.finditer(text):
        words = m.group().split()
        k = 0
        while k < len(words) - 1 and words[k].lower() in _GENERIC:
            k += 1
        if k == len(words) - 1:
            continue
        start = m.start() + len(" ".join(words[:k])) + (1 if k else 0)
        yield Finding(start, m.end(), STREET, text[start:m.end()])


def _regex(text: str, pattern: re.Pattern[str], kind: str, group: int = 0) -> Iterable[Finding]:
    for m in pattern.finditer(text):
        yield Finding(m.start(group), m.end(group), kind, m.group(group))


def _phones(text: str) -> Iterable[Finding]:
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 9 <= len(digits) <= 15:
            yield Finding(m.start(), m.end(), PHONE, m.group())


def screen_text(text: str, protected: Iterable[str] = ()) -> list[Finding]:
    """Everything in ``text`` that could identify, in text order, overlaps resolved by priority
    (protected terms first, then e-mail, web address, postcode, phone ...)."""
    found: list[Finding] = []
    found += _protected(text, protected)
    found += _regex(text, _EMAIL, EMAIL)
    found += _regex(text, _URL, URL)
    found += _regex(text, _POSTCODE, POSTCODE)
    found += _phones(text)
    found += _regex(text, _VEHICLE, VEHICLE)
    found += _streets(text)
    found += _institutions(text)
    found += _regex(text, _SOCIAL, SOCIAL)
    found += _regex(text, _SOCIAL_NAMED, SOCIAL, 1)
    found += _places(text)
    found.sort(key=lambda f: (_PRIORITY[f.kind], -(f.end - f.start), f.start))
    kept: list[Finding] = []
    for f in found:
        if f.end <= f.start:
            continue
        if any(f.start < k.end and k.start < f.end for k in kept):
            continue
        kept.append(f)
    kept.sort(key=lambda f: (f.start, f.end))
    return kept
