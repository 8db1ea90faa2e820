"""The one way a register or list is shown: a read-only, row-selecting ``QTableView`` over a model."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
)


class CutTextTip(QStyledItemDelegate):
    """Drawn as Qt draws a cell; a cell whose text is cut short ("Harvey Bracke…") shows it whole as its
    tooltip when the model gives none (a tooltip the model gives is shown as before). Only the tooltip is
    Python: painting stays in C++."""

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView, option: QStyleOptionViewItem,  # noqa: N802
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        if event.type() == QEvent.Type.ToolTip and index.isValid() and not index.data(Qt.ItemDataRole.ToolTipRole):
            text = index.data(Qt.ItemDataRole.DisplayRole)
            if text is not None and self.cut_short(view, option, index):
                QToolTip.showText(event.globalPos(), str(text), view)
                return True
        return super().helpEvent(event, view, option, index)

    def cut_short(self, view: QAbstractItemView, option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        """Whether the cell's text is wider than the room the style gives it in the cell."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = view.style()
        room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, view).width()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        return any(opt.fontMetrics.horizontalAdvance(line) > room - 2 * margin for line in opt.text.splitlines())


def show_cut_text(view: QAbstractItemView) -> None:
    """Cells cut short show their whole text on hover (see :class:`CutTextTip`); the cells, titles and scroll
    bars drawn by Qt's own style, with no Python in a repaint (``focus_frame.cells_in_cpp``)."""
    from adoption_desktop.ui.focus_frame import cells_in_cpp

    view.setItemDelegate(CutTextTip(view))
    cells_in_cpp(view)


def make_table_view(model: QAbstractItemModel, name: str = "", *, sortable: bool = False) -> QTableView:
    """Rows selected one at a time, nothing edited in place, Tab leaves the table.

    ``sortable`` turns on header sorting without sorting at once (the sort indicator is cleared first,
    otherwise ``setSortingEnabled`` sorts by column 0 immediately), and sorting from the keyboard (the
    list's Sort by menu: :mod:`adoption_desktop.ui.sort_menu`)."""
    view = QTableView()
    if name:
        view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTabKeyNavigation(False)
    show_cut_text(view)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    if sortable:
        from adoption_desktop.ui.sort_menu import make_sortable

        make_sortable(view)
    from adoption_desktop.ui.fit import keep_titles_whole

    keep_titles_whole(view)  # column titles whole; a narrow window scrolls the table sideways
    return view
