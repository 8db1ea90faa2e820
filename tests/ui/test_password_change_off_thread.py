"""Changing one's own password checks the current one (argon2, its audited bookkeeping and, when refused, the
failed-answer floor; server round trips in team mode): it ran on the window's thread and froze it. It runs
on the window's runner now: the dialog keeps drawing, Change password and Cancel greyed, and Enter again
starts no second check (a wrong current password is counted once); the outcome is shown as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.dialogs import PasswordDialog
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user
from tests.password_hold import HeldCheck, actions_since, last_seq

NEW = "another-quiet-lantern-9"


def _dialog(qtbot: Any, make_window: Callable[[Principal], MainWindow], me: Principal) -> PasswordDialog:
    """The window's "Change your password", its window on a real worker-thread runner, filled in."""
    window = make_window(me)
    window.ctx.tasks = TaskRunner()
    dialog = window.password_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    assert dialog.current is not None
    dialog.new.setText(NEW)
    dialog.repeat.setText(NEW)
    return dialog


def test_a_wrong_current_password_is_checked_off_the_windows_thread_once(
        db: Database, qtbot: Any, make_window: Callable[[Principal], MainWindow],
        monkeypatch: pytest.MonkeyPatch) -> None:
    me = make_user(db, "sam", Role.COUNSELLOR)
    dialog = _dialog(qtbot, make_window, me)
    current = dialog.current
    assert current is not None
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    held = HeldCheck(monkeypatch)
    before = last_seq(db)
    current.setText("not my password")
    current.setFocus()
    qtbot.keyClick(current, Qt.Key.Key_Return)
    try:
        qtbot.waitUntil(held.running.is_set, timeout=10000)
        assert held.on_window_thread == [False]  # before: the window's thread, frozen meanwhile
        assert dialog.checking and not ok.isEnabled() and not cancel.isEnabled() and current.isReadOnly()
        qtbot.keyClick(current, Qt.Key.Key_Return)  # Enter again while it is checked: nothing started
        dialog._check()  # nor by the button's own slot
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc: nothing, as Cancel is greyed
        qtbot.wait(50)  # the window's thread handles events meanwhile
        assert dialog.isVisible() and dialog.message.text() == ""
    finally:
        held.release()
    qtbot.waitUntil(lambda: not dialog.checking, timeout=10000)
    assert held.on_window_thread == [False]  # one check
    said = dialog.message.text()
    assert dialog.isVisible() and said.startswith("Current password: that is not your password") and \
        "4 attempts left" in said, said  # one failure counted, not two
    assert ok.isEnabled() and cancel.isEnabled() and not current.isReadOnly()
    assert QApplication.focusWidget() is current and current.selectedText() == "not my password"
    assert dialog.new.text() == NEW  # nothing typed is lost
    assert [a for a in actions_since(db, before) if a in ("sign_in_failed", "reauthenticate")] == ["sign_in_failed"]


def test_the_right_current_password_changes_it_from_the_worker(
        db: Database, qtbot: Any, make_window: Callable[[Principal], MainWindow],
        monkeypatch: pytest.MonkeyPatch) -> None:
    me = make_user(db, "sam", Role.COUNSELLOR)
    dialog = _dialog(qtbot, make_window, me)
    assert dialog.current is not None
    held = HeldCheck(monkeypatch)
    dialog.current.setText(TEST_PASSWORD)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(held.running.is_set, timeout=10000)
    assert dialog.checking and dialog.isVisible()
    held.release()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert held.on_window_thread == [False] and dialog.result() == 1
    assert users.authenticate(db, "sam", NEW).username == "sam"
    window = dialog.parentWidget()
    assert isinstance(window, MainWindow) and window.ctx.principal.password_serial == me.password_serial + 1
