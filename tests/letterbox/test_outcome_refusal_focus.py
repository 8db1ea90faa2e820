"""Keyboard trial, 7 December 2026: Record outcome refused for a field left out ("Social worker informed: … tick
the box once they are told", "Method: say how it was forwarded") and left the focus where it was, on the Reason
or the outcome list; the box named was reached only by Tab or its Alt key, which the message did not give. The
focus now goes to the field the refusal names, so the fix is one key (Space, or the typing) and Alt+R again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from tests.discard_answers import discard_what_is_left
from tests.letterbox.test_item_writer_dialog import TODAY, open_item
from tests.undo_checks import confirm_next

ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture(autouse=True)
def _no_question_left(qtbot: Any) -> Iterator[None]:
    """A test that failed half-way leaves no question waiting as its windows close."""
    yield
    discard_what_is_left()


def _screened(db: Database, who: Principal, arrangement: int) -> int:
    item = service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=TODAY,
                            writer="Sam Thornley")
    service.screen_item(db, who, item, "We went to the seaside and learnt to swim.")
    return item


def _press(qtbot: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)
    qtbot.wait(150)  # an Alt key's button press is shown before it is made (animateClick)


def _recorded_the_second_time(qtbot: Any, db: Database, who: Principal, item: int, question: str,
                              status: str) -> None:
    """Alt+R again, with the field the refusal named filled in: asked ``question``, answered Yes, the item is
    recorded as ``status``."""
    questions = confirm_next(True)
    _press(qtbot, Qt.Key.Key_R, ALT)
    assert questions and question in questions[0]
    assert service.get_item(db, who, item).status == status


def test_a_withheld_item_without_the_social_worker_told_goes_to_that_box(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int) -> None:
    item = _screened(db, coordinator, arrangement)
    window = open_item(qtbot, db, coordinator, arrangement, item)
    _press(qtbot, Qt.Key.Key_U, ALT)  # Outcome
    qtbot.keyClicks(QApplication.focusWidget(), "W")  # Withhold
    assert window.outcome.currentData() == "withheld"
    _press(qtbot, Qt.Key.Key_E, ALT)  # Reason
    qtbot.keyClicks(QApplication.focusWidget(), "It names the family's new town.")
    _press(qtbot, Qt.Key.Key_R, ALT)  # Record outcome
    said, focused = window.message.text(), QApplication.focusWidget()
    if focused is not window.social_worker:  # (before the fix) the box by its Alt key, to finish the item
        _press(qtbot, Qt.Key.Key_K, ALT)
    else:
        _press(qtbot, Qt.Key.Key_Space)
    assert window.social_worker.isChecked()
    _recorded_the_second_time(qtbot, db, coordinator, item, "Withhold this item", "withheld")
    assert said.startswith("Social worker informed:")
    assert focused is window.social_worker, f"the focus stayed on {focused.objectName() if focused else None}"


def test_a_forward_without_its_method_goes_to_the_method(qtbot: Any, db: Database, coordinator: Principal,
                                                         arrangement: int) -> None:
    item = _screened(db, coordinator, arrangement)
    window = open_item(qtbot, db, coordinator, arrangement, item)
    _press(qtbot, Qt.Key.Key_U, ALT)
    assert window.outcome.currentData() == "forwarded"
    _press(qtbot, Qt.Key.Key_R, ALT)
    said, focused = window.message.text(), QApplication.focusWidget()
    if focused is not window.method:  # (before the fix) the field by its Alt key, to finish the item
        _press(qtbot, Qt.Key.Key_M, ALT)
    qtbot.keyClicks(QApplication.focusWidget(), "post")
    _recorded_the_second_time(qtbot, db, coordinator, item, "Forward this item", "forwarded")
    assert said.startswith("Method:")
    assert focused is window.method, f"the focus stayed on {focused.objectName() if focused else None}"
