"""The audit of rows written in bulk with Core inserts (which the flush hook does not see).

Every inserted row is named in the hash chain, in one of two ways, whichever the audit module offers:

* **row seals** (``core.audit.seals.seal_change``, when present): one ``bulk_create`` entry per table and
  batch, with a seal per inserted row (table, id, digest of its values) that the entry's hash covers —
  the way ``core.audit.bulk_audit`` records generated data — so ``verify`` checks each row against its seal;
* otherwise **one ``create`` entry per row**, exactly as the flush hook writes it for a row saved from a form
  (table, id, the row's values), chained in memory and appended with one executemany (:func:`append_many`).

Either way the chain verifies with ``adoption-desktop verify``, and it all commits or rolls back with the
import's transaction.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import Table, insert, inspect, update
from sqlalchemy.orm import Session

from adoption_desktop.core.audit import REDACTED, AuditEntry, AuditHead, entry_hash, take_head
from adoption_desktop.core.security.permissions import SYSTEM, Principal

Entry = tuple[str, str, object, dict[str, Any] | None, str]  # action, entity, entity_id, changes, detail


def _seal_change() -> Callable[..., int] | None:
    try:
        module = importlib.import_module("adoption_desktop.core.audit.seals")
    except ImportError:
        return None
    found = getattr(module, "seal_change", None)
    return cast(Callable[..., int], found) if callable(found) else None


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


_insert_keys: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def _keys(model: type[Any]) -> tuple[tuple[str, Any], ...]:
    """(attribute, scalar default or None) of every column the hook logs."""
    keys = _insert_keys.get(model)
    if keys is None:
        found: list[tuple[str, Any]] = []
        for attr in inspect(model).column_attrs:
            if attr.key in {"created_at", "updated_at"}:
                continue
            default = attr.columns[0].default
            found.append((attr.key, default.arg if default is not None and default.is_scalar else None))
        keys = _insert_keys[model] = tuple(found)
    return keys


def insert_changes(model: type[Any], values: dict[str, Any]) -> dict[str, Any]:
    """The ``changes`` the flush hook records when a row of ``model`` with ``values`` is created (a column
    left out of ``values`` has its scalar default, as the insert gives it)."""
    redact: frozenset[str] = getattr(model, "__audit_redact__", frozenset())
    out: dict[str, Any] = {}
    for key, default in _keys(model):
        value = values.get(key, default)
        if value is None:
            continue
        out[key] = REDACTED if key in redact else value if type(value) in (str, int, bool) else _json_value(value)
    return out


def append_many(session: Session, entries: Sequence[Entry], *, actor: Principal | None = None) -> int:
    """Append ``entries`` in the caller's transaction: the head is locked and moved once, the hashes are
    chained in memory, the rows go in with executemany. The result is what appending them one at a time
    would have written (same hashes, same order)."""
    if not entries:
        return 0
    session.flush()
    who = actor or session.info.get("actor", SYSTEM)
    conn = session.connection()
    head = cast(Table, AuditHead.__table__)
    n = len(entries)
    last, prev, now = take_head(conn, n)  # the server's clock in team mode, as for one entry
    seq = last - n
    at = now.isoformat(timespec="microseconds")
    rows: list[dict[str, Any]] = []
    for action, entity, entity_id, changes, detail in entries:
        seq += 1
        ident = str(entity_id)
        changes_json = json.dumps(changes, ensure_ascii=False, sort_keys=True) if changes else ""
        digest = entry_hash(prev, seq, at, who.user_id, who.username, action, entity, ident, changes_json, detail)
        rows.append({"seq": seq, "at": at, "actor_id": who.user_id, "actor": who.username, "action": action,
                     "entity": entity, "entity_id": ident, "changes": changes_json, "detail": detail,
                     "prev_hash": prev, "hash": digest})
        prev = digest
    table = cast(Table, AuditEntry.__table__)
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(table), rows[start:start + 10_000])
    conn.execute(update(head).where(head.c.id == 1).values(last_hash=prev))
    return n


def record_inserted(session: Session, batches: Sequence[tuple[type[Any], Sequence[int], Sequence[dict[str, Any]]]],
                    detail: str) -> None:
    """Audit rows just inserted with Core: ``batches`` of (model, ids, row values), in insertion order."""
    seal_change = _seal_change()
    if seal_change is not None:
        session.flush()
        conn = session.connection()
        actor = session.info.get("actor", SYSTEM)
        for model, ids, _rows in batches:
            if ids:
                seal_change(conn, actor, "bulk_create", cast(Table, model.__table__), [(i,) for i in ids],
                            entity_id="*", detail=f"{detail}: {len(ids)} rows")
        return
    entries: list[Entry] = []
    for model, ids, rows in batches:
        name = model.__tablename__
        entries.extend(("create", name, i, insert_changes(model, {**r, "id": i}), "")
                       for i, r in zip(ids, rows, strict=True))
    append_many(session, entries)
