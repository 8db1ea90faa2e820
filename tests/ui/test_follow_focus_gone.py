"""A scroll area that follows the keyboard (``fit.follow_focus``) going while a field inside it has the keyboard
(an item window closed and deleted, the page it was opened from left open): the focus change its going makes
reached the area's follower while the area was half taken down, and "Internal C++ object (QScrollArea) already
deleted" was raised in the event loop. It failed the letterbox tests that open and close item windows in turn
(test_item_drafts, test_trial_keys, test_my_work_kept_drafts), each alone passing."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from adoption_desktop.ui.fit import follow_focus, scrolling


def test_an_area_deleted_with_the_keyboard_inside_it_raises_nothing(qtbot: Any) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    outside = QLineEdit(window)
    form = QWidget()
    field = QLineEdit(form)
    QVBoxLayout(form).addWidget(field)
    area = follow_focus(scrolling(form))
    layout = QVBoxLayout(window)
    layout.addWidget(outside)
    layout.addWidget(area)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field, timeout=2000)
    shiboken6.delete(area)  # as a closed window's deleteLater does: the focus leaves as it goes
    QApplication.processEvents()
    outside.setFocus()  # and the keyboard goes on elsewhere
    QApplication.processEvents()
    assert QApplication.focusWidget() is outside
