"""Whether a program run on this PC is still running: a mark per run, as a locked file.

A program that takes a presence lease (``core.presence``) first makes its mark: a random name and the file
``running/NAME.lock`` in this user's data folder, locked for as long as the program runs. The operating
system drops the lock when the program exits, crashes or is ended from Task Manager, so another program of
the same user on the same PC can tell that a mark's program has ended: its file is there and nobody holds
its lock. A mark made on another PC (or by another Windows user) has no file here and is never taken for
ended; its leases lapse with time, as before.

The name is checked before it becomes a path: a mark read from the database never names a file outside
the folder.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import threading
import time
from pathlib import Path

from adoption_desktop.core.config import app_paths
from adoption_desktop.core.storage.hold import try_lock, unlock

#: a mark: 32 lower-case hexadecimal digits (nothing else is ever looked up as a file)
MARK = re.compile(r"[0-9a-f]{32}")
#: ended programs' files removed when a mark is made (bounded: a folder left to grow is swept over time)
SWEEP_AT_MOST = 50
#: a running program's file is touched when its mark is asked for (each lease taken or renewed), at most this
#: often; an ended program's file is removed once untouched for :data:`KEEP_SECONDS`, by then every lease it
#: held has lapsed (``core.presence``: two minutes), so a lease is never left naming a mark with no file
TOUCH_SECONDS = 30
KEEP_SECONDS = 600

_lock = threading.Lock()
_mine: tuple[str, int, Path] | None = None  # (mark, the locked file's descriptor, its folder)
_touched = 0.0  # time.monotonic() of the last touch of this program's file


def folder() -> Path:
    return app_paths().data / "running"


def this_program() -> str | None:
    """This program's mark, made (and its file locked) on first use; ``None`` when the folder cannot be
    written (a lease is then taken without a mark, and lapses with time as before). Its file is touched (see
    :data:`TOUCH_SECONDS`)."""
    global _mine, _touched
    with _lock:
        where = folder()
        if _mine is not None and _mine[2] == where:
            if time.monotonic() - _touched >= TOUCH_SECONDS:
                with contextlib.suppress(OSError):
                    os.utime(where / f"{_mine[0]}.lock")
                _touched = time.monotonic()
            return _mine[0]
        try:
            where.mkdir(parents=True, exist_ok=True)
            mark = secrets.token_hex(16)
            fd = os.open(where / f"{mark}.lock", os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         0o600)
        except OSError:
            return None
        if not try_lock(fd, exclusive=True):  # a new file of a random name: nobody else can hold it
            os.close(fd)
            return None
        if _mine is not None:  # the data folder moved (tests): the old mark's program goes on elsewhere
            with contextlib.suppress(OSError):
                os.close(_mine[1])
        _mine, _touched = (mark, fd, where), time.monotonic()
    _sweep(where, mark)
    return mark


def has_ended(mark: str | None) -> bool:
    """Whether ``mark``'s program ran on this PC (for this user) and has ended. False for this program, for
    a mark from another PC, for ``None`` and for anything that is not a mark."""
    if not mark or not MARK.fullmatch(mark) or (_mine is not None and _mine[0] == mark):
        return False
    return _ended(folder() / f"{mark}.lock")


def _ended(path: Path) -> bool:
    """The file is here and its lock can be taken: its program has ended. The file is kept (leases naming
    it may not have lapsed yet: :func:`_sweep` removes it later)."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except OSError:
        return False  # not here (another PC), or not readable: not known to have ended
    try:
        if not try_lock(fd, exclusive=True):
            return False
        unlock(fd)
    finally:
        os.close(fd)
    return True


def _sweep(where: Path, mine: str) -> None:
    """Remove the files of programs that have ended and were untouched for :data:`KEEP_SECONDS` (at most
    :data:`SWEEP_AT_MOST` per call)."""
    removed = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(where):
            name = entry.name.removesuffix(".lock")
            if name == mine or not MARK.fullmatch(name) or not entry.name.endswith(".lock"):
                continue
            if time.time() - entry.stat().st_mtime < KEEP_SECONDS or not _ended(Path(entry.path)):
                continue
            with contextlib.suppress(OSError):  # another program removing it at the same time is as good
                os.unlink(entry.path)
            removed += 1
            if removed >= SWEEP_AT_MOST:
                return
