"""Panel invitations carry the job title of the account that writes them, read by the account, never by its
full name (a namesake's title must not appear), else the panel role the account holds ("Panel
administrator", "Panel chair"), else no title: never a job the signer does not hold (pytest-qt, offscreen)."""

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


def _invitations(qtbot: QtBot, db: Database, clerk: Principal, out: Path, signer: Principal | None = None) -> str:
    """The invitations of a sitting the panel administrator ``clerk`` set up, written in the Panel page by
    ``signer`` (default: the clerk), as one line of text."""
    for name, role, pqe, ind in MEMBERS.values():
        svc.add_member(db, clerk, svc.MemberInput(name, role, dt.date(2024, 1, 1), pqe, ind))
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(SITTING_DAY + dt.timedelta(days=28), "10:00",
                                                                "13:00", "Room 2, Civic Centre"))[0]
    svc.add_item(db, clerk, sitting, svc.ItemInput("approval", "AD-2026-0301", "AB", "Jay Quillby", "10:00"))
    page = PanelPage(AppContext(db, signer or clerk, TaskRunner(synchronous=True)), today=TODAY)
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


@pytest.mark.parametrize(("role", "printed"), [(Role.PANEL_CHAIR, "Panel chair"), (Role.ADMINISTRATOR, "")],
                         ids=["chair", "administrator"])
def test_invitations_signed_by_someone_else_without_a_title_name_their_own_role(
        qtbot: QtBot, db: Database, admin: Principal, tmp_path: Path, role: Role, printed: str) -> None:
    """A chair (or an administrator) with no job title who writes the invitations is not called "Panel
    administrator": the chair is "Panel chair"; an administrator, who holds no panel role, gets no title."""
    clerk = named(db, admin, "clerk", Role.PANEL_ADMINISTRATOR, CLERK_TITLE)
    signer = named(db, admin, "sbrook2", role, "")
    text = _invitations(qtbot, db, clerk, tmp_path / "inv.pdf", signer)
    assert "AD-2026-0301" in text and f"Yours sincerely, {SHARED_NAME}" in text, text
    assert "Panel administrator" not in text and CLERK_TITLE not in text
    after = text.split(f"Yours sincerely, {SHARED_NAME}", 1)[1]
    assert after.startswith(f" {printed} " if printed else " OFFICIAL"), after[:80]
