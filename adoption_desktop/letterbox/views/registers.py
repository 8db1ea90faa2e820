"""Register widgets over SQL paging: search-as-you-type (debounced) through the full-text index, filter
combos, sorting by header click or from the keyboard (the list's Sort by menu; in SQL), and export of the
current view to .xlsx."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.interrupt import Interrupt, Interrupted
from adoption_desktop.core.wording import plural
from adoption_desktop.ui.accessibility import view_description
from adoption_desktop.ui.files import save_file_name
from adoption_desktop.ui.list_keys import SearchKeys, focus_list, select_row
from adoption_desktop.ui.palette import readable
from adoption_desktop.ui.sort_menu import make_sortable
from adoption_desktop.ui.table_model import ROW_ROLE, Column, Index, PagedTableModel, display
from adoption_desktop.ui.table_view import show_cut_text
from adoption_desktop.ui.tasks import TaskRunner, run_with_progress
from adoption_desktop.ui.wrap_row import WrapRow

R = TypeVar("R")
DEBOUNCE_MS = 180
INLINE_MS = 50.0  # see Register.inline_ms
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ROW = int(ROW_ROLE)


class SqlPagedModel(PagedTableModel[R], Generic[R]):
    """Paged rows whose sort is done by the database: ``sort_keys[column]`` names the SQL sort key."""

    #: rows read (and made into row objects) at a time: a screenful or two, not more, per keystroke
    PAGE = 100

    def __init__(self, columns: Sequence[Column[R]], sort_keys: Sequence[str | None],
                 fetch: Callable[[int, int, str, bool], list[R]], count: Callable[[], int],
                 parent: Any = None, first: Callable[[str, bool], tuple[int, list[R]]] | None = None) -> None:
        self._fetch_sorted = fetch
        self._first = first
        self._cells: dict[int, tuple[str, ...]] = {}
        self._tinted = any(c.foreground for c in columns)
        self.sort_keys = list(sort_keys)
        self.sort_key: str = next((k for k in sort_keys if k), "")
        self.descending = False
        super().__init__(columns, lambda o, n: self._fetch_sorted(o, n, self.sort_key, self.descending), count,
                         parent)

    def can_sort(self, column: int) -> bool:
        """Whether the database sorts by ``column`` (``ui.sort_menu`` offers only those)."""
        return 0 <= column < len(self.sort_keys) and bool(self.sort_keys[column])

    def sorted_by(self) -> tuple[int, Qt.SortOrder] | None:
        """The column and order the rows are read in now (``ui.sort_menu``: the heading shows no arrow for the
        register's own first order)."""
        if self.sort_key not in self.sort_keys:
            return None
        return self.sort_keys.index(self.sort_key), \
            Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not self.can_sort(column):
            return
        self.sort_key = self.sort_keys[column] or self.sort_key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    def reload(self, fetch: Callable[[int, int], list[R]] | None = None,
               count: Callable[[], int] | None = None) -> None:
        """With ``first``: the count and the first page come from one query round (one transaction)."""
        if self._first is None or fetch or count:
            super().reload(fetch, count)
            return
        self.set_first(*self._first(self.sort_key, self.descending))

    def set_first(self, total: int, rows: list[R]) -> None:
        """Show ``total`` rows of which ``rows`` are the first (read elsewhere, e.g. on a worker thread)."""
        self.beginResetModel()
        self._pages.clear()
        self._total = total
        self._pages[0] = rows[:self.PAGE]
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Hot path (called for every visible cell and role on each repaint): ints, a per-row cache of
        # display strings, and an early None for the roles we do not serve.
        if role == _DISPLAY:  # Qt passes an int; an enum compares equal
            row = index.row()
            cells = self._cells.get(row)
            if cells is None:
                item = self.row_at(row)
                cells = self._cells[row] = tuple([display(c.value(item)) for c in self.columns])
            return cells[index.column()]
        if role == _FOREGROUND:
            if not self._tinted:
                return None
            col = self.columns[index.column()]
            return readable(col.foreground(self.row_at(index.row()))) if col.foreground else None
        if role == _ROW:
            return self.row_at(index.row())
        return None

    def beginResetModel(self) -> None:  # noqa: N802
        self._cells.clear()
        super().beginResetModel()

    # no flags() override: Qt's own (enabled, selectable) without a Python call for every painted cell


#: ``first(query, sort_key, descending)`` → a job ``job(stop)`` returning ``(total, first rows)``. It is made on
#: the UI thread (it may read filter widgets) and may run on a worker thread; ``stop`` (or ``None``) lets a
#: newer search interrupt it.
FirstJob = Callable[[str, str, bool], Callable[[Interrupt | None], tuple[int, list[R]]]]


class CountLine(QWidget):
    """The register's count line ("312 items matching “haz”"). A new text repaints the line and nothing
    else: a ``QLabel`` asks its layout again for every new text, and the relayout repainted the whole
    register (search bar, filters, tab bar) on every keystroke. One line high, as wide as the layout gives
    it; a text too long for it ends in "…" with the whole text as its tooltip. Screen readers read the
    text (its accessible name)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._shown: tuple[str, int, str] = ("", -1, "")  # (text, width, the text as drawn at that width)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() + 4)
        self.setAutoFillBackground(True)  # opaque: the widgets behind it need not be repainted with it

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - QLabel's name, so callers need not care
        if text != self._text:
            self._text = text
            self.setAccessibleName(text)
            self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance(self._text[:40]), self.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, self.height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        text, width, shown = self._shown
        if text != self._text or width != self.width():  # elided (and the tooltip set) once per text and width
            shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, self.width())
            tip = self._text if shown != self._text else ""
            if tip != self.toolTip():
                self.setToolTip(tip)
            self._shown = (self._text, self.width(), shown)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.drawText(self.rect(), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)


class Register(QWidget, Generic[R]):
    """Search box + filter widgets + table + count + export button.

    Typing searches after a pause (:data:`DEBOUNCE_MS`). With ``first`` and a background task runner a
    search slower than :attr:`inline_ms` runs on a worker thread: when the next key arrives the query still
    running for the old text is interrupted and its result discarded, so the rows shown always match the
    text in the box.
    ``capped(total)`` says whether a total means "more than ``count_cap``" (only the newest
    ``count_cap`` listed) rather than an exact count."""

    activated = Signal(object)  # the row object
    searched = Signal(str)  # the text whose rows are now shown (after a typed search)

    def __init__(self, title: str, columns: Sequence[Column[R]], sort_keys: Sequence[str | None],
                 fetch: Callable[[str, int, int, str, bool], list[R]], count: Callable[[str], int],
                 tasks: TaskRunner, *, exporter: Callable[[], tuple[Database, Principal]], filters: Sequence[QWidget] = (), default_sort: tuple[str, bool] | None = None,
                 first: FirstJob[R] | None = None, capped: Callable[[int], bool] | None = None,
                 widths: Sequence[int] = (), count_cap: int | None = None, holds: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title, self.tasks = title, tasks
        self.count_cap = count_cap  # counts above this are "more than count_cap" (see service.COUNT_CAP)
        self._capped = capped or (lambda n: count_cap is not None and n > count_cap)
        #: who exports the view (the export is audited under them), asked at each export: the signed-in
        #: principal changes when they change their own password
        self.exporter = exporter
        self._fetch, self._count = fetch, count
        self._first_job = first
        self.query = ""
        self.matches = 0  # the total behind the rows shown (may be count_cap + 1: "more than")
        # typed searches: one worker thread, so a stale query and its successor never run side by side
        self._search_tasks = None if tasks.synchronous or first is None else TaskRunner(max_threads=1)
        self._generation = 0
        self._running: Interrupt | None = None
        #: a typed search runs on the UI thread while the last one took less than this (ms): a bounded
        #: search (a few ms at 1,000,000 exchanges) ends long before the next key, and handing it to a
        #: thread and back costs more than it does; a slower one (filters over every match, a busy
        #: server) runs on the worker, where the next key interrupts it
        self.inline_ms = INLINE_MS
        self._last_ms = 0.0
        layout = QVBoxLayout(self)
        bar = WrapRow()  # the filters wrap onto a second line on a narrow (scaled) screen
        label = QLabel("&Search:")
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("names, references, notes — type to filter")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleDescription("Type to filter the list. Down moves into the list; Enter opens the "
                                             "only match, or moves to the first of several.")
        label.setBuddy(self.search)
        bar.addWidget(label)
        bar.addWidget(self.search, 2)
        for w in filters:
            bar.addWidget(w)
        self.export_button = QPushButton("E&xport view…")
        self.export_button.setObjectName("export")
        self.export_button.clicked.connect(self._export_clicked)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self.model: SqlPagedModel[R] = SqlPagedModel(
            columns, sort_keys, lambda o, n, k, d: self._fetch(self.query, o, n, k, d), lambda: self._count(self.query),
            self, first=(lambda k, d: self._shown(*first(self.query, k, d)(None))) if first else None)
        if default_sort:
            self.model.sort_key, self.model.descending = default_sort
        self.view = QTableView()
        show_cut_text(self.view)  # a cell cut short reads whole on hover
        self.view.setObjectName("register")
        self.view.setModel(self.model)
        # its own name and what it holds: both registers (and any other) were read as "Register"
        self.view.setAccessibleName(f"{title} register")
        self.view.setAccessibleDescription(" ".join(p for p in (holds, view_description(self.view)) if p))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        for n, width in enumerate(widths):  # fixed widths: measuring 100,000 rows' contents is not an option
            self.view.setColumnWidth(n, width)
        # heading clicks and the list's menu (Menu key, Shift+F10: Sort by) sort in SQL
        self.sort_menu = make_sortable(self.view)
        # "activated": a double-click, and Enter on the selected row (the keyboard opens it too)
        self.view.activated.connect(lambda idx: self.activated.emit(self.model.row_at(idx.row())))
        layout.addWidget(self.view, 1)
        self.count_label = CountLine()
        self.count_label.setObjectName("count")
        layout.addWidget(self.count_label)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self._typed)
        self.search.textChanged.connect(self._text_changed)
        #: what Enter or Down in the search box does once the rows for its text are shown
        self._then: Callable[[], object] | None = None
        # Down and Page Down go to the rows found; Enter opens the only one (neither waits for the pause)
        self.search_keys = SearchKeys(self.search, self.view, on_enter=self.open_found, ready=self._when_searched)
        self._update_count()

    def apply_search(self, text: str) -> None:
        """Run the search now, on this thread (Search everywhere and tests call this)."""
        self._cancel_running()
        self.query = text.strip()
        self.model.reload()
        self._update_count()

    def refresh(self) -> None:
        self._cancel_running()
        self.model.reload()
        self._update_count()

    def refresh_in_place(self) -> None:
        """Refresh after an action (a save, a window closed, an undo), keeping the place: the same record
        selected and current if it is still listed near where it was, otherwise the row now in its place
        (the next one), or the last. Keyboard trial: every action put the list back at its top."""
        current = self.view.currentIndex()
        at, column = (current.row(), current.column()) if current.isValid() else (-1, 0)
        key = getattr(self.model.row_at(at), "id", None) if 0 <= at < self.model.rowCount() else None
        self.refresh()
        count = self.model.rowCount()
        if at < 0 or count == 0:
            return
        near = range(max(0, at - 50), min(count, at + 51))
        found = next((i for i in near if getattr(self.model.row_at(i), "id", None) == key), None) \
            if key is not None else None
        row = found if found is not None else min(at, count - 1)
        self.view.setCurrentIndex(self.model.index(row, column))
        self.view.selectRow(row)

    # --- typed searches ----------------------------------------------------------------------------
    def _text_changed(self, _text: str) -> None:
        self._cancel_running()  # a key arrived: the query for the previous text is stale
        self._then = None  # and so is an Enter or Down pressed for it
        self.timer.start()

    def _cancel_running(self) -> None:
        self._generation += 1  # whatever is still on its way back is for an older text: discarded
        if self._running is not None:
            self._running.set()
            self._running = None

    def search_now(self) -> None:
        """End the typing pause now: search for the text in the box (what the pause timer does)."""
        if self.timer.isActive():
            self.timer.stop()
            self._typed()

    def _when_searched(self, action: Callable[[], object]) -> None:
        """Run ``action`` on the rows for the text in the box: at once, after searching now if the typing
        pause is still running, or when a search under way on the worker thread is back."""
        self.search_now()
        if self._running is None:
            action()
        else:
            self._then = action

    def open_found(self) -> None:
        """Enter in the search box: the only row found opens (as Enter on it in the list would); of
        several, the first is selected in the list, where Enter opens it. Nothing found: the box keeps
        the focus."""
        if self.model.rowCount() == 1:
            select_row(self.view, 0)
            self.activated.emit(self.model.row_at(0))
        else:
            focus_list(self.view)

    def _typed(self) -> None:
        text = self.search.text().strip()
        if self._search_tasks is None or self._first_job is None or self._last_ms < self.inline_ms:
            t0 = time.perf_counter()
            self.apply_search(text)
            self._last_ms = (time.perf_counter() - t0) * 1000
            self.searched.emit(text)
            return
        self._cancel_running()
        generation, stop = self._generation, Interrupt()
        self._running = stop
        job = self._first_job(text, self.model.sort_key, self.model.descending)  # filters read here

        def timed(_task: object) -> tuple[float, tuple[int, list[R]]]:
            t0 = time.perf_counter()
            result = job(stop)
            return (time.perf_counter() - t0) * 1000, result

        self._search_tasks.run(timed, on_done=lambda done: self._found(generation, text, *done),
                               on_error=lambda exc: self._failed(generation, exc))

    def _found(self, generation: int, text: str, ms: float, result: tuple[int, list[R]]) -> None:
        if generation != self._generation:
            return  # stale: a newer text was typed (or the register was refreshed) meanwhile
        self._running = None
        self._last_ms = ms
        self.query = text
        self.model.set_first(*self._shown(*result))
        self._update_count()
        self.searched.emit(text)
        then, self._then = self._then, None
        if then is not None:
            then()

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation or isinstance(exc, Interrupted):
            return
        self._running = None
        self._then = None
        self.count_label.setText(f"The search could not be run: {exc}")

    def _shown(self, total: int, rows: list[R]) -> tuple[int, list[R]]:
        """``(rows to show, rows)``: a capped total lists ``count_cap`` rows."""
        self.matches = total
        return (min(total, self.count_cap) if self.count_cap is not None and self._capped(total) else total), rows

    def _update_count(self) -> None:
        n = self.model.rowCount()
        if self._first_job is None:
            self.matches = n
        matching = f" matching “{self.query}”" if self.query else ""
        if self.count_cap is not None and self.matches > n:
            # which ones: the most recently entered on the embedded store, the first in the order shown in
            # team mode (docs/letterbox.md, "Search that stays flat")
            self.count_label.setText(f"More than {self.count_cap:,} {self.title.lower()}{matching}: "
                                     f"{n:,} of them are listed; type more to narrow the search.")
        else:
            self.count_label.setText(f"{plural(n, self.title.lower().removesuffix('s'), self.title.lower())}{matching}")

    def selected(self) -> R | None:
        """The selected row, else the focused one (``ui.list_keys.chosen_row``)."""
        from adoption_desktop.ui.list_keys import chosen_row

        row = chosen_row(self.view)
        return self.model.row_at(row) if row is not None and row < self.model.rowCount() else None

    def current_rows(self, offset: int, limit: int) -> list[list[object]]:
        rows = self._fetch(self.query, offset, limit, self.model.sort_key, self.model.descending)
        return [[c.value(r) for c in self.model.columns] for r in rows]

    def export_to(self, path: Path, on_done: Callable[[int], None] | None = None) -> None:
        from adoption_desktop.letterbox.documents import export_xlsx
        from adoption_desktop.ui.dialogs import show_error

        headers = [c.title for c in self.model.columns]
        total = self.model.rowCount()
        exporter = self.exporter()

        def work(task: Any) -> int:
            return export_xlsx(*exporter, self.title.lower(), path, headers, self.current_rows, total,
                               progress=lambda d, t: task.progress(d, t, f"{d:,} of {t:,} rows"),
                               cancelled=lambda: task.cancelled)

        run_with_progress(self, self.tasks, f"Exporting {self.title.lower()}", work,
                          on_done=lambda n: on_done(n) if on_done else None,
                          on_error=lambda exc: show_error(self, "Export", exc))

    def _export_clicked(self) -> None:
        path = save_file_name(self, "exports", f"Export {self.title.lower()}", f"{self.title.lower()}.xlsx",
                              "Excel workbook (*.xlsx)")
        if path:
            self.export_to(Path(path))
