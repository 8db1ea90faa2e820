"""What a reversible panel action destroyed or changed, as plain data, so that undo can put it back exactly
(``panel.undo``): the removed agenda item with its papers, declarations and absences, a removed
declaration, a removed absence (a member not present for an item), the agenda's order, attendance marks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.panel.models import PanelDeclaration, PanelItem, PanelItemAbsence, PanelPaper

if TYPE_CHECKING:  # the service package imports this module
    from adoption_desktop.panel.service.data import MinutesDraft


@dataclass(frozen=True)
class RemovedDeclaration:
    id: int
    item_id: int
    member_id: int
    interest: str
    withdrew: bool
    created_at: dt.datetime | None
    #: the item's other declarations (ids) after the removal, and the item's row version then
    others_after: tuple[int, ...] = ()
    item_version: int = 1


@dataclass(frozen=True)
class RemovedAbsence:
    """A member's "not present for this item" record as it was just before it was removed."""

    id: int
    item_id: int
    member_id: int
    member_name: str
    reason: str
    created_at: dt.datetime | None
    #: the item's row version then (undo is refused when the item was edited since)
    item_version: int = 1


@dataclass(frozen=True)
class RemovedItem:
    """An agenda item as it was just before it was removed, with what belonged to it."""

    id: int
    sitting_id: int
    sitting_date: dt.date
    sitting_version: int
    position: int
    case_type: str
    subject_reference: str
    subject_initials: str
    presenting_worker: str
    time_slot: str
    notes: str
    deferred_from_id: int | None
    created_at: dt.datetime | None
    papers: tuple[tuple[int, str, dt.date | None], ...]  # (id, code, received on)
    declarations: tuple[RemovedDeclaration, ...]
    #: the agenda left behind: (item id, position) of every other item of the sitting
    agenda_after: tuple[tuple[int, int], ...]
    absences: tuple[RemovedAbsence, ...] = ()


@dataclass(frozen=True)
class OrderChange:
    """The agenda of a sitting before and after a reorder (item ids, first to last)."""

    sitting_id: int
    before: tuple[int, ...]
    after: tuple[int, ...]


@dataclass(frozen=True)
class AttendanceChange:
    """One person's mark at a sitting before and after ("" = not recorded)."""

    sitting_id: int
    member_id: int
    member_name: str
    before: str
    after: str


def declaration(d: PanelDeclaration) -> RemovedDeclaration:
    return RemovedDeclaration(d.id, d.item_id, d.member_id, d.interest, bool(d.withdrew), d.created_at)


def absence(x: PanelItemAbsence, member_name: str, item_version: int = 1) -> RemovedAbsence:
    return RemovedAbsence(x.id, x.item_id, x.member_id, member_name, x.reason, x.created_at, item_version)


def removed_item(session: Session, item: PanelItem, sitting_date: dt.date, sitting_version: int) -> RemovedItem:
    """Read everything undo needs, before ``item`` is deleted (call inside the removing transaction)."""
    papers = tuple((p.id, p.code, p.received_on) for p in session.scalars(
        select(PanelPaper).where(PanelPaper.item_id == item.id).order_by(PanelPaper.id)))
    decls = tuple(declaration(d) for d in session.scalars(
        select(PanelDeclaration).where(PanelDeclaration.item_id == item.id).order_by(PanelDeclaration.id)))
    away = tuple(absence(x, "") for x in session.scalars(
        select(PanelItemAbsence).where(PanelItemAbsence.item_id == item.id).order_by(PanelItemAbsence.id)))
    others = tuple((int(i), int(p)) for i, p in session.execute(
        select(PanelItem.id, PanelItem.position).where(PanelItem.sitting_id == item.sitting_id,
                                                       PanelItem.id != item.id).order_by(PanelItem.id)))
    return RemovedItem(item.id, item.sitting_id, sitting_date, sitting_version, item.position, item.case_type,
                       item.subject_reference, item.subject_initials, item.presenting_worker, item.time_slot,
                       item.notes, item.deferred_from_id, item.created_at, papers, decls, others, away)


@dataclass(frozen=True)
class Deferral:
    """What a deferral to a later sitting changed (``service.defer_item_recorded``), so that undo can put the
    item back on its own sitting alone: the item's minutes as they were before it (``None``: there were
    none) and as it left them, and the case's new entry on the later agenda as it was made."""

    item_id: int
    subject: str  # the case number (or initials) for messages
    sitting_date: dt.date
    reason: str
    #: the item's minutes before the deferral: (draft, status, date sent to the chair); None: no minutes yet
    minutes_before: tuple[MinutesDraft, str, dt.date | None] | None
    #: the item's minutes after it: (id, row version); None when the deferral left them as they were
    minutes_after: tuple[int, int] | None
    #: the later sitting, and the case's entry on its agenda (None: no later sitting given)
    later_sitting_id: int | None = None
    later_date: dt.date | None = None
    new_item_id: int | None = None
    new_item_version: int = 1
    #: the new entry's papers as made: (id, code, received on)
    new_papers: tuple[tuple[int, str, dt.date | None], ...] = ()
    #: the entry was an earlier one moved from a sitting cancelled since (undo cannot put that back)
    moved: bool = False
