"""Lock the window after a period without keyboard or mouse input; the password unlocks it.

The workspace widgets stay alive behind the lock screen, so unsaved edits are kept.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
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
        self.info = QLabel("The window locked after a period of inactivity. Your unsaved work is kept.")
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setObjectName("unlock_password")
        self.password.setPlaceholderText("Password")
        self.password.returnPressed.connect(self._submit)
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

    def set_user(self, name: str) -> None:
        """Name who is locked, so the next person at a shared PC knows whose session this is."""
        self.title.setText(f"<h2>Locked — signed in as {html.escape(name)}</h2>")
        self.password.setAccessibleName(f"Password of {name}")

    def _submit(self) -> None:
        self.unlock_requested.emit(self.password.text())
        self.password.clear()
