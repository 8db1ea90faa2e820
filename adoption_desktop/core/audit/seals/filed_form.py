"""Seals made in a database file, checked on the server the file was moved to (``move-to-server``).

A seal digests each value as its driver returns it (``repr``): the embedded file's driver returns a date
as the text SQLAlchemy stored (``'2026-11-23'``), a yes/no as ``1``/``0`` and a time as
``'2026-11-23 10:00:00.000000'``; PostgreSQL's returns ``datetime.date``, ``True``, ``datetime.datetime``.
After a move the rows are the same, but every seal written in the file would be read as a change.

So on a server whose log holds a :data:`MOVED_FROM_FILE` entry, a seal written *before* that entry (in the
file) is checked against the row *as the file stored it*: each value turned back into the file's form
by the same SQLAlchemy conversion that wrote it there (:func:`as_filed`). That conversion is one-to-one
(a different value never gives the same stored form), so no check is weakened: a row changed on the
server differs in the file's form as well. The move itself refuses a row whose stored form the server's
copy would not give back exactly (:func:`filed_difference`). Seals written on the server, after the move
entry, are checked on the values as they are. Only the *first* such entry counts: another one appended
later (by whoever holds the application login) would turn seals written on the server into the file's
form, which they would then fail, never pass.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, cast

from sqlalchemy import Connection, LargeBinary, Table, func, select

from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.audit.seals.tables import audited_table

#: the action of the entry that ``move-to-server`` writes on the server, after the file's entries
MOVED_FROM_FILE = "moved_from_file"
#: the action of the entry it writes in the file afterwards
MOVED_TO_SERVER = "moved_to_server"


def moved_at(conn: Connection) -> int | None:
    """On a PostgreSQL database moved from a file, the number of the move's entry: seals with a lower number
    were made from the file's values. ``None`` on a file, or on a server that started empty."""
    if conn.dialect.name != "postgresql":
        return None
    log = cast(Table, AuditEntry.__table__)
    found = conn.execute(select(func.min(log.c.seq)).where(log.c.action == MOVED_FROM_FILE)).scalar()
    return int(found) if found is not None else None


def filed_before(moved: int | None, seq: int) -> bool:
    """Whether the seal of entry ``seq`` was made in the file (before the move at ``moved``)."""
    return moved is not None and seq < moved


@functools.lru_cache(maxsize=256)
def _converters(table: str) -> dict[str, Callable[[Any], Any]]:
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    out: dict[str, Callable[[Any], Any]] = {}
    for column in audited_table(table).columns:
        if isinstance(column.type, LargeBinary):
            continue  # bytes either way
        proc = column.type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            out[column.name] = proc
    return out


def as_filed(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` (as the server's driver returns it) with each value as the file stored it."""
    convert = _converters(table)
    out: dict[str, Any] = {}
    for name, value in row.items():
        proc = convert.get(name)
        if proc is not None and value is not None:
            value = proc(value)
            if isinstance(value, memoryview | bytearray):
                value = bytes(value)
        out[name] = value
    return out


def filed_difference(table: str, filed: Mapping[str, Any], served: Mapping[str, Any]) -> str | None:
    """The first column whose value in the file (``filed``, as its driver returns it) the server's copy
    (``served``) does not give back exactly in the file's form; ``None`` when every one does."""
    back = as_filed(table, served)
    for name, value in filed.items():
        mine = bytes(value) if isinstance(value, memoryview) else value
        if name not in back or repr(back[name]) != repr(mine):
            return name
    return None
