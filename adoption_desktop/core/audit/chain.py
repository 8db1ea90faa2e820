"""Tamper-evident audit log: every create, update, delete and every view of a case record.

Each entry carries the SHA-256 of the previous entry's hash and its own canonical content, and the
single-row table ``audit_head`` carries the last sequence number and hash. Altering, inserting or
deleting any one row breaks the chain (or the head) and :func:`verify_chain` names the first broken
entry. Changes to audited tables are captured automatically in the session's ``after_flush`` hook
(actor from ``session.info['actor']``); services add ``view`` and domain entries with :func:`record`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    false,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from adoption_desktop.core.audit.models import GENESIS, AuditEntry, AuditHead
from adoption_desktop.core.security.permissions import SYSTEM, Principal
from adoption_desktop.core.storage import written
from adoption_desktop.core.storage.base import server_clock, utcnow


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "value"):  # enums
        return _jsonable(value.value)
    return str(value)


def entry_hash(prev_hash: str, seq: int, at: str, actor_id: int, actor: str, action: str, entity: str,
               entity_id: str, changes: str, detail: str, seal: str = "") -> str:
    content: list[Any] = [prev_hash, seq, at, actor_id, actor, action, entity, entity_id, changes, detail]
    if seal:  # entries written before seals existed keep their hashes
        content.append(seal)
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def take_head(conn: Connection, count: int = 1) -> tuple[int, str, dt.datetime]:
    """Take the log's head for ``count`` new entries in the caller's transaction: the last of their sequence
    numbers, the hash the first of them follows, and the time they are recorded at (naive UTC).

    The head row is locked (updated) before it is read, so no two writers chain onto the same predecessor.
    The time is taken here, before any entry's hash is computed (it is part of what the hash seals). In team
    mode (PostgreSQL) it is the server's clock (:func:`~adoption_desktop.core.storage.base.server_clock`),
    read in the same statement that takes the head, after its lock: no extra round trip (one fewer than the
    UPDATE and SELECT a database file needs), and every PC's entries carry times in the order of the chain
    whatever that PC's own clock says (a PC three minutes slow stamped its entries before the ones they
    follow). On a database file, one PC or two programs on it, this PC's clock is the one clock."""
    head = cast(Table, AuditHead.__table__)
    if conn.dialect.name == "postgresql":
        taken = conn.execute(update(head).where(head.c.id == 1).values(last_seq=head.c.last_seq + count)
                             .returning(head.c.last_seq, head.c.last_hash, server_clock())).first()
        if taken is None:
            conn.execute(insert(head).values(id=1, last_seq=count, last_hash=GENESIS))
            taken = conn.execute(select(head.c.last_seq, head.c.last_hash, server_clock())
                                 .where(head.c.id == 1)).one()
        return int(taken[0]), str(taken[1]), taken[2]
    result = conn.execute(update(head).where(head.c.id == 1).values(last_seq=head.c.last_seq + count))
    if result.rowcount == 0:
        conn.execute(insert(head).values(id=1, last_seq=count, last_hash=GENESIS))
    row = conn.execute(select(head.c.last_seq, head.c.last_hash).where(head.c.id == 1)).one()
    return int(row.last_seq), str(row.last_hash), utcnow()


def append_entry(session: Session | Connection, actor: Principal, action: str, entity: str, entity_id: str,
                 changes: dict[str, Any] | None, detail: str, seal: str = "") -> int:
    """Append one entry to the chain in the caller's transaction and return its sequence number.

    The low-level write under :func:`record`, for code that writes the log itself: the seals (``seal`` is
    the aggregate of the seal rows the caller then writes under the returned number), the column-seal
    upgrade and ``move-to-server``. Unlike :func:`record` it takes a plain ``Connection`` too, does not
    flush a session first and does not read the actor from the session: the caller names it. The head row
    is locked (updated) before it is read, so no two writers chain onto the same predecessor, and the entry's
    time taken with it (:func:`take_head`: the server's clock in team mode); the entry's hash is
    :func:`entry_hash` of exactly what is stored, so :func:`verify_chain` agrees with it."""
    conn = session.connection() if isinstance(session, Session) else session
    head = cast(Table, AuditHead.__table__)
    seq, prev, now = take_head(conn)
    entity_id = str(entity_id)
    at = now.isoformat(timespec="microseconds")  # fixed before the hash: the time is part of what is sealed
    changes_json = json.dumps(changes, ensure_ascii=False, sort_keys=True) if changes else ""
    digest = entry_hash(prev, seq, at, actor.user_id, actor.username, action, entity, entity_id,
                        changes_json, detail, seal)
    conn.execute(insert(cast(Table, AuditEntry.__table__)).values(
        seq=seq, at=at, actor_id=actor.user_id, actor=actor.username, action=action, entity=entity,
        entity_id=entity_id, changes=changes_json, detail=detail, prev_hash=prev, hash=digest, seal=seal))
    conn.execute(update(head).where(head.c.id == 1).values(last_hash=digest))
    written.appended(seq, digest)  # the head this program wrote, remembered at the commit (anchors.advance)
    return seq


def record(session: Session, action: str, entity: str, entity_id: object, *,
           changes: dict[str, Any] | None = None, detail: str = "", actor: Principal | None = None) -> None:
    """Append one entry in the caller's transaction (so it commits or rolls back with the change).

    Pending changes are flushed first, so the log keeps the order in which things happened."""
    session.flush()
    who = actor or session.info.get("actor", SYSTEM)
    append_entry(session, who, action, entity, str(entity_id), changes, detail)


#: the action of a record's opening (:func:`record_view`)
VIEW = "view"

#: actions whose entries record access to the database or reading from it, never a change of a record: a
#: record opened, a sign-in (failed, refused) and a sign-out, a password asked again, a step refused for want of
#: a permission (``security.refusals``), an export (a report, a letter, the audit log, a backup: a copy made
#: outside, while a record an export changes, such as reminders' sent-list, has entries of its own), an
#: attachment's file read for its text, a panel sitting's invitation letters written (``panel_invitations_written``,
#: ``panel.service.INVITATIONS_WRITTEN``). A change always has an entry of another action (create, update,
#: sign, …). ``move-to-server`` leaves these out of the work saved into a file after its copy was made.
READ_ONLY_ACTIONS = frozenset({VIEW, "sign_in", "sign_in_failed", "sign_in_refused", "sign_out", "reauthenticate",
                               "refused", "export", "letterbox_attachment_read", "panel_invitations_written"})


def record_view(session: Session, entity: str, entity_id: object, detail: str = "") -> None:
    """Every opening of a case record calls this."""
    record(session, VIEW, entity, entity_id, detail=detail)


def _identity(obj: Any) -> str:
    # from the instance's primary-key attributes: ``identity`` is not set yet for new rows in after_flush
    ident = inspect(obj).mapper.primary_key_from_instance(obj)
    if not ident or all(i is None for i in ident):
        return "?"
    return "/".join(str(_jsonable(i)) for i in ident)


REDACTED = "<changed>"


def _column_changes(obj: Any, *, new: bool, deleted: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    mapper = inspect(obj).mapper
    redact: frozenset[str] = getattr(obj, "__audit_redact__", frozenset())
    for attr in mapper.column_attrs:
        key = attr.key
        if key in {"created_at", "updated_at", "row_version"}:
            continue
        if new or deleted:
            value = getattr(obj, key, None)
            if value is not None:
                shown = REDACTED if key in redact else _jsonable(value)
                out[key] = shown if new else [shown, None]
            continue
        hist = get_history(obj, key)
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            newv = hist.added[0] if hist.added else None
            if old != newv:
                out[key] = REDACTED if key in redact else [_jsonable(old), _jsonable(newv)]
    return out


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str
    #: for a disagreement with an anchor (:func:`check_anchor`): ``"behind"`` (the log ends before the anchor's
    #: entry), ``"deleted"`` (that entry is gone but the log goes on past it), ``"older_copy"`` (it differs and
    #: was written after the anchor was recorded) or ``"rewritten"`` (it differs and is no newer than the anchor)
    kind: str = ""


def _entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain(session: Session) -> ChainProblem | None:
    """None when the log is intact; otherwise the first broken entry and what is wrong with it."""
    prev = GENESIS
    expected_seq = 1
    for e in _entries(session):
        if e.seq != expected_seq:
            return ChainProblem(expected_seq, f"entry {expected_seq} is missing (next present is {e.seq})")
        if e.prev_hash != prev:
            return ChainProblem(e.seq, f"entry {e.seq} does not follow entry {e.seq - 1} (inserted or altered)")
        digest = entry_hash(e.prev_hash, e.seq, e.at, e.actor_id, e.actor, e.action, e.entity, e.entity_id,
                            e.changes, e.detail, e.seal or "")
        if digest != e.hash:
            return ChainProblem(e.seq, f"entry {e.seq} was altered after it was written")
        prev = e.hash
        expected_seq += 1
    head = session.get(AuditHead, 1)
    last_seq = expected_seq - 1
    if head is None:
        return None if last_seq == 0 else ChainProblem(1, "the audit head record is missing")
    if head.last_seq != last_seq:
        if head.last_seq > last_seq:
            # deleted entries, or a head moved on without them (a trial's application login did that): the
            # log cannot tell which
            return ChainProblem(last_seq + 1, f"entry {last_seq + 1} is missing: the log ends at entry {last_seq} "
                                              f"while its head names entry {head.last_seq} (entries deleted, or "
                                              "the head moved on outside the application)")
        return ChainProblem(head.last_seq + 1, f"entry {head.last_seq + 1} was added after the log's end")
    if head.last_hash != prev:
        return ChainProblem(last_seq, f"entry {last_seq} does not match the audit head")
    return None


def anchor_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".audit-anchor")


def current_anchor(session: Session) -> dict[str, Any]:
    head = session.get(AuditHead, 1)
    return {"seq": head.last_seq if head else 0, "hash": head.last_hash if head else GENESIS}


def check_anchor(session: Session, anchor: dict[str, Any], *, server: bool = False,
                 recorded: str = "") -> ChainProblem | None:
    """Compare the log with an anchor kept outside the database (beside it, per user, a server's witness, in
    each backup). ``server``: the log is a PostgreSQL server's (worded as a server's, not a file's).
    ``recorded``: when the anchor was recorded, in words ("when the backup was taken"); by default the
    anchor's own time ("on 06/12/2026 at 09:14"; an anchor is recorded at an open, a close, or as soon as a
    final record is saved, so "when it was last closed" was often wrong).

    The chain alone cannot show that its last entries were cut off and the head moved back, or that
    every hash from some point on was recomputed; an anchor taken earlier can. "An older copy" (or a log
    behind what was seen) is said only when the log shows it: its head is before the anchor's entry, or the
    entry under the anchor's number was written after the anchor was recorded. An entry that differs and is
    no newer than the anchor was rewritten."""
    seq, digest = int(anchor.get("seq", 0)), str(anchor.get("hash", ""))
    if seq == 0:
        return None
    when = recorded or recorded_on(str(anchor.get("at") or ""))
    when = f" {when}" if when else ""
    older = ("the server's database was restored from an older copy" if server
             else "the file was replaced by an older copy")
    entry = session.get(AuditEntry, seq)
    if entry is None:
        head = session.get(AuditHead, 1)
        if head is not None and int(head.last_seq) >= seq:  # the log goes on past it: not behind
            return ChainProblem(seq, f"entry {seq}, recorded outside the database{when}, "
                                     "is missing although the log goes on past it: it was deleted from the log",
                                "deleted")
        behind = " (the server's log is behind what this PC has seen)" if server else ""
        return ChainProblem(seq, f"entry {seq}, recorded outside the database{when}, "
                                 f"is missing: the log was cut short, or {older}{behind}", "behind")
    if entry.hash != digest:
        if _written_after(entry.at, str(anchor.get("at") or "")):
            # admin trial: an older copy put back, then a refused sign-in wrote its entry under the number the
            # anchor remembers; the alert changed from "replaced by an older copy" to "rewritten"
            return ChainProblem(seq, f"entry {seq} differs from the copy recorded outside the database{when} and "
                                     f"was written after that copy was recorded: {older} (or the log cut short) "
                                     "and entries have been written since, or the log was rewritten", "older_copy")
        return ChainProblem(seq, f"entry {seq} differs from the copy recorded outside the database{when}: the log "
                                 "was rewritten", "rewritten")
    return None


def recorded_on(at: str) -> str:
    """When an anchor was recorded (ISO, with its zone), in this PC's time: "on 06/12/2026 at 09:14"; "" when
    not known."""
    from adoption_desktop.core.concurrency import local_time

    try:
        return f"on {local_time(dt.datetime.fromisoformat(at)):%d/%m/%Y at %H:%M}" if at else ""
    except ValueError:
        return ""


def _written_after(entry_at: str, recorded_at: str) -> bool:
    """Whether an entry's time (naive UTC ISO) is later than when an anchor was recorded (ISO, with zone).

    Anchors are recorded to the microsecond, as entries are. One recorded to the second (anchors written
    before, a backup's manifest) covers its whole second: the last entries before it was recorded usually
    fall within that second, and are not "written after" it."""
    try:
        entry = dt.datetime.fromisoformat(entry_at)
        recorded = dt.datetime.fromisoformat(recorded_at)
    except ValueError:
        return False
    entry = entry if entry.tzinfo else entry.replace(tzinfo=dt.UTC)
    recorded = recorded if recorded.tzinfo else recorded.replace(tzinfo=dt.UTC)
    if "." not in recorded_at.partition("T")[2] and recorded.microsecond == 0:  # to the second only
        return entry >= recorded + dt.timedelta(seconds=1)
    return entry > recorded


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    changes: str
    detail: str


@dataclass(frozen=True)
class AuditFilter:
    """What the administrator's audit log viewer and its CSV export narrow the log to (every field
    optional; all given ones must hold).

    * ``actor``: the user name or its beginning, capitals ignored ("Ad" finds ``admin`` and ``adams``;
      SQLite folds A–Z only, PostgreSQL every letter), as signing in ignores them;
    * ``action``, ``entity`` (the table), ``entity_id``: exactly as logged;
    * ``since`` / ``until``: ISO timestamps in UTC, as ``at`` is stored; ``until`` is not included;
    * ``records``: (table, id) pairs, any of which an entry may name (``audit_service.records_for_reference``
      finds those of a case reference, kept in ``reference`` to describe the filter); an empty tuple
      matches nothing (a reference that names no record).
    """

    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    since: str | None = None  # ISO timestamps (UTC)
    until: str | None = None
    reference: str | None = None
    records: tuple[tuple[str, str], ...] | None = None

    def describe(self) -> str:
        """The filter as a person reads it ("user lee, action export"; "none" when nothing is filtered)."""
        parts = [f"{label} {value}" for label, value in (
            ("user", self.actor), ("action", self.action), ("record", self.entity), ("record id", self.entity_id),
            ("reference", self.reference), ("from", self.since), ("to", self.until)) if value]
        if self.records is not None and not self.reference:
            parts.append(f"{len(self.records)} records")
        return ", ".join(parts) or "none"


def _like_prefix(text: str) -> str:
    """``text`` as the start of a LIKE pattern (its own ``%``, ``_`` and ``\\`` taken literally)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _conditions(f: AuditFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if f.actor:
        # ilike: lower() on both sides in SQLite (ASCII letters), ILIKE in PostgreSQL
        found.append(AuditEntry.actor.ilike(_like_prefix(f.actor), escape="\\"))
    if f.action:
        found.append(AuditEntry.action == f.action)
    if f.entity:
        found.append(AuditEntry.entity == f.entity)
    if f.entity_id:
        found.append(AuditEntry.entity_id == f.entity_id)
    if f.since:
        found.append(AuditEntry.at >= f.since)
    if f.until:
        found.append(AuditEntry.at < f.until)
    if f.records is not None:
        by_table: dict[str, set[str]] = {}
        for table, ident in f.records:
            by_table.setdefault(table, set()).add(str(ident))
        # one IN per table: the (entity, entity_id) indexes answer it
        found.append(or_(false(), *(and_(AuditEntry.entity == table, AuditEntry.entity_id.in_(sorted(ids)))
                                    for table, ids in sorted(by_table.items()))))
    return found


def query_entries(session: Session, flt: AuditFilter | None = None, *, limit: int = 1000,
                  offset: int = 0, before_seq: int | None = None) -> list[AuditRow]:
    """The entries ``flt`` keeps, newest first; ``before_seq``: only older entries than that one (the next
    page of a list, unmoved by entries written since its first page)."""
    stmt = select(AuditEntry).where(*_conditions(flt or AuditFilter())).order_by(AuditEntry.seq.desc())
    if before_seq is not None:
        stmt = stmt.where(AuditEntry.seq < before_seq)
    rows: Iterable[AuditEntry] = session.scalars(stmt.limit(limit).offset(offset))
    return [AuditRow(e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.changes, e.detail) for e in rows]


def count_entries(session: Session, flt: AuditFilter | None = None, *, upto_seq: int | None = None) -> int:
    """How many entries ``flt`` keeps (one COUNT with the same conditions as :func:`query_entries`);
    ``upto_seq``: only that entry and older ones."""
    stmt = select(func.count()).select_from(AuditEntry).where(*_conditions(flt or AuditFilter()))
    if upto_seq is not None:
        stmt = stmt.where(AuditEntry.seq <= upto_seq)
    return int(session.execute(stmt).scalar_one())
