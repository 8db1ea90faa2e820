"""The list behind a figure, opened from the Reports page (Enter or a double-click on a figure): the
children or cases it counts, one row each, in a table (model/view)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.wording import plural
from adoption_desktop.reports.behind import Behind
from adoption_desktop.ui.sort_menu import make_sortable
from adoption_desktop.ui.table_model import Column, RowTableModel
from adoption_desktop.ui.table_view import show_cut_text


def _column(i: int, title: str) -> Column[tuple[str, ...]]:
    return Column(title, lambda r: r[i] if i < len(r) else "")


class BehindDialog(QDialog):
    def __init__(self, behind: Behind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(behind.title)
        self.model: RowTableModel[tuple[str, ...]] = RowTableModel(
            [_column(i, t) for i, t in enumerate(behind.columns)], behind.rows, self)
        self.view = QTableView()
        show_cut_text(self.view)  # a cell cut short reads whole on hover
        self.view.setObjectName("behind_view")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.sort_menu = make_sortable(self.view, self.view.horizontalHeader().sortIndicatorOrder())
        label = QLabel(f"{behind.title}: {plural(len(behind.rows), behind.noun)}." if behind.rows
                       else f"{behind.title}: none.")
        label.setWordWrap(True)
        label.setBuddy(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(860, 420)
