"""``ui.ok_on_worker.OkOnWorker``, the one mechanism behind the OK of the approval, password and sign-in
dialogs, on a plain dialog: a synchronous runner leaves nothing "running", a second OK starts nothing, the
answer never reaches a dialog deleted meanwhile, fields and buttons come back as they were (a field greyed
before stays greyed), and each of the two ways of Cancel while it runs."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from adoption_desktop.ui.ok_on_worker import CHECKING_PASSWORD, OkOnWorker
from adoption_desktop.ui.tasks import TaskRunner


class _Dialog(QDialog):
    def __init__(self, **options: Any) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.text, self.box, self.greyed = QLineEdit(), QCheckBox("box"), QLineEdit()
        self.greyed.setEnabled(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        for widget in (self.text, self.box, self.greyed, self.buttons):
            layout.addWidget(widget)
        self.ok_work = OkOnWorker(self, self.buttons, [self.text, self.box, self.greyed], **options)


def test_a_synchronous_runner_has_answered_before_start_returns(qtbot: QtBot) -> None:
    dialog = _Dialog(note=CHECKING_PASSWORD)
    qtbot.addWidget(dialog)
    answers: list[Any] = []
    assert dialog.ok_work.start(TaskRunner(synchronous=True), lambda: 42, on_done=answers.append,
                                on_error=answers.append)
    assert answers == [42] and not dialog.ok_work.running
    assert all(b.isEnabled() for b in dialog.buttons.buttons())
    assert not dialog.text.isReadOnly() and dialog.box.isEnabled() and not dialog.greyed.isEnabled()


def test_while_it_runs_one_start_greyed_cancel_held_and_no_answer_to_a_deleted_dialog(qtbot: QtBot) -> None:
    dialog = _Dialog(note=CHECKING_PASSWORD)
    dialog.show()
    go, began = threading.Event(), threading.Event()
    answers: list[Any] = []

    def work() -> str:
        began.set()
        go.wait(10)
        return "done"

    runner = TaskRunner()
    assert dialog.ok_work.start(runner, work, on_done=answers.append, on_error=answers.append)
    qtbot.waitUntil(began.is_set, timeout=5000)
    assert dialog.ok_work.running
    assert not dialog.ok_work.start(runner, work, on_done=answers.append, on_error=answers.append)  # one
    assert dialog.text.isReadOnly() and not dialog.box.isEnabled()
    assert [b for b in dialog.buttons.buttons() if b.isEnabled()] == []  # Cancel greyed too
    assert dialog.ok_work.note is not None and dialog.ok_work.note.text() == CHECKING_PASSWORD
    assert dialog.ok_work.holds_cancel()  # Cancel/Esc: the dialog stays
    dialog.deleteLater()
    qtbot.waitUntil(lambda: not _alive(dialog), timeout=5000)
    go.set()
    assert runner.wait(5000)
    qtbot.wait(50)  # the answer's queued call is handled: nothing reaches the deleted dialog
    assert answers == []


def test_a_cancel_that_stops_the_work_stays_enabled(qtbot: QtBot) -> None:
    stops: list[bool] = []
    dialog = _Dialog(on_cancel=lambda: stops.append(True))
    qtbot.addWidget(dialog)
    go = threading.Event()
    answers: list[Any] = []
    runner = TaskRunner()
    dialog.ok_work.start(runner, lambda: go.wait(10), on_done=answers.append, on_error=answers.append)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert not ok.isEnabled() and cancel.isEnabled() and dialog.ok_work.note is None
    assert dialog.ok_work.holds_cancel() and stops == [True]
    go.set()
    qtbot.waitUntil(lambda: not dialog.ok_work.running, timeout=5000)
    assert answers == [True] and ok.isEnabled() and not dialog.ok_work.holds_cancel()


def test_a_window_with_buttons_of_its_own_and_its_own_note_line(qtbot: QtBot) -> None:
    """The idle lock's unlock screen: no button box; its buttons given as a list (all greyed), a Cancel of
    its own not listed (left as it is), its own line saying the note while it runs and hidden after."""
    window = QWidget()
    layout = QVBoxLayout(window)
    text, note, unlock, switch, cancel = QLineEdit(), QLabel(), QPushButton("Unlock"), QPushButton("Switch"), \
        QPushButton("Cancel")
    for widget in (text, note, unlock, switch, cancel):
        layout.addWidget(widget)
    note.hide()
    qtbot.addWidget(window)
    window.show()
    seen: list[bool] = []
    work = OkOnWorker(window, [unlock, switch], [text], note=CHECKING_PASSWORD, note_line=note, on_running=seen.append)
    go = threading.Event()
    answers: list[Any] = []
    work.start(TaskRunner(), lambda: go.wait(10), on_done=answers.append, on_error=answers.append)
    assert work.running and text.isReadOnly() and not unlock.isEnabled() and not switch.isEnabled()
    assert cancel.isEnabled() and work.note is note and note.isVisible() and note.text() == CHECKING_PASSWORD
    assert window.findChildren(QLabel) == [note]  # no line of its own added
    go.set()
    qtbot.waitUntil(lambda: not work.running, timeout=5000)
    assert answers == [True] and seen == [True, False]
    assert not text.isReadOnly() and unlock.isEnabled() and switch.isEnabled() and not note.isVisible()


def _alive(widget: QDialog) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)
