"""Undo and redo of reversible actions, one stack per signed-in session (no Qt here).

An action that can be taken back (removing or reordering agenda items, a declaration of interest, an
attendance mark, a screening finding's decision, an arrangement edit, a setting, a closure day) returns an
:class:`UndoEntry`: a label a person understands ("Removed agenda item PA-2026-014 from the sitting of
3 March") and a callable that reverses it **through the services** — a new, audited change made with the
same permission checks, never a rollback of the database. The callable returns the entry that reverses
*it* (the redo), so undo and redo are the same operation run in opposite directions.

Row versions keep undo honest: the reversing use case is given the version (or the whole state) the
action left behind, and when someone else has changed the record since it raises
:class:`~adoption_desktop.core.errors.StaleRecord` (shown like any refused save) instead of overwriting their
change. An entry that was refused is dropped: it can never apply again.

Final acts — signing an ADM decision, approving minutes, recording a letterbox item's outcome (forward,
return, withhold) — never enter the stack: the screens ask before doing them.

The stack belongs to one user (``owner``); :meth:`UndoStack.clear` is called when the user signs out or
the window switches user, and :meth:`UndoStack.push` refuses an entry made by anyone else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from adoption_desktop.core.errors import AppError, StaleRecord
from adoption_desktop.core.wording import date_in_words


@dataclass(frozen=True)
class UndoEntry:
    """One reversible action that has been done.

    ``label`` says what was done ("Removed agenda item …"); ``reverse`` takes it back through the services
    and returns the entry that does it again (redo), or ``None`` when it cannot be redone. ``user_id`` is the
    user who did it; ``area`` the navigation key of the page that shows the record (to refresh it)."""

    label: str
    reverse: Callable[[], UndoEntry | None]
    user_id: int | None = None
    area: str = ""
    #: what the record is, for the status line after an undo ("agenda item PA-2026-014")
    record: str = field(default="", compare=False)


#: the last sentence of :func:`changed_since`'s refusal; a window that shows the record again at once says so instead
RELOAD_ADVICE = "Reload to see it as it is now."


class NothingToUndo(AppError):
    """Undo (or redo) with an empty stack."""


class UndoStack:
    """Done and undone entries of one signed-in user; the newest last. Bounded (``limit``)."""

    def __init__(self, owner: int | None = None, *, limit: int = 100) -> None:
        self.owner = owner
        self.limit = limit
        self._done: list[UndoEntry] = []
        self._undone: list[UndoEntry] = []
        self._listeners: list[Callable[[], None]] = []

    # --- state ----------------------------------------------------------------------------------------
    def can_undo(self) -> bool:
        return bool(self._done)

    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo_label(self) -> str:
        return self._done[-1].label if self._done else ""

    def redo_label(self) -> str:
        return self._undone[-1].label if self._undone else ""

    def next_undo(self) -> UndoEntry | None:
        """The entry Undo would take back now (None: nothing to undo)."""
        return self._done[-1] if self._done else None

    def next_redo(self) -> UndoEntry | None:
        """The entry Redo would do again now (None: nothing to redo)."""
        return self._undone[-1] if self._undone else None

    def __len__(self) -> int:
        return len(self._done)

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()

    # --- changes --------------------------------------------------------------------------------------
    def set_owner(self, owner: int | None) -> None:
        """A new user signed in: nothing of the previous user's can be undone any more."""
        if owner != self.owner:
            self.owner = owner
            self.clear()

    def push(self, entry: UndoEntry | None) -> None:
        """Record a reversible action just done (``None``: nothing to record). A new action ends redo."""
        if entry is None:
            return
        if entry.user_id is not None and self.owner is not None and entry.user_id != self.owner:
            raise ValueError("An undo entry belongs to the user who did the action.")
        self._done.append(entry)
        del self._done[:-self.limit]
        self._undone.clear()
        self._changed()

    def clear(self) -> None:
        had = bool(self._done or self._undone)
        self._done.clear()
        self._undone.clear()
        if had:
            self._changed()

    def drop(self, matches: Callable[[UndoEntry], bool]) -> int:
        """Forget the entries, done and undone, that ``matches`` picks out: the record they change has become
        final (a signed ADM decision) and they can never apply again. Returns how many were dropped."""
        before = len(self._done) + len(self._undone)
        self._done[:] = [e for e in self._done if not matches(e)]
        self._undone[:] = [e for e in self._undone if not matches(e)]
        dropped = before - len(self._done) - len(self._undone)
        if dropped:
            self._changed()
        return dropped

    def _step(self, source: list[UndoEntry], target: list[UndoEntry], what: str) -> UndoEntry:
        if not source:
            raise NothingToUndo(f"There is nothing to {what}.")
        entry = source.pop()
        try:
            inverse = entry.reverse()
        except AppError:
            # refused (someone else changed the record since, or it is gone): it can never apply now
            self._changed()
            raise
        except BaseException:
            source.append(entry)  # an unexpected failure: the transaction was rolled back; keep it
            raise
        if inverse is not None:
            target.append(inverse)
            del target[:-self.limit]
        self._changed()
        return entry

    def undo(self) -> UndoEntry:
        """Take back the newest action (a new audited change). Returns the entry undone; raises the
        service's error (``StaleRecord`` when the record changed since) and drops the entry then."""
        return self._step(self._done, self._undone, "undo")

    def redo(self) -> UndoEntry:
        """Do again what the last undo took back."""
        return self._step(self._undone, self._done, "redo")


# --- helpers for the reversing use cases (in the caller's transaction) ---------------------------------
def changed_since(session: object, entity: str, ids: Iterable[object], what: str,
                  saved_values: dict[str, str] | None = None) -> StaleRecord:
    """The refusal of an undo because ``what`` changed since the action: who changed it last and when
    (the newest audit entry of ``entity`` rows ``ids``), in the words of every refused save."""
    from sqlalchemy import bindparam, text
    from sqlalchemy.orm import Session

    from adoption_desktop.core.concurrency import when_text

    assert isinstance(session, Session)
    idents = [str(i) for i in ids] or ["-"]
    found = session.execute(text(
        "SELECT a.actor, a.at, u.full_name FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id "
        "WHERE a.entity = :entity AND a.entity_id IN :ids AND a.action <> 'view' "
        "ORDER BY a.seq DESC LIMIT 1").bindparams(bindparam("ids", expanding=True)),
        {"entity": entity, "ids": idents}).first()
    who = str(found[2] or found[0]) if found is not None else "someone else"
    at: dt.datetime | None = None
    if found is not None:
        try:
            at = dt.datetime.fromisoformat(str(found[1]))
        except ValueError:
            at = None
    return StaleRecord(
        f"{who} changed {what} at {when_text(at)}, after your change; it was not undone, so nothing of "
        f"theirs is overwritten. {RELOAD_ADVICE}",
        what=what, saved_by=who, saved_at=at, saved_values=saved_values or {})


def day_text(day: dt.date) -> str:
    """"3 March 2026" (labels of undo entries; a panel sitting's are ``wording.weekday_date``)."""
    return date_in_words(day)
