"""Keyboard trial at 150 %, 7 December 2026: the letterbox item window's form scrolls on a small screen, and
Alt+E (Reason) put the keyboard in the reason box scrolled out of sight below: what was typed went where it could
not be seen. Qt scrolls to a field reached by Tab, not by its Alt key; the window now follows the keyboard."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from tests.letterbox.test_item_writer_dialog import TODAY, open_item


def _in_view(area: QScrollArea, widget: QWidget) -> bool:
    top = widget.mapTo(area.viewport(), QPoint(0, 0)).y()
    return top >= 0 and top + widget.height() <= area.viewport().height()


def test_an_alt_key_scrolls_its_field_into_view(qtbot: Any, db: Database, coordinator: Principal,
                                               arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY,
                            writer="Sam Thornley")
    service.screen_item(db, coordinator, item, "We went to the seaside.")
    window = open_item(qtbot, db, coordinator, arrangement, item)
    area = window.findChild(QScrollArea, "fit_scroll_body")
    assert area is not None
    window.resize(window.width(), 360)  # a small, scaled screen: the form scrolls
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0)
    area.verticalScrollBar().setValue(0)
    assert not _in_view(area, window.outcome_on)
    window.heading.setFocus()
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is window.outcome_on.findChild(QWidget) or \
        QApplication.focusWidget() is window.outcome_on  # Date of outcome
    assert _in_view(area, window.outcome_on)
    # and back up: Received by, scrolled out of sight above
    area.verticalScrollBar().setValue(area.verticalScrollBar().maximum())
    assert not _in_view(area, window.channel)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is window.channel and _in_view(area, window.channel)
