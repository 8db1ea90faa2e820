"""The items register read in pages straight from SQL: filters, sorts, the count and a page, and the
per-keystroke path of a search alone (capped at :data:`COUNT_CAP`, its statements compiled once).

Tests that lower :data:`COUNT_CAP` patch it here: this module is the one that reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, Integer, bindparam, func, select
from sqlalchemy.orm import Session

from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.interrupt import Interrupt
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement, Item
from adoption_desktop.letterbox.service.common import ITEMS_INDEX, AnySelect, P
from adoption_desktop.letterbox.service.data import ItemFilter, ItemRow

# --- registers ----------------------------------------------------------------------------------
_ITEM_SORT = {"received_on": Item.received_on, "reference": Arrangement.reference, "status": Item.status,
              "direction": Item.direction, "writer": Item.writer, "item_type": Item.item_type,
              "outcome_on": Item.outcome_on, "coordinator": Arrangement.coordinator, "id": Item.id}


_INDEXED_SORT = frozenset({"received_on", "status", "direction", "id"})  # letterbox_items columns with an index


def _item_where(session: Session, stmt: AnySelect, f: ItemFilter, matches: int | None = None) -> AnySelect:
    # a search alone lists the COUNT_CAP most recently entered matches (the index read newest first and
    # stopped there): a one-letter prefix costs what a surname costs; with other filters every match counts
    cond = search.id_filter(session.connection(), ITEMS_INDEX, Item.id, f.query, matches=matches,
                            newest=COUNT_CAP if _only_query(f) else None) if f.query.strip() else None
    if cond is not None:
        stmt = stmt.where(cond)
    if f.status:
        stmt = stmt.where(Item.status == f.status)
    if f.direction:
        stmt = stmt.where(Item.direction == f.direction)
    if f.month:
        start, end = rules.month_bounds(f.month)
        stmt = stmt.where(Item.received_on >= start, Item.received_on < end)
    if f.coordinator:
        stmt = stmt.where(Arrangement.coordinator == f.coordinator)
    if f.arrangement_id is not None:
        stmt = stmt.where(Item.arrangement_id == f.arrangement_id)
    if f.open_only:
        stmt = stmt.where(Item.status.in_(("received", "screened")))
    return stmt


def _item_rows() -> AnySelect:
    return select(Item.id, Arrangement.reference, Item.received_on, Item.direction, Item.writer,
                  Item.item_type, Item.status, Item.outcome_on, Arrangement.coordinator).join(
        Arrangement, Arrangement.id == Item.arrangement_id)


def _item_rows_stmt(session: Session, f: ItemFilter, matches: int | None,
                    offset: int | BindParameter[int], limit: int | BindParameter[int]) -> AnySelect:
    # walking the sort column's index (a broad search) needs one; otherwise the matches are read by id
    stmt = _item_where(session, _item_rows(), f, matches if f.sort in _INDEXED_SORT else 0)
    col = _ITEM_SORT.get(f.sort, Item.received_on)
    order: list[Any] = [col.desc(), Item.id.desc()] if f.descending else [col.asc(), Item.id.asc()]
    return stmt.order_by(*order).offset(offset).limit(limit)


def _list_items(session: Session, f: ItemFilter, offset: int, limit: int, matches: int | None) -> list[ItemRow]:
    if _only_query(f):
        return _search_rows(session, f, offset, limit, matches)
    return [ItemRow(*r) for r in session.execute(_item_rows_stmt(session, f, matches, offset, limit)).all()]


# --- a search alone: the per-keystroke path ------------------------------------------------------
# Its two statements (the capped count, a page of rows) are built and compiled once per dialect, sort and
# plan, then run as plain SQL with the new text: building, caching and row-mapping an ORM select cost as
# much as the search itself (about 2 ms a keystroke against 2 ms of SQL at 100,000 exchanges).
@dataclass(frozen=True)
class _Prepared:
    sql: str
    positions: tuple[str, ...] | None  # the parameters' order for a positional driver (SQLite)

    def args(self, params: dict[str, Any]) -> Any:
        return params if self.positions is None else tuple(params[name] for name in self.positions)

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[Any]:
        """The driver's own rows (tuples): no result-row objects are made for them."""
        result = conn.exec_driver_sql(self.sql, self.args(params))
        try:
            return list(result.cursor.fetchall())
        finally:
            result.close()


_PREPARED: dict[tuple[Any, ...], _Prepared] = {}


def _prepared(conn: Connection, key: tuple[Any, ...], build: Callable[[], Any]) -> _Prepared:
    key = (conn.dialect.name, *key)
    found = _PREPARED.get(key)
    if found is None:
        compiled = build().compile(dialect=conn.dialect)
        found = _PREPARED[key] = _Prepared(str(compiled), tuple(compiled.positiontup or ()) if compiled.positional
                                           else None)
    return found


def _search_count(session: Session, f: ItemFilter) -> int:
    conn = session.connection()
    search.ensure_index(conn, ITEMS_INDEX)

    def build() -> Any:
        ids = search.matching_ids(conn, ITEMS_INDEX, "x", newest=COUNT_CAP + 1)
        assert ids is not None
        return select(func.count()).select_from(ids.subquery())

    return int(_prepared(conn, ("count",), build).rows(conn, {"q": search.query_value(conn, f.query),
                                                              "n": COUNT_CAP + 1})[0][0])


def _rows_prepared(session: Session, f: ItemFilter, broad: bool) -> _Prepared:
    template = ItemFilter(query="x", sort=f.sort, descending=f.descending)
    return _prepared(session.connection(), ("rows", f.sort, f.descending, broad), lambda: _item_rows_stmt(
        session, template, None if broad else 0, bindparam("off", type_=Integer), bindparam("lim", type_=Integer)))


def _search_rows(session: Session, f: ItemFilter, offset: int, limit: int, matches: int | None) -> list[ItemRow]:
    conn = session.connection()
    search.ensure_index(conn, ITEMS_INDEX)
    prepared = _rows_prepared(session, f, matches is None or matches > search.BROAD)
    rows = prepared.rows(conn, {"q": search.query_value(conn, f.query), "n": COUNT_CAP, "off": offset, "lim": limit})
    if conn.dialect.name != "sqlite":  # the driver gives dates already
        return [ItemRow(*r) for r in rows]
    return _sqlite_item_rows(rows)


def _sqlite_item_rows(rows: list[Any]) -> list[ItemRow]:
    # A frozen dataclass's __init__ sets each field through object.__setattr__: 100 rows took a tenth of a
    # millisecond a keystroke. These rows are made with their fields at once (the same ItemRow: equal,
    # hashable, frozen); ItemRow has no __post_init__ or defaults to skip.
    day = dt.date.fromisoformat  # SQLite keeps dates as ISO text
    new, set_fields = object.__new__, object.__setattr__
    out = []
    for i, ref, received, direction, writer, kind, status, outcome, coordinator in rows:
        row = new(ItemRow)
        set_fields(row, "__dict__", {
            "id": i, "reference": ref, "received_on": day(received), "direction": direction, "writer": writer,
            "item_type": kind, "status": status, "outcome_on": outcome and day(outcome), "coordinator": coordinator})
        out.append(row)
    return out


def _sqlite_keystroke(db: Database, actor: Principal, f: ItemFilter, limit: int,
                      stop: Interrupt | None) -> tuple[int, list[ItemRow]] | None:
    """A search alone on the embedded store, once its statements are compiled (the first search compiles
    them): the capped count and the first page on a DB-API cursor (:meth:`Database.read_cursor`: the same
    transaction, sign-in check and no audit entry as a read session), without an ORM session, about a
    third of a millisecond a keystroke. ``None`` when the statements are not compiled yet."""
    count = _PREPARED.get(("sqlite", "count"))
    broad = _PREPARED.get(("sqlite", "rows", f.sort, f.descending, True))
    narrow = _PREPARED.get(("sqlite", "rows", f.sort, f.descending, False))
    if count is None or broad is None or narrow is None or not search.index_known(db.engine, ITEMS_INDEX):
        return None
    q = search.fts5_query(f.query)
    with db.read_cursor(actor, stop) as cur:
        total = int(cur.execute(count.sql, count.args({"q": q, "n": COUNT_CAP + 1})).fetchone()[0])
        if stop:
            stop.check()
        page = broad if total > search.BROAD else narrow
        rows = cur.execute(page.sql, page.args({"q": q, "n": COUNT_CAP, "off": 0, "lim": limit})).fetchall()
    return total, _sqlite_item_rows(rows)


def _only_query(f: ItemFilter) -> bool:
    return bool(search.words(f.query)) and f == ItemFilter(query=f.query, sort=f.sort, descending=f.descending)


#: A search alone that matches more items than this says "more than 10,000" instead of counting them all,
#: and lists the 10,000 most recently entered of them (in the register's order): see :func:`search_capped`.
COUNT_CAP = 10_000


def search_capped(f: ItemFilter, total: int) -> bool:
    """Whether ``total`` (from :func:`item_page` or :func:`count_items`) means "more than :data:`COUNT_CAP`,
    and the most recent :data:`COUNT_CAP` of them are listed" rather than an exact count."""
    return total > COUNT_CAP and _only_query(f)


def _count_items(session: Session, f: ItemFilter) -> int:
    """The items matching ``f``; a search alone is counted up to :data:`COUNT_CAP` + 1."""
    if _only_query(f):
        return _search_count(session, f)
    stmt: AnySelect = select(func.count(Item.id))
    if f.coordinator:
        stmt = stmt.join(Arrangement, Arrangement.id == Item.arrangement_id)
    return int(session.scalar(_item_where(session, stmt, f)) or 0)


def _matches(session: Session, f: ItemFilter) -> int | None:
    """How many items the search words match, up to :data:`COUNT_CAP` + 1 (enough to choose the plan)."""
    if not search.words(f.query):
        return None
    return _search_count(session, f) if _only_query(f) else \
        search.count_matches(session.connection(), ITEMS_INDEX, f.query, cap=COUNT_CAP)


def list_items(db: Database, actor: Principal, f: ItemFilter, offset: int = 0, limit: int = 200) -> list[ItemRow]:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return _list_items(session, f, offset, limit, _matches(session, f))


def count_items(db: Database, actor: Principal, f: ItemFilter) -> int:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return _count_items(session, f)


def item_page(db: Database, actor: Principal, f: ItemFilter, limit: int = 200, *,
              stop: Interrupt | None = None) -> tuple[int, list[ItemRow]]:
    """The count and the first page in one read transaction (what a register needs per keystroke); in
    team mode a search alone is one statement (:func:`_pg_item_page`).

    ``stop``: another thread may interrupt the read (the search text changed meanwhile); it then raises
    :class:`~adoption_desktop.core.storage.interrupt.Interrupted`."""
    require(actor, P.LETTERBOX_VIEW)
    if not db.is_sqlite and _only_query(f):  # a keystroke in team mode: one statement (and the sign-in check)
        with db.session(actor, write=False, each_statement=True) as session, \
                (stop.watching(session) if stop else nullcontext()):
            return _pg_item_page(session, f, limit)
    if db.is_sqlite and _only_query(f):  # a keystroke on the embedded store
        found = _sqlite_keystroke(db, actor, f, limit, stop)
        if found is not None:
            return found
    with db.session(actor, write=False) as session, (stop.watching(session) if stop else nullcontext()):
        if db.is_sqlite and _only_query(f):  # the first search: compile what the next keystrokes run
            _rows_prepared(session, f, True)
            _rows_prepared(session, f, False)
        matches = _matches(session, f)
        total = matches if matches is not None and _only_query(f) else _count_items(session, f)
        if stop:
            stop.check()
        return total, _list_items(session, f, 0, limit, matches)


def _pg_item_page(session: Session, f: ItemFilter, limit: int) -> tuple[int, list[ItemRow]]:
    """Team mode, a search alone (each keystroke): the capped count and the first page in one statement
    that reads the match set from the GIN index once (:func:`search.pg_counted_page`), built and compiled
    once per sort and page size. With a sort column of the items table, a narrow match set (up to 1,500
    items) is sorted first and only the page's rows are joined to their arrangements."""
    col = _ITEM_SORT.get(f.sort, Item.received_on)
    order: list[Any] = [col.desc(), Item.id.desc()] if f.descending else [col.asc(), Item.id.asc()]

    def page(cond: Any) -> AnySelect:
        return _item_rows().where(cond).order_by(*order).limit(limit)

    def narrow_page(cond: Any) -> AnySelect:
        top = select(Item.id, Item.arrangement_id, Item.received_on, Item.direction, Item.writer, Item.item_type,
                     Item.status, Item.outcome_on).where(cond).order_by(*order).limit(limit).subquery("top")
        return select(top.c.id, Arrangement.reference, top.c.received_on, top.c.direction, top.c.writer,
                      top.c.item_type, top.c.status, top.c.outcome_on, Arrangement.coordinator).join(
            Arrangement, Arrangement.id == top.c.arrangement_id)

    on_items = col.class_ is Item
    total, rows = search.pg_counted_page(session.connection(), ITEMS_INDEX, Item.id, f.query, page,
                                         order=[(col.key, f.descending), ("id", f.descending)], cap=COUNT_CAP,
                                         key=("items", col.key, f.descending, limit, on_items),
                                         narrow_page=narrow_page if on_items else None)
    return total, [ItemRow(*r) for r in rows]
