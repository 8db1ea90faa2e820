"""The team server stops, restarts or drops the connection while someone works: every session says so
in plain words (``DatabaseUnavailable``: no server address, port or driver text), nothing half-saved, and
the next session after the server is back simply works. Real PostgreSQL (tests/pg.py), no mocks."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import psycopg.errors as pe
import pytest
import sqlalchemy as sa

from adoption_desktop.core import drafts
from adoption_desktop.core.errors import (
    DatabaseBusy,
    DatabaseClash,
    DatabaseCommitUncertain,
    DatabaseOpenError,
    DatabaseRefused,
    DatabaseServerFull,
    DatabaseUnavailable,
)
from adoption_desktop.core.models import Draft
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage import engine as engine_mod
from adoption_desktop.core.storage.engine import Database, is_connection_lost, open_postgresql, refusal
from tests.conftest import make_user
from tests.pg import PostgresServer

PLAIN = "The database server can't be reached just now, so this was not saved."
UNCERTAIN = "The database server stopped answering while this was being saved: it may or may not have been saved."


def _plain(err: DatabaseUnavailable, pg: PostgresServer) -> None:
    text = str(err)
    assert text.startswith(PLAIN)
    for leak in (str(pg.port), "127.0.0.1", "sqlalche", "psycopg", "connection to server"):
        assert leak not in text


def test_a_dropped_connection_is_said_plainly_and_the_next_session_works(pg: PostgresServer,
                                                                          pg_db: Database) -> None:
    ann = make_user(pg_db, "ann", Role.COUNSELLOR)
    drafts.save_draft(pg_db, ann, "k", "first")
    assert pg.terminate_connections(str(pg_db.engine.url.database)) >= 1  # the server ends the app's connections
    with pytest.raises(DatabaseUnavailable) as caught:
        drafts.save_draft(pg_db, ann, "k", "second")
    _plain(caught.value, pg)
    assert not isinstance(caught.value, DatabaseCommitUncertain)  # lost before COMMIT: surely not saved
    assert drafts.load_draft(pg_db, ann, "k") == "first"  # nothing half-saved; the next session reconnects
    drafts.save_draft(pg_db, ann, "k", "second")
    assert drafts.load_draft(pg_db, ann, "k") == "second"


def test_a_stopped_server_is_said_plainly_and_work_goes_on_once_it_is_back(pg: PostgresServer,
                                                                           pg_db: Database) -> None:
    ann = make_user(pg_db, "ann", Role.COUNSELLOR)
    pg.stop()
    try:
        for _attempt in range(2):  # the connection the pool held, then a new one refused
            with pytest.raises(DatabaseUnavailable) as caught:
                drafts.save_draft(pg_db, ann, "k", "typed while it was down")
            _plain(caught.value, pg)
        with pytest.raises(DatabaseUnavailable), pg_db.session(write=False) as session:
            session.scalars(sa.select(User.id)).all()
    finally:
        pg.start()
    drafts.save_draft(pg_db, ann, "k", "typed while it was down")
    assert drafts.load_draft(pg_db, ann, "k") == "typed while it was down"


def test_opening_an_unreachable_server_is_a_plain_retryable_error(pg: PostgresServer) -> None:
    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DatabaseUnavailable, match="Could not reach the PostgreSQL server") as caught:
        open_postgresql(f"postgresql+psycopg://postgres@127.0.0.1:{port}/adoption")
    assert str(port) not in str(caught.value)
    # a refusal by a server that is there is not an outage: its own plain message, not retried
    for address, said in ((f"{pg.base_url}/no_such_database", DatabaseRefused.SIGN_IN),
                          (f"{pg.base_url}/postgres?sslmode=require", DatabaseRefused.SECURE)):
        with pytest.raises(DatabaseOpenError) as refused:
            open_postgresql(address)
        assert isinstance(refused.value, DatabaseRefused) and not isinstance(refused.value, DatabaseUnavailable)
        assert str(refused.value) == said and str(pg.port) not in said


def test_a_team_connection_gives_up_and_notices_a_dead_server_in_seconds(pg: PostgresServer, pg_db: Database) -> None:
    """A server that stops answering without refusing (a hung network) left the window waiting on the
    operating system's own timeouts; each connection now carries libpq's connect timeout and keepalives,
    and a setting given in the database address wins."""
    url = f"{pg.base_url}/{pg_db.engine.url.database}"
    for address, timeout in ((url, "10"), (url + "?connect_timeout=3", "3")):
        db = open_postgresql(address)
        try:
            with db.engine.connect() as conn:
                params = conn.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
        finally:
            db.dispose()
        assert params["connect_timeout"] == timeout
        assert (params["keepalives"], params["keepalives_idle"], params["keepalives_count"]) == ("1", "30", "3")


# --- which errors are an outage: real errors from real servers, table-driven --------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _engine(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    engine_mod._mark_connect_errors(engine)  # as open_postgresql does: which errors came from connecting
    return engine


def _raised(action: Callable[[], Any]) -> BaseException:
    try:
        action()
    except Exception as err:
        return err
    raise AssertionError("no error was raised")


def _quietly(action: Callable[[], Any]) -> None:
    """A's side of a deadlock: whichever of the two the server picks as the victim, B's error is the case."""
    with contextlib.suppress(sa.exc.DBAPIError):
        action()


def _wrap(err: BaseException) -> BaseException:
    """SQLAlchemy's own wrapping of a driver error raised outside a statement it ran."""
    return sa.exc.DBAPIError.instance(None, None, err, psycopg.Error)  # type: ignore[arg-type]


def _connect(url: str) -> Callable[[], Any]:
    def go() -> None:
        with _engine(url).connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    return go


def _terminated(pg: PostgresServer, url: str) -> BaseException:
    engine = _engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
        pg.terminate_connections(str(engine.url.database))
        time.sleep(0.2)
        return _raised(lambda: conn.exec_driver_sql("SELECT 1"))


def _pooled_after_stop(pg: PostgresServer, url: str) -> list[BaseException]:
    engine = _engine(url)
    conn = engine.connect()
    conn.exec_driver_sql("SELECT 1")
    conn.commit()
    pg.stop()
    try:
        return [_raised(lambda: conn.exec_driver_sql("SELECT 1")), _raised(_connect(url))]
    finally:
        pg.start()


def _in_transaction(url: str, sql: str, *, setup: str = "", params: dict[str, Any] | None = None) -> BaseException:
    engine = _engine(url)
    with engine.connect() as conn:
        if setup:
            conn.exec_driver_sql(setup)
        return _raised(lambda: conn.exec_driver_sql(sql, params or {}))


def _closed_cursor(url: str) -> BaseException:
    with _engine(url).connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.close()
        return _wrap(_raised(lambda: cursor.execute("SELECT 1")))  # psycopg.InterfaceError, wrapped


def _blocked(url: str, table: str, sql_a: str, sql_b: str, setting: str) -> BaseException:
    """Two connections: A holds row 1 (and tries ``sql_a`` in a thread, if given); B runs ``sql_b``."""
    engine = _engine(url)
    with engine.connect() as setup:
        setup.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {table} (id int primary key, v int)")
        setup.exec_driver_sql(f"DELETE FROM {table}")
        setup.exec_driver_sql(f"INSERT INTO {table} VALUES (1, 0), (2, 0)")
        setup.commit()
    a, b = engine.connect(), engine.connect()
    try:
        a.exec_driver_sql(f"UPDATE {table} SET v = 1 WHERE id = 1")
        b.exec_driver_sql(setting)
        b.exec_driver_sql(f"UPDATE {table} SET v = 2 WHERE id = 2")
        worker = threading.Thread(target=lambda: _quietly(lambda: a.exec_driver_sql(sql_a)) if sql_a else None)
        worker.start()
        time.sleep(0.3)
        err = _raised(lambda: b.exec_driver_sql(sql_b))
        b.rollback()
        worker.join(10)
        return err
    finally:
        a.close()
        b.close()


def _serialization(url: str) -> BaseException:
    engine = _engine(url)
    with engine.connect() as setup:
        setup.exec_driver_sql("CREATE TABLE IF NOT EXISTS ser (id int primary key, v int)")
        setup.exec_driver_sql("INSERT INTO ser VALUES (1, 0) ON CONFLICT DO NOTHING")
        setup.commit()
    with engine.connect() as a, engine.connect() as b:
        a.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        a.exec_driver_sql("SELECT v FROM ser WHERE id = 1")
        b.exec_driver_sql("UPDATE ser SET v = v + 1 WHERE id = 1")
        b.commit()
        return _raised(lambda: a.exec_driver_sql("UPDATE ser SET v = v + 1 WHERE id = 1"))


def _sqlite_locked(tmp: Path) -> BaseException:
    path = tmp / "locked.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
        with engine.connect() as conn:
            return _raised(lambda: conn.exec_driver_sql("SELECT * FROM t"))
    finally:
        holder.close()


def _sqlcipher_wrong_key(db: Database) -> BaseException:
    assert db.path is not None
    engine = sa.create_engine(engine_mod.sqlcipher_url(db.path, bytes(32)))
    with engine.connect() as conn:
        return _raised(lambda: conn.exec_driver_sql("SELECT count(*) FROM sqlite_master"))


def _constructed(orig: BaseException, cls: type[sa.exc.DBAPIError] = sa.exc.OperationalError,
                 connecting: bool = False) -> BaseException:
    if connecting:
        setattr(orig, engine_mod._CONNECTING, True)
    return cls("SELECT 1", {}, orig)


OUTAGE, REFUSED, OTHER = "outage", "refused", "other"


def test_which_errors_are_an_outage(pg: PostgresServer, pg_db: Database, db: Database, tmp_path: Path) -> None:
    """An outage is SQLAlchemy's disconnect test, SQLSTATE 08/57P, or a failure to reach the server while
    connecting; program faults (psycopg InterfaceError and the like), SSL and sign-in refusals, and
    ordinary database errors are not: each was shown as "can't be reached" and retried every 5 s."""
    url = f"{pg.base_url}/{pg_db.engine.url.database}"
    stopped_pooled, stopped_connect = _pooled_after_stop(pg, url)
    cases: list[tuple[str, BaseException, str]] = [
        # real errors from a real server
        ("a refused port", _raised(_connect(f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/x")), OUTAGE),
        ("pg_terminate_backend (57P01)", _terminated(pg, url), OUTAGE),
        ("a stopped server, the pooled connection", stopped_pooled, OUTAGE),
        ("a stopped server, a new connection", stopped_connect, OUTAGE),
        ("SSL required, the server has none", _raised(_connect(url + "?sslmode=require")), REFUSED),
        ("no such database", _raised(_connect(f"{pg.base_url}/no_such_database")), REFUSED),
        ("no such role", _raised(_connect(f"postgresql+psycopg://nobody@127.0.0.1:{pg.port}/postgres")), REFUSED),
        ("a closed cursor (InterfaceError, a program fault)", _closed_cursor(url), OTHER),
        ("a value with no dumper (a program fault)", _in_transaction(url, "SELECT %(v)s", params={"v": object()}),
         OTHER),
        ("unique violation 23505", _in_transaction(
            url, "INSERT INTO uq VALUES (1)", setup="CREATE TEMP TABLE uq (id int primary key); "
                                                    "INSERT INTO uq VALUES (1)"), OTHER),
        ("query canceled 57014", _in_transaction(url, "SELECT pg_sleep(2)", setup="SET statement_timeout = '50ms'"),
         OTHER),
        ("lock not available 55P03", _blocked(url, "lk", "", "UPDATE lk SET v = 3 WHERE id = 1",
                                              "SET lock_timeout = '50ms'"), OTHER),
        ("deadlock 40P01", _blocked(url, "dl", "UPDATE dl SET v = 1 WHERE id = 2", "UPDATE dl SET v = 2 WHERE id = 1",
                                    "SET deadlock_timeout = '50ms'"), OTHER),
        ("serialization failure 40001", _serialization(url), OTHER),
        ("SQLite: database is locked", _sqlite_locked(tmp_path), OTHER),
        ("SQLCipher: a wrong key (file is not a database)", _sqlcipher_wrong_key(db), OTHER),
        # constructed: no certificate-checking SSL server, crash restart or start-up window to hand in a test
        ("SSL: certificate verify failed", _constructed(psycopg.OperationalError(
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: SSL error: certificate '
            "verify failed"), connecting=True), REFUSED),
        ("crash shutdown 57P02", _constructed(pe.CrashShutdown("terminating connection because of crash")), OUTAGE),
        ("cannot connect now 57P03", _constructed(pe.CannotConnectNow("the database system is starting up")),
         OUTAGE),
        # second review: a server restarting during the secure-connection set-up is an outage, not a refusal,
        # and a host whose name holds "tls" is no certificate problem
        ("SSL SYSCALL error: EOF detected", _constructed(psycopg.OperationalError(
            'connection failed: connection to server at "10.0.0.5", port 5432 failed: SSL SYSCALL error: EOF '
            "detected"), connecting=True), OUTAGE),
        ("server closed the connection, SSL error", _constructed(psycopg.OperationalError(
            "server closed the connection unexpectedly\nSSL error: unexpected eof while reading"),
            connecting=True), OUTAGE),
        ("refused by a host named tls-db", _constructed(psycopg.OperationalError(
            'connection failed: connection to server at "tls-db.example" (10.0.0.5), port 5432 failed: '
            "Connection refused"), connecting=True), OUTAGE),
        ("no SQLSTATE, not while connecting", _constructed(psycopg.OperationalError(
            "sending query failed: another command is already in progress")), OTHER),
    ]
    wrong = []
    for name, err, expected in cases:
        got = OUTAGE if is_connection_lost(err) else REFUSED if refusal(err) is not None else OTHER
        code = name.rsplit(" ", 1)[-1].strip("()")
        if len(code) == 5 and code[:2].isdigit():  # the case is the SQLSTATE it names
            assert getattr(getattr(err, "orig", None), "sqlstate", None) == code, name
        if got != expected:
            wrong.append(f"{name}: {got}, expected {expected} ({type(err).__name__}: {str(err)[:120]})")
    assert not wrong, "\n".join(wrong)
    ssl = next(err for name, err, _ in cases if name.startswith("SSL required"))
    assert "does not support SSL" in str(ssl)  # the case is what it says


def test_a_program_fault_in_a_session_is_not_said_as_an_outage(pg_db: Database) -> None:
    with pytest.raises(sa.exc.ProgrammingError), pg_db.session(write=False) as session:
        session.execute(sa.text("SELECT :v"), {"v": object()})
    with pytest.raises(sa.exc.InterfaceError) as caught, pg_db.session(write=False) as session:
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.close()
        try:
            cursor.execute("SELECT 1")
        except psycopg.Error as err:
            raise _wrap(err) from err
    assert not isinstance(caught.value, DatabaseUnavailable)


def test_a_connection_lost_during_commit_says_the_outcome_is_unknown(pg: PostgresServer, pg_db: Database) -> None:
    """Sign, Approve, an outcome or a letter batch are not retried: lost at COMMIT, the change may be
    stored, and "not saved, try again" could make a second one. The session says it may or may not be."""
    ann = make_user(pg_db, "ann", Role.COUNSELLOR)
    name = str(pg_db.engine.url.database)

    def end_the_backend(session: sa.orm.Session) -> None:
        pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        pg.terminate_connections(name)
        admin = open_postgresql(f"{pg.base_url}/postgres")
        try:
            for _ in range(100):  # the backend is gone before COMMIT is sent: no race with it
                with admin.engine.connect() as conn:
                    if not conn.exec_driver_sql("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).first():
                        break
                time.sleep(0.05)
        finally:
            admin.dispose()

    with pytest.raises(DatabaseCommitUncertain) as caught, pg_db.session(ann) as session:
        session.add(Draft(user_id=ann.user_id, key="sign", text="signed", saved_at=dt.datetime(2026, 12, 2)))
        sa.event.listen(session, "before_commit", end_the_backend)
    assert str(caught.value).startswith(UNCERTAIN)
    assert "look at the record before trying again" in str(caught.value)
    for leak in (str(pg.port), "127.0.0.1", "psycopg", "sqlalche"):
        assert leak not in str(caught.value)
    assert isinstance(caught.value, DatabaseUnavailable)  # still an outage: autosaves retry it quietly
    assert drafts.load_draft(pg_db, ann, "sign") is None  # (here it was not: the backend ended first)


# --- a server with no free connection, a transaction stopped by a deadlock (team-mode trial ut26) -------


def test_a_server_with_no_free_connection_is_said_plainly_retried_and_not_a_wrong_password(
        pg: PostgresServer, pg_db: Database) -> None:
    """The team server out of connections (its max_connections, or a CONNECTION LIMIT IT set on the login) was
    said as "part of the database may be missing or damaged … run verify", and a login's own limit as "did
    not accept the user name, password or database name". It is an outage: said plainly, and the next save
    once a connection is free simply works."""
    name = str(pg_db.engine.url.database)
    role = f"lim_{name[-8:]}"
    with pg_db.engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 1")
        conn.exec_driver_sql(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        conn.exec_driver_sql(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
        conn.commit()
    ann = make_user(pg_db, "ann", Role.COUNSELLOR)
    url = f"postgresql+psycopg://{role}@127.0.0.1:{pg.port}/{name}"
    limited = open_postgresql(url)
    try:
        drafts.save_draft(limited, ann, "k", "first")
        limited.engine.dispose()  # its pooled connection closed: the next save needs a new one
        other_pc = psycopg.connect(f"postgresql://{role}@127.0.0.1:{pg.port}/{name}")  # takes the only slot
        try:
            with pytest.raises(DatabaseUnavailable) as caught:
                drafts.save_draft(limited, ann, "k", "typed while the server was full")
            assert isinstance(caught.value, DatabaseServerFull)
            said = str(caught.value)
            assert said.startswith("The database server is not taking more connections just now")
            for leak in (str(pg.port), "127.0.0.1", "sqlalche", "psycopg", "connection to server", role):
                assert leak not in said
            # opening it then: a Retry at start-up (DatabaseUnavailable), in its own words
            with pytest.raises(DatabaseUnavailable, match="not taking more connections") as at_start:
                open_postgresql(url)
            assert str(pg.port) not in str(at_start.value)
        finally:
            other_pc.close()
        assert drafts.load_draft(pg_db, ann, "k") == "first"
        drafts.save_draft(limited, ann, "k", "typed while the server was full")  # a slot free again: it works
        assert drafts.load_draft(pg_db, ann, "k") == "typed while the server was full"
    finally:
        limited.dispose()
    # the server's own limit says it in other words (libpq gives no SQLSTATE while connecting)
    for words in ("FATAL:  sorry, too many clients already",
                  "FATAL:  remaining connection slots are reserved for non-replication superuser connections"):
        err = _constructed(psycopg.OperationalError(
            f'connection failed: connection to server at "10.0.0.5", port 5432 failed: {words}'), connecting=True)
        assert engine_mod.is_server_full(err) and refusal(err) is None, words


def test_a_save_stopped_by_a_deadlock_says_try_again_not_damaged(pg_db: Database) -> None:
    """A save the server stops as the loser of a deadlock (IT's team-setup run while people worked did this
    to a save in three of a trial's minute) was said as "part of the database may be missing or damaged".
    Nothing of it was stored: it says so, plainly, and the next try works."""
    with pg_db.engine.connect() as setup:
        setup.exec_driver_sql("CREATE TABLE dl2 (id int primary key, v int)")
        setup.exec_driver_sql("INSERT INTO dl2 VALUES (1, 0), (2, 0)")
        setup.commit()
    other = pg_db.engine.connect()
    try:
        other.exec_driver_sql("SET deadlock_timeout = '10s'")  # the server picks the application's save to stop
        other.exec_driver_sql("UPDATE dl2 SET v = 9 WHERE id = 2")
        closing = threading.Thread(target=lambda: (time.sleep(0.3), _quietly(
            lambda: other.exec_driver_sql("UPDATE dl2 SET v = 9 WHERE id = 1"))))
        with pytest.raises(DatabaseClash) as caught, pg_db.session() as session:
            session.execute(sa.text("UPDATE dl2 SET v = 1 WHERE id = 1"))
            closing.start()
            session.execute(sa.text("UPDATE dl2 SET v = 1 WHERE id = 2"))
        closing.join(10)
        other.rollback()
    finally:
        other.close()
    said = str(caught.value)
    assert said.startswith("The database server stopped this step because it clashed with another change")
    assert "damaged" not in said and "psycopg" not in said and "deadlock" not in said
    assert isinstance(caught.value, DatabaseBusy)  # an autosave tries it again quietly
    with pg_db.session() as session:
        assert session.execute(sa.text("SELECT v FROM dl2 ORDER BY id")).scalars().all() == [0, 0]
        session.execute(sa.text("UPDATE dl2 SET v = 1"))
    with pg_db.session(write=False) as session:
        assert session.execute(sa.text("SELECT v FROM dl2 ORDER BY id")).scalars().all() == [1, 1]


READ = "The database server can't be reached just now, so this could not be read and shown. Nothing was lost"


def test_a_read_in_an_outage_says_it_could_not_be_read_not_that_it_was_not_saved(pg: PostgresServer,
                                                                                  pg_db: Database) -> None:
    """Review: opening a list or a record while the server was down said "so this was not saved. What you
    typed is still on screen", words for a save, when nothing had been typed or was being saved. A read (a
    list, a record opened: its ``view`` entry is no work of the person's) now says it could not be read and
    shown, nothing lost; a save still says it was not saved."""
    from adoption_desktop.core import record_history
    from adoption_desktop.core.security import service as users

    admin = make_user(pg_db, "admin", Role.ADMINISTRATOR)
    ann = make_user(pg_db, "ann", Role.COUNSELLOR)
    name = str(pg_db.engine.url.database)
    reads: list[Callable[[], object]] = [
        lambda: users.list_users(pg_db, admin),  # a list: a read-only session
        # a record's history opened: a session that writes only its view entry
        lambda: record_history.record_history(pg_db, admin, "users", admin.user_id)]
    for reading in reads:
        users.list_users(pg_db, admin)  # a connection in the pool, as after any step
        assert pg.terminate_connections(name) >= 1  # the pooled connection lost
        with pytest.raises(DatabaseUnavailable) as caught:
            reading()
        said = str(caught.value)
        assert said.startswith(READ) and "saved" not in said and not isinstance(caught.value, DatabaseCommitUncertain)
        _plain_words(said, pg)
    pg.stop()
    try:
        with pytest.raises(DatabaseUnavailable) as refused:  # no server at all: a new connection refused
            users.list_users(pg_db, admin)
        assert str(refused.value).startswith(READ)
        with pytest.raises(DatabaseUnavailable) as saving:
            drafts.save_draft(pg_db, ann, "k", "typed while it was down")
        assert str(saving.value).startswith(PLAIN)
    finally:
        pg.start()
    assert [u.username for u in users.list_users(pg_db, admin)] == ["admin", "ann"]


def _plain_words(text: str, pg: PostgresServer) -> None:
    for leak in (str(pg.port), "127.0.0.1", "sqlalche", "psycopg", "connection to server"):
        assert leak not in text
