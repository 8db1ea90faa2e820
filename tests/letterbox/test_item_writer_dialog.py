"""The item window's From (writer): who wrote a birth relative's item, chosen from the arrangement's birth
relatives (required when there are several), and a new item starts at its first field (user trial)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QLabel

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.conftest import sample_input

TODAY = dt.date(2026, 4, 3)


def open_item(qtbot: Any, db: Database, who: Principal, aid: int, item_id: int | None = None) -> ItemDialog:
    dialog = ItemDialog(AppContext(db, who, TaskRunner(synchronous=True)), aid, "LB-0061", item_id=item_id,
                        today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def labels(dialog: ItemDialog) -> list[str]:
    return [dialog.participant.itemText(i) for i in range(dialog.participant.count())]


def test_a_new_item_starts_at_direction(qtbot: Any, db: Database, coordinator: Principal, arrangement: int) -> None:
    window = MainWindow(AppContext(db, coordinator, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    page = window.findChild(LetterboxPage)
    assert page is not None
    page.show_arrangements()
    page.arrangements_register.view.selectRow(0)
    page.arrangements_register.view.setFocus()
    qtbot.keyClick(page.arrangements_register.view, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # log an item
    dialog = page.dialogs[-1]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    qtbot.wait(50)
    assert QApplication.focusWidget() is dialog.direction, QApplication.focusWidget()  # not a button


def test_the_writer_is_chosen_by_keyboard_and_required_when_there_are_several(
        qtbot: Any, db: Database, coordinator: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.letterbox.views import item_dialog

    monkeypatch.setattr(item_dialog, "ask_yes_no", lambda *_a, **_k: True)  # "Record them" (a key chose it)
    aid = service.create_arrangement(db, coordinator, sample_input(
        reference="LB-0061", participants=(
            service.ParticipantData("Donna Marsh", "birth mother", "5 Rose Court\nSunderland\nZZ99 2AA"),
            service.ParticipantData("Brian Marsh", "birth grandfather", "8 Elm Close\nJarrow\nZZ99 3BB"))))
    dialog = open_item(qtbot, db, coordinator, aid)
    label = next(w for w in dialog.findChildren(QLabel) if w.buddy() is dialog.participant)
    assert label.text() == "&From (writer)"
    # the adopters write as one family: nothing to choose
    dialog.direction.setCurrentIndex(dialog.direction.findData(rules.TO_BIRTH))
    assert labels(dialog) == ["The adopters"] and not dialog.participant.isEnabled()
    dialog.direction.setCurrentIndex(dialog.direction.findData(rules.TO_ADOPTIVE))
    assert labels(dialog) == ["Choose who wrote it…", "Donna Marsh (birth mother)", "Brian Marsh (birth grandfather)"]
    assert dialog.participant.isEnabled()
    dialog.received_on.setDate(QDate(2026, 4, 2))
    qtbot.mouseClick(dialog.log_button, Qt.MouseButton.LeftButton)
    assert dialog.item_id is None  # refused: letters about it would not know whom to go to
    assert "choose which birth relative wrote it" in dialog.message.text()
    assert QApplication.focusWidget() is dialog.participant
    qtbot.keyClick(dialog.participant, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.participant, Qt.Key.Key_Down)
    assert dialog.participant.currentText() == "Brian Marsh (birth grandfather)"
    qtbot.mouseClick(dialog.log_button, Qt.MouseButton.LeftButton)
    assert dialog.item_id is not None, dialog.message.text()
    detail = service.get_item(db, coordinator, dialog.item_id)
    brian = next(c.id for c in service.writer_choices(db, coordinator, aid) if c.name == "Brian Marsh")
    assert detail.participant_id == brian and detail.writer == "Brian Marsh"
    # an item logged before the writer was recorded: it is chosen in its window, and saved at once
    old = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=TODAY, writer="Mam")
    again = open_item(qtbot, db, coordinator, aid, old)
    assert again.participant.currentText() == "Choose who wrote it…" and again.participant.isEnabled()
    again.participant.setCurrentIndex(again.participant.findData(brian))
    again.participant.activated.emit(again.participant.currentIndex())
    assert service.get_item(db, coordinator, old).participant_id == brian, again.message.text()
    assert labels(again) == ["Donna Marsh (birth mother)", "Brian Marsh (birth grandfather)"]


def test_the_only_birth_relative_is_the_writer_by_default(qtbot: Any, db: Database, coordinator: Principal) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input(
        reference="LB-0061", participants=(service.ParticipantData("Donna Marsh", "birth mother", "5 Rose Court"),)))
    dialog = open_item(qtbot, db, coordinator, aid)
    dialog.direction.setCurrentIndex(dialog.direction.findData(rules.TO_ADOPTIVE))
    assert labels(dialog) == ["Donna Marsh (birth mother)"]
    qtbot.mouseClick(dialog.log_button, Qt.MouseButton.LeftButton)
    assert dialog.item_id is not None, dialog.message.text()
    assert service.get_item(db, coordinator, dialog.item_id).participant_id is not None


def two_relatives(db: Database, coordinator: Principal) -> tuple[int, int, int]:
    """An arrangement with two birth relatives (From (writer) is a choice): its id, Donna's and Brian's."""
    aid = service.create_arrangement(db, coordinator, sample_input(
        reference="LB-0061", participants=(
            service.ParticipantData("Donna Marsh", "birth mother", "5 Rose Court\nSunderland\nZZ99 2AA"),
            service.ParticipantData("Brian Marsh", "birth grandfather", "8 Elm Close\nJarrow\nZZ99 3BB"))))
    donna, brian = (c.id for c in service.writer_choices(db, coordinator, aid))
    return aid, donna, brian


def test_a_stray_arrow_key_on_from_writer_saves_nothing_unless_confirmed(
        qtbot: Any, db: Database, coordinator: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    """As for Received by: on a logged item, a writer changed by an arrow key on the closed box is asked
    about (No the default: nothing saved, the stored writer shown again); one chosen from the opened list
    is saved at once. The letters about the item go to the writer alone."""
    from adoption_desktop.letterbox.views import item_dialog

    asked: list[str] = []
    answer = [False]

    def ask(_parent: object, title: str, text: str, **_kw: object) -> bool:
        asked.append(title)
        return answer[0]

    monkeypatch.setattr(item_dialog, "ask_yes_no", ask)
    aid, donna, brian = two_relatives(db, coordinator)
    item = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=TODAY, participant_id=donna)
    dialog = open_item(qtbot, db, coordinator, aid, item)
    assert dialog.participant.isEnabled() and dialog.participant.currentData() == donna
    label = next(w for w in dialog.findChildren(QLabel) if w.buddy() is dialog.participant)
    assert label.text() == "&From (writer)"  # Alt+F still goes to it
    dialog.participant.setFocus()
    qtbot.keyClick(dialog.participant, Qt.Key.Key_Down)  # No (the default)
    assert asked == ["From (writer)"]
    assert service.get_item(db, coordinator, item).participant_id == donna
    assert dialog.participant.currentData() == donna and "not changed" in dialog.message.text()
    answer[0] = True  # Record them: saved, and said
    qtbot.keyClick(dialog.participant, Qt.Key.Key_Down)
    assert asked == ["From (writer)"] * 2
    assert service.get_item(db, coordinator, item).participant_id == brian, dialog.message.text()
    assert "Brian Marsh" in dialog.message.text()
    # chosen from the opened list (Alt+Down, then Enter): saved as chosen, without a question
    answer[0] = False
    qtbot.keyClick(dialog.participant, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.participant.view().isVisible, timeout=2000)
    qtbot.keyClick(dialog.participant.view(), Qt.Key.Key_Up)
    qtbot.keyClick(dialog.participant.view(), Qt.Key.Key_Return)
    assert len(asked) == 2
    assert service.get_item(db, coordinator, item).participant_id == donna, dialog.message.text()
    dialog.done(0)
