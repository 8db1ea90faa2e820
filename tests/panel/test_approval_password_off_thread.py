"""Approving minutes re-enters the chair's password: the check (argon2, its audited bookkeeping and, when
refused, the failed-answer floor; server round trips in team mode) ran on the window's thread and froze it.
It runs on the page's runner now: the dialog keeps drawing, Approve and Cancel greyed, and Enter again starts
no second check (a wrong password is counted once); the outcome is shown as before."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD
from tests.password_hold import HeldCheck, actions_since, last_seq

from .conftest import TODAY, Panel
from .test_chair_approves_what_was_shown import _sent


def _dialog(qtbot: QtBot, panel: Panel) -> tuple[PanelPage, QLineEdit]:
    """The chair's page (a real worker-thread runner) with the approval's password dialog open."""
    page = PanelPage(AppContext(panel.db, panel.chair, TaskRunner()), today=TODAY)
    qtbot.addWidget(page)
    page.show()
    page.reload(select_sitting=panel.sitting_id)
    page.minutes.approve_button.click()
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    password = dialog.findChild(QLineEdit, "password")
    assert password is not None
    return page, password


def test_a_wrong_password_is_checked_off_the_windows_thread_once(qtbot: QtBot, panel: Panel,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    item, _shown = _sent(panel)
    page, password = _dialog(qtbot, panel)
    dialog = page.dialog
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    held = HeldCheck(monkeypatch)
    before = last_seq(panel.db)
    password.setText("not the password")
    qtbot.keyClick(password, Qt.Key.Key_Return)
    try:
        qtbot.waitUntil(held.running.is_set, timeout=10000)
        assert held.on_window_thread == [False]  # before: the window's thread, frozen meanwhile
        assert dialog.checking and not ok.isEnabled() and not cancel.isEnabled() and password.isReadOnly()
        qtbot.keyClick(password, Qt.Key.Key_Return)  # Enter again while it is checked: nothing started
        dialog._ok()  # nor by the button's own slot
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc: nothing, as Cancel is greyed
        qtbot.wait(50)  # the window's thread handles events meanwhile
        assert dialog.isVisible() and dialog.message.text() == ""
    finally:
        held.release()
    qtbot.waitUntil(lambda: not dialog.checking, timeout=10000)
    assert held.on_window_thread == [False]  # one check
    assert dialog.isVisible() and "not your password" in dialog.message.text()
    assert "4 attempts left" in dialog.message.text()  # one failure counted, not two
    assert ok.isEnabled() and cancel.isEnabled() and not password.isReadOnly()
    assert QApplication.focusWidget() is password and password.selectedText() == "not the password"
    assert [a for a in actions_since(panel.db, before) if a in ("sign_in_failed", "reauthenticate")] \
        == ["sign_in_failed"]
    [now] = svc.minutes_history(panel.db, panel.chair, item)
    assert now.status == "submitted"


def test_the_right_password_approves_from_the_worker(qtbot: QtBot, panel: Panel,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    item, _shown = _sent(panel)
    page, password = _dialog(qtbot, panel)
    dialog = page.dialog
    held = HeldCheck(monkeypatch)
    password.setText(TEST_PASSWORD)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(held.running.is_set, timeout=10000)
    assert dialog.checking and dialog.isVisible()
    held.release()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert held.on_window_thread == [False]
    [now] = svc.minutes_history(panel.db, panel.chair, item)
    assert now.status == "approved"
    assert "approved and locked" in page.status.text()
