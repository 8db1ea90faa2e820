"""A new database key for a database file: the file re-encrypted (``PRAGMA rekey``), the recovery sheet kept.

When the database key may have leaked (a PC's Windows account compromised, a copy of the key file and a
passphrase seen), a new recovery key is not enough: whoever has the old key opens the file. An
administrator replaces the key itself (``adoption-desktop new-database-key``): a new random key, the file
re-encrypted with it, and the key file (``NAME.db.keys``) naming the new key. The recovery key is not
changed: the administrator types it, and the new key is wrapped with it, so the same recovery sheet opens
the file afterwards (a sheet that may have leaked too is replaced first, with ``new-recovery-key``).

The new key also gets a new keyring name (``db_id``): the old entry stays in this Windows user's keyring,
so backups made before (which carry their own key file, naming the old entry, and are encrypted with the
old key) still restore on this PC as they did, and a restore of one with ``--recovery-key`` never puts the
old key in place of the new one. Another Windows user (on this PC, or another PC the file is copied to)
has no entry under the new name: ``recover`` with the recovery sheet, once.

Only with the file to itself: the exclusive maintenance hold (``core.storage.hold``), so nothing else has
the file open and no other writer of the key file can run (each of them opens the database first).

Safe whenever the program stops: the steps are

1. the new key kept beside the old one before the file changes: in the keyring under its new name (or
   wrapped with the same passphrase) and wrapped with the recovery key, in the key file's ``pending_key``
   entry (written whole, then renamed);
2. the audit entry committed ("Database key replaced", no key in it; worded to be true whatever happens
   next);
3. ``PRAGMA rekey`` (one SQLite transaction: the file is all old key or all new key);
4. the page-check record made again for the new key (every page's HMAC checked with it);
5. the key file's pending entry made the one in force (:func:`keys.promoted`).

Whichever key opens the file is the one used (:func:`file_key`, page 1's HMAC): stopped before step 3
the old key goes on opening it (the pending entry is left, unused, until the next new database key
replaces it); stopped after, the pending key opens it, and the next open promotes it
(:func:`finish_pending`). The recovery key unwraps both meanwhile (:func:`keys.key_from_recovery`).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import exc

from adoption_desktop.core.audit import record
from adoption_desktop.core.config import app_paths
from adoption_desktop.core.errors import AppError, DatabaseDamaged, KeyUnavailable
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations, page_check
from adoption_desktop.core.storage.base import utcnow
from adoption_desktop.core.storage.engine import Database, check_file_shape, make_sqlcipher_engine
from adoption_desktop.core.storage.hold import (
    MAINTENANCE_WAIT,
    FileHold,
    WaitReport,
    busy_wait,
    in_use_message,
)

_log = logging.getLogger(__name__)

AUDIT_ACTION = "database_key_replaced"  # "Database key replaced" in the audit viewer

#: the audit entry, committed before the file is re-encrypted: true at every point where the program may stop
AUDIT_DETAIL = ("The database key was replaced: the file is re-encrypted with a new key (if the program stopped "
                "before that, the old key stays in force until this is done again). The recovery sheet still "
                "opens the file; backups made before keep the old key.")

TEAM_REFUSAL = ("A team server's database has no database key of Adoption Desktop's: its encryption at rest is "
                "the server's own, kept by IT (docs/it-guide.md, \"Team mode\"). Nothing was changed.")

UNFINISHED_RECOVERY = ("An earlier new recovery key was not finished, so more than one recovery key opens this "
                       "database. Issue a new recovery key first (adoption-desktop new-recovery-key), then run "
                       "this again with the sheet it gives. Nothing was changed.")

WRONG_RECOVERY = ("That recovery key does not open this database, so its database key was not replaced: the new "
                  "key must stay openable with the recovery sheet you hold. Type the key from the current "
                  "recovery sheet, or, if it is lost, issue a new recovery key first (adoption-desktop "
                  "new-recovery-key). Nothing was changed.")


#: what ``verify`` says of a new database key stopped before the file was re-encrypted (one stopped after is
#: put in force by the open itself)
PENDING_NOTE = ("An earlier new database key was not finished (the program stopped before the file was "
                "re-encrypted), so the old key is still the one in force and everything opens as before. If the "
                "key still needs replacing, run adoption-desktop new-database-key again.")


def key_left_pending(db_path: Path) -> bool:
    """Whether the key file beside ``db_path`` still holds a pending new key once the file is open (an open
    puts one the file was re-encrypted with in force): a new database key stopped before re-encrypting."""
    try:
        return keys.KeyEnvelope.load(keys.key_file_for(Path(db_path))).pending_key is not None
    except (KeyUnavailable, OSError):
        return False


def _reached(step: str) -> None:
    """Each step's end (``pending_saved``, ``audited``, ``rekeyed``, ``page_record``): the tests stop the
    program here, as a crash or a power cut would."""


@dataclass(frozen=True)
class KeyReplaced:
    """What was done: the file's name, the key mode, and the new keyring name (no key material)."""
    name: str
    mode: str  # "keyring" or "passphrase"
    db_id: str


def file_key(path: Path, envelope: keys.KeyEnvelope, store: SecretStore,
             passphrase: str | None = None) -> tuple[bytearray, bool]:
    """The key that opens the file ``path`` and whether it is the pending new one (to be promoted).

    Called under a hold on the file (the shared one of an opener, or a maintenance job's exclusive one),
    with ``envelope`` read under it: the key cannot change meanwhile (a new database key holds the file
    exclusively). Without a pending key: the stored one (as :func:`keys.load_key`). With one: whichever of
    the two the file's first page passes under, once a rollback journal left by a program stopped in the
    middle of re-encrypting has been played back (:func:`roll_back_interrupted_write`: until then page 1
    may be under the new key and the rest under the old); the stored one when neither does (the open then
    says the key is wrong or the file damaged); in keyring mode, :class:`keys.KeyNotInKeyring` when the
    stored key does not open the file and the pending one is not in this Windows user's keyring (another
    user after a replacement stopped once the file was re-encrypted: ``recover``, as after a finished one);
    the stored key's own refusal when it cannot be had and the pending one opens nothing either."""
    if not envelope.pending_key:
        return keys.load_key(envelope, store, passphrase), False
    stored: bytearray | None = None
    refusal: KeyUnavailable | None = None
    try:
        stored = keys.load_key(envelope, store, passphrase)
    except KeyUnavailable as exc:
        refusal = exc
    new = keys.load_pending_key(envelope, store, passphrase)
    either = stored if stored is not None else new
    if either is not None:
        roll_back_interrupted_write(path, either)
    if stored is not None and page_check.first_page_opens(path, stored):
        if new is not None:
            keys.wipe(new)
        return stored, False
    if new is not None and page_check.first_page_opens(path, new):
        if stored is not None:
            keys.wipe(stored)
        return new, True
    if new is not None:
        keys.wipe(new)
    if stored is not None:
        if envelope.mode == "keyring" and new is None:  # most likely re-encrypted with a key not kept here
            keys.wipe(stored)
            raise keys.KeyNotInKeyring(keys.NOT_IN_KEYRING)
        return stored, False
    assert refusal is not None
    raise refusal


def journal_for(path: Path) -> Path:
    """SQLite's rollback journal beside the file (``NAME.db-journal``)."""
    return path.with_name(path.name + "-journal")


def roll_back_interrupted_write(path: Path, key: bytes | bytearray) -> None:
    """A rollback journal left beside the file by a program stopped in the middle of a write (above all a
    new database key stopped during ``PRAGMA rekey``, when page 1 may already be under the new key while the
    journal holds every page as it was, under the old one): played back now, by a read of the file, so that
    page 1 says which key the whole file is under. SQLite plays a journal back whatever key the reading
    connection has (it copies the pages as they were); ``key`` is one of the file's keys, the stored one
    where it can be had. Under the caller's hold: no program that takes the hold is writing meanwhile. A
    read that fails (the key is the other one) is ignored: the open that follows says what is wrong."""
    if not journal_for(path).exists():
        return
    engine = make_sqlcipher_engine(path, key)
    try:
        with contextlib.suppress(exc.DBAPIError), engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
    finally:
        engine.dispose()
    _log.info("a rollback journal was found beside the database; played back before its key was chosen")


def pending_id(envelope: keys.KeyEnvelope) -> str | None:
    """The keyring name of the pending new key (which pending entry an open chose its key from)."""
    return str(envelope.pending_key["db_id"]) if envelope.pending_key else None


def finish_pending(db: Database, chosen: str | None) -> None:
    """The open database file was opened with its pending new key ``chosen`` (:func:`pending_id`; a new
    database key stopped after the file was re-encrypted): that key made the one in force in the key file,
    under the write lock every writer of the key file takes. A failure leaves it pending (the next open
    tries again; the key that opens the file is found either way)."""
    from adoption_desktop.core.storage.recovery_key import update_key_file

    if db.path is None or chosen is None:
        return

    def promote(envelope: keys.KeyEnvelope) -> keys.KeyEnvelope | None:
        return keys.promoted(envelope) if pending_id(envelope) == chosen else None

    try:
        update_key_file(db, promote)
        _log.info("a new database key left pending by a stopped program was put in force")
    except Exception:  # logged without its message: it could quote a path
        _log.warning("a pending new database key could not be put in force yet; the next open tries again")


def replace_database_key(path: Path, store: SecretStore, *, sign_in: Callable[[Database], Principal],
                         recovery_key: Callable[[], str], passphrase: str | None = None,
                         on_wait: WaitReport | None = None) -> KeyReplaced:
    """Give the database file ``path`` a new database key (see the module's notes).

    ``sign_in(db)``: the administrator, signed in on the open file (``users.manage``, as for a new recovery
    key; :class:`PermissionDenied` otherwise, nothing changed). ``recovery_key()``: the recovery key, asked
    for once the administrator is known; it must open the file now (``WRONG_RECOVERY`` otherwise).
    ``passphrase``: in passphrase mode, the passphrase (the new key is wrapped with the same one).
    Refused while another program has the file open (:class:`DatabaseBusy`), nothing changed."""
    path = Path(path)
    check_file_shape(path)
    key_path = keys.key_file_for(path)
    hold = FileHold.acquire(path, exclusive=True, wait=busy_wait(MAINTENANCE_WAIT),
                            message=in_use_message(path.name, "given a new database key"), on_wait=on_wait)
    key: bytearray | None = None
    new: bytearray | None = None
    try:
        envelope = keys.KeyEnvelope.load(key_path)
        key, from_pending = file_key(path, envelope, store, passphrase)
        db = migrations.open_checked(path, key, hold=hold, on_wait=on_wait)
        try:
            if migrations.needs_upgrade(db):
                raise AppError(f"{path.name} must first be upgraded to this version: open it in Adoption Desktop "
                               f"once (or run adoption-desktop upgrade --db), then run this again. Nothing was changed.")
            _on_open(db)
            if db.moved_to_server:  # kept read-only as the record of the work before the move
                raise AppError(f"{db.moved_to_server} Its database key was not replaced; nothing was changed.")
            actor = sign_in(db)
            require(actor, Permission.USERS_MANAGE)  # before anything is written: a refused run changes nothing
            if from_pending:  # an earlier new key stopped after the file was re-encrypted: finished first
                keys.promoted(keys.KeyEnvelope.load(key_path)).save(key_path)
            envelope = keys.KeyEnvelope.load(key_path)
            if envelope.previous_recovery:
                raise AppError(UNFINISHED_RECOVERY)
            typed = keys.normalise_recovery_key(recovery_key())
            opened = keys.unwrap(envelope.recovery, typed) if envelope.recovery else None
            try:
                if opened is None or bytes(opened) != bytes(key):
                    raise AppError(WRONG_RECOVERY)
            finally:
                if opened is not None:
                    keys.wipe(opened)
            new = keys.generate_key()
            pending = _pending_entry(envelope, new, typed, store, passphrase)
            keys.remove_stray_temporaries(key_path)
            replace(envelope, pending_key=pending).save(key_path)  # step 1: the new key kept beside the old
            if envelope.mode == "keyring" and (stale := pending_id(envelope)):  # one never put in force
                store.delete(stale)
            _reached("pending_saved")
            try:
                with db.session(actor) as session:  # step 2
                    record(session, AUDIT_ACTION, "database_key", db.name, detail=AUDIT_DETAIL)
            except Exception:  # refused (a file moved to a server, an audit alert on hold): the new key taken out
                with contextlib.suppress(Exception):  # if even that fails, it stays pending and unused
                    replace(envelope, pending_key=None).save(key_path)
                    if envelope.mode == "keyring":
                        store.delete(str(pending["db_id"]))
                raise
            _reached("audited")
            db.checkpoint()
        except BaseException:
            db.dispose(write_anchor=False)
            raise
        db.dispose()  # the audit anchors advance over the entry just written; the hold stays this call's
        try:
            _rekey(path, key, new)  # step 3
        except _NotReEncrypted as failure:
            raise AppError(_not_replaced(path, key, new, str(pending["db_id"]), store, actor, hold,
                                         failure.reason)) from failure
        _reached("rekeyed")
        _rebuild_page_record(path, new)  # step 4
        _reached("page_record")
        after = keys.KeyEnvelope.load(key_path)  # step 5
        keys.promoted(after).save(key_path)
        return KeyReplaced(path.name, after.mode, str(pending["db_id"]))
    finally:
        hold.release()
        for secret in (key, new):
            if secret is not None:
                keys.wipe(secret)


def _on_open(db: Database) -> None:
    """What every open checks before anything is written (the audit anchors, a file moved to a server)."""
    from adoption_desktop.core.audit import anchors
    from adoption_desktop.core.storage import moved

    anchors.on_open(db)
    moved.on_open(db)


def _pending_entry(envelope: keys.KeyEnvelope, new: bytearray, recovery: str, store: SecretStore,
                   passphrase: str | None) -> dict[str, object]:
    """The key file's ``pending_key`` entry for ``new``; in keyring mode the key is put in the keyring
    under its new name first (an entry no key file names yet is harmless if the program stops here)."""
    db_id = str(uuid.uuid4())
    entry: dict[str, object] = {"db_id": db_id, "since": utcnow().isoformat(),
                                "recovery": keys.wrap(new, recovery, keys.RECOVERY_KDF)}
    if envelope.mode == "keyring":
        store.set(db_id, new.hex())
    else:
        if not passphrase:
            raise keys.PassphraseNeeded(f"A passphrase is needed to protect the new key (or set {keys.ENV_PASSPHRASE}). "
                                        "Nothing was changed.")
        entry["passphrase"] = keys.wrap(new, passphrase, keys.PASSPHRASE_KDF)
    return entry


def _rekey(path: Path, key: bytearray, new: bytearray) -> None:
    """Re-encrypt every page with ``new`` in one transaction, on a connection of its own (no other is open:
    the hold is exclusive). Out of WAL first, so the re-encrypted pages go into the file itself, the old
    ones into a rollback journal SQLite replays should the program stop half-way; the next open turns WAL
    on again."""
    engine = make_sqlcipher_engine(path, key)
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.fetchall()
            cursor.execute("PRAGMA journal_mode = DELETE")
            cursor.fetchall()
            cursor.execute(f"PRAGMA rekey = \"x'{new.hex()}'\"")
            cursor.fetchall()
            cursor.close()
        finally:
            raw.close()
    except Exception as exc:
        raise _NotReEncrypted(type(exc).__name__) from exc
    finally:
        engine.dispose()
    if not page_check.first_page_opens(path, new):
        raise DatabaseDamaged(f"{path.name} was not re-encrypted as expected. The new key made for it is kept "
                              "unused beside the old one in its key file, and the audit log records the attempt "
                              "(\"Database key replaced\", which says the old key stays in force until it is done "
                              "again). Run adoption-desktop verify --db to see whether the file is sound, and report "
                              "this.")


class _NotReEncrypted(Exception):
    """``PRAGMA rekey`` failed (SQLite rolled its transaction back): ``reason`` is the error's kind, no more
    (its message could quote a path or a key)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


#: the audit entry that says a replacement whose first entry was committed did not happen after all
NOT_REPLACED_ACTION = "database_key_not_replaced"  # "Database key not replaced" in the audit viewer
NOT_REPLACED_DETAIL = ("The file could not be re-encrypted, so the database key was not replaced after all: the "
                       "old key is still the one in force, and the new key made for it was withdrawn.")


def _not_replaced(path: Path, key: bytearray, new: bytearray, new_id: str, store: SecretStore, actor: Principal,
                  hold: FileHold, reason: str) -> str:
    """The re-encryption failed after the audit entry and the pending key were written: the pending key
    withdrawn (only once the file is seen to be wholly under the old key still) and the audit told it did
    not happen, as far as each can be done; what the administrator is told, true to what was kept."""
    key_path = keys.key_file_for(path)
    withdrawn = False
    with contextlib.suppress(Exception):  # not withdrawn: it stays pending and unused, the old key in force
        roll_back_interrupted_write(path, key)
        if page_check.first_page_opens(path, key) and not page_check.first_page_opens(path, new):
            now = keys.KeyEnvelope.load(key_path)
            if pending_id(now) == new_id:
                replace(now, pending_key=None).save(key_path)
                if now.mode == "keyring":
                    store.delete(new_id)
                withdrawn = True
    audited = False
    if withdrawn:
        with contextlib.suppress(Exception):
            db = migrations.open_checked(path, key, hold=hold)
            try:
                with db.session(actor) as session:
                    record(session, NOT_REPLACED_ACTION, "database_key", db.name, detail=NOT_REPLACED_DETAIL)
            except BaseException:
                db.dispose(write_anchor=False)
                raise
            db.dispose()
            audited = True
    said = f"{path.name} could not be re-encrypted ({reason}), so its database key was not replaced: the old key "
    if withdrawn:
        said += "is still the one in force and opens it as before, and the new key made for it was withdrawn. "
        said += ("The audit log records the attempt and that the key was not replaced. " if audited else
                 "The audit log records the attempt (\"Database key replaced\", which says the old key stays in "
                 "force until it is done again); the entry saying it did not happen could not be added. ")
    else:
        said += ("is still the one in force and opens it as before. The new key made for it is kept, unused, "
                 "beside the old one in its key file (the next new database key replaces it), and the audit log "
                 "records the attempt (\"Database key replaced\", which says the old key stays in force until it "
                 "is done again). ")
    return said + "Try again; if it goes on failing, restore the latest backup into a new file and report this."


def _rebuild_page_record(path: Path, new: bytearray) -> None:
    """This PC's page-check record made again for the new key: every page's HMAC checked with it (a
    record of the old key's bytes would only cost the next open a full check). Not kept if anything fails
    (the next open checks every page)."""
    record = page_check.record_file(path, app_paths().data)
    try:
        outcome = page_check.PageChecker(path, new, record).run()
    except OSError:
        outcome = None
    if outcome is None or outcome.failed or outcome.shrunk:
        with contextlib.suppress(OSError):
            record.unlink(missing_ok=True)
