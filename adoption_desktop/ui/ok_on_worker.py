"""The work of a dialog's OK button (Approve, Change password, Sign in, an ADM decision's Sign) on a
:class:`TaskRunner`'s worker thread: one mechanism for the dialogs whose OK checks a password (argon2, the
failed-answer floor, server round trips in team mode), so the window keeps drawing meanwhile.

    self.ok_work = OkOnWorker(self, self.buttons, [self.password], note=CHECKING_PASSWORD)
    ...
    def _ok(self) -> None:
        self.ok_work.start(self.runner, partial(submit, typed), on_done=self._worked, on_error=self._failed)
    def reject(self) -> None:
        if not self.ok_work.holds_cancel():
            super().reject()

While the work runs its fields are read-only (a line edit keeps the focus and what was typed) or greyed,
its buttons greyed, and OK or Enter again starts nothing (a wrong password is counted once). The outcome
comes back on the window's thread, to ``on_done`` or ``on_error``, after the fields and buttons are as they
were; never to a dialog already deleted. A runner that works on the calling thread (``synchronous``, in
tests) has called back before :meth:`OkOnWorker.start` returns, and the dialog is then not left "running".

Cancel, Esc and the window's close button while it runs, decided per dialog from what the work does:

* ``on_cancel`` not given (the default): the work's effect cannot be dropped, because the worker commits it
  (an approval of minutes, a password changed or reset): Cancel is greyed with the other buttons, Esc does
  nothing, and the dialog says ``note`` (:data:`CHECKING_PASSWORD`) above its buttons until the answer
  comes. Closing the dialog then would leave the person believing nothing was done while it was.
* ``on_cancel`` given (the sign-in): Cancel stays enabled; pressing it, or Esc, calls ``on_cancel`` (which
  asks the work to stop) and the dialog stays open until the work ends, to say how it ended.

A window that is not a dialog with a button box (the idle-lock's unlock screen) gives its buttons as a list
(every one greyed while the work runs; a Cancel of its own, not listed, is its to show) and its own line for
``note`` (``note_line``), which it may change while the work runs (the unlock's wait for another user's save).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtWidgets import QAbstractButton, QBoxLayout, QDialogButtonBox, QLabel, QLineEdit, QWidget

from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.fit import grow_with_message
from adoption_desktop.ui.tasks import TaskHandle, TaskRunner

#: said above the buttons while a password typed in the dialog is checked (Cancel greyed meanwhile)
CHECKING_PASSWORD = "Checking your password…"
#: said likewise while an administrator's new password for someone else is hashed and saved
SETTING_PASSWORD = "Setting the password…"


class OkOnWorker:
    """The one piece of work a dialog's OK runs on a worker thread, and the dialog's state while it runs
    (see the module's text). The dialog owns it and keeps its own public names (``checking``,
    ``signing_in``) as :attr:`running`."""

    def __init__(self, dialog: QWidget, buttons: QDialogButtonBox | Sequence[QAbstractButton],
                 fields: Sequence[QWidget] | Callable[[], Sequence[QWidget]], *, note: str = "",
                 on_cancel: Callable[[], None] | None = None, on_running: Callable[[bool], None] | None = None,
                 note_line: QLabel | None = None) -> None:
        self.dialog, self.buttons, self.on_cancel, self.on_running = dialog, buttons, on_cancel, on_running
        self._fields = fields
        self._task: TaskHandle | None = None
        self._restore: list[Callable[[], None]] = []
        #: what the dialog says while the work runs (Cancel greyed): settable until the first run
        self.note_text = note
        #: the line saying it (:attr:`note_text`), put above the buttons at the first run (or the window's
        #: own, ``note_line``), shown (and announced, a :class:`MessageLine`) only while the work runs
        self.note: QLabel | None = note_line

    @property
    def running(self) -> bool:
        """The work is running on the worker thread (its answer has not come back)."""
        return self._task is not None

    def start(self, runner: TaskRunner, work: Callable[[], Any], *, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> bool:
        """``work()`` on ``runner``'s worker thread, the dialog showing it runs. False, and nothing started,
        while an earlier one runs (OK or Enter pressed again)."""
        if self._task is not None:
            return False
        self._show(True)
        task = runner.run(lambda _t: work(), on_done=lambda value: self._back(on_done, value),
                          on_error=lambda exc: self._back(on_error, exc))
        if not task.done:  # a runner on this thread (tests) has already called back and restored the dialog
            self._task = task
        return True

    def holds_cancel(self) -> bool:
        """Cancel, Esc or the close button was pressed: True while the work runs, the dialog staying open
        (``on_cancel`` called when given; otherwise nothing, Cancel being greyed); False when nothing runs,
        for the dialog to close as usual."""
        if self._task is None:
            return False
        if self.on_cancel is not None:
            self.on_cancel()
        return True

    def _back(self, handler: Callable[[Any], None], outcome: Any) -> None:
        """The answer, on the window's thread: the dialog as it was, then ``handler``; nothing for a dialog
        deleted meanwhile."""
        if not shiboken6.isValid(self.dialog):
            return
        self._task = None
        self._show(False)
        handler(outcome)

    def _show(self, running: bool) -> None:
        if running:
            self._restore = []
            for field in self._fields() if callable(self._fields) else self._fields:
                if isinstance(field, QLineEdit):  # read-only, not greyed: the focus and the typing stay
                    if not field.isReadOnly():
                        field.setReadOnly(True)
                        self._restore.append(partial(field.setReadOnly, False))
                elif field.isEnabled():
                    field.setEnabled(False)
                    self._restore.append(partial(field.setEnabled, True))
            for button in self._greyed():
                if button.isEnabled():
                    button.setEnabled(False)
                    self._restore.append(partial(button.setEnabled, True))
        else:
            for undo in self._restore:
                undo()
            self._restore = []
        if running and self.note_text and self.note is None:
            self.note = self._place_note()
        if self.note is not None:
            self.note.clear()
            self.note.setVisible(running)
            if running:  # said again each time, to a screen reader too
                self.note.setText(self.note_text)
        if self.on_running is not None:
            self.on_running(running)

    def _place_note(self) -> MessageLine:
        note = MessageLine()
        note.setObjectName("ok_running_note")
        note.setWordWrap(True)
        parent = self.buttons.parentWidget() if isinstance(self.buttons, QDialogButtonBox) else self.dialog
        layout = parent.layout() if parent is not None else None
        if isinstance(self.buttons, QDialogButtonBox) and isinstance(layout, QBoxLayout) \
                and layout.indexOf(self.buttons) >= 0:
            layout.insertWidget(layout.indexOf(self.buttons), note)
        else:  # no room to put it in: a line of its own under the buttons' parent
            note.setParent(parent)
        grow_with_message(self.dialog, note)  # the dialog grows for it: nothing above it is cut
        return note

    def _greyed(self) -> list[QAbstractButton]:
        """Every button while it runs; Cancel stays when pressing it does something (``on_cancel``)."""
        if not isinstance(self.buttons, QDialogButtonBox):
            return list(self.buttons)
        return [b for b in self.buttons.buttons()
                if self.on_cancel is None
                or self.buttons.buttonRole(b) != QDialogButtonBox.ButtonRole.RejectRole]
