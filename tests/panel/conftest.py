from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from tests.conftest import make_user

SITTING_DAY = dt.date(2026, 11, 10)
TODAY = dt.date(2026, 11, 23)


@dataclass
class Panel:
    db: Database
    clerk: Principal  # panel administrator
    chair: Principal  # chair user (approves minutes)
    members: dict[str, int]  # key -> member id
    sitting_id: int


MEMBERS = {
    # key: (name, role, pqe, independent)
    "chair": ("Rowan Ashcombe", "chair", None, True),
    "vice": ("Kit Brambleby", "vice_chair", None, True),
    "sw": ("Tara Dunmere", "social_worker", 6, False),
    "sw2": ("Eli Fenwick", "social_worker", 2, False),
    "med": ("Dr Quinn Hazelford", "medical_adviser", None, False),
    "pe": ("Nia Larkholt", "personal_experience", None, True),
    "adviser": ("Gus Mossley", "panel_adviser", 12, True),
    "legal": ("Bea Nettleton", "legal_adviser", None, True),
    "minutes": ("Ivo Pebbleton", "minute_taker", None, False),
}


@pytest.fixture
def panel(db: Database) -> Panel:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    chair = make_user(db, "chairuser", Role.PANEL_CHAIR)
    ids: dict[str, int] = {}
    for key, (name, role, pqe, ind) in MEMBERS.items():
        ids[key] = svc.add_member(db, clerk, svc.MemberInput(
            name, role, dt.date(2024, 1, 1), pqe, ind, user_id=chair.user_id if key == "chair" else None,
            appraisal_due=dt.date(2027, 6, 1), dbs_checked_on=dt.date(2025, 1, 1),
            training_on=dt.date(2026, 6, 1)), today=TODAY).id
    sitting_id = svc.schedule_sittings(db, clerk, svc.SittingInput(
        SITTING_DAY, "10:00", "13:00", "Room 2, Civic Centre, Ambleford ZZ99 1AB"))[0]
    return Panel(db, clerk, chair, ids, sitting_id)


def with_views(p: Panel, draft: svc.MinutesDraft, view: str = "Agrees with the recommendation.") -> svc.MinutesDraft:
    """``draft`` with a view for every member on the central list (the approval rule needs one for each
    member present for the item)."""
    return svc.MinutesDraft(**{**draft.__dict__, "member_views": {mid: view for mid in p.members.values()}})


def attend(p: Panel, *keys: str, status: str = "present") -> None:
    for k in keys:
        svc.set_attendance(p.db, p.clerk, p.sitting_id, p.members[k], status)


@pytest.fixture
def handoffs(monkeypatch: pytest.MonkeyPatch) -> list[PanelHandoff]:
    seen: list[PanelHandoff] = []

    def capture(_session: object, handoff: PanelHandoff) -> int:
        seen.append(handoff)
        return 4242

    import adoption_desktop.adm.service as adm

    monkeypatch.setattr(adm, "open_decision_from_panel", capture)
    return seen


@pytest.fixture(autouse=True)
def discard_without_asking(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A modal "Discard what you typed?" would hang an offscreen test: unless a test answers it itself,
    a dialog closed with typed input (a test cleaning up) is answered *Discard*; the titles are kept."""
    from adoption_desktop.panel.views import dialogs, minutes_editor

    asked: list[str] = []

    def discard(_parent: object, title: str, **_explained: str) -> bool:
        asked.append(title)
        return True

    monkeypatch.setattr(dialogs, "ask_discard", discard)
    monkeypatch.setattr(minutes_editor, "ask_discard", discard)
    return asked
