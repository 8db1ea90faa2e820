"""Decisions without panel (child's plan for adoption, reg 25A temporary approval, local types)
and who a decision's letters go to.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecisionType
from adoption_desktop.adm.service.common import _for_change, _letter_fields, _new_decision
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.salutation import clean_salutation
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import (
    check_not_future,
    clean_name,
    clean_reference,
    clean_text,
)

# --- decisions without panel --------------------------------------------------------------------

def open_direct_decision(db: Database, actor: Principal, *, decision_type: str, subject_reference: str,
                         subject_initials: str, received_on: dt.date, proposal: str, reasons: str = "",
                         social_worker: str = "", addressee: str = "", salutation: str = "",
                         today: dt.date | None = None) -> int:
    """A decision without panel (child's plan for adoption, reg 25A temporary approval, local types).
    The papers cannot have been received after ``today`` (default: the computer's date): the decision's
    clock runs from that day."""
    require(actor, Permission.ADM_EDIT)
    subject_reference = clean_reference(subject_reference, "Case reference", max_length=120)
    subject_initials = clean_name(subject_initials, "Initials", max_length=20)
    proposal = clean_text(proposal, "Proposal", multiline=True, max_length=20000)
    reasons = clean_text(reasons, "Reasons", multiline=True, max_length=20000)
    social_worker = clean_name(social_worker, "Child's social worker")
    addressee = clean_text(addressee, "Addressee", multiline=True, max_length=1000)
    salutation = clean_salutation(salutation, "Salutation")
    day = today or dt.date.today()
    check_not_future(received_on, "Papers received on", "received_on", today=day,
                     advice=f"enter the day the papers reached the decision maker (today, {day:%d/%m/%Y}, or earlier)")
    if not subject_reference.strip():
        raise ValidationError("Case reference: enter the agency case number.", "subject_reference")
    if not proposal.strip():
        raise ValidationError("Proposal: write what the ADM is asked to decide.", "proposal")
    problem = rules.initials_problem(subject_initials)
    if problem:
        raise ValidationError(problem, "subject_initials")
    if decision_type == "plan_for_adoption" and not social_worker.strip():
        raise ValidationError("Child's social worker: enter the name; the decision letter goes to them.",
                              "social_worker")
    problem = rules.addressee_problem(decision_type, addressee)
    if problem:
        raise ValidationError(problem, "addressee")
    with db.session(actor) as session:
        allowed = set(rules.DIRECT_TYPES) | {t.code for t in session.scalars(
            select(AdmDecisionType).where(AdmDecisionType.active.is_(True)))}
        if decision_type not in allowed:
            raise ValidationError(f"Decision type: {decision_type!r} is not a decision made without panel; "
                                  f"choose one of {', '.join(sorted(allowed))}.", "decision_type")
        d = _new_decision(
            session, decision_type=decision_type, source="direct", state=rules.STATE_PENDING,
            subject_reference=subject_reference.strip(), subject_initials=subject_initials.strip(),
            recommendation="proposed", recommendation_text=proposal.strip(),
            recommendation_reasons=reasons.strip(), received_on=received_on, version=1,
            social_worker=social_worker.strip(), addressee=addressee.strip(), salutation=salutation.strip(),
            decision_text=proposal.strip())
        return d.id


def set_letter_details(db: Database, actor: Principal, decision_id: int, *, addressee: str,
                       salutation: str, social_worker: str, expected_version: int | None = None) -> int:
    """Who the letters go to (before signing). Returns the decision's new ``row_version``."""
    require(actor, Permission.ADM_EDIT)
    letters = _letter_fields(addressee, salutation, social_worker)
    with db.session(actor) as session:
        d = _for_change(session, decision_id, expected_version)
        d.addressee, d.salutation, d.social_worker = letters
        session.flush()
        return d.row_version
