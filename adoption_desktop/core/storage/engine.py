"""Engine factory: SQLCipher 4 file (embedded, the default) or a PostgreSQL URL (team mode).

Use :func:`open_database` / :func:`create_database`; services receive a :class:`Database` and open one
session per use case with :meth:`Database.session`.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import URL, Connection, Engine, NullPool, QueuePool, create_engine, event, exc, make_url, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from adoption_desktop.core.errors import (
    DatabaseBusy,
    DatabaseClash,
    DatabaseCommitUncertain,
    DatabaseDamaged,
    DatabaseOpenError,
    DatabaseRefused,
    DatabaseServerFull,
    DatabaseUnavailable,
    KeyUnavailable,
    PermissionDenied,
    StaleRecord,
    WaitCancelled,
)
from adoption_desktop.core.files import secure_umask
from adoption_desktop.core.security.permissions import SYSTEM, Principal, tell_refused
from adoption_desktop.core.storage import written
from adoption_desktop.core.storage.hold import (
    OPEN_WAIT,
    FileHold,
    Hold,
    WaitReport,
    busy_wait,
    maintenance_message,
)
from adoption_desktop.core.storage.interrupt import Interrupt

SQLITE_MAGIC = b"SQLite format 3\x00"
#: SQLite pages are at least 512 bytes and a power of two: a file of another length was cut short
MIN_PAGE = 512
#: how long one attempt at the write lock waits inside SQLite before we report "waiting…" (ms)
BUSY_TIMEOUT_MS = 2000
#: how long a session (or an open) waits in all for another program's long write (seconds)
BUSY_WAIT = 30.0

#: The session of the use case running in this thread (set by :meth:`Database.session`), so shared
#: building blocks called deep inside a use case (``core.documents.templates.load_template``: the
#: agency's own template, from the database) can read in the same transaction without a session argument.
_CURRENT_SESSION: contextvars.ContextVar[Session | None] = contextvars.ContextVar("current_session", default=None)


def current_session() -> Session | None:
    """The session of the use case running in this thread, or ``None`` outside one."""
    return _CURRENT_SESSION.get()


#: work waiting for the session of this thread to end (:func:`after_session`)
_AFTER_SESSION: contextvars.ContextVar[tuple[Callable[[], None], ...]] = contextvars.ContextVar(
    "after_session", default=())


#: a :meth:`Database.read_cursor` transaction of this thread is open (it has no ORM session)
_RAW_TRANSACTION: contextvars.ContextVar[bool] = contextvars.ContextVar("raw_transaction", default=False)


def _in_transaction() -> bool:
    return _CURRENT_SESSION.get() is not None or _RAW_TRANSACTION.get()


def after_session(work: Callable[[], None]) -> None:
    """Run ``work`` now, or, inside a session (or read cursor) of this thread, once it has ended,
    committed or rolled back: a write of its own (a refused action's audit entry) must not wait for a
    lock this thread holds, nor be rolled back with the use case that was refused."""
    if not _in_transaction():
        work()
    else:
        _AFTER_SESSION.set((*_AFTER_SESSION.get(), work))


def _run_after_session() -> None:
    waiting = _AFTER_SESSION.get()
    if waiting and not _in_transaction():
        _AFTER_SESSION.set(())
        for work in waiting:
            work()


_BUSY_WORDS = ("database is locked", "database table is locked", "database is busy", "database schema is locked")
_DAMAGE_WORDS = ("malformed", "disk i/o error", "database corrupt", "file is not a database")


def _message(err: BaseException) -> str:
    return str(getattr(err, "orig", None) or err).lower()


def is_busy_error(err: BaseException) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds a lock (not a key or file problem)."""
    return type(getattr(err, "orig", None) or err).__name__ == "OperationalError" and \
        any(w in _message(err) for w in _BUSY_WORDS)


#: SQLITE_FULL ("database or disk is full"), PostgreSQL's disk_full (53100: "could not extend file …: No space
#: left on device"), or the operating system's ENOSPC on a journal or temporary file
_FULL_WORDS = ("database or disk is full", "no space left on device", "disk full", "could not extend file")


def is_disk_full_error(err: BaseException) -> bool:
    """The disk holding the database (or its journal) is full: the statement failed and was rolled back; the
    file is not damaged (telling the user to restore a backup would lose the work since it)."""
    orig = getattr(err, "orig", None) or err
    return getattr(orig, "sqlstate", None) == "53100" or getattr(orig, "errno", None) == 28 or \
        any(w in _message(err) for w in _FULL_WORDS)


def is_damage_error(err: BaseException) -> bool:
    """SQLITE_CORRUPT / SQLITE_NOTADB / I/O errors while reading pages: the file is damaged."""
    return any(w in _message(err) for w in _DAMAGE_WORDS)


#: SQLITE_CANTOPEN / SQLITE_READONLY: the file, or the -wal, -shm or -journal file SQLite keeps beside it,
#: could not be opened or written. They say nothing about what is inside the file.
_CANNOT_WRITE_WORDS = ("unable to open database file", "readonly database", "read-only database")


def is_cannot_open_error(err: BaseException) -> bool:
    """SQLite could not open (or write) the file or the files it keeps beside it: not damage."""
    return any(w in _message(err) for w in _CANNOT_WRITE_WORDS)


def cannot_write_beside(path: Path) -> bool:
    """The folder holding ``path`` refuses new files (SQLite's -wal, -shm and -journal files go there), or
    the file itself refuses writes: a read-only folder, share or medium, or no permission to write there."""
    folder = path.parent if str(path.parent) else Path(".")
    return not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))


def read_only_message(path: Path) -> str:
    """Said instead of "damaged" when SQLite could not open a good file because nothing may be written
    beside it (a user trial: a database in a read-only folder was called damaged, restore advised)."""
    folder = path.parent if str(path.parent) else Path(".")
    if os.access(folder, os.W_OK):
        return (f"{path.name} is read-only (or you cannot write to it): Adoption Desktop needs to write to the "
                "database. Nothing was changed; the file is not damaged. Clear its read-only setting, or ask "
                "IT for permission to change it.")
    return (f"The folder holding {path.name} is read-only (or you cannot write there): Adoption Desktop needs to "
            "write beside the database. Nothing was changed; the file is not damaged. Copy the database, "
            "with its .keys and .audit-anchor files, to a folder you can write to, or ask IT for permission "
            "to write to that folder.")


def cannot_open_message(name: str, detail: str) -> str:
    return (f"{name} could not be opened ({detail}). Nothing was changed; this does not mean the file is "
            "damaged. Check that its folder (or network drive) is still there and that you may write to it, "
            "then try again.")


def file_error(path: Path | None, name: str, err: BaseException) -> DatabaseOpenError:
    """The plain error for SQLite's refusal to read an embedded file: the folder (or file) cannot be
    written (:func:`read_only_message`), the file could not be opened for another reason
    (:func:`cannot_open_message`), or else the file is damaged (:func:`damaged_message`). Only the last
    advises a restore: restoring a good file would lose the work since the backup."""
    detail = _message(err)
    if is_cannot_open_error(err):
        if path is not None and cannot_write_beside(path):
            return DatabaseOpenError(read_only_message(path))
        return DatabaseOpenError(cannot_open_message(name, detail))
    return DatabaseDamaged(damaged_message(name, detail))


#: a connection attempt that failed because the server could not be reached (libpq gives no SQLSTATE):
#: nothing listening, no answer in time, no route, the server starting, stopping or restarting
_UNREACHED_WORDS = ("connection refused", "timeout expired", "timed out", "no route to host",
                    "network is unreachable", "host is unreachable", "connection reset",
                    "server closed the connection unexpectedly", "could not receive data from server",
                    "could not send data to server", "the database system is starting up",
                    "the database system is shutting down", "the database system is in recovery mode",
                    "temporary failure in name resolution", "ssl syscall error", "eof detected",
                    "unexpected eof", "connection reset by peer")
#: a server that is there refused: secure-connection set-up (the certificate, SSL required or not offered;
#: specific phrases, not bare "ssl": a server restarting mid-handshake says "SSL SYSCALL error", and a
#: host's name may hold "tls") ...
_SECURE_WORDS = ("certificate", "server does not support ssl", "sslmode", "ssl negotiation",
                 "ssl connection is required", "tlsv1 alert", "ssl handshake")
#: ... or the sign-in (user, password, database name, pg_hba.conf)
_SIGN_IN_WORDS = ("authentication", "password", "does not exist", "permission denied", "pg_hba.conf", "role ")
#: a server that is there but takes no more connections (SQLSTATE 53300, which libpq does not give while
#: connecting): its max_connections, or a CONNECTION LIMIT on the login or the database. Tested before the
#: sign-in words: "too many connections for role …" is not a wrong password
_NO_SLOT_WORDS = ("too many clients already", "remaining connection slots are reserved", "too many connections for")
#: SQLSTATEs of a transaction the server stopped because it clashed with another (deadlock, serialization)
_CLASH_STATES = ("40P01", "40001")
#: set by :func:`_mark_connect_errors` on a driver error raised while opening a connection
_CONNECTING = "_adk_raised_connecting"


def _driver_error(err: BaseException) -> BaseException | None:
    orig = getattr(err, "orig", None)
    return orig if orig is not None and type(orig).__module__.startswith("psycopg") else None


def _raised_connecting(orig: BaseException) -> bool:
    return bool(getattr(orig, _CONNECTING, False))


def is_connection_lost(err: BaseException) -> bool:
    """The server can't be reached or dropped the connection (stopped, restarted, a backend terminated,
    the network gone): a transient outage, not a refusal and not a program fault. Exactly:
    SQLAlchemy's disconnect test (``connection_invalidated``) or a failed idle ping
    (``DisconnectionError``); a PostgreSQL error of SQLSTATE class 08 (connection exception) or 57P
    (admin or crash shutdown, cannot connect now); or an error with no SQLSTATE raised while *opening*
    a connection that says the server was not reached (refused, timed out, unreachable). Anything else
    is not: a psycopg ``InterfaceError`` (a closed cursor, a missing dumper: program faults), an SSL or
    sign-in refusal (:func:`refusal`), serialization/deadlock/unique/cancel/lock-timeout errors, and
    SQLite's busy or damaged errors, which have their own messages."""
    if isinstance(err, exc.DisconnectionError):
        return True
    if isinstance(err, exc.DBAPIError) and err.connection_invalidated:
        return True
    orig = _driver_error(err)
    if orig is None:
        return False
    sqlstate = str(getattr(orig, "sqlstate", None) or "")
    if sqlstate:
        return sqlstate.startswith(("08", "57P"))
    if type(orig).__name__ != "OperationalError" or not _raised_connecting(orig):
        return False
    text = str(orig).lower()
    return any(w in text for w in _UNREACHED_WORDS)  # tested before any refusal: not reached is an outage


def is_server_full(err: BaseException) -> bool:
    """The team server is there but refused a new connection because it has no free slot: transient, said
    as :class:`DatabaseServerFull` (an outage's handling: autosaves retry, start-up offers Retry)."""
    orig = _driver_error(err)
    if orig is None:
        return False
    sqlstate = str(getattr(orig, "sqlstate", None) or "")
    if sqlstate:
        return sqlstate == "53300"
    return _raised_connecting(orig) and any(w in str(orig).lower() for w in _NO_SLOT_WORDS)


def is_outage(err: BaseException) -> bool:
    """A transient failure to reach the team server: a lost connection or a server with no free connection."""
    return is_connection_lost(err) or is_server_full(err)


def is_clash(err: BaseException) -> bool:
    """The team server stopped the transaction as the loser of a deadlock or a serialization failure."""
    orig = _driver_error(err)
    return orig is not None and str(getattr(orig, "sqlstate", None) or "") in _CLASH_STATES


def refusal(err: BaseException) -> DatabaseRefused | None:
    """The plain error for a connection a reachable server refused (secure-connection set-up, sign-in,
    database name), or ``None``; the driver's text (server, port) goes to the log."""
    orig = _driver_error(err)
    if orig is None or getattr(orig, "sqlstate", None) or not _raised_connecting(orig):
        return None
    text = str(orig).lower()
    if any(w in text for w in (*_UNREACHED_WORDS, *_NO_SLOT_WORDS)):  # not reached, or no room: an outage
        return None
    message = (DatabaseRefused.SECURE if any(w in text for w in _SECURE_WORDS)
               else DatabaseRefused.SIGN_IN if any(w in text for w in _SIGN_IN_WORDS) else None)
    if message is None:
        return None
    _log.warning("database server refused the connection (%s): %s", type(orig).__name__, _one_line(orig))
    return DatabaseRefused(message)


def _one_line(err: BaseException) -> str:
    return str(err).strip().replace("\n", " ")


_log = logging.getLogger("adoption_desktop.storage")


def unavailable(err: BaseException, *, committing: bool = False, reading: bool = False) -> DatabaseUnavailable:
    """The plain error for a lost connection (:class:`DatabaseCommitUncertain` when it was lost during
    COMMIT: the server may have stored it), or for a server with no free connection
    (:class:`DatabaseServerFull`); the driver's class and text (server, port) go to the log. ``reading``: the
    step only read (a list, a record opened, whose ``view`` entry is no work of the person's), so it says
    that it could not be read and shown, with nothing lost, not that it "was not saved"."""
    orig = getattr(err, "orig", None) or err
    if is_server_full(err):
        _log.warning("database server has no free connection (%s): %s", type(orig).__name__, _one_line(orig))
        return DatabaseServerFull(DatabaseServerFull.READ_MESSAGE if reading else None)
    _log.warning("database server unreachable%s (%s, SQLSTATE %s): %s",
                 " during COMMIT: outcome unknown" if committing and not reading else "", type(orig).__name__,
                 getattr(orig, "sqlstate", None) or "none", _one_line(orig))
    if reading:
        return DatabaseUnavailable(DatabaseUnavailable.READ_MESSAGE)
    return DatabaseCommitUncertain() if committing else DatabaseUnavailable()


#: team mode: how long a write tries again for the writer lock before saying it waits (seconds)
QUIET_WAIT = 1.0
#: once a write says it waits, how often it tries the lock again and tells ``Database.on_wait_tick`` (seconds):
#: the window is redrawn, and Cancel answered, this often (it used to sit in one blocking wait of up to
#: half a minute, and Windows called it "Not responding" after five seconds)
POLL_WAIT = 0.1
#: the refusal of a write started on the thread that is itself waiting for the writer lock (a timer that
#: fired while the wait redrew the window): it would queue behind its own thread's wait, or nest a second
#: wait inside the first. The timers that write (presence, autosaves) skip while ``waiting_for_writer``
#: and try later; this catches any other.
REENTERED_MESSAGE = ("Not saved: another save on this computer is waiting for a colleague's change. "
                     "Try again in a moment.")


@dataclass(frozen=True)
class WaitWatch:
    """How the waits of one piece of work on a worker thread (the window's sign-in) are said and stopped,
    in place of the database's ``on_wait`` and ``on_wait_tick`` (which speak for the window's thread):
    ``on_wait(message)`` once the wait has lasted ``quiet`` seconds (and ``on_wait("")`` when it is over),
    ``stopped()`` asked between tries of the lock, and once before the first (work stopped before it began
    its write begins nothing): True ends the wait with :class:`WaitCancelled`, nothing written. On an
    embedded file the tries are short from the first (``POLL_WAIT``), so the quiet moment is counted here and
    not inside one blocking try of ``BUSY_TIMEOUT_MS``."""

    on_wait: WaitReport
    stopped: Callable[[], bool]
    quiet: float = QUIET_WAIT


#: the :class:`WaitWatch` of the work running on this thread (:func:`watching_waits`)
_WATCH: contextvars.ContextVar[WaitWatch | None] = contextvars.ContextVar("wait_watch", default=None)


@contextlib.contextmanager
def watching_waits(watch: WaitWatch) -> Iterator[None]:
    """Within the block, this thread's waits for the write lock are said and stopped through ``watch``."""
    token = _WATCH.set(watch)
    try:
        yield
    finally:
        _WATCH.reset(token)


def busy_message(name: str) -> str:
    return (f"{name} is busy: another program has been writing to it for a long time (an import?) and "
            "it stayed busy; try again when that has finished. Nothing was changed.")


def damaged_message(name: str, detail: str = "") -> str:
    why = f" ({detail})" if detail else ""
    return (f"{name} is damaged{why}: it cannot be read safely. Restore it from a backup "
            "(adoption-desktop restore); nothing was changed.")


class AuditHoldError(PermissionDenied):
    """A write refused while an audit alert waits for an administrator's acknowledgement. ``hold``: what the
    check at open found (``Database.audit_hold``), for a caller that says the refusal in its own words."""

    def __init__(self, message: str, hold: str = "") -> None:
        super().__init__(message)
        self.hold = hold

    def __reduce__(self) -> tuple[type[AuditHoldError], tuple[str, str]]:  # copied or pickled whole
        return type(self), (str(self), self.hold)


#: how a hold's refusal ends: who lifts it, and how
HOLD_LIFTED_BY = ("An administrator must review this and acknowledge it (an administrator is offered this on "
                  "signing in; or adoption-desktop audit-acknowledge).")


def held_message(hold: str) -> str:
    """A save refused while the database is held (``Database.audit_hold`` is ``hold``)."""
    return (f"Nothing can be saved: the check made when this database was opened found a problem ({hold}). "
            f"{HOLD_LIFTED_BY}")


def held_reading_message(hold: str, what: str = "This could not be opened") -> str:
    """A step that only reads refused while the database is held: the opening of a record, a list printed,
    each recorded in the audit log as a view, which the hold keeps as it was found. Nothing was being saved,
    so it does not say "Nothing can be saved" (review: ``access-review`` said it); ``what``: what could not be
    done ("The access review could not be printed")."""
    return (f"{what} just now. Reading it is recorded in the audit log, and nothing is added to that log until "
            f"an administrator has looked into what the check found when this database was opened ({hold}). "
            f"Nothing was changed. {HOLD_LIFTED_BY}")


class AccountChanged(PermissionDenied):
    """A signed-in session refused because its account changed since signing in (:func:`check_still_allowed`):
    ``reason`` is :data:`ACCOUNT_DISABLED`, :data:`ACCOUNT_PASSWORD_CHANGED`, :data:`ACCOUNT_ROLES_CHANGED` or
    :data:`ACCOUNT_PASSWORD_DUE`, for a screen that says in its own words what is kept (a draft's autosave)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason

    def __reduce__(self) -> tuple[type[AccountChanged], tuple[str, str]]:  # copied or pickled whole
        return type(self), (str(self), self.reason)


#: :attr:`AccountChanged.reason`: the account was disabled (or no longer exists)
ACCOUNT_DISABLED = "disabled"
#: the password was changed since signing in (an administrator's reset, the user's own change elsewhere)
ACCOUNT_PASSWORD_CHANGED = "password_changed"
#: the account's roles were changed since signing in
ACCOUNT_ROLES_CHANGED = "roles_changed"
#: the account must first change a password an administrator set
ACCOUNT_PASSWORD_DUE = "password_due"


class MovedToServerError(AuditHoldError):
    """A write refused because the database file was moved to the team server (``move-to-server``): it is
    kept read-only, as the record of the work before the move (:mod:`adoption_desktop.core.storage.moved`).
    A kind of audit hold (the same guard refuses it, with the same exceptions) that no acknowledgement lifts."""


#: the audit log's action for the opening of a record (``audit.record_view``)
VIEW_ACTION = "view"
#: what a session that only records views may write: the log's entries and its head (SQLite's names)
_VIEW_TABLES = frozenset({"audit_log", "audit_head"})
#: SQLite's authorizer codes (sqlite3.h): writes to rows, and changes to the schema outside ``temp``
_ROW_WRITES = frozenset({9, 18, 23})  # DELETE, INSERT, UPDATE
_SCHEMA_CHANGES = frozenset({1, 2, 7, 8, 10, 11, 16, 17, 26, 29, 30})  # CREATE/DROP INDEX, TABLE, TRIGGER,
# VIEW; ALTER TABLE; CREATE/DROP VTABLE
_SQLITE_OK, _SQLITE_DENY = 0, 1


class _ViewsOnly:
    """A session on a file moved to the server (:attr:`Database.moved_to_server`) that a use case opened
    with ``views_only=True``: it may record the opening of what it reads (``view`` entries in the audit log,
    as "every view of a case record is audited" asks) and nothing else. SQLite itself refuses any other
    row written or schema change while the session lasts (an authorizer on its connection, so no path
    around the ORM escapes it), and before the commit the log is checked to hold nothing new but views."""

    def __init__(self, session: Session) -> None:
        self.refused: list[str] = []
        self.first_seq = int(session.execute(text("SELECT coalesce(max(last_seq), 0) FROM audit_head")).scalar()
                             or 0)
        self.dbapi: Any = cast(Any, session.connection().connection.dbapi_connection)
        self.dbapi.set_authorizer(self._authorize)

    def _authorize(self, action: int, arg1: str | None, _arg2: str | None, dbname: str | None,
                   _source: str | None) -> int:
        if dbname == "temp":
            return _SQLITE_OK
        if (action in _ROW_WRITES and arg1 not in _VIEW_TABLES) or action in _SCHEMA_CHANGES:
            self.refused.append(str(arg1))
            return _SQLITE_DENY
        return _SQLITE_OK

    def check(self, session: Session, message: str) -> None:
        """Before the commit: the session wrote nothing but ``view`` entries."""
        other = session.execute(text("SELECT action FROM audit_log WHERE seq > :seq AND action <> :view LIMIT 1"),
                                {"seq": self.first_seq, "view": VIEW_ACTION}).first()
        if other is not None or self.refused:
            raise MovedToServerError(message)

    def stop(self) -> None:
        with contextlib.suppress(Exception):  # a connection lost or closed has no authorizer left to clear
            self.dbapi.set_authorizer(None)


def sqlcipher_url(path: Path, key: bytes | bytearray) -> URL:
    # username="" keeps the password when the URL is rendered to a string (stack notes)
    return URL.create("sqlite+pysqlcipher", username="", password=f"x'{key.hex()}'", database=str(path))


def key_of(db: Database) -> bytearray:
    """The key of an open database file (a ``bytearray``: wipe it when done), read back from the engine's
    URL (:func:`sqlcipher_url`): the key that opened this very file, so nothing wrapped with it can be for
    another. :class:`KeyUnavailable` for a server, which has no key."""
    password = db.engine.url.password if db.is_sqlite else None
    if not password or not (password.startswith("x'") and password.endswith("'")):
        raise KeyUnavailable("This database has no key file: a team server's logins are kept by IT.")
    return bytearray.fromhex(password[2:-1])


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA cipher_log_level = NONE")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock at BEGIN so two writers never both read a stale audit head and fail
    # late; read-only sessions (lists, figures) use a plain deferred BEGIN and never block writers (WAL).
    options = conn.get_execution_options()
    begin = "BEGIN IMMEDIATE" if options.get("adk_write", True) else "BEGIN"
    busy_ms = options.get("adk_busy_ms")
    if busy_ms is None:
        conn.exec_driver_sql(begin)
        return
    # a write already waiting (``Database._begin``): this try waits only a moment inside SQLite
    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(busy_ms)}")
    try:
        conn.exec_driver_sql(begin)
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


#: team mode: the transaction-level advisory lock every write session takes first ("ADKWRITE";
#: advisory locks are per database; released at commit or rollback)
PG_WRITER_LOCK_KEY = int.from_bytes(b"ADKWRITE", "big") & 0x7FFF_FFFF_FFFF_FFFF
#: ``Session.info`` key: this session holds the writer lock
_WRITER_LOCK = "adk_writer_lock"


def _writing_here(engine: Engine) -> bool:
    """Whether this thread is inside a write session on ``engine`` that holds the writer lock: a write
    session opened within it (on a second connection) must not wait for that lock, which its own caller
    holds until it ends; it goes on as before the lock (the audit head's row lock orders the two)."""
    current = _CURRENT_SESSION.get(None)
    return current is not None and bool(current.info.get(_WRITER_LOCK)) and current.get_bind() is engine


def read_connection(engine: Engine) -> Connection:
    """A connection for checks that only read (schema version, integrity, counts): on SQLite its
    transaction is a deferred ``BEGIN``, which in WAL mode never waits for another program's writer.
    (A plain ``engine.connect()`` begins as a writer, ``BEGIN IMMEDIATE``, and under several busy
    writers could wait past the busy timeout just to read the schema version.)"""
    return engine.connect().execution_options(adk_write=False)


@contextlib.contextmanager
def unshared_read_connection(db: Database) -> Iterator[Connection]:
    """A read connection (as :func:`read_connection`) made for this use alone and closed after it: on an
    embedded file a new SQLite connection, with the same key and settings as the pooled ones, in which
    nothing this program read before is kept. For ``PRAGMA integrity_check``: SQLite's check of a search
    index (FTS5) reads the index's layout as this connection last loaded it, without asking whether
    another program has saved since (a search, and ``verify``'s own comparison of the index with its
    records, load it). Another program's saves merge the index's segments and delete the old ones, so on
    a pooled connection the check went looking for a segment that no longer exists: "fts5: corruption
    found reading blob … from table "fts_letterbox_items"", in 4 runs of 5 inside the window, never from
    the command line (a new process each time). On a server: a pooled read connection."""
    if not db.is_sqlite:
        with read_connection(db.engine) as conn:
            yield conn
        return
    engine = _sqlcipher_engine(db.engine.url, poolclass=NullPool)
    try:
        with read_connection(engine) as conn:
            yield conn
    finally:
        engine.dispose()


_LEGACY_BULK = ("Session.{name}() writes with neither a flush nor a statement event: it would go around the audit log, "
                "the row seals and the final records' guard (core.final_rows), so nothing was written. Add or change "
                "the objects, or run session.execute(update(Model), [...]) (guarded, recorded and sealed row by row).")


class RecordedSession(Session):
    """The program's sessions: as SQLAlchemy's, but the legacy bulk methods are refused. They write through
    ``bulk_persistence`` directly, past ``before_flush`` and ``do_orm_execute``, so a signed decision was
    rewritten through ``bulk_update_mappings`` with no refusal and no audit entry (``verify`` said so later)."""

    def bulk_save_objects(self, *_args: Any, **_kwargs: Any) -> None:
        raise NotImplementedError(_LEGACY_BULK.format(name="bulk_save_objects"))

    def bulk_insert_mappings(self, *_args: Any, **_kwargs: Any) -> None:
        raise NotImplementedError(_LEGACY_BULK.format(name="bulk_insert_mappings"))

    def bulk_update_mappings(self, *_args: Any, **_kwargs: Any) -> None:
        raise NotImplementedError(_LEGACY_BULK.format(name="bulk_update_mappings"))


@dataclass
class Database:
    engine: Engine
    kind: str  # "sqlcipher" or "postgresql"
    path: Path | None = None
    label: str = ""
    #: the shared hold every opener keeps (see core.storage.hold); released by dispose()
    hold: Hold | None = None
    #: told "NAME is busy; waiting…" once when a session has to wait for another program's write, and ""
    #: when that wait is over (saved, refused or cancelled)
    on_wait: WaitReport | None = field(default=None, repr=False)
    #: called about every ``POLL_WAIT`` seconds while a write waits (after ``on_wait`` said so): the window
    #: redraws and answers its Cancel; False stops the wait (:class:`WaitCancelled`, nothing written). Called
    #: on the waiting thread; the window's (``ui.writer_wait``) does nothing on a worker thread
    on_wait_tick: Callable[[], bool] | None = field(default=None, repr=False)
    #: team mode: why the login used is not the application role (a superuser, or the tables' owner), said on
    #: the window ("" when it is); the tables' triggers do not bind such a login
    login_warning: str = ""
    #: set when the audit anchors disagree with the log: writes refused until acknowledged [audit hook]
    audit_hold: str | None = None
    #: set when the file's audit log records its move to the team server (``core.storage.moved``): what the
    #: window says, and every write is refused with, for good (it is kept read-only, as evidence)
    moved_to_server: str | None = None
    #: anchors are checked on open and advanced on close (databases opened by the application) [audit hook]
    audit_anchored: bool = False
    #: the check of every page's HMAC when an open deferred it (``defer_page_check``): it runs on a second
    #: thread from :meth:`start_page_check`; every write session, and closing, waits for it first
    #: (:meth:`wait_checked`), starting it if nobody has
    page_check: Future[None] | None = field(default=None, repr=False)
    deferred_page_check: Callable[[], None] | None = field(default=None, repr=False)
    #: the deferred check runs on the caller's thread (the quick check, ``core.storage.page_check``: Python
    #: between page reads would wait for the GIL behind a busy main thread, 6 s instead of 0.06 s measured)
    page_check_inline: bool = field(default=False, repr=False)
    #: set by :meth:`dispose`: nothing more is written through this object (a refused action's listener)
    disposed: bool = field(default=False, repr=False)
    #: the last audit entry this object committed (sequence number, hash): the anchors are never moved on to a
    #: log that does not have it (``anchors.advance``: the log was put back while the program had it open)
    last_written: tuple[int, str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._factory = sessionmaker(self.engine, class_=RecordedSession, expire_on_commit=False)
        #: the threads (idents) now waiting for the write lock, past the quiet moment
        self._waiting: set[int] = set()

    @property
    def waiting_for_writer(self) -> bool:
        """Whether this thread is waiting for another program's write to finish (events are being
        processed meanwhile): a timer that would write (a presence lease, an autosave) skips and tries later,
        and an idle lock waits; a write started anyway is refused (:data:`REENTERED_MESSAGE`)."""
        return threading.get_ident() in self._waiting

    @contextlib.contextmanager
    def _saying_wait(self, message: str) -> Iterator[Callable[[], None]]:
        """The wait after the quiet moment: ``message`` said once through ``on_wait`` (when the function
        yielded is first called), this thread marked as waiting; at the end (the lock taken, refused or
        cancelled) ``on_wait("")`` and the mark removed."""
        said = False
        watch = _WATCH.get()
        on_wait = watch.on_wait if watch is not None else self.on_wait

        def say() -> None:
            nonlocal said
            if not said:
                said = True
                self._waiting.add(threading.get_ident())
                if on_wait is not None:
                    on_wait(message)

        try:
            yield say
        finally:
            if said:
                try:
                    if on_wait is not None:
                        on_wait("")  # the wait is over: the status line no longer says "waiting…"
                finally:
                    # only now: this thread may hold the lock already, and a timer firing while the
                    # window redrew for the "" above would have queued behind it (a trial of this
                    # change: a lease renewal waited the whole bound for its own thread)
                    self._waiting.discard(threading.get_ident())

    def _tick(self) -> None:
        """One poll of a wait: tell ``on_wait_tick`` (or ask this thread's :class:`WaitWatch`);
        :class:`WaitCancelled` when it says stop."""
        watch = _WATCH.get()
        if watch is not None:
            if watch.stopped():
                raise WaitCancelled()
            return
        if self.on_wait_tick is not None and not self.on_wait_tick():
            raise WaitCancelled()

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "The database"

    def _begin(self, write: bool, autocommit: bool = False, snapshot: bool = False, *,
               reading: bool = False) -> Session:
        """A session with its transaction begun; SQLite's write lock is retried within a bound while
        another program holds it (said once through ``on_wait``, ``on_wait_tick`` at every try after the
        first), then :class:`DatabaseBusy`; :class:`WaitCancelled` when the tick says stop. ``reading``: an
        outage is said as a read that failed (:func:`unavailable`)."""
        deadline: float | None = None
        options: dict[str, Any] = {"adk_write": write}
        if autocommit:
            options["isolation_level"] = "AUTOCOMMIT"
        elif snapshot and not self.is_sqlite:  # SQLite's read transaction is one snapshot already (WAL)
            options["isolation_level"] = "REPEATABLE READ"
        watch = _WATCH.get()
        if watch is not None:
            if watch.stopped():  # stopped before its write began: nothing begun, nothing written
                raise WaitCancelled()
            if self.is_sqlite and write:  # short tries from the first: the quiet moment is counted below
                options["adk_busy_ms"] = max(1, int(POLL_WAIT * 1000))
        started = time.monotonic()
        with self._saying_wait(f"{self.name} is busy (another program is writing to it); waiting…") as say:
            while True:
                session = self._factory()
                try:
                    session.connection(execution_options=options)
                    if write and not self.is_sqlite and not autocommit and not _writing_here(self.engine):
                        # team mode's BEGIN IMMEDIATE: writers take turns from the start of their transaction,
                        # so a check made before the first write (a name already on the list, the next case
                        # number, a reference in use) still holds when the row is written. Before, the only
                        # wait was the audit head's row lock, taken at the first flush, and under READ
                        # COMMITTED two PCs both passed such a check (multi-user trial, 5 December 2026).
                        self._take_writer_lock(session)
                        session.info[_WRITER_LOCK] = True
                    return session
                except (exc.DBAPIError, exc.DisconnectionError) as err:
                    session.close()
                    if is_outage(err):
                        raise unavailable(err, reading=reading) from err
                    refused = refusal(err)
                    if refused is not None:
                        raise refused from err
                    if not isinstance(err, exc.OperationalError) or not is_busy_error(err):
                        raise
                    now = time.monotonic()
                    if deadline is None:
                        deadline = now + busy_wait(BUSY_WAIT)
                        # the next tries wait a moment each inside SQLite, not BUSY_TIMEOUT_MS: the window
                        # is redrawn (and Cancel answered) between them
                        options["adk_busy_ms"] = max(1, int(POLL_WAIT * 1000))
                    if watch is None or now - started >= watch.quiet:
                        say()
                    if now >= deadline:
                        raise DatabaseBusy(busy_message(self.name)) from err
                    self._tick()
                except BaseException:
                    session.close()  # nothing was written: the writer lock (if taken) goes with it
                    raise

    def _take_writer_lock(self, session: Session) -> None:
        """Team mode: take the writer lock, waiting at most ``BUSY_WAIT`` seconds (``ADOPTION_DESKTOP_BUSY_WAIT``)
        behind a colleague's long write (an import, a verify's baseline), said once through ``on_wait``;
        then :class:`DatabaseBusy`, nothing changed. The wait had no bound: a save sat silent for as long as
        the other write lasted. It is a poll (``pg_try_advisory_xact_lock``), not one blocking wait: between
        tries ``on_wait_tick`` redraws the window and may stop the wait (:class:`WaitCancelled`); before, the
        window froze for up to the whole bound."""
        key = {"key": PG_WRITER_LOCK_KEY}
        bound = busy_wait(BUSY_WAIT)
        started = time.monotonic()
        deadline = started + bound
        # most waits are a colleague's save of a fraction of a second: tried again quietly for a moment
        # before anything is said (a trial's status line said "busy" two or three times per sign-in)
        quiet_until = started + min(QUIET_WAIT, bound / 2)
        message = f"{self.name} is busy: a colleague's change (or an import) is being saved; waiting…"
        with self._saying_wait(message) as say:
            while not session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), key).scalar():
                now = time.monotonic()
                if now >= deadline:
                    raise DatabaseBusy(busy_message(self.name))
                pause = 0.05
                if now >= quiet_until:
                    say()
                    self._tick()
                    pause = POLL_WAIT
                time.sleep(max(0.0, min(pause, deadline - time.monotonic())))

    def start_page_check(self) -> None:
        """Start the deferred page check: SQLCipher's on a second thread (SQLite releases the GIL), e.g.
        while the caller reads and draws (on a WAL file reads beside the check are not held back:
        measured 0.1 ms a query, as alone); the quick check (:mod:`core.storage.page_check`) at once on
        this thread, its outcome kept for :meth:`wait_checked`. Every write waits for it."""
        work, self.deferred_page_check = self.deferred_page_check, None
        if work is None:
            return
        if not self.page_check_inline:
            self.page_check = run_beside(work, "page check")
            return
        done: Future[None] = Future()
        self.page_check = done  # pending from now on: a write on another thread waits for it
        try:
            work()
        except Exception as exc:  # kept, and raised by wait_checked (every time)
            done.set_exception(exc)
        except BaseException as exc:  # Ctrl-C stops the command now; a later wait raises it too, never hangs
            done.set_exception(exc)
            raise
        else:
            done.set_result(None)

    def wait_checked(self) -> None:
        """Wait for the deferred page check (starting it if need be): a damaged file raises
        :class:`DatabaseDamaged` here (every time), before anything is written or shown."""
        self.start_page_check()
        if self.page_check is not None:
            self.page_check.result()

    @property
    def page_check_pending(self) -> bool:
        return self.deferred_page_check is not None or (self.page_check is not None and not self.page_check.done())

    @contextlib.contextmanager
    def session(self, actor: Principal = SYSTEM, *, write: bool = True, each_statement: bool = False,
                own_password_change: bool = False, snapshot: bool = False,
                views_only: bool = False) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any exception.

        ``write=False`` for read-only work that writes no audit entry (paged lists, figures). A write
        first waits for the page check, if one is still running (:meth:`wait_checked`).
        ``each_statement=True`` (with ``write=False``; PostgreSQL only) runs each statement in its own
        transaction (autocommit): for reads that need nothing in common but what READ COMMITTED gives
        anyway (each statement its own snapshot), without the BEGIN and COMMIT round trips (two of the
        four a search keystroke made in team mode). ``own_password_change=True``: the actor changing their
        own password (``security.service.change_own_password``), allowed to a user who must still change a
        password an administrator set (:func:`check_still_allowed`) and during an audit hold: a security
        step, audited as every write is, that an administrator whose password was reset needs before they
        can review and acknowledge the hold. A file moved to the team server (:attr:`moved_to_server`) refuses
        every other write for good, with the same exceptions (:class:`MovedToServerError`), and one more:
        ``views_only=True``, the opening of a record, which writes nothing but its ``view`` audit entry
        (``audit.record_view``). Like a sign-in's entries it records reading, not work, so records can still be
        looked up in a moved file and each opening is audited there; anything else the session tries to write
        is refused (:class:`_ViewsOnly`). An audit hold refuses views as well: its log is under review (cut
        short, rewritten, a table missing, a trigger planted that would run inside the entry's own statement)
        and is left as it was found until an administrator acknowledges it, which a hold, unlike a move, can be.
        ``snapshot=True`` (with ``write=False``): every statement sees the database as at the first
        (PostgreSQL: REPEATABLE READ; SQLite's read transactions always do), for a check that compares tables with one another (``verify``: a colleague's save committed
        between reading the log and reading the rows looked like a change made outside the program)."""
        if write and self.waiting_for_writer:  # a timer that fired while this thread waits for the lock
            raise DatabaseBusy(REENTERED_MESSAGE)
        if write:
            self.wait_checked()
        reading = not write or views_only  # a list read, a record opened: no work of the person's to lose
        session = self._begin(write, autocommit=each_statement and not write and not self.is_sqlite,
                              snapshot=snapshot and not write, reading=reading)
        session.info["actor"] = actor
        #: the audit log is known not to match its anchors (entries may be missing): sign-in does not ask for
        #: the entries behind seals then, or no administrator could sign in to acknowledge it
        session.info["audit_hold"] = self.audit_hold is not None
        token = _CURRENT_SESSION.set(session)
        wrote, watching = written.watch()
        committing = False  # True once COMMIT may have reached the server: a loss then is of unknown outcome
        views: _ViewsOnly | None = None
        moved_refusal = f"Nothing was saved. {self.moved_to_server}"
        try:
            if write and self.moved_to_server is not None and actor != SYSTEM and not own_password_change \
                    and not views_only:
                raise MovedToServerError(moved_refusal)
            if write and self.audit_hold is not None and actor != SYSTEM and not own_password_change:  # [audit hook]
                hold = self.audit_hold
                raise AuditHoldError(held_reading_message(hold) if views_only else held_message(hold), hold)
            if actor.user_id > 0:
                check_still_allowed(session, actor, before_password_change=own_password_change)
            if write and self.moved_to_server is not None and actor != SYSTEM and not own_password_change:
                views = _ViewsOnly(session)
            yield session
            session.flush()  # a loss while flushing left nothing stored; from COMMIT on, nobody knows
            if views is not None:
                views.check(session, moved_refusal)
            still_there = self._still_there(session, wrote)
            committing = write and not self.is_sqlite
            session.commit()
            self._committed(wrote, still_there)
        except StaleDataError as err:  # two writers updated one version of a row: the later one loses
            session.rollback()
            raise StaleRecord("Someone else saved this record at the same moment; nothing of yours was "
                              "saved. Reload it and apply your change again.") from err
        except (exc.DBAPIError, exc.DisconnectionError) as err:
            if not self.is_sqlite and is_outage(err):
                with contextlib.suppress(Exception):  # the connection is gone: nothing to roll back on it
                    session.rollback()
                raise unavailable(err, committing=committing, reading=reading) from err
            session.rollback()
            if not self.is_sqlite and is_clash(err):  # the loser of a deadlock: nothing of it was stored
                _log.warning("transaction stopped by the server (SQLSTATE %s): %s",
                             getattr(_driver_error(err), "sqlstate", None), _one_line(err.orig or err)
                             if isinstance(err, exc.DBAPIError) else err)
                raise DatabaseClash() from err
            if isinstance(err, exc.DisconnectionError):
                raise
            if views is not None and views.refused:  # SQLite refused a write in a session that only views
                raise MovedToServerError(moved_refusal) from err
            if self.is_sqlite and is_busy_error(err):
                raise DatabaseBusy(busy_message(self.name)) from err
            if self.is_sqlite and is_damage_error(err):
                raise DatabaseDamaged(damaged_message(self.name, _message(err))) from err
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            if views is not None:
                views.stop()
            written.stop(watching)
            _CURRENT_SESSION.reset(token)
            session.close()
            _run_after_session()

    def _still_there(self, session: Session, wrote: written.Written) -> bool:
        """Before the commit of a transaction that wrote entries: does the log still have the entry this
        object last wrote? (One lookup by key.) When it does not, that entry stays the one remembered, even
        when the log grows past its number again: the anchors are moved to it, not to the log."""
        if wrote.last is not None:  # an entry appended, then rolled back within the block (``s.rollback()``)
            mine = session.execute(text("SELECT hash FROM audit_log WHERE seq = :seq"), {"seq": wrote.last[0]})
            if mine.scalar() != wrote.last[1]:
                wrote.last = None  # not written: never remembered (the anchors would wait for it for ever)
        if wrote.last is None or self.last_written is None:
            return True
        seq, digest = self.last_written
        found = session.execute(text("SELECT hash FROM audit_log WHERE seq = :seq"), {"seq": seq}).scalar()
        return found == digest

    def _committed(self, wrote: written.Written, still_there: bool = True) -> None:
        """A transaction committed: its last audit entry is remembered (the newest this object wrote, while
        the log still has the one remembered before), and when it made a record final the anchors move on
        once it has ended (``anchors.after_final``, one call a transaction: a batch of letters sent costs
        one, not one a letter)."""
        if wrote.last is not None and still_there and (self.last_written is None
                                                       or wrote.last[0] > self.last_written[0]):
            self.last_written = wrote.last
        if wrote.final:
            from adoption_desktop.core.audit import anchors

            after_session(lambda: anchors.after_final(self))

    @contextlib.contextmanager
    def read_cursor(self, actor: Principal = SYSTEM, stop: Interrupt | None = None) -> Iterator[Any]:
        """A read-only transaction on the embedded store as a DB-API cursor, for a hot path that runs
        statements compiled once (a register's search, once per keystroke): what
        ``session(actor, write=False)`` does, without building an ORM session for four statements.

        A pooled connection, a deferred ``BEGIN`` (never waits for a writer), the same sign-in check (a
        user disabled, or whose roles were changed, since signing in is refused), no audit entry (as
        every list read); rolled back at the end (nothing was written). ``stop`` interrupts it from another
        thread (:class:`~adoption_desktop.core.storage.interrupt.Interrupted`). Errors are reported as
        :meth:`session` reports them (busy, damaged). SQLite only: team mode has its own statements."""
        if not self.is_sqlite:
            raise ValueError("read_cursor is for the embedded store")
        raw = self.engine.raw_connection()
        token = _RAW_TRANSACTION.set(True)
        try:
            with stop.watching_connection(raw.dbapi_connection) if stop else contextlib.nullcontext():
                cursor = raw.cursor()
                cursor.execute("BEGIN")
                if actor.user_id > 0:
                    _refuse_if_changed(cursor.execute(_STILL_ALLOWED_SQLITE, (actor.user_id,)).fetchall(), actor)
                yield cursor
                raw.rollback()
        except Exception as err:
            if is_busy_error(err):
                raise DatabaseBusy(busy_message(self.name)) from err
            if is_damage_error(err) and type(err).__module__.startswith(("sqlcipher3", "sqlite3")):
                raise DatabaseDamaged(damaged_message(self.name, _message(err))) from err
            raise
        finally:
            _RAW_TRANSACTION.reset(token)
            raw.close()  # back to the pool, which rolls back whatever is still open
            _run_after_session()

    @property
    def is_sqlite(self) -> bool:
        return self.kind == "sqlcipher"

    def dispose(self, *, write_anchor: bool = True) -> None:
        """Close every connection and give up the hold. The audit anchors (a team server's witness)
        advance first, if the log confirms them; not when the database is closed because it was
        refused (nothing may change then)."""
        if self.page_check is not None or (write_anchor and self.deferred_page_check is not None):
            try:  # never leave the check running; a damaged file keeps its anchor as it was
                self.wait_checked()
            except BaseException:
                write_anchor = False
        self.disposed = True
        try:
            if write_anchor:
                self.write_audit_anchor()
            if not self.is_sqlite:  # the advisory lock lives on one of the engine's connections
                self._release_hold()
            self.engine.dispose()
        finally:
            self._release_hold()  # a file's hold only once no connection is left

    def _release_hold(self) -> None:
        if self.hold is not None:
            hold, self.hold = self.hold, None
            hold.release()

    def write_audit_anchor(self) -> None:
        from adoption_desktop.core.audit import anchors  # [audit hook]

        if self.path is None or self.path.exists():
            anchors.on_close(self)

    def run_outside_transaction(self, sql: str, params: tuple[object, ...] = ()) -> None:
        """Statements SQLite refuses inside a transaction (checkpoint, VACUUM INTO)."""
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute(sql, params)
            cur.fetchall()
            cur.close()
        finally:
            raw.close()

    def checkpoint(self) -> None:
        if self.is_sqlite:
            self.run_outside_transaction("PRAGMA wal_checkpoint(TRUNCATE)")


#: said to a session signed in before its account's password changed (``password_serial``): an
#: administrator's reset, or the user's own change in another window or on another PC
PASSWORD_CHANGED = ("Your password was changed since you signed in (by an administrator, or by you in another "
                    "window); sign in again.")

_STILL_ALLOWED = ("SELECT u.disabled, r.role, u.password_serial, u.must_change_password FROM users u "
                  "LEFT JOIN user_roles r ON r.user_id = u.id WHERE u.id = ")
_STILL_ALLOWED_SQLITE = _STILL_ALLOWED + "?"  # the same statement SQLAlchemy sends for it (read_cursor)


def check_still_allowed(session: Session, actor: Principal, *, before_password_change: bool = False) -> None:
    """A user disabled, whose roles were changed or whose password was changed (an administrator's reset,
    or their own change in another session) since signing in is refused at once (another administrator,
    perhaps on another PC in team mode, may have done it while this window is open); so is a user who must still change a password an administrator set,
    unless ``before_password_change`` (that change itself, signing out). Run when a session opens, and
    again by a use case that has just locked the actor's row (what was read when the session opened may
    predate a colleague's commit)."""
    _refuse_if_changed(session.execute(text(_STILL_ALLOWED + ":id"), {"id": actor.user_id}).all(), actor,
                       before_password_change=before_password_change)


def _refuse_if_changed(rows: Sequence[Any], actor: Principal, *, before_password_change: bool = False) -> None:
    if not rows or rows[0][0]:
        _tell_refused(actor, "the account is disabled or no longer exists")
        raise AccountChanged(f"The account {actor.username!r} is disabled or no longer exists.", ACCOUNT_DISABLED)
    if rows[0][2] != actor.password_serial:
        _tell_refused(actor, "the password was changed since signing in")
        raise AccountChanged(PASSWORD_CHANGED, ACCOUNT_PASSWORD_CHANGED)
    # a role row not in effect at sign-in (added outside the application) is no change; one added since is
    current = {r[1] for r in rows if r[1] is not None} - actor.roles_withheld
    if current != {str(role) for role in actor.roles}:
        _tell_refused(actor, "the roles changed since signing in")
        raise AccountChanged("Your roles were changed by an administrator: sign in again to continue.",
                             ACCOUNT_ROLES_CHANGED)
    if rows[0][3] and not before_password_change:
        _tell_refused(actor, "the password set by an administrator is not changed yet")
        raise AccountChanged("Your password was set by an administrator: choose your own before anything "
                             "else (sign in again to be asked for it).", ACCOUNT_PASSWORD_DUE)


def _tell_refused(actor: Principal, reason: str) -> None:
    """The refusal of a signed-in account goes to its listener (audited) like ``require``'s, naming the use
    case that opened the session: the first public function outside this module and ``contextlib`` (a
    use case's private helper, such as a register's keystroke query or a row lock, is passed over)."""
    frame = sys._getframe(2)
    while frame.f_back is not None and (frame.f_globals.get("__name__") in (__name__, "contextlib")
                                        or frame.f_code.co_name.startswith(("_", "<"))):
        frame = frame.f_back
    tell_refused(actor, (), f"{frame.f_globals.get('__name__', '?')}.{frame.f_code.co_name}: {reason}")


def make_sqlcipher_engine(path: Path, key: bytes | bytearray) -> Engine:
    # A queue of connections, each used by one thread at a time (SQLite is built serialised, so a
    # connection may move between threads): SQLAlchemy's SingletonThreadPool closed connections that
    # other threads still used and crashed the process with more than five threads (stack notes).
    # No upper bound: a thread never waits for a connection; those above pool_size are closed on return.
    return _sqlcipher_engine(sqlcipher_url(path, key), poolclass=QueuePool, pool_size=8, max_overflow=-1)


def _sqlcipher_engine(url: URL, **pool: Any) -> Engine:
    engine = create_engine(url, pool_pre_ping=False, connect_args={"check_same_thread": False}, **pool)
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "connect")
    def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves

    event.listen(engine, "begin", _sqlite_begin)
    return engine


def check_file_shape(path: Path) -> None:
    """Refuse, before SQLite touches it, a file that cannot be an encrypted database: SQLite would
    turn an empty file into a new database, and read a plain one without its key."""
    if not path.exists():
        raise DatabaseOpenError(f"No database at {path}.")
    if path.is_dir():
        raise DatabaseOpenError(f"{path} is a folder, not a database file.")
    size = path.stat().st_size
    if size == 0:
        raise DatabaseDamaged(f"{path.name} is empty (0 bytes), so it is not a database. Restore it from a "
                              "backup; nothing was changed.")
    with path.open("rb") as fh:
        head = fh.read(16)
    if head == SQLITE_MAGIC:
        raise DatabaseOpenError(f"{path.name} is an unencrypted SQLite file, not an Adoption Desktop "
                                "database; it will not be opened. Nothing was changed.")
    if head.startswith(b"PK\x03\x04") and path.suffix.lower() == ".adkbak":  # a backup is a zip of the database
        raise DatabaseOpenError(f"{path.name} is a backup, not a database: restore it to a new file "
                                f"(adoption-desktop restore --from \"{path}\" --db NEW.db), then open or "
                                "verify that. Nothing was changed.")
    if size % MIN_PAGE:
        raise DatabaseDamaged(f"{path.name} is not a whole database ({size:,} bytes is not a whole number of "
                              "pages): it was cut short, or it is another kind of file. Restore it from a "
                              "backup; nothing was changed.")


def open_sqlcipher(path: Path, key: bytes | bytearray, *, must_exist: bool = True, hold: Hold | None = None,
                   on_wait: WaitReport | None = None) -> Database:
    """Open an encrypted file. The opener takes the shared hold on it (waiting, within a bound, for an
    upgrade, move or restore by another program) unless ``hold`` (already taken by the caller, e.g.
    an exclusive one for maintenance) is given: then the caller keeps and releases it."""
    path = Path(path)
    if must_exist or (path.exists() and path.stat().st_size > 0):
        check_file_shape(path)
    secure_umask()
    own = hold is None
    if hold is None:
        hold = FileHold.acquire(path, exclusive=False, wait=busy_wait(OPEN_WAIT),
                                message=maintenance_message(path.name), on_wait=on_wait)
    try:
        engine = make_sqlcipher_engine(path, key)
        _first_read(engine, path, on_wait)
    except BaseException:
        if own:
            hold.release()
        raise
    return Database(engine, "sqlcipher", path, label=str(path), hold=hold if own else None, on_wait=on_wait)


def _first_read(engine: Engine, path: Path, on_wait: WaitReport | None) -> None:
    """Read the schema once: a wrong key shows here. Busy (another program's long write while this
    connection sets itself up) is waited for within a bound and is never reported as a wrong key."""
    deadline: float | None = None
    while True:
        try:
            with read_connection(engine) as conn:
                conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
            return
        except exc.DatabaseError as err:
            if is_busy_error(err):
                now = time.monotonic()
                if deadline is None:
                    deadline = now + busy_wait(BUSY_WAIT)
                    if on_wait is not None:
                        on_wait(f"{path.name} is busy (another program is writing to it); waiting…")
                if now < deadline:
                    continue
                engine.dispose()
                raise DatabaseBusy(busy_message(path.name)) from err
            engine.dispose()
            if "not a database" in _message(err):
                raise DatabaseOpenError(
                    f"{path.name} could not be opened with this key: the key is wrong, or the file is "
                    "damaged or not an Adoption Desktop database. Nothing was changed.") from err
            raise file_error(path, path.name, err) from err


def run_beside(work: Callable[[], None], name: str) -> Future[None]:
    """``work()`` on a second thread (a daemon: it never keeps the process alive); its outcome, an
    exception included, is the future's. For C work that releases the GIL (SQLite, argon2)."""
    future: Future[None] = Future()

    def run() -> None:
        try:
            work()
        except BaseException as exc:
            future.set_exception(exc)
        else:
            future.set_result(None)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future


#: a pooled PostgreSQL connection idle longer than this is pinged before use (see _ping_when_idle)
PING_AFTER_IDLE_S = 5.0


def _mark_connect_errors(engine: Engine) -> None:
    """Mark a driver error raised while *opening* a connection: only then does an error with no SQLSTATE
    say the server was not reached (or refused), rather than a fault in the program's own use of it."""

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as err:
            setattr(err, _CONNECTING, True)
            raise


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling without a round trip per use: a connection back in the pool for
    more than :data:`PING_AFTER_IDLE_S` (the server may have restarted, a firewall may have dropped it)
    is pinged when checked out, and replaced if the ping fails. ``pool_pre_ping`` pinged on every
    checkout: one round trip of the five a search keystroke made in team mode."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["adk_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("adk_idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as err:  # any failure means: use a new connection
            raise exc.DisconnectionError(str(err)) from err


#: said at start-up when the team server does not answer (the window offers Retry and Close)
STARTUP_UNREACHABLE = ("Could not reach the PostgreSQL server (the team database): it may be stopped or "
                       "restarting, or the network is down. Nothing was changed. Retry when it is back, or "
                       "ask IT.")


#: said at start-up when the team server takes no more connections (the window offers Retry and Close)
STARTUP_FULL = ("The PostgreSQL server (the team database) is not taking more connections just now: too many are "
                "open. Nothing was changed. Retry in a moment; if it goes on, ask IT (the server's connection "
                "limit).")


#: libpq settings for a team server that stops answering without refusing (a hung network, a switch
#: gone): a connection attempt gives up after 10 s, and a dead connection is noticed by TCP keepalives
#: within about a minute, instead of the window waiting for the operating system's own timeouts
#: (minutes). A setting given in the database address wins.
LIBPQ_TIMEOUTS = {"connect_timeout": 10, "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                  "keepalives_count": 3}


def open_postgresql(url: str | URL) -> Database:
    given = make_url(url)
    connect_args = {k: v for k, v in LIBPQ_TIMEOUTS.items() if k not in given.query}
    engine = create_engine(given, pool_pre_ping=False, connect_args=connect_args)
    _mark_connect_errors(engine)
    _ping_when_idle(engine)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except exc.DBAPIError as err:
        engine.dispose()
        if is_server_full(err):
            unavailable(err)  # the driver's text (server, port) to the log
            raise DatabaseServerFull(STARTUP_FULL) from err
        if is_connection_lost(err):
            unavailable(err)  # the driver's text (server, port) to the log
            raise DatabaseUnavailable(STARTUP_UNREACHABLE) from err
        refused = refusal(err)
        if refused is not None:
            raise refused from err
        detail = _one_line(err.orig or err)
        if (given.host and given.host in detail) or (given.port and str(given.port) in detail) or "port " in detail:
            _log.warning("could not open the team database: %s", detail)  # server, port: the log only
            detail = "the server answered with an error; the details are in the log"
        raise DatabaseOpenError(f"Could not open the team database ({detail}). Nothing was changed; "
                                "ask IT.") from err
    rendered = engine.url.render_as_string(hide_password=True)
    return Database(engine, "postgresql", None, label=rendered)


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def session_actor(session: Session) -> Principal:
    actor = session.info.get("actor", SYSTEM)
    assert isinstance(actor, Principal)
    return actor
