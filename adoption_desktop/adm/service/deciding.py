"""Deciding: the draft decision, asking for more information (the clock pauses) and logging it,
signing (the password again; refused for a member of the item's panel; late only with a reason) and
correcting a signed decision by a new signed version.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecision, AdmInfoRequest, AdmQualifyingDetermination
from adoption_desktop.adm.service.common import (
    ENTITY,
    NOT_SIGNED,
    _check_signer,
    _decision_fields,
    _for_change,
    _get,
    _letter_fields,
    _name_warning,
    _qd_for,
    _recompute_due,
    _refuse_if_signed,
    _require_as_saved,
)
from adoption_desktop.adm.service.data import SignResult
from adoption_desktop.adm.service.letters import _file_letter
from adoption_desktop.core import audit
from adoption_desktop.core.audit.seal_check import require_unchanged
from adoption_desktop.core.concurrency import lock_row, when_text
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.handoff import MinutesCorrected, MinutesCorrectionOpen
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.security.service import confirm_password
from adoption_desktop.core.settings_service import calendar
from adoption_desktop.core.storage.base import record_now, utcnow
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_not_future, clean_text
from adoption_desktop.core.workdays import WorkingCalendar

# --- deciding -----------------------------------------------------------------------------------

def record_decision(db: Database, actor: Principal, decision_id: int, *, outcome: str, decision_text: str,
                    reasons: str, expected_version: int | None = None) -> int:
    """Save the decision as a draft (it takes effect only when signed). ``expected_version``: the
    ``row_version`` the screen showed; a draft changed meanwhile by someone else is not overwritten."""
    require(actor, Permission.ADM_DECIDE)
    fields = _decision_fields(outcome, decision_text, reasons)
    with db.session(actor) as session:
        d = _for_change(session, decision_id, expected_version)
        _check_signer(d, actor)
        d.outcome, d.decision_text, d.decision_reasons = fields
        session.flush()
        return d.row_version


def save_draft_decision(db: Database, actor: Principal, decision_id: int, *, outcome: str, decision_text: str,
                        reasons: str, addressee: str, salutation: str, social_worker: str,
                        expected_version: int | None = None) -> int:
    """Save draft: the decision (as :func:`record_decision`) and who its letters go to (as
    ``set_letter_details``) in one transaction, every field checked before anything is written — whole or
    nothing. (Two transactions left the letter details saved when the decision was refused, the version
    moved under the screen, and the next save met a conflict of the person's own making.) Returns the
    decision's new ``row_version``."""
    require(actor, Permission.ADM_DECIDE)
    require(actor, Permission.ADM_EDIT)
    decision = _decision_fields(outcome, decision_text, reasons)
    letters = _letter_fields(addressee, salutation, social_worker)
    with db.session(actor) as session:
        d = _for_change(session, decision_id, expected_version)
        _check_signer(d, actor)
        d.outcome, d.decision_text, d.decision_reasons = decision
        d.addressee, d.salutation, d.social_worker = letters
        session.flush()
        return d.row_version




def request_information(db: Database, actor: Principal, decision_id: int, *, what: str,
                        requested_on: dt.date, today: dt.date | None = None) -> int:
    """Ask for more information: the clock pauses on ``requested_on`` (not after ``today``); a request
    letter is filed."""
    require(actor, Permission.ADM_DECIDE)
    what = clean_text(what, "Information needed", multiline=True, max_length=4000)
    # a future day would count working days not yet passed as used
    check_not_future(requested_on, "Date asked", "requested_on", today=today,
                     advice="record the day the information was asked for, once it has happened")
    if len(what.strip()) < 5:
        raise ValidationError("Information needed: say what information you need before deciding.", "what")
    with db.session(actor) as session:
        d = lock_row(session, _get(session, decision_id))
        _require_as_saved(session, d, "The request for more information was not recorded and no letter was "
                                       "filed. Nothing was saved; the decision stays as it is.")
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
                    note: str = "", today: dt.date | None = None) -> dt.date | None:
    """The information asked for has arrived (on ``received_on``, not after ``today``): the clock resumes;
    returns the new due date (None for a final decision still waiting for the IRM's recommendation: its
    clock restarts when that is recorded)."""
    require(actor, Permission.ADM_EDIT)
    note = clean_text(note, "Note", multiline=True, max_length=4000)
    # a future day would push the statutory deadline out
    check_not_future(received_on, "Date received", "received_on", today=today,
                     advice="record the day the information arrived, once it has happened")
    with db.session(actor) as session:
        d = lock_row(session, _get(session, decision_id))
        _require_as_saved(session, d, "The information was not logged as received. Nothing was saved; the "
                                       "decision stays as it is.")
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
        due = clock.due_on if clock.due_on is not None else "none (paused: IRM recommendation awaited)"
        audit.record(session, "information_received", ENTITY, d.id, detail=f"received {received_on}; due {due}")
        return clock.due_on


def decision_warnings(db: Database, actor: Principal, decision_id: int) -> list[str]:
    """Warnings (not refusals) for ``actor`` deciding this decision: a member of the item's panel with
    no linked user account has the same name."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        warning = _name_warning(_get(session, decision_id), actor)
        return [warning] if warning else []


def minutes_correction(db: Database, actor: Principal, decision_id: int
                       ) -> MinutesCorrectionOpen | MinutesCorrected | None:
    """What the ADM confirms before signing about the panel minutes this decision rests on, or None: a
    correction opened and not yet approved (who opened it, when, the reason), or an approved correction that
    changed the recommendation since the ADM's draft was begun (the decision took it; the draft was kept).
    The sign dialog warns and asks the ADM to confirm signing anyway."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        return _minutes_correction(session, _get(session, decision_id))


def minutes_correction_warning(found: MinutesCorrectionOpen | MinutesCorrected) -> str:
    if isinstance(found, MinutesCorrected):
        return found.warning()
    return found.warning(when_text(found.opened_at))


def _minutes_correction(session: Session, d: AdmDecision) -> MinutesCorrectionOpen | MinutesCorrected | None:
    if d.panel_item_id is None:
        return None
    from adoption_desktop.panel.service import open_correction  # the panel's service, never its tables

    found = open_correction(session, d.panel_item_id)
    if found is not None or d.signed_at is not None:
        return found
    corrected = minutes_corrected(session, d)
    return corrected if corrected is not None and corrected.recommendation_changed else None


def minutes_corrected(session: Session, d: AdmDecision) -> MinutesCorrected | None:
    """The approved correction of the panel minutes behind ``d`` (in the caller's transaction), or None: the
    item's latest approved minutes are a correction of minutes handed to the ADM. ``handed_off_on`` says
    whether this decision took it (None: it came after the decision was signed)."""
    if d.panel_item_id is None or d.source != "panel":
        return None
    from adoption_desktop.panel.service import minutes_corrections  # the panel's service, never its tables

    return minutes_corrections(session, [d.panel_item_id]).get(d.panel_item_id)


def _check_correction(found: MinutesCorrectionOpen | MinutesCorrected | None, sign_anyway: bool,
                      shown: int | None = None) -> None:
    """Not a refusal (whether to wait is a practice question) but an explicit confirmation: signing while
    the minutes are being corrected needs ``sign_anyway``, given for the correction the ADM was warned about
    (``shown``: its version; another correction since is asked about again)."""
    if found is not None and (not sign_anyway or (shown is not None and shown != found.version)):
        raise ValidationError(minutes_correction_warning(found) + " To sign now, confirm that you sign anyway.",
                              "minutes_correction")


def _reauth(db: Database, actor: Principal, password: str) -> None:
    confirm_password(db, actor, password)  # wrong, or locked: the same words as every re-authentication


def _validate(d: AdmDecision, outcome: str, text: str, reasons: str) -> None:
    problems = rules.check_outcome(d.decision_type, d.recommendation, outcome, text, reasons, d.source)
    if d.source == "qd_final" and outcome == rules.OUTCOME_NOT_APPROVE:
        problems = [p for p in problems if p[0] != "outcome"]
    if problems:
        field, msg = problems[0]
        raise ValidationError(msg, field)


def _sign_fields(d: AdmDecision, actor: Principal, decided_on: dt.date, at: dt.datetime | None = None) -> None:
    """Sign ``d``: ``at`` is when (the services pass ``record_now``, the server's clock in team mode; the demo
    its own times; by default this PC's clock)."""
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
        prior = _qd_for(session, d) if d.supersedes_id is not None else None
        if prior is None or prior.final_outcome == rules.QD_CLOSED_BY_CORRECTION:
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
            _restart_period(session, prior, d)
    kind = rules.letter_kind(d.decision_type, d.source, d.outcome, d.recommendation)
    letter_id = _file_letter(session, d, kind, d.decided_on, qd=qd)
    return letter_id, qd_id


def _restart_period(session: Session, q: AdmQualifyingDetermination, d: AdmDecision) -> None:
    """A proposal corrected into a proposal: its corrected notice gives the applicants their 40 working days
    from its own date, as a notice made again does. (A trial's correction, dated after the first notice's
    period had ended, filed a notice dated 5 December telling the family they had "until 6 November".)"""
    assert d.decided_on is not None
    if d.decided_on <= q.notice_sent_on:
        return
    lock_row(session, q)
    before = (q.notice_sent_on, q.deadline)
    q.notice_sent_on, q.deadline = d.decided_on, rules.qd_deadline(d.decided_on, calendar(session))
    audit.record(session, "qd_notice_corrected", "adm_qualifying_determinations", q.id,
                 detail=f"correction version {d.version} (decision {d.id}): notice {before[0]} -> {q.notice_sent_on}, "
                        f"representations or IRM by {before[1]} -> {q.deadline}")


def corrected_period(db: Database, actor: Principal, decision_id: int, decided_on: dt.date) -> dt.date | None:
    """For a signed proposal not to approve corrected on ``decided_on`` into a proposal: the end of the 40
    working days the corrected notice will give (None when the correction is no proposal, or keeps the
    notice's date): the correction dialog says it before the password is asked for."""
    require(actor, Permission.ADM_VIEW)
    with db.session(actor, write=False) as session:
        d = _get(session, decision_id)
        q = _qd_for(session, d) if d.outcome == rules.OUTCOME_NOT_APPROVE and d.source != "qd_final" else None
        if q is None or q.final_outcome == rules.QD_CLOSED_BY_CORRECTION or decided_on <= q.notice_sent_on:
            return None
        return rules.qd_deadline(decided_on, calendar(session))


def lateness(db: Database, actor: Principal, decision_id: int, decided_on: dt.date) -> int:
    """Working days past the statutory deadline a signature dated ``decided_on`` would be (0: in time):
    the screen asks for the reason for delay before the password."""
    require(actor, Permission.ADM_DECIDE)
    with db.session(actor, write=False) as session:
        d = _get(session, decision_id)
        return rules.working_days_late(d.due_on, decided_on, calendar(session))


def check_signable(db: Database, actor: Principal, decision_id: int, decided_on: dt.date) -> int:
    """Everything signing checks before the password, on the decision as saved: refused when it is signed
    already, for a member of its panel, while more information is awaited, when its letter has no one to go
    to (``rules.letter_addressee_problem``), dated before the papers arrived or in the future, or when its
    outcome, wording or reasons would be refused. Returns the working days
    it would be late (0: in time); the screen then asks for the reason for delay with the password."""
    require(actor, Permission.ADM_DECIDE)
    with db.session(actor, write=False) as session:
        d = _get(session, decision_id)
        _require_as_saved(session, d, NOT_SIGNED)
        _signable(session, d, actor, decided_on)
        return rules.working_days_late(d.due_on, decided_on, calendar(session))


def _signable(session: Session, d: AdmDecision, actor: Principal, decided_on: dt.date) -> None:
    _refuse_if_signed(d)
    _check_signer(d, actor)
    if d.state == rules.STATE_PAUSED:
        raise Conflict("More information was asked for and has not been logged as received; log it "
                       "before signing.")
    _check_irm_awaited(session, d)
    # the letter signing files is written to someone: never "The applicants (address on file)"
    problem = rules.letter_addressee_problem(d.decision_type, d.source, d.outcome, d.recommendation, d.addressee,
                                             d.social_worker)
    if problem:
        raise ValidationError(problem, "addressee")
    _check_order(session, d, decided_on)
    _validate(d, d.outcome, d.decision_text, d.decision_reasons)


def _check_irm_awaited(session: Session, d: AdmDecision) -> None:
    """A final decision is not signed while the IRM the applicants applied to has not recommended."""
    q = session.get(AdmQualifyingDetermination, d.qd_id) if d.source == "qd_final" and d.qd_id else None
    if q is not None and q.irm_applied_on is not None and q.irm_recommendation_on is None:
        raise Conflict(f"The applicants applied to the Independent Review Mechanism on {q.irm_applied_on:%d/%m/%Y} "
                       "and its recommendation is awaited: record the IRM recommendation before signing the "
                       "final decision.")


def sign_decision(db: Database, actor: Principal, decision_id: int, password: str,
                  decided_on: dt.date, *, expected_version: int | None = None, delay_reason: str = "",
                  sign_anyway: bool = False, correction_shown: int | None = None) -> SignResult:
    """Sign the recorded decision (re-entering the password). Refused for a member of the item's panel.

    The decision row is locked first, so of two people signing at once exactly one signs; the other is
    told who signed and when. With ``expected_version`` a draft changed since the signer read it is not
    signed (they would sign words they have not read). Signed past the statutory deadline (``due_on``, in
    working days) it needs ``delay_reason``, kept on the decision and counted in the figures. While a
    correction of the panel minutes it rests on is open it needs ``sign_anyway`` (the ADM read the
    warning), noted in the audit entry of the signature; ``correction_shown`` is the version of the
    correction the warning named, so a confirmation is never carried over to a newer correction."""
    require(actor, Permission.ADM_DECIDE)
    delay_reason = clean_text(delay_reason, "Reason for delay", multiline=True, max_length=4000).strip()
    with db.session(actor, write=False) as session:  # every check before the password is tried
        d = _get(session, decision_id)
        _require_as_saved(session, d, NOT_SIGNED)
        _signable(session, d, actor, decided_on)
        _check_delay(d, decided_on, delay_reason, calendar(session))
        _check_correction(_minutes_correction(session, d), sign_anyway, correction_shown)
    _reauth(db, actor, password)
    with db.session(actor) as session:  # and again on the row locked for signing
        d = _for_change(session, decision_id, expected_version, refused=NOT_SIGNED)
        _signable(session, d, actor, decided_on)
        late = _check_delay(d, decided_on, delay_reason, calendar(session))
        correction = _minutes_correction(session, d)  # opened since the dialog: it is asked again
        _check_correction(correction, sign_anyway, correction_shown)
        warning = _name_warning(d, actor)
        _sign_fields(d, actor, decided_on, record_now(session))  # the server's clock in team mode
        d.delay_reason = delay_reason if late else ""
        session.flush()
        audit.record(session, "sign", ENTITY, d.id, detail=f"{d.outcome}: {d.decision_text[:200]}"
                     + (" (signed despite a name match with an unlinked panel member)" if warning else "")
                     + (f" ({late} WD late: {delay_reason[:200]})" if late else "")
                     + (f" (signed anyway while a correction of the panel minutes was open: version "
                        f"{correction.version}, opened by {correction.opened_by} at "
                        f"{when_text(correction.opened_at)}, reason: {correction.reason[:200]})"
                        if isinstance(correction, MinutesCorrectionOpen) else "")
                     + (f" (signed after confirming the corrected panel minutes: version {correction.version}, "
                        f"approved {correction.approved_on}; {correction.what_changed()})"
                        if isinstance(correction, MinutesCorrected) else ""))
        letter_id, qd_id = _after_signing(session, d)
        result = SignResult(d.id, letter_id, qd_id, (warning,) if warning else ())
    return result


def _check_delay(d: AdmDecision, decided_on: dt.date, reason: str, cal: WorkingCalendar) -> int:
    """Working days late; a late signature without a reason for delay is refused (field ``delay_reason``)."""
    late = rules.working_days_late(d.due_on, decided_on, cal)
    problem = rules.delay_reason_problem(late, d.due_on, reason)
    if problem:
        raise ValidationError(problem, "delay_reason")
    return late


def _order_problems(d: AdmDecision, decided_on: dt.date, started: str = "") -> list[str]:
    return list(rules.order_problems(d.received_on, decided_on, dt.date.today(),
                                     d.sitting_date if d.source == "panel" else None, started))


def _clock_started(session: Session, d: AdmDecision) -> str:
    """For a final decision after a qualifying determination, what started its clock ("" otherwise)."""
    q = session.get(AdmQualifyingDetermination, d.qd_id) if d.source == "qd_final" and d.qd_id else None
    if q is None:
        return ""
    return rules.qd_final_started(q.deadline, q.representations_on, q.irm_recommendation_on)


def _check_order(session: Session, d: AdmDecision, decided_on: dt.date) -> None:
    """The order of events: no signature before the final minutes are received (for a final decision, before
    its clock started), nor dated in the future."""
    problems = _order_problems(d, decided_on, _clock_started(session, d))
    if problems:
        raise ValidationError(" ".join(problems), "decided_on")


def correct_decision(db: Database, actor: Principal, decision_id: int, password: str, *, reason: str,
                     outcome: str, decision_text: str, reasons: str, decided_on: dt.date,
                     addressee: str | None = None, salutation: str | None = None) -> SignResult:
    """A correction of a signed decision: a new signed version with ``reason``, linked to the old one
    (which stays as it was). Only the latest version can be corrected. ``addressee`` and ``salutation``
    (None: the corrected version's) say who the corrected letter goes to; like signing, a correction whose
    letter would go to nobody is refused (a version signed before that rule may have none)."""
    require(actor, Permission.ADM_DECIDE)
    reason = clean_text(reason, "Reason for correction", multiline=True, max_length=4000)
    decision_text = clean_text(decision_text, "Decision", multiline=True, max_length=20000)
    reasons = clean_text(reasons, "Reasons", multiline=True, max_length=20000)
    if len(reason.strip()) < 5:
        raise ValidationError("Reason for correction: say what was wrong and why it is corrected.", "reason")
    with db.session(actor, write=False) as session:
        old = _get(session, decision_id)
        _check_signer(old, actor)
        _refuse_if_changed_outside(session, old)  # before the password is asked for
        _check_correction_date(old, decided_on)
        _refuse_if_final_under_way(session, old)
        letters = _letter_fields(old.addressee if addressee is None else addressee,
                                 old.salutation if salutation is None else salutation, old.social_worker)
        _check_addressee(old, outcome, letters[0])
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
        _refuse_if_changed_outside(session, old)
        _refuse_if_final_under_way(session, old)
        copy_cols = ("decision_type", "source", "panel_item_id", "sitting_id", "sitting_date",
                     "subject_reference", "subject_initials", "recommendation", "recommendation_text",
                     "recommendation_reasons", "advice", "minutes_extract", "member_user_ids", "member_names",
                     "unlinked_member_names", "received_on", "due_on", "addressee", "salutation", "social_worker", "qd_id",
                     "delay_reason")
        new = AdmDecision(**{c: getattr(old, c) for c in copy_cols})
        new.addressee, new.salutation = letters[0], letters[1]
        new.root_id, new.version, new.supersedes_id = old.root_id or old.id, old.version + 1, old.id
        new.correction_reason = reason.strip()
        new.outcome, new.decision_text, new.decision_reasons = outcome, decision_text.strip(), reasons.strip()
        taken = _take_corrected_minutes(session, old, new)
        _check_order(session, new, decided_on)
        _validate(new, outcome, new.decision_text, new.decision_reasons)
        _sign_fields(new, actor, decided_on, record_now(session))
        session.add(new)
        session.flush()
        audit.record(session, "correct", ENTITY, new.id,
                     detail=f"version {new.version} corrects decision {old.id}: {new.correction_reason}")
        _close_qd_on_correction(session, old, new)
        if taken is not None:
            from adoption_desktop.panel.service import record_correction_handoff

            record_correction_handoff(session, taken.panel_item_id, taken.version, new.id, decided_on)
            audit.record(session, "minutes_corrected", ENTITY, new.id,
                         detail=f"takes the panel minutes corrected after version {old.version} was signed "
                                f"(version {taken.version}, approved {taken.approved_on}): {taken.what_changed()}")
        letter_id, qd_id = _after_signing(session, new)
        return SignResult(new.id, letter_id, qd_id)


def _take_corrected_minutes(session: Session, old: AdmDecision, new: AdmDecision) -> MinutesCorrected | None:
    """A signed decision whose panel minutes were corrected after it was signed (the queue flags it): its
    correction rests on the corrected minutes (recommendation, reasons, advice, extract), never on the
    superseded ones it copied. The clock (received, due) stays the decision's own. Returns the correction
    taken, or None."""
    corrected = minutes_corrected(session, old)
    if corrected is None or corrected.handed_off_on is not None or old.panel_item_id is None:
        return None
    from adoption_desktop.panel.service import current_handoff

    handoff = current_handoff(session, old.panel_item_id)
    if handoff is None:
        return None
    new.recommendation, new.recommendation_text = handoff.recommendation, handoff.recommendation_text
    new.recommendation_reasons, new.advice = handoff.reasons, handoff.advice
    new.minutes_extract = handoff.minutes_extract
    return corrected


def check_correctable(db: Database, actor: Principal, decision_id: int) -> None:
    """What refuses a correction of this decision whatever is typed, checked before the password is asked
    for: another's decision (the conflict rule), a signed decision changed outside the application, a
    proposal whose qualifying-determination route is under way."""
    require(actor, Permission.ADM_DECIDE)
    with db.session(actor, write=False) as session:
        old = _get(session, decision_id)
        _check_signer(old, actor)
        _refuse_if_changed_outside(session, old)
        _refuse_if_final_under_way(session, old)


#: a signed decision not as it was signed (``seal_check.require_unchanged``), as the ADM page says it
NOT_AS_SIGNED = "This signed decision is not as it was signed"


def _refuse_if_changed_outside(session: Session, old: AdmDecision) -> None:
    """A correction copies the signed version's recommendation, reasons, addressee and the rest: copied from
    a row changed outside the application (with the key), the changed words would go out under a new, valid
    signature (a trial sent the corrected letter to a forged address). Refused while the row is not as it
    was signed."""
    if old.signed_at is None:
        return
    require_unchanged(session.connection(), "adm_decisions", old.id, NOT_AS_SIGNED,
                      "It was not corrected: a correction would sign the changed words again. Nothing was saved; "
                      "the decision stays as it is.")


def _check_addressee(old: AdmDecision, outcome: str, addressee: str) -> None:
    """The corrected letter is written to someone (as :func:`_signable` checks for signing)."""
    problem = rules.letter_addressee_problem(old.decision_type, old.source, outcome, old.recommendation, addressee,
                                             old.social_worker)
    if problem:
        raise ValidationError(problem, "addressee")


def _check_correction_date(old: AdmDecision, decided_on: dt.date) -> None:
    if old.decided_on is not None and decided_on < old.decided_on:
        raise ValidationError(f"Decision date: a correction is dated the day it is made, on or after the decision "
                              f"it corrects ({old.decided_on:%d/%m/%Y}); {decided_on:%d/%m/%Y} is before it.",
                              "decided_on")


def _qd_route_started(session: Session, q: AdmQualifyingDetermination) -> str | None:
    """What has happened on a qualifying determination since its notice (None: nothing yet)."""
    if q.final_decision_id is not None and q.final_on is not None:
        return (f"its final decision was signed on {q.final_on:%d/%m/%Y} (decision {q.final_decision_id}); "
                "correct that final decision instead")
    final = session.scalars(select(AdmDecision.id).where(AdmDecision.qd_id == q.id,
                                                         AdmDecision.source == "qd_final")).first()
    if final is not None:
        return (f"its final decision (decision {final}) is open: close the qualifying-determination route first "
                "by deciding and signing that final decision (to approve, decide differently from the proposal)")
    recorded = [f"{what} on {day:%d/%m/%Y}" for what, day in (
        ("representations were received", q.representations_on), ("the IRM application was made", q.irm_applied_on))
        if day is not None]
    if recorded:
        return (" and ".join(recorded) + "; close the qualifying-determination route first by opening, deciding "
                "and signing its final decision (to approve, decide differently from the proposal)")
    return None


def _refuse_if_final_under_way(session: Session, old: AdmDecision) -> None:
    """A proposal not to approve is not corrected at all once the final decision after it is opened or
    signed: a corrected notice would start a new period on a route already decided (or being decided)."""
    if old.source == "qd_final" or old.outcome != rules.OUTCOME_NOT_APPROVE:
        return
    q = _qd_for(session, old)
    if q is None or q.final_outcome == rules.QD_CLOSED_BY_CORRECTION:
        return
    if q.final_decision_id is not None and q.final_on is not None:
        raise Conflict(f"This proposal not to approve cannot be corrected: its final decision was signed on "
                       f"{q.final_on:%d/%m/%Y} (decision {q.final_decision_id}); correct the final decision "
                       "instead.")
    final = session.scalars(select(AdmDecision.id).where(AdmDecision.qd_id == q.id,
                                                         AdmDecision.source == "qd_final")).first()
    if final is not None:
        raise Conflict(f"This proposal not to approve cannot be corrected: its final decision (decision {final}) "
                       "is open; record what is to be decided there and sign it, then correct the final "
                       "decision if needed.")


def _close_qd_on_correction(session: Session, old: AdmDecision, new: AdmDecision) -> None:
    """A proposal not to approve corrected into another outcome: its qualifying determination is closed
    (kept, marked closed by this correction, audited). Refused once the route is under way (representations,
    an IRM application, a final decision opened or signed): that evidence is decided on by the final decision."""
    if old.source == "qd_final" or old.outcome != rules.OUTCOME_NOT_APPROVE or new.outcome == rules.OUTCOME_NOT_APPROVE:
        return
    q = _qd_for(session, old)
    if q is None or q.final_outcome == rules.QD_CLOSED_BY_CORRECTION:
        return
    lock_row(session, q)
    started = _qd_route_started(session, q)
    if started:
        raise Conflict("This proposal not to approve cannot be corrected into another outcome: " + started + ".")
    q.final_outcome, q.final_on, q.final_decision_id = rules.QD_CLOSED_BY_CORRECTION, new.decided_on, new.id
    audit.record(session, "qd_closed", "adm_qualifying_determinations", q.id,
                 detail=f"closed by correction version {new.version} (decision {new.id}, {new.outcome}); notice "
                        f"{q.notice_sent_on}, deadline {q.deadline} were live")
