"""Calendar-month arithmetic shared by every area's rules (plain Python, no Qt, no database)."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus (or, for a negative ``months``, minus) whole calendar months, the day clipped to the
    month's length: 31/01 + 1 → 28 or 29/02; 31/03 − 1 → 28 or 29/02."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
