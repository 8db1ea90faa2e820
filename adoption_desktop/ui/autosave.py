"""Autosave a text field as a draft every few seconds while it changes; restore it when reopened.

    saver = DraftAutosaver(ctx, "counselling.session:42", notes_edit)
    ...on save:  saver.clear()

The draft is restored into an empty field when the saver is created (``restored`` tells whether it
was), so text typed before a crash comes back. ``base`` (what the record was when the field was filled:
its version, its stored text; see ``core/drafts.py``) is kept with the draft; a restored draft brings back
the base it was typed against (``saver.base``), so the screen can tell whether someone saved since and, if
so, show the conflict dialog rather than save over their work."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QMainWindow, QPlainTextEdit, QTextEdit

from adoption_desktop.core import drafts
from adoption_desktop.core.errors import DatabaseUnavailable
from adoption_desktop.ui.context import AppContext

TextWidget = QPlainTextEdit | QTextEdit | QLineEdit
#: while the server can't be reached a draft is tried again this often (the text stays in the field)
RETRY_MS = 5000
def restored_text(place: str, button: str) -> str:
    """The one sentence every form says when it brought a draft back, e.g. ``restored_text("this form",
    "OK")``; ``button`` is the save button as it reads."""
    return (f"Unsaved text from your last visit to {place} was restored; check it, "
            f"then press {button.replace('&', '')} to save it.")


#: said (through ``DraftAutosaver.status``) while a draft could not be saved for an outage
NOT_SAVED_OUTAGE = "Not saved: the server can't be reached — kept here, will retry."


def _text(widget: TextWidget) -> str:
    return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()


class DraftAutosaver(QObject):
    #: NOT_SAVED_OUTAGE when a draft could not be saved because the server can't be reached, "" once a
    #: draft is saved again: for the host's status line (an autosave never pops a dialog)
    status = Signal(str)

    def __init__(self, ctx: AppContext, key: str, widget: TextWidget, *, interval_ms: int = 3000,
                 base: str | None = None) -> None:
        super().__init__(widget)
        self.ctx, self.key, self.widget = ctx, key, widget
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.restored = False
        self.interval_ms = interval_ms
        self.unsaved = False  # True while the last attempt failed for an outage (a retry is scheduled)
        #: what the record was when the text was typed: as shown now, or a restored draft's own
        self.base = base
        saved = drafts.load_draft(ctx.db, ctx.principal, key)
        if saved and not _text(widget).strip():
            self.base = drafts.load_draft_base(ctx.db, ctx.principal, key)
            widget.setText(saved) if isinstance(widget, QLineEdit) else widget.setPlainText(saved)
            self.restored = True
        signal = widget.textChanged
        signal.connect(self.timer.start)

    def save_now(self) -> bool:
        """Save the draft now. False when the server can't be reached: the text stays in the field,
        ``status`` says so quietly and the draft is tried again on a timer (no dialog while typing)."""
        self.timer.stop()
        try:
            drafts.save_draft(self.ctx.db, self.ctx.principal, self.key, _text(self.widget), base=self.base)
        except DatabaseUnavailable:  # a COMMIT lost too (DatabaseCommitUncertain): saving a draft twice is harmless
            self.unsaved = True
            self.timer.start(RETRY_MS)
            self._say(NOT_SAVED_OUTAGE)
            return False
        self.timer.setInterval(self.interval_ms)
        if self.unsaved:
            self.unsaved = False
            self._say("")
        return True

    def _say(self, text: str) -> None:
        """To the host's status line (``status``), and the main window's status bar when the field is in one."""
        self.status.emit(text)
        window = self.widget.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text) if text else window.statusBar().clearMessage()

    def clear(self) -> None:
        """Call after the text was saved for real."""
        self.timer.stop()
        drafts.clear_draft(self.ctx.db, self.ctx.principal, self.key)
