import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from adoption_desktop.core.errors import DatabaseOpenError, KeyUnavailable
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import (
    backup_database,
    create_database,
    open_database,
    restore_database,
    verify_database,
)

ROOT = Path(__file__).resolve().parents[2]


def test_file_is_encrypted_and_unreadable_by_plain_sqlite(db: Database, db_path: Path) -> None:
    from tests.conftest import make_user

    make_user(db, "bramley")
    db.checkpoint()
    raw = db_path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"bramley" not in raw.lower() and b"Bramley" not in raw
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()


def test_pragmas_wal_and_foreign_keys(db: Database) -> None:
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_files_are_private(db_path: Path, db: Database) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    assert db_path.stat().st_mode & 0o077 == 0
    assert keys.key_file_for(db_path).stat().st_mode & 0o077 == 0


def test_key_kept_in_keyring_not_on_disk(db_path: Path, db: Database, store: SecretStore) -> None:
    envelope = keys.KeyEnvelope.load(keys.key_file_for(db_path))
    assert envelope.mode == "keyring"
    hexkey = store.get(envelope.db_id)
    assert hexkey and len(hexkey) == 64
    assert hexkey not in keys.key_file_for(db_path).read_text()


def test_wrong_key_changes_nothing(db_path: Path, db: Database) -> None:
    db.dispose()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseOpenError, match="could not be opened"):
        open_sqlcipher(db_path, b"\x00" * 32)
    assert db_path.read_bytes() == before


def test_passphrase_mode_and_recovery(tmp_path: Path, store: SecretStore) -> None:
    path = tmp_path / "pp.db"
    created = create_database(path, store, passphrase="a long passphrase")
    created.db.dispose()
    assert keys.KeyEnvelope.load(keys.key_file_for(path)).mode == "passphrase"
    with pytest.raises(KeyUnavailable, match="Wrong passphrase"):
        open_database(path, store, "not it")
    open_database(path, store, "a long passphrase").dispose()
    # the key is recoverable with the recovery key alone
    envelope = keys.KeyEnvelope.load(keys.key_file_for(path))
    key = keys.key_from_recovery(envelope, created.recovery_key.lower().replace("-", " "))
    open_sqlcipher(path, key).dispose()
    with pytest.raises(KeyUnavailable):
        keys.key_from_recovery(envelope, "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA-AAAAA")


def test_missing_keyring_entry_explains_recovery(db_path: Path, db: Database, store: SecretStore) -> None:
    db.dispose()
    store.delete(keys.KeyEnvelope.load(keys.key_file_for(db_path)).db_id)
    with pytest.raises(KeyUnavailable, match="recovery key"):
        open_database(db_path, store)


def test_backup_and_restore_round_trip(db: Database, db_path: Path, tmp_path: Path, store: SecretStore) -> None:
    from tests.conftest import make_user

    make_user(db, "wrenfield")
    out = backup_database(db, tmp_path / "backup.adkbak")
    assert b"wrenfield" not in out.read_bytes()
    restored = restore_database(out, tmp_path / "restored.db", store)
    other = open_database(restored, store)
    try:
        with other.session(write=False) as session:
            assert session.execute(text("SELECT username FROM users")).scalar_one() == "wrenfield"
        assert verify_database(other).ok
    finally:
        other.dispose()


def test_a_backup_given_where_a_database_is_expected_says_how_to_check_it(db: Database, tmp_path: Path) -> None:
    """User trial: verify --db BACKUP.adkbak said the (good) backup was cut short, to be restored from a backup."""
    out = backup_database(db, tmp_path / "b1.adkbak")
    done = _cli("verify", "--db", str(out))
    assert done.returncode == 2
    assert (f'b1.adkbak is a backup, not a database: restore it to a new file (adoption-desktop restore --from '
            f'"{out}" --db NEW.db), then open or verify that.') in done.stderr
    assert "cut short" not in done.stderr


def test_a_backup_from_the_window_is_audited_as_its_users_export(db: Database, tmp_path: Path) -> None:
    """User trial: File → Back up database… copied every record with no audit entry, while every other
    export by a signed-in user is audited."""
    from adoption_desktop.core.audit import AuditEntry
    from adoption_desktop.core.security.permissions import Role
    from tests.conftest import make_user

    admin = make_user(db, "backer", Role.ADMINISTRATOR)
    backup_database(db, tmp_path / "nightly.adkbak", admin)
    with db.session(write=False) as session:
        entry = session.query(AuditEntry).filter(AuditEntry.entity == "database").one()
    assert (entry.actor_id, entry.action, entry.detail) == (admin.user_id, "export", "backup to nightly.adkbak")
    # the service checks the permission itself, as the window does
    from adoption_desktop.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        backup_database(db, tmp_path / "not-mine.adkbak", make_user(db, "reader", Role.COUNSELLOR))
    assert not (tmp_path / "not-mine.adkbak").exists()
    # while the audit log is on hold the backup is still made (evidence), without an entry (review)
    db.audit_hold = "a test hold"
    try:
        assert backup_database(db, tmp_path / "held.adkbak", admin).exists()
    finally:
        db.audit_hold = None


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "adoption_desktop", *args], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=300, check=False)


@pytest.fixture
def headless_env(tmp_path: Path) -> dict[str, str]:
    # a subprocess has no in-memory keyring: force the passphrase path
    return {"ADOPTION_DESKTOP_PASSPHRASE": "cli passphrase", "PYTHON_KEYRING_BACKEND":
            "keyring.backends.fail.Keyring", "ADOPTION_DESKTOP_DATA_DIR": str(tmp_path / "data")}


def test_cli_version() -> None:
    res = _cli("--version")
    assert res.returncode == 0 and "Adoption Desktop" in res.stdout


def test_cli_init_verify_and_wrong_passphrase(tmp_path: Path, headless_env: dict[str, str]) -> None:
    path = tmp_path / "cli.db"
    res = _cli("init", "--db", str(path), env=headless_env)
    assert res.returncode == 0, res.stderr
    assert "RECOVERY KEY" in res.stdout
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert _cli("verify", "--db", str(path), env=headless_env).returncode == 0
    bad = _cli("verify", "--db", str(path), env={**headless_env, "ADOPTION_DESKTOP_PASSPHRASE": "wrong"})
    assert bad.returncode != 0
    lines = [ln for ln in bad.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "passphrase" in lines[0].lower()


def test_restore_refuses_leftover_files_beside_the_target(db: Database, tmp_path: Path,
                                                          store: SecretStore) -> None:
    from adoption_desktop.core.errors import AppError

    out = backup_database(db, tmp_path / "b.adkbak")
    target = tmp_path / "again.db"
    stale = target.with_name(target.name + "-wal")
    stale.write_bytes(b"left by a crash")
    with pytest.raises(AppError, match=r"again\.db-wal"):
        restore_database(out, target, store)
    assert not target.exists() and stale.read_bytes() == b"left by a crash"


def test_restore_on_a_new_pc_with_the_recovery_key(tmp_path: Path, store: SecretStore) -> None:
    from tests.conftest import make_user

    created = create_database(tmp_path / "old-pc.db", store)
    make_user(created.db, "moved")
    out = backup_database(created.db, tmp_path / "move.adkbak")
    created.db.dispose()
    # the new PC's keyring does not have the key
    store.delete(keys.KeyEnvelope.load(keys.key_file_for(tmp_path / "old-pc.db")).db_id)
    with pytest.raises(KeyUnavailable):
        restore_database(out, tmp_path / "new-pc.db", store)
    assert not (tmp_path / "new-pc.db").exists()
    restore_database(out, tmp_path / "new-pc.db", store, recovery_key=created.recovery_key)
    reopened = open_database(tmp_path / "new-pc.db", store)
    try:
        with reopened.session(write=False) as session:
            assert session.execute(text("SELECT username FROM users")).scalar_one() == "moved"
    finally:
        reopened.dispose()


def test_upgrade_steps_run_in_their_own_transactions(tmp_path: Path, store: SecretStore,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from alembic import command

    from adoption_desktop.core.storage import migrations

    created = keys.create_key(store, None)
    path = tmp_path / "steps.db"
    created.envelope.save(keys.key_file_for(path))
    db = open_sqlcipher(path, created.key, must_exist=False)
    with db.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn), "0001_foundation")
        conn.commit()
    seen: list[bool] = []
    real = command.upgrade

    def spy(cfg: object, rev: str) -> None:
        conn = cfg.attributes["connection"]  # type: ignore[attr-defined]
        seen.append(conn.in_transaction())
        real(cfg, rev)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "upgrade", spy)
    with db.engine.connect() as conn:
        migrations._upgrade_connection(conn, per_step=True)
        conn.commit()
    db.dispose()
    assert seen == [False]


def test_a_backup_onto_the_open_database_or_its_own_files_is_refused(db: Database, db_path: Path,
                                                                     tmp_path: Path) -> None:
    """User trial: File → Back up database… onto the open database replaced it with the zip and said
    "written and verified"; onto its key file, the database could no longer be opened."""
    from adoption_desktop.core.errors import ValidationError
    from adoption_desktop.core.storage.lifecycle import own_files
    from tests.conftest import make_user

    make_user(db, "keeper")
    before = {p: p.read_bytes() for p in own_files(db_path) if p.exists() and not p.name.endswith(("-wal", "-shm"))}
    assert db_path in before and keys.key_file_for(db_path) in before
    for target in own_files(db_path):
        with pytest.raises(ValidationError, match=r"ending \.adkbak|own files"):
            backup_database(db, target)
    # a name without .adkbak is refused as the command line refuses it: the anchors find backups by it
    with pytest.raises(ValidationError, match=r"ending \.adkbak"):
        backup_database(db, tmp_path / "mybackup")
    assert not (tmp_path / "mybackup").exists()
    # a database that is itself named .adkbak, backed up onto itself (another spelling of the same path)
    odd = db_path.with_name("cases.adkbak")
    with pytest.raises(ValidationError, match="own files"):
        from adoption_desktop.core.storage.lifecycle import _refuse_own_files

        _refuse_own_files(odd.parent / "." / odd.name, odd)
    for path, data in before.items():
        assert path.read_bytes() == data, path
    with db.session(write=False) as session:  # still the database, still open
        assert session.execute(text("SELECT count(*) FROM users WHERE username = 'keeper'")).scalar_one() == 1
