"""Search everywhere (Ctrl+K): a popup with one search box over every area the user may see.

Keyboard only: Ctrl+K opens it from anywhere in the application (also with the focus in a text field,
where Qt would otherwise take Ctrl+K as "delete to the end of the line"); typing lists the results
grouped by area; Up/Down (and Page Up/Down, Ctrl+Home/End) move through them; Enter opens the record in
its area's page (or, on "More in <area>…", the area's register filtered by the same words); Esc closes.

The search itself is :func:`adoption_desktop.reports.search_everywhere.search_everywhere` (read-only,
no audit entry); only opening a record writes the ``view`` entry, through the area's own page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError
from adoption_desktop.reports.search_everywhere import (
    AREAS,
    ARRANGEMENTS,
    COUNSELLING_CASES,
    DECISIONS,
    LETTERBOX_ITEMS,
    PANEL_ITEMS,
    Area,
    Hit,
    SearchResults,
    areas_for,
    search_everywhere,
)
from adoption_desktop.ui.accessibility import MessageLine, announce

if TYPE_CHECKING:
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow

SHORTCUT = "Ctrl+K"
#: how long after the last key the number found is said to a screen reader (not at every keystroke)
SAY_AFTER_MS = 600
HEADER, HIT, MORE = "header", "hit", "more"
HINT = "Type a reference, initials, a name or a date. ↑↓ move, Enter opens, Esc closes."
_AREA_BY_KEY = {a.key: a for a in AREAS}
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class ResultRow:
    kind: str  # HEADER, HIT or MORE
    area: Area
    hit: Hit | None = None

    @property
    def text(self) -> str:
        if self.kind == HEADER:
            return self.area.label
        if self.kind == MORE:
            return f"    More in {self.area.label.lower()}…"
        assert self.hit is not None
        return f"    {self.hit.title}  —  {self.hit.detail}" if self.hit.detail else f"    {self.hit.title}"


def result_rows(results: SearchResults) -> list[ResultRow]:
    """The list as shown: a heading per area, its records, then "More in <area>…" if there are more."""
    rows: list[ResultRow] = []
    for group in results.areas:
        rows.append(ResultRow(HEADER, group.area))
        rows.extend(ResultRow(HIT, group.area, h) for h in group.hits)
        if group.more:
            rows.append(ResultRow(MORE, group.area))
    return rows


class ResultsModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ResultRow] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: list[ResultRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[ResultRow]:
        return list(self._rows)

    def row_at(self, row: int) -> ResultRow:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return r.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (f"{r.area.label}: {r.hit.title}, {r.hit.detail}" if r.hit else r.text.strip())
        if role == Qt.ItemDataRole.FontRole and r.kind == HEADER:
            return self._bold
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._rows[index.row()].kind == HEADER:
            return Qt.ItemFlag.ItemIsEnabled  # a heading: shown, never selected (the arrows skip it)
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class SearchEverywhereDialog(QDialog):
    """The popup. ``chosen`` is emitted with the :class:`ResultRow` the user opened."""

    chosen = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("search_everywhere")
        self.setWindowTitle("Search everywhere")
        self.resize(720, 460)
        self.results_data: SearchResults | None = None
        layout = QVBoxLayout(self)
        areas = areas_for(ctx.principal)
        where = ", ".join(a.label.lower() for a in areas) or "nothing (your roles include no case records)"
        label = QLabel(f"Search &everywhere ({SHORTCUT}) — {where}:")
        label.setWordWrap(True)
        self.box = QLineEdit()
        self.box.setObjectName("search_everywhere_box")
        self.box.setPlaceholderText("reference, initials, name or date (e.g. 04/03/2026)")
        self.box.setClearButtonEnabled(True)
        self.box.setAccessibleName("Search everywhere")
        label.setBuddy(self.box)
        self.model = ResultsModel(self)
        self.view = QListView()
        self.view.setObjectName("search_everywhere_results")
        self.view.setAccessibleName("Results, grouped by area")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay in the box; arrows move here
        # shown at once, said only once the typing pauses (a screen reader said a number per keystroke)
        self.status = MessageLine(HINT, says_changes=False)
        self.status.setObjectName("search_everywhere_status")
        self.status.setWordWrap(True)
        layout.addWidget(label)
        layout.addWidget(self.box)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self._timer = QTimer(self)  # keystrokes typed faster than a search coalesce into one search
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(lambda: self.run_search(self.box.text()))
        self.box.textChanged.connect(lambda _t: self._timer.start())
        #: the count is said :data:`SAY_AFTER_MS` after the last key, and only when it is not what was said last
        self._say_timer = QTimer(self)
        self._say_timer.setSingleShot(True)
        self._say_timer.setInterval(SAY_AFTER_MS)
        self._say_timer.timeout.connect(self._say_status)
        self._said: object = HINT  # the hint is said as the popup opens (MessageLine)
        self._to_say: object = HINT
        self.box.installEventFilter(self)
        self.view.activated.connect(lambda idx: self.open_row(idx.row()))  # double-click (or the platform's)

    # --- searching ------------------------------------------------------------------------------
    def run_search(self, text: str) -> SearchResults | None:
        """Search now and show the results (the first record selected). What each keystroke costs."""
        self._timer.stop()
        try:
            results = search_everywhere(self.ctx.db, self.ctx.principal, text)
        except AppError as exc:
            self.model.set_rows([])
            self._show_status(str(exc), str(exc))
            return None
        self.results_data = results
        self.model.set_rows(result_rows(results))
        self._move_to(0, +1)
        n = len(results.hits)
        if results.date is None and not any(c.isalnum() for c in results.query):
            self._show_status(HINT, HINT)
        elif n == 0:
            self._show_status(f"Nothing found for “{results.query}” in the areas you can see.", 0)
        else:
            on = f" on {results.date:%d/%m/%Y}" if results.date else ""
            self._show_status(f"{n} shown{on} in {len(results.areas)} area{'s' if len(results.areas) > 1 else ''}"
                              " — ↑↓ move, Enter opens, Esc closes.", n)
        return results

    def _show_status(self, text: str, count: object) -> None:
        """Show ``text`` now; say it once the typing has paused, unless ``count`` (the number of records
        found, or the hint or refusal itself) is what was said last."""
        self.status.setText(text)
        self._to_say = count
        self._say_timer.start()

    def _say_status(self) -> None:
        if self._to_say != self._said and self.isVisible():
            self._said = self._to_say
            announce(self.status, self.status.text())

    # --- keyboard -------------------------------------------------------------------------------
    def current_row(self) -> int:
        idx = self.view.currentIndex()
        return idx.row() if idx.isValid() else -1

    def _move_to(self, start: int, step: int) -> None:
        """Make the first selectable row from ``start`` (in the direction ``step``) current."""
        n = self.model.rowCount()
        row = start
        while 0 <= row < n and self.model.row_at(row).kind == HEADER:
            row += step
        if 0 <= row < n:
            index = self.model.index(row, 0)
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)
        elif n == 0:
            self.view.setCurrentIndex(QModelIndex())

    def step(self, step: int) -> None:
        n = self.model.rowCount()
        if not n:
            return
        current = self.current_row()
        target = max(0, min(n - 1, current + step)) if current >= 0 else 0
        self._move_to(target, 1 if step > 0 else -1)
        if self.current_row() < 0 or self.model.row_at(self.current_row()).kind == HEADER:
            self._move_to(current, 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key, ctrl = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            page = max(1, self.view.viewport().height() // max(1, self.view.sizeHintForRow(0)) - 1)
            if key == Qt.Key.Key_Down:
                self.step(1)
            elif key == Qt.Key.Key_Up:
                self.step(-1)
            elif key == Qt.Key.Key_PageDown:
                self.step(page)
            elif key == Qt.Key.Key_PageUp:
                self.step(-page)
            elif ctrl and key == Qt.Key.Key_Home:
                self._move_to(0, 1)
            elif ctrl and key == Qt.Key.Key_End:
                self._move_to(self.model.rowCount() - 1, -1)
            elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self._timer.isActive():  # Enter typed before the last keystroke was searched
                    self.run_search(self.box.text())
                self.open_row(self.current_row())
            else:
                return False
            return True
        return super().eventFilter(watched, event)

    def open_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            return
        chosen = self.model.row_at(row)
        if chosen.kind == HEADER:
            return
        self.accept()
        self.chosen.emit(chosen)

    def focus_box(self) -> None:
        self.box.setFocus()
        self.box.selectAll()


# --- opening what was chosen in its area -------------------------------------------------------------
def open_result(window: MainWindow, row: ResultRow, query: str = "") -> QWidget | None:
    """Show ``row`` in its area's page: the record (its opening audited by that page, as a double-click
    there would be), or for "More in <area>…" the area's register filtered by ``query``."""
    page: Any = window.open_target(row.area.page)
    if page is None:
        return None
    try:
        if row.kind == MORE:
            _open_more(page, row.area, query)
        elif row.hit is not None:
            return _open_hit(page, row.hit)
    except AppError as exc:
        from adoption_desktop.ui.dialogs import show_error

        show_error(window, "Search everywhere", exc)
    return None


def _open_hit(page: Any, hit: Hit) -> QWidget | None:
    area = _AREA_BY_KEY[hit.area]
    if area is LETTERBOX_ITEMS:
        page.show_items()
        dialog: QWidget = page.open_existing_item(hit.record_id)
        return dialog
    if area is ARRANGEMENTS:
        page.show_arrangements()
        result: QWidget = page.open_arrangement_dialog(hit.record_id, modal=False)
        return result
    if area is COUNSELLING_CASES:
        case: QWidget | None = page.open_case(hit.record_id)
        return case
    if area is DECISIONS:
        if not page.select_decision(hit.record_id):  # hidden by the queue's filter (or not loaded yet)
            page._select_after_load = hit.record_id  # reloaded: the queue widens its filter to show it
            page.reload()
        page.view.setFocus()
        return None
    if area is PANEL_ITEMS:
        page.tabs.setCurrentIndex(0)
        page.reload(select_sitting=hit.parent_id)
        ids = [r.id for r in page.agenda_model.rows()]
        if hit.record_id in ids:
            page.agenda_view.selectRow(ids.index(hit.record_id))
        page.agenda_view.setFocus()
    return None


def _open_more(page: Any, area: Area, query: str) -> None:
    if area is LETTERBOX_ITEMS or area is ARRANGEMENTS:
        if area is LETTERBOX_ITEMS:
            page.show_items()
            register = page.items_register
        else:
            page.show_arrangements()
            register = page.arrangements_register
        register.search.setText(query)
        register.apply_search(query)
        register.view.setFocus()
    elif area is COUNSELLING_CASES:
        page.show_combo.setCurrentIndex(max(page.show_combo.findData("all"), 0))
        page.search.setText(query)
        page.apply_filter()
        page.table.setFocus()
    elif area is DECISIONS:
        page.state_combo.setCurrentIndex(max(page.state_combo.findData("all"), 0))
        page.type_combo.setCurrentIndex(0)
        page.search.setText(query)
        page.apply_filter()
        page.view.setFocus()
    # the panel has no register to filter: its page (sittings, newest first) is shown


# --- the shortcut ------------------------------------------------------------------------------------
class _CtrlKFirst(QObject):
    """Qt's text fields claim Ctrl+K ("delete to the end of the line" on Linux and macOS) before any
    shortcut sees it; this takes the claim back, so Ctrl+K opens the search wherever the focus is."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_K and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
                event.ignore()  # not claimed by the text field: the application's shortcut runs
                return True
        return False


_ctrl_k_first: _CtrlKFirst | None = None


def _install_ctrl_k_first() -> None:
    """Once per application (the filter lives as long as the application)."""
    global _ctrl_k_first
    app = QApplication.instance()
    if app is None or (_ctrl_k_first is not None and _ctrl_k_first.parent() is app):
        return
    _ctrl_k_first = _CtrlKFirst(app)
    app.installEventFilter(_ctrl_k_first)


class SearchEverywhere(QObject):
    """Owns the Ctrl+K action of a main window and its popup."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: SearchEverywhereDialog | None = None
        self.action = QAction("&Search everywhere…", window)  # Alt+S in the Go menu
        self.action.setObjectName("search_everywhere_action")
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.action.triggered.connect(lambda _=False: self.open())
        window.addAction(self.action)
        _install_ctrl_k_first()

    def open(self) -> SearchEverywhereDialog | None:
        """Show the popup (or bring it back, its words selected); nothing while the window is locked."""
        if self.window.locked:
            return None
        if self.dialog is None:
            self.dialog = SearchEverywhereDialog(self.window.ctx, self.window)
            self.dialog.chosen.connect(self._chosen)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        self.dialog.focus_box()
        return self.dialog

    def _chosen(self, row: ResultRow) -> None:
        query = self.dialog.results_data.query if self.dialog and self.dialog.results_data else ""
        open_result(self.window, row, query)


def install_search_everywhere(window: MainWindow, menu: QMenu) -> SearchEverywhere:
    """Add *Search everywhere… (Ctrl+K)* to ``menu`` and to the whole application."""
    search = SearchEverywhere(window)
    menu.addSeparator()
    menu.addAction(search.action)
    return search
