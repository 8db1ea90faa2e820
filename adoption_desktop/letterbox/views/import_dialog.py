"""Import preview: column mapping (editable), the first rows, and the validation report before writing.

Checking and importing run off the UI thread (``ctx.tasks``, the one task runner) behind a progress dialog
with a working Cancel: a 50,000-row register is checked and written while the window keeps painting, and a
cancel rolls the whole import back. The report lists refusals (nothing is written while there is one) and
warnings (imported as they are: formula-like text, invisible characters removed), each with its row and the
spreadsheet column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox.importing import (
    FIELDS,
    ImportReport,
    Problem,
    Table,
    import_table,
    read_table,
)
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.table_model import Column, RowTableModel
from adoption_desktop.ui.table_view import show_cut_text
from adoption_desktop.ui.tasks import TaskHandle, run_with_progress

MAPPING_CHARS = 20  # a mapping box shows this many characters of a heading

PROBLEM_COLUMNS: list[Column[Problem]] = [
    Column("Row", lambda p: p.row, align_right=True), Column("Column", lambda p: p.column),
    Column("Kind", lambda p: "Warning" if p.level == "warning" else "Problem"),
    Column("Problem", lambda p: p.problem, tooltip=lambda p: p.problem)]


class ImportDialog(QDialog):
    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None, *,
                 table: Table | None = None) -> None:
        super().__init__(parent)
        from adoption_desktop.letterbox.importing import guess_mapping

        self.ctx, self.path = ctx, path
        self.table = table if table is not None else read_table(path)
        self.last_report: ImportReport | None = None
        self.setWindowTitle(f"Import letterbox register — {path.name}")
        self.resize(1000, 640)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{plural(len(self.table.rows), 'row')}. Check which column holds each field, then "
                                "<b>Check</b>. Nothing is written until every row is valid."))
        body = QHBoxLayout()
        scroll = QScrollArea()
        holder = QWidget()
        form = QFormLayout(holder)
        guessed = guess_mapping(self.table.headers)
        self.combos: dict[str, QComboBox] = {}
        for spec in FIELDS:
            box = QComboBox()
            box.setObjectName(f"map_{spec.key}")
            # a long spreadsheet heading must not widen the form without bound (the list shows it in full)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(MAPPING_CHARS)
            box.addItem("(not imported)", -1)
            for i, h in enumerate(self.table.headers):
                box.addItem(h or f"column {i + 1}", i)
            box.setCurrentIndex(box.findData(guessed.get(spec.key, -1)))
            label = QLabel(("&" if spec.required else "") + spec.label + (" *" if spec.required else ""))
            label.setBuddy(box)
            form.addRow(label, box)
            self.combos[spec.key] = box
        scroll.setObjectName("mapping")
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        # not a Tab stop of its own: the window opened with the keyboard on it, not on the first column's box
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # wide enough for every label and box: no sideways scrolling, only up and down
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(holder.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
                               + 2 * scroll.frameWidth())
        body.addWidget(scroll)
        right = QVBoxLayout()
        preview_rows = self.table.rows[:20]
        self.preview: RowTableModel[list[str]] = RowTableModel(
            [Column(h or f"column {i + 1}", lambda r, i=i: r[i] if i < len(r) else "")  # type: ignore[misc]
             for i, h in enumerate(self.table.headers)], preview_rows, self)
        preview = QTableView()
        show_cut_text(preview)  # a cell cut short reads whole on hover
        preview.setObjectName("preview")
        preview.setModel(self.preview)
        right.addWidget(QLabel("Preview (first 20 rows)"))
        right.addWidget(preview, 2)
        self.problems: RowTableModel[Problem] = RowTableModel(PROBLEM_COLUMNS, parent=self)
        problems = QTableView()
        show_cut_text(problems)  # a cell cut short reads whole on hover
        problems.setObjectName("problems")
        problems.setModel(self.problems)
        problems.horizontalHeader().setStretchLastSection(True)
        # a problem is a sentence: wrapped in its row, never cut at the dialog's edge
        problems.setWordWrap(True)
        problems.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.problems.modelReset.connect(problems.resizeRowsToContents)
        problems.horizontalHeader().sectionResized.connect(lambda *_: problems.resizeRowsToContents())
        self.summary = QLabel()
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        right.addWidget(self.summary)
        right.addWidget(problems, 1)
        body.addLayout(right, 1)
        layout.addLayout(body, 1)
        buttons = QDialogButtonBox()
        buttons.setObjectName("buttons")
        self.check_button = QPushButton("&Check")
        self.check_button.setObjectName("check")
        self.import_button = QPushButton("&Import")
        self.import_button.setObjectName("import")
        self.import_button.setEnabled(False)
        # Check comes first in the work and is what Enter does; Import writes, so it takes a deliberate click
        # (or Alt+I) and never Enter. The same role for both keeps them in this order on every platform.
        self.check_button.setDefault(True)
        self.import_button.setAutoDefault(False)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.do_import)
        for box in self.combos.values():
            box.currentIndexChanged.connect(lambda _i: self.import_button.setEnabled(False))
        layout.addWidget(buttons)

    def mapping(self) -> dict[str, int]:
        return {k: int(b.currentData()) for k, b in self.combos.items() if int(b.currentData()) >= 0}

    def _run(self, title: str, dry_run: bool, on_done: Any) -> None:
        db, principal, table, mapping = self.ctx.db, self.ctx.principal, self.table, self.mapping()
        source = self.path.name

        def work(task: TaskHandle) -> ImportReport:
            return import_table(db, principal, table, mapping, dry_run=dry_run, source=source,
                                progress=task.progress, cancelled=lambda: task.cancelled)

        run_with_progress(self, self.ctx.tasks, title, work, on_done=on_done, on_error=self._failed,
                          on_cancelled=lambda: self.summary.setText("Cancelled. Nothing has been written."))

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, AppError):
            self.summary.setText(str(exc))
        else:
            show_error(self, "Import", exc)

    def _show(self, report: ImportReport) -> None:
        self.last_report = report
        self.problems.set_rows([*report.problems, *report.warnings])
        warned = f" {plural(len(report.warnings), 'warning')} to look at (imported as they are)." if report.warnings else ""
        if report.problems:
            self.summary.setText(f"{plural(len(report.problems), 'problem')} to fix in the spreadsheet (or the mapping). "
                                 f"Nothing has been written.{warned}")
        else:
            kept = f" {report.kept_text}" if report.kept else ""
            self.summary.setText(f"Ready: {report.creates} new, {report.updates} to update, {report.unchanged} "
                                 f"unchanged arrangement(s).{kept}{warned}")
        self.import_button.setEnabled(not report.problems)

    def check(self) -> bool:
        """Check every row in the background; True when the check has finished (at once with a synchronous
        runner) and found no problem. The report fills the table when it arrives."""
        self.last_report = None
        self.import_button.setEnabled(False)
        self._run("Checking the register", True, self._show)
        return self.last_report is not None and not self.last_report.problems

    def do_import(self) -> None:
        """Check and write in one background task, in one transaction: all rows, or nothing."""
        self.import_button.setEnabled(False)

        def done(report: ImportReport) -> None:
            if report.problems or not report.written:
                self._show(report)
                if report.problems:
                    self.summary.setText(f"The import failed; nothing was written. {self.summary.text()}")
                return
            self.last_report = report
            self.accept()

        self._run("Importing the register", False, done)
