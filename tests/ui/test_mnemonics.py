"""Keyboard access: no two things visible at once answer the same Alt+letter.

Qt treats a shared mnemonic as ambiguous: Alt+F then cycles focus between a "&Find" label and the File
menu instead of opening the menu. Every page is opened over the demo database as each role that
changes what is shown, a row is selected in every list (so detail panes fill in), and every tab of
every tab widget is visited.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QGroupBox,
    QLabel,
    QTabWidget,
    QWidget,
)

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner

_MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic(text: str) -> str | None:
    match = _MNEMONIC.search(text.replace("&&", ""))
    return match.group(1).lower() if match else None


def visible_mnemonics(window: MainWindow) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}

    def note(text: str, where: str) -> None:
        key = mnemonic(text)
        if key:
            seen.setdefault(key, []).append(f"{where}{text!r}")

    for action in window.menuBar().actions():
        note(action.text(), "menu ")
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QAbstractButton):
            note(widget.text(), "button ")
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            note(widget.text(), "label ")
        elif isinstance(widget, QGroupBox):
            note(widget.title(), "group ")
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                if widget.isTabVisible(i):
                    note(widget.tabText(i), "tab ")
    return {k: v for k, v in seen.items() if len(v) > 1}


def _select_first_rows(page: QWidget) -> None:
    for view in page.findChildren(QAbstractItemView):
        model = view.model()
        if view.isVisibleTo(page) and model is not None and model.rowCount() > 0:
            view.setCurrentIndex(model.index(0, 0))
    QApplication.processEvents()


@pytest.fixture
def demo_db(db: Database) -> Database:
    demo.populate(db, "small")
    return db


@pytest.mark.parametrize("username", ["admin", "chair", "adm", "counsellor", "letterbox"])
def test_no_two_visible_controls_share_a_mnemonic(demo_db: Database, username: str, qtbot: Any) -> None:
    principal = authenticate(demo_db, username, demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(demo_db, principal, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 850)
    window.show()
    clashes: dict[str, dict[str, list[str]]] = {}
    for target in window.targets:
        page = window.open_target(target.key)
        assert page is not None
        _select_first_rows(page)
        found = visible_mnemonics(window)
        if found:
            clashes[target.key] = found
        for tabs in page.findChildren(QTabWidget):
            for i in range(tabs.count()):
                if not tabs.isTabVisible(i):
                    continue
                tabs.setCurrentIndex(i)
                _select_first_rows(page)
                found = visible_mnemonics(window)
                if found:
                    clashes[f"{target.key} / {tabs.tabText(i)}"] = found
            tabs.setCurrentIndex(0)
    window.close()
    assert clashes == {}
