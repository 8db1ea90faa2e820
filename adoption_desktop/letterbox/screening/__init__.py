"""Screening assistant: find what in a letterbox letter could identify where a child lives or their
new name (pure logic: no database, no Qt).

    screen_text(text, protected=("Ashby", "Oakfield Primary")) -> list[Finding]

Each finding has ``start``/``end`` character offsets into ``text``, a ``kind``, the matched ``text`` and a
``reason`` a coordinator can read. Findings that overlap are merged into one finding over the union of their
spans that carries every kind found there (``kinds``, ``reasons``); ``kind`` is the kind of the finding that
covers most of the merged span (an e-mail address containing a protected first name is reported as an
``email`` whose ``kinds`` also hold ``protected term``).

Precision matters as much as recall: ordinary family news (months, ages, Christmas, "Mum", "Year 4",
hobbies, sums of money) must not be flagged, so place names that are also ordinary words ("Reading",
"Bath", "Hope") are flagged only when capitalised *and* in a place-like context ("went to Bath", "Sale
Sharks"), and generic institution words ("her swimming club", "Secondary School") need a proper name in front.
The measured recall and precision are in docs/letterbox.md (corpus: tests/letterbox/corpus/).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

from adoption_desktop.core.text_input import without_invisible
from adoption_desktop.letterbox.places import Gazetteer
from adoption_desktop.letterbox.places import gazetteer as _gazetteer
from adoption_desktop.letterbox.screening.detectors import _ADDRESS_LINE, _SUFFIX_OF, detect, fold, labelled
from adoption_desktop.letterbox.screening.findings import (
    _PRIORITY,
    DISGUISED,
    DOB,
    EMAIL,
    INSTITUTION,
    KINDS,
    PHONE,
    PLACE,
    POSTCODE,
    PROTECTED,
    REASONS,
    SOCIAL,
    STREET,
    SURNAME,
    URL,
    VEHICLE,
    Finding,
)
from adoption_desktop.letterbox.screening.unmask import LOOKALIKE, SPACED, View, unmask

__all__ = ["DISGUISED", "DOB", "EMAIL", "INSTITUTION", "KINDS", "PHONE", "PLACE", "POSTCODE", "PROTECTED", "REASONS", "SOCIAL",
           "STREET", "SURNAME", "URL", "VEHICLE", "Finding", "gazetteer", "screen_text"]


def gazetteer() -> Gazetteer:
    return _gazetteer()


# --- merging --------------------------------------------------------------------------------------
def _merge(text: str, found: list[Finding]) -> list[Finding]:
    """Overlapping findings become one over the union of their spans, carrying every kind found there."""
    found = sorted((f for f in found if f.end > f.start), key=lambda f: (f.start, -f.end))
    groups: list[list[Finding]] = []
    end = -1
    for f in found:
        if groups and f.start < end:
            groups[-1].append(f)
            end = max(end, f.end)
        else:
            groups.append([f])
            end = f.end
    out = []
    for group in groups:
        start, stop = min(f.start for f in group), max(f.end for f in group)
        main = min(group, key=lambda f: (-(f.end - f.start), _PRIORITY[f.kind]))
        by_priority = sorted(group, key=lambda f: _PRIORITY[f.kind])
        kinds = tuple(dict.fromkeys([main.kind, *(f.kind for f in by_priority)]))
        reasons = tuple(dict.fromkeys([main.reason, *(f.reason for f in by_priority)]))
        out.append(Finding(start, stop, main.kind, text[start:stop], "; ".join(reasons), kinds, reasons))
    return out



def screen_text(text: str, protected: Iterable[str] = (), labels: Mapping[str, str] | None = None,
                surnames: Iterable[str] = ()) -> list[Finding]:
    """Everything in ``text`` that could identify, in text order; overlapping findings merged (see module).
    Disguised writing (spaced-out letters, invisible characters, full-width forms, look-alike letters: see
    ``unmask.py``) is read as meant, and its findings cover the whole disguised span of ``text``.

    Protected terms are matched without accents on either side ("Jéss" is "Jess"), and a one-word name also
    in its pet forms ("Jessie", "Jessie's" of "Jess"); the reason says how it was written. ``labels``: what
    the reason of a protected term says first ({"Ashby": "names the adoptive family"} ->
    "names the adoptive family: the protected term 'Ashby'"). ``surnames``: which of the terms are surnames; one
    that is also an everyday word ("May", "Hope") is reported in lower case only where it reads as the name
    (``detectors._ordinary_word_not_name``); any other term, a first name among them, always."""
    # a term is read as the letter is (``unmask`` leaves invisible characters out): a name stored with the
    # joiner of its Persian or Indic spelling ("نیک\u200cزاد") is found written with it or without it
    terms = tuple(without_invisible(str(t)) for t in protected)
    known = frozenset(without_invisible(str(t)) for t in surnames)
    labels = {" ".join(without_invisible(str(term)).split()): label
              for term, label in labels.items()} if labels else None
    view = unmask(text)
    if view.plain:
        return _merge(text, detect(text, terms, labels, known))
    found = [_in_original(view, f) for f in detect(view.text, terms, labels, known)]
    found += _lookalike_words(view)
    found += _spaced_terms(view, terms, labels)
    return _merge(text, found)


def _in_original(view: View, f: Finding) -> Finding:
    """A finding in the view, moved to the span of the letter it came from; the reason says how it was
    disguised."""
    start, end = view.original(f.start, f.end)
    how = view.how(start, end)
    reason = f"{f.reason} (written {', '.join(how)})" if how else f.reason
    return Finding(start, end, f.kind, view.original_text[start:end], reason)


def _lookalike_words(view: View) -> Iterator[Finding]:
    """Words mixing Latin letters with look-alikes from another alphabet ("Реnny" with a Cyrillic Р and е):
    nobody types those by accident, so they are flagged even when they match nothing else."""
    text = view.original_text
    for start, end, what in view.disguises:
        if what == LOOKALIKE and any(c.isascii() and c.isalpha() for c in text[start:end]):
            yield Finding(start, end, DISGUISED, text[start:end], REASONS[DISGUISED])


@lru_cache(maxsize=256)
def _letters_of_terms(terms: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each protected term's letters and digits run together, in lower case ("larkspurdrive"; an address line
    also with its street's other written forms, "larkspurdr"), five or more: how it reads spaced out with no
    gap between its words."""
    out: dict[str, str] = {}
    for term in (" ".join(str(t).split()) for t in terms):
        forms = [term]
        lines = list(_ADDRESS_LINE.finditer(term))
        if lines:
            name, sfx = lines[-1].group("name"), lines[-1].group("sfx")
            forms += [f"{name}{form}" for form in _SUFFIX_OF.get(sfx.lower(), (sfx,))]
        for form in forms:
            letters = "".join(c for c in fold(form).lower() if c.isalnum())
            if len(letters) >= 5:
                out.setdefault(letters, term)
    return tuple(out.items())


def _letter(c: str) -> str:
    """One character of a spaced-out run as its letters are compared: in lower case and without its accent,
    one character for one (the offsets of the run's letters are those of the text)."""
    f = fold(c).lower()
    return f if len(f) == 1 else c


#: what may part a plainly written piece of a word from its spaced-out rest ("Penn i n g t o n", "Penn-i-n-g-t-o-n")
_BESIDE_RUN = frozenset(" .-_*·•/|")


def _beside(view: View, start: int, step: int, reach: int, stop: int) -> list[int]:
    """The letters and digits of the one word written plainly beside a spaced-out run, going from ``start``
    by ``step`` (-1: before the run, +1: after it): one or two separators, then the word up to the next
    separator, at most ``reach`` of its letters, not past ``stop`` (the previous or next run) nor a line
    break. Only the next word: read further, the last letter of "A B C D" and the words after it made
    'Dover' (review)."""
    out: list[int] = []
    i, gap = start, 0
    while len(out) < reach and (i > stop if step < 0 else i < stop):
        c = view.text[i]
        if c.isalnum():
            out.append(i)
        elif c in _BESIDE_RUN and not out and gap < 2:
            gap += 1
        else:
            break
        i += step
    return out[::-1] if step < 0 else out


def _spaced_terms(view: View, terms: tuple[str, ...], labels: Mapping[str, str] | None = None) -> Iterator[Finding]:
    """A protected term spaced out with no gap between its words ("L a r k s p u r D r i v e", "M c D o n a l d"
    read as "Mc Donald"), or only partly spaced out ("Penn i n g t o n", "P e n n ington"): its letters are
    looked for in the run's letters with those of the one word written plainly beside the run; a match must
    take at least two letters of the run (the plain ones alone are the ordinary search's; one letter of an
    "A B C D" and the next word are not a disguise)."""
    text = view.original_text
    forms = _letters_of_terms(terms) if terms else ()
    longest = max((len(form) for form, _term in forms), default=0)
    spans = list(view.spaced)
    for n, (a, b) in enumerate(spans if forms else ()):
        before = _beside(view, a - 1, -1, longest - 1, spans[n - 1][1] - 1 if n else -1)
        after = _beside(view, b, 1, longest - 1, spans[n + 1][0] if n + 1 < len(spans) else len(view.text))
        run = [i for i in range(a, b) if view.text[i].isalnum()]
        at = before + run + after
        letters = "".join(_letter(view.text[i]) for i in at)
        first_run, end_run = len(before), len(before) + len(run)
        for form, term in forms:
            k = letters.find(form)
            while k >= 0:
                if min(k + len(form), end_run) - max(k, first_run) >= 2:  # two letters of the run, at least
                    start, end = view.original(at[k], at[k + len(form) - 1] + 1)
                    yield Finding(start, end, PROTECTED, text[start:end],
                                  labelled(f"the protected term '{term}' (written {SPACED})", term, labels))
                k = letters.find(form, k + 1)
