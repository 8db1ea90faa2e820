"""The manager's counselling page (counts only) shows the counts as they are now, not as they were when it was
first opened: a referral made on another PC since is counted after F5, after *Refresh* (Alt+R), and when the
manager comes back to the page from another area. The page was made once per sign-in and kept, and refreshed
only at midnight: a manager who left it open saw the morning's waiting list all day, with no way to update it.

Two real sessions on one SQLCipher file: the manager's and a counsellor's on another PC."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.views.page import CountsPage, create_page
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import referral


def _waiting(page: QWidget) -> str:
    label = page.findChild(QLabel, "count_waiting")
    assert label is not None
    return label.text()


def _referral_on(other_pc: Database, counsellor: Principal, name: str) -> None:
    today = dt.date.today()  # the page counts from the real today
    service.create_referral(other_pc, counsellor, referral(birth_name=name, current_name=name,
                                                          referral_date=today - dt.timedelta(days=3)), today=today)


def test_the_counts_follow_a_colleagues_referral(qtbot: QtBot, db: Database, other_pc: Database,
                                                 manager: Principal, counsellor: Principal,
                                                 new_case: Callable[..., int]) -> None:
    new_case()
    stack = QStackedWidget()  # the main window's areas: one shown at a time, each page kept
    qtbot.addWidget(stack)
    page = create_page(AppContext(db, manager, TaskRunner(synchronous=True)))
    assert isinstance(page, CountsPage)
    elsewhere = QWidget()
    stack.addWidget(page)
    stack.addWidget(elsewhere)
    stack.show()
    stack.activateWindow()
    qtbot.waitUntil(stack.isActiveWindow, timeout=2000)  # the keys go to the page's window, as at a desk
    assert _waiting(page) == "1"

    _referral_on(other_pc, counsellor, "Ben Thornby")
    qtbot.keyClick(page, Qt.Key.Key_F5)
    assert _waiting(page) == "2"

    _referral_on(other_pc, counsellor, "Cara Wilde")
    button = page.findChild(QPushButton, "refresh_counts")
    assert button is not None and button.text() == "&Refresh"
    qtbot.keyClick(page, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _waiting(page) == "3", timeout=2000)  # a mnemonic's click lands a moment later

    _referral_on(other_pc, counsellor, "Dan Moss")
    stack.setCurrentWidget(elsewhere)  # the manager goes to Reports, then back (Ctrl+4)
    stack.setCurrentWidget(page)
    assert _waiting(page) == "4"
