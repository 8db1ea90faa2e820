"""What the user is told about the settings file (a damaged file kept aside): said once to the window's listener
or taken by the command line, and logged once the log is open; and the preferences the file holds, in the words
those notices (and a change never saved) use."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

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
