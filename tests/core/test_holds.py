"""Several programs on one database: maintenance holds it exclusively, busy is reported as busy,
backups under load restore clean, and many threads share one database without crashing.

Real processes (``tests/core/storage_workers.py``) on a real SQLCipher file, and two clients on a
throwaway PostgreSQL; acknowledged writes are counted, never assumed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select

from adoption_desktop.core import audit
from adoption_desktop.core.errors import DatabaseBusy
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.security.service import create_first_administrator
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database, open_postgresql, open_sqlcipher
from adoption_desktop.core.storage.hold import lock_file_for
from adoption_desktop.core.storage.lifecycle import (
    backup_database,
    create_database,
    open_database,
    restore_database,
    verify_database,
)
from tests.conftest import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "worker passphrase"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE,
                PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data"), ADOPTION_DESKTOP_NO_PG="1")


def _worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.core.storage_workers", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _cli(env: dict[str, str], *args: str, busy_wait: float | None = None) -> subprocess.CompletedProcess[str]:
    if busy_wait is not None:
        env = {**env, "ADOPTION_DESKTOP_BUSY_WAIT": str(busy_wait)}
    return subprocess.run([sys.executable, "-m", "adoption_desktop", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def _wait_for(proc: subprocess.Popen[str], word: str | None, writes: int = 0) -> list[str]:
    """Lines of ``proc`` up to ``word`` (if given) and then ``writes`` acknowledged writes."""
    assert proc.stdout is not None
    lines: list[str] = []
    seen = word is None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"worker ended early: {proc.stderr.read() if proc.stderr else ''}")
        lines.append(line.strip())
        seen = seen or line.strip() == word
        if seen and sum(ln.isdigit() for ln in lines) >= writes:
            return lines


def _stop_writers(procs: list[subprocess.Popen[str]], stop: Path, before: list[list[str]]) -> int:
    """Stop the writers; the number of writes they saw committed."""
    stop.touch()
    acknowledged = 0
    for proc, first in zip(procs, before, strict=True):
        assert proc.stdout is not None and proc.stderr is not None
        out = proc.stdout.read()  # not communicate(): it would skip what readline() already buffered
        err = proc.stderr.read()
        assert proc.wait(timeout=120) == 0, err
        acknowledged += sum(ln.isdigit() for ln in [*first, *out.split()])
    return acknowledged


def _probe_count(db: Database, entity: str = "probe") -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(audit.AuditEntry)
                                  .where(audit.AuditEntry.entity == entity)) or 0)


def _one_step_back() -> str:
    """The revision just before the newest: a database one upgrade behind, which this version's code
    can still write to while the upgrade is attempted (a database from before the audit seals cannot be
    written by today's audit code, as an older program would write it)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(migrations.package_path("migrations")))
    head = script.get_revision(script.get_current_head())
    assert head is not None and isinstance(head.down_revision, str), "one linear head expected"
    return head.down_revision


def _old_database(tmp_path: Path, store: SecretStore) -> Path:
    """A database one schema upgrade behind, its key under the workers' passphrase."""
    created = keys.create_key(store, PASSPHRASE)
    path = tmp_path / "old.db"
    created.envelope.save(keys.key_file_for(path))
    db = open_sqlcipher(path, created.key, must_exist=False)
    with db.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn), _one_step_back())
        conn.commit()
    db.dispose()
    return path


def _new_database(tmp_path: Path, store: SecretStore, name: str = "live.db") -> Path:
    created = create_database(tmp_path / name, store, passphrase=PASSPHRASE)
    created.db.dispose()
    return tmp_path / name


def test_upgrade_refuses_while_another_process_writes_and_loses_nothing(
        tmp_path: Path, store: SecretStore, env: dict[str, str]) -> None:
    if migrations.script_heads() == {migrations.FIRST_REVISION}:
        pytest.skip("no migration after the first")
    path = _old_database(tmp_path, store)
    stop = tmp_path / "stop"
    writer = _worker(env, "writer", str(path), str(stop))
    try:
        first = _wait_for(writer, "ready", writes=20)
        refused = _cli(env, "upgrade", "--db", str(path), busy_wait=1)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "open in another program" in refused.stderr.splitlines()[-1]
        assert "Traceback" not in refused.stderr
        # the upgrade on first open (any command that opens it) refuses as well
        first_open = _cli(env, "export", "panel-calendar", "--db", str(path), "--out", str(tmp_path / "c.ics"),
                          "--user", "admin", busy_wait=1)
        assert first_open.returncode == 2
        # refused with one line: that it must first be upgraded or, when its schema check meets the other
        # program's write (a race on a loaded machine), that it is busy; never a traceback or a wrong key
        last = first_open.stderr.splitlines()[-1]
        assert "must first be upgraded" in last or "busy" in last, last
        assert "Traceback" not in first_open.stderr and "key" not in last.lower()
        assert not list(tmp_path.glob("old.db.pre-upgrade-*")) and not (tmp_path / "old.db.upgrading").exists()
        first += _wait_for(writer, None, writes=5)  # it is still writing after both refusals
    finally:
        acknowledged = _stop_writers([writer], stop, [first])
    db = open_database(path, store, PASSPHRASE, upgrade=False)
    try:
        assert _probe_count(db) == acknowledged
    finally:
        db.dispose()
    done = _cli(env, "upgrade", "--db", str(path))  # nobody else has it open now
    assert done.returncode == 0, done.stderr
    assert len(list(tmp_path.glob("old.db.pre-upgrade-*.bak"))) == 1
    db = open_database(path, store, PASSPHRASE, upgrade=False)
    try:
        assert not migrations.needs_upgrade(db)
        assert _probe_count(db) == acknowledged
        assert verify_database(db).ok
    finally:
        db.dispose()


def test_a_long_write_elsewhere_is_reported_busy_and_waited_for_never_as_a_wrong_key(
        tmp_path: Path, store: SecretStore, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = _new_database(tmp_path, store)
    already_open = open_database(path, store, PASSPHRASE)  # this program was open before the import began
    create_first_administrator(already_open, "admin", "Admin Istrator", TEST_PASSWORD)
    env = {**env, "ADOPTION_DESKTOP_PASSWORD": TEST_PASSWORD}
    # a command that writes (its sign-in and its export are recorded); one that only reads (verify)
    # reads the last committed state and never waits for the writer at all
    writes = ("export", "panel-calendar", "--db", str(path), "--out", str(tmp_path / "c.ics"), "--user", "admin")
    try:
        release = tmp_path / "release"
        holder = _worker(env, "holder", str(path), "120", str(release))  # held until the writer says it waits
        _wait_for(holder, "holding")
        read = _cli(env, "verify", "--db", str(path), busy_wait=0)
        assert read.returncode == 0 and "busy" not in read.stderr, read.stderr
        writer = subprocess.Popen([sys.executable, "-m", "adoption_desktop", *writes], cwd=ROOT,  # opening and
                                  env={**env, "ADOPTION_DESKTOP_BUSY_WAIT": "60"},  # writing while it is held
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert writer.stderr is not None
        said = writer.stderr.readline()  # its first word is that it waits (or it ends: the test fails below)
        release.touch()
        _out, rest = writer.communicate(timeout=120)
        assert writer.returncode == 0, said + rest
        assert "busy" in said and "waiting" in said, said + rest
        assert "key" not in (said + rest).lower()
        holder.communicate(timeout=60)
        assert holder.returncode == 0

        # held for up to 60 s, or until told: the bounded waits below must give up long before
        release = tmp_path / "release-2"
        holder = _worker(env, "holder", str(path), "60", str(release))
        _wait_for(holder, "holding")
        started = time.monotonic()
        gave_up = _cli(env, *writes, busy_wait=1)
        assert time.monotonic() - started < 18  # the bound, not the other program's hold
        assert gave_up.returncode == 2
        last = gave_up.stderr.strip().splitlines()[-1]
        assert "busy" in last and "key" not in last.lower() and "Traceback" not in gave_up.stderr
        # the program already open: its next write waits within the bound, then says busy
        monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "1")
        told: list[str] = []
        already_open.on_wait = told.append
        with pytest.raises(DatabaseBusy, match="busy"), already_open.session() as session:
            audit.record(session, "probe", "mine", 1)
        assert told and "waiting" in told[0]
        release.touch()
        holder.communicate(timeout=60)
        monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "60")
        with already_open.session() as session:  # and once the import has finished, it simply works
            audit.record(session, "probe", "mine", 2)
        assert _probe_count(already_open, "mine") == 1
    finally:
        already_open.dispose()


def test_opening_and_checking_only_read_so_another_programs_writer_never_makes_them_wait(
        tmp_path: Path, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The schema, integrity and seal checks of an open are reads: in WAL mode they never wait for a
    writer. (They once began as writers, BEGIN IMMEDIATE, and under four busy writers an open could
    fail with "database is locked" just reading the schema version.) Here another connection holds the
    write lock throughout, with no time allowed to wait for it."""
    path = _new_database(tmp_path, store)
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "0")
    other = open_database(path, store, PASSPHRASE)
    writer = other.engine.connect()
    try:
        writer.begin()  # BEGIN IMMEDIATE (the default for a plain connection): the write lock, held
        db = open_database(path, store, PASSPHRASE, upgrade=True)
        try:
            assert migrations.schema_current(db) and not migrations.needs_upgrade(db)
            migrations.check_database(db)
            report = verify_database(db)
            assert report.ok and report.full, report.problems
            # a write still waits for the writer, within its bound
            with pytest.raises(DatabaseBusy), db.session() as session:
                audit.record(session, "probe", "mine", 1)
        finally:
            db.dispose(write_anchor=False)
    finally:
        writer.rollback()
        writer.close()
        other.dispose(write_anchor=False)


def test_backups_taken_while_four_programs_write_restore_and_verify_clean(
        tmp_path: Path, store: SecretStore, env: dict[str, str]) -> None:
    path = _new_database(tmp_path, store)
    stop = tmp_path / "stop"
    writers = [_worker(env, "writer", str(path), str(stop)) for _ in range(4)]
    backups: list[Path] = []
    first: list[list[str]] = [[] for _ in writers]
    try:
        first = [_wait_for(w, "ready", writes=5) for w in writers]
        db = open_database(path, store, PASSPHRASE)
        try:
            for n in range(5):
                backups.append(backup_database(db, tmp_path / f"b{n}.adkbak"))
        finally:
            db.dispose(write_anchor=False)
    finally:
        acknowledged = _stop_writers(writers, stop, first)
    assert acknowledged > 20
    counts = []
    for n, backup in enumerate(backups):
        restored = restore_database(backup, tmp_path / f"r{n}.db", store, PASSPHRASE)
        db = open_database(restored, store, PASSPHRASE)
        try:
            report = verify_database(db)  # with the anchor restore put beside it
            assert report.ok, report.problems
            counts.append(_probe_count(db))
        finally:
            db.dispose()
    assert counts == sorted(counts) and counts[-1] <= acknowledged
    live = open_database(path, store, PASSPHRASE)
    try:
        assert _probe_count(live) == acknowledged and verify_database(live).ok
    finally:
        live.dispose()


def test_sixteen_threads_share_one_database_without_a_crash(tmp_path: Path, store: SecretStore,
                                                           env: dict[str, str]) -> None:
    path = _new_database(tmp_path, store)
    # a separate process: a crash of the old pool killed the whole process (segfault), not one thread
    for _ in range(3):
        run = subprocess.run([sys.executable, "-m", "tests.core.storage_workers", "threads", str(path), "16", "25"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert run.returncode == 0, (run.returncode, run.stdout, run.stderr[-2000:])
    assert run.stdout.strip() == str(3 * 16 * 25)


def test_the_lock_file_is_held_shared_by_openers_and_exclusively_by_maintenance(
        db: Database, db_path: Path, tmp_path: Path, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.core.storage.hold import FileHold

    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "0.2")
    assert lock_file_for(db_path).exists() and lock_file_for(db_path).stat().st_size == 0
    second = open_database(db_path, store)  # two openers share
    assert FileHold.try_acquire(db_path, exclusive=True) is None
    second.dispose()
    db.dispose()
    hold = FileHold.try_acquire(db_path, exclusive=True)
    assert hold is not None
    with pytest.raises(DatabaseBusy, match="being upgraded, moved or restored"):
        open_database(db_path, store)
    hold.release()
    open_database(db_path, store).dispose()


def _pg_old_database(server: object) -> str:
    url: str = server.empty_database_url("h_")  # type: ignore[attr-defined]
    db = open_postgresql(url)
    with db.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn, per_step=False), _one_step_back())
        conn.commit()
    db.dispose()
    return url


def test_postgresql_upgrade_refuses_while_another_client_writes_and_loses_nothing(
        postgres_server: object, tmp_path: Path, store: SecretStore, env: dict[str, str]) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    if migrations.script_heads() == {migrations.FIRST_REVISION}:
        pytest.skip("no migration after the first")
    url = _pg_old_database(postgres_server)
    stop = tmp_path / "stop"
    writer = _worker(env, "writer", url, str(stop))
    try:
        first = _wait_for(writer, "ready", writes=20)
        refused = _cli(env, "upgrade", "--db", url, busy_wait=1)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "others are connected" in refused.stderr.splitlines()[-1]
        first += _wait_for(writer, None, writes=5)
    finally:
        acknowledged = _stop_writers([writer], stop, [first])
    done = _cli(env, "upgrade", "--db", url)
    assert done.returncode == 0, done.stderr
    db = open_database(url, store)
    try:
        assert not migrations.needs_upgrade(db)
        assert _probe_count(db) == acknowledged
        assert verify_database(db).ok
    finally:
        db.dispose()


def test_postgresql_opener_waits_for_an_upgrade_in_progress(postgres_server: object, store: SecretStore,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    from adoption_desktop.core.storage.hold import MAINTENANCE_WAIT, PgHold

    url: str = postgres_server.empty_database_url("w_")  # type: ignore[attr-defined]
    open_database(url, store).dispose()  # created at the latest schema
    other = open_postgresql(url)  # a second client, mid-upgrade
    hold = PgHold.acquire(other.engine, exclusive=True, wait=MAINTENANCE_WAIT, message="busy")
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "0.5")
    told: list[str] = []
    with pytest.raises(DatabaseBusy, match="being upgraded"):
        open_database(url, store, on_wait=told.append)
    assert told and "waiting" in told[0]
    hold.release()
    other.dispose()
    open_database(url, store).dispose()
