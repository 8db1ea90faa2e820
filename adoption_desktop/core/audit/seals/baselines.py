"""Baselines: one entry per table sealing rows that have no seal yet (a database from before row seals,
rows written in bulk), and the content seals of records already final when those seals were introduced."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, select, text

from adoption_desktop.core.audit.chain import append_entry
from adoption_desktop.core.audit.models import AuditSeal
from adoption_desktop.core.audit.seals.content_rules import CONTENT_RULES
from adoption_desktop.core.audit.seals.digests import aggregate, pk_string
from adoption_desktop.core.audit.seals.final_records import _inline_due, _with_content, seal_content
from adoption_desktop.core.audit.seals.row_seals import _make_seals, _off_seal, _Seal, _write
from adoption_desktop.core.audit.seals.tables import _pk_columns, _plain, audited_table, audited_tables
from adoption_desktop.core.security.permissions import SYSTEM, Principal

#: the action of a baseline's entries
BASELINE = "seal_baseline"


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
    seq = append_entry(conn, actor, action, table_name, "*", None, f"{detail}: {len(rows)} rows",
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
            seq = append_entry(conn, SYSTEM, BASELINE, name, "*", None,
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
