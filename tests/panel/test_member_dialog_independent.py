"""User trial (6 December): Add member… ticked "Independent of the agency" for every role (ticked for the first
role, the independent chair, and never unticked), so an agency social worker added in a hurry counted as the
quorum's independent member. The box now follows the role until the user sets it, never flips a value the user
chose, and an existing member's stored value is kept. A real SQLCipher database, pytest-qt offscreen."""

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


def _page(qtbot: QtBot, panel: Panel) -> PanelPage:
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    return page


def _role(dialog: dialogs.MemberDialog, code: str) -> None:
    dialog.role_type.setCurrentIndex(dialog.role_type.findData(code))


def test_independence_follows_the_role_of_a_new_member(qtbot: QtBot, panel: Panel) -> None:
    page = _page(qtbot, panel)
    page.add_member()
    dialog = page.dialog
    assert isinstance(dialog, dialogs.MemberDialog)
    assert dialog.role_type.currentData() == "chair" and dialog.independent.isChecked()  # the independent chair
    for code in ("social_worker", "vice_chair", "medical_adviser", "personal_experience", "minute_taker"):
        _role(dialog, code)
        assert not dialog.independent.isChecked(), code
    _role(dialog, "chair")
    assert dialog.independent.isChecked()
    dialog.full_name.setText("Morgan Fairhaven")
    _role(dialog, "social_worker")
    dialog.pqe_years.setValue(4)
    dialog._ok()
    assert not dialog.isVisible(), dialog.message.text()
    [saved] = [m for m in svc.list_members(panel.db, panel.clerk, today=TODAY) if m.full_name == "Morgan Fairhaven"]
    assert saved.role_type == "social_worker" and saved.independent is False


def test_a_box_set_by_hand_is_never_changed_by_the_role(qtbot: QtBot, panel: Panel) -> None:
    page = _page(qtbot, panel)
    page.add_member()
    dialog = page.dialog
    assert isinstance(dialog, dialogs.MemberDialog)
    _role(dialog, "personal_experience")
    assert not dialog.independent.isChecked()
    dialog.independent.setFocus()
    QTest.keyClick(dialog.independent, Qt.Key.Key_Space)  # ticked by hand: an independent member
    assert dialog.independent.isChecked()
    for code in ("specialist", "social_worker", "chair", "vice_chair"):
        _role(dialog, code)
        assert dialog.independent.isChecked(), code
    dialog.independent.click()  # unticked by hand, on the chair: kept, and the service says why on OK
    _role(dialog, "chair")
    assert not dialog.independent.isChecked()
    dialog.full_name.setText("Ash Penhallow")
    dialog._ok()
    assert dialog.isVisible() and "the chair must be independent" in dialog.message.text()
    dialog.reject()


def test_opening_an_existing_member_keeps_the_stored_value(qtbot: QtBot, panel: Panel) -> None:
    page = _page(qtbot, panel)
    members = {m.id: m for m in svc.list_members(panel.db, panel.clerk, today=TODAY)}
    for key, stored in (("sw", False), ("pe", True), ("vice", True), ("med", False)):
        member = members[panel.members[key]]
        assert member.independent is stored
        dialog = dialogs.MemberDialog(page, TODAY, [], lambda d: d, lambda _v: None, existing=member)
        qtbot.addWidget(dialog)
        assert dialog.independent.isChecked() is stored, key
        for code in ("chair", "social_worker", "personal_experience"):
            _role(dialog, code)
            assert dialog.independent.isChecked() is stored, (key, code)
        dialog.reject()


def test_only_a_role_that_must_be_independent_starts_ticked() -> None:
    assert [code for code in rules.ROLE_LABELS if rules.independent_by_default(code)] == ["chair"]
