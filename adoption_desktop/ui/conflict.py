"""The one dialog for a save refused because someone else saved first (``StaleRecord``).

It shows the person's version beside the saved one, field by field (differences in bold), says who saved
and when, and offers: **Reload their version** (discard mine), **Re-apply my change** (save mine on top of
theirs, knowingly) or **Keep editing** (nothing happens; my text stays on screen)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Protocol, TypeVar

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, StaleRecord

RELOAD, REAPPLY, CANCEL = "reload", "reapply", "cancel"


class ConflictDialog(QDialog):
    def __init__(self, parent: QWidget | None, err: StaleRecord, mine: dict[str, str]) -> None:
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        self.setWindowTitle("Saved by someone else first")
        self.choice = CANCEL
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        message = QLabel(str(err))
        message.setObjectName("conflict_message")
        message.setWordWrap(True)
        layout.addWidget(message)
        fields = list(dict.fromkeys([*err.saved_values, *mine]))
        self.table = QTableWidget(len(fields), 3, self)
        self.table.setObjectName("conflict_table")
        saved_head = f"Saved version ({err.saved_by})" if err.saved_by else "Saved version"
        self.table.setHorizontalHeaderLabels(["Field", "Your version", saved_head])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        bold = QFont()
        bold.setBold(True)
        for row, name in enumerate(fields):
            values = (name, mine.get(name, ""), err.saved_values.get(name, ""))
            for col, value in enumerate(values):
                cell = QTableWidgetItem(value)
                if values[1] != values[2]:
                    cell.setFont(bold)
                self.table.setItem(row, col, cell)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.reload_button = QPushButton("&Reload their version")
        self.reload_button.setObjectName("conflict_reload")
        self.reload_button.setToolTip("Discard your change and show what is saved now.")
        self.reapply_button = QPushButton("Re-&apply my change")
        self.reapply_button.setObjectName("conflict_reapply")
        self.reapply_button.setToolTip("Save your version on top of theirs (theirs stays in the audit log).")
        self.reapply_button.setEnabled(err.saved_version is not None)
        keep = QPushButton("&Keep editing")
        keep.setObjectName("conflict_keep")
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.reapply_button)
        buttons.addStretch(1)
        buttons.addWidget(keep)
        layout.addLayout(buttons)
        self.reload_button.clicked.connect(lambda: self._choose(RELOAD))
        self.reapply_button.clicked.connect(lambda: self._choose(REAPPLY))
        keep.clicked.connect(self.reject)
        keep.setDefault(True)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


def resolve_conflict(parent: QWidget | None, err: StaleRecord, mine: dict[str, str]) -> str:
    """Ask what to do about a refused save: :data:`RELOAD`, :data:`REAPPLY` or :data:`CANCEL`."""
    dialog = ConflictDialog(parent, err, mine)
    dialog.exec()
    return dialog.choice


class _Versioned(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def row_version(self) -> int: ...


R = TypeVar("R", bound=_Versioned)
T = TypeVar("T")


def save_versioned(dialog: QWidget, record: R | None, *, add: Callable[[], T], update: Callable[[int, int], T],
                   mine: Callable[[], dict[str, str]], message: QLabel, fields: Mapping[str, QWidget],
                   expected_version: int | None = None) -> tuple[T | None, R | None]:
    """An editor's save of a versioned record: ``add()`` a new one, or ``update(id, version)`` the one it
    holds. A stale save shows the conflict dialog (re-applying saves again over the version saved
    meanwhile); any other refusal is written in ``message`` and the cursor goes to the field it names
    (``fields``). Returns the saved record (None when nothing was saved) and the record the editor holds now."""
    while True:
        try:
            if record is None:
                return add(), record
            return update(record.id, record.row_version if expected_version is None else expected_version), record
        except StaleRecord as exc:
            message.setText(str(exc))
            choice = resolve_conflict(dialog, exc, mine())
            if choice != REAPPLY or exc.saved_version is None or record is None:
                return None, record
            record = dataclasses.replace(record, row_version=exc.saved_version)  # type: ignore[type-var]
            expected_version = None
        except AppError as exc:
            message.setText(str(exc))
            widget = fields.get(str(getattr(exc, "field", "")))
            if widget is not None:
                widget.setFocus()
                if hasattr(widget, "selectAll"):
                    widget.selectAll()
            return None, record
