"""Base table models: columns as constants, rows as plain dataclasses (never ORM objects).

* :class:`RowTableModel` holds a list of rows in memory, sorts and filters *inside the model*
  (a ``QSortFilterProxyModel`` over a Python model costs ~5 µs per ``data()`` call: too slow over big
  tables). Use it for anything up to a few thousand rows.
* For 100,000-row registers, subclass :class:`PagedTableModel`, which asks a ``fetch(offset, limit)``
  callable (SQL with LIMIT/OFFSET, or an id list from a full-text index) for pages as the view scrolls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from adoption_desktop.ui.palette import readable

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
_INVALID = QModelIndex()

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole row object
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

#: Semantic tints for light palettes; :func:`~adoption_desktop.ui.palette.readable` drops them where they
#: would not read at 4.5:1 (High Contrast, dark themes) so the palette's text colour is used instead.
OVERDUE_BRUSH = QBrush(QColor("#B00020"))
DUE_TODAY_BRUSH = QBrush(QColor("#8A5100"))


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    value: Callable[[R], Any]
    sort_key: Callable[[R], Any] | None = None
    align_right: bool = False
    foreground: Callable[[R], QBrush | None] | None = None
    tooltip: Callable[[R], str | None] | None = None


def display(value: Any) -> str:
    # Hot path (every visible cell of a register, once per new set of rows): the common types first;
    # "%02d/%02d/%d" is the same text as f"{value:%d/%m/%Y}" in a sixth of the time.
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return value
    if kind is dt.date:
        return "%02d/%02d/%d" % (value.day, value.month, value.year)  # noqa: UP031 - the fastest
    if kind is dt.datetime:
        return "%02d/%02d/%d %02d:%02d" % (value.day, value.month, value.year, value.hour, value.minute)  # noqa: UP031
    if hasattr(value, "strftime"):
        return f"{value:%d/%m/%Y}" if not hasattr(value, "hour") else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


class RowTableModel(QAbstractTableModel, Generic[R]):
    def __init__(self, columns: Sequence[Column[R]], rows: Sequence[R] = (), parent: Any = None, *,
                 given_order: tuple[int, Qt.SortOrder] | None = None) -> None:
        """``given_order``: the column and order the rows are given in, when the caller gives them sorted
        (:meth:`sorted_by` says it until a column is sorted: the keyboard's Sort by menu ticks it)."""
        super().__init__(parent)
        self.columns = list(columns)
        self.given_order = given_order
        self._all: list[R] = list(rows)
        self._rows: list[R] = list(rows)
        self._filter: Callable[[R], bool] | None = None
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # --- data ---------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._apply()
        self.endResetModel()

    def replace_row(self, old: R, new: R) -> None:
        """Put ``new`` (the same record read again) where ``old`` is, redrawing its row; the selection and
        the other rows stay as they are."""
        self._all = [new if r is old else r for r in self._all]
        for i, r in enumerate(self._rows):
            if r is old:
                self._rows[i] = new
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.columns) - 1))

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rows(self) -> list[R]:
        """The rows listed (those the filter lets through), in the order shown."""
        return list(self._rows)

    def all_rows(self) -> list[R]:
        """Every row given, the filter's or not, in the order given."""
        return list(self._all)

    def rowCount(self, parent: Index = _INVALID) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _INVALID) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display(col.value(row))
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and col.foreground:
            # a tint only where it reads at 4.5:1 on this palette (High Contrast: the palette's text)
            return readable(col.foreground(row))
        if role == Qt.ItemDataRole.ToolTipRole and col.tooltip:
            return col.tooltip(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return None

    # --- sort and filter inside the model -----------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._sort_rows()
        self.layoutChanged.emit()

    def sorted_by(self) -> tuple[int, Qt.SortOrder] | None:
        """The column and order sorted by: a column sorted, else the order the rows are given in
        (``given_order``; ``None`` when that order is no column's)."""
        return self._sort if self._sort is not None else self.given_order

    def _sort_rows(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        col = self.columns[column]
        key = col.sort_key or col.value

        def safe(row: R) -> tuple[int, Any]:
            v = key(row)
            return (1, "") if v is None else (0, v)

        self._rows.sort(key=safe, reverse=order == Qt.SortOrder.DescendingOrder)

    def set_filter(self, predicate: Callable[[R], bool] | None) -> None:
        self.beginResetModel()
        self._filter = predicate
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        self._rows = [r for r in self._all if self._filter(r)] if self._filter else list(self._all)
        self._sort_rows()


class PagedTableModel(QAbstractTableModel, Generic[R]):
    """Rows fetched in pages from ``fetch(offset, limit)``; ``count()`` gives the total."""

    PAGE = 200

    def __init__(self, columns: Sequence[Column[R]], fetch: Callable[[int, int], list[R]],
                 count: Callable[[], int], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._fetch, self._count = fetch, count
        self._pages: dict[int, list[R]] = {}
        self._total = count()

    def reload(self, fetch: Callable[[int, int], list[R]] | None = None,
               count: Callable[[], int] | None = None) -> None:
        self.beginResetModel()
        if fetch:
            self._fetch = fetch
        if count:
            self._count = count
        self._pages.clear()
        self._total = self._count()
        self.endResetModel()

    def row_at(self, row: int) -> R:
        page = row // self.PAGE
        if page not in self._pages:
            self._pages[page] = self._fetch(page * self.PAGE, self.PAGE)
        return self._pages[page][row % self.PAGE]

    def rowCount(self, parent: Index = _INVALID) -> int:  # noqa: N802
        return 0 if parent.isValid() else self._total

    def columnCount(self, parent: Index = _INVALID) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display(col.value(self.row_at(index.row())))
        if role == ROW_ROLE:
            return self.row_at(index.row())
        if role == Qt.ItemDataRole.ForegroundRole and col.foreground:
            return readable(col.foreground(self.row_at(index.row())))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].title
        return None
