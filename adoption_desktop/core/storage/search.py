"""The one full-text search interface of the application.

* Embedded store (SQLCipher/SQLite): an FTS5 virtual table ``fts_<name>`` whose ``rowid`` is the id of
  the indexed row, with prefix indexes of 1 to 4 characters (:data:`FTS5_PREFIX`) so search-as-you-type
  (``"hazel"*``) stays fast: without the 1-character one a one-letter prefix merged the doclists of every
  word starting with that letter (15 ms at 1,000,000 exchanges, and again for every statement using it).
* PostgreSQL (team mode): an ordinary table ``fts_<name>(doc_id, body)`` with a GIN index on
  ``to_tsvector('simple', body)``, searched with ``to_tsquery('simple', 'word':* & …)``: the same
  word-prefix semantics as FTS5, through an index (no extension needed; a ``LIKE '%word%'`` scan cost
  3× the embedded store per keystroke at 100,000 exchanges).

The index tables are created on first use (:func:`ensure_index`), not by the ORM metadata, so the
migrated schema equals the models. Callers never write SQLite-only SQL themselves: they call
:func:`index_documents`, :func:`remove_documents` and use :func:`matching_ids` as a sub-select::

    ids = matching_ids(conn, ITEMS_INDEX, "hazel ZZ99")
    stmt = select(Item).where(Item.id.in_(ids))
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Integer, TextClause, func, select, text
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.selectable import TextualSelect

_WORD = re.compile(r"\w+", re.UNICODE)
#: FTS5 prefix indexes (migration ``search_0001_fts_prefix_1`` rebuilds tables made with ``'2 3 4'``)
FTS5_PREFIX = "1 2 3 4"
_ensured: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class SearchIndex:
    """A named index; ``name`` is a plain identifier (letters, digits, underscore)."""

    name: str

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"bad index name {self.name!r}")

    @property
    def table(self) -> str:
        return f"fts_{self.name}"


def _is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _exists(conn: Connection, index: SearchIndex) -> bool:
    if _is_sqlite(conn):
        return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (index.table,)).first() is not None
    found = conn.exec_driver_sql("SELECT to_regclass(%(t)s), to_regclass(%(i)s)",
                                 {"t": index.table, "i": f"{index.table}_tsv"}).one()
    return found[0] is not None and found[1] is not None


def ensure_index(conn: Connection, index: SearchIndex) -> None:
    """Create the index table (and, on PostgreSQL, its GIN index) if it is not there yet.

    A table is remembered as present only once it was found already there: one created in this
    transaction may still be rolled back (a failed import), and must then be created again."""
    key = (str(conn.engine.url), index.name)
    if key in _ensured:
        return
    if _exists(conn, index):
        _ensured.add(key)
        return
    if _is_sqlite(conn):
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {index.table} USING fts5("
            f"body, tokenize = 'unicode61 remove_diacritics 2', prefix = '{FTS5_PREFIX}')")
    elif conn.exec_driver_sql(f"SELECT to_regclass('{index.table}')").scalar() is None:
        # only when missing: in team mode the application role may not create tables (team-setup makes them)
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {index.table} (doc_id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        conn.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {index.table}_tsv ON {index.table} "
            "USING gin (to_tsvector('simple', body))")


def forget_ensured() -> None:
    """Tests that drop and recreate databases at the same URL call this."""
    _ensured.clear()


def index_documents(conn: Connection, index: SearchIndex, docs: Iterable[tuple[int, str]]) -> int:
    """Insert or replace documents ``(id, text)``; returns how many. Works in bulk (executemany)."""
    ensure_index(conn, index)
    rows = [{"i": int(i), "b": body} for i, body in docs]
    if not rows:
        return 0
    ids = [{"i": r["i"]} for r in rows]
    if _is_sqlite(conn):
        conn.execute(text(f"DELETE FROM {index.table} WHERE rowid = :i"), ids)
        conn.execute(text(f"INSERT INTO {index.table}(rowid, body) VALUES (:i, :b)"), rows)
    else:
        conn.execute(text(f"DELETE FROM {index.table} WHERE doc_id = :i"), ids)
        conn.execute(text(f"INSERT INTO {index.table}(doc_id, body) VALUES (:i, :b)"),
                     [{"i": r["i"], "b": str(r["b"]).lower()} for r in rows])
    return len(rows)


def remove_documents(conn: Connection, index: SearchIndex, ids: Iterable[int]) -> None:
    ensure_index(conn, index)
    col = "rowid" if _is_sqlite(conn) else "doc_id"
    params = [{"i": int(i)} for i in ids]
    if params:
        conn.execute(text(f"DELETE FROM {index.table} WHERE {col} = :i"), params)


def clear_index(conn: Connection, index: SearchIndex) -> None:
    ensure_index(conn, index)
    conn.exec_driver_sql(f"DELETE FROM {index.table}")


def words(query: str) -> list[str]:
    """The words of a query as typed (punctuation dropped; at most 8 words)."""
    return _WORD.findall(query)[:8]


def fts5_query(query: str) -> str:
    """``hazel zz99`` -> ``"hazel"* AND "zz99"*`` (every word, the last ones as prefixes)."""
    return " AND ".join(f'"{w}"*' for w in words(query))


def matching_ids(conn: Connection, index: SearchIndex, query: str, *, newest: int | None = None) -> TextualSelect | None:
    """A sub-select of the ids whose text contains every word of ``query`` as a word prefix (SQLite
    FTS5 and PostgreSQL full-text alike). ``None`` when the query has no words (no filter).

    With ``newest``, only the ``newest`` highest ids (the most recently indexed rows): read in index order
    and stopped there, so a one-letter prefix matching most of a million rows costs what a surname costs
    (the whole match set is never read, let alone sorted)."""
    ensure_index(conn, index)
    ws = words(query)
    if not ws:
        return None
    stmt: TextClause
    if _is_sqlite(conn):
        newest_sql = " ORDER BY rowid DESC LIMIT :n" if newest is not None else ""
        stmt = text(f"SELECT rowid AS doc_id FROM {index.table} WHERE {index.table} MATCH :q{newest_sql}"
                    ).bindparams(q=fts5_query(query))
    else:
        newest_sql = " ORDER BY doc_id DESC LIMIT :n" if newest is not None else ""
        stmt = text(f"SELECT doc_id FROM {index.table} "
                    f"WHERE to_tsvector('simple', body) @@ to_tsquery('simple', :q){newest_sql}"
                    ).bindparams(q=tsquery(query))
    if newest is not None:
        stmt = stmt.bindparams(n=int(newest))
    return stmt.columns(doc_id=Integer)


def query_value(conn: Connection, query: str) -> str:
    """The value bound to ``:q`` in :func:`matching_ids`'s statement for this dialect (for callers that
    compile that statement once and run it again with new text)."""
    return fts5_query(query) if _is_sqlite(conn) else tsquery(query)


def tsquery(query: str) -> str:
    """``hazel zz99`` -> ``'hazel':* & 'zz99':*`` (PostgreSQL: every word, as a prefix)."""
    return " & ".join(f"'{w.lower()}':*" for w in words(query))


def optimize(conn: Connection, index: SearchIndex) -> None:
    """Merge the index segments after a bulk load (SQLite); a no-op elsewhere."""
    ensure_index(conn, index)
    if _is_sqlite(conn):
        conn.exec_driver_sql(f"INSERT INTO {index.table}({index.table}) VALUES ('optimize')")


BROAD = 1500  # matches above which a paged list is driven from its ORDER BY index


def id_filter(conn: Connection, index: SearchIndex, column: ColumnElement[Any] | QueryableAttribute[Any],
              query: str, *, matches: int | None = None, newest: int | None = None) -> ColumnElement[bool] | None:
    """``column IN (matching ids)`` for a WHERE clause, or ``None`` when the query has no words.

    For a broad query (``matches`` above :data:`BROAD`, or unknown) the column is wrapped in a unary
    ``+`` (valid on SQLite and PostgreSQL) so the planner walks the ORDER BY index and probes the match
    set instead of sorting every match: a one-letter prefix stays as fast as a surname when only the
    first page is wanted. A narrow query is driven from the index's few ids. ``newest``: only the most
    recently indexed matches (see :func:`matching_ids`)."""
    ids = matching_ids(conn, index, query, newest=newest)
    if ids is None:
        return None
    col = column.expression if isinstance(column, QueryableAttribute) else column
    if matches is not None and matches <= BROAD:
        return col.in_(ids)
    plus: UnaryExpression[Any] = UnaryExpression(col, operator=operators.custom_op("+"), type_=col.type)
    return plus.in_(ids)


def count_matches(conn: Connection, index: SearchIndex, query: str, *, cap: int | None = None) -> int:
    """How many documents match ``query`` (straight from the index; no table is touched).

    With ``cap``, counting stops at ``cap + 1``: a result above ``cap`` means "more than ``cap``". A
    one-letter prefix matches most of a million exchanges, and counting them all on every keystroke
    was most of the keystroke's time. The capped count reads the index newest first, as
    ``matching_ids(..., newest=cap)`` lists it."""
    ids = matching_ids(conn, index, query, newest=None if cap is None else cap + 1)
    if ids is None:
        raise ValueError("count_matches needs a query with at least one word")
    return int(conn.execute(select(func.count()).select_from(ids.subquery())).scalar_one())
