"""``ui.list_keys`` in the guide window: Down or Page Down in its search box goes into the list shown beside it."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from adoption_desktop.ui.guide.window import GuideWindow


@pytest.mark.parametrize("key", [Qt.Key.Key_Down, Qt.Key.Key_PageDown])
def test_down_from_the_guide_search_goes_to_the_results_or_the_contents(qtbot: Any, key: Qt.Key) -> None:
    guide = GuideWindow()
    qtbot.addWidget(guide)
    guide.show()
    guide.activateWindow()
    qtbot.waitUntil(guide.isActiveWindow, timeout=2000)
    guide.open_topic("letterbox-work-list.html")
    guide.search_box.setFocus()
    qtbot.keyClicks(guide.search_box, "reminder")
    assert guide.side.currentWidget() is guide.results and guide.results.count() > 1
    qtbot.keyClick(guide.search_box, key)
    assert QApplication.focusWidget() is guide.results and guide.results.currentRow() == 0
    assert guide.results.selectedItems() == [guide.results.item(0)]
    guide.search_box.setFocus()
    guide.search_box.clear()
    qtbot.keyClick(guide.search_box, key)
    assert QApplication.focusWidget() is guide.contents
    item = guide.contents.currentItem()  # the page shown stays the current line
    assert item is not None
    assert item.data(0, Qt.ItemDataRole.UserRole) == "letterbox-work-list.html" and item.isSelected()
