"""Row seals: making a row's seal record (or a deleted row's tombstone), writing seal records and their
column lists, and asking whether rows still match their latest seals before they are sealed again."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select

from adoption_desktop.core.audit.models import AuditColumns, AuditSeal
from adoption_desktop.core.audit.seals.content_rules import CONTENT_RULES
from adoption_desktop.core.audit.seals.digests import TOMBSTONE, column_key, field_sums, row_digest
from adoption_desktop.core.audit.seals.filed_form import as_filed, filed_before, moved_at
from adoption_desktop.core.audit.seals.tables import read_rows, read_rows_where
from adoption_desktop.core.storage import written

#: the package's logger, as before it was split into modules
_log = logging.getLogger("adoption_desktop.core.audit.seals")


@dataclass(frozen=True)
class _Seal:
    entity: str
    entity_id: str
    columns: str
    digest: str
    fields: str


def _make_seals(table: str, rows: Mapping[str, Mapping[str, Any]], gone: Iterable[str]
                ) -> tuple[list[_Seal], dict[str, str]]:
    seals: list[_Seal] = []
    colsets: dict[str, str] = {}
    for pk, row in rows.items():
        cols = sorted(row)
        key = column_key(cols)
        colsets[key] = ",".join(cols)
        seals.append(_Seal(table, pk, key, row_digest(table, pk, cols, row), field_sums(cols, row)))
    seals.extend(_Seal(table, pk, "", TOMBSTONE, "") for pk in gone if pk not in rows)
    return seals, colsets


def _insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as pg_dialect

        conn.execute(pg_dialect.insert(table).on_conflict_do_nothing(), rows)
    else:
        from sqlalchemy.dialects import sqlite as sqlite_dialect

        conn.execute(sqlite_dialect.insert(table).on_conflict_do_nothing(), rows)


def _write(conn: Connection, seq: int, seals: list[_Seal], colsets: Mapping[str, str]) -> None:
    _write_many(conn, [(seq, s) for s in seals], colsets)


def _write_many(conn: Connection, seals: list[tuple[int, _Seal]], colsets: Mapping[str, str]) -> None:
    if colsets:
        _insert_ignore(conn, cast(Table, AuditColumns.__table__),
                       [{"key": k, "columns": v} for k, v in colsets.items()])
    if seals:
        conn.execute(insert(cast(Table, AuditSeal.__table__)), [
            {"seq": seq, "entity": s.entity, "entity_id": s.entity_id, "columns": s.columns, "digest": s.digest,
             "fields": s.fields} for seq, s in seals])
        if any(_final(s) for _seq, s in seals):
            written.final_record()  # the anchors move on at the commit (anchors.after_final)


#: final from the moment they are written (``ContentRule.first_seal``): a letter sent, a disclosure
_FINAL_WHEN_WRITTEN = frozenset(name for name, rule in CONTENT_RULES.items() if rule.first_seal)


def _final(seal: _Seal) -> bool:
    """A seal record that makes a record final: a final record's content or ``set_once`` group (``#`` in its
    entity), or a row of a table whose rows are final when written."""
    return "#" in seal.entity or (seal.entity in _FINAL_WHEN_WRITTEN and seal.digest != TOMBSTONE)


def row_matches_seal(conn: Connection, table: Table, pk: Sequence[Any]) -> bool:
    """Does the row with primary key ``pk`` still match its latest seal, over the columns that seal covers
    (as ``verify`` compares it)? False for a row never sealed or gone. Asked before the row is sealed again
    by a statement that bypasses the ORM: sealing a row changed outside the application would vouch for
    the change."""
    rows = read_rows(conn, table, [pk], lock=True)
    return bool(rows) and not _off_seal(conn, table.name, rows)


def rows_off_seal(conn: Connection, table: Table, pks: Iterable[Sequence[Any]], *, lock: bool = True) -> set[str]:
    """Of the rows with these primary keys, the key strings of those that do not match their latest seal
    (:func:`row_matches_seal`, for many rows in a few statements): changed or inserted outside the
    application. Rows that are gone are not named. Asked by every writer that seals existing rows again,
    before it changes them: those rows are written but left unsealed (:func:`seal_change`'s ``unsound``),
    so ``verify`` goes on naming them instead of the new seal vouching for the change. ``lock=False``: a
    reader that changes nothing (sign-in deciding which roles are in effect), in a read-only transaction."""
    return _off_seal(conn, table.name, read_rows(conn, table, pks, lock=lock))


def rows_off_seal_where(conn: Connection, table: Table, column: str, values: Sequence[Any]) -> set[str]:
    """:func:`rows_off_seal` (unlocked) for every row of ``table`` whose ``column`` is one of ``values``
    (:func:`~.tables.read_rows_where`: a user's roles, for every account at once)."""
    rows = read_rows_where(conn, table, column, values)
    return _off_seal(conn, table.name, rows) if rows else set()


def _off_seal(conn: Connection, table: str, rows: Mapping[str, Mapping[str, Any]]) -> set[str]:
    seal_t = cast(Table, AuditSeal.__table__)
    earlier = seal_t.alias("earlier")
    newest = (select(func.max(earlier.c.seq)).where(earlier.c.entity == seal_t.c.entity,
                                                     earlier.c.entity_id == seal_t.c.entity_id).scalar_subquery())
    latest: dict[str, tuple[str, str, int]] = {}
    keys = list(rows)
    for start in range(0, len(keys), 500):  # each row's latest seal only (a user's row has one per sign-in)
        for entity_id, cols, digest, seq in conn.execute(
                select(seal_t.c.entity_id, seal_t.c.columns, seal_t.c.digest, seal_t.c.seq)
                .where(seal_t.c.entity == table, seal_t.c.entity_id.in_(keys[start:start + 500]),
                       seal_t.c.seq == newest)
                .order_by(seal_t.c.seq, seal_t.c.id)):
            latest[str(entity_id)] = (str(cols), str(digest), int(seq))
    moved = moved_at(conn)  # a seal made in the file a server was moved from: the row in the file's form
    wanted = {c for c, d, _q in latest.values() if d != TOMBSTONE}
    colsets = {str(k): str(v).split(",") if v else [] for k, v in conn.execute(
        select(AuditColumns.key, AuditColumns.columns).where(AuditColumns.key.in_(wanted)))} if wanted else {}
    off: set[str] = set()
    for key, row in rows.items():
        sealed = latest.get(key)
        cols = colsets.get(sealed[0]) if sealed is not None and sealed[1] != TOMBSTONE else None
        if sealed is not None and filed_before(moved, sealed[2]):
            row = as_filed(table, row)
        if (sealed is None or cols is None or not all(c in row for c in cols)
                or row_digest(table, key, cols, row) != sealed[1]):
            off.add(key)
    return off


def not_sealed_note(unsound: Collection[str]) -> str:
    """What an entry says of the rows it left unsealed (they did not match their seals before the change)."""
    shown = sorted(unsound, key=lambda k: (len(k), k))
    listed = ", ".join(shown[:20]) + (f" and {len(shown) - 20} more" if len(shown) > 20 else "")
    rows = "row" if len(shown) == 1 else "rows"
    return (f"{rows} {listed} not sealed: not as the application last wrote {'it' if len(shown) == 1 else 'them'} "
            "before this change (changed outside the application; see verify)")


def _warn_unsealed(table: str, unsound: Collection[str]) -> None:
    _log.warning("%s: %d row(s) did not match their seals; written but left unsealed (run verify): %s",
                 table, len(unsound), ", ".join(sorted(unsound)[:20]))

