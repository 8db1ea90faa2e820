"""ADM decision service (stub until the ADM issue lands; the ADM feature owns this file)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.handoff import PanelHandoff


def open_decision_from_panel(session: Session, handoff: PanelHandoff) -> int:
    """Open a pending decision for an approved panel item in the caller's transaction; returns its id."""
    audit.record(session, "handoff", "panel_items", handoff.panel_item_id,
                 detail=f"recommendation handed to the ADM: {handoff.recommendation}")
    return 0
