"""The scheduled backup's rule and its claim: due by the schedule, held back an hour after a failure, and one
backup per period for a database file however many programs have it open (two real sessions on one file)."""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core import policy
from adoption_desktop.core.config import LocalConfig, app_paths
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.scheduled_backup import (
    RETRY_AFTER_FAILURE,
    attempt_due,
    backup_due,
    claim_file_for,
    describe,
    failure_detail,
    read_record,
    run_scheduled_backup,
)
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database
from tests.core.test_policy import write_policy
from tests.other_program import lock_held_elsewhere

times = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1))


@given(st.sampled_from(["daily", "weekly", "off", None]), times, st.integers(0, 30 * 24 * 60),
       st.one_of(st.none(), st.integers(-30 * 24 * 60, 30 * 24 * 60)), st.integers(1, 24 * 60))
def test_attempt_due_is_the_schedule_held_back_after_a_failure(schedule: str | None, last: dt.datetime,
                                                               minutes: int, failed_minutes: int | None,
                                                               retry_minutes: int) -> None:
    now = last + dt.timedelta(minutes=minutes)
    retry = dt.timedelta(minutes=retry_minutes)
    failed_at = None if failed_minutes is None else now - dt.timedelta(minutes=failed_minutes)
    got = attempt_due(last, failed_at, schedule, now, retry)
    if not backup_due(last, schedule, now):
        assert not got  # never more often than the schedule
    elif failed_at is None or failed_at > now or failed_at <= last:
        assert got  # no failure since the last backup (or a clock set back): the schedule alone
    else:
        assert got == (now - failed_at >= retry)
    # a failure holds the next attempt back no longer than the wait (one in the future, a clock set back: not at all)
    if failed_at is None or failed_at <= now:
        assert attempt_due(None, failed_at, schedule, now + retry, retry) == (schedule in ("daily", "weekly"))
    else:
        assert attempt_due(None, failed_at, schedule, now, retry) == (schedule in ("daily", "weekly"))


def _policy(tmp_path: Path) -> Path:
    folder = tmp_path / "scheduled"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    return folder


def test_two_sessions_racing_for_the_same_due_backup_make_one(db: Database, other_pc: Database,
                                                              tmp_path: Path) -> None:
    folder = _policy(tmp_path)
    paths = app_paths().ensure()
    now = dt.datetime.now().replace(microsecond=0)
    start = threading.Barrier(2)
    made: list[Path | None] = []
    errors: list[BaseException] = []

    def take(database: Database, name: str) -> None:
        config = LocalConfig(tmp_path / f"{name}-settings.json")  # two users: each their own settings
        start.wait()
        try:
            made.append(run_scheduled_backup(database, policy.current_policy(), config, paths, now))
        except BaseException as exc:  # pragma: no cover - shown by the assert
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(d, n)) for d, n in ((db, "first"), (other_pc, "second"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    assert len([m for m in made if m is not None]) == 1
    assert [p.name for p in folder.glob("*.adkbak")] == [next(m for m in made if m is not None).name]
    # later in the period neither session makes another, though neither user's own settings say so
    for database, name in ((db, "second"), (other_pc, "third")):
        config = LocalConfig(tmp_path / f"{name}-later.json")
        assert run_scheduled_backup(database, policy.current_policy(), config, paths,
                                    now + dt.timedelta(hours=5)) is None
    assert len(list(folder.glob("*.adkbak"))) == 1
    record = read_record(db.path or Path())
    assert record.last_at == now and record.last_file == str(next(m for m in made if m is not None))


@pytest.mark.skipif(sys.platform == "win32", reason="the holder process uses flock")
def test_a_backup_claimed_by_another_process_is_left_to_it(db: Database, tmp_path: Path) -> None:
    folder = _policy(tmp_path)
    paths = app_paths().ensure()
    config = LocalConfig(tmp_path / "settings.json")
    assert db.path is not None
    with lock_held_elsewhere(claim_file_for(db.path)):
        assert run_scheduled_backup(db, policy.current_policy(), config, paths) is None
        assert not folder.exists() or not list(folder.glob("*.adkbak"))
    out = run_scheduled_backup(db, policy.current_policy(), config, paths)  # the other program ended
    assert out is not None and out.exists()


def test_a_failure_is_recorded_in_words_and_a_success_clears_it(db: Database, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    write_policy({"BackupSchedule": "weekly", "BackupFolder": str(blocked)})
    paths = app_paths().ensure()
    config = LocalConfig(tmp_path / "settings.json")
    now = dt.datetime.now().replace(microsecond=0)
    with pytest.raises(OSError):
        run_scheduled_backup(db, policy.current_policy(), config, paths, now)
    assert db.path is not None
    record = read_record(db.path)
    assert record.failed_at == now and record.last_at is None and "not-a-folder" in record.failure
    said = describe(db, policy.current_policy(), config, now)
    assert "none made yet" in said and "failed" in said and "not-a-folder" in said
    assert not attempt_due(None, record.failed_at, "weekly", now + RETRY_AFTER_FAILURE / 2)
    folder = _policy(tmp_path)
    out = run_scheduled_backup(db, policy.current_policy(), config, paths, now + RETRY_AFTER_FAILURE)
    assert out is not None and out.parent == folder
    said = describe(db, policy.current_policy(), config, now + RETRY_AFTER_FAILURE)
    assert "last made today" in said
    assert str(out) in said and "failed" not in said


def test_a_team_database_is_the_servers_to_back_up(pg_db: Database, tmp_path: Path) -> None:
    _policy(tmp_path)
    config = LocalConfig(tmp_path / "settings.json")
    assert run_scheduled_backup(pg_db, policy.current_policy(), config, app_paths().ensure()) is None
    assert "backed up on the server by IT" in describe(pg_db, policy.current_policy(), config, dt.datetime.now())


def test_another_pcs_clock_a_little_ahead_makes_no_second_backup(db: Database, tmp_path: Path) -> None:
    folder = _policy(tmp_path)
    paths = app_paths().ensure()
    now = dt.datetime.now().replace(microsecond=0)
    ahead = now + dt.timedelta(minutes=10)  # the PC that made it runs ten minutes fast
    assert run_scheduled_backup(db, policy.current_policy(), LocalConfig(tmp_path / "a.json"), paths, ahead)
    assert run_scheduled_backup(db, policy.current_policy(), LocalConfig(tmp_path / "b.json"), paths, now) is None
    assert len(list(folder.glob("*.adkbak"))) == 1
    # a clock set back by more (a day): a backup is due, so a wrong clock never stops them
    assert run_scheduled_backup(db, policy.current_policy(), LocalConfig(tmp_path / "c.json"), paths,
                                now - dt.timedelta(days=1)) is not None


def test_a_settings_file_that_cannot_be_written_does_not_make_a_backup_made_a_failure(db: Database,
                                                                                       tmp_path: Path) -> None:
    """Review: the backup was written, verified and recorded beside the database, then storing its time in the
    user's own settings (a read-only profile) raised, so the window said "Automatic backup failed" and the
    close logged a failure, of a backup that was there."""
    folder = _policy(tmp_path)
    unwritable = tmp_path / "profile-settings"
    unwritable.mkdir()  # a settings "file" that cannot be replaced: as a read-only profile's
    now = dt.datetime.now().replace(microsecond=0)
    out = run_scheduled_backup(db, policy.current_policy(), LocalConfig(unwritable), app_paths().ensure(), now)
    assert out is not None and out.exists() and out.parent == folder
    assert db.path is not None
    record = read_record(db.path)
    assert record.last_at == now and record.failed_at is None and record.last_file == str(out)


def test_a_backup_of_one_database_does_not_count_for_another(db: Database, tmp_path: Path,
                                                            store: SecretStore) -> None:
    """Review: the time in the user's own settings is one for every database, and it counted for each: the
    training copy backed up this morning left the agency's database without its backup that day."""
    folder = _policy(tmp_path)
    paths = app_paths().ensure()
    config = LocalConfig(tmp_path / "settings.json")  # one user: one settings file
    now = dt.datetime.now().replace(microsecond=0)
    assert run_scheduled_backup(db, policy.current_policy(), config, paths, now) is not None
    second = create_database(tmp_path / "training" / "training.db", store).db
    try:
        later = now + dt.timedelta(hours=2)
        out = run_scheduled_backup(second, policy.current_policy(), LocalConfig(tmp_path / "settings.json"),
                                   paths, later)
        assert out is not None and out.name.startswith("training")
        # and each database's own time still holds: neither is backed up again the same day
        config = LocalConfig(tmp_path / "settings.json")
        assert run_scheduled_backup(db, policy.current_policy(), config, paths, later) is None
        assert run_scheduled_backup(second, policy.current_policy(), config, paths, later) is None
    finally:
        second.dispose()
    assert len(list(folder.glob("*.adkbak"))) == 2


def test_a_failure_has_its_detail_in_the_log_and_no_path(db: Database, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    """``failure_words`` tells the user "the log has the detail", but only the error's type name was logged: the
    operating system's code and words, and which folder and what it is, are logged now; never a path (it names
    the user)."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    write_policy({"BackupSchedule": "weekly", "BackupFolder": str(blocked)})
    config = LocalConfig(tmp_path / "settings.json")
    now = dt.datetime.now().replace(microsecond=0)
    with caplog.at_level(logging.WARNING, logger="adoption_desktop.core.scheduled_backup"), \
            pytest.raises(OSError):
        run_scheduled_backup(db, policy.current_policy(), config, app_paths().ensure(), now)
    said = [r.getMessage() for r in caplog.records if r.name == "adoption_desktop.core.scheduled_backup"]
    assert len(said) == 1, said
    assert "EEXIST" in said[0] and os.strerror(errno.EEXIST) in said[0], said[0]
    assert "IT's BackupFolder: not a folder" in said[0] and "at the backup folder itself" in said[0], said[0]
    assert str(tmp_path) not in said[0] and "not-a-folder" not in said[0]


def test_the_detail_is_found_under_the_applications_own_message() -> None:
    """A full disk is said to the user in the application's words; the log still has the system's code."""
    try:
        try:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/home/someone/backups/x.adkbak")
        except OSError as err:
            raise AppError("The backup was not written: the disk is full.") from err
    except AppError as exc:
        detail = failure_detail(exc, Path("/home/someone/backups"), False)
    assert detail.startswith("AppError; ENOSPC (") and "at a file in the backup folder" in detail, detail
    assert "the user's own backups folder: missing" in detail and "someone" not in detail


def test_the_close_waits_longer_for_the_backup_of_a_larger_database(tmp_path: Path) -> None:
    """A backup of a large database to a slow (not stalled) network folder is not given up at every close:
    the wait grows with the database's size; a stalled folder still ends the program after it."""
    from adoption_desktop.app import BACKUP_CLOSE_BYTES_A_SECOND, BACKUP_CLOSE_WAIT, backup_close_wait

    small, large = tmp_path / "small.db", tmp_path / "large.db"
    small.write_bytes(b"x" * 4096)
    with open(large, "wb") as f:
        f.truncate(200_000_000)  # sparse: the size IT sees, nothing written
    assert backup_close_wait(None) == BACKUP_CLOSE_WAIT
    assert backup_close_wait(tmp_path / "gone.db") == BACKUP_CLOSE_WAIT
    assert BACKUP_CLOSE_WAIT < backup_close_wait(small) < BACKUP_CLOSE_WAIT + 1
    assert backup_close_wait(large) == BACKUP_CLOSE_WAIT + 200_000_000 / BACKUP_CLOSE_BYTES_A_SECOND
    assert backup_close_wait(large) >= 60  # a 200 MB database: a minute at least before it is given up


def test_two_threads_writing_the_record_at_once_both_get_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    """Review: the record's temporary name was the process's alone (``NAME.db.scheduled-backup.<pid>.tmp``), and
    at the program's end two threads of it write the record at once (the backup at close finishing as the close
    records it unfinished): the one whose temporary file the other took away was lost, said nowhere. Here the
    backup thread's write lands between the close's write of its temporary file and its rename."""
    from adoption_desktop.core import scheduled_backup as sb

    db_path = tmp_path / "agency.db"
    today = dt.datetime.now().replace(microsecond=0)
    real_replace = os.replace
    calls: list[int] = []

    def replace(src: object, dst: object) -> None:
        calls.append(1)
        if len(calls) == 1:  # the other thread writes its record meanwhile
            other = threading.Thread(target=sb._write_record,
                                     args=(db_path, sb.BackupRecord(today, "backup-made.adkbak", "PC-1")))
            other.start()
            other.join()
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(sb.os, "replace", replace)
    sb._write_record(db_path, sb.BackupRecord(today, "backup-made.adkbak", "PC-1", today, "not finished"))
    monkeypatch.setattr(sb.os, "replace", real_replace)
    assert sb.read_record(db_path).failure == "not finished"  # the later rename is the one on file
    assert not list(tmp_path.glob("*.tmp"))
