"""Enter on a row opens it, as a double-click does (user trial ut14, 6 December).

Panel → Agenda and Administration → Settings opened on a double-click only: Enter on the row did nothing,
so a keyboard user had to find the Edit… / Change value… button. Panel → Central list and Administration
→ Users did nothing on either. Now Enter and a double-click (Qt's ``activated``) open the row's edit dialog,
the one its button opens. Offscreen, the small demo database (real SQLCipher file)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QTableView, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.admin_page import SettingsTab, UsersTab
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.ui.dialog_registry import _panel, capturing


def _window(qtbot: QtBot, db: Database, username: str) -> MainWindow:
    window = MainWindow(AppContext(db, authenticate(db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    return window


def _opened(view: QTableView, act: Callable[[QTableView], None]) -> list[str]:
    """The titles of the windows ``act`` on the first row of ``view`` opens (each closed again)."""
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 1))
    view.selectRow(0)
    QApplication.processEvents()
    with capturing() as cap:
        act(view)
        QApplication.processEvents()
        titles = [w.windowTitle() for w in cap.shown]
        for w in cap.shown:
            if isinstance(w, QDialog):
                QDialog.done(w, QDialog.DialogCode.Rejected)
            w.close()
    return titles


def _enter(view: QTableView) -> None:
    QTest.keyClick(view, Qt.Key.Key_Return)


def _double_click(view: QTableView) -> None:
    index = view.model().index(0, 1)
    viewport, at = view.viewport(), view.visualRect(index).center()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=at)  # the press a double-click starts with
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=at)
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=at)


def _button_title(page: QWidget, name: str) -> list[str]:
    from PySide6.QtWidgets import QPushButton

    button = page.findChild(QPushButton, name)
    assert button is not None and button.isEnabled()
    with capturing() as cap:
        button.click()
        QApplication.processEvents()
        titles = [w.windowTitle() for w in cap.shown]
        for w in cap.shown:
            if isinstance(w, QDialog):
                QDialog.done(w, QDialog.DialogCode.Rejected)
            w.close()
    return titles


OPEN = pytest.mark.parametrize("act", [_enter, _double_click], ids=["Enter", "double-click"])


@OPEN
def test_panel_agenda_and_central_list(qtbot: QtBot, small_demo_db: Database, act: Callable[[QTableView], None]) -> None:
    window = _window(qtbot, small_demo_db, "paneladmin")
    page = _panel(window)
    titles = _opened(page.agenda_view, act)
    assert len(titles) == 1 and titles == _button_title(page, "edit_item"), titles  # the agenda item, as Edit…
    page.tabs.setCurrentIndex(1)  # Central list
    QApplication.processEvents()
    titles = _opened(page.members_view, act)
    assert len(titles) == 1 and titles == _button_title(page, "edit_member"), titles  # Edit member…
    window.close()


@OPEN
def test_administration_settings_and_users(qtbot: QtBot, small_demo_db: Database,
                                           act: Callable[[QTableView], None]) -> None:
    window = _window(qtbot, small_demo_db, "admin")
    page = window.open_target("admin")
    settings = page.findChild(SettingsTab)
    assert settings is not None
    page.setCurrentWidget(settings)
    QApplication.processEvents()
    titles = _opened(settings.view, act)
    assert len(titles) == 1 and titles[0], titles  # the value's own dialog, as Change value…
    users = page.findChild(UsersTab)
    assert users is not None
    page.setCurrentWidget(users)
    QApplication.processEvents()
    titles = _opened(users.view, act)
    assert len(titles) == 1 and titles[0].startswith("Roles of "), titles  # as Roles…
    window.close()
