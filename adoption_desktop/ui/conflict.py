"""The one dialog for a save refused because someone else saved first (``StaleRecord``).

It says who saved and when, names the fields where the person's version and the saved one differ, and
shows those fields first, side by side (wrapped, scrolled by the pixel, so a long Discussion is readable;
the fields that are the same are hidden behind *Show all fields*). It offers: **Reload their version**
(discard mine), **Re-apply my change** (save mine over theirs, knowingly: the dialog says which of the
fields they saved it replaces; theirs stays in the audit log) or **Keep editing** (nothing happens; my text
stays on screen).

Given the version the form was opened with (``base``), "mine" is only what the person changed since then:
the window lists those fields (and says which ones the colleague changed), and *Re-apply my change* saves
only them over the colleague's version (:class:`OwnEdit`), keeping the colleague's values for the rest. A
form's untouched fields still hold the version it opened with: re-applying the whole form put those stale
values back over a colleague's edits (user trial, 6 December: PQE years typed, the colleague's new name and
DBS date undone). Without ``base`` (a window that only ever saves its own fields) every field is compared."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Generic, Protocol, TypeVar

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
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
from adoption_desktop.ui.field_message import ClearWhenChanged
from adoption_desktop.ui.modal import run_modal

RELOAD, REAPPLY, CANCEL = "reload", "reapply", "cancel"


def differing_fields(mine: Mapping[str, str], saved: Mapping[str, str]) -> list[str]:
    """The fields whose text differs between the person's version and the saved one, in display order
    (only fields the person's version has: with no version of theirs, e.g. an undo, nothing is compared)."""
    return [name for name in dict.fromkeys([*saved, *mine])
            if mine and name in mine and (mine.get(name) or "").strip() != (saved.get(name) or "").strip()]


def _norm(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def own_fields(mine: Mapping[str, str], base: Mapping[str, str]) -> list[str]:
    """The fields the person changed: where their version differs from the one the form was opened with."""
    return [name for name in mine if _norm(mine.get(name) or "") != _norm(base.get(name) or "")]


def their_fields(saved: Mapping[str, str], base: Mapping[str, str]) -> list[str]:
    """The fields the colleague changed: where the saved version differs from the one the form was opened
    with (only fields the form shows)."""
    return [name for name in saved if name in base and _norm(saved.get(name) or "") != _norm(base.get(name) or "")]


D = TypeVar("D")


@dataclasses.dataclass(frozen=True)
class OwnEdit(Generic[D]):
    """What a person changed in a form: the values it was opened with (``opened``) and as typed (``typed``),
    as the form's input dataclass; ``labels`` turns one into the conflict window's field → text."""

    opened: D
    typed: D
    labels: Callable[[D], dict[str, str]]

    def changed(self) -> list[str]:
        """The input's fields the person changed (a text compared without its surrounding spaces)."""
        return [f.name for f in dataclasses.fields(self.opened)  # type: ignore[arg-type]
                if _norm(getattr(self.opened, f.name)) != _norm(getattr(self.typed, f.name))]

    def onto(self, saved: D) -> D:
        """``saved`` (the version a colleague saved) with the person's own changes on top: what *Re-apply
        my change* saves."""
        return dataclasses.replace(saved, **{name: getattr(self.typed, name)  # type: ignore[type-var]
                                             for name in self.changed()})

    def mine(self) -> dict[str, str]:
        return self.labels(self.typed)

    def base(self) -> dict[str, str]:
        return self.labels(self.opened)


def replaces_text(saved_by: str, fields: list[str]) -> str:
    """What *Re-apply my change* does to the other person's work, plainly."""
    who = saved_by or "the other person"
    if not fields:
        return f"Re-apply my change: your version and {who}'s are the same in every field shown."
    return f"Re-apply my change replaces what {who} saved in: {', '.join(fields)}. Their version stays in the audit log."


def _signed_in_name(parent: QWidget | None) -> str:
    """The full name of whoever is signed in to ``parent``'s window ("" when it has no context)."""
    ctx = getattr(parent.window(), "ctx", None) if parent is not None else None
    principal = getattr(ctx, "principal", None)
    return str(getattr(principal, "full_name", "") or "")


def own_other_window_text(err: StaleRecord) -> str:
    """The refusal said to the person who saved first themselves, in another window (or on another PC):
    "Ada Ashdown saved … after you opened it" read as someone else's save (ADM trial, 5 December)."""
    from adoption_desktop.core.concurrency import when_text

    what = err.what or "this record"
    at = when_text(err.saved_at) if isinstance(err.saved_at, dt.datetime) else "a moment ago"
    return (f"You saved {what} in another window (or on another computer) at {at}, after this window opened "
            "it; the change in this window was not saved. Reload to see what you saved there, or re-apply "
            "this window's change to save it over that one.")


def replaces_own_text(fields: list[str]) -> str:
    """:func:`replaces_text` when the version saved first is the person's own, from another window."""
    if not fields:
        return ("Re-apply my change: this window's version and the one you saved in the other window are the "
                "same in every field shown.")
    return (f"Re-apply my change replaces what you saved in the other window in: {', '.join(fields)}. That "
            "version stays in the audit log.")


def own_change_text(saved_by: str, own: list[str], theirs: list[str], replaced: list[str]) -> str:
    """What *Re-apply my change* does when only the person's own changes are re-applied, plainly."""
    who = saved_by or "the other person"
    if not own:
        return f"Re-apply my change: you changed no field, so there is nothing of yours to save over {who}'s version."
    said = f"Re-apply my change saves your change to {', '.join(own)} on top of {who}'s version"
    kept = [name for name in theirs if name not in own]
    said += f"; what {who} saved in {', '.join(kept)} is kept." if kept else "."
    if replaced:
        said += f" It replaces what {who} saved in: {', '.join(replaced)}. Their version stays in the audit log."
    return said


def reload_text(saved_by: str, own: bool, fields: list[str]) -> str:
    """What *Reload their version* does to what the person typed, plainly: the form then shows the saved
    version and their change is gone (it is in this window: the last chance to copy it)."""
    if own:
        said = "Reload the saved version: the form then shows what you saved in the other window"
    else:
        said = f"Reload their version: the form then shows what {saved_by or 'the other person'} saved"
    if not fields:
        return said + "."
    return (f"{said}, and your change to {', '.join(fields)} is not kept. It is shown above: copy anything you "
            "still need before you reload.")


def reloaded_text(err: StaleRecord) -> str:
    """Said in the form once *Reload their version* has put the saved version in it."""
    from adoption_desktop.core.concurrency import when_text

    at = err.saved_at if isinstance(err.saved_at, dt.datetime) else None
    return (f"Showing the version {err.saved_by or 'someone else'} saved at {when_text(at)}; your change was not "
            "saved. Make it again if it is still needed.")


NOT_CHANGED = "(not changed by you)"


class ConflictDialog(QDialog):
    def __init__(self, parent: QWidget | None, err: StaleRecord, mine: dict[str, str],
                 base: Mapping[str, str] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflict_dialog")
        me = _signed_in_name(parent)
        self.own = bool(me) and err.saved_by == me  # the person's own save, in another window
        self.setWindowTitle("Saved first in another window of yours" if self.own else "Saved by someone else first")
        self.choice = CANCEL
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        message = QLabel(own_other_window_text(err) if self.own else str(err))
        message.setObjectName("conflict_message")
        message.setWordWrap(True)
        layout.addWidget(message)
        saved_by = err.saved_by or "the other person"
        if base is not None:  # only what the person changed is theirs; the rest stays as the colleague saved it
            self.differing = own_fields(mine, base)
            theirs = their_fields(err.saved_values, base)
            self.replaced = [name for name in self.differing if name in theirs
                             and _norm(err.saved_values.get(name) or "") != _norm(mine.get(name) or "")]
            kept = [name for name in theirs if name not in self.differing]
            summary = (f"Your change: <b>{', '.join(self.differing)}</b> (shown first)." if self.differing
                       else "You changed no field.")
            if kept:
                summary += (f" Changed in your other window: {', '.join(kept)}." if self.own
                            else f" Changed by {saved_by} since you opened it: {', '.join(kept)}.")
        else:
            self.differing = differing_fields(mine, err.saved_values)
            self.replaced = self.differing
            summary = (f"Different in your version: <b>{', '.join(self.differing)}</b> (shown first)."
                       if self.differing else "No field of yours differs from the saved version.")
        everything = list(dict.fromkeys([*err.saved_values, *mine]))
        same = [name for name in everything if name not in self.differing]
        fields = [*self.differing, *same]  # what differs first
        self.summary = QLabel(summary if mine else "")
        self.summary.setObjectName("conflict_summary")
        self.summary.setWordWrap(True)
        self.summary.setVisible(bool(mine))
        layout.addWidget(self.summary)
        self.table = QTableWidget(len(fields), 3, self)
        self.table.setObjectName("conflict_table")
        self.table.setAccessibleName("Your version beside the saved version")
        saved_head = f"Saved version ({err.saved_by})" if err.saved_by else "Saved version"
        self.table.setHorizontalHeaderLabels(["Field", "This window's version", "Saved in your other window"]
                                             if self.own else ["Field", "Your version", saved_head])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        # a long text is one tall row: scroll by the pixel so all of it can be read
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        bold = QFont()
        bold.setBold(True)
        for row, name in enumerate(fields):
            yours = mine.get(name, "") if base is None or name in self.differing else NOT_CHANGED
            values = (name, yours, err.saved_values.get(name, ""))
            for col, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value if col else "")
                if name in self.differing:
                    cell.setFont(bold)
                self.table.setItem(row, col, cell)
        # rows are measured again whenever the columns change width (measured once, early, a row was cut)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        layout.addWidget(self.table, 1)
        self.show_all = QCheckBox(f"&Show all fields ({len(same)} the same)")
        self.show_all.setObjectName("conflict_show_all")
        self.show_all.toggled.connect(self._show_rows)
        self.show_all.setVisible(bool(self.differing) and bool(same))
        layout.addWidget(self.show_all)
        self._show_rows(False)
        if base is not None:
            self.replaces = QLabel(own_change_text("your other window" if self.own else err.saved_by,
                                                   self.differing, theirs, self.replaced))
        else:
            self.replaces = QLabel(replaces_own_text(self.differing) if self.own
                                   else replaces_text(err.saved_by, self.differing))
        self.replaces.setObjectName("conflict_replaces")
        self.replaces.setWordWrap(True)
        layout.addWidget(self.replaces)
        # what reloading costs, said where it can be read (only a tooltip said it): the typed change goes
        self.reload_note = QLabel(reload_text(err.saved_by, self.own, self.differing))
        self.reload_note.setObjectName("conflict_reload_note")
        self.reload_note.setWordWrap(True)
        self.reload_note.setVisible(bool(mine))  # nothing typed (an undo): nothing to lose
        layout.addWidget(self.reload_note)
        buttons = QHBoxLayout()
        self.reload_button = QPushButton("&Reload the saved version" if self.own else "&Reload their version")
        self.reload_button.setObjectName("conflict_reload")
        self.reload_button.setToolTip("Discard your change and show what is saved now.")
        self.reapply_button = QPushButton("Re-&apply my change")
        self.reapply_button.setObjectName("conflict_reapply")
        self.reapply_button.setToolTip(self.replaces.text())
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
        self._fit()

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    def _show_rows(self, show_all: bool) -> None:
        """Only the fields that differ, unless the person asks for all (or nothing differs)."""
        hide_same = bool(self.differing) and not show_all
        for row in range(self.table.rowCount()):  # the differing fields are the first rows
            self.table.setRowHidden(row, hide_same and row >= len(self.differing))
        self.table.resizeRowsToContents()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt override
        """When the dialog's (hidden) reapply button is hidden, its wording goes too (an undo)."""
        super().setVisible(visible)
        if visible:
            self.replaces.setVisible(not self.reapply_button.isHidden())
            self.table.resizeRowsToContents()

    def _fit(self) -> None:
        """Wide and tall enough to read a long text beside another, within the screen (1366×768 at 150 %
        leaves 911×512): most of the available height, never more."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        self.resize(min(max(self.minimumWidth(), 960), area.width() - 40),
                    min(max(self.sizeHint().height(), 560), area.height() - 80))


def resolve_conflict(parent: QWidget | None, err: StaleRecord, mine: dict[str, str],
                     base: Mapping[str, str] | None = None) -> str:
    """Ask what to do about a refused save: :data:`RELOAD`, :data:`REAPPLY` or :data:`CANCEL`. ``base``: the
    fields as the form was opened (see the module's notes); a re-apply then saves only the person's own
    changes (:meth:`OwnEdit.onto`)."""
    dialog = ConflictDialog(parent, err, mine, base)
    # Reload and Re-apply accept it; Keep editing, a Cancel, or its user signed out meanwhile: nothing more
    return dialog.choice if run_modal(dialog) else CANCEL


class _Versioned(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def row_version(self) -> int: ...


R = TypeVar("R", bound=_Versioned)
T = TypeVar("T")


def as_opened(record: object | None, value: Callable[[], T]) -> T | None:
    """An editor's form as it opened on ``record``, as the editor reads it (``value``): what the person's own
    changes are measured from when a colleague saved first (:class:`OwnEdit`). ``None`` for a new record, or a
    stored value the form cannot read back: a conflict then compares every field."""
    if record is None:
        return None
    try:
        return value()
    except AppError:
        return None


def save_versioned(dialog: QWidget, record: R | None, *, add: Callable[[], T],
                   update: Callable[[int, int], T] | None = None, mine: Callable[[], dict[str, str]],
                   message: QLabel, fields: Mapping[str, QWidget], expected_version: int | None = None,
                   edit: Callable[[], OwnEdit[D]] | None = None, current: Callable[[], D | None] | None = None,
                   put: Callable[[int, int, D], T] | None = None,
                   reload: Callable[[], R | None] | None = None,
                   clears: ClearWhenChanged | None = None) -> tuple[T | None, R | None]:
    """An editor's save of a versioned record: ``add()`` a new one, or ``update(id, version)`` the one it
    holds. A stale save shows the conflict dialog (re-applying saves again over the version saved
    meanwhile); any other refusal is written in ``message`` and the cursor goes to the field it names
    (``fields``). Returns the saved record (None when nothing was saved) and the record the editor holds now.

    A whole form's edit gives ``edit`` (the form as opened and as typed, :class:`OwnEdit`), ``current`` (the
    record as stored now, as the form's input) and ``put(id, version, data)`` instead of ``update``, as
    :meth:`StaleGuard.save_edit <adoption_desktop.panel.views.dialogs.StaleGuard.save_edit>` does: the
    conflict window then lists only the fields the person changed, and *Re-apply my change* saves those on
    top of the version saved meanwhile, keeping the colleague's values in every other field (re-applying the
    whole form put its stale values back over the colleague's edits). If that save is refused for another
    reason nothing is saved and the editor keeps the version it opened, so the next Save asks again rather
    than putting the form's stale values over the colleague's.

    ``reload()``: *Reload their version* — put the record as stored now in the editor and return it (the
    editor then holds that version; the message says the change was not saved). Without it the editor kept
    showing the old values, so the next Save was refused again."""
    held = record  # the version the form shows: kept when a re-applied change is refused
    own: OwnEdit[D] | None = None
    data: D | None = None  # what a re-apply saves: the person's own changes on top of the stored version
    saved_by = ""
    while True:
        try:
            if record is None:
                return add(), record
            version = record.row_version if expected_version is None else expected_version
            if edit is not None and put is not None:
                own = own or edit()
                return put(record.id, version, own.typed if data is None else data), record
            assert update is not None, "save_versioned: give update, or edit and put"
            return update(record.id, version), record
        except StaleRecord as exc:
            message.setText(str(exc))
            choice = resolve_conflict(dialog, exc, own.mine() if own is not None else mine(),
                                      own.base() if own is not None else None)
            if choice == RELOAD and reload is not None and record is not None:
                try:
                    reloaded = reload()
                except AppError as gone:  # removed meanwhile: said, and the editor keeps what it shows
                    message.setText(str(gone))
                    return None, record if own is None else held
                if reloaded is not None:
                    message.setText(reloaded_text(exc))
                    return None, reloaded
            if choice != REAPPLY or exc.saved_version is None or record is None:
                return None, record if own is None else held
            if own is not None and current is not None:
                now = current()  # newer than the version shown: the save below is refused and asks again
                data = own.onto(now) if now is not None else data
                saved_by = exc.saved_by or "the other person"
            record = dataclasses.replace(record, row_version=exc.saved_version)  # type: ignore[type-var]
            expected_version = None
        except AppError as exc:
            said = str(exc)
            if own is not None and data is not None:
                said = (f"Your change could not be saved on top of {saved_by}'s version, so nothing was saved: "
                        f"{said} Correct it and save again; you will be asked again about their version.")
                record = held
            message.setText(said)
            widget = fields.get(str(getattr(exc, "field", "")))
            if widget is not None:
                if clears is not None:  # the refusal goes once its field is changed
                    clears.watch(widget, said)
                widget.setFocus()
                if hasattr(widget, "selectAll"):
                    widget.selectAll()
            return None, record
