"""Panel service, the agenda: items added, edited, removed (for undo) and reordered; papers received."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core.concurrency import check_version, lock_row, not_removed
from adoption_desktop.core.errors import Conflict, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import (
    check_not_future,
    clean_name,
    clean_reference,
    clean_text,
    initials_problem,
    reference_key,
)
from adoption_desktop.panel import rules
from adoption_desktop.panel.models import (
    PanelDeclaration,
    PanelItem,
    PanelItemAbsence,
    PanelPaper,
    PanelSitting,
)
from adoption_desktop.panel.service.common import (
    P,
    _current_minutes,
    _first_minuted,
    _item,
    _locked_items,
    _refuse_if_approved,
    _sitting,
)
from adoption_desktop.panel.service.data import ItemInput, ItemParts
from adoption_desktop.panel.snapshots import OrderChange, RemovedItem
from adoption_desktop.panel.snapshots import removed_item as removed_item_snapshot


# --- agenda --------------------------------------------------------------------------------------
def _validate_item(data: ItemInput, *, kept_slot: str | None = None) -> ItemInput:
    """``data`` as it will be stored (text cleaned), or a ValidationError naming the field. ``kept_slot``: the
    item's time slot as stored, left as it is when unchanged (one typed before slots were HH:MM)."""
    data = replace(
        data, subject_reference=clean_reference(data.subject_reference, "Case number", max_length=120),
        subject_initials=clean_name(data.subject_initials, "Initials"),
        presenting_worker=clean_name(data.presenting_worker, "Presented by", max_length=120),
        notes=clean_text(data.notes, "Notes", multiline=True, max_length=4000))
    try:
        kept = kept_slot is not None and data.time_slot.strip() == kept_slot
        data = replace(data, time_slot=data.time_slot.strip() if kept else rules.time_slot(data.time_slot))
    except ValueError:
        raise ValidationError("Time: enter the time as HH:MM, for example 10:30 (or leave it empty).",
                              "time_slot") from None
    if data.case_type not in rules.CASE_TYPES:
        raise ValidationError("Case type: choose the kind of item.", "case_type")
    if data.case_type != "other" and not data.subject_reference.strip():
        raise ValidationError("Case number: enter the agency case number of the subject.", "subject_reference")
    initials = initials_problem(data.subject_initials)
    if initials:
        raise ValidationError(initials, "subject_initials")
    return data


def _refuse_duplicate_item(session: Session, sitting_id: int, data: ItemInput, item_id: int | None = None) -> None:
    """One case of one type comes once to a sitting's agenda: a second item with the same case type and
    case number (compared as ``reference_key`` does: case and spacing aside) is refused, naming the item
    already there. Items without a case number (other business) are not compared."""
    key = reference_key(data.subject_reference)
    if not key:
        return
    for other in session.scalars(select(PanelItem).where(
            PanelItem.sitting_id == sitting_id, PanelItem.case_type == data.case_type,
            PanelItem.id != (item_id or 0)).order_by(PanelItem.position)):
        if reference_key(other.subject_reference) == key:
            raise ValidationError(
                f"Case number: {other.subject_reference} is already on this sitting's agenda as item "
                f"{other.position} ({rules.CASE_TYPES.get(other.case_type, other.case_type)}). Open that item "
                "instead of adding it twice, or check the case number.", "subject_reference")


def check_can_add(session: Session, s: PanelSitting, data: ItemInput, *, after: dt.date | None = None) -> None:
    """Why the case cannot go on sitting ``s``'s agenda: the sitting is cancelled, its minutes are approved
    (panel trial: an item added to a sitting of two years before, beside its approved items, printed as a
    draft in its minutes), it is not after ``after`` (a deferral goes to a later sitting), or the case is
    already on it."""
    if s.status == "cancelled":
        raise Conflict("This sitting is cancelled; add the item to another sitting.")
    if after is not None and s.sitting_date <= after:
        raise ValidationError(f"Sitting: a deferred case goes to a later sitting than the one that deferred it "
                              f"({after:%d/%m/%Y}); the sitting of {s.sitting_date:%d/%m/%Y} is not later.",
                              "to_sitting_id")
    if _first_minuted(session, list(session.scalars(select(PanelItem).where(PanelItem.sitting_id == s.id))),
                      approved=True) is not None:
        raise Conflict(f"The minutes of the sitting of {s.sitting_date:%d/%m/%Y} are approved (some or all of "
                       "them), and its agenda is part of them; add the case to another sitting.")
    _refuse_duplicate_item(session, s.id, data)


def add_item(db: Database, actor: Principal, sitting_id: int, data: ItemInput) -> int:
    require(actor, P.PANEL_EDIT)
    data = _validate_item(data)
    with db.session(actor) as session:
        return _add_item_in(session, sitting_id, data).id


def _add_item_in(session: Session, sitting_id: int, data: ItemInput, *, after: dt.date | None = None,
                 deferred_from_id: int | None = None) -> PanelItem:
    """:func:`add_item` inside the caller's transaction (a deferral adds the case to the later agenda in the
    same transaction as its minutes). ``data`` is validated (:func:`_validate_item`); ``after`` as for
    :func:`check_can_add`; ``deferred_from_id``: the deferred item this one follows."""
    s = lock_row(session, _sitting(session, sitting_id))  # two people adding the same case at once: the
    check_can_add(session, s, data, after=after)           # second sees the first's item
    _check_time_slot(s, data.time_slot)
    last = session.scalar(select(func.max(PanelItem.position)).where(PanelItem.sitting_id == sitting_id))
    item = PanelItem(sitting_id=sitting_id, position=(last or 0) + 1, case_type=data.case_type,
                     subject_reference=data.subject_reference.strip(),
                     subject_initials=data.subject_initials.strip().upper(),
                     presenting_worker=data.presenting_worker.strip(), time_slot=data.time_slot.strip(),
                     notes=data.notes.strip(), deferred_from_id=deferred_from_id)
    session.add(item)
    session.flush()
    for code in rules.CASE_PAPERS[data.case_type]:
        session.add(PanelPaper(item_id=item.id, code=code))
    return item


def _move_entry_in(session: Session, entry: PanelItem, later: PanelSitting, data: ItemInput, *,
                   after: dt.date) -> PanelItem:
    """A deferred case's entry on a sitting cancelled since, moved to the agenda of ``later`` (locked by the
    caller) in the caller's transaction: the same checks as a new entry (:func:`check_can_add`), last on the
    agenda, with no time yet (the later agenda gives it one) and its papers with their dates. What was
    recorded for the cancelled sitting (declarations, members out of the room) does not go with it; the
    cancelled sitting's other items keep their order, renumbered."""
    check_can_add(session, later, data, after=after)
    old_sitting = entry.sitting_id
    for kind in (PanelDeclaration, PanelItemAbsence):
        for row in session.scalars(select(kind).where(kind.item_id == entry.id)):
            session.delete(row)
    last = session.scalar(select(func.max(PanelItem.position)).where(PanelItem.sitting_id == later.id))
    entry.sitting_id, entry.position, entry.time_slot = later.id, (last or 0) + 1, ""
    session.flush()
    for pos, other in enumerate(session.scalars(select(PanelItem).where(PanelItem.sitting_id == old_sitting)
                                                .order_by(PanelItem.position, PanelItem.id)), start=1):
        if other.position != pos:
            other.position = pos
    return entry


def _check_time_slot(sitting: PanelSitting, slot: str) -> None:
    problem = rules.time_slot_problem(slot, sitting.start_time, sitting.end_time)
    if problem:
        raise ValidationError(problem, "time_slot")


def _item_values(i: PanelItem) -> dict[str, str]:
    return {"Case type": rules.CASE_TYPES.get(i.case_type, i.case_type), "Reference": i.subject_reference,
            "Initials": i.subject_initials, "Presenting worker": i.presenting_worker, "Time": i.time_slot,
            "Notes": i.notes}


def update_item(db: Database, actor: Principal, item_id: int, data: ItemInput, *,
                expected_version: int | None = None) -> None:
    require(actor, P.PANEL_EDIT)
    with db.session(actor, write=False) as session:
        stored_slot = _item(session, item_id).time_slot
    data = _validate_item(data, kept_slot=stored_slot)
    with db.session(actor) as session:
        item = lock_row(session, _item(session, item_id))  # a chair approving at this moment: wholly before or after
        check_version(session, item, expected_version, f"agenda item {item.subject_reference}", _item_values)
        if _first_minuted(session, [item], approved=True) is not None:
            raise Conflict(f"The minutes of item {item.position} are approved, and its case type, case number, "
                           "initials and presenter are part of them; the item can no longer be edited.")
        _refuse_duplicate_item(session, item.sitting_id, data, item.id)
        if data.time_slot != item.time_slot:  # a slot kept as it was is not asked about again
            _check_time_slot(_sitting(session, item.sitting_id), data.time_slot)
        if item.case_type != data.case_type and _current_minutes(session, item_id) is not None:
            raise Conflict("Case type: minutes exist for this item; the case type can no longer change.")
        if item.case_type != data.case_type:
            for p in session.scalars(select(PanelPaper).where(PanelPaper.item_id == item_id)):
                session.delete(p)
            session.flush()
            for code in rules.CASE_PAPERS[data.case_type]:
                session.add(PanelPaper(item_id=item.id, code=code))
        item.case_type = data.case_type
        item.subject_reference = data.subject_reference.strip()
        item.subject_initials = data.subject_initials.strip().upper()
        item.presenting_worker, item.time_slot = data.presenting_worker.strip(), data.time_slot.strip()
        item.notes = data.notes.strip()


def remove_item(db: Database, actor: Principal, item_id: int, *, expected_version: int | None = None,
                expected_parts: ItemParts | None = None) -> RemovedItem:
    """Take an item without minutes off the agenda. Returns what was removed (papers, declarations and
    absences with it), so that undo (``panel.undo.restore_item``) can put it back exactly.

    ``expected_version``: the item's ``row_version`` as the person saw it, and ``expected_parts`` what goes
    with it as they saw it (``ItemParts.of(item_row)``: its papers' dates, declarations of interest, members
    out of the room): if someone changed the item or any of these since, nothing is removed and
    :class:`StaleRecord` says who and when (a colleague's change went with the item without a word). ``None``
    (scripts): the item as stored now is removed."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        # the item's write lock first: a child or household being linked to it at this moment holds its lock
        # (journey ``service._check_item``, ``adopters.check_approval_item``), so the links read below include
        # theirs, or theirs fail on no item; a paper's date, a declaration and a member out of the room are
        # recorded under the same lock, so the parts read are final
        item = _item(session, item_id)
        check_version(session, item, expected_version, f"agenda item {item.subject_reference}", _item_values,
                      removal=True)
        if expected_parts is not None:
            _check_parts_seen(session, item, expected_parts)
        if _current_minutes(session, item_id) is not None:
            raise Conflict("This item has minutes; it cannot be removed (defer it instead).")
        _refuse_if_linked(session, item)
        s = _sitting(session, item.sitting_id)
        removed = removed_item_snapshot(session, item, s.sitting_date, s.row_version)
        for kind in (PanelPaper, PanelDeclaration, PanelItemAbsence):
            for row in session.scalars(select(kind).where(kind.item_id == item_id)):
                session.delete(row)
        session.flush()  # the rows that point to the item go first (no relationship orders them)
        session.delete(item)
        return removed


def item_parts(session: Session, item_id: int) -> ItemParts:
    """What goes with the item when it is removed, as stored now (:class:`ItemParts`)."""
    return ItemParts.make(
        ((str(code), on) for code, on in session.execute(
            select(PanelPaper.code, PanelPaper.received_on).where(PanelPaper.item_id == item_id))),
        session.scalars(select(PanelDeclaration.id).where(PanelDeclaration.item_id == item_id)),
        session.scalars(select(PanelItemAbsence.id).where(PanelItemAbsence.item_id == item_id)))


def _check_parts_seen(session: Session, item: PanelItem, seen: ItemParts) -> None:
    """Refuse (:class:`StaleRecord`) when what goes with ``item`` is no longer what the screen showed."""
    from adoption_desktop.core.undo import changed_since

    seen = ItemParts.make(seen.papers, seen.declarations, seen.absences)
    now = item_parts(session, item.id)
    if now == seen:
        return
    name = f"agenda item {item.subject_reference}"
    values: dict[str, str] = {}
    if now.papers != seen.papers:
        table, what = "panel_papers", f"the papers of {name}"
        ids = list(session.scalars(select(PanelPaper.id).where(PanelPaper.item_id == item.id)))
        values = {rules.PAPERS.get(code, code): f"{on:%d/%m/%Y}" if on else "not received" for code, on in now.papers}
    elif now.declarations != seen.declarations:
        table, what = "panel_declarations", f"the declarations of interest on {name}"
        ids = sorted({*now.declarations, *seen.declarations})
    else:
        table, what = "panel_item_absences", f"the members out of the room for {name}"
        ids = sorted({*now.absences, *seen.absences})
    found = changed_since(session, table, ids, what, values)
    at = found.saved_at if isinstance(found.saved_at, dt.datetime) else None
    raise StaleRecord(
        not_removed(found.saved_by, what, at, did="changed", thing="the item"),
        what=what, saved_by=found.saved_by, saved_at=at, saved_values=values)


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _refuse_if_linked(session: Session, item: PanelItem) -> None:
    """Refuse (``Conflict``, nothing changed) to remove ``item`` while a record of another feature names it: a
    child recorded on it (its match item), an adopter household whose panel approval item it is, an ADM
    decision opened from it. They hold its id as a plain number, with no foreign key, so removing it would
    leave them pointing at an item that no longer exists."""
    from adoption_desktop.adm.service import decisions_on_panel_item
    from adoption_desktop.journey.service import panel_item_links

    name = f"item {item.position} ({item.subject_reference or item.subject_initials or 'no case number'})"
    kept = "Nothing was changed: the item stays on the agenda."
    decisions = decisions_on_panel_item(session, item.id)
    if decisions:
        which = _names([str(d) for d in decisions])
        raise Conflict(f"An ADM decision ({'numbers' if len(decisions) > 1 else 'number'} {which}) was opened from "
                       f"{name}, so it cannot be removed from the agenda. {kept}")
    links = panel_item_links(session, item.id)
    if links.children:
        one = len(links.children) == 1
        who = f"Child {links.children[0]} is" if one else f"Children {_names(links.children)} are"
        raise Conflict(f"{who} recorded on {name} (Children… on that item), so it cannot be removed from the "
                       f"agenda: {'the child' if one else 'they'} would be left linked to an item that no longer "
                       f"exists. {kept} To remove it, first link {'the child' if one else 'each child'} to the "
                       "case's right item (select that item, Children… → Link existing child…), then remove this "
                       "one.")
    if links.households:
        one = len(links.households) == 1
        who = (f"Adopter household {links.households[0]} has" if one
               else f"Adopter households {_names(links.households)} have")
        raise Conflict(f"{who} {name} as {'its' if one else 'their'} panel approval item, so it cannot be removed "
                       f"from the agenda. {kept} To remove it, first change the household's panel approval item "
                       "(Adopters' journey tab, Change dates…: choose another item, or Not linked), then remove "
                       "this one.")


def reorder_items(db: Database, actor: Principal, sitting_id: int, item_ids: Sequence[int]
                  ) -> OrderChange:
    """Put the agenda in this order (drag and drop, or Alt+Up/Alt+Down). Returns the order before and
    after (undo puts the previous order back)."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        items = {i.id: i for i in _locked_items(session, sitting_id)}
        if set(item_ids) != set(items) or len(item_ids) != len(items):
            raise Conflict("The agenda changed meanwhile; reload it and try again.")
        _refuse_if_approved(session, list(items.values()), "the order can no longer change")
        before = tuple(i.id for i in sorted(items.values(), key=lambda i: (i.position, i.id)))
        for pos, ident in enumerate(item_ids, start=1):
            if items[ident].position != pos:
                items[ident].position = pos
        return OrderChange(sitting_id, before, tuple(item_ids))


def move_item(db: Database, actor: Principal, item_id: int, delta: int) -> OrderChange | None:
    require(actor, P.PANEL_EDIT)
    with db.session(actor, write=False) as session:
        item = _item(session, item_id)
        ids = list(session.scalars(select(PanelItem.id).where(PanelItem.sitting_id == item.sitting_id)
                                   .order_by(PanelItem.position, PanelItem.id)))
        sitting_id = item.sitting_id
    i = ids.index(item_id)
    j = max(0, min(len(ids) - 1, i + delta))
    if i == j:
        return None
    ids.insert(j, ids.pop(i))
    return reorder_items(db, actor, sitting_id, ids)


def check_received_on(received_on: dt.date | None, code: str, today: dt.date | None = None,
                      sitting_date: dt.date | None = None) -> None:
    """A paper's received date is something that happened: in range and not after today; and, given the
    item's ``sitting_date``, not after the sitting (:func:`rules.paper_received_problem`)."""
    label = f"Received on ({rules.PAPERS[code]})" if code in rules.PAPERS else "Received on"
    check_not_future(received_on, label, "received_on", today=today, required=False,
                     advice="tick the paper on the day it arrives")
    if sitting_date is not None and (problem := rules.paper_received_problem(received_on, sitting_date, label)):
        raise ValidationError(problem, "received_on")


#: ``expected`` not given: the paper's stored date is not compared (scripts)
UNCHECKED: object = object()


def set_paper_received(db: Database, actor: Principal, item_id: int, code: str, received_on: dt.date | None,
                       *, today: dt.date | None = None, expected: dt.date | object | None = UNCHECKED) -> None:
    """Record when a paper arrived (``None``: not received). ``expected``: the date the screen showed (None:
    not received); if someone recorded another since, nothing is saved and :class:`StaleRecord` says who (the
    later of two clerks silently replaced the earlier's date). Refused once the item's minutes are approved:
    the papers the panel considered are part of them (they could be changed after approval, with ``verify``
    clean)."""
    require(actor, P.PANEL_EDIT)
    check_received_on(received_on, code, today)
    with db.session(actor) as session:
        item = lock_row(session, _item(session, item_id))  # two clerks at once: one after the other
        refuse_papers_if_approved(session, item)
        check_received_on(received_on, code, today, _sitting(session, item.sitting_id).sitting_date)
        paper = session.scalars(select(PanelPaper).where(PanelPaper.item_id == item_id,
                                                         PanelPaper.code == code)).first()
        if expected is not UNCHECKED and (paper.received_on if paper is not None else None) != expected:
            from adoption_desktop.core.undo import changed_since

            stored = paper.received_on if paper is not None else None
            raise changed_since(session, "panel_papers", [paper.id] if paper is not None else [],
                                f"the paper {rules.PAPERS.get(code, code)!r}",
                                {"Received on": f"{stored:%d/%m/%Y}" if stored else "not received"})
        if paper is None:
            checklist = rules.CASE_PAPERS.get(item.case_type, ())
            if code not in checklist:  # panel trial: any known code was added to any item's papers
                listed = "; ".join(rules.PAPERS[c] for c in checklist)
                raise ValidationError(f"Paper: {rules.PAPERS.get(code, repr(code))} is not on this item's "
                                      f"checklist ({listed}).", "code")
            paper = PanelPaper(item_id=item_id, code=code)
            session.add(paper)
        paper.received_on = received_on


def refuse_papers_if_approved(session: Session, item: PanelItem) -> None:
    """The papers an item's approved minutes list are part of them: no date changes (nor an undo's)."""
    if _first_minuted(session, [item], approved=True) is not None:
        raise Conflict(f"The minutes of item {item.position} are approved, and the papers the panel considered "
                       "are part of them; their dates can no longer change. Record a correction of the minutes "
                       "if a date was wrong.")
