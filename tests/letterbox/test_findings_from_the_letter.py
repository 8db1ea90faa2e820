"""Keyboard trial, 7 December 2026: after Screen text (Alt+X) the focus stays in the letter, and Mark acceptable
(Alt+A) said "Choose a finding in the list first": nothing was chosen, and the list of findings has no Alt key of
its own (five Tabs from the letter). Now the first finding is chosen once the letter is screened, and each
decision chooses the next, so the findings are decided in order from the letter with Alt+A and Alt+V."""

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

ALT = Qt.KeyboardModifier.AltModifier
LETTER = "Dear Gina, we went to Whitby and she starts at Kestrel Vale Primary soon. Love from Sam"


@pytest.fixture(autouse=True)
def _no_question_left(qtbot: Any) -> Iterator[None]:
    yield
    discard_what_is_left()


def _press(qtbot: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)
    qtbot.wait(150)  # an Alt key's button press is shown before it is made (animateClick)


def test_the_findings_are_decided_in_order_from_the_letter(qtbot: Any, db: Database, coordinator: Principal,
                                                           arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY,
                            writer="Sam Thornley")
    window = open_item(qtbot, db, coordinator, arrangement, item)
    _press(qtbot, Qt.Key.Key_S, ALT)  # 2. Screen: the letter's text
    assert QApplication.focusWidget() is window.text
    qtbot.keyClicks(window.text, LETTER)
    _press(qtbot, Qt.Key.Key_X, ALT)  # Screen text
    found = [(f.id, f.text) for f in window.findings_model.rows()]
    assert [text for _id, text in found] == ["Whitby", "Kestrel Vale Primary"]
    assert "the first, 'Whitby', is chosen" in window.message.text()
    _press(qtbot, Qt.Key.Key_A, ALT)  # Mark acceptable: Whitby
    said = window.message.text()
    _press(qtbot, Qt.Key.Key_V, ALT)  # Mark to be removed: the school
    assert QApplication.focusWidget() is window.text  # never left the letter
    decided = {f.id: f.decision for f in service.get_item(db, coordinator, item).findings}
    assert decided == {found[0][0]: "acceptable", found[1][0]: "remove"}
    assert said == "Marked acceptable: 'Whitby'. Chosen next: 'Kestrel Vale Primary' (protected term)."


def test_one_finding_is_said_as_one(qtbot: Any, db: Database, coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY,
                            writer="Sam Thornley")
    window = open_item(qtbot, db, coordinator, arrangement, item)
    _press(qtbot, Qt.Key.Key_S, ALT)
    qtbot.keyClicks(window.text, "Dear Gina, we went to Whitby. Love from Sam")
    _press(qtbot, Qt.Key.Key_X, ALT)
    assert window.message.text().startswith("1 finding highlighted, 'Whitby', chosen in the list. Mark it")
    _press(qtbot, Qt.Key.Key_A, ALT)
    assert [f.decision for f in service.get_item(db, coordinator, item).findings] == ["acceptable"]
    assert window.message.text() == "Marked acceptable."
