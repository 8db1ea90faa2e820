"""What the user is told about the settings file (a damaged file kept aside): said once to the window's listener
or taken by the command line, and logged once the log is open; and the preferences the file holds, in the words
those notices (and a change never saved) use; a preference that could not be saved, said once."""

from __future__ import annotations

import errno
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

#: the preferences the settings file holds, in the words said when a damaged file's went back to their defaults
#: (each module's key: ``ui.geometry``, ``ui.files``, ``ui.guide.tour``, ``core.scheduled_backup``)
LOCAL_PREFERENCES: dict[str, str] = {
    "last_database": "the database to open",
    "window_geometry": "the window's size and place",
    "save_folders": "the Save folders",
    "first_day_tour_seen": "the first-day tours seen",
    "last_scheduled_backup": "your last automatic backup's time",
    "last_scheduled_backup_db": "your last automatic backup's time",
}

#: the package's name, as when this was one module (the log's lines and the tests' caplog name it)
_log = logging.getLogger("adoption_desktop.core.config")
_NOTICE_LOCK = threading.Lock()
_listener: Callable[[str], None] | None = None


@dataclass
class _Notice:
    words: str  # for the user
    logged: str  # for the log: no folder, no value
    said: bool = False
    in_log: bool = False


_notices: list[_Notice] = []


def _flush(*, say: Callable[[str], None] | None, log: bool) -> list[str]:
    """Log the notices not yet logged (with ``log``) and give the unsaid ones to ``say``; their words."""
    with _NOTICE_LOCK:
        to_log = [n for n in _notices if log and not n.in_log]
        to_say = [n for n in _notices if say is not None and not n.said]
        for notice in to_log:
            notice.in_log = True
        for notice in to_say:
            notice.said = True
        _notices[:] = [n for n in _notices if not (n.said and n.in_log)]
    for notice in to_log:
        _log.warning("%s", notice.logged)
    if say is not None:
        for notice in to_say:
            say(notice.words)
    return [n.words for n in to_say]


def set_notice_listener(listener: Callable[[str], None] | None) -> None:
    """Where a notice about the settings file goes (the window's status bar, on any thread): notices made
    before are given to it (and logged) at once. None: they wait for :func:`take_notices`."""
    global _listener
    with _NOTICE_LOCK:
        _listener = listener
    if listener is not None:
        _flush(say=listener, log=True)


def log_notices() -> None:
    """Write to the log the notices made before it was opened (the window reads the settings file before)."""
    _flush(say=None, log=True)


def take_notices() -> list[str]:
    """The notices not yet given to a listener (the command line prints them), each said once; logged too."""
    return _flush(say=lambda _words: None, log=True)


def _notify(words: str, logged: str) -> None:
    """Said and logged now if a window listens, else when it does or the command line takes it; the log line
    waits too when the log is not open yet (see :func:`log_notices`)."""
    with _NOTICE_LOCK:
        _notices.append(_Notice(words, logged))
        listener = _listener
    if listener is not None:
        _flush(say=listener, log=True)


# --- a preference that could not be saved -------------------------------------------------------------------
#
# A change made in the window that could not be written for good (a read-only folder, a full disk, a damaged
# file that could not be kept aside) is said once per settings file and preference, until a write of that file
# succeeds again (then a new failure is said again); a change still waiting past the whole wait is said once.

#: (settings file, preference in words) said as not saved, since the file was last written
_SAID_NOT_SAVED: set[tuple[str, str]] = set()


def _why_not_written(exc: BaseException) -> str:
    """``exc`` (a write of the settings file that failed) in the user's words."""
    number = getattr(exc, "errno", None)
    if isinstance(exc, PermissionError) or number in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "the settings folder cannot be written to"
    if number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "the disk is full"
    if isinstance(exc, OSError) and number is None and exc.args:  # our own words: a damaged file left as it is
        return "the settings file could not be read and was left as it is"
    return getattr(exc, "strerror", None) or type(exc).__name__


def _preference_words(keys: list[str]) -> list[str]:
    return list(dict.fromkeys(LOCAL_PREFERENCES.get(key, key) for key in keys))


def _say_not_saved(path: Path, keys: list[str], exc: BaseException) -> None:
    """Tell the user once that the preferences ``keys`` could not be saved in the settings file ``path``, and
    why; the log names the preferences and the kind of error, never the folder or a value."""
    words = _preference_words(keys)
    with _NOTICE_LOCK:
        new = [w for w in words if (os.path.abspath(path), w) not in _SAID_NOT_SAVED]
        _SAID_NOT_SAVED.update((os.path.abspath(path), w) for w in new)
    if not new:
        return
    # the preferences and why first: the status bar cuts the rest (the whole of it in Help → About)
    _notify(f"Not saved: {', '.join(new)} — {_why_not_written(exc)} ({path.name} in {path.parent}). This "
            "program goes on with what the file holds, as the next start will.",
            f"settings file: a change to {', '.join(keys)} was not saved ({type(exc).__name__})")


def _say_still_waiting(path: Path, keys: list[str], seconds: float) -> None:
    """Tell the user once that the preferences ``keys`` have waited ``seconds`` for another program's lock on
    ``path`` and are still being tried."""
    words = _preference_words(keys)
    _notify(f"Not saved yet: {', '.join(words)}. Your settings file ({path.name} in {path.parent}) has been busy "
            f"for {seconds:.0f} seconds (saved by another copy of Adoption Desktop or the automatic backup, or a "
            "network folder not answering); it will be saved as soon as the file is free, while this window is "
            "open.",
            f"settings file busy for {seconds:.0f} s: a change to {', '.join(keys)} is still waiting to be written")


def _saved_again(path: Path) -> None:
    """The settings file ``path`` was written: a later failure is said again."""
    with _NOTICE_LOCK:
        for said in [s for s in _SAID_NOT_SAVED if s[0] == os.path.abspath(path)]:
            _SAID_NOT_SAVED.discard(said)
