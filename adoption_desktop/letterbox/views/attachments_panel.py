"""The documents of one letterbox item: attach scans and e-mails, read their text (OCR in the
background), put the text into the item for screening, open a file (audited), make the redacted copy
and the e-mail draft for the council's mail client."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.concurrency import local_time
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.files import output_file
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox import attachments, extraction, redaction
from adoption_desktop.letterbox.attachments import AttachmentRow, PageText
from adoption_desktop.letterbox.views.redaction_view import RedactionDialog
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import plain_error
from adoption_desktop.ui.files import focus_kept, save_file_name
from adoption_desktop.ui.list_keys import EnterActivates, select_row
from adoption_desktop.ui.palette import error_tint
from adoption_desktop.ui.table_model import Column, RowTableModel
from adoption_desktop.ui.table_view import make_table_view
from adoption_desktop.ui.tasks import TaskHandle

COLUMNS: list[Column[AttachmentRow]] = [
    Column("File", lambda a: ("    ↳ " if a.parent_id else "") + a.filename
           + (f"  ⚠ {attachments.part_warning(a)}" if attachments.part_warning(a) else "")),
    Column("Kind", lambda a: a.kind), Column("Size", lambda a: f"{a.size / 1024:.0f} KB"),
    Column("Pages", lambda a: a.pages or ""), Column("Added by", lambda a: a.created_by),
    # this PC's time (an hour ahead of the stored UTC in summer), as the message refusing a file attached
    # again gives it; the column sorts on the stored time
    Column("When", lambda a: f"{local_time(a.created_at):%d/%m/%Y %H:%M}", sort_key=lambda a: a.created_at),
    Column("SHA-256", lambda a: a.sha256[:16]),
]


class AttachmentsPanel(QDialog):
    def __init__(self, ctx: AppContext, item_id: int, *, on_text: Callable[[str], None] | None = None,
                 outcome: str = "", parent: QWidget | None = None) -> None:
        """``outcome``: the item's status when it has an outcome (or was logged in error), "" while it is still
        worked: its documents are then as they were when the outcome was recorded, and *Attach file…* and *Use
        text for screening* are not offered (the service refuses both)."""
        super().__init__(parent)
        self.ctx, self.item_id, self.on_text, self.outcome = ctx, item_id, on_text, outcome
        self.setWindowTitle(f"Paper and e-mail — item {item_id}")
        self.model: RowTableModel[AttachmentRow] = RowTableModel(COLUMNS, parent=self)
        # the files: first in the Tab order, arrows move the selection, Enter (or a double-click) saves a
        # copy of the file to open it, rather than pressing the window's first button (Attach)
        self.table = make_table_view(self.model, "attachments")
        self.table.setAccessibleName("Attached files")
        EnterActivates(self.table)
        self.table.activated.connect(lambda _index: self._save_copy())
        self.attach_button = QPushButton("&Attach file…")
        self.read_button = QPushButton("&Read text")
        self.use_button = QPushButton("&Use text for screening")
        self.redact_button = QPushButton("Re&dact…")
        self.open_button = QPushButton("&Save a copy…")
        self.forward_button = QPushButton("&Forward by e-mail…")
        self.close_button = QPushButton("Close")
        self.attach_button.clicked.connect(self._choose_files)
        self.read_button.clicked.connect(self.read_all)
        self.use_button.clicked.connect(self.use_text)
        self.redact_button.clicked.connect(self.open_redaction)
        self.open_button.clicked.connect(self._save_copy)
        self.forward_button.clicked.connect(self._forward)
        self.close_button.clicked.connect(self.accept)
        self.message = MessageLine()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.attach_button, self.read_button, self.use_button, self.redact_button, self.open_button,
                  self.forward_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        chain = [self.table, self.attach_button, self.read_button, self.use_button, self.redact_button,
                 self.open_button, self.forward_button, self.close_button]
        for before, after in itertools.pairwise(chain):
            self.setTabOrder(before, after)
        self.pages: list[PageText] = []
        self.redaction: RedactionDialog | None = None
        self.task: TaskHandle | None = None
        self.resize(900, 420)
        self.reload()
        if outcome:  # user trial, 8 December 2026: both were offered, and refused saying to use "a new item"
            for b in (self.attach_button, self.use_button):
                b.setEnabled(False)
                b.setToolTip(f"Not for an item with an outcome ({outcome}).")
            self.say(f"This item has an outcome ({outcome}): its documents are as they were when it was recorded, "
                     "so nothing more is attached and its text is not screened again. Its files can still be "
                     "saved, read and redacted.")
        # the window opens on its first file (selected, so Save a copy works at once); with none, on Attach
        (self.table if self.model.rowCount() else
         self.attach_button if self.attach_button.isEnabled() else self.close_button).setFocus()

    def say(self, text: str, *, error: bool = False) -> None:
        error_tint(self.message, error)
        self.message.setText(text)

    def reload(self) -> None:
        """The files as stored now; the file that was selected stays selected, else the first is."""
        chosen = self._selected()
        self.model.set_rows(attachments.list_attachments(self.ctx.db, self.ctx.principal, self.item_id))
        self.table.resizeColumnsToContents()
        ids = [r.id for r in self.model.rows()]
        if ids:
            select_row(self.table, ids.index(chosen.id) if chosen is not None and chosen.id in ids else 0)

    def _selected(self) -> AttachmentRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    # --- attach -----------------------------------------------------------------------------------
    def _choose_files(self) -> None:
        with focus_kept(self):
            names, _filter = QFileDialog.getOpenFileNames(
                self, "Attach scans or e-mails", "", "Letters (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.eml *.msg)")
        self.attach_paths([Path(n) for n in names])

    def attach_paths(self, paths: list[Path]) -> None:
        done: list[str] = []
        flagged: list[str] = []
        skipped: list[str] = []  # attached already (the same file): said, the others still attached
        for path in paths:
            try:
                stored = attachments.attach(self.ctx.db, self.ctx.principal, self.item_id, path.name,
                                            path.read_bytes())
            except attachments.AttachedAlready as exc:
                skipped.append(str(exc))
                continue
            except (AppError, OSError) as exc:
                self.say(f"{path.name}: {exc}", error=True)
                self.reload()
                return
            done += [s.filename for s in stored]
            flagged += [f"{s.filename}: {attachments.part_warning(s)}" for s in stored if attachments.part_warning(s)]
        self.reload()
        said, error = "", bool(skipped)
        if flagged:  # a program, or a part that is not what it claims, inside an e-mail: said, not hidden
            program = any(w.split(": ", 1)[1].startswith(attachments.PROGRAM_NOTE) for w in flagged)
            said, error = (f"Attached: {', '.join(done)}. Not read or opened — " + " ".join(flagged)
                           + (" Do not open it from the e-mail in your mail program either; tell your IT team if "
                              "it was not expected." if program else "")), True
        elif done:
            said = f"Attached: {', '.join(done)}. Now read their text."
        if said or skipped:
            self.say(" ".join([*skipped, said]).strip(), error=error)

    # --- text -------------------------------------------------------------------------------------
    def read_all(self) -> None:
        """OCR every scan (and scanned e-mail attachment) in the background; e-mail bodies are read at once."""
        rows = [r for r in self.model.rows() if r.kind in (attachments.SCAN, attachments.EMAIL,
                                                             attachments.EMAIL_PART)]
        db, who = self.ctx.db, self.ctx.principal
        self.say("Reading the pages… (a few seconds a page)")

        wanted = [r for r in rows if r.kind != attachments.EMAIL_PART
                  or r.media_type.startswith(("image/", "application/pdf"))]

        def work(handle: TaskHandle) -> list[PageText]:
            out: list[PageText] = []
            for r in wanted:
                def step(done: int, total: int, name: str = r.filename) -> bool:
                    handle.progress(done, total, f"Reading {name}: page {done + 1} of {total}…")
                    return not handle.cancelled

                if handle.cancelled:
                    break
                out += attachments.extract_text(db, who, r.id, progress=step)
            return out

        def done(pages: list[PageText]) -> None:
            self.pages = pages
            self.reload()
            low = [p for p in pages if p.low_confidence]
            text = f"{plural(len(pages), 'page')} read."
            if low:
                text += (" Not read reliably (handwriting or a poor scan): "
                         + ", ".join(f"page {p.page_no} of file {p.attachment_id}" for p in low)
                         + ". Type or dictate the text of those pages into the letter text.")
            self.say(text, error=bool(low))

        self.task = self.ctx.tasks.run(work, on_done=done, on_error=lambda exc: self.say(plain_error(exc), error=True),
                                       on_progress=lambda _n, _total, text: self.say(text))

    def reject(self) -> None:
        """Closing the window stops a reading under way after the page being read."""
        if self.task is not None and not self.task.done:
            self.task.cancel()
        super().reject()

    def use_text(self) -> None:
        if not self.pages:
            self.pages = [p for r in self.model.rows()
                          for p in attachments.attachment_pages(self.ctx.db, self.ctx.principal, r.id)]
        text = attachments.documents_text(self.pages)
        if not text:
            self.say("No text has been read yet: press Read text first, or type the letter.", error=True)
            return
        if self.on_text is not None:
            self.on_text(text)
        self.say("The text is in the item's letter text; screen it there.")

    # --- redaction and forwarding ---------------------------------------------------------------------
    def open_redaction(self) -> RedactionDialog:
        self.redaction = RedactionDialog(self.ctx, self.item_id, self)
        self.redaction.finished.connect(lambda _r: self.reload())
        self.redaction.show()
        return self.redaction

    def latest_copy(self) -> AttachmentRow | None:
        copies = [r for r in self.model.rows() if r.kind == attachments.REDACTED]
        return copies[-1] if copies else None

    def _save_copy(self) -> None:
        row = self._selected()
        if row is None:
            self.say("Choose a file in the list first.", error=True)
            return
        # the name as safe_filename makes it now: a file stored before a rule was added (a device name
        # such as "CON.pdf") is offered under a name Windows can save
        name = save_file_name(self, "attachments", "Save a copy", extraction.safe_filename(row.filename))
        if name:
            self.save_copy(row.id, Path(name))

    def save_copy(self, attachment_id: int, target: Path) -> None:
        try:
            row, data = attachments.open_attachment(self.ctx.db, self.ctx.principal, attachment_id)
            with output_file(target) as partial:  # whole or not at all
                partial.write_bytes(data)
        except (AppError, OSError) as exc:
            self.say(str(exc), error=True)
            return
        self.say(f"{row.filename} saved to {target} (the opening is in the audit log).")

    def _forward(self) -> None:
        name = save_file_name(self, "email", "Save the e-mail draft", f"item{self.item_id}.eml",
                              "E-mail draft (*.eml)")
        if name:
            self.forward_by_email(Path(name))

    def forward_by_email(self, target: Path, to: str = "") -> bool:
        copy = self.latest_copy()
        if copy is None:
            self.say("Make the redacted copy first (Redact…).", error=True)
            return False
        try:
            draft = redaction.email_draft(self.ctx.db, self.ctx.principal, self.item_id, copy.id, to=to)
            with output_file(target) as partial:  # whole or not at all
                partial.write_bytes(draft.data)
        except (AppError, OSError) as exc:
            self.say(str(exc), error=True)
            return False
        self.reload()
        self.say(f"E-mail draft saved as {target.name}: open it in your mail client, check it and send it "
                 "from there (the application sends nothing).")
        return True
