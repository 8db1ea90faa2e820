"""The letterbox's two search indexes checked against the records they are made from, and rebuilt.

The indexes (``fts_letterbox_arrangements``, ``fts_letterbox_items``) are not evidence: they are made again
from the records at every save (``service.arrangements._reindex``, ``service.item_log``). But a search that
does not find a family is how a coordinator misses a letter, and someone holding the key (or the server
login) can delete or change an index row without touching any audited record, so no seal notices it.
``adoption-desktop verify`` therefore compares every record's document with its index row
(:func:`index_problems`): a record whose words are not all in the index, or whose row is missing, is named
as a fault; ``adoption-desktop rebuild-search`` (:func:`rebuild`) makes both indexes again from the records.

Documents are compared as search sees them: the same words (:func:`search.pg_words`), in any order, so a
relative listed in another order, or the distinct words stored by a team server, is not a difference.
Rows are read a range of ids at a time (``CHUNK``), so a million items are checked in bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, Table, func, select

from adoption_desktop.core import audit
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox.models import Arrangement, Item, Participant
from adoption_desktop.letterbox.service.common import (
    ARRANGEMENTS_INDEX,
    ITEMS_INDEX,
    arrangement_document,
    item_document,
)

#: ids read at a time, from the records and from the index
CHUNK = 20_000


@dataclass(frozen=True)
class IndexDrift:
    """Records of one kind whose index row is missing or holds other words: how many, the first ids, and
    those records as people know them (``LB-00005``, ``item 123 (LB-00005)``; read with the ids)."""

    what: str
    count: int
    first_ids: tuple[int, ...]
    #: the first records named as people know them, in the order of ``first_ids`` (empty: the ids are named)
    first_names: tuple[str, ...] = ()

    def __str__(self) -> str:
        shown = ", ".join(self.first_names or (f"id {i}" for i in self.first_ids))
        more = f" and {self.count - len(self.first_ids)} more" if self.count > len(self.first_ids) else ""
        return (f"search: {self.count} of the {self.what} {'is' if self.count == 1 else 'are'} not in the search index as "
                f"{'its record is' if self.count == 1 else 'their records are'} ({shown}{more}; the index was "
                "changed outside the application): a search may not find them. The records themselves are "
                "checked above. An administrator rebuilds the index with "
                "'adoption-desktop rebuild-search --db PATH --user ADMIN' (ADMIN: their user name).")


def _table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined]


def _ranges(conn: Connection, table: Table) -> Iterator[tuple[int, int]]:
    top = conn.execute(select(func.max(table.c.id))).scalar()
    for lo in range(1, int(top or 0) + 1, CHUNK):
        yield lo, lo + CHUNK - 1


def _arrangement_documents(conn: Connection, lo: int, hi: int) -> dict[int, str]:
    a, p = _table(Arrangement), _table(Participant)
    names: dict[int, list[str]] = {}
    for aid, name in conn.execute(select(p.c.arrangement_id, p.c.name)
                                  .where(p.c.arrangement_id.between(lo, hi)).order_by(p.c.id)):
        names.setdefault(int(aid), []).append(name)
    return {int(r.id): arrangement_document(r, names.get(int(r.id), []))  # type: ignore[arg-type]
            for r in conn.execute(select(a.c.id, a.c.reference, a.c.child_birth_name, a.c.child_adoptive_name,
                                         a.c.adopters_name, a.c.coordinator, a.c.notes)
                                  .where(a.c.id.between(lo, hi)))}


def _item_documents(conn: Connection, lo: int, hi: int) -> dict[int, str]:
    a, i = _table(Arrangement), _table(Item)
    rows = conn.execute(select(i.c.id, i.c.writer, i.c.notes, i.c.item_type, a.c.reference, a.c.child_birth_name,
                               a.c.child_adoptive_name, a.c.adopters_name)
                        .join(a, a.c.id == i.c.arrangement_id).where(i.c.id.between(lo, hi)))
    return {int(r.id): item_document(r.reference, r.child_birth_name, r.child_adoptive_name, r.adopters_name,
                                     r.writer, r.notes, r.item_type) for r in rows}


#: each index with the table its ids are of, what a person calls those records and how their documents are made
_INDEXES = ((ARRANGEMENTS_INDEX, Arrangement, "letterbox arrangements", _arrangement_documents),
            (ITEMS_INDEX, Item, "letterbox items", _item_documents))


def _same_words(stored: str | None, expected: str) -> bool:
    if stored is None:
        return not search.pg_words(expected)  # a record with no words at all needs no row
    if stored == expected:
        return True
    return set(search.pg_words(stored)) == set(search.pg_words(expected))


def index_problems(conn: Connection, limit: int = 10) -> list[IndexDrift]:
    """For each index, the records whose row is missing or holds other words than the record (at most
    ``limit`` ids named); ``[]`` when both indexes match their records. Reads only: an index table that
    is not there counts every record with words as missing from it."""
    found: list[IndexDrift] = []
    for index, model, what, documents in _INDEXES:
        ids: list[int] = []
        count = 0
        for lo, hi in _ranges(conn, _table(model)):
            stored = search.stored_documents(conn, index, lo, hi)
            for doc_id, expected in documents(conn, lo, hi).items():
                if not _same_words(stored.get(doc_id), expected):
                    count += 1
                    if len(ids) < limit:
                        ids.append(doc_id)
        if count:
            found.append(IndexDrift(what, count, tuple(ids), _names(conn, model, ids)))
    return found


def _names(conn: Connection, model: type, ids: list[int]) -> tuple[str, ...]:
    """The records ``ids`` as people know them, in one query: an arrangement by its reference, an item as
    "item 123 (LB-00005)"; a record not found keeps its id."""
    a = _table(Arrangement)
    if model is Arrangement:
        named = {int(r.id): str(r.reference) for r in conn.execute(
            select(a.c.id, a.c.reference).where(a.c.id.in_(ids)))}
        return tuple(named.get(i, f"id {i}") for i in ids)
    i_ = _table(Item)
    named = {int(r.id): f"item {r.id} ({r.reference})" for r in conn.execute(
        select(i_.c.id, a.c.reference).join(a, a.c.id == i_.c.arrangement_id).where(i_.c.id.in_(ids)))}
    return tuple(named.get(i, f"item {i}") for i in ids)


def rebuild(conn: Connection) -> dict[str, int]:
    """Both indexes made again from the records, in the caller's transaction (every row of each index
    deleted, then one per record): how many documents each now holds, by what a person calls them."""
    made: dict[str, int] = {}
    for index, model, what, documents in _INDEXES:
        search.lock_index(conn, index)
        search.clear_index(conn, index)
        total = 0
        for lo, hi in _ranges(conn, _table(model)):
            total += search.index_documents(conn, index, documents(conn, lo, hi).items())
        search.optimize(conn, index)
        made[what] = total
    return made


def rebuild_search(db: Database, actor: Principal) -> dict[str, int]:
    """``adoption-desktop rebuild-search``: an administrator has both indexes made again from the records
    (:func:`rebuild`) in one transaction, with one audit entry saying how many documents each holds.
    A save made meanwhile waits for it (one writer at a time on a file; the index tables locked on a server)."""
    require(actor, Permission.SETTINGS_MANAGE)
    with db.session(actor) as session:
        made = rebuild(session.connection())
        audit.record(session, "search_index_rebuilt", "letterbox_items", "*",
                     detail="; ".join(f"{what}: {n}" for what, n in made.items()))
    return made
