"""The list behind a figure: each figure of the Reports page (and so of the report) can be opened to the
children or cases it counts.

A figures module that can list what is behind its figures names its sections in ``SECTIONS`` and offers
``behind(db, actor, section, label, start, end) -> Behind``; it checks the permissions itself (the figures
are counts for ``reports.view``; a list of cases also needs the area's own permission, and a list of
children or adopter households ``adm.view`` or ``panel.view``: :data:`CHILDREN_MODULES`). Add the module to
:data:`BEHIND_MODULES`. No Qt here: ``reports/views/figure_cases.py`` shows the list.
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from adoption_desktop.core.errors import PermissionDenied, ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database

BEHIND_MODULES: tuple[str, ...] = (
    "adoption_desktop.journey.figures",
    "adoption_desktop.letterbox.contact_figures",
    "adoption_desktop.letterbox.support_figures",
    "adoption_desktop.journey.adopter_figures",
)


#: the modules whose lists are of children or adopter households (reference, initials, dates, details):
#: listed, like the children's own records, to people who may open the ADM's or the panel's records
CHILDREN_MODULES = frozenset({"adoption_desktop.journey.figures", "adoption_desktop.journey.adopter_figures"})
#: either of these lets a person see the children or households behind a figure; ``reports.view`` alone
#: (the Manager, "counts only, never names") sees the count
LIST_PERMISSIONS = (Permission.ADM_VIEW, Permission.PANEL_VIEW)


def may_list_children(actor: Principal) -> bool:
    return any(actor.can(p) for p in LIST_PERMISSIONS)


def require_children_list(actor: Principal) -> None:
    """Refuse a list of children or households behind a figure to someone who may see counts only (a trial's
    Manager opened the references, initials and dates behind a journey measure)."""
    if not may_list_children(actor):
        raise PermissionDenied(
            f"{actor.full_name} sees the figures as counts only: the children or households behind a figure are "
            "listed (by reference, initials and dates) only to people who may open their records, with the "
            "permission adm.view or panel.view. The figure itself is the count. Ask an administrator to change "
            "your roles if you should.")


def may_open(actor: Principal, section: str) -> bool:
    """Whether ``actor`` may open the lists of ``section`` as far as children are concerned (another area's
    cases are checked by that area's module when the list is opened)."""
    return module_for(section) not in CHILDREN_MODULES or may_list_children(actor)


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
    if name in CHILDREN_MODULES:
        require_children_list(actor)
    result: Behind = importlib.import_module(name).behind(db, actor, section, label, start, end)
    return result
