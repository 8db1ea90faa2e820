"""Helpers shared by the use cases: reading and locking a case, checking input, building a case's detail,
recording a disclosure."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.concurrency import last_saved, lock_row, stale, version_of, when_text
from adoption_desktop.core.documents.address_block import (
    WINDOW_LINES,
    WINDOW_WIDTH,
    check_name_line,
    line_width,
    mm,
)
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.salutation import clean_salutation
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.text_input import (
    check_date,
    check_email,
    check_not_future,
    clean_address,
    clean_name,
    clean_text,
)
from adoption_desktop.counselling import rules
from adoption_desktop.counselling.models import (
    CounsellingCase,
    CounsellingSession,
    Disclosure,
    RecordsRequest,
    RedactionCheck,
)
from adoption_desktop.counselling.service.data import (
    CONTACT,
    ENTITY,
    ROUTES,
    SESSION_OUTCOMES,
    CaseDetail,
    DisclosureRow,
    RedactionRow,
    ReferralInput,
    RequestRow,
    SessionRow,
)
from adoption_desktop.counselling.settings import PRIORITY_AGE

# --- helpers -----------------------------------------------------------------------------------

def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _names(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.full_name))}


def _case(session: Session, case_id: int) -> CounsellingCase:
    case = get_or_raise(session, CounsellingCase, case_id, f"Counselling case {case_id} does not exist.")
    return case


def order_date_problem(born: dt.date, order: dt.date | None) -> str:
    """Why an adoption order date cannot be right for someone born on ``born`` ("" when it can): only a child
    can be adopted (:func:`rules.adoption_age_limit`), and someone 18 by 12 November 1975 was adopted
    before it (a 1975 typed for 1957 made the interview optional — review). Refused when a referral is
    saved; shown on a case saved before the check."""
    if order is None:
        return ""
    if order <= born:  # refused on saving (its own message, first); a case saved before that says so too
        return f"{order:%d/%m/%Y} is not after the applicant's date of birth ({born:%d/%m/%Y})."
    age = rules.age_on(born, order)
    if age >= rules.adoption_age_limit(order):
        return f"the applicant was {age} on {order:%d/%m/%Y}; an adoption order is made only for a child."
    if rules.before_1975_from_birth(born) is True and order >= rules.COUNSELLING_DATE:
        return (f"born on {born:%d/%m/%Y}, the applicant was 18 before 12 November 1975, so the order was made "
                f"before that day, not on {order:%d/%m/%Y}.")
    return ""


def referral_values(r: ReferralInput) -> dict[str, str]:
    """Every field of a referral as a conflict shows it: *Re-apply my change* writes them all, so none may be
    overwritten unseen (a date of birth or court a colleague corrected meanwhile — review)."""
    day = "{:%d/%m/%Y}".format
    return {"Referral date": day(r.referral_date), "Referral route": ROUTES.get(r.referral_route, r.referral_route),
            "Referred by": r.referred_by, "Name at birth": r.birth_name, "Current name": r.current_name,
            "Salutation": r.salutation, "Date of birth": day(r.date_of_birth), "Address": r.address,
            "Phone": r.phone, "Email": r.email,
            "Preferred contact": CONTACT.get(r.preferred_contact, r.preferred_contact),
            **order_date_values(r.adoption_order_date, r.adopted_before_1975),
            "Court": r.court, "Arranging agency": r.arranging_agency}


def order_date_values(order: dt.date | None, before_1975: bool | None) -> dict[str, str]:
    """The adoption order date and the before-1975 answer as a conflict shows them (a colleague who entered
    the date from the court's records must never be overwritten with "not known" unseen)."""
    return {"Adoption order date": f"{order:%d/%m/%Y}" if order else "not known",
            "Adopted before 12/11/1975?": "" if order else {True: "Yes", False: "No", None: "Not known"}[before_1975]}


def _case_values(case: CounsellingCase) -> dict[str, str]:
    return {**referral_values(_referral_of(case)), "Counsellor": str(case.counsellor_id or ""),
            "Allocated": f"{case.allocated_on:%d/%m/%Y}" if case.allocated_on else "",
            "Closed": f"{case.closed_on:%d/%m/%Y}" if case.closed_on else "", "Outcome": case.outcome}


def checks_values(acr_checked_on: dt.date | None, acr_note: str, veto_checked_on: dt.date | None, veto_note: str,
                  intermediary_signposted_on: dt.date | None) -> dict[str, str]:
    """The register and veto checks under the labels a conflict shows them (the saved case's and the
    counsellor's own alike)."""
    def day(d: dt.date | None) -> str:
        return f"{d:%d/%m/%Y}" if d else "not recorded"

    return {"Adoption Contact Register checked": day(acr_checked_on), "ACR note": acr_note,
            "Veto checked": day(veto_checked_on), "Veto note": veto_note,
            "Intermediary service signposted": day(intermediary_signposted_on)}


def _checks_of(case: CounsellingCase) -> dict[str, str]:
    return checks_values(case.acr_checked_on, case.acr_note, case.veto_checked_on, case.veto_note,
                         case.intermediary_signposted_on)


#: what a counsellor can do about a closed case: no part of the program reopens one (closed cases are final
#: records, sealed), so an applicant who needs more help comes back as a new referral
CLOSED_NEXT_STEP = ("Reload the case (F5 in the case window) to see how it was closed. A closed case cannot be "
                    "reopened: if the applicant needs more help, record a new referral (New referral… on the "
                    "Counselling page).")


#: a case not as the program last saved it (``seal_check.require_as_last_saved``)
NOT_AS_SAVED = "This case is not as it was last saved in Adoption Desktop"
#: what :func:`_open_case_for_edit` says was not done, unless told otherwise
CHANGES_NOT_SAVED = "Your changes were not saved."


def _require_case_as_saved(session: Session, case: CounsellingCase, refused: str) -> None:
    """Refuse to change or close a case whose row is not as the program last sealed it: an open case changed
    in SQL (or a closed one made to look open) would otherwise be closed with the change in it, and the
    closed case's seal would vouch for it. Called under the case's lock."""
    from adoption_desktop.core.audit.seal_check import require_as_last_saved

    require_as_last_saved(session, "counselling_cases", case.id, NOT_AS_SAVED,
                          f"{refused} Nothing was saved; the case stays as it is.")


def _open_case_for_edit(session: Session, case_id: int, expected_version: int | None = None,
                        values: Callable[[CounsellingCase], dict[str, str]] | None = None, *,
                        refused: str = CHANGES_NOT_SAVED) -> CounsellingCase:
    """The case, locked for this transaction, as the program last saved it (``refused``: what the refusal
    says was not done), still open, and (with ``expected_version``) still the version the counsellor was
    looking at; a stale one is refused showing ``values`` of the saved case (by default its referral,
    allocation and closure)."""
    case = lock_row(session, _case(session, case_id))
    _require_case_as_saved(session, case, refused)
    if case.closed_on is not None:
        who, at = last_saved(session, case)
        raise Conflict(f"Case {case.reference} was closed on {case.closed_on:%d/%m/%Y} (by {who}, "
                       f"{when_text(at)}); it cannot be changed, so nothing was saved. " + CLOSED_NEXT_STEP)
    if expected_version is not None and case.row_version != expected_version:
        raise stale(session, case, expected_version, f"case {case.reference}", values or _case_values)
    return case


def _text(value: str, field_name: str, label: str, fix: str, *, required: bool = True, limit: int = 200,
          multiline: bool = False) -> str:
    value = clean_text(value, label, multiline=multiline)
    if required and not value:
        raise ValidationError(f"{label}: {fix}", field_name)
    if len(value) > limit:
        raise ValidationError(f"{label}: use at most {limit} characters.", field_name)
    return value


def _choice(value: str, choices: dict[str, str], field_name: str, label: str) -> str:
    if value not in choices:
        raise ValidationError(f"{label}: choose one of {', '.join(choices.values())}.", field_name)
    return value


def _not_future(day: dt.date, today: dt.date, field_name: str, label: str) -> None:
    check_not_future(day, label, field_name, today=today, advice="enter the date it happened")


def _keyed(clean: Callable[..., str], value: str, label: str, key: str, **options: object) -> str:
    """``clean(value, label, **options)`` with a refusal pointing at the form field ``key`` (the core cleaners
    name the field by its label)."""
    try:
        return clean(value, label, **options)
    except ValidationError as error:
        error.field = key
        raise


#: the characters a phone number is written with besides its digits
_PHONE_SIGNS = frozenset(" +()-")
#: how many digits a phone number has: an extension-less UK number 10 or 11, E.164 at most 15
PHONE_DIGITS = (7, 15)


def check_phone(value: str, label: str = "Phone", key: str = "phone") -> str:
    """``value`` (already cleaned) when it is empty or looks like a phone number: digits, with spaces, a
    leading +, brackets and hyphens, and 7 to 15 digits; otherwise refused, quoting it (trial: "call me maybe"
    and "=1+1" were accepted)."""
    if not value:
        return value
    digits = sum(ch.isdigit() for ch in value)
    if (any(not (ch.isdigit() or ch in _PHONE_SIGNS) for ch in value) or "+" in value[1:]
            or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]):
        raise ValidationError(
            f"{label}: {value!r} is not a phone number; enter its {PHONE_DIGITS[0]} to {PHONE_DIGITS[1]} digits, "
            "with spaces, brackets, hyphens or a leading + if you like (for example 01632 960001).", key)
    return value


def _validate_referral(data: ReferralInput, today: dt.date, stored: CounsellingCase | None = None) -> ReferralInput:
    """The referral as it would be saved, or the first refusal. ``stored``: the case as saved (an edit), whose
    name, address and e-mail are not judged again against the envelope's window while they are kept as they
    are: a case saved before that rule still saves a new phone number (review: it was refused for the name)."""
    def kept(field: str, value: str) -> bool:
        return stored is not None and value.strip() == (getattr(stored, field, None) or "").strip()
    _not_future(data.referral_date, today, "referral_date", "Referral date")
    # keyed by the form's widgets, so a refusal focuses the date and clears once it is fixed (trial: keyed by
    # the label, it did neither)
    check_date(data.date_of_birth, "Date of birth", "birth", today=today, required=True, key="date_of_birth")
    # the adoption order date may be not known yet (learned later from the court or the records)
    check_date(data.adoption_order_date, "Adoption order date", "adoption", today=today, required=False,
               key="adoption_order_date")
    if data.adopted_before_1975 not in (None, True, False):
        raise ValidationError("Adopted before 12 November 1975: choose Not known, Yes or No.",
                              "adopted_before_1975")
    data = replace(
        data, referred_by=_keyed(clean_name, data.referred_by, "Referred by", "referred_by", max_length=200),
        birth_name=_keyed(clean_name, data.birth_name, "Name at birth", "birth_name"),
        current_name=_keyed(clean_name, data.current_name, "Name now", "current_name"),
        salutation=_keyed(clean_salutation, data.salutation, "Salutation", "salutation"),
        address=_keyed(clean_address, data.address, "Address", "address", max_length=1000,  # under the name
                        window_lines=None if kept("address", data.address) else WINDOW_LINES - 1, above="the name"),
        phone=check_phone(_keyed(clean_text, data.phone, "Phone", "phone", max_length=40).strip()),
        email=_keyed(clean_text, data.email, "Email", "email", max_length=120),
        court=_keyed(clean_name, data.court, "Court", "court", max_length=200),
        arranging_agency=_keyed(clean_name, data.arranging_agency, "Arranging agency", "arranging_agency",
                                max_length=200))
    _choice(data.referral_route, ROUTES, "referral_route", "Referral route")
    _choice(data.preferred_contact, CONTACT, "preferred_contact", "Preferred contact")
    if data.referral_route == "agency" and not data.referred_by.strip():
        raise ValidationError("Referred by: name the agency that referred the applicant.", "referred_by")
    birth = _text(data.birth_name, "birth_name", "Name at birth", "enter the applicant's name at birth.",
                  limit=120)
    current = _text(data.current_name, "current_name", "Name now", "enter the applicant's current name.",
                    limit=120)
    # the first line of every letter to the applicant: checked here, not weeks later when a letter is printed
    if not kept("current_name", current):
        current = _keyed(check_name_line, current, "Name now", "current_name")
    order = data.adoption_order_date
    if order is not None and data.date_of_birth >= order:
        raise ValidationError("Adoption order date: it must be after the applicant's date of birth.",
                              "adoption_order_date")
    doubt = order_date_problem(data.date_of_birth, order)
    if doubt:
        raise ValidationError(f"Adoption order date: {doubt} Check the date and the date of birth; if the "
                              "right date is not known, empty the field (not known).", "adoption_order_date")
    if order is not None and order > data.referral_date:
        raise ValidationError("Adoption order date: it must be before the referral date.", "adoption_order_date")
    from_birth = rules.before_1975_from_birth(data.date_of_birth)
    if order is None and data.adopted_before_1975 is True and from_birth is False:
        raise ValidationError(
            f"Adopted before 12 November 1975: the applicant was born on {data.date_of_birth:%d/%m/%Y}, so the "
            "adoption was on or after that day; choose No or Not known.", "adopted_before_1975")
    if order is None and data.adopted_before_1975 is False and from_birth is True:
        raise ValidationError(
            f"Adopted before 12 November 1975: the applicant was born on {data.date_of_birth:%d/%m/%Y} and was 18 "
            "before that day, so the adoption was earlier (an adoption order is made only for a child); choose "
            "Yes or Not known.", "adopted_before_1975")
    problem = rules.under_age_message(data.date_of_birth, data.referral_date)
    if problem:
        raise ValidationError(problem, "date_of_birth")
    check_email(data.email, "Email")  # a badly formed address is told as such, whatever the preferred contact
    if data.email and not data.address.strip() and line_width(data.email.strip()) > WINDOW_WIDTH \
            and not (kept("email", data.email) and kept("address", data.address)):
        # with no postal address the letters print the e-mail address under the name (documents.recipient_lines)
        raise ValidationError(
            f"Email: \"{data.email.strip()}\" is too long for the envelope's window (at most "
            f"{WINDOW_WIDTH / mm:.0f} mm at the letter's size), where letters print it under the name when no postal "
            "address is recorded: enter the postal address.", "email")
    if data.preferred_contact == "email" and not data.email:
        raise ValidationError("Email: preferred contact is email, so enter an email address.", "email")
    if data.preferred_contact == "phone" and not data.phone.strip():
        raise ValidationError("Phone: preferred contact is phone, so enter a phone number.", "phone")
    if data.preferred_contact == "letter" and not data.address.strip():
        raise ValidationError("Address: preferred contact is letter, so enter a postal address.", "address")
    return ReferralInput(
        referral_date=data.referral_date, referral_route=data.referral_route,
        referred_by=data.referred_by.strip(), birth_name=birth, current_name=current,
        date_of_birth=data.date_of_birth, address=data.address.strip(), phone=data.phone.strip(),
        email=data.email.strip(), preferred_contact=data.preferred_contact,
        adoption_order_date=order, court=data.court.strip(),
        arranging_agency=data.arranging_agency.strip(), salutation=data.salutation.strip(),
        # with a date the answer is derived from it, never stored beside it (they could not disagree)
        adopted_before_1975=rules.known_before_1975(order, data.adopted_before_1975, data.date_of_birth))


def _referral_of(case: CounsellingCase) -> ReferralInput:
    return ReferralInput(
        referral_date=case.referral_date, referral_route=case.referral_route, referred_by=case.referred_by,
        birth_name=case.birth_name, current_name=case.current_name, date_of_birth=case.date_of_birth,
        address=case.address, phone=case.phone, email=case.email, preferred_contact=case.preferred_contact,
        adoption_order_date=case.adoption_order_date, court=case.court, arranging_agency=case.arranging_agency,
        salutation=case.salutation, adopted_before_1975=case.adopted_before_1975)


#: the audit action recording a case handed over to another counsellor; its ``changes`` hold
#: ``{"counsellor_since": [previous ISO date, hand-over ISO date], "counsellor_id": [from, to]}`` (a hand-over
#: recorded before 7 December 2026 holds ``counsellor_since`` only: see :func:`handed_over_by`)
HANDOVER = "handover"
#: the audit action recording a correction of the current allocation (the first allocation, or the last
#: hand-over): its ``changes`` hold ``{"counsellor_since": [ISO date before, ISO date now], "counsellor_id":
#: [before, now]}`` and its detail the reason (``cases.correct_allocation``)
CORRECT_ALLOCATION = "correct_allocation"


def counsellor_starts(session: Session, case: CounsellingCase) -> list[dt.date]:
    """The day each counsellor of the case took it, first to last: the first allocation (``allocated_on``),
    then each hand-over, as corrected since (``CORRECT_ALLOCATION``); [] for a case never allocated."""
    if case.allocated_on is None:
        return []
    starts = [case.allocated_on]
    for action, changes in session.execute(select(AuditEntry.action, AuditEntry.changes).where(
            AuditEntry.action.in_((HANDOVER, CORRECT_ALLOCATION)), AuditEntry.entity == ENTITY,
            AuditEntry.entity_id == str(case.id)).order_by(AuditEntry.seq)):
        try:
            day = dt.date.fromisoformat(json.loads(changes)["counsellor_since"][1])
        except (ValueError, KeyError, IndexError, TypeError):
            continue
        if action == HANDOVER:
            starts.append(day)
        elif len(starts) > 1:  # a hand-over corrected (a first allocation corrected is ``allocated_on`` itself)
            starts[-1] = day
    return starts


def handed_over_by(session: Session, case: CounsellingCase) -> int | None:
    """The counsellor who handed the case over in its last hand-over (as recorded: a correction changes who
    took it, never who handed it over); None when the case was never handed over or it cannot be told. A
    hand-over recorded before its entry held ``counsellor_id`` is read from the case's ``update`` entry written
    in the same save (the next entry of the case, by the same person), which holds the counsellor changed."""
    found = session.execute(select(AuditEntry.seq, AuditEntry.actor_id, AuditEntry.changes).where(
        AuditEntry.action == HANDOVER, AuditEntry.entity == ENTITY, AuditEntry.entity_id == str(case.id))
        .order_by(AuditEntry.seq.desc()).limit(1)).first()
    if found is None:
        return None
    seq, actor_id, changes = found
    previous = _counsellor_from(changes)
    if previous is None:
        after = session.execute(select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.changes).where(
            AuditEntry.entity == ENTITY, AuditEntry.entity_id == str(case.id), AuditEntry.seq > seq)
            .order_by(AuditEntry.seq).limit(1)).first()
        if after is not None and after.action == "update" and after.actor_id == actor_id:
            previous = _counsellor_from(after.changes)
    return previous


def _counsellor_from(changes: str | None) -> int | None:
    """The counsellor before, from an audit entry's ``counsellor_id: [before, after]``; None without one."""
    try:
        before = json.loads(changes or "{}")["counsellor_id"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return before if isinstance(before, int) and not isinstance(before, bool) else None


def counsellor_since(session: Session, case: CounsellingCase) -> dt.date | None:
    """Since when the case's counsellor has had it: the last hand-over recorded in the case's audit trail (as
    corrected since), else the first allocation (``allocated_on``, which stays the end of the wait for the
    figures)."""
    changes = session.scalar(select(AuditEntry.changes).where(
        AuditEntry.action.in_((HANDOVER, CORRECT_ALLOCATION)), AuditEntry.entity == ENTITY,
        AuditEntry.entity_id == str(case.id))
        .order_by(AuditEntry.seq.desc()).limit(1))
    if changes:
        try:
            return dt.date.fromisoformat(json.loads(changes)["counsellor_since"][1])
        except (ValueError, KeyError, IndexError, TypeError):
            pass
    return case.allocated_on


def _request_row(r: RecordsRequest, today: dt.date) -> RequestRow:
    return RequestRow(r.id, r.holder_kind, r.holder_name, r.holder_address, r.their_reference, r.sent_on,
                      r.chase_due, r.chase_count, r.last_chased_on, r.received_on, r.record_format, r.pages,
                      r.notes, rules.request_overdue(r.chase_due, r.received_on, today), version_of(r))


def _detail(session: Session, case: CounsellingCase, today: dt.date) -> CaseDetail:
    names = _names(session)
    requests = session.scalars(select(RecordsRequest).where(RecordsRequest.case_id == case.id)
                               .order_by(RecordsRequest.sent_on, RecordsRequest.id)).all()
    sessions = session.scalars(select(CounsellingSession).where(CounsellingSession.case_id == case.id)
                               .order_by(CounsellingSession.held_on, CounsellingSession.id)).all()
    redactions = session.scalars(select(RedactionCheck).where(RedactionCheck.case_id == case.id)
                                 .order_by(RedactionCheck.reviewed_on, RedactionCheck.id)).all()
    disclosures = session.scalars(select(Disclosure).where(Disclosure.case_id == case.id)
                                  .order_by(Disclosure.disclosed_on, Disclosure.id)).all()
    doubt = order_date_problem(case.date_of_birth, case.adoption_order_date)  # a case saved before the check
    held = [s.held_on for s in sessions if s.outcome == rules.HELD]  # only a session held is the interview
    shared = rules.shared_without_interview(
        rules.counselling_required(case.adoption_order_date, case.adopted_before_1975),
        held, (d.disclosed_on for d in disclosures if d.records_shared))
    booked = [s.held_on for s in sessions if s.outcome is None and s.held_on > today]
    _forward, reasons = rules.priority_reasons(
        rules.PriorityInput(case.id, case.referral_date, case.adoption_order_date, case.date_of_birth,
                            case.adopted_before_1975),
        today, get_setting(session, PRIORITY_AGE))
    return CaseDetail(
        id=case.id, reference=case.reference, referral=_referral_of(case),
        flags=rules.flags_for(case.adoption_order_date, case.adopted_before_1975), age=rules.age_on(case.date_of_birth, today),
        counsellor_id=case.counsellor_id, counsellor=names.get(case.counsellor_id or -1, ""),
        allocated_on=case.allocated_on, intermediary_signposted_on=case.intermediary_signposted_on,
        acr_checked_on=case.acr_checked_on, acr_note=case.acr_note, veto_checked_on=case.veto_checked_on,
        veto_note=case.veto_note, closed_on=case.closed_on, outcome=case.outcome,
        closure_note=case.closure_note, priority_reasons=reasons,
        requests=[_request_row(r, today) for r in requests],
        sessions=[SessionRow(s.id, s.held_on, s.start_time, s.kind, s.location,
                             names.get(s.counsellor_id or -1, ""), s.notes, s.outcome or "",
                             rules.session_status(s.held_on, s.outcome, today, SESSION_OUTCOMES))
                  for s in sessions],
        redactions=[RedactionRow(r.id, r.item, r.third_party_reviewed, r.redactions_made,
                                 names.get(r.reviewed_by_id or -1, ""), r.reviewed_on) for r in redactions],
        disclosures=[DisclosureRow(d.id, d.disclosed_on, names.get(d.disclosed_by_id or -1, ""), d.recipient,
                                   d.what, d.method, d.records_shared) for d in disclosures],
        row_version=case.row_version,
        counsellor_since=counsellor_since(session, case) if case.allocated_on else None,
        shared_without_interview=shared,
        notes=tuple(note for note in (
            shared_without_interview_warning(shared, min(held, default=None) or min(booked, default=None), today)
            if shared else "",
            f"Adoption order date: {doubt} Correct it with Edit referral (empty it if the right date is not "
            "known)." if doubt else "") if note),
    )


def shared_without_interview_warning(days: tuple[dt.date, ...], interview: dt.date | None = None,
                                     today: dt.date | None = None) -> str:
    """The words for :attr:`CaseDetail.shared_without_interview` (the case header, the audit entry):
    what to do while no interview has been held (``interview``: the first session held, later than the
    sharing, else the first one booked ahead),
    then only the fact, with the day it was held."""
    listed = ", ".join(f"{d:%d/%m/%Y}" for d in days)
    if interview is not None and interview <= _today(today):
        return (f"Records were shared on {listed} before the counselling interview this case requires "
                f"(held on {interview:%d/%m/%Y}).")
    booked = f" (booked for {interview:%d/%m/%Y})" if interview is not None else ""
    return (f"Records were shared on {listed} before any counselling interview, which this case requires "
            "(adopted before 12 November 1975, or the date not known): tell your manager and offer the "
            f"interview{booked}.")


def _add_disclosure(session: Session, actor: Principal, case: CounsellingCase, on: dt.date, recipient: str,
                    what: str, method: str, records_shared: bool) -> Disclosure:
    if on < case.referral_date:  # as sessions, checks and closure are (trial: one was dated before it)
        raise ValidationError("Date: a disclosure cannot be before the referral date "
                              f"({case.referral_date:%d/%m/%Y}).", "disclosed_on")
    row = Disclosure(case_id=case.id, disclosed_on=on, disclosed_by_id=actor.user_id or None,
                     recipient=recipient, what=what, method=method, records_shared=records_shared)
    session.add(row)
    session.flush()
    audit.record(session, "disclose", ENTITY, case.id,
                 detail=f"{actor.username} disclosed to {recipient} on {on.isoformat()} by {method}: {what}")
    return row
