"""Panel service, attendance and declarations: who was at a sitting, who declared an interest in an
item (and withdrew), and the quorum of an item that follows from them."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.errors import Conflict, NotFound, ValidationError
from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import clean_text
from adoption_desktop.panel import rules
from adoption_desktop.panel.models import PanelAttendance, PanelDeclaration, PanelItem, PanelMember
from adoption_desktop.panel.rules import QuorumResult
from adoption_desktop.panel.service.common import (
    P,
    _attendance,
    _current_minutes,
    _declarations,
    _item,
    _present_for_item,
    _quorum,
    _sitting,
    quorum_rule,
)
from adoption_desktop.panel.snapshots import AttendanceChange, RemovedDeclaration
from adoption_desktop.panel.snapshots import declaration as declaration_snapshot


# --- attendance and declarations -----------------------------------------------------------------
def set_attendance(db: Database, actor: Principal, sitting_id: int, member_id: int, status: str
                   ) -> AttendanceChange:
    """Mark one person at a sitting. Returns the mark before and after ("" = not recorded), for undo."""
    require(actor, P.PANEL_EDIT)
    if status not in rules.ATTENDANCE:
        raise ValidationError("Attendance: choose present, apologies or absent.", "status")
    with db.session(actor) as session:
        _sitting(session, sitting_id)
        member = session.get(PanelMember, member_id)
        if member is None:
            raise NotFound(f"No central-list member with id {member_id}.")
        row = session.scalars(select(PanelAttendance).where(PanelAttendance.sitting_id == sitting_id,
                                                            PanelAttendance.member_id == member_id)).first()
        before = row.status if row is not None else ""
        if row is None:
            session.add(PanelAttendance(sitting_id=sitting_id, member_id=member_id, status=status))
        elif row.status != status:
            row.status = status
        return AttendanceChange(sitting_id, member_id, member.full_name, before, status)


def declare_interest(db: Database, actor: Principal, item_id: int, member_id: int, interest: str,
                     withdrew: bool = True) -> int:
    require(actor, P.PANEL_EDIT)
    interest = clean_text(interest, "Interest", multiline=True, max_length=4000)
    if not interest.strip():
        raise ValidationError("Interest: describe the member's interest in this item.", "interest")
    with db.session(actor) as session:
        _item(session, item_id)
        if session.get(PanelMember, member_id) is None:
            raise NotFound(f"No central-list member with id {member_id}.")
        current = _current_minutes(session, item_id)
        if current is not None and current.status == "approved":
            raise Conflict("The minutes of this item are approved; declarations can no longer change.")
        d = PanelDeclaration(item_id=item_id, member_id=member_id, interest=interest.strip(), withdrew=withdrew)
        session.add(d)
        session.flush()
        return d.id


def remove_declaration(db: Database, actor: Principal, declaration_id: int) -> RemovedDeclaration:
    """Withdraw a declaration recorded in error. Returns it as it was (undo puts it back)."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        d = get_or_raise(session, PanelDeclaration, declaration_id, f"No declaration with id {declaration_id}.")
        current = _current_minutes(session, d.item_id)
        if current is not None and current.status == "approved":
            raise Conflict("The minutes of this item are approved; declarations can no longer change.")
        item = _item(session, d.item_id)
        others = tuple(session.scalars(select(PanelDeclaration.id).where(
            PanelDeclaration.item_id == d.item_id, PanelDeclaration.id != d.id).order_by(PanelDeclaration.id)))
        removed = replace(declaration_snapshot(d), others_after=others, item_version=item.row_version)
        session.delete(d)
        return removed


def item_quorum(db: Database, actor: Principal, item_id: int) -> QuorumResult:
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        return _item_quorum(session, _item(session, item_id))


def _item_quorum(session: Session, item: PanelItem) -> QuorumResult:
    attendance = _attendance(session, _sitting(session, item.sitting_id))
    return _quorum(quorum_rule(session), _present_for_item(attendance, _declarations(session, [item.id])[item.id]))
