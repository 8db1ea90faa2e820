"""The behaviour shared by a tab that lists versioned records and opens an editor for one (the adopters'
journey, the birth-parent support register): reload keeping the selection, the current row, and opening
the editor for a new record or for the latest version of the chosen one; the list's table
(:meth:`RecordList.make_view`), and the end of the editor's save (:func:`close_if_saved`)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from PySide6.QtWidgets import QAbstractItemView, QDialog, QHeaderView, QLabel, QPushButton, QTableView

from adoption_desktop.core.errors import AppError
from adoption_desktop.ui.sort_menu import SortMenu, make_sortable
from adoption_desktop.ui.table_model import RowTableModel
from adoption_desktop.ui.table_view import show_cut_text

R = TypeVar("R")
E = TypeVar("E", bound=QDialog)
T = TypeVar("T")


def close_if_saved(editor: QDialog, result: T | None) -> T | None:
    """The end of an editor's save: the stored record ``result`` is emitted with the editor's ``saved`` signal
    and the editor closes; None (nothing was saved) leaves it open as it is. Returns ``result``."""
    if result is not None:
        editor.saved.emit(result)  # type: ignore[attr-defined]
        editor.accept()
    return result


class RecordList(Generic[R, E]):
    """Mixed into a QWidget that has ``view``, ``model``, ``status``, ``add_button`` and ``edit_button``;
    it supplies :meth:`load_rows`, :meth:`fetch` (the latest version, audited) and :meth:`make_editor`
    (an editor with a ``saved`` signal carrying the stored record, and perhaps a ``reloaded`` one carrying
    the version a colleague saved, which the editor now shows)."""

    view: QTableView
    model: RowTableModel[Any]
    status: QLabel
    add_button: QPushButton
    edit_button: QPushButton
    editor: E | None = None
    sort_menu: SortMenu

    def make_view(self, name: str) -> QTableView:
        """The list's table (``view``, named ``name``) over ``model``: a row at a time, nothing edited in place,
        columns as wide as their contents, a cell cut short read whole on hover, sorted by heading clicks and
        from the keyboard (``sort_menu``: Menu key → Sort by); Enter or a double click edits the row."""
        self.view = view = QTableView()
        show_cut_text(view)
        view.setObjectName(name)
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().hide()
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.sort_menu = make_sortable(view)
        view.activated.connect(lambda _i: self.edit())
        return view

    def load_rows(self) -> list[R]:
        raise NotImplementedError

    def fetch(self, record: R) -> R:
        raise NotImplementedError

    def make_editor(self, record: R | None) -> E:
        raise NotImplementedError

    def reload(self, select: int | None = None) -> None:
        try:
            rows = self.load_rows()
        except AppError as exc:
            self.status.setText(str(exc))
            return
        self.model.set_rows(rows)
        ids = [r.id for r in self.model.rows()]
        if ids:
            self.view.selectRow(ids.index(select) if select in ids else 0)
        self.edit_button.setEnabled(bool(ids))

    def current(self) -> R | None:
        idx = self.view.currentIndex()
        row: R | None = self.model.row_at(idx.row()) if idx.isValid() else None
        return row

    def _open(self, record: R | None) -> E:
        self.editor = editor = self.make_editor(record)
        editor.setModal(True)
        editor.saved.connect(lambda r: self.reload(r.id))  # type: ignore[attr-defined]
        reloaded = getattr(editor, "reloaded", None)  # the editor showed the version saved meanwhile: so does the list
        if reloaded is not None:
            reloaded.connect(lambda r: self.reload(r.id))
        editor.show()
        return editor

    def add(self) -> E | None:
        return self._open(None) if self.add_button.isEnabled() else None

    def edit(self) -> E | None:
        record = self.current()
        if record is None:
            return None
        try:
            record = self.fetch(record)
        except AppError as exc:
            self.status.setText(str(exc))
            return None
        return self._open(record)
