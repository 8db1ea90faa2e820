"""Which tables are audited, and their rows read by primary key as the seals digest them (raw driver
values, by key string)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, text

from adoption_desktop.core.audit.seals.digests import pk_string


def audited_tables() -> dict[str, Table]:
    """Every table whose changes are audited (``__audit__``), by name."""
    from adoption_desktop.core.storage.base import Base
    from adoption_desktop.schema import load_all_models

    load_all_models()
    out: dict[str, Table] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__audit__", False) and isinstance(mapper.local_table, Table):
            out[mapper.local_table.name] = mapper.local_table
    return dict(sorted(out.items()))


def audited_table(name: str) -> Table:
    """The audited table ``name``. Looked up among the classes already mapped first: sealing the one row
    a sign-in touches must not import every model of the program (and configure all their mappers:
    ~80 ms of a headless export). Only a table whose class is not loaded yet loads them all; a table that
    is not audited raises ``KeyError`` either way."""
    from adoption_desktop.core.storage.base import Base

    for mapper in list(Base.registry.mappers):
        table = mapper.local_table
        if isinstance(table, Table) and table.name == name:
            if getattr(mapper.class_, "__audit__", False):
                return table
            break
    return audited_tables()[name]


def _pk_columns(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def read_rows(conn: Connection, table: Table, pks: Iterable[Sequence[Any]], *,
              lock: bool = False) -> dict[str, dict[str, Any]]:
    """The rows with these primary keys as the driver returns them (raw values), by key string.

    ``lock``: the rows' write locks taken as they are read (PostgreSQL; a SQLite file has one writer at a
    time). A writer comparing rows with their seals before it changes them asks with it: under READ
    COMMITTED a colleague's commit could land between reading the row and reading its latest seal (the
    old row against the new seal), and the row was reported changed outside the application and left
    unsealed for good. Locked, the read waits for that commit and returns the row it committed, whose
    seal the next statement sees."""
    keys = _pk_columns(table)
    out: dict[str, dict[str, Any]] = {}
    wanted = sorted(dict.fromkeys(tuple(p) for p in pks), key=repr)  # one order for every writer: no deadlock
    locking = lock and conn.dialect.name == "postgresql"
    if len(keys) == 1:
        suffix = f' ORDER BY "{keys[0]}" FOR UPDATE' if locking else ""
        stmt = text(f'SELECT * FROM "{table.name}" WHERE "{keys[0]}" IN :ids{suffix}').bindparams(
            bindparam("ids", expanding=True))
        for start in range(0, len(wanted), 500):
            chunk = [p[0] for p in wanted[start:start + 500]]
            for row in conn.execute(stmt, {"ids": chunk}).mappings():
                out[pk_string([row[keys[0]]])] = _plain(row)
        return out
    where = " AND ".join(f'"{k}" = :p{i}' for i, k in enumerate(keys))
    one = text(f'SELECT * FROM "{table.name}" WHERE {where}' + (" FOR UPDATE" if locking else ""))
    for p in wanted:
        found = conn.execute(one, {f"p{i}": v for i, v in enumerate(p)}).mappings().first()
        if found is not None:
            out[pk_string([found[k] for k in keys])] = _plain(found)
    return out


def read_rows_where(conn: Connection, table: Table, column: str, values: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """The rows of ``table`` whose ``column`` is one of ``values``, as :func:`read_rows` returns them (raw
    values, by key string), read in one statement per 500 values (unlocked): a two-column key's rows, such
    as every account's roles, without one statement per row."""
    keys = _pk_columns(table)
    out: dict[str, dict[str, Any]] = {}
    wanted = list(dict.fromkeys(values))
    stmt = text(f'SELECT * FROM "{table.name}" WHERE "{column}" IN :vals').bindparams(
        bindparam("vals", expanding=True))
    for start in range(0, len(wanted), 500):
        for row in conn.execute(stmt, {"vals": wanted[start:start + 500]}).mappings():
            out[pk_string([row[k] for k in keys])] = _plain(row)
    return out


def _plain(row: Any) -> dict[str, Any]:
    return {k: bytes(v) if type(v) is memoryview else v for k, v in row.items()}
