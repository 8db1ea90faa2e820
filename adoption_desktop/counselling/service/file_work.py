"""Work on the file: sessions and appointments, redaction checks, disclosures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import last_saved, not_removed
from adoption_desktop.core.errors import Conflict, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_date, clean_name, clean_text
from adoption_desktop.counselling import rules
from adoption_desktop.counselling.models import (
    CounsellingCase,
    CounsellingSession,
    Disclosure,
    RecordsRequest,
    RedactionCheck,
)
from adoption_desktop.counselling.service.common import (
    _add_disclosure,
    _choice,
    _keyed,
    _not_future,
    _open_case_for_edit,
    _text,
    _today,
)
from adoption_desktop.counselling.service.data import SESSION_KINDS, SESSION_OUTCOMES

# --- work on the file ---------------------------------------------------------------------------

def _why_required(case: CounsellingCase, who: str = "") -> str:
    """Why the counselling interview is required, for a refusal: the adoption date, or that it is not known."""
    if case.adoption_order_date is not None:
        return f"{who} was adopted before 12 November 1975" if who else "adopted before 12 November 1975"
    if case.adopted_before_1975:
        return (f"{who} was adopted before 12 November 1975 as far as is known" if who
                else "adopted before 12 November 1975 as far as is known")
    return (f"the adoption order date{f' of {who}' if who else ''} is not known and counts as before 12 November "
            "1975 until the date (or that the adoption was later) is entered")


def _check_received_by(session: Session, case_id: int, day: dt.date, *, none: tuple[str, str],
                       before: tuple[str, str, str]) -> None:
    """Records are worked on once they have come (trial: a check, and a sharing, recorded before any records
    arrived). ``none``: the message and field key when nothing is received; ``before``: the field's label, what
    to enter, and its key, when ``day`` is before the first receipt."""
    first = session.scalar(select(func.min(RecordsRequest.received_on)).where(
        RecordsRequest.case_id == case_id, RecordsRequest.received_on.is_not(None)))
    if first is None:
        raise ValidationError(*none)
    label, advice, key = before
    if day < first:
        raise ValidationError(f"{label}: {day:%d/%m/%Y} is before any records were received (first on "
                              f"{first:%d/%m/%Y}); {advice}, on or after that day.", key)


#: how far ahead an appointment may be booked: a session further out is a typing slip (trial: 800 days ahead was
#: accepted), and the applicant could not be asked to keep it
MAX_DAYS_AHEAD = 365


#: ``add_session``'s ``outcome`` when none is given: held for a day before today, else none recorded
AS_DATED = "as_dated"


def add_session(db: Database, actor: Principal, case_id: int, held_on: dt.date, kind: str,
                start_time: str = "", location: str = "", notes: str = "", *, today: dt.date | None = None,
                outcome: str | None = AS_DATED) -> int:
    """A counselling session or appointment (a future date is an appointment to be confirmed by letter,
    within :data:`MAX_DAYS_AHEAD` days of ``today``). ``outcome`` (``SESSION_OUTCOMES``; None: not recorded):
    by default a session dated before today is recorded as held (a meeting written up afterwards), one dated
    today or later is booked, its outcome recorded once it has happened (:func:`set_session_outcome`). Held
    and did not attend are refused for a day still to come."""
    require(actor, Permission.COUNSELLING_EDIT)
    _choice(kind, SESSION_KINDS, "kind", "Session type")
    day = _today(today)
    check_date(held_on, "Session date", "schedule", required=True, today=day)
    if outcome == AS_DATED:
        outcome = rules.HELD if held_on < day else None
    _check_outcome(outcome, held_on, day)
    latest = day + dt.timedelta(days=MAX_DAYS_AHEAD)
    if held_on > latest:
        raise ValidationError(
            f"Session date: {held_on:%d/%m/%Y} is more than a year ahead; book appointments up to "
            f"{latest:%d/%m/%Y} (check the year typed).", "held_on")
    # keyed by the form's fields, so a refusal puts the cursor there (they were keyed by their labels)
    location = _keyed(clean_text, location, "Location", "location", max_length=200)
    notes = _keyed(clean_text, notes, "Notes", "notes", multiline=True, max_length=20000)
    start_time = _keyed(clean_text, start_time, "Time", "start_time")
    if start_time:
        try:  # stored as HH:MM (trial: "9:5" was stored as typed, and sorted and printed so)
            start_time = dt.datetime.strptime(start_time, "%H:%M").strftime("%H:%M")
        except ValueError:
            raise ValidationError("Time: enter the time as HH:MM, for example 10:30.", "start_time") from None
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id)
        if held_on < case.referral_date:
            raise ValidationError("Session date: it cannot be before the referral date.", "held_on")
        row = CounsellingSession(case_id=case.id, held_on=held_on, kind=kind, start_time=start_time,
                                 location=location.strip(), counsellor_id=case.counsellor_id or actor.user_id or None,
                                 notes=notes.strip(), outcome=outcome)
        session.add(row)
        session.flush()
        return row.id


def _check_outcome(outcome: str | None, held_on: dt.date, today: dt.date) -> None:
    if outcome is not None:
        _choice(outcome, SESSION_OUTCOMES, "outcome", "Outcome")
    if outcome in rules.PAST_ONLY_OUTCOMES and held_on > today:
        raise ValidationError(
            f"Outcome: the session of {held_on:%d/%m/%Y} is still to come, so it cannot be recorded as "
            f"{SESSION_OUTCOMES[outcome].lower()} yet. Record it on or after that day; an appointment that will "
            "not happen can be recorded as cancelled.", "outcome")


@dataclass(frozen=True)
class OutcomeChange:
    """A session's outcome as :func:`set_session_outcome` found it and left it ("" : not recorded)."""
    session_id: int
    held_on: dt.date
    before: str
    after: str


def set_session_outcome(db: Database, actor: Principal, session_id: int, outcome: str | None, *,
                        expected: str | None = None, today: dt.date | None = None) -> OutcomeChange:
    """Record what became of a session: held, cancelled, did not attend, or (None) not recorded — the last
    for taking a mistaken outcome back (:mod:`counselling.undo`). Audited as any change. ``expected``: the
    outcome the counsellor saw ("" : not recorded); a colleague's change since is refused, naming it. Held and
    did not attend are refused for a session still to come; a held session that records shared for a pre-1975
    adoption rely on stays held (record the interview that was held first)."""
    require(actor, Permission.COUNSELLING_EDIT)
    day = _today(today)
    with db.session(actor) as session:
        row = _locked_session(session, session_id)
        case = _open_case_for_edit(session, row.case_id)
        before = row.outcome or ""
        if expected is not None and before != expected:
            now = SESSION_OUTCOMES.get(before, rules.NOT_RECORDED.lower())
            raise Conflict(f"The session of {row.held_on:%d/%m/%Y} was changed by a colleague since you opened the "
                           f"case: it is now recorded as {now.lower()}. Reload the case (F5) and check it before "
                           "changing it.")
        _check_outcome(outcome, row.held_on, day)
        if outcome != rules.HELD:
            _check_not_relied_on(session, case, row, "it stays recorded as held. If the interview was held on "
                                 "another day, add that session as held first.")
        row.outcome = outcome
        return OutcomeChange(row.id, row.held_on, before, outcome or "")


def add_redaction(db: Database, actor: Principal, case_id: int, item: str, reviewed_on: dt.date,
                  redactions_made: str = "", third_party_reviewed: bool = True, today: dt.date | None = None) -> int:
    """A document checked for third-party information (reviewed by the actor, on a date)."""
    require(actor, Permission.COUNSELLING_EDIT)
    _not_future(reviewed_on, _today(today), "reviewed_on", "Reviewed on")
    item = _text(item, "item", "Document reviewed", "say which document or file section was reviewed.")
    # as names on the referral: text a spreadsheet would run as a formula is refused (trial: "=HYPERLINK()")
    item = _keyed(clean_name, item, "Document reviewed", "item", max_length=200)
    redactions_made = _keyed(clean_text, redactions_made, "Redactions made", "redactions_made", multiline=True,
                             max_length=20000)
    if not third_party_reviewed:
        raise ValidationError("Third-party information reviewed: tick it once the document has been read "
                              "for information about other people.", "third_party_reviewed")
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id)
        if reviewed_on < case.referral_date:
            raise ValidationError("Reviewed on: it cannot be before the referral date.", "reviewed_on")
        _check_received_by(session, case.id, reviewed_on, none=(
            "Reviewed on: no records are recorded as received on this case; record their receipt (Record "
            "receipt…) before the redaction check.", "reviewed_on"), before=(
            "Reviewed on", "enter the day the check was done", "reviewed_on"))
        row = RedactionCheck(case_id=case.id, item=item, third_party_reviewed=True,
                             redactions_made=redactions_made.strip(), reviewed_by_id=actor.user_id or None,
                             reviewed_on=reviewed_on)
        session.add(row)
        session.flush()
        return row.id


def _check_not_relied_on(session: Session, case: CounsellingCase, row: CounsellingSession, advice: str) -> None:
    """Refused (:class:`Conflict`, ending in ``advice``) when ``row`` is the held session records shared for a
    pre-1975 adoption rely on: no other session held on or before that sharing."""
    if row.outcome != rules.HELD or not rules.counselling_required(case.adoption_order_date,
                                                                     case.adopted_before_1975):
        return
    others = [d for d in session.scalars(select(CounsellingSession.held_on).where(
        CounsellingSession.case_id == case.id, CounsellingSession.id != row.id,
        CounsellingSession.outcome == rules.HELD))]
    for shared in session.scalars(select(Disclosure.disclosed_on).where(
            Disclosure.case_id == case.id, Disclosure.records_shared.is_(True),
            Disclosure.disclosed_on >= row.held_on)):
        if not any(d <= shared for d in others):
            raise Conflict(
                f"The session of {row.held_on:%d/%m/%Y} is the counselling interview the records shared "
                f"on {shared:%d/%m/%Y} rely on ({_why_required(case)}); {advice}")


def remove_session(db: Database, actor: Principal, session_id: int, reason: str, *,
                   expected_outcome: str | None = None) -> None:
    """Take a counselling session entered by mistake off the case, with the reason (audited: the removal
    with every field and a ``remove_entered_in_error`` entry naming the reason). Refused while records
    shared for a pre-1975 adoption rely on it (no other session on or before that sharing).
    ``expected_outcome``: the outcome the counsellor saw ("": not recorded), the only part of a session that
    changes once entered; a colleague's outcome recorded since is refused (:class:`StaleRecord`), not removed
    with it. ``None`` (scripts): the session as stored now is removed."""
    require(actor, Permission.COUNSELLING_EDIT)
    why = _text(reason, "reason", "Reason", "say why the session is removed (for example: entered on the wrong "
                "case).", limit=500)
    with db.session(actor) as session:
        # lock the row so two people removing it at once remove (and audit) it once; the second is told it no
        # longer exists
        row = _locked_session(session, session_id)
        if expected_outcome is not None and (row.outcome or "") != expected_outcome:
            who, at = last_saved(session, row)
            now = SESSION_OUTCOMES.get(row.outcome or "", rules.NOT_RECORDED).lower()
            what = f"the session of {row.held_on:%d/%m/%Y}"
            raise StaleRecord(not_removed(who, what, at, now=f"recorded as {now}", see="Reload the case (F5) to "
                                          "see it", still="it was entered by mistake"),
                              what=what, saved_by=who, saved_at=at, saved_values={"Outcome": now})
        case = _open_case_for_edit(session, row.case_id)
        _check_not_relied_on(session, case, row, "it stays on the file. Correct its date by adding the session "
                             "as held, then remove this one.")
        audit.record(session, "remove_entered_in_error", "counselling_sessions", row.id,
                     detail=f"{case.reference}: session of {row.held_on:%d/%m/%Y} removed: {why}")
        session.delete(row)


def record_disclosure(db: Database, actor: Principal, case_id: int, on: dt.date, recipient: str, what: str,
                      method: str, *, records_shared: bool = False, today: dt.date | None = None) -> int:
    """Who disclosed what to whom, when and how. Sharing records needs a completed redaction check."""
    require(actor, Permission.COUNSELLING_EDIT)
    _not_future(on, _today(today), "disclosed_on", "Date")
    recipient = _text(recipient, "recipient", "Disclosed to", "name who received the information.")
    what = _text(what, "what", "What was disclosed", "describe the information or records shared.", limit=2000,
                 multiline=True)
    method = _text(method, "method", "How", "say how it was shared (in person, post, secure email…).", limit=40)
    recipient = _keyed(clean_name, recipient, "Disclosed to", "recipient", max_length=200)
    method = _keyed(clean_name, method, "How", "method", max_length=40)
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id)
        if records_shared:
            _check_received_by(session, case_id, on, none=(
                "Records shared: no records are recorded as received on this case; record their receipt (Record "
                "receipt…) before sharing them.", "records_shared"), before=(
                "Date", "records can be shared only once they have come: enter the day they were shared",
                "disclosed_on"))
            reviewed = list(session.scalars(select(RedactionCheck.reviewed_on).where(
                RedactionCheck.case_id == case_id).order_by(RedactionCheck.reviewed_on)))
            if not any(d <= on for d in reviewed):
                if reviewed:  # checked, but after this sharing: the file would say records went out unchecked
                    raise ValidationError(
                        f"Records shared: the redaction check on file was done on {reviewed[0]:%d/%m/%Y}, after "
                        f"the sharing date {on:%d/%m/%Y}. Records can be shared only once third-party information "
                        "has been reviewed: share them on or after that day, or correct the check's date.",
                        "records_shared")
                raise ValidationError("Records shared: record the redaction check (third-party information "
                                      "reviewed) before sharing records.", "records_shared")
            if rules.counselling_required(case.adoption_order_date, case.adopted_before_1975):
                # only a session recorded as held is the interview (UT1: a booked one never held counted once
                # its day had passed)
                sessions = list(session.scalars(select(CounsellingSession.held_on).where(
                    CounsellingSession.case_id == case_id, CounsellingSession.outcome == rules.HELD)
                    .order_by(CounsellingSession.held_on)))
                if not any(d <= on for d in sessions):
                    why = (f"Records shared: {_why_required(case, 'this applicant')}, so a counselling "
                           "interview must be held before information is released (Adoption Act 1976 s.51(7)); ")
                    unmarked = session.scalar(select(func.max(CounsellingSession.held_on)).where(
                        CounsellingSession.case_id == case_id, CounsellingSession.outcome.is_(None),
                        CounsellingSession.held_on <= on))
                    if unmarked is not None:
                        raise ValidationError(
                            why + f"the session of {unmarked:%d/%m/%Y} is not recorded as held. If it took place, "
                            "select it on the Sessions tab and record its outcome as Held (Record outcome…), "
                            "then share the records.", "records_shared")
                    if sessions:  # booked, but later than this sharing (user trial r2: "record it first" misled)
                        raise ValidationError(
                            why + f"the session recorded is on {sessions[0]:%d/%m/%Y}, after the sharing date "
                            f"{on:%d/%m/%Y}. The session must be held on or before the day the records are "
                            "shared: share them on or after that day, or correct the session's date if it was "
                            "held earlier.", "records_shared")
                    raise ValidationError(why + "record the session first.", "records_shared")
        return _add_disclosure(session, actor, case, on, recipient, what, method, records_shared).id


def _locked_session(session: Session, session_id: int) -> CounsellingSession:
    """The session row, locked for this transaction (two people changing or removing it at once: the second
    waits, then reads what the first left), or NotFound naming it."""
    session.connection().execute(select(CounsellingSession.id).where(
        CounsellingSession.id == session_id).with_for_update())
    return get_or_raise(session, CounsellingSession, session_id,
                        f"Session {session_id} does not exist: it may have been removed by a colleague.")
