"""The item window's "Put a mistake right…" ("mistakes" user trial, 6 December 2026): its logging fields were
greyed once logged and nothing corrected them; after an outcome the window promised a corrected version it
then refused. See ``test_item_mistakes`` for the use cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views import item_mistakes
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.letterbox.views.item_mistakes import CorrectLoggingDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.test_item_mistakes import MARCH, two_arrangements
from tests.undo_checks import assert_verified, confirm_next


def open_window(qtbot: Any, db: Database, who: Principal, aid: int, reference: str, item_id: int) -> ItemDialog:
    dialog = ItemDialog(AppContext(db, who, TaskRunner(synchronous=True)), aid, reference, item_id=item_id,
                        today=dt.date(2026, 4, 3))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def answer_correction(reference: str, day: QDate, *, accept: bool = True) -> list[str]:
    """Fill the Correct-how-it-was-logged window once it is shown and press Correct (or Cancel)."""
    seen: list[str] = []
    left = [200]

    def fill() -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, CorrectLoggingDialog) and w.isVisible()), None)
        if box is None:
            left[0] -= 1
            if left[0] > 0:
                QTimer.singleShot(10, fill)
            return
        seen.append(box.windowTitle())
        box.arrangement.setText(reference)
        box.received_on.setDate(day)
        (box.accept if accept else box.reject)()

    QTimer.singleShot(0, fill)
    return seen


def test_a_logged_item_is_moved_to_the_right_arrangement_from_its_window(qtbot: Any, db: Database,
                                                                          coordinator: Principal) -> None:
    meant, wrong = two_arrangements(db, coordinator)
    item = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=MARCH)
    service.screen_item(db, coordinator, item, "Rosa sang at Kestrel Vale Primary.")
    window = open_window(qtbot, db, coordinator, wrong, "LB-0002", item)
    assert not window.direction.isEnabled()  # still greyed: corrected through the button, with its checks
    mistakes = window.mistakes
    assert mistakes.button.isEnabled() and mistakes.button.isVisible()
    assert mistakes.correct_logging_action.isEnabled() and mistakes.logged_in_error_action.isEnabled()
    assert not mistakes.correction_note_action.isEnabled()

    seen = answer_correction(" lb-0001 ", QDate(2026, 3, 2))
    mistakes.correct_logging_action.trigger()

    assert seen == [f"Correct how item {item} was logged"]
    detail = service.get_item(db, coordinator, item)
    assert (detail.arrangement_id, detail.received_on, detail.status) == (meant, dt.date(2026, 3, 2), "received")
    assert window.reference == "LB-0001" and window.arrangement_id == meant
    assert "LB-0001" in window.windowTitle() and "LB-0001" in window.heading.text()
    said = window.message.text()
    assert "arrangement: was LB-0002, now LB-0001" in said and "findings were cleared" in said and "Screen the text" in said
    assert window.findings_model.rowCount() == 0 and window.screen_button.isEnabled()
    assert window.history_model.rows()[-1].action == "log_corrected"

    # a reference that is nobody's: said, nothing changed
    answer_correction("LB-9999", QDate(2026, 3, 2))
    mistakes.correct_logging_action.trigger()
    assert "no arrangement LB-9999" in window.message.text()
    assert service.get_item(db, coordinator, item).row_version == detail.row_version
    assert_verified(db)


def test_a_colleagues_correction_is_not_overwritten_from_the_window(qtbot: Any, db: Database, other_pc: Database,
                                                                    coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=MARCH)
    window = open_window(qtbot, db, coordinator, arrangement, "LB-0001", item)
    service.correct_item_logging(other_pc, coordinator, item, arrangement_id=arrangement, direction=rules.TO_BIRTH,
                                 received_on=dt.date(2026, 3, 2), item_type="card", expected_version=None)
    answer_correction("LB-0001", QDate(2026, 3, 9))
    window.mistakes.correct_logging_action.trigger()
    said = window.message.text()
    assert "after you opened it; your change was not saved" in said and "shown as it is stored now" in said
    assert window.received_on.date() == QDate(2026, 3, 2) and window.item_type.currentData() == "card"
    assert service.get_item(db, coordinator, item).received_on == dt.date(2026, 3, 2)


def test_logged_in_error_from_the_window(qtbot: Any, db: Database, coordinator: Principal, arrangement: int,
                                         monkeypatch: Any) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=MARCH)
    window = open_window(qtbot, db, coordinator, arrangement, "LB-0001", item)
    monkeypatch.setattr(item_mistakes, "ask_text", lambda *_a, **_k: ("Logged twice: see item 1.", True))
    questions = confirm_next(True)
    window.mistakes.logged_in_error_action.trigger()
    assert questions and "cannot be undone" in questions[0]
    detail = service.get_item(db, coordinator, item)
    assert detail.status == rules.LOGGED_IN_ERROR and detail.reason == "Logged twice: see item 1."
    assert "status: <b>logged in error</b>" in window.heading.text()
    line = window.mistakes.line
    assert line.isVisible() and "Logged in error on" in line.text() and "Logged twice" in line.text()
    assert not window.screen_button.isEnabled() and not window.outcome_button.isEnabled()
    assert not window.mistakes.logged_in_error_action.isEnabled()
    assert window.mistakes.correction_note_action.isEnabled()
    assert_verified(db)


def test_after_an_outcome_the_window_promises_only_what_it_does(qtbot: Any, db: Database, coordinator: Principal,
                                                                arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=MARCH)
    service.screen_item(db, coordinator, item, "We went to the seaside.")
    window = open_window(qtbot, db, coordinator, arrangement, "LB-0001", item)
    window.outcome.setCurrentIndex(window.outcome.findData("forwarded"))
    window.outcome_on.setDate(QDate(2026, 3, 4))
    window.method.setText("post")
    questions = confirm_next(True)
    window.record_outcome()
    assert questions and "corrected version" not in questions[0] and "correction note" in questions[0]
    assert service.get_item(db, coordinator, item).status == "forwarded"
    assert not window.corrected_button.isEnabled()  # only a returned item has a corrected version
    assert window.mistakes.correction_note_action.isEnabled()
    assert not window.mistakes.correct_logging_action.isEnabled()

    window.mistakes.add_correction_note("Forwarded in error: the manager was told on 05/03/2026.")

    assert window.history_model.rows()[-1].action == "correction_note"
    assert "Correction note on" in window.mistakes.line.text() and "manager was told" in window.mistakes.line.text()
    assert "outcome cannot be undone" in window.message.text()
    assert service.get_item(db, coordinator, item).status == "forwarded"
    assert_verified(db)


def test_an_acknowledged_item_is_noted_first_then_put_right_from_the_window(
        qtbot: Any, db: Database, coordinator: Principal, monkeypatch: Any) -> None:
    """Review of 6 December 2026: an item whose acknowledgement was sent was moved, or marked logged in error,
    without a word; now the window says why not and offers the correction note the message asks for."""
    from tests.letterbox.test_item_mistakes import acknowledge

    _meant, wrong = two_arrangements(db, coordinator)
    item = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=MARCH)
    acknowledge(db, coordinator, wrong, item, "ack-w1")
    window = open_window(qtbot, db, coordinator, wrong, "LB-0002", item)
    mistakes = window.mistakes
    assert mistakes.correction_note_action.isEnabled()  # no outcome, but the writer was told it was received
    monkeypatch.setattr(item_mistakes, "ask_text", lambda *_a, **_k: ("Logged twice.", True))
    confirm_next(True)
    mistakes.logged_in_error_action.trigger()
    said = window.message.text()
    assert "acknowledgement was sent to Jo and Kit Dunmore on 03/03/2026" in said and "Tell your manager" in said
    assert service.get_item(db, coordinator, item).status == "received"

    mistakes.add_correction_note("Logged twice: the manager was told on 05/03/2026.")

    assert "can now be corrected or marked as logged in error" in window.message.text()
    assert "outcome cannot be undone" not in window.message.text()
    confirm_next(True)
    mistakes.logged_in_error_action.trigger()
    assert service.get_item(db, coordinator, item).status == rules.LOGGED_IN_ERROR
    assert_verified(db)


def _type_in_the_reason_box(reason: str, keys: list[tuple[Qt.Key, Qt.KeyboardModifier]], seen: list[str]) -> None:
    """Once the reason box is shown: type ``reason`` into it and press ``keys`` as a keyboard user does, each to
    the widget that has the focus then. Still open 300 ms later, it is closed with Escape (the only key that
    left Qt's own box), so a trapped keyboard fails the test rather than hanging it."""
    left = [300]

    def type_in() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QInputDialog):
            left[0] -= 1
            if left[0] > 0:
                QTimer.singleShot(10, type_in)
            return
        box.activateWindow()
        QTest.qWaitForWindowActive(box)
        QTest.keyClicks(QApplication.focusWidget(), reason)
        for key, modifier in keys:
            QTest.keyClick(QApplication.focusWidget(), key, modifier)
            seen.append(type(QApplication.focusWidget()).__name__)

        def still_open() -> None:
            if shiboken6.isValid(box) and box.isVisible():  # closed and deleted by then: nothing to do
                seen.append("still open")
                QTest.keyClick(QApplication.focusWidget() or box, Qt.Key.Key_Escape)
        QTimer.singleShot(300, box, still_open)  # with the box as context: dropped if the box goes first
    QTimer.singleShot(0, type_in)


@pytest.mark.parametrize("keys", [[(Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
                                   (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)],
                                  [(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)]],
                         ids=["tab-to-ok-then-enter", "ctrl-enter"])
def test_the_reason_for_logged_in_error_is_given_from_the_keyboard(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int,
        keys: list[tuple[Qt.Key, Qt.KeyboardModifier]]) -> None:
    """Keyboard trial, 7 December 2026: in the reason box of *Logged in error…* (and *Add correction note…*) Tab
    typed a tab into the reason and Enter a new line; OK could not be reached, only Escape left it."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=MARCH)
    window = open_window(qtbot, db, coordinator, arrangement, "LB-0001", item)
    seen: list[str] = []
    _type_in_the_reason_box("Logged twice: see item 1.", keys, seen)
    questions = confirm_next(True)
    window.mistakes.logged_in_error_action.trigger()
    assert "still open" not in seen, seen
    assert questions and "cannot be undone" in questions[0]
    detail = service.get_item(db, coordinator, item)
    assert detail.status == rules.LOGGED_IN_ERROR and detail.reason == "Logged twice: see item 1."


def test_a_correction_note_is_given_from_the_keyboard(qtbot: Any, db: Database, coordinator: Principal,
                                                      arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=MARCH)
    service.screen_item(db, coordinator, item, "We went to the seaside.")
    service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 3, 4), method="post")
    window = open_window(qtbot, db, coordinator, arrangement, "LB-0001", item)
    assert window.mistakes.correction_note_action.isEnabled()
    seen: list[str] = []
    _type_in_the_reason_box("Forwarded in error: the manager was told.", [(Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
                                                                     (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)],
                            seen)
    window.mistakes.correction_note_action.trigger()
    assert "still open" not in seen, seen
    assert window.history_model.rows()[-1].action == "correction_note"
    assert "Forwarded in error: the manager was told." in window.mistakes.line.text()
