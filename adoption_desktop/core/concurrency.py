"""Many people on one record: optimistic concurrency and row locks for state changes.

Every editable table mixes in :class:`Versioned`: a ``row_version`` column that SQLAlchemy checks and
bumps on every ORM update (``UPDATE … WHERE id = ? AND row_version = ?``), so two writers can never
both update the same version of a row — the second gets :class:`~adoption_desktop.core.errors.StaleRecord`.

Services whose callers loaded the record earlier (a form, a dialog) take an ``expected_version``: the
version the person saw. :func:`check_version` locks the row (PostgreSQL ``SELECT … FOR UPDATE``; an
embedded writer already holds the database's write lock from ``BEGIN IMMEDIATE``), reloads it and
refuses a stale save with who saved it, when, and the values now stored. State changes (sign, approve,
record an outcome, correct) call :func:`lock_row` before checking the state, so of two people acting at
once exactly one wins and the other is told who did it and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Integer, and_, inspect, select, text
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from adoption_desktop.core.errors import StaleRecord


class Versioned:
    """Mixin: the row's version, checked and bumped by SQLAlchemy on every update (``version_id_col``)."""

    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - declarative directive
        return {"version_id_col": cls.row_version}


R = TypeVar("R")


def lock_row(session: Session, row: R) -> R:
    """Take ``row``'s write lock for the rest of the transaction and reload it (pending changes to it are
    discarded: call this before changing it). After this, what the caller checks is what is stored."""
    state = inspect(row)
    mapper = state.mapper
    ident = mapper.primary_key_from_instance(row)
    where = and_(*[col == value for col, value in zip(mapper.primary_key, ident, strict=True)])
    session.connection().execute(select(*mapper.primary_key).where(where).with_for_update())
    session.refresh(row)
    return row


def local_time(at: dt.datetime) -> dt.datetime:
    """A stored timestamp (naive UTC, as ``utcnow`` writes it) in this PC's time zone (for a UK agency,
    Europe/London: an hour ahead of UTC in summer). Every time shown to a person goes through this."""
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone()


def when_text(at: dt.datetime | None) -> str:
    """A stored (naive UTC) timestamp as the local "HH:MM on DD/MM/YYYY"."""
    if at is None:
        return "a moment ago"
    local = local_time(at)
    return f"{local:%H:%M} on {local:%d/%m/%Y}"


def _saved(session: Session, row: object, last: bool) -> tuple[str, dt.datetime | None]:
    """Who changed ``row`` last (or first) and when, from the audit log (full name where the user still
    exists; "someone else" when the log names nobody)."""
    mapper = inspect(row).mapper
    ident = "/".join(str(v) for v in mapper.primary_key_from_instance(row))
    found = session.execute(text(
        "SELECT a.actor, a.at, u.full_name FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id "
        "WHERE a.entity = :entity AND a.entity_id = :ident AND a.action <> 'view' "
        f"ORDER BY a.seq{' DESC' if last else ''} LIMIT 1"), {"entity": mapper.local_table.name, "ident": ident}
    ).first()
    if found is None:
        return "someone else", None
    try:
        at = dt.datetime.fromisoformat(str(found[1]))
    except ValueError:
        at = None
    return str(found[2] or found[0] or "someone else"), at


def last_saved(session: Session, row: object) -> tuple[str, dt.datetime | None]:
    """Who last changed ``row`` and when, from the audit log (full name where the user still exists)."""
    return _saved(session, row, last=True)


def first_saved(session: Session, row: object) -> tuple[str, dt.datetime | None]:
    """Who created ``row`` and when, from the audit log (its first entry), like :func:`last_saved`."""
    return _saved(session, row, last=False)


def not_removed(who: str, what: str, at: dt.datetime | None, *, did: str = "saved", thing: str = "it",
                now: str = "", see: str = "Reload to see their change", still: str = "it should still go") -> str:
    """The words of a removal refused because ``who`` ``did`` ("saved", "changed") ``what`` at ``at``, after
    the person opened it: ``thing`` ("it", "the item") was not removed (``now``: what it is now recorded as),
    ``see`` says how to see their change, then remove it again if ``still``. The one place these words are
    made, so every removal refused this way says it alike."""
    now_text = f": it is now {now}" if now else ""
    return (f"{who} {did} {what} at {when_text(at)}, after you opened it; {thing} was not removed{now_text}. "
            f"{see}, then remove {thing} again if {still}.")


def stale(session: Session, row: Any, expected: int | None, what: str,
          values: Callable[[Any], dict[str, str]] | None = None, *, removal: bool = False) -> StaleRecord:
    """The error for a save of ``what`` based on version ``expected`` when ``row`` is newer (``removal``: the
    person was removing it, and is told so: nothing was removed, :func:`not_removed`)."""
    who, at = last_saved(session, row)
    message = (not_removed(who, what, at) if removal else
               f"{who} saved {what} at {when_text(at)}, after you opened it; your change was not saved. Reload "
               "to see their version, or re-apply your change to save yours over theirs.")
    return StaleRecord(
        message,
        what=what, saved_by=who, saved_at=at, saved_version=int(row.row_version), your_version=expected,
        saved_values=values(row) if values else {})


def check_version(session: Session, row: Any, expected: int | None, what: str,
                  values: Callable[[Any], dict[str, str]] | None = None, *, removal: bool = False) -> None:
    """Lock ``row`` and refuse the save if it is no longer at version ``expected`` (the version the
    person loaded). ``expected=None`` (scripts, imports) only locks: the latest save wins there. ``removal``:
    the refusal says the record was not removed (not "your change was not saved")."""
    lock_row(session, row)
    if expected is not None and int(row.row_version) != int(expected):
        raise stale(session, row, expected, what, values, removal=removal)


def version_of(row: Any) -> int:
    return int(getattr(row, "row_version", 1) or 1)
