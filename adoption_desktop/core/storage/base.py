"""Declarative base shared by every table; portable types only (SQLCipher and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import DateTime, MetaData, func
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
