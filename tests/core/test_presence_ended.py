"""A program that ended without closing (a crash, Task Manager) leaves no "Being edited by you in another
window" behind on its own PC: its leases name its ``core.running`` mark, whose file lock the operating
system drops when it ends. Real processes on a real SQLCipher file; the migration that adds the column."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from adoption_desktop.core import presence, running
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.security.service import create_first_administrator
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database, open_database
from tests.conftest import TEST_PASSWORD, make_user
from tests.core.test_lbsent_migration import _insert
from tests.core.test_migrations import check_revision_follows, older_file

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "worker passphrase"
REVISION = "conc_0002_lease_holder"
BEFORE = "lbwork_0005_pattern_changes"  # the head of its day


@pytest.fixture
def shared_file(tmp_path: Path, store: SecretStore) -> tuple[Path, Database]:
    created = create_database(tmp_path / "team.db", store, passphrase=PASSPHRASE)
    create_first_administrator(created.db, "admin", "Admin Istrator", TEST_PASSWORD)
    return tmp_path / "team.db", created.db


def _lease_in_another_program(path: Path, user: str) -> tuple[subprocess.Popen[str], str]:
    """A second program (same PC, same user folder) that signs in as ``user`` and opens case 7."""
    env = dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", ADOPTION_DESKTOP_NO_PG="1")
    proc = subprocess.Popen([sys.executable, "-m", "tests.core.storage_workers", "lease", str(path), user,
                             TEST_PASSWORD, "counselling_cases", "7"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    if line[:1] != ["leased"]:
        proc.kill()
        raise AssertionError(f"the other program did not take its lease: {proc.communicate()[1]}")
    return proc, line[1]


def test_a_program_of_yours_that_crashed_is_not_shown_as_you_in_another_window(
        shared_file: tuple[Path, Database]) -> None:
    path, db = shared_file
    ann = make_user(db, "ann", Role.COUNSELLOR)
    bob = make_user(db, "bob", Role.COUNSELLOR)
    other, mark = _lease_in_another_program(path, "ann")
    try:
        assert running.MARK.fullmatch(mark) and not running.has_ended(mark)
        # while it runs: Ann's own second program is "you in another window"; Bob sees Ann
        mine = presence.who_is_editing(db, ann, "counselling_cases", 7)
        assert presence.banner_text(mine, me=ann.user_id).startswith("Being edited by you in another window")
        assert [e.name for e in presence.who_is_editing(db, bob, "counselling_cases", 7)] == [ann.full_name]
    finally:
        other.kill()  # a crash: nothing released, the lease is still in the table and not yet lapsed
        other.communicate(timeout=60)
    with db.session(write=False) as session:
        assert session.scalar(select(presence.PresenceLease.holder)) == mark
    assert running.has_ended(mark)
    assert presence.who_is_editing(db, ann, "counselling_cases", 7) == []
    assert presence.who_is_editing(db, bob, "counselling_cases", 7) == []
    # the next lease taken purges it
    lease = presence.acquire(db, bob, "counselling_cases", 8)
    with db.session(write=False) as session:
        assert session.scalars(select(presence.PresenceLease.holder)).all() == [running.this_program()]
    presence.release(db, bob, lease)


def test_a_lease_from_another_pc_or_before_marks_lapses_with_time_as_before(db: Database) -> None:
    ann = make_user(db, "ann", Role.COUNSELLOR)
    bob = make_user(db, "bob", Role.COUNSELLOR)
    start = dt.datetime(2026, 12, 1, 14, 2)
    for token, holder in (("a" * 32, "f" * 32), ("b" * 32, None), ("c" * 32, "../../../etc/passwd")):
        with db.session(ann) as session:
            session.add(presence.PresenceLease(token=token, entity="counselling_cases", entity_id="7",
                                               user_id=ann.user_id, user_name=ann.full_name, since=start,
                                               expires_at=start + dt.timedelta(seconds=presence.LEASE_SECONDS),
                                               holder=holder))
    # no file of that mark here (another PC), no mark at all, or not a mark: shown until it lapses
    assert not running.has_ended("f" * 32) and not running.has_ended("../../../etc/passwd")
    assert [e.name for e in presence.who_is_editing(db, bob, "counselling_cases", 7, now=start)] == [ann.full_name]
    lapsed = start + dt.timedelta(seconds=presence.LEASE_SECONDS + 1)
    assert presence.who_is_editing(db, bob, "counselling_cases", 7, now=lapsed) == []
    presence.acquire(db, bob, "counselling_cases", 9, now=lapsed)
    with db.session(write=False) as session:
        assert session.scalars(select(presence.PresenceLease.token)).all() != []
        assert not session.scalars(select(presence.PresenceLease).where(
            presence.PresenceLease.user_id == ann.user_id)).all()


def test_this_programs_own_mark_is_running_and_its_file_is_locked() -> None:
    mark = running.this_program()
    assert mark is not None and mark == running.this_program()
    assert not running.has_ended(mark)
    file = running.folder() / f"{mark}.lock"
    fd = os.open(file, os.O_RDWR)
    try:  # another open of the file (as another program's check) cannot take the lock
        from adoption_desktop.core.storage.hold import try_lock

        assert not try_lock(fd, exclusive=True)
    finally:
        os.close(fd)
    assert file.exists()


def test_an_ended_programs_file_is_swept_when_a_mark_is_made(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPTION_DESKTOP_DATA_DIR", str(tmp_path / "elsewhere"))
    running.folder().mkdir(parents=True)
    left = running.folder() / f"{'d' * 32}.lock"  # a crashed program's file: nobody holds its lock
    recent = running.folder() / f"{'e' * 32}.lock"  # one that ended a minute ago: its leases may be live
    stranger = running.folder() / "notes.txt"
    for file in (left, recent, stranger):
        file.touch()
    old = time.time() - running.KEEP_SECONDS - 60
    os.utime(left, (old, old))
    os.utime(stranger, (old, old))
    mark = running.this_program()
    assert mark is not None and not left.exists() and stranger.exists() and recent.exists()
    assert running.has_ended("e" * 32) and recent.exists()
    assert (running.folder() / f"{mark}.lock").exists()


def test_revision_follows_the_last_head_and_fits_alembic_version() -> None:
    check_revision_follows(REVISION, BEFORE)


def test_leases_upgrade_without_a_holder_and_the_column_is_used(tmp_path: Path, store: SecretStore) -> None:
    with older_file(tmp_path, store, BEFORE) as (path, conn):
        assert "holder" not in {c["name"] for c in inspect(conn).get_columns("presence_leases")}
        _insert(conn, "presence_leases", token="e" * 32, entity="counselling_cases", entity_id="7", user_id=1,
                user_name="Ann Example", since="2026-12-01 14:02:00", expires_at="2026-12-01 14:04:00")
        conn.commit()
    opened = open_database(path, store)  # the application's upgrade: a copy first, then the steps
    try:
        with opened.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            assert conn.execute(text("SELECT holder FROM presence_leases")).scalars().all() == [None]
        seen = presence.who_is_editing(opened, _reader(opened), "counselling_cases", 7,
                                       now=dt.datetime(2026, 12, 1, 14, 3))
        assert [e.name for e in seen] == ["Ann Example"]
        with opened.engine.connect() as conn:
            command.downgrade(migrations.alembic_config(conn), BEFORE)
            conn.commit()
            assert "holder" not in {c["name"] for c in inspect(conn).get_columns("presence_leases")}
    finally:
        opened.dispose()


def _reader(db: Database):  # type: ignore[no-untyped-def]
    create_first_administrator(db, "admin", "Admin Istrator", TEST_PASSWORD)
    from adoption_desktop.core.security.service import authenticate

    return authenticate(db, "admin", TEST_PASSWORD)


def test_each_renewal_keeps_the_programs_file_fresh(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor kept open for more than ten minutes: its renewals touch the program's file, so after a crash
    the file is not swept as an old one before its leases have lapsed (a reviewer's finding: renewals did not
    touch it, and the next start's sweep removed it, so the lease showed again as "you in another window")."""
    ann = make_user(db, "ann", Role.COUNSELLOR)
    lease = presence.acquire(db, ann, "counselling_cases", 7)
    mark = running.this_program()
    file = running.folder() / f"{mark}.lock"
    old = time.time() - running.KEEP_SECONDS - 60
    os.utime(file, (old, old))
    monkeypatch.setattr(running, "_touched", 0.0)  # the last touch was long ago
    presence.renew(db, ann, lease)
    assert time.time() - file.stat().st_mtime < running.KEEP_SECONDS
