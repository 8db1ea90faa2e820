"""Lock the window after a period without keyboard or mouse input; the password unlocks it.

The workspace widgets stay alive behind the lock screen, so unsaved edits are kept.
"""

from __future__ import annotations

import html
import time

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget

from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.ok_on_worker import CHECKING_PASSWORD, OkOnWorker
from adoption_desktop.ui.palette import error_tint

_INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                 QEvent.Type.Wheel, QEvent.Type.TouchBegin}


#: the time now, as the wall clock has it (seconds): it goes on while the PC sleeps, as the timers do not
#: (tests give their own)
_now = time.time

#: how much longer than the idle time (s) the wall clock must have gone on without input before it locks the
#: window by itself: only a PC that slept gets there (a busy one is seconds late with its timer, not a minute)
SLEPT_SLACK_S = 60.0

#: how often (ms) the watcher looks at the wall clock besides its timer: the first look after the PC wakes
#: locks a window left without input for longer than the idle time while it slept
LOOK_EVERY_MS = 15_000


class IdleWatcher(QObject):
    """Application-wide event filter; emits ``idle`` after ``minutes`` without input.

    The timer alone is not enough: the timers may stand still while the PC sleeps (Qt's timers run on a
    clock that does not count the sleep on Linux), so a window left unlocked at 17:00 with 3 minutes to go
    woke at 08:00 unlocked, and the first touch of the mouse started a new idle period. The wall clock goes
    on while the PC sleeps: the first input after a gap longer than the idle time (by
    :data:`SLEPT_SLACK_S`) locks the window instead (the input itself goes no further: a key pressed to
    wake the PC is not typed into a record), and so does the next look at the clock
    (:data:`LOOK_EVERY_MS`), input or not. A clock put back, or summer time changing (the wall clock
    counts UTC seconds), never locks early.
    """

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle.emit)
        self._last_input = _now()
        self.look = QTimer(self)
        self.look.setInterval(LOOK_EVERY_MS)
        self.look.timeout.connect(self.check)
        self.look.start()
        self.set_minutes(minutes)

    def set_minutes(self, minutes: float) -> None:
        self.timer.setInterval(max(1, int(minutes * 60_000)))
        self._restart()

    def _restart(self) -> None:
        self._last_input = _now()
        self.timer.start()

    def overdue(self) -> bool:
        """Longer than the idle time since the last input by the wall clock (the PC slept meanwhile)."""
        return self.timer.isActive() and _now() - self._last_input >= self.timer.interval() / 1000 + SLEPT_SLACK_S

    def check(self) -> bool:
        """Lock now (emit ``idle``) if the idle time has passed by the wall clock while the timer stood still."""
        if not self.overdue():
            return False
        self.timer.stop()
        self.idle.emit()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _INPUT_EVENTS and self.timer.isActive():
            if self.check():
                return True  # the input that woke the PC stops here: nothing typed into the page under the lock
            self._restart()
        return False

    def pause(self) -> None:
        self.timer.stop()

    def resume(self) -> None:
        self._restart()


#: what the lock screen says after a period without input, and after File → Lock now (Ctrl+L)
LOCKED_IDLE = "The window locked after a period of inactivity. Your unsaved work is kept."
LOCKED_MANUALLY = "The window was locked. Your unsaved work is kept."

#: said while the password typed at the lock screen is being checked (on a worker thread)
UNLOCK_CHECKING = CHECKING_PASSWORD
#: said, with the seconds waited and Cancel, when the check waits for another user's long save
UNLOCK_WAITING = "Waiting for another user's save to finish…"
UNLOCK_WAITING_DETAIL = ("The window unlocks as soon as it is done. Cancel stops waiting: the window stays locked, "
                         "your unsaved work is kept, and nothing is counted against your account.")
#: said after Cancel stopped that wait: nothing was judged or recorded
UNLOCK_STOPPED = ("Still locked: you stopped waiting for another user's save to finish. Your unsaved work is kept "
                  "and nothing was counted against your account. Type your password again when you are ready.")
#: said when Cancel was pressed just as the password was accepted: the window stays locked, as asked
UNLOCK_STOPPED_LATE = ("Still locked: you pressed Cancel as your password was accepted, so the window stayed "
                       "locked. Your unsaved work is kept. Type your password again to unlock.")

#: said when the team server could not be reached for the check
UNLOCK_UNREACHABLE = ("Still locked: the database server can't be reached just now. Your unsaved work is kept; "
                      "type your password again when the server is back, or ask IT.")


def unlock_busy_message(name: str) -> str:
    """What the lock screen says when the database stayed busy with another user's long save past the bound."""
    return (f"Still locked: {name} is busy with another user's work (a long save, such as an import) and was "
            "still busy after waiting. Your unsaved work is kept and nothing was counted against your account. "
            "Type your password again in a minute.")


def unlock_failed_message(kind: str) -> str:
    """What the lock screen says when the database did not answer the check (``kind``: the error's class)."""
    return (f"Still locked: the database did not answer ({kind}). Your unsaved work is kept. Type your password "
            "again; if this goes on, ask IT.")


class LockScreen(QWidget):
    """The password box, Unlock, Sign out / Switch user. While the password is checked (on a worker thread,
    through :attr:`ok_work`, as a dialog's OK that checks a password: :meth:`MainWindow.try_unlock
    <adoption_desktop.ui.main_window.MainWindow.try_unlock>`) it says :data:`UNLOCK_CHECKING`, the box is
    read-only, Unlock and Sign out are greyed (the check's outcome is for this session) and Enter or Unlock
    again does nothing; when the check waits for another user's long save it says :data:`UNLOCK_WAITING` with
    the seconds waited and a Cancel button (:attr:`cancel_requested`)."""

    unlock_requested = Signal(str)
    #: "Sign out / Switch user": the next person signs in without the window being closed
    switch_requested = Signal()
    #: Cancel pressed while the check waits for another user's save: stop waiting, stay locked
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel("<h2>Locked</h2>")
        layout.addWidget(self.title)
        self.info = QLabel(LOCKED_IDLE)
        self.info.setObjectName("lock_reason")
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setObjectName("unlock_password")
        self.password.setPlaceholderText("Password")
        self.password.returnPressed.connect(self._submit)
        label = QLabel("&Password:")  # a visible name for the box (its hint goes as soon as typing starts)
        label.setObjectName("unlock_password_label")
        label.setBuddy(self.password)
        layout.addWidget(label)
        layout.addWidget(self.password)
        self.message = MessageLine()
        self.message.setWordWrap(True)
        error_tint(self.message)
        layout.addWidget(self.message)
        # the check under way: what it does, and when it waits for a colleague's save the seconds and Cancel
        self.checking = QLabel()
        self.checking.setObjectName("unlock_checking")
        self.checking.setWordWrap(True)
        layout.addWidget(self.checking)
        self.waiting_bar = QProgressBar()
        self.waiting_bar.setRange(0, 0)  # no end known: the bar moves to show the program is alive
        self.waiting_bar.setTextVisible(False)
        self.waiting_bar.setAccessibleName("Waiting")
        layout.addWidget(self.waiting_bar)
        self.cancel_button = QPushButton("&Cancel — stop waiting")
        self.cancel_button.setObjectName("unlock_cancel")
        self.cancel_button.clicked.connect(self.cancel_requested.emit)
        layout.addWidget(self.cancel_button)
        self.checking.hide()
        self.waiting_bar.hide()
        self.cancel_button.hide()
        self._waiting_since: float | None = None
        self._clock = QTimer(self)
        self._clock.setInterval(500)
        self._clock.timeout.connect(self._show_seconds)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setObjectName("unlock_button")
        self.unlock_button.clicked.connect(self._submit)
        layout.addWidget(self.unlock_button)
        self.switch_button = QPushButton("&Sign out / Switch user")
        self.switch_button.setObjectName("lock_switch_user")
        self.switch_button.setToolTip("Your drafts are kept; the next person signs in with their own name.")
        self.switch_button.clicked.connect(self.switch_requested.emit)
        layout.addWidget(self.switch_button)
        layout.addStretch(2)
        self.setMaximumWidth(16777215)
        #: the password's check on the worker: the box read-only, Unlock and Sign out greyed, :attr:`checking`
        #: saying :data:`UNLOCK_CHECKING` (Cancel, not greyed, shows only while it waits for another's save)
        self.ok_work = OkOnWorker(self, [self.unlock_button, self.switch_button], [self.password],
                                  note=UNLOCK_CHECKING, note_line=self.checking,
                                  on_running=lambda _running: self.set_waiting(False))

    def set_reason(self, manual: bool) -> None:
        """Why the window is locked: Lock now (Ctrl+L) or a period without input."""
        self.info.setText(LOCKED_MANUALLY if manual else LOCKED_IDLE)

    def set_user(self, name: str) -> None:
        """Name who is locked, so the next person at a shared PC knows whose session this is."""
        self.title.setText(f"<h2>Locked — signed in as {html.escape(name)}</h2>")
        self.password.setAccessibleName(f"Password of {name}")

    @property
    def is_checking(self) -> bool:
        """A password typed here is being checked."""
        return self.ok_work.running

    def set_waiting(self, waiting: bool) -> None:
        """The check waits for another user's save (after the quiet moment), or no longer does."""
        if waiting and self.ok_work.running:
            self._waiting_since = time.monotonic()
            self._show_seconds()
            self.waiting_bar.show()
            self.cancel_button.show()
            self._clock.start()
            return
        self._waiting_since = None
        self._clock.stop()
        self.waiting_bar.hide()
        self.cancel_button.hide()
        self.checking.setText(UNLOCK_CHECKING)

    def _show_seconds(self) -> None:
        if self._waiting_since is None:
            return
        seconds = int(time.monotonic() - self._waiting_since)
        self.checking.setText(f"<b>{UNLOCK_WAITING}</b><br>{UNLOCK_WAITING_DETAIL}<br>"
                              f"Waited {seconds} second{'' if seconds == 1 else 's'} so far.")

    def _submit(self) -> None:
        if self.ok_work.running:  # Enter or Unlock pressed again while the password is checked: one check
            return
        self.unlock_requested.emit(self.password.text())
        self.password.clear()


#: the title of a window kept open behind the lock screen while it is locked (its own may name a case)
LOCKED_TITLE = "Adoption Desktop — locked"


def runs_modal(window: QWidget) -> bool:
    """Whether ``window`` is modal (an editor run with exec(), a message box): the lock covers it with a
    :class:`LockVeil` rather than hiding it, as hiding it would end its exec() as if it were cancelled."""
    return window.isModal()


class LockVeil(QWidget):
    """What covers a window the lock keeps open instead of hiding it (a modal editor run with exec(), and a
    window under one): an opaque cover over all of it, on top of every field, its title replaced by
    :data:`LOCKED_TITLE`. The editor goes on running, what was typed is kept, and :meth:`lift` gives it back
    as it was, its title and the focus where they were. A veiled window that is hidden or closed while
    locked (discarded at Sign out / Switch user) loses its veil at once, so it is never shown veiled again."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lock_veil")
        self.covered = window
        self.title = window.windowTitle()
        self._focus = window.focusWidget()
        self._retitling = False
        self.lifted = False
        self.setAutoFillBackground(True)  # the window's own background colour, nothing drawn on it
        self.setGeometry(window.rect())
        self._retitle()
        window.installEventFilter(self)
        self.raise_()
        self.show()

    def _retitle(self) -> None:
        self._retitling = True
        self.covered.setWindowTitle(LOCKED_TITLE)
        self._retitling = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.covered and not self.lifted:
            kind = event.type()
            if kind == QEvent.Type.Resize:
                self.setGeometry(self.covered.rect())
            elif kind == QEvent.Type.ChildAdded:  # a field added meanwhile would be drawn over the veil
                self.raise_()
            elif kind == QEvent.Type.WindowTitleChange and not self._retitling:
                self.title = self.covered.windowTitle()  # retitled meanwhile: that title comes back
                self._retitle()
            elif kind == QEvent.Type.Hide and not event.spontaneous():  # closed, cancelled or discarded
                self.lift()
        return False

    def lift(self) -> None:
        """The window as it was: its title back, the veil gone, the focus where it was."""
        if self.lifted or not shiboken6.isValid(self.covered):
            return
        self.lifted = True
        self.covered.removeEventFilter(self)
        self.covered.setWindowTitle(self.title)
        self.hide()
        self.deleteLater()
        if self._focus is not None and shiboken6.isValid(self._focus):
            self._focus.setFocus(Qt.FocusReason.OtherFocusReason)


def real_title(window: QWidget) -> str:
    """``window``'s own title, also while a :class:`LockVeil` shows :data:`LOCKED_TITLE` in its place."""
    for veil in window.findChildren(LockVeil, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if not veil.lifted:
            return veil.title
    return window.windowTitle()


class LockWindow(QWidget):
    """The lock screen in a window of its own, when the lock keeps a modal window open: a modal editor
    blocks every window under it, the main window's own lock screen included, so the lock screen comes in
    this application-modal window, shown last and on top of everything, which takes the keyboard. It cannot
    be closed: the password, or Sign out / Switch user, ends it (:meth:`release`)."""

    def __init__(self, parent: QWidget, screen: LockScreen) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("lock_window")
        self.setWindowTitle(LOCKED_TITLE)
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self._ending = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(screen)
        screen.show()  # the main window's page stack had hidden it
        self.setGeometry(parent.geometry())  # where the main window is, the size it is

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._ending:  # the close box, Alt+F4: the window stays locked
            event.ignore()

    def release(self) -> None:
        self._ending = True
        self.hide()
        self.deleteLater()
