"""Checking the record against its seals: :func:`verify_record` recomputes every audited row's seal and
names, table by table, each row inserted, changed (with the fields) or deleted outside the application,
and every content seal (signed decisions, approved minutes, filed letters) against the row as it now is.
How seals are made and written is in :mod:`.seals`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Table, func, select

from adoption_desktop.core.audit.models import AuditColumns, AuditEntry, AuditSeal
from adoption_desktop.core.audit.seals import (
    CONTENT,
    CONTENT_RULES,
    CONTENT_SEAL,
    INLINE_CONTENT,
    TOMBSTONE,
    _pk_columns,
    _pk_part,
    aggregate,
    as_filed,
    audited_tables,
    content_matches,
    digest_values,
    field_sums,
    filed_before,
    moved_at,
    pk_string,
    row_digest,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class RecordProblem:
    entity: str
    entity_id: str
    message: str

    def __str__(self) -> str:
        row = "" if self.entity_id == "*" else f" row {self.entity_id}"
        return f"{self.entity}{row}: {self.message}"


def _names(columns: Sequence[str], stored: str, row: Mapping[str, Any]) -> list[str]:
    now = field_sums(columns, row)
    return [c for i, c in enumerate(columns) if now[4 * i:4 * i + 4] != stored[4 * i:4 * i + 4]]


def verify_record(conn: Connection) -> list[RecordProblem]:
    """Every audited table's rows against the seals the chain vouches for; [] when they all agree."""
    from sqlalchemy import inspect as sa_inspect

    problems: list[RecordProblem] = []
    log = cast(Table, AuditEntry.__table__)
    seal_t = cast(Table, AuditSeal.__table__)
    entry_seals: dict[int, tuple[str, str]] = {
        int(r.seq): (str(r.seal), str(r.entity)) for r in conn.execute(
            select(log.c.seq, log.c.seal, log.c.entity).where(log.c.seal != "", log.c.action != CONTENT_SEAL))}
    colsets = {str(k): str(v).split(",") if v else [] for k, v in conn.execute(
        select(AuditColumns.key, AuditColumns.columns))}
    latest: dict[str, dict[str, tuple[int, str, str, str]]] = defaultdict(dict)
    #: the first seal of each row of a table whose first seal is its content seal (ContentRule.first_seal)
    first: dict[str, dict[str, tuple[int, str, str, str]]] = defaultdict(dict)
    first_sealed = {name for name, r in CONTENT_RULES.items() if r.first_seal}
    #: the first seal record of each final row's content (``ContentRule.inline``) and of each of its
    #: ``set_once`` groups, by (what, key): later ones vouch for nothing
    inline: dict[str, dict[tuple[str, str], tuple[int, str, str]]] = defaultdict(dict)
    by_seq: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    cur = conn.connection.cursor()
    try:  # raw tuples: 300,000 seal rows on the large demo
        cur.execute(f"SELECT seq, entity, entity_id, columns, digest, fields FROM {seal_t.name} ORDER BY seq, id")
        while batch := cur.fetchmany(5000):
            for seq, entity, entity_id, cols, digest, fields in batch:
                by_seq[seq].append((entity, entity_id, digest))
                latest[entity][entity_id] = (seq, cols, digest, fields)
                if entity in first_sealed:
                    first[entity].setdefault(entity_id, (seq, cols, digest, fields))
                elif "#" in entity:  # a final record's seal record: its content or a set-once group
                    table, _, what = entity.partition("#")
                    inline[table].setdefault((what, entity_id), (seq, cols, digest))
    finally:
        cur.close()
    for seq, lines in sorted(by_seq.items()):
        expected = entry_seals.pop(seq, None)
        if expected is None:
            problems.append(RecordProblem(lines[0][0], lines[0][1],
                                          f"seal records with no audit entry #{seq} behind them were added"))
        elif aggregate(lines) != expected[0]:
            problems.append(RecordProblem(expected[1], "*", f"the seal records of audit entry #{seq} were altered, "
                                                            "added or removed"))
    for seq, (_digest, entity) in sorted(entry_seals.items()):
        problems.append(RecordProblem(entity, "*", f"the seal records of audit entry #{seq} were deleted"))

    present = set(sa_inspect(conn).get_table_names())
    content = _content_seals(conn)
    once: dict[str, dict[str, list[tuple[str, int, list[str], str]]]] = defaultdict(lambda: defaultdict(list))
    for name, found in inline.items():
        for (what, pk), (seq, colkey, digest) in found.items():
            cols = colsets.get(colkey)
            if cols is None:
                problems.append(RecordProblem(name, pk, f"the column list of its content seal (audit entry #{seq}) "
                                                        "is missing"))
            elif what == CONTENT:
                content[name].setdefault(pk, (seq, cols, digest))
            else:
                once[name][pk].append((what, seq, cols, digest))
    schema: frozenset[str] | None = None  # the tables this schema must hold (read once, if one is absent)
    moved = moved_at(conn)  # seals made in the file a server was moved from hold the rows in the file's form
    for name, table in audited_tables().items():
        if name not in present:  # dropped outside the application, or not made yet by an older schema
            if schema is None:
                from adoption_desktop.core.storage.missing_tables import expected_tables

                schema = expected_tables(conn)
            held = sum(1 for v in latest.get(name, {}).values() if v[2] != TOMBSTONE)
            if held or name in schema:
                problems.append(RecordProblem(name, "*", _dropped(held)))
            continue
        keys = _pk_columns(table)
        seen: set[str] = set()
        rule = CONTENT_RULES.get(name)
        sealed_rows = latest.get(name, {})
        named = content.get(name, {})
        for pk, raw, row_ok in _scan(conn, name, keys, sealed_rows, colsets, moved):
            seen.add(pk)
            sealed = sealed_rows.get(pk)
            if sealed is None:
                problems.append(RecordProblem(name, pk, "inserted outside the application (no seal in the audit "
                                                        "log)"))
                continue
            seq, colkey, digest, fields = sealed
            if digest == TOMBSTONE:
                problems.append(RecordProblem(name, pk, f"deleted through the application (audit entry #{seq}) "
                                                        "but present again: re-inserted outside it"))
                continue
            cols = colsets.get(colkey)
            if cols is None:
                problems.append(RecordProblem(name, pk, f"the column list of its seal (audit entry #{seq}) is "
                                                        "missing"))
                continue
            if not row_ok:
                changed = _names(cols, fields, _form(name, raw, moved, seq))
                what = ", ".join(changed) if changed else "a field (which one cannot be told)"
                problems.append(RecordProblem(name, pk, f"{what} changed outside the application (last "
                                                        f"written by audit entry #{seq})"))
            for _what, o_seq, o_cols, o_digest in once.get(name, {}).get(pk, ()):
                if not content_matches(name, pk, o_cols, _form(name, raw, moved, o_seq), o_digest):
                    problems.append(RecordProblem(name, pk, f"{', '.join(o_cols)} changed after it was recorded "
                                                            f"(sealed by audit entry #{o_seq})"))
            if rule is not None:
                sealed_content = named.get(pk)
                if sealed_content is None and rule.first_seal:  # its first row seal is its content seal
                    f_seq, f_colkey, f_digest, _ff = first[name][pk]
                    f_cols = colsets.get(f_colkey)
                    if f_seq != seq and (f_digest == TOMBSTONE or f_cols is None
                                         or row_digest(name, pk, f_cols, _form(name, raw, moved, f_seq)) != f_digest):
                        problems.append(RecordProblem(name, pk, f"the {_possessive(rule.what)} content differs from what "
                                                                f"was sealed by audit entry #{f_seq}"))
                elif sealed_content is None:
                    if rule.when(raw):
                        problems.append(RecordProblem(name, pk, f"marked as {_a(rule.what)} outside the "
                                                                "application (no content seal)"))
                else:
                    c_seq, c_cols, c_digest = sealed_content
                    if not content_matches(name, pk, c_cols, _form(name, raw, moved, c_seq), c_digest):
                        problems.append(RecordProblem(name, pk, f"the {_possessive(rule.what)} content differs from what "
                                                                f"was sealed by audit entry #{c_seq}"))
        for pk, (seq, _cols, digest, _f) in sealed_rows.items():
            if digest != TOMBSTONE and pk not in seen:
                problems.append(RecordProblem(name, pk, f"deleted outside the application (last written by audit "
                                                        f"entry #{seq})"))
        gone_content = {pk: v[0] for pk, v in content.get(name, {}).items()}
        if rule is not None and rule.first_seal:  # final from its first seal: never deleted by the program
            gone_content.update({pk: v[0] for pk, v in first.get(name, {}).items() if v[2] != TOMBSTONE})
        for pk, c_seq in gone_content.items():
            if pk not in seen:
                problems.append(RecordProblem(name, pk, f"the sealed content (audit entry #{c_seq}) is gone: the "
                                                        "row was deleted"))
    # the content seals' rows are already reported as deleted when their rows are gone; keep one line each
    return list(dict.fromkeys(problems))


def _form(name: str, row: Mapping[str, Any], moved: int | None, seq: int) -> Mapping[str, Any]:
    """``row`` as the seal of entry ``seq`` digested it: in the file's form when that seal was made in the
    file a server was moved from (:mod:`.seals.filed_form`), else as it is."""
    return as_filed(name, row) if filed_before(moved, seq) else row


def _dropped(held: int) -> str:
    """A whole audited table gone: how many rows the audit log vouched for when it was last written to."""
    if held:
        rows = "1 sealed row" if held == 1 else f"{held} sealed rows"
        return (f"the whole table is missing (dropped outside the application); the audit log says it held "
                f"{rows}; restore the database from a backup made before it was dropped")
    return ("the whole table is missing (dropped outside the application); the audit log records no rows in it; "
            "restore the database from a backup made before it was dropped")


def _settled(conn: Connection, check: Callable[[Connection], list[RecordProblem]]) -> list[RecordProblem]:
    """``check(conn)``, and when it finds a problem on PostgreSQL, the same check once more in a fresh
    transaction that reads every table as at one moment (REPEATABLE READ): only what that finds is said.
    Team mode's READ COMMITTED reads the seals and the row in separate statements, and a colleague's
    ordinary save committed between them (a new row, a new seal) made an untouched record read as "changed
    outside the application"; a change made outside the program is found again in the snapshot. A path
    that holds the row's lock finds no such race, and SQLite's read transaction is one snapshot already."""
    problems = check(conn)
    if not problems or conn.dialect.name != "postgresql" or conn.get_execution_options().get(_SNAPSHOT):
        return problems
    with conn.engine.connect().execution_options(isolation_level="REPEATABLE READ", adk_write=False,
                                                 **{_SNAPSHOT: True}) as fresh, fresh.begin():
        return check(fresh)


#: the execution option that marks :func:`_settled`'s own snapshot connection (it is not checked again)
_SNAPSHOT = "adk_seal_snapshot"


def check_rows(conn: Connection, name: str, ids: Sequence[int], *,
               deleted_too: bool = False) -> list[RecordProblem]:
    """A few rows of one audited table (integer ids) against their latest row seal and, for a final
    record (``seals.CONTENT_RULES``), their content seal: what a document made from them must not go out
    without. The audit entries those seals belong to are checked too: each entry's own hash, the seal
    records it carries, and the next entry's link to it (seals rewritten with the key, and the entry
    beside them, are caught unless every later entry was rewritten as well, which the anchor outside the
    database shows: ``verify``). ``deleted_too``: also any row of the table deleted outside the program (a
    newer version of a record deleted, so that an older one goes out in its place). A quick check of those
    rows alone; ``verify`` checks every row and the whole chain against its anchor. On PostgreSQL a problem
    found is checked again in one snapshot before it is said (:func:`_settled`): a colleague's save committed
    meanwhile is never taken for a change made outside the program."""
    return _settled(conn, lambda c: _check_rows(c, name, ids, deleted_too=deleted_too))


def _check_rows(conn: Connection, name: str, ids: Sequence[int], *, deleted_too: bool) -> list[RecordProblem]:
    wanted = sorted({int(i) for i in ids})
    problems = _deleted_rows(conn, name) if deleted_too else []
    if not wanted:
        return problems
    seal_t = cast(Table, AuditSeal.__table__)
    log = cast(Table, AuditEntry.__table__)
    keys = [str(i) for i in wanted]
    latest: dict[str, tuple[int, str, str, str]] = {}
    for seq, entity_id, cols, digest, fields in conn.execute(
            select(seal_t.c.seq, seal_t.c.entity_id, seal_t.c.columns, seal_t.c.digest, seal_t.c.fields)
            .where(seal_t.c.entity == name, seal_t.c.entity_id.in_(keys)).order_by(seal_t.c.seq, seal_t.c.id)):
        latest[str(entity_id)] = (int(seq), str(cols), str(digest), str(fields))
    colsets = {str(k): str(v).split(",") if v else [] for k, v in conn.execute(
        select(AuditColumns.key, AuditColumns.columns).where(AuditColumns.key.in_({v[1] for v in latest.values()})))}
    content: dict[str, tuple[int, list[str], str]] = {}
    for seq, entity_id, detail, seal in conn.execute(
            select(log.c.seq, log.c.entity_id, log.c.detail, log.c.seal)
            .where(log.c.action == CONTENT_SEAL, log.c.entity == name, log.c.entity_id.in_(keys))
            .order_by(log.c.seq)):
        inner = detail[detail.find("(") + 1:detail.rfind(")")] if "(" in detail else ""
        content.setdefault(str(entity_id), (int(seq), [c.strip() for c in inner.split(",") if c.strip()], str(seal)))
    inline_seqs: set[int] = set()
    for seq, entity_id, cols, digest in conn.execute(  # inline content seals (ContentRule.inline): the first
            select(seal_t.c.seq, seal_t.c.entity_id, seal_t.c.columns, seal_t.c.digest)
            .where(seal_t.c.entity == name + INLINE_CONTENT, seal_t.c.entity_id.in_(keys))
            .order_by(seal_t.c.seq, seal_t.c.id)):
        if str(entity_id) in content:
            continue
        listed = conn.scalar(select(AuditColumns.columns).where(AuditColumns.key == cols))
        content[str(entity_id)] = (int(seq), str(listed).split(",") if listed else [], str(digest))
        inline_seqs.add(int(seq))
    table = audited_tables()[name]
    (key,) = _pk_columns(table)
    rows = conn.exec_driver_sql(  # raw values, as the seals were made from (the ids are integers)
        f'SELECT * FROM "{name}" WHERE "{key}" IN ({",".join(keys)})')
    names = {str(k): i for i, k in enumerate(rows.keys())}
    found = {str(r[names[key]]): _RowView(names, tuple(r)) for r in rows}
    rule = CONTENT_RULES.get(name)
    moved = moved_at(conn)
    problems += _vouched(conn, name, {v[0] for v in latest.values()} | inline_seqs,
                         {c[0] for c in content.values()} - inline_seqs)
    for pk in keys:
        row = found.get(pk)
        sealed = latest.get(pk)
        if row is None:
            if sealed is not None and sealed[2] != TOMBSTONE:
                problems.append(RecordProblem(name, pk, f"deleted outside the application (last written by audit "
                                                        f"entry #{sealed[0]})"))
            continue
        if sealed is None or sealed[2] == TOMBSTONE or sealed[1] not in colsets:
            problems.append(RecordProblem(name, pk, "not as the application last wrote it (no seal in the audit "
                                                    "log)"))
            continue
        seq, colkey, digest, fields = sealed
        cols = colsets[colkey]
        if row_digest(name, pk, cols, _form(name, row, moved, seq)) != digest:
            changed = _names(cols, fields, _form(name, row, moved, seq))
            what = ", ".join(changed) if changed else "a field (which one cannot be told)"
            problems.append(RecordProblem(name, pk, f"{what} changed outside the application (last written by "
                                                    f"audit entry #{seq})"))
        if rule is None:
            continue
        c = content.get(pk)
        if c is not None and not content_matches(name, pk, c[1], _form(name, row, moved, c[0]), c[2]):
            problems.append(RecordProblem(name, pk, f"the {_possessive(rule.what)} content differs from what was "
                                                    f"sealed by audit entry #{c[0]}"))
        elif c is None and rule.when(row) and not rule.first_seal:
            problems.append(RecordProblem(name, pk, f"marked as {_a(rule.what)} outside the application (no "
                                                    "content seal)"))
    return list(dict.fromkeys(problems))


def check_parts(conn: Connection, name: str, owner_column: str, owner_id: int,
                ids: Sequence[int]) -> list[RecordProblem]:
    """The rows of ``name`` that belong to one record (those whose ``owner_column`` is ``owner_id``: an item's
    screening findings) against their seals (:func:`check_rows`): those stored under it now (``ids``), those
    the program created under it (their "create" audit entry says so: a row deleted, or moved to another
    record, outside the program is named), and any row of ``name`` deleted outside the program that has no
    such entry (the demo's or an import's bulk seals: whose row it was cannot be told, so it is counted
    against this one too). A row deleted outside the program that was created under another record is that
    record's. Checked again in one snapshot before a problem is said, as :func:`check_rows`."""
    return _settled(conn, lambda c: _check_parts(c, name, owner_column, owner_id, ids))


def _check_parts(conn: Connection, name: str, owner_column: str, owner_id: int,
                 ids: Sequence[int], *, others: bool = True) -> list[RecordProblem]:
    """:func:`check_parts`; ``others=False``: without the rows deleted outside the program that no entry says
    whose they were (every seal of the table read): only this owner's rows."""
    import json

    log = cast(Table, AuditEntry.__table__)

    def created_under(rows: Any) -> dict[int, object]:
        out: dict[int, object] = {}
        for entity_id, changes in rows:
            try:
                owner = json.loads(changes or "{}").get(owner_column)
            except (ValueError, AttributeError):
                owner = None
            if str(entity_id).isdigit():
                out[int(entity_id)] = owner
        return out

    created = select(log.c.entity_id, log.c.changes).where(log.c.entity == name, log.c.action == "create")
    ours = {k for k, owner in created_under(conn.execute(created.where(
        log.c.changes.like(f'%"{owner_column}": {int(owner_id)}%')))).items() if owner == int(owner_id)}
    problems = check_rows(conn, name, sorted(set(ids) | ours))
    # SQLite numbers a new row after the highest one left: a row deleted outside the program can have its
    # number used again by another record's new row, whose seal then hides the deletion from check_rows
    steps: dict[int, list[tuple[str, object]]] = defaultdict(list)
    for entity_id, action, changes in conn.execute(
            select(log.c.entity_id, log.c.action, log.c.changes).where(
                log.c.entity == name, log.c.action.in_(("create", "delete")),
                log.c.entity_id.in_([str(k) for k in sorted(ours)])).order_by(log.c.seq)) if ours else ():
        step_owner = created_under([(entity_id, changes)]).get(int(entity_id)) if action == "create" else None
        steps[int(entity_id)].append((str(action), step_owner))
    for k in sorted(ours):
        seen = steps.get(k, [])
        for i, (action, step_owner) in enumerate(seen[:-1]):
            if action == "create" and step_owner == int(owner_id) and seen[i + 1][0] == "create":
                problems.append(RecordProblem(name, str(k), "deleted outside the application (its number was "
                                                            "then given to a new row of another record)"))
                break
    if not others:
        return list(dict.fromkeys(problems))
    gone = [p for p in _deleted_rows(conn, name) if p.entity_id.isdigit() and int(p.entity_id) not in ours]
    if gone:
        known = created_under(conn.execute(created.where(log.c.entity_id.in_([p.entity_id for p in gone]))))
        problems += [p for p in gone if int(p.entity_id) not in known]
    return list(dict.fromkeys(problems))


def _deleted_rows(conn: Connection, name: str) -> list[RecordProblem]:
    """Rows of ``name`` whose latest seal says they exist but which are gone (deleted outside the program)."""
    seal_t = cast(Table, AuditSeal.__table__)
    latest: dict[str, tuple[int, str]] = {}
    for seq, entity_id, digest in conn.execute(
            select(seal_t.c.seq, seal_t.c.entity_id, seal_t.c.digest).where(seal_t.c.entity == name)
            .order_by(seal_t.c.seq, seal_t.c.id)):
        latest[str(entity_id)] = (int(seq), str(digest))
    (key,) = _pk_columns(audited_tables()[name])
    present = {str(k) for (k,) in conn.exec_driver_sql(f'SELECT "{key}" FROM "{name}"')}
    return [RecordProblem(name, pk, f"deleted outside the application (last written by audit entry #{seq})")
            for pk, (seq, digest) in sorted(latest.items(), key=lambda kv: kv[1][0])
            if digest != TOMBSTONE and pk not in present]


def _vouched(conn: Connection, name: str, row_seqs: set[int], content_seqs: set[int]) -> list[RecordProblem]:
    """The audit entries ``row_seqs`` (row seals) and ``content_seqs`` (content seals) as they were written:
    each one's hash over its content, the next entry's (or the head's) link to it, and for row seals the
    digest of the seal records written with it."""
    from adoption_desktop.core.audit.chain import entry_hash
    from adoption_desktop.core.audit.models import AuditHead

    seqs = row_seqs | content_seqs
    if not seqs:
        return []
    log = cast(Table, AuditEntry.__table__)
    wanted = seqs | {q + 1 for q in seqs}
    entries = {int(e.seq): e for e in conn.execute(select(log).where(log.c.seq.in_(sorted(wanted))))}
    head_t = cast(Table, AuditHead.__table__)
    head = conn.execute(select(head_t.c.last_hash).where(head_t.c.id == 1)).first()
    seal_t = cast(Table, AuditSeal.__table__)
    where = _database_key(conn)
    # a bulk entry (the demo's, an upgrade's first seals) can hold hundreds of thousands of seal records: once
    # they were found to match an entry's digest in this process, they are not read again for it
    to_read = sorted(q for q in row_seqs if (where, q, entries[q].hash if q in entries else "") not in _BULK_OK)
    counts: dict[int, int] = {int(q): int(n) for q, n in conn.execute(
        select(seal_t.c.seq, func.count()).where(seal_t.c.seq.in_(to_read)).group_by(seal_t.c.seq))} if to_read else {}
    lines: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for seq, entity, entity_id, digest in conn.execute(
            select(seal_t.c.seq, seal_t.c.entity, seal_t.c.entity_id, seal_t.c.digest)
            .where(seal_t.c.seq.in_(to_read))) if to_read else ():
        lines[int(seq)].append((str(entity), str(entity_id), str(digest)))
    problems: list[RecordProblem] = []
    for seq in sorted(seqs):
        e = entries.get(seq)
        if e is None:
            problems.append(RecordProblem(name, "*", f"audit entry #{seq}, which holds its seal, is missing"))
            continue
        nxt = entries.get(seq + 1)
        link = nxt.prev_hash if nxt is not None else (head.last_hash if head is not None else None)
        if nxt is None and link != e.hash:  # another session appended after the first read (team mode's
            # READ COMMITTED): its next entry is there now, and links to this one unless this was altered
            later = conn.execute(select(log.c.prev_hash).where(log.c.seq == seq + 1)).first()
            link = later.prev_hash if later is not None else link
        own = entry_hash(e.prev_hash, e.seq, e.at, e.actor_id, e.actor, e.action, e.entity, e.entity_id,
                         e.changes, e.detail, e.seal or "")
        if own != e.hash or link != e.hash:
            problems.append(RecordProblem(name, "*", f"audit entry #{seq}, which holds its seal, was altered"))
        elif seq in row_seqs and seq in to_read:
            if aggregate(lines.get(seq, [])) != e.seal:
                problems.append(RecordProblem(name, "*", f"the seal records of audit entry #{seq} were altered, "
                                                         "added or removed"))
            elif int(counts.get(seq, 0)) >= BULK_SEALS:
                _BULK_OK.add((where, seq, str(e.hash)))
    return problems


#: an entry with at least this many seal records is read once per process by the exports' check (``verify``
#: reads every one, every time)
BULK_SEALS = 5_000
_BULK_OK: set[tuple[str, int, str]] = set()


def _database_key(conn: Connection) -> str:
    """Which database ``conn`` is on (its URL without the password): the bulk-entry memo is per database."""
    return conn.engine.url.render_as_string(hide_password=True)


def require_sealed(conn: Connection, name: str, ids: Sequence[int], what: str, *,
                   labels: Mapping[int, str] | None = None, deleted_too: bool = False) -> None:
    """Refuse (:class:`SealBroken`) when any of the rows ``ids`` of ``name`` is not as sealed
    (:func:`check_rows`): ``what`` names them for the person ("The approved minutes of this sitting"),
    ``labels`` each row by what the person knows it as ("the minutes of PA-2026-021")."""
    problems = check_rows(conn, name, ids, deleted_too=deleted_too)
    if problems:
        from adoption_desktop.core.errors import SealBroken

        first = problems[0]
        label = (labels or {}).get(int(first.entity_id)) if first.entity_id.isdigit() else None
        shown = f"{label}: {first.message} ({first.entity} row {first.entity_id})" if label else str(first)
        raise SealBroken(f"{what} are not as they were sealed: {shown}"
                         + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
                         + ". Nothing was made from them. Ask an administrator to run 'adoption-desktop verify' "
                           "and to restore the database from a backup taken before the change.")


def row_seal_problem(conn: Connection, name: str, row_id: int) -> str:
    """What is wrong with one row of ``name`` against its seals (:func:`check_rows`), in words a person reads:
    the first problem, its fields named without underscores ("addressee, recommendation reasons changed
    outside the application …"), always saying it was changed outside the application; "" when the row is as
    the application sealed it."""
    problems = check_rows(conn, name, [row_id])
    if not problems:
        return ""
    said = problems[0].message.replace("_", " ")
    if "outside the application" not in said:  # "the signed decision's content differs from what was sealed …"
        said += ": changed outside the application"
    return said  # the others (its content seal, the audit entry) say the same row again in other words


#: the last words of every refusal to build on a row changed outside the application
ASK_ADMINISTRATOR = ("Ask an administrator to run 'adoption-desktop verify' and to restore the database from a "
                     "backup taken before the change.")


def require_unchanged(conn: Connection, name: str, row_id: int, what: str, refused: str) -> None:
    """Refuse (:class:`SealBroken`) to build anything new from the row ``row_id`` of ``name`` (a correction,
    a final decision, a letter made again) when it is not as the application last sealed it: the new row
    would carry the words changed outside the application under a valid signature or approval, and the
    change would no longer show. ``what`` says which record and how ("This signed decision is not as it was
    signed"), ``refused`` what was not done and what was kept ("It was not corrected: nothing was saved …")."""
    problem = row_seal_problem(conn, name, row_id)
    if problem:
        from adoption_desktop.core.errors import SealBroken

        raise SealBroken(f"{what}: {problem}. {refused} {ASK_ADMINISTRATOR}")


def require_as_last_saved(session: Session, name: str, row_id: int, what: str, refused: str) -> None:
    """Before the program changes a row of a final-record table (``seals.CONTENT_RULES``: a draft decision
    saved or signed, minutes saved or approved, a letterbox item changed or given its outcome, a counselling
    case changed or closed), refuse (:class:`SealBroken`, as :func:`require_unchanged`) when the row is not as
    the program last sealed it: a draft reworded in SQL, or a final record made to look like a draft
    (``signed_at`` set back to NULL), would otherwise be signed, approved or closed with the outside change
    in it, and the new seal would vouch for it. Called on the row as it is stored, under the row lock the
    change takes (one row and its seals: no table scan). A row written earlier by this session's
    ``audit.bulk_audit`` (the demo, an import) has no seal until the bulk ends and is the program's own: it is
    not checked here (the bulk checked it against its seal the first time it touched it, and refused it
    then if it did not match: see ``capture._check_seals_before_flush``)."""
    if session.info.get("audit_disabled"):
        return
    if session.info.get("audit_bulk") is not None:
        written = session.info.get("audit_bulk_rows", {}).get(name)
        if written is not None and any(pk_string(pk) == str(row_id) for pk in written[1]):
            return
    require_unchanged(session.connection(), name, row_id, what, refused)


def require_parts_as_last_saved(session: Session, name: str, owner_column: str, owner_id: int,
                                ids: Sequence[int], what: str, part: str, refused: str, *,
                                matches: Callable[[Connection], bool] | None = None,
                                differs: str = "") -> None:
    """:func:`require_as_last_saved` for the rows of ``name`` whose ``owner_column`` is ``owner_id``
    (:func:`check_parts`: an item's screening findings, whose decisions say what its forward may carry):
    refused (:class:`SealBroken`) when one was changed, inserted or deleted outside the program. ``part``
    names such a row for the person ("a screening finding"). Called under the owner's row lock, after the
    owner's own row was checked.

    ``matches``: when the owner's row carries a digest of these rows that its seal covers (:func:`seal_covers`;
    the program writes it with every change to them), whether the rows as they now are still give that digest.
    Then nothing else is read (not every row's seal of the table); a mismatch is refused, named as
    :func:`check_parts` names it for this owner's rows where it can be told, else in the words ``differs``
    (default :data:`DIGEST_DIFFERS`). Without it (an owner saved before
    it carried a digest) every seal of the table is read, as :func:`check_parts` says."""
    if session.info.get("audit_disabled"):
        return
    if session.info.get("audit_bulk") is not None and session.info.get("audit_bulk_rows", {}).get(name):
        return  # rows written by this bulk have no seal until it ends (checked as the bulk touched them)
    conn = session.connection()
    if matches is None:
        problems = check_parts(conn, name, owner_column, owner_id, ids)
    elif matches(conn):
        return
    else:  # the words only: which of this owner's rows, and how (the refusal itself stands on the digest)
        problems = _settled(conn, lambda c: _check_parts(c, name, owner_column, owner_id, ids, others=False))
        problems = problems or [RecordProblem(name, "*", differs or DIGEST_DIFFERS)]
    _refuse_parts(problems, what, part, refused)


#: what is said when an owner's parts no longer give the digest saved with it and no row of them can be named
#: (one made in bulk, with no entry of its own, deleted outside the program)
DIGEST_DIFFERS = "added, changed or deleted outside the application"


def _refuse_parts(problems: Sequence[RecordProblem], what: str, part: str, refused: str) -> None:
    if problems:
        from adoption_desktop.core.errors import SealBroken

        said = problems[0].message.replace("_", " ")
        if "outside the application" not in said:
            said += ": changed outside the application"
        row = f" (row {problems[0].entity_id})" if problems[0].entity_id != "*" else ""
        raise SealBroken(f"{what}: {part}{row}: {said}. {refused} {ASK_ADMINISTRATOR}")


def seal_covers(conn: Connection, name: str, row_id: int, column: str) -> bool:
    """Whether the latest seal of row ``row_id`` of ``name`` covers ``column`` (a row sealed before the column
    was added, and not sealed again since, does not: a value written into it outside the program would pass
    the row's check). Two key lookups."""
    seal_t = cast(Table, AuditSeal.__table__)
    colkey = conn.execute(select(seal_t.c.columns).where(seal_t.c.entity == name, seal_t.c.entity_id == str(row_id))
                          .order_by(seal_t.c.seq.desc(), seal_t.c.id.desc()).limit(1)).scalar()
    if colkey is None:
        return False
    listed = conn.execute(select(AuditColumns.columns).where(AuditColumns.key == colkey)).scalar()
    return column in (str(listed).split(",") if listed else [])


def _a(what: str) -> str:
    """"a signed decision", "approved minutes" (no article before a plural)."""
    return what if what.endswith("s") else f"a {what}"


def _possessive(what: str) -> str:
    """"the signed decision's", "the approved minutes'"."""
    return f"{what}'" if what.endswith("s") else f"{what}'s"


class _RowView(Mapping[str, Any]):
    """A raw row tuple read by column name (only built for rows that need a closer look)."""

    def __init__(self, names: dict[str, int], row: Sequence[Any]) -> None:
        self._names, self._row = names, row

    def __getitem__(self, key: str) -> Any:
        return self._row[self._names[key]]

    def __iter__(self) -> Any:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _scan(conn: Connection, name: str, keys: list[str], sealed: Mapping[str, tuple[int, str, str, str]],
          colsets: Mapping[str, list[str]], moved: int | None = None) -> Any:
    """Yield ``(pk, row, matches_its_seal)`` for every row of a table, reading raw tuples (fast path). A row
    whose seal was made in the file a server was moved from (before entry ``moved``) is digested in the
    file's form (:mod:`.seals.filed_form`)."""
    cur = conn.connection.cursor()
    try:
        cur.execute(f'SELECT * FROM "{name}"')
        names = {d[0]: i for i, d in enumerate(cur.description or ())}
        pk_pos = [names[k] for k in keys]
        single = pk_pos[0] if len(pk_pos) == 1 else None
        plans: dict[str, tuple[list[str], Any] | None] = {}
        while True:
            batch = cur.fetchmany(5000)
            if not batch:
                break
            for row in batch:
                if single is None:
                    pk = "/".join(_pk_part(row[p]) for p in pk_pos)
                else:
                    v = row[single]
                    pk = str(v) if type(v) is int else _pk_part(v)
                seal = sealed.get(pk)
                ok = False
                if seal is not None and seal[2] != TOMBSTONE and filed_before(moved, seal[0]):
                    cols = colsets.get(seal[1])
                    filed = as_filed(name, _RowView(names, row))
                    ok = cols is not None and row_digest(name, pk, cols, filed) == seal[2]
                elif seal is not None and seal[2] != TOMBSTONE:
                    colkey = seal[1]
                    if colkey not in plans:
                        cols = colsets.get(colkey)
                        if cols is None or any(c not in names for c in cols) or not cols:
                            plans[colkey] = None
                        else:
                            plans[colkey] = (cols, itemgetter(*[names[c] for c in cols]))
                    plan = plans[colkey]
                    if plan is not None:
                        vals = plan[1](row)
                        ok = digest_values(name, pk, plan[0], vals if len(plan[0]) > 1 else (vals,)) == seal[2]
                    elif colsets.get(colkey) is not None:
                        cols = colsets[colkey]
                        ok = row_digest(name, pk, cols, _RowView(names, row)) == seal[2]
                yield pk, _RowView(names, row), ok
    finally:
        cur.close()


def _content_seals(conn: Connection) -> dict[str, dict[str, tuple[int, list[str], str]]]:
    log = cast(Table, AuditEntry.__table__)
    out: dict[str, dict[str, tuple[int, list[str], str]]] = defaultdict(dict)
    for seq, entity, entity_id, detail, seal in conn.execute(
            select(log.c.seq, log.c.entity, log.c.entity_id, log.c.detail, log.c.seal)
            .where(log.c.action == CONTENT_SEAL).order_by(log.c.seq)):
        inner = detail[detail.find("(") + 1:detail.rfind(")")] if "(" in detail else ""
        cols = [c.strip() for c in inner.split(",") if c.strip()]
        out[entity].setdefault(entity_id, (seq, cols, seal))
    return out


def unvouched_seals(conn: Connection, entity: str, keys: Sequence[str]) -> set[str]:
    """Of these row keys of ``entity``, those whose latest seal record no intact audit entry stands behind:
    a seal record with no entry at its ``seq``, an entry whose own hash or the next entry's link to it does
    not hold, or (for an entry of fewer than :data:`BULK_SEALS` seal records) seal records that do not add
    up to the digest the entry carries. Whoever holds the key or the server login can write a row *and* a
    seal record matching it; this asks for the audit entry as well, which the chain and the anchors outside
    the database keep honest. A bulk entry's seal records (the demo's, an upgrade's first seals) are not
    read here: ``verify`` reads them. Asked before a role row is trusted at sign-in."""
    from adoption_desktop.core.audit.chain import entry_hash
    from adoption_desktop.core.audit.models import AuditHead

    if not keys:
        return set()
    seal_t = cast(Table, AuditSeal.__table__)
    log = cast(Table, AuditEntry.__table__)
    latest: dict[str, int] = {}
    record: dict[str, int] = {}  # the id of each key's latest seal record
    for seq, entity_id, rid in conn.execute(select(seal_t.c.seq, seal_t.c.entity_id, seal_t.c.id).where(
            seal_t.c.entity == entity, seal_t.c.entity_id.in_(list(keys))).order_by(seal_t.c.seq, seal_t.c.id)):
        latest[str(entity_id)] = int(seq)
        record[str(entity_id)] = int(rid)
    seqs = set(latest.values())
    if not seqs:
        return set()
    entries = {int(e.seq): e for e in conn.execute(select(log).where(
        log.c.seq.in_(sorted(seqs | {q + 1 for q in seqs}))))}
    head = conn.execute(select(cast(Table, AuditHead.__table__).c.last_hash)).first()
    counts = {int(q): int(n) for q, n in conn.execute(
        select(seal_t.c.seq, func.count()).where(seal_t.c.seq.in_(sorted(seqs))).group_by(seal_t.c.seq))}
    small = sorted(q for q in seqs if counts.get(q, 0) < BULK_SEALS)
    lines: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for seq, ent, entity_id, digest in conn.execute(
            select(seal_t.c.seq, seal_t.c.entity, seal_t.c.entity_id, seal_t.c.digest)
            .where(seal_t.c.seq.in_(small))) if small else ():
        lines[int(seq)].append((str(ent), str(entity_id), str(digest)))
    bad: set[int] = set()
    for seq in seqs:
        e = entries.get(seq)
        if e is None:
            bad.add(seq)
            continue
        nxt = entries.get(seq + 1)
        link = nxt.prev_hash if nxt is not None else (head.last_hash if head is not None else None)
        if nxt is None and link != e.hash:  # appended after the first read (a reader beside the writers)
            later = conn.execute(select(log.c.prev_hash).where(log.c.seq == seq + 1)).first()
            link = later.prev_hash if later is not None else link
        own = entry_hash(e.prev_hash, e.seq, e.at, e.actor_id, e.actor, e.action, e.entity, e.entity_id,
                         e.changes, e.detail, e.seal or "")
        if own != e.hash or link != e.hash or (seq in lines and aggregate(lines[seq]) != e.seal):
            bad.add(seq)
    out = {key for key, seq in latest.items() if seq in bad}
    # a bulk entry's records are not read: a record filed under it must at least sit among them, not after
    # records of later entries (one appended afterwards with the bulk entry's number): two key lookups
    for key, seq in latest.items():
        if key not in out and seq not in lines and not _among_its_entry(conn, record[key], seq):
            out.add(key)
    return out


def _among_its_entry(conn: Connection, record_id: int, seq: int) -> bool:
    """Seal records are written with their entry, each entry's after the one before: the records either
    side of this one (by id) belong to entries no later (before it) and no earlier (after it) than its own."""
    seal_t = cast(Table, AuditSeal.__table__)
    before = conn.execute(select(seal_t.c.seq).where(seal_t.c.id < record_id)
                          .order_by(seal_t.c.id.desc()).limit(1)).scalar()
    after = conn.execute(select(seal_t.c.seq).where(seal_t.c.id > record_id)
                         .order_by(seal_t.c.id).limit(1)).scalar()
    return (before is None or int(before) <= seq) and (after is None or int(after) >= seq)
