"""Panel service, who counts for an item and whose views its minutes may hold: only the members counted
for the item (present at the sitting, on the central list that day, not advisers, not withdrawn after a
declaration, not out of the room for it). The chair's "Every member's view" grid shows those; the Word
minutes and the ADM's extract must say the same, so a view of anyone else is taken out of the draft (when
they stop counting) and refused at sending and approval (a draft saved before these checks)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.panel import rules
from adoption_desktop.panel.models import PanelItem, PanelMember, PanelMinutes
from adoption_desktop.panel.service.common import (
    _absences,
    _attendance,
    _current_minutes,
    _declarations,
    _draft_of,
    _present_for_item,
    _sitting,
)


def counted_ids(session: Session, item: PanelItem) -> set[int]:
    """The central-list ids of the members who count for the item."""
    attendance = _attendance(session, _sitting(session, item.sitting_id))
    return {a.member_id for a in _present_for_item(attendance, _declarations(session, [item.id])[item.id],
                                                   _absences(session, [item.id])[item.id])}


def uncounted_views(session: Session, item: PanelItem, views: Mapping[int, str]) -> list[str]:
    """Who, of the people with a view in ``views``, did not count for the item, each with why ("Gus Mossley
    (panel adviser: advisers do not count)"), in the order of ``views``; empty when all of them did."""
    counted = counted_ids(session, item)
    return [f"{name} ({why})" for name, why in _why_not_counted(session, item, [k for k in views if k not in counted])]


def _why_not_counted(session: Session, item: PanelItem, ids: list[int]) -> list[tuple[str, str]]:
    """``(name, why)`` for each central-list id in ``ids`` (people who did not count for the item)."""
    if not ids:
        return []
    sitting = _sitting(session, item.sitting_id)
    rows = {a.member_id: a for a in _attendance(session, sitting)}
    withdrew = {d.member_id for d in _declarations(session, [item.id])[item.id] if d.withdrew}
    away = {x.member_id for x in _absences(session, [item.id])[item.id]}
    out: list[tuple[str, str]] = []
    for k in ids:
        member = session.get(PanelMember, k)
        if member is None:
            out.append((f"central-list id {k}", "no such member"))
            continue
        row = rows.get(k)
        if rules.is_adviser(member.role_type):
            why = f"{rules.ROLE_LABELS.get(member.role_type, member.role_type).lower()}: advisers do not count"
        elif row is None or not row.on_list:
            why = f"not on the central list on {sitting.sitting_date:%d/%m/%Y}"
        elif k in withdrew:
            why = "declared an interest and withdrew"
        elif k in away:
            why = "recorded as not present for this item"
        elif row.status == "apologies":
            why = "sent apologies"
        elif row.status == "absent":
            why = "absent"
        else:
            why = "not recorded as present at the sitting"
        out.append((member.full_name, why))
    return out


def drop_view(session: Session, item: PanelItem, member_id: int, why: str) -> bool:
    """Take the member's view out of the item's current draft minutes (they no longer count for the item:
    ``why``, for the audit log, e.g. "declared an interest"). Approved minutes are never touched (the
    callers refuse before). True when a view was taken out."""
    m = _current_minutes(session, item.id)
    if m is None or m.status == "approved":
        return False
    views = json.loads(m.member_views or "{}")
    if str(member_id) not in views:
        return False
    del views[str(member_id)]
    m.member_views = json.dumps(views, ensure_ascii=False)
    _audit_drop(session, m, member_id, why)
    return True


def _audit_drop(session: Session, m: PanelMinutes, member_id: int, why: str) -> None:
    member = session.get(PanelMember, member_id)
    name = member.full_name if member is not None else f"central-list id {member_id}"
    audit.record(session, "view_removed", "panel_minutes", m.id,
                 detail=f"item {m.item_id}: view of {name} taken out of the draft ({why})")


def off_list_reason(member: PanelMember, day: dt.date) -> str:
    """Why the member was not on the central list on ``day`` ("Isla Brammere left the central list on
    01/10/2026 (removed), before the sitting of 03/12/2026"), or "" when they were."""
    if member.leaves_on is not None and day >= member.leaves_on:
        how = "was removed from" if member.leaving_kind == "removed" else "left"
        when = "the day of the sitting" if day == member.leaves_on else f"before the sitting of {day:%d/%m/%Y}"
        return f"{member.full_name} {how} the central list on {member.leaves_on:%d/%m/%Y}, {when}"
    if member.joined_on > day:
        return (f"{member.full_name} joins the central list on {member.joined_on:%d/%m/%Y}, after the sitting "
                f"of {day:%d/%m/%Y}")
    return ""


def views_problem(session: Session, item: PanelItem, m: PanelMinutes, then: str) -> str:
    """The refusal for minutes holding a view of someone who did not count for the item (saved before
    they stopped counting, or before this check existed); "" when there is none. ``then``: what happens
    next ("Nothing was sent.")."""
    strangers = uncounted_views(session, item, _draft_of(m).member_views)
    if not strangers:
        return ""
    return ("Members' views: the minutes hold a view of " + "; ".join(strangers) + ", who did not count for this "
            "item. Only the views of the members counted for it go into the minutes; save the minutes again "
            "(those views are taken out) and send them to the chair. " + then)


def views_needed(session: Session, item: PanelItem, m: PanelMinutes) -> dict[int, str]:
    """The members whose view the minutes ``m`` must record (``{member_id: name}``): those present for the
    item on a recommendation; none on a deferral or a noted paper (no view to give)."""
    if m.outcome in ("", "deferred", "noted"):
        return {}
    sitting = _sitting(session, item.sitting_id)
    present = _present_for_item(_attendance(session, sitting), _declarations(session, [item.id])[item.id],
                                _absences(session, [item.id])[item.id])
    return {a.member_id: a.full_name for a in present}


def missing_views_problem(session: Session, item: PanelItem, m: PanelMinutes) -> str:
    """What the chair's approval says about views the minutes lack (the same rule,
    :func:`rules.views_missing_problem`), or "" when none is missing."""
    return rules.views_missing_problem(views_needed(session, item, m), _draft_of(m).member_views)


def chair_problem(session: Session, item: PanelItem, user_id: int | None) -> str:
    """The refusal for a chair approving the minutes of an item they did not count for (declared an interest
    and withdrew, out of the room, not present): the vice chair who chaired the item approves them. ""
    when the approver counted, or is not linked to a central-list entry."""
    if user_id is None:
        return ""
    member = session.scalars(select(PanelMember).where(PanelMember.user_id == user_id)
                             .order_by(PanelMember.id).limit(1)).first()
    counted = counted_ids(session, item)
    if member is None or member.id in counted:
        return ""
    [(_name, why)] = _why_not_counted(session, item, [member.id])
    vice = [r.full_name for r in session.scalars(select(PanelMember).where(
        PanelMember.id.in_(counted), PanelMember.role_type == "vice_chair").order_by(PanelMember.full_name))]
    who = f"the vice chair who chaired it ({' or '.join(vice)})" if vice else "the vice chair who chaired it"
    return (f"You did not count for this item ({why}), so you did not chair it and cannot approve its minutes. "
            f"They are approved by {who}, signed in with their own account; if that account cannot approve "
            "minutes, an administrator must give it the Panel chair role. Nothing was approved.")
