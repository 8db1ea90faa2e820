"""Changes made on the window's thread, written behind it: :func:`defer_writes_on`, the ``settings-writer``
thread, :func:`pending_preferences`, :func:`flush_settings` and the flush as the program ends (atexit)."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adoption_desktop.core.config import settings_locks
from adoption_desktop.core.config.notices import LOCAL_PREFERENCES
from adoption_desktop.core.config.settings_locks import SettingsBusy

if TYPE_CHECKING:
    from adoption_desktop.core.config.settings_file import LocalConfig

#: the package's name, as when this was one module (the log's lines and the tests' caplog name it)
_log = logging.getLogger("adoption_desktop.core.config")


# --- changes made on the window's thread: written behind it ------------------------------------------------
#
# The window saves preferences on its own thread (a Save folder, a tour seen, the database to open, its place
# at close). Waiting there up to SETTINGS_LOCK_WAIT for the lock froze the window behind the automatic backup's
# thread or another copy of the program. A change made on the thread given to defer_writes_on waits for the
# locks SETTINGS_READ_WAIT at most; if it cannot have them it is kept here, in order, and written by one
# background writer with the same read-merge-write (onto the file as it is then); flush_settings writes what
# is left at the end. A command opts nothing in: it is not on a window's thread, and waits as before.


@dataclass(eq=False)
class _Pending:
    config: LocalConfig
    changes: dict[str, Any]
    edit: tuple[str, Callable[[Any], Any]] | None
    said_busy: bool = False  # logged once as waiting

    def names(self) -> list[str]:
        return [*self.changes, *([self.edit[0]] if self.edit is not None else [])]

    def applied_to(self, values: dict[str, Any]) -> dict[str, Any]:
        out = {**values, **self.changes}
        if self.edit is not None:
            out[self.edit[0]] = self.edit[1](out.get(self.edit[0]))
        return out


#: guards _pending and the writer's state; notified when a change is written or given up
_QUEUE = threading.Condition()
_pending: list[_Pending] = []
#: held by whoever is writing the first pending change (the background writer, or flush_settings)
_APPLYING = threading.Lock()
_writer: threading.Thread | None = None
_window_thread: threading.Thread | None = None
#: how long the background writer waits for the locks at each try before it looks at its queue again
_WRITER_SLICE = 0.25


def defer_writes_on(thread: threading.Thread | None) -> None:
    """Changes made on ``thread`` (the window's: ``app.run_gui`` gives it) never wait for the settings file's
    locks longer than :data:`SETTINGS_READ_WAIT`: past it they are written behind it (see above). None: every
    change waits as a command's does. A choice the program makes, rather than guessed from a Qt application
    existing: a command may make one (the self-test, a PDF), and must still be told when its change failed."""
    global _window_thread
    _window_thread = thread


def _on_window_thread() -> bool:
    return _window_thread is not None and threading.current_thread() is _window_thread


def pending_preferences() -> list[str]:
    """The preferences changed in this program but not yet written to their settings file, in order, each once."""
    with _QUEUE:
        return list(dict.fromkeys(key for item in _pending for key in item.names()))


def _same_file(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


def _with_pending(path: Path, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as read from ``path`` with this program's changes still waiting for it applied, in order."""
    with _QUEUE:
        waiting = [item for item in _pending if _same_file(item.config.path, path)]
    for item in waiting:
        values = item.applied_to(values)
    return values


def _defer(item: _Pending) -> None:
    global _writer
    with _QUEUE:
        _pending.append(item)
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_behind, name="settings-writer", daemon=True)
            _writer.start()
        _QUEUE.notify_all()


def _apply_first(wait: float) -> bool:
    """Under :data:`_APPLYING`: write the first pending change, waiting up to ``wait`` for the locks. False:
    the file was busy (the change stays first); True: written, or given up for good (an unwritable profile,
    logged by the preference's name), and taken off the queue either way."""
    with _QUEUE:
        if not _pending:
            return True
        item = _pending[0]
    try:
        written = item.config._write_now(item.changes, item.edit, wait=wait, done=item)
    except Exception as exc:  # a read-only profile, a damaged file kept as it is: as the callers' suppress
        _log.warning("settings file: a change to %s was not saved (%s)", ", ".join(item.names()),
                     type(exc).__name__)
        written = True
    finally:
        item.config._say_notice()
    if written:
        with _QUEUE:
            if _pending and _pending[0] is item:
                _pending.pop(0)
            _QUEUE.notify_all()
    elif not item.said_busy:
        item.said_busy = True  # by the preference's name only: its value may name the user's folders
        _log.info("settings file busy: another program holds its lock; a change to %s waits to be written",
                  ", ".join(item.names()))
    return written


def _write_behind() -> None:
    """The background writer: the pending changes one after another, each as soon as the file is free."""
    while True:
        with _QUEUE:
            while not _pending:
                _QUEUE.wait()
        with _APPLYING:
            written = _apply_first(_WRITER_SLICE)
        if not written:
            time.sleep(0.02)  # let flush_settings take the queue between tries


def flush_settings() -> None:
    """Write the changes still waiting now, waiting for the locks up to :data:`SETTINGS_LOCK_WAIT` in all (the
    window has closed, the program ends). Nothing waiting: returns at once. What still cannot be written is
    given up, logged by the preferences' names (never a value or a folder), and :class:`SettingsBusy` says so."""
    with _QUEUE:
        if not _pending:
            return
    deadline = time.monotonic() + settings_locks.SETTINGS_LOCK_WAIT
    got = _APPLYING.acquire(timeout=settings_locks.SETTINGS_LOCK_WAIT)
    try:
        while got:
            with _QUEUE:
                if not _pending:
                    return
            if not _apply_first(max(0.0, deadline - time.monotonic())):
                break
        with _QUEUE:
            lost = [item for item in _pending if got or item is not _pending[0]]
            _pending[:] = [item for item in _pending if item not in lost]
            _QUEUE.notify_all()
    finally:
        if got:
            _APPLYING.release()
    keys = list(dict.fromkeys(key for item in lost for key in item.names()))
    if not keys:
        return
    _log.warning("settings file busy: another program held its lock for %.0f s; not saved: %s",
                 settings_locks.SETTINGS_LOCK_WAIT, ", ".join(keys))
    words = ", ".join(dict.fromkeys(LOCAL_PREFERENCES.get(key, key) for key in keys))
    raise SettingsBusy(f"Your settings ({lost[0].config.path.name}) were being saved by another copy of Adoption "
                       f"Desktop for {settings_locks.SETTINGS_LOCK_WAIT:.0f} seconds, so these changes were not "
                       f"saved: {words}.")


def _flush_at_exit() -> None:
    with contextlib.suppress(Exception):  # logged by flush_settings
        flush_settings()


atexit.register(_flush_at_exit)
