"""What the window does while a save waits for a colleague's long write (team mode's writer lock, or
another program's write on an embedded file): it keeps drawing, and after the quiet moment a small
dialog says so, with the seconds waited and a Cancel button.

The save still runs on the window's thread (each form's save stays as it is): the database calls
:meth:`WaitReporter.tick` between tries of the lock (``Database.on_wait_tick``, every
``engine.POLL_WAIT``), and the tick processes the window's events. The dialog is application-modal, so the
only input answered meanwhile is its Cancel; timers still fire, and the ones that write (presence leases,
autosaves) skip while ``Database.waiting_for_writer`` is set, and the idle lock waits. Cancel stops the
wait with :class:`~adoption_desktop.core.errors.WaitCancelled`: nothing is written, and the form says so
with what was typed still in it. Before, the save sat in one blocking wait of up to half a minute and the
window froze (Windows: "Not responding" after five seconds)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from adoption_desktop.core.storage.engine import Database

WAITING_TEXT = "Waiting for a colleague's change to be saved…"
DETAIL_TEXT = ("Your save goes ahead as soon as it is done. Cancel stops waiting: nothing of yours is saved, "
               "and what you typed stays in the form.")


def _on_gui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


class WaitDialog(QDialog):
    """"Waiting for a colleague's change to be saved…", the seconds waited so far, Cancel (Esc)."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setObjectName("writer_wait_dialog")
        self.setWindowTitle("Waiting for a colleague")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{WAITING_TEXT}</b>")
        layout.addWidget(heading)
        detail = QLabel(DETAIL_TEXT)
        detail.setWordWrap(True)
        layout.addWidget(detail)
        bar = QProgressBar()
        bar.setRange(0, 0)  # no end known: the bar moves to show the program is alive
        bar.setTextVisible(False)
        bar.setAccessibleName("Waiting")
        layout.addWidget(bar)
        self.elapsed = QLabel()
        self.elapsed.setObjectName("writer_wait_elapsed")
        layout.addWidget(self.elapsed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText("&Cancel — stop waiting")
        self.cancel_button.setObjectName("writer_wait_cancel")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.set_seconds(0)

    def set_seconds(self, seconds: int) -> None:
        self.elapsed.setText(f"Waited {seconds} second{'' if seconds == 1 else 's'} so far.")


class WaitReporter(QObject):
    """``on_wait`` and ``on_wait_tick`` of the window's database: the message in the status bar (from any
    thread), and on the window's thread the waiting dialog and its Cancel."""

    #: a message said on a worker thread, shown by the window's thread
    said = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.host = parent
        self.dialog: WaitDialog | None = None
        #: time.monotonic() when the wait was said (after the quiet moment); None when nothing waits
        self.since: float | None = None
        self.cancelled = False
        self.said.connect(self._show_message)

    def attach(self, db: Database | None) -> Database | None:
        """Report ``db``'s waits here (and let its waits be cancelled); returns ``db`` (None: nothing opened)."""
        if db is not None:
            db.on_wait = self
            db.on_wait_tick = self.tick
        return db

    def __call__(self, message: str) -> None:
        if not _on_gui_thread():  # a worker's wait: the status bar is the window thread's to change
            self.said.emit(message)
            return
        self._show_message(message)
        if message:
            if self.since is None:
                self.since = time.monotonic()
            QApplication.processEvents()  # drawn now, not after the wait
        else:  # the wait is over (saved, refused as busy, or cancelled): drawn once the save returns (this
            # thread may hold the lock already: the fewer events processed under it the better)
            self.since = None
            self._close_dialog()

    def tick(self) -> bool:
        """One try of the lock gone by: the dialog shown (the first time), its seconds, the window's events
        processed. False once Cancel was pressed. On a worker thread nothing is drawn: True."""
        if not _on_gui_thread():
            return True
        if self.dialog is None:
            self._open_dialog()
        assert self.dialog is not None
        self.dialog.set_seconds(int(time.monotonic() - (self.since or time.monotonic())))
        QApplication.processEvents()
        return not self.cancelled

    def _show_message(self, message: str) -> None:
        window = self.host.window()
        if isinstance(window, QMainWindow):
            if message:
                window.statusBar().showMessage(message)
            else:  # the line no longer says "waiting…"
                window.statusBar().clearMessage()

    def _open_dialog(self) -> None:
        parent = QApplication.activeModalWidget() or QApplication.activeWindow() or self.host.window()
        if self.since is None:
            self.since = time.monotonic()
        self.cancelled = False
        self.dialog = WaitDialog(parent)
        self.dialog.rejected.connect(self._cancel)
        self.dialog.show()

    def _cancel(self) -> None:
        self.cancelled = True

    def _close_dialog(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.rejected.disconnect(self._cancel)
            dialog.hide()
            dialog.deleteLater()
