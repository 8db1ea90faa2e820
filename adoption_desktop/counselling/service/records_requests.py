"""Records requests to archives, courts and agencies: add, chase, record the receipt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import check_version, last_saved, lock_row, version_of, when_text
from adoption_desktop.core.documents.address_block import WINDOW_LINES, check_name_line
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_not_future, clean_address, clean_reference, clean_text
from adoption_desktop.counselling import rules
from adoption_desktop.counselling.models import (
    CounsellingCase,
    Disclosure,
    RecordsChase,
    RecordsRequest,
    RedactionCheck,
)
from adoption_desktop.counselling.service.common import (
    _choice,
    _keyed,
    _not_future,
    _open_case_for_edit,
    _text,
    _today,
)
from adoption_desktop.counselling.service.data import FORMATS, HOLDERS, RequestInput
from adoption_desktop.counselling.settings import CHASE_WORKING_DAYS

#: the most pages one set of records may be recorded with: the largest adoption files run to a few thousand
#: pages, so a larger number is a typing slip (the Record receipt form's own upper bound)
MAX_PAGES = 100_000

# --- records requests ---------------------------------------------------------------------------

def add_request(db: Database, actor: Principal, case_id: int, data: RequestInput,
                today: dt.date | None = None) -> int:
    require(actor, Permission.COUNSELLING_EDIT)
    _choice(data.holder_kind, HOLDERS, "holder_kind", "Held by")
    name = _text(data.holder_name, "holder_name", "Archive, court or agency",
                 "name where the records are held.")
    # printed under "Records Officer" in the window of every request and chaser: checked where it is typed
    name = _keyed(check_name_line, name, "Archive, court or agency", "holder_name")
    _not_future(data.sent_on, _today(today), "sent_on", "Date sent")
    data = replace(data, holder_address=_keyed(clean_address, data.holder_address, "Address", "holder_address",
                                               max_length=1000, window_lines=WINDOW_LINES - 2,
                                               above='"Records Officer" and the holder\'s name'),
                   their_reference=_keyed(clean_reference, data.their_reference, "Their reference",
                                          "their_reference", max_length=80),
                   notes=_keyed(clean_text, data.notes, "Notes", "notes", multiline=True, max_length=4000))
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id)
        if data.sent_on < case.referral_date:
            raise ValidationError("Date sent: it cannot be before the referral date.", "sent_on")
        due = rules.chase_due(data.sent_on, calendar(session), get_setting(session, CHASE_WORKING_DAYS))
        row = RecordsRequest(case_id=case.id, holder_kind=data.holder_kind, holder_name=name,
                             holder_address=data.holder_address.strip(),
                             their_reference=data.their_reference.strip(), sent_on=data.sent_on,
                             chase_due=due, notes=data.notes.strip())
        session.add(row)
        session.flush()
        return row.id


def _request(session: Session, request_id: int) -> tuple[RecordsRequest, CounsellingCase]:
    row = get_or_raise(session, RecordsRequest, request_id, f"Records request {request_id} does not exist.")
    return row, _open_case_for_edit(session, row.case_id)


def _open_request(session: Session, request_id: int, expected_version: int | None,
                  received_refusal: str, *, removal: bool = False) -> tuple[RecordsRequest, CounsellingCase]:
    """A request still waiting for its records, as the person saw it (``expected_version``): a stale save is
    refused (``removal``: saying it was not removed), and so is a request whose records came (the refusal ends
    with ``received_refusal``)."""
    row, case = _request(session, request_id)
    check_version(session, row, expected_version, f"the records request to {row.holder_name}", removal=removal)
    if row.received_on is not None:
        raise Conflict(f"The records from {row.holder_name} were received on {row.received_on:%d/%m/%Y}"
                       f"{received_refusal}")
    return row, case


@dataclass(frozen=True)
class ChaseState:
    """What a records request says about its chasing: put back by :func:`restore_chase` (undo)."""

    holder_name: str
    sent_on: dt.date
    chase_count: int
    last_chased_on: dt.date | None
    chase_due: dt.date
    row_version: int


def _state(row: RecordsRequest) -> ChaseState:
    return ChaseState(row.holder_name, row.sent_on, row.chase_count, row.last_chased_on, row.chase_due,
                      version_of(row))


def chase_state(db: Database, actor: Principal, request_id: int) -> ChaseState:
    """Where the chasing of a records request stands; reading it is audited as a view of the request."""
    require(actor, Permission.COUNSELLING_VIEW)
    with db.session(actor, views_only=True) as session:
        row = get_or_raise(session, RecordsRequest, request_id, f"Records request {request_id} does not exist.")
        audit.record_view(session, RecordsRequest.__tablename__, row.id, detail="chasing")
        return _state(row)


@dataclass(frozen=True)
class ChaseRecorded:
    """A chase as written: the request's chasing just before it and just after it, both read in the
    transaction that wrote it (so a colleague's chase is never part of either: undo relies on that)."""

    before: ChaseState
    after: ChaseState

    @property
    def due(self) -> dt.date:
        return self.after.chase_due


def record_chase(db: Database, actor: Principal, request_id: int, on: dt.date, *, today: dt.date | None = None,
                 expected_version: int | None = None) -> ChaseRecorded:
    """A chaser was sent on ``on`` (after the day the request was sent, not before its last chase, not in the
    future); the next chase falls the set number of working days later. ``expected_version``: the request
    as the person saw it (a stale save is refused, so two people never record the same chase twice)."""
    require(actor, Permission.COUNSELLING_EDIT)
    check_not_future(on, "Chase date", "chased_on", today=_today(today), advice="enter the day the chaser was sent")
    with db.session(actor) as session:
        row, _ = _open_request(session, request_id, expected_version, "; there is nothing to chase.")
        if on <= row.sent_on:  # trial: a chase on the day the request went out was recorded
            when = "the day" if on == row.sent_on else "before"
            raise ValidationError(f"Chase date: {on:%d/%m/%Y} is {when} the request to {row.holder_name} was "
                                  f"sent ({row.sent_on:%d/%m/%Y}); a chaser follows the request, so enter a later "
                                  "day.", "chased_on")
        if row.last_chased_on is not None and on < row.last_chased_on:
            raise ValidationError(f"Chase date: {on:%d/%m/%Y} is before the last chase of the request to "
                                  f"{row.holder_name} ({row.last_chased_on:%d/%m/%Y}); enter the day this "
                                  "chaser was sent.", "chased_on")
        if row.last_chased_on == on:  # trial: the same chase could be recorded twice on one day
            raise ValidationError(f"Chase date: the request to {row.holder_name} is already recorded as chased on "
                                  f"{on:%d/%m/%Y}; a second chase on the same day is not recorded. If another "
                                  "chaser went out, enter the day it was sent.", "chased_on")
        before = _state(row)
        row.chase_count += 1
        row.last_chased_on = on
        row.chase_due = rules.chase_due(on, calendar(session), get_setting(session, CHASE_WORKING_DAYS))
        # the history: what a past period knew (outstanding.overdue_on)
        session.add(RecordsChase(request_id=row.id, chased_on=on, due_before=before.chase_due,
                                 due_after=row.chase_due))
        session.flush()  # bumps row_version: the state returned is the version this chase left
        return ChaseRecorded(before, _state(row))


def restore_chase(db: Database, actor: Principal, request_id: int, state: ChaseState, *,
                  expected_version: int) -> ChaseState:
    """Put a request's chasing back to ``state`` (a chase undone, or redone): a new audited change, refused
    (:class:`StaleRecord`) when the request has changed since ``expected_version``."""
    require(actor, Permission.COUNSELLING_EDIT)
    with db.session(actor) as session:
        row, _ = _open_request(session, request_id, expected_version, " since; the chase is no longer changed.")
        # the history follows: a chase undone leaves it, a chase redone comes back into it
        for undone in session.scalars(select(RecordsChase).where(
                RecordsChase.request_id == row.id,
                RecordsChase.chased_on > state.last_chased_on if state.last_chased_on else sa_true())):
            session.delete(undone)
        if state.last_chased_on is not None and state.last_chased_on != row.last_chased_on \
                and (row.last_chased_on is None or state.last_chased_on > row.last_chased_on):
            session.add(RecordsChase(request_id=row.id, chased_on=state.last_chased_on, due_before=row.chase_due,
                                     due_after=state.chase_due))
        row.chase_count, row.last_chased_on, row.chase_due = state.chase_count, state.last_chased_on, \
            state.chase_due
        session.flush()
        return _state(row)


def remove_request(db: Database, actor: Principal, request_id: int, reason: str, *,
                   expected_version: int | None = None) -> None:
    """Take a records request entered by mistake (wrong case, twice, never sent) off the case, with the
    reason: the removal is audited with every field of the request and a ``remove_entered_in_error``
    entry naming the reason. A request whose records have been received stays on the file.
    ``expected_version``: the request as the person saw it (refused if a colleague changed it since)."""
    require(actor, Permission.COUNSELLING_EDIT)
    why = _text(reason, "reason", "Reason", "say why the request is removed (for example: entered on the wrong "
                "case).", limit=500)
    with db.session(actor) as session:
        row, case = _open_request(session, request_id, expected_version,
                                  "; a request with records received stays on the file.", removal=True)
        for chase in session.scalars(select(RecordsChase).where(RecordsChase.request_id == row.id)):
            session.delete(chase)  # its history goes with it (audited as any removal)
        audit.record(session, "remove_entered_in_error", "counselling_requests", row.id,
                     detail=f"{case.reference}: records request to {row.holder_name} sent {row.sent_on:%d/%m/%Y} "
                            f"removed: {why}")
        session.delete(row)


def record_receipt(db: Database, actor: Principal, request_id: int, received_on: dt.date, record_format: str,
                   pages: int | None, today: dt.date | None = None, *,
                   correcting_version: int | None = None) -> None:
    """Record the records as received. A receipt already recorded is refused (of two people recording it at
    once, one does), unless this is a correction of it: ``correcting_version``, the request's version as
    shown with the receipt on screen (a correction made meanwhile by someone else is refused, naming them;
    the change is audited like any other)."""
    require(actor, Permission.COUNSELLING_EDIT)
    _choice(record_format, FORMATS, "record_format", "Format")
    _not_future(received_on, _today(today), "received_on", "Date received")
    if pages is not None and not 1 <= pages <= MAX_PAGES:  # trial: 1,000,000,000 pages were accepted
        raise ValidationError(f"Pages: enter the number of pages received (1 to {MAX_PAGES:,}), or leave it "
                              "blank.", "pages")
    with db.session(actor) as session:
        row, _ = _request(session, request_id)
        lock_row(session, row)  # a state change: of two people recording the receipt at once, one does
        if row.received_on is not None and correcting_version is None:
            who, at = last_saved(session, row)
            raise Conflict(f"{who} recorded the records from {row.holder_name} as received on "
                           f"{row.received_on:%d/%m/%Y} ({when_text(at)}); nothing was changed. To correct "
                           "it, choose the request and press Record receipt… again.")
        if correcting_version is not None:
            if row.received_on is None:
                raise Conflict(f"The records from {row.holder_name} are not recorded as received: there is no "
                               "receipt to correct.")
            check_version(session, row, correcting_version, f"the receipt from {row.holder_name}")
        if received_on < row.sent_on:
            raise ValidationError("Date received: it cannot be before the request was sent.", "received_on")
        if row.received_on is not None and received_on > row.received_on:
            _check_nothing_relies_on(session, row, received_on)
        row.received_on, row.record_format, row.pages = received_on, record_format, pages


def _check_nothing_relies_on(session: Session, row: RecordsRequest, received_on: dt.date) -> None:
    """A receipt corrected to a later day is refused when a redaction check or a sharing of records dated
    between the old and the new day relied on it (no other records received by then): the file would say
    records were checked or shared before they came (trial)."""
    old = row.received_on
    assert old is not None
    others = [d for d in session.scalars(select(RecordsRequest.received_on).where(
        RecordsRequest.case_id == row.case_id, RecordsRequest.id != row.id,
        RecordsRequest.received_on.is_not(None))) if d is not None]
    work = [(d, f"the redaction check of {d:%d/%m/%Y} ({item})") for d, item in session.execute(
        select(RedactionCheck.reviewed_on, RedactionCheck.item).where(
            RedactionCheck.case_id == row.case_id, RedactionCheck.reviewed_on >= old,
            RedactionCheck.reviewed_on < received_on))]
    work += [(d, f"the records shared on {d:%d/%m/%Y}") for d in session.scalars(
        select(Disclosure.disclosed_on).where(
            Disclosure.case_id == row.case_id, Disclosure.records_shared.is_(True), Disclosure.disclosed_on >= old,
            Disclosure.disclosed_on < received_on))]
    relying = sorted((d, what) for d, what in work if not any(o <= d for o in others))
    if relying:
        what = relying[0][1]
        raise ValidationError(
            f"Date received: {received_on:%d/%m/%Y} is after {what}, which relied on the records from "
            f"{row.holder_name} received on {old:%d/%m/%Y}; enter the day they arrived (on or before "
            f"{relying[0][0]:%d/%m/%Y}), or correct that date first.", "received_on")
