"""The digest of an item's screening findings (``letterbox_items.findings_digest``).

A SHA-256 over what each finding holds that the item's outcome rests on (its id, the span of text, the kind,
the words found and the coordinator's decision), the findings in id order. The program writes it on the item
in the same transaction as every change to the item's findings (a screening stores or replaces them, a finding
is marked), so the item's own seal vouches for it: before an outcome or a second check the digest recomputed
from the item's findings as they now are (one indexed query) shows a finding changed, added or deleted
outside the program, without reading every finding's seal. Every item is made with its digest: one logged and
not screened yet has the digest of no findings (:data:`NO_FINDINGS`), and so has each item of the demo's
register (written in bulk, with no findings) and each copy ``bench/make_huge.py`` makes. Only an item saved
before the digest was kept has none: it is held to the digest back-filled for it, once, in one sealed audit
entry (``letterbox.findings_backfill``; :func:`held_to`), or, not back-filled, checked as before
(``service.item_log._require_findings_as_saved``).

No Qt, no session: :func:`digest_of` is pure; :func:`current_digest` reads one item's findings;
:func:`mismatched_items` (for ``verify``) every item's, in one query over the findings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, select

from adoption_desktop.core.audit.models import AuditEntry, AuditSeal
from adoption_desktop.letterbox.models import Finding, Item

#: the columns of a finding the digest covers, in this order (a column added to the findings later is not
#: covered until this list, and :data:`_VERSION`, say so)
COLUMNS = ("id", "start", "end", "kind", "text", "decision")
_VERSION = "letterbox_findings v1"


def digest_of(findings: Iterable[tuple[Any, ...]]) -> str:
    """The digest of these findings, each a tuple of :data:`COLUMNS` values (sorted here by id)."""
    rows = [(_number(f[0]), _number(f[1]), _number(f[2]), str(f[3]), str(f[4]), str(f[5])) for f in findings]
    rows.sort(key=lambda r: (not isinstance(r[0], int), r[0] if isinstance(r[0], int) else 0, str(r)))
    body = json.dumps([_VERSION, rows], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _number(value: Any) -> int | str:
    """A position or id as digested: a number as itself; anything else a key holder put in its place (text,
    NULL) as words no number gives, so the digest differs and the item is refused as changed, not crashed on."""
    return value if isinstance(value, int) and not isinstance(value, bool) else f"not a number: {value!r}"


#: the digest of an item with no findings (logged, not screened yet; or screened with nothing found)
NO_FINDINGS = digest_of(())


def current_rows(conn: Connection, item_id: int) -> list[tuple[Any, ...]]:
    """Item ``item_id``'s findings as they are stored now, as tuples of :data:`COLUMNS` (one indexed query:
    ``ix_letterbox_findings_item_id``)."""
    t = Finding.__table__
    return [tuple(r) for r in conn.execute(select(*(t.c[c] for c in COLUMNS)).where(t.c.item_id == item_id))]


def current_digest(conn: Connection, item_id: int) -> str:
    """The digest of item ``item_id``'s findings as they are stored now."""
    return digest_of(current_rows(conn, item_id))


#: what is said of an item whose findings no longer give the digest saved with it (``verify``, the item window)
NOT_THOSE_SAVED = ("its screening findings are not those saved with it (added, changed or deleted outside the "
                   "application)")


# --- digests back-filled for items saved before the digest was kept (``letterbox.findings_backfill``) ---------

#: the action of the one entry that back-fills the digests (the first such entry is the one that counts)
BACKFILL = "letterbox_findings_backfill"
#: the entity of its seal records: one per item back-filled, ``entity_id`` the item, ``digest`` its findings'
#: digest (its first :data:`KEPT` hex digits); ``…_final`` for an item that had its outcome then (its findings can never change again, so that
#: digest, not any later value of the column, is the one it is held to)
BACKFILLED = "letterbox_findings_backfilled"
BACKFILLED_FINAL = "letterbox_findings_backfilled_final"
#: what an item is held to when the back-fill entry itself was altered: no digest gives it
BROKEN = ""
#: how much of a digest a back-fill seal record keeps (128 bits, as every seal record: ``audit_seal.digest``)
KEPT = 32


def gives(current: str, held: str) -> bool:
    """Whether findings whose digest is ``current`` give the digest ``held`` (an item's own, whole; or a
    back-filled one, its first :data:`KEPT` hex digits)."""
    return current == held or (len(held) == KEPT and current[:KEPT] == held)


def backfill_entry(conn: Connection) -> int | None:
    """The number of the back-fill entry that counts (the first; one indexed lookup), ``None`` before it."""
    log = AuditEntry.__table__
    seq = conn.execute(select(log.c.seq).where(log.c.action == BACKFILL).order_by(log.c.seq).limit(1)).scalar()
    return None if seq is None else int(seq)


def backfilled(conn: Connection, item_id: int) -> tuple[str, bool] | None:
    """Item ``item_id``'s back-filled digest and whether it was final then, ``None`` when it was not
    back-filled. The back-fill entry is checked as written (its hash, the next entry's link to it, its seal
    records): altered, the item is held to :data:`BROKEN`, which no findings give."""
    from adoption_desktop.core.audit.seal_check import _vouched

    seq = backfill_entry(conn)
    if seq is None:
        return None
    seal = AuditSeal.__table__
    row = conn.execute(select(seal.c.entity, seal.c.digest).where(
        seal.c.entity.in_((BACKFILLED, BACKFILLED_FINAL)), seal.c.entity_id == str(int(item_id)),
        seal.c.seq == seq).limit(1)).first()
    if row is None:
        return None
    final = str(row.entity) == BACKFILLED_FINAL
    if _vouched(conn, "letterbox_items", {seq}, set()):
        return BROKEN, final
    return str(row.digest), final


def all_backfilled(conn: Connection) -> dict[int, tuple[str, bool]]:
    """Every back-filled item's digest and whether it was final then (for ``verify``, which checks the entry
    and its seal records with the whole log). One query."""
    seq = backfill_entry(conn)
    if seq is None:
        return {}
    seal = AuditSeal.__table__
    return {int(i): (str(d), str(e) == BACKFILLED_FINAL) for e, i, d in conn.execute(
        select(seal.c.entity, seal.c.entity_id, seal.c.digest).where(
            seal.c.seq == seq, seal.c.entity.in_((BACKFILLED, BACKFILLED_FINAL)))) if str(i).isdigit()}


def stray_backfills(conn: Connection) -> list[int]:
    """Entries other than the first that back-fill digests (action :data:`BACKFILL`, or carrying such seal
    records): the program back-fills once, so any other was added outside it."""
    first = backfill_entry(conn)
    log, seal = AuditEntry.__table__, AuditSeal.__table__
    seqs = {int(s) for s in conn.execute(select(log.c.seq).where(log.c.action == BACKFILL)).scalars()}
    seqs |= {int(s) for s in conn.execute(select(seal.c.seq).where(
        seal.c.entity.in_((BACKFILLED, BACKFILLED_FINAL))).distinct()).scalars()}
    return sorted(s for s in seqs if s != first)


def held_to(column: str | None, covered: bool, back: tuple[str, bool] | None) -> str | None:
    """The digest an item's findings are held to: the back-fill's for an item that had its outcome when it was
    back-filled; else the column when its seal covers it and it has one; else the back-fill's; else none
    (checked against every finding's seal, as before the digest)."""
    if back is not None and back[1]:
        return back[0]
    if column is not None and covered:
        return column
    return back[0] if back is not None else None


def mismatched_items(conn: Connection) -> list[int]:
    """The items with a digest (their own, or back-filled: :func:`held_to`) whose findings as they are stored
    now do not give it, in id order: a finding deleted, added or changed in SQL, even with a forged audit entry
    sealing the change (the item's seal, its content seal once it has an outcome, and the back-fill entry
    vouch for the digest). Three queries whatever the number of items: the digests, the back-fill's, and every
    finding ordered by item (grouped here, streamed). Items with neither (saved before the digest was kept,
    and not back-filled) are left to the findings' own seals."""
    items = Item.__table__
    back = all_backfilled(conn)
    saved: dict[int, str] = {}
    for i, d in conn.execute(select(items.c.id, items.c.findings_digest)):
        held = held_to(None if d is None else str(d), True, back.get(int(i)))
        if held is not None:
            saved[int(i)] = held
    t = Finding.__table__
    rows = conn.execute(select(*(t.c[c] for c in COLUMNS), t.c.item_id).order_by(t.c.item_id, t.c.id)
                        .execution_options(stream_results=True, yield_per=5000))
    wrong: list[int] = []
    seen: set[int] = set()
    for item_id, group in groupby(rows, key=itemgetter(-1)):
        expected = saved.get(int(item_id)) if item_id is not None else None
        if expected is None:
            continue
        seen.add(int(item_id))
        if not gives(digest_of(tuple(r)[:-1] for r in group), expected):
            wrong.append(int(item_id))
    wrong.extend(i for i, d in saved.items() if i not in seen and not gives(NO_FINDINGS, d))
    return sorted(wrong)
