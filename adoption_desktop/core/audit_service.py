"""Administrators view, filter and export the audit log (the export itself is audited)."""

from __future__ import annotations

from pathlib import Path

from adoption_desktop.core import audit
from adoption_desktop.core.documents.spreadsheet_safety import csv_writer
from adoption_desktop.core.files import output_file
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database, secure_umask

EXPORT_COLUMNS = ("seq", "at", "actor", "action", "entity", "entity_id", "changes", "detail")


def list_entries(db: Database, actor: Principal, flt: audit.AuditFilter | None = None, *,
                 limit: int = 2000) -> list[audit.AuditRow]:
    require(actor, Permission.AUDIT_VIEW)
    with db.session(actor, write=False) as session:
        return audit.query_entries(session, flt, limit=limit)


def export_csv(db: Database, actor: Principal, out: Path, flt: audit.AuditFilter | None = None) -> int:
    """Write the filtered log to ``out`` (UTF-8 CSV); returns the number of rows written."""
    require(actor, Permission.AUDIT_VIEW)
    secure_umask()
    count = 0
    # the file takes its name only once the export's own entry is committed
    with output_file(out) as partial, db.session(actor) as session:
        with partial.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv_writer(fh)  # a logged value starting with '=' stays text
            writer.writerow(EXPORT_COLUMNS)
            offset = 0
            while True:
                rows = audit.query_entries(session, flt, limit=5000, offset=offset)
                if not rows:
                    break
                for r in rows:
                    writer.writerow([r.seq, r.at, r.actor, r.action, r.entity, r.entity_id, r.changes, r.detail])
                count += len(rows)
                offset += len(rows)
        described = (flt or audit.AuditFilter()).describe()
        audit.record(session, "export", "audit_log", "*", detail=f"{count} entries exported; filter: {described}")
    return count
