"""The item and arrangement windows from the keyboard (user trial): Enter in a new item's field logs it (it
pressed "Paper and e-mail…" and said "Log the item first"), no other button takes Enter, and Tab goes through
the item window in the order it reads (Received by, third on screen, was reached last)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QDialogButtonBox, QMenu, QPushButton, QWidget

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui.accessibility import name_everything
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_item_writer_dialog import TODAY, open_item
from tests.ui.walk import mnemonic, visible_mnemonics


@pytest.mark.parametrize("field", ["direction", "item_type", "channel", "writer", "received_on", "notes"])
def test_enter_in_a_new_items_field_logs_it(qtbot: Any, db: Database, coordinator: Principal, arrangement: int,
                                            field: str) -> None:
    window = open_item(qtbot, db, coordinator, arrangement)
    if field == "writer":
        qtbot.keyClicks(window.writer, "Sam Thornley")
    widget = window.findChild(QWidget, field)
    assert widget is not None
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget or widget.isAncestorOf(QApplication.focusWidget()))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert "Log the item first" not in window.message.text()
    assert window.item_id is not None, window.message.text()
    assert service.get_item(db, coordinator, window.item_id).status == "received"
    assert window.isVisible()


def test_only_the_primary_action_takes_enter(qtbot: Any, db: Database, coordinator: Principal,
                                             arrangement: int) -> None:
    """The item window: Log item (a new item's fields); the arrangement window: Save. Every other button
    is pressed by a click, its Alt key or Space, never by Enter."""
    window = open_item(qtbot, db, coordinator, arrangement)
    arrangement_window = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), arrangement,
                                           today=TODAY)
    qtbot.addWidget(arrangement_window)
    arrangement_window.show()
    save = arrangement_window.findChild(QDialogButtonBox, "buttons").button(QDialogButtonBox.StandardButton.Save)
    for dialog, primary in ((window, window.log_button), (arrangement_window, save)):
        buttons = dialog.findChildren(QPushButton)
        assert len(buttons) >= 2
        assert primary.isDefault()
        others = [b.text() for b in buttons if b is not primary and b.isDefault()]
        assert others == [], dialog.windowTitle()
    # a button that had the focus gives Enter back to the primary action once a field has it again
    window.documents_button.setFocus()
    qtbot.waitUntil(lambda: window.documents_button.hasFocus())
    window.notes.setFocus()
    qtbot.waitUntil(window.notes.hasFocus)
    assert window.log_button.isDefault() and not window.documents_button.isDefault()
    # a logged item: Enter in a field presses nothing (Log item is done, and no other button steps in)
    qtbot.keyClicks(window.writer, "Sam Thornley")
    window.log()
    assert window.item_id is not None
    window.documents_button.setFocus()
    window.text.setFocus()
    window.method.setFocus()
    qtbot.keyClick(window.method, Qt.Key.Key_Return)
    assert window.isVisible() and window.findChildren(QWidget, "attachments_panel") == []
    assert "Log the item first" not in window.message.text()


def test_enter_on_a_focused_button_presses_that_button(qtbot: Any, db: Database, coordinator: Principal,
                                                       arrangement: int) -> None:
    """Tab to Cancel, Enter: the window cancels (nothing changed, so it closes at once), as everywhere on
    Windows; it did not save instead."""
    window = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), arrangement, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    cancel = window.findChild(QDialogButtonBox, "buttons").button(QDialogButtonBox.StandardButton.Cancel)
    cancel.setFocus()
    qtbot.waitUntil(cancel.hasFocus)
    version = service.get_arrangement(db, coordinator, arrangement).row_version
    qtbot.keyClick(cancel, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.result() == 0
    assert service.get_arrangement(db, coordinator, arrangement).row_version == version


def tab_walk(window: QWidget, start: QWidget) -> list[str]:
    """Press Tab from ``start`` round the window once, as a keyboard user does: the object name of each
    control reached (a date's Tab goes through its day, month and year first)."""
    start.setFocus()
    names: list[str] = []
    focus: QWidget | None = start
    for _ in range(60):
        assert focus is not None
        names.append(focus.objectName())
        after = focus
        for _section in range(4 if isinstance(focus, QAbstractSpinBox) else 1):
            window.focusNextChild()
            after = window.focusWidget()
            if after is not focus:
                break
        if after is start:
            return names
        focus = after
    raise AssertionError(f"Tab went round without coming back: {names}")


def bottom_buttons(window: ItemDialog) -> list[str]:
    """The window's buttons at the bottom, left to right as shown (their order is the platform's)."""
    return [b.objectName() for b in sorted((window.documents_button, window.close_button),
                                           key=lambda b: b.mapTo(window, b.rect().topLeft()).x())]


def test_tab_follows_the_item_window_as_it_reads(qtbot: Any, db: Database, coordinator: Principal,
                                                  arrangement: int) -> None:
    window = open_item(qtbot, db, coordinator, arrangement)
    window.direction.setCurrentIndex(window.direction.findData(rules.TO_ADOPTIVE))  # From (writer) to choose
    # a new item: its fields top to bottom as on screen, Log item, the letter's text, the lists, the buttons
    assert tab_walk(window, window.direction) == [
        "direction", "item_type", "channel", "participant", "writer", "received_on", "notes", "log_button",
        "letter_text", "findings", "history", *bottom_buttons(window)]
    # Received by is the third field on screen, between Type and From (writer)
    ys = [w.mapTo(window, w.rect().topLeft()).y()
          for w in (window.item_type, window.channel, window.participant, window.writer)]
    assert ys == sorted(ys)
    window.participant.setCurrentIndex(1)
    window.log()
    assert window.item_id is not None, window.message.text()
    service.screen_item(db, coordinator, window.item_id, "Kestrel Vale Primary's play was lovely.")
    window.reload()
    # a screened item: 1. Receive, 2. Screen (top to bottom), 3. Outcome, then the window's buttons
    assert tab_walk(window, window.channel) == [
        "channel", "participant", "letter_text", "screen_button", "acceptable_button", "remove_button",
        "stored_text_button", "findings", "history", "outcome", "outcome_on", "method", "reason",
        "social_worker_informed", "second_check_button", "outcome_button", "mistake_button", *bottom_buttons(window)]


def test_tab_reaches_the_kind_of_contact_where_it_stands(qtbot: Any, db: Database, coordinator: Principal,
                                                         arrangement: int) -> None:
    """The arrangement window's contact fields, under its last tick box, came after Cancel."""
    direct = service.create_arrangement(db, coordinator, sample_input("LB-0002", contact_kind="direct",
                                                                     direct_form="video",
                                                                     direct_started_on=TODAY))
    window = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), direct, today=TODAY)
    qtbot.addWidget(window)
    assert window.direct_form.isEnabled()  # direct contact: its fields open
    window.show()
    qtbot.waitExposed(window)
    walked = tab_walk(window, window.coordinator)  # an editable list: the box takes the focus
    assert walked[:walked.index("birth_protected") + 1] == [
        "coordinator", "notes", "replies_expected", "email_allowed", "contact_kind", "direct_form",
        "direct_started_on", "direct_ended_on", "participants", "protected", "birth_protected"]


def test_put_a_mistake_right_has_an_alt_letter_of_its_own(qtbot: Any, db: Database, coordinator: Principal,
                                                          arrangement: int) -> None:
    """User trial of the letterbox corrections: "Put a mistake right…" was the one button of the item window
    with no Alt letter (every letter of its name is taken there). Alt+Z opens its menu; no two controls of
    the window share a letter."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY,
                            writer="Sam Thornley")
    window = open_item(qtbot, db, coordinator, arrangement, item)
    button = window.mistakes.button
    assert mnemonic(button.text()) == "z" and "Alt+Z" in button.toolTip()
    name_everything(window)  # as the program's DialogNamer does when the window is shown: a greyed field's
    assert visible_mnemonics(window) == {}  # label has no Alt letter then
    shown: list[str] = []

    def close_menu() -> None:
        menu = QApplication.activePopupWidget()
        if isinstance(menu, QMenu):
            shown.extend(a.text() for a in menu.actions())
            menu.close()

    QTimer.singleShot(100, close_menu)
    window.notes.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(shown), timeout=2000)
    assert "&Correct how it was logged…" in shown
