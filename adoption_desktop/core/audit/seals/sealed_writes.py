"""The entry for each write to an audited table, with the seals of the rows it touched: a flush's rows
one entry each (:func:`seal_each`), a statement's rows together (:func:`seal_change`), rows written with
Core statements (:func:`seal_written`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table

from adoption_desktop.core.audit.chain import append_entry
from adoption_desktop.core.audit.seals.digests import aggregate, pk_string
from adoption_desktop.core.audit.seals.final_records import _inline_due, _with_content, seal_content
from adoption_desktop.core.audit.seals.row_seals import (
    _make_seals,
    _Seal,
    _warn_unsealed,
    _write,
    _write_many,
    not_sealed_note,
)
from adoption_desktop.core.audit.seals.tables import audited_table, read_rows
from adoption_desktop.core.security.permissions import Principal


@dataclass(frozen=True)
class RowChange:
    """One row changed through the ORM: its own entry, sealed (see :func:`seal_each`)."""

    action: str
    table: Table
    pk: tuple[Any, ...]
    entity_id: str
    changes: dict[str, Any] | None
    detail: str = ""  # the entry's detail (a bulk UPDATE by primary key names the row and the statement)


def seal_each(conn: Connection, actor: Principal, changes: Sequence[RowChange],
              unsound: Mapping[str, Collection[str]] | None = None) -> None:
    """An entry per changed row, in order, each sealing its row; the rows are read back table by table
    and the seal records written together (a flush of many rows costs a few statements, not many).
    ``unsound``: by table, the key strings of rows that did not match their seals before the change
    (:func:`rows_off_seal`): their entries say so and seal nothing."""
    unsound = unsound or {}
    by_table: dict[str, tuple[Table, list[tuple[Any, ...]]]] = {}
    for c in changes:
        by_table.setdefault(c.table.name, (c.table, []))[1].append(c.pk)
    rows = {name: read_rows(conn, table, pks) for name, (table, pks) in by_table.items()}
    final = {name: _inline_due(conn, name, {k: v for k, v in found.items() if k not in unsound.get(name, ())})
             for name, found in rows.items()}
    written: list[tuple[int, _Seal]] = []
    colsets: dict[str, str] = {}
    for c in changes:
        key = pk_string(c.pk)
        if key in unsound.get(c.table.name, ()):
            _warn_unsealed(c.table.name, [key])
            note = not_sealed_note([key])
            append_entry(conn, actor, c.action, c.table.name, c.entity_id, c.changes,
                         f"{c.detail}; {note}" if c.detail else note, "")
            continue
        row = rows[c.table.name].get(key)
        seals, cs = _make_seals(c.table.name, {key: row} if row is not None else {}, [key])
        colsets.update(cs)
        mine = {d for d in final[c.table.name] if d[1] == key}
        if row is not None and mine:
            _with_content(conn, c.table.name, {key: row}, seals, colsets, mine)
            final[c.table.name] -= mine  # one record each, with the first entry that finds it final
        seq = append_entry(conn, actor, c.action, c.table.name, c.entity_id, c.changes, c.detail,
                           aggregate((s.entity, s.entity_id, s.digest) for s in seals))
        written.extend((seq, s) for s in seals)
    _write_many(conn, written, colsets)
    for name, found in rows.items():
        skip = unsound.get(name, ())
        seal_content(conn, actor, name, {k: v for k, v in found.items() if k not in skip})


def seal_change(conn: Connection, actor: Principal, action: str, table: Table, pks: Iterable[Sequence[Any]],
                *, entity_id: str, changes: dict[str, Any] | None = None, detail: str = "",
                gone: Iterable[str] = (), unsound: Collection[str] = ()) -> int:
    """Append the entry for a change to ``table`` and seal the rows it touched (as they now are).

    Rows with these keys that no longer exist (and the key strings in ``gone``) are sealed as deleted.
    ``unsound``: key strings of rows that did not match their seals before the change
    (:func:`rows_off_seal`, asked before it): they are not sealed, nor given a content seal, and the entry
    names them, so that ``verify`` goes on reporting them."""
    pk_list = [tuple(p) for p in pks]
    gone = list(gone)
    skip = set(unsound)
    rows = {k: v for k, v in read_rows(conn, table, pk_list).items() if k not in skip}
    missing = [k for k in (pk_string(p) for p in pk_list) if k not in skip]
    seals, colsets = _make_seals(table.name, rows, [*missing, *(g for g in gone if g not in skip)])
    _with_content(conn, table.name, rows, seals, colsets)
    named = skip & {*(pk_string(p) for p in pk_list), *gone}
    if named:
        _warn_unsealed(table.name, named)
        detail = f"{detail}; {not_sealed_note(named)}" if detail else not_sealed_note(named)
    seq = append_entry(conn, actor, action, table.name, entity_id, changes, detail,
                       aggregate((s.entity, s.entity_id, s.digest) for s in seals) if seals else "")
    _write(conn, seq, seals, colsets)
    seal_content(conn, actor, table.name, rows)
    return seq


def seal_written(conn: Connection, actor: Principal, table_name: str, pks: Iterable[Sequence[Any]], *,
                 action: str = "bulk_create", detail: str = "") -> int:
    """For rows written with Core ``insert()``/``update()``/``delete()`` (which the ORM hooks do not see):
    one entry sealing the rows with these primary keys as they now are (missing ones as deleted).
    Every Core write to an audited table must be followed by this in the same transaction, or verify
    reports the rows as changed outside the application."""
    pk_list = [tuple(p) for p in pks]
    return seal_change(conn, actor, action, audited_table(table_name), pk_list, entity_id=filed_under(pk_list),
                       detail=detail)


def filed_under(pks: Sequence[Sequence[Any]]) -> str:
    """The record an entry for a write to these rows is filed under: the row's own key when there is one
    (a sign-in's failed-attempt count, say, so that a filter on the user's record finds it), "*" for several
    rows or none."""
    return pk_string(pks[0]) if len(pks) == 1 else "*"
