"""Letters: everything documents.py needs to write a counselling letter (audited as a letter, and a
disclosure where the letter discloses)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import lock_row
from adoption_desktop.core.errors import Conflict, NotFound, ValidationError
from adoption_desktop.core.salutation import salutation_for
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import calendar
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_not_future
from adoption_desktop.counselling import rules
from adoption_desktop.counselling.models import RecordsChase
from adoption_desktop.counselling.service.common import (
    _add_disclosure,
    _case,
    _detail,
    _require_case_as_saved,
    _today,
)
from adoption_desktop.counselling.service.data import (
    ENTITY,
    FORMATS,
    HOLDERS,
    OUTCOMES,
    ROUTE_PHRASES,
    SESSION_KINDS,
    CaseDetail,
    RequestRow,
    SessionRow,
)

# --- letters: data for documents.py -------------------------------------------------------------

LETTER_KINDS: dict[str, str] = {
    "acknowledgement": "Acknowledgement of referral",
    "appointment": "Appointment",
    "records-request": "Records request to an archive or agency",
    "chaser": "Chaser for a records request",
    "records-ready": "Records ready",
}


#: what the acknowledgement's ``${allocation_text}`` says: a case on the waiting list is promised a letter when
#: a counsellor is allocated; an allocated case names its counsellor (the one who signs), never both
WAITING_TEXT = "We will write to you again when a counsellor has been allocated to you."
ALLOCATED_TEXT = "Your counsellor is {counsellor}, who will contact you to arrange a time to talk."
ALLOCATED_UNNAMED_TEXT = "A counsellor has been allocated to you and will contact you to arrange a time to talk."


def allocation_text(allocated_on: dt.date | None, counsellor: str) -> str:
    """Whether the applicant is still waiting for a counsellor, or who theirs is, as the acknowledgement says it."""
    if allocated_on is None:
        return WAITING_TEXT
    return ALLOCATED_TEXT.format(counsellor=counsellor) if counsellor.strip() else ALLOCATED_UNNAMED_TEXT


def closed_letter_reason(reference: str, closed_on: dt.date, outcome: str) -> str:
    """Why no letter is produced for a closed case (the service's refusal and the case window's tooltip).
    No kind follows closure: a chaser or records request would send the applicant's details to a records
    holder for a search that has ended, an appointment letter offers a meeting that will not happen, and the
    acknowledgement and records-ready letters belong to the start and middle of a case."""
    return (f"Case {reference} was closed on {closed_on:%d/%m/%Y} ({OUTCOMES.get(outcome, outcome)}): no letters "
            "are produced for a closed case, and nothing more is disclosed from it.")


def request_state_problem(kind: str, request: RequestRow) -> str:
    """Why a letter of ``kind`` cannot be written about ``request`` ("" when it can): a records request or a
    chaser for records already received ("We have not yet received them"), a records-ready letter for records
    not received ("on we received the records", with no date)."""
    received = request.received_on
    if kind == "chaser" and received is not None:
        return (f"Chaser letter: the records from {request.holder_name} were received on {received:%d/%m/%Y}; "
                "there is nothing to chase. Choose a request still waiting for its records.")
    if kind == "records-request" and received is not None:
        return (f"Records-request letter: the records from {request.holder_name} were received on "
                f"{received:%d/%m/%Y}; they need not be asked for again. Choose a request still waiting for its "
                "records, or add a new request.")
    if kind == "records-ready" and received is None:
        return (f"Records-ready letter: the records from {request.holder_name} are not recorded as received; "
                "record the receipt (Record receipt…) first, or choose a request whose records have come.")
    return ""


@dataclass(frozen=True)
class LetterData:
    kind: str
    case: CaseDetail
    request: RequestRow | None
    session: SessionRow | None
    signatory: str
    values: dict[str, str]
    #: the account that signs (the allocated counsellor, else the user); None when the team signs. The job
    #: title under the signature is read from it, never from the name another account may share
    signatory_id: int | None = None


def check_letter_date(on: dt.date, today: dt.date, referral_date: dt.date | None = None, *,
                      label: str = "Letter date", key: str = "date") -> dt.date:
    """The date a letter is dated, held to the checks of any date something happened on: not in the future
    (the letter's disclosure is recorded on it, and a disclosure dated ahead blocked closing the case until
    that day) and not before the referral (UT1: an acknowledgement dated 2020 for a 2026 referral)."""
    check_not_future(on, label, key, today=today,
                     advice="date the letter today or the day it was sent; a letter cannot be dated ahead")
    if referral_date is not None and on < referral_date:
        raise ValidationError(f"{label}: {on:%d/%m/%Y} is before the referral ({referral_date:%d/%m/%Y}); date "
                              "the letter on or after the day the referral was received.", key)
    return on


def letter_data(db: Database, actor: Principal, case_id: int, kind: str, *, request_id: int | None = None,
                session_id: int | None = None, today: dt.date | None = None, check_only: bool = False,
                on: dt.date | None = None) -> LetterData:
    """Everything a letter needs; audited as a ``letter`` entry, and a records request as a disclosure.
    Refused (:class:`Conflict`, nothing written) for a closed case: :func:`closed_letter_reason`.
    ``check_only``: every check, nothing written, and no values (the case window asks it before it asks
    where to save the letter, so a letter that would be refused is refused first). ``on``: the letter's date
    (default ``today``), not after ``today`` and not before the referral (:func:`check_letter_date`), nor, for
    a records request or chaser, before the request was sent, nor, for a records-ready letter, before the
    records came; the letter's disclosure is recorded on it."""
    require(actor, Permission.COUNSELLING_VIEW)
    if kind not in LETTER_KINDS:
        raise ValidationError(f"Letter kind: choose one of {', '.join(LETTER_KINDS)}.", "kind")
    clock = _today(today)
    day = check_letter_date(on, clock) if on is not None else clock
    with db.session(actor) as session:
        case = lock_row(session, _case(session, case_id))  # a colleague closing it meanwhile waits, then refuses
        _require_case_as_saved(session, case, "No letter was written.")
        if case.closed_on is not None:
            raise Conflict(closed_letter_reason(case.reference, case.closed_on, case.outcome))
        check_letter_date(day, clock, case.referral_date)
        detail = _detail(session, case, day)
        request: RequestRow | None = None
        appt: SessionRow | None = None
        if kind in {"records-request", "chaser", "records-ready"}:
            candidates = detail.requests
            if kind in {"chaser", "records-request"}:
                # a request whose records came needs no letter asking for them (trial: a records request picked
                # the latest even when received, and the letter disclosed the applicant's details again)
                candidates = [r for r in candidates if r.received_on is None]
            elif kind == "records-ready":
                candidates = [r for r in candidates if r.received_on is not None]
            if request_id is not None:
                found = [r for r in detail.requests if r.id == request_id]
                if not found:
                    raise NotFound(f"Case {case.reference} has no records request {request_id}.")
                request = found[0]
                # the request given is held to the same state as one the app picks: a letter written against
                # it would say what is not so, and log a disclosure that never happened
                problem = request_state_problem(kind, request)
                if problem:
                    raise ValidationError(problem, "request")
            elif candidates:
                request = max(candidates, key=lambda r: (r.sent_on, r.id))
            else:
                need = {"records-request": "records request yet: add the request first",
                        "chaser": "outstanding records request to chase",
                        "records-ready": "records request marked received: record the receipt first"}[kind]
                if kind == "records-request" and detail.requests:
                    need = ("records request still waiting for its records (every request has been answered): "
                            "add a new request first")
                raise ValidationError(f"Letter kind {kind}: case {case.reference} has no {need}.", "kind")
        if kind == "appointment":
            upcoming = [s for s in detail.sessions if s.held_on >= day and s.outcome != "cancelled"]
            if session_id is not None:
                found_s = [s for s in detail.sessions if s.id == session_id]
                if not found_s:
                    raise NotFound(f"Case {case.reference} has no session {session_id}.")
                appt = found_s[0]
                if appt.held_on < day:  # trial: the letter offered an appointment for yesterday
                    raise ValidationError(
                        f"Appointment letter: the session of {appt.held_on:%d/%m/%Y} is in the past; an "
                        "appointment letter offers a meeting to come. Choose an upcoming session, or add the "
                        "new appointment first.", "session")
                if appt.outcome == "cancelled":
                    raise ValidationError(
                        f"Appointment letter: the session of {appt.held_on:%d/%m/%Y} is recorded as cancelled; "
                        "choose an upcoming session, or add the new appointment first.", "session")
            elif upcoming:  # the next meeting, not the furthest one booked
                appt = min(upcoming, key=lambda s: (s.held_on, s.start_time, s.id))
            else:
                raise ValidationError(f"Letter kind appointment: case {case.reference} has no upcoming session "
                                      "booked; add the appointment first.", "kind")
        if kind == "records-ready" and request is not None:
            assert request.received_on is not None  # request_state_problem and the candidates see to it
            if not any(r.reviewed_on >= request.received_on for r in detail.redactions):
                # the letter says "I have read them carefully and reviewed any information about other people"
                raise ValidationError(
                    f"Records-ready letter: no redaction check is recorded for the records received from "
                    f"{request.holder_name} on {request.received_on:%d/%m/%Y}, and the letter tells the applicant "
                    "they have been read and information about other people reviewed. Record the redaction "
                    "check (Add redaction check… on the Redaction tab) first.", "request")
        if request is not None and kind in {"records-request", "chaser"} and day < request.sent_on:
            raise ValidationError(f"Letter date: {day:%d/%m/%Y} is before the request to {request.holder_name} was "
                                  f"sent ({request.sent_on:%d/%m/%Y}); date the letter on or after that day.", "date")
        if request is not None and kind == "chaser" and day == request.sent_on:
            raise ValidationError(f"Letter date: the request to {request.holder_name} was sent on {day:%d/%m/%Y}; a "
                                  "chaser follows the request, so date it a later day.", "date")
        if (request is not None and kind == "records-ready" and request.received_on is not None
                and day < request.received_on):
            raise ValidationError(f"Letter date: {day:%d/%m/%Y} is before the records from {request.holder_name} "
                                  f"were received ({request.received_on:%d/%m/%Y}); date the letter on or after "
                                  "that day.", "date")
        if kind in {"records-request", "chaser"} and request is not None and not request.holder_address.strip():
            raise ValidationError(
                f"{LETTER_KINDS[kind]}: the request to {request.holder_name} has no postal address, so the "
                "letter would go out with an empty address block. Remove the request (Remove request…) and add "
                "it again with the holder's address, or send the request another way.", "holder_address")
        if check_only:
            session.rollback()
            return LetterData(kind, detail, request, appt, "", {})
        # the allocated counsellor signs; else the user; headless commands sign for the team
        signatory = detail.counsellor or (actor.full_name if actor.user_id else "The birth-records counselling team")
        signatory_id = detail.counsellor_id if detail.counsellor else (actor.user_id or None)
        values = _letter_values(detail, request, appt, signatory, day)
        if kind == "chaser" and request is not None:
            values["chased_text"] = chased_text(request, day, session.scalars(select(RecordsChase.chased_on).where(
                RecordsChase.request_id == request.id)))
        from adoption_desktop.core.documents.pdf import long_date
        from adoption_desktop.core.documents.reply_by import reply_by
        from adoption_desktop.core.documents.templates import template_version_label

        reply = reply_by(session, day)
        if appt is not None and appt.held_on > day:  # an answer about an appointment is needed before it
            reply = max(day, min(reply, calendar(session).add_working_days(appt.held_on, -2)))
        values["reply_by"] = long_date(reply)
        audit.record(session, "letter", ENTITY, case.id,  # the record of the letter names its template version
                     detail=f"{kind} letter" + (f" (request {request.id})" if request else "")
                     + f", template {template_version_label(session, f'counselling_{kind}')}")
        if kind in {"records-request", "chaser"} and request is not None:
            _add_disclosure(session, actor, case, day, request.holder_name,
                            "Applicant's names, date of birth and adoption details to trace the records "
                            f"({LETTER_KINDS[kind].lower()})", "letter", False)
        elif kind == "records-ready":
            _add_disclosure(session, actor, case, day, case.current_name,
                            "That the records have been received and are ready to share", "letter", False)
    return LetterData(kind, detail, request, appt, signatory, values, signatory_id)


def chased_text(request: RequestRow, day: dt.date, history: Iterable[dt.date] = ()) -> str:
    """What a chaser dated ``day`` says of the chasers before it (``history``: the request's recorded chase
    days): none, the days, or — for chases recorded before the history was kept — that we have written again
    (UT1: a second chaser read as the first)."""
    days = {d for d in history if d < day}
    if request.last_chased_on is not None and request.last_chased_on < day:
        days.add(request.last_chased_on)
    earlier = request.chase_count - (1 if request.last_chased_on == day else 0)
    from adoption_desktop.core.documents.pdf import long_date

    if days:
        listed = sorted(days)
        said = (", ".join(long_date(d) for d in listed[:-1]) + " and " if len(listed) > 1 else "") + \
            long_date(listed[-1])
        return f"We wrote to you again on {said}, and have not yet received them or heard from you."
    if earlier > 0:
        return "We have written to you again since, and have not yet received them or heard from you."
    return "We have not yet received them or heard from you."


#: what the letters say of counselling once records have been shared (the meeting can no longer come "before
#: the information is released")
SHARED_NOTE = ("You have now received your records. Meeting a counsellor gives you time to talk about what they "
               "say and about anything you may want to do next, such as tracing or contacting birth relatives.")


def _counselling_note(flags: rules.CaseFlags, shared: bool = False) -> str:
    """Why the applicant must (or may) meet a counsellor, as the letter says it; once records have been
    shared (``shared``), what a meeting is for now."""
    if shared:
        return SHARED_NOTE
    if not flags.counselling_required:
        return "Counselling is offered to you; you may choose whether to meet a counsellor."
    if flags.order_date_known or flags.adopted_before_1975:
        return ("Because you were adopted before 12 November 1975, the law asks that you meet a counsellor before "
                "the information is released to you (Adoption Act 1976 s.51).")
    return ("We do not yet know the date of your adoption order. Anyone adopted before 12 November 1975 must meet "
            "a counsellor before the information is released to them (Adoption Act 1976 s.51), so we will "
            "arrange this meeting with you unless the records show you were adopted on or after that day.")


#: the appointment letter's word on identification, by the kind of session: only a meeting in person can ask the
#: applicant to bring something (trial: a telephone appointment said "Please bring photographic identification")
IDENTIFICATION_TEXT: dict[str, str] = {
    "in_person": "Please bring photographic identification, such as a passport or driving licence.",
    "video": "Please have photographic identification, such as a passport or driving licence, to hand to show "
             "me on screen.",
    "phone": "I will ask you a few questions at the start of the call to confirm who you are.",
}
#: the sentence the shipped appointment letter had as fixed text until December 2026 (an agency's own copy may
#: still hold it: ``documents.build_letter`` reads it as ``${identification_text}``)
OLD_IDENTIFICATION_SENTENCE = IDENTIFICATION_TEXT["in_person"]


def _letter_values(d: CaseDetail, request: RequestRow | None, appt: SessionRow | None, signatory: str,
                   today: dt.date) -> dict[str, str]:
    from adoption_desktop.core.documents.pdf import long_date

    r = d.referral
    order = r.adoption_order_date
    values = {
        "salutation": salutation_for(r.salutation, r.current_name), "applicant_name": r.current_name, "birth_name": r.birth_name,
        "date_of_birth": long_date(r.date_of_birth), "adoption_order_date": long_date(order) if order else "not known",
        "adoption_made": (f"which was made on {long_date(order)}" if order
                          else "and find out the date of your adoption order from the court or the records"),
        "court": r.court or "not known", "arranging_agency": r.arranging_agency or "not known",
        "referral_date": long_date(r.referral_date), "referral_route": ROUTE_PHRASES.get(r.referral_route, "").format(
            referred_by=r.referred_by or "another agency"),
        "our_reference": d.reference, "counsellor": signatory, "today": long_date(today),
        "counselling_note": _counselling_note(d.flags, any(x.records_shared for x in d.disclosures)),
        "allocation_text": allocation_text(d.allocated_on, d.counsellor),
    }
    if request is not None:
        values.update({
            "holder_name": request.holder_name, "holder_kind": HOLDERS[request.holder_kind].lower(),
            "their_reference": request.their_reference or "not yet known",
            "request_date": long_date(request.sent_on), "chase_count": str(request.chase_count),
            "pages": str(request.pages) if request.pages else "some",
            "record_format": FORMATS.get(request.record_format, "").lower() or "paper",
            "received_date": long_date(request.received_on) if request.received_on else "",
            "records_size": (f"They run to {request.pages} pages of "
                             f"{FORMATS.get(request.record_format, '').lower() or 'paper'} records." if request.pages
                             else f"They are {FORMATS.get(request.record_format, '').lower() or 'paper'} records."),
        })
    if appt is not None:
        values.update({
            "appointment_date": long_date(appt.held_on), "appointment_time": appt.start_time or "a time to be agreed",
            "appointment_kind": SESSION_KINDS[appt.kind].lower(),
            "appointment_place": appt.location or ("by video link" if appt.kind == "video" else
                                                   "by telephone" if appt.kind == "phone" else "our office"),
            "appointment_where": (
                f"We will meet by video link{f' ({appt.location})' if appt.location else ''}; I will send you "
                "the link beforehand." if appt.kind == "video" else
                f"I will telephone you{f' on {appt.location}' if appt.location else ''}." if appt.kind == "phone"
                else f"We will meet in person at {appt.location or 'our office, at the address above'}."),
            "identification_text": IDENTIFICATION_TEXT.get(appt.kind, IDENTIFICATION_TEXT["in_person"]),
        })
    return values
