"""ADM fixtures: an ADM user, a panel member user, hand-off builders."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy.orm import Session

from adoption_desktop.adm import service
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import make_user

_ids = itertools.count(1000)


def handoff(*, received: dt.date = dt.date(2025, 12, 1), case_type: str = "approval",
            recommendation: str = "suitable", member_ids: tuple[int, ...] = (),
            member_names: tuple[str, ...] = ("Alex Member", "Sam Chair"), ref: str | None = None) -> PanelHandoff:
    item = next(_ids)
    return PanelHandoff(
        panel_item_id=item, sitting_id=item // 10, sitting_date=received - dt.timedelta(days=14),
        case_type=case_type, subject_reference=ref or f"ADP-{item}", subject_initials="A.B.",
        recommendation=recommendation,
        recommendation_text=("The panel recommends that Mr and Mrs B are suitable to adopt."
                             if recommendation == "suitable" else
                             "The panel recommends that Mr and Mrs B are not suitable to adopt."),
        reasons="The assessment shows a stable home and good understanding of children's needs.",
        advice="Up to two children aged 0 to 5.",
        minutes_extract="The panel discussed the report. All members gave their views.",
        minutes_approved_on=received, member_user_ids=member_ids, member_names=member_names,
    )


#: the applicants' names and address as the ADM types them in Letter to: the panel hands over initials only,
#: and a decision whose letter is written to the applicants is not signed addressed to nobody
ADDRESS = "Mr Will Testcase\nMrs Ada Testcase\n1 Any Road\nZZ99 1AA"


def open_from_panel(session: Session, h: PanelHandoff, *, addressee: str = ADDRESS) -> int:
    """A decision handed over by the panel, with Letter to filled in as the ADM would before signing (``""``:
    left empty, as it arrives)."""
    did = service.open_decision_from_panel(session, h)
    if addressee:
        d = session.get(AdmDecision, did)
        assert d is not None
        d.addressee = addressee
        session.flush()
    return did


@pytest.fixture
def adm_user(db: Database) -> Principal:
    return make_user(db, "decider", Role.AGENCY_DECISION_MAKER)


@pytest.fixture
def panel_member(db: Database) -> Principal:
    return make_user(db, "member", Role.AGENCY_DECISION_MAKER, Role.PANEL_CHAIR)
