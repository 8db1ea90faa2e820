"""The digest of an item's screening findings (``letterbox_items.findings_digest``).

A SHA-256 over what each finding holds that the item's outcome rests on (its id, the span of text, the kind,
the words found and the coordinator's decision), the findings in id order. The program writes it on the item
in the same transaction as every change to the item's findings (a screening stores or replaces them, a finding
is marked), so the item's own seal vouches for it: before an outcome or a second check the digest recomputed
from the item's findings as they now are (one indexed query) shows a finding changed, added or deleted
outside the program, without reading every finding's seal. An item logged and not screened yet has the digest
of no findings (:data:`NO_FINDINGS`); one made in bulk (the demo's register) has none until it is screened, and
is checked as before (``service.item_log._require_findings_as_saved``).

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


def mismatched_items(conn: Connection) -> list[int]:
    """The items with a digest (not NULL) whose findings as they are stored now do not give it, in id order:
    a finding deleted, added or changed in SQL, even with a forged audit entry sealing the change (the item's
    seal, and once it has an outcome its content seal, vouch for the digest). Two queries whatever the number
    of items: the digests, and every finding ordered by item (grouped here, streamed). Items with NULL (saved
    before the digest was kept) are left to the findings' own seals."""
    items = Item.__table__
    saved = {int(i): str(d) for i, d in conn.execute(
        select(items.c.id, items.c.findings_digest).where(items.c.findings_digest.is_not(None)))}
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
        if digest_of(tuple(r)[:-1] for r in group) != expected:
            wrong.append(int(item_id))
    wrong.extend(i for i, d in saved.items() if i not in seen and d != NO_FINDINGS)
    return sorted(wrong)
