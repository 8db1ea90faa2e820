"""Team mode (concurrency probe, 2026-12-04): a writer compares a row with its latest seal before it changes
the row, and leaves a row that does not match unsealed (``verify`` goes on naming it). Under PostgreSQL's
READ COMMITTED a colleague's commit could land between the read of the row and the read of its seal: the
old row against the colleague's new seal, so an untouched row was taken as tampered and left unsealed for
good (two sign-ins of one person at once; two clerks ticking one paper). The rows are now locked as they
are read for the comparison, so the read waits for that commit and sees the row and seal it made.

The interleaving is made exactly: the colleague's transaction commits just before the comparison reads the
seals, which without the lock is always after the row was read."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any, cast

import pytest
from sqlalchemy import Table, event, update

from adoption_desktop.core.audit.seals import row_matches_seal, seal_written
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import SYSTEM, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from tests.conftest import make_user
from tests.pg import PostgresServer


@pytest.fixture
def pg(postgres_server: PostgresServer | None) -> Iterator[Database]:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    yield from postgres_server.fresh_database()


def test_a_colleagues_commit_between_the_row_and_its_seal_is_not_taken_for_tampering(pg: Database) -> None:
    uid = make_user(pg, "twice", Role.COUNSELLOR).user_id
    table = cast(Table, User.__table__)
    committed = threading.Event()

    colleague = pg.engine.connect()
    work = colleague.begin()
    colleague.execute(update(table).where(table.c.id == uid).values(last_login=dt.datetime(2026, 12, 4, 9, 0)))
    seal_written(colleague, SYSTEM, "users", [(uid,)], action="update", detail="sign-in bookkeeping")

    def commit_soon() -> None:  # while this side waits for the row's lock (or has read the old row)
        threading.Event().wait(0.5)
        work.commit()
        committed.set()

    me = pg.engine.connect()

    @event.listens_for(me, "before_cursor_execute")
    def _seals_read_after_the_commit(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "audit_seal" in statement and "FOR UPDATE" not in statement:
            assert committed.wait(10)

    timer = threading.Thread(target=commit_soon)
    timer.start()
    try:
        with me.begin():
            assert row_matches_seal(me, table, (uid,))
    finally:
        timer.join()
        colleague.close()
        me.close()
    assert verify_database(pg).ok
