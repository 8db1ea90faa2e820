"""Hand-off from the panel: an approved panel item becomes a pending ADM decision, in the panel's
transaction.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.service.common import ENTITY, _new_decision, _recompute_due, _require_as_saved
from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import lock_row
from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.handoff import MinutesCorrected, PanelHandoff, SignedDecision

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
        decision_text=rules.decision_sentence(handoff.case_type, handoff.recommendation,
                                              rules.default_outcome(handoff.case_type, handoff.recommendation)),
    )
    audit.record(session, "handoff", "panel_items", handoff.panel_item_id,
                 detail=f"recommendation handed to the ADM as decision {d.id}: {handoff.recommendation}")
    return d.id


def decisions_on_panel_item(session: Session, panel_item_id: int) -> list[int]:
    """The ids of the ADM decisions (any version, any source) that name panel item ``panel_item_id``, in the
    caller's transaction: they hold it as a plain number (no foreign key), so the panel asks here before it
    deletes an item."""
    return [int(i) for i in session.scalars(select(AdmDecision.id).where(
        AdmDecision.panel_item_id == panel_item_id).order_by(AdmDecision.id))]


def signed_decision_on_panel_item(session: Session, panel_item_id: int) -> SignedDecision | None:
    """The current version of the ADM decision opened from panel item ``panel_item_id``, when it is signed
    (None: no decision, or not signed), in the caller's transaction: the panel asks before a correction of
    the item's attendance or declarations (features talk through services, never each other's tables)."""
    d = session.scalars(select(AdmDecision).where(
        AdmDecision.panel_item_id == panel_item_id, AdmDecision.source == "panel")
        .order_by(AdmDecision.version.desc(), AdmDecision.id.desc())).first()
    if d is None or d.signed_at is None:
        return None
    return SignedDecision(d.id, d.signed_by_name, d.decided_on or d.signed_at.date())


def take_minutes_correction(session: Session, handoff: PanelHandoff, corrected: MinutesCorrected) -> int | None:
    """The chair approved a correction of minutes already handed to the ADM (in the chair's transaction).

    A decision not yet signed takes the corrected recommendation, reasons, advice and minutes extract, as
    the hand-off gave them; the final minutes count as received again on the correction's approval, so its
    clock runs from then (the earlier date is kept in the audit entry). The ADM's draft (outcome, wording,
    reasons, letter details) is kept; the decision shows a note and signing asks the ADM to confirm when the
    recommendation changed. The row is locked and its version moves on, so a draft saved from a screen that
    still shows the old recommendation is refused as a conflict, never silently overwritten. Returns the
    decision's id. A signed decision is final: it is not changed (the queue flags it for the ADM to review,
    and a correction of it takes the corrected minutes); None."""
    versions = list(session.scalars(select(AdmDecision).where(
        AdmDecision.panel_item_id == handoff.panel_item_id, AdmDecision.source == "panel")
        .order_by(AdmDecision.version.desc(), AdmDecision.id.desc())))
    if not versions:
        return open_decision_from_panel(session, handoff)
    d = lock_row(session, versions[0])  # the current version
    change = (f"minutes corrected (version {corrected.version}, approved {corrected.approved_on} by "
              f"{corrected.approved_by}): {corrected.what_changed()}; reason: {corrected.reason[:200]}")
    if d.signed_at is not None:
        audit.record(session, "minutes_corrected_after_signing", ENTITY, d.id,
                     detail=change + "; the signed decision is unchanged, flagged for the ADM to review")
        return None
    _require_as_saved(session, d, f"The corrected minutes were not approved: the ADM's draft decision "
                                  f"{d.id} ({d.subject_reference}) would take them over the change made outside "
                                  "the application. Nothing was saved; the minutes and the decision stay as "
                                  "they are.")
    first_received, first_due = d.received_on, d.due_on
    d.recommendation, d.recommendation_text = handoff.recommendation, handoff.recommendation_text
    d.recommendation_reasons, d.advice = handoff.reasons, handoff.advice
    d.minutes_extract = handoff.minutes_extract
    # the members as the correction records them; an account on the list before stays on it (a member taken
    # off by the correction, or unlinked since, is still not the one to decide: the conflict list only grows)
    before_ids = [int(u) for u in json.loads(d.member_user_ids or "[]")]
    d.member_user_ids = json.dumps(list(dict.fromkeys([*handoff.member_user_ids, *before_ids])))
    d.member_names = json.dumps(list(handoff.member_names))
    d.unlinked_member_names = (None if handoff.unlinked_member_names is None
                               else json.dumps(list(handoff.unlinked_member_names)))
    d.received_on = max(handoff.minutes_approved_on, first_received)
    _recompute_due(session, d)
    session.flush()
    audit.record(session, "minutes_corrected", ENTITY, d.id,
                 detail=f"{change}; final minutes received again {d.received_on} (first received {first_received},"
                        f" was due {first_due}); due {d.due_on}; the ADM's draft kept")
    return d.id
