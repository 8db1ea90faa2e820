"""Who has seen this record: a window listing every opening and change of the record a case window shows (and
of its parts), from the audit log, for administrators (``audit.view``). Opened from the case window's
"Who has seen this…" button or Ctrl+Shift+H; each look is audited (``core.record_history``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from adoption_desktop.core import record_history
from adoption_desktop.core.concurrency import local_time
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.wording import plural
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.table_model import Column, RowTableModel
from adoption_desktop.ui.table_view import make_table_view

#: the key that opens the window from a case window (no Alt+letter is free in every one of them)
SHORTCUT = "Ctrl+Shift+H"
BUTTON_TEXT = "Who has seen this…"

#: every place with a "Who has seen this…" button and key: the record kind (``history_button``'s ``entity``)
#: → (the heading of that page or window on the guide's *Keyboard shortcuts* page, what the key shows there).
#: The guide lists the key from here (``guide.shortcuts.AREA_KEYS``) and ``history_button`` refuses a kind
#: not named here, so a window given the button cannot be left out of the guide (the letterbox arrangement
#: window once was).
WHERE: dict[str, tuple[str, str]] = {
    "panel_items": ("Panel", "who has seen the selected agenda item"),
    "adm_decisions": ("ADM decisions", "who has seen the decision shown"),
    "letterbox_arrangements": ("Letterbox arrangement window", "who has seen this arrangement"),
    "counselling_cases": ("Counselling case window", "who has seen this case"),
}


def _when(r: record_history.HistoryRow) -> str:
    try:
        return f"{local_time(dt.datetime.fromisoformat(r.at)):%d/%m/%Y %H:%M:%S}"
    except ValueError:
        return r.at[:19]


class RecordHistoryDialog(QDialog):
    COLUMNS: ClassVar[list[Column[record_history.HistoryRow]]] = [
        Column("When", _when, sort_key=lambda r: r.seq,
               tooltip=lambda r: f"{r.at} UTC, audit entry {r.seq}"),
        Column("Who", lambda r: r.actor),
        Column("What", lambda r: r.action),
        Column("Record", lambda r: r.record),
        Column("Detail", lambda r: r.detail, tooltip=lambda r: r.detail or None),
    ]

    def __init__(self, ctx: AppContext, history: record_history.RecordHistory, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("record_history")
        self.setWindowTitle(f"Who has seen {title}")
        self.history = history
        layout = QVBoxLayout(self)
        seen = sum(1 for r in history.rows if r.seen)
        shown = "" if history.total == len(history.rows) else f" (the newest {len(history.rows):,} listed)"
        self.summary = QLabel(
            f"{title}: {plural(history.total, 'audit entry', 'audit entries')}{shown}, "
            f"{plural(seen, 'opening')}, by {plural(len(history.people), 'person', 'people')}"
            f"{': ' + ', '.join(history.people) if history.people else ''}. "
            f"The record and {plural(history.records - 1, 'record')} belonging to it, newest first. "
            "This look is itself recorded in the audit log.")
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model: RowTableModel[record_history.HistoryRow] = RowTableModel(self.COLUMNS, list(history.rows), self)
        self.view = make_table_view(self.model, "history_list", sortable=True)
        self.view.setAccessibleName("Who has seen this record")
        self.view.setAccessibleDescription("Every opening and change of the record, newest first: when, who, "
                                           "what, which record, detail")
        self.view.setWordWrap(False)
        self.view.resizeColumnsToContents()
        self.view.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 520)
        self.view.setFocus()


def open_history(ctx: AppContext, parent: QWidget, entity: str, entity_id: int | None, title: str
                 ) -> RecordHistoryDialog | None:
    """Read the record's history (audited) and show it, not modal; None (nothing shown) without a record, or
    with the refusal or error said."""
    if entity_id is None:
        return None
    try:
        history = record_history.record_history(ctx.db, ctx.principal, entity, entity_id)
    except AppError as exc:
        show_error(parent, "Who has seen this", exc)
        return None
    dialog = RecordHistoryDialog(ctx, history, title, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def history_button(ctx: AppContext, owner: QWidget, entity: str, record: Callable[[], tuple[int | None, str]]
                   ) -> QPushButton:
    """The "Who has seen this…" button of a case window, and its Ctrl+Shift+H within ``owner``; shown to
    administrators only (``audit.view``). ``record()`` gives the record shown now: its id (None: none) and how
    the window's title names it ("arrangement LB-00017"); ``entity`` must be one of :data:`WHERE` (so the guide
    lists the key)."""
    if entity not in WHERE:
        raise KeyError(f"{entity}: add it to record_history.WHERE, so the guide's keyboard page lists {SHORTCUT}")
    button = QPushButton(BUTTON_TEXT)
    button.setObjectName("who_has_seen")
    button.setToolTip(f"{SHORTCUT}: who opened or changed this record, and when (from the audit log; "
                      "administrators only)")
    allowed = ctx.can(Permission.AUDIT_VIEW)
    button.setVisible(allowed)

    def show() -> None:
        ident, title = record()
        owner.history_dialog = open_history(ctx, owner, entity, ident, title)  # type: ignore[attr-defined]

    button.clicked.connect(lambda _checked=False: show())
    if allowed:
        key = QShortcut(QKeySequence(SHORTCUT), owner)
        key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        key.activated.connect(lambda: show() if not button.isHidden() and button.isEnabled() else None)
    return button
