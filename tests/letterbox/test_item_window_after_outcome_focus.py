"""Keyboard trial, 7 December 2026: once an outcome was recorded, the field that had the keyboard (Record outcome,
the reason) was greyed out and Qt gave the focus to the next one it could, "Put a mistake right (Z)…"; Space
there opened the mistakes menu by accident. After forward, withhold or return the focus goes to Close, the
window's message saying what was recorded: Space or Enter there only closes the window."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from tests.discard_answers import discard_what_is_left
from tests.letterbox.test_item_writer_dialog import open_item
from tests.letterbox.test_outcome_refusal_focus import ALT, _press, _screened
from tests.undo_checks import confirm_next


@pytest.fixture(autouse=True)
def _no_question_left(qtbot: Any) -> Iterator[None]:
    yield
    discard_what_is_left()


@pytest.mark.parametrize(("key", "outcome", "method", "reason"), [
    ("F", "forwarded", "post", ""),
    ("W", "withheld", "", "It names the family's new town."),
    ("R", "returned", "", "It names the school."),
])
def test_after_an_outcome_the_keyboard_is_on_close(qtbot: Any, db: Database, coordinator: Principal,
                                                   arrangement: int, key: str, outcome: str, method: str,
                                                   reason: str) -> None:
    item = _screened(db, coordinator, arrangement)
    window = open_item(qtbot, db, coordinator, arrangement, item)
    window.outcome.setCurrentIndex(window.outcome.findData(outcome))
    window.method.setText(method)
    window.reason.setPlainText(reason)
    window.social_worker.setChecked(outcome == "withheld")
    window.outcome_button.setFocus()
    questions = confirm_next(True)
    _press(qtbot, Qt.Key.Key_R, ALT)  # Record outcome
    assert questions, window.message.text()
    assert service.get_item(db, coordinator, item).status == outcome
    assert window.message.text() == f"Outcome recorded: {outcome}."
    window.activateWindow()  # back from the confirmation (offscreen, nothing gives the window back its turn)
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    focused = QApplication.focusWidget()
    assert focused is window.close_button, focused.objectName() if focused else None
    assert focused is not window.mistakes.button
    menu = window.mistakes.button.menu()
    _press(qtbot, Qt.Key.Key_Space)  # Space where the keyboard is: the window closes, no menu opens
    assert menu is not None and not menu.isVisible()
    assert not window.isVisible()
