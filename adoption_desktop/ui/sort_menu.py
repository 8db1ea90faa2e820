"""Sorting a list from the keyboard.

A list whose column headings sort it (a click on a heading) is sorted from the keyboard too: the Menu key or
Shift+F10 on the list opens its menu, whose **Sort by** submenu lists the columns and the order, as Windows
Explorer's does (the mouse's right-click opens the same menu). The choice sorts the list exactly as a click on
the heading would (``QTableView.sortByColumn``, so the heading's arrow shows it): the model sorts, a register
in SQL (``letterbox.views.registers.SqlPagedModel``), a small list in memory (``ui.table_model.RowTableModel``);
never a proxy over the rows. Keyboard trial: a keyboard user could not choose the order of any list.

A model may say which columns sort (``can_sort(column)``) and how it is sorted now (``sorted_by()``: the column
and order, or ``None``) when its heading shows no arrow (a register's own first order).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeyEvent
from PySide6.QtWidgets import QMenu, QTableView

from adoption_desktop.ui.list_keys import select_row

SORT_BY_TEXT = "&Sort by"
ASCENDING_TEXT = "&Ascending (A to Z, earliest first)"
DESCENDING_TEXT = "&Descending (Z to A, latest first)"
_ORDER_LETTERS = {"a", "d"}


def with_mnemonic(title: str, used: set[str]) -> str:
    """``title`` with an Alt letter no other entry in ``used`` has (added to ``used``): a word's first letter
    if one is free, else any letter; the title as it is when none is left."""
    plain = title.replace("&", "&&")
    starts = [i for i, ch in enumerate(title) if ch.isalnum() and (i == 0 or not title[i - 1].isalnum())]
    for i in [*starts, *range(len(title))]:
        ch = title[i].lower()
        if ch.isalnum() and ch not in used:
            used.add(ch)
            escaped = title[:i].replace("&", "&&")
            return f"{escaped}&{title[i:].replace('&', '&&')}"
    return plain


def _opens_menu(event: QKeyEvent) -> bool:
    """The keys that open a list's menu: the Menu key, or Shift+F10 (Windows' two keys for it)."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return (event.key() == Qt.Key.Key_Menu and mods == Qt.KeyboardModifier.NoModifier) or \
        (event.key() == Qt.Key.Key_F10 and mods == Qt.KeyboardModifier.ShiftModifier)


class SortMenu(QObject):
    """The list's menu (Menu key, Shift+F10, right-click) with its **Sort by** submenu. ``menu`` is the menu
    open now (``None`` when none is)."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self.menu: QMenu | None = None
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        # the mouse, and the keys where the system turns them into a context-menu request (Windows)
        view.customContextMenuRequested.connect(lambda pos: self.open(view.viewport().mapToGlobal(pos)))
        view.installEventFilter(self)  # the keys where it does not (Qt on Linux, tests)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if _opens_menu(event):
                self.open()
                return True
        return False

    # --- what the model says ------------------------------------------------------------------------
    def sortable(self, column: int) -> bool:
        can_sort = getattr(self.view.model(), "can_sort", None)
        return bool(can_sort(column)) if callable(can_sort) else True

    def sorted_by(self) -> tuple[int, Qt.SortOrder] | None:
        """The column and order the list is sorted by now: the heading's arrow, else the model's own order."""
        header = self.view.horizontalHeader()
        if header.isSortIndicatorShown() and 0 <= header.sortIndicatorSection() < header.count():
            return header.sortIndicatorSection(), header.sortIndicatorOrder()
        sorted_by = getattr(self.view.model(), "sorted_by", None)
        found = sorted_by() if callable(sorted_by) else None
        return found if isinstance(found, tuple) else None

    # --- the menu -----------------------------------------------------------------------------------
    def build(self) -> QMenu:
        menu = QMenu(self.view)
        menu.setObjectName("list_menu")
        sort = menu.addMenu(SORT_BY_TEXT)
        sort.setObjectName("sort_by")
        model = self.view.model()
        current = self.sorted_by()
        columns = QActionGroup(sort)
        used = set(_ORDER_LETTERS)
        for column in range(model.columnCount() if model is not None else 0):
            if self.view.isColumnHidden(column) or not self.sortable(column):
                continue
            title = str(model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
            action = QAction(with_mnemonic(title, used), sort)
            action.setCheckable(True)
            action.setChecked(current is not None and current[0] == column)
            action.setData(column)
            action.triggered.connect(lambda _checked=False, c=column: self.sort(c))
            columns.addAction(action)
            sort.addAction(action)
        sort.addSeparator()
        orders = QActionGroup(sort)
        for text, order in ((ASCENDING_TEXT, Qt.SortOrder.AscendingOrder),
                            (DESCENDING_TEXT, Qt.SortOrder.DescendingOrder)):
            action = QAction(text, sort)
            action.setCheckable(True)
            action.setChecked(current is not None and current[1] == order)
            action.setEnabled(current is not None)  # an order of what: a column is chosen first
            action.triggered.connect(lambda _checked=False, o=order: self.sort(None, o))
            orders.addAction(action)
            sort.addAction(action)
        return menu

    def open(self, at: QPoint | None = None) -> QMenu | None:
        """Open the menu at ``at`` (screen position), by default beside the list's current row; once only
        (the system may ask again for the same key)."""
        if self.menu is not None and self.menu.isVisible():
            return None
        if at is None:
            index = self.view.currentIndex()
            rect = self.view.visualRect(index) if index.isValid() else None
            spot = rect.bottomLeft() if rect is not None and self.view.viewport().rect().intersects(rect) \
                else QPoint(0, 0)
            at = self.view.viewport().mapToGlobal(spot)
        self.menu = menu = self.build()

        def closed() -> None:
            if self.menu is menu:
                self.menu = None
            menu.deleteLater()  # after the choice made in it has run

        menu.aboutToHide.connect(closed)
        menu.popup(at)
        return menu

    def sort(self, column: int | None = None, order: Qt.SortOrder | None = None) -> None:
        """Sort by ``column`` (default: the column sorted now) in ``order`` (default: the order now), as a click
        on the heading does; the first row is then chosen, the keyboard still in the list."""
        current = self.sorted_by()
        if column is None:
            if current is None:
                return
            column = current[0]
        if order is None:
            order = current[1] if current is not None else Qt.SortOrder.AscendingOrder
        header = self.view.horizontalHeader()
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (column, order):
            pass  # sorted so already
        elif self.view.isSortingEnabled():
            # the view has the model sort once, as for a click; QTableView.sortByColumn has it sort twice
            # (a register read twice: 0.6 s rather than 0.3 s for the items by writer on the large demo)
            header.setSortIndicator(column, order)
        else:
            self.view.sortByColumn(column, order)
        select_row(self.view, 0)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)


def make_sortable(view: QTableView, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> SortMenu:
    """Heading clicks sort ``view`` without sorting it at once (the arrow is cleared first, otherwise
    ``setSortingEnabled`` sorts by column 0 there and then), and the keyboard sorts it through its menu.
    ``order``: the order a first click on a heading sorts in."""
    view.horizontalHeader().setSortIndicator(-1, order)
    view.setSortingEnabled(True)
    return SortMenu(view)
