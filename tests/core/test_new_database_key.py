"""A new database key (``core.storage.database_key``, ``adoption-desktop new-database-key``).

An administrator re-encrypts the database file with a new key: the old key opens nothing, the recovery
sheet (typed) still opens it, backups made before keep the old key and still restore with that sheet; one
audit entry without key material; the page-check record made again. Refused, with nothing changed, while
another program has the file open, to a non-administrator, with a wrong recovery key and for a server. A
program stopped at each step (a crash raised there) leaves a file that opens — with the old key before the
re-encryption, with the new one after, which the next open puts in force — and the sheet still opens it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adoption_desktop.cli import ENV_USER_PASSWORD, main
from adoption_desktop.cli_support import ENV_RECOVERY_KEY
from adoption_desktop.core import audit
from adoption_desktop.core.audit.readable import action_label
from adoption_desktop.core.audit.seals import MOVED_TO_SERVER
from adoption_desktop.core.config import app_paths
from adoption_desktop.core.errors import AppError, DatabaseOpenError, PermissionDenied
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage import database_key, page_check
from adoption_desktop.core.storage.database_key import AUDIT_ACTION, replace_database_key
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.hold import FileHold
from adoption_desktop.core.storage.lifecycle import (
    backup_database,
    create_database,
    open_database,
    restore_database,
    verify_database,
)
from tests.conftest import TEST_PASSWORD, MemoryKeyring, make_user

PASSPHRASE = "quiet harbour lantern meadow"


def _created(tmp_path: Path, store: SecretStore, passphrase: str | None = None) -> tuple[Path, str]:
    created = create_database(tmp_path / "agency.db", store, passphrase)
    make_user(created.db, "admin", Role.ADMINISTRATOR)
    make_user(created.db, "clerk", Role.LETTERBOX_COORDINATOR)
    created.db.dispose()
    return tmp_path / "agency.db", created.recovery_key


def _as(username: str) -> object:
    def sign_in(db: Database) -> Principal:
        return authenticate(db, username, TEST_PASSWORD, can_choose_password=False)
    return sign_in


def _file_key(path: Path, store: SecretStore, passphrase: str | None = None) -> bytes:
    envelope = keys.KeyEnvelope.load(keys.key_file_for(path))
    return bytes(keys.load_key(envelope, store, passphrase))


def _opens(path: Path, key: bytes) -> bool:
    try:
        open_sqlcipher(path, key).dispose(write_anchor=False)
    except DatabaseOpenError:
        return False
    return True


def _entries(path: Path, store: SecretStore, passphrase: str | None = None) -> list[audit.AuditRow]:
    db = open_database(path, store, passphrase)
    try:
        with db.session(write=False) as session:
            return [e for e in audit.query_entries(session, audit.AuditFilter(), limit=500) if e.action == AUDIT_ACTION]
    finally:
        db.dispose()


def _recovered(path: Path, recovery: str, store: SecretStore, keyring: MemoryKeyring) -> None:
    """This Windows user's keyring lost: ``recover`` with the sheet, then an ordinary open."""
    keyring.store.clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV_RECOVERY_KEY, recovery)
        assert main(["recover", "--db", str(path)]) == 0
    db = open_database(path, store)
    try:
        assert verify_database(db).ok
    finally:
        db.dispose()


def test_the_file_gets_a_new_key_the_sheet_still_opens_it_and_backups_keep_the_old_one(
        tmp_path: Path, store: SecretStore, _isolation: MemoryKeyring) -> None:
    path, recovery = _created(tmp_path, store)
    old_key = _file_key(path, store)
    old_id = keys.KeyEnvelope.load(keys.key_file_for(path)).db_id
    db = open_database(path, store)
    try:
        backup = backup_database(db, tmp_path / "before.adkbak")
    finally:
        db.dispose()

    done = replace_database_key(path, store, sign_in=_as("admin"), recovery_key=lambda: recovery)  # type: ignore[arg-type]

    after = keys.KeyEnvelope.load(keys.key_file_for(path))
    assert after.pending_key is None and after.db_id == done.db_id != old_id
    new_key = _file_key(path, store)
    assert new_key != old_key and _opens(path, new_key) and not _opens(path, old_key)
    # one audit entry, by the administrator, with no key in it
    (entry,) = _entries(path, store)
    assert entry.actor == "admin" and action_label(entry.action) == "Database key replaced"
    text = f"{entry.detail} {entry.changes} {entry.entity_id}"
    assert old_key.hex() not in text and new_key.hex() not in text and recovery not in text
    # this PC's page-check record is the new key's: every page checked with it, nothing left to re-check
    record = page_check.record_file(path, app_paths().data)
    assert json.loads(record.read_text(encoding="utf-8"))["pages"] > 0
    assert page_check.PageChecker(path, new_key, record).run().verified == 0
    # the same recovery sheet opens the file after the change
    _recovered(path, recovery, store, _isolation)
    assert _file_key(path, store) == new_key
    # a backup made before keeps the old key: it restores with the same sheet, and opens with the old key
    restore_database(backup, tmp_path / "restored.db", store, recovery_key=recovery)
    assert _opens(tmp_path / "restored.db", old_key)
    assert _file_key(path, store) == new_key  # the restore put the old key under the old name only


def test_passphrase_mode_keeps_the_same_passphrase(tmp_path: Path, store: SecretStore) -> None:
    path, recovery = _created(tmp_path, store, PASSPHRASE)
    old_key = _file_key(path, store, PASSPHRASE)
    replace_database_key(path, store, sign_in=_as("admin"), recovery_key=lambda: recovery,  # type: ignore[arg-type]
                         passphrase=PASSPHRASE)
    new_key = _file_key(path, store, PASSPHRASE)
    assert new_key != old_key and _opens(path, new_key) and not _opens(path, old_key)
    open_database(path, store, PASSPHRASE).dispose()
    assert keys.key_from_recovery(keys.KeyEnvelope.load(keys.key_file_for(path)), recovery) == new_key


class Crash(BaseException):
    """A program stopped at that point (nothing after it runs, no clean-up)."""


def _stopped_at(step: str, path: Path, store: SecretStore, recovery: str) -> None:
    """The administrator's ``replace_database_key`` stopped at ``step`` (:class:`Crash`), as a program killed
    there; only that stop is patched, and only while it runs (the test's own patches, and the isolation's, kept:
    ``monkeypatch.undo()`` undid them too)."""
    def stop(reached: str) -> None:
        if reached == step:
            raise Crash(reached)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(database_key, "_reached", stop)
        with pytest.raises(Crash):
            replace_database_key(path, store, sign_in=_as("admin"), recovery_key=lambda: recovery)  # type: ignore[arg-type]


@pytest.mark.parametrize("step", ["pending_saved", "audited", "rekeyed", "page_record"])
def test_stopped_at_each_step_the_file_opens_and_the_sheet_still_works(
        step: str, tmp_path: Path, store: SecretStore, capsys: pytest.CaptureFixture[str],
        _isolation: MemoryKeyring) -> None:
    path, recovery = _created(tmp_path, store)
    old_key = _file_key(path, store)
    _stopped_at(step, path, store, recovery)
    rekeyed = step in ("rekeyed", "page_record")
    assert keys.KeyEnvelope.load(keys.key_file_for(path)).pending_key is not None  # the new key kept beside
    assert _opens(path, old_key) is not rekeyed

    # the next open uses whichever key opens the file, and puts a re-encrypted file's key in force
    db = open_database(path, store)
    try:
        assert verify_database(db).ok
    finally:
        db.dispose()
    envelope = keys.KeyEnvelope.load(keys.key_file_for(path))
    assert (envelope.pending_key is None) is rekeyed
    assert (_file_key(path, store) == old_key) is not rekeyed
    assert len(_entries(path, store)) == (0 if step == "pending_saved" else 1)
    assert main(["verify", "--db", str(path)]) == 0
    assert ("An earlier new database key was not finished" in capsys.readouterr().out) is not rekeyed

    # the recovery sheet opens it at every point
    _recovered(path, recovery, store, _isolation)

    # and a new database key, run again, finishes the job
    replace_database_key(path, store, sign_in=_as("admin"), recovery_key=lambda: recovery)  # type: ignore[arg-type]
    final = _file_key(path, store)
    assert final != old_key and _opens(path, final)
    assert keys.KeyEnvelope.load(keys.key_file_for(path)).pending_key is None
    _recovered(path, recovery, store, _isolation)


def test_stopped_after_re_encrypting_recover_with_the_sheet_puts_the_new_key_in_force(
        tmp_path: Path, store: SecretStore, _isolation: MemoryKeyring) -> None:
    path, recovery = _created(tmp_path, store)
    _stopped_at("rekeyed", path, store, recovery)
    _recovered(path, recovery, store, _isolation)  # before any open has promoted it
    assert keys.KeyEnvelope.load(keys.key_file_for(path)).pending_key is None


def test_refused_with_nothing_changed(tmp_path: Path, store: SecretStore) -> None:
    path, recovery = _created(tmp_path, store)
    key_file = keys.key_file_for(path)
    before = (path.read_bytes(), key_file.read_bytes())

    with pytest.raises(PermissionDenied):
        replace_database_key(path, store, sign_in=_as("clerk"), recovery_key=lambda: recovery)  # type: ignore[arg-type]
    with pytest.raises(AppError, match="recovery key does not open this database"):
        replace_database_key(path, store, sign_in=_as("admin"),  # type: ignore[arg-type]
                             recovery_key=lambda: keys.generate_recovery_key())
    other = FileHold.acquire(path, exclusive=False, wait=0, message="")  # another program has it open
    try:
        with pytest.raises(AppError, match="open in another program"):
            replace_database_key(path, store, sign_in=_as("admin"), recovery_key=lambda: recovery)  # type: ignore[arg-type]
    finally:
        other.release()
    assert key_file.read_bytes() == before[1]
    assert _opens(path, _file_key(path, store))

    # a file moved to a team server is kept read-only, its key too
    db = open_database(path, store)
    try:
        with db.session() as session:
            audit.record(session, MOVED_TO_SERVER, "database", "*", detail="moved to the server db.example/adoption")
    finally:
        db.dispose()
    before = (path.read_bytes(), key_file.read_bytes())
    with pytest.raises(AppError, match="database key was not replaced"):
        replace_database_key(path, store, sign_in=_as("admin"), recovery_key=lambda: recovery)  # type: ignore[arg-type]
    assert key_file.read_bytes() == before[1] and _opens(path, _file_key(path, store))


def test_command_says_what_happened_and_what_others_must_do(
        tmp_path: Path, store: SecretStore, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path, recovery = _created(tmp_path, store)
    old_key = _file_key(path, store)
    monkeypatch.setenv(ENV_USER_PASSWORD, TEST_PASSWORD)
    monkeypatch.setenv(ENV_RECOVERY_KEY, recovery)

    assert main(["new-database-key", "--db", str(path), "--user", "clerk"]) == 2
    assert "only an administrator may replace the database key" in capsys.readouterr().err
    assert _file_key(path, store) == old_key

    assert main(["new-database-key", "--db", str(path), "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "Backups made before now keep the OLD key" in out and "recover --db" in out
    assert recovery not in out and _file_key(path, store) != old_key

    assert main(["new-database-key", "--db", "postgresql+psycopg://app@127.0.0.1:1/none", "--user", "admin"]) == 2
    assert "server's own" in capsys.readouterr().err


# --- a program stopped while re-encrypting; openers during a replacement; another Windows user ---------------

_REKEY_CHILD = """
import sys
from pathlib import Path
from adoption_desktop.core.storage.database_key import _rekey
old, new = sys.stdin.read().split()
_rekey(Path(sys.argv[1]), bytearray.fromhex(old), bytearray.fromhex(new))
"""


def _filled(path: Path, key: bytes, megabytes: int) -> None:
    """Synthetic bulk (random bytes in a table of its own): a re-encryption long enough to stop half-way."""
    db = open_sqlcipher(path, key)
    try:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE bulk_filler (id INTEGER PRIMARY KEY, b BLOB)")
            for _ in range(megabytes * 256):
                conn.exec_driver_sql("INSERT INTO bulk_filler (b) VALUES (randomblob(4000))")
        db.checkpoint()
    finally:
        db.dispose(write_anchor=False)


def _stopped_while_re_encrypting(tmp_path: Path, store: SecretStore) -> tuple[Path, str, bytes, bytes]:
    """A new database key killed during ``PRAGMA rekey``: its rollback journal beside the file (hot), page 1
    already under the new key, the rest not. The re-encryption runs in a child process that is killed
    (SIGKILL) once that is so; tried again from a copy until a kill lands in time."""
    import os
    import shutil
    import signal
    import subprocess
    import sys
    import time

    path, recovery = _created(tmp_path, store)
    old_key = _file_key(path, store)
    _filled(path, old_key, 8)
    _stopped_at("audited", path, store, recovery)
    new = keys.load_pending_key(keys.KeyEnvelope.load(keys.key_file_for(path)), store)
    assert new is not None
    new_key = bytes(new)
    journal = path.with_name(path.name + "-journal")
    saved = tmp_path / "before-rekey.db"
    shutil.copy2(path, saved)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    for _ in range(20):
        child = subprocess.Popen([sys.executable, "-c", _REKEY_CHILD, str(path)], stdin=subprocess.PIPE, env=env)
        assert child.stdin is not None
        child.stdin.write(f"{old_key.hex()} {new_key.hex()}".encode())
        child.stdin.close()
        killed = False
        while child.poll() is None:
            if journal.exists() and page_check.first_page_opens(path, new_key):
                os.kill(child.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.001)
        child.wait()
        if killed and journal.exists() and journal.stat().st_size > 0 and page_check.first_page_opens(path, new_key):
            return path, recovery, old_key, new_key
        journal.unlink(missing_ok=True)  # finished (or killed too early or late): again, from the copy
        shutil.copy2(saved, path)
    pytest.fail("the re-encryption could not be stopped half-way")


@pytest.mark.parametrize("how", ["open", "recover"])
def test_stopped_while_re_encrypting_the_next_open_and_recover_work_first_time(
        how: str, tmp_path: Path, store: SecretStore, monkeypatch: pytest.MonkeyPatch,
        _isolation: MemoryKeyring) -> None:
    path, recovery, old_key, new_key = _stopped_while_re_encrypting(tmp_path, store)

    if how == "open":
        db = open_database(path, store)  # first time: before, "the key is wrong, or the file is damaged"
        try:
            assert verify_database(db).ok
        finally:
            db.dispose()
    else:
        _isolation.store.clear()  # this Windows user's keyring lost: the recovery sheet, once
        monkeypatch.setenv(ENV_RECOVERY_KEY, recovery)
        assert main(["recover", "--db", str(path)]) == 0
        monkeypatch.delenv(ENV_RECOVERY_KEY)
        db = open_database(path, store)
        try:
            assert verify_database(db).ok
        finally:
            db.dispose()
    # SQLite played the journal back: the whole file under the old key, which stays in force
    assert not path.with_name(path.name + "-journal").exists()
    assert _opens(path, old_key) and not _opens(path, new_key)
    assert _file_key(path, store) == old_key
    # and a new database key, run again, finishes the job
    replace_database_key(path, store, sign_in=_as("admin"), recovery_key=lambda: recovery)  # type: ignore[arg-type]
    assert _opens(path, _file_key(path, store)) and not _opens(path, old_key)


_OPENER_CHILD = """
import sys
from pathlib import Path
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
try:
    db = open_database(Path(sys.argv[1]), SecretStore(), on_wait=lambda m: print("WAITING", flush=True))
    print("OPENED", verify_database(db).ok, flush=True)
    db.dispose()
except Exception as exc:
    print("REFUSED", exc, flush=True)
"""


def test_an_open_that_waits_for_a_new_database_key_uses_the_new_key(
        tmp_path: Path, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import subprocess
    import sys

    path, recovery = _created(tmp_path, store, PASSPHRASE)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    env[keys.ENV_PASSPHRASE] = PASSPHRASE
    opener: list[subprocess.Popen[str]] = []

    def start_opener(reached: str) -> None:
        if reached != "pending_saved":  # the file held exclusively, the old key still in force
            return
        child = subprocess.Popen([sys.executable, "-c", _OPENER_CHILD, str(path)], stdout=subprocess.PIPE,
                                 text=True, env=env)
        opener.append(child)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "WAITING"  # another program, waiting for the hold

    monkeypatch.setattr(database_key, "_reached", start_opener)
    replace_database_key(path, store, sign_in=_as("admin"), recovery_key=lambda: recovery,  # type: ignore[arg-type]
                         passphrase=PASSPHRASE)
    out, _err = opener[0].communicate(timeout=120)
    assert out.strip() == "OPENED True", out


def test_another_windows_user_after_a_stop_once_re_encrypted_is_told_to_recover(
        tmp_path: Path, store: SecretStore, _isolation: MemoryKeyring) -> None:
    from adoption_desktop.core.errors import KeyUnavailable

    path, recovery = _created(tmp_path, store)
    _stopped_at("rekeyed", path, store, recovery)
    # another Windows user: their keyring has the old entry only (the new one was made in the first user's)
    pending = database_key.pending_id(keys.KeyEnvelope.load(keys.key_file_for(path)))
    assert pending is not None
    store.delete(pending)
    with pytest.raises(KeyUnavailable) as refused:  # not "the key is wrong, or the file is damaged"
        open_database(path, store)
    assert isinstance(refused.value, keys.KeyNotInKeyring)
    assert "recover --db" in str(refused.value) and "wrong" not in str(refused.value)
    _recovered(path, recovery, store, _isolation)  # as after a finished replacement: recover, once


def test_a_refused_run_does_not_touch_a_key_left_pending(tmp_path: Path, store: SecretStore) -> None:
    path, recovery = _created(tmp_path, store)
    _stopped_at("rekeyed", path, store, recovery)
    key_file = keys.key_file_for(path)
    before = key_file.read_bytes()
    with pytest.raises(PermissionDenied):
        replace_database_key(path, store, sign_in=_as("clerk"), recovery_key=lambda: recovery)  # type: ignore[arg-type]
    assert key_file.read_bytes() == before  # the refused run wrote nothing; the next open puts it in force


def test_a_re_encryption_that_fails_says_what_was_kept_and_withdraws_the_new_key(
        tmp_path: Path, store: SecretStore, _isolation: MemoryKeyring) -> None:
    from adoption_desktop.core.storage.engine import make_sqlcipher_engine

    path, recovery = _created(tmp_path, store)
    old_key = _file_key(path, store)
    old_entries = dict(_isolation.store)
    # a program that does not take the hold (an older version) reading the file: SQLite refuses the rekey
    other = make_sqlcipher_engine(path, old_key)
    try:
        with other.connect().execution_options(adk_write=False) as conn:  # a read transaction, kept open
            conn.exec_driver_sql("SELECT count(*) FROM users").scalar()
            with pytest.raises(AppError) as failed:
                replace_database_key(path, store, sign_in=_as("admin"),  # type: ignore[arg-type]
                                     recovery_key=lambda: recovery)
            conn.rollback()
    finally:
        other.dispose()
    said = str(failed.value)
    assert "could not be re-encrypted" in said and "was not replaced" in said
    assert "new key made for it was withdrawn" in said and "nothing else was changed" not in said
    envelope = keys.KeyEnvelope.load(keys.key_file_for(path))
    assert envelope.pending_key is None and _file_key(path, store) == old_key and _opens(path, old_key)
    assert dict(_isolation.store) == old_entries  # the new key's keyring entry taken out again
    db = open_database(path, store)
    try:
        assert verify_database(db).ok
        with db.session(write=False) as session:
            actions = [e.action for e in audit.query_entries(session, audit.AuditFilter(), limit=500)]
    finally:
        db.dispose()
    assert AUDIT_ACTION in actions and database_key.NOT_REPLACED_ACTION in actions
    assert action_label(database_key.NOT_REPLACED_ACTION) == "Database key not replaced"


def test_an_opener_that_waits_out_a_long_new_database_key_is_told_so(
        tmp_path: Path, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.core.errors import DatabaseBusy

    path, _recovery = _created(tmp_path, store)
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "0.2")
    hold = FileHold.acquire(path, exclusive=True, wait=0, message="")  # as a new database key holds it
    try:
        with pytest.raises(DatabaseBusy, match="given a new database key"):
            open_database(path, store)
    finally:
        hold.release()
