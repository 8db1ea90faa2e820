"""Report periods: the period itself, the one before it, the same period a year earlier, and quarters.

Plain date arithmetic, no database. A period that runs from the first of a month to the last day of a
month moves by whole months (1 April–30 September → 1 October–31 March before it); any other period
moves by its length in days.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from adoption_desktop.core.months import add_months

KINDS = {"six-monthly": "Six-monthly report", "annual": "Annual report"}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.start.day == 1 and self.end.day == calendar.monthrange(self.end.year, self.end.month)[1]:
            return (f"{self.start:%b %Y}–{self.end:%b %Y}" if self.start.year != self.end.year or
                    self.start.month != self.end.month else f"{self.start:%b %Y}")
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _whole_months(p: Period) -> int | None:
    if p.start.day != 1 or p.end != _month_end(p.end.year, p.end.month):
        return None
    return (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1


def previous(p: Period) -> Period:
    """The period of the same length immediately before ``p``; for a period of exactly a year (a
    financial year, or the twelve months to a day), the same period last year."""
    if add_months(p.start, 12) - dt.timedelta(days=1) == p.end:
        return last_year(p)
    months = _whole_months(p)
    if months is not None:
        start = add_months(p.start, -months)
        return Period(start, p.start - dt.timedelta(days=1))
    return Period(p.start - dt.timedelta(days=p.days), p.start - dt.timedelta(days=1))


def last_year(p: Period) -> Period:
    """The same dates a year earlier (29 February becomes 28 February)."""
    months = _whole_months(p)
    start = add_months(p.start, -12)
    end = add_months(p.end, -12)
    if months is not None:
        end = _month_end(end.year, end.month)
    return Period(start, end)


#: how many months a report of each kind covers
KIND_MONTHS = {"six-monthly": 6, "annual": 12}


def _spans_months(p: Period, months: int) -> bool:
    """``p`` is ``months`` months to the day (1 April–30 September, 3 June–2 December). A period from a month's
    last day to a month's last day (31 March–30 September) is a day longer, and two such reports would both
    count 30 September: it does not fit (review)."""
    return add_months(p.start, months) - dt.timedelta(days=1) == p.end


def fitting_period(kind: str, p: Period, today: dt.date | None = None) -> Period:
    """The period a report of ``kind`` could cover instead of ``p``: from ``p``'s start for the kind's months,
    or, when that would end after ``today`` (a report counts what has happened), the kind's months ending
    today, or failing that (a month too short for the day) the last complete period. A trial was told to end
    an annual report on 31/10/2027, which was then refused as after today."""
    months = KIND_MONTHS[kind]
    same_start = Period(p.start, add_months(p.start, months) - dt.timedelta(days=1))
    if today is None or same_start.end <= today:
        return same_start
    to_today = Period(add_months(today + dt.timedelta(days=1), -months), today)
    return to_today if _spans_months(to_today, months) else default_period(kind, today)


def kind_problem(kind: str, p: Period, today: dt.date | None = None, *, command_line: bool = False) -> str:
    """Why a report of ``kind`` does not fit ``p`` ("" when it does): a six-monthly report covers six months
    and an annual one twelve, to the day (1 April–30 September, or 3 June–2 December). A trial wrote an
    "Annual report: 01/11/2026–02/12/2026". The fix named is one that is accepted: with ``today``, it ends
    on or before today (:func:`fitting_period`); ``command_line`` names it as a ``--period``."""
    months = KIND_MONTHS[kind]
    if _spans_months(p, months):
        return ""
    fits = [k for k, m in KIND_MONTHS.items() if _spans_months(p, m)]
    example = fitting_period(kind, p, today)
    if command_line:
        to = f"use --period {example.start:%Y-%m-%d}..{example.end:%Y-%m-%d} ({example.label})."
    elif example.start == p.start:
        to = f"set To to {example.end:%d/%m/%Y} ({example.label})."
    else:
        to = f"set From to {example.start:%d/%m/%Y} and To to {example.end:%d/%m/%Y} ({example.label})."
    return (f"{KINDS[kind]}: it covers {months} months, and {p.label} is {p.days} days. "
            + (f"Choose the {KINDS[fits[0]].lower()}, which fits these dates, or {to}" if fits else
               to[0].upper() + to[1:]))


def period_problem(p: Period, today: dt.date) -> str:
    """Why figures cannot be counted for ``p`` as of ``today`` ("" when they can)."""
    if p.end < p.start:
        return f"To ({p.end:%d/%m/%Y}) is before From ({p.start:%d/%m/%Y})."
    if p.start > today:
        return f"From ({p.start:%d/%m/%Y}) is after today: nothing has happened in that period yet."
    return ""


def future_end_problem(p: Period, today: dt.date, *, pack: bool = False) -> str:
    """For a report made without a screen (the command line): a period ending after today would count
    what has not happened (booked appointments as adults supported); the page brings To back to today.

    ``pack``: the Ofsted pack's date (``p.end``), said as such. A pack "As of 1 March 2027" made in December
    2026 was written (user trial): its figures for a year ending in March and its central list "at" March
    described what had not happened yet."""
    if p.end > today:
        if pack:
            return (f"The pack's date is after today ({p.end:%d/%m/%Y}): the pack shows what has happened, so "
                    f"choose a date on or before today ({today:%d/%m/%Y}). Nothing was written.")
        return (f"The period ends after today ({p.end:%d/%m/%Y}): figures count what has happened, so end it "
                f"on or before today ({today:%d/%m/%Y}).")
    return ""


#: what the columns beside this period are called, in the order of (this, previous, same period last year)
SERIES = ("This period", "Previous period", "Same period last year")


def is_financial_year(p: Period) -> bool:
    """1 April to 31 March of the next year: the agencies' financial year."""
    return (p.start.month, p.start.day, p.end.month, p.end.day) == (4, 1, 3, 31) and p.end.year == p.start.year + 1


def shown_columns(periods: tuple[Period, Period, Period]) -> tuple[int, ...]:
    """Which of (this period, previous period, same period last year) a table shows: for a year-long
    period the previous period *is* the same period last year, so it is shown once."""
    return (0, 1) if periods[1] == periods[2] else (0, 1, 2)


def series_names(periods: tuple[Period, Period, Period]) -> tuple[str, ...]:
    """The names of the shown columns: a year-long period is compared with the "Previous year"."""
    if periods[1] == periods[2]:
        return ("This year", "Previous year")  # an annual report's columns ("This period" read oddly there)
    return SERIES


def pick(values: tuple[str, ...] | list[str], periods: tuple[Period, Period, Period]) -> list[str]:
    """``values`` for (this, previous, last year) as the shown columns."""
    return [values[i] for i in shown_columns(periods)]


def quarters_to(end: dt.date, count: int = 8) -> list[Period]:
    """The last ``count`` calendar quarters ending with the one that contains ``end`` (oldest first). The
    financial year's quarters (April–June, July–September, October–December, January–March) are the same
    spans: :func:`quarter_label` names them either way."""
    q_start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    out = []
    for i in range(count - 1, -1, -1):
        s = add_months(q_start, -3 * i)
        e = add_months(s, 3) - dt.timedelta(days=1)
        out.append(Period(s, e))
    return out


def quarter_label(p: Period, financial: bool = False) -> str:
    """"Q2 2025" (calendar), or with ``financial`` the financial year's quarter: "Q1 25/26" is April–June
    2025, "Q4 25/26" January–March 2026 (as short as a calendar quarter's name: eight fit under a chart)."""
    if not financial:
        return f"Q{(p.start.month - 1) // 3 + 1} {p.start.year}"
    year = p.start.year if p.start.month >= 4 else p.start.year - 1
    return f"Q{(p.start.month - 4) % 12 // 3 + 1} {year % 100:02d}/{(year + 1) % 100:02d}"


def parse_period(text: str) -> Period:
    """``2026-04-01..2026-09-30`` → Period; ValueError naming the fix otherwise."""
    parts = text.split("..")
    if len(parts) != 2:
        raise ValueError("--period: write it as START..END, e.g. 2026-04-01..2026-09-30.")
    try:
        start, end = (dt.date.fromisoformat(x.strip()) for x in parts)
    except ValueError as exc:
        raise ValueError(f"--period: dates are YYYY-MM-DD, e.g. 2026-04-01..2026-09-30 ({exc}).") from exc
    if end < start:
        raise ValueError("--period: the end date is before the start date.")
    from adoption_desktop.core.text_input import EARLIEST_YEAR, LATEST_YEAR

    if start.year < EARLIEST_YEAR or end.year > LATEST_YEAR:
        raise ValueError(f"--period: give dates between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return Period(start, end)


def default_period(kind: str, today: dt.date) -> Period:
    """The last complete half year (six-monthly) or financial year, 1 April–31 March (annual)."""
    if kind == "annual":
        year = today.year if today.month >= 4 else today.year - 1
        return Period(dt.date(year - 1, 4, 1), dt.date(year, 3, 31))
    from adoption_desktop.reports.service import default_range

    return Period(*default_range(today))
