"""Lock the window after a period without keyboard or mouse input; the password unlocks it.

The workspace widgets stay alive behind the lock screen, so unsaved edits are kept.
"""

from __future__ import annotations

import html

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from adoption_desktop.ui.palette import tint_style

_INPUT_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                 QEvent.Type.Wheel, QEvent.Type.TouchBegin}


class IdleWatcher(QObject):
    """Application-wide event filter; emits ``idle`` after ``minutes`` without input."""

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle.emit)
        self.set_minutes(minutes)

    def set_minutes(self, minutes: float) -> None:
        self.timer.setInterval(max(1, int(minutes * 60_000)))
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _INPUT_EVENTS and self.timer.isActive():
            self.timer.start()
        return False

    def pause(self) -> None:
        self.timer.stop()

    def resume(self) -> None:
        self.timer.start()


#: what the lock screen says after a period without input, and after File → Lock now (Ctrl+L)
LOCKED_IDLE = "The window locked after a period of inactivity. Your unsaved work is kept."
LOCKED_MANUALLY = "The window was locked. Your unsaved work is kept."


class LockScreen(QWidget):
    unlock_requested = Signal(str)
    #: "Sign out / Switch user": the next person signs in without the window being closed
    switch_requested = Signal()

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
        self.message = QLabel()
        self.message.setStyleSheet(tint_style("#B00020", self.message))
        layout.addWidget(self.message)
        button = QPushButton("&Unlock")
        button.clicked.connect(self._submit)
        layout.addWidget(button)
        self.switch_button = QPushButton("&Sign out / Switch user")
        self.switch_button.setObjectName("lock_switch_user")
        self.switch_button.setToolTip("Your drafts are kept; the next person signs in with their own name.")
        self.switch_button.clicked.connect(self.switch_requested.emit)
        layout.addWidget(self.switch_button)
        layout.addStretch(2)
        self.setMaximumWidth(16777215)

    def set_reason(self, manual: bool) -> None:
        """Why the window is locked: Lock now (Ctrl+L) or a period without input."""
        self.info.setText(LOCKED_MANUALLY if manual else LOCKED_IDLE)

    def set_user(self, name: str) -> None:
        """Name who is locked, so the next person at a shared PC knows whose session this is."""
        self.title.setText(f"<h2>Locked — signed in as {html.escape(name)}</h2>")
        self.password.setAccessibleName(f"Password of {name}")

    def _submit(self) -> None:
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
