"""Approving minutes re-enters the chair's password: the check (argon2, its audited bookkeeping and, when
refused, the failed-answer floor; server round trips in team mode) ran on the window's thread and froze it.
It runs on the page's runner now: the dialog keeps drawing, Approve and Cancel greyed (the worker commits the
approval), the dialog saying "Checking your password…", and Enter again starts no second check (a wrong
password is counted once); the outcome is shown as before."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.ok_on_worker import CHECKING_PASSWORD
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD
from tests.password_hold import HeldCheck, actions_since, last_seq, press_while_held

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
    held = HeldCheck(monkeypatch)
    before = last_seq(panel.db)
    password.setText("not the password")
    press_while_held(qtbot, held, dialog, password, lambda: qtbot.keyClick(password, Qt.Key.Key_Return),
                     dialog._ok, says=CHECKING_PASSWORD)
    assert dialog.isVisible() and "not your password" in dialog.message.text()
    assert "4 attempts left" in dialog.message.text()  # one failure counted, not two
    assert all(b.isEnabled() for b in dialog.buttons.buttons()) and not password.isReadOnly()
    assert QApplication.focusWidget() is password and password.selectedText() == "not the password"
    assert [a for a in actions_since(panel.db, before) if a in ("sign_in_failed", "reauthenticate")] \
        == ["sign_in_failed"]
    [now] = svc.minutes_history(panel.db, panel.chair, item)
    assert now.status == "submitted"


def test_the_right_password_approves_from_the_worker_cancel_greyed_meanwhile(
        qtbot: QtBot, panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker commits the approval as soon as the password is right: a Cancel pressed meanwhile could not
    take it back, so Cancel stays greyed and the dialog says "Checking your password…" (before: Cancel greyed
    with no word of why); the approval is made once and said once."""
    item, _shown = _sent(panel)
    page, password = _dialog(qtbot, panel)
    dialog = page.dialog
    held = HeldCheck(monkeypatch)
    before = last_seq(panel.db)
    password.setText(TEST_PASSWORD)
    press_while_held(qtbot, held, dialog, password,
                     dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click, dialog._ok,
                     says=CHECKING_PASSWORD)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert dialog.result() == 1
    [now] = svc.minutes_history(panel.db, panel.chair, item)
    assert now.status == "approved"
    assert "approved and locked" in page.status.text()
    assert actions_since(panel.db, before).count("approve") == 1, actions_since(panel.db, before)
