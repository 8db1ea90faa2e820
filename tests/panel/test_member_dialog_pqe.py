"""Add member…: a social worker's post-qualifying experience (PQE) of 0 years is a real value and reads "0 years";
"not applicable" is shown only for a role PQE is not asked of (a social worker's blank PQE reads "not entered",
and is refused on OK as before). A real SQLCipher database, pytest-qt offscreen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import rules
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import TODAY, Panel


def _dialog(qtbot: QtBot, panel: Panel, *, edit: str = "") -> tuple[PanelPage, dialogs.MemberDialog]:
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    if edit:
        page.tabs.setCurrentIndex(1)
        row = [m.full_name for m in page.members_model.rows()].index(edit)
        page.members_view.selectRow(row)
        page.edit_member()
    else:
        page.add_member()
    dialog = page.dialog
    assert isinstance(dialog, dialogs.MemberDialog)
    return page, dialog


def _role(dialog: dialogs.MemberDialog, code: str) -> None:
    dialog.role_type.setCurrentIndex(dialog.role_type.findData(code))


def test_pqe_in_words() -> None:
    assert [rules.pqe_text(n, "social_worker") for n in (0, 1, 2, 12)] == ["0 years", "1 year", "2 years",
                                                                         "12 years"]
    assert rules.pqe_text(0, "chair") == "0 years"
    assert rules.pqe_text(None, "social_worker") == "not entered"
    assert [rules.pqe_text(None, r) for r in ("chair", "medical_adviser", "panel_adviser")] == ["not applicable"] * 3
    assert rules.pqe_required("social_worker") and not rules.pqe_required("vice_chair")


def test_a_new_social_worker_with_0_years_reads_0_years_and_is_saved_so(qtbot: QtBot, panel: Panel) -> None:
    _page, dialog = _dialog(qtbot, panel)
    dialog.full_name.setText("Morgan Fairhaven")
    _role(dialog, "social_worker")
    assert dialog.pqe_years.text() == "not entered"  # asked of a social worker: never "not applicable"
    dialog._ok()
    assert dialog.isVisible() and "enter the social worker's years of PQE" in dialog.message.text()
    dialog.pqe_years.setFocus()
    QTest.keyClick(dialog.pqe_years, Qt.Key.Key_Up)  # from blank to the first real value
    assert (dialog.pqe_years.value(), dialog.pqe_years.text()) == (0, "0 years")
    QTest.keyClick(dialog.pqe_years, Qt.Key.Key_Up)
    assert dialog.pqe_years.text() == "1 year"
    dialog.pqe_years.lineEdit().selectAll()
    QTest.keyClicks(dialog.pqe_years, "15")  # typed: the words follow the number
    assert (dialog.pqe_years.value(), dialog.pqe_years.text()) == (15, "15 years")
    dialog.pqe_years.setValue(0)
    assert dialog.pqe_years.text() == "0 years"
    _role(dialog, "chair")  # another role: its blank reads "not applicable", a number stays in years
    assert dialog.pqe_years.text() == "0 years"
    dialog.pqe_years.setValue(-1)
    assert dialog.pqe_years.text() == "not applicable"
    _role(dialog, "social_worker")
    assert dialog.pqe_years.text() == "not entered"
    dialog.pqe_years.setValue(0)
    dialog._ok()
    assert not dialog.isVisible(), dialog.message.text()
    [saved] = [m for m in svc.list_members(panel.db, panel.clerk, today=TODAY) if m.full_name == "Morgan Fairhaven"]
    assert (saved.role_type, saved.pqe_years) == ("social_worker", 0)

    _page, again = _dialog(qtbot, panel, edit="Morgan Fairhaven")
    assert again.pqe_years.text() == "0 years"  # reopened: still 0 years, not "not applicable"


def test_a_member_pqe_is_not_asked_of_reads_not_applicable(qtbot: QtBot, panel: Panel) -> None:
    _page, dialog = _dialog(qtbot, panel, edit="Dr Quinn Hazelford")  # medical adviser, no PQE recorded
    assert dialog.pqe_years.text() == "not applicable"
    _page, sw = _dialog(qtbot, panel, edit="Tara Dunmere")  # social worker, 6 years
    assert sw.pqe_years.text() == "6 years"
