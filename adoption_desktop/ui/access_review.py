"""Administration → Access review: every account with its roles in words, what they allow in each area, its state
and last sign-in, the accounts not used for a while said in capitals (not by colour alone); the last review and
when the next is due; Record review… (a note, audited and sealed) and Export CSV…. ``core.access_review`` does
the work; this tab only shows it."""

from __future__ import annotations

import html
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core import access_review
from adoption_desktop.core.access_rules import NO_ACCESS
from adoption_desktop.core.errors import AppError, Conflict
from adoption_desktop.core.wording import plural
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.files import save_file_name
from adoption_desktop.ui.modal import run_modal
from adoption_desktop.ui.table_model import OVERDUE_BRUSH, ROW_ROLE, Column, RowTableModel
from adoption_desktop.ui.table_view import make_table_view
from adoption_desktop.ui.wrap_row import WrapRow

Account = access_review.ReviewedAccount


def _areas(a: Account) -> str:
    return ", ".join(area for area, allowed in a.areas.items() if allowed != NO_ACCESS) or "none"


def _areas_tip(a: Account) -> str:
    return "\n".join(f"{area}: {allowed}" for area, allowed in a.areas.items())


class RecordReviewDialog(QDialog):
    """The note of a review: what was checked and what was changed."""

    def __init__(self, review: access_review.AccessReview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("record_access_review")
        self.setWindowTitle("Record the access review")
        layout = QVBoxLayout(self)
        intro = QLabel(f"You are recording that you have reviewed the {plural(len(review.accounts), 'account')} "
                       "listed, as they are now. The list is kept with your note, audited and sealed.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        label = QLabel("&Note: what you checked and what you changed")
        self.note = QPlainTextEdit()
        self.note.setObjectName("note")
        self.note.setAccessibleName("Note")
        self.note.setTabChangesFocus(True)
        label.setBuddy(self.note)
        layout.addWidget(label)
        layout.addWidget(self.note, 1)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Record review")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 300)


class AccessReviewTab(QWidget):
    COLUMNS: ClassVar[list[Column[Account]]] = [
        Column("User name", lambda a: a.username),
        Column("Full name", lambda a: a.full_name),
        Column("Roles", lambda a: a.roles_text, tooltip=lambda a: a.roles_text),
        Column("State", lambda a: a.state),
        Column("Last sign-in", lambda a: a.last_sign_in_text, sort_key=lambda a: a.last_sign_in.isoformat()
               if a.last_sign_in else ""),
        Column("Not used", lambda a: a.unused, foreground=lambda a: OVERDUE_BRUSH if a.unused else None),
        Column("Areas open to the account", _areas, tooltip=_areas_tip),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.review: access_review.AccessReview | None = None
        #: the note of a review refused because the list changed meanwhile, offered again at the next try
        self._note_kept = ""
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("review_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)
        buttons = WrapRow()
        self.record_button = QPushButton("&Record review…")
        self.record_button.setObjectName("record_review")
        self.record_button.setToolTip("Record that you have reviewed these accounts, with a note (audited)")
        self.record_button.clicked.connect(lambda _checked=False: self.record())
        export = QPushButton("E&xport CSV…")
        export.setObjectName("export_review")
        export.clicked.connect(lambda _checked=False: self.export())
        buttons.addWidget(self.record_button)
        buttons.addWidget(export)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.model: RowTableModel[Account] = RowTableModel(self.COLUMNS, [], self)
        self.view = make_table_view(self.model, "access_review_list", sortable=True)
        self.view.setWordWrap(False)
        self.view.setAccessibleName("Accounts under review")
        self.view.setAccessibleDescription("Every account: user name, full name, roles, state, last sign-in, "
                                           "not used, the areas it opens")
        self.model.modelReset.connect(self.view.resizeColumnsToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.view, 1)
        self.areas = QLabel()
        self.areas.setObjectName("account_areas")
        self.areas.setWordWrap(True)
        self.areas.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.areas)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_areas())
        self.refresh()

    def refresh(self) -> None:
        try:
            review = access_review.access_review(self.ctx.db, self.ctx.principal)
        except AppError as exc:
            show_error(self, "Access review", exc)
            return
        self.review = review
        self.model.set_rows(review.accounts)
        if review.accounts:
            self.view.selectRow(0)
        last = (f"<b>Last review:</b> {html.escape(review.last.text())}: {html.escape(review.last.note)}"
                if review.last else "<b>Last review:</b> none recorded")
        self.summary.setText(
            f"{last}<br><b>Next review:</b> {html.escape(review.due)} (every {review.months} months: "
            f"{html.escape(access_review.WHERE_SET)})<br>{plural(len(review.accounts), 'account')}; "
            f"<b>{plural(review.unused, 'enabled account')} not used for {review.unused_days} days or more</b> "
            "(marked NOT USED or NEVER SIGNED IN: disable those no longer needed on the Users tab).")
        self._show_areas()

    def _show_areas(self) -> None:
        index = self.view.currentIndex()
        account = index.data(ROW_ROLE) if index.isValid() else None
        if not isinstance(account, Account):
            self.areas.setText("")
            return
        self.areas.setText(f"{account.username}, what the roles allow — " + "; ".join(
            f"{area}: {allowed}" for area, allowed in account.areas.items()))

    def record(self) -> RecordReviewDialog | None:
        if self.review is None:
            return None
        dialog = RecordReviewDialog(self.review, self)
        dialog.note.setPlainText(self._note_kept)
        self.record_dialog = dialog
        while run_modal(dialog):
            try:
                access_review.record_review(self.ctx.db, self.ctx.principal, dialog.note.toPlainText(),
                                            basis=self.review.basis, last_id=self.review.last_id)
            except Conflict as exc:
                # the list is read again to be looked at first; the note waits for the next Record review…
                self._note_kept = dialog.note.toPlainText()
                show_error(self, "Access review", exc)
                self.refresh()
                return dialog
            except AppError as exc:
                dialog.message.setText(str(exc))
                continue
            self._note_kept = ""
            self.refresh()
            break
        return dialog

    def export(self) -> None:
        path = save_file_name(self, "exports", "Export the access review", "access-review.csv", "CSV (*.csv)")
        if not path:
            return
        if not Path(path).suffix:
            path += ".csv"
        try:
            n = access_review.export_csv(self.ctx.db, self.ctx.principal, Path(path))
        except (AppError, OSError) as exc:
            show_error(self, "Access review", exc)
            return
        QMessageBox.information(self, "Access review", f"{plural(n, 'account')} exported to {path}.")
