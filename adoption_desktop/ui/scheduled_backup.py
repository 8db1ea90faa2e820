"""The scheduled backup while the window is open (``BackupSchedule``): checked every few minutes, taken off
the window's thread, shown in the status bar.

A window left open for a week (a council PC locked, never shut down) made no backup all week when the
backup was taken only at close. Now the same rule (``core.scheduled_backup``) is checked while it is open:
when the backup falls due it is taken on a thread of its own (``VACUUM INTO``: a snapshot while others go on
writing), with a busy bar in the status bar; typing goes on. Two windows, or two PCs, on one database file
make one backup per period (the claim beside the database). A failure (a full disk, a missing folder) is
said once in the status bar and tried again after an hour, not every few minutes; it stays in the status
bar's backup line until a backup succeeds. A team (PostgreSQL) database is never backed up here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QLabel, QProgressBar

if TYPE_CHECKING:
    from adoption_desktop.core.storage.engine import Database
    from adoption_desktop.ui.main_window import MainWindow
    from adoption_desktop.ui.tasks import TaskHandle, TaskRunner

_log = logging.getLogger(__name__)

#: how often the open window asks whether the backup is due (the check reads one small file)
CHECK_MS = 5 * 60_000
#: the first check after signing in: a minute, so start-up's own work comes first
FIRST_CHECK_MS = 60_000
#: what the status bar's backup line says while the backup is taken
RUNNING_TEXT = "Backing up the database in the background…"


#: the status bar's spacing beside each permanent widget, and its margins and size grip (logical pixels)
ROOM_BETWEEN = 8
ROOM_AT_ENDS = 32


def fit_path(words: str, paths: Iterable[str], metrics: QFontMetrics, room: int) -> str:
    """``words`` with the longest of ``paths`` in it shortened in the middle, its last part (the backup's
    file, or the folder a failure names) kept whole ("C:\\Users\\…\\backups\\agency-20261207-1035.adkbak"),
    so that the whole fits in ``room`` pixels if it can; as it is if it fits, or names none of them."""
    if metrics.horizontalAdvance(words) <= room:
        return words
    named = [path for path in paths if path and path in words]
    if not named:
        return words
    path = max(named, key=len)
    cut = max(path.rfind("/"), path.rfind("\\"))
    folder, last = path[:cut], path[cut:]  # the last part with the separator before it
    room_for_folder = room - metrics.horizontalAdvance(words.replace(path, last, 1))
    from PySide6.QtCore import Qt  # not at import: building Qt's namespace costs start-up ~12 ms

    short = metrics.elidedText(folder, Qt.TextElideMode.ElideMiddle, max(room_for_folder, 0)) or "…"
    return words.replace(path, short + last, 1)


def _paths_named(exc: BaseException) -> list[str]:
    """The files or folders a failed backup's words may name: the error's own, the policy's backup folder
    and this user's backups folder."""
    from adoption_desktop.core.config import app_paths
    from adoption_desktop.core.policy import current_policy

    found = [str(name) for name in (getattr(exc, "filename", None), getattr(exc, "filename2", None)) if name]
    folder = current_policy().backup_folder
    if folder is not None:
        found.append(str(folder))
    with contextlib.suppress(OSError):
        found.append(str(app_paths().backups))
    return found


class BackgroundBackup(QObject):
    """The window's scheduled backup: a timer, a thread of its own, a line and a busy bar in the status bar."""

    def __init__(self, window: MainWindow, *, clock: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        super().__init__(window)
        self.window = window
        self.clock = clock
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.label = QLabel("")
        self.label.setObjectName("status_backup")
        self.label.setAccessibleName("Automatic backup")
        self.label.setVisible(False)
        self.busy = QProgressBar()
        self.busy.setObjectName("status_backup_progress")
        self.busy.setAccessibleName(RUNNING_TEXT)
        self.busy.setRange(0, 0)  # busy: VACUUM INTO is one step
        self.busy.setTextVisible(False)
        self.busy.setMaximumWidth(90)
        self.busy.setVisible(False)
        status = window.statusBar()
        status.addPermanentWidget(self.busy)
        status.addPermanentWidget(self.label)
        self._runner: TaskRunner | None = None
        self.task: TaskHandle | None = None
        #: when the last attempt began (its time in the record beside the database): an attempt given up at the
        #: close is said unfinished as of then (``record_unfinished``), so a record it wrote as it ended is kept
        self.begun: dt.datetime | None = None
        #: when an attempt last failed in this window (the next one waits RETRY_AFTER_FAILURE), and what was said
        self.failed_at: dt.datetime | None = None
        self._said_failure = ""

    # --- the schedule -------------------------------------------------------------------------------
    def _db(self) -> Database | None:
        ctx = self.window._ctx
        return ctx.db if ctx is not None else None

    def start(self) -> None:
        """Once a database is attached: its line shown, the checks begun (the first after a minute)."""
        self.refresh()
        db = self._db()
        if db is None or not db.is_sqlite or self.timer.isActive():
            return
        self.timer.start()
        QTimer.singleShot(FIRST_CHECK_MS, self.check)

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done

    def check(self) -> bool:
        """Start the backup if it is due (and none is running here); whether one was started."""
        from adoption_desktop.core.config import LocalConfig, app_paths
        from adoption_desktop.core.policy import current_policy
        from adoption_desktop.core.scheduled_backup import attempt_due, last_backup, run_scheduled_backup

        db = self._db()
        if db is None or not db.is_sqlite or db.path is None or self.running or not self.timer.isActive():
            return False
        policy = current_policy()
        try:
            paths = app_paths().ensure_local()
            config = LocalConfig(paths.settings_file)
        except OSError:
            return False
        now = self.clock()
        if not attempt_due(last_backup(db, config, now), self.failed_at, policy.backup_schedule, now):
            # the line said again: "today" becomes "yesterday" at midnight, another PC's backup or failure shows
            self.refresh()
            return False
        self.busy.setVisible(True)
        self.label.setText(RUNNING_TEXT)
        self.label.setToolTip("")
        self.label.setVisible(True)
        if self._runner is None:
            from adoption_desktop.ui.tasks import TaskRunner

            # never queued behind a page's long work; a thread that never holds the program's end (a backup folder
            # that stopped answering: the close waits for it FINISH_WAIT at most, see finish)
            self._runner = TaskRunner(max_threads=1, own_threads=True)
        self.begun = now
        self.task = self._runner.run(lambda _task: run_scheduled_backup(db, policy, config, paths, now,
                                                                         while_open=True),
                                     on_done=lambda out: self._done(out, now),
                                     on_error=lambda exc: self._failed(exc, now))
        return True

    def _done(self, out: Path | None, now: dt.datetime) -> None:
        self.busy.setVisible(False)
        self.failed_at, self._said_failure = None, ""
        self.refresh()
        if out is not None:
            _log.info("scheduled backup written while open")
            self._say(f"Automatic backup written and verified: {out}", [str(out)], 15000)

    def _failed(self, exc: BaseException, now: dt.datetime) -> None:
        from adoption_desktop.core.scheduled_backup import failure_words

        self.busy.setVisible(False)
        self.failed_at = now
        words = failure_words(exc)  # logged, once and with its detail, by run_scheduled_backup
        self.refresh()
        if words != self._said_failure:  # said once: the next attempts are an hour apart, and quiet
            self._said_failure = words
            self._say(f"Automatic backup failed: {words}", _paths_named(exc), 60000)

    def _say(self, words: str, paths: Iterable[str], msecs: int) -> None:
        """``words`` in the status bar, its longest file path shortened in the middle to the room left of
        the database's name and the backup line (the message was cut off there, mid-path, the file's name
        or the failure's folder lost; the whole of it is in the backup line's tooltip and Help → About)."""
        status = self.window.statusBar()
        shown = [w for w in (self.window.db_label, self.busy, self.label) if not w.isHidden()]
        room = status.width() - sum(w.sizeHint().width() + ROOM_BETWEEN for w in shown) - ROOM_AT_ENDS
        status.showMessage(fit_path(words, paths, status.fontMetrics(), room), msecs)

    def refresh(self) -> None:
        """The status bar's line: when the last backup was made (where, in its tooltip), or that the last
        attempt failed; hidden for a team database and when IT has set no schedule."""
        from adoption_desktop.core.config import LocalConfig, app_paths
        from adoption_desktop.core.policy import current_policy
        from adoption_desktop.core.scheduled_backup import (
            INTERVALS,
            describe,
            last_backup,
            read_record,
            when_in_words,
        )

        db = self._db()
        policy = current_policy()
        if self.running:
            return
        if db is None or not db.is_sqlite or db.path is None or (policy.backup_schedule or "off") not in INTERVALS:
            self.label.setVisible(False)
            return
        try:
            config: LocalConfig | None = LocalConfig(app_paths().settings_file)
        except OSError:
            config = None
        now = self.clock()
        words = describe(db, policy, config, now)
        last = last_backup(db, config)
        failed = read_record(db.path).failed_at
        if failed is not None and (last is None or failed > last):
            short = f"Automatic backup failed {when_in_words(failed, now)}"
        elif last is not None:
            short = f"Last backup: {when_in_words(last, now)}"
        else:
            short = "No automatic backup yet"
        self.label.setText(short)
        self.label.setToolTip(words)
        self.label.setAccessibleDescription(words)
        self.label.setVisible(True)

    def finish(self, msecs: int = -1) -> bool:
        """The window closes: no new backup starts, and one under way is waited for ``msecs`` at most (-1: no
        limit) before the database is closed; whether none is still under way. One still writing to a backup
        folder that stopped answering is left: its file has only its temporary name, never the backup's."""
        self.timer.stop()
        if self._runner is not None:
            return self._runner.wait(msecs)
        return True
