"""Declarative base shared by every table; portable types only (SQLCipher and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, DateTime, MetaData, event, func
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)

    #: False for tables whose changes are *not* audited automatically (the audit log itself, drafts)
    __audit__ = True
    #: columns whose values never go into the audit log (secrets): a change is logged as "<changed>"
    __audit_redact__: frozenset[str] = frozenset()


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )


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
