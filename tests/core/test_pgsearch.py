"""Team-mode search (issue 17 item 4): PostgreSQL answers every search exactly as the embedded store's
FTS5 does, through its GIN index, in page plans that do not scan the tables; the ``pgsearch_0001``
migration brings index tables made before it to the new shape, with their rows."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations, search
from adoption_desktop.core.storage.engine import Database, open_postgresql
from adoption_desktop.core.storage.lifecycle import create_database
from tests.pg import PostgresServer

INDEX = search.SearchIndex("test_parity")
#: synthetic text with what tokenizers disagree on: accents, hyphens, e-mail addresses, decimals,
#: apostrophes, underscores, slashes, capitals, repeated words and digits inside words
DOCS = [
    (1, "Zoë Brontë-Hazelmere, ZZ99 1AB; zoe.h@example.invalid"),
    (2, "Hazelford Road 12.5 miles — O'Rourke & Sons/“Quayside”"),
    (3, "snake_case_name and CamelCaseName at 3rd floor, flat 2b"),
    (4, "Ærøskøbing Straße café naïve coöperate Élan"),
    (5, "lb-2024-0012 LB-2024-0013 hazel HAZEL Hazel"),
    (6, ""),
    (7, "http://example.invalid/path/to/page?q=hazel#frag 1,234,567"),
    (8, "x" * 300 + " tail"),
]
QUERIES = ["hazel", "Haz", "h", "zoe", "bronte", "brontë", "hazelmere zz", "zz99 1ab", "example", "invalid", "zoe h",
           "12", "5", "12.5", "o'rourke", "rourke", "quay", "snake", "case", "name", "snake_case", "camel",
           "3rd", "2b", "aeroskobing", "ærø", "strasse", "straße", "cafe", "CAFÉ", "naive", "coop", "elan",
           "lb 2024", "lb-2024-0012", "0013", "2024 hazel", "http", "path to", "frag", "234", "1,234", "xxx",
           "tail", "x" * 250, "hazel nothing", "  hazel  ", "_", "—", "ZZ99 1AB Zoë Brontë Hazelmere zoe h example",
           # a reference typed without its hyphens, or in full-width characters; letters and digits in one word
           "lb20240012", "LB2024", "ｌｂ－２０２４－００１２", "ＨＡＺＥＬ", "zz991ab", "zz99", "3rdfloor", "snake2b"]


@pytest.fixture
def pg(postgres_server: PostgresServer | None) -> Iterator[Database]:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    search.forget_ensured()
    yield from postgres_server.fresh_database()


@pytest.fixture
def lite(tmp_path: Path, store: SecretStore) -> Iterator[Database]:
    created = create_database(tmp_path / "parity.db", store)
    yield created.db
    created.db.dispose()


def _ids(db: Database, index: search.SearchIndex, query: str) -> set[int] | None:
    with db.engine.begin() as conn:
        sub = search.matching_ids(conn, index, query)
        return None if sub is None else {r[0] for r in conn.execute(sub)}


def test_postgresql_finds_what_fts5_finds(lite: Database, pg: Database) -> None:
    for db in (lite, pg):
        with db.engine.begin() as conn:
            search.index_documents(conn, INDEX, DOCS)
    differ = {q: (_ids(lite, INDEX, q), _ids(pg, INDEX, q)) for q in QUERIES}
    differ = {q: pair for q, pair in differ.items() if pair[0] != pair[1]}
    assert differ == {}
    assert _ids(pg, INDEX, "brontë") == {1} and _ids(pg, INDEX, "lb-2024-0012") == {5}  # the test can fail


def test_postgresql_index_tables_store_the_fts5_words(pg: Database) -> None:
    with pg.engine.begin() as conn:
        search.index_documents(conn, INDEX, [(1, "Zoë Brontë-Hazelmere, zoe.h@example.invalid Zoë")])
        body, tsv = conn.execute(text(f"SELECT body, tsv::text FROM {INDEX.table}")).one()
    assert body == "zoe bronte hazelmere h example invalid"
    assert tsv == "'bronte' 'example' 'h' 'hazelmere' 'invalid' 'zoe'"
    assert search.tsquery("Brontë-Haz zoe_h") == "'bronte':* & 'haz':* & 'zoe':* & 'h':*"


def test_search_and_count_use_the_gin_index(pg: Database) -> None:
    with pg.engine.begin() as conn:
        search.index_documents(conn, INDEX, [(i, f"word{i % 7} common") for i in range(1, 400)])
    with pg.engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        sub = search.matching_ids(conn, INDEX, "word3 comm")
        assert sub is not None
        compiled = sub.compile(conn)
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params))
        fastupdate = conn.execute(text("SELECT reloptions FROM pg_class WHERE relname = :n"),
                                  {"n": f"{INDEX.table}_gin"}).scalar()
    assert f"{INDEX.table}_gin" in plan, plan
    assert "to_tsvector" not in plan  # the stored column, not a tsvector recomputed per row
    assert fastupdate == ["fastupdate=off"]


# --- the exchange register on both stores ----------------------------------------------------------

def _letterbox_demo(db: Database) -> None:
    from adoption_desktop import demo
    from adoption_desktop.letterbox import demo as letterbox_demo

    ctx = demo.DemoContext(size="small", rng=random.Random(20261123), today=dt.date(2026, 11, 23))
    demo._create_users(db, ctx)
    letterbox_demo.populate(db, ctx)


def _register_queries(db: Database) -> list[str]:
    from sqlalchemy import select

    from adoption_desktop.letterbox.models import Arrangement

    with db.session(write=False) as s:
        names = list(s.scalars(select(Arrangement.child_birth_name).order_by(Arrangement.id).limit(6)))
    out = ["", "lb", "letter", "photo letter", "zz"]
    for name in names:
        word = name.split()[-1].lower()
        out += [word[:k] for k in range(1, len(word) + 1)]
    return out


def test_the_exchange_register_lists_the_same_page_and_count(lite: Database, pg: Database,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Every keystroke of a few surnames, on the small demo in both stores: the same count and the
    same first page in the same order, in each of PostgreSQL's three page plans (narrow, hashed, walked,
    made to happen on 2,000 items by lowering the thresholds) and with a count cap that is reached."""
    from adoption_desktop.core.security.service import principal_for
    from adoption_desktop.letterbox import service
    from adoption_desktop.letterbox.service import item_register

    for db in (lite, pg):
        _letterbox_demo(db)
    queries = _register_queries(lite)
    actors = {id(db): principal_for(db, "letterbox") for db in (lite, pg)}

    def pages(sort: str, descending: bool) -> dict[str, list[object]]:
        out: dict[str, list[object]] = {}
        for q in queries:
            f = service.ItemFilter(query=q, sort=sort, descending=descending)
            got = [service.item_page(db, actors[id(db)], f, limit=50) for db in (lite, pg)]
            capped = got[0][0] > item_register.COUNT_CAP
            if capped:
                # past the cap the embedded store lists the COUNT_CAP most recently entered matches (read
                # newest first from FTS5) and team mode the first page of all matches in the order shown
                # (walked by index): both say "more than N, type more to narrow"; the count is the same
                if got[0][0] != got[1][0]:
                    out[q] = [g[0] for g in got]
            elif got[0] != got[1]:
                out[q] = [(g[0], [r.id for r in g[1]]) for g in got]
            # a later page, and the search with a filter besides (the count and page of a separate plan)
            later = [service.list_items(db, actors[id(db)], f, offset=50, limit=50) for db in (lite, pg)]
            if later[0] != later[1] and not capped:
                out[q + " (page 2)"] = [[r.id for r in g] for g in later]
            screened = replace(f, status="forwarded")
            both = [service.item_page(db, actors[id(db)], screened, limit=50) for db in (lite, pg)]
            if both[0] != both[1]:
                out[q + " (forwarded)"] = [(g[0], [r.id for r in g[1]]) for g in both]
        return out

    assert pages("received_on", True) == {}
    # a keystroke in team mode: the sign-in check and one statement, outside any BEGIN … COMMIT
    from sqlalchemy import event

    sent: list[str] = []
    event.listen(pg.engine, "before_cursor_execute", lambda *a: sent.append(a[2].split()[0]))
    service.item_page(pg, actors[id(pg)], service.ItemFilter(query="haz"))
    assert sent == ["SELECT", "WITH"]
    monkeypatch.setattr(search, "BROAD", 40)
    monkeypatch.setattr(search, "PG_HASHED", 400)
    monkeypatch.setattr(item_register, "COUNT_CAP", 600)  # where it is read (not the package)
    assert pages("received_on", True) == {}
    assert pages("reference", False) == {}
    assert pages("writer", True) == {}
    f = service.ItemFilter(query="l")
    assert service.item_page(pg, actors[id(pg)], f)[0] == 601  # capped: "more than 600"
    monkeypatch.setattr(search, "BROAD", 1500)
    monkeypatch.setattr(item_register, "COUNT_CAP", 30)  # a cap below the narrow plan's bound
    assert pages("received_on", False) == {}


# --- the migration, on a database that has index tables of the old shape, with rows ----------------

def test_pgsearch_migration_converts_old_index_tables_with_their_rows(postgres_server: PostgresServer | None) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    db = open_postgresql(postgres_server.empty_database_url("mig_"))
    try:
        with db.engine.connect() as conn:
            command.upgrade(migrations.alembic_config(conn, per_step=False), "figpanel_0001_member_profile")  # the revision before pgsearch_0001
            conn.commit()
            # the shape made before pgsearch_0001, holding lower-cased text
            conn.exec_driver_sql("CREATE TABLE fts_old_docs (doc_id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
            conn.exec_driver_sql("CREATE INDEX fts_old_docs_tsv ON fts_old_docs USING gin (to_tsvector('simple', body))")
            conn.execute(text("INSERT INTO fts_old_docs VALUES (:i, :b)"),
                         [{"i": i, "b": b.lower()} for i, b in DOCS])
            conn.commit()
            command.upgrade(migrations.alembic_config(conn, per_step=False), "heads")
            conn.commit()
            assert migrations.current_heads(conn) == migrations.script_heads()
            indexes = {r[0] for r in conn.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'fts_old_docs'")}
            bodies = dict(conn.exec_driver_sql("SELECT doc_id, body FROM fts_old_docs").all())
        assert indexes == {"fts_old_docs_pkey", "fts_old_docs_gin"}
        assert bodies[1] == "zoe bronte hazelmere zz99 1ab h example invalid"
        assert len(bodies) == len(DOCS)
        search.forget_ensured()
        old = search.SearchIndex("old_docs")
        assert _ids(db, old, "bronte haz") == {1}
        assert _ids(db, old, "hazel") == {1, 2, 5, 7}
        with db.engine.begin() as conn:  # and it takes new documents in its new shape
            search.index_documents(conn, old, [(9, "Quillmore Brontë")])
        assert _ids(db, old, "bront") == {1, 9}
    finally:
        db.dispose()


def test_pgsearch_migration_is_a_no_op_on_sqlcipher(lite: Database) -> None:
    with lite.engine.connect() as conn:
        names = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name LIKE 'fts%'")}
        assert migrations.current_heads(conn) == migrations.script_heads()
    assert all("gin" not in n for n in names)


# --- one round trip fewer per keystroke: a pooled connection is pinged only after being idle ------

def test_a_pooled_connection_the_server_dropped_is_replaced(postgres_server: PostgresServer | None,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    from adoption_desktop.core.storage import engine as engine_module

    db = open_postgresql(postgres_server.empty_database_url("ping_"))
    try:
        with db.engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with db.engine.connect() as conn:  # back in the pool a moment ago: the same connection
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() == pid
        admin = open_postgresql(f"{postgres_server.base_url}/postgres")
        with admin.engine.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
        admin.dispose()
        monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_S", 0.0)  # as if idle for a while
        with db.engine.connect() as conn:  # the ping fails; a new connection is used, no error
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid
    finally:
        db.dispose()


def test_each_statement_sessions_run_outside_a_transaction_on_postgresql_only(pg: Database, lite: Database) -> None:
    from psycopg.pq import TransactionStatus

    def status(each: bool) -> TransactionStatus:
        with pg.session(write=False, each_statement=each) as session:
            session.execute(text("SELECT 1"))
            return session.connection().connection.dbapi_connection.pgconn.transaction_status  # type: ignore[union-attr]

    assert status(True) == TransactionStatus.IDLE
    assert status(False) == TransactionStatus.INTRANS
    with pg.session(write=False) as session:  # the pooled connection is back in a transaction's mode
        session.execute(text("SELECT 1"))
        assert session.connection().connection.dbapi_connection.autocommit is False  # type: ignore[union-attr]
    with lite.session(write=False, each_statement=True) as session:  # no effect on the embedded store
        assert session.execute(text("SELECT 1")).scalar() == 1


def test_a_keystroke_sends_one_compiled_statement_never_planned_in_parallel(pg: Database,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Team mode, per keystroke: the statement is built once per sort and page size and then sent as the
    same SQL text with new words (the driver prepares it on the server); PostgreSQL never plans it with
    parallel workers, even where they look free (starting one cost more than the whole keystroke)."""
    from sqlalchemy import event

    from adoption_desktop.core.security.service import principal_for
    from adoption_desktop.letterbox import service

    _letterbox_demo(pg)
    actor = principal_for(pg, "letterbox")
    sent: list[tuple[str, dict[str, object]]] = []
    event.listen(pg.engine, "before_cursor_execute", lambda _c, _cu, st, params, _x, _m: sent.append((st, params)))
    first = service.item_page(pg, actor, service.ItemFilter(query="l"))
    monkeypatch.setattr(search, "_pg_counted_page_stmt", lambda *a, **k: pytest.fail("built again"))
    second = service.item_page(pg, actor, service.ItemFilter(query="lb"))
    statements = [(st, params) for st, params in sent if st.startswith("WITH")]
    assert len(statements) == 2 and statements[0][0] == statements[1][0]
    assert first[0] > 0 and second[0] > 0
    sql, params = statements[1]
    with pg.engine.connect() as conn:
        for setting in ("parallel_setup_cost = 0", "parallel_tuple_cost = 0", "min_parallel_table_scan_size = 0",
                        "min_parallel_index_scan_size = 0", "max_parallel_workers_per_gather = 4"):
            conn.exec_driver_sql(f"SET LOCAL {setting}")
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params))
        # the same statement without the leader-only function would be planned in parallel
        bare = sql.replace("current_schema() IS NOT NULL", "true")
        assert bare != sql
        bare_plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + bare, params))
    assert "Gather" not in plan, plan
    assert "Gather" in bare_plan
