"""ADM use cases: one transaction each, permission checked first, audited; plain data out."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.settings import DECISION_DUE_WD
from adoption_desktop.core import audit
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.core.settings_service import calendar, get_setting


def open_decision_from_panel(session: Session, handoff: PanelHandoff) -> int:
    """Open a pending decision for an approved panel item in the caller's transaction; returns its id.

    Called by the panel service (which has checked its own permission) when the chair approves an
    item's minutes. Opening the same panel item twice returns the decision already open."""
    existing = session.query(AdmDecision.id).filter(
        AdmDecision.panel_item_id == handoff.panel_item_id, AdmDecision.source == "panel").first()
    if existing is not None:
        return int(existing[0])
    n = get_setting(session, DECISION_DUE_WD)
    due = rules.decision_clock(handoff.minutes_approved_on, (), n, calendar(session)).due_on
    d = AdmDecision(
        decision_type=handoff.case_type, source="panel", state=rules.STATE_PENDING,
        panel_item_id=handoff.panel_item_id, sitting_id=handoff.sitting_id, sitting_date=handoff.sitting_date,
        subject_reference=handoff.subject_reference, subject_initials=handoff.subject_initials,
        recommendation=handoff.recommendation, recommendation_text=handoff.recommendation_text,
        recommendation_reasons=handoff.reasons, advice=handoff.advice, minutes_extract=handoff.minutes_extract,
        member_user_ids=json.dumps(list(handoff.member_user_ids)),
        member_names=json.dumps(list(handoff.member_names)),
        received_on=handoff.minutes_approved_on, due_on=due, version=1,
    )
    session.add(d)
    session.flush()
    d.root_id = d.id
    session.flush()
    audit.record(session, "handoff", "panel_items", handoff.panel_item_id,
                 detail=f"recommendation handed to the ADM as decision {d.id}: {handoff.recommendation}")
    return d.id
