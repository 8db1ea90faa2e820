"""Create, open (unlock and upgrade), verify, back up and restore a database."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exc, select, text
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.audit import anchors
from adoption_desktop.core.audit.seals import audited_tables
from adoption_desktop.core.errors import (
    AppError,
    DatabaseBusy,
    DatabaseOpenError,
    ValidationError,
    WaitCancelled,
)
from adoption_desktop.core.files import (
    check_output_suffix,
    check_output_target,
    output_file,
    own_stale_entries,
    process_running,
)
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import database_key, migrations, page_check
from adoption_desktop.core.storage.engine import (
    Database,
    cannot_write_beside,
    check_file_shape,
    file_error,
    is_busy_error,
    is_cannot_open_error,
    is_disk_full_error,
    is_postgres_url,
    open_postgresql,
    open_sqlcipher,
    read_connection,
    secure_umask,
    unshared_read_connection,
)
from adoption_desktop.core.storage.foreign_objects import foreign_objects_problem
from adoption_desktop.core.storage.hold import (
    MAINTENANCE_WAIT,
    OPEN_WAIT,
    FileHold,
    PgHold,
    WaitReport,
    busy_wait,
    in_use_message,
    lock_file_for,
    maintenance_message,
    try_lock,
    unlock,
)
from adoption_desktop.core.storage.missing_tables import AUDIT_TABLES, audit_table_missing, missing_tables

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreatedDatabase:
    db: Database
    recovery_key: str
    key_mode: str  # "keyring" or "passphrase"


def create_database(path: Path, store: SecretStore, passphrase: str | None = None, *,
                    populate: Callable[[Database], object] | None = None) -> CreatedDatabase:
    """A new encrypted database at ``path`` with its key in the keyring (or under ``passphrase``).

    The path is held exclusively while it is made, and the database file and its key file are created
    exclusively: of two programs creating the same path at once, one succeeds and the other is refused
    (:class:`AppError`) having changed nothing of the winner's. ``populate(db)`` (the first administrator,
    the demo data) runs while the hold is still exclusive, so nobody opens it half made. If anything
    fails, every file this call made is removed again (and its keyring entry), never another's. The
    audit anchors of an earlier database at the same path are set aside (:func:`anchors.forget_earlier`).
    The database returned is open with the ordinary shared hold."""
    secure_umask()
    path = Path(path)
    _refuse_leftovers(path, "create")  # before the key is made: the common case says so at once
    path.parent.mkdir(parents=True, exist_ok=True)
    created = keys.create_key(store, passphrase)
    try:
        _create_held(path, created, populate)
        db = open_sqlcipher(path, created.key)  # complete now: opened like any other
    except BaseException:
        if created.envelope.mode == "keyring" and not _key_file_names(path, created.envelope.db_id):
            store.delete(created.envelope.db_id)
        raise
    db.audit_anchored = True  # [audit hook]
    return CreatedDatabase(db, created.recovery_key, created.envelope.mode)


def _key_file_names(path: Path, db_id: str) -> bool:
    try:
        return keys.KeyEnvelope.load(keys.key_file_for(path)).db_id == db_id
    except AppError:
        return False


def _create_held(path: Path, created: keys.CreatedKey, populate: Callable[[Database], object] | None) -> None:
    lock = lock_file_for(path)
    new_lock = not lock.exists()
    hold = FileHold.acquire(path, exclusive=True, wait=busy_wait(MAINTENANCE_WAIT),
                            message=in_use_message(path.name, "created"))
    made: list[Path] = []
    aside: anchors.SetAside | None = None
    try:
        _refuse_leftovers(path, "create")  # again, now that no other program can be making it
        _create_exclusive(path, b"", "create")
        made += [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                 path.with_name(path.name + "-journal")]
        _create_exclusive(keys.key_file_for(path), created.envelope.to_json().encode("utf-8"), "create")
        made.append(keys.key_file_for(path))
        # the anchors of a database that was here before are not this one's; from here on, the anchors for
        # this path are this call's (and a failure puts the earlier ones back)
        aside = anchors.forget_earlier(path)
        db = open_sqlcipher(path, created.key, must_exist=False, hold=hold)
        try:
            migrations.create_schema(db)
            db.audit_anchored = True  # [audit hook]
            if populate is not None:
                populate(db)
            db.checkpoint()
        except BaseException:
            db.dispose(write_anchor=False)
            raise
        db.dispose()  # writes the new database's first anchors
    except BaseException:
        if aside is not None:
            anchors.restore_earlier(path, aside)
        if made:  # this call made the database file: its journal and key file are this call's too
            for f in made:
                with contextlib.suppress(OSError):
                    f.unlink(missing_ok=True)
        if new_lock and not path.exists():
            hold.remove_lock_file()
        raise
    finally:
        hold.release()


def _create_exclusive(path: Path, content: bytes, what: str) -> None:
    """Write a file that must not exist yet (O_CREAT|O_EXCL): another program's is never overwritten."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    except FileExistsError as err:
        raise AppError(f"Cannot {what} {path.name}: another program made it meanwhile. Choose another file "
                       "name, or move that file away first.") from err
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def unlock_key(path: Path, store: SecretStore, passphrase: str | None = None) -> bytes | bytearray:
    """The key that opens the file: the stored one, or a new database key still pending whose replacement
    stopped after the file was re-encrypted (``core.storage.database_key.file_key``). Chosen under the
    shared hold (waiting, within a bound, for a new database key under way to finish), so that it is the
    key the file has once that is done, not the one it had before."""
    hold = FileHold.acquire(Path(path), exclusive=False, wait=busy_wait(OPEN_WAIT),
                            message=maintenance_message(Path(path).name))
    try:
        return _held_key(Path(path), store, passphrase)[0]
    finally:
        hold.release()


def key_reader(path: Path, store: SecretStore, passphrase: str | None = None) -> Callable[[], bytearray]:
    """How to read the key that opens ``path``, for a maintenance that takes its own hold on the file
    (``migrations.upgrade_sqlcipher``, ``move_to_server``): called under that hold, it gives the key the file
    has then. A key read before (:func:`unlock_key`, whose shared hold is released on return) can be the
    replaced one if a new database key was put in force while the maintenance waited for its hold."""
    return lambda: _held_key(Path(path), store, passphrase)[0]


def _held_key(path: Path, store: SecretStore, passphrase: str | None) -> tuple[bytearray, str | None]:
    """Under the caller's hold on ``path`` (shared or exclusive): the key that opens it, read from its key
    file as it is now, and the keyring name of the pending new key when that is the one (to be put in
    force: :func:`database_key.finish_pending`)."""
    envelope = keys.KeyEnvelope.load(keys.key_file_for(path))
    key, pending = database_key.file_key(path, envelope, store, passphrase)
    return key, database_key.pending_id(envelope) if pending else None


def key_mode(path: Path) -> str:
    return keys.KeyEnvelope.load(keys.key_file_for(Path(path))).mode


def open_database(target: str | Path, store: SecretStore, passphrase: str | None = None,
                  *, upgrade: bool = True, on_wait: WaitReport | None = None,
                  defer_page_check: bool = False) -> Database:
    """Open an embedded file (unlocking its key) or a PostgreSQL URL; upgrade the schema if behind.

    The opener keeps a shared hold while the database is open; the upgrade takes the exclusive hold,
    so it is refused (:class:`DatabaseBusy`) while another program has the database open. A newer
    schema or a damaged file is refused before anything is changed. ``on_wait`` is told once when the
    open has to wait for another program. ``defer_page_check``: every page's HMAC is checked on a second
    thread while the caller reads (``Database.wait_checked``: writes and closing wait for it)."""
    if isinstance(target, str) and is_postgres_url(target):
        db = _open_postgresql(target, upgrade, on_wait)
        # the witness of this PC, checked first [audit hook]; a schema from before the seals (opened without
        # upgrading, as `verify` and `upgrade` do) has no anchors yet: reading its log as today's failed
        if has_row_seals(db):
            anchors.on_open(db)
            if upgrade:
                _backfill_findings_digests(db)
        return db
    path = Path(target)
    check_file_shape(path)
    # the shared hold first, the key chosen under it: an open that waited for a new database key to finish
    # uses the key the file has now (chosen before, it was the replaced one: "the key is wrong")
    hold = FileHold.acquire(path, exclusive=False, wait=busy_wait(OPEN_WAIT), message=maintenance_message(path.name),
                            on_wait=on_wait)
    try:
        key, pending = _held_key(path, store, passphrase)
        db = migrations.open_checked(path, key, hold=hold, on_wait=on_wait, defer_pages=defer_page_check)
    except BaseException:
        hold.release()
        raise
    db.hold = hold  # kept while the database is open, released by dispose() as an opener's own
    if pending:  # a new database key stopped after the file was re-encrypted: put in force now
        database_key.finish_pending(db, pending)
    if upgrade:
        try:
            behind = migrations.needs_upgrade(db)
            if behind:  # a file moved to the server is kept unchanged: refused before the exclusive hold is asked
                from adoption_desktop.core.storage import moved

                moved.refuse_upgrade(db)
        except BaseException:
            db.dispose(write_anchor=False)
            raise
        if behind:
            db.dispose(write_anchor=False)
            try:  # the key read again under the upgrade's own hold: the shared one was given up meanwhile
                result = migrations.upgrade_sqlcipher(path, key_reader(path, store, passphrase), on_wait=on_wait)
            except DatabaseBusy as err:
                raise DatabaseBusy(f"{path.name} must first be upgraded to this version of Adoption Desktop, "
                                   "but it is open in another program (on this or another computer). Close it "
                                   "there and open it again; nothing was changed.") from err
            if result.upgraded:
                _log.info("database schema upgraded; a pre-upgrade copy was kept beside it")
            # opened as any other open: under the shared hold, with the key the file has by then; this is the
            # first open for work after the upgrade, so the back-fill is done here (upgrade=False skips it)
            db = open_database(path, store, passphrase, upgrade=False, on_wait=on_wait,
                               defer_page_check=defer_page_check)
            if has_row_seals(db):
                _backfill_findings_digests(db)
            return db
    _log.info("embedded database opened (key %s)", "in the system keyring" if key_mode(path) == "keyring"
              else "protected by a passphrase")
    if has_row_seals(db):  # a schema from before the seals (opened without upgrading) has no anchors yet
        anchors.on_open(db)  # anchors checked before anything is written [audit hook]
        from adoption_desktop.core.storage import moved

        try:
            moved.on_open(db)  # a file moved to the team server is kept read-only
        except BaseException:
            db.dispose(write_anchor=False)
            raise
        if upgrade:
            _backfill_findings_digests(db)
    return db


def _backfill_findings_digests(db: Database) -> None:
    """Once, at the first open for work after the upgrade that added the letterbox items' findings digest
    (the open that upgrades an embedded file included; on PostgreSQL too): the digest of each item saved
    before it (``letterbox.findings_backfill``; one audit entry, nothing when done already or nothing is
    waiting, which an index answers at once). Not on a file kept read-only (moved to the server), held by an
    audit alert, or of an older schema (opened without upgrading). A failure (the database busy past the
    bound) leaves it for the next open: the items stay checked as before meanwhile."""
    if db.moved_to_server is not None or db.audit_hold is not None or not migrations.schema_current(db):
        return
    from adoption_desktop.letterbox.findings_backfill import backfill

    try:
        backfill(db)
    except (AppError, exc.DBAPIError) as err:
        _log.warning("letterbox findings digests not back-filled at this open (%s); tried again at the next",
                     type(err).__name__)


def has_row_seals(db: Database) -> bool:
    """Whether the schema has the audit seals (``audit_log.seal``): an older one, opened without being
    upgraded (``verify``), can be checked for integrity only until it is upgraded."""
    from sqlalchemy import inspect

    if migrations.schema_current(db):  # today's schema has them
        return True
    with read_connection(db.engine) as conn:
        seen = inspect(conn)
        if not seen.has_table("audit_log"):  # an empty server database, not yet given its schema
            return False
        return any(c["name"] == "seal" for c in seen.get_columns("audit_log"))


def _open_postgresql(url: str, upgrade: bool, on_wait: WaitReport | None) -> Database:
    db = open_postgresql(url)
    try:
        if upgrade and (migrations.postgresql_is_empty(db) or migrations.needs_upgrade(db)):
            try:
                hold = PgHold.acquire(db.engine, exclusive=True, wait=busy_wait(MAINTENANCE_WAIT),
                                      message=in_use_message("The database", "upgraded"), on_wait=on_wait)
            except WaitCancelled:
                raise
            except DatabaseBusy as err:  # named as team-setup names them: "open in another program" told IT nothing
                from adoption_desktop.core.storage.team_setup import others_in_message

                raise DatabaseBusy(others_in_message(db.engine, then="try again")) from err
            try:
                migrations.upgrade_postgresql(db)
            finally:
                hold.release()
        if not migrations.postgresql_is_empty(db):
            with read_connection(db.engine) as conn:
                migrations.refuse_newer(conn, "The database")
        db.hold = PgHold.acquire(db.engine, exclusive=False, wait=busy_wait(OPEN_WAIT),
                                 message=maintenance_message("The database"), on_wait=on_wait)
        db.on_wait = on_wait
        db.login_warning = login_warning(db)
    except BaseException:
        db.dispose()
        raise
    _log.info("PostgreSQL database opened (team mode)")
    if db.login_warning:
        _log.warning("%s", db.login_warning)
    return db


def login_warning(db: Database) -> str:
    """Team mode: why this login should not be anyone's daily login ("" when it is the application role).
    A superuser can switch the audit triggers off, and the tables' owner can drop them (a trial opened an
    empty database with the superuser's URL: the tables were made with no append-only triggers, silently)."""
    from sqlalchemy import text

    with read_connection(db.engine) as conn:
        user, superuser = conn.execute(text(
            "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")).one()
        owner = conn.execute(text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public' "
                                  "AND tablename = 'audit_log'")).scalar()
    if superuser:
        return (f"Signed in to the server as {user}, a PostgreSQL superuser, who can switch the audit log's "
                "protection off. Daily work uses the application role's URL that `team-setup` prints.")
    if owner == user:
        return (f"Signed in to the server as {user}, who owns the tables and can drop the audit log's protection. "
                "Daily work uses the application role's URL that `team-setup` prints; the owner's is for IT's "
                "upgrades.")
    return ""


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    problems: list[str]
    audit_entries: int
    #: False for a schema older than the audit seals: only the file's integrity was checked
    full: bool = True
    #: when intact, which records kept outside the database vouched for the log and how far
    #: (:meth:`anchors.Coverage.lines`, from the same reading as the checks); empty otherwise
    vouched: tuple[str, ...] = ()


def verify_database(db: Database) -> VerifyReport:
    """Integrity (SQLCipher: SQLite's own check and every page's HMAC), the audit chain and anchor, and
    every stored letterbox file against its record (:func:`_stored_file_problems`).

    A file so damaged that it cannot be read to the end raises :class:`DatabaseDamaged`."""
    try:
        return _verify(db)
    except exc.DBAPIError as err:
        if not db.is_sqlite or is_busy_error(err):
            raise
        raise file_error(db.path, db.name, err) from err


def _verify(db: Database) -> VerifyReport:
    problems: list[str] = []
    if db.is_sqlite:
        # on a new connection, in one read transaction: the search indexes' check (FTS5) reads their layout
        # as its connection last loaded it, which a pooled one may have done before another program's saves
        with unshared_read_connection(db) as conn:
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                problems.extend(f"integrity: {r}" for r in rows)
        # after that read transaction has ended (held, it would hold other programs' checkpoints back and
        # leave gaps in the file); a page found failing while another program saves is checked again
        problems.extend(f"cipher integrity: {r}" for r in migrations.cipher_problems(db))
    if not has_row_seals(db):  # today's log and seal checks need today's schema: after the upgrade
        with read_connection(db.engine) as conn:
            count = int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())
        return VerifyReport(not problems, problems, count, full=False)
    # the head kept outside the database (beside it, per user, a server's witness), read before the
    # snapshot below begins: another program may commit and move it on while this one reads [audit hook]
    kept = anchors.stored(db)
    with db.session(write=False, snapshot=True) as session:  # one moment: the log, its seals and the rows
        missing = missing_tables(session.connection())
        if set(missing) & set(AUDIT_TABLES):  # the log cannot be read, nor the rows checked against it
            return _audit_tables_missing(session, problems, missing)
        problem = audit.verify_chain(session)
        count = int(session.execute(text("SELECT count(*) FROM audit_log")).scalar_one())
        anchor_problems = anchors.check_all(db, session, read_first=kept)
        record_problems = audit.verify_record(session.connection())  # names each audited table dropped
        foreign = foreign_objects_problem(session.connection())
        unaudited = [n for n in missing if n not in audited_tables()]  # their rows are not sealed
        file_problems = [] if set(missing) & set(ATTACHMENT_TABLES) else _stored_file_problems(session)
        file_problems += [] if set(missing) & set(SEARCHED_TABLES) else _search_index_problems(session)
        file_problems += [] if set(missing) & set(FINDINGS_TABLES) else _findings_digest_problems(session)
        file_problems += [] if set(missing) & set(VOID_TABLES) else _void_problems(session)
        clean = not (problems or problem or anchor_problems or record_problems or foreign or file_problems
                     or unaudited)
        vouched = tuple(anchors.coverage(db, session).lines()) if clean else ()
    if problem:
        problems.append(f"audit log: first broken entry is #{problem.seq}: {problem.message}")
    problems.extend(f"audit log: {p}" for p in anchor_problems)
    problems.extend(_per_table(record_problems))
    problems.extend(f"schema: the table {n} is missing (dropped outside the application); restore the database "
                    "from a backup made before it was dropped" for n in unaudited)
    if foreign:
        problems.append(f"schema: {foreign}")
    problems.extend(file_problems)
    return VerifyReport(not problems, problems, count, vouched=vouched)


#: the tables the check of the letterbox's stored files reads (a dropped one is named as missing instead)
ATTACHMENT_TABLES = ("letterbox_attachments", "letterbox_attachment_blobs", "letterbox_document_keys")


def _audit_tables_missing(session: Session, problems: list[str], missing: list[str]) -> VerifyReport:
    """An audit table dropped outside the application: named as a fault (with every other table that is
    gone and any object the application never made); the log and the rows cannot be checked without it."""
    gone = [n for n in missing if n in AUDIT_TABLES]
    problems.extend(f"audit log: {audit_table_missing(n)}" for n in gone)
    problems.append("audit log: the audit log and the records could not be checked against each other without "
                    f"{'it' if len(gone) == 1 else 'them'}; restore the database from a backup made before the "
                    "change (adoption-desktop restore)")
    problems.extend(f"schema: the table {n} is missing (dropped outside the application)"
                    for n in missing if n not in AUDIT_TABLES)
    foreign = foreign_objects_problem(session.connection())
    if foreign:
        problems.append(f"schema: {foreign}")
    count = 0 if "audit_log" in gone else int(session.execute(text("SELECT count(*) FROM audit_log")).scalar_one())
    return VerifyReport(False, problems, count)


#: the record tables the letterbox's search indexes are made from (a dropped one is named as missing instead)
SEARCHED_TABLES = ("letterbox_arrangements", "letterbox_participants", "letterbox_items")


def _search_index_problems(session: Session) -> list[str]:
    """The letterbox's search indexes against the records (:mod:`letterbox.search_check`): a record a search
    would not find, because its index row was deleted or changed outside the application."""
    from adoption_desktop.letterbox.search_check import index_problems

    return [str(d) for d in index_problems(session.connection())]


def _stored_file_problems(session: Session, limit: int = 10) -> list[str]:
    """Every file the letterbox records (its attachments: audited and sealed, with the SHA-256 it was filed
    with) checked against the bytes kept for it. The blob and document-key tables are not audited row by
    row (the bytes would flood the log), so the row seals alone would not notice a blob or key deleted or
    altered outside the application: each file's blob and key must exist and the blob must decrypt (the
    attachment id and SHA-256 are its associated data) to bytes with that SHA-256. One file in memory at
    a time. At most ``limit`` files named, then how many more. An older schema without the tables (before
    ``docs_0001_attachments``, or downgraded past it) has nothing to check."""
    from sqlalchemy import inspect as sa_inspect

    from adoption_desktop.letterbox.attachment_models import Attachment, AttachmentBlob, DocumentKey
    from adoption_desktop.letterbox.attachments import load_blob

    if not set(ATTACHMENT_TABLES) <= set(sa_inspect(session.connection()).get_table_names()):
        return []  # at this version's schema a dropped one is named as missing (the caller skips this check)
    found: list[str] = []
    ids = list(session.scalars(select(Attachment.id).order_by(Attachment.id)))
    for attachment_id in ids:
        a = session.get(Attachment, attachment_id)
        if a is None:
            continue
        blob = session.get(AttachmentBlob, a.id)
        if blob is None:
            why = "its stored file is missing"
        elif session.get(DocumentKey, blob.key_id) is None:
            why = f"the document key it is encrypted with (key {blob.key_id}) is missing"
        else:
            try:
                load_blob(session, a)
                why = ""
            except (AppError, ValueError, TypeError):  # a damaged key or nonce: the cipher refuses it (review)
                why = "its stored file does not match the SHA-256 it was filed with (altered or damaged)"
        if why:
            found.append(f"letterbox file: item {a.item_id}, {a.filename!r} (attachment {a.id}): {why}; "
                         "restore the database from a backup")
        session.expunge_all()  # the bytes of one file at a time, not of every file at once
    if len(found) > limit:
        found = [*found[:limit], f"letterbox file: {len(found) - limit} more files with problems (not listed)"]
    return found


#: the tables the check of the letterbox items' findings digests reads
FINDINGS_TABLES = ("letterbox_items", "letterbox_findings")


def _findings_digest_problems(session: Session, limit: int = 10) -> list[str]:
    """Every letterbox item with a findings digest (``letterbox_items.findings_digest``) against its findings
    as they are stored now (``letterbox.findings_digest.mismatched_items``: one query over the findings, not
    one per item). The findings' own seals do not show a finding deleted with a forged entry sealing its
    deletion (an evidence trial: a forwarded item then showed one finding and ``verify`` said OK); the
    item's seal, and once it has an outcome its content seal, vouch for the digest. At most ``limit`` items
    named, then how many more. An older schema without the column has nothing to check."""
    from sqlalchemy import inspect as sa_inspect

    from adoption_desktop.letterbox import findings_digest

    conn = session.connection()
    if "findings_digest" not in {c["name"] for c in sa_inspect(conn).get_columns("letterbox_items")}:
        return []
    wrong = findings_digest.mismatched_items(conn)
    found = [f"record: letterbox item {i}: {findings_digest.NOT_THOSE_SAVED}" for i in wrong[:limit]]
    found += [f"audit log: entry #{seq} back-fills letterbox items' screening findings digests, which the "
              "application does only once (the first such entry): it was added outside the application"
              for seq in findings_digest.stray_backfills(conn)]
    if len(wrong) > limit:
        found.append(f"record: letterbox items: {len(wrong) - limit} more items whose screening findings are not "
                     "those saved with them (not listed)")
    return found


#: the tables the check of the letterbox's voided batches reads (a dropped one is named as missing instead)
VOID_TABLES = ("users", "user_roles")


def _void_problems(session: Session) -> list[str]:
    """The void entries of the letterbox's sent-list (:func:`letterbox.sent_list.void_problems`): a void
    on the chain that the application would not have written (by an account without ``letterbox.edit``,
    of a batch printed again before, or a second one)."""
    from adoption_desktop.letterbox.sent_list import void_problems

    return void_problems(session)


def _per_table(found: list[audit.RecordProblem], limit: int = 10) -> list[str]:
    """At most ``limit`` rows named per table, then how many more (a cut log can orphan thousands)."""
    out: list[str] = []
    shown: dict[str, int] = {}
    for p in found:
        shown[p.entity] = shown.get(p.entity, 0) + 1
        if shown[p.entity] <= limit:
            out.append(f"record: {p}")
    out.extend(f"record: {table}: {n - limit} more rows with problems (not listed)"
               for table, n in shown.items() if n > limit)
    return out


#: what a backup of a team database says (command line, window): the application backs up only a database file
TEAM_BACKUP_REFUSAL = ("Not backed up: this is a team database on a PostgreSQL server, which the application does "
                       "not copy. IT backs it up with the server's own tools (pg_dump or the server's scheduled "
                       "backups); see the IT guide, \"Team mode\".")


def backup_database(db: Database, out: Path, actor: Principal | None = None) -> Path:
    """One file (zip): the encrypted database, its key file (wrapped keys only) and a manifest with the
    audit anchor *of the copy*; the copy is verified before the file gets its name. With ``actor`` (the
    window's signed-in user) the backup is audited as theirs before the file gets its name (a copy of every
    record is an export). Backups by the command line and the schedule, which have no user, write no
    entry; nor does one taken while the audit log is on hold (a copy kept as evidence before the hold is
    reviewed must not be refused): that one is logged as a warning.

    ``VACUUM INTO`` takes its own snapshot while others may go on writing, so the anchor is read from
    the snapshot itself, never from the live database (which may already be further on)."""
    if actor is not None:
        require(actor, Permission.DATABASE_BACKUP)
    if not db.is_sqlite or db.path is None:
        raise AppError(TEAM_BACKUP_REFUSAL)
    secure_umask()
    out = Path(out)
    # .adkbak, as the command line, the dialog and the dated names have it: the audit anchors find backups
    # by it, and no name the live database's own files have (NAME.db, .keys, -wal …) ends so
    check_output_suffix(out, (".adkbak",))
    _refuse_own_files(out, db.path)
    out.parent.mkdir(parents=True, exist_ok=True)
    check_output_target(out)  # before the snapshot: a directory or device is refused at once
    with contextlib.ExitStack() as stack:
        try:
            tmp = stack.enter_context(_backup_work_folder(out))
        except OSError as err:
            raise _backup_file_error(err, out) from err
        _write_backup(db, out, tmp, actor)
    return out


def _write_backup(db: Database, out: Path, tmp: Path, actor: Principal | None) -> None:
    """The snapshot made in ``tmp`` (the backup's work folder), checked, and zipped as ``out``."""
    assert db.path is not None
    snapshot = Path(tmp) / "database.sqlcipher"
    try:
        # VACUUM INTO keeps the source's key and cipher settings: the copy is encrypted too. It writes
        # into the backup's folder: a full disk there is the backup's, not the database's
        db.run_outside_transaction("VACUUM INTO ?", (str(snapshot),))
        anchor = _check_snapshot(snapshot, db)
    except Exception as err:  # SQLite's own error (a raw connection), or the open's plain one with it as cause
        cause = err.__cause__ if isinstance(err, DatabaseOpenError) and err.__cause__ is not None else err
        if is_disk_full_error(cause):
            raise AppError(backup_disk_full_message(out)) from err
        if is_cannot_open_error(cause) and cannot_write_beside(snapshot):
            raise AppError(backup_read_only_message(out)) from err
        raise
    key_file = keys.key_file_for(db.path)
    # its temporary name not ending .adkbak: one left half-written (the program ended while the folder did not
    # answer) is never found as a backup by the audit anchors, Restore's list or IT's copy of *.adkbak
    with output_file(out, keep_suffix=False) as partial:
        try:
            with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as zf:
                zf.write(snapshot, "database.sqlcipher")
                zf.write(key_file, "database.keys")
                zf.writestr("manifest.json", json.dumps({
                    "format": MANIFEST_FORMAT, "app": "Adoption Desktop", "audit_anchor": anchor,
                    "db": anchors.identity(db), "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}))
        except OSError as err:
            if err.filename is not None and not str(err.filename).startswith(str(out.parent)):
                raise  # the database's own key file, not the backup
            raise _backup_file_error(err, out) from err
        with zipfile.ZipFile(partial) as zf:
            if zf.testzip() is not None:
                raise AppError("The backup could not be read back after writing (disk error?); it was "
                               "removed. Try another folder or drive.")
        if actor is not None and db.audit_hold is None and db.moved_to_server is None:
            with db.session(actor) as session:
                audit.record(session, "export", "database", "*", detail=f"backup to {out.name}")
        elif actor is not None:  # a file moved to the server is read-only: its copy is still made
            _log.warning("backup by %s while the audit log is on hold or the file was moved to the server: "
                         "not recorded in it", actor.username)


#: the work folder of a backup beside its file: ``.adk-backup-<process id>-<8 random>.partial``, holding the
#: snapshot (as big as the database) while it is checked, and a lock file held while the backup runs. A
#: backup killed part-way (Task Manager, power cut) leaves it; the next backup into that folder removes it.
BACKUP_WORK_PREFIX = ".adk-backup-"
_BACKUP_WORK_NAME = re.compile(r"\.adk-backup-(\d+)-[a-z0-9_]{8}\.partial")
_BACKUP_WORK_LOCK = "in-use.lock"
#: where it cannot be told whether a leftover's backup has ended (no lock file in it, and Windows, where
#: another process cannot be asked about), it is removed once untouched for this long
BACKUP_WORK_STALE_SECONDS = 24 * 60 * 60


@contextlib.contextmanager
def _backup_work_folder(out: Path) -> Iterator[Path]:
    """A new work folder beside ``out`` (so the snapshot is on the backup's disk, never the database's),
    locked while the block runs and removed at its end; leftovers of killed backups are removed first."""
    sweep_backup_leftovers(out.parent)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f"{BACKUP_WORK_PREFIX}{os.getpid()}-", suffix=".partial"))
    fd = -1
    try:
        fd = os.open(tmp / _BACKUP_WORK_LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
        try_lock(fd, exclusive=True)  # a new file of our own: nobody else can hold it yet
        yield tmp
    finally:
        if fd >= 0:
            with contextlib.suppress(OSError):
                unlock(fd)
            os.close(fd)
        shutil.rmtree(tmp, ignore_errors=True)


def sweep_backup_leftovers(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove from ``folder`` the work folders (:data:`BACKUP_WORK_PREFIX`) that backups killed part-way
    left. Only folders (never files or links) named as this program names them and owned by this user
    (where that can be asked); each is kept while its backup may still run: its process runs on this
    computer, or its lock file is held (by a backup on this or another PC sharing the folder). With no lock
    file to ask, its process must be known to have ended or, where that cannot be asked, it must have been
    untouched for :data:`BACKUP_WORK_STALE_SECONDS`. Returns those removed; never raises."""
    import math
    import stat
    import time

    now = time.time() if now is None else now
    removed: list[Path] = []
    for path, named in own_stale_entries(folder, _BACKUP_WORK_NAME.fullmatch, stat.S_ISDIR, -math.inf, now):
        try:
            age = now - path.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        running = process_running(int(named.group(1)))
        if running or not _backup_ended(path, running, age):
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    if removed:
        _log.info("removed %d work folder(s) left by backups stopped part-way", len(removed))
    return removed


def _backup_ended(work: Path, running: bool | None, age: float) -> bool:
    """Whether the backup whose work folder is ``work`` has ended (its process is not running here)."""
    try:
        fd = os.open(work / _BACKUP_WORK_LOCK, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:  # killed before its lock file was made
        return running is False or age >= BACKUP_WORK_STALE_SECONDS
    except OSError:
        return False
    try:
        if not try_lock(fd, exclusive=True):
            return False  # a backup still running (on another PC sharing the folder)
        unlock(fd)
        return True
    finally:
        os.close(fd)


def _backup_file_error(err: OSError, out: Path) -> Exception:
    """What a backup says when a file in its folder cannot be made or written: the user's ``out`` named,
    never the temporary name of its work folder or file."""
    if is_disk_full_error(err):
        return AppError(backup_disk_full_message(out))
    if isinstance(err, PermissionError) or err.errno == errno.EROFS or cannot_write_beside(out):
        return AppError(backup_read_only_message(out))
    return OSError(err.errno, err.strerror or str(err), str(out))


def backup_disk_full_message(out: Path) -> str:
    """A backup stopped by a full disk: the backup's disk is the full one (the snapshot is written there)."""
    return (f"The backup was not written: the disk that holds the folder {out.parent} is full. The database "
            "was not changed, and nothing was left in that folder. Make room on that disk, or choose another "
            "folder or drive, and back up again.")


def backup_read_only_message(out: Path) -> str:
    return (f"The backup was not written: the folder {out.parent} is read-only (or you cannot write there), "
            f"so {out.name} could not be made there. The database was not changed. Choose another folder, or "
            "ask IT for permission to write there.")


def own_files(path: Path) -> list[Path]:
    """The embedded database ``path`` and the files that go with it: the key file, the audit anchor, the
    hold's lock and SQLite's write-ahead log, shared memory and rollback journal."""
    return [path, keys.key_file_for(path), audit.anchor_file_for(path), lock_file_for(path),
            *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))]


def _refuse_own_files(out: Path, db_path: Path) -> None:
    """Replacing the open database (or its key file) with a backup of it would destroy it, and the window
    would go on saving into a file that is gone: refused, whatever the name's case or the link taken."""
    for own in own_files(db_path):
        same = os.path.normcase(os.path.abspath(out)) == os.path.normcase(os.path.abspath(own))
        with contextlib.suppress(OSError):
            same = same or os.path.samefile(out, own)
        if same:
            raise ValidationError(f"{out} is one of the open database's own files; choose another name for "
                                  "the backup. Nothing was written.", "path")


def _raw_key(db: Database) -> bytes:
    key = db.engine.url.password
    assert key is not None
    return bytes.fromhex(key[2:-1])


def _check_snapshot(snapshot: Path, db: Database) -> dict[str, object]:
    """Verify the snapshot with the live database's key and return its own audit anchor."""
    # the live database's hold covers its snapshot (no lock file is made in the temporary folder)
    copy = open_sqlcipher(snapshot, _raw_key(db), hold=_NoHold())
    try:
        report = verify_database(copy)
        with copy.session(write=False) as session:
            anchor = audit.current_anchor(session)
    finally:
        copy.dispose(write_anchor=False)
    if not report.ok:
        raise AppError("The backup failed its check and was not written: " + "; ".join(report.problems))
    return anchor


class _NoHold:
    """For private copies (a snapshot, a staged restore) that no other program can know about."""

    exclusive = False

    def release(self) -> None:
        return None


def _require_verified(path: Path, key: bytes | bytearray, failure: str, anchor: dict[str, object] | None = None) -> None:
    """Open ``path`` with ``key`` and verify it (integrity, the audit chain, and the audit ``anchor``
    recorded outside it when there is one), or raise ``failure: …``."""
    check = open_sqlcipher(path, key, hold=_NoHold())
    try:
        migrations.check_database(check)
        problems: list[str] = []
        if anchor:  # first: a log cut short also leaves rows without their entries, named after this
            with check.session(write=False) as session:
                problem = audit.check_anchor(session, anchor, recorded="when the backup was taken")
            if problem is not None:
                problems.append(f"audit log: #{problem.seq}: {problem.message}")
        problems += verify_database(check).problems
    finally:
        check.dispose(write_anchor=False)
    if problems:
        raise AppError(f"{failure}: " + "; ".join(problems))


def _sidecars(path: Path) -> list[Path]:
    return [keys.key_file_for(path), path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _refuse_leftovers(path: Path, what: str) -> None:
    """A stale -wal beside a new file would be replayed into it; a .keys file would be overwritten. A folder
    given as the file is said to be a folder (not "a file already exists there")."""
    if path.is_dir():
        raise AppError(f"Cannot {what} {path}: it is a folder, and the database is a file. Nothing was changed. "
                       f"Give the new file's name inside it, for example {path / 'adoption.db'}.")
    left = [p.name for p in (path, *_sidecars(path)) if p.exists()]
    if left:
        there = (f"a file already exists there ({left[0]})" if len(left) == 1 else
                 f"{len(left)} files already exist there ({', '.join(left)})")
        those = "it" if len(left) == 1 else "those files"
        raise AppError(f"Cannot {what} {path.name}: {there}. Nothing was changed. Choose another file name, or "
                       f"move {those} away first.")


def _new_file_hold(path: Path, what: str) -> tuple[FileHold, bool]:
    """The exclusive hold on a database about to be written (restore, move): nobody opens it half made.
    Also says whether its lock file was made now (to be removed again if nothing is written)."""
    existed = lock_file_for(path).exists()
    hold = FileHold.acquire(path, exclusive=True, wait=busy_wait(MAINTENANCE_WAIT),
                            message=in_use_message(path.name, what))
    return hold, not existed


#: 2: the manifest's audit anchor is read from the backup's own snapshot. Format 1 read it from the
#: live database after the snapshot, so under concurrent writes it could name entries the copy lacks.
MANIFEST_FORMAT = 2


def _read_manifest_anchor(zf: zipfile.ZipFile, archive: Path) -> tuple[dict[str, object] | None, bool]:
    """The manifest's audit anchor, and whether it is exact (format 2 and later)."""
    if "manifest.json" not in zf.namelist():
        return None, False  # a backup made before manifests existed
    try:
        manifest = json.loads(zf.read("manifest.json"))
        anchor = manifest.get("audit_anchor") if isinstance(manifest, dict) else None
        if anchor is not None and not (isinstance(anchor, dict) and isinstance(anchor.get("seq", 0), int)):
            raise ValueError("anchor")
        exact = int(manifest.get("format", 1)) >= MANIFEST_FORMAT
    except (ValueError, TypeError, zipfile.BadZipFile, OSError, EOFError, zlib.error) as err:
        raise AppError(f"{archive.name} is damaged (its manifest cannot be read); nothing was restored.") from err
    return anchor, exact


def restore_database(archive: Path, dest: Path, store: SecretStore, passphrase: str | None = None, *,
                     recovery_key: str | None = None) -> Path:
    """Restore a backup to ``dest`` (which must not exist), verified before it is put in place.

    The restored log must also reach the audit anchor recorded in the backup's manifest (a backup
    whose log was cut short is refused). ``dest`` is held exclusively while it is written.
    On a new PC the key of a keyring-mode backup is not in this keyring: give ``recovery_key`` and the
    key is unwrapped with it and kept anew here (keyring, or ``passphrase`` where there is none)."""
    secure_umask()
    archive, dest = Path(archive), Path(dest)
    _refuse_leftovers(dest, "restore to")
    if not dest.parent.is_dir():
        raise AppError(f"The folder {dest.parent} does not exist; create it first, or restore elsewhere.")
    if not archive.is_file():
        if archive.is_dir():
            raise AppError(f"{archive} is a folder, not a backup file; nothing was restored. Give the backup "
                           "file itself (its name ends .adkbak).")
        if archive.exists():  # a device, a pipe or a socket: reading it would never end, or give nothing
            raise AppError(f"{archive} is not a file (it is a device or a pipe), so it cannot be a backup; "
                           "nothing was restored. Give the backup file itself (its name ends .adkbak).")
        raise AppError(f"No backup at {archive}.")
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as err:
        raise AppError(f"{archive.name} is not an Adoption Desktop backup (or it is damaged); nothing was "
                       "restored.") from err
    with zf:
        names = set(zf.namelist())
        if not {"database.sqlcipher", "database.keys"} <= names:
            raise AppError(f"{archive.name} is not an Adoption Desktop backup (files missing); nothing was "
                           "restored.")
        anchor, exact = _read_manifest_anchor(zf, archive)
        hold, new_lock = _new_file_hold(dest, "restored")
        try:
            _restore_held(zf, archive, dest, store, passphrase, recovery_key, anchor, exact)
        except BaseException:
            if new_lock and not dest.exists():
                hold.remove_lock_file()
            raise
        finally:
            hold.release()
    return dest


def _restore_held(zf: zipfile.ZipFile, archive: Path, dest: Path, store: SecretStore, passphrase: str | None,
                  recovery_key: str | None, anchor: dict[str, object] | None, exact: bool) -> None:
    _refuse_leftovers(dest, "restore to")  # again, now that nobody else can be writing there
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        try:
            zf.extractall(tmp, members=["database.sqlcipher", "database.keys"])
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError) as err:
            raise AppError(f"{archive.name} is damaged ({err}); nothing was restored.") from err
        staged = Path(tmp) / "database.sqlcipher"
        envelope = keys.KeyEnvelope.load(Path(tmp) / "database.keys")
        if recovery_key:
            key = keys.key_from_recovery(envelope, recovery_key, lambda k: page_check.first_page_opens(staged, k))
        else:
            key = database_key.file_key(staged, envelope, store, passphrase)[0]
        if anchor and not exact:
            anchor = _older_manifest_anchor(staged, key, anchor)
        _require_verified(staged, key, f"{archive.name} is damaged, so nothing was restored", anchor)
        if recovery_key:  # the key is kept anew here only once the backup has proved sound
            envelope = keys.rewrap(envelope, key, store, passphrase)
        # into place atomically: the database first (under a temporary name), its key file last
        partial = dest.with_name(dest.name + ".restoring")
        try:
            shutil.copy2(staged, partial)
            os.replace(partial, dest)
            envelope.save(keys.key_file_for(dest))
            if anchor:  # the anchor of the copy guards the restored log too
                audit.anchor_file_for(dest).write_text(json.dumps(anchor), encoding="utf-8")
        except BaseException:
            for f in (partial, dest, keys.key_file_for(dest), audit.anchor_file_for(dest)):
                f.unlink(missing_ok=True)
            raise


def _older_manifest_anchor(staged: Path, key: bytes | bytearray, anchor: dict[str, object]) -> dict[str, object]:
    """A format-1 backup taken while others wrote may record entries its copy never had: an anchor
    beyond the copy's last entry is then replaced by the copy's own (an anchor that names an entry the
    copy has, with another hash, still refuses the restore)."""
    copy = open_sqlcipher(staged, key, hold=_NoHold())
    try:
        with copy.session(write=False) as session:
            own = audit.current_anchor(session)
    finally:
        copy.dispose(write_anchor=False)
    seq = anchor.get("seq", 0)
    if isinstance(seq, int) and seq > int(own["seq"]):
        _log.warning("backup made by an earlier version: its audit anchor is beyond its copy; the copy's own is used")
        return own
    return anchor


def move_database(source: Path, dest: Path, store: SecretStore, passphrase: str | None = None, *,
                  remove_original: bool = False) -> Path:
    """Move an embedded database (with its key file and audit anchor) to ``dest``, e.g. another drive.

    The source is held exclusively throughout (refused while another program has it open), checked
    first, and the copy is opened and checked before anything else happens; the key stays where it was
    (the keyring entry is named by the key file, not the path). The original files are deleted only
    with ``remove_original``, after the copy has verified.
    """
    source, dest = Path(source), Path(dest)
    if dest.is_dir() or dest.suffix.lower() != ".db":  # a folder (new or existing): keep the file's name
        dest = dest / source.name
    check_file_shape(source)
    if dest.resolve() == source.resolve():
        raise AppError("The database is already there.")
    _refuse_leftovers(dest, "move the database to")
    hold = FileHold.acquire(source, exclusive=True, wait=busy_wait(MAINTENANCE_WAIT),
                            message=in_use_message(source.name, "moved"))
    try:
        key = _held_key(source, store, passphrase)[0]  # under the hold: not a key replaced meanwhile
        _move_held(source, dest, key, hold, store, passphrase)
        if remove_original:
            remove_database_files(source, hold=hold)
    finally:
        hold.release()
    return dest


def _move_held(source: Path, dest: Path, key: bytes | bytearray, hold: FileHold, store: SecretStore,
               passphrase: str | None) -> None:
    db = migrations.open_checked(source, key, hold=hold)
    db.audit_anchored = True  # the anchor travels with it [audit hook]
    try:
        report = verify_database(db)
        if not report.ok:
            raise AppError("The database did not verify, so it was not moved: " + "; ".join(report.problems))
        db.checkpoint()
    except BaseException:
        db.dispose(write_anchor=False)
        raise
    db.dispose()  # writes the audit anchor that travels with it
    # SQLite removes the -wal and -shm files when the last connection closes: if they are still there
    # now, a program that does not take the hold (an older version) has the database open, and work it
    # saved after the copy would be left behind in the old file
    if any(side.exists() for side in _sidecars(source)[1:]):
        raise AppError(in_use_message(source.name, "moved"))
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest_hold, _new = _new_file_hold(dest, "written")
    moved = [source, keys.key_file_for(source), audit.anchor_file_for(source)]
    copies = [dest, keys.key_file_for(dest), audit.anchor_file_for(dest)]
    try:
        for src, dst in zip(moved, copies, strict=True):
            if src.exists():
                with output_file(dst) as partial:
                    shutil.copy2(src, partial)
        _require_verified(dest, _held_key(dest, store, passphrase)[0], "The copy did not verify")
    except BaseException:
        for dst in (*copies, *_sidecars(dest)):
            dst.unlink(missing_ok=True)
        dest_hold.remove_lock_file()
        raise
    finally:
        dest_hold.release()
    _log.info("database moved and verified")


def remove_database_files(path: Path, *, hold: FileHold | None = None) -> None:
    """Delete a database with its key file, audit anchor, journal and lock files (after a verified
    move), under the exclusive hold: refused while another program has it open."""
    own = hold is None
    if hold is None:
        hold = FileHold.acquire(path, exclusive=True, wait=busy_wait(MAINTENANCE_WAIT),
                                message=in_use_message(path.name, "removed"))
    try:
        for f in (path, *_sidecars(path), audit.anchor_file_for(path)):
            f.unlink(missing_ok=True)
    except OSError as err:  # Windows: a program that does not take the hold opened it meanwhile
        raise AppError(f"{path.name} could not be removed ({err.strerror}); delete it, with its .keys and "
                       ".audit-anchor files, once nothing has it open.") from err
    else:
        hold.remove_lock_file()
    finally:
        if own:
            hold.release()
    _log.info("original database files removed after a move")
