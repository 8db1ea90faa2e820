"""The row acted on is the row the keyboard is on, and it is the one highlighted (user trial: Down, then
Ctrl+End moved the focus frame to the last row but the highlight stayed on the second, and Log item opened the
item window for the second row's family; changing Show selected the first row in silence)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules
from tests.letterbox.test_log_item_focused_row import KEYS, _page

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from adoption_desktop.letterbox.views import page as page_module

    told: list[str] = []
    monkeypatch.setattr(page_module.QMessageBox, "information", lambda _p, _t, text: told.append(text))
    return told


def _choose(view: Any, row: int) -> None:
    """``row`` current and the only one selected (whatever keys Qt thinks are still held from another test)."""
    flags = QItemSelectionModel.SelectionFlag
    view.selectionModel().setCurrentIndex(view.model().index(row, 0), flags.ClearAndSelect | flags.Rows)


def _selected(view: Any) -> list[int]:
    return sorted(i.row() for i in view.selectionModel().selectedRows())


@pytest.mark.parametrize("key", [Qt.Key.Key_End, Qt.Key.Key_Home, Qt.Key.Key_Down, Qt.Key.Key_Up])
def test_ctrl_moves_select_the_row_moved_to(qtbot: Any, db: Database, coordinator: Principal, arrangement: int,
                                            key: Qt.Key) -> None:
    page = _page(qtbot, db, coordinator)
    view = page.work_view
    last = page.work_model.rowCount() - 1
    assert last >= 2
    view.setFocus()
    start = 1 if key in (Qt.Key.Key_End, Qt.Key.Key_Down) else last - 1
    _choose(view, start)
    qtbot.keyClick(view, key, CTRL)
    at = view.currentIndex().row()
    assert at != start
    assert _selected(view) == [at]  # the highlight went with the focus frame


def test_down_then_ctrl_end_logs_the_last_row(qtbot: Any, db: Database, coordinator: Principal, arrangement: int,
                                              said: list[str]) -> None:
    page = _page(qtbot, db, coordinator)
    view = page.work_view
    rows = page.work_model.rows()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_End, CTRL)
    assert view.currentIndex().row() == len(rows) - 1 and _selected(view) == [len(rows) - 1]
    qtbot.keyClick(view, Qt.Key.Key_L, KEYS)
    assert page.dialogs, said
    dialog = page.dialogs[-1]
    try:
        last = rows[-1]
        assert dialog.arrangement_id == last.arrangement_id
        writer = rules.TO_BIRTH if last.side == rules.ADOPTIVE else rules.TO_ADOPTIVE
        assert dialog.direction.currentData() == writer
    finally:
        dialog.done(0)


def test_shift_still_extends_the_selection(qtbot: Any, db: Database, coordinator: Principal,
                                           arrangement: int) -> None:
    page = _page(qtbot, db, coordinator)
    view = page.work_view
    view.setFocus()
    _choose(view, 0)
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert _selected(view) == [0, 1]  # Mark missed takes several exchanges


def test_changing_show_selects_nothing_new(qtbot: Any, db: Database, coordinator: Principal,
                                           arrangement: int) -> None:
    page = _page(qtbot, db, coordinator)
    view = page.work_view
    view.setFocus()
    view.clearSelection()
    view.selectionModel().clearCurrentIndex()
    for i in range(page.work_show.count()):
        page.work_show.setCurrentIndex(i)
        assert _selected(view) == [], f"Show {page.work_show.currentText()!r} selected a row in silence"


def test_changing_show_keeps_the_selected_row_when_still_shown(qtbot: Any, db: Database, coordinator: Principal,
                                                               arrangement: int) -> None:
    page = _page(qtbot, db, coordinator)
    view = page.work_view
    view.setFocus()
    for i in range(1, page.work_show.count()):
        page.work_show.setCurrentIndex(0)  # All exchanges
        rows = page.work_model.rows()
        for at in range(len(rows)):
            page.work_show.setCurrentIndex(0)
            _choose(view, at)
            chosen = rows[at]
            page.work_show.setCurrentIndex(i)
            shown = page.work_model.rows()
            picked = [shown[r] for r in _selected(view)]
            if chosen in shown:
                assert picked == [chosen] and page.work_model.row_at(view.currentIndex().row()) == chosen
            else:
                assert picked == [], f"Show {page.work_show.currentText()!r} selected another row in silence"


def test_changing_show_with_only_the_focus_frame_selects_nothing(qtbot: Any, db: Database, coordinator: Principal,
                                                                 arrangement: int) -> None:
    """The focus frame on the first row, nothing highlighted (as after opening the tab): Alt+S then a Show
    choice used to highlight that row."""
    from tests.letterbox.test_log_item_focused_row import _focus_only

    page = _page(qtbot, db, coordinator)
    _focus_only(page.work_view, 0)
    for i in range(1, page.work_show.count()):
        page.work_show.setCurrentIndex(0)
        _focus_only(page.work_view, 0)
        page.work_show.setCurrentIndex(i)
        assert _selected(page.work_view) == [], f"Show {page.work_show.currentText()!r} selected a row in silence"
