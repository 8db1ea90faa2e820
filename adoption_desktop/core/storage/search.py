"""The one full-text search interface of the application.

* Embedded store (SQLCipher/SQLite): an FTS5 virtual table ``fts_<name>`` whose ``rowid`` is the id of
  the indexed row, with prefix indexes of 1 to 4 characters (:data:`FTS5_PREFIX`) so search-as-you-type
  (``"hazel"*``) stays fast: without the 1-character one a one-letter prefix merged the doclists of every
  word starting with that letter (15 ms at 1,000,000 exchanges, and again for every statement using it).
* PostgreSQL (team mode): an ordinary table ``fts_<name>(doc_id, body, tsv)``. ``body`` holds the
  document's words as FTS5 sees them (:func:`pg_words`: lower case, accents removed, split at anything
  that is not a letter or digit), one space apart; ``tsv`` is a stored generated ``tsvector`` made from
  exactly those words (``array_to_tsvector``: no text-search parser or dictionary in between), with a
  GIN index ``fts_<name>_gin`` (``fastupdate = off``: no pending list for a keystroke to scan). A
  search is ``tsv @@ 'word':* & …`` (:func:`tsquery`): every word as a prefix, the same words and the
  same matches as FTS5, through the index, with no extension needed. The stored column spares
  re-parsing every candidate row (``to_tsvector(body)`` was recomputed for each row the page probed).

The index tables are created on first use (:func:`ensure_index`), not by the ORM metadata, so the
migrated schema equals the models. Callers never write SQLite-only SQL themselves: they call
:func:`index_documents`, :func:`remove_documents` and use :func:`matching_ids` as a sub-select::

    ids = matching_ids(conn, ITEMS_INDEX, "hazel ZZ99")
    stmt = select(Item).where(Item.id.in_(ids))
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Integer,
    Select,
    TextClause,
    func,
    select,
    text,
    true,
    union_all,
)
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
                                 {"t": index.table, "i": f"{index.table}_gin"}).one()
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
            f"CREATE TABLE IF NOT EXISTS {index.table} (doc_id INTEGER PRIMARY KEY, body TEXT NOT NULL, "
            f"tsv tsvector GENERATED ALWAYS AS ({PG_TSV}) STORED)")
        conn.exec_driver_sql(pg_gin_index_sql(index))


#: the stored ``tsvector`` of a PostgreSQL index table: the words of ``body`` as they are (see :func:`pg_words`)
PG_TSV = "array_to_tsvector(string_to_array(body, ' '))"


def pg_gin_index_sql(index: SearchIndex) -> str:
    """The GIN index over the stored ``tsvector`` (also made by the ``pgsearch_0001`` migration)."""
    return (f"CREATE INDEX IF NOT EXISTS {index.table}_gin ON {index.table} USING gin (tsv) "
            "WITH (fastupdate = off)")


def index_known(engine: Engine, index: SearchIndex) -> bool:
    """Whether ``index`` was found present in this database (by :func:`ensure_index`) in this process."""
    return (str(engine.url), index.name) in _ensured


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
                     [{"i": r["i"], "b": pg_body(str(r["b"]))} for r in rows])
    return len(rows)


def remove_documents(conn: Connection, index: SearchIndex, ids: Iterable[int]) -> None:
    ensure_index(conn, index)
    col = "rowid" if _is_sqlite(conn) else "doc_id"
    params = [{"i": int(i)} for i in ids]
    if params:
        conn.execute(text(f"DELETE FROM {index.table} WHERE {col} = :i"), params)


def stored_documents(conn: Connection, index: SearchIndex, lo: int, hi: int) -> dict[int, str]:
    """The index rows of the ids ``lo`` to ``hi`` (both included), as stored (on PostgreSQL, the distinct
    words of :func:`pg_body`): for checking the index against its records. ``{}`` when the index table is
    not there (never used, or dropped): nothing is created, the caller may be only reading."""
    if not _exists(conn, index):
        return {}
    col = "rowid" if _is_sqlite(conn) else "doc_id"
    return {int(i): str(b) for i, b in conn.execute(
        text(f"SELECT {col}, body FROM {index.table} WHERE {col} BETWEEN :lo AND :hi"), {"lo": lo, "hi": hi})}


def lock_index(conn: Connection, index: SearchIndex) -> None:
    """Before rebuilding ``index`` in this transaction: on PostgreSQL no other session writes its rows until
    this one ends (a save made meanwhile waits, then indexes its record on top). SQLite's write transaction
    already holds the whole file."""
    ensure_index(conn, index)
    if not _is_sqlite(conn):
        conn.exec_driver_sql(f"LOCK TABLE {index.table} IN EXCLUSIVE MODE")


def clear_index(conn: Connection, index: SearchIndex) -> None:
    ensure_index(conn, index)
    conn.exec_driver_sql(f"DELETE FROM {index.table}")


def words(query: str) -> list[str]:
    """The words of a query as typed (compatibility-normalised, so full-width ``ＬＢ－０００１９`` is
    ``LB-00019``; punctuation dropped; at most 8 words)."""
    return _WORD.findall(unicodedata.normalize("NFKC", query))[:8]


_RUNS = re.compile(r"\d+|[^\W\d_]+")


def _runs(word: str) -> list[str]:
    """A word's runs of letters and of digits when it has both (``LB00019`` -> ``LB``, ``00019``): a
    reference typed without its hyphen. One run (or none) gives ``[]``."""
    runs = _RUNS.findall(word)
    return runs if len(runs) > 1 else []


#: a number typed without its leading zeros is also looked for with them, up to this many digits in all
PADDED_DIGITS = 8


#: a word typed or pasted with more runs of letters and digits than this is no reference: its numbers are not
#: padded (a pasted run of ``1a1a1a…`` made a query of megabytes)
PADDED_RUNS = 8


def _padded(run: str) -> list[str]:
    """The number with more leading zeros, up to :data:`PADDED_DIGITS` digits: ``19`` -> ``019``,
    ``0019``, ``00019`` …; ``0004`` -> ``00004``, ``000004`` …. A reference is kept as its agency writes
    it (``LB-00019``, ``PB/2024/017``) and people type the number they read on a letter or hear on the
    phone (``19``, ``0019``), and a prefix alone finds ``00019`` only when every zero is typed. Never
    fewer zeros than typed (``00019`` typed finds no other ``19``), and nothing for a run of letters,
    of zeros alone or of digits other than 0–9."""
    if not (run.isascii() and run.isdigit()) or not run.strip("0"):
        return []
    return ["0" * zeros + run for zeros in range(1, PADDED_DIGITS - len(run) + 1)]


def _fts5_word(word: str, pad: bool = True) -> str:
    alternatives = "".join(f' OR "{form}"' for form in _padded(word)) if pad else ""
    return f'("{word}"*{alternatives})' if alternatives else f'"{word}"*'


def fts5_query(query: str) -> str:
    """``hazel zz99`` -> ``"hazel"* AND ("zz99"* OR ("zz"* AND ("99"* OR "099" OR …)))``: every word as a
    prefix; a word of letters and digits also as its runs, so ``LB00019`` finds ``LB-00019`` (indexed as
    two words); a number also with more leading zeros (:func:`_padded`, as whole words), so
    ``19``, ``0019`` and ``LB19`` find ``LB-00019`` too."""
    parts = []
    for w in words(query):
        pieces = _runs(w)
        runs = " AND ".join(_fts5_word(r, len(pieces) <= PADDED_RUNS) for r in pieces)
        parts.append(f'({_fts5_word(w)} OR ({runs}))' if runs else _fts5_word(w))
    return " AND ".join(parts)


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
        stmt = text(f"SELECT doc_id FROM {index.table} WHERE tsv @@ CAST(:q AS tsquery){newest_sql}"
                    ).bindparams(q=tsquery(query))
    if newest is not None:
        stmt = stmt.bindparams(n=int(newest))
    return stmt.columns(doc_id=Integer)


def query_value(conn: Connection, query: str) -> str:
    """The value bound to ``:q`` in :func:`matching_ids`'s statement for this dialect (for callers that
    compile that statement once and run it again with new text)."""
    return fts5_query(query) if _is_sqlite(conn) else tsquery(query)


_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_LEXEME_MAX = 200  # characters kept of a very long "word" (PostgreSQL refuses lexemes over 2 kB)


def pg_words(value: str) -> list[str]:
    """The words of a text as the embedded store's FTS5 tokenizer (``unicode61 remove_diacritics 2``)
    sees them: lower case, accents removed, split at anything that is not a letter or a digit."""
    decomposed = unicodedata.normalize("NFD", value.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return [w[:_LEXEME_MAX] for w in _TOKEN.findall(plain)]


def pg_body(value: str) -> str:
    """What a PostgreSQL index table stores for a document: its distinct words, one space apart."""
    return " ".join(dict.fromkeys(pg_words(value)))


def tsquery(query: str) -> str:
    """``Hazel zz99`` -> ``'hazel':* & ('zz99':* | ('zz':* & ('99':* | '099' | …)))`` (PostgreSQL: every
    word as a prefix, a word of letters and digits also as its runs, a number also with more leading zeros,
    as :func:`fts5_query`; the words are letters
    and digits only, so they need no quoting). A query whose words have no letter or digit left (``_``)
    gives ``''``: it matches nothing."""
    found: dict[str, None] = {}
    for w in words(query):
        for lexeme in pg_words(w):
            pieces = _runs(lexeme)
            runs = " & ".join(_ts_word(r, len(pieces) <= PADDED_RUNS) for r in pieces)
            found[f"({_ts_word(lexeme)} | ({runs}))" if runs else _ts_word(lexeme)] = None
    return " & ".join(found)


def _ts_word(word: str, pad: bool = True) -> str:
    alternatives = "".join(f" | '{form}'" for form in _padded(word)) if pad else ""
    return f"('{word}':*{alternatives})" if alternatives else f"'{word}':*"


def optimize(conn: Connection, index: SearchIndex) -> None:
    """After a bulk load: merge the index segments (SQLite); refresh the planner's statistics of the
    index table (PostgreSQL, when this login owns it: the application role of team mode does not, and
    autovacuum does it there)."""
    ensure_index(conn, index)
    if _is_sqlite(conn):
        conn.exec_driver_sql(f"INSERT INTO {index.table}({index.table}) VALUES ('optimize')")
    elif conn.exec_driver_sql("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(%(t)s)",
                              {"t": index.table}).scalar():
        conn.exec_driver_sql(f"ANALYZE {index.table}")


BROAD = 1500  # matches above which a paged list is driven from its ORDER BY index
PG_HASHED = 10_000  # PostgreSQL: matches up to which the walk probes a hash of them (see _pg_id_filter)


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
    if not _is_sqlite(conn):
        return _pg_id_filter(col, ids, matches)
    if matches is not None and matches <= BROAD:
        return col.in_(ids)
    plus: UnaryExpression[Any] = UnaryExpression(col, operator=operators.custom_op("+"), type_=col.type)
    return plus.in_(ids)


def _pg_id_filter(col: ColumnElement[Any], ids: TextualSelect, matches: int | None) -> ColumnElement[bool]:
    """PostgreSQL's planner, left to itself, joins a match set of a few thousand ids by hashing all
    100,000 rows of the table and sorting, or probes the index table once per row it walks. Three shapes
    that it plans the same way whatever it guesses of a prefix's matches:

    * narrow (``matches`` ≤ :data:`BROAD`): ``col = ANY(ARRAY(ids))``: the ids are read once from the
      GIN index, then fetched by primary key and the page sorted from those few rows;
    * middling (up to :data:`PG_HASHED`): ``(col IN (ids)) IS TRUE``: not a join but a *hashed
      SubPlan*: the match set is read once into a hash table, and the ORDER BY index is walked, each row
      probing the hash, until the page is full;
    * broader, or unknown: ``+col IN (ids)`` as on SQLite: the ORDER BY index is walked and each row
      probes the index table by primary key (a page of a one-letter prefix is found within a few hundred
      rows, sooner than a hash of 30,000 ids is built)."""
    if matches is not None and matches <= BROAD:
        return col == func.any(func.array(ids.scalar_subquery()))
    if matches is not None and matches <= PG_HASHED:
        return col.in_(ids).is_(true())
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


#: compiled per-keystroke statements of :func:`pg_counted_page`: (SQL, its bound values) by caller's key
_PG_PAGES: dict[tuple[Any, ...], tuple[str, dict[str, Any]]] = {}


def pg_counted_page(conn: Connection, index: SearchIndex, column: ColumnElement[Any] | QueryableAttribute[Any],
                    query: str, page: Callable[[ColumnElement[bool]], Select[Any]], *,
                    order: Sequence[tuple[str, bool]], cap: int, key: Hashable | None = None,
                    narrow_page: Callable[[ColumnElement[bool]], Select[Any]] | None = None,
                    ) -> tuple[int, list[tuple[Any, ...]]]:
    """PostgreSQL, per keystroke: the count of ``query``'s matches (up to ``cap`` + 1) and the first page
    ``page(condition)`` (a SELECT with its ORDER BY and LIMIT, every column of it named) in ONE statement
    whose match set is read from the GIN index once::

        WITH m AS MATERIALIZED (SELECT doc_id … WHERE tsv @@ q LIMIT cap + 1), t AS (SELECT count(*) FROM m)
        (narrow page   WHERE (SELECT n FROM t) <= BROAD              AND col = ANY(ARRAY(SELECT doc_id FROM m)))
        UNION ALL (hashed page WHERE BROAD < (SELECT n FROM t) <= PG_HASHED AND (col IN (SELECT doc_id FROM m)) IS TRUE)
        UNION ALL (walked page WHERE (SELECT n FROM t) > PG_HASHED   AND +col IN (SELECT doc_id … WHERE tsv @@ q))

    Each branch's condition on the count is an InitPlan (a one-time filter): only the branch for the
    count runs, in the plan :func:`_pg_id_filter` would choose after a separate count, but without that
    count's second pass over the index table nor its round trip. Each row carries the count; no row
    means no match (a page of the search alone is empty only when nothing matches). ``order`` names the
    page's sort columns (and whether descending) again, for the union's own ORDER BY.

    ``narrow_page`` (optional) builds the narrow branch instead of ``page``: the same rows, e.g. the page
    chosen from the table's own rows before joining others (a narrow match set may hold 1,500 rows; the
    join is then made for the page's rows only).

    ``key`` (the caller's name for the statement's shape: sort, page size …): the statement is built and
    compiled once per key and then sent as plain SQL with the new text (building and compiling the
    SQLAlchemy statement cost more than a millisecond a keystroke). The same SQL text each time lets the
    driver prepare it on the server (psycopg prepares a statement sent five times). The statement names
    ``current_schema()``, a function PostgreSQL runs only in the leader: the planner then never starts
    parallel workers for it (starting one cost 5 ms, more than the whole keystroke, for a walk whose
    branch the count then left unused)."""
    if _is_sqlite(conn):
        raise ValueError("pg_counted_page is for PostgreSQL")
    ensure_index(conn, index)
    if not words(query):
        raise ValueError("pg_counted_page needs a query with at least one word")
    full_key = None if key is None else (conn.dialect.name, index.name, cap, BROAD, PG_HASHED, key)
    found = _PG_PAGES.get(full_key) if full_key is not None else None
    if found is None:
        compiled = _pg_counted_page_stmt(conn, index, column, page, order=order, cap=cap,
                                         narrow_page=narrow_page).compile(dialect=conn.dialect)
        found = (str(compiled), dict(compiled.params))
        if full_key is not None:
            _PG_PAGES[full_key] = found
    sql, params = found
    result = conn.exec_driver_sql(sql, {**params, "q": tsquery(query)})
    try:
        rows = list(result.cursor.fetchall())
    finally:
        result.close()
    if not rows:
        return 0, []
    return int(rows[0][-1]), [tuple(r)[:-1] for r in rows]


def _pg_counted_page_stmt(conn: Connection, index: SearchIndex, column: ColumnElement[Any] | QueryableAttribute[Any],
                          page: Callable[[ColumnElement[bool]], Select[Any]], *, order: Sequence[tuple[str, bool]],
                          cap: int, narrow_page: Callable[[ColumnElement[bool]], Select[Any]] | None) -> Select[Any]:
    """The statement of :func:`pg_counted_page`, its text bound to ``:q``."""
    col = column.expression if isinstance(column, QueryableAttribute) else column
    ids = matching_ids(conn, index, "x")
    assert ids is not None
    m = select(ids.subquery().c.doc_id).limit(cap + 1).cte("m").prefix_with("MATERIALIZED")
    t = select(func.count().label("n")).select_from(m).cte("t")
    n = select(t.c.n).scalar_subquery()
    # m holds every match only when the count stayed within the cap
    narrow_up_to, hashed_up_to = min(BROAD, cap), min(PG_HASHED, cap)
    plus: UnaryExpression[Any] = UnaryExpression(col, operator=operators.custom_op("+"), type_=col.type)
    branches = [
        (narrow_page or page)(col == func.any(func.array(select(m.c.doc_id).scalar_subquery()))
                              ).where(n <= narrow_up_to),
        page(col.in_(select(m.c.doc_id)).is_(true())).where(n > narrow_up_to, n <= hashed_up_to),
        page(plus.in_(ids)).where(n > hashed_up_to),
    ]
    union = union_all(*(b.add_columns(n.label("adk_total")) for b in branches)).subquery("p")
    by = [union.c[name].desc() if descending else union.c[name].asc() for name, descending in order]
    # current_schema() is parallel-unsafe: no parallel plan (see pg_counted_page); a one-time filter, true
    return select(union).where(func.current_schema().is_not(None)).order_by(*by)
