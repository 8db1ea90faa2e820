"""After a proposal not to approve (qualifying determination): the applicants'
representations, their application to the IRM and its recommendation, and the final decision.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecision, AdmLetter, AdmQualifyingDetermination
from adoption_desktop.adm.service.common import (
    ENTITY,
    QD_ENTITY,
    _get,
    _new_decision,
    _recompute_due,
    _require_as_saved,
)
from adoption_desktop.core import audit
from adoption_desktop.core.audit.seal_check import require_unchanged
from adoption_desktop.core.concurrency import check_version, lock_row
from adoption_desktop.core.documents.pdf import long_date
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_date, clean_text

# --- qualifying determination -------------------------------------------------------------------

def _qd(session: Session, qd_id: int) -> AdmQualifyingDetermination:
    q = get_or_raise(session, AdmQualifyingDetermination, qd_id, f"There is no qualifying determination {qd_id}.")
    lock_row(session, q)  # two people recording on it, or opening its final decision, go one after the other
    if q.final_outcome == rules.QD_CLOSED_BY_CORRECTION:
        raise Conflict(f"This qualifying determination was closed on {q.final_on:%d/%m/%Y}, when the proposal "
                       f"not to approve was corrected (decision {q.final_decision_id}); nothing more can be "
                       "recorded on it.")
    if q.final_decision_id is not None:
        raise Conflict("The final decision on this qualifying determination is signed; nothing more can be "
                       "recorded on it.")
    return q


def _check_day(session: Session, q: AdmQualifyingDetermination, field: str, day: dt.date, key: str) -> None:
    """Refuse a date in the future or before the proposal not to approve was decided."""
    problem = rules.qd_date_problem(field, day, _get(session, q.decision_id).decided_on, dt.date.today())
    if problem:
        raise ValidationError(problem, key)


def _pending_final(session: Session, q: AdmQualifyingDetermination) -> AdmDecision | None:
    return session.scalars(select(AdmDecision).where(
        AdmDecision.qd_id == q.id, AdmDecision.source == "qd_final", AdmDecision.signed_at.is_(None))).first()


def recount_final(session: Session, q: AdmQualifyingDetermination) -> None:
    """A final decision already opened and not signed: its clock starts again from what is now recorded
    (``rules.qd_final_clock_start``), and waits with no due date while an IRM recommendation is awaited
    (``common._irm_pause``); a change is audited with the old and new dates."""
    d = _pending_final(session, q)
    if d is None:
        return
    start = rules.qd_final_clock_start(q.deadline, q.representations_on, q.irm_recommendation_on)
    lock_row(session, d)
    _require_as_saved(session, d, f"This was not recorded: the clock of the final decision (decision {d.id}) "
                                  "would start again on a draft changed outside the application. Nothing was "
                                  "saved; the qualifying determination and the decision stay as they are.")
    old_start, old_due = d.received_on, d.due_on
    d.received_on = start
    _recompute_due(session, d)
    if (old_start, old_due) == (d.received_on, d.due_on):
        return
    due = d.due_on if d.due_on is not None else "none (paused: IRM recommendation awaited)"
    audit.record(session, "qd_final_clock", ENTITY, d.id,
                 detail=f"clock start {old_start} -> {start}; due {old_due} -> {due}")


def _shown(q: AdmQualifyingDetermination) -> dict[str, str]:
    """What a colleague's screen said of the representations and the IRM application (a stale save's
    message)."""
    return {"Representations received": f"{q.representations_on:%d/%m/%Y}" if q.representations_on else "not recorded",
            "Representations": q.representations or "",
            "IRM application": f"{q.irm_applied_on:%d/%m/%Y}" if q.irm_applied_on else "not recorded"}


def record_representations(db: Database, actor: Principal, qd_id: int, *, received_on: dt.date,
                           summary: str, expected_version: int | None = None) -> None:
    """What the applicants said, and when. ``expected_version``: the qualifying determination's version the
    screen showed; a colleague's record made since is not replaced (:class:`StaleRecord` with theirs). A
    multi-user trial found the second of two ADMs recording at once silently replaced the first's summary.
    ``None`` from scripts: the latest wins."""
    require(actor, Permission.ADM_EDIT)
    summary = clean_text(summary, "Representations", multiline=True, max_length=20000)
    check_date(received_on, "Date received", "event", required=True)
    if not summary.strip():
        raise ValidationError("Representations: summarise what the applicants said.", "representations")
    with db.session(actor) as session:
        q = _qd(session, qd_id)
        check_version(session, q, expected_version, "qualifying determination", _shown)
        _check_day(session, q, "Date received", received_on, "representations_on")
        if received_on < q.notice_sent_on:
            raise ValidationError(f"Date received: must be on or after the notice date {q.notice_sent_on:%d/%m/%Y}.",
                                  "representations_on")
        if received_on > q.deadline:
            raise ValidationError(f"Date received: representations must arrive by {q.deadline:%d/%m/%Y} (40 working "
                                  "days beginning with the notice date).", "representations_on")
        q.representations_on, q.representations = received_on, summary.strip()
        audit.record(session, "qd_representations", QD_ENTITY, q.id, detail=f"received {received_on}")
        recount_final(session, q)


def record_irm_application(db: Database, actor: Principal, qd_id: int, *, applied_on: dt.date,
                           expected_version: int | None = None) -> None:
    """The day the applicants applied to the IRM; ``expected_version`` as for :func:`record_representations`."""
    require(actor, Permission.ADM_EDIT)
    check_date(applied_on, "Date of IRM application", "event", required=True)
    with db.session(actor) as session:
        q = _qd(session, qd_id)
        check_version(session, q, expected_version, "qualifying determination", _shown)
        _check_day(session, q, "Date of IRM application", applied_on, "irm_applied_on")
        if q.irm_recommendation_on is not None:
            raise Conflict(f"The IRM's recommendation is already recorded (received "
                           f"{q.irm_recommendation_on:%d/%m/%Y}); the application it answers cannot be changed.")
        if not q.notice_sent_on <= applied_on <= q.deadline:
            raise ValidationError(f"Date of IRM application: must be between {q.notice_sent_on:%d/%m/%Y} and "
                                  f"{q.deadline:%d/%m/%Y}.", "irm_applied_on")
        q.irm_applied_on = applied_on
        audit.record(session, "qd_irm_application", QD_ENTITY, q.id, detail=f"applied {applied_on}")
        recount_final(session, q)  # an open final decision waits for the recommendation: its clock pauses


def record_irm_recommendation(db: Database, actor: Principal, qd_id: int, *, received_on: dt.date,
                              recommendation: str) -> None:
    """The IRM's recommendation, recorded once: a second one is refused (it would replace the first)."""
    require(actor, Permission.ADM_EDIT)
    recommendation = clean_text(recommendation, "IRM recommendation", multiline=True, max_length=20000)
    check_date(received_on, "Date received", "event", required=True)
    if not recommendation.strip():
        raise ValidationError("IRM recommendation: enter the review panel's recommendation.",
                              "irm_recommendation")
    with db.session(actor) as session:
        q = _qd(session, qd_id)
        if q.irm_applied_on is None:
            raise Conflict("Record the IRM application first.")
        if q.irm_recommendation_on is not None:
            raise Conflict(f"An IRM recommendation is already recorded on this qualifying determination (received "
                           f"{q.irm_recommendation_on:%d/%m/%Y}); it is not replaced.")
        _check_day(session, q, "Date received", received_on, "irm_recommendation_on")
        if received_on < q.irm_applied_on:
            raise ValidationError(f"Date received: must be on or after the IRM application {q.irm_applied_on:%d/%m/%Y}.",
                                  "irm_recommendation_on")
        q.irm_recommendation_on, q.irm_recommendation = received_on, recommendation.strip()
        audit.record(session, "qd_irm_recommendation", QD_ENTITY, q.id, detail=f"received {received_on}")
        recount_final(session, q)


def _check_notice_sent(session: Session, q: AdmQualifyingDetermination) -> None:
    """The final decision is opened only once the latest notice letter of the proposal is recorded as sent:
    the applicants' 40 working days count from the day it went, and cannot move after the final decision
    is opened (``letters.mark_letter_sent`` refuses that)."""
    src = _get(session, q.decision_id)
    root = src.root_id or src.id
    versions = select(AdmDecision.id).where((AdmDecision.root_id == root) | (AdmDecision.id == root))
    notice = session.scalars(select(AdmLetter).where(AdmLetter.decision_id.in_(versions),
                                                     AdmLetter.kind == "adm_qd_notice")
                             .order_by(AdmLetter.id.desc())).first()
    if notice is not None and notice.sent_on is None:
        # named by its kind and date, as the Letters tab lists it: never by its record number (a tester was
        # told of "letter 149", a number no screen shows)
        raise Conflict(f"The {rules.LETTER_KINDS['adm_qd_notice'].lower()} dated {long_date(notice.letter_date)} "
                       "is not recorded as sent: record the day it went first (Letters and history tab, Alt+Y, "
                       "Mark letter sent…), so the applicants' 40 working days are counted from that day; then "
                       "open the final decision.")


def refuse_if_changed_outside(session: Session, q: AdmQualifyingDetermination, proposal: AdmDecision,
                              not_done: str) -> None:
    """The final decision is built from the signed proposal (the panel's recommendation and reasons, the
    minutes, who it is written to) and the representations and IRM recommendation recorded here; a notice
    made again, from the proposal and the period recorded here. Either built from rows changed outside the
    application would carry the changed words under a valid signature: refused, ``not_done`` saying what
    was not done ("The final decision was not opened")."""
    conn = session.connection()
    require_unchanged(conn, ENTITY, proposal.id, "The signed proposal not to approve is not as it was signed",
                      f"{not_done}: nothing was saved, and the proposal stays as it is.")
    require_unchanged(conn, QD_ENTITY, q.id, "The record of this qualifying determination (its notice date, "
                      "the representations and the IRM's recommendation) is not as the application saved it",
                      f"{not_done}: nothing was saved.")


def _dmy(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else "date not recorded"


def open_final_decision(db: Database, actor: Principal, qd_id: int, today: dt.date) -> int:
    """Open the final decision after a qualifying determination (a pending decision to sign)."""
    require(actor, Permission.ADM_EDIT)
    with db.session(actor) as session:
        q = _qd(session, qd_id)
        existing = session.scalars(select(AdmDecision.id).where(
            AdmDecision.qd_id == q.id, AdmDecision.source == "qd_final")).first()
        if existing is not None:
            return int(existing)
        _check_notice_sent(session, q)
        if q.irm_applied_on is not None and q.irm_recommendation_on is None:
            raise Conflict("The applicants applied to the IRM: wait for its recommendation and record it.")
        if q.representations_on is None and q.irm_applied_on is None and today <= q.deadline:
            raise Conflict(f"The applicants have until {q.deadline:%d/%m/%Y} to make representations or apply to the "
                           "IRM; the final decision can be made after that or when they respond.")
        src = _get(session, q.decision_id)
        refuse_if_changed_outside(session, q, src, "The final decision was not opened")
        start = rules.qd_final_clock_start(q.deadline, q.representations_on, q.irm_recommendation_on)
        # the sentence for the outcome the pane starts on, which follows the outcome while unedited (it was
        # "Final decision after the qualifying determination of 2026-09-24", printed in the letter as the
        # ADM's own words)
        proposal = rules.decision_sentence(src.decision_type, src.recommendation,
                                           rules.default_outcome(src.decision_type, src.recommendation), "qd_final")
        d = _new_decision(
            session, decision_type=src.decision_type, source="qd_final", state=rules.STATE_PENDING,
            panel_item_id=src.panel_item_id, sitting_id=src.sitting_id, sitting_date=src.sitting_date,
            subject_reference=src.subject_reference, subject_initials=src.subject_initials,
            recommendation=src.recommendation, recommendation_text=src.recommendation_text,
            recommendation_reasons=src.recommendation_reasons, advice=src.advice,
            minutes_extract=src.minutes_extract + (
                f"\n\nRepresentations ({_dmy(q.representations_on)}): {q.representations}" if q.representations else "")
            + (f"\n\nIRM recommendation ({_dmy(q.irm_recommendation_on)}): {q.irm_recommendation}"
               if q.irm_recommendation else ""),
            member_user_ids=src.member_user_ids, member_names=src.member_names,
            unlinked_member_names=src.unlinked_member_names, received_on=start,
            version=1, addressee=src.addressee, salutation=src.salutation, social_worker=src.social_worker,
            qd_id=q.id, decision_text=proposal)
        audit.record(session, "qd_final_opened", QD_ENTITY, q.id, detail=f"decision {d.id}")
        return d.id
