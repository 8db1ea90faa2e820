"""Creating a database: a path used before starts with fresh audit anchors, a failed creation leaves
nothing behind, and two programs creating the same path at once cannot destroy each other's work.

Real SQLCipher files; the command-line cases and the race run as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from adoption_desktop.core import audit
from adoption_desktop.core.audit import anchors
from adoption_desktop.core.config import app_paths
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.hold import lock_file_for
from adoption_desktop.core.storage.lifecycle import (
    backup_database,
    create_database,
    open_database,
    verify_database,
)
from tests.conftest import MemoryKeyring, make_user

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "create passphrase"


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _delete_by_hand(path: Path) -> None:
    """What the QA run did: the database's own files, by hand (the per-user anchor stays)."""
    for f in (path, keys.key_file_for(path), audit.anchor_file_for(path), lock_file_for(path)):
        f.unlink(missing_ok=True)


def _cut_log_short(db: Database) -> int:
    with db.session() as session:
        last = int(session.execute(text("SELECT max(seq) FROM audit_log")).scalar_one())
        session.execute(text(f"DELETE FROM audit_log WHERE seq > {last - 2}"))
        prev = session.execute(text(f"SELECT hash FROM audit_log WHERE seq = {last - 2}")).scalar_one()
        session.execute(text("UPDATE audit_head SET last_seq = :s, last_hash = :h"), {"s": last - 2, "h": prev})
    return last


def test_a_new_database_at_a_used_path_starts_with_fresh_anchors(tmp_path: Path, store: SecretStore) -> None:
    path = tmp_path / "re.db"
    old = create_database(path, store).db
    for name in ("o1", "o2", "o3", "o4", "o5"):
        make_user(old, name)
    backup_database(old, app_paths().backups / "old.adkbak")  # its anchor counts as one of the old database's
    old.dispose()
    user_anchor = anchors.user_anchor_file(old)
    assert user_anchor.exists() and audit.anchor_file_for(path).exists()
    _delete_by_hand(path)

    new = create_database(path, store).db
    make_user(new, "n1")  # writes work
    new.dispose()
    reopened = open_database(path, store)
    try:
        assert reopened.audit_hold is None
        report = verify_database(reopened)
        assert report.ok, report.problems
        make_user(reopened, "n2")
    finally:
        reopened.dispose()
    # the earlier database's per-user anchor is kept aside as evidence, not applied
    assert list(user_anchor.parent.glob(user_anchor.name + ".superseded-*"))

    # the protection stays for the database that now exists: a rewritten log is caught
    for name in ("n3", "n4", "n5"):
        make_user(reopened, name)
    reopened.dispose()
    last = _cut_log_short(reopened)
    report = verify_database(reopened)
    assert not report.ok and any(f"#{last}" in p for p in report.problems)
    held = open_database(path, store)
    try:
        assert held.audit_hold is not None
    finally:
        held.dispose(write_anchor=False)


def test_the_anchor_and_lock_left_by_an_interrupted_creation_do_not_apply(tmp_path: Path,
                                                                        store: SecretStore) -> None:
    path = tmp_path / "demo.db"
    first = create_database(path, store).db
    for name in ("d1", "d2", "d3"):
        make_user(first, name)
    first.dispose()
    # an interrupted run of an older version left these beside a deleted database
    for f in (path, keys.key_file_for(path)):
        f.unlink()
    assert audit.anchor_file_for(path).exists() and lock_file_for(path).exists()

    again = create_database(path, store).db
    make_user(again, "d9")
    again.dispose()
    checked = open_database(path, store)
    try:
        assert checked.audit_hold is None and verify_database(checked).ok
    finally:
        checked.dispose()


def test_a_failed_creation_removes_everything_it_made(tmp_path: Path, store: SecretStore,
                                                      _isolation: MemoryKeyring) -> None:
    path = tmp_path / "half.db"

    def interrupted(db: Database) -> None:
        make_user(db, "someone")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        create_database(path, store, populate=interrupted)
    assert _files(tmp_path) == ["appdata"] or _files(tmp_path) == []
    assert not audit.anchor_file_for(path).exists()
    assert not _isolation.store  # its keyring entry went too
    assert not anchors._user_anchor_path(anchors.file_identity(path)).exists()

    created = create_database(path, store)  # and the retry succeeds
    created.db.dispose()
    assert verify_database(open_database(path, store)).ok


def test_a_failed_creation_at_a_used_path_puts_the_earlier_anchors_back(tmp_path: Path,
                                                                        store: SecretStore) -> None:
    """A reviewer's scenario: move a database away, start a creation at its path and interrupt it. The
    earlier database's anchors were set aside and, before this, stayed forgotten: its log could then be
    rewritten and the file moved back with nothing to compare it against. A creation that fails puts them
    back as they were, so the database moved back is checked against them again."""
    import shutil

    path, away = tmp_path / "real.db", tmp_path / "away"
    real = create_database(path, store).db
    for name in ("r1", "r2", "r3"):
        make_user(real, name)
    backup_database(real, app_paths().backups / "real.adkbak")
    real.dispose()
    user_anchor = anchors.user_anchor_file(real)
    before = {f: f.read_bytes() for f in (user_anchor, audit.anchor_file_for(path))}
    away.mkdir()
    for f in (path, keys.key_file_for(path)):
        shutil.move(str(f), away / f.name)

    def interrupted(db: Database) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        create_database(path, store, populate=interrupted)
    assert {f: f.read_bytes() for f in before} == before  # both anchors back, byte for byte
    assert not list(user_anchor.parent.glob(user_anchor.name + ".superseded-*"))
    assert not anchors._acknowledged_for(anchors.file_identity(path))  # the backup's anchor still counts
    for f in (path, keys.key_file_for(path)):
        shutil.move(str(away / f.name), f)
    back = open_database(path, store)
    try:
        assert back.audit_hold is None and verify_database(back).ok
    finally:
        back.dispose()


def test_a_refused_creation_never_touches_the_files_that_are_there(tmp_path: Path, store: SecretStore) -> None:
    path = tmp_path / "there.db"
    create_database(path, store).db.dispose()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    with pytest.raises(Exception, match="already exist"):
        create_database(path, store)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    db = open_database(path, store)
    try:
        assert db.audit_hold is None and verify_database(db).ok
    finally:
        db.dispose()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE,
                PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data"), ADOPTION_DESKTOP_NO_PG="1")


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "adoption_desktop", *args], cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False)


def test_init_with_a_bad_administrator_leaves_no_files_and_a_retry_succeeds(tmp_path: Path,
                                                                           env: dict[str, str]) -> None:
    folder = tmp_path / "dbs"
    folder.mkdir()
    path = folder / "adm2.db"
    short = _cli({**env, "ADOPTION_DESKTOP_ADMIN_PASSWORD": "x"}, "init", "--db", str(path), "--admin-user", "boss")
    assert short.returncode == 2 and "10 characters" in short.stderr and "Nothing was created" in short.stderr
    assert "RECOVERY KEY" not in short.stdout
    blank = _cli({**env, "ADOPTION_DESKTOP_ADMIN_PASSWORD": "long enough password"}, "init", "--db", str(path),
                 "--admin-user", "  ")
    assert blank.returncode == 2 and "--admin-user" in blank.stderr
    no_terminal = _cli(env, "init", "--db", str(path), "--admin-user", "boss")  # no password, no terminal
    assert no_terminal.returncode == 2 and "ADOPTION_DESKTOP_ADMIN_PASSWORD" in no_terminal.stderr
    assert _files(folder) == []

    ok = _cli({**env, "ADOPTION_DESKTOP_ADMIN_PASSWORD": "long enough password"}, "init", "--db", str(path),
              "--admin-user", "boss")
    assert ok.returncode == 0, ok.stderr
    assert "RECOVERY KEY" in ok.stdout
    verified = _cli(env, "verify", "--db", str(path))
    assert verified.returncode == 0, verified.stdout + verified.stderr


@pytest.mark.parametrize("command", ["init", "demo"])
def test_two_programs_creating_one_path_at_once_one_wins_and_its_database_is_intact(
        tmp_path: Path, env: dict[str, str], command: str) -> None:
    rounds = 3 if command == "init" else 1
    for n in range(rounds):
        path = tmp_path / f"race{n}.db"
        procs = [subprocess.Popen([sys.executable, "-m", "adoption_desktop", command, "--db", str(path)], cwd=ROOT,
                                  env={**env, "ADOPTION_DESKTOP_BUSY_WAIT": "1"}, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
        winners = [r for r in results if r[0] == 0]
        losers = [r for r in results if r[0] != 0]
        assert len(winners) == 1 and len(losers) == 1, results
        assert "RECOVERY KEY" in winners[0][1]
        assert losers[0][0] == 2 and "RECOVERY KEY" not in losers[0][1]
        message = losers[0][2].strip().splitlines()[-1]
        assert any(w in message for w in ("already exist", "open in another program", "made it meanwhile")), message
        assert path.exists() and keys.key_file_for(path).exists()
        verified = _cli(env, "verify", "--db", str(path))
        assert verified.returncode == 0, verified.stdout + verified.stderr


USED_BEFORE = "a new database at a path used before"


def test_only_a_path_used_before_is_logged_as_one(tmp_path: Path, store: SecretStore,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    """An IT officer's trial: `init` at a path never used logged that an earlier database's anchors were
    set aside, although nothing existed there."""
    import logging

    path = tmp_path / "brand-new.db"
    with caplog.at_level(logging.INFO, logger="adoption_desktop.core.audit.anchors"):
        create_database(path, store).db.dispose()
    assert not [r for r in caplog.records if USED_BEFORE in r.getMessage()]
    _delete_by_hand(path)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="adoption_desktop.core.audit.anchors"):
        create_database(path, store).db.dispose()
    assert [r for r in caplog.records if USED_BEFORE in r.getMessage()]  # this user's anchor was set aside
