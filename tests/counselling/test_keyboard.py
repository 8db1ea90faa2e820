"""The caseload from the keyboard (real key events, offscreen): Down, Page Down and Enter in Find go to the
cases found, as in the letterbox registers (``ui.list_keys``), without waiting for the typing pause."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling.views.page import CounsellingPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner


@pytest.fixture
def page(qtbot: Any, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> CounsellingPage:
    for birth, now in (("Amy Thornby", "Amy Lark"), ("Ben Thornby", "Ben Ashdown"), ("Cara Wilde", "Cara Moss")):
        new_case(birth_name=birth, current_name=now)
    page = CounsellingPage(AppContext(db, counsellor, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=2000)
    assert page.model.rowCount() == 3
    page.search.setFocus()
    return page


def _selected(page: CounsellingPage) -> list[str]:
    return [page.model.row_at(i.row()).name for i in page.table.selectionModel().selectedRows()]


@pytest.mark.parametrize("key", [Qt.Key.Key_Down, Qt.Key.Key_PageDown])
def test_down_in_find_goes_to_the_first_case_found(qtbot: Any, page: CounsellingPage, key: Qt.Key) -> None:
    qtbot.keyClicks(page.search, "thornby")
    qtbot.keyClick(page.search, key)  # at once: the typing pause has not ended
    assert page.model.rowCount() == 2
    assert QApplication.focusWidget() is page.table
    assert _selected(page) == [page.model.row_at(0).name]
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    assert _selected(page) == [page.model.row_at(1).name]
    assert page.cases == []  # going to the list opens nothing


def test_enter_in_find_opens_the_only_case_or_goes_to_the_first_of_several(qtbot: Any,
                                                                             page: CounsellingPage) -> None:
    qtbot.keyClicks(page.search, "wilde")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert [d.detail.referral.current_name for d in page.cases] == ["Cara Moss"]
    for dialog in page.cases:
        dialog.close()
    page.search.setFocus()
    page.search.clear()
    qtbot.keyClicks(page.search, "thornby")
    qtbot.keyClick(page.search, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert page.cases == []  # of two, none is opened: the first is selected in the list
    assert QApplication.focusWidget() is page.table and _selected(page) == [page.model.row_at(0).name]
    page.search.setFocus()
    page.search.clear()
    qtbot.keyClicks(page.search, "nobody")
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Down):
        qtbot.keyClick(page.search, key)
        assert QApplication.focusWidget() is page.search and page.model.rowCount() == 0 and page.cases == []
