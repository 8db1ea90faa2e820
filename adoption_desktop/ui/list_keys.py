"""Keys between a search box and the list it fills, and Enter on a list's row.

Down (or Page Down) in a search box goes to the results, a row selected, rather than five Tabs past the
filters; Enter on a row of a list in a dialog does the row's action rather than pressing the dialog's
default button. The letterbox registers, the counselling caseload's Find, the ADM queue's Find, the audit
log's filter boxes, the guide window and the letterbox attachments window use these;
Search everywhere keeps the keys in its box and moves the selection itself (``ui.search_everywhere``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_TO_LIST = (Qt.Key.Key_Down, Qt.Key.Key_PageDown)


def _plain(event: QKeyEvent) -> bool:
    """No Ctrl, Alt, Shift or Meta held (the keypad's Enter counts as plain)."""
    return not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier


def _make_current(view: QAbstractItemView, index: QModelIndex) -> None:
    view.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    view.scrollTo(index)


def chosen_row(view: QAbstractItemView) -> int | None:
    """The row the person has chosen: the selected one, else the one with the keyboard focus (a row can show
    the focus frame without being selected, e.g. after the list was filled again, and Alt+A then said
    "choose a finding" under a row that looked chosen: letterbox trial). ``None`` when neither."""
    rows = view.selectionModel().selectedRows() if view.selectionModel() is not None else []
    if rows:
        return rows[0].row()
    current = view.currentIndex()
    return current.row() if current.isValid() else None


def select_row(view: QAbstractItemView, row: int = 0) -> bool:
    """Make ``row`` current and selected in ``view`` (scrolled to); False when there is no such row."""
    model = view.model()
    if model is None or not 0 <= row < model.rowCount(view.rootIndex()):
        return False
    _make_current(view, model.index(row, 0, view.rootIndex()))
    return True


def focus_list(view: QAbstractItemView) -> bool:
    """Keyboard focus into ``view`` with a row selected: its current row (in a tree, at any depth), else the
    first. False (the focus left where it was) when the list has no rows."""
    model = view.model()
    if model is None or model.rowCount(view.rootIndex()) == 0:
        return False
    current = view.currentIndex()
    _make_current(view, current if current.isValid() else model.index(0, 0, view.rootIndex()))
    view.setFocus(Qt.FocusReason.OtherFocusReason)
    return True


def _at_once(action: Callable[[], object]) -> None:
    action()


class SearchKeys(QObject):
    """On ``box``: Down and Page Down go to the list (:func:`focus_list`); Enter runs ``on_enter`` when one
    is given (otherwise the box's own ``returnPressed`` does whatever it is connected to).

    ``view`` is the list, or a function giving the list shown now (the guide shows its contents or its
    results). ``ready(action)`` runs ``action`` once the list shows the rows for the text in the box (a
    register searches at once rather than after its typing pause); by default ``action`` runs at once."""

    def __init__(self, box: QLineEdit, view: QAbstractItemView | Callable[[], QAbstractItemView], *,
                 on_enter: Callable[[], object] | None = None,
                 ready: Callable[[Callable[[], object]], None] | None = None) -> None:
        super().__init__(box)
        self.box = box
        self._view: Callable[[], QAbstractItemView] = (lambda: view) if isinstance(view, QAbstractItemView) \
            else view
        self.on_enter = on_enter
        self._ready: Callable[[Callable[[], object]], None] = ready or _at_once
        box.installEventFilter(self)

    def to_list(self) -> bool:
        return focus_list(self._view())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is not self.box or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if not _plain(event):
            return False
        if event.key() in _TO_LIST:
            self._ready(self.to_list)
            return True
        if event.key() in _ENTER and self.on_enter is not None:
            self._ready(self.on_enter)
            return True
        return False


class EnterActivates(QObject):
    """Enter or Return on ``view``'s current row emits ``view.activated`` (what a double-click does) and goes
    no further: in a dialog it would otherwise press the default button too (the first button, often not
    the one meant), and on a Mac Qt does not emit ``activated`` for Enter at all."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is not self.view or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() not in _ENTER or not _plain(event):
            return False
        index = self.view.currentIndex()
        if index.isValid():
            self.view.activated.emit(index)
        return True
