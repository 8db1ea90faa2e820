"""Shared checks for the undo tests: rows read back from the database, the audit log, ``verify``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from adoption_desktop.core import audit
from adoption_desktop.core.storage.engine import Database

SKIP = {"row_version", "updated_at"}


def rows(db: Database, table: str, where: str = "", **params: Any) -> list[dict[str, Any]]:
    """Every row of ``table`` (matching ``where``), as dicts without the version and update stamp."""
    with db.session(write=False) as session:
        found = session.execute(text(f"SELECT * FROM {table} {('WHERE ' + where) if where else ''} ORDER BY 1"),
                                params).mappings().all()
    return [{k: v for k, v in r.items() if k not in SKIP} for r in found]


def actions(db: Database, entity: str) -> list[str]:
    with db.session(write=False) as session:
        return [a for (a,) in session.execute(select(audit.AuditEntry.action).where(
            audit.AuditEntry.entity == entity, audit.AuditEntry.action != "view").order_by(audit.AuditEntry.seq))]


def assert_verified(db: Database) -> None:
    """``verify``'s record check and hash chain: nothing changed outside the application."""
    with db.session(write=False) as session:
        assert audit.verify_record(session.connection()) == []
        assert audit.verify_chain(session) is None
