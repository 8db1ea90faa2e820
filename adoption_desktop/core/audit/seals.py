"""Per-row seals: the audit log vouches for the current content of every audited table.

Whenever the application writes a row of an audited table (insert, update, delete; one at a time or in
bulk) it seals the row as it now stands in the database: a digest over the table, the row's key and
every column's value, written to ``audit_seal`` with the sequence number of the audit entry that made
the change. That entry's hashed content includes a digest of all the seal rows written with it, so a
seal cannot be altered, added or removed without breaking the chain.

:func:`.seal_check.verify_record` then recomputes every row's seal and names, table by table, each row inserted,
changed (with the fields) or deleted outside the application. The columns a seal covers are listed
with it (``audit_columns``), so tables may gain columns later: a column added after a row was last
sealed is covered from the row's next write on.

Signed decisions, approved minutes and filed letters also get a *content seal* once: an entry with
action ``seal`` whose ``seal`` field is the digest of the row's content at that moment (the columns
are listed in its detail). Any later difference, by whatever route, is reported. Records that become
final in numbers (letterbox items given an outcome, closed counselling cases) get theirs as one more seal
record (``inline``: entity ``<table>#content``) written with the entry that made them final, so a
bulk write costs no extra entry; ``verify`` holds each row to the *first* such record, so a later one
added with the key vouches for nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text

from adoption_desktop.core.audit.chain import _append
from adoption_desktop.core.audit.models import AuditColumns, AuditEntry, AuditSeal
from adoption_desktop.core.security.permissions import SYSTEM, Principal

_log = logging.getLogger(__name__)

TOMBSTONE = "-"
CONTENT_SEAL = "seal"
#: the entity of a content seal written as a seal record (``ContentRule.inline``): ``<table>#content``
INLINE_CONTENT = "#content"
#: a seal record's digest is 32 hex digits (128 bits of SHA-256), as the row seals': an inline content seal too
INLINE_DIGEST = 32
BASELINE = "seal_baseline"


# --------------------------------------------------------------------------- canonical values

class _Missing:
    def __repr__(self) -> str:
        return "<no such column>"


MISSING = _Missing()


def _canon(value: Any) -> str:
    """A typed, unambiguous text form of a value as the driver returns it (``repr``: ``'1'`` is not ``1``,
    ``None`` is not ``''``); ``repr`` is also the fastest way to get one for 300,000 rows."""
    if type(value) is memoryview:
        value = bytes(value)
    return repr(value)


def _pk_part(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def pk_string(values: Sequence[Any]) -> str:
    return "/".join(_pk_part(v) for v in values)


def column_key(columns: Sequence[str]) -> str:
    return _column_key(tuple(columns))


@functools.lru_cache(maxsize=512)
def _column_key(columns: tuple[str, ...]) -> str:
    return hashlib.sha256(",".join(columns).encode("utf-8")).hexdigest()[:16]


def _values(columns: Sequence[str], row: Mapping[str, Any]) -> list[Any]:
    return [row.get(c, MISSING) for c in columns]


def digest_values(table: str, pk: str, columns: Sequence[str], values: Iterable[Any]) -> str:
    # repr is _canon for every type a driver returns here (read_rows turns memoryviews into bytes)
    body = "\x1f".join([table, pk, *chain.from_iterable(zip(columns, map(repr, values), strict=False))])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def row_digest(table: str, pk: str, columns: Sequence[str], row: Mapping[str, Any]) -> str:
    return digest_values(table, pk, columns, _values(columns, row))


def field_sums(columns: Sequence[str], row: Mapping[str, Any]) -> str:
    return "".join(f"{zlib.crc32(v.encode('utf-8')) & 0xFFFF:04x}" for v in map(repr, _values(columns, row)))


def aggregate(lines: Iterable[tuple[str, str, str]]) -> str:
    """The digest an entry carries for the seal rows written with it."""
    body = "\n".join(sorted(f"{e}\x1f{i}\x1f{d}" for e, i, d in lines))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- which tables

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


@dataclass(frozen=True)
class ContentRule:
    """When a row's content is final (``when``) and which columns make up that content."""

    what: str
    when: Callable[[Mapping[str, Any]], bool]
    #: never content: timestamps, and ``row_version`` (the save counter of ``core.concurrency``), which the
    #: flush after an approval's hand-off to the ADM raised past the content seal written by the flush
    #: before it (the row seals still cover it: a change in SQL is reported all the same)
    exclude: frozenset[str] = frozenset({"created_at", "updated_at", "row_version"})
    #: final from the moment the row is written: its first row seal (written with the entry that made the
    #: row, covered by that entry's hash like every seal) is its content seal, so a batch of such rows
    #: costs one audit entry, not one per row. ``verify_record`` checks the row against that first seal.
    first_seal: bool = False
    #: the content seal is a seal record (entity ``<table>#content``) written with the entry that made the
    #: row final, not an entry of its own: for records that become final in numbers (a demo's register)
    inline: bool = False
    #: columns left out of the content of a particular row (a returned item's reason may be reworded until
    #: the returned letter is sent)
    loose: Callable[[Mapping[str, Any]], frozenset[str]] | None = None
    #: columns left out of the content because they are filled in later, each group sealed once on its own
    #: (a seal record, entity ``<table>#<name>``) when its first column is filled in: a filed letter's date
    #: sent, approved minutes' hand-off to the ADM. ``verify`` holds them to that first record.
    set_once: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _returned_reason(row: Mapping[str, Any]) -> frozenset[str]:
    return frozenset({"reason"}) if row.get("status") == "returned" else frozenset()


#: the outcomes after which an item is never changed (``letterbox.service.record_outcome`` refuses another
#: outcome once one is recorded, "held on file" included)
FINAL_ITEM_STATUSES = frozenset({"forwarded", "withheld", "returned", "held"})

#: signed decisions, approved minutes, filed letters: final once ``when`` holds
CONTENT_RULES: dict[str, ContentRule] = {
    "adm_decisions": ContentRule("signed decision", lambda r: r.get("signed_at") is not None),
    "panel_minutes": ContentRule("approved minutes", lambda r: r.get("status") == "approved",
                                 frozenset({"created_at", "updated_at", "row_version", "handed_off_on",
                                            "adm_decision_id"}),
                                 set_once={"handoff": ("handed_off_on", "adm_decision_id")}),
    "adm_letters": ContentRule("filed letter", lambda r: True,
                               frozenset({"created_at", "updated_at", "row_version", "sent_on"}),
                               set_once={"sent": ("sent_on",)}),
    "letterbox_letters_sent": ContentRule("letter sent", lambda r: True, first_seal=True),
    # an item's outcome is final (forwarded, withheld, returned): the record of what went out, when, by whom,
    # screened by whom. Who wrote it and how it came in may still be corrected (each a step in its history).
    "letterbox_items": ContentRule(
        "forwarded, withheld, returned or held item", lambda r: r.get("status") in FINAL_ITEM_STATUSES,
        frozenset({"created_at", "updated_at", "row_version", "channel", "participant_id"}), inline=True,
        loose=_returned_reason),
    # a closed case is never changed (``counselling.service.common._open_case_for_edit``); its reference key
    # is derived from its reference (kept by the ORM, rebuilt by an upgrade)
    "counselling_cases": ContentRule(
        "closed case", lambda r: r.get("closed_on") is not None,
        frozenset({"created_at", "updated_at", "row_version", "reference_key"}), inline=True),
    # the disclosure log: what was disclosed to whom, when and how; never changed or removed
    "counselling_disclosures": ContentRule("disclosure", lambda r: True, first_seal=True),
}


def content_columns(table: str, row: Mapping[str, Any]) -> list[str]:
    rule = CONTENT_RULES[table]
    loose = rule.loose(row) if rule.loose is not None else frozenset()
    return sorted(c for c in row if c not in rule.exclude and c not in loose)


def content_matches(table: str, pk: str, columns: Sequence[str], row: Mapping[str, Any], digest: str) -> bool:
    """Whether ``row`` still has the content sealed as ``digest`` over ``columns``. A seal written before
    ``row_version`` was left out of the content (2 December 2026) lists it: such a seal matches when the
    rest agrees and ``row_version`` was any earlier value of the row's counter (it is bookkeeping, which
    a later save raises; the row seals cover it), so ordinary work done then is not reported as tampering."""
    if _same(content_digest(table, pk, columns, row), digest):
        return True
    version = row.get("row_version")
    if "row_version" not in columns or not isinstance(version, int):
        return False
    return any(_same(content_digest(table, pk, columns, {**row, "row_version": v}), digest)
               for v in range(max(0, version - 1000), version))


def _same(full: str, digest: str) -> bool:
    """A content digest against a sealed one: whole (an entry's content seal) or its first 32 hex digits
    (an inline content seal, in a seal record)."""
    return full == digest or (len(digest) == INLINE_DIGEST and full[:INLINE_DIGEST] == digest)


def content_digest(table: str, pk: str, columns: Sequence[str], row: Mapping[str, Any]) -> str:
    body = "\x1f".join(["content", table, pk,
                        *chain.from_iterable(zip(columns, map(_canon, _values(columns, row)), strict=True))])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- writing seals

def row_matches_seal(conn: Connection, table: Table, pk: Sequence[Any]) -> bool:
    """Does the row with primary key ``pk`` still match its latest seal, over the columns that seal covers
    (as ``verify`` compares it)? False for a row never sealed or gone. Asked before the row is sealed again
    by a statement that bypasses the ORM: sealing a row changed outside the application would vouch for
    the change."""
    rows = read_rows(conn, table, [pk], lock=True)
    return bool(rows) and not _off_seal(conn, table.name, rows)


def rows_off_seal(conn: Connection, table: Table, pks: Iterable[Sequence[Any]]) -> set[str]:
    """Of the rows with these primary keys, the key strings of those that do not match their latest seal
    (:func:`row_matches_seal`, for many rows in a few statements): changed or inserted outside the
    application. Rows that are gone are not named. Asked by every writer that seals existing rows again,
    before it changes them: those rows are written but left unsealed (:func:`seal_change`'s ``unsound``),
    so ``verify`` goes on naming them instead of the new seal vouching for the change."""
    return _off_seal(conn, table.name, read_rows(conn, table, pks, lock=True))


def _off_seal(conn: Connection, table: str, rows: Mapping[str, Mapping[str, Any]]) -> set[str]:
    seal_t = cast(Table, AuditSeal.__table__)
    earlier = seal_t.alias("earlier")
    newest = (select(func.max(earlier.c.seq)).where(earlier.c.entity == seal_t.c.entity,
                                                     earlier.c.entity_id == seal_t.c.entity_id).scalar_subquery())
    latest: dict[str, tuple[str, str]] = {}
    keys = list(rows)
    for start in range(0, len(keys), 500):  # each row's latest seal only (a user's row has one per sign-in)
        for entity_id, cols, digest in conn.execute(
                select(seal_t.c.entity_id, seal_t.c.columns, seal_t.c.digest)
                .where(seal_t.c.entity == table, seal_t.c.entity_id.in_(keys[start:start + 500]),
                       seal_t.c.seq == newest)
                .order_by(seal_t.c.seq, seal_t.c.id)):
            latest[str(entity_id)] = (str(cols), str(digest))
    wanted = {c for c, d in latest.values() if d != TOMBSTONE}
    colsets = {str(k): str(v).split(",") if v else [] for k, v in conn.execute(
        select(AuditColumns.key, AuditColumns.columns).where(AuditColumns.key.in_(wanted)))} if wanted else {}
    off: set[str] = set()
    for key, row in rows.items():
        sealed = latest.get(key)
        cols = colsets.get(sealed[0]) if sealed is not None and sealed[1] != TOMBSTONE else None
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


def _plain(row: Any) -> dict[str, Any]:
    return {k: bytes(v) if type(v) is memoryview else v for k, v in row.items()}


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


#: a final record's seal record: (what it seals: ``content`` or a ``set_once`` group's name, the row's key)
Due = tuple[str, str]
CONTENT = INLINE_CONTENT[1:]


def _inline_due(conn: Connection, table: str, rows: Mapping[str, Mapping[str, Any]]) -> set[Due]:
    """Of these rows, what has just become final and has no seal record yet: the content of rows final under
    an inline content rule, and each ``set_once`` group just filled in. Each gets its record with the entry
    that writes the row's seal (:func:`_content_record`)."""
    rule = CONTENT_RULES.get(table)
    if rule is None or not (rule.inline or rule.set_once):
        return set()
    due: set[Due] = set()
    for pk, row in rows.items():
        if rule.inline and rule.when(row):
            due.add((CONTENT, pk))
        due.update((name, pk) for name, cols in rule.set_once.items() if row.get(cols[0]) is not None)
    if not due:
        return set()
    seal_t = cast(Table, AuditSeal.__table__)
    entities = {f"{table}#{what}": what for what, _pk in due}
    keys = sorted({pk for _what, pk in due})
    sealed: set[Due] = set()
    for start in range(0, len(keys), 500):
        sealed.update((entities[str(e)], str(k)) for e, k in conn.execute(
            select(seal_t.c.entity, seal_t.c.entity_id).where(
                seal_t.c.entity.in_(list(entities)), seal_t.c.entity_id.in_(keys[start:start + 500]))))
    return due - sealed


def record_columns(table: str, what: str, row: Mapping[str, Any]) -> list[str]:
    """The columns a final record's seal record covers: the row's content, or a ``set_once`` group."""
    return content_columns(table, row) if what == CONTENT else list(CONTENT_RULES[table].set_once[what])


def _content_record(table: str, what: str, pk: str, row: Mapping[str, Any]) -> tuple[_Seal, str, str]:
    """The seal record of a final row's content or ``set_once`` group (and its column list's key and text)."""
    cols = record_columns(table, what, row)
    key = column_key(cols)
    digest = content_digest(table, pk, cols, row)[:INLINE_DIGEST]
    return _Seal(f"{table}#{what}", pk, key, digest, field_sums(cols, row)), key, ",".join(cols)


def _with_content(conn: Connection, table: str, rows: Mapping[str, Mapping[str, Any]], seals: list[_Seal],
                  colsets: dict[str, str], due: set[Due] | None = None) -> None:
    """Adds to ``seals`` the seal records of what has just become final among ``rows``."""
    for what, pk in sorted(_inline_due(conn, table, rows) if due is None else due):
        record, key, cols = _content_record(table, what, pk, rows[pk])
        seals.append(record)
        colsets[key] = cols


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


@dataclass(frozen=True)
class RowChange:
    """One row changed through the ORM: its own entry, sealed (see :func:`seal_each`)."""

    action: str
    table: Table
    pk: tuple[Any, ...]
    entity_id: str
    changes: dict[str, Any] | None


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
            _append(conn, actor, c.action, c.table.name, c.entity_id, c.changes, not_sealed_note([key]), "")
            continue
        row = rows[c.table.name].get(key)
        seals, cs = _make_seals(c.table.name, {key: row} if row is not None else {}, [key])
        colsets.update(cs)
        mine = {d for d in final[c.table.name] if d[1] == key}
        if row is not None and mine:
            _with_content(conn, c.table.name, {key: row}, seals, colsets, mine)
            final[c.table.name] -= mine  # one record each, with the first entry that finds it final
        seq = _append(conn, actor, c.action, c.table.name, c.entity_id, c.changes, "",
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
    seq = _append(conn, actor, action, table.name, entity_id, changes, detail,
                  aggregate((s.entity, s.entity_id, s.digest) for s in seals) if seals else "")
    _write(conn, seq, seals, colsets)
    seal_content(conn, actor, table.name, rows)
    return seq


def seal_content(conn: Connection, actor: Principal, table: str, rows: Mapping[str, Mapping[str, Any]]) -> None:
    """Content seals for rows that have just become final (signed, approved, filed) and have none yet."""
    rule = CONTENT_RULES.get(table)
    if rule is None or rule.first_seal or rule.inline:  # sealed by seal records written with it (ContentRule)
        return
    due = [pk for pk, row in rows.items() if rule.when(row)]
    if not due:
        return
    log = cast(Table, AuditEntry.__table__)
    sealed: set[str] = set()
    for start in range(0, len(due), 500):
        sealed.update(conn.execute(select(log.c.entity_id).where(
            log.c.action == CONTENT_SEAL, log.c.entity == table,
            log.c.entity_id.in_(due[start:start + 500]))).scalars())
    for pk in due:
        if pk in sealed:
            continue
        row = rows[pk]
        cols = content_columns(table, row)
        _append(conn, actor, CONTENT_SEAL, table, pk, None, f"{rule.what}: content sealed ({', '.join(cols)})",
                content_digest(table, pk, cols, row))


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


def seal_unsealed(conn: Connection, actor: Principal, action: str, table_name: str, detail: str) -> int:
    """One entry sealing every row of a table that has no seal yet (rows written with Core ``insert`` in
    bulk, e.g. the demo's generated register, or existing rows when seals were introduced)."""
    table = audited_table(table_name)
    keys = _pk_columns(table)
    seal_t = cast(Table, AuditSeal.__table__)
    known = set(conn.execute(select(seal_t.c.entity_id).where(seal_t.c.entity == table_name)).scalars())
    rows: dict[str, dict[str, Any]] = {}
    for row in conn.execute(text(f'SELECT * FROM "{table_name}"')).mappings():
        pk = pk_string([row[k] for k in keys])
        if pk not in known:
            rows[pk] = dict(row)
    seals, colsets = _make_seals(table_name, rows, ())
    _with_content(conn, table_name, rows, seals, colsets)
    seq = _append(conn, actor, action, table_name, "*", None, f"{detail}: {len(rows)} rows",
                  aggregate((s.entity, s.entity_id, s.digest) for s in seals) if seals else "")
    _write(conn, seq, seals, colsets)
    seal_content(conn, actor, table_name, rows)
    return seq


def seal_final_baseline(conn: Connection) -> None:
    """Records already final when their content seals were introduced (``ContentRule.inline``, and the
    ``set_once`` columns already filled in): each one
    that still matches its row seal gets its content seal, one entry per table. A row that does not match
    its seal gets none: ``verify`` goes on naming it, and a content seal must not vouch for the change."""
    from sqlalchemy import inspect as sa_inspect

    present = set(sa_inspect(conn).get_table_names())
    for name, rule in CONTENT_RULES.items():
        if not (rule.inline or rule.set_once) or name not in present:
            continue
        keys = _pk_columns(audited_table(name))
        rows: dict[str, dict[str, Any]] = {}
        for row in conn.execute(text(f'SELECT * FROM "{name}"').execution_options(stream_results=True)).mappings():
            plain = _plain(row)
            if (rule.inline and rule.when(plain)) or any(plain.get(c[0]) is not None for c in rule.set_once.values()):
                rows[pk_string([plain[k] for k in keys])] = plain  # only rows with something final are kept
        due = _inline_due(conn, name, rows)
        off = _off_seal(conn, name, {pk: rows[pk] for _what, pk in due})
        due = {d for d in due if d[1] not in off}
        seals: list[_Seal] = []
        colsets: dict[str, str] = {}
        _with_content(conn, name, rows, seals, colsets, due)
        if seals:
            seq = _append(conn, SYSTEM, BASELINE, name, "*", None,
                          f"content seals introduced: {len(seals)} records of {rule.what}s already final sealed",
                          aggregate(
                              (s.entity, s.entity_id, s.digest) for s in seals))
            _write(conn, seq, seals, colsets)


def seal_baseline(conn: Connection) -> None:
    """Databases made before seals existed: seal every existing row once (one entry per table).

    Runs in the migration that introduces the seal tables; a log that already holds seals is left alone."""
    if conn.execute(select(cast(Table, AuditSeal.__table__).c.id).limit(1)).first() is not None:
        return
    from sqlalchemy import inspect as sa_inspect

    present = set(sa_inspect(conn).get_table_names())
    for name in audited_tables():
        if name in present:
            seal_unsealed(conn, SYSTEM, BASELINE, name, "existing rows sealed when row seals were introduced")
