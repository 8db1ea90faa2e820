"""Keyboard-only work (user trial, 4 December 2026): Ctrl+F found nothing in Counselling and Panel, and
after Ctrl+3 or Ctrl+4 the focus sat on the page's scroll area, so typing went nowhere until Tab."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.main_window import MainWindow
from tests.ui.test_search_everywhere import window_for


@pytest.fixture
def demo_db(small_demo_db: Database) -> Database:
    return small_demo_db


def _keys(window: MainWindow, qtbot: Any, keys: str) -> None:
    """The keys pressed in the window, as a user does (the window active: shortcuts work there only)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    key = getattr(Qt.Key, f"Key_{keys[-1]}")
    qtbot.keyClick(QApplication.focusWidget() or window, key, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()


def test_counselling(demo_db: Database, qtbot: Any) -> None:
    window = window_for(demo_db, "counsellor", qtbot)
    _keys(window, qtbot, "Ctrl+4")  # the cases list has the keys; Ctrl+F: the Find box, its words selected
    counselling: Any = window.page("counselling")
    assert QApplication.focusWidget() is counselling.table
    counselling.search.setText("BRC")
    _keys(window, qtbot, "Ctrl+F")
    assert QApplication.focusWidget() is counselling.search and counselling.search.selectedText() == "BRC"


def test_letterbox(demo_db: Database, qtbot: Any) -> None:
    window = window_for(demo_db, "letterbox", qtbot)
    _keys(window, qtbot, "Ctrl+3")  # the list shown has the keys
    letterbox: Any = window.page("letterbox")
    assert QApplication.focusWidget() is letterbox.work_view
    _keys(window, qtbot, "Ctrl+F")  # from the work list (no Find of its own): the items register's
    assert letterbox.tabs.currentWidget() is letterbox.items_register
    assert QApplication.focusWidget() is letterbox.items_register.search


def test_panel_and_adm(demo_db: Database, qtbot: Any) -> None:
    window = window_for(demo_db, "paneladmin", qtbot)
    _keys(window, qtbot, "Ctrl+1")  # the sittings; Ctrl+F: Search everywhere, a case on any sitting
    panel: Any = window.page("panel")
    assert QApplication.focusWidget() is panel.sittings_view
    _keys(window, qtbot, "Ctrl+F")
    search = window.search_everywhere
    assert search is not None and search.dialog is not None and search.dialog.isVisible()
    search.dialog.close()
    other = window_for(demo_db, "adm", qtbot)
    _keys(other, qtbot, "Ctrl+2")  # as before: the queue
    assert QApplication.focusWidget() is other.page("adm").view  # type: ignore[union-attr]
