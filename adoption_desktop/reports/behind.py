"""The list behind a figure: each figure of the Reports page (and so of the report) can be opened to the
children or cases it counts.

A figures module that can list what is behind its figures names its sections in ``SECTIONS`` and offers
``behind(db, actor, section, label, start, end) -> Behind``; it checks the permissions itself (the figures
are counts for ``reports.view``; a list of cases also needs the area's own permission). Add the module to
:data:`BEHIND_MODULES`. No Qt here: ``reports/views/figure_cases.py`` shows the list.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database

BEHIND_MODULES: tuple[str, ...] = (
    "adoption_desktop.journey.figures",
    "adoption_desktop.letterbox.contact_figures",
    "adoption_desktop.letterbox.support_figures",
    "adoption_desktop.journey.adopter_figures",
)


@dataclass(frozen=True)
class Behind:
    """The cases behind one figure: a title, column headings and one row of text per child or case."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    noun: str = "case"  # what a row is, in the singular: "item", "arrangement", "referral", "household"


def module_for(section: str) -> str | None:
    """The figures module that lists what is behind ``section``'s figures, if any."""
    for name in BEHIND_MODULES:
        if section in getattr(importlib.import_module(name), "SECTIONS", ()):
            return name
    return None


def can_open(section: str, label: str) -> bool:
    """Whether the figure ``label`` of ``section`` has a list behind it (a share or a median has none)."""
    name = module_for(section)
    if name is None:
        return False
    opens = getattr(importlib.import_module(name), "opens", None)
    return bool(opens(section, label)) if opens else True


def open_figure(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date) -> Behind:
    """The children or cases behind the figure ``label`` of ``section`` for ``start``..``end``."""
    require(actor, Permission.REPORTS_VIEW)
    name = module_for(section)
    if name is None:
        raise ValidationError(f"{section}: these figures cannot be opened to a list.", "section")
    result: Behind = importlib.import_module(name).behind(db, actor, section, label, start, end)
    return result
