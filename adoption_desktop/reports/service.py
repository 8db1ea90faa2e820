"""Collect every feature's figures for a date range, and write them as CSV."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from adoption_desktop.core import audit
from adoption_desktop.core.documents.spreadsheet_safety import csv_writer
from adoption_desktop.core.files import output_file
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database, secure_umask
from adoption_desktop.reports.model import FIGURE_MODULES, FigureSection
from adoption_desktop.reports.periods import Period, last_year, pick, previous, shown_columns

if TYPE_CHECKING:
    from adoption_desktop.reports.report_data import ComparedTable


def default_range(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete six months (1 April–30 September, 1 October–31 March style half years)."""
    if today.month >= 10:
        return dt.date(today.year, 4, 1), dt.date(today.year, 9, 30)
    if today.month >= 4:
        return dt.date(today.year - 1, 10, 1), dt.date(today.year, 3, 31)
    return dt.date(today.year - 1, 4, 1), dt.date(today.year - 1, 9, 30)


def collect(db: Database, actor: Principal, start: dt.date, end: dt.date,
            progress: Callable[[int, int], None] | None = None) -> list[FigureSection]:
    require(actor, Permission.REPORTS_VIEW)
    if end < start:
        from adoption_desktop.core.errors import ValidationError

        raise ValidationError("Date range: the end date is before the start date.", "end")
    sections: list[FigureSection] = []
    modules = [m for m in FIGURE_MODULES if importlib.util.find_spec(m) is not None]
    for i, name in enumerate(modules):
        sections.extend(importlib.import_module(name).figures(db, actor, start, end))
        if progress:
            progress(i + 1, len(modules))
    return sections


@dataclass(frozen=True)
class ComparedFigures:
    """The figures of a period beside the previous period and the same period last year (as in the report)."""

    periods: tuple[Period, Period, Period]
    sections: list[FigureSection]  # this period's, as counted
    tables: tuple[ComparedTable, ...]  # one per section: label, this period, previous, last year


def collect_compared(db: Database, actor: Principal, start: dt.date, end: dt.date,
                     progress: Callable[[int, int], None] | None = None) -> ComparedFigures:
    """Every area's figures for ``start``..``end``, the previous period and the same period last year,
    matched section by section and row by row the way the report matches them."""
    from adoption_desktop.reports.report_data import _compare

    require(actor, Permission.REPORTS_VIEW)
    if end < start:
        from adoption_desktop.core.errors import ValidationError

        raise ValidationError("Date range: the end date is before the start date.", "end")
    this = Period(start, end)
    periods = (this, previous(this), last_year(this))
    counted: dict[Period, list[FigureSection]] = {}  # a year's previous period is last year: counted once
    distinct = list(dict.fromkeys(periods))
    for n, p in enumerate(distinct):
        def step(done: int, total: int, n: int = n) -> None:
            if progress is not None:
                progress(n * total + done, len(distinct) * total)

        counted[p] = collect(db, actor, p.start, p.end, step)
    per = [counted[p] for p in periods]
    return ComparedFigures(periods, per[0], _compare(per))


def write_csv(db: Database, actor: Principal, sections: list[FigureSection], start: dt.date, end: dt.date,
              out: Path, compared: ComparedFigures | None = None) -> None:
    """The figures as CSV; with ``compared``, the previous period's and last year's values in two more
    columns (each value in its own cell, the periods' dates in the last columns)."""
    require(actor, Permission.REPORTS_VIEW)
    secure_umask()
    with output_file(out) as partial:  # the file takes its name only once its export is audited
        _write_figures_csv(partial, sections, start, end, compared)
        with db.session(actor) as session:
            audit.record(session, "export", "figures", f"{start}..{end}", detail=str(Path(out).name))


def _write_figures_csv(out: Path, sections: list[FigureSection], start: dt.date, end: dt.date,
                       compared: ComparedFigures | None) -> None:
    with out.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv_writer(fh)
        if compared is None:
            writer.writerow(["section", "figure", "value", "from", "to"])
            for section in sections:
                for label, value in section.rows:
                    writer.writerow([section.title, label, value, start.isoformat(), end.isoformat()])
        else:
            this, prev, ly = compared.periods
            # the same 11 columns whatever the period, for the spreadsheets and macros that read them: for a
            # year-long period the previous period *is* the same period last year, so both hold its values
            year = len(shown_columns(compared.periods)) == 2
            writer.writerow(["section", "figure", "value", "previous period", "same period last year", "from", "to",
                             "previous from", "previous to", "last year from", "last year to"])
            dates = [this.start.isoformat(), this.end.isoformat(), prev.start.isoformat(), prev.end.isoformat(),
                     ly.start.isoformat(), ly.end.isoformat()]
            for table in compared.tables:
                for label, *values in table.rows:
                    shown = pick(values, compared.periods)
                    writer.writerow([table.title, label, *(shown + shown[1:] if year else shown), *dates])
