"""Changing one's own password checks the current one (argon2, its audited bookkeeping and, when refused, the
failed-answer floor; server round trips in team mode): it ran on the window's thread and froze it. It runs
on the window's runner now: the dialog keeps drawing, Change password and Cancel greyed (the worker commits
the change), the dialog saying "Checking your password…", and Enter again starts no second check (a wrong
current password is counted once); the outcome is shown as before."""

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
from adoption_desktop.ui.ok_on_worker import CHECKING_PASSWORD, SETTING_PASSWORD
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user
from tests.password_hold import HeldCheck, actions_since, last_seq, press_while_held

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
    held = HeldCheck(monkeypatch)
    before = last_seq(db)
    current.setText("not my password")
    current.setFocus()
    press_while_held(qtbot, held, dialog, current, lambda: qtbot.keyClick(current, Qt.Key.Key_Return),
                     dialog._check, says=CHECKING_PASSWORD)
    said = dialog.message.text()
    assert dialog.isVisible() and said.startswith("Current password: that is not your password") and \
        "4 attempts left" in said, said  # one failure counted, not two
    assert all(b.isEnabled() for b in dialog.buttons.buttons()) and not current.isReadOnly()
    assert QApplication.focusWidget() is current and current.selectedText() == "not my password"
    assert dialog.new.text() == NEW  # nothing typed is lost
    assert [a for a in actions_since(db, before) if a in ("sign_in_failed", "reauthenticate")] == ["sign_in_failed"]


def test_the_right_current_password_changes_it_from_the_worker_cancel_greyed_meanwhile(
        db: Database, qtbot: Any, make_window: Callable[[Principal], MainWindow],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker commits the change (and the window goes on as the principal it returns): a Cancel pressed
    meanwhile could not take it back, so Cancel stays greyed and the dialog says "Checking your password…"
    (before: Cancel greyed with no word of why)."""
    me = make_user(db, "sam", Role.COUNSELLOR)
    dialog = _dialog(qtbot, make_window, me)
    assert dialog.current is not None
    held = HeldCheck(monkeypatch)
    dialog.current.setText(TEST_PASSWORD)
    press_while_held(qtbot, held, dialog, dialog.current,
                     dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click, dialog._check,
                     says=CHECKING_PASSWORD)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert dialog.result() == 1
    assert users.authenticate(db, "sam", NEW).username == "sam"
    window = dialog.parentWidget()
    assert isinstance(window, MainWindow) and window.ctx.principal.password_serial == me.password_serial + 1


def test_an_administrators_reset_says_the_password_is_being_set_cancel_greyed(
        db: Database, admin: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Administration → Users → Reset password: the new password is hashed and saved by the worker, so Cancel
    stays greyed meanwhile and the dialog says "Setting the password…" (no password of the administrator's
    is checked); the reset is made once."""
    from adoption_desktop.ui.admin_page import UsersTab
    from adoption_desktop.ui.context import AppContext

    sam = make_user(db, "sam", Role.COUNSELLOR)
    tab = UsersTab(AppContext(db, admin, TaskRunner()))
    qtbot.addWidget(tab)
    [summary] = [u for u in users.list_users(db, admin) if u.id == sam.user_id]
    dialog = tab.password_dialog(summary)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.current is None
    dialog.new.setText(NEW)
    dialog.repeat.setText(NEW)
    held = HeldCheck(monkeypatch, "hash_password")
    press_while_held(qtbot, held, dialog, dialog.new,
                     dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click, dialog._check,
                     says=SETTING_PASSWORD)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert dialog.result() == 1
    with pytest.raises(users.PasswordChangeRequired):  # the new one signs in, to choose their own
        users.authenticate(db, "sam", NEW)
    [now] = [u for u in users.list_users(db, admin) if u.id == sam.user_id]
    assert now.password_serial == summary.password_serial + 1  # set once
