"""Panel service, attendance and declarations: who was at a sitting, who declared an interest in an
item (and withdrew), who was out of the room for an item (arrived after it, left before or during it),
and the quorum of an item that follows from them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import lock_row, when_text
from adoption_desktop.core.errors import Conflict, NotFound, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import clean_text
from adoption_desktop.panel import rules
from adoption_desktop.panel.models import (
    PanelAttendance,
    PanelDeclaration,
    PanelItem,
    PanelItemAbsence,
    PanelMember,
    PanelMinutes,
)
from adoption_desktop.panel.rules import QuorumResult
from adoption_desktop.panel.service.common import (
    P,
    _absences,
    _attendance,
    _current_minutes,
    _declarations,
    _item,
    _locked_items,
    _present_for_item,
    _quorum,
    _sitting,
    _today,
    quorum_rule,
)
from adoption_desktop.panel.service.counted import drop_view as _drop_view
from adoption_desktop.panel.service.counted import off_list_reason
from adoption_desktop.panel.snapshots import AttendanceChange, RemovedAbsence, RemovedDeclaration
from adoption_desktop.panel.snapshots import absence as absence_snapshot
from adoption_desktop.panel.snapshots import declaration as declaration_snapshot


# --- attendance and declarations -----------------------------------------------------------------
def _mark_label(status: str) -> str:
    return status or "not recorded"


def _mark_row(session: Session, sitting_id: int, member_id: int) -> PanelAttendance | None:
    """The person's mark as stored now, locked for the rest of the transaction."""
    return session.scalars(select(PanelAttendance).where(
        PanelAttendance.sitting_id == sitting_id, PanelAttendance.member_id == member_id)
        .with_for_update().execution_options(populate_existing=True)).first()


def _insert_mark(session: Session, sitting_id: int, member_id: int, status: str) -> PanelAttendance | None:
    """A first mark for the person; None when another session recorded one at the same moment (the
    unique pair refused this one: nothing of theirs is touched)."""
    row = PanelAttendance(sitting_id=sitting_id, member_id=member_id, status=status)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def last_mark_change(session: Session, sitting_id: int, member_id: int, row_id: int | None
                     ) -> tuple[str, dt.datetime | None]:
    """Who last changed the person's mark at the sitting and when, from the audit log: the newest entry of
    the mark's row (``row_id``), or of a mark removed since (an undo takes a mark away)."""
    found = session.execute(text(
        "SELECT a.actor, a.at, u.full_name, a.entity_id, a.changes FROM audit_log a "
        "LEFT JOIN users u ON u.id = a.actor_id WHERE a.entity = 'panel_attendance' AND a.action <> 'view' "
        "AND (a.entity_id = :ident OR a.action = 'delete') ORDER BY a.seq DESC LIMIT 500"),
        {"ident": str(row_id) if row_id is not None else "-"})
    for actor, at, full_name, entity_id, changes in found:
        if entity_id != str(row_id):
            try:
                gone = json.loads(changes or "{}")
            except ValueError:
                continue
            if (gone.get("sitting_id") or [None])[0] != sitting_id or (gone.get("member_id") or [None])[0] != member_id:
                continue
        try:
            when: dt.datetime | None = dt.datetime.fromisoformat(str(at))
        except ValueError:
            when = None
        return str(full_name or actor or "someone else"), when
    return "someone else", None


def marked_meanwhile(session: Session, member: PanelMember, sitting_id: int, row: PanelAttendance | None,
                     seen: str, status: str) -> StaleRecord:
    """The refusal of a mark made from a screen that showed ``seen`` when someone else has marked the person
    since: who, when, and the mark that now stands (nothing of theirs is overwritten)."""
    now = row.status if row is not None else ""
    who, at = last_mark_change(session, sitting_id, member.id, row.id if row is not None else None)
    what = f"{member.full_name}'s attendance"
    return StaleRecord(
        f"{who} marked {member.full_name} {_mark_label(now)} at {when_text(at)}, after your screen showed "
        f"{_mark_label(seen)}; your mark ({_mark_label(status)}) was not saved. The list now shows theirs: "
        "mark again if yours still stands.",
        what=what, saved_by=who, saved_at=at, saved_values={"Attendance": _mark_label(now)})


def set_attendance(db: Database, actor: Principal, sitting_id: int, member_id: int, status: str, *,
                   expected: str | None = None, today: dt.date | None = None) -> AttendanceChange:
    """Mark one person at a sitting. Returns the mark before and after ("" = not recorded), for undo.

    ``expected``: the mark the person's screen showed ("" = not recorded). When someone else has marked
    the person since (the mark stored is neither that nor ``status``), nothing is saved:
    :class:`StaleRecord` naming who marked them, when, and the mark that stands. ``None`` (scripts, the
    command line, the demo) does not check: the latest mark stands. Before the sitting's day only apologies
    can be recorded (:func:`rules.attendance_date_problem`)."""
    require(actor, P.PANEL_EDIT)
    if status not in rules.ATTENDANCE:
        raise ValidationError("Attendance: choose present, apologies or absent.", "status")
    if expected is not None and expected and expected not in rules.ATTENDANCE:
        raise ValidationError("Attendance: the mark shown must be present, apologies, absent or not recorded.",
                              "expected")
    with db.session(actor) as session:
        sitting = _sitting(session, sitting_id)
        if problem := rules.attendance_date_problem(status, sitting.sitting_date, _today(today)):
            raise ValidationError(problem, "status")
        member = session.get(PanelMember, member_id)
        if member is None:
            raise NotFound(f"No central-list member with id {member_id}.")
        off_list = off_list_reason(member, sitting.sitting_date)
        if off_list and status != "absent":  # "absent" stays open: it corrects a mark made before the date was set
            raise ValidationError(f"Attendance: {off_list}, so cannot be marked {status} at it.", "status")
        items = _locked_items(session, sitting_id)
        row = _mark_row(session, sitting_id, member_id)
        before = row.status if row is not None else ""
        if expected is not None and before not in (expected, status):
            raise marked_meanwhile(session, member, sitting_id, row, expected, status)
        if before != status:
            check_attendance_open(session, items, member, before, status)
        if row is None:
            if _insert_mark(session, sitting_id, member_id, status) is None:  # marked by another at this moment
                row = _mark_row(session, sitting_id, member_id)
                if row is None or (expected is not None and row.status != status):
                    raise marked_meanwhile(session, member, sitting_id, row,
                                           before if expected is None else expected, status)
                before = row.status
                if before != status:
                    check_attendance_open(session, items, member, before, status)
                    row.status = status
        elif row.status != status:
            row.status = status
        attendance_changed(session, items, member, before, status)
        return AttendanceChange(sitting_id, member_id, member.full_name, before, status)


@dataclass(frozen=True)
class RestMarked:
    """"All not recorded → present": the marks made (for undo) and the people left as someone else marked
    them meanwhile ("Gina Tolley (apologies, marked by Kit Brambleby at 14:02 on 02/12/2026)")."""

    changes: tuple[AttendanceChange, ...]
    skipped: tuple[str, ...]
    #: people asked for who were not on the central list on the sitting's day, left unmarked, each with
    #: why ("Isla Brammere (was removed from the central list on 01/10/2026, before the sitting of …)")
    not_on_list: tuple[str, ...] = ()


def mark_rest_present(db: Database, actor: Principal, sitting_id: int, seen: Sequence[int] | None = None,
                      *, today: dt.date | None = None) -> RestMarked:
    """Mark present, in one transaction, the people the screen showed as not recorded (``seen``: member
    ids; ``None``: everyone on the sitting's list not recorded) who are still not recorded in the database.
    The sitting's items are locked first (id order) and the marks read under the lock; a person someone
    else marked meanwhile keeps that mark and is named in ``skipped``, with who marked them and when; a
    person not on the central list on the sitting's day is not marked and is named in ``not_on_list``."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        sitting = _sitting(session, sitting_id)
        if problem := rules.attendance_date_problem("present", sitting.sitting_date, _today(today)):
            raise ValidationError(problem, "status")
        items = _locked_items(session, sitting_id)
        stored = {a.member_id: a for a in session.scalars(
            select(PanelAttendance).where(PanelAttendance.sitting_id == sitting_id).order_by(PanelAttendance.id)
            .with_for_update().execution_options(populate_existing=True))}  # id order, as every multi-row lock
        wanted = list(dict.fromkeys(seen)) if seen is not None else [
            a.member_id for a in _attendance(session, sitting) if not a.status]
        changes: list[AttendanceChange] = []
        skipped: list[str] = []
        not_on_list: list[str] = []
        for member_id in wanted:
            member = session.get(PanelMember, member_id)
            if member is None:
                raise NotFound(f"No central-list member with id {member_id}.")
            row = stored.get(member_id)
            off_list = off_list_reason(member, sitting.sitting_date)
            if row is None and off_list:
                not_on_list.append(f"{member.full_name} ({off_list.removeprefix(member.full_name + ' ')})")
                continue
            if row is None:
                check_attendance_open(session, items, member, "", "present")
                if _insert_mark(session, sitting_id, member_id, "present") is not None:
                    changes.append(AttendanceChange(sitting_id, member_id, member.full_name, "", "present"))
                    attendance_changed(session, items, member, "", "present")
                    continue
                row = _mark_row(session, sitting_id, member_id)  # marked by another at this very moment
            who, at = last_mark_change(session, sitting_id, member_id, row.id if row is not None else None)
            skipped.append(f"{member.full_name} ({_mark_label(row.status if row is not None else '')}, "
                           f"marked by {who} at {when_text(at)})")
        return RestMarked(tuple(changes), tuple(skipped), tuple(not_on_list))


def _items_text(positions: Sequence[int]) -> str:
    if len(positions) == 1:
        return f"item {positions[0]}"
    return "items " + ", ".join(str(p) for p in positions[:-1]) + f" and {positions[-1]}"


def open_correction_of(session: Session, item: PanelItem) -> PanelMinutes | None:
    """The correction of the item's approved minutes drafted and not yet approved by the chair (a draft, or
    sent to the chair), or None. While it is open, who counted for the item (attendance, declarations, who
    was in the room) may be corrected with it."""
    m = _current_minutes(session, item.id)
    return m if m is not None and m.supersedes_id is not None and m.status != "approved" else None


def _approved_version(session: Session, item: PanelItem) -> PanelMinutes | None:
    return session.scalars(select(PanelMinutes).where(PanelMinutes.item_id == item.id,
                                                      PanelMinutes.status == "approved")
                           .order_by(PanelMinutes.version.desc()).limit(1)).first()


def _closed(session: Session, item: PanelItem) -> bool:
    """Some version of the item's minutes was approved and no correction of them is open: who counted for
    it stands as approved."""
    return _approved_version(session, item) is not None and open_correction_of(session, item) is None


def check_attendance_open(session: Session, items: Sequence[PanelItem], member: PanelMember, before: str,
                           status: str) -> None:
    """Who was at a sitting is part of the approved minutes of each of its items (their members present and
    quorum): refused while any item's minutes are approved and not being corrected. With a correction open
    on every item whose minutes were approved, the attendance is corrected with them (each correction
    notes it: :func:`note_correction`). A member recorded as out of the room for an item stays present at
    the sitting until that record is removed (undo of either then stays whole)."""
    ids = [i.id for i in items]
    closed = sorted(i.position for i in items if _closed(session, i))
    if closed:
        which = _items_text(closed)
        correcting = sorted(i.position for i in items if open_correction_of(session, i) is not None)
        also = (f" The correction of {_items_text(correcting)} does not reopen them: who was at the sitting is "
                f"in the minutes of every item." if correcting else "")
        raise Conflict(f"The minutes of {which} of this sitting are approved, and who was at the sitting is part of "
                       f"them, so {member.full_name}'s attendance was not changed.{also} To correct it, make a "
                       f"correction of the minutes of {which} first (Minutes tab, Make a correction…); the "
                       "attendance can then be corrected until the chair approves the correction.")
    if before == "present" and status != "present" and ids:
        away = session.scalar(select(PanelItem.position).join(PanelItemAbsence, PanelItemAbsence.item_id == PanelItem.id)
                              .where(PanelItem.id.in_(ids), PanelItemAbsence.member_id == member.id)
                              .order_by(PanelItem.position).limit(1))
        if away is not None:
            raise Conflict(f"{member.full_name} is recorded as not present for item {away}; remove that record first "
                           "(Mark present again…), then change the attendance.")


def note_correction(session: Session, item: PanelItem, change: str) -> None:
    """A change to who counted for ``item`` made while a correction of its minutes is open (nothing when none
    is): the audit log says on the correction what changed and the item's quorum now beside the quorum as
    approved; a correction already sent to the chair comes back as a draft (the chair approves only what
    was sent, and this was not); and when the ADM decision on the case is already signed, the correction's
    reason says that it cannot change who decided (a signed decision is final)."""
    from adoption_desktop.adm.service import signed_decision_on_panel_item

    m = open_correction_of(session, item)
    if m is None:
        return
    session.flush()
    quorum = _item_quorum(session, item)
    approved = session.get(PanelMinutes, m.supersedes_id) if m.supersedes_id is not None else None
    detail = (f"correction (version {m.version}) of the minutes of {_item_label(item)}: {change}. Quorum for the "
              f"item now: {quorum.summary}")
    if approved is not None:
        detail += f"; as approved in version {approved.version}: {approved.quorum_statement or 'not recorded'}"
    if m.status == "submitted":
        m.status, m.submitted_on = "draft", None
        detail += "; the correction was taken back from the chair (send it again)"
    signed = signed_decision_on_panel_item(session, item.id)
    if signed is not None:
        note = signed.note()
        if note not in (m.correction_reason or ""):
            m.correction_reason = f"{(m.correction_reason or '').rstrip()}\n\n{note}".strip()
        detail += f". {note}"
    audit.record(session, "correction_changed", "panel_minutes", m.id, detail=detail)


def attendance_changed(session: Session, items: Sequence[PanelItem], member: PanelMember, before: str,
                       status: str, how: str = "") -> None:
    """What follows a change of a person's mark at a sitting (``items``: its items), whoever makes it: a mark,
    "all not recorded → present", or an undo (``how``: said after the change, "put back by Undo"). No longer
    present: their views in the items' draft minutes are taken out; each item's open correction notes it
    (:func:`note_correction`). Called once the mark is changed, after :func:`check_attendance_open`."""
    if before == status:
        return
    if before == "present":  # no longer at the sitting: no view on its items
        for i in items:
            _drop_view(session, i, member.id, f"marked {_mark_label(status)} at the sitting")
    for i in items:
        note_correction(session, i, f"{member.full_name} marked {_mark_label(status)} at the sitting "
                                    f"(was {_mark_label(before)}){how}")


def declaration_added(session: Session, item: PanelItem, member: PanelMember | None, member_id: int,
                      withdrew: bool, how: str = "", why: str = "declared an interest and withdrew") -> None:
    """What follows a declaration of interest recorded on ``item`` (declared, or put back by an undo: ``how``),
    after :func:`check_declarations_open`: a member who withdrew took no part, so a view saved before is
    taken out (``why``, in the audit log); the item's open correction notes it (:func:`note_correction`)."""
    name = member.full_name if member else "a member"
    if withdrew:
        _drop_view(session, item, member_id, why)
    note_correction(session, item, f"{name} declared an interest"
                                   + (" and withdrew" if withdrew else " and did not withdraw") + how)


def absence_added(session: Session, item: PanelItem, member: PanelMember | None, member_id: int, reason: str,
                  how: str = "") -> None:
    """What follows a "not present for this item" record added to ``item`` (recorded, or put back by an undo:
    ``how``), after :func:`check_absences_open`: the member's view is taken out of the draft minutes and the
    item's open correction notes it (:func:`note_correction`)."""
    drop_view(session, item, member_id)
    note_correction(session, item, f"{member.full_name if member else 'a member'} recorded as not present for the "
                                   f"item ({rules.ABSENCE_REASONS.get(reason, reason).lower()}){how}")


def declare_interest(db: Database, actor: Principal, item_id: int, member_id: int, interest: str,
                     withdrew: bool = True) -> int:
    """Record a member's declaration of interest in an item (``withdrew``: they took no part, so do not count
    to its quorum). Refused once any version of the item's minutes was approved, as for the records of
    members out of the room: the item is locked first, so a chair approving at the same moment comes
    wholly before (and this is refused) or after (and approves the quorum with the declaration)."""
    require(actor, P.PANEL_EDIT)
    interest = clean_text(interest, "Interest", multiline=True, max_length=4000)
    if not interest.strip():
        raise ValidationError("Interest: describe the member's interest in this item.", "interest")
    with db.session(actor) as session:
        item = lock_row(session, _item(session, item_id))
        member = session.get(PanelMember, member_id)
        if member is None:
            raise NotFound(f"No central-list member with id {member_id}.")
        status = session.scalar(select(PanelAttendance.status).where(
            PanelAttendance.sitting_id == item.sitting_id, PanelAttendance.member_id == member_id))
        if status != "present":  # panel trial: declarations by people with apologies, or off the list, printed
            raise ValidationError(f"Member: {member.full_name} is not marked present at this sitting "
                                  f"({_mark_label(status or '')}); a declaration of interest is made by someone "
                                  "at the meeting. Mark the attendance first.", "member_id")
        check_declarations_open(session, item)
        _refuse_duplicate_declaration(session, item, member_id, interest)
        d = PanelDeclaration(item_id=item_id, member_id=member_id, interest=interest.strip(), withdrew=withdrew)
        session.add(d)
        session.flush()
        declaration_added(session, item, member, member_id, withdrew)
        return d.id


def _refuse_duplicate_declaration(session: Session, item: PanelItem, member_id: int, interest: str) -> None:
    """The same member's same interest in the same item is recorded once (the item is locked by the caller,
    so two people recording it at once meet here): compared with case and spacing aside."""
    def key(text: str) -> str:
        return " ".join(text.split()).casefold()

    for same in session.scalars(select(PanelDeclaration).where(
            PanelDeclaration.item_id == item.id, PanelDeclaration.member_id == member_id)):
        if key(same.interest) == key(interest):
            member = session.get(PanelMember, member_id)
            raise ValidationError(
                f"Interest: {member.full_name if member else 'this member'} has already declared this interest "
                f"in {_item_label(item)}; nothing new was recorded. Change the wording only if it is a "
                "different interest.", "interest")


def remove_declaration(db: Database, actor: Principal, declaration_id: int) -> RemovedDeclaration:
    """Withdraw a declaration recorded in error. Returns it as it was (undo puts it back). Refused once any
    version of the item's minutes was approved; the item is locked before anything is checked."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        d = get_or_raise(session, PanelDeclaration, declaration_id, f"No declaration with id {declaration_id}.")
        item = lock_row(session, _item(session, d.item_id))
        # read again once the item is ours: another session may have removed it meanwhile
        if session.scalar(select(PanelDeclaration.id).where(PanelDeclaration.id == declaration_id)) is None:
            raise Conflict(f"That declaration on {_item_label(item)} was removed by someone else a moment ago; "
                           "nothing was changed.")
        check_declarations_open(session, item)
        others = tuple(session.scalars(select(PanelDeclaration.id).where(
            PanelDeclaration.item_id == d.item_id, PanelDeclaration.id != d.id).order_by(PanelDeclaration.id)))
        removed = replace(declaration_snapshot(d), others_after=others, item_version=item.row_version)
        member = session.get(PanelMember, d.member_id)
        session.delete(d)
        note_correction(session, item, f"the declaration of interest of {member.full_name if member else 'a member'} "
                                       "taken off")
        return removed


_DECLARATIONS_LOCKED = ("The minutes of {what} are approved; its declarations of interest decide who counted to "
                        "its quorum, so they were not changed. To correct them, make a correction of the minutes "
                        "first (Minutes tab, Make a correction…); they can then be corrected until the chair "
                        "approves the correction.")


def check_declarations_open(session: Session, item: PanelItem) -> None:
    """A withdrawn member does not count to the item's quorum: declarations follow the rule of the records
    of members out of the room (``_check_open``). The caller holds the item's lock."""
    _check_open(session, item, "this item", locked=_DECLARATIONS_LOCKED)


# --- members not present for an item ---------------------------------------------------------------
_ABSENCES_LOCKED = ("The minutes of {what} are approved; who was present for it was not changed. To correct it, "
                    "make a correction of the minutes first (Minutes tab, Make a correction…); it can then be "
                    "corrected until the chair approves the correction.")


def _item_label(item: PanelItem) -> str:
    return f"item {item.position} ({item.subject_reference or rules.CASE_TYPES.get(item.case_type, 'other')})"


def present_member(session: Session, sitting_id: int, member_id: int) -> PanelMember:
    """The member, who must be a member (not an adviser) marked present at the sitting."""
    member = session.get(PanelMember, member_id)
    if member is None:
        raise NotFound(f"No central-list member with id {member_id}.")
    if rules.is_adviser(member.role_type):
        raise ValidationError(f"Member: {member.full_name} is an adviser, not a member; advisers never count "
                              "to the quorum.", "member_id")
    status = session.scalar(select(PanelAttendance.status).where(PanelAttendance.sitting_id == sitting_id,
                                                                 PanelAttendance.member_id == member_id))
    if status != "present":
        raise ValidationError(f"Member: {member.full_name} is not marked present at this sitting "
                              f"({status or 'attendance not recorded'}), so cannot be recorded as missing one "
                              "item; mark the attendance first.", "member_id")
    return member


def _already_absent(name: str, item: PanelItem, reason: str) -> Conflict:
    return Conflict(f"{name} is already recorded as not present for {_item_label(item)}"
                    + (f" ({rules.ABSENCE_REASONS.get(reason, reason).lower()})" if reason else "")
                    + "; nothing was recorded a second time.")


def _add_absence(session: Session, item: PanelItem, member: PanelMember, reason: str) -> int:
    """Add the record in the caller's transaction; a second one for the member and item is a Conflict
    naming the member, whether it was there already or another session added it at the same moment."""
    existing = select(PanelItemAbsence.reason).where(PanelItemAbsence.item_id == item.id,
                                                     PanelItemAbsence.member_id == member.id)
    found = session.scalar(existing)
    if found is not None:
        raise _already_absent(member.full_name, item, found)
    row = PanelItemAbsence(item_id=item.id, member_id=member.id, reason=reason)
    try:
        with session.begin_nested():  # one that got in past the check: reported, not a raw error
            session.add(row)
    except IntegrityError as err:
        raise _already_absent(member.full_name, item, session.scalar(existing) or "") from err
    absence_added(session, item, member, member.id, reason)
    return row.id


def _check_open(session: Session, item: PanelItem, what: str, more: str = "", *,
                locked: str = _ABSENCES_LOCKED) -> None:
    """Refused once any version of the item's minutes was approved and while no correction of them is open:
    the approved record (its quorum statement, the members handed to the ADM) must stay what the data says.
    With a correction open (drafted or sent, not yet approved) it is corrected with it (the caller notes the
    change: :func:`note_correction`). ``locked``: the refusal, with ``{what}`` for the item."""
    if _closed(session, item):
        raise Conflict(locked.format(what=what) + more)


def check_absences_open(session: Session, item: PanelItem) -> None:
    """The records of members out of the room for ``item`` can change (added, taken off, put back by an undo)
    unless its minutes were approved with no correction open (:func:`_check_open`). The caller holds the
    item's lock."""
    _check_open(session, item, _item_label(item))


def drop_view(session: Session, item: PanelItem, member_id: int,
              why: str = "recorded as not present for this item") -> bool:
    """A member recorded as out of the room (or withdrawn, or no longer present) gave no view on the item:
    a view already typed into its draft minutes is taken out with the record, audited (otherwise the
    minutes would say both)."""
    return _drop_view(session, item, member_id, why)


def _check_reason(reason: str) -> None:
    if reason not in rules.ABSENCE_REASONS:
        raise ValidationError("Reason: choose " + ", ".join(v.lower() for v in rules.ABSENCE_REASONS.values())
                              + ".", "reason")


def record_item_absence(db: Database, actor: Principal, item_id: int, member_id: int, reason: str) -> int:
    """Record that a member present at the sitting was not present for this item (``reason``: a code of
    ``rules.ABSENCE_REASONS``); the member is no longer counted in the item's quorum, vote or views.
    Refused once the item's minutes are approved, and for a second record of the same member and item."""
    require(actor, P.PANEL_EDIT)
    _check_reason(reason)
    with db.session(actor) as session:
        item = lock_row(session, _item(session, item_id))  # two people recording at once queue here
        member = present_member(session, item.sitting_id, member_id)
        _check_open(session, item, "this item")
        return _add_absence(session, item, member, reason)


def record_left_sitting(db: Database, actor: Principal, item_id: int, member_id: int,
                        reason: str = "left_during") -> list[int]:
    """The member left the sitting before or during item ``item_id`` (``reason``: ``left_before`` or
    ``left_during``) and did not come back: recorded so for that item and as ``left_before`` for every
    later item of the sitting, in one transaction. The items are locked first and the later ones found
    under the lock, so an agenda reordered meanwhile is read as it now is. Items already recorded for the
    member are left as they are; refused (nothing recorded) when any of the items' minutes were approved.
    Returns the new records."""
    require(actor, P.PANEL_EDIT)
    if reason not in ("left_before", "left_during"):
        raise ValidationError("Reason: someone who left the sitting left before this item or during it; "
                              "choose one of those.", "reason")
    with db.session(actor) as session:
        sitting_id = _item(session, item_id).sitting_id
        items = _locked_items(session, sitting_id)  # every item of the sitting, in id order
        found = next((i for i in items if i.id == item_id), None)
        if found is None:
            raise NotFound("That agenda item was removed a moment ago; nothing was recorded.")
        first = found
        chosen = [i for i in sorted(items, key=lambda i: (i.position, i.id))
                  if (i.position, i.id) >= (first.position, first.id)]
        member = present_member(session, first.sitting_id, member_id)
        for i in chosen:
            _check_open(session, i, _item_label(i), " Nothing was recorded.")
        recorded = set(session.scalars(select(PanelItemAbsence.item_id).where(
            PanelItemAbsence.member_id == member_id, PanelItemAbsence.item_id.in_([i.id for i in chosen]))))
        out = [_add_absence(session, i, member, reason if i.id == item_id else "left_before")
               for i in chosen if i.id not in recorded]
        if not out:
            raise Conflict(f"{member.full_name} is already recorded as not present for {_item_label(first)} and "
                           "every item after it; nothing was recorded.")
        return out


def remove_item_absences(db: Database, actor: Principal, absence_ids: Sequence[int]) -> tuple[RemovedAbsence, ...]:
    """Remove "not present for this item" records made in error, in one transaction. Returns them as they
    were (undo puts them back). Refused once an item's minutes were approved. The items are locked before
    anything is checked, so a chair approving at the same moment either comes first (and this is refused)
    or waits for this to commit (and approves what is then recorded)."""
    require(actor, P.PANEL_EDIT)
    out = []
    with db.session(actor) as session:
        rows = []
        for absence_id in absence_ids:
            rows.append(get_or_raise(session, PanelItemAbsence, absence_id,
                                     f"No record of a member not present for an item with id {absence_id}."))
        items = {i: lock_row(session, _item(session, i)) for i in sorted({x.item_id for x in rows})}
        # read again once the items are ours: another session may have removed a record meanwhile
        found = {x.id for x in session.scalars(select(PanelItemAbsence).where(
            PanelItemAbsence.id.in_([x.id for x in rows])).execution_options(populate_existing=True))}
        for x in rows:
            if x.id not in found:
                item = items[x.item_id]
                raise Conflict(f"That record for {_item_label(item)} was removed by someone else a moment ago; "
                               "nothing was changed.")
        for x in rows:
            item = items[x.item_id]
            check_absences_open(session, item)
            member = session.get(PanelMember, x.member_id)
            out.append(absence_snapshot(x, member.full_name if member else "", item.row_version))
            session.delete(x)
            note_correction(session, item, f"{member.full_name if member else 'a member'} present for the item "
                                           "again (the record of not being present taken off)")
        return tuple(out)


def remove_item_absence(db: Database, actor: Principal, absence_id: int) -> RemovedAbsence:
    """Remove one "not present for this item" record made in error; returns it as it was (for undo)."""
    return remove_item_absences(db, actor, [absence_id])[0]


def item_quorum(db: Database, actor: Principal, item_id: int) -> QuorumResult:
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        return _item_quorum(session, _item(session, item_id))


def _item_quorum(session: Session, item: PanelItem) -> QuorumResult:
    attendance = _attendance(session, _sitting(session, item.sitting_id))
    return _quorum(quorum_rule(session), _present_for_item(attendance, _declarations(session, [item.id])[item.id],
                                                           _absences(session, [item.id])[item.id]))
