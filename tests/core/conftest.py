"""Fixtures of the core tests' own: a second PC on the throwaway PostgreSQL database (the team-mode clock
tests: the record's times, sign-in and lock-out, the audit log, presence)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adoption_desktop.core.storage.engine import Database
from tests.pc_clock import another_pc


@pytest.fixture
def second_pc(request: pytest.FixtureRequest, pg_db: Database) -> Iterator[Database]:
    """Another PC's program on ``pg_db``'s database: a second engine (``tests.pc_clock.another_pc``), disposed
    after the test. A test that also puts the server's clock forward (a ``server_at`` fixture, as in
    test_sign_in_clock.py) has that done first, whatever the order of its arguments: the second PC opens a
    connection at once, and only a connection opened after it takes the database's new search path (else
    that PC would read the real clock)."""
    if "server_at" in request.fixturenames:
        request.getfixturevalue("server_at")
    other = another_pc(pg_db)
    yield other
    other.dispose()
