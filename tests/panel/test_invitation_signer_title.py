"""Panel invitations carry the job title of the account that writes them, read by the account, never by its
full name (a namesake's title must not appear), else "Panel administrator" (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.same_name import SHARED_NAME, named

from .conftest import MEMBERS, SITTING_DAY, TODAY

ADM_TITLE = "Head of Adoption Decisions"
CLERK_TITLE = "Adoption panel coordinator"


def _invitations(qtbot: QtBot, db: Database, clerk: Principal, out: Path) -> str:
    for name, role, pqe, ind in MEMBERS.values():
        svc.add_member(db, clerk, svc.MemberInput(name, role, dt.date(2024, 1, 1), pqe, ind))
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(SITTING_DAY + dt.timedelta(days=28), "10:00",
                                                                "13:00", "Room 2, Civic Centre"))[0]
    svc.add_item(db, clerk, sitting, svc.ItemInput("approval", "AD-2026-0301", "AB", "Jay Quillby", "10:00"))
    page = PanelPage(AppContext(db, clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    row = next(n for n, r in enumerate(page.sittings_model.rows()) if r.id == sitting)
    page.sittings_view.setCurrentIndex(page.sittings_model.index(row, 0))
    assert page.sitting is not None and page.sitting.id == sitting
    page.export_invitations(out)
    assert out.exists()
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(out)).pages)


@pytest.mark.parametrize(("title", "printed"), [(CLERK_TITLE, CLERK_TITLE), ("", "Panel administrator")],
                         ids=["own-title", "no-title"])
def test_invitations_have_the_writers_title_not_a_namesakes(qtbot: QtBot, db: Database, admin: Principal,
                                                            tmp_path: Path, title: str, printed: str) -> None:
    named(db, admin, "sbrook", Role.AGENCY_DECISION_MAKER, ADM_TITLE)
    clerk = named(db, admin, "sbrook2", Role.PANEL_ADMINISTRATOR, title)
    text = _invitations(qtbot, db, clerk, tmp_path / "inv.pdf")
    assert "AD-2026-0301" in text and SHARED_NAME in text
    assert printed in text and ADM_TITLE not in text
