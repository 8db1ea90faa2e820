"""The settings file's locks: the one writer at a time in this program, how long a change and a read wait for
another program's write (:data:`SETTINGS_LOCK_WAIT`, :data:`SETTINGS_READ_WAIT`), the lock file beside the
settings file, and :class:`SettingsBusy` when the wait ran out.

The waits are read from this module when used (``settings_locks.SETTINGS_LOCK_WAIT``), so that a change of one
here (a test's ``monkeypatch.setattr``) reaches both the settings file and the writer behind the window."""

from __future__ import annotations

import threading
from pathlib import Path

#: one writer of a settings file at a time in this process: the window (preferences, geometry at close) and the
#: automatic backup's thread (its last backup time) each hold their own LocalConfig of the same file (the lock
#: file below keeps other programs out; this keeps this program's threads from polling it against each other)
_WRITE_LOCK = threading.Lock()

#: how long a change waits for another program's write of the same settings file (a few milliseconds each)
SETTINGS_LOCK_WAIT = 10.0
#: how long a read waits for it: reads are made on the window's thread (the backup line every few minutes, a
#: Save dialog's folder), which must not freeze for :data:`SETTINGS_LOCK_WAIT` behind a stalled writer; past
#: it the file is read without the lock (it is always whole: each write replaces it in one step). A change
#: made on the window's thread (:func:`defer_writes_on`) waits no longer either: past it, it is written behind
#: the window by a background writer
SETTINGS_READ_WAIT = 0.25
#: how long the window's thread waits for a read of the settings file (made by a background reader, which may
#: itself wait SETTINGS_READ_WAIT for this program's writer and again for another program's): past it, the
#: defaults until the read ends (a profile folder on a stalled network share never freezes the window); a read
#: of the file still going on from before is not waited for again
SETTINGS_WINDOW_READ_WAIT = 1.0
#: the same for the window's first read at start-up, before it is shown (its size and place): a little longer,
#: a share waking up; past it the window opens at its default place
SETTINGS_START_WAIT = 2.0


class SettingsBusy(OSError):
    """Another program held the settings file's lock for :data:`SETTINGS_LOCK_WAIT` seconds: the change was not
    saved. An :class:`OSError`, so every caller that already gives up quietly on a read-only profile (the
    default next time) does the same here."""


def lock_file_for_settings(path: Path) -> Path:
    return path.with_name(path.name + ".lock")
