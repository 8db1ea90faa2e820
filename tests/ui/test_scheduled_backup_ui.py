"""The scheduled backup while the window stays open: taken on a thread of its own from a real SQLCipher file,
shown in the status bar, the copy restored and read back; a failure said once, not at every check."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from adoption_desktop.core import policy
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, restore_database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.scheduled_backup import RUNNING_TEXT
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.core.test_policy import write_policy


def _window(db: Database, admin: Principal, qtbot: Any) -> MainWindow:
    window = MainWindow(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_open_window_takes_the_due_backup_in_the_background(db: Database, other_pc: Database,
                                                                 admin: Principal, qtbot: Any, tmp_path: Path,
                                                                 store: SecretStore) -> None:
    make_user(db, "hollowmere", Role.LETTERBOX_COORDINATOR)
    folder = tmp_path / "scheduled"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    window = _window(db, admin, qtbot)
    backup = window.background_backup
    try:
        assert backup.timer.isActive()  # checked while open, not only at close
        assert backup.label.text() == "No automatic backup yet"
        assert backup.check()
        # the check returned with the backup still to finish: the window's thread was not held
        assert backup.running and backup.busy.isVisibleTo(window) and backup.label.text() == RUNNING_TEXT
        make_user(other_pc, "brackenlea")  # another PC goes on saving while the copy is taken
        qtbot.waitUntil(lambda: not backup.running, timeout=120_000)
    finally:
        backup.finish()
    made = list(folder.glob("*.adkbak"))
    assert len(made) == 1
    assert not backup.busy.isVisibleTo(window)
    assert backup.label.text().startswith("Last backup: today at ")
    assert str(made[0]) in backup.label.toolTip()
    said = window.statusBar().currentMessage()  # its folder shortened in the middle if there is no room
    assert said.startswith("Automatic backup written and verified: ") and said.endswith(made[0].name)
    assert str(made[0]) in window.about_text()
    assert not backup.check()  # not again in the same day
    restored = restore_database(made[0], tmp_path / "restored.db", store)
    copy = open_database(restored, store)
    try:
        with copy.session(write=False) as session:
            names = set(session.execute(text("SELECT username FROM users")).scalars())
        assert "hollowmere" in names
    finally:
        copy.dispose()


def test_a_failure_is_said_once_and_tried_again_an_hour_later(db: Database, admin: Principal, qtbot: Any,
                                                              tmp_path: Path) -> None:
    blocked = tmp_path / "H-drive"
    blocked.write_text("a file where the backup folder should be", encoding="utf-8")
    write_policy({"BackupSchedule": "weekly", "BackupFolder": str(blocked)})
    window = _window(db, admin, qtbot)
    backup = window.background_backup
    now = dt.datetime.now().replace(microsecond=0)
    backup.clock = lambda: now
    status = window.statusBar()
    try:
        assert backup.check()
        qtbot.waitUntil(lambda: not backup.running, timeout=120_000)
        said = status.currentMessage()
        assert said.startswith("Automatic backup failed: ") and "H-drive" in said
        assert backup.label.text().startswith("Automatic backup failed today at ")
        assert "H-drive" in backup.label.toolTip()
        status.clearMessage()
        backup.clock = lambda: now + dt.timedelta(minutes=5)
        assert not backup.check()  # the next check, minutes later: nothing tried, nothing said
        backup.clock = lambda: now + dt.timedelta(minutes=61)
        assert backup.check()  # an hour later it is tried again
        qtbot.waitUntil(lambda: not backup.running, timeout=120_000)
        assert status.currentMessage() == ""  # the same failure is not said again
        assert backup.label.text().startswith("Automatic backup failed today at ")
    finally:
        backup.finish()


def test_a_failure_while_open_is_one_log_line_with_its_detail(db: Database, admin: Principal, qtbot: Any,
                                                               tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The core logged the failure's detail and the window logged its type again, one failure read as two, the
    type said twice (review): now one line says it, once, with the detail and that the window was open."""
    blocked = tmp_path / "H-drive"
    blocked.write_text("a file where the backup folder should be", encoding="utf-8")
    write_policy({"BackupSchedule": "weekly", "BackupFolder": str(blocked)})
    window = _window(db, admin, qtbot)
    backup = window.background_backup
    with caplog.at_level(logging.INFO, logger="adoption_desktop"):
        try:
            assert backup.check()
            qtbot.waitUntil(lambda: not backup.running, timeout=120_000)
        finally:
            backup.finish()
    assert window.statusBar().currentMessage().startswith("Automatic backup failed: ")
    said = [r.getMessage() for r in caplog.records if "backup" in r.getMessage()]
    assert len(said) == 1, said
    assert said[0].startswith("scheduled backup failed while open: FileExistsError; EEXIST ("), said[0]
    assert said[0].count("FileExistsError") == 1 and "IT's BackupFolder: not a folder" in said[0], said[0]


def test_a_failure_at_close_is_one_log_line_with_its_detail(db: Database, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    """The same at the window's close (``app._scheduled_backup``), which logged the type again as well."""
    from adoption_desktop.app import _scheduled_backup

    blocked = tmp_path / "H-drive"
    blocked.write_text("a file where the backup folder should be", encoding="utf-8")
    write_policy({"BackupSchedule": "weekly", "BackupFolder": str(blocked)})
    with caplog.at_level(logging.INFO, logger="adoption_desktop"):
        _scheduled_backup(db)  # never raises: the application closes whatever happens
    said = [r.getMessage() for r in caplog.records if "backup" in r.getMessage()]
    assert len(said) == 1, said
    assert said[0].startswith("scheduled backup failed: FileExistsError; EEXIST ("), said[0]
    assert said[0].count("FileExistsError") == 1, said[0]


def test_no_schedule_no_line(db: Database, admin: Principal, qtbot: Any) -> None:
    window = _window(db, admin, qtbot)
    try:
        assert policy.current_policy().backup_schedule is None
        assert not window.background_backup.label.isVisibleTo(window)
        assert not window.background_backup.check()
        assert "Automatic backup: off" in window.about_text()
    finally:
        window.background_backup.finish()


def test_the_status_line_follows_the_days_while_no_backup_is_due(db: Database, admin: Principal, qtbot: Any,
                                                                 tmp_path: Path) -> None:
    """Review: the backup line was worked out only when a backup ended, so the morning after one made at 10:00
    it still said "Last backup: today at 10:00" until the next was due that afternoon."""
    folder = tmp_path / "scheduled"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    window = _window(db, admin, qtbot)
    backup = window.background_backup
    made_at = dt.datetime.combine(dt.date.today(), dt.time(10, 0))
    backup.clock = lambda: made_at
    try:
        assert backup.check()
        qtbot.waitUntil(lambda: not backup.running, timeout=120_000)
        assert backup.label.text() == "Last backup: today at 10:00"
        backup.clock = lambda: made_at + dt.timedelta(hours=22)  # the next morning at 08:00: none due yet
        assert not backup.check()
        assert backup.label.text() == "Last backup: yesterday at 10:00"
        assert "yesterday at 10:00" in backup.label.toolTip()
    finally:
        backup.finish()
    assert len(list(folder.glob("*.adkbak"))) == 1


def test_the_backups_message_fits_beside_the_database_name(db: Database, admin: Principal, qtbot: Any,
                                                           tmp_path: Path) -> None:
    """Trial of the ninth release, at 1366×768: "Automatic backup written and verified: C:\\…" ran under the
    status bar's "Database: …" and was cut off mid-path, the backup's file name lost (a failure's folder
    likewise). The path is now shortened in the middle so that the message, file name whole, fits."""
    folder = tmp_path / "a folder the agency's IT chose for its backups" / "adoption desktop" / "scheduled copies"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    window = _window(db, admin, qtbot)
    window.resize(1366, 728)
    backup = window.background_backup
    try:
        assert backup.check()
        qtbot.waitUntil(lambda: not backup.running, timeout=120_000)
    finally:
        backup.finish()
    QApplication.processEvents()
    (made,) = folder.glob("*.adkbak")
    status = window.statusBar()
    said = status.currentMessage()
    assert said.startswith("Automatic backup written and verified: ") and said.endswith(made.name)
    room = window.db_label.geometry().left()  # the message is drawn to the left of the database's name
    assert status.fontMetrics().horizontalAdvance(said) < room
    assert str(made) in backup.label.toolTip()  # the whole path where the line is pointed at
