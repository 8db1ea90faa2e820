"""Columns an upgrade adds to audited tables: sealed at once, on every row that still matches its seal.

A row seal covers the columns its row had when it was written (``audit_columns``). A column added by an
upgrade was therefore covered only from the row's next write, and a final record (a signed decision, a
filed letter, a closed case) is never written again: its new column could be changed in SQL, with no entry
at all, and ``verify`` said nothing (red-team, 4 December 2026: a signed decision's ``delay_reason``, a filed
letter's template version). After every upgrade each such row is sealed again over all its columns, one
entry per table; a row that no longer matches its old seal is left unsealed, so ``verify`` goes on naming
it (a new seal must not vouch for a change made outside the program).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Connection, Table, inspect, select, text

from adoption_desktop.core.audit.chain import append_entry
from adoption_desktop.core.audit.models import AuditColumns, AuditSeal
from adoption_desktop.core.audit.seals import (
    TOMBSTONE,
    _make_seals,
    _pk_columns,
    _plain,
    _Seal,
    _write,
    aggregate,
    as_filed,
    audited_tables,
    filed_before,
    moved_at,
    pk_string,
    row_digest,
)
from adoption_desktop.core.security.permissions import SYSTEM

#: the action of the entries this writes
UPGRADE_SEAL = "seal_upgrade"


def seal_new_columns(conn: Connection) -> dict[str, int]:
    """Seal again, over every column, each row of an audited table whose latest seal leaves out some of
    its columns and which matches that seal over the columns it covers. Returns the rows sealed, by table
    (tables with none are left out). Run after the upgrade's steps, in a transaction of its own; a table
    whose seals all cover its columns is not read at all."""
    present = set(inspect(conn).get_table_names())
    sealed: dict[str, int] = {}
    for name, table in audited_tables().items():
        if name in present:
            count = _seal_table(conn, name, table)
            if count:
                sealed[name] = count
    return sealed


def _seal_table(conn: Connection, name: str, table: Table) -> int:
    keys = _pk_columns(table)
    seal_t = cast(Table, AuditSeal.__table__)
    current = set(conn.execute(text(f'SELECT * FROM "{name}" LIMIT 0')).keys())
    used = {str(c) for c in conn.execute(select(seal_t.c.columns).where(seal_t.c.entity == name).distinct()).scalars()}
    listed = {str(k): str(v).split(",") if v else [] for k, v in conn.execute(
        select(AuditColumns.key, AuditColumns.columns).where(AuditColumns.key.in_(used)))} if used else {}
    if all(current <= set(cols) for cols in listed.values()):
        return 0  # every seal of the table covers all its columns: nothing added (the usual upgrade)
    latest: dict[str, tuple[str, str]] = {}
    filed: set[str] = set()  # rows whose latest seal was made in the file a server was moved from
    moved = moved_at(conn)
    for entity_id, cols, digest, seq in conn.execute(
            select(seal_t.c.entity_id, seal_t.c.columns, seal_t.c.digest, seal_t.c.seq)
            .where(seal_t.c.entity == name).order_by(seal_t.c.seq, seal_t.c.id)):
        latest[str(entity_id)] = (str(cols), str(digest))
        if filed_before(moved, int(seq)):
            filed.add(str(entity_id))
        else:
            filed.discard(str(entity_id))
    seals: list[_Seal] = []
    colsets: dict[str, str] = {}
    added: set[str] = set()
    rows = conn.execute(text(f'SELECT * FROM "{name}"').execution_options(stream_results=True)).mappings()
    for raw in rows:  # streamed: only the new seals are kept, not the rows (a register of a million items)
        row = _plain(raw)
        pk = pk_string([row[k] for k in keys])
        sealed = latest.pop(pk, None)
        cols = listed.get(sealed[0]) if sealed is not None and sealed[1] != TOMBSTONE else None
        if cols is None or set(cols) >= set(row) or not _matches(name, pk, cols,
                                                                  as_filed(name, row) if pk in filed else row, sealed):
            continue  # never sealed, deleted, already whole, or changed outside the program: verify names it
        made, made_cols = _make_seals(name, {pk: row}, ())
        seals.extend(made)
        colsets.update(made_cols)
        added.update(set(row) - set(cols))
    if not seals:
        return 0
    seq = append_entry(conn, SYSTEM, UPGRADE_SEAL, name, "*", None,
                       f"columns added by an upgrade sealed ({', '.join(sorted(added))}): {len(seals)} rows",
                       aggregate((s.entity, s.entity_id, s.digest) for s in seals))
    _write(conn, seq, seals, colsets)
    return len(seals)


def _matches(name: str, pk: str, cols: list[str], row: Mapping[str, Any], sealed: tuple[str, str] | None) -> bool:
    return sealed is not None and all(c in row for c in cols) and row_digest(name, pk, cols, row) == sealed[1]
