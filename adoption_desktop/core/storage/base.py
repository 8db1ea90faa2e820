"""Declarative base shared by every table; portable types only (SQLCipher and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, DateTime, MetaData, event, func, inspect, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, Session, mapped_column, object_session

# The final rows' Session hooks, registered with the base every model is built on: a model module imported later
# (inside another Session hook, as the first statement of a process runs) must not register a Session hook then
# (SQLAlchemy's "deque mutated during iteration": tests/core/test_session_hooks_registered_once.py)
from adoption_desktop.core import final_rows  # noqa: F401

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Naive UTC timestamp (stored the same way on SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def server_clock() -> ColumnElement[dt.datetime]:
    """The PostgreSQL server's clock as naive UTC (as :func:`utcnow` stores it), read when the statement
    evaluates it (``clock_timestamp``: in an ``UPDATE … RETURNING``, after the row's lock is taken). In team mode
    the times the program records (audit entries, drafts) come from here, in the statement that writes them
    (no extra round trip), so that a PC whose clock is minutes off does not stamp its entries before the ones
    they follow. PostgreSQL only; on a database file this PC's clock is the one clock (:func:`utcnow`)."""
    return func.timezone("UTC", func.clock_timestamp(), type_=DateTime)


#: where :func:`record_now` keeps the server's time for the rest of a transaction (``session.info``)
_RECORD_NOW = "record_now"


def record_now(session: Session, connection: Connection | None = None) -> dt.datetime:
    """"Now" for a record's own times (signed, screened, forwarded, logged, reviewed, created, updated), naive
    UTC as :func:`utcnow` stores it. In team mode (PostgreSQL) it is the server's clock (:func:`server_clock`),
    read once per transaction and kept for the rest of it (one ``SELECT`` on the first stamp of a transaction
    that writes one, none on reads): every PC stamps by the same clock as the audit log, so a decision signed
    on a PC three minutes slow is not stamped before the recommendation it follows. On a database file this
    PC's clock, read at each call as before (no round trip): there it is the one clock. ``connection``: the
    connection a flush event was given (the session's own), to read the server's clock through."""
    dialect = (connection if connection is not None else session.get_bind()).dialect
    if dialect.name != "postgresql":
        return utcnow()
    kept = session.info.get(_RECORD_NOW)
    transaction = session.get_transaction()
    if kept is not None and transaction is not None and kept[0] is transaction:
        return kept[1]
    now: dt.datetime = (connection if connection is not None else session.connection()).execute(
        select(server_clock())).scalar_one()
    session.info[_RECORD_NOW] = (session.get_transaction(), now)
    return now


#: a column's ``info`` key naming it one of the record's own times, stamped by :func:`record_now` in team
#: mode when the program leaves it to the column's default: ``"created"`` (when the row was written) or
#: ``"updated"`` (written, and again at each change of the row)
RECORD_TIME = "record_time"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    #: False for tables whose changes are *not* audited automatically (the audit log itself, drafts)
    __audit__ = True
    #: columns whose values never go into the audit log (secrets): a change is logged as "<changed>"
    __audit_redact__: frozenset[str] = frozenset()


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now(),
                                                    info={RECORD_TIME: "created"})
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, server_default=func.now(), info={RECORD_TIME: "updated"}
    )


@functools.cache
def _record_times(mapper: Mapper[Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The attributes of ``mapper``'s class that are record times: (stamped when the row is written, stamped
    again when it changes)."""
    created, updated = [], []
    for prop in mapper.column_attrs:
        kind = prop.columns[0].info.get(RECORD_TIME)
        if kind in ("created", "updated"):
            created.append(prop.key)
        if kind == "updated":
            updated.append(prop.key)
    return tuple(created), tuple(updated)


@event.listens_for(Base, "before_insert", propagate=True)
def _stamp_new_row(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    """Team mode: a new row's record times left to their default (``utcnow``, this PC's clock) are the
    server's (:func:`record_now`). A time the program set itself is kept."""
    if connection.dialect.name != "postgresql":
        return
    session = object_session(target)
    created, _updated = _record_times(mapper)
    for key in created:
        if session is not None and getattr(target, key, None) is None:
            setattr(target, key, record_now(session, connection))


@event.listens_for(Base, "before_update", propagate=True)
def _stamp_changed_row(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    """Team mode: a changed row's ``updated_at`` (its ``onupdate``, this PC's clock) is the server's
    (:func:`record_now`), unless the program set it in this change. A row with no change of its own (only
    marked dirty) is left alone, as ``onupdate`` leaves it: no UPDATE, no new version."""
    if connection.dialect.name != "postgresql":
        return
    _created, updated = _record_times(mapper)
    session = object_session(target)
    if not updated or session is None or not session.is_modified(target, include_collections=False):
        return
    state = inspect(target)
    for key in updated:
        if not state.attrs[key].history.has_changes():
            setattr(target, key, record_now(session, connection))


M = TypeVar("M")


def get_or_raise(session: Session, model: type[M], ident: Any, message: str) -> M:
    """The row with primary key ``ident``, or :class:`NotFound` with ``message`` (shown to the user)."""
    row = session.get(model, ident)
    if row is None:
        from adoption_desktop.core.errors import NotFound

        raise NotFound(message)
    return row


def keep_reference_key(model: type[Base], source: str) -> None:
    """Keep ``model.reference_key`` equal to ``core.text_input.reference_key`` of its ``source`` column on
    every ORM insert and update, so that a reference typed with other capitals, spacing or invisible
    characters is found by one indexed ``reference_key = :key`` (the audit log's case-reference filter).
    The column is filled for rows that were there before by the migration that added it."""
    from adoption_desktop.core.text_input import reference_key

    def keep(_mapper: Any, _conn: Any, target: Any) -> None:
        key = reference_key(getattr(target, source) or "")
        if target.reference_key != key:
            target.reference_key = key

    event.listen(model, "before_insert", keep)
    event.listen(model, "before_update", keep)
