"""The team server stops, restarts or drops the connection while someone works: every session says so
in plain words (``DatabaseUnavailable``: no server address, port or driver text), nothing half-saved, and
the next session after the server is back simply works. Real PostgreSQL (tests/pg.py), no mocks."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from adoption_desktop.core import drafts
from adoption_desktop.core.errors import DatabaseOpenError, DatabaseUnavailable
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database, open_postgresql
from tests.conftest import make_user
from tests.pg import PostgresServer

PLAIN = "The database server can't be reached just now."


@pytest.fixture
def pg(postgres_server: PostgresServer | None) -> PostgresServer:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    return postgres_server


@pytest.fixture
def pg_db(pg: PostgresServer) -> Iterator[Database]:
    yield from pg.fresh_database()


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
    # a refusal by a server that is there is not an outage: it keeps its own message
    with pytest.raises(DatabaseOpenError) as refused:
        open_postgresql(f"{pg.base_url}/no_such_database")
    assert not isinstance(refused.value, DatabaseUnavailable)
    assert "does not exist" in str(refused.value)


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
