"""Create, open (unlock and upgrade), verify, back up and restore a database."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from adoption_desktop.core import audit
from adoption_desktop.core.errors import AppError, DatabaseOpenError
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import (
    Database,
    is_postgres_url,
    open_postgresql,
    open_sqlcipher,
    secure_umask,
)

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreatedDatabase:
    db: Database
    recovery_key: str
    key_mode: str  # "keyring" or "passphrase"


def create_database(path: Path, store: SecretStore, passphrase: str | None = None) -> CreatedDatabase:
    """A new encrypted database at ``path`` with its key in the keyring (or under ``passphrase``)."""
    secure_umask()
    path = Path(path)
    _refuse_leftovers(path, "create")
    path.parent.mkdir(parents=True, exist_ok=True)
    created = keys.create_key(store, passphrase)
    created.envelope.save(keys.key_file_for(path))
    try:
        db = open_sqlcipher(path, created.key, must_exist=False)
        migrations.create_schema(db)
    except Exception:
        for f in (path, keys.key_file_for(path), path.with_name(path.name + "-wal"),
                  path.with_name(path.name + "-shm")):
            f.unlink(missing_ok=True)
        if created.envelope.mode == "keyring":
            store.delete(created.envelope.db_id)
        raise
    return CreatedDatabase(db, created.recovery_key, created.envelope.mode)


def unlock_key(path: Path, store: SecretStore, passphrase: str | None = None) -> bytes | bytearray:
    envelope = keys.KeyEnvelope.load(keys.key_file_for(Path(path)))
    return keys.load_key(envelope, store, passphrase)


def key_mode(path: Path) -> str:
    return keys.KeyEnvelope.load(keys.key_file_for(Path(path))).mode


def open_database(target: str | Path, store: SecretStore, passphrase: str | None = None,
                  *, upgrade: bool = True) -> Database:
    """Open an embedded file (unlocking its key) or a PostgreSQL URL; upgrade the schema if behind."""
    if isinstance(target, str) and is_postgres_url(target):
        db = open_postgresql(target)
        if upgrade:
            migrations.upgrade_postgresql(db)
        _log.info("PostgreSQL database opened (team mode)")
        return db
    path = Path(target)
    if not path.exists():
        raise DatabaseOpenError(f"No database at {path}.")
    key = unlock_key(path, store, passphrase)
    if upgrade:
        result = migrations.upgrade_sqlcipher(path, key)
        if result.upgraded and result.backup is not None:
            _log.info("database schema upgraded; a pre-upgrade copy was kept beside it")
    db = open_sqlcipher(path, key)
    _log.info("embedded database opened (key %s)", "in the system keyring" if key_mode(path) == "keyring"
              else "protected by a passphrase")
    return db


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    problems: list[str]
    audit_entries: int


def verify_database(db: Database) -> VerifyReport:
    problems: list[str] = []
    if db.is_sqlite:
        with db.engine.connect() as conn:
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                problems.extend(f"integrity: {r}" for r in rows)
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()]
            problems.extend(f"cipher integrity: {r}" for r in rows)
    with db.session(write=False) as session:
        problem = audit.verify_chain(session)
        count = int(session.execute(text("SELECT count(*) FROM audit_log")).scalar_one())
        anchor_problem = None
        anchor_path = audit.anchor_file_for(db.path) if db.path is not None else None
        if problem is None and anchor_path is not None and anchor_path.exists():
            try:
                anchor_problem = audit.check_anchor(session, json.loads(anchor_path.read_text(encoding="utf-8")))
            except ValueError:
                problems.append(f"audit anchor {anchor_path.name} is damaged")
    if problem:
        problems.append(f"audit log: first broken entry is #{problem.seq}: {problem.message}")
    if anchor_problem:
        problems.append(f"audit log: #{anchor_problem.seq}: {anchor_problem.message}")
    return VerifyReport(not problems, problems, count)


def backup_database(db: Database, out: Path) -> Path:
    """One file (zip): the encrypted database and its key file (wrapped keys only); verified after."""
    if not db.is_sqlite or db.path is None:
        raise AppError("Back up a PostgreSQL database with the server's own tools (pg_dump).")
    secure_umask()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        snapshot = Path(tmp) / "database.sqlcipher"
        # VACUUM INTO keeps the source's key and cipher settings: the copy is encrypted too
        db.run_outside_transaction("VACUUM INTO ?", (str(snapshot),))
        key_file = keys.key_file_for(db.path)
        partial = out.with_name(out.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.write(snapshot, "database.sqlcipher")
            zf.write(key_file, "database.keys")
            with db.session(write=False) as session:
                anchor = audit.current_anchor(session)
            zf.writestr("manifest.json", json.dumps({"format": 1, "app": "Adoption Desktop",
                                                     "audit_anchor": anchor}))
        _check_backup(partial, db)
        os.replace(partial, out)
    return out


def _check_backup(archive: Path, db: Database) -> None:
    """Open the snapshot inside ``archive`` with the live database's key and verify it."""
    key = db.engine.url.password
    assert key is not None
    raw = bytes.fromhex(key[2:-1])
    with tempfile.TemporaryDirectory(dir=archive.parent) as tmp:
        with zipfile.ZipFile(archive) as zf:
            zf.extract("database.sqlcipher", tmp)
        copy = open_sqlcipher(Path(tmp) / "database.sqlcipher", raw)
        try:
            report = verify_database(copy)
        finally:
            copy.dispose()
    if not report.ok:
        archive.unlink(missing_ok=True)
        raise AppError("The backup failed its check and was removed: " + "; ".join(report.problems))


def _require_verified(path: Path, key: bytes | bytearray, failure: str) -> None:
    """Open ``path`` with ``key`` and verify it (integrity and audit chain), or raise ``failure: …``."""
    check = open_sqlcipher(path, key)
    try:
        report = verify_database(check)
    finally:
        check.dispose()
    if not report.ok:
        raise AppError(f"{failure}: " + "; ".join(report.problems))


def _sidecars(path: Path) -> list[Path]:
    return [keys.key_file_for(path), path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _refuse_leftovers(path: Path, what: str) -> None:
    """A stale -wal beside a new file would be replayed into it; a .keys file would be overwritten."""
    left = [p.name for p in (path, *_sidecars(path)) if p.exists()]
    if left:
        raise AppError(f"Cannot {what} {path.name}: {', '.join(left)} already exist(s) there. Choose another "
                       "file name, or move those files away first.")


def restore_database(archive: Path, dest: Path, store: SecretStore, passphrase: str | None = None, *,
                     recovery_key: str | None = None) -> Path:
    """Restore a backup to ``dest`` (which must not exist), verified before it is put in place.

    On a new PC the key of a keyring-mode backup is not in this keyring: give ``recovery_key`` and the
    key is unwrapped with it and kept anew here (keyring, or ``passphrase`` where there is none)."""
    secure_umask()
    dest = Path(dest)
    _refuse_leftovers(dest, "restore to")
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as exc:
        raise AppError(f"{archive} is not an Adoption Desktop backup.") from exc
    with zf, tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        names = set(zf.namelist())
        if not {"database.sqlcipher", "database.keys"} <= names:
            raise AppError(f"{archive} is not an Adoption Desktop backup (files missing).")
        zf.extractall(tmp, members=["database.sqlcipher", "database.keys"])
        staged = Path(tmp) / "database.sqlcipher"
        envelope = keys.KeyEnvelope.load(Path(tmp) / "database.keys")
        if recovery_key:
            key = keys.key_from_recovery(envelope, recovery_key)
            envelope = keys.rewrap(envelope, key, store, passphrase)
        else:
            key = keys.load_key(envelope, store, passphrase)
        _require_verified(staged, key, "The backup is damaged")
        # into place atomically: the database first (under a temporary name), its key file last
        partial = dest.with_name(dest.name + ".restoring")
        shutil.copy2(staged, partial)
        os.replace(partial, dest)
        envelope.save(keys.key_file_for(dest))
        if "manifest.json" in names:  # the anchor taken at backup time guards the restored log too
            anchor = json.loads(zf.read("manifest.json")).get("audit_anchor")
            if anchor:
                audit.anchor_file_for(dest).write_text(json.dumps(anchor), encoding="utf-8")
    return dest


def move_database(source: Path, dest: Path, store: SecretStore, passphrase: str | None = None, *,
                  remove_original: bool = False) -> Path:
    """Move an embedded database (with its key file and audit anchor) to ``dest``, e.g. another drive.

    The source is checked first and the copy is opened and checked before anything else happens; the
    key stays where it was (the keyring entry is named by the key file, not the path). The original
    files are deleted only with ``remove_original``, after the copy has verified.
    """
    source, dest = Path(source), Path(dest)
    if dest.is_dir() or dest.suffix.lower() != ".db":  # a folder (new or existing): keep the file's name
        dest = dest / source.name
    if dest.resolve() == source.resolve():
        raise AppError("The database is already there.")
    _refuse_leftovers(dest, "move the database to")
    key = unlock_key(source, store, passphrase)
    db = open_sqlcipher(source, key)
    try:
        report = verify_database(db)
        if not report.ok:
            raise AppError("The database did not verify, so it was not moved: " + "; ".join(report.problems))
        db.checkpoint()
    finally:
        db.dispose()  # writes the audit anchor that travels with it
    # SQLite removes the -wal and -shm files when the last connection closes: if they are still there
    # now, another program (the application itself, most likely) has the database open, and work it
    # saved after the copy would be left behind in the old file
    if any(side.exists() for side in _sidecars(source)[1:]):
        raise AppError("The database is open in Adoption Desktop or another program. Close it everywhere, "
                       "then move it again; nothing was changed.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    moved = [source, keys.key_file_for(source), audit.anchor_file_for(source)]
    copies = [dest, keys.key_file_for(dest), audit.anchor_file_for(dest)]
    try:
        for src, dst in zip(moved, copies, strict=True):
            if src.exists():
                partial = dst.with_name(dst.name + ".partial")
                shutil.copy2(src, partial)
                os.replace(partial, dst)
        _require_verified(dest, unlock_key(dest, store, passphrase), "The copy did not verify")
    except Exception:
        for dst in (*copies, *_sidecars(dest)):
            dst.unlink(missing_ok=True)
        raise
    _log.info("database moved and verified")
    if remove_original:
        remove_database_files(source)
    return dest


def remove_database_files(path: Path) -> None:
    """Delete a database with its key file, audit anchor and journal files (after a verified move)."""
    try:
        for f in (path, *_sidecars(path), audit.anchor_file_for(path)):
            f.unlink(missing_ok=True)
    except OSError as exc:  # Windows: a program opened it in the meantime
        raise AppError(f"{path.name} could not be removed ({exc.strerror}); delete it, with its .keys and "
                       ".audit-anchor files, once nothing has it open.") from exc
    _log.info("original database files removed after a move")
