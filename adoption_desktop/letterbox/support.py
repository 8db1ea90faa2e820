"""Use cases of the birth-parent support register: a birth parent or relative (initials and a case
reference, never a name) referred to an independent support service, the date support was offered, whether
it was taken up or declined, and when the referral closed. Adoption agencies must offer birth parents support
independent of the child's social worker (Adoption Support Services Regulations 2005, reg 4; Adoption
Statutory Guidance 2013, ch. 2).

Letterbox coordinators keep the register (``letterbox.edit``); anyone who may open the letterbox reads it
(``letterbox.view``); the figures are counts for ``reports.view`` (``support_figures``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import check_version
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import (
    check_not_future,
    clean_name,
    clean_reference,
    clean_text,
)
from adoption_desktop.letterbox.support_models import SupportReferral

RESPONSES: dict[str, str] = {"": "Not yet known", "taken_up": "Taken up", "declined": "Declined"}


@dataclass(frozen=True)
class ReferralInput:
    """What a person enters for one referral (dates left empty until they happen)."""

    case_reference: str
    initials: str = ""
    relationship: str = ""
    referred_on: dt.date | None = None
    service: str = ""
    offered_on: dt.date | None = None
    response: str = ""
    response_on: dt.date | None = None
    closed_on: dt.date | None = None
    notes: str = ""


@dataclass(frozen=True)
class ReferralView(ReferralInput):
    id: int = 0
    row_version: int = 1

    @property
    def response_label(self) -> str:
        return RESPONSES.get(self.response, self.response)


INPUT_FIELDS = tuple(f.name for f in fields(ReferralInput))
LABELS = {"referred_on": "Referred on", "offered_on": "Support offered on", "response_on": "Answer given on",
          "closed_on": "Closed on"}


def _day(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def referral_values(data: ReferralInput) -> dict[str, str]:
    """A referral's fields as the conflict window shows them, the editor's version and the stored one alike
    (the window compares these texts to tell the person's own changes from a colleague's): the editor's
    labels, dates as dd/mm/yyyy, the answer in words."""
    return {"Case reference": data.case_reference.strip(), "Initials": data.initials.strip(),
            "Relationship to the child": data.relationship.strip(), "Referred on": _day(data.referred_on),
            "Referred to": data.service.strip(), "Support offered on": _day(data.offered_on),
            "Answer": RESPONSES.get(data.response, data.response), "Answer given on": _day(data.response_on),
            "Closed on": _day(data.closed_on), "Notes": data.notes.strip()}


def input_of(view: ReferralView) -> ReferralInput:
    """A stored referral as the editor gives it (what a re-applied change goes on top of)."""
    return ReferralInput(**{f: getattr(view, f) for f in INPUT_FIELDS})


def _view(r: SupportReferral) -> ReferralView:
    return ReferralView(**{f: getattr(r, f) for f in INPUT_FIELDS}, id=r.id, row_version=r.row_version)


def referral_problems(data: ReferralInput) -> list[tuple[str, str]]:
    """The order of a referral's dates and its answer (pure), as ``(field, message)``."""
    problems: list[tuple[str, str]] = []
    ref, off, ans, closed = data.referred_on, data.offered_on, data.response_on, data.closed_on
    if ref is None:
        problems.append(("referred_on", "Referred on: enter the date of the referral (DD/MM/YYYY)."))
    if data.response not in RESPONSES:
        problems.append(("response", "Answer: choose taken up, declined, or not yet known."))
    if ref and off and off < ref:
        problems.append(("offered_on", f"Support offered on: {off:%d/%m/%Y} is before the referral "
                                       f"({ref:%d/%m/%Y}). Check both dates."))
    if data.response and off is None:
        problems.append(("offered_on", "Support offered on: support must be offered before it is taken up or "
                                       "declined; enter the date it was offered."))
    if data.response and ans is None:
        problems.append(("response_on", "Answer given on: enter the date the birth relative took up or "
                                        "declined the support."))
    if ans is not None and not data.response:
        problems.append(("response", "Answer: a date is given; choose taken up or declined, or clear the date."))
    if ans and off and ans < off:
        problems.append(("response_on", f"Answer given on: {ans:%d/%m/%Y} is before support was offered "
                                        f"({off:%d/%m/%Y})."))
    if closed:
        latest = max((d for d in (ref, off, ans) if d), default=None)
        if latest and closed < latest:
            problems.append(("closed_on", f"Closed on: {closed:%d/%m/%Y} is before the referral's last date "
                                          f"({latest:%d/%m/%Y})."))
    if not data.service.strip():
        problems.append(("service", "Referred to: name the independent support service."))
    return problems


def validate(data: ReferralInput, today: dt.date | None = None) -> ReferralInput:
    """``data`` cleaned, or a ValidationError naming the first field at fault and the fix."""
    today = today or dt.date.today()
    values: dict[str, object] = {
        "case_reference": clean_reference(data.case_reference, "Case reference", required=True),
        "initials": clean_name(data.initials, "Initials", max_length=20, required=True),
        "relationship": clean_text(data.relationship, "Relationship to the child", max_length=60),
        "service": clean_text(data.service, "Referred to", max_length=160),
        "response": data.response,
        "notes": clean_text(data.notes, "Notes", multiline=True, max_length=4000),
    }
    for f, label in LABELS.items():
        day = check_not_future(getattr(data, f), label, f, today=today, required=False)
        values[f] = day
    clean = ReferralInput(**values)  # type: ignore[arg-type]
    problems = referral_problems(clean)
    if problems:
        raise ValidationError(problems[0][1], problems[0][0])
    return clean


def list_referrals(db: Database, actor: Principal, *, open_only: bool = False) -> list[ReferralView]:
    """The register, newest referral first."""
    require(actor, Permission.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        stmt = select(SupportReferral).order_by(SupportReferral.referred_on.desc(), SupportReferral.id.desc())
        if open_only:
            stmt = stmt.where(SupportReferral.closed_on.is_(None))
        return [_view(r) for r in session.scalars(stmt)]


def get_referral(db: Database, actor: Principal, referral_id: int) -> ReferralView:
    require(actor, Permission.LETTERBOX_VIEW)
    with db.session(actor, views_only=True) as session:
        r = get_or_raise(session, SupportReferral, referral_id, "That referral no longer exists.")
        audit.record_view(session, "letterbox_support_referrals", r.id)
        return _view(r)


def add_referral(db: Database, actor: Principal, data: ReferralInput, today: dt.date | None = None) -> ReferralView:
    require(actor, Permission.LETTERBOX_EDIT)
    clean = validate(data, today)
    with db.session(actor) as session:
        row = SupportReferral(**{f: getattr(clean, f) for f in INPUT_FIELDS})
        session.add(row)
        session.flush()
        return _view(row)


def update_referral(db: Database, actor: Principal, referral_id: int, data: ReferralInput, *,
                    expected_version: int | None, today: dt.date | None = None) -> ReferralView:
    """Save a referral; a stale save (someone saved since it was loaded) raises StaleRecord."""
    require(actor, Permission.LETTERBOX_EDIT)
    clean = validate(data, today)
    with db.session(actor) as session:
        row = get_or_raise(session, SupportReferral, referral_id, "That referral no longer exists.")
        check_version(session, row, expected_version, "support referral", lambda r: referral_values(_view(r)))
        for f in INPUT_FIELDS:
            if getattr(row, f) != getattr(clean, f):
                setattr(row, f, getattr(clean, f))
        session.flush()
        return _view(row)
