"""Reversible panel actions (no Qt): each does the action through ``panel.service`` and returns an
:class:`~adoption_desktop.core.undo.UndoEntry` whose ``reverse`` is a new, audited use case here (same
permission, one transaction) that puts back exactly what the action changed — refused with
``StaleRecord`` when someone else changed the agenda, the item or the mark since.

Covered: removing an agenda item (its papers and declarations with it, same ids and position, so links
such as the children on a match item hold again), reordering the agenda (drag and drop, Move up/down),
declaring an interest and removing a declaration, recording a member as not present for an item (or as
having left the sitting after an item) and removing that record, attendance marks (one person, or "all not recorded →
present"), the papers' received dates, deferring an item to a later sitting. Approving minutes is final: it never enters the stack (the chair's password is asked)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import lock_row
from adoption_desktop.core.errors import Conflict, NotFound
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.undo import UndoEntry, changed_since
from adoption_desktop.core.wording import weekday_date
from adoption_desktop.panel import rules
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.models import (
    PanelAttendance,
    PanelDeclaration,
    PanelItem,
    PanelItemAbsence,
    PanelMember,
    PanelPaper,
    PanelSitting,
)
from adoption_desktop.panel.service.agenda import item_parts
from adoption_desktop.panel.service.attendance import (
    absence_added,
    attendance_changed,
    check_absences_open,
    check_attendance_open,
    check_declarations_open,
    declaration_added,
    present_member,
)
from adoption_desktop.panel.service.common import _refuse_if_approved
from adoption_desktop.panel.snapshots import (
    AttendanceChange,
    OrderChange,
    RemovedAbsence,
    RemovedDeclaration,
    RemovedItem,
)

AREA = "panel"
P = Permission
#: said after a change an undo (or a redo) made, in the note on an open correction of the minutes
_PUT_BACK = " (by Undo or Redo)"


def _item_name(reference: str, initials: str = "") -> str:
    return f"agenda item {reference or initials or '(no case number)'}"


def _note(session: Session, entity: str, ident: object, label: str) -> None:
    """The domain entry beside the captured changes: this change was an undo (or a redo)."""
    audit.record(session, "undo", entity, ident, detail=label)


# --- removing an agenda item -----------------------------------------------------------------------
# Labels stay those of the action itself: the redo of "Removed agenda item …" is that removal again.
def remove_item(db: Database, actor: Principal, item_id: int, *, expected_version: int | None = None,
                expected_parts: svc.ItemParts | None = None) -> UndoEntry:
    """``service.remove_item`` with its undo. ``expected_version``/``expected_parts``: the item as the person
    saw it (a colleague's change since is refused, not removed with it)."""
    require(actor, P.PANEL_EDIT)
    removed = svc.remove_item(db, actor, item_id, expected_version=expected_version, expected_parts=expected_parts)
    label = (f"Removed {_item_name(removed.subject_reference, removed.subject_initials)} from the sitting of "
             f"{weekday_date(removed.sitting_date)}")
    return _removed_entry(db, actor, removed, label)


def _removed_entry(db: Database, actor: Principal, removed: RemovedItem, label: str) -> UndoEntry:
    def reverse() -> UndoEntry:
        _item_id, version, parts = _put_back(db, actor, removed)

        def again() -> UndoEntry:
            # the redo removes the item as the undo put it back: a colleague's change since is refused
            return _removed_entry(db, actor, svc.remove_item(db, actor, removed.id, expected_version=version,
                                                             expected_parts=parts), label)

        return UndoEntry(label, again, actor.user_id, AREA, _item_name(removed.subject_reference))

    return UndoEntry(label, reverse, actor.user_id, AREA, _item_name(removed.subject_reference))


def restore_item(db: Database, actor: Principal, removed: RemovedItem) -> int:
    """Put a removed agenda item back as it was: same id, position, fields, papers and declarations.

    Refused (``StaleRecord``) when the sitting or its agenda changed since the removal (moved, cancelled,
    items added, removed or reordered), so nobody's later change is overwritten."""
    return _put_back(db, actor, removed)[0]


def _put_back(db: Database, actor: Principal, removed: RemovedItem) -> tuple[int, int, svc.ItemParts]:
    """:func:`restore_item`, returning the item's id, the ``row_version`` it was put back with and what was put
    back with it (a declaration whose id was taken meanwhile comes back with a new one)."""
    require(actor, P.PANEL_EDIT)
    what = f"the agenda of the sitting of {weekday_date(removed.sitting_date)}"
    with db.session(actor) as session:
        sitting = session.get(PanelSitting, removed.sitting_id)
        if sitting is None:
            raise NotFound(f"The sitting of {weekday_date(removed.sitting_date)} no longer exists; the item cannot "
                           "be put back.")
        lock_row(session, sitting)
        if sitting.row_version != removed.sitting_version:
            raise changed_since(session, "panel_sittings", [sitting.id], f"the sitting of "
                                f"{weekday_date(removed.sitting_date)}")
        now = tuple((int(i), int(p)) for i, p in session.execute(
            select(PanelItem.id, PanelItem.position).where(PanelItem.sitting_id == sitting.id)
            .order_by(PanelItem.id)))
        if now != removed.agenda_after:
            differ = {i for i, _ in now} ^ {i for i, _ in removed.agenda_after} | {
                i for (i, p) in now if (i, p) not in removed.agenda_after}
            raise changed_since(session, "panel_items", sorted(differ), what)
        _refuse_if_approved(session, list(session.scalars(select(PanelItem).where(
            PanelItem.sitting_id == sitting.id))), "no item can be put back into it")
        if session.get(PanelItem, removed.id) is not None:
            raise Conflict(f"Another item now has the number {removed.id}; the item cannot be put back.")
        item = PanelItem(id=removed.id, sitting_id=removed.sitting_id, position=removed.position,
                         case_type=removed.case_type, subject_reference=removed.subject_reference,
                         subject_initials=removed.subject_initials, presenting_worker=removed.presenting_worker,
                         time_slot=removed.time_slot, notes=removed.notes, deferred_from_id=removed.deferred_from_id)
        if removed.created_at is not None:
            item.created_at = removed.created_at
        session.add(item)
        session.flush()
        for pid, code, received in removed.papers:
            session.add(PanelPaper(id=pid, item_id=item.id, code=code, received_on=received))
        for d in removed.declarations:
            _add_declaration(session, d)
        for x in removed.absences:
            _add_absence(session, x)
        session.flush()
        _note(session, "panel_items", item.id, f"put back after removal ({what})")
        return item.id, int(item.row_version), item_parts(session, item.id)


def _add_declaration(session: Session, d: RemovedDeclaration) -> None:
    if session.get(PanelMember, d.member_id) is None:
        raise NotFound("The member who declared the interest is no longer on the central list.")
    taken = session.get(PanelDeclaration, d.id) is not None
    row = PanelDeclaration(item_id=d.item_id, member_id=d.member_id, interest=d.interest, withdrew=d.withdrew)
    if not taken:
        row.id = d.id
    if d.created_at is not None:
        row.created_at = d.created_at
    session.add(row)


# --- editing an agenda item --------------------------------------------------------------------------
def _item_input(session: Session, item_id: int) -> tuple[svc.ItemInput, int, str]:
    i = svc._item(session, item_id)
    return (svc.ItemInput(i.case_type, i.subject_reference, i.subject_initials, i.presenting_worker, i.time_slot,
                          i.notes), i.row_version, i.subject_reference)


def update_item(db: Database, actor: Principal, item_id: int, data: svc.ItemInput, *,
                expected_version: int | None = None) -> UndoEntry | None:
    """``service.update_item`` (the Edit… dialog) and the entry that puts the previous fields back. A change
    of case type replaces the item's papers checklist, which an undo could not give back exactly: it is
    saved as before but offers no undo."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor, write=False) as session:
        before, _v, _ref = _item_input(session, item_id)
    svc.update_item(db, actor, item_id, data, expected_version=expected_version)
    with db.session(actor, write=False) as session:
        after, version, reference = _item_input(session, item_id)
    if after == before or after.case_type != before.case_type:
        return None
    return _edit_entry(db, actor, item_id, before, after, version, f"Edited {_item_name(reference)}")


def _edit_entry(db: Database, actor: Principal, item_id: int, before: svc.ItemInput, after: svc.ItemInput,
                version: int, label: str) -> UndoEntry:
    def reverse() -> UndoEntry:
        with db.session(actor, write=False) as session:
            now, now_version, reference = _item_input(session, item_id)
        if now_version != version and now != after:  # someone else saved it since: never overwritten
            with db.session(actor, write=False) as session:
                raise changed_since(session, "panel_items", [item_id], _item_name(reference))
        svc.update_item(db, actor, item_id, before, expected_version=now_version)
        with db.session(actor, write=False) as session:
            _now, back, _ = _item_input(session, item_id)
        return _edit_entry(db, actor, item_id, after, before, back, label)

    return UndoEntry(label, reverse, actor.user_id, AREA, "the agenda item")


# --- reordering ------------------------------------------------------------------------------------
def reorder_items(db: Database, actor: Principal, sitting_id: int, item_ids: Sequence[int]) -> UndoEntry | None:
    require(actor, P.PANEL_EDIT)
    return _order_entry(db, actor, svc.reorder_items(db, actor, sitting_id, item_ids))


def move_item(db: Database, actor: Principal, item_id: int, delta: int) -> UndoEntry | None:
    require(actor, P.PANEL_EDIT)
    return _order_entry(db, actor, svc.move_item(db, actor, item_id, delta))


def _order_entry(db: Database, actor: Principal, change: OrderChange | None, label: str = "") -> UndoEntry | None:
    if change is None or change.before == change.after:
        return None
    if not label:
        with db.session(actor, write=False) as session:
            day = session.scalar(select(PanelSitting.sitting_date).where(PanelSitting.id == change.sitting_id))
        label = "Changed the order of the agenda" + (f" of the sitting of {weekday_date(day)}" if day else "")

    def reverse() -> UndoEntry | None:
        return _order_entry(db, actor, restore_order(db, actor, change), label)

    return UndoEntry(label, reverse, actor.user_id, AREA, "the agenda")


def restore_order(db: Database, actor: Principal, change: OrderChange) -> OrderChange:
    """Put the agenda back in ``change.before`` order, if it is still in ``change.after`` order."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        items = {i.id: i for i in session.scalars(  # locked in id order, as every path that locks several
            select(PanelItem).where(PanelItem.sitting_id == change.sitting_id).order_by(PanelItem.id)
            .with_for_update())}
        _refuse_if_approved(session, list(items.values()), "the order can no longer change")
        now = tuple(i.id for i in sorted(items.values(), key=lambda i: (i.position, i.id)))
        if now != change.after:
            day = session.scalar(select(PanelSitting.sitting_date).where(PanelSitting.id == change.sitting_id))
            raise changed_since(session, "panel_items", sorted(set(now) ^ set(change.after) | set(now)),
                                f"the agenda of the sitting of {weekday_date(day) if day else ''}")
        for pos, ident in enumerate(change.before, start=1):
            if items[ident].position != pos:
                items[ident].position = pos
        _note(session, "panel_sittings", change.sitting_id, "agenda order put back")
        return OrderChange(change.sitting_id, change.after, change.before)


# --- deferring an item to a later sitting ----------------------------------------------------------
def defer_item(db: Database, actor: Principal, item_id: int, reason: str, to_sitting_id: int) -> UndoEntry | None:
    """``service.defer_item`` (Defer to a later sitting…, Alt+Z) and the entry that takes the deferral back:
    the item's minutes as they were before it, the case off the later agenda (:func:`undo_deferral`). None
    when the deferral moved an earlier entry from a sitting cancelled since (that move cannot be put back)."""
    require(actor, P.PANEL_EDIT)
    return _deferral_entry(db, actor, svc.defer_item_recorded(db, actor, item_id, reason, to_sitting_id))


def _deferral_entry(db: Database, actor: Principal, done: svc.Deferral) -> UndoEntry | None:
    if done.moved or done.new_item_id is None or done.later_sitting_id is None or done.later_date is None:
        return None
    later_id = done.later_sitting_id
    label = (f"Deferred {_item_name(done.subject)} from the sitting of {weekday_date(done.sitting_date)} to the "
             f"sitting of {weekday_date(done.later_date)}")

    def reverse() -> UndoEntry:
        undo_deferral(db, actor, done)

        def again() -> UndoEntry | None:
            return _deferral_entry(db, actor, svc.defer_item_recorded(db, actor, done.item_id, done.reason,
                                                                      later_id))

        return UndoEntry(label, again, actor.user_id, AREA, _item_name(done.subject))

    return UndoEntry(label, reverse, actor.user_id, AREA, _item_name(done.subject))


def undo_deferral(db: Database, actor: Principal, done: svc.Deferral) -> None:
    """Take a deferral back, in one transaction: the item's minutes as they were before it (none, when it had
    none) and the case's entry off the later sitting's agenda (its papers with it; the items after it move
    up). Audited as an ``undo`` of the item.

    Refused, with nothing changed, when anything has changed since: the item's minutes (edited, sent,
    approved), the case's entry on the later agenda (edited, moved, removed, a paper's date), anything
    recorded for it at the later sitting (minutes, a declaration, a member out of the room), or a record that
    names the case's new entry by its id (a child on it, an adopter household's approval item, an ADM decision:
    :func:`_refuse_if_linked`)."""
    require(actor, P.PANEL_EDIT)
    if done.new_item_id is None or done.later_sitting_id is None or done.moved:
        raise Conflict("This deferral cannot be undone here; change the minutes and the later agenda by hand.")
    later_day = weekday_date(done.later_date) if done.later_date else "the later sitting"
    entry_name = f"the case's entry on the agenda of the sitting of {later_day}"
    kept = " Nothing was undone: the item stays deferred and the case stays on that agenda."
    with db.session(actor) as session:
        item, m = svc._locked_item_minutes(session, done.item_id)
        if done.minutes_after is not None and (
                m is None or (m.id, m.row_version) != done.minutes_after):
            ids = [m.id] if m is not None else [done.minutes_after[0]]
            raise changed_since(session, "panel_minutes", ids, f"the minutes of {_item_name(done.subject)}")
        later = lock_row(session, svc._sitting(session, done.later_sitting_id))
        new = session.get(PanelItem, done.new_item_id)
        if new is None:
            raise changed_since(session, "panel_items", [done.new_item_id], entry_name)
        lock_row(session, new)
        if new.row_version != done.new_item_version or new.sitting_id != later.id:
            raise changed_since(session, "panel_items", [new.id], entry_name)
        recorded = svc._current_minutes(session, new.id)
        if recorded is not None:
            outcome = rules.OUTCOMES.get(recorded.outcome, recorded.outcome)
            said = f'a recommendation recorded ("{outcome}")' if recorded.outcome else "minutes written"
            raise Conflict(f"The sitting of {later_day} has {said} for the case: its minutes were "
                           f"{svc._minutes_done_by(session, recorded)}.{kept}")
        papers = tuple((p.id, p.code, p.received_on) for p in session.scalars(
            select(PanelPaper).where(PanelPaper.item_id == new.id).order_by(PanelPaper.id).with_for_update()))
        if papers != done.new_papers:
            raise changed_since(session, "panel_papers", [p[0] for p in papers + done.new_papers],
                                f"the papers of {entry_name}")
        for kind, what in ((PanelDeclaration, "an interest declared"),
                           (PanelItemAbsence, "a member recorded as not present")):
            ids = list(session.scalars(select(kind.id).where(kind.item_id == new.id)))
            if ids:
                raise changed_since(session, str(kind.__tablename__), ids, f"{entry_name} ({what} for it)")
        _refuse_if_linked(session, new.id, entry_name, weekday_date(done.sitting_date), kept)
        for p in session.scalars(select(PanelPaper).where(PanelPaper.item_id == new.id)):
            session.delete(p)
        session.flush()  # the papers first (no relationship orders them)
        session.delete(new)
        session.flush()
        for pos, other in enumerate(session.scalars(select(PanelItem).where(PanelItem.sitting_id == later.id)
                                                    .order_by(PanelItem.position, PanelItem.id)), start=1):
            if other.position != pos:
                other.position = pos
        if done.minutes_after is not None and m is not None:
            if done.minutes_before is None:
                session.delete(m)  # the deferral wrote the item's first minutes: it has none again
            else:
                draft, status, sent_on = done.minutes_before
                svc._apply_draft(m, draft)
                m.status, m.submitted_on = status, sent_on
        session.flush()
        _note(session, "panel_items", item.id,
              f"deferral to the sitting of {later_day} undone: {_item_name(done.subject)} is back on the sitting "
              f"of {weekday_date(done.sitting_date)} with its minutes as before, and off the later agenda")


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _refuse_if_linked(session: Session, item_id: int, entry_name: str, earlier_day: str, kept: str) -> None:
    """Refuse (``Conflict``, nothing changed) to delete agenda item ``item_id`` while a record of another feature
    names it: a child recorded on it as a match item, an adopter household whose approval item it is, an ADM
    decision opened from it. They hold the item's id as a plain number, with no foreign key, so deleting it
    would leave them pointing at nothing (and a redo makes a new item, with a new id)."""
    from adoption_desktop.adm.service import decisions_on_panel_item
    from adoption_desktop.journey.service import panel_item_links

    decisions = decisions_on_panel_item(session, item_id)
    if decisions:
        which = _names([str(d) for d in decisions])
        raise Conflict(f"An ADM decision ({'numbers' if len(decisions) > 1 else 'number'} {which}) was opened from "
                       f"{entry_name}, so the deferral can no longer be undone.{kept}")
    links = panel_item_links(session, item_id)
    then = "then remove the case from the later agenda and change the outcome in that item's minutes."
    if links.children:
        who = (f"Child {links.children[0]} is" if len(links.children) == 1
               else f"Children {_names(links.children)} are")
        them = "the child" if len(links.children) == 1 else "each child"
        raise Conflict(f"{who} recorded on {entry_name} (Children… on that item).{kept} To take the deferral back "
                       f"by hand, first link {them} to the case's item on the sitting of {earlier_day} (select "
                       f"it, Children… → Link existing child…), {then}")
    if links.households:
        who = (f"Adopter household {links.households[0]} has" if len(links.households) == 1
               else f"Adopter households {_names(links.households)} have")
        raise Conflict(f"{who} {entry_name} as {'its' if len(links.households) == 1 else 'their'} panel approval "
                       f"item (Adopters' journey tab).{kept} To take the deferral back by hand, first choose the "
                       f"case's item on the sitting of {earlier_day} as the panel approval item there, {then}")


# --- declarations ----------------------------------------------------------------------------------
def declare_interest(db: Database, actor: Principal, item_id: int, member_id: int, interest: str,
                     withdrew: bool = True) -> tuple[int, UndoEntry]:
    require(actor, P.PANEL_EDIT)
    declaration_id = svc.declare_interest(db, actor, item_id, member_id, interest, withdrew)
    name, reference = _declaration_names(db, actor, declaration_id)
    label = f"Recorded {name}'s declaration of interest on {_item_name(reference)}"
    return declaration_id, _declaration_entry(db, actor, declaration_id, label)


def remove_declaration(db: Database, actor: Principal, declaration_id: int) -> UndoEntry:
    require(actor, P.PANEL_EDIT)
    name, reference = _declaration_names(db, actor, declaration_id)
    removed = svc.remove_declaration(db, actor, declaration_id)
    label = f"Removed {name}'s declaration of interest on {_item_name(reference)}"
    return _removed_declaration_entry(db, actor, removed, label)


def _declaration_entry(db: Database, actor: Principal, declaration_id: int, label: str) -> UndoEntry:
    """The declaration exists: reversing removes it."""
    def reverse() -> UndoEntry:
        return _removed_declaration_entry(db, actor, svc.remove_declaration(db, actor, declaration_id), label)

    return UndoEntry(label, reverse, actor.user_id, AREA, "the declaration")


def _removed_declaration_entry(db: Database, actor: Principal, removed: RemovedDeclaration, label: str
                               ) -> UndoEntry:
    """The declaration is gone: reversing puts it back."""
    def reverse() -> UndoEntry:
        return _declaration_entry(db, actor, restore_declaration(db, actor, removed), label)

    return UndoEntry(label, reverse, actor.user_id, AREA, "the declaration")


def _declaration_names(db: Database, actor: Principal, declaration_id: int) -> tuple[str, str]:
    with db.session(actor, write=False) as session:
        found = session.execute(select(PanelMember.full_name, PanelItem.subject_reference)
                                .join(PanelDeclaration, PanelDeclaration.member_id == PanelMember.id)
                                .join(PanelItem, PanelItem.id == PanelDeclaration.item_id)
                                .where(PanelDeclaration.id == declaration_id)).first()
    return (str(found[0]), str(found[1])) if found else ("a member", "")


def restore_declaration(db: Database, actor: Principal, removed: RemovedDeclaration) -> int:
    """Put a removed declaration back (same id, text, member, withdrawal). Refused when the item or its
    declarations changed since, or its minutes are approved with no correction open (a declaration decides who
    counted to the approved quorum); with one open, the correction notes it, as when it was declared."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        item = session.get(PanelItem, removed.item_id)
        if item is None:
            raise NotFound("The agenda item of this declaration no longer exists.")
        lock_row(session, item)
        what = f"{_item_name(item.subject_reference)} (its declarations)"
        others = tuple(session.scalars(select(PanelDeclaration.id).where(
            PanelDeclaration.item_id == item.id).order_by(PanelDeclaration.id)))
        if item.row_version != removed.item_version:
            raise changed_since(session, "panel_items", [item.id], what)
        if others != removed.others_after:
            raise changed_since(session, "panel_declarations", sorted(set(others) ^ set(removed.others_after)),
                                what)
        check_declarations_open(session, item)  # the service's rule and message, under the item's lock
        _add_declaration(session, removed)
        session.flush()
        # as when it was declared: a view saved since is taken out if they withdrew; an open correction notes it
        declaration_added(session, item, session.get(PanelMember, removed.member_id), removed.member_id,
                          removed.withdrew, _PUT_BACK, "declaration of interest put back: they withdrew")
        new_id = session.scalar(select(PanelDeclaration.id).where(
            PanelDeclaration.item_id == item.id, PanelDeclaration.member_id == removed.member_id)
            .order_by(PanelDeclaration.id.desc()))
        _note(session, "panel_declarations", new_id, "declaration put back")
        return int(new_id or removed.id)


# --- members not present for an item ----------------------------------------------------------------
def _absence_label(db: Database, actor: Principal, absence_ids: Sequence[int], left_sitting: bool = False) -> str:
    with db.session(actor, write=False) as session:
        found = session.execute(select(PanelMember.full_name, PanelItem.subject_reference, PanelItem.position)
                                .join(PanelItemAbsence, PanelItemAbsence.member_id == PanelMember.id)
                                .join(PanelItem, PanelItem.id == PanelItemAbsence.item_id)
                                .where(PanelItemAbsence.id.in_(absence_ids)).order_by(PanelItem.position)).first()
    name, reference = (str(found[0]), str(found[1])) if found else ("a member", "")
    if left_sitting:  # the first item of the records is the one they left before or during
        return f"Recorded {name} as having left the sitting at {_item_name(reference)}"
    return f"Recorded {name} as not present for {_item_name(reference)}"


def record_item_absence(db: Database, actor: Principal, item_id: int, member_id: int, reason: str
                        ) -> tuple[int, UndoEntry]:
    """``service.record_item_absence`` and the entry that removes the record again."""
    require(actor, P.PANEL_EDIT)
    absence_id = svc.record_item_absence(db, actor, item_id, member_id, reason)
    return absence_id, _absence_entry(db, actor, (absence_id,), _absence_label(db, actor, [absence_id]))


def record_left_sitting(db: Database, actor: Principal, item_id: int, member_id: int, reason: str = "left_during"
                        ) -> tuple[list[int], UndoEntry]:
    """``service.record_left_sitting`` and one entry that removes every record it made."""
    require(actor, P.PANEL_EDIT)
    ids = svc.record_left_sitting(db, actor, item_id, member_id, reason)
    return ids, _absence_entry(db, actor, tuple(ids), _absence_label(db, actor, ids, left_sitting=True))


def remove_item_absence(db: Database, actor: Principal, absence_id: int) -> UndoEntry:
    require(actor, P.PANEL_EDIT)
    label = _absence_label(db, actor, [absence_id]).replace("Recorded", "Removed the record of", 1)
    return _removed_absence_entry(db, actor, svc.remove_item_absences(db, actor, [absence_id]), label)


def _absence_entry(db: Database, actor: Principal, absence_ids: tuple[int, ...], label: str) -> UndoEntry:
    """The records exist: reversing removes them."""
    def reverse() -> UndoEntry:
        return _removed_absence_entry(db, actor, svc.remove_item_absences(db, actor, absence_ids), label)

    return UndoEntry(label, reverse, actor.user_id, AREA, "who was present for the item")


def _removed_absence_entry(db: Database, actor: Principal, removed: tuple[RemovedAbsence, ...], label: str
                           ) -> UndoEntry:
    """The records are gone: reversing puts them back."""
    def reverse() -> UndoEntry:
        return _absence_entry(db, actor, restore_absences(db, actor, removed), label)

    return UndoEntry(label, reverse, actor.user_id, AREA, "who was present for the item")


def _add_absence(session: Session, x: RemovedAbsence) -> int:
    if session.get(PanelMember, x.member_id) is None:
        raise NotFound("The member recorded as not present is no longer on the central list.")
    item = session.get(PanelItem, x.item_id)
    if item is not None:  # only a member still present at the sitting can be out of the room for an item
        present_member(session, item.sitting_id, x.member_id)
    row = PanelItemAbsence(item_id=x.item_id, member_id=x.member_id, reason=x.reason)
    if session.get(PanelItemAbsence, x.id) is None:
        row.id = x.id
    if x.created_at is not None:
        row.created_at = x.created_at
    session.add(row)
    session.flush()
    return row.id


def restore_absences(db: Database, actor: Principal, removed: Sequence[RemovedAbsence]) -> tuple[int, ...]:
    """Put removed "not present for this item" records back (same id, member, reason), in one transaction.
    Refused when an item was edited since, the member has been recorded for it again, or its minutes are
    approved with no correction open (the service's rule and message); with one open, the correction notes it,
    as when the record was made."""
    require(actor, P.PANEL_EDIT)
    out = []
    with db.session(actor) as session:
        for x in sorted(removed, key=lambda r: r.item_id):  # items locked in id order, as everywhere
            item = session.get(PanelItem, x.item_id)
            if item is None:
                raise NotFound("The agenda item of this record no longer exists.")
            lock_row(session, item)
            what = f"{_item_name(item.subject_reference)} (who was present for it)"
            if item.row_version != x.item_version:
                raise changed_since(session, "panel_items", [item.id], what)
            again = session.scalar(select(PanelItemAbsence.id).where(PanelItemAbsence.item_id == item.id,
                                                                     PanelItemAbsence.member_id == x.member_id))
            if again is not None:
                raise changed_since(session, "panel_item_absences", [again], what)
            check_absences_open(session, item)  # the service's rule and message
            out.append(_add_absence(session, x))
            absence_added(session, item, session.get(PanelMember, x.member_id), x.member_id, x.reason, _PUT_BACK)
            _note(session, "panel_item_absences", out[-1], "record of a member not present put back")
        return tuple(out)


# --- papers received -------------------------------------------------------------------------------
def set_papers_received(db: Database, actor: Principal, item_id: int,
                        received: dict[str, dt.date | None], *, today: dt.date | None = None,
                        shown: dict[str, dt.date | None] | None = None) -> UndoEntry | None:
    """Record the papers' received dates (the Papers dialog) and the entry that puts the previous dates
    back; refused when someone else changed one of those dates since ``shown`` (the dates the dialog showed;
    a paper not in it: not received), or (before anything is saved) when a date lies in the future or after
    the sitting."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor, write=False) as session:
        item = svc._item(session, item_id)
        reference = item.subject_reference
        sitting_date = svc._sitting(session, item.sitting_id).sitting_date
        before = {p.code: p.received_on for p in session.scalars(
            select(PanelPaper).where(PanelPaper.item_id == item_id))}
    for code, day in received.items():  # every date checked before any is saved (each paper is its own save)
        svc.check_received_on(day, code, today, sitting_date)
    seen = before if shown is None else shown
    changes = {code: (seen.get(code), day) for code, day in received.items() if seen.get(code) != day}
    for code, (old, day) in changes.items():
        svc.set_paper_received(db, actor, item_id, code, day, today=today, expected=old)
    if not changes:
        return None
    return _papers_entry(db, actor, item_id, changes, f"Recorded the papers received for {_item_name(reference)}")


def _papers_entry(db: Database, actor: Principal, item_id: int,
                  changes: dict[str, tuple[dt.date | None, dt.date | None]], label: str) -> UndoEntry:
    def reverse() -> UndoEntry:
        restore_papers(db, actor, item_id, changes)
        return _papers_entry(db, actor, item_id, {c: (b, a) for c, (a, b) in changes.items()}, label)

    return UndoEntry(label, reverse, actor.user_id, AREA, "the papers")


def restore_papers(db: Database, actor: Principal, item_id: int,
                   changes: dict[str, tuple[dt.date | None, dt.date | None]]) -> None:
    """Give each paper its ``before`` date again (one transaction), if it still has the ``after`` date."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        item = lock_row(session, svc._item(session, item_id))
        svc.refuse_papers_if_approved(session, item)
        papers = {p.code: p for p in session.scalars(
            select(PanelPaper).where(PanelPaper.item_id == item_id).with_for_update())}
        for code, (_before, after) in changes.items():
            paper = papers.get(code)
            if paper is None or paper.received_on != after:
                raise changed_since(session, "panel_papers", [paper.id] if paper else [],
                                    f"the papers of {_item_name(item.subject_reference)}")
        for code, (before, _after) in changes.items():
            papers[code].received_on = before
        _note(session, "panel_items", item_id, "papers' received dates put back")


# --- attendance ------------------------------------------------------------------------------------
def set_attendance(db: Database, actor: Principal, sitting_id: int, member_id: int, status: str, *,
                   expected: str | None = None) -> UndoEntry | None:
    """``service.set_attendance`` (``expected``: the mark the screen showed, "" = not recorded; refused if
    someone else marked the person since) and the entry that puts the previous mark back."""
    require(actor, P.PANEL_EDIT)
    return attendance_entry(db, actor, [svc.set_attendance(db, actor, sitting_id, member_id, status,
                                                           expected=expected)])


def mark_rest_present(db: Database, actor: Principal, sitting_id: int, seen: Sequence[int] | None = None
                      ) -> tuple[UndoEntry | None, svc.RestMarked]:
    """"All not recorded → present" (``service.mark_rest_present``: only those still not recorded) and one
    entry for the lot; the result names those someone else marked meanwhile."""
    require(actor, P.PANEL_EDIT)
    done = svc.mark_rest_present(db, actor, sitting_id, seen)
    return attendance_entry(db, actor, done.changes), done


def attendance_entry(db: Database, actor: Principal, changes: Sequence[AttendanceChange], label: str = ""
                     ) -> UndoEntry | None:
    """One entry for marks made together (one person, or "all not recorded → present")."""
    require(actor, P.PANEL_EDIT)
    changes = [c for c in changes if c.before != c.after]
    if not changes:
        return None
    if not label:
        label = _attendance_label(db, actor, changes)

    def reverse() -> UndoEntry | None:
        return attendance_entry(db, actor, restore_attendance(db, actor, changes), label)

    return UndoEntry(label, reverse, actor.user_id, AREA, "the attendance")


def _attendance_label(db: Database, actor: Principal, changes: Sequence[AttendanceChange]) -> str:
    with db.session(actor, write=False) as session:
        day = session.scalar(select(PanelSitting.sitting_date).where(PanelSitting.id == changes[0].sitting_id))
    at = f" at the sitting of {weekday_date(day)}" if day else ""
    if len(changes) == 1:
        c = changes[0]
        label = f"Marked {c.member_name} {c.after or 'not recorded'}{at}"
    else:
        states = sorted({c.after or "not recorded" for c in changes})
        label = f"Marked {len(changes)} people {' / '.join(states)}{at}"
    return label


def restore_attendance(db: Database, actor: Principal, changes: Sequence[AttendanceChange]
                       ) -> list[AttendanceChange]:
    """Put each mark back to ``before`` ("" removes the mark), in one transaction; refused when any of
    them is no longer ``after`` (someone else marked the person since), or under the rules of
    ``service.set_attendance``, which it follows after the change too (a view of someone no longer present
    taken out, each open correction of the minutes noting it). Returns the inverse changes."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        out: list[AttendanceChange] = []
        rows = {}
        # as set_attendance: the sitting's items locked (id order) and the same rules checked, so that an
        # undo cannot change who was at a sitting whose minutes were approved meanwhile
        items = [lock_row(session, i) for i in session.scalars(
            select(PanelItem).where(PanelItem.sitting_id.in_(sorted({c.sitting_id for c in changes})))
            .order_by(PanelItem.id))]
        for c in changes:
            member = session.get(PanelMember, c.member_id)
            if member is not None and c.before != c.after:
                check_attendance_open(session, [i for i in items if i.sitting_id == c.sitting_id], member,
                                      c.after, c.before)
        keys = {(c.sitting_id, c.member_id) for c in changes}
        locked = {(r.sitting_id, r.member_id): r for r in session.scalars(  # in id order, as every multi-row lock
            select(PanelAttendance).where(PanelAttendance.sitting_id.in_(sorted({k[0] for k in keys})))
            .order_by(PanelAttendance.id).with_for_update()) if (r.sitting_id, r.member_id) in keys}
        for c in changes:
            row = locked.get((c.sitting_id, c.member_id))
            if (row.status if row is not None else "") != c.after:
                raise changed_since(session, "panel_attendance", [row.id] if row is not None else [],
                                    f"{c.member_name}'s attendance", {"Attendance": row.status if row else ""})
            rows[c.member_id] = row
        for c in changes:
            row = rows[c.member_id]
            if not c.before:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(PanelAttendance(sitting_id=c.sitting_id, member_id=c.member_id, status=c.before))
            else:
                row.status = c.before
            out.append(replace(c, before=c.after, after=c.before))
        session.flush()
        for c in changes:  # as set_attendance: views of someone no longer present out, open corrections note it
            member = session.get(PanelMember, c.member_id)
            if member is not None:
                attendance_changed(session, [i for i in items if i.sitting_id == c.sitting_id], member, c.after,
                                   c.before, _PUT_BACK)
        _note(session, "panel_sittings", changes[0].sitting_id, f"attendance put back ({len(changes)} marks)")
        return out
