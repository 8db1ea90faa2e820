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

from collections.abc import Iterable

from adoption_desktop.letterbox.places import Gazetteer
from adoption_desktop.letterbox.places import gazetteer as _gazetteer
from adoption_desktop.letterbox.screening.detectors import detect
from adoption_desktop.letterbox.screening.findings import (
    _PRIORITY,
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
    URL,
    VEHICLE,
    Finding,
)

__all__ = ["DOB", "EMAIL", "INSTITUTION", "KINDS", "PHONE", "PLACE", "POSTCODE", "PROTECTED", "REASONS", "SOCIAL",
           "STREET", "URL", "VEHICLE", "Finding", "gazetteer", "screen_text"]


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



def screen_text(text: str, protected: Iterable[str] = ()) -> list[Finding]:
    """Everything in ``text`` that could identify, in text order; overlapping findings merged (see module)."""
    return _merge(text, detect(text, protected))
