"""Mistakes in the item log put right (letterbox "mistakes" trial, 6 December 2026).

- :func:`correct_item_logging`: an item still being worked (no outcome) logged against the wrong arrangement,
  from the wrong side, with the wrong date received or type is corrected. Checked against the version shown
  (two sessions: no silent overwrite), audited, a step in the item's history saying what was and what is
  now. When the arrangement or the direction changes, the screening no longer holds (the protected terms are
  another arrangement's, or the other side's): its findings are cleared, with the findings digest written
  again in the same transaction (``letterbox.findings_digest``), and the item goes back to be screened.
- :func:`mark_logged_in_error`: an item with no outcome that should never have been logged (a reason is
  required). It stays in the register, marked so, with who, when and why; it is final (its content sealed,
  as an outcome's is) and never deleted, and no longer counts as received: the work list, the chasers and
  reminders, My work and the figures leave it out (``rules.LOGGED_IN_ERROR``).
- :func:`add_correction_note`: an outcome cannot be undone; a dated note on an item with an outcome ("forwarded
  in error: the manager was told on …") is a new step of its history, sealed as a final record of its own
  (``seals.CONTENT_RULES["letterbox_item_events"]``); the item's own sealed content is untouched.

Review of 6 December 2026: an item is not moved to another arrangement, nor marked logged in error, once a
letter about it (its acknowledgement) is on the sent-list, batch not voided, until a correction note says what
was done about that letter (the writer was told it was received); a corrected version, and an item with one,
stays on its arrangement (``log_item`` logs a corrected version on its returned item's arrangement only); and
the findings are checked against their seals before a move clears them (``_require_findings_as_saved``, as
before an outcome): findings changed outside the application are reported, nothing changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import check_version, lock_row
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.base import get_or_raise, record_now
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import clean_text
from adoption_desktop.letterbox import findings_digest, rules
from adoption_desktop.letterbox.models import Arrangement, Finding, Item, ItemEvent, LetterSent, Participant
from adoption_desktop.letterbox.sent_list import not_voided
from adoption_desktop.letterbox.service.common import (
    ITEMS_INDEX,
    P,
    arrangement_by_reference,
    item_document,
    outcome_recorded,
)
from adoption_desktop.letterbox.service.item_log import (
    _event,
    _letter_row,
    _require_as_saved,
    _require_findings_as_saved,
    _writer,
    check_logging,
)


@dataclass(frozen=True)
class LoggingCorrected:
    """What :func:`correct_item_logging` did: the item's new row version, what changed (in words: "direction:
    was Adoptive → birth, now Birth → adoptive"), whether its screening was cleared (it must be screened
    again) and the arrangement it is on now."""

    row_version: int
    changes: tuple[str, ...]
    screening_cleared: bool
    reference: str


@dataclass(frozen=True)
class ArrangementChoice:
    id: int
    reference: str


def find_arrangement(db: Database, actor: Principal, reference: str) -> ArrangementChoice | None:
    """The arrangement whose reference is ``reference`` (compared as references are: case, spacing and
    invisible characters aside), ``None`` when there is none."""
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        found = arrangement_by_reference(session, reference)
    return None if found is None else ArrangementChoice(*found)


def _change(what: str, was: str, now: str) -> str:
    """One change in words: "direction: was Adoptive → birth, now Birth → adoptive" (an arrow between the old
    and the new value read as part of the values: "direction Adoptive → birth → Birth → adoptive")."""
    return f"{what}: was {was}, now {now}"


def _logging_values(item: Item) -> dict[str, str]:
    """An item's logging as a refusal shows it saved (the conflict's "their version")."""
    return {"Status": item.status, "Direction": rules.DIRECTIONS.get(item.direction, item.direction),
            "Date received": f"{item.received_on:%d/%m/%Y}", "Type": item.item_type}


def _refuse_not_open(session: Session, item: Item, what: str) -> None:
    if item.status in rules.OPEN_STATUSES:
        return
    recorded = outcome_recorded(session, item)  # the outcome's step, not a correction made since
    if item.status == rules.LOGGED_IN_ERROR:
        raise Conflict(f"Item {item.id} was marked as logged in error {recorded}; {what} Nothing was saved.")
    raise Conflict(f"Item {item.id} already has an outcome ({item.status}), recorded {recorded}; "
                   f"{what} An outcome cannot be undone: add a correction note to the item instead (Add correction "
                   "note…). Nothing was saved.")


def _last_exchange(session: Session, arrangement_id: int) -> dt.date | None:
    """The latest day an item counted as received came for the arrangement (items logged in error left out)."""
    return session.scalar(select(func.max(Item.received_on)).where(
        Item.arrangement_id == arrangement_id, Item.status != rules.LOGGED_IN_ERROR))


def _refuse_move_of_corrected_version(session: Session, item: Item, old: Arrangement, new: Arrangement) -> None:
    """A corrected version stays on the arrangement of the returned item it replaces (``log_item`` logs it
    there only), and an item with a corrected version logged against it keeps it company: moving either
    would leave the pair on two arrangements, and the returned item's real corrected version could not be
    logged. Items marked logged in error do not count."""
    if item.previous_item_id is not None:
        raise Conflict(f"Item {item.id} is the corrected version of item {item.previous_item_id}, returned on "
                       f"{old.reference}: a corrected version stays on the arrangement of the item it replaces, so "
                       f"it was not moved to {new.reference}. Nothing was saved. If this letter belongs to "
                       f"{new.reference}, mark item {item.id} as logged in error (Put a mistake right… → Logged in "
                       f"error…) and log the letter again on {new.reference}.")
    later = session.scalar(select(func.min(Item.id)).where(Item.previous_item_id == item.id,
                                                            Item.status != rules.LOGGED_IN_ERROR))
    if later is not None:
        raise Conflict(f"Item {later} was logged as the corrected version of item {item.id}, on {old.reference}: "
                       f"item {item.id} was not moved to {new.reference}, as its corrected version would be left "
                       f"behind. Nothing was saved. If item {later} was logged against it by mistake, mark item "
                       f"{later} as logged in error first.")


def _refuse_when_writer_told(session: Session, item: Item, refused: str) -> None:
    """Refuse moving an item to another arrangement or side, or marking it logged in error, when a letter about it
    is on the sent-list (its acknowledgement): the writer was told it was received, and the record must not
    say otherwise without a word. A letter of a voided batch (printed by mistake, not posted) does not count,
    and neither does one followed by a correction note (:func:`add_correction_note`, dated on or after the
    last letter's day): what was done about the letter is then on the item's history. ``refused`` says what
    was not done ("it was not moved to LB-0002")."""
    letters = session.execute(
        select(LetterSent.kind, LetterSent.sent_on, LetterSent.side, Participant.name, LetterSent.batch,
               Arrangement.adopters_name)
        .join(Arrangement, Arrangement.id == LetterSent.arrangement_id)
        .outerjoin(Participant, Participant.id == LetterSent.participant_id)
        .where(LetterSent.item_id == item.id, not_voided())
        .order_by(LetterSent.sent_on, LetterSent.id)).all()
    if not letters:
        return
    last = letters[-1]
    noted = session.scalar(select(func.max(ItemEvent.at)).where(ItemEvent.item_id == item.id,
                                                                ItemEvent.action == "correction_note"))
    if noted is not None and noted.date() >= last.sent_on:
        return
    sent = _letter_row(last.kind, last.sent_on, last.side, last.name, last.batch, last.adopters_name)
    kind = "acknowledgement" if sent.kind == "acknowledgement" else f"{sent.kind} letter"
    raise Conflict(f"Item {item.id}'s {kind} was sent to {sent.recipient} on {sent.sent_on:%d/%m/%Y} (batch "
                   f"{sent.batch}): they were told it was received. So {refused}; nothing was saved. Tell your "
                   "manager, then add a correction note to the item saying what went wrong and what was done about "
                   "the letter (Put a mistake right… → Add correction note…); after that the item can be put "
                   "right. If that batch was never posted, void it instead (Letters sent → Void a batch).")


def _has_letter_sent(session: Session, item_id: int) -> bool:
    """A letter about the item is on the sent-list, in a batch not voided."""
    return session.scalar(select(func.count(LetterSent.id)).where(LetterSent.item_id == item_id,
                                                                  not_voided())) != 0


def _clear_screening(session: Session, item: Item) -> int:
    """The item's findings deleted (each audited) and its screening undone: back to "received", its findings
    digest written again from its findings as they now are (none), in the same flush as the item. Returns how
    many findings there were."""
    found = list(session.scalars(select(Finding).where(Finding.item_id == item.id)))
    for f in found:
        session.delete(f)
    session.flush()  # the findings first, then the item with the digest of what is left (nothing)
    item.findings_digest = findings_digest.current_digest(session.connection(), item.id)
    item.status = "received"
    item.screened_at = None
    item.screened_by = ""
    item.checked_by = ""
    return len(found)


def correct_item_logging(db: Database, actor: Principal, item_id: int, *, arrangement_id: int, direction: str,
                         received_on: dt.date, item_type: str, expected_version: int | None) -> LoggingCorrected:
    """Correct how an item with no outcome was logged: the arrangement, the direction, the date received, the
    type. ``expected_version``: the item's version the coordinator was shown (``None`` from scripts only
    locks); a save by someone else since is refused (:class:`StaleRecord`), nothing overwritten.

    A change of arrangement or direction clears the screening (its findings, the second check) and puts the
    item back to be screened: the protected terms it was screened against were the other arrangement's or the
    other side's. Who wrote it is worked out again for the arrangement and side it is on now (a birth relative
    of the other arrangement is not its writer). The arrangements' last exchange and the search index follow."""
    require(actor, P.LETTERBOX_EDIT)
    check_logging(direction, item_type, received_on)
    with db.session(actor) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        check_version(session, item, expected_version, f"item {item_id}", _logging_values)
        _require_as_saved(session, item, "How it was logged was not corrected.")
        _refuse_not_open(session, item, "how it was logged can no longer be corrected.")
        old = lock_row(session, get_or_raise(session, Arrangement, item.arrangement_id,
                                             f"No arrangement {item.arrangement_id}."))
        new = old if arrangement_id == old.id else lock_row(session, get_or_raise(
            session, Arrangement, arrangement_id, f"Arrangement: there is no arrangement {arrangement_id}."))
        if new.status == "ended" and new.id != old.id:
            raise ValidationError(f"Arrangement: {new.reference} has ended; an item cannot be moved to it.",
                                  "arrangement")
        changes: list[str] = []
        if new.id != old.id:
            changes.append(_change("arrangement", old.reference, new.reference))
        if direction != item.direction:
            changes.append(_change("direction", rules.DIRECTIONS[item.direction], rules.DIRECTIONS[direction]))
        if received_on != item.received_on:
            changes.append(_change("date received", f"{item.received_on:%d/%m/%Y}", f"{received_on:%d/%m/%Y}"))
        if item_type != item.item_type:
            changes.append(_change("type", item.item_type, item_type))
        if not changes:
            return LoggingCorrected(int(item.row_version), (), False, old.reference)
        if new.id != old.id:
            _refuse_move_of_corrected_version(session, item, old, new)
            _refuse_when_writer_told(session, item, f"it was not moved to {new.reference}")
        elif direction != item.direction:  # the acknowledgement went to the writer of this side
            _refuse_when_writer_told(session, item, "its side was not changed")
        moved = new.id != old.id or direction != item.direction
        cleared = None
        if moved:
            # findings changed outside the application are reported (as before an outcome), not deleted with
            # the evidence and the deletion put down to this correction
            _require_findings_as_saved(session, item, "How it was logged was not corrected: its screening would "
                                                      "be cleared, and the changed findings lost with it.")
            screened = item.status == "screened" or session.scalar(
                select(func.count(Finding.id)).where(Finding.item_id == item.id))
            if screened:
                cleared = _clear_screening(session, item)
            # the writer: a birth relative of this arrangement, on the birth side only
            keep = item.participant_id if new.id == old.id and rules.writer_side(direction) == rules.BIRTH else None
            wrote = _writer(session, new.id, direction, keep, item.writer)
            if item.participant_id != (wrote.id if wrote else None):
                before = session.get(Participant, item.participant_id) if item.participant_id else None
                item.participant_id = wrote.id if wrote else None
                changes.append(_change("writer", before.name if before else "not recorded",
                                       wrote.name if wrote else "not recorded"))
        old_received = item.received_on
        item.arrangement_id, item.direction, item.received_on, item.item_type = new.id, direction, received_on, \
            item_type
        item.updated_at = record_now(session)
        session.flush()
        if new.id != old.id or received_on != old_received:
            if old.last_exchange is not None and old.last_exchange <= max(old_received, received_on):
                old.last_exchange = _last_exchange(session, old.id)
            if new.id != old.id and (new.last_exchange is None or received_on > new.last_exchange):
                new.last_exchange = received_on
        detail = "corrected how it was logged: " + "; ".join(changes)
        if cleared is not None:
            detail += (f"; its screening ({cleared} finding(s)) no longer holds for this arrangement and side: "
                       "cleared, to be screened again")
        _event(session, item.id, "log_corrected", detail)
        search.index_documents(session.connection(), ITEMS_INDEX, [(item.id, item_document(
            new.reference, new.child_birth_name, new.child_adoptive_name, new.adopters_name, item.writer,
            item.notes, item.item_type))])
        session.flush()
        return LoggingCorrected(int(item.row_version), tuple(changes), cleared is not None, new.reference)


def mark_logged_in_error(db: Database, actor: Principal, item_id: int, reason: str, *,
                         expected_version: int | None, on: dt.date | None = None) -> int:
    """Mark an item with no outcome as logged in error (``reason`` required: why it should not have been
    logged). It stays in the register, marked so, with who (its history), when (``outcome_on``: ``on``, today)
    and why (``reason``); it no longer counts as received anywhere, and is never worked again (final: its
    content sealed). Checked against the version shown. Returns the item's new row version."""
    require(actor, P.LETTERBOX_EDIT)
    reason = clean_text(reason, "Reason", multiline=True, max_length=4000).strip()
    if not reason:
        raise ValidationError("Reason: say why the item should not have been logged (for example \"logged "
                              "against LB-00024 by mistake; it was LB-00021's letter\").", "reason")
    day = on or dt.date.today()
    with db.session(actor) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        check_version(session, item, expected_version, f"item {item_id}", _logging_values)
        _require_as_saved(session, item, "It was not marked as logged in error.")
        _refuse_not_open(session, item, "it cannot be marked as logged in error.")
        _refuse_when_writer_told(session, item, "it was not marked as logged in error")
        a = lock_row(session, get_or_raise(session, Arrangement, item.arrangement_id,
                                           f"No arrangement {item.arrangement_id}."))
        item.status = rules.LOGGED_IN_ERROR
        item.outcome_on = day
        item.reason = reason
        item.method = ""
        item.updated_at = record_now(session)
        session.flush()
        if a.last_exchange is not None and a.last_exchange <= item.received_on:
            a.last_exchange = _last_exchange(session, a.id)
        _event(session, item.id, "logged_in_error", f"logged in error: {reason}")
        session.flush()
        return int(item.row_version)


def add_correction_note(db: Database, actor: Principal, item_id: int, note: str) -> int:
    """A dated correction note on an item with an outcome (or logged in error), or on an item with no outcome
    whose letter (its acknowledgement) was sent: what went wrong and what was done ("forwarded in error: the
    manager was told on 4/12/2026"; "logged against LB-0002 by mistake: its acknowledgement went to the
    Dunmores, the manager was told"). A new step of the item's history, audited,
    sealed as a final record of its own; the item itself is not changed. Returns the note's id."""
    require(actor, P.LETTERBOX_EDIT)
    note = clean_text(note, "Correction note", multiline=True, max_length=4000).strip()
    if not note:
        raise ValidationError("Correction note: say what was wrong and what was done about it.", "note")
    with db.session(actor) as session:
        item = get_or_raise(session, Item, item_id, f"No item {item_id}.")
        if item.status in rules.OPEN_STATUSES and not _has_letter_sent(session, item.id):
            raise Conflict(f"Item {item_id} has no outcome yet: correct how it was logged (Correct how it was "
                           "logged…) or mark it as logged in error instead. Nothing was saved.")
        row = ItemEvent(item_id=item.id, at=record_now(session), actor=actor.username, action="correction_note", detail=note)
        session.add(row)
        session.flush()
        audit.record(session, "letterbox_correction_note", "letterbox_items", item.id,
                     detail=f"correction note {row.id}: {note}")
        return int(row.id)
