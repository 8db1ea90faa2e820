"""Content seals of final records: an entry of its own (action ``seal``) for a signed decision or
approved minutes, or a seal record (``<table>#content``, ``<table>#<set_once group>``) written with the
entry that made the record final."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from adoption_desktop.core.audit.chain import append_entry
from adoption_desktop.core.audit.models import AuditEntry, AuditSeal
from adoption_desktop.core.audit.seals.content_rules import CONTENT_RULES, content_columns
from adoption_desktop.core.audit.seals.digests import (
    INLINE_CONTENT,
    INLINE_DIGEST,
    column_key,
    content_digest,
    field_sums,
)
from adoption_desktop.core.audit.seals.row_seals import _Seal
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage import written

#: the action of a content seal's own entry
CONTENT_SEAL = "seal"
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
        append_entry(conn, actor, CONTENT_SEAL, table, pk, None, f"{rule.what}: content sealed ({', '.join(cols)})",
                     content_digest(table, pk, cols, row))
        written.final_record()  # the anchors move on at the commit (anchors.after_final)
