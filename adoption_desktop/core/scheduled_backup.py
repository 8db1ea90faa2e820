"""Automatic backups when IT's policy asks for them (``BackupSchedule``, ``BackupFolder``; no Qt).

The application takes the backup when it closes, at most once a day or a week, into the policy's
folder (or the user's backups folder); the time of the last one is kept in the per-user settings.
The rule is :func:`backup_due`; the backup itself is ``core.storage.lifecycle.backup_database``
(one encrypted file, verified before it gets its name).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from adoption_desktop.core.config import AppPaths, LocalConfig
from adoption_desktop.core.policy import MachinePolicy
from adoption_desktop.core.storage.engine import Database

LAST_BACKUP_KEY = "last_scheduled_backup"
INTERVALS = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7)}


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


def backup_folder(policy: MachinePolicy, paths: AppPaths) -> Path:
    return policy.backup_folder or paths.backups


def default_backup_name(db: Database, now: dt.datetime) -> str:
    stem = db.path.stem if db.path is not None else "team-server"
    return f"{stem}-{now.strftime('%Y%m%d-%H%M%S')}.adkbak"


def run_scheduled_backup(db: Database, policy: MachinePolicy, config: LocalConfig, paths: AppPaths,
                         now: dt.datetime | None = None) -> Path | None:
    """Take the backup if one is due; returns its path, or ``None`` if none was due. Team-mode databases
    are the server's to back up (nothing is done)."""
    from adoption_desktop.core.storage.lifecycle import backup_database

    now = now or dt.datetime.now()
    if db.path is None:
        return None
    raw = config.get(LAST_BACKUP_KEY)
    try:
        last = dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        last = None
    if not backup_due(last, policy.backup_schedule, now):
        return None
    folder = backup_folder(policy, paths)
    folder.mkdir(parents=True, exist_ok=True)
    out = backup_database(db, folder / default_backup_name(db, now))
    config.set(LAST_BACKUP_KEY, now.isoformat(timespec="seconds"))
    return out
