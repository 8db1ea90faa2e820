"""Log item (Ctrl+Shift+L) takes the row with the keyboard focus when none is selected (user trial: after
Ctrl+End in the work list the focused row was not selected, and Log item said "Choose the arrangement
first")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import shown_active

TODAY = dt.date(2026, 3, 20)  # the adopters' March letter is due this month, the birth mother's reply soon
KEYS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture(autouse=True)
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What Log item told instead of opening the window (a modal box would wait for ever offscreen)."""
    from adoption_desktop.letterbox.views import page as page_module

    told: list[str] = []
    monkeypatch.setattr(page_module.QMessageBox, "information", lambda _p, _t, text: told.append(text))
    return told


def _page(qtbot: Any, db: Database, who: Principal) -> LetterboxPage:
    return shown_active(qtbot, LetterboxPage(AppContext(db, who, TaskRunner(synchronous=True)), today=TODAY),
                        1200, 700)


def _focus_only(view: Any, row: int) -> None:
    """``row`` current (the focus frame), nothing selected: as after Ctrl+End or Ctrl+Down."""
    view.setFocus()
    view.clearSelection()
    view.selectionModel().setCurrentIndex(view.model().index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    assert view.selectionModel().selectedRows() == [] and view.currentIndex().row() == row


def test_log_item_on_the_work_lists_focused_row(qtbot: Any, db: Database, coordinator: Principal,
                                               arrangement: int, said: list[str]) -> None:
    page = _page(qtbot, db, coordinator)
    rows = page.work_model.rows()
    at = next(i for i, w in enumerate(rows) if w.side == rules.BIRTH)
    _focus_only(page.work_view, at)
    qtbot.keyClick(page.work_view, Qt.Key.Key_L, KEYS)
    assert page.dialogs, f"Log item did not open the item window for the focused row: {said}"
    dialog = page.dialogs[-1]
    try:
        assert dialog.arrangement_id == arrangement
        assert dialog.direction.currentData() == rules.TO_ADOPTIVE  # the row's writer: the birth family
    finally:
        dialog.done(0)


def test_log_item_on_the_registers_focused_row(qtbot: Any, db: Database, coordinator: Principal,
                                              arrangement: int) -> None:
    page = _page(qtbot, db, coordinator)
    page.show_arrangements()
    view = page.arrangements_register.view
    qtbot.waitUntil(lambda: page.arrangements_register.model.rowCount() == 1, timeout=3000)
    _focus_only(view, 0)
    qtbot.keyClick(view, Qt.Key.Key_L, KEYS)
    assert page.dialogs and page.dialogs[-1].arrangement_id == arrangement
    page.dialogs[-1].done(0)


def test_nothing_chosen_still_asks_for_the_arrangement(qtbot: Any, db: Database, coordinator: Principal,
                                                      arrangement: int, said: list[str]) -> None:
    page = _page(qtbot, db, coordinator)
    page.work_view.setFocus()
    page.work_view.clearSelection()
    page.work_view.selectionModel().clearCurrentIndex()
    assert page.open_item_dialog() is None and page.dialogs == []
    assert said and said[-1].startswith("Choose the arrangement first")
