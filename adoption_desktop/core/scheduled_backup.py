"""Automatic backups when IT's policy asks for them (``BackupSchedule``, ``BackupFolder``; no Qt).

The backup falls due once a day or a week (:func:`backup_due`) and is taken while the application is open
(a background check every few minutes, ``ui/scheduled_backup.py``) and when it closes, into the policy's
folder (or the user's backups folder). The backup itself is ``core.storage.lifecycle.backup_database``
(``VACUUM INTO``: a consistent snapshot while others go on writing; one encrypted file, verified before it
gets its name).

At most one backup per due period for a database file, however many programs have it open (two windows,
two PCs on a shared folder): the backup is *claimed* by an operating-system lock on
``NAME.db.scheduled-backup.lock`` beside the database (taken without waiting: a program that finds it held
leaves the backup to its holder), and the due rule is checked again under it against the record beside the
database, ``NAME.db.scheduled-backup`` (JSON: when the last one was made, its file, by which computer, and
the last failure). The time is also kept in the per-user settings, as before, with the database it is for
(``last_scheduled_backup_db``): one user's backup of a training copy does not count for the agency's database.

The record is changed only under a second, short lock, on ``NAME.db.scheduled-backup.record.lock``
(:func:`_update_record`: read, changed and written whole while it is held, a few milliseconds): the claim is held
for the whole backup, and the program's end says a backup it gave up unfinished (:func:`record_unfinished`)
while that backup's thread, given up but not stopped, may still finish and write the record itself, as may
another program on the database. Nobody's record is written over with an older copy read before it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from adoption_desktop.core.config import AppPaths, LocalConfig
from adoption_desktop.core.policy import MachinePolicy
from adoption_desktop.core.storage.engine import Database

_log = logging.getLogger(__name__)

LAST_BACKUP_KEY = "last_scheduled_backup"
#: the database whose backup :data:`LAST_BACKUP_KEY` is the time of (one user may open several files)
LAST_BACKUP_DB_KEY = "last_scheduled_backup_db"
INTERVALS = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}
#: after a failed attempt (a full disk, a missing folder) the open window tries again no sooner than this
RETRY_AFTER_FAILURE = dt.timedelta(hours=1)
RECORD_SUFFIX = ".scheduled-backup"
#: another PC's clock a little ahead: its backup, recorded up to this far in this PC's future, counts as made
#: now (not as a clock set back, which would make a second one)
CLOCK_SKEW = dt.timedelta(minutes=30)
#: said where the schedule is shown for a team database
TEAM_NOTE = ("A team database is backed up on the server by IT (pg_dump or the server's scheduled backups); "
             "the automatic backup (BackupSchedule) is for a database file only.")


def backup_due(last: dt.datetime | None, schedule: str | None, now: dt.datetime) -> bool:
    """True when a ``daily``/``weekly`` schedule has had no backup for that long (or ever). A clock set
    back (``last`` in the future) counts as due, so a wrong clock never stops backups."""
    interval = INTERVALS.get(schedule or "off")
    if interval is None:
        return False
    if last is None or last > now:
        return True
    # "daily" means once per calendar day: an hour's grace so a backup at 17:05 is due at 17:00 tomorrow
    return now - last >= interval - dt.timedelta(hours=1)


def attempt_due(last: dt.datetime | None, failed_at: dt.datetime | None, schedule: str | None,
                now: dt.datetime, retry_after: dt.timedelta = RETRY_AFTER_FAILURE) -> bool:
    """Whether the open window should try the backup now: it is due (:func:`backup_due`) and no attempt
    failed within ``retry_after`` (a full disk is not tried, and said, every few minutes). A failure
    before the last backup, or in the future (a clock set back), holds nothing back."""
    if not backup_due(last, schedule, now):
        return False
    if failed_at is None or failed_at > now or (last is not None and failed_at <= last):
        return True
    return now - failed_at >= retry_after


@dataclass(frozen=True)
class BackupRecord:
    """What ``NAME.db.scheduled-backup`` says (times naive, local)."""

    last_at: dt.datetime | None = None
    last_file: str = ""
    last_computer: str = ""
    failed_at: dt.datetime | None = None
    failure: str = ""


def record_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + RECORD_SUFFIX)


def claim_file_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + RECORD_SUFFIX + ".lock")


def record_lock_file_for(db_path: Path) -> Path:
    """The lock held while the record is read, changed and written (:func:`_update_record`)."""
    return db_path.with_name(db_path.name + RECORD_SUFFIX + ".record.lock")


#: how long a change of the record waits for another's (each holds it for milliseconds; a database folder that
#: stopped answering holds it longer, and the program's end does not wait for it more than this)
RECORD_LOCK_WAIT = 3.0


def _local(raw: object) -> dt.datetime | None:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        when = dt.datetime.fromisoformat(raw)
        # a time at the calendar's edge ("0001-01-01T00:00:00+14:00", edited by hand) has no local time
        return when.astimezone().replace(tzinfo=None) if when.tzinfo is not None else when
    except (ValueError, OverflowError):
        return None


def _stamp(when: dt.datetime) -> str:
    """A naive local time written with its offset, so another PC reads the same moment."""
    return (when.astimezone() if when.tzinfo is None else when).isoformat(timespec="seconds")


def read_record(db_path: Path) -> BackupRecord:
    """The record beside the database; an empty one when there is none, or it cannot be read."""
    try:
        data = json.loads(record_file_for(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return BackupRecord()
    if not isinstance(data, dict):
        return BackupRecord()
    return BackupRecord(_local(data.get("last_at")), str(data.get("last_file") or ""),
                        str(data.get("last_computer") or ""), _local(data.get("failed_at")),
                        str(data.get("failure") or ""))


def _write_record(db_path: Path, record: BackupRecord) -> None:
    """Written whole under a temporary name (a reader never sees half of it); a folder that cannot be
    written leaves the record as it was (the per-user settings still hold the time)."""
    target = record_file_for(db_path)
    # this thread's own name: at the program's end the backup at close may write it as the close says it unfinished
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    data = {"last_at": _stamp(record.last_at) if record.last_at else None, "last_file": record.last_file,
            "last_computer": record.last_computer,
            "failed_at": _stamp(record.failed_at) if record.failed_at else None, "failure": record.failure}
    try:
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def unfinished_words(seconds: float) -> str:
    """Said of a backup still being written when the program closed (its folder not answering)."""
    return (f"The backup was not finished: its folder did not answer within {seconds:.0f} seconds as the program "
            "closed, so it was left unfinished under a temporary name (no backup file has its name). It is taken "
            "again next time.")


def _update_record(db_path: Path, change: Callable[[BackupRecord], BackupRecord | None],
                   wait: float = RECORD_LOCK_WAIT) -> bool:
    """The record read, changed by ``change`` (``None``: left as it is) and written, under the record's lock
    (:func:`record_lock_file_for`), so that no other writer's record, in this program or another, is written over
    with the copy read before it; whether it was written. A lock file that cannot be made (a read-only folder) or
    locked (a share without locks): as before, unlocked. The lock still held by another after ``wait``: nothing is
    written (its holder's folder is not answering; the record would not be written there either)."""
    from adoption_desktop.core.storage.hold import file_lock

    with file_lock(record_lock_file_for(db_path), wait=wait) as held:
        if held is False:
            _log.warning("scheduled backup record not written: another program held it for %.0f s", wait)
            return False
        changed = change(read_record(db_path))
        if changed is None:
            return False
        _write_record(db_path, changed)
        return True


def record_unfinished(db_path: Path, now: dt.datetime, seconds: float) -> bool:
    """The backup begun at ``now`` for ``db_path`` was still being written when the program closed (a backup
    folder that stopped answering): recorded beside the database as a failed attempt, so the status bar's backup
    line and Help → About say it at the next start (the last backup made is kept). Whether it was recorded.

    Under the record's lock (:func:`_update_record`), as every backup writes it: the backup given up was not
    stopped, and one that has ended meanwhile, finished or failed, has written its own record with a time from
    ``now`` on, as has any backup begun after it (another program's): that record is left as it is. One that ends
    after this writes its own record over this one. (Whether a backup is under way is not asked of its claim: taking
    it for a moment to see made a backup beginning just then in another program leave it, for nobody.) A record
    cannot be written: as :func:`_write_record`."""
    since = now.replace(microsecond=0)  # the record keeps whole seconds

    def change(record: BackupRecord) -> BackupRecord | None:
        if any(when is not None and when >= since for when in (record.last_at, record.failed_at)):
            return None  # the attempt given up, or one after it, has said how it ended
        return BackupRecord(record.last_at, record.last_file, record.last_computer, now, unfinished_words(seconds))

    return _update_record(db_path, change)


@contextlib.contextmanager
def _claim(db_path: Path) -> Iterator[bool]:
    """The claim on this database's scheduled backup, taken without waiting: ``True`` while held here,
    ``False`` when another program (or another window) holds it. A folder where the lock file cannot be
    made (read-only) gives ``True``: nobody can write a record there either, so it is as before."""
    from adoption_desktop.core.storage.hold import file_lock

    with file_lock(claim_file_for(db_path), wait=0.0) as held:
        yield held is not False  # None: the lock file cannot be made here


def last_backup(db: Database, config: LocalConfig | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """The later of the record beside the database and this user's own setting. With ``now``, a record a
    little in the future (another PC's clock ahead, :data:`CLOCK_SKEW`) counts as made ``now``."""
    times = []
    if db.path is not None:
        recorded = read_record(db.path).last_at
        if recorded is not None and now is not None and now < recorded <= now + CLOCK_SKEW:
            recorded = now
        if recorded is not None:
            times.append(recorded)
    own = config.checked(LAST_BACKUP_KEY, _local) if config is not None else None
    own_db = config.text(LAST_BACKUP_DB_KEY) if config is not None else None
    # the database's key of another shape (edited by hand) is no database's: the time is not counted for this one,
    # so a backup is made rather than skipped
    known = own_db is not None or (config is not None and config.get(LAST_BACKUP_DB_KEY) is not None)
    if known and (db.path is None or own_db != _db_key(db.path)):
        own = None  # another database's backup (a setting written before this key was kept counts, as before)
    if own is not None:
        times.append(own)
    return max(times) if times else None


def _db_key(db_path: Path) -> str:
    try:
        return str(db_path.resolve())
    except OSError:
        return str(db_path)


def backup_folder(policy: MachinePolicy, paths: AppPaths) -> Path:
    return policy.backup_folder or paths.backups


def default_backup_name(db: Database, now: dt.datetime) -> str:
    stem = db.path.stem if db.path is not None else "team-server"
    return f"{stem}-{now.strftime('%Y%m%d-%H%M%S')}.adkbak"


def failure_words(exc: BaseException) -> str:
    """A failed backup in words: the application's own message (a full disk, a folder that cannot be
    written, naming it), or the kind of error."""
    from adoption_desktop.core.errors import AppError

    if isinstance(exc, AppError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"The backup was not written: {exc.strerror}{where}."
    return f"The backup was not written ({type(exc).__name__}); the log has the detail."


def failure_detail(exc: BaseException, folder: Path, policy_folder: bool) -> str:
    """A failed backup as the log says it, with no personal data (no path, which names the user): the kind of
    error, the operating system's code and words for it (found under the application's own message too),
    which folder was meant (IT's ``BackupFolder`` or the user's own, on a network share or not) and what it
    is now, and whether the failing file was that folder, a file in it, or elsewhere (the database's side)."""
    parts = [type(exc).__name__]
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:  # the first cause the operating system or SQLite named
        seen.add(id(link))
        if isinstance(link, OSError) and (link.errno or link.strerror):
            code = errno.errorcode.get(link.errno, str(link.errno)) if link.errno else "no code"
            parts.append(f"{code} ({link.strerror or 'no words'})" + _where(link.filename, folder))
            break
        name = getattr(link, "sqlite_errorname", None) or getattr(getattr(link, "orig", None),
                                                                    "sqlite_errorname", None)
        if name:
            parts.append(str(name))
            break
        link = link.__cause__ or link.__context__
    kind = "IT's BackupFolder" if policy_folder else "the user's own backups folder"
    if str(folder).startswith(("\\\\", "//")):
        kind += " (a network share)"
    parts.append(f"{kind}: {_folder_state(folder)}")
    return "; ".join(parts)


def _where(filename: object, folder: Path) -> str:
    if not isinstance(filename, (str, bytes, os.PathLike)) or not filename:
        return ""
    failed = Path(os.fsdecode(filename))
    if failed == folder:
        return " at the backup folder itself"
    if folder in failed.parents:
        return " at a file in the backup folder"
    return " outside the backup folder"


def _folder_state(folder: Path) -> str:
    try:
        if not folder.exists():
            return "missing"
        if not folder.is_dir():
            return "not a folder (a file of that name)"
        return "a folder, writable" if os.access(folder, os.W_OK) else "a folder, not writable by this user"
    except OSError as err:
        return f"cannot be looked at ({errno.errorcode.get(err.errno or 0, 'no code')})"


def run_scheduled_backup(db: Database, policy: MachinePolicy, config: LocalConfig, paths: AppPaths,
                         now: dt.datetime | None = None, *, while_open: bool = False) -> Path | None:
    """Take the backup if one is due; returns its path, or ``None`` if none was due (or another program
    is taking it now). Team-mode databases are the server's to back up (nothing is done). A failure is
    written to the record beside the database, logged here once with its detail (:func:`failure_detail`;
    ``while_open``: taken by the open window, not at its close), and raised: the caller logs nothing more
    (it logged the error's type again, a second line for one failure)."""
    now = now or dt.datetime.now()
    if db.path is None or not db.is_sqlite:
        return None
    folder = backup_folder(policy, paths)
    try:
        return _run(db, db.path, policy, config, folder, now)
    except Exception as exc:
        # the detail failure_words promises the log has (no path: it names the user)
        _log.warning("scheduled backup failed%s: %s", " while open" if while_open else "",
                     failure_detail(exc, folder, policy.backup_folder is not None))
        raise


def _run(db: Database, path: Path, policy: MachinePolicy, config: LocalConfig, folder: Path,
         now: dt.datetime) -> Path | None:
    from adoption_desktop.core.storage.lifecycle import backup_database

    if not backup_due(last_backup(db, config, now), policy.backup_schedule, now):
        return None
    with _claim(path) as claimed:
        if not claimed:
            return None
        # under the claim: another program may have finished this period's backup a moment ago
        if not backup_due(last_backup(db, config, now), policy.backup_schedule, now):
            return None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            out = backup_database(db, folder / default_backup_name(db, now))
        except Exception as exc:
            words = failure_words(exc)
            # read again under the record's lock: the backup kept is the one on file now
            _update_record(path, lambda on_file: BackupRecord(on_file.last_at, on_file.last_file,
                                                              on_file.last_computer, now, words))
            raise
        made = BackupRecord(now, str(out), socket.gethostname())
        _update_record(path, lambda _on_file: made)
        # the backup is made and recorded beside the database: a profile whose settings cannot be written (read
        # only) must not turn it into a failure said to the user. While a window is open the time is handed to
        # the settings writer (behind): written on this thread, a stalled profile share held it for good, and
        # the window's close waits for this thread
        with contextlib.suppress(OSError):
            config.update({LAST_BACKUP_DB_KEY: _db_key(path),  # written with the time, in one file write
                           LAST_BACKUP_KEY: now.isoformat(timespec="seconds")}, behind=True)
        return out


def when_in_words(when: dt.datetime, now: dt.datetime) -> str:
    clock = when.strftime("%H:%M")
    if when.date() == now.date():
        return f"today at {clock}"
    if when.date() == now.date() - dt.timedelta(days=1):
        return f"yesterday at {clock}"
    return f"{when.day} {when.strftime('%B %Y')} at {clock}"


def describe(db: Database, policy: MachinePolicy, config: LocalConfig | None, now: dt.datetime) -> str:
    """The automatic backup in words, for the status bar and Help → About: when it last ran and where,
    a failure since, or why there is none."""
    schedule = policy.backup_schedule or "off"
    if not db.is_sqlite or db.path is None:
        return TEAM_NOTE
    if schedule not in INTERVALS:
        return "Automatic backup: off (IT's BackupSchedule policy is not set)."
    record = read_record(db.path)
    last = last_backup(db, config)
    words = f"Automatic backup ({schedule}): "
    if last is None:
        words += "none made yet."
    else:
        where = record.last_file if record.last_at == last and record.last_file else ""
        made_by = (f" by {record.last_computer}" if where and record.last_computer
                   and record.last_computer != socket.gethostname() else "")
        words += f"last made {when_in_words(last, now)}" + (f", to {where}" if where else "") + f"{made_by}."
    if record.failed_at is not None and (last is None or record.failed_at > last):
        words += f" The last attempt, {when_in_words(record.failed_at, now)}, failed: {record.failure}"
    return words
