"""Use cases of birth-records counselling. One transaction each, permission checked first, audited.

Access: case records (anything that carries a name) need ``COUNSELLING_VIEW`` (counsellors and
administrators); changes need ``COUNSELLING_EDIT``. Other roles with ``REPORTS_VIEW`` get
:func:`counts` only. Every opening of a case writes a ``view`` audit entry; every disclosure is a
:class:`~adoption_desktop.counselling.models.Disclosure` row plus a ``disclose`` audit entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import last_saved, lock_row, stale, when_text
from adoption_desktop.core.errors import Conflict, NotFound, ValidationError
from adoption_desktop.core.salutation import salutation_for
from adoption_desktop.core.security.models import User, UserRole
from adoption_desktop.core.security.permissions import Permission, Principal, Role, require
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_date, clean_name, clean_text, reference_key
from adoption_desktop.counselling import rules
from adoption_desktop.counselling.models import (
    CounsellingCase,
    CounsellingSession,
    Disclosure,
    RecordsRequest,
    RedactionCheck,
)
from adoption_desktop.counselling.settings import CHASE_WORKING_DAYS, PRIORITY_AGE, REFERENCE_PREFIX

ENTITY = "counselling_cases"

#: how the application reached us, as the acknowledgement says it (never the code or the list label)
ROUTE_PHRASES: dict[str, str] = {
    "gro_form": "through the General Register Office application form",
    "self": "directly from you",
    "agency": "through {referred_by}",
}
ROUTES: dict[str, str] = {"gro_form": "GRO application form", "self": "Self-referral",
                          "agency": "Another agency"}
CONTACT: dict[str, str] = {"letter": "Letter", "phone": "Phone", "email": "Email"}
HOLDERS: dict[str, str] = {"archive": "Archive", "court": "Court", "agency": "Agency"}
FORMATS: dict[str, str] = {"paper": "Paper", "electronic": "Electronic"}
SESSION_KINDS: dict[str, str] = {"in_person": "In person", "video": "Video", "phone": "Phone"}
OUTCOMES: dict[str, str] = {
    "records_shared": "Records shared", "no_records_found": "No records found",
    "withdrawn": "Applicant withdrew", "no_contact": "No contact from applicant",
    "transferred": "Transferred to another agency",
}
FILTERS = ("open", "waiting", "mine", "closed", "all")


# --- plain data returned to callers ------------------------------------------------------------

@dataclass(frozen=True)
class ReferralInput:
    referral_date: dt.date
    referral_route: str
    birth_name: str
    current_name: str
    date_of_birth: dt.date
    adoption_order_date: dt.date
    referred_by: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    preferred_contact: str = "letter"
    court: str = ""
    arranging_agency: str = ""
    salutation: str = ""  # how the applicant wishes to be addressed; "" = from current_name (core.salutation)


@dataclass(frozen=True)
class RequestInput:
    holder_kind: str
    holder_name: str
    sent_on: dt.date
    their_reference: str = ""
    holder_address: str = ""
    notes: str = ""


@dataclass(frozen=True)
class CaseRow:
    id: int
    reference: str
    name: str
    birth_name: str
    referral_date: dt.date
    adoption_order_date: dt.date
    date_of_birth: dt.date
    age: int
    flags: rules.CaseFlags
    counsellor: str
    allocated_on: dt.date | None
    closed_on: dt.date | None
    days_waiting: int
    rank: int | None
    reasons: str
    open_requests: int
    overdue_requests: int
    reasons_short: str = ""

    @property
    def status(self) -> str:
        return rules.case_status(self.allocated_on, self.closed_on)


@dataclass(frozen=True)
class CaseCounts:
    """Counts only: what roles without case access may see."""

    waiting: int
    allocated: int
    closed: int
    open_requests: int
    overdue_requests: int
    longest_wait_days: int | None


@dataclass(frozen=True)
class RequestRow:
    id: int
    holder_kind: str
    holder_name: str
    holder_address: str
    their_reference: str
    sent_on: dt.date
    chase_due: dt.date
    chase_count: int
    last_chased_on: dt.date | None
    received_on: dt.date | None
    record_format: str
    pages: int | None
    notes: str
    overdue: bool

    @property
    def status(self) -> str:
        if self.received_on:
            return "Received"
        return "Overdue" if self.overdue else "Awaited"


@dataclass(frozen=True)
class SessionRow:
    id: int
    held_on: dt.date
    start_time: str
    kind: str
    location: str
    counsellor: str
    notes: str


@dataclass(frozen=True)
class RedactionRow:
    id: int
    item: str
    third_party_reviewed: bool
    redactions_made: str
    reviewed_by: str
    reviewed_on: dt.date


@dataclass(frozen=True)
class DisclosureRow:
    id: int
    disclosed_on: dt.date
    disclosed_by: str
    recipient: str
    what: str
    method: str
    records_shared: bool


@dataclass(frozen=True)
class CaseDetail:
    id: int
    reference: str
    referral: ReferralInput
    flags: rules.CaseFlags
    age: int
    counsellor_id: int | None
    counsellor: str
    allocated_on: dt.date | None
    intermediary_signposted_on: dt.date | None
    acr_checked_on: dt.date | None
    acr_note: str
    veto_checked_on: dt.date | None
    veto_note: str
    closed_on: dt.date | None
    outcome: str
    closure_note: str
    priority_reasons: tuple[str, ...]
    requests: list[RequestRow] = field(default_factory=list)
    sessions: list[SessionRow] = field(default_factory=list)
    redactions: list[RedactionRow] = field(default_factory=list)
    disclosures: list[DisclosureRow] = field(default_factory=list)
    #: the case's version when read: pass it back to the use cases that change the case
    row_version: int = 1

    @property
    def name(self) -> str:
        return self.referral.current_name

    @property
    def status(self) -> str:
        return rules.case_status(self.allocated_on, self.closed_on)


@dataclass(frozen=True)
class Counsellor:
    id: int
    name: str


# --- helpers -----------------------------------------------------------------------------------

def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _names(session: Session) -> dict[int, str]:
    return {uid: name for uid, name in session.execute(select(User.id, User.full_name))}


def _case(session: Session, case_id: int) -> CounsellingCase:
    case = get_or_raise(session, CounsellingCase, case_id, f"Counselling case {case_id} does not exist.")
    return case


def _case_values(case: CounsellingCase) -> dict[str, str]:
    return {"Current name": case.current_name, "Counsellor": str(case.counsellor_id or ""),
            "Allocated": f"{case.allocated_on:%d/%m/%Y}" if case.allocated_on else "",
            "Closed": f"{case.closed_on:%d/%m/%Y}" if case.closed_on else "", "Outcome": case.outcome}


def _open_case_for_edit(session: Session, case_id: int, expected_version: int | None = None) -> CounsellingCase:
    """The case, locked for this transaction, still open, and (with ``expected_version``) still the
    version the counsellor was looking at."""
    case = lock_row(session, _case(session, case_id))
    if case.closed_on is not None:
        who, at = last_saved(session, case)
        raise Conflict(f"Case {case.reference} was closed on {case.closed_on:%d/%m/%Y} (by {who}, "
                       f"{when_text(at)}); it cannot be changed.")
    if expected_version is not None and case.row_version != expected_version:
        raise stale(session, case, expected_version, f"case {case.reference}", _case_values)
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
    check_date(day, label, "event", today=today, required=True)
    if day > today:
        raise ValidationError(f"{label}: the date {day:%d/%m/%Y} is in the future; enter the date it happened.",
                              field_name)


def _validate_referral(data: ReferralInput, today: dt.date) -> ReferralInput:
    _not_future(data.referral_date, today, "referral_date", "Referral date")
    check_date(data.date_of_birth, "Date of birth", "birth", today=today, required=True)
    check_date(data.adoption_order_date, "Adoption order date", "adoption", today=today, required=True)
    data = replace(
        data, referred_by=clean_name(data.referred_by, "Referred by", max_length=200),
        birth_name=clean_name(data.birth_name, "Name at birth"),
        current_name=clean_name(data.current_name, "Name now"),
        salutation=clean_name(data.salutation, "Salutation"),
        address=clean_text(data.address, "Address", multiline=True, max_length=1000),
        phone=clean_text(data.phone, "Phone", max_length=40), email=clean_text(data.email, "Email", max_length=120),
        court=clean_name(data.court, "Court", max_length=200),
        arranging_agency=clean_name(data.arranging_agency, "Arranging agency", max_length=200))
    _choice(data.referral_route, ROUTES, "referral_route", "Referral route")
    _choice(data.preferred_contact, CONTACT, "preferred_contact", "Preferred contact")
    if data.referral_route == "agency" and not data.referred_by.strip():
        raise ValidationError("Referred by: name the agency that referred the applicant.", "referred_by")
    birth = _text(data.birth_name, "birth_name", "Name at birth", "enter the applicant's name at birth.",
                  limit=120)
    current = _text(data.current_name, "current_name", "Name now", "enter the applicant's current name.",
                    limit=120)
    if data.date_of_birth >= data.adoption_order_date:
        raise ValidationError("Adoption order date: it must be after the applicant's date of birth.",
                              "adoption_order_date")
    if data.adoption_order_date > data.referral_date:
        raise ValidationError("Adoption order date: it must be before the referral date.", "adoption_order_date")
    problem = rules.under_age_message(data.date_of_birth, data.referral_date)
    if problem:
        raise ValidationError(problem, "date_of_birth")
    if data.preferred_contact == "email" and "@" not in data.email:
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
        adoption_order_date=data.adoption_order_date, court=data.court.strip(),
        arranging_agency=data.arranging_agency.strip(), salutation=data.salutation.strip())


def _referral_of(case: CounsellingCase) -> ReferralInput:
    return ReferralInput(
        referral_date=case.referral_date, referral_route=case.referral_route, referred_by=case.referred_by,
        birth_name=case.birth_name, current_name=case.current_name, date_of_birth=case.date_of_birth,
        address=case.address, phone=case.phone, email=case.email, preferred_contact=case.preferred_contact,
        adoption_order_date=case.adoption_order_date, court=case.court, arranging_agency=case.arranging_agency,
        salutation=case.salutation)


def _request_row(r: RecordsRequest, today: dt.date) -> RequestRow:
    return RequestRow(r.id, r.holder_kind, r.holder_name, r.holder_address, r.their_reference, r.sent_on,
                      r.chase_due, r.chase_count, r.last_chased_on, r.received_on, r.record_format, r.pages,
                      r.notes, rules.request_overdue(r.chase_due, r.received_on, today))


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
    _forward, reasons = rules.priority_reasons(
        rules.PriorityInput(case.id, case.referral_date, case.adoption_order_date, case.date_of_birth),
        today, get_setting(session, PRIORITY_AGE))
    return CaseDetail(
        id=case.id, reference=case.reference, referral=_referral_of(case),
        flags=rules.flags_for(case.adoption_order_date), age=rules.age_on(case.date_of_birth, today),
        counsellor_id=case.counsellor_id, counsellor=names.get(case.counsellor_id or -1, ""),
        allocated_on=case.allocated_on, intermediary_signposted_on=case.intermediary_signposted_on,
        acr_checked_on=case.acr_checked_on, acr_note=case.acr_note, veto_checked_on=case.veto_checked_on,
        veto_note=case.veto_note, closed_on=case.closed_on, outcome=case.outcome,
        closure_note=case.closure_note, priority_reasons=reasons,
        requests=[_request_row(r, today) for r in requests],
        sessions=[SessionRow(s.id, s.held_on, s.start_time, s.kind, s.location,
                             names.get(s.counsellor_id or -1, ""), s.notes) for s in sessions],
        redactions=[RedactionRow(r.id, r.item, r.third_party_reviewed, r.redactions_made,
                                 names.get(r.reviewed_by_id or -1, ""), r.reviewed_on) for r in redactions],
        disclosures=[DisclosureRow(d.id, d.disclosed_on, names.get(d.disclosed_by_id or -1, ""), d.recipient,
                                   d.what, d.method, d.records_shared) for d in disclosures],
        row_version=case.row_version,
    )


def _add_disclosure(session: Session, actor: Principal, case: CounsellingCase, on: dt.date, recipient: str,
                    what: str, method: str, records_shared: bool) -> Disclosure:
    row = Disclosure(case_id=case.id, disclosed_on=on, disclosed_by_id=actor.user_id or None,
                     recipient=recipient, what=what, method=method, records_shared=records_shared)
    session.add(row)
    session.flush()
    audit.record(session, "disclose", ENTITY, case.id,
                 detail=f"{actor.username} disclosed to {recipient} on {on.isoformat()} by {method}: {what}")
    return row


# --- counts (any role with reports or counselling access) ---------------------------------------

def counts(db: Database, actor: Principal, today: dt.date | None = None) -> CaseCounts:
    """Numbers only, never names: what a manager sees on the counselling page."""
    if not (actor.can(Permission.COUNSELLING_VIEW) or actor.can(Permission.REPORTS_VIEW)):
        require(actor, Permission.REPORTS_VIEW)
    day = _today(today)
    with db.session(actor, write=False) as session:
        open_ = CounsellingCase.closed_on.is_(None)
        waiting = session.scalar(select(func.count()).where(open_, CounsellingCase.allocated_on.is_(None))
                                 .select_from(CounsellingCase)) or 0
        allocated = session.scalar(select(func.count()).where(open_, CounsellingCase.allocated_on.is_not(None))
                                   .select_from(CounsellingCase)) or 0
        closed = session.scalar(select(func.count()).where(CounsellingCase.closed_on.is_not(None))
                                .select_from(CounsellingCase)) or 0
        outstanding = select(func.count()).select_from(RecordsRequest).join(CounsellingCase).where(
            open_, RecordsRequest.received_on.is_(None))
        open_requests = session.scalar(outstanding) or 0
        overdue = session.scalar(outstanding.where(RecordsRequest.chase_due < day)) or 0
        oldest = session.scalar(select(func.min(CounsellingCase.referral_date)).where(
            open_, CounsellingCase.allocated_on.is_(None)))
    return CaseCounts(waiting, allocated, closed, open_requests, overdue,
                      (day - oldest).days if oldest else None)


# --- lists --------------------------------------------------------------------------------------

def caseload(db: Database, actor: Principal, which: str = "open", today: dt.date | None = None) -> list[CaseRow]:
    """Cases in waiting-list priority order (open cases ranked; closed cases by closure date).

    ``which``: open (all open), waiting (not yet allocated), mine (allocated to ``actor``), closed, all."""
    require(actor, Permission.COUNSELLING_VIEW)
    if which not in FILTERS:
        raise ValidationError(f"Show: choose one of {', '.join(FILTERS)}.", "which")
    day = _today(today)
    with db.session(actor, write=False) as session:
        older_age = get_setting(session, PRIORITY_AGE)
        names = _names(session)
        c = CounsellingCase
        stmt = select(c.id, c.reference, c.current_name, c.birth_name, c.referral_date, c.adoption_order_date,
                      c.date_of_birth, c.counsellor_id, c.allocated_on, c.closed_on)
        if which == "open":
            stmt = stmt.where(c.closed_on.is_(None))
        elif which == "waiting":
            stmt = stmt.where(c.closed_on.is_(None), c.allocated_on.is_(None))
        elif which == "mine":
            stmt = stmt.where(c.closed_on.is_(None), c.counsellor_id == actor.user_id)
        elif which == "closed":
            stmt = stmt.where(c.closed_on.is_not(None))
        rows = session.execute(stmt).all()
        req: dict[int, tuple[int, int]] = {}
        r = RecordsRequest
        for case_id, n_open, n_overdue in session.execute(
                select(r.case_id, func.count(), func.sum(_overdue_expr(day)))
                .where(r.received_on.is_(None)).group_by(r.case_id)):
            req[case_id] = (int(n_open), int(n_overdue or 0))
    open_rows = [x for x in rows if x.closed_on is None]
    ranked = {p.case_id: p for p in rules.order_waiting_list(
        (rules.PriorityInput(x.id, x.referral_date, x.adoption_order_date, x.date_of_birth) for x in open_rows),
        day, older_age)}
    out: list[CaseRow] = []
    for x in rows:
        p = ranked.get(x.id)
        n_open, n_overdue = req.get(x.id, (0, 0))
        out.append(CaseRow(
            id=x.id, reference=x.reference, name=x.current_name, birth_name=x.birth_name,
            referral_date=x.referral_date, adoption_order_date=x.adoption_order_date,
            date_of_birth=x.date_of_birth, age=rules.age_on(x.date_of_birth, day),
            flags=rules.flags_for(x.adoption_order_date), counsellor=names.get(x.counsellor_id or -1, ""),
            allocated_on=x.allocated_on, closed_on=x.closed_on,
            days_waiting=rules.wait_days(x.referral_date, x.allocated_on, x.closed_on or day),
            rank=p.rank if p else None, reasons=p.text if p else "",
            open_requests=n_open if x.closed_on is None else 0,
            overdue_requests=n_overdue if x.closed_on is None else 0, reasons_short=p.short if p else ""))
    out.sort(key=lambda row: (row.rank is None, row.rank or 0,
                              -(row.closed_on.toordinal() if row.closed_on else 0), row.id))
    return out


def _overdue_expr(day: dt.date) -> Any:
    return sql_case((RecordsRequest.chase_due < day, 1), else_=0)


def counsellors(db: Database, actor: Principal) -> list[Counsellor]:
    require(actor, Permission.COUNSELLING_VIEW)
    with db.session(actor, write=False) as session:
        rows = session.execute(
            select(User.id, User.full_name).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_([str(Role.COUNSELLOR)]), User.disabled.is_(False))
            .order_by(User.full_name)).all()
    return [Counsellor(uid, name) for uid, name in rows]


# --- cases --------------------------------------------------------------------------------------

def create_referral(db: Database, actor: Principal, data: ReferralInput, today: dt.date | None = None) -> int:
    """Record a referral; refuses an applicant under 18 with a clear message. Returns the case id."""
    require(actor, Permission.COUNSELLING_EDIT)
    day = _today(today)
    clean = _validate_referral(data, day)
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


def update_referral(db: Database, actor: Principal, case_id: int, data: ReferralInput,
                    today: dt.date | None = None, *, expected_version: int | None = None) -> None:
    require(actor, Permission.COUNSELLING_EDIT)
    clean = _validate_referral(data, _today(today))
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id, expected_version)
        for key, value in clean.__dict__.items():
            setattr(case, key, value)


def open_case(db: Database, actor: Principal, case_id: int, today: dt.date | None = None, *,
              audit_view: bool = True) -> CaseDetail:
    """The whole case; writes a ``view`` audit entry (``audit_view=False`` only for the screen's own
    refresh after an edit it made, which is audited as that edit)."""
    require(actor, Permission.COUNSELLING_VIEW)
    with db.session(actor) as session:
        case = _case(session, case_id)
        if audit_view:
            audit.record_view(session, ENTITY, case.id, detail=case.reference)
        return _detail(session, case, _today(today))


def case_id_for_reference(db: Database, actor: Principal, reference: str) -> int:
    require(actor, Permission.COUNSELLING_VIEW)
    with db.session(actor, write=False) as session:
        found = session.scalar(select(CounsellingCase.id).where(CounsellingCase.reference == reference.strip()))
        if found is None:  # typed differently (case, spacing, a pasted invisible character): compare normalised
            key = reference_key(reference)
            found = next((cid for cid, ref in session.execute(select(CounsellingCase.id, CounsellingCase.reference))
                          if reference_key(ref) == key), None)
    if found is None:
        raise NotFound(f"No counselling case with reference {reference!r}.")
    return found


def allocate(db: Database, actor: Principal, case_id: int, counsellor_id: int, on: dt.date | None = None, *,
             expected_version: int | None = None) -> None:
    require(actor, Permission.COUNSELLING_EDIT)
    day = _today(on)
    check_date(day, "Allocation date", "event")
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id, expected_version)
        roles = set(session.scalars(select(UserRole.role).where(UserRole.user_id == counsellor_id)))
        if str(Role.COUNSELLOR) not in roles:
            raise ValidationError("Counsellor: choose a user who holds the counsellor role.", "counsellor")
        if day < case.referral_date:
            raise ValidationError("Allocation date: it cannot be before the referral date.", "allocated_on")
        case.counsellor_id = counsellor_id
        if case.allocated_on is None:
            case.allocated_on = day


def record_checks(db: Database, actor: Principal, case_id: int, *, acr_checked_on: dt.date | None = None,
                  acr_note: str = "", veto_checked_on: dt.date | None = None, veto_note: str = "",
                  intermediary_signposted_on: dt.date | None = None, today: dt.date | None = None) -> None:
    """Adoption Contact Register and veto checks, intermediary service signposted (pre-commencement)."""
    require(actor, Permission.COUNSELLING_EDIT)
    acr_note = clean_text(acr_note, "Adoption Contact Register note", multiline=True, max_length=4000)
    veto_note = clean_text(veto_note, "Veto note", multiline=True, max_length=4000)
    for day, name, label in ((acr_checked_on, "acr_checked_on", "Adoption Contact Register check date"),
                             (veto_checked_on, "veto_checked_on", "Veto check date"),
                             (intermediary_signposted_on, "intermediary_signposted_on", "Signposting date")):
        if day is not None:
            _not_future(day, _today(today), name, label)
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id)
        if acr_checked_on:
            case.acr_checked_on, case.acr_note = acr_checked_on, acr_note.strip()
        if veto_checked_on:
            case.veto_checked_on, case.veto_note = veto_checked_on, veto_note.strip()
        if intermediary_signposted_on:
            case.intermediary_signposted_on = intermediary_signposted_on


def close_case(db: Database, actor: Principal, case_id: int, on: dt.date, outcome: str, note: str = "",
               today: dt.date | None = None, *, expected_version: int | None = None) -> None:
    require(actor, Permission.COUNSELLING_EDIT)
    _choice(outcome, OUTCOMES, "outcome", "Outcome")
    _not_future(on, _today(today), "closed_on", "Closure date")
    note = clean_text(note, "Closure note", multiline=True, max_length=4000)
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id, expected_version)
        if on < case.referral_date:
            raise ValidationError("Closure date: it cannot be before the referral date.", "closed_on")
        outstanding = session.scalar(select(func.count()).select_from(RecordsRequest).where(
            RecordsRequest.case_id == case_id, RecordsRequest.received_on.is_(None))) or 0
        if outcome == "records_shared":
            shared = session.scalar(select(func.count()).select_from(Disclosure).where(
                Disclosure.case_id == case_id, Disclosure.records_shared.is_(True))) or 0
            if not shared:
                raise ValidationError("Outcome: no sharing of records is recorded; record the records "
                                      "shared first or choose another outcome.", "outcome")
        case.closed_on, case.outcome, case.closure_note = on, outcome, note.strip()
        if outstanding:
            audit.record(session, "close_with_open_requests", ENTITY, case_id,
                         detail=f"{outstanding} records request(s) still outstanding")


# --- records requests ---------------------------------------------------------------------------

def add_request(db: Database, actor: Principal, case_id: int, data: RequestInput,
                today: dt.date | None = None) -> int:
    require(actor, Permission.COUNSELLING_EDIT)
    _choice(data.holder_kind, HOLDERS, "holder_kind", "Held by")
    name = _text(data.holder_name, "holder_name", "Archive, court or agency",
                 "name where the records are held.")
    _not_future(data.sent_on, _today(today), "sent_on", "Date sent")
    data = replace(data, holder_address=clean_text(data.holder_address, "Address", multiline=True, max_length=1000),
                   their_reference=clean_text(data.their_reference, "Their reference", max_length=80),
                   notes=clean_text(data.notes, "Notes", multiline=True, max_length=4000))
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


def record_chase(db: Database, actor: Principal, request_id: int, on: dt.date) -> dt.date:
    """A chaser was sent on ``on``; the next chase falls the set number of working days later."""
    require(actor, Permission.COUNSELLING_EDIT)
    check_date(on, "Chase date", "event", required=True)
    with db.session(actor) as session:
        row, _ = _request(session, request_id)
        if row.received_on is not None:
            raise Conflict(f"The records from {row.holder_name} were received on {row.received_on:%d/%m/%Y}; "
                           "there is nothing to chase.")
        if on < row.sent_on:
            raise ValidationError("Chase date: it cannot be before the request was sent.", "chased_on")
        row.chase_count += 1
        row.last_chased_on = on
        row.chase_due = rules.chase_due(on, calendar(session), get_setting(session, CHASE_WORKING_DAYS))
        return row.chase_due


def record_receipt(db: Database, actor: Principal, request_id: int, received_on: dt.date, record_format: str,
                   pages: int | None, today: dt.date | None = None) -> None:
    require(actor, Permission.COUNSELLING_EDIT)
    _choice(record_format, FORMATS, "record_format", "Format")
    _not_future(received_on, _today(today), "received_on", "Date received")
    if pages is not None and pages < 1:
        raise ValidationError("Pages: enter the number of pages received (1 or more), or leave it blank.",
                              "pages")
    with db.session(actor) as session:
        row, _ = _request(session, request_id)
        if received_on < row.sent_on:
            raise ValidationError("Date received: it cannot be before the request was sent.", "received_on")
        row.received_on, row.record_format, row.pages = received_on, record_format, pages


# --- work on the file ---------------------------------------------------------------------------

def add_session(db: Database, actor: Principal, case_id: int, held_on: dt.date, kind: str,
                start_time: str = "", location: str = "", notes: str = "") -> int:
    """A counselling session or appointment (a future date is an appointment to be confirmed by letter)."""
    require(actor, Permission.COUNSELLING_EDIT)
    _choice(kind, SESSION_KINDS, "kind", "Session type")
    check_date(held_on, "Session date", "schedule", required=True)
    location = clean_text(location, "Location", max_length=200)
    notes = clean_text(notes, "Notes", multiline=True, max_length=20000)
    start_time = clean_text(start_time, "Time")
    if start_time:
        try:
            dt.datetime.strptime(start_time, "%H:%M")
        except ValueError:
            raise ValidationError("Time: enter the time as HH:MM, for example 10:30.", "start_time") from None
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id)
        if held_on < case.referral_date:
            raise ValidationError("Session date: it cannot be before the referral date.", "held_on")
        row = CounsellingSession(case_id=case.id, held_on=held_on, kind=kind, start_time=start_time,
                                 location=location.strip(), counsellor_id=case.counsellor_id or actor.user_id or None,
                                 notes=notes.strip())
        session.add(row)
        session.flush()
        return row.id


def add_redaction(db: Database, actor: Principal, case_id: int, item: str, reviewed_on: dt.date,
                  redactions_made: str = "", third_party_reviewed: bool = True, today: dt.date | None = None) -> int:
    """A document checked for third-party information (reviewed by the actor, on a date)."""
    require(actor, Permission.COUNSELLING_EDIT)
    _not_future(reviewed_on, _today(today), "reviewed_on", "Reviewed on")
    item = _text(item, "item", "Document reviewed", "say which document or file section was reviewed.")
    redactions_made = clean_text(redactions_made, "Redactions made", multiline=True, max_length=20000)
    if not third_party_reviewed:
        raise ValidationError("Third-party information reviewed: tick it once the document has been read "
                              "for information about other people.", "third_party_reviewed")
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id)
        if reviewed_on < case.referral_date:
            raise ValidationError("Reviewed on: it cannot be before the referral date.", "reviewed_on")
        row = RedactionCheck(case_id=case.id, item=item, third_party_reviewed=True,
                             redactions_made=redactions_made.strip(), reviewed_by_id=actor.user_id or None,
                             reviewed_on=reviewed_on)
        session.add(row)
        session.flush()
        return row.id


def record_disclosure(db: Database, actor: Principal, case_id: int, on: dt.date, recipient: str, what: str,
                      method: str, *, records_shared: bool = False, today: dt.date | None = None) -> int:
    """Who disclosed what to whom, when and how. Sharing records needs a completed redaction check."""
    require(actor, Permission.COUNSELLING_EDIT)
    _not_future(on, _today(today), "disclosed_on", "Date")
    recipient = _text(recipient, "recipient", "Disclosed to", "name who received the information.")
    what = _text(what, "what", "What was disclosed", "describe the information or records shared.", limit=2000,
                 multiline=True)
    method = _text(method, "method", "How", "say how it was shared (in person, post, secure email…).", limit=40)
    with db.session(actor) as session:
        case = _open_case_for_edit(session, case_id)
        if records_shared:
            reviewed = session.scalar(select(func.count()).select_from(RedactionCheck).where(
                RedactionCheck.case_id == case_id)) or 0
            if not reviewed:
                raise ValidationError("Records shared: record the redaction check (third-party information "
                                      "reviewed) before sharing records.", "records_shared")
            if rules.counselling_required(case.adoption_order_date):
                held = session.scalar(select(func.count()).select_from(CounsellingSession).where(
                    CounsellingSession.case_id == case_id, CounsellingSession.held_on <= on)) or 0
                if not held:
                    raise ValidationError(
                        "Records shared: this applicant was adopted before 12 November 1975, so a counselling "
                        "interview must be held before information is released (Adoption Act 1976 s.51(7)); "
                        "record the session first.", "records_shared")
        return _add_disclosure(session, actor, case, on, recipient, what, method, records_shared).id


# --- letters: data for documents.py -------------------------------------------------------------

LETTER_KINDS: dict[str, str] = {
    "acknowledgement": "Acknowledgement of referral",
    "appointment": "Appointment",
    "records-request": "Records request to an archive or agency",
    "chaser": "Chaser for a records request",
    "records-ready": "Records ready",
}


@dataclass(frozen=True)
class LetterData:
    kind: str
    case: CaseDetail
    request: RequestRow | None
    session: SessionRow | None
    signatory: str
    values: dict[str, str]


def letter_data(db: Database, actor: Principal, case_id: int, kind: str, *, request_id: int | None = None,
                session_id: int | None = None, today: dt.date | None = None) -> LetterData:
    """Everything a letter needs; audited as a ``letter`` entry, and a records request as a disclosure."""
    require(actor, Permission.COUNSELLING_VIEW)
    if kind not in LETTER_KINDS:
        raise ValidationError(f"Letter kind: choose one of {', '.join(LETTER_KINDS)}.", "kind")
    day = _today(today)
    with db.session(actor) as session:
        case = _case(session, case_id)
        detail = _detail(session, case, day)
        request: RequestRow | None = None
        appt: SessionRow | None = None
        if kind in {"records-request", "chaser", "records-ready"}:
            candidates = detail.requests
            if kind == "chaser":
                candidates = [r for r in candidates if r.received_on is None]
            elif kind == "records-ready":
                candidates = [r for r in candidates if r.received_on is not None]
            if request_id is not None:
                found = [r for r in detail.requests if r.id == request_id]
                if not found:
                    raise NotFound(f"Case {case.reference} has no records request {request_id}.")
                request = found[0]
            elif candidates:
                request = max(candidates, key=lambda r: (r.sent_on, r.id))
            else:
                need = {"records-request": "records request yet: add the request first",
                        "chaser": "outstanding records request to chase",
                        "records-ready": "records request marked received: record the receipt first"}[kind]
                raise ValidationError(f"Letter kind {kind}: case {case.reference} has no {need}.", "kind")
        if kind == "appointment":
            if session_id is not None:
                found_s = [s for s in detail.sessions if s.id == session_id]
                if not found_s:
                    raise NotFound(f"Case {case.reference} has no session {session_id}.")
                appt = found_s[0]
            elif detail.sessions:
                appt = max(detail.sessions, key=lambda s: (s.held_on, s.id))
            else:
                raise ValidationError(f"Letter kind appointment: case {case.reference} has no session "
                                      "booked; add the session first.", "kind")
        # the allocated counsellor signs; else the user; headless commands sign for the team
        signatory = detail.counsellor or (actor.full_name if actor.user_id else "The birth-records counselling team")
        values = _letter_values(detail, request, appt, signatory, day)
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
    return LetterData(kind, detail, request, appt, signatory, values)


def _letter_values(d: CaseDetail, request: RequestRow | None, appt: SessionRow | None, signatory: str,
                   today: dt.date) -> dict[str, str]:
    from adoption_desktop.core.documents.pdf import long_date

    r = d.referral
    values = {
        "salutation": salutation_for(r.salutation, r.current_name), "applicant_name": r.current_name, "birth_name": r.birth_name,
        "date_of_birth": long_date(r.date_of_birth), "adoption_order_date": long_date(r.adoption_order_date),
        "court": r.court or "not known", "arranging_agency": r.arranging_agency or "not known",
        "referral_date": long_date(r.referral_date), "referral_route": ROUTE_PHRASES.get(r.referral_route, "").format(
            referred_by=r.referred_by or "another agency"),
        "our_reference": d.reference, "counsellor": signatory, "today": long_date(today),
        "counselling_note": (
            "Because you were adopted before 12 November 1975, the law asks that you meet a counsellor before "
            "the information is released to you (Adoption Act 1976 s.51)." if d.flags.counselling_required
            else "Counselling is offered to you; you may choose whether to meet a counsellor."),
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
        })
    return values
