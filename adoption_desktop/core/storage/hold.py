"""Who has a database open: a shared hold for every opener, an exclusive hold for maintenance.

* **Embedded file** ``NAME.db``: an operating-system lock on ``NAME.db.lock`` (``flock`` on Linux and
  macOS, ``LockFileEx`` on Windows). Every program that opens the database takes it *shared* for as
  long as it has the database open; ``upgrade`` (and the upgrade on first open), ``move-database`` and
  ``restore`` take it *exclusive*. The operating system drops the lock when its holder exits or
  crashes, so a stale lock cannot outlive a program. The lock file itself is empty and is never
  deleted while the database exists (deleting it would let two programs lock two different files).
* **PostgreSQL** (team mode): a session-level advisory lock on a dedicated connection, shared for
  every open application, exclusive for a schema upgrade.

Openers wait a bounded time for a maintenance job to finish (``waiting…`` is reported once); a
maintenance job that finds the database open elsewhere waits briefly, then refuses and changes nothing.
Both bounds can be set with ``ADOPTION_DESKTOP_BUSY_WAIT`` (seconds) for scripts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from adoption_desktop.core.errors import DatabaseBusy, DatabaseOpenError

_log = logging.getLogger(__name__)

ENV_BUSY_WAIT = "ADOPTION_DESKTOP_BUSY_WAIT"
#: how long an opener waits for another program's upgrade, move, restore or new database key (seconds)
OPEN_WAIT = 60.0
#: how long maintenance waits for other programs to close the database before it refuses (seconds)
MAINTENANCE_WAIT = 5.0
#: the PostgreSQL advisory lock key: "ADKHOLD1" (advisory locks are per database)
PG_LOCK_KEY = int.from_bytes(b"ADKHOLD1", "big") & 0x7FFF_FFFF_FFFF_FFFF

WaitReport = Callable[[str], None]


def busy_wait(default: float) -> float:
    """``default``, or the number of seconds in ``ADOPTION_DESKTOP_BUSY_WAIT``."""
    raw = os.environ.get(ENV_BUSY_WAIT, "").strip()
    try:
        return max(0.0, float(raw)) if raw else default
    except ValueError:
        return default


def lock_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class Hold(Protocol):
    exclusive: bool

    def release(self) -> None: ...


def in_use_message(name: str, what: str) -> str:
    return (f"{name} is open in another program (Adoption Desktop on this or another computer, or a "
            f"command still running), so it cannot be {what} now. Close it there and try again; "
            "nothing was changed.")


def maintenance_message(name: str) -> str:
    return (f"{name} is being upgraded, moved or restored, or given a new database key, by another program "
            "and stayed unavailable (a new database key re-encrypts the whole file, which can take some minutes "
            "for a large one); try again when that has finished. Nothing was changed.")


def _report(on_wait: WaitReport | None, message: str) -> None:
    _log.info("database busy; waiting")
    if on_wait is not None:
        on_wait(message)


if sys.platform == "win32":  # pragma: no cover - exercised by the Windows build
    import ctypes
    import msvcrt
    from ctypes import wintypes

    class _Overlapped(ctypes.Structure):
        _fields_ = [("Internal", ctypes.c_void_p), ("InternalHigh", ctypes.c_void_p),
                    ("Offset", wintypes.DWORD), ("OffsetHigh", wintypes.DWORD), ("hEvent", wintypes.HANDLE)]

    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _LOCKFILE_FAIL_IMMEDIATELY = 0x1
    _LOCKFILE_EXCLUSIVE_LOCK = 0x2

    def _try_lock(fd: int, exclusive: bool) -> bool:
        handle = msvcrt.get_osfhandle(fd)
        flags = _LOCKFILE_FAIL_IMMEDIATELY | (_LOCKFILE_EXCLUSIVE_LOCK if exclusive else 0)
        ov = _Overlapped()
        return bool(_kernel32.LockFileEx(wintypes.HANDLE(handle), flags, 0, 1, 0, ctypes.byref(ov)))

    def _unlock(fd: int) -> None:
        ov = _Overlapped()
        _kernel32.UnlockFileEx(wintypes.HANDLE(msvcrt.get_osfhandle(fd)), 0, 1, 0, ctypes.byref(ov))

    def _same_file(fd: int, path: Path) -> bool:
        return path.exists()  # Windows cannot delete a file another program holds open
else:
    import fcntl

    def _try_lock(fd: int, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

    def _same_file(fd: int, path: Path) -> bool:
        try:
            return os.fstat(fd).st_ino == path.stat().st_ino
        except OSError:
            return False


def try_lock(fd: int, *, exclusive: bool) -> bool:
    """An operating-system lock on ``fd``'s file, taken without waiting: False when another program (or
    another open of the file) holds it. Dropped by the operating system when the holder exits or crashes."""
    return _try_lock(fd, exclusive)


def unlock(fd: int) -> None:
    _unlock(fd)


@contextlib.contextmanager
def file_lock(path: Path, *, wait: float) -> Iterator[bool | None]:
    """An exclusive operating-system lock on the lock file ``path`` (empty, made if missing, never deleted) for
    the ``with`` block, between programs and between threads (each open of the file is its own holder).

    Yields ``True`` while held; ``False`` when another holder still had it after ``wait`` seconds (0: without
    waiting); ``None`` when the lock file cannot be made or opened (a read-only folder), or its file system
    takes no locks (a network mount without lock support: ``ENOLCK``): the caller decides.
    Used by the scheduled backup's claim and the per-user settings file's writes."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    except OSError:
        yield None
        return
    try:
        deadline = time.monotonic() + wait
        pause = 0.001
        while True:
            try:
                got: bool | None = _try_lock(fd, True)
            except OSError:  # not "held by another" (that is False): no lock can be had here at all
                got = None
            if got is None:
                yield None
                return
            if got:
                break
            if time.monotonic() >= deadline:
                yield False
                return
            time.sleep(pause)  # short at first: a holder of a small file's lock is done in milliseconds
            pause = min(pause * 2, 0.02)
        try:
            yield True
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


class FileHold:
    """A shared or exclusive hold on an embedded database (its ``NAME.db.lock``)."""

    def __init__(self, lock_path: Path, fd: int, exclusive: bool) -> None:
        self.lock_path, self._fd, self.exclusive = lock_path, fd, exclusive

    @classmethod
    def try_acquire(cls, db_path: Path, *, exclusive: bool) -> FileHold | None:
        lock_path = lock_file_for(Path(db_path))
        while True:
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
            except (PermissionError, OSError) as err:
                if isinstance(err, FileNotFoundError) or exclusive:
                    raise DatabaseOpenError(
                        f"{lock_path.name} cannot be created or opened beside the database "
                        f"({err.strerror}); the folder must be writable for this. Nothing was changed.") from err
                # a read-only folder or medium: nobody can change the database there either, so an
                # opener (to read, verify or back it up) goes ahead without a hold
                _log.info("lock file not writable; opened without a hold")
                return cls(lock_path, -1, exclusive)
            if not _try_lock(fd, exclusive):
                os.close(fd)
                return None
            if _same_file(fd, lock_path):
                return cls(lock_path, fd, exclusive)
            os.close(fd)  # the lock file was replaced while we waited (a move removed it): try again

    @classmethod
    def acquire(cls, db_path: Path, *, exclusive: bool, wait: float, message: str,
                on_wait: WaitReport | None = None) -> FileHold:
        """Take the hold, waiting up to ``wait`` seconds (``on_wait(message)`` once when it has to
        wait); :class:`DatabaseBusy` with ``message`` when it is still held elsewhere after that."""
        deadline = time.monotonic() + wait
        reported = False
        while True:
            hold = cls.try_acquire(db_path, exclusive=exclusive)
            if hold is not None:
                return hold
            if time.monotonic() >= deadline:
                raise DatabaseBusy(message)
            if not reported:
                _report(on_wait, f"{Path(db_path).name} is open in another program; waiting…")
                reported = True
            time.sleep(0.1)

    def release(self) -> None:
        if self._fd < 0:
            return
        try:
            _unlock(self._fd)
        finally:
            os.close(self._fd)
            self._fd = -1

    def remove_lock_file(self) -> None:
        """With an exclusive hold, after the database itself was deleted (a move or a failed restore)."""
        assert self.exclusive
        with contextlib.suppress(OSError):  # Windows: the file is open (by us); it stays, empty
            self.lock_path.unlink(missing_ok=True)


class PgHold:
    """A session-level advisory lock on its own connection (autocommit, so it never idles in a
    transaction); unlocked and closed on release."""

    def __init__(self, connection: Any, exclusive: bool) -> None:
        self._conn, self.exclusive = connection, exclusive

    @classmethod
    def acquire(cls, engine: Any, *, exclusive: bool, wait: float, message: str,
                on_wait: WaitReport | None = None) -> PgHold:
        from sqlalchemy import text

        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        fn = "pg_try_advisory_lock" if exclusive else "pg_try_advisory_lock_shared"
        deadline = time.monotonic() + wait
        reported = False
        try:
            while not conn.execute(text(f"SELECT {fn}(:k)"), {"k": PG_LOCK_KEY}).scalar_one():
                if time.monotonic() >= deadline:
                    raise DatabaseBusy(message)
                if not reported:
                    _report(on_wait, "The database is being used by another program; waiting…")
                    reported = True
                time.sleep(0.1)
        except BaseException:
            conn.close()
            raise
        return cls(conn, exclusive)

    def release(self) -> None:
        if self._conn is None:
            return
        from sqlalchemy import text

        fn = "pg_advisory_unlock" if self.exclusive else "pg_advisory_unlock_shared"
        try:
            self._conn.execute(text(f"SELECT {fn}(:k)"), {"k": PG_LOCK_KEY})
        except Exception:  # the server went away: the lock went with the session
            self._conn.invalidate()
        finally:
            self._conn.close()
            self._conn = None
