from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from adoption_desktop import demo
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import figures
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.models import PanelDeclaration, PanelMember, PanelMinutes, PanelSitting

TODAY = dt.date(2026, 11, 23)


def test_small_demo(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "DEMO_STEPS", ("adoption_desktop.panel.demo",))
    seen: list[PanelHandoff] = []
    import adoption_desktop.adm.service as adm

    real = adm.open_decision_from_panel

    def spy(session: object, handoff: PanelHandoff) -> int:
        seen.append(handoff)
        return real(session, handoff)  # type: ignore[arg-type]

    monkeypatch.setattr(adm, "open_decision_from_panel", spy)
    ctx = demo.populate(db, "small", today=TODAY)
    with db.session(write=False) as session:
        members = list(session.scalars(select(PanelMember)))
        assert 15 <= len([m for m in members if m.role_type not in ("panel_adviser", "legal_adviser",
                                                                    "minute_taker")]) <= 16
        chair = next(m for m in members if m.role_type == "chair")
        assert chair.user_id == ctx.users[Role.PANEL_CHAIR].user_id
        assert ctx.users[Role.AGENCY_DECISION_MAKER].user_id not in {m.user_id for m in members}
        assert (session.scalar(select(func.count()).select_from(PanelSitting)
                               .where(PanelSitting.sitting_date > TODAY)) or 0) >= 3
        assert (session.scalar(select(func.count()).select_from(PanelDeclaration)) or 0) >= 1
        inquorate = list(session.scalars(select(PanelMinutes).where(PanelMinutes.quorum_statement.like("Not quorate%"))))
        assert inquorate and all(m.outcome == "deferred" for m in inquorate)
    assert seen and all(h.minutes_approved_on > h.sitting_date for h in seen)
    assert all(h.minutes_approved_on <= TODAY for h in seen)
    # members are linked to users (chair, non-independent vice chair, panel adviser, minute-taker): the hand-off
    # carries the linked users of the members present, never the ADM's; advisers are not members
    assert any(ctx.users[Role.PANEL_CHAIR].user_id in h.member_user_ids for h in seen)
    assert all(ctx.users[Role.AGENCY_DECISION_MAKER].user_id not in h.member_user_ids for h in seen)
    assert all(ctx.users[Role.PANEL_ADMINISTRATOR].user_id not in h.member_user_ids for h in seen)
    # (the unlinked list also has anyone who left during the item: not counted, but under the conflict rule)
    assert all((h.unlinked_member_names is not None
                and len(set(h.unlinked_member_names) & set(h.member_names)) < len(h.member_names))
               or not h.member_user_ids for h in seen)
    rows = svc.list_sittings(db, ctx.users[Role.PANEL_ADMINISTRATOR], today=TODAY)
    assert 50 <= len(rows) <= 60
    sections = figures.figures(db, ctx.users[Role.MANAGER], TODAY - dt.timedelta(days=365), TODAY)
    data = {k: v for s in sections for k, v in s.rows}
    assert 20 <= int(data["Sittings held"]) <= 27
    assert int(data["Items: Match"]) > 0 and int(data["Deferrals"]) >= 1
    assert "%" in data["Minutes approved within 10 working days"]
