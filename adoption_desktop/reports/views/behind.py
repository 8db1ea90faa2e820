"""The list behind a figure of the Reports page: Enter or a double click on a figure whose section opens
(``reports.drilldown``) lists the members or cases it counts, counted afresh for the dates shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from adoption_desktop.reports.measures import ChildRow
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.table_model import Column, RowTableModel
from adoption_desktop.ui.table_view import make_table_view
from adoption_desktop.ui.tasks import TaskHandle, run_with_progress

COLUMNS: list[Column[ChildRow]] = [
    Column("Reference or name", lambda r: r.reference),
    Column("Initials", lambda r: r.initials),
    Column("From", lambda r: r.start),
    Column("To", lambda r: r.end),
    Column("Days", lambda r: r.days, align_right=True),
    Column("Detail", lambda r: r.detail, tooltip=lambda r: r.detail or None),
]


class FigureRowsDialog(QDialog):
    """The members or cases behind one figure (read only)."""

    def __init__(self, parent: QWidget | None, title: str, period: tuple[dt.date, dt.date],
                 rows: Sequence[ChildRow], value: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        summary = QLabel(summary_text(title, period, rows, value))
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.model: RowTableModel[ChildRow] = RowTableModel(COLUMNS, rows)
        self.table = make_table_view(self.model, "figure_rows", sortable=True)
        self.table.setAccessibleName(title)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 420)


def summary_text(title: str, period: tuple[dt.date, dt.date], rows: Sequence[ChildRow], value: str = "") -> str:
    """What the list is: the rows the figure counts, or (for a total or a share such as "Attendances
    (present)" = 127 over 15 members) the rows it is counted over, so the two numbers do not seem to
    disagree."""
    start, end = period
    dates = f"{start:%d/%m/%Y} to {end:%d/%m/%Y}"
    if not rows:
        return f"Nothing is behind this figure for {dates}."
    if not value or value == str(len(rows)):
        return f"{len(rows)} behind this figure, {dates}."
    shown = f"{value}%" if title.endswith("(%)") and not value.endswith("%") else value
    return (f"The figure, {shown}, is counted over the {len(rows)} listed below, {dates}: each row gives its "
            "own part in the Detail column.")


def open_behind(parent: QWidget, ctx: AppContext, section: str, label: str, period: tuple[dt.date, dt.date],
                keep: Callable[[FigureRowsDialog], None] = lambda _d: None, value: str = "") -> bool:
    """List what is behind ``section: label`` for ``period`` in the background, then show it (``keep``
    holds the dialog while it is open). False, and nothing done, when that figure does not open."""
    from adoption_desktop.reports import drilldown

    if drilldown.owner(section) is None:
        return False

    def work(_task: TaskHandle) -> list[ChildRow]:
        return drilldown.behind(ctx.db, ctx.principal, section, label, *period)

    def done(rows: list[ChildRow]) -> None:
        dialog = FigureRowsDialog(parent, f"{section}: {label}", period, rows, value)
        keep(dialog)
        dialog.open()

    run_with_progress(parent, ctx.tasks, "Listing…", work, done, lambda exc: show_error(parent, "Reports", exc))
    return True
