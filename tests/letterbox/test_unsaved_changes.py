"""Closing the arrangement or item window with changes not saved asks first (user trial: Escape threw away a
protected term just typed, and a new item's letter text, without a word). Nothing changed: it closes at once.
The real question box is answered, as the user would, by its buttons."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.views import arrangement_dialog, item_dialog
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.discard import OBJECT_NAME
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.test_item_writer_dialog import TODAY, open_item

TERM = "Oakfield Academy"


def answer(choice: str) -> list[str]:
    """Answer the next "Discard what you typed?" by pressing ``choice`` ("Discard" or "Keep editing");
    returns what was seen: the question, and which button was its default."""
    seen: list[str] = []
    tries = [300]

    def press() -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.objectName() == OBJECT_NAME and w.isVisible()), None)
        if box is None:
            tries[0] -= 1
            if tries[0]:
                QTimer.singleShot(10, press)
            return
        default = box.defaultButton()
        seen.extend([box.text(), f"default: {default.text().replace('&', '') if default else None}"])
        next(b for b in box.buttons() if b.text().replace("&", "") == choice).click()

    QTimer.singleShot(0, press)
    return seen


def never_asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []
    for module in (arrangement_dialog, item_dialog):
        monkeypatch.setattr(module, "ask_discard", lambda _w, title, **_k: asked.append(title) or True)
    return asked


def open_arrangement(qtbot: Any, db: Database, who: Principal, arrangement: int) -> ArrangementDialog:
    dialog = ArrangementDialog(AppContext(db, who, TaskRunner(synchronous=True)), arrangement, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def protected_terms(db: Database, who: Principal, arrangement: int) -> set[str]:
    return {t.term for t in service.get_arrangement(db, who, arrangement).data.protected}


def test_escape_asks_before_a_new_protected_term_is_lost(qtbot: Any, db: Database, coordinator: Principal,
                                                         arrangement: int) -> None:
    dialog = open_arrangement(qtbot, db, coordinator, arrangement)
    dialog.protected.setFocus()
    dialog.protected.moveCursor(dialog.protected.textCursor().MoveOperation.End)
    qtbot.keyClick(dialog.protected, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.protected, TERM)
    seen = answer("Keep editing")
    qtbot.keyClick(dialog.protected, Qt.Key.Key_Escape)
    assert seen == ["Discard what you typed?", "default: Keep editing"]
    assert dialog.isVisible() and TERM in dialog.protected.toPlainText()
    seen = answer("Discard")
    dialog.close()  # the window's close box asks too
    assert seen and not dialog.isVisible()
    assert TERM not in protected_terms(db, coordinator, arrangement)


def test_kept_editing_then_saved(qtbot: Any, db: Database, coordinator: Principal, arrangement: int) -> None:
    dialog = open_arrangement(qtbot, db, coordinator, arrangement)
    dialog.birth_protected.setPlainText(TERM)
    cancel = dialog.findChild(QDialogButtonBox, "buttons").button(QDialogButtonBox.StandardButton.Cancel)
    seen = answer("Keep editing")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert seen and dialog.isVisible()
    dialog.save()
    assert dialog.result() == 1 and TERM in protected_terms(db, coordinator, arrangement)


def test_nothing_changed_closes_without_asking(qtbot: Any, db: Database, coordinator: Principal, arrangement: int,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    asked = never_asked(monkeypatch)
    dialog = open_arrangement(qtbot, db, coordinator, arrangement)
    qtbot.keyClick(dialog.fields["reference"], Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    window = open_item(qtbot, db, coordinator, arrangement)
    qtbot.keyClick(window.direction, Qt.Key.Key_Escape)
    assert not window.isVisible()
    new_arrangement = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(new_arrangement)
    new_arrangement.show()
    new_arrangement.close()
    assert not new_arrangement.isVisible()
    assert asked == []


def test_a_new_items_typed_letter_is_not_lost_without_asking(qtbot: Any, db: Database, coordinator: Principal,
                                                             arrangement: int) -> None:
    window = open_item(qtbot, db, coordinator, arrangement)
    qtbot.keyClicks(window.writer, "Sam Thornley")
    qtbot.keyClicks(window.text, "Dear Gina, Poppy loved her birthday.")
    seen = answer("Keep editing")
    qtbot.keyClick(window.writer, Qt.Key.Key_Escape)
    assert seen == ["Discard what you typed?", "default: Keep editing"] and window.isVisible()
    seen = answer("Keep editing")
    qtbot.mouseClick(window.close_button, Qt.MouseButton.LeftButton)
    assert seen and window.isVisible()
    seen = answer("Discard")
    window.close()
    assert seen and not window.isVisible() and window.item_id is None


def test_a_logged_item_asks_only_about_what_is_not_stored(qtbot: Any, db: Database, coordinator: Principal,
                                                          arrangement: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Logging saves the receipt (not a letter typed meanwhile), screening saves the text, Received by is
    saved as it is chosen; the outcome's fields are saved only when the outcome is recorded."""
    asked = never_asked(monkeypatch)
    window = open_item(qtbot, db, coordinator, arrangement)
    qtbot.keyClicks(window.writer, "Sam Thornley")
    qtbot.keyClicks(window.text, "Dear Gina, Poppy loved her birthday.")
    window.log()
    assert window.item_id is not None
    assert window.unsaved() == ["letter_text"]
    window.screen_letter()
    assert window.unsaved() == []
    window.channel.setCurrentIndex(window.channel.findData("email"))
    monkeypatch.setattr(item_dialog, "ask_yes_no", lambda *_a, **_k: True)  # "Correct it" (a key chose it)
    window.channel.activated.emit(window.channel.currentIndex())
    assert service.get_item(db, coordinator, window.item_id).channel == "email", window.message.text()
    assert window.unsaved() == []
    window.method.setText("post")
    assert window.unsaved() == ["method"]
    window.method.setText("")
    qtbot.keyClick(window.text, Qt.Key.Key_Escape)
    assert asked == [] and not window.isVisible()
    again = open_item(qtbot, db, coordinator, arrangement, window.item_id)
    assert again.unsaved() == []
    again.text.setPlainText("Another text, not screened.")
    qtbot.keyClick(again.direction, Qt.Key.Key_Escape)
    assert asked == [again.windowTitle()] and not again.isVisible()
