"""Figures that can be opened: each figure carries the members or cases behind it, so the Reports page's
value and its list come from one computation and never disagree.

A figures module built this way computes a list of :class:`FigureGroup` (a titled group of
:class:`Figure`: label, value, and the :class:`~adoption_desktop.reports.measures.ChildRow` rows behind
it) and exposes ``figures(db, actor, start, end)`` (the Reports page, CSV and report: labels and values
only) and ``behind(db, actor, section, label, start, end)`` (the list behind one figure), each a line over
:func:`figures_over` and :func:`rows_behind`, which check the permissions alike for every module.
:func:`behind` finds the module owning a section title among :data:`DRILL_MODULES`.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import percent
from adoption_desktop.reports.measures import ChildRow
from adoption_desktop.reports.model import FigureSection

#: figures modules whose figures open to the list behind them (each has SECTIONS and behind())
DRILL_MODULES = (
    "adoption_desktop.panel.makeup",
    "adoption_desktop.panel.attendance",
    "adoption_desktop.panel.appraisals",
    "adoption_desktop.panel.deferrals",
    "adoption_desktop.adm.more_information",
)


@dataclass(frozen=True)
class Figure:
    label: str                                  # what a person reads, one figure per row
    value: str                                  # the figure alone in its cell ("12", "83", "n/a")
    behind: tuple[ChildRow, ...] = ()           # the members or cases it counts
    opens: bool = True                          # False for a figure that is not a count of rows


@dataclass(frozen=True)
class FigureGroup:
    title: str
    figures: list[Figure] = field(default_factory=list)

    def add(self, label: str, rows: Sequence[ChildRow]) -> None:
        """A count: the number of rows behind it."""
        self.figures.append(Figure(label, str(len(rows)), tuple(rows)))

    def value(self, label: str, value: str, rows: Sequence[ChildRow] = ()) -> None:
        """A figure that is not a plain count (a share, a median), with the rows it is computed over."""
        self.figures.append(Figure(label, value, tuple(rows)))


def pct(part: int, whole: int) -> str:
    """A share as a whole percentage, alone in its cell ("n/a" when there is nothing to divide)."""
    return percent(part, whole).rstrip("%") if whole else "n/a"


def median(values: Sequence[int]) -> str:
    import statistics

    return f"{statistics.median(values):g}" if values else "n/a"


def sections(groups: Sequence[FigureGroup]) -> list[FigureSection]:
    return [FigureSection(g.title, [(f.label, f.value) for f in g.figures]) for g in groups]


def find(groups: Sequence[FigureGroup], section: str, label: str) -> list[ChildRow]:
    for g in groups:
        if g.title == section:
            for f in g.figures:
                if f.label == label:
                    return list(f.behind)
    raise ValidationError(f"Figure: '{section}: {label}' is not a figure of this period; run the figures again "
                          "and open one from the list.", "label")


#: a drill module's one computation: ``groups(db, actor, start, end)``
GroupsOf = Callable[[Database, Principal, dt.date, dt.date], list[FigureGroup]]


def figures_over(groups: GroupsOf, db: Database, actor: Principal, start: dt.date, end: dt.date
                 ) -> list[FigureSection]:
    """A drill module's ``figures``: labels and values only (needs ``reports.view``)."""
    require(actor, Permission.REPORTS_VIEW)
    return sections(groups(db, actor, start, end))


def rows_behind(groups: GroupsOf, area: Permission, db: Database, actor: Principal, section: str, label: str,
                start: dt.date, end: dt.date) -> list[ChildRow]:
    """A drill module's ``behind``: the rows behind one figure, which name members or cases, so they need the
    area's own permission ``area`` besides ``reports.view``."""
    require(actor, Permission.REPORTS_VIEW)
    require(actor, area)
    return find(groups(db, actor, start, end), section, label)


def owner(section: str) -> str | None:
    """The module whose figures include ``section`` (None: that figure does not open)."""
    for name in DRILL_MODULES:
        if section in importlib.import_module(name).SECTIONS:
            return name
    return None


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date
           ) -> list[ChildRow]:
    """The members or cases behind one figure of the Reports page (each module checks its own area's
    permission besides ``reports.view``)."""
    require(actor, Permission.REPORTS_VIEW)
    name = owner(section)
    if name is None:
        raise ValidationError(f"Figure: the figures of '{section}' do not open to a list.", "section")
    rows: list[ChildRow] = importlib.import_module(name).behind(db, actor, section, label, start, end)
    return rows
