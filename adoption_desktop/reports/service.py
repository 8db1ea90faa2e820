"""Collect every feature's figures for a date range, and write them as CSV."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable
from pathlib import Path

from adoption_desktop.core import audit
from adoption_desktop.core.documents.spreadsheet_safety import csv_writer
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database, secure_umask
from adoption_desktop.reports.model import FIGURE_MODULES, FigureSection


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


def write_csv(db: Database, actor: Principal, sections: list[FigureSection], start: dt.date, end: dt.date,
              out: Path) -> None:
    require(actor, Permission.REPORTS_VIEW)
    secure_umask()
    with Path(out).open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv_writer(fh)
        writer.writerow(["section", "figure", "value", "from", "to"])
        for section in sections:
            for label, value in section.rows:
                writer.writerow([section.title, label, value, start.isoformat(), end.isoformat()])
    with db.session(actor) as session:
        audit.record(session, "export", "figures", f"{start}..{end}", detail=str(out.name))
