"""Schema creation and upgrades with alembic.

* A new database is created at the latest schema (``create_all``) and stamped with every head.
* An existing embedded database that is behind is upgraded under an **exclusive hold** (refused while
  any other program has it open, see ``core.storage.hold``) on a working copy, each migration step in
  its own transaction; only when every step succeeded is the original copied (still encrypted) to
  ``NAME.db.pre-upgrade-YYYYmmddTHHMMSS.bak`` and replaced by the upgraded copy. A failed upgrade
  therefore leaves the original untouched and no copy behind: at most one copy per version step.
* A database made by a **newer** version (revisions this version does not know) is refused before
  anything else, and so is a damaged file (every page's HMAC is checked when it is opened).
* PostgreSQL (team mode) upgrades in one transaction (its DDL is transactional), so a failure rolls
  everything back.

Each feature owns an alembic branch (``branch_labels = ("panel",)`` etc.) that starts from the
foundation revision; we always upgrade to ``heads``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, exc, insert, inspect

from adoption_desktop import __version__
from adoption_desktop.core.config import app_paths
from adoption_desktop.core.errors import (
    AppError,
    DatabaseDamaged,
    DatabaseOpenError,
    KeyUnavailable,
    NewerSchema,
)
from adoption_desktop.core.files import output_file
from adoption_desktop.core.resources import package_path
from adoption_desktop.core.security import keys
from adoption_desktop.core.storage import page_check, schema_version
from adoption_desktop.core.storage.engine import (
    Database,
    check_file_shape,
    damaged_message,
    file_error,
    is_busy_error,
    key_of,
    open_sqlcipher,
    read_connection,
)
from adoption_desktop.core.storage.hold import (
    MAINTENANCE_WAIT,
    FileHold,
    Hold,
    WaitReport,
    busy_wait,
    in_use_message,
)
from adoption_desktop.core.storage.page_check import PageChecker
from adoption_desktop.schema import load_all_models

if TYPE_CHECKING:
    from alembic.config import Config

#: the first schema version ever released: the oldest database an upgrade must handle
FIRST_REVISION = "0001_foundation"

_log = logging.getLogger(__name__)


class MigrationError(AppError):
    pass


def alembic_config(connection: Connection | None = None, *, per_step: bool = True) -> Config:
    from alembic.config import Config  # alembic is imported only when the schema is not current

    cfg = Config()
    cfg.set_main_option("script_location", str(package_path("migrations")))
    cfg.attributes["connection"] = connection
    cfg.attributes["transaction_per_migration"] = per_step
    return cfg


def script_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_heads(connection: Connection) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    return set(MigrationContext.configure(connection).get_current_heads())


_KNOWN: set[str] = set()


def known_revisions() -> set[str]:
    if not _KNOWN:
        from alembic.script import ScriptDirectory

        _KNOWN.update(r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions())
    return _KNOWN


def refuse_newer(connection: Connection, name: str) -> None:
    """:class:`NewerSchema` when the database carries revisions this version does not know (it was
    made or upgraded by a newer version): nothing may be copied, upgraded or rewritten then."""
    try:
        if not inspect(connection).has_table("alembic_version"):
            raise DatabaseOpenError(f"{name} has no schema version, so it was not made by Adoption Desktop; "
                                    "it will not be opened. Nothing was changed.")
        heads = current_heads(connection)
    except exc.DBAPIError as err:
        if is_busy_error(err):
            raise
        database = connection.engine.url.database if connection.dialect.name == "sqlite" else None
        raise file_error(Path(database) if database else None, name, err) from err
    finally:
        connection.rollback()
    unknown = heads - known_revisions()
    if unknown:
        raise NewerSchema(
            f"{name} was made by a newer version of Adoption Desktop (schema {', '.join(sorted(unknown))}), "
            f"which this version ({__version__}) does not know. Open it with that version or a later one; "
            "nothing was changed.")


def check_pages(db: Database, checker: PageChecker | None = None) -> None:
    """Every page of an embedded file passes its HMAC (:class:`DatabaseDamaged` if not): corruption in
    the middle of the file is caught when it is opened, not half-way through a command. With a
    ``checker`` (:mod:`core.storage.page_check`) only the runs of pages whose bytes changed since this PC
    last checked them are recomputed; a page that fails there, or a file that shrank, is judged by
    SQLCipher's own ``cipher_integrity_check``, whose words are reported."""
    if not db.is_sqlite:
        return
    if checker is not None:
        try:
            outcome = checker.run()
        except OSError:  # a sharing violation, a network share's hiccup …: SQLCipher's check decides
            outcome = None
        if outcome is not None and not outcome.failed and not outcome.shrunk:
            return
    try:
        with read_connection(db.engine) as conn:
            problems = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()]
    except exc.DBAPIError as err:
        if is_busy_error(err):
            raise
        raise file_error(db.path, db.name, err) from err
    if problems:
        more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
        raise DatabaseDamaged(damaged_message(db.name, problems[0].strip().lower() + more))


#: a finding of SQLCipher's ``cipher_integrity_check`` about one page, and the page it names
_PAGE_FINDING = re.compile(r"HMAC (?:verification|operation) failed for page (\d+)$"
                           r"|^error reading \d+ bytes from file page (\d+) at offset")


def cipher_problems(db: Database) -> list[str]:
    """SQLCipher's own check of every page of an embedded file (``PRAGMA cipher_integrity_check``): its
    words for each problem, as ``verify`` reports them. It reads the file directly, so while another
    program saves, a checkpoint copying saved pages into the file can make a good page look damaged for
    a moment (a user trial: "HMAC verification failed for page 4317" in 1 run of 3–6, "intact" once the
    saves stopped). A page it names is therefore checked again (:meth:`PageChecker.still_failing`,
    under a read transaction of its own) and named only if it is still damaged; a page damaged while
    nobody saves is named every time. Run outside any other transaction of this program: a read
    transaction held across it holds other programs' checkpoints back to part of their log, which leaves
    gaps in the file that this check would meet."""
    with read_connection(db.engine) as conn:
        rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()]
    pages = {row: int(m.group(1) or m.group(2)) for row in rows if (m := _PAGE_FINDING.search(row))}
    if not pages or db.path is None:
        return rows
    try:
        key = key_of(db)
    except KeyUnavailable:
        return rows
    try:
        checker = PageChecker(db.path, key, None)
        damaged = set(checker.still_failing(pages.values(), lambda: _steady(db)))
    except (OSError, ValueError):  # the file cannot be read here, or no raw key: SQLCipher's findings stand
        return rows
    finally:
        keys.wipe(key)
    return [row for row in rows if row not in pages or pages[row] in damaged]


@contextlib.contextmanager
def _steady(db: Database) -> Iterator[None]:
    """A read transaction, begun (it has read the schema page): while it is held no checkpoint writes a
    page of the file that the write-ahead log does not hold a saved copy of (SQLite's WAL locking)."""
    with read_connection(db.engine) as conn:
        conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar_one()
        yield


def page_checker(db: Database, key: bytes | bytearray | None) -> PageChecker | None:
    """The quick page check of an embedded file opened with a raw key, made ready now (the key may be
    wiped after the open); ``None`` where only SQLCipher's check applies."""
    if not db.is_sqlite or db.path is None or key is None or len(key) != page_check.KEY_SIZE:
        return None
    try:
        return PageChecker(db.path, key, page_check.record_file(db.path, app_paths().data))
    except OSError:
        return None


def schema_current(db: Database) -> bool:
    """A database (an embedded file or PostgreSQL) exactly at this version's schema, told by one query
    without alembic (``core.storage.schema_version``); ``False`` sends the caller down alembic's full path.
    Right on both: what runs on today's schema only (the findings digests' back-fill at an open) asks it."""
    try:
        with read_connection(db.engine) as conn:
            return schema_version.is_current(conn)
    except exc.DBAPIError as err:
        if is_busy_error(err):
            raise
        return False  # the full check names what is wrong


def check_database(db: Database, *, defer_pages: bool = False, key: bytes | bytearray | None = None) -> None:
    """What every open checks: a newer schema first, then damage. ``defer_pages``: the page check is left
    for the caller to start (``Database.start_page_check``, e.g. once a password check is running on a
    second thread); every write, and closing, waits for it (``Database.wait_checked``), so a damaged file
    is still refused before anything is written. (A damaged page that the reads meet is refused there,
    as always: SQLCipher checks each page it reads.) ``key``: the raw key, for the quick page check
    (:mod:`core.storage.page_check`), which runs on the caller's thread; without it SQLCipher's check
    runs, on a second thread when deferred."""
    if not schema_current(db):
        with read_connection(db.engine) as conn:
            refuse_newer(conn, db.name)
    checker = page_checker(db, key)
    if defer_pages and db.is_sqlite:
        db.deferred_page_check = lambda: check_pages(db, checker)
        db.page_check_inline = checker is not None
    else:
        check_pages(db, checker)


def open_checked(path: Path, key: bytes | bytearray, *, hold: Hold | None = None,
                 on_wait: WaitReport | None = None, defer_pages: bool = False) -> Database:
    """:func:`open_sqlcipher`, then :func:`check_database`; a refused file is closed without its audit
    anchor being rewritten, so it stays byte for byte as it was."""
    db = open_sqlcipher(path, key, hold=hold, on_wait=on_wait)
    try:
        check_database(db, defer_pages=defer_pages, key=key)
    except BaseException:
        db.dispose(write_anchor=False)
        raise
    return db


def create_schema(db: Database) -> None:
    """A brand-new database: every table at the latest schema, stamped with all heads."""
    metadata = load_all_models()
    with db.engine.begin() as conn:
        metadata.create_all(conn)
        from adoption_desktop.core.audit import GENESIS, AuditHead

        conn.execute(insert(AuditHead).values(id=1, last_seq=0, last_hash=GENESIS))
    from alembic import command

    with db.engine.connect() as conn:
        cfg = alembic_config(conn)
        command.stamp(cfg, "heads")
        conn.commit()


def needs_upgrade(db: Database) -> bool:
    if schema_current(db):
        return False
    with read_connection(db.engine) as conn:
        refuse_newer(conn, db.name)
        return current_heads(conn) != script_heads()


def _upgrade_connection(conn: Connection, per_step: bool) -> None:
    from alembic import command

    has_version = inspect(conn).has_table("alembic_version")
    conn.commit()  # end the inspection's transaction, or alembic runs every step inside it as one
    if not has_version:
        raise MigrationError("This database has no schema version; it was not made by Adoption Desktop.")
    if conn.dialect.name != "sqlite":
        # one transaction for the steps and the sealing of the columns they added (PostgreSQL's DDL is
        # transactional; alembic runs inside a transaction it did not begin): a failure, or a connection
        # lost in between, leaves neither. Before, the steps were committed first, and a failed sealing
        # left the new columns of final records unsealed until each row's next write (never, once signed).
        with conn.begin():
            command.upgrade(alembic_config(conn, per_step=per_step), "heads")
            _seal_added_columns(conn)
        return
    # SQLite changes a column by rebuilding its table (alembic's batch mode: copy, drop, rename). With
    # foreign keys enforced, dropping a table other rows point to is refused (a counselling case with a
    # session: counselling_0002), so they are off for the upgrade, as SQLite's own procedure for
    # ALTER TABLE says, and every reference is checked before the upgrade is committed. The pragma is a
    # no-op inside a transaction: it is set on the driver's connection between transactions.
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        command.upgrade(alembic_config(conn, per_step=per_step), "heads")
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            tables = sorted({str(row[0]) for row in broken})
            raise MigrationError(f"The upgrade left {len(broken)} reference(s) to missing rows in "
                                 f"{', '.join(tables)}; it was not saved.")
        conn.commit()  # ends the check's read: the sealing runs in a transaction of its own, on the copy
        _seal_added_columns(conn)
    finally:
        conn.rollback()  # nothing is open here after a successful step: ends the check's read
        raw.execute("PRAGMA foreign_keys = ON")


def _seal_added_columns(conn: Connection) -> None:
    """Columns the upgrade added to audited tables, sealed on the rows already there
    (:func:`~adoption_desktop.core.audit.column_seals.seal_new_columns`): inside the caller's transaction
    when one is open (PostgreSQL: the upgrade's own), else in a transaction of its own (SQLite: the steps
    ran on a copy, which replaces the original only once this has succeeded)."""
    from adoption_desktop.core.audit.column_seals import seal_new_columns

    if conn.in_transaction():
        sealed = seal_new_columns(conn)
    else:
        with conn.begin():
            sealed = seal_new_columns(conn)
    if sealed:
        _log.info("upgrade: added columns sealed on %s", ", ".join(f"{n} ({c} rows)" for n, c in sealed.items()))


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


def _one_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def _remove(*files: Path) -> None:
    for f in files:
        f.unlink(missing_ok=True)


KeySource = bytes | bytearray | Callable[[], bytes | bytearray]
"""A file's key, or how to read it (``lifecycle.key_reader``): read only once the maintenance's own hold is
taken, so that a new database key put in force while the caller waited for the hold is the one used."""


def key_under_hold(key: KeySource) -> bytes | bytearray:
    """The key of a :data:`KeySource`, to be called under the hold on the file it opens."""
    return key() if callable(key) else key


def upgrade_sqlcipher(path: Path, key: KeySource, *, on_wait: WaitReport | None = None) -> UpgradeResult:
    """Bring an embedded database to this version's schema under an exclusive hold (refused with
    :class:`~adoption_desktop.core.errors.DatabaseBusy` while another program has it open). ``key`` is
    read under that hold when it is a reader."""
    path = Path(path)
    check_file_shape(path)
    hold = FileHold.acquire(path, exclusive=True, wait=busy_wait(MAINTENANCE_WAIT),
                            message=in_use_message(path.name, "upgraded"), on_wait=on_wait)
    try:
        return _upgrade_held(path, key_under_hold(key), hold)
    finally:
        hold.release()


def _upgrade_held(path: Path, key: bytes | bytearray, hold: FileHold) -> UpgradeResult:
    db = open_checked(path, key, hold=hold)
    try:
        if not needs_upgrade(db):
            db.dispose()
            return UpgradeResult(False)
        from adoption_desktop.core.storage import moved

        moved.refuse_upgrade(db)  # a file moved to the server is evidence: never rewritten (the `upgrade` command)
        db.checkpoint()
    except BaseException:
        db.dispose(write_anchor=False)
        raise
    db.dispose()
    # SQLite removes -wal and -shm when the last connection closes: still there means a program that
    # does not take the hold (an older version) has the file open, and would lose what it writes next
    if any(path.with_name(path.name + side).exists() for side in ("-wal", "-shm")):
        raise MigrationError(in_use_message(path.name, "upgraded"))
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    backup = path.with_name(f"{path.name}.pre-upgrade-{stamp}.bak")
    work = path.with_name(f"{path.name}.upgrading")
    work_files = (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm"),
                  work.with_name(work.name + ".audit-anchor"))
    _remove(*work_files)
    _copy_db_files(path, work)
    try:
        work_db = open_sqlcipher(work, key, hold=hold)  # the hold on the original covers its copy
    except BaseException:
        _remove(*work_files)
        raise
    try:
        with work_db.engine.connect() as conn:
            _upgrade_connection(conn, per_step=True)
            conn.commit()
        work_db.checkpoint()
    except Exception as exc:
        work_db.dispose(write_anchor=False)
        _remove(*work_files)
        raise MigrationError(f"The database could not be upgraded ({_one_line(exc)}); the original is "
                             "untouched.") from exc
    work_db.dispose(write_anchor=False)  # the original's anchor still holds: same log
    try:
        with output_file(backup) as partial:  # the copy from before: only now that the upgrade has succeeded
            shutil.copy2(path, partial)
        os.replace(work, path)
    except OSError as exc:  # e.g. Windows: a program that does not take the hold has the file open
        _remove(*work_files)
        raise MigrationError(
            f"The upgraded database could not replace {path.name} ({exc.strerror}). Close every other copy "
            f"of Adoption Desktop and try again; the original is untouched.") from exc
    return UpgradeResult(True, backup)


def postgresql_is_empty(db: Database) -> bool:
    with db.engine.connect() as conn:
        return not inspect(conn).get_table_names()


def upgrade_postgresql(db: Database) -> UpgradeResult:
    """Team mode: an empty PostgreSQL database gets the latest schema; an older one is upgraded.

    The caller holds the exclusive advisory lock (see ``lifecycle.open_database``)."""
    if postgresql_is_empty(db):
        # a trial's IT opened an empty database with the application login before team-setup: the raw
        # CREATE TABLE error was shown as "Something went wrong"
        _as_schema_owner(lambda: create_schema(db), (
            "This PostgreSQL database has no Adoption Desktop schema yet, and this login may not create one "
            "(nothing was changed). IT runs `adoption-desktop team-setup --db URL` with a login that may "
            "create roles, then opens it with the application role's URL it prints."))
        return UpgradeResult(True)
    if not needs_upgrade(db):
        return UpgradeResult(False)

    def upgrade() -> None:
        with db.engine.connect() as conn:
            _upgrade_connection(conn, per_step=False)
            conn.commit()

    _as_schema_owner(upgrade, (
        "The server's schema is older than this version and this login may not upgrade it (nothing was "
        "changed). IT runs `adoption-desktop upgrade --db URL` with the schema owner's login, then "
        "`adoption-desktop team-setup` again."))
    return UpgradeResult(True)


def _as_schema_owner(work: Callable[[], object], refused: str) -> None:
    """Run a change of the schema; a login that may not make it (team mode's application role) is told
    ``refused`` (:class:`MigrationError`) instead of the server's raw error."""
    from sqlalchemy.exc import ProgrammingError

    try:
        work()
    except ProgrammingError as exc:
        if "permission denied" not in str(exc.orig) and "must be owner" not in str(exc.orig):
            raise
        raise MigrationError(refused) from exc
