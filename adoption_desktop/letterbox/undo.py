"""Reversible letterbox actions (no Qt): a screening finding's decision and an arrangement edit. Each is
done through ``letterbox.service`` and returns an :class:`~adoption_desktop.core.undo.UndoEntry` whose
reverse is the same service again with the version the action left (``expected_decision``,
``expected_version``), so a colleague's later change is never overwritten (``StaleRecord``).

Recording an item's outcome (forward, return, withhold, hold) is final: the item dialog asks first and
it never enters the stack; a mistake is recorded by a correction note (``service.add_correction_note``).
Rewording a returned item's reason is not an outcome: it is undone like the others (an undo that would bring
back a reason naming the other side is refused by the same leak check)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.undo import UndoEntry
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.models import Arrangement, Finding, Item
from adoption_desktop.letterbox.service import ArrangementInput

AREA = "letterbox"


def decide_finding(db: Database, actor: Principal, finding_id: int, decision: str) -> UndoEntry | None:
    require(actor, Permission.LETTERBOX_EDIT)
    before = service.decide_finding(db, actor, finding_id, decision)
    if before == decision:
        return None
    with db.session(actor, write=False) as session:
        text = get_or_raise(session, Finding, finding_id, f"No finding {finding_id}.").text
    words = {"acceptable": "acceptable", "remove": "to be removed"}
    label = f"Marked the finding '{text}' {words.get(decision, decision)}"
    return _finding_entry(db, actor, finding_id, before, decision, label)


def _finding_entry(db: Database, actor: Principal, finding_id: int, before: str, after: str, label: str
                   ) -> UndoEntry:
    def reverse() -> UndoEntry:
        service.decide_finding(db, actor, finding_id, before, expected_decision=after)
        return _finding_entry(db, actor, finding_id, after, before, label)

    return UndoEntry(label, reverse, actor.user_id, AREA, "the finding")


def _arrangement_input(db: Database, actor: Principal, arrangement_id: int) -> tuple[ArrangementInput, int]:
    """The arrangement as stored (relatives taking part and protected terms included) and its version,
    without an audited opening (the form already recorded that)."""
    require(actor, Permission.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        a = get_or_raise(session, Arrangement, arrangement_id, f"No arrangement {arrangement_id}.")
        return service._input_of(session, a), a.row_version


def same_agreement(a: ArrangementInput, b: ArrangementInput) -> bool:
    """The same agreement: every field and relative; protected terms as a set (their order is the order
    they were stored in)."""
    return replace(a, protected=()) == replace(b, protected=()) and set(a.protected) == set(b.protected)


def update_arrangement(db: Database, actor: Principal, arrangement_id: int, data: ArrangementInput, *,
                       expected_version: int | None = None, pattern_from: dt.date | None = None,
                       today: dt.date | None = None) -> tuple[int, UndoEntry]:
    """``service.update_arrangement`` (the whole form), and the entry that puts the previous agreement
    back — fields, relatives taking part and protected terms — with the version this save made. A change of
    the exchange pattern takes effect from ``pattern_from`` (default today); its undo puts the old pattern
    back from the same day, which takes the change out of the pattern's history. ``today``: the caller's
    today (the window's clock), which the change is checked against ("not in the future") and which is the
    default day; default the PC's date."""
    require(actor, Permission.LETTERBOX_EDIT)
    before, version = _arrangement_input(db, actor, arrangement_id)
    if expected_version is not None and version != expected_version:
        before = data  # the save below is refused as stale; nothing to undo
    day = pattern_from or today or dt.date.today()
    new_version = service.update_arrangement(db, actor, arrangement_id, data, expected_version=expected_version,
                                             pattern_from=day, today=today)
    after, _ = _arrangement_input(db, actor, arrangement_id)
    return new_version, _arrangement_entry(db, actor, arrangement_id, before, after, new_version,
                                           arrangement_label(before, after), day)


def arrangement_label(before: ArrangementInput, after: ArrangementInput) -> str:
    """What the undo notice says of a save of the arrangement form: an ending says so, and what it did (it
    is said by the notice, beside its Undo link; a status message said it before, and hid the link)."""
    if after.status == "ended" and before.status != "ended":
        return f"Ended the arrangement {after.reference}: its expected exchanges have left the work list"
    return f"Edited the arrangement {after.reference}"


def _arrangement_entry(db: Database, actor: Principal, arrangement_id: int, before: ArrangementInput,
                       after: ArrangementInput, version: int, label: str, day: dt.date) -> UndoEntry:
    def reverse() -> UndoEntry:
        try:
            back = service.update_arrangement(db, actor, arrangement_id, before, expected_version=version,
                                              kept=before, pattern_from=day)
        except StaleRecord:
            now, now_version = _arrangement_input(db, actor, arrangement_id)
            if not same_agreement(now, after):  # someone else's change: never overwritten
                raise
            # only this user's own undo/redo of a later edit moved the version on
            back = service.update_arrangement(db, actor, arrangement_id, before, expected_version=now_version,
                                              kept=before, pattern_from=day)
        return _arrangement_entry(db, actor, arrangement_id, after, before, back, label, day)

    return UndoEntry(label, reverse, actor.user_id, AREA, f"the arrangement {after.reference}")


def mark_missed(db: Database, actor: Principal, arrangement_id: int, due: dt.date, side: str,
                reference: str) -> UndoEntry:
    """``service.mark_missed``, and the entry that takes the mark back (and, redone, marks it again). The
    entry remembers the mark it made: if a colleague has since taken it back and marked the exchange again,
    the undo is refused (``StaleRecord``) rather than deleting their mark."""
    mark = service.mark_missed(db, actor, arrangement_id, due, side)
    return _missed_entry(db, actor, arrangement_id, due, side, reference, mark)


def _missed_entry(db: Database, actor: Principal, arrangement_id: int, due: dt.date, side: str, reference: str,
                  mark: service.MissedMark | None) -> UndoEntry:
    """``mark``: the mark this entry takes back (undo); ``None``: the entry marks the exchange again (redo)."""
    writer = "adoptive family" if side == "adoptive" else "birth family"
    label = f"Marked missed: the {writer}'s exchange of {reference} due {due:%d/%m/%Y}"

    def reverse() -> UndoEntry:
        if mark is not None:
            service.unmark_missed(db, actor, arrangement_id, due, side, expected_mark=mark)
            return _missed_entry(db, actor, arrangement_id, due, side, reference, None)
        again = service.mark_missed(db, actor, arrangement_id, due, side)
        return _missed_entry(db, actor, arrangement_id, due, side, reference, again)

    return UndoEntry(label, reverse, actor.user_id, AREA, f"the arrangement {reference}")


def reword_return_reason(db: Database, actor: Principal, item_id: int, reason: str, *,
                         expected_version: int | None) -> tuple[int, UndoEntry | None]:
    """``service.reword_return_reason``, and the entry that puts the previous reason back (with the version
    this rewording made, so a colleague's later change is never overwritten). No entry when nothing changed."""
    require(actor, Permission.LETTERBOX_EDIT)
    with db.session(actor, write=False) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        before, version = item.reason, item.row_version
    # the reason read above is the one replaced: without a version from the screen, the one read here
    new_version = service.reword_return_reason(db, actor, item_id, reason, expected_version=(
        version if expected_version is None else expected_version))
    if new_version == version:
        return new_version, None
    return new_version, _reason_entry(db, actor, item_id, before, new_version)


def _reason_entry(db: Database, actor: Principal, item_id: int, before: str, version: int) -> UndoEntry:
    def reverse() -> UndoEntry:
        with db.session(actor, write=False) as session:
            now = get_or_raise(session, Item, item_id, f"No item {item_id}.").reason
        back = service.reword_return_reason(db, actor, item_id, before, expected_version=version)
        return _reason_entry(db, actor, item_id, now, back)

    return UndoEntry(f"Reworded the return reason of item {item_id}", reverse, actor.user_id, AREA,
                     f"the item {item_id}")
