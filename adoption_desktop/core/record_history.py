"""Who has seen this record: every opening and every change of one case record, and of the records that belong
to it (an arrangement's items and participants, and the items' scanned letters; a case's requests and
sessions; a decision's letters; a panel item's papers and minutes), read from the audit log, newest first.

For administrators (``audit.view``), from a case window. The read goes through the audit log's index on
(entity, entity_id) (migration ``access_0001_reviews``): one lookup per record, never a read of the whole log.
Looking is itself audited, as a view of the audit log naming the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.audit import readable
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database

#: the entries listed at most (newest first); the count says how many there are in all
LIMIT = 5000
#: what the audit entry of a look names as its record (entity ``audit_log``, entity id ``TABLE/ID``)
DETAIL = "who has seen this record"


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    at: str  # ISO UTC, as logged
    actor: str
    action: str  # in words (readable.action_label)
    record: str  # which record: the one opened, or one of its parts, in words
    detail: str

    @property
    def seen(self) -> bool:
        """An opening (a view or an export), not a change."""
        return self.action in (readable.action_label(audit.VIEW), readable.action_label("export"))


@dataclass(frozen=True)
class RecordHistory:
    entity: str
    entity_id: str
    rows: tuple[HistoryRow, ...]
    total: int  # entries in all (rows holds the newest LIMIT)
    records: int  # the record and its parts looked up

    @property
    def people(self) -> tuple[str, ...]:
        """Everyone in the list, by user name, in order of first appearance (newest first)."""
        return tuple(dict.fromkeys(r.actor for r in self.rows))


#: how far down the parts are followed: the record's parts, theirs, and theirs (an arrangement → its items →
#: a letter's scanned files → their pages); the files are where a letter is read
DEPTH = 3
#: ids asked for in one IN (well under SQLite's limit on a statement's parameters)
CHUNK = 500


def _records(session: Session, entity: str, entity_id: str) -> tuple[tuple[str, str], ...]:
    """The record and every record belonging to it, down to :data:`DEPTH` levels (each level one indexed
    query per table holding parts: a letter's scanned file belongs to its item, the item to its arrangement,
    and opening the file is the arrangement's most telling view)."""
    from adoption_desktop.core.audit_service import _parts_of
    from adoption_desktop.schema import load_all_models

    found = {(entity, entity_id)}
    table = load_all_models().tables.get(entity)
    if table is None or not entity_id.isdigit():
        return tuple(sorted(found))
    level: dict[Table, set[int]] = {table: {int(entity_id)}}
    for depth in range(DEPTH):
        below: dict[Table, set[int]] = {}
        for parent, ids in level.items():
            ordered = sorted(ids)
            for child, fk_column in _parts_of(parent):
                if depth and not _indexed(child, fk_column):
                    # below the record's own parts, only through an index: a participant's items (no index
                    # on participant_id) read all 100,000 items of the large demo, 0.5 s, and are the
                    # arrangement's items, found already
                    continue
                for start in range(0, len(ordered), CHUNK):
                    for i in session.scalars(select(child.c.id).where(
                            fk_column.in_(ordered[start:start + CHUNK]))):
                        if (child.name, str(i)) not in found:
                            found.add((child.name, str(i)))
                            below.setdefault(child, set()).add(int(i))
        if not below:
            break
        level = below
    return tuple(sorted(found))


def _indexed(table: Table, column: Any) -> bool:
    """Whether an index of ``table`` begins with ``column`` (a lookup by it reads only its rows)."""
    return any(next(iter(index.columns), None) is column for index in table.indexes)


def record_history(db: Database, actor: Principal, entity: str, entity_id: object, *,
                   limit: int = LIMIT) -> RecordHistory:
    """The audit log's entries for the record ``entity`` / ``entity_id`` and its direct parts, newest first;
    the look audited (a ``view`` of ``audit_log``, naming the record)."""
    require(actor, Permission.AUDIT_VIEW)
    ident = str(entity_id)
    with db.session(actor, views_only=True) as session:
        records = _records(session, entity, ident)
        flt = audit.AuditFilter(records=records)
        rows = audit.query_entries(session, flt, limit=limit)
        total = len(rows) if len(rows) < limit else audit.count_entries(session, flt)
        audit.record_view(session, "audit_log", f"{entity}/{ident}", detail=DETAIL)
    return RecordHistory(entity, ident, tuple(
        HistoryRow(r.seq, r.at, r.actor, readable.action_label(r.action), readable.record_label(r.entity, r.entity_id),
                   r.detail) for r in rows), total, len(records))
