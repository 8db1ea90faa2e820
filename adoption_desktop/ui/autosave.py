"""Autosave a text field as a draft every few seconds while it changes; restore it when reopened.

    saver = DraftAutosaver(ctx, "counselling.session:42", notes_edit)
    ...on save:  saver.clear()

The draft is restored into an empty field when the saver is created (``restored`` tells whether it
was), so text typed before a crash comes back."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit

from adoption_desktop.core import drafts
from adoption_desktop.ui.context import AppContext

TextWidget = QPlainTextEdit | QTextEdit | QLineEdit


def _text(widget: TextWidget) -> str:
    return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()


class DraftAutosaver(QObject):
    def __init__(self, ctx: AppContext, key: str, widget: TextWidget, *, interval_ms: int = 3000) -> None:
        super().__init__(widget)
        self.ctx, self.key, self.widget = ctx, key, widget
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.restored = False
        saved = drafts.load_draft(ctx.db, ctx.principal, key)
        if saved and not _text(widget).strip():
            widget.setText(saved) if isinstance(widget, QLineEdit) else widget.setPlainText(saved)
            self.restored = True
        signal = widget.textChanged
        signal.connect(self.timer.start)

    def save_now(self) -> None:
        self.timer.stop()
        drafts.save_draft(self.ctx.db, self.ctx.principal, self.key, _text(self.widget))

    def clear(self) -> None:
        """Call after the text was saved for real."""
        self.timer.stop()
        drafts.clear_draft(self.ctx.db, self.ctx.principal, self.key)
