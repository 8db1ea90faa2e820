"""Keyboard trial, 7 December 2026: right after logging an item by mistake, Ctrl+Z in the item window went to
the letter's empty text box and did nothing, saying nothing; the way back, *Put a mistake right (Alt+Z) →
Logged in error…*, was not offered where the coordinator looked. Logging never enters the undo stack (a logged
item is evidence: it is marked logged in error, with a reason, never taken away), so Ctrl+Z with nothing of its
own to undo now says that way on the window's message line. A text field with typing to undo still undoes it;
an item with an outcome is pointed to a correction note. A real SQLCipher file, offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.discard_answers import discard_what_is_left
from tests.letterbox.test_item_writer_dialog import TODAY, open_item
from tests.letterbox.test_outcome_refusal_focus import _screened

CTRL = Qt.KeyboardModifier.ControlModifier
UN_LOG = ("An item cannot be un-logged with Ctrl+Z: use Put a mistake right (Alt+Z) → Logged in error… to mark it "
          "logged in error, with the reason.")


@pytest.fixture(autouse=True)
def _no_question_left(qtbot: Any) -> Iterator[None]:
    yield
    discard_what_is_left()


def _ctrl_z(qtbot: Any) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_Z, CTRL)


def test_ctrl_z_right_after_logging_says_how_to_take_the_item_back(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int) -> None:
    window = open_item(qtbot, db, coordinator, arrangement)
    window.writer.setText("The adopters")
    window.log_button.click()
    assert window.item_id is not None
    assert window.message.text().startswith("Item logged.")
    assert QApplication.focusWidget() is window.text  # where the logging leaves the keyboard
    _ctrl_z(qtbot)
    assert window.message.text() == UN_LOG
    # nothing was changed by it: the item is still logged, and the route it names is there
    assert service.get_item(db, coordinator, window.item_id).status == "received"
    assert window.mistakes.button.isEnabled() and window.mistakes.logged_in_error_action.isEnabled()
    # from a button too (nothing on the undo stack for the window's Ctrl+Z to take back)
    window.stored_text_button.setFocus()
    window.say("")
    _ctrl_z(qtbot)
    assert window.message.text() == UN_LOG


def test_typing_is_still_undone_first(qtbot: Any, db: Database, coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY,
                            writer="The adopters")
    window = open_item(qtbot, db, coordinator, arrangement, item)
    window.text.setFocus()
    qtbot.keyClicks(window.text, "Dear Gina")
    window.say("")
    _ctrl_z(qtbot)
    assert window.text.toPlainText() == ""  # the typing undone, as in any text box
    assert window.message.text() == ""


def test_ctrl_z_after_an_outcome_points_to_a_correction_note(qtbot: Any, db: Database, coordinator: Principal,
                                                             arrangement: int) -> None:
    item = _screened(db, coordinator, arrangement)
    service.record_outcome(db, coordinator, item, "forwarded", TODAY, method="post")
    window = open_item(qtbot, db, coordinator, arrangement, item)
    window.close_button.setFocus()
    _ctrl_z(qtbot)
    assert "Add correction note" in window.message.text()
    assert service.get_item(db, coordinator, item).status == "forwarded"


def test_with_the_main_window_a_decision_is_still_undone_and_logging_is_said(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int) -> None:
    """The main window's Edit → Undo (Ctrl+Z in every window of the program) as the coordinator has it: the
    letter box after logging says the way; a finding's decision made in the window is still undone from the
    list, and once the stack is empty a button says the way again."""
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True))
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.show()
    window = ItemDialog(ctx, arrangement, "LB-0061", today=TODAY, parent=main)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.writer.setText("The adopters")
    window.log_button.click()
    assert window.item_id is not None and QApplication.focusWidget() is window.text
    _ctrl_z(qtbot)
    assert window.message.text() == UN_LOG
    window.text.setPlainText("Dear Gina, we moved to ZZ99 4EF.")
    window.screen_letter()
    assert window.findings_model.rowCount() >= 1
    finding = window.findings_model.row_at(0)
    window.findings_view.setFocus()
    window.decide("acceptable")
    assert ctx.undo.can_undo()
    _ctrl_z(qtbot)  # the decision is undone, as from the main window
    assert not ctx.undo.can_undo()
    assert next(f for f in service.get_item(db, coordinator, window.item_id).findings
                if f.id == finding.id).decision != "acceptable"
    window.stored_text_button.setFocus()
    _ctrl_z(qtbot)  # nothing left on the stack
    assert window.message.text() == UN_LOG
    assert service.get_item(db, coordinator, window.item_id).status == "screened"
