"""Hand-off from the panel: an approved panel item becomes a pending ADM decision, in the panel's
transaction.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.service.common import _new_decision
from adoption_desktop.core import audit
from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.handoff import PanelHandoff

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
