"""The Adopters' journey tab says the agency's own timescales above the list, the months its columns and the
figures use. The note said "within 2 months … 4 months … 6 months" whatever the settings held: with stage 1 set
to 3 months the column read "Stage 1 in 3 months" under a note saying 2."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.settings_service import set_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import settings
from adoption_desktop.journey.views.adopters import AdoptersJourneyTab
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user


def test_the_note_says_the_months_set(db: Database, admin: Principal, qtbot: Any) -> None:
    set_setting(db, admin, settings.STAGE1_MONTHS, 3)
    set_setting(db, admin, settings.STAGE2_MONTHS, 5)
    set_setting(db, admin, settings.APPROVAL_MONTHS, 8)
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    tab = AdoptersJourneyTab(AppContext(db, clerk, TaskRunner(synchronous=True)))
    qtbot.addWidget(tab)
    note = next(lab for lab in tab.findChildren(QLabel) if lab.text().startswith("Prospective adopter households"))
    text = note.text()
    assert "within 3 months of registering" in text and "within 5 months of stage 2 starting" in text
    assert "within 8 months in all" in text
    assert "2 months" not in text and "4 months" not in text and "6 months" not in text
    headings = [tab.model.headerData(c, _horizontal()) for c in range(tab.model.columnCount())]
    assert "Stage 1 in 3 months" in headings


def _horizontal() -> Any:
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal
