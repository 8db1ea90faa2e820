"""The one way a register or list is shown: a read-only, row-selecting ``QTableView`` over a model."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView


def make_table_view(model: QAbstractItemModel, name: str = "", *, sortable: bool = False) -> QTableView:
    """Rows selected one at a time, nothing edited in place, Tab leaves the table.

    ``sortable`` turns on header sorting without sorting at once (the sort indicator is cleared first,
    otherwise ``setSortingEnabled`` sorts by column 0 immediately)."""
    view = QTableView()
    if name:
        view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    if sortable:
        view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)
    from adoption_desktop.ui.fit import keep_titles_whole

    keep_titles_whole(view)  # column titles whole; a narrow window scrolls the table sideways
    return view
