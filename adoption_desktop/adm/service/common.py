"""Helpers shared by the ADM use cases: a decision read and locked for a change, its statutory
clock, a queue row, a new decision, a letter's view, and who may decide (not a member of the item's panel).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import (
    AdmDecision,
    AdmDecisionType,
    AdmInfoRequest,
    AdmLetter,
    AdmQualifyingDetermination,
)
from adoption_desktop.adm.service.data import DecisionRow, LetterView
from adoption_desktop.adm.settings import DECISION_DUE_WD, FINAL_DECISION_DUE_WD
from adoption_desktop.core.concurrency import lock_row, stale, when_text
from adoption_desktop.core.documents.address_block import WINDOW_LINES
from adoption_desktop.core.errors import Conflict, PermissionDenied, ValidationError
from adoption_desktop.core.handoff import ItemMember, ItemMembers
from adoption_desktop.core.salutation import clean_salutation
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.text_input import clean_address, clean_name, clean_text
from adoption_desktop.core.workdays import WorkingCalendar

ENTITY = "adm_decisions"
QD_ENTITY = "adm_qualifying_determinations"


# --- helpers ------------------------------------------------------------------------------------

def _decision_fields(outcome: str, decision_text: str, reasons: str) -> tuple[str, str, str]:
    """The decision's draft fields checked and cleaned, as stored: (outcome, decision text, reasons)."""
    decision_text = clean_text(decision_text, "Decision", multiline=True, max_length=20000)
    reasons = clean_text(reasons, "Reasons", multiline=True, max_length=20000)
    if outcome not in rules.OUTCOMES:
        raise ValidationError("Outcome: choose agree, decide differently or propose not to approve.", "outcome")
    return outcome, decision_text.strip(), reasons.strip()


def _letter_fields(addressee: str, salutation: str, social_worker: str) -> tuple[str, str, str]:
    """Who a decision's letters go to, checked and cleaned, as stored: (addressee, salutation, social
    worker)."""
    try:  # names and address: the whole block the window shows
        addressee = clean_address(addressee, "Letter to", window_lines=WINDOW_LINES)
    except ValidationError as refused:
        refused.field = "addressee"  # the form's field (``Letter to``), where the cursor is put
        raise
    salutation = clean_salutation(salutation, "Salutation")
    social_worker = clean_name(social_worker, "Child's social worker")
    return addressee.strip(), salutation.strip(), social_worker.strip()


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


#: a decision not as the program last saved it (``seal_check.require_as_last_saved``)
NOT_AS_SAVED = "This decision is not as it was last saved in Adoption Desktop"
#: what was not done when a draft is refused for it (the default of :func:`_for_change`)
DRAFT_NOT_SAVED = ("Your changes were not saved: saving would seal the change made outside the application as "
                   "if it were part of the draft. Nothing was saved; the decision stays as it is.")
#: ... and when signing is refused for it
NOT_SIGNED = ("It was not signed: signing would put your signature on what was changed outside the application. "
              "Nothing was saved; the decision stays as it is.")


def _require_as_saved(session: Session, d: AdmDecision, refused: str = DRAFT_NOT_SAVED) -> None:
    """Refuse to change, sign or build on a decision whose row is not as the program last sealed it (a draft
    reworded in SQL, a signed decision made to look unsigned): the change would otherwise be signed and sealed
    with it. Called under the row's lock."""
    from adoption_desktop.core.audit.seal_check import require_as_last_saved

    require_as_last_saved(session, ENTITY, d.id, NOT_AS_SAVED, refused)


def _for_change(session: Session, decision_id: int, expected_version: int | None, *,
                refused: str = DRAFT_NOT_SAVED) -> AdmDecision:
    """The decision, locked for this transaction, as the program last saved it (``refused``: what the
    refusal says was not done), unsigned, and still the version the person saw."""
    d = lock_row(session, _get(session, decision_id))
    _require_as_saved(session, d, refused)
    _refuse_if_signed(d)
    if expected_version is not None and d.row_version != expected_version:
        raise stale(session, d, expected_version, f"decision {d.id} ({d.subject_reference})", _decision_values)
    return d


def _qd_for(session: Session, d: AdmDecision) -> AdmQualifyingDetermination | None:
    """The qualifying determination a proposal not to approve started, whichever version of it ``d`` is
    (it stays linked to the version signed first); the latest when a correction started a new one."""
    root = d.root_id or d.id
    ids = select(AdmDecision.id).where((AdmDecision.root_id == root) | (AdmDecision.id == root))
    return session.scalars(select(AdmQualifyingDetermination).where(
        AdmQualifyingDetermination.decision_id.in_(ids)).order_by(AdmQualifyingDetermination.id.desc())).first()


def _extra_types(session: Session) -> dict[str, str]:
    return {t.code: t.label for t in session.scalars(select(AdmDecisionType))}


def _pauses(session: Session, decision_id: int) -> list[rules.Pause]:
    return [rules.Pause(r.requested_on, r.received_on) for r in session.scalars(
        select(AdmInfoRequest).where(AdmInfoRequest.decision_id == decision_id))]


def _irm_pause(session: Session, d: AdmDecision) -> list[rules.Pause]:
    """A final decision after a qualifying determination waits, with no due date, while the IRM the
    applicants applied to has not recommended: paused from the application (or from its clock start, if
    the application was earlier). The recommendation restarts the clock from its date
    (``qualifying_determination.recount_final``)."""
    if d.source != "qd_final" or d.qd_id is None or d.signed_at is not None:
        return []
    q = session.get(AdmQualifyingDetermination, d.qd_id)
    if q is None or q.irm_applied_on is None or q.irm_recommendation_on is not None:
        return []
    return [rules.Pause(max(q.irm_applied_on, d.received_on), None)]


def _recompute_due(session: Session, d: AdmDecision) -> rules.Clock:
    n = get_setting(session, FINAL_DECISION_DUE_WD if d.source == "qd_final" else DECISION_DUE_WD)
    clock = rules.decision_clock(d.received_on, _pauses(session, d.id) + _irm_pause(session, d), n,
                                 calendar(session))
    d.due_on = clock.due_on
    return clock


def _row(d: Any, today: dt.date, cal: WorkingCalendar, extra: dict[str, str], superseded: bool,
         paused_since: dt.date | None, first_decided_on: dt.date | None = None) -> DecisionRow:
    """``first_decided_on``: a correction's clock is that of the decision it corrects (the same decision,
    decided on its first version's date), never late by the time the correction came after it."""
    status = rules.clock_status(d.state, d.due_on, paused_since, first_decided_on or d.decided_on, today, cal)
    return DecisionRow(
        id=d.id, root_id=d.root_id or d.id, version=d.version, decision_type=d.decision_type,
        type_label=rules.type_label(d.decision_type, extra), source=d.source, state=d.state,
        subject_reference=d.subject_reference, subject_initials=d.subject_initials,
        recommendation=d.recommendation, received_on=d.received_on, due_on=d.due_on,
        paused_since=paused_since, decided_on=d.decided_on, clock_code=status.code,
        clock_label=status.label, outcome=d.outcome, signed_by=d.signed_by_name, superseded=superseded,
        first_decided_on=first_decided_on or d.decided_on)


def _new_decision(session: Session, **fields: object) -> AdmDecision:
    d = AdmDecision(**fields)
    session.add(d)
    session.flush()
    d.root_id = d.id
    _recompute_due(session, d)
    session.flush()
    return d


def _letter_view(r: AdmLetter, ref: str = "") -> LetterView:
    return LetterView(r.id, r.decision_id, r.kind, r.letter_date, r.recipient, r.sent_on, ref)


# --- who may decide (read by the detail and by deciding) ----------------------------------------

def _item_members(d: AdmDecision) -> ItemMembers | None:
    """The members of the decision's panel item as linked now, read from the panel (its service, never its
    tables) in the transaction that holds ``d``; None for a decision without a panel item (or one whose item
    is not found), which falls back to the lists frozen at the hand-off."""
    session = object_session(d)
    if d.panel_item_id is None or session is None:
        return None
    from adoption_desktop.panel.service import item_members

    return item_members(session, d.panel_item_id)


def _handoff_unlinked(d: AdmDecision) -> list[str]:
    """The names frozen at the hand-off as linked to no account (every member name, for a decision handed
    over before that list was kept)."""
    return list(json.loads(d.unlinked_member_names if d.unlinked_member_names is not None
                           else (d.member_names or "[]")))


def _who_sat(d: AdmDecision, found: ItemMembers) -> tuple[ItemMember, ...]:
    """The item's members who count for the conflict rule: the panel's list as it is now, an entry made an
    adviser since the sitting included when the hand-off named them as a member (``rules.who_sat``)."""
    return rules.who_sat(found.members, json.loads(d.member_names or "[]") + _handoff_unlinked(d))


def _conflict_message(d: AdmDecision, actor: Principal) -> str | None:
    """Why ``actor`` may not decide ``d``, or None. Decided by the link of each member of the item to a user
    account as it is now (a link made after the hand-off, in another session too, counts), and by the list
    frozen on the decision at the hand-off as well (a link removed since still counts). Who sat is decided
    by the panel's tables now and by the hand-off's lists: an entry whose role was changed to an adviser's
    after the sitting still sat (``rules.who_sat``)."""
    found = _item_members(d)
    if found is not None:
        now = rules.conflict_refusal(actor.user_id, actor.full_name, _who_sat(d, found), found.sitting_date)
        if now is not None:
            return now
    # a link at the hand-off still counts when it has been removed since: unlinking a member from an
    # account must not lift the check for that account
    if rules.signer_conflict(actor.user_id, json.loads(d.member_user_ids or "[]")):
        return rules.sat_on_panel_refusal(actor.full_name)
    return None


def _check_signer(d: AdmDecision, actor: Principal) -> None:
    """A user linked now to a member who sat on the item, was present for it, left during it or declared an
    interest in it (withdrawn or not) can neither record nor sign its decision."""
    message = _conflict_message(d, actor)
    if message:
        raise PermissionDenied(message)


def _name_warning(d: AdmDecision, actor: Principal) -> str | None:
    """The warning for a name matching a member of the item whose entry is linked to no account: named so
    by the panel's tables now or by the hand-off's frozen list (an entry linked to an account now is not
    warned about: the link decides)."""
    found = _item_members(d)
    if found is not None:
        counted = _who_sat(d, found)
        return rules.name_match_warning(actor.full_name,
                                        rules.unlinked_names(found.members, counted, _handoff_unlinked(d)),
                                        declared=[m.full_name for m in counted if m.declared_interest])
    return rules.name_match_warning(actor.full_name, _handoff_unlinked(d))
