"""Team mode: a save behind a colleague's long write waits a bounded time, says it is waiting, and then is
refused as busy with nothing changed (the writer lock's wait had no bound: a save sat silent for as long as
the other write lasted). Two openings of one throwaway PostgreSQL database; the colleague's long write is a
write transaction held open on a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, text

from adoption_desktop.core.errors import DatabaseBusy, WaitCancelled
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.settings_service import get_setting, set_setting
from adoption_desktop.core.storage import engine
from adoption_desktop.core.storage.engine import PG_WRITER_LOCK_KEY, Database
from adoption_desktop.panel.settings import QUORUM_MIN_MEMBERS
from tests.conftest import make_user
from tests.letterbox.test_logged_once import other_handle


@contextmanager
def long_write(db: Database, seconds: float) -> Iterator[threading.Event]:
    """A colleague's write transaction (an import) holding the writer lock for at most ``seconds``, or until
    the event yielded is set."""
    held, done = threading.Event(), threading.Event()

    def colleague() -> None:
        with db.session() as session:
            session.execute(text("SELECT 1"))
            held.set()
            done.wait(seconds)

    thread = threading.Thread(target=colleague)
    thread.start()
    assert held.wait(10)
    try:
        yield done
    finally:
        done.set()
        thread.join(30)


def test_a_team_save_behind_a_long_write_waits_a_bounded_time_then_is_refused_as_busy(
        pg_db: Database, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = make_user(pg_db, "admin", Role.ADMINISTRATOR)
    other = other_handle(pg_db, store)
    said: list[str] = []
    other.on_wait = said.append

    def told() -> list[str]:
        """What was said, and that each wait was ended (the status line cleared) once it was over."""
        for i, message in enumerate(said):
            if message:
                assert said[i + 1:i + 2] == [""], said
        return [m for m in said if m]

    try:
        monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "0.8")
        with long_write(pg_db, 8):
            started = time.monotonic()
            with pytest.raises(DatabaseBusy, match=r"is busy: .*Nothing was changed"):
                set_setting(other, admin, QUORUM_MIN_MEMBERS, 6)
            waited = time.monotonic() - started
        assert 0.7 <= waited < 5, waited  # before: waited the whole 8 s, then saved
        waits = told()
        assert len(waits) == 1 and waits[0].endswith("waiting…") and "colleague" in waits[0], waits
        with other.session(write=False) as session:
            assert get_setting(session, QUORUM_MIN_MEMBERS) != 6  # nothing was changed

        monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "20")
        with long_write(pg_db, 8) as finish:  # a write that ends within the bound: waited for, then saved
            threading.Timer(0.3, finish.set).start()
            with other.session() as session:
                assert session.execute(text("SHOW lock_timeout")).scalar() == "0"  # row locks wait as before
        assert len(told()) == 1  # a wait of a moment says nothing (a trial saw "busy" at every sign-in)
        with long_write(pg_db, 8) as finish:  # a longer one is said once
            threading.Timer(1.6, finish.set).start()
            with other.session() as session:
                session.execute(text("SELECT 1"))
        assert len(told()) == 2
        set_setting(other, admin, QUORUM_MIN_MEMBERS, 6)
        with pg_db.session(write=False) as session:
            assert get_setting(session, QUORUM_MIN_MEMBERS) == 6
        assert len(told()) == 2  # an uncontended save says nothing
    finally:
        other.dispose()


@contextmanager
def colleague_holding_the_writer_lock(db: Database) -> Iterator[Connection]:
    """A colleague's session (its own connection) inside a write transaction holding the writer lock, as
    a long import does; ``commit()`` on the connection yielded lets go of it."""
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITER_LOCK_KEY})
        try:
            yield conn
        finally:
            conn.rollback()


def test_a_waiting_team_save_polls_the_lock_ticks_and_a_tick_saying_stop_cancels_with_nothing_written(
        pg_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The wait behind a colleague's write is a poll (the window redraws at every tick; before, one blocking
    wait froze it for up to half a minute): a tick saying stop ends it at once (WaitCancelled, nothing
    written); a write started during a tick on the waiting thread (a timer) is refused, a read is not; and
    a save whose colleague finishes within the bound goes ahead."""
    admin = make_user(pg_db, "admin", Role.ADMINISTRATOR)
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "60")
    monkeypatch.setattr(engine, "QUIET_WAIT", 0.05)
    said: list[str] = []
    pg_db.on_wait = said.append
    ticks: list[bool] = []
    nested: list[object] = []

    def tick() -> bool:
        ticks.append(pg_db.waiting_for_writer)
        if len(ticks) == 1:  # a timer firing while the window redraws: its write is refused, its read is not
            try:
                set_setting(pg_db, admin, QUORUM_MIN_MEMBERS, 7)
            except DatabaseBusy as err:
                nested.append(str(err))
            with pg_db.session(write=False) as session:
                nested.append(get_setting(session, QUORUM_MIN_MEMBERS))
        return len(ticks) < 4

    pg_db.on_wait_tick = tick
    with colleague_holding_the_writer_lock(pg_db), pytest.raises(WaitCancelled,
                                                                 match=r"you stopped waiting.*still in the form"):
        set_setting(pg_db, admin, QUORUM_MIN_MEMBERS, 6)
    assert ticks == [True] * 4  # polled, told each time, and stopped at the first tick saying so
    assert nested[0] == engine.REENTERED_MESSAGE and nested[1] not in (6, 7), nested
    assert len(said) == 2 and "colleague" in said[0] and said[1] == ""  # said once, then cleared
    assert not pg_db.waiting_for_writer
    with pg_db.session(write=False) as session:
        assert get_setting(session, QUORUM_MIN_MEMBERS) not in (6, 7)  # nothing was written

    ticks.clear()
    flags: list[bool] = []  # whether the thread still counts as waiting when each message is said
    pg_db.on_wait = lambda message: flags.append(pg_db.waiting_for_writer)
    with colleague_holding_the_writer_lock(pg_db) as colleague:
        def finish_on_the_third() -> bool:
            ticks.append(True)
            if len(ticks) == 3:
                colleague.commit()  # the colleague's import is saved: the lock is free at the next poll
            return True

        pg_db.on_wait_tick = finish_on_the_third
        set_setting(pg_db, admin, QUORUM_MIN_MEMBERS, 6)
    assert len(ticks) == 3
    # still waiting while "" is said: the window redraws then with the lock already this thread's, and a
    # timer's write must be refused, not queued behind its own thread (it waited the whole bound)
    assert flags == [True, True] and not pg_db.waiting_for_writer
    with pg_db.session(write=False) as session:
        assert get_setting(session, QUORUM_MIN_MEMBERS) == 6
    set_setting(pg_db, admin, QUORUM_MIN_MEMBERS, 5)  # nobody waiting: no tick
    assert len(ticks) == 3


def test_an_embedded_save_behind_another_programs_write_ticks_and_can_be_cancelled(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same on an embedded file: after SQLite's first wait, each try waits only a moment inside SQLite
    and ticks between; a tick saying stop cancels, nothing written; SQLite's own wait is as before after."""
    admin = make_user(db, "admin", Role.ADMINISTRATOR)
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "60")
    ticks: list[bool] = []

    def tick() -> bool:
        ticks.append(db.waiting_for_writer)
        return len(ticks) < 3

    db.on_wait_tick = tick
    other = db.engine.raw_connection()  # another program's write transaction
    try:
        other.cursor().execute("BEGIN IMMEDIATE")
        with pytest.raises(WaitCancelled):
            set_setting(db, admin, QUORUM_MIN_MEMBERS, 6)
    finally:
        other.rollback()
        other.close()
    assert ticks == [True] * 3 and not db.waiting_for_writer
    with db.session(write=False) as session:
        assert get_setting(session, QUORUM_MIN_MEMBERS) != 6
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == engine.BUSY_TIMEOUT_MS
    set_setting(db, admin, QUORUM_MIN_MEMBERS, 6)
    assert len(ticks) == 3
