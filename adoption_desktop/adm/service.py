"""ADM use cases: one transaction each, permission checked first, audited; plain data out.

Signed is final: no function here updates a signed decision (and ``models._signed_is_final`` refuses
it at flush time for any other path). A correction is a new, signed version linked to the old one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.adm import rules
from adoption_desktop.adm.documents import build_letter_pdf, letter_from_content, letter_values
from adoption_desktop.adm.models import (
    AdmDecision,
    AdmDecisionType,
    AdmInfoRequest,
    AdmLetter,
    AdmNotification,
    AdmQualifyingDetermination,
)
from adoption_desktop.adm.settings import (
    DECISION_DUE_WD,
    FINAL_DECISION_DUE_WD,
    ORAL_NOTICE_WD,
    WRITTEN_NOTICE_WD,
)
from adoption_desktop.core import audit
from adoption_desktop.core.agency_profile import signer_title
from adoption_desktop.core.concurrency import lock_row, stale, when_text
from adoption_desktop.core.config import LETTER_REPLY_WORKING_DAYS
from adoption_desktop.core.documents.letterhead import letterhead
from adoption_desktop.core.documents.pdf import write_letters
from adoption_desktop.core.documents.templates import template_version_label
from adoption_desktop.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.security.service import reauthenticate
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.base import get_or_raise, utcnow
from adoption_desktop.core.storage.engine import Database, session_actor
from adoption_desktop.core.text_input import check_date, clean_name, clean_reference, clean_text
from adoption_desktop.core.workdays import WorkingCalendar

ENTITY = "adm_decisions"


# --- plain data returned to views and the CLI ----------------------------------------------------

@dataclass(frozen=True)
class DecisionRow:
    id: int
    root_id: int
    version: int
    decision_type: str
    type_label: str
    source: str
    state: str
    subject_reference: str
    subject_initials: str
    recommendation: str
    received_on: dt.date
    due_on: dt.date | None
    paused_since: dt.date | None
    decided_on: dt.date | None
    clock_code: str
    clock_label: str
    outcome: str
    signed_by: str
    superseded: bool


@dataclass(frozen=True)
class InfoRequestView:
    id: int
    requested_on: dt.date
    what: str
    received_on: dt.date | None
    received_note: str


@dataclass(frozen=True)
class LetterView:
    id: int
    decision_id: int
    kind: str
    letter_date: dt.date
    recipient: str
    sent_on: dt.date | None
    subject_reference: str = ""


@dataclass(frozen=True)
class QdView:
    id: int
    decision_id: int
    notice_sent_on: dt.date
    deadline: dt.date
    representations_on: dt.date | None
    representations: str
    irm_applied_on: dt.date | None
    irm_recommendation_on: dt.date | None
    irm_recommendation: str
    final_decision_id: int | None
    final_outcome: str
    final_on: dt.date | None


@dataclass(frozen=True)
class VersionView:
    id: int
    version: int
    outcome: str
    decision_text: str
    decision_reasons: str
    decided_on: dt.date | None
    signed_by: str
    signed_at: dt.datetime | None
    correction_reason: str
    supersedes_id: int | None


@dataclass(frozen=True)
class DecisionDetail:
    row: DecisionRow
    recommendation_text: str
    recommendation_reasons: str
    advice: str
    minutes_extract: str
    sitting_date: dt.date | None
    member_names: tuple[str, ...]
    addressee: str
    salutation: str
    social_worker: str
    decision_text: str
    decision_reasons: str
    signed_at: dt.datetime | None
    correction_reason: str
    oral_due: dt.date | None
    written_due: dt.date | None
    oral_notified_on: dt.date | None
    written_notified_on: dt.date | None
    info_requests: tuple[InfoRequestView, ...]
    letters: tuple[LetterView, ...]
    qd: QdView | None
    history: tuple[VersionView, ...]
    #: for the user reading it: a warning when their name matches an unlinked member of the item's panel
    conflict_warning: str = ""
    #: for the user reading it: why they may not record or sign this decision ("" when they may)
    conflict_refusal: str = ""
    #: the record's version when read: pass it back to the use cases that change it
    row_version: int = 1


@dataclass(frozen=True)
class SignResult:
    decision_id: int
    letter_id: int
    qd_id: int | None
    warnings: tuple[str, ...] = ()


# --- helpers ------------------------------------------------------------------------------------

def _get(session: Session, decision_id: int) -> AdmDecision:
    d = get_or_raise(session, AdmDecision, decision_id, f"There is no ADM decision {decision_id}.")
    return d


def _refuse_if_signed(d: AdmDecision) -> None:
    if d.signed_at is not None:
        raise Conflict(f"Decision {d.id} was signed by {d.signed_by_name} at {when_text(d.signed_at)} (decided "
                       f"{d.decided_on:%d/%m/%Y}); a signed decision cannot be changed. "
                       "Record a correction (a new version with a reason) instead.")


def _decision_values(d: AdmDecision) -> dict[str, str]:
    return {"Outcome": rules.OUTCOMES.get(d.outcome, d.outcome) if d.outcome else "", "Decision": d.decision_text,
            "Reasons": d.decision_reasons, "Addressee": d.addressee, "Salutation": d.salutation,
            "Social worker": d.social_worker, "State": d.state}


def _for_change(session: Session, decision_id: int, expected_version: int | None) -> AdmDecision:
    """The decision, locked for this transaction, unsigned, and still the version the person saw."""
    d = lock_row(session, _get(session, decision_id))
    _refuse_if_signed(d)
    if expected_version is not None and d.row_version != expected_version:
        raise stale(session, d, expected_version, f"decision {d.id} ({d.subject_reference})", _decision_values)
    return d


def _extra_types(session: Session) -> dict[str, str]:
    return {t.code: t.label for t in session.scalars(select(AdmDecisionType))}


def _pauses(session: Session, decision_id: int) -> list[rules.Pause]:
    return [rules.Pause(r.requested_on, r.received_on) for r in session.scalars(
        select(AdmInfoRequest).where(AdmInfoRequest.decision_id == decision_id))]


def _recompute_due(session: Session, d: AdmDecision) -> rules.Clock:
    n = get_setting(session, FINAL_DECISION_DUE_WD if d.source == "qd_final" else DECISION_DUE_WD)
    clock = rules.decision_clock(d.received_on, _pauses(session, d.id), n, calendar(session))
    d.due_on = clock.due_on
    return clock


def _row(d: Any, today: dt.date, cal: WorkingCalendar, extra: dict[str, str], superseded: bool,
         paused_since: dt.date | None) -> DecisionRow:
    status = rules.clock_status(d.state, d.due_on, paused_since, d.decided_on, today, cal)
    return DecisionRow(
        id=d.id, root_id=d.root_id or d.id, version=d.version, decision_type=d.decision_type,
        type_label=rules.type_label(d.decision_type, extra), source=d.source, state=d.state,
        subject_reference=d.subject_reference, subject_initials=d.subject_initials,
        recommendation=d.recommendation, received_on=d.received_on, due_on=d.due_on,
        paused_since=paused_since, decided_on=d.decided_on, clock_code=status.code,
        clock_label=status.label, outcome=d.outcome, signed_by=d.signed_by_name, superseded=superseded)


def _new_decision(session: Session, **fields: object) -> AdmDecision:
    d = AdmDecision(**fields)
    session.add(d)
    session.flush()
    d.root_id = d.id
    _recompute_due(session, d)
    session.flush()
    return d


# --- hand-off from the panel --------------------------------------------------------------------

def open_decision_from_panel(session: Session, handoff: PanelHandoff) -> int:
    """Open a pending decision for an approved panel item in the caller's transaction; returns its id.

    Called by the panel service (which has checked its own permission) when the chair approves an
    item's minutes. Opening the same panel item twice returns the decision already open."""
    existing = session.scalars(select(AdmDecision.id).where(
        AdmDecision.panel_item_id == handoff.panel_item_id, AdmDecision.source == "panel")).first()
    if existing is not None:
        return int(existing)
    if handoff.minutes_approved_on < handoff.sitting_date:
        raise Conflict(f"Hand-off to the ADM: the minutes are dated as approved on "
                       f"{handoff.minutes_approved_on:%d/%m/%Y}, before the sitting of "
                       f"{handoff.sitting_date:%d/%m/%Y}; minutes are handed over only once approved after the "
                       "sitting.")
    d = _new_decision(
        session, decision_type=handoff.case_type, source="panel", state=rules.STATE_PENDING,
        panel_item_id=handoff.panel_item_id, sitting_id=handoff.sitting_id, sitting_date=handoff.sitting_date,
        subject_reference=handoff.subject_reference, subject_initials=handoff.subject_initials,
        recommendation=handoff.recommendation, recommendation_text=handoff.recommendation_text,
        recommendation_reasons=handoff.reasons, advice=handoff.advice, minutes_extract=handoff.minutes_extract,
        member_user_ids=json.dumps(list(handoff.member_user_ids)),
        member_names=json.dumps(list(handoff.member_names)),
        unlinked_member_names=(None if handoff.unlinked_member_names is None
                               else json.dumps(list(handoff.unlinked_member_names))),
        received_on=handoff.minutes_approved_on, version=1,
        decision_text=rules.decision_sentence(handoff.case_type, handoff.recommendation, rules.OUTCOME_AGREE),
    )
    audit.record(session, "handoff", "panel_items", handoff.panel_item_id,
                 detail=f"recommendation handed to the ADM as decision {d.id}: {handoff.recommendation}")
    return d.id


# --- decision types -----------------------------------------------------------------------------

def decision_types(db: Database, actor: Principal) -> dict[str, str]:
    """Every type code and label (built-in and administrator-defined)."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        return {**rules.BUILTIN_TYPES, **_extra_types(session)}


def direct_types(db: Database, actor: Principal) -> dict[str, str]:
    """Types the ADM may open without panel."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        out = {c: rules.BUILTIN_TYPES[c] for c in rules.DIRECT_TYPES}
        out.update({t.code: t.label for t in session.scalars(
            select(AdmDecisionType).where(AdmDecisionType.active.is_(True)))})
        return out


def add_decision_type(db: Database, actor: Principal, code: str, label: str) -> None:
    """Administrator: another kind of decision the ADM makes without panel (local policy)."""
    require(actor, Permission.SETTINGS_MANAGE)
    label = clean_text(label, "Label", max_length=120)
    code = clean_text(code, "Code").lower().replace(" ", "_")
    if not code.replace("_", "").isalnum() or len(code) > 40:
        raise ValidationError("Code: use letters, digits and underscores only (up to 40).", "code")
    if code in rules.BUILTIN_TYPES:
        raise ValidationError(f"Code: {code!r} is a built-in type; choose another code.", "code")
    if not label.strip():
        raise ValidationError("Label: say what the decision is about.", "label")
    with db.session(actor) as session:
        row = session.get(AdmDecisionType, code)
        if row is None:
            session.add(AdmDecisionType(code=code, label=label.strip(), active=True))
        else:
            row.label, row.active = label.strip(), True


# --- queue and detail ---------------------------------------------------------------------------

def list_queue(db: Database, actor: Principal, today: dt.date, *, include_superseded: bool = False
               ) -> list[DecisionRow]:
    """Every decision (latest version of each unless ``include_superseded``), with its clock."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        cal = calendar(session)
        extra = _extra_types(session)
        superseded_ids = set(session.scalars(
            select(AdmDecision.supersedes_id).where(AdmDecision.supersedes_id.is_not(None))))
        open_pauses: dict[int, dt.date] = {int(k): v for k, v in session.execute(
            select(AdmInfoRequest.decision_id, func.max(AdmInfoRequest.requested_on))
            .where(AdmInfoRequest.received_on.is_(None)).group_by(AdmInfoRequest.decision_id))}
        rows: list[DecisionRow] = []
        a = AdmDecision
        cols = (a.id, a.root_id, a.version, a.decision_type, a.source, a.state, a.subject_reference,
                a.subject_initials, a.recommendation, a.received_on, a.due_on, a.decided_on, a.outcome,
                a.signed_by_name)
        for d in session.execute(select(*cols).order_by(a.id)):
            sup = d.id in superseded_ids
            if sup and not include_superseded:
                continue
            rows.append(_row(d, today, cal, extra, sup, open_pauses.get(d.id)))
        return rows


def _qd_view(q: AdmQualifyingDetermination) -> QdView:
    return QdView(q.id, q.decision_id, q.notice_sent_on, q.deadline, q.representations_on, q.representations,
                  q.irm_applied_on, q.irm_recommendation_on, q.irm_recommendation, q.final_decision_id,
                  q.final_outcome, q.final_on)


def _letter_view(r: AdmLetter, ref: str = "") -> LetterView:
    return LetterView(r.id, r.decision_id, r.kind, r.letter_date, r.recipient, r.sent_on, ref)


def get_decision(db: Database, actor: Principal, decision_id: int, today: dt.date, *,
                 opening: bool = True) -> DecisionDetail:
    """Read one decision. ``opening`` (the user opened the record) is audited as a view of the case
    record; a re-read after the user's own change to the record already open passes ``opening=False``."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=opening) as session:
        d = _get(session, decision_id)
        if opening:
            audit.record_view(session, ENTITY, d.id)
        cal = calendar(session)
        reqs = tuple(InfoRequestView(r.id, r.requested_on, r.what, r.received_on, r.received_note)
                     for r in session.scalars(select(AdmInfoRequest).where(AdmInfoRequest.decision_id == d.id)
                                              .order_by(AdmInfoRequest.id)))
        paused = next((r.requested_on for r in reversed(reqs) if r.received_on is None), None)
        root = d.root_id or d.id
        versions = list(session.scalars(select(AdmDecision).where(AdmDecision.root_id == root)
                                        .order_by(AdmDecision.version)))
        superseded = any(v.supersedes_id == d.id for v in versions)
        ids = [v.id for v in versions]
        letters = tuple(_letter_view(r) for r in session.scalars(
            select(AdmLetter).where(AdmLetter.decision_id.in_(ids)).order_by(AdmLetter.id)))
        qd_row = session.scalars(select(AdmQualifyingDetermination).where(
            AdmQualifyingDetermination.decision_id.in_(ids))).first()
        if qd_row is None and d.qd_id is not None:
            qd_row = session.get(AdmQualifyingDetermination, d.qd_id)
        notes = {n.kind: n.on_date for n in session.scalars(
            select(AdmNotification).where(AdmNotification.decision_id.in_(ids)).order_by(AdmNotification.id))}
        oral_due = written_due = None
        if d.decided_on is not None:
            oral_due, written_due = rules.notification_due(
                d.decided_on, get_setting(session, ORAL_NOTICE_WD), get_setting(session, WRITTEN_NOTICE_WD), cal)
        history = tuple(VersionView(v.id, v.version, v.outcome, v.decision_text, v.decision_reasons,
                                    v.decided_on, v.signed_by_name, v.signed_at, v.correction_reason,
                                    v.supersedes_id) for v in versions)
        return DecisionDetail(
            row=_row(d, today, cal, _extra_types(session), superseded, paused),
            recommendation_text=d.recommendation_text, recommendation_reasons=d.recommendation_reasons,
            advice=d.advice, minutes_extract=d.minutes_extract, sitting_date=d.sitting_date,
            member_names=tuple(json.loads(d.member_names or "[]")), addressee=d.addressee,
            salutation=d.salutation, social_worker=d.social_worker, decision_text=d.decision_text,
            decision_reasons=d.decision_reasons, signed_at=d.signed_at, correction_reason=d.correction_reason,
            oral_due=oral_due, written_due=written_due, oral_notified_on=notes.get("oral"),
            written_notified_on=notes.get("written"), info_requests=reqs, letters=letters,
            qd=_qd_view(qd_row) if qd_row else None, history=history,
            conflict_warning=_name_warning(d, actor) or "", conflict_refusal=_conflict_message(d, actor) or "",
            row_version=d.row_version)


# --- decisions without panel --------------------------------------------------------------------

def open_direct_decision(db: Database, actor: Principal, *, decision_type: str, subject_reference: str,
                         subject_initials: str, received_on: dt.date, proposal: str, reasons: str = "",
                         social_worker: str = "", addressee: str = "", salutation: str = "") -> int:
    """A decision without panel (child's plan for adoption, reg 25A temporary approval, local types)."""
    require(actor, Permission.ADM_EDIT)
    subject_reference = clean_reference(subject_reference, "Case reference", max_length=120)
    subject_initials = clean_text(subject_initials, "Initials", max_length=20)
    proposal = clean_text(proposal, "Proposal", multiline=True, max_length=20000)
    reasons = clean_text(reasons, "Reasons", multiline=True, max_length=20000)
    social_worker = clean_name(social_worker, "Child's social worker")
    addressee = clean_text(addressee, "Addressee", multiline=True, max_length=1000)
    salutation = clean_text(salutation, "Salutation", max_length=120)
    check_date(received_on, "Papers received on", "event", required=True)
    if not subject_reference.strip():
        raise ValidationError("Case reference: enter the agency case number.", "subject_reference")
    if not proposal.strip():
        raise ValidationError("Proposal: write what the ADM is asked to decide.", "proposal")
    if decision_type == "plan_for_adoption" and not social_worker.strip():
        raise ValidationError("Child's social worker: enter the name; the decision letter goes to them.",
                              "social_worker")
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
    addressee = clean_text(addressee, "Addressee", multiline=True, max_length=1000)
    salutation = clean_text(salutation, "Salutation", max_length=120)
    social_worker = clean_name(social_worker, "Child's social worker")
    with db.session(actor) as session:
        d = _for_change(session, decision_id, expected_version)
        d.addressee, d.salutation, d.social_worker = addressee.strip(), salutation.strip(), social_worker.strip()
        session.flush()
        return d.row_version


# --- deciding -----------------------------------------------------------------------------------

def record_decision(db: Database, actor: Principal, decision_id: int, *, outcome: str, decision_text: str,
                    reasons: str, expected_version: int | None = None) -> int:
    """Save the decision as a draft (it takes effect only when signed). ``expected_version``: the
    ``row_version`` the screen showed; a draft changed meanwhile by someone else is not overwritten."""
    require(actor, Permission.ADM_DECIDE)
    decision_text = clean_text(decision_text, "Decision", multiline=True, max_length=20000)
    reasons = clean_text(reasons, "Reasons", multiline=True, max_length=20000)
    with db.session(actor) as session:
        d = _for_change(session, decision_id, expected_version)
        _check_signer(d, actor)
        if outcome not in rules.OUTCOMES:
            raise ValidationError("Outcome: choose agree, decide differently or propose not to approve.",
                                  "outcome")
        d.outcome, d.decision_text, d.decision_reasons = outcome, decision_text.strip(), reasons.strip()
        session.flush()
        return d.row_version


def request_information(db: Database, actor: Principal, decision_id: int, *, what: str,
                        requested_on: dt.date) -> int:
    """Ask for more information: the clock pauses on ``requested_on``; a request letter is filed."""
    require(actor, Permission.ADM_DECIDE)
    what = clean_text(what, "Information needed", multiline=True, max_length=4000)
    check_date(requested_on, "Date asked", "event", required=True)
    if len(what.strip()) < 5:
        raise ValidationError("Information needed: say what information you need before deciding.", "what")
    with db.session(actor) as session:
        d = _get(session, decision_id)
        _refuse_if_signed(d)
        _check_signer(d, actor)
        if d.state == rules.STATE_PAUSED:
            raise Conflict("More information has already been asked for and not yet logged as received; "
                           "log it first.")
        if requested_on < d.received_on:
            raise ValidationError(f"Date asked: must be on or after {d.received_on:%d/%m/%Y} (when the papers arrived).",
                                  "requested_on")
        req = AdmInfoRequest(decision_id=d.id, requested_on=requested_on, what=what.strip())
        session.add(req)
        session.flush()
        d.state = rules.STATE_PAUSED
        _recompute_due(session, d)
        _file_letter(session, d, "adm_more_information", requested_on, info=req)
        audit.record(session, "information_requested", ENTITY, d.id, detail=f"asked {requested_on}")
        return req.id


def log_information(db: Database, actor: Principal, decision_id: int, *, received_on: dt.date,
                    note: str = "") -> dt.date:
    """The information asked for has arrived: the clock resumes; returns the new due date."""
    require(actor, Permission.ADM_EDIT)
    note = clean_text(note, "Note", multiline=True, max_length=4000)
    check_date(received_on, "Date received", "event", required=True)
    with db.session(actor) as session:
        d = _get(session, decision_id)
        _refuse_if_signed(d)
        req = session.scalars(select(AdmInfoRequest).where(
            AdmInfoRequest.decision_id == d.id, AdmInfoRequest.received_on.is_(None))).first()
        if req is None:
            raise Conflict("No request for more information is waiting on this decision.")
        if received_on < req.requested_on:
            raise ValidationError(f"Date received: must be on or after {req.requested_on:%d/%m/%Y} (when it was asked).",
                                  "received_on")
        req.received_on, req.received_note = received_on, note.strip()
        session.flush()
        d.state = rules.STATE_PENDING
        clock = _recompute_due(session, d)
        assert clock.due_on is not None
        audit.record(session, "information_received", ENTITY, d.id,
                     detail=f"received {received_on}; due {clock.due_on}")
        return clock.due_on


def _conflict_message(d: AdmDecision, actor: Principal) -> str | None:
    if rules.signer_conflict(actor.user_id, json.loads(d.member_user_ids or "[]")):
        return (f"{actor.full_name} sat on the panel for this item (the central-list member present is linked "
                "to this user account) and may neither record nor sign the agency's decision on it. Another "
                "agency decision maker must decide.")
    return None


def _check_signer(d: AdmDecision, actor: Principal) -> None:
    """A user linked to a member present for the item can neither record nor sign its decision."""
    message = _conflict_message(d, actor)
    if message:
        raise PermissionDenied(message)


def _name_warning(d: AdmDecision, actor: Principal) -> str | None:
    unlinked = json.loads(d.unlinked_member_names if d.unlinked_member_names is not None
                          else (d.member_names or "[]"))
    return rules.name_match_warning(actor.full_name, unlinked)


def decision_warnings(db: Database, actor: Principal, decision_id: int) -> list[str]:
    """Warnings (not refusals) for ``actor`` deciding this decision: a member of the item's panel with
    no linked user account has the same name."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        warning = _name_warning(_get(session, decision_id), actor)
        return [warning] if warning else []


def _reauth(db: Database, actor: Principal, password: str) -> None:
    if not password or not reauthenticate(db, actor, password):
        raise ValidationError("Password: the password is not correct; enter your own password to sign.",
                              "password")


def _validate(d: AdmDecision, outcome: str, text: str, reasons: str) -> None:
    problems = rules.check_outcome(d.decision_type, d.recommendation, outcome, text, reasons)
    if d.source == "qd_final" and outcome == rules.OUTCOME_NOT_APPROVE:
        problems = [p for p in problems if p[0] != "outcome"]
    if problems:
        field, msg = problems[0]
        raise ValidationError(msg, field)


def _sign_fields(d: AdmDecision, actor: Principal, decided_on: dt.date, at: dt.datetime | None = None) -> None:
    d.decided_on = decided_on
    d.signed_by_id, d.signed_by_name = actor.user_id, actor.full_name
    d.signed_at = at or utcnow()
    d.state = rules.STATE_SIGNED


def _after_signing(session: Session, d: AdmDecision) -> tuple[int, int | None]:
    """QD bookkeeping and the decision letter, in the signing transaction."""
    qd_id: int | None = None
    assert d.decided_on is not None
    qd: AdmQualifyingDetermination | None = None
    if d.source == "qd_final" and d.qd_id is not None:
        qd = session.get(AdmQualifyingDetermination, d.qd_id)
        if qd is not None:
            qd.final_decision_id = d.id
            qd.final_on = d.decided_on
            qd.final_outcome = "not_approved" if d.outcome == rules.OUTCOME_NOT_APPROVE else "approved"
            qd_id = qd.id
            audit.record(session, "qd_final_decision", "adm_qualifying_determinations", qd.id,
                         detail=f"{qd.final_outcome} on {d.decided_on}")
    elif d.outcome == rules.OUTCOME_NOT_APPROVE:
        prior = None
        if d.supersedes_id is not None:
            prior = session.scalars(select(AdmQualifyingDetermination).where(
                AdmQualifyingDetermination.decision_id == d.supersedes_id)).first()
        if prior is None:
            qd = AdmQualifyingDetermination(
                decision_id=d.id, notice_sent_on=d.decided_on,
                deadline=rules.qd_deadline(d.decided_on, calendar(session)))
            session.add(qd)
            session.flush()
            qd_id = qd.id
            audit.record(session, "qd_notice", "adm_qualifying_determinations", qd.id,
                         detail=f"notice {qd.notice_sent_on}, representations or IRM by {qd.deadline}")
        else:
            qd, qd_id = prior, prior.id
    kind = rules.letter_kind(d.decision_type, d.source, d.outcome, d.recommendation)
    letter_id = _file_letter(session, d, kind, d.decided_on, qd=qd)
    return letter_id, qd_id


def lateness(db: Database, actor: Principal, decision_id: int, decided_on: dt.date) -> int:
    """Working days past the statutory deadline a signature dated ``decided_on`` would be (0: in time):
    the screen asks for the reason for delay before the password."""
    require(actor, Permission.ADM_DECIDE)
    with db.session(actor, write=False) as session:
        d = _get(session, decision_id)
        return rules.working_days_late(d.due_on, decided_on, calendar(session))


def sign_decision(db: Database, actor: Principal, decision_id: int, password: str,
                  decided_on: dt.date, *, expected_version: int | None = None, delay_reason: str = "") -> SignResult:
    """Sign the recorded decision (re-entering the password). Refused for a member of the item's panel.

    The decision row is locked first, so of two people signing at once exactly one signs; the other is
    told who signed and when. With ``expected_version`` a draft changed since the signer read it is not
    signed (they would sign words they have not read). Signed past the statutory deadline (``due_on``, in
    working days) it needs ``delay_reason``, kept on the decision and counted in the figures."""
    require(actor, Permission.ADM_DECIDE)
    delay_reason = clean_text(delay_reason, "Reason for delay", multiline=True, max_length=4000).strip()
    with db.session(actor, write=False) as session:  # cheap checks before the password is tried
        d = _get(session, decision_id)
        _refuse_if_signed(d)
        _check_signer(d, actor)
        if d.state != rules.STATE_PAUSED and not _order_problems(d, decided_on):
            _check_delay(d, decided_on, delay_reason, calendar(session))  # asked before the password
    _reauth(db, actor, password)
    with db.session(actor) as session:
        d = _for_change(session, decision_id, expected_version)
        _check_signer(d, actor)
        if d.state == rules.STATE_PAUSED:
            raise Conflict("More information was asked for and has not been logged as received; log it "
                           "before signing.")
        _check_order(d, decided_on)
        _validate(d, d.outcome, d.decision_text, d.decision_reasons)
        late = _check_delay(d, decided_on, delay_reason, calendar(session))
        warning = _name_warning(d, actor)
        _sign_fields(d, actor, decided_on)
        d.delay_reason = delay_reason if late else ""
        session.flush()
        audit.record(session, "sign", ENTITY, d.id, detail=f"{d.outcome}: {d.decision_text[:200]}"
                     + (" (signed despite a name match with an unlinked panel member)" if warning else "")
                     + (f" ({late} WD late: {delay_reason[:200]})" if late else ""))
        letter_id, qd_id = _after_signing(session, d)
        return SignResult(d.id, letter_id, qd_id, (warning,) if warning else ())


def _check_delay(d: AdmDecision, decided_on: dt.date, reason: str, cal: WorkingCalendar) -> int:
    """Working days late; a late signature without a reason for delay is refused (field ``delay_reason``)."""
    late = rules.working_days_late(d.due_on, decided_on, cal)
    problem = rules.delay_reason_problem(late, d.due_on, reason)
    if problem:
        raise ValidationError(problem, "delay_reason")
    return late


def _order_problems(d: AdmDecision, decided_on: dt.date) -> list[str]:
    return list(rules.order_problems(d.received_on, decided_on, dt.date.today(),
                                     d.sitting_date if d.source == "panel" else None))


def _check_order(d: AdmDecision, decided_on: dt.date) -> None:
    """The order of events: no signature before the final minutes are received, nor dated in the future."""
    problems = _order_problems(d, decided_on)
    if problems:
        raise ValidationError(" ".join(problems), "decided_on")


def correct_decision(db: Database, actor: Principal, decision_id: int, password: str, *, reason: str,
                     outcome: str, decision_text: str, reasons: str, decided_on: dt.date) -> SignResult:
    """A correction of a signed decision: a new signed version with ``reason``, linked to the old one
    (which stays as it was). Only the latest version can be corrected."""
    require(actor, Permission.ADM_DECIDE)
    reason = clean_text(reason, "Reason for correction", multiline=True, max_length=4000)
    decision_text = clean_text(decision_text, "Decision", multiline=True, max_length=20000)
    reasons = clean_text(reasons, "Reasons", multiline=True, max_length=20000)
    if len(reason.strip()) < 5:
        raise ValidationError("Reason for correction: say what was wrong and why it is corrected.", "reason")
    with db.session(actor, write=False) as session:
        old = _get(session, decision_id)
        _check_signer(old, actor)
    _reauth(db, actor, password)
    with db.session(actor) as session:
        old = lock_row(session, _get(session, decision_id))
        if old.signed_at is None:
            raise Conflict("This decision is not signed yet: change it and sign it instead of correcting it.")
        newer = session.scalars(select(AdmDecision).where(AdmDecision.supersedes_id == old.id)).first()
        if newer is not None:
            raise Conflict(f"This version has already been corrected by {newer.signed_by_name} at "
                           f"{when_text(newer.signed_at)} (version {newer.version}); your correction was not "
                           "saved. Read the latest version and correct that one if still needed.")
        _check_signer(old, actor)
        copy_cols = ("decision_type", "source", "panel_item_id", "sitting_id", "sitting_date",
                     "subject_reference", "subject_initials", "recommendation", "recommendation_text",
                     "recommendation_reasons", "advice", "minutes_extract", "member_user_ids", "member_names",
                     "unlinked_member_names", "received_on", "due_on", "addressee", "salutation", "social_worker", "qd_id",
                     "delay_reason")
        new = AdmDecision(**{c: getattr(old, c) for c in copy_cols})
        new.root_id, new.version, new.supersedes_id = old.root_id or old.id, old.version + 1, old.id
        new.correction_reason = reason.strip()
        new.outcome, new.decision_text, new.decision_reasons = outcome, decision_text.strip(), reasons.strip()
        _check_order(new, decided_on)
        _validate(new, outcome, new.decision_text, new.decision_reasons)
        _sign_fields(new, actor, decided_on)
        session.add(new)
        session.flush()
        audit.record(session, "correct", ENTITY, new.id,
                     detail=f"version {new.version} corrects decision {old.id}: {new.correction_reason}")
        letter_id, qd_id = _after_signing(session, new)
        return SignResult(new.id, letter_id, qd_id)


# --- qualifying determination -------------------------------------------------------------------

def _qd(session: Session, qd_id: int) -> AdmQualifyingDetermination:
    q = get_or_raise(session, AdmQualifyingDetermination, qd_id, f"There is no qualifying determination {qd_id}.")
    lock_row(session, q)  # two people recording on it, or opening its final decision, go one after the other
    if q.final_decision_id is not None:
        raise Conflict("The final decision on this qualifying determination is signed; nothing more can be "
                       "recorded on it.")
    return q


def record_representations(db: Database, actor: Principal, qd_id: int, *, received_on: dt.date,
                           summary: str) -> None:
    require(actor, Permission.ADM_EDIT)
    summary = clean_text(summary, "Representations", multiline=True, max_length=20000)
    check_date(received_on, "Date received", "event", required=True)
    if not summary.strip():
        raise ValidationError("Representations: summarise what the applicants said.", "representations")
    with db.session(actor) as session:
        q = _qd(session, qd_id)
        if received_on < q.notice_sent_on:
            raise ValidationError(f"Date received: must be on or after the notice date {q.notice_sent_on:%d/%m/%Y}.",
                                  "representations_on")
        if received_on > q.deadline:
            raise ValidationError(f"Date received: representations must arrive by {q.deadline:%d/%m/%Y} (40 working "
                                  "days beginning with the notice date).", "representations_on")
        q.representations_on, q.representations = received_on, summary.strip()


def record_irm_application(db: Database, actor: Principal, qd_id: int, *, applied_on: dt.date) -> None:
    require(actor, Permission.ADM_EDIT)
    check_date(applied_on, "Date of IRM application", "event", required=True)
    with db.session(actor) as session:
        q = _qd(session, qd_id)
        if not q.notice_sent_on <= applied_on <= q.deadline:
            raise ValidationError(f"Date of IRM application: must be between {q.notice_sent_on:%d/%m/%Y} and "
                                  f"{q.deadline:%d/%m/%Y}.", "irm_applied_on")
        q.irm_applied_on = applied_on


def record_irm_recommendation(db: Database, actor: Principal, qd_id: int, *, received_on: dt.date,
                              recommendation: str) -> None:
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
        if received_on < q.irm_applied_on:
            raise ValidationError(f"Date received: must be on or after the IRM application {q.irm_applied_on:%d/%m/%Y}.",
                                  "irm_recommendation_on")
        q.irm_recommendation_on, q.irm_recommendation = received_on, recommendation.strip()


def open_final_decision(db: Database, actor: Principal, qd_id: int, today: dt.date) -> int:
    """Open the final decision after a qualifying determination (a pending decision to sign)."""
    require(actor, Permission.ADM_EDIT)
    with db.session(actor) as session:
        q = _qd(session, qd_id)
        existing = session.scalars(select(AdmDecision.id).where(
            AdmDecision.qd_id == q.id, AdmDecision.source == "qd_final")).first()
        if existing is not None:
            return int(existing)
        if q.irm_applied_on is not None and q.irm_recommendation_on is None:
            raise Conflict("The applicants applied to the IRM: wait for its recommendation and record it.")
        if q.representations_on is None and q.irm_applied_on is None and today <= q.deadline:
            raise Conflict(f"The applicants have until {q.deadline:%d/%m/%Y} to make representations or apply to the "
                           "IRM; the final decision can be made after that or when they respond.")
        src = _get(session, q.decision_id)
        start = rules.qd_final_clock_start(q.deadline, q.representations_on, q.irm_recommendation_on)
        if q.representations_on is not None and q.irm_applied_on is None:
            start = q.representations_on
        proposal = "Final decision after the qualifying determination of " + str(q.notice_sent_on)
        d = _new_decision(
            session, decision_type=src.decision_type, source="qd_final", state=rules.STATE_PENDING,
            panel_item_id=src.panel_item_id, sitting_id=src.sitting_id, sitting_date=src.sitting_date,
            subject_reference=src.subject_reference, subject_initials=src.subject_initials,
            recommendation=src.recommendation, recommendation_text=src.recommendation_text,
            recommendation_reasons=src.recommendation_reasons, advice=src.advice,
            minutes_extract=src.minutes_extract + (
                f"\n\nRepresentations ({q.representations_on}): {q.representations}" if q.representations else "")
            + (f"\n\nIRM recommendation ({q.irm_recommendation_on}): {q.irm_recommendation}"
               if q.irm_recommendation else ""),
            member_user_ids=src.member_user_ids, member_names=src.member_names,
            unlinked_member_names=src.unlinked_member_names, received_on=start,
            version=1, addressee=src.addressee, salutation=src.salutation, social_worker=src.social_worker,
            qd_id=q.id, decision_text=proposal)
        audit.record(session, "qd_final_opened", "adm_qualifying_determinations", q.id, detail=f"decision {d.id}")
        return d.id


# --- letters ------------------------------------------------------------------------------------

def _file_letter(session: Session, d: AdmDecision, kind: str, day: dt.date, *,
                 qd: AdmQualifyingDetermination | None = None, info: AdmInfoRequest | None = None) -> int:
    extra = _extra_types(session)
    cal = calendar(session)
    values = letter_values(d, rules.type_label(d.decision_type, extra), day, qd=qd, info=info,
                           written_wd=get_setting(session, WRITTEN_NOTICE_WD), cal=cal,
                           reply_wd=get_setting(session, LETTER_REPLY_WORKING_DAYS))
    signatory = d.signed_by_name or session_actor(session).full_name
    pdf, content, recipient = build_letter_pdf(kind, values, d, day, letterhead(session, area="adm"), signatory,
                                               signer_title(session, full_name=signatory))
    row = AdmLetter(decision_id=d.id, kind=kind, letter_date=day, recipient=recipient, pdf=pdf, content=content,
                    template_version=template_version_label(session, kind))
    session.add(row)
    session.flush()
    audit.record(session, "letter_generated", "adm_letters", row.id, detail=f"{kind} for decision {d.id}")
    return row.id


def letter_pdf(db: Database, actor: Principal, letter_id: int) -> bytes:
    """The filed PDF of one letter (opening it is audited)."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor) as session:
        row = get_or_raise(session, AdmLetter, letter_id, f"There is no ADM letter {letter_id}.")
        audit.record_view(session, "adm_letters", row.id)
        return bytes(row.pdf)


def export_decision_letter(db: Database, actor: Principal, decision_id: int, out: Path) -> LetterView:
    """Write the latest letter filed against the decision's signed version to ``out`` (audited).

    ``out`` ending ``.docx`` writes a Word copy of the same letter (from its stored layout, under the
    current letterhead) for a last edit; the filed PDF stays the record of what was sent."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor) as session:
        d = _get(session, decision_id)
        if d.signed_at is None:
            raise Conflict(f"Decision {decision_id} is not signed yet; its decision letter is made when it is "
                           "signed.")
        row = session.scalars(select(AdmLetter).where(AdmLetter.decision_id == d.id)
                              .order_by(AdmLetter.id.desc())).first()
        if row is None:
            raise NotFound(f"No letter is filed against decision {decision_id}.")
        out = Path(out)
        if out.suffix.lower() == ".docx":
            if not row.content:
                raise Conflict(f"The letter filed against decision {decision_id} has no stored layout; only "
                               "its PDF can be saved.")
            write_letters(out, [letter_from_content(row.content)], letterhead(session),
                          title=f"{row.kind} {d.subject_reference}")
        else:
            tmp = out.with_name(out.name + ".partial")
            tmp.write_bytes(row.pdf)
            tmp.replace(out)
        audit.record(session, "export", "adm_letters", row.id, detail=f"decision letter to {out.name}")
        return _letter_view(row, d.subject_reference)


def export_letter(db: Database, actor: Principal, letter_id: int, out: Path) -> Path:
    """One filed letter to ``out``: its PDF as filed, or (``.docx``) a Word copy of the same letter from its
    stored layout under the current letterhead, for a last edit. Audited."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor) as session:
        row = get_or_raise(session, AdmLetter, letter_id, f"There is no ADM letter {letter_id}.")
        out = Path(out)
        if out.suffix.lower() == ".docx":
            if not row.content:
                raise Conflict(f"Letter {letter_id} has no stored layout; only its PDF can be saved.")
            write_letters(out, [letter_from_content(row.content)], letterhead(session), title=row.kind)
        else:
            tmp = out.with_name(out.name + ".partial")
            tmp.write_bytes(row.pdf)
            tmp.replace(out)
        audit.record(session, "export", "adm_letters", row.id, detail=f"letter to {out.name}")
        return out


def decision_id_for(db: Database, actor: Principal, given: str) -> int:
    """The decision a person names: its number, or the case reference it is about (``AD-2026-0142``),
    compared as references are (case, spacing and look-alike characters ignored). Of a corrected decision
    the current version is meant; two different decisions on one case are refused, listing them."""
    from adoption_desktop.core.text_input import reference_key

    require(actor, Permission.ADM_VIEW)
    text = given.strip()
    if text.isdigit():
        return int(text)
    key = reference_key(text)
    with db.session(actor, write=False) as session:
        superseded = set(session.scalars(select(AdmDecision.supersedes_id).where(AdmDecision.supersedes_id.is_not(None))))
        rows = [d for d in session.scalars(select(AdmDecision).order_by(AdmDecision.id))
                if reference_key(d.subject_reference) == key and d.id not in superseded]
        if not rows:
            raise NotFound(f"Decision: no ADM decision about {text}; give the case reference shown in the ADM "
                           "queue, or the decision number.")
        if len(rows) > 1:
            def state(d: AdmDecision) -> str:
                return f"signed {d.decided_on:%d/%m/%Y}" if d.signed_at and d.decided_on else d.state

            listed = ", ".join(f"{d.id} ({d.decision_type}, {state(d)})" for d in rows)
            raise Conflict(f"Decision: {len(rows)} decisions about {text}: {listed}; give the number of the one "
                           "you mean.")
        return rows[0].id


def mark_letter_sent(db: Database, actor: Principal, letter_id: int, sent_on: dt.date) -> None:
    """Record the date a letter was sent (a decision letter counts as the written notification)."""
    require(actor, Permission.ADM_EDIT)
    check_date(sent_on, "Date sent", "event", required=True)
    with db.session(actor) as session:
        row = get_or_raise(session, AdmLetter, letter_id, f"There is no ADM letter {letter_id}.")
        if row.sent_on is not None:
            raise Conflict(f"This letter was already recorded as sent on {row.sent_on:%d/%m/%Y}.")
        if sent_on < row.letter_date:
            raise ValidationError(f"Date sent: must be on or after the letter's date {row.letter_date:%d/%m/%Y}.",
                                  "sent_on")
        row.sent_on = sent_on
        if row.kind != "adm_more_information":
            session.add(AdmNotification(decision_id=row.decision_id, kind="written", on_date=sent_on,
                                        note=f"letter {row.id}"))


def record_oral_notification(db: Database, actor: Principal, decision_id: int, on_date: dt.date,
                             note: str = "") -> None:
    require(actor, Permission.ADM_EDIT)
    note = clean_text(note, "Note", multiline=True, max_length=4000)
    check_date(on_date, "Date told", "event", required=True)
    with db.session(actor) as session:
        d = _get(session, decision_id)
        if d.decided_on is None or on_date < d.decided_on:
            raise ValidationError("Date told: the decision must be signed and the date on or after it.",
                                  "on_date")
        session.add(AdmNotification(decision_id=d.id, kind="oral", on_date=on_date, note=note.strip()))


def letters_for_day(db: Database, actor: Principal, day: dt.date) -> list[LetterView]:
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        rows = session.execute(select(AdmLetter, AdmDecision.subject_reference)
                               .join(AdmDecision, AdmDecision.id == AdmLetter.decision_id)
                               .where(AdmLetter.letter_date == day).order_by(AdmLetter.id)).all()
        return [_letter_view(r, ref) for r, ref in rows]


def print_day(db: Database, actor: Principal, day: dt.date, out: Path, *,
              progress: Callable[[int, int], None] | None = None,
              cancelled: Callable[[], bool] | None = None) -> int:
    """Every letter dated ``day`` in one PDF (laid out again from the filed text). Returns the count."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor) as session:
        rows = list(session.scalars(select(AdmLetter).where(AdmLetter.letter_date == day)
                                    .order_by(AdmLetter.id)))
        if not rows:
            raise NotFound(f"No ADM letters are dated {day}.")
        head = letterhead(session, area="adm")
        contents = [r.content for r in rows]
        audit.record(session, "export", "adm_letters", "*", detail=f"batch of {len(rows)} letters of {day}")
    return write_letters(out, (letter_from_content(c) for c in contents), head,
                         title=f"ADM letters {day}", total=len(contents), progress=progress,
                         cancelled=cancelled)
