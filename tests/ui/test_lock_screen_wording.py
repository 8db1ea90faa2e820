"""What the lock screen says (user trial ut14, 6 December): after File → Lock now (Ctrl+L) it said "The
window locked after a period of inactivity", which was not what happened; and its password box had only a
hint, gone as soon as typing started. Offscreen, real SQLCipher file."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.ui.main_window import MainWindow
from tests.conftest import TEST_PASSWORD


def _unlock(qtbot: QtBot, window: MainWindow) -> None:
    assert window.lock_screen is not None
    qtbot.keyClicks(window.lock_screen.password, TEST_PASSWORD)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    assert not window.locked


def test_lock_now_says_the_window_was_locked_and_the_idle_lock_says_why(
        qtbot: QtBot, admin: Principal, make_window: Any) -> None:
    window: MainWindow = make_window(admin)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # File → Lock now
    QApplication.processEvents()
    assert window.locked and window.lock_screen is not None
    said = window.lock_screen.info.text()
    assert said.startswith("The window was locked.") and "inactivity" not in said
    assert "unsaved work is kept" in said
    _unlock(qtbot, window)

    assert window.idle is not None
    window.idle.idle.emit()  # a period without input
    assert window.locked
    assert "after a period of inactivity" in window.lock_screen.info.text()
    _unlock(qtbot, window)


def test_the_password_box_has_a_visible_label_with_an_alt_letter(qtbot: QtBot, admin: Principal,
                                                                  make_window: Any) -> None:
    window: MainWindow = make_window(admin)
    window.lock()
    assert window.lock_screen is not None
    labels = [lab for lab in window.lock_screen.findChildren(QLabel) if lab.buddy() is window.lock_screen.password]
    assert [lab.text() for lab in labels] == ["&Password:"] and labels[0].isVisible()
    _unlock(qtbot, window)
