"""Counts in words: "1 arrangement", "2 arrangements", never "1 arrangements" or "arrangement(s)"; dates in
words: "3 December 2026", and a panel sitting's day as every heading and title names it, "Thursday 3 December
2026".

Plain Python (no Qt): services, the command line and the screens share it.
"""

from __future__ import annotations

import datetime as dt

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

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


def date_in_words(day: dt.date) -> str:
    """'5 March 2026' on every platform and locale (``%-d`` does not exist on Windows; ``%B`` and ``%A`` follow
    the process locale, which Qt sets): letters, undo labels."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday_date(day: dt.date) -> str:
    """'Thursday 3 December 2026': a panel sitting's day wherever a heading or a title names it (the sitting's
    heading and the list's tooltip, the cancel and move windows, the non-working-day question, undo labels,
    the ADM's record of the sitting). The weekday is said, so a weekend date is seen for what it is."""
    return f"{WEEKDAYS[day.weekday()]} {date_in_words(day)}"


def percent(part: float, whole: float = 100.0) -> str:
    """``part`` of ``whole`` as a whole percentage, a half rounded up as a spreadsheet rounds it: 21 of 200
    is "11%" (Python's own formatting rounds a half to even and said "10%" — user trial). ``whole`` 100
    (the default) takes ``part`` as a percentage already."""
    from decimal import ROUND_HALF_UP, Decimal

    value = Decimal(str(part)) * 100 / Decimal(str(whole))
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"
