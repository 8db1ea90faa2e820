"""The per-user settings file: :class:`LocalConfig` (read-merge-write under this program's lock and the
operating system's lock on the file beside it) and a damaged file kept aside (:func:`damaged_names`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from adoption_desktop.core.config import settings_locks
from adoption_desktop.core.config.notices import (
    _NOTICE_LOCK,
    LOCAL_PREFERENCES,
    _notify,
    _saved_again,
)
from adoption_desktop.core.config.settings_locks import _WRITE_LOCK, SettingsBusy, lock_file_for_settings
from adoption_desktop.core.config.settings_values import mapping_of, text_list_of, text_of
from adoption_desktop.core.config.write_behind import (
    _QUEUE,
    _defer,
    _on_window_thread,
    _Pending,
    _pending,
    _same_file,
    _still_pending,
    _with_pending,
    _writes_deferred,
)

T = TypeVar("T")

#: the package's name, as when this was one module (the log's lines and the tests' caplog name it)
_log = logging.getLogger("adoption_desktop.core.config")

#: a settings file that cannot be read is renamed to NAME + this + the local date and time
DAMAGED_INFIX = ".damaged-"
#: damaged settings files that could not be renamed aside (a read-only profile): logged once each
_UNMOVABLE: set[Path] = set()
#: (settings file, preference) found of the wrong shape: logged once each (the window reads the file every few
#: minutes and at each Save dialog)
_WRONG_SHAPE: set[tuple[Path, str]] = set()
#: guards a LocalConfig's notice to say (the settings-reader's thread may say it too)
_OPEN_LOCK = threading.Lock()


class _Known:
    """What this program knows of one settings file, shared by every :class:`LocalConfig` of it (the window's, a
    Save dialog's, the automatic backup's): each object kept its own copy, so a change made through one (the
    backup's time, a Save folder) or a read ending late was not seen by another still open (the window's, read
    at start-up), which went on showing, and deciding by, older values. Under :data:`_QUEUE`."""

    def __init__(self) -> None:
        #: the file's preferences as last read or written here, with this program's changes still waiting
        self.values: dict[str, Any] = {}
        #: counts the writes of :attr:`values` from the file (a read, a write, a change given up): a read that
        #: ends is not used over one written since it began (newer: that write read the file itself)
        self.generation = 0
        #: whether :attr:`values` came from the file (else the defaults: nothing read yet)
        self.read = False


#: what this program knows of each settings file, by its absolute path, while an object of it is open (under
#: _QUEUE)
_KNOWN: weakref.WeakValueDictionary[str, _Known] = weakref.WeakValueDictionary()


def _known_of(path: Path) -> _Known:
    key = os.path.abspath(path)
    with _QUEUE:
        known = _KNOWN.get(key)
        if known is None:
            known = _KNOWN[key] = _Known()
        return known


class _Read:
    """One background read of a settings file (:meth:`LocalConfig._read_behind`): done once read, the generation
    of what was known when it began, and the objects that stopped waiting for it."""

    def __init__(self, generation: int) -> None:
        self.done = threading.Event()
        self.started = time.monotonic()
        self.generation = generation
        self.late: list[LocalConfig] = []


#: the background reads going on, by settings file (under _QUEUE)
_READS: dict[str, _Read] = {}
#: settings files said as not read in time (under _QUEUE), until a read of one ends
_SAID_UNREAD: set[str] = set()


def damaged_names(path: Path) -> list[Path]:
    """The damaged copies kept aside beside the settings file ``path``, oldest first."""
    return sorted(path.parent.glob(f"{path.name}{DAMAGED_INFIX}*"))


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

    def __init__(self, path: Path, *, wait: float | None = None) -> None:
        """Read ``path``. On the window's thread (:func:`defer_writes_on`), or given ``wait``, the file is read
        by a background reader, waited for ``wait`` seconds at most (:data:`SETTINGS_WINDOW_READ_WAIT` by
        default): a profile folder on a stalled network share froze the window at its first read (a stat, an
        open, a read that never returns). Past it this object has the defaults (and this program's changes still
        waiting), the user is told once, and the file's preferences come in when the read ends, under any change
        made meanwhile (:meth:`read_finished`)."""
        self.path = path
        #: what this program knows of the file, shared with every other object of it (see :class:`_Known`)
        self._known = _known_of(path)
        #: (words, log line) said once the locks are let go (a listener may read the settings itself)
        self._notice: tuple[str, str] | None = None
        #: the background read this object waits for, until it ends
        self._reading: _Read | None = None
        if wait is None and _on_window_thread():
            wait = settings_locks.SETTINGS_WINDOW_READ_WAIT
        if wait is not None:
            self._read_behind(wait)
        else:
            with _QUEUE:
                generation = self._known.generation
            read = self._read()  # OSError: no object made, nothing known changed
            self._take_read(read, generation)
        self._say_notice()

    @property
    def values(self) -> dict[str, Any]:
        """The preferences as this program knows them now (every object of the file sees the same): the file's as
        last read or written here, with this program's changes still waiting; {} (the defaults) until read."""
        return self._known.values

    @values.setter
    def values(self, values: dict[str, Any]) -> None:
        self._known.values = values

    @property
    def _generation(self) -> int:
        return self._known.generation

    def _take_read(self, read: dict[str, Any] | None, generation: int) -> None:
        """What a read of the file begun at ``generation`` found (None: the file missing, damaged or not to be
        looked in) made what this program knows, with its changes still waiting; unless a read or write has been
        made since it began (newer), or it found no file while this program knows one (a change will write it
        again from what is known, as :meth:`_write_now` does)."""
        with _QUEUE:
            known = self._known
            if known.generation != generation or (read is None and known.read):
                return
            known.values = _with_pending(self.path, dict(read or {}))
            known.read = True
            known.generation += 1

    def read_finished(self) -> bool:
        """Whether the file has been read (False while a read that took longer than its wait goes on: the
        defaults meanwhile)."""
        with _QUEUE:
            return self._reading is None

    def _read_behind(self, wait: float) -> None:
        """The file read by a background reader (one at a time per file: a stalled share never gathers a thread
        per Save dialog), waited for ``wait`` seconds at most; past it, the defaults until it ends."""
        key = os.path.abspath(self.path)
        with _QUEUE:
            read = _READS.get(key)
            if read is None:
                read = _READS[key] = _Read(self._known.generation)
                threading.Thread(target=self._background_read, args=(read, key), name="settings-reader",
                                 daemon=True).start()
        read.done.wait(max(0.0, read.started + wait - time.monotonic()))  # a read stalled since: not again
        with _QUEUE:
            if read.done.is_set():
                return  # what it read is what this program knows (unless a write since knows better)
            self._reading = read
            read.late.append(self)
            if self._known.read:
                return  # read (or written) earlier here: that is used meanwhile, not the defaults
            # the defaults, with this program's changes waiting (applied to what is known as they are made)
            first = key not in _SAID_UNREAD
            _SAID_UNREAD.add(key)
        if first:
            _notify(
                f"Your settings could not be read yet: their folder is not answering ({self.path.name} in "
                f"{self.path.parent}). The defaults are used until it answers; a change made meanwhile is kept.",
                f"settings file not read within {wait:g} s (its folder did not answer); defaults used until it is")

    def _background_read(self, read: _Read, key: str) -> None:
        """The settings-reader thread: read the file, hand it to whoever waited for it (a late one: under the
        changes made since), and say what the read found (a damaged file kept aside)."""
        values: dict[str, Any] | None = None
        try:
            values = self._read()
        except OSError:  # a folder this user may not look in: the defaults (raised to the caller before, who
            # took it as the defaults; here no caller may be waiting any more)
            _log.info("settings file could not be read (its folder could not be looked in); defaults used")
        finally:
            with _QUEUE:
                # what every object of the file sees, those waiting and those open already (the window's): not
                # over a write made since the read began, which read the file itself
                self._take_read(values, read.generation)
                read.done.set()
                if _READS.get(key) is read:
                    del _READS[key]
                _SAID_UNREAD.discard(key)  # a later stall is said again
                for config in read.late:
                    config._reading = None
            self._say_notice()

    def _read(self) -> dict[str, Any] | None:
        """The file's preferences; None when it is missing or damaged (kept aside, said as lost but for what
        this program knows of it)."""
        path = self.path
        if not path.exists():
            return None
        # this program's other thread (the automatic backup's) may itself be waiting up to SETTINGS_LOCK_WAIT
        # for another program, holding _WRITE_LOCK: a read waits for neither longer than SETTINGS_READ_WAIT
        if not _WRITE_LOCK.acquire(timeout=settings_locks.SETTINGS_READ_WAIT):
            return self._load(keep_aside=False)  # a writer has it: left to that writer
        try:
            with self._locked(wait=settings_locks.SETTINGS_READ_WAIT) as held:
                # busy past the wait: read without the lock (the file is always whole), but leave a damaged
                # one to the program writing it
                with _QUEUE:
                    kept = dict(self._known.values) if self._known.read else {}
                return self._load(keep_aside=held is not False, kept=kept)
        finally:
            _WRITE_LOCK.release()

    def _held_now(self) -> dict[str, Any]:
        """What the file holds now, read without the locks (it is always whole); {} when missing or damaged, as
        the next start reads it."""
        return self._load(keep_aside=False) or {}

    def _drop_back(self, held: Mapping[str, Any]) -> None:
        """A change of this file given up for good (under :data:`_QUEUE`, taken off it already): every object of
        the file in this program goes back to ``held`` (:meth:`_held_now`) with this program's changes still
        waiting, so the window does not go on as if it had been saved; the next start reads the same."""
        self.values = _with_pending(self.path, dict(held))  # every object's: they share it
        self._known.read = True
        self._known.generation += 1

    def _say_notice(self) -> None:
        with _OPEN_LOCK:  # the settings-reader's thread may say it too
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

    def update(self, changes: Mapping[str, Any], *, behind: bool = False) -> None:
        """Write ``changes`` in one file write, keeping every other key as the file has it now.
        :class:`SettingsBusy` (nothing written) when another program kept the file locked too long. On the
        window's thread (:func:`defer_writes_on`) it waits :data:`SETTINGS_READ_WAIT` at most: past it the change
        is this object's (and every new one's in this program) at once and written behind the window.
        ``behind``: on any thread, while a window is open, the change is this object's at once and handed to
        the background writer with no wait at all (the automatic backup's time, from the backup's own thread:
        written there with no bound, a stalled profile share held that thread, and the program's end, for good);
        with no window (a command) it is written as without it."""
        try:
            if behind and _writes_deferred():
                with _QUEUE:
                    item = _Pending(self, dict(changes), None)
                    self.values = item.applied_to(self.values)  # read at once in this program
                    _defer(item)
                return
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
        try:
            self._write({}, (key, change))
        finally:
            self._say_notice()

    def _write(self, changes: dict[str, Any], edit: tuple[str, Callable[[Any], Any]] | None = None) -> None:
        if _on_window_thread():
            # never the file itself on the window's thread (a folder made, the lock file opened, the file read
            # and replaced): each may not return on a stalled network share. The background writer writes it,
            # and the window waits for it SETTINGS_READ_WAIT at most (none when a change is still waiting: in
            # order); a failure in that time (a read-only profile, a full disk) is raised here as before, said
            # once by the writer; past it, the change is this program's at once and written behind the window
            deadline = time.monotonic() + settings_locks.SETTINGS_READ_WAIT
            with _QUEUE:  # one step: the writer giving up on an earlier change meanwhile sees this one waiting
                behind = bool(_pending)
                item = _Pending(self, changes, edit)
                self.values = item.applied_to(self.values)  # read at once in this program
                _defer(item)
                while not behind and item.outcome is None and (left := deadline - time.monotonic()) > 0:
                    _QUEUE.wait(left)
                if isinstance(item.outcome, OSError):
                    raise item.outcome
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)  # the settings folder, made if missing
        if not self._write_now(changes, edit, wait=settings_locks.SETTINGS_LOCK_WAIT):
            _log.warning("settings file busy: another program held its lock for %.0f s; a change was not "
                         "saved", settings_locks.SETTINGS_LOCK_WAIT)
            raise SettingsBusy(f"Your settings ({self.path.name}) were being saved by another copy of "
                               f"Adoption Desktop for {settings_locks.SETTINGS_LOCK_WAIT:.0f} seconds, so this "
                               "change was not saved. Try again.")

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
                if done is not None and not _still_pending(done):
                    return True  # given up by flush_settings meanwhile (said not saved): never written later
                self._replace(merged)
        finally:
            _WRITE_LOCK.release()
        _saved_again(self.path)  # a later failure is said again
        # the changes still waiting (after the one written, or made on the window's thread while the automatic
        # backup's thread waited here) are this program's already
        with _QUEUE:
            later = [item for item in _pending if item is not done and _same_file(item.config.path, self.path)]
        for item in later:
            merged = item.applied_to(merged)
        with _QUEUE:
            self.values = merged  # every object of the file sees it (the window's, read at start-up)
            self._known.read = True
            self._known.generation += 1
        return True

    def _replace(self, merged: dict[str, Any]) -> None:
        """``merged`` as the file's whole content, through a temporary file replaced in one step."""
        fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=f"{self.path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(merged, indent=2))
                out.flush()
                os.fsync(out.fileno())  # on the disk before it takes the name: a power cut leaves the old file
            os.replace(name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
