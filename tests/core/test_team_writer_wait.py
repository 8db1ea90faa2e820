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
from sqlalchemy import text

from adoption_desktop.core.errors import DatabaseBusy
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.settings_service import get_setting, set_setting
from adoption_desktop.core.storage.engine import Database
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
