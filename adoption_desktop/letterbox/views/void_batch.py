"""Void a batch of letters printed by mistake and not posted (letterbox.edit), from the arrangement window's
list of letters sent. The rules live in :func:`adoption_desktop.letterbox.sent_list.record_void`; this asks
which batch and why, and says what happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox.sent_list import VoidedBatch, void_batch
from adoption_desktop.letterbox.service.data import SentRow
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.context import AppContext

EXPLAINED = ("Void a batch only when its letters were printed by mistake and none of them was posted (they were "
             "shredded). The whole batch is voided, for every family it has a letter for. Its letters stay in "
             "the list of letters sent, marked voided with your reason, name and the time; they are no longer "
             "counted in the figures. The month's next print of reminders is then recorded as the first, not as "
             "a reprint; other letters still to go are printed again. This cannot be undone.")


def batches_to_void(sent: Sequence[SentRow]) -> list[tuple[str, str]]:
    """The batches of an arrangement's letters sent that may be voided (not voided yet), newest first:
    (label, batch name)."""
    seen: dict[str, tuple[dt.date, str, int]] = {}
    for s in sent:
        if s.voided or not s.batch:
            continue
        on, kind, n = seen.get(s.batch, (s.sent_on, s.kind, 0))
        seen[s.batch] = (on, kind, n + 1)
    ordered = sorted(seen.items(), key=lambda kv: (kv[1][0], kv[0]), reverse=True)
    return [(f"{batch} ({kind}, {on:%d/%m/%Y}; {plural(n, 'letter')} to this family)", batch)
            for batch, (on, kind, n) in ordered]


class VoidBatchDialog(QDialog):
    """Which batch (of those the arrangement lists) and why; Void records it (refusals said in the window)."""

    def __init__(self, ctx: AppContext, sent: Sequence[SentRow], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("void_batch_dialog")
        self.setWindowTitle("Void a batch (not posted)")
        self.result_batch: VoidedBatch | None = None
        layout = QVBoxLayout(self)
        note = QLabel(EXPLAINED)
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.batch = QComboBox()
        self.batch.setObjectName("batch")
        for label, name in batches_to_void(sent):
            self.batch.addItem(label, name)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("e.g. printed for February by mistake, shredded")
        batch_label, reason_label = QLabel("&Batch:"), QLabel("&Reason:")
        batch_label.setBuddy(self.batch)
        reason_label.setBuddy(self.reason)
        form.addRow(batch_label, self.batch)
        form.addRow(reason_label, self.reason)
        layout.addLayout(form)
        self.message = MessageLine()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.void_button = buttons.addButton("&Void the batch", QDialogButtonBox.ButtonRole.AcceptRole)
        self.void_button.setObjectName("void")
        self.void_button.setEnabled(self.batch.count() > 0)
        if not self.batch.count():
            self.message.setText("No batch of this arrangement's letters can be voided: none is listed, or "
                                 "each is voided already.")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        name = str(self.batch.currentData() or "")
        try:
            self.result_batch = void_batch(self.ctx.db, self.ctx.principal, name, self.reason.text())
        except AppError as exc:  # said where the person is looking; nothing was changed
            self.message.setText(str(exc))
            return
        self.ctx.notify(f"Batch {name} is {self.result_batch.said()}: "
                        f"{plural(self.result_batch.letters, 'letter')} no longer counted as sent; they stay "
                        "listed, marked voided.")
        super().accept()
