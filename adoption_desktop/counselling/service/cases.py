"""A case from referral to closure: record and change the referral, open it, find it by reference,
allocate, record the checks, close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.errors import Conflict, NotFound, ValidationError
from adoption_desktop.core.security.models import UserRole
from adoption_desktop.core.security.permissions import Permission, Principal, Role, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.base import record_now
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import clean_text, name_key, reference_key
from adoption_desktop.counselling import rules
from adoption_desktop.counselling.models import (
    CounsellingCase,
    CounsellingSession,
    Disclosure,
    RecordsRequest,
    RedactionCheck,
)
from adoption_desktop.counselling.service.common import (
    CORRECT_ALLOCATION,
    HANDOVER,
    _case,
    _checks_of,
    _choice,
    _detail,
    _keyed,
    _names,
    _not_future,
    _open_case_for_edit,
    _today,
    _validate_referral,
    counsellor_since,
    counsellor_starts,
    handed_over_by,
    shared_without_interview_warning,
)
from adoption_desktop.counselling.service.data import (
    ENTITY,
    OPENED_IN_ERROR,
    OUTCOMES,
    SESSION_KINDS,
    CaseDetail,
    ClosingProblems,
    ReferralInput,
    SameApplicant,
)
from adoption_desktop.counselling.settings import REFERENCE_PREFIX

# --- cases --------------------------------------------------------------------------------------

def check_referral(data: ReferralInput, today: dt.date | None = None, *,
                   stored: CounsellingCase | None = None) -> ReferralInput:
    """The referral's details as :func:`create_referral` and :func:`update_referral` would save them, or the
    first :class:`ValidationError` they would refuse them with; nothing is read or saved. The New referral form
    checks its fields with this before asking "A case for … already exists" (user trial: the question came
    first, then the form's own error, then the same question again after it was put right). ``stored``: the
    case as saved, for an edit (its kept name, address and e-mail are not judged again for the envelope)."""
    return _validate_referral(data, _today(today), stored)


def create_referral(db: Database, actor: Principal, data: ReferralInput, today: dt.date | None = None) -> int:
    """Record a referral; refuses an applicant under 18 with a clear message. Returns the case id."""
    require(actor, Permission.COUNSELLING_EDIT)
    day = _today(today)
    clean = check_referral(data, day)
    with db.session(actor) as session:
        prefix = get_setting(session, REFERENCE_PREFIX)
        year = clean.referral_date.year
        like = f"{prefix}-{year}-%"
        n = session.scalar(select(func.count()).select_from(CounsellingCase)
                           .where(CounsellingCase.reference.like(like))) or 0
        case = CounsellingCase(reference=f"{prefix}-{year}-{n + 1:04d}", **clean.__dict__)
        session.add(case)
        session.flush()
        return case.id


def same_applicant(db: Database, actor: Principal, birth_name: str, date_of_birth: dt.date, *,
                   other_than: int | None = None) -> list[SameApplicant]:
    """The cases already on file for a person with this name at birth and date of birth (user trial: a second
    case for the same adult was created without a word). Names are compared as people read them (case, spaces,
    accents and titles aside: ``core.text_input.name_key``). One query, on the date of birth's index; a case
    closed as opened in error (a duplicate itself) is not listed."""
    require(actor, Permission.COUNSELLING_VIEW)
    key = name_key(birth_name)
    if not key:
        return []
    c = CounsellingCase
    with db.session(actor, write=False) as session:
        rows = session.execute(select(c.id, c.reference, c.birth_name, c.date_of_birth, c.closed_on, c.outcome)
                               .where(c.date_of_birth == date_of_birth).order_by(c.id)).all()
    return [SameApplicant(cid, ref, name, born, closed) for cid, ref, name, born, closed, outcome in rows
            if name_key(name) == key and outcome != OPENED_IN_ERROR and cid != other_than]


def update_referral(db: Database, actor: Principal, case_id: int, data: ReferralInput,
                    today: dt.date | None = None, *, expected_version: int | None = None) -> str:
    """Save the referral's details. Returns a warning ("" when none): when the adoption order date (or the
    answer) entered now makes the counselling interview required for records already shared without it.
    The truth is saved all the same (refusing it would keep a wrong date on file); the warning is audited
    and the case shows it."""
    require(actor, Permission.COUNSELLING_EDIT)
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id, expected_version)
        # judged against the case as saved now: a name, address or e-mail kept as it is is not judged again
        # against the envelope's window (a case saved before that rule still saves its new phone number)
        clean = check_referral(data, today, stored=case)
        _check_nothing_before(session, case, clean.referral_date)
        before = shared_without(session, case)
        for key, value in clean.__dict__.items():
            setattr(case, key, value)
        after = shared_without(session, case)
        if after and after != before:
            warning = shared_without_interview_warning(after)
            audit.record(session, "warning", ENTITY, case.id, detail=f"{case.reference}: {warning}")
            return warning
        return ""


def _check_nothing_before(session: Session, case: CounsellingCase, referral_date: dt.date) -> None:
    """A referral date after anything done on the case is refused, naming the earliest such event (trial: a
    referral dated after the allocation showed a negative wait on the list)."""
    events: list[tuple[dt.date, str]] = [
        (day, what) for day, what in (
            (case.allocated_on, "the case was allocated"),
            (case.acr_checked_on, "the Adoption Contact Register was checked"),
            (case.veto_checked_on, "the veto was checked"),
            (case.intermediary_signposted_on, "the intermediary service was signposted")) if day is not None]
    for column, case_column, what in (
            (RecordsRequest.sent_on, RecordsRequest.case_id, "a records request was sent"),
            (CounsellingSession.held_on, CounsellingSession.case_id, "a counselling session is dated"),
            (RedactionCheck.reviewed_on, RedactionCheck.case_id, "a redaction check was done"),
            (Disclosure.disclosed_on, Disclosure.case_id, "a disclosure is recorded")):
        day = session.scalar(select(func.min(column)).where(case_column == case.id))
        if day is not None:
            events.append((day, what))
    earlier = sorted((day, what) for day, what in events if day < referral_date)
    if earlier:
        day, what = earlier[0]
        raise ValidationError(f"Referral date: {referral_date:%d/%m/%Y} is after {what} ({day:%d/%m/%Y}); enter "
                              "the day the referral was received, on or before that day.", "referral_date")


def shared_without(session: Session, case: CounsellingCase) -> tuple[dt.date, ...]:
    """:func:`rules.shared_without_interview` for a case as it stands in ``session``."""
    sessions = session.scalars(select(CounsellingSession.held_on).where(
        CounsellingSession.case_id == case.id, CounsellingSession.outcome == rules.HELD))
    shared = session.scalars(select(Disclosure.disclosed_on).where(
        Disclosure.case_id == case.id, Disclosure.records_shared.is_(True)))
    return rules.shared_without_interview(
        rules.counselling_required(case.adoption_order_date, case.adopted_before_1975), list(sessions), list(shared))


def open_case(db: Database, actor: Principal, case_id: int, today: dt.date | None = None, *,
              audit_view: bool = True) -> CaseDetail:
    """The whole case; writes a ``view`` audit entry (``audit_view=False`` only for the screen's own
    refresh after an edit it made, which is audited as that edit)."""
    require(actor, Permission.COUNSELLING_VIEW)
    with db.session(actor, views_only=True) as session:
        case = _case(session, case_id)
        if audit_view:
            audit.record_view(session, ENTITY, case.id, detail=case.reference)
        return _detail(session, case, _today(today))


def case_id_for_reference(db: Database, actor: Principal, reference: str, *, label: str = "Case") -> int:
    """The case a person names by its reference, compared as references are; a refusal begins with
    ``label`` (the command line's ``--case``)."""
    require(actor, Permission.COUNSELLING_VIEW)
    with db.session(actor, write=False) as session:
        found = session.scalar(select(CounsellingCase.id).where(CounsellingCase.reference == reference.strip()))
        if found is None:  # typed differently (case, spacing, a pasted invisible character): compare normalised,
            key = reference_key(reference)  # by the indexed key the ORM keeps; a row written around it has none
            found = session.scalar(select(CounsellingCase.id).where(CounsellingCase.reference_key == key)
                                   .order_by(CounsellingCase.id).limit(1)) if key else None
            if found is None and key:
                found = next((cid for cid, ref in session.execute(
                    select(CounsellingCase.id, CounsellingCase.reference).where(CounsellingCase.reference_key.is_(None)))
                    if reference_key(ref) == key), None)
    if found is None:
        raise NotFound(f"{label}: no counselling case with reference {reference!r}.")
    return found


def allocate(db: Database, actor: Principal, case_id: int, counsellor_id: int, on: dt.date | None = None, *,
             expected_version: int | None = None, today: dt.date | None = None) -> None:
    require(actor, Permission.COUNSELLING_EDIT)
    day = on or _today(today)
    # a future allocation would take the case off the waiting list now, with a wait not yet served (trial)
    _not_future(day, _today(today), "allocated_on", "Allocation date")
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id, expected_version)
        _check_counsellor(session, counsellor_id)
        if day < case.referral_date:
            raise ValidationError("Allocation date: it cannot be before the referral date.", "allocated_on")
        if case.allocated_on is not None and counsellor_id == case.counsellor_id:
            # "Allocated to …" was said and the date typed went nowhere (found trying the case window, 7 December)
            since = counsellor_since(session, case) or case.allocated_on
            raise ValidationError(f"Counsellor: case {case.reference} is already allocated to "
                                  f"{_names(session).get(counsellor_id, 'this counsellor')} since {since:%d/%m/%Y}; "
                                  "nothing was changed. To hand it over, choose another counsellor.", "counsellor")
        if case.allocated_on is not None and counsellor_id != case.counsellor_id:
            # a hand-over: the first allocation stays (the wait ends there, in the list and the figures); the
            # hand-over day goes in the case's audit trail, and the header says "since" it (trial: the date
            # typed was ignored)
            since = counsellor_since(session, case) or case.allocated_on
            names = _names(session)
            current = names.get(case.counsellor_id or -1, "the current counsellor")
            if day < since:
                raise ValidationError(f"Allocation date: {day:%d/%m/%Y} is before {current} took the case "
                                      f"({since:%d/%m/%Y}); enter the day it is handed over.", "allocated_on")
            audit.record(session, HANDOVER, ENTITY, case.id,
                         changes={"counsellor_since": [since.isoformat(), day.isoformat()],
                                  "counsellor_id": [case.counsellor_id, counsellor_id]},
                         detail=f"{case.reference}: handed over from {current} to "
                                f"{names.get(counsellor_id, '?')} on {day:%d/%m/%Y}")
        case.counsellor_id = counsellor_id
        if case.allocated_on is None:
            case.allocated_on = day


def _check_counsellor(session: Session, counsellor_id: int) -> None:
    from adoption_desktop.core.security.service import in_effect

    roles = set(session.scalars(select(UserRole.role).where(UserRole.user_id == counsellor_id)))
    if str(Role.COUNSELLOR) not in roles or not in_effect(session, [(counsellor_id, str(Role.COUNSELLOR))]):
        raise ValidationError("Counsellor: choose a user who holds the counsellor role.", "counsellor")


def _first_work(session: Session, case: CounsellingCase) -> tuple[dt.date, str] | None:
    """The earliest of the counsellor's own work on the case: a session held, records shared. A first
    allocation corrected to a later day would count the wait on past it."""
    found = [(day, what) for day, what in (
        (session.scalar(select(func.min(CounsellingSession.held_on)).where(
            CounsellingSession.case_id == case.id, CounsellingSession.outcome == rules.HELD)),
         "a counselling session was held"),
        (session.scalar(select(func.min(Disclosure.disclosed_on)).where(
            Disclosure.case_id == case.id, Disclosure.records_shared.is_(True))), "records were shared"))
        if day is not None]
    return min(found) if found else None


def correct_allocation(db: Database, actor: Principal, case_id: int, counsellor_id: int, on: dt.date, reason: str,
                       *, expected_version: int, today: dt.date | None = None) -> str:
    """Correct the case's current allocation, entered wrongly: its day and/or its counsellor, with the reason.
    The current allocation is the first one (``allocated_on``, where the wait ends) or, after a hand-over, the
    last hand-over (the day is then the counsellor's "since"). Audited as ``correct_allocation`` with the days,
    the counsellors and the reason. Refused (keyed by the field) for a day in the future, before the referral,
    before the previous counsellor took the case, or (a first allocation) after a session held or records
    shared; for a case not allocated; when nothing would change; and (:class:`StaleRecord`) when the case has
    changed since ``expected_version``, a colleague's correction or hand-over never overwritten. Returns what
    was done, as the person would say it."""
    require(actor, Permission.COUNSELLING_EDIT)
    why = _keyed(clean_text, reason, "Reason for the correction", "reason", max_length=500).strip()
    if not why:
        raise ValidationError("Reason for the correction: say why the allocation is corrected (for example: the "
                              "wrong date was typed); it is kept in the audit log.", "reason")
    _not_future(on, _today(today), "allocated_on", "Allocation date")
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id, expected_version)
        starts = counsellor_starts(session, case)
        if not starts or case.allocated_on is None:
            raise ValidationError(f"Allocation: case {case.reference} is not allocated yet, so there is no "
                                  "allocation to correct; use Allocate….", "allocated_on")
        if counsellor_id != case.counsellor_id:  # a counsellor who has left keeps the case whose date is corrected
            _check_counsellor(session, counsellor_id)
        names = _names(session)
        since, before_counsellor = starts[-1], case.counsellor_id
        handover = len(starts) > 1
        if on < case.referral_date:
            raise ValidationError(f"Allocation date: {on:%d/%m/%Y} is before the referral date "
                                  f"({case.referral_date:%d/%m/%Y}); enter the day the case was allocated.",
                                  "allocated_on")
        if handover and on < starts[-2]:
            raise ValidationError(f"Allocation date: {on:%d/%m/%Y} is before the previous counsellor took the case "
                                  f"({starts[-2]:%d/%m/%Y}); enter the day it was handed over, on or after that "
                                  "day.", "allocated_on")
        later = None if handover else _first_work(session, case)
        if later is not None and on > later[0]:
            raise ValidationError(f"Allocation date: {on:%d/%m/%Y} is after {later[1]} ({later[0]:%d/%m/%Y}); "
                                  "the case was allocated on or before that day.", "allocated_on")
        handed_by = handed_over_by(session, case) if handover else None
        if handed_by is not None and counsellor_id == handed_by:
            # a hand-over "corrected" back to the counsellor who handed the case over: a hand-over from them to
            # themselves, and a "since" that was never a start (review, 7 December)
            who = names.get(handed_by, "this counsellor")
            raise ValidationError(f"Counsellor: {who} handed the case over on {since:%d/%m/%Y}: correct the "
                                  f"hand-over's counsellor to someone else, or, if the case has gone back to {who}, "
                                  "record that as a hand-over with Allocate… instead.", "counsellor")
        if on == since and counsellor_id == before_counsellor:
            raise ValidationError(f"Allocation date: case {case.reference} is already allocated to "
                                  f"{names.get(counsellor_id, 'this counsellor')} since {since:%d/%m/%Y}; nothing "
                                  "was changed. Change the counsellor or the date.", "allocated_on")
        what = "hand-over" if handover else "allocation"
        old_name = names.get(before_counsellor or -1, "?")
        new_name = names.get(counsellor_id, "?")
        if not handover:
            case.allocated_on = on  # the wait ends here, in the list and the figures
        case.counsellor_id = counsellor_id
        case.updated_at = record_now(session)  # a new version even when only a hand-over's day changes
        audit.record(session, CORRECT_ALLOCATION, ENTITY, case.id,
                     changes={"counsellor_since": [since.isoformat(), on.isoformat()],
                              "counsellor_id": [before_counsellor, counsellor_id]},
                     detail=f"{case.reference}: {what} to {old_name} on {since:%d/%m/%Y} corrected to "
                            f"{new_name} on {on:%d/%m/%Y}: {why}")
        return f"Allocation corrected: {new_name} since {on:%d/%m/%Y}."


#: the checks a case records: key -> (its column, its name)
CHECKS: dict[str, tuple[str, str]] = {
    "acr": ("acr_checked_on", "Adoption Contact Register check"),
    "veto": ("veto_checked_on", "Veto check"),
    "intermediary": ("intermediary_signposted_on", "Intermediary service signposting"),
}


def record_checks(db: Database, actor: Principal, case_id: int, *, acr_checked_on: dt.date | None = None,
                  acr_note: str | None = None, veto_checked_on: dt.date | None = None, veto_note: str | None = None,
                  intermediary_signposted_on: dt.date | None = None, today: dt.date | None = None,
                  expected_version: int | None = None,
                  remove: Collection[str] | Mapping[str, dt.date | None] = (),
                  removal_reason: str = "") -> list[str]:
    """Adoption Contact Register and veto checks, intermediary service signposted (pre-commencement).

    A check date records that check (with its note); a note alone (``None``: left as it is) changes the note
    of a check already recorded. ``expected_version``: the case as the counsellor saw it: a colleague's
    checks saved since are never replaced silently (:class:`StaleRecord`, with the checks now stored).
    ``remove`` (keys of :data:`CHECKS`): checks recorded by mistake, taken off with ``removal_reason`` (required;
    each removal an audited ``remove_entered_in_error`` entry naming the check, its date and the reason); as a
    mapping, each with the date the counsellor unticked: a check a colleague recorded since on another date is
    theirs and is not removed (:class:`Conflict`; a review found a re-applied untick taking a colleague's new
    check off, note and all).
    Returns what was removed, as the person would say it (UT1: unticking a check said "Checks recorded." and
    kept it)."""
    require(actor, Permission.COUNSELLING_EDIT)
    unknown = [name for name in remove if name not in CHECKS]
    if unknown:
        raise ValidationError(f"Checks: {unknown[0]!r} is not a check; choose from {', '.join(CHECKS)}.", "checks")
    why = _keyed(clean_text, removal_reason, "Reason for removing", "removal_reason", max_length=500).strip()
    if remove and not why:
        raise ValidationError("Reason for removing: say why the check is taken off (for example: ticked by "
                              "mistake, the register was not checked); it is kept in the audit log.",
                              "removal_reason")
    notes = {name: None if value is None else _keyed(clean_text, value, label, name, multiline=True,
                                                     max_length=4000).strip()
             for name, value, label in (("acr_note", acr_note, "Adoption Contact Register note"),
                                        ("veto_note", veto_note, "Veto note"))}
    for day, name, label in ((acr_checked_on, "acr_checked_on", "Adoption Contact Register check date"),
                             (veto_checked_on, "veto_checked_on", "Veto check date"),
                             (intermediary_signposted_on, "intermediary_signposted_on", "Signposting date")):
        if day is not None:
            _not_future(day, _today(today), name, label)
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id, expected_version, _checks_of)
        for day, name, label in ((acr_checked_on, "acr_checked_on", "Adoption Contact Register check date"),
                                 (veto_checked_on, "veto_checked_on", "Veto check date"),
                                 (intermediary_signposted_on, "intermediary_signposted_on", "Signposting date")):
            if day is not None and day < case.referral_date:  # as disclosures are (trial: they were accepted)
                raise ValidationError(f"{label}: {day:%d/%m/%Y} is before the referral date "
                                      f"({case.referral_date:%d/%m/%Y}); enter the day it was done.", name)
        removed: list[str] = []
        for name in remove:
            column, label = CHECKS[name]
            if name == "intermediary":
                given = intermediary_signposted_on
            else:
                given = acr_checked_on if name == "acr" else veto_checked_on
            if given is not None:
                raise ValidationError(f"{label}: it cannot be recorded and removed at once; do one or the "
                                      "other.", column)
            day = getattr(case, column)
            if day is None:
                continue  # not on record (a colleague took it off): nothing to remove
            seen = remove.get(name) if isinstance(remove, Mapping) else day
            if seen != day:
                raise Conflict(f"{label}: the check on record is now dated {day:%d/%m/%Y}, recorded since you "
                               f"opened the case" + (f" (you unticked the one of {seen:%d/%m/%Y})" if seen else "")
                               + "; it was not removed, and nothing was saved. Open Record checks again to see it.")
            audit.record(session, "remove_entered_in_error", ENTITY, case.id,
                         detail=f"{case.reference}: {label.lower()} of {day:%d/%m/%Y} removed: {why}")
            setattr(case, column, None)
            if name != "intermediary":
                setattr(case, f"{name}_note", "")
            removed.append(f"{label.lower()} of {day:%d/%m/%Y}")
        for check, day in (("acr", acr_checked_on), ("veto", veto_checked_on)):
            note = notes[f"{check}_note"]
            if day:
                setattr(case, f"{check}_checked_on", day)
                setattr(case, f"{check}_note", note or "")
            elif note is not None and getattr(case, f"{check}_checked_on") is not None:
                setattr(case, f"{check}_note", note)
        if intermediary_signposted_on:
            case.intermediary_signposted_on = intermediary_signposted_on
        return removed


def _closing_problems(session: Session, case_id: int, on: dt.date) -> ClosingProblems:
    requests = tuple((r.id, f"to {r.holder_name}, sent {r.sent_on:%d/%m/%Y}") for r in session.scalars(
        select(RecordsRequest).where(RecordsRequest.case_id == case_id, RecordsRequest.received_on.is_(None))
        .order_by(RecordsRequest.sent_on, RecordsRequest.id)))
    appointments = tuple(
        (s.id, f"{s.held_on:%d/%m/%Y}" + (f" {s.start_time}" if s.start_time else "")
         + f", {SESSION_KINDS.get(s.kind, s.kind).lower()}") for s in session.scalars(
            select(CounsellingSession).where(CounsellingSession.case_id == case_id, CounsellingSession.held_on > on)
            .order_by(CounsellingSession.held_on, CounsellingSession.id)))
    return ClosingProblems(requests, appointments)


def _check_nothing_held_after(session: Session, case_id: int, on: dt.date, today: dt.date) -> None:
    """A closure date before a session that took place is refused: closing cancels the appointments after
    it, and a session held (the statutory interview, perhaps) is a record, not an appointment. Only a session
    recorded as held took place (UT1: a booked one whose day had passed, never held, blocked the closure)."""
    held = session.scalar(select(func.max(CounsellingSession.held_on)).where(
        CounsellingSession.case_id == case_id, CounsellingSession.held_on > on, CounsellingSession.held_on <= today,
        CounsellingSession.outcome == rules.HELD))
    if held is not None:
        raise ValidationError(f"Closure date: a session took place on {held:%d/%m/%Y}, after {on:%d/%m/%Y}; close "
                              "the case on or after the last session held.", "closed_on")


def closing_problems(db: Database, actor: Principal, case_id: int, on: dt.date,
                     today: dt.date | None = None) -> ClosingProblems:
    """What closing the case on ``on`` would leave: records requests not answered and appointments after
    ``on``. Ask the counsellor about them, then pass the answer to :func:`close_case` as ``confirmed``.
    A closure date before a session already held is refused (:class:`ValidationError`)."""
    require(actor, Permission.COUNSELLING_EDIT)
    with db.session(actor, write=False) as session:
        _case(session, case_id)
        _check_nothing_held_after(session, case_id, on, _today(today))
        return _closing_problems(session, case_id, on)


def close_case(db: Database, actor: Principal, case_id: int, on: dt.date, outcome: str, note: str = "",
               today: dt.date | None = None, *, expected_version: int | None = None,
               confirmed: ClosingProblems | None = None) -> None:
    """Close the case on ``on`` with an outcome. Records requests not answered or appointments after ``on``
    (:func:`closing_problems`) must be ``confirmed``, exactly as they stand now: otherwise refused, naming
    them. The appointments are cancelled in the same transaction (each removal audited with the case)."""
    require(actor, Permission.COUNSELLING_EDIT)
    _choice(outcome, OUTCOMES, "outcome", "Outcome")
    _not_future(on, _today(today), "closed_on", "Closure date")
    note = _keyed(clean_text, note, "Closure note", "note", multiline=True, max_length=4000)
    with db.session(actor) as session:
        # the appointments closing would cancel are locked first, in id order, as removing a session locks
        # the session before its case (two orders would deadlock)
        session.connection().execute(select(CounsellingSession.id).where(
            CounsellingSession.case_id == case_id, CounsellingSession.held_on > on)
            .order_by(CounsellingSession.id).with_for_update())
        case = _open_case_for_edit(session, case_id, expected_version,
                                   refused="It was not closed: the closed case, a final record, would keep what was "
                                           "changed outside the application.")
        if on < case.referral_date:
            raise ValidationError("Closure date: it cannot be before the referral date.", "closed_on")
        if case.allocated_on is not None and on < case.allocated_on:  # trial: only the referral was checked
            raise ValidationError(f"Closure date: {on:%d/%m/%Y} is before the case was allocated "
                                  f"({case.allocated_on:%d/%m/%Y}); close the case on or after that day.",
                                  "closed_on")
        if outcome == "records_shared":
            shared = session.scalar(select(func.min(Disclosure.disclosed_on)).where(
                Disclosure.case_id == case_id, Disclosure.records_shared.is_(True)))
            if shared is None:
                raise ValidationError("Outcome: no sharing of records is recorded; record the records "
                                      "shared first or choose another outcome.", "outcome")
            if shared > on:
                raise ValidationError(f"Closure date: the records were shared on {shared:%d/%m/%Y}, after "
                                      f"{on:%d/%m/%Y}; close the case on or after that day.", "closed_on")
        disclosed = session.scalar(select(func.max(Disclosure.disclosed_on)).where(
            Disclosure.case_id == case_id, Disclosure.disclosed_on > on))
        if disclosed is not None:  # the disclosure log is the record of what went out when: not after closure
            raise ValidationError(f"Closure date: a disclosure is recorded on {disclosed:%d/%m/%Y}, after "
                                  f"{on:%d/%m/%Y}; close the case on or after the last disclosure.", "closed_on")
        _check_nothing_held_after(session, case_id, on, _today(today))
        problems = _closing_problems(session, case_id, on)
        if problems and problems != confirmed:
            raise ValidationError(f"Close case: confirm closing with these first.\n\n{problems.question()}",
                                  "closed_on")
        outstanding = len(problems.requests)
        for row in session.scalars(select(CounsellingSession).where(
                CounsellingSession.id.in_([sid for sid, _text in problems.appointments]))
                .order_by(CounsellingSession.id)):
            audit.record(session, "cancel_on_closing", "counselling_sessions", row.id,
                         detail=f"{case.reference}: appointment of {row.held_on:%d/%m/%Y} cancelled, the case "
                         f"closed on {on:%d/%m/%Y}")
            session.delete(row)
        case.closed_on, case.outcome, case.closure_note = on, outcome, note.strip()
        if outstanding:
            audit.record(session, "close_with_open_requests", ENTITY, case_id,
                         detail=f"{outstanding} records request(s) still outstanding")
