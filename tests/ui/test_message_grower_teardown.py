"""A window that grows for its message (``ui.fit.grow_with_message``) is torn down without an error.

Seen when the ADM's Sign dialog watched its refusal line from construction: as earlier tests' dialogs were
collected, Qt still delivered their layout events to the watcher after Python had cleared its attributes, and
``eventFilter`` raised ``AttributeError: '_MessageGrower' object has no attribute 'owner'`` in whatever test
ran next (pytest-qt fails a test on an exception raised in a Qt virtual)."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout
from pytestqt.qtbot import QtBot

from adoption_desktop.ui.fit import _MessageGrower, grow_with_message


def test_the_watcher_of_a_window_being_torn_down_lets_its_events_pass(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    line = QLabel("")
    line.setWordWrap(True)
    QVBoxLayout(dialog).addWidget(line)
    grow_with_message(dialog, line)
    (grower,) = dialog.findChildren(_MessageGrower)
    dialog.show()
    line.setText("A refusal long enough to need a second line in a small dialog. " * 4)
    before = dialog.height()
    qtbot.wait(50)
    assert dialog.height() >= before  # alive, it grows (or keeps) the window for the message

    grower.__dict__.clear()  # what teardown leaves: the Qt object still filtering, its Python state gone
    assert grower.eventFilter(dialog, QEvent(QEvent.Type.LayoutRequest)) is False
    line.setText("Another message.")
    qtbot.wait(50)  # a layout request reaches the watcher: no exception in the event loop
