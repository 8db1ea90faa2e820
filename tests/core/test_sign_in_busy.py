"""A sign-in behind another program's long save (a real second process holding the write lock of a real
SQLCipher file): it waits within the bound, then says plainly that the database is busy with another user's
work; it never counts a failed attempt or writes anything, it can be stopped from another thread, and the
command line says it once, with one wait, and records no sign-in for a command that did nothing.

Before: the command line waited twice (its clean-up confirmed the sign-in again after the first wait gave
up), and when the other save ended during the second wait it recorded a sign-in for a command that had
already said "busy … Nothing was changed"."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database
from tests.conftest import TEST_PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "worker passphrase"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE, ADOPTION_DESKTOP_PASSWORD=TEST_PASSWORD,
                PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data"), ADOPTION_DESKTOP_NO_PG="1")


@pytest.fixture
def shared(tmp_path: Path, store: SecretStore) -> Iterator[Database]:
    created = create_database(tmp_path / "shared.db", store, passphrase=PASSPHRASE)
    make_user(created.db, "avery", Role.ADMINISTRATOR)
    yield created.db
    created.db.dispose()


@pytest.fixture
def held(shared: Database, env: dict[str, str], tmp_path: Path) -> Iterator[Path]:
    """Another program's long save on ``shared`` (200 audit entries, uncommitted) until the file yielded
    exists."""
    release = tmp_path / "release"
    proc = subprocess.Popen([sys.executable, "-m", "tests.core.storage_workers", "holder", str(shared.path), "120",
                             str(release)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line == "holding", line + (proc.stderr.read() if proc.stderr else "")
    yield release
    release.touch()
    proc.communicate(timeout=60)
    assert proc.returncode == 0


def _state(db: Database) -> tuple[int, int, object]:
    with db.session(write=False) as session:
        user = session.scalars(select(User).where(User.username == "avery")).one()
        last = session.scalar(select(audit.AuditEntry.seq).order_by(audit.AuditEntry.seq.desc()).limit(1))
        return int(user.failed_attempts or 0), int(last or 0), user.locked_until


def test_a_wrong_password_behind_a_long_save_is_refused_as_busy_and_not_counted(
        shared: Database, held: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "1")
    before = _state(shared)
    for _ in range(6):  # more than the lock-out's five: none is judged, so none counts
        with pytest.raises(users.SignInBusy) as refused:
            users.authenticate(shared, "avery", "not-the-password")
        assert str(refused.value) == users.sign_in_busy_message("shared.db")
        assert not isinstance(refused.value, users.SignInError)
    assert "busy with another user's work" in str(refused.value) and "Nothing was lost" in str(refused.value)
    held.touch()  # the other save ends: nothing of the refused sign-ins was written meanwhile
    time.sleep(0.5)
    assert _state(shared) == (before[0], before[1] + 200, None)


def test_a_sign_in_waiting_on_a_worker_is_stopped_by_its_watch_with_nothing_written(
        shared: Database, held: Path) -> None:
    from adoption_desktop.core.storage.engine import WaitWatch, watching_waits

    stop = threading.Event()
    said: list[str] = []
    outcome: list[BaseException | object] = []

    def work() -> None:
        with watching_waits(WaitWatch(on_wait=said.append, stopped=stop.is_set, quiet=0.3)):
            try:
                outcome.append(users.authenticate(shared, "avery", TEST_PASSWORD))
            except BaseException as exc:
                outcome.append(exc)

    before = _state(shared)
    worker = threading.Thread(target=work)
    started = time.monotonic()
    worker.start()
    while not said and time.monotonic() - started < 10:
        time.sleep(0.02)
    assert said and "busy" in said[0] and time.monotonic() - started >= 0.3  # after the quiet moment
    stop.set()
    worker.join(10)
    assert isinstance(outcome[0], users.SignInWaitStopped), outcome
    assert said[-1] == ""  # the wait was said to be over
    assert _state(shared) == before  # the other save still holds; nothing of this sign-in was written


def test_the_command_line_waits_once_says_busy_plainly_and_records_no_sign_in(
        shared: Database, held: Path, env: dict[str, str], tmp_path: Path) -> None:
    before = _state(shared)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "adoption_desktop", "export", "panel-calendar", "--db",
                           str(shared.path), "--out", str(tmp_path / "c.ics"), "--user", "avery"],
                          cwd=ROOT, env={**env, "ADOPTION_DESKTOP_BUSY_WAIT": "2"}, capture_output=True,
                          text=True, timeout=300, check=False)
    took = time.monotonic() - started
    held.touch()  # the other save ends straight after: a second wait would now have recorded a sign-in
    time.sleep(1.0)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert lines[-1] == ("adoption-desktop: --user avery: Not signed in yet: shared.db is busy with another user's "
                         "work (a long save, such as an import) and was still busy after waiting. Nothing was lost, "
                         "and nothing was recorded against your account. Try again in a minute."), lines
    assert sum(line.endswith("waiting…") for line in lines) == 1, lines  # one wait, said once
    assert took < 15, took  # (open, the 2 s try inside SQLite, the 2 s bound) — not two bounds
    assert not (tmp_path / "c.ics").exists()
    failed, _last, locked = _state(shared)
    assert (failed, locked) == (before[0], None)
    with shared.session(write=False) as session:
        actions = set(session.scalars(select(audit.AuditEntry.action).where(audit.AuditEntry.seq > before[1])))
    assert actions == {"probe"}, actions  # the other program's entries only: no sign-in, no failure
