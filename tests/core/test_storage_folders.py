"""A good database in a folder that misbehaves (a user trial, 6 December 2026): a read-only folder was
reported as a damaged file ("Restore it from a backup"), a backup killed part-way left a 13 MB temporary
folder behind for ever, and a backup onto a full disk blamed the database's disk. Real files, real
folders: see :mod:`tests.core.folder_limits`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from adoption_desktop import cli
from adoption_desktop.core.errors import AppError, DatabaseOpenError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.hold import try_lock, unlock
from adoption_desktop.core.storage.lifecycle import backup_database, create_database, open_database
from tests.conftest import TEST_PASSWORD, make_user
from tests.core.folder_limits import fill, read_only, small_disk


def _good_database(folder: Path, store: SecretStore) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "f.db"
    db = create_database(path, store).db
    make_user(db, "admin", Role.ADMINISTRATOR)
    db.dispose()
    return path


def _said_read_only(message: str) -> None:
    assert "folder holding f.db is read-only" in message and "the file is not damaged" in message, message
    assert "Nothing was changed" in message
    assert "damaged (" not in message and "restore" not in message.lower() and "backup" not in message.lower()


def test_a_good_database_in_a_read_only_folder_is_not_called_damaged(tmp_path: Path, store: SecretStore) -> None:
    path = _good_database(tmp_path / "shared", store)
    before = path.read_bytes()
    with read_only(path.parent):
        with pytest.raises(DatabaseOpenError) as refused:
            open_database(path, store)  # the window's open path
        _said_read_only(str(refused.value))
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", [["verify"], ["backup", "--out", "{folder}/b.adkbak"],
                                     ["export", "panel-calendar", "--user", "admin", "--out", "{folder}/p.ics"]])
def test_commands_on_a_read_only_folder_say_so_in_one_line(tmp_path: Path, store: SecretStore,
                                                           capsys: pytest.CaptureFixture[str],
                                                           command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    path = _good_database(tmp_path / "shared", store)
    args = [a.format(folder=tmp_path) for a in command]
    at = 2 if args[0] == "export" else 1
    with read_only(path.parent):
        code = cli.main([*args[:at], "--db", str(path), *args[at:]])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code != 0 and len(err) == 1, err
    _said_read_only(err[0])


# --- a backup's work folder ----------------------------------------------------------------------------

PASSPHRASE = "worker passphrase"
ROOT = Path(__file__).resolve().parents[2]


def _killed_backup(path: Path, out: Path) -> str:
    """A backup by another program, killed (SIGKILL) once its snapshot is written beside ``out``; returns
    the name of the folder its snapshot was written in."""
    env = dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", ADOPTION_DESKTOP_NO_PG="1")
    run = subprocess.run([sys.executable, "-m", "tests.core.storage_workers", "killed_backup", str(path), str(out)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == -signal.SIGKILL, run.stderr
    return run.stdout.split()[1]


@pytest.mark.skipif(sys.platform == "win32", reason="the other program is killed with SIGKILL")
def test_the_next_backup_removes_what_a_killed_backup_left(tmp_path: Path, store: SecretStore) -> None:
    created = create_database(tmp_path / "db" / "f.db", store, passphrase=PASSPHRASE)
    created.db.dispose()
    backups = tmp_path / "backups"
    left = _killed_backup(tmp_path / "db" / "f.db", backups / "a.adkbak")
    assert (backups / left / "database.sqlcipher").is_file()  # the snapshot, as big as the database
    assert left.startswith(".adk-backup-") and left.endswith(".partial")  # named as ours, not tmpXXXXXXXX

    db = open_database(tmp_path / "db" / "f.db", store, PASSPHRASE)
    try:
        backup_database(db, backups / "b.adkbak")
    finally:
        db.dispose()
    assert sorted(p.name for p in backups.iterdir()) == ["b.adkbak"]


def test_a_running_backups_work_folder_is_kept(tmp_path: Path) -> None:
    """Its process runs here, or (a folder shared by two PCs, where the process id says nothing) its lock
    file is held: the sweep leaves it. Once neither, it goes."""
    from adoption_desktop.core.storage.lifecycle import sweep_backup_leftovers

    ours = tmp_path / f".adk-backup-{os.getpid()}-abcdefgh.partial"
    ours.mkdir()
    (ours / "in-use.lock").write_bytes(b"")
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                           text=True, check=True)
    other_pc = tmp_path / f".adk-backup-{int(ended.stdout)}-ijklmnop.partial"
    other_pc.mkdir()
    lock = other_pc / "in-use.lock"
    lock.write_bytes(b"")
    fd = os.open(lock, os.O_RDWR)
    try:
        assert try_lock(fd, exclusive=True)
        assert sweep_backup_leftovers(tmp_path) == []
    finally:
        unlock(fd)
        os.close(fd)
    assert sweep_backup_leftovers(tmp_path) == [other_pc]
    assert ours.is_dir()
    user_own = tmp_path / ".adk-backup-notours.partial"  # not a name this program gives: never touched
    user_own.mkdir()
    assert sweep_backup_leftovers(tmp_path) == [] and user_own.is_dir()


def test_a_backup_to_a_read_only_folder_names_that_folder(tmp_path: Path, db: Database) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    with read_only(folder), pytest.raises(AppError) as refused:
        backup_database(db, folder / "b.adkbak")
    said = str(refused.value)
    assert f"the folder {folder} is read-only" in said and "b.adkbak" in said, said
    assert "tmp" not in said.replace(str(tmp_path), "") and ".adk-" not in said
    assert "database was not changed" in said
    assert list(folder.iterdir()) == []


def test_a_backup_to_a_full_disk_names_the_backups_disk(tmp_path: Path, db: Database, db_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    db.dispose()
    with small_disk(tmp_path / "tiny", 512) as tiny:
        fill(tiny)
        code = cli.main(["backup", "--db", str(db_path), "--out", str(tiny / "b.adkbak")])
        err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
        assert code == 2 and len(err) == 1, err
        assert f"the disk that holds the folder {tiny} is full" in err[0], err
        assert "disk that holds the database" not in err[0] and "damaged" not in err[0]
        assert sorted(p.name for p in tiny.iterdir()) == ["filler", "filler2"]
