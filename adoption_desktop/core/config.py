"""Paths (platformdirs) and local-practice settings.

Local practice (deadlines an agency may set differently) is configuration stored in the database
(table ``settings``) with an audit entry when changed; each :class:`Setting` carries its default so the
rules never hard-code a local-practice number. Statute is code, with a citation, not a setting.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import platformdirs

APP_NAME = "AdoptionDesktop"
ENV_DATA_DIR = "ADOPTION_DESKTOP_DATA_DIR"

T = TypeVar("T")


@dataclass(frozen=True)
class AppPaths:
    data: Path
    config: Path
    logs: Path
    backups: Path

    @property
    def default_database(self) -> Path:
        return self.data / "adoption.db"

    @property
    def demo_database(self) -> Path:
        return self.data / "demo.db"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    def ensure(self) -> AppPaths:
        for folder in (self.data, self.config, self.logs, self.backups):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """Per-user folders; ``ADOPTION_DESKTOP_DATA_DIR`` puts everything under one folder (tests, IT).

    Windows: data and backups in ``%LOCALAPPDATA%\\AdoptionDesktop``, settings in
    ``%APPDATA%\\AdoptionDesktop`` (roams with the profile), logs in ``%LOCALAPPDATA%\\AdoptionDesktop\\Logs``.
    Linux: ``~/.local/share/AdoptionDesktop``, ``~/.config/AdoptionDesktop``,
    ``~/.local/state/AdoptionDesktop/log``. Documented in ``docs/it-guide.md``.
    """
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        root = Path(override)
        return AppPaths(root / "data", root / "config", root / "logs", root / "backups")
    data = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))
    return AppPaths(
        data=data,
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True)),
        logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        backups=data / "backups",
    )


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A local-practice setting: key, default, what it means. Values are JSON in the database."""

    key: str
    default: T
    label: str
    help: str = ""
    minimum: int = 0  # for whole-number settings
    #: the largest whole number allowed (every whole-number setting has one: a tester saved an OCR confidence
    #: of 250 % and a quorum of 99,999 members; a security setting set past it would switch its protection
    #: off in effect, 100,000 sign-in attempts before a lock-out); None only for a setting that is no number
    maximum: int | None = None
    unit: str = ""  # singular unit of a whole number ("working day"); inferred from the key when empty

    def unit_name(self) -> str:
        """The singular unit a whole number is counted in ("working day", "minute", "MB", "%"), or ""."""
        if self.unit:
            return self.unit
        key = self.key.rsplit(".", 1)[-1]
        for suffix, unit in _UNIT_SUFFIXES:
            if key.endswith(suffix) or f"{suffix}_" in key:
                return unit
        return ""

    def display(self, value: Any) -> str:
        """The value as a person reads it: Yes/No, "7 working days", "20 MB", lines joined with " / "."""
        from adoption_desktop.core.wording import plural

        if isinstance(self.default, bool):
            return "Yes" if value else "No"
        if isinstance(value, int) and not isinstance(value, bool):
            unit = self.unit_name()
            if unit in ("MB", "%"):
                return f"{value:,}{'' if unit == '%' else ' '}{unit}"
            return plural(value, unit) if unit else f"{value:,}"
        return str(value).replace("\n", " / ")

    def parse(self, raw: str | None) -> T:
        if raw is None:
            return self.default
        value: Any = json.loads(raw)
        if isinstance(self.default, bool):
            return bool(value)  # type: ignore[return-value]
        if isinstance(self.default, int) and not isinstance(value, int):
            raise ValueError(f"{self.label}: expected a whole number")
        if isinstance(value, int) and value < self.minimum:
            return self.default  # a stored value below the minimum (edited outside the app) is not used
        if isinstance(value, int) and self.maximum is not None and value > self.maximum:
            # stored before the limit (or outside the application): the protection still holds
            return self.maximum  # type: ignore[return-value]
        return value

    def range_text(self) -> str:
        """What a whole number for this setting may be, in words: "of years from 1 to 10", "from 1 to 100 (%)",
        "of members from 5 to 20" ("… 1 or more" without a maximum)."""
        from adoption_desktop.core.wording import plural_form

        # no thousands separator: the number box shows the range as "1 to 1440" too
        span = f"of {self.minimum} or more" if self.maximum is None else f"from {self.minimum} to {self.maximum}"
        unit = self.unit_name()
        if unit == "%":
            return f"{span} (%)"
        if unit == "MB":
            return f"of MB {span}"
        return f"of {plural_form(unit)} {span}" if unit else span

    def check(self, value: Any) -> T:
        """``value`` as it will be stored, or a :class:`ValidationError` saying what it may be: a whole number
        within :attr:`minimum` to :attr:`maximum` (the range in words). Settings with rules of their own (a
        reference prefix) add to it; :func:`settings_service.set_setting` calls it for every change."""
        from adoption_desktop.core.errors import ValidationError

        is_count = isinstance(self.default, int) and not isinstance(self.default, bool)
        if is_count and (not isinstance(value, int) or isinstance(value, bool) or value < self.minimum
                         or (self.maximum is not None and value > self.maximum)):
            raise ValidationError(f"{self.label}: enter a whole number {self.range_text()}.", self.key)
        return value


#: key endings and the unit they count in (checked in order: "working_days" before "days")
_UNIT_SUFFIXES = (("working_days", "working day"), ("days_before", "day"), ("days", "day"),
                  ("minutes", "minute"), ("months", "month"), ("years", "year"), ("_mb", "MB"),
                  ("percent", "%"), ("attempts", "attempt"), ("members", "member"), ("age", "year"))

SETTINGS_REGISTRY: dict[str, Setting[Any]] = {}


def register(setting: Setting[T]) -> Setting[T]:
    SETTINGS_REGISTRY[setting.key] = setting
    return setting


# Foundation settings (features register theirs in their own ``settings.py``).
LETTER_REPLY_WORKING_DAYS = register(Setting(
    "letters.reply_working_days", 10, "Working days from a letter's date to the reply-by date it gives",
    "Counted with the agency's calendar (bank holidays and closure days are not counted).", minimum=1,
    maximum=60))
# the security settings have a ceiling: past it the lock-out or the idle lock is switched off in effect
# (NCSC password guidance: about ten attempts before a lock-out is enough for people who mistype)
LOCKOUT_ATTEMPTS = register(Setting("security.lockout_attempts", 5, "Failed sign-ins before lock-out",
                                    minimum=1, maximum=10))
LOCKOUT_MINUTES = register(Setting("security.lockout_minutes", 15, "Minutes an account stays locked",
                                   minimum=1, maximum=24 * 60))
IDLE_LOCK_MINUTES = register(
    Setting("security.idle_lock_minutes", 10, "Minutes of inactivity before the window locks", minimum=1,
            maximum=60)
)
# the access review (Administration → Access review; ``core.access_review``): local practice, councils ask
# for one at least twice a year
ACCESS_REVIEW_MONTHS = register(Setting(
    "security.access_review_months", 6, "Months between access reviews",
    "Administration → Access review shows the next review due this many months after the last one recorded.",
    minimum=1, maximum=24))
ACCESS_UNUSED_DAYS = register(Setting(
    "security.access_unused_days", 90, "Days without a sign-in before an account is listed as not used",
    "The access review marks such enabled accounts \"NOT USED for N days\", to be disabled if no longer needed.",
    minimum=7, maximum=730))
AGENCY_NAME = register(Setting("agency.name", "Example Regional Adoption Agency", "Agency name on letters"))
AGENCY_ADDRESS = register(
    Setting("agency.address", "1 Example Street\nExampletown\nZZ99 1AA", "Agency address on letterhead")
)


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
#: a settings file that cannot be read is renamed to NAME + this + the local date and time
DAMAGED_INFIX = ".damaged-"

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

_log = logging.getLogger(__name__)
_NOTICE_LOCK = threading.Lock()
_listener: Callable[[str], None] | None = None


@dataclass
class _Notice:
    words: str  # for the user
    logged: str  # for the log: no folder, no value
    said: bool = False
    in_log: bool = False


_notices: list[_Notice] = []
#: damaged settings files that could not be renamed aside (a read-only profile): logged once each
_UNMOVABLE: set[Path] = set()
#: (settings file, preference) found of the wrong shape: logged once each (the window reads the file every few
#: minutes and at each Save dialog)
_WRONG_SHAPE: set[tuple[Path, str]] = set()


class SettingsBusy(OSError):
    """Another program held the settings file's lock for :data:`SETTINGS_LOCK_WAIT` seconds: the change was not
    saved. An :class:`OSError`, so every caller that already gives up quietly on a read-only profile (the
    default next time) does the same here."""


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
    deadline = time.monotonic() + SETTINGS_LOCK_WAIT
    got = _APPLYING.acquire(timeout=SETTINGS_LOCK_WAIT)
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
                 SETTINGS_LOCK_WAIT, ", ".join(keys))
    words = ", ".join(dict.fromkeys(LOCAL_PREFERENCES.get(key, key) for key in keys))
    raise SettingsBusy(f"Your settings ({lost[0].config.path.name}) were being saved by another copy of Adoption "
                       f"Desktop for {SETTINGS_LOCK_WAIT:.0f} seconds, so these changes were not saved: {words}.")


def _flush_at_exit() -> None:
    with contextlib.suppress(Exception):  # logged by flush_settings
        flush_settings()


atexit.register(_flush_at_exit)


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


def lock_file_for_settings(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def damaged_names(path: Path) -> list[Path]:
    """The damaged copies kept aside beside the settings file ``path``, oldest first."""
    return sorted(path.parent.glob(f"{path.name}{DAMAGED_INFIX}*"))


def text_of(value: object) -> str | None:
    """``value`` if it is text a preference may be (a path, an ISO time, a name): a string with no NUL character
    (which no path may hold: ``Path.resolve`` refused it)."""
    return value if isinstance(value, str) and "\x00" not in value else None


def text_list_of(value: object) -> list[str] | None:
    """``value``'s text entries if it is a list (others left out), else None."""
    if not isinstance(value, list):
        return None
    return [item for item in value if text_of(item) is not None]


def mapping_of(value: object, entry: Callable[[object], T | None]) -> dict[str, T] | None:
    """``value``'s entries that ``entry`` takes if it is a JSON object (others left out), else None."""
    if not isinstance(value, dict):
        return None
    out: dict[str, T] = {}
    for name, raw in value.items():
        taken = entry(raw) if isinstance(name, str) else None
        if taken is not None:
            out[name] = taken
    return out


class LocalConfig:
    """Per-machine preferences (not case data): last database opened, window state.

    Several objects may stand for one file (the window's, the automatic backup's on its thread) and several
    programs may have it open (two windows, the window and a command such as ``move-database``): each write
    takes an operating-system lock on ``settings.json.lock`` beside it (waiting up to
    :data:`SETTINGS_LOCK_WAIT` seconds, else :class:`SettingsBusy` and nothing written), re-reads the file and
    changes only its own keys, through a temporary file of its own replaced in one step, so no writer drops
    another's keys and a reader never sees half a file. Making the object reads the file under the same lock
    but waits for it at most :data:`SETTINGS_READ_WAIT` (it is made on the window's thread), then reads
    without it. A change made on the window's thread (:func:`defer_writes_on`) waits no longer either: past it
    the change is kept in memory (every object of the file in this program reads it at once) and written by
    one background writer, in order, the same way, as soon as the file is free; :func:`flush_settings` writes
    what is left as the program ends.

    A file that cannot be read (not a JSON object: cut short by a crash, edited by hand) is never overwritten:
    it is renamed to ``settings.json.damaged-YYYYMMDD-HHMM`` first, and the user is told once which
    preferences went back to their defaults (:func:`set_notice_listener`, :func:`take_notices`); the log says
    the damaged copy's name, never its content.

    Whole JSON may still hold a preference of the wrong shape (a line copied across wrongly while repairing it):
    each is read with :meth:`text`, :meth:`text_list`, :meth:`mapping` or :meth:`checked`, which take a wrong
    shape as unset (and a list's or mapping's wrong entries as absent), logged once by the preference's name;
    :meth:`put_entry` and :meth:`add_text` write it in the right shape at its next change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.values: dict[str, Any] = {}
        #: (words, log line) said once the locks are let go (a listener may read the settings itself)
        self._notice: tuple[str, str] | None = None
        try:
            self._read()
        finally:
            # this program's changes not yet written (the file was busy): seen here at once
            self.values = _with_pending(path, self.values)
        self._say_notice()

    def _read(self) -> None:
        path = self.path
        if not path.exists():
            return
        # this program's other thread (the automatic backup's) may itself be waiting up to SETTINGS_LOCK_WAIT
        # for another program, holding _WRITE_LOCK: a read waits for neither longer than SETTINGS_READ_WAIT
        if not _WRITE_LOCK.acquire(timeout=SETTINGS_READ_WAIT):
            self.values = self._load(keep_aside=False) or {}  # a writer has it: left to that writer
            return
        try:
            with self._locked(wait=SETTINGS_READ_WAIT) as held:
                # busy past the wait: read without the lock (the file is always whole), but leave a damaged
                # one to the program writing it
                self.values = self._load(keep_aside=held is not False) or {}
        finally:
            _WRITE_LOCK.release()

    def _say_notice(self) -> None:
        notice, self._notice = self._notice, None
        if notice is not None:
            _notify(*notice)

    @contextlib.contextmanager
    def _locked(self, *, wait: float) -> Iterator[bool | None]:
        from adoption_desktop.core.storage.hold import file_lock

        with file_lock(lock_file_for_settings(self.path), wait=wait) as held:
            yield held

    def _load(self, *, keep_aside: bool, kept: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """Under the lock: the file's preferences; None when it is missing, cannot be opened, or is damaged.
        A damaged file is renamed aside (with ``keep_aside``) and said once; ``kept``: the preferences this
        object still knows, which do not go back to their defaults."""
        try:
            raw = self.path.read_bytes()
        except OSError:
            return None
        try:
            # "utf-8-sig": a file repaired in Notepad (as the IT guide says) may begin with a byte order mark
            loaded = json.loads(raw.decode("utf-8-sig"))
        except ValueError as exc:
            problem = type(exc).__name__
        else:
            if isinstance(loaded, dict):
                return loaded
            problem = f"not a JSON object but {type(loaded).__name__}"
        if keep_aside:
            self._keep_aside(raw, problem, kept or {})
        return None

    def _keep_aside(self, raw: bytes, problem: str, kept: Mapping[str, Any]) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        aside = self.path.with_name(f"{self.path.name}{DAMAGED_INFIX}{stamp}")
        number = 1
        while aside.exists():  # damaged twice in a minute: neither copy is lost
            number += 1
            aside = self.path.with_name(f"{self.path.name}{DAMAGED_INFIX}{stamp}-{number}")
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            if self.path not in _UNMOVABLE:  # a read-only profile: the window reads the file every few minutes
                _UNMOVABLE.add(self.path)
                _log.warning("settings file could not be read (%s) nor renamed aside (%s); its preferences are "
                             "not used", problem, type(exc).__name__)
            return
        text = raw.decode("utf-8", errors="replace")
        mentioned = [key for key in LOCAL_PREFERENCES if f'"{key}"' in text]
        lost = [key for key in (mentioned or LOCAL_PREFERENCES) if key not in kept]
        words = list(dict.fromkeys(LOCAL_PREFERENCES[key] for key in lost))
        # key names and the copy's file name only: the folder names the user, the values are theirs
        logged = (f"settings file could not be read ({problem}); kept aside as {aside.name} in the settings "
                  f"folder; back to their defaults: {', '.join(lost) or 'none'}")
        # what the user will notice first (the status bar cuts a long line at its end; the log has the name too)
        said = (f"Your settings file was damaged; back to their defaults: {', '.join(words)}." if words
                else "Your settings file was damaged; the settings in use are kept.")
        self._notice = (f"{said} The damaged file is kept as {aside.name} in the settings folder.", logged)

    def get(self, key: str, default: Any = None) -> Any:
        """The value as the file has it, of any shape: a preference is read with :meth:`text`,
        :meth:`text_list` or :meth:`mapping`, which check it."""
        return self.values.get(key, default)

    def checked(self, key: str, shape: Callable[[object], T | None]) -> T | None:
        """``key``'s value as ``shape`` takes it (None: unset or of the wrong shape; a list or mapping with
        fewer entries: those of the wrong shape left out). The file may have been edited by hand (the IT guide
        says to repair it in Notepad): a wrong shape is the default, logged once per file and preference, by the
        preference's name (its value and the folder name the user). For a kind of its own (a time); text,
        lists and mappings have theirs below."""
        raw = self.values.get(key)
        value = None if raw is None else shape(raw)
        dropped = isinstance(raw, (list, dict)) and isinstance(value, (list, dict)) and len(value) != len(raw)
        if raw is not None and (value is None or dropped):
            with _NOTICE_LOCK:
                first = (self.path, key) not in _WRONG_SHAPE
                _WRONG_SHAPE.add((self.path, key))
            if first:
                what = "is of the wrong shape; its default is used" if value is None \
                    else "has entries of the wrong shape; they are not used"
                _log.warning("settings file: the preference %s %s until it is next changed", key, what)
        return value

    def text(self, key: str) -> str | None:
        """``key``'s text (a path, a time in ISO form), or None: unset, or not text (see :func:`text_of`)."""
        return self.checked(key, text_of)

    def text_list(self, key: str) -> list[str]:
        """``key``'s list of text, its entries of another shape left out; [] when unset or not a list."""
        return self.checked(key, text_list_of) or []

    def mapping(self, key: str, entry: Callable[[object], T | None]) -> dict[str, T]:
        """``key``'s mapping of names to what ``entry`` takes (:func:`text_of` for text), its entries of another
        shape left out; {} when unset or not a mapping."""
        return self.checked(key, lambda raw: mapping_of(raw, entry)) or {}

    def put_entry(self, key: str, name: str, value: T, entry: Callable[[object], T | None]) -> None:
        """Set ``name`` to ``value`` in the mapping ``key`` (as :meth:`mapping` reads it), keeping the entries the
        file has now (:meth:`edit`: another program's since are kept), of the right shape only."""
        self.edit(key, lambda stored: {**(mapping_of(stored, entry) or {}), name: value})

    def add_text(self, key: str, item: str) -> None:
        """Add ``item`` to the list of text ``key`` unless the file has it now (:meth:`edit`), the list's entries
        of another shape dropped."""
        def change(stored: Any) -> list[str]:
            done = text_list_of(stored) or []
            return done if item in done else [*done, item]

        self.edit(key, change)

    def set(self, key: str, value: Any) -> None:
        self.update({key: value})

    def update(self, changes: Mapping[str, Any]) -> None:
        """Write ``changes`` in one file write, keeping every other key as the file has it now.
        :class:`SettingsBusy` (nothing written) when another program kept the file locked too long. On the
        window's thread (:func:`defer_writes_on`) it waits :data:`SETTINGS_READ_WAIT` at most: past it the change
        is this object's (and every new one's in this program) at once and written behind the window."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._write(dict(changes))
        finally:
            self._say_notice()

    def edit(self, key: str, change: Callable[[Any], Any]) -> None:
        """Write ``key`` as ``change`` makes it of its value in the file now, read under the lock (None when
        unset): for a preference of several entries (the Save folders by kind, the window's place by screen,
        the tours seen), so that an entry another program saved since this object read the file is kept (it
        was dropped: each caller added its entry to the value this object had read). As :meth:`update`; a
        change written behind the window is made of the file's value when it is written, and meanwhile of what
        this program reads, so ``change`` applied twice must give what it gives once (add an entry, not count)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._write({}, (key, change))
        finally:
            self._say_notice()

    def _write(self, changes: dict[str, Any], edit: tuple[str, Callable[[Any], Any]] | None = None) -> None:
        if _on_window_thread():
            with _QUEUE:
                behind = bool(_pending)  # in order: never ahead of a change still waiting
            if not behind and self._write_now(changes, edit, wait=SETTINGS_READ_WAIT):
                return
            item = _Pending(self, changes, edit)
            self.values = item.applied_to(self.values)  # read at once in this program
            _defer(item)
            return
        if not self._write_now(changes, edit, wait=SETTINGS_LOCK_WAIT):
            _log.warning("settings file busy: another program held its lock for %.0f s; a change was not "
                         "saved", SETTINGS_LOCK_WAIT)
            raise SettingsBusy(f"Your settings ({self.path.name}) were being saved by another copy of "
                               f"Adoption Desktop for {SETTINGS_LOCK_WAIT:.0f} seconds, so this change was "
                               "not saved. Try again.")

    def _write_now(self, changes: Mapping[str, Any], edit: tuple[str, Callable[[Any], Any]] | None, *,
                   wait: float, done: _Pending | None = None) -> bool:
        """Write under both locks, waiting up to ``wait`` for them in all: False when busy (nothing written).
        ``done``: the pending change being written; the others still waiting stay in :attr:`values`."""
        deadline = time.monotonic() + wait
        if not _WRITE_LOCK.acquire(timeout=wait):
            return False
        try:
            with self._locked(wait=max(0.0, deadline - time.monotonic())) as held:
                if held is False:
                    return False
                current = self._load(keep_aside=True, kept={**self.values, **changes})
                if current is None and self.path.exists():
                    # damaged but not renamed aside (open in another program on Windows, a read-only profile), or
                    # not readable at all: never written over
                    raise OSError(f"Your settings ({self.path.name}) could not be read and were left as they "
                                  "are, so this change was not saved.")
                merged = dict(self.values) if current is None else current  # missing: what this object knew
                merged.update(changes)
                if edit is not None:
                    merged[edit[0]] = edit[1](merged.get(edit[0]))
                self._replace(merged)
        finally:
            _WRITE_LOCK.release()
        # the changes still waiting (after the one written, or made on the window's thread while the automatic
        # backup's thread waited here) are this program's already
        with _QUEUE:
            later = [item for item in _pending if item is not done and _same_file(item.config.path, self.path)]
        for item in later:
            merged = item.applied_to(merged)
        self.values = merged
        return True

    def _replace(self, merged: dict[str, Any]) -> None:
        """``merged`` as the file's whole content, through a temporary file replaced in one step."""
        fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=f"{self.path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(merged, indent=2))
            os.replace(name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
