"""Working days on England & Wales bank holidays.

A working day is Monday to Friday and not an England & Wales bank holiday (the ``holidays`` package,
country ``GB`` subdivision ``ENG``: substitute days and one-off days such as 2022-06-03, 2022-09-19 and
2023-05-08 included) and not an agency closure day set by the administrator.

Conventions (used by every statutory clock in the application):

* ``add_working_days(start, n)`` is the n-th working day *after* ``start`` (``start`` itself never
  counts). ``n`` may be negative (the n-th working day before ``start``); ``n == 0`` returns ``start``.
* ``period_end(start, n)`` is the last day of a period of ``n`` working days *beginning with*
  ``start``: ``start`` is day 1 when it is a working day, otherwise day 1 is the next working day.
  Used for "40 working days beginning with the date the notice was sent" (AA Regulations 2005 reg 27).
* ``working_days_between(a, b)`` counts working days ``d`` with ``a < d <= b``; when ``b < a`` it is
  minus the number of working days ``d`` with ``b <= d < a``. Either way
  ``working_days_between(a, add_working_days(a, n)) == n`` for every whole ``n``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from adoption_desktop.core import bank_holidays_table

Date = dt.date
_ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=256)
def _holiday_names(year: int) -> dict[Date, str]:
    """The year's bank holidays with their names: from the generated table (1970–2075, made from the
    pinned ``holidays`` package by ``installer/make_bank_holidays.py``: importing the package costs
    ~0.3 s on the first deadline shown), or from the package itself outside that range."""
    if bank_holidays_table.FIRST_YEAR <= year <= bank_holidays_table.LAST_YEAR:
        return {dt.date(year, m, d): name for m, d, name in bank_holidays_table.TABLE[year]}
    import holidays

    return {day: str(name) for day, name in holidays.country_holidays("GB", subdiv="ENG", years=year).items()}


@lru_cache(maxsize=256)
def _bank_holidays_for_year(year: int) -> frozenset[Date]:
    return frozenset(_holiday_names(year))


def is_bank_holiday(day: Date) -> bool:
    return day in _bank_holidays_for_year(day.year)


def bank_holiday_name(day: Date) -> str | None:
    return _holiday_names(day.year).get(day)


class WorkingCalendar:
    """England & Wales working days plus agency closure days."""

    def __init__(self, closures: Iterable[Date] = ()) -> None:
        self.closures: frozenset[Date] = frozenset(closures)

    def is_working_day(self, day: Date) -> bool:
        return day.weekday() < 5 and not is_bank_holiday(day) and day not in self.closures

    def next_working_day(self, day: Date) -> Date:
        """``day`` itself when it is a working day, else the next one."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: Date, n: int) -> Date:
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        day = start
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def period_end(self, start: Date, n: int) -> Date:
        if n < 1:
            raise ValueError("a period has at least one working day")
        first = self.next_working_day(start)
        return self.add_working_days(first, n - 1)

    def working_days_between(self, a: Date, b: Date) -> int:
        if b < a:
            back, day = 0, b
            while day < a:
                if self.is_working_day(day):
                    back += 1
                day += _ONE_DAY
            return -back
        count = 0
        day = a
        while day < b:
            day += _ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count


DEFAULT_CALENDAR = WorkingCalendar()


def is_working_day(day: Date) -> bool:
    return DEFAULT_CALENDAR.is_working_day(day)


def add_working_days(start: Date, n: int) -> Date:
    """The n-th working day after ``start`` (``start`` not counted)."""
    return DEFAULT_CALENDAR.add_working_days(start, n)


def period_end(start: Date, n: int) -> Date:
    """Last day of a period of ``n`` working days beginning with ``start`` (day 1 if a working day)."""
    return DEFAULT_CALENDAR.period_end(start, n)


def working_days_between(a: Date, b: Date) -> int:
    """Working days ``d`` with ``a < d <= b``; when ``b < a``, minus those with ``b <= d < a``."""
    return DEFAULT_CALENDAR.working_days_between(a, b)
