"""The findings digest back-filled, once, for letterbox items saved before it was kept.

An item saved before ``lbseal_0001_findings_digest`` has no digest of its findings (NULL): its findings were
checked only against their own seals, and a finding deleted in SQL with ONE forged audit entry sealing the
deletion (a tombstone seal) passed them. The first time the file is opened for work after the upgrade
(``core.storage.lifecycle.open_database``; the migration itself re-seals nothing), every such item whose
findings all pass their own seals now gets its digest, recorded as evidence: ONE audit entry (action
:data:`~.findings_digest.BACKFILL`, through the chain like every entry) carrying one seal record per item
(its id and digest; the entry's hash covers them all). From then on ``verify``, the outcome's check and the
item window hold such an item to that digest exactly as to a digest of its own (``findings_digest.held_to``).
Only the first back-fill entry counts; ``verify`` names any other. An item whose findings fail their own seals
then is not back-filled and goes on being reported.

Multi-user safe: the check that it was not done yet and the entry are in one write transaction that holds
the audit log's head first (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the head row locked), so a second
program opening the file at the same moment waits, then finds it done. In bulk: a few queries whatever the
number of items (the findings and their seals read once, streamed).

No Qt.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import cast

from sqlalchemy import Connection, Table, select

from adoption_desktop.core.audit.chain import append_entry
from adoption_desktop.core.audit.models import AuditColumns, AuditEntry, AuditHead, AuditSeal
from adoption_desktop.core.audit.seal_check import _scan
from adoption_desktop.core.audit.seals import TOMBSTONE, aggregate, moved_at
from adoption_desktop.core.audit.seals.content_rules import FINAL_ITEM_STATUSES
from adoption_desktop.core.audit.seals.row_seals import _Seal, _write
from adoption_desktop.core.security.permissions import SYSTEM
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import findings_digest as fd
from adoption_desktop.letterbox.models import Finding, Item

_log = logging.getLogger(__name__)

FINDINGS = "letterbox_findings"


@dataclass(frozen=True)
class Backfill:
    """What one back-fill did: the items given a digest, and those left out (a finding not as sealed)."""

    done: bool
    backfilled: int = 0
    left_out: tuple[int, ...] = ()


def backfill(db: Database) -> Backfill:
    """Back-fill the findings digests once (see the module). ``done`` is false when it had been done already
    or there was nothing to do (no item without a digest): nothing is written then."""
    with db.engine.connect() as conn:  # a read first: the usual open finds it done, or nothing to do
        if fd.backfill_entry(conn) is not None or not _waiting(conn):
            return Backfill(False)
    with db.session(SYSTEM) as session:
        conn = session.connection()
        _hold_head(conn)
        if fd.backfill_entry(conn) is not None:  # another program did it while this one waited
            return Backfill(False)
        result = _backfill(conn)
    if result.done:
        _log.info("letterbox findings digests back-filled: %d items (%d left out)", result.backfilled,
                  len(result.left_out))
    return result


def _waiting(conn: Connection) -> bool:
    """Any item without a digest: one probe of the partial index of those items (lbseal_0002), asked at
    every open for work."""
    items = cast(Table, Item.__table__)
    return conn.execute(select(items.c.id).where(items.c.findings_digest.is_(None)).limit(1)).first() is not None


def _hold_head(conn: Connection) -> None:
    """Hold the audit log's head before reading whether the back-fill was done: every entry takes it, so a
    second back-fill waits here for the first to commit. SQLite's write transaction holds the file already."""
    if conn.dialect.name == "postgresql":
        head = cast(Table, AuditHead.__table__)
        conn.execute(select(head.c.id).where(head.c.id == 1).with_for_update())


def _backfill(conn: Connection) -> Backfill:
    items = cast(Table, Item.__table__)
    waiting = {int(i): str(s) in FINAL_ITEM_STATUSES for i, s in conn.execute(
        select(items.c.id, items.c.status).where(items.c.findings_digest.is_(None)))}
    if not waiting:
        return Backfill(False)
    bad = failing_items(conn)
    left_out = tuple(sorted(waiting if bad is None else set(waiting) & bad))
    wanted = {i for i in waiting if i not in left_out}
    digests = {i: fd.NO_FINDINGS for i in wanted}
    t = cast(Table, Finding.__table__)
    rows = conn.execute(select(*(t.c[c] for c in fd.COLUMNS), t.c.item_id).order_by(t.c.item_id, t.c.id)
                        .execution_options(stream_results=True, yield_per=5000))
    for item_id, group in groupby(rows, key=itemgetter(-1)):
        if item_id is not None and int(item_id) in wanted:
            digests[int(item_id)] = fd.digest_of(tuple(r)[:-1] for r in group)
    seals = [_Seal(fd.BACKFILLED_FINAL if waiting[i] else fd.BACKFILLED, str(i), "", d[:fd.KEPT], "")
             for i, d in sorted(digests.items())]
    detail = (f"screening findings' digest back-filled for {len(seals)} letterbox items saved before it was kept"
              + (f"; {len(left_out)} left out, their findings not as sealed: items "
                 + ", ".join(map(str, left_out[:20])) + (" …" if len(left_out) > 20 else "") if left_out else ""))
    seq = append_entry(conn, SYSTEM, fd.BACKFILL, "letterbox_items", "*", None, detail,
                  aggregate((s.entity, s.entity_id, s.digest) for s in seals))
    _write(conn, seq, seals, {})
    return Backfill(True, len(seals), left_out)


def failing_items(conn: Connection) -> set[int] | None:
    """The items one of whose findings is not as its seal says (``seal_check.check_parts`` for every item at
    once): changed or inserted outside the program (the item it is under now, and the one it was created
    under), deleted outside it (the item it was created under), or deleted and its number given to another
    item's new finding. ``None`` when a finding was deleted outside the program that no entry says whose it
    was (a bulk seal's): ``check_parts`` counts it against every item, and so does this. Read once each: the
    findings' seals, the findings (streamed), their create and delete entries."""
    seal_t = cast(Table, AuditSeal.__table__)
    log = cast(Table, AuditEntry.__table__)
    latest: dict[str, tuple[int, str, str, str]] = {}
    for seq, entity_id, cols, digest, fields in conn.execute(
            select(seal_t.c.seq, seal_t.c.entity_id, seal_t.c.columns, seal_t.c.digest, seal_t.c.fields)
            .where(seal_t.c.entity == FINDINGS).order_by(seal_t.c.seq, seal_t.c.id)):
        latest[str(entity_id)] = (int(seq), str(cols), str(digest), str(fields))
    keys = {v[1] for v in latest.values()}
    colsets = {str(k): str(v).split(",") if v else [] for k, v in conn.execute(
        select(AuditColumns.key, AuditColumns.columns).where(AuditColumns.key.in_(keys)))} if keys else {}
    bad: set[int] = set()
    wrong: set[str] = set()
    present: set[str] = set()
    for pk, raw, ok in _scan(conn, FINDINGS, ["id"], latest, colsets, moved_at(conn)):
        present.add(pk)
        sealed = latest.get(pk)
        if not ok or sealed is None or sealed[2] == TOMBSTONE:
            wrong.add(pk)
            item_id = raw["item_id"]
            if isinstance(item_id, int):
                bad.add(item_id)
    gone = {pk for pk, v in latest.items() if v[2] != TOMBSTONE and pk not in present}
    # whose each finding was, by its create entry; a number created twice without a delete between was
    # deleted outside the program and given to a new finding
    steps: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for entity_id, action, changes in conn.execute(
            select(log.c.entity_id, log.c.action, log.c.changes).where(
                log.c.entity == FINDINGS, log.c.action.in_(("create", "delete"))).order_by(log.c.seq)):
        steps[str(entity_id)].append((str(action), _owner(changes) if action == "create" else None))
    for pk, seen in steps.items():
        owners = [o for a, o in seen if a == "create"]
        if pk in wrong or pk in gone:
            bad.update(o for o in owners[-1:] if isinstance(o, int))
        for i, (action, owner) in enumerate(seen[:-1]):
            if action == "create" and seen[i + 1][0] == "create" and isinstance(owner, int):
                bad.add(owner)
    if any(pk not in steps for pk in gone):
        return None
    return bad


def _owner(changes: object) -> object:
    try:
        return json.loads(str(changes) or "{}").get("item_id")
    except (ValueError, AttributeError):
        return None
