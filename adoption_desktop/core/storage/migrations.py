"""Schema creation and upgrades with alembic.

* A new database is created at the latest schema (``create_all``) and stamped with every head.
* An existing embedded database that is behind is **copied** (still encrypted) to
  ``NAME.pre-upgrade-YYYYmmddTHHMMSS.bak`` and the upgrade runs on a working copy, each migration step
  in its own transaction; only when every step succeeded does the upgraded copy replace the original.
  A failed upgrade therefore leaves the original untouched.
* PostgreSQL (team mode) upgrades in one transaction (its DDL is transactional), so a failure rolls
  everything back.

Each feature owns an alembic branch (``branch_labels = ("panel",)`` etc.) that starts from the
foundation revision; we always upgrade to ``heads``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, insert, inspect

from adoption_desktop.core.errors import AppError
from adoption_desktop.core.resources import package_path
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.schema import load_all_models

#: the first schema version ever released: the oldest database an upgrade must handle
FIRST_REVISION = "0001_foundation"


class MigrationError(AppError):
    pass


def alembic_config(connection: Connection | None = None, *, per_step: bool = True) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(package_path("migrations")))
    cfg.attributes["connection"] = connection
    cfg.attributes["transaction_per_migration"] = per_step
    return cfg


def script_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_heads(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def create_schema(db: Database) -> None:
    """A brand-new database: every table at the latest schema, stamped with all heads."""
    metadata = load_all_models()
    with db.engine.begin() as conn:
        metadata.create_all(conn)
        from adoption_desktop.core.audit import GENESIS, AuditHead

        conn.execute(insert(AuditHead).values(id=1, last_seq=0, last_hash=GENESIS))
    with db.engine.connect() as conn:
        cfg = alembic_config(conn)
        command.stamp(cfg, "heads")
        conn.commit()


def needs_upgrade(db: Database) -> bool:
    with db.engine.connect() as conn:
        return current_heads(conn) != script_heads()


def _upgrade_connection(conn: Connection, per_step: bool) -> None:
    has_version = inspect(conn).has_table("alembic_version")
    conn.commit()  # end the inspection's transaction, or alembic runs every step inside it as one
    if not has_version:
        raise MigrationError("This database has no schema version; it was not made by Adoption Desktop.")
    command.upgrade(alembic_config(conn, per_step=per_step), "heads")


@dataclass(frozen=True)
class UpgradeResult:
    upgraded: bool
    backup: Path | None = None


def _copy_db_files(src: Path, dst: Path) -> None:
    shutil.copy2(src, dst)
    for suffix in ("-wal",):
        side = src.with_name(src.name + suffix)
        if side.exists():
            shutil.copy2(side, dst.with_name(dst.name + suffix))


def upgrade_sqlcipher(path: Path, key: bytes | bytearray) -> UpgradeResult:
    db = open_sqlcipher(path, key)
    try:
        if not needs_upgrade(db):
            return UpgradeResult(False)
        db.checkpoint()
    finally:
        db.dispose()
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    backup = path.with_name(f"{path.name}.pre-upgrade-{stamp}.bak")
    work = path.with_name(f"{path.name}.upgrading")
    for leftover in (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm")):
        leftover.unlink(missing_ok=True)
    _copy_db_files(path, backup)
    _copy_db_files(path, work)
    work_db = open_sqlcipher(work, key)
    try:
        with work_db.engine.connect() as conn:
            _upgrade_connection(conn, per_step=True)
            conn.commit()
        work_db.checkpoint()
    except Exception as exc:
        work_db.dispose()
        for f in (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm"),
                  work.with_name(work.name + ".audit-anchor")):
            f.unlink(missing_ok=True)
        raise MigrationError(
            f"The database could not be upgraded ({exc}); the original is untouched and a copy is kept "
            f"at {backup.name}.") from exc
    work_db.dispose()
    work.with_name(work.name + ".audit-anchor").unlink(missing_ok=True)  # the original's anchor still holds
    try:
        for side in ("-wal", "-shm"):
            path.with_name(path.name + side).unlink(missing_ok=True)
        os.replace(work, path)
    except OSError as exc:  # e.g. Windows: another program (a second copy of the app) has the file open
        raise MigrationError(
            f"The upgraded database could not replace {path.name} ({exc}). Close every other copy of "
            f"Adoption Desktop and try again; the pre-upgrade copy is {backup.name}.") from exc
    return UpgradeResult(True, backup)


def upgrade_postgresql(db: Database) -> UpgradeResult:
    """Team mode: an empty PostgreSQL database gets the latest schema; an older one is upgraded."""
    with db.engine.connect() as conn:
        empty = not inspect(conn).get_table_names()
    if empty:
        create_schema(db)
        return UpgradeResult(True)
    if not needs_upgrade(db):
        return UpgradeResult(False)
    with db.engine.connect() as conn:
        _upgrade_connection(conn, per_step=False)
        conn.commit()
    return UpgradeResult(True)
