"""Answering "Discard what you typed?" (``ui.discard.ask_discard``) in an offscreen test: the question is a modal
``QMessageBox``, whose ``exec`` would wait for ever for a click nobody makes. A timer started before the action
that asks finds the box once it is shown and presses a button, as the person would.

    asked: list[str] = []
    answer_question("Keep editing", asked)   # then sign out, close the window, open another decision ...
    assert note in asked[0]                   # the question's explanation (its informative text)

One helper for the tests of the ADM pane, the letterbox windows, the counselling forms and the panel minutes,
which each had a copy of it."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from adoption_desktop.ui.discard import OBJECT_NAME

#: how often the timer looks for the question (ms), and for how long before it gives up (the test then fails on
#: what it asserts, rather than hanging on a question that never came)
LOOK_EVERY_MS = 10
GIVE_UP_AFTER = 1000


def question_box() -> QMessageBox | None:
    """The "Discard what you typed?" box on screen now, if any."""
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
                 and w.objectName() == OBJECT_NAME and w.isVisible()), None)


def answer_question(answer: str, asked: list[str], *, titles: list[str] | None = None) -> None:
    """Answer the next "Discard what you typed?" with the button ``answer`` ("Keep editing" or "Discard"); note
    its explanation (informative text) in ``asked`` and, when given, its window title in ``titles``."""
    left = [GIVE_UP_AFTER]

    def look() -> None:
        box = question_box()
        if box is None:
            left[0] -= 1
            if left[0] > 0:
                QTimer.singleShot(LOOK_EVERY_MS, look)
            return
        asked.append(box.informativeText())
        if titles is not None:
            titles.append(box.windowTitle())
        next(b for b in box.buttons() if b.text().replace("&", "") == answer).click()
    QTimer.singleShot(0, look)


def discard_what_is_left(tries: int = 500) -> None:
    """Called as a test ends: when it failed half-way, a window still holds typing, and its question as the
    window is closed after the test is answered Discard (else it waits for an answer that never comes)."""
    left = [tries]

    def look() -> None:
        box = question_box()
        if box is not None:
            next(b for b in box.buttons() if b.text().replace("&", "") == "Discard").click()
        left[0] -= 1
        if left[0] > 0:
            QTimer.singleShot(LOOK_EVERY_MS, look)
    QTimer.singleShot(0, look)
