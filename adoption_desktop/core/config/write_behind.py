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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adoption_desktop.core.config import settings_locks
from adoption_desktop.core.config.notices import LOCAL_PREFERENCES, _say_not_saved, _say_still_waiting
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
# background writer with the same read-merge-write (onto the file as it is then); flush_settings has it write
# what is left at the end, waiting for it SETTINGS_LOCK_WAIT at most (a stalled share never holds the end). A
# change that cannot be written for good (read-only folder, full disk) is given up: the program goes back to
# what the file holds and the user is told once; one still waiting past SETTINGS_LOCK_WAIT is said once and
# still tried. A command opts nothing in: it is not on a window's thread, and waits as before.


@dataclass(eq=False)
class _Pending:
    config: LocalConfig
    changes: dict[str, Any]
    edit: tuple[str, Callable[[Any], Any]] | None
    said_busy: bool = False  # logged once as waiting
    #: when it was first kept to be written behind (the user is told once it has waited the whole wait)
    since: float = field(default_factory=time.monotonic)
    said_waiting: bool = False
    #: set by the writer as it takes it off the queue (under _QUEUE): True written, or the error it was given
    #: up for (raised on the window's thread if it waits for it still)
    outcome: bool | Exception | None = None

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
#: held by the background writer while it writes the first pending change (only it takes this; a test reads it
#: to know the writer is idle: flush_settings waits on _QUEUE, never on this, so a stalled write cannot hold it)
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


def _writes_deferred() -> bool:
    """A window is open (:func:`defer_writes_on` given its thread): a change may be written behind it."""
    return _window_thread is not None


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


def _still_pending(item: _Pending) -> bool:
    with _QUEUE:
        return any(waiting is item for waiting in _pending)


def _start_writer() -> None:
    """Under :data:`_QUEUE`: the background writer running."""
    global _writer
    if _writer is None or not _writer.is_alive():
        _writer = threading.Thread(target=_write_behind, name="settings-writer", daemon=True)
        _writer.start()


def _defer(item: _Pending) -> None:
    with _QUEUE:
        _pending.append(item)
        _start_writer()
        _QUEUE.notify_all()


def _apply_first(wait: float) -> bool:
    """Under :data:`_APPLYING`: write the first pending change, waiting up to ``wait`` for the locks. False:
    the file was busy (the change stays first); True: written, or given up for good (an unwritable profile),
    and taken off the queue either way. Given up: every object of the file in this program goes back to what
    the file holds (as the next start will read it), and the user is told once (the log names the preference,
    never its value or the folder)."""
    with _QUEUE:
        if not _pending:
            return True
        item = _pending[0]
    failed: Exception | None = None
    try:
        # the settings folder, made if missing (a first run): here, not on the window's thread
        item.config.path.parent.mkdir(parents=True, exist_ok=True)
        written = item.config._write_now(item.changes, item.edit, wait=wait, done=item)
    except Exception as exc:  # a read-only profile, a full disk, a damaged file kept as it is
        failed, written = exc, True
    finally:
        item.config._say_notice()
    if failed is not None:
        held = item.config._held_now()  # read before taking the queue: a stalled read never holds flush_settings
        with _QUEUE:  # taken off, gone back and said at once: a flush waking at its end finds the notice made
            if _pending and _pending[0] is item:
                _pending.pop(0)
            item.outcome = failed
            item.config._drop_back(held)
            _say_not_saved(item.config.path, item.names(), failed)
            _QUEUE.notify_all()
        return True
    if written:
        with _QUEUE:
            if _pending and _pending[0] is item:
                _pending.pop(0)
            item.outcome = True
            _QUEUE.notify_all()
        return True
    if not item.said_busy:
        item.said_busy = True  # by the preference's name only: its value may name the user's folders
        _log.info("settings file busy: another program holds its lock; a change to %s waits to be written",
                  ", ".join(item.names()))
    waited = time.monotonic() - item.since
    if not item.said_waiting and waited >= settings_locks.SETTINGS_LOCK_WAIT:
        item.said_waiting = True  # still tried while the window is open, and said so once
        _say_still_waiting(item.config.path, item.names(), settings_locks.SETTINGS_LOCK_WAIT)
    return False


def _write_behind() -> None:
    """The background writer: the pending changes one after another, each as soon as the file is free."""
    while True:
        with _QUEUE:
            while not _pending:
                _QUEUE.wait()
        with _APPLYING:
            written = _apply_first(_WRITER_SLICE)
        if not written:
            time.sleep(0.02)  # a moment between tries


def flush_settings() -> None:
    """Have the changes still waiting written now, waiting up to :data:`SETTINGS_LOCK_WAIT` in all (the window
    has closed, the program ends). Nothing waiting: returns at once. The background writer writes them; this
    only waits for it, so a write that never returns (a profile on a stalled network share) cannot hold the
    program's end past the wait. What is not written by then is given up (never written later), logged by the
    preferences' names (never a value or a folder), and :class:`SettingsBusy` says so."""
    with _QUEUE:
        if not _pending:
            return
        _start_writer()
        deadline = time.monotonic() + settings_locks.SETTINGS_LOCK_WAIT
        while _pending and (left := deadline - time.monotonic()) > 0:
            _QUEUE.wait(left)
        lost = list(_pending)
        _pending.clear()
        _QUEUE.notify_all()
    keys = list(dict.fromkeys(key for item in lost for key in item.names()))
    if not keys:
        return
    _log.warning("settings file busy: not written within %.0f s (another program's lock, or a folder not "
                 "answering); not saved: %s", settings_locks.SETTINGS_LOCK_WAIT, ", ".join(keys))
    words = ", ".join(dict.fromkeys(LOCAL_PREFERENCES.get(key, key) for key in keys))
    raise SettingsBusy(f"Your settings ({lost[0].config.path.name}) could not be written within "
                       f"{settings_locks.SETTINGS_LOCK_WAIT:.0f} seconds (another copy of Adoption Desktop was "
                       f"saving them, or their folder did not answer), so these changes were not saved: {words}.")


def _flush_at_exit() -> None:
    with contextlib.suppress(Exception):  # logged by flush_settings
        flush_settings()


atexit.register(_flush_at_exit)
