"""Counts in words: "1 arrangement", "2 arrangements", never "1 arrangements" or "arrangement(s)".

Plain Python (no Qt): services, the command line and the screens share it.
"""

from __future__ import annotations

#: English plurals that do not just add "s".
_IRREGULAR = {"box": "boxes", "entry": "entries", "relative": "relatives", "child": "children",
              "person": "people", "sitting": "sittings", "match": "matches", "day": "days"}


def plural_form(singular: str) -> str:
    if singular in _IRREGULAR:
        return _IRREGULAR[singular]
    last = singular.rsplit(" ", 1)[-1]
    head = singular[: len(singular) - len(last)]
    if last in _IRREGULAR:
        return head + _IRREGULAR[last]
    if last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        return head + last[:-1] + "ies"
    if last.endswith(("s", "x", "ch", "sh")):
        return head + last + "es"
    return head + last + "s"


def plural(n: int, singular: str, plural_: str | None = None, *, thousands: bool = True) -> str:
    """``n`` and the noun in the right number: ``plural(1, "arrangement") == "1 arrangement"``;
    ``plural(1200, "letter") == "1,200 letters"``. ``plural_`` overrides the plural form."""
    noun = singular if n == 1 else (plural_ or plural_form(singular))
    number = f"{n:,}" if thousands else str(n)
    return f"{number} {noun}"


def noun(n: int, singular: str, plural_: str | None = None) -> str:
    """The noun alone in the right number (for "… 3 were late" style sentences)."""
    return singular if n == 1 else (plural_ or plural_form(singular))
