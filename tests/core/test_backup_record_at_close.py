"""The record beside the database (``NAME.db.scheduled-backup``) as the program's end says a backup unfinished
(``record_unfinished``): the backup it gave up was not stopped, and may finish and write the record itself, as may
another program on the database. Review: ``record_unfinished`` read the record and wrote it back outside the
claim, so a finished backup's record written between was lost, and a finished one was said failed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from adoption_desktop.core import policy
from adoption_desktop.core import scheduled_backup as sb
from adoption_desktop.core.config import LocalConfig, app_paths
from adoption_desktop.core.storage import lifecycle
from adoption_desktop.core.storage.engine import Database
from tests.core.test_policy import write_policy
from tests.other_program import lock_held_elsewhere

REPO = Path(__file__).resolve().parents[2]


def _policy(tmp_path: Path) -> Path:
    folder = tmp_path / "scheduled"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    return folder


def test_a_backup_finishing_as_the_close_says_it_unfinished_is_kept(db: Database, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The backup given up at close finishes just after the close read the record: its record (the backup made)
    is on file at the end, not the close's copy read before it."""
    _policy(tmp_path)
    assert db.path is not None
    db_path = db.path
    now = dt.datetime.now().replace(microsecond=0)
    gate = threading.Event()
    real_backup = lifecycle.backup_database

    def stalled_folder(*args: object, **kwargs: object) -> Path:
        assert gate.wait(30)  # the backup folder not answering, until the close has given the backup up
        return real_backup(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lifecycle, "backup_database", stalled_folder)
    made: list[Path | None] = []
    backup = threading.Thread(target=lambda: made.append(sb.run_scheduled_backup(
        db, policy.current_policy(), LocalConfig(tmp_path / "settings.json"), app_paths().ensure(), now)),
        name="backup-at-close", daemon=True)
    backup.start()
    real_read = sb.read_record
    closing = threading.current_thread()

    def read_as_the_folder_answers(path: Path) -> sb.BackupRecord:
        record = real_read(path)
        if threading.current_thread() is closing and not gate.is_set():
            gate.set()  # the folder answers again just after the close has read the record
            backup.join(2.0)  # the backup finishes and writes its record, unless made to wait for the close's
        return record

    monkeypatch.setattr(sb, "read_record", read_as_the_folder_answers)
    while not sb.claim_file_for(db_path).exists():  # the backup has begun (it holds its claim)
        backup.join(0.01)
    sb.record_unfinished(db_path, now, 10)
    backup.join(60)
    monkeypatch.setattr(sb, "read_record", real_read)
    assert made and made[0] is not None and made[0].exists()
    record = sb.read_record(db_path)
    assert record.last_at == now and record.last_file == str(made[0])
    said = sb.describe(db, policy.current_policy(), None, now)
    assert "last made " in said and "failed" not in said


def test_the_close_does_not_say_unfinished_a_backup_that_has_finished(db: Database, tmp_path: Path) -> None:
    """The backup begun while the window was open was still running when the close gave it up, then finished
    (and wrote its record) before the close said it unfinished, as of when it began (as ``run_gui`` says it): the
    record stays the finished backup's, and the backup line says it made, not failed."""
    _policy(tmp_path)
    assert db.path is not None
    begun = dt.datetime.now()
    made: list[Path | None] = []
    backup = threading.Thread(target=lambda: made.append(sb.run_scheduled_backup(
        db, policy.current_policy(), LocalConfig(tmp_path / "settings.json"), app_paths().ensure(), begun)))
    backup.start()
    backup.join(60)
    assert made and made[0] is not None
    finished = sb.record_file_for(db.path).read_bytes()
    sb.record_unfinished(db.path, begun, 10)
    assert sb.record_file_for(db.path).read_bytes() == finished
    said = sb.describe(db, policy.current_policy(), None, begun + dt.timedelta(minutes=4))
    assert "last made " in said and "failed" not in said


@pytest.mark.skipif(sys.platform == "win32", reason="the holder process uses flock")
def test_a_backup_still_under_way_is_said_unfinished_and_the_last_one_kept(db: Database, tmp_path: Path) -> None:
    _policy(tmp_path)
    assert db.path is not None
    before = dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=2)
    out = sb.run_scheduled_backup(db, policy.current_policy(), LocalConfig(tmp_path / "settings.json"),
                                  app_paths().ensure(), before)
    assert out is not None
    closed = dt.datetime.now().replace(microsecond=0)
    with lock_held_elsewhere(sb.claim_file_for(db.path)):  # the backup given up still holds its claim
        sb.record_unfinished(db.path, closed, 10)
    record = sb.read_record(db.path)
    assert record.last_at == before and record.last_file == str(out)
    assert record.failed_at == closed and record.failure == sb.unfinished_words(10)
    assert "failed" in sb.describe(db, policy.current_policy(), None, closed)


_CLOSER = """
import datetime as dt, sys
from pathlib import Path
from adoption_desktop.core.scheduled_backup import record_unfinished
db_path, later = Path(sys.argv[1]), dt.datetime(2099, 1, 1)
print("ready", flush=True)
i = 0
while not Path(sys.argv[2]).exists():
    i += 1
    record_unfinished(db_path, later + dt.timedelta(seconds=i), 10)
"""


def test_another_program_saying_a_backup_unfinished_never_takes_this_ones_away(db: Database,
                                                                              tmp_path: Path) -> None:
    """A second program (another window's close) says its backup unfinished again and again while this one makes
    backup after backup: each backup made is on file afterwards, the record always whole."""
    _policy(tmp_path)
    assert db.path is not None
    stop = tmp_path / "stop"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    closer = subprocess.Popen([sys.executable, "-c", _CLOSER, str(db.path), str(stop)], env=env, cwd=REPO,
                              stdout=subprocess.PIPE, text=True)
    config = LocalConfig(tmp_path / "settings.json")
    first = dt.datetime.now().replace(microsecond=0) - dt.timedelta(days=40)
    lost: list[tuple[dt.datetime, dt.datetime | None]] = []
    try:
        assert closer.stdout is not None and closer.stdout.readline().strip() == "ready"
        for day in range(25):
            now = first + dt.timedelta(days=day)
            out = sb.run_scheduled_backup(db, policy.current_policy(), config, app_paths().ensure(), now)
            assert out is not None
            time.sleep(0.02)  # the other program's record read before this one's was written would be on file now
            on_file = sb.read_record(db.path).last_at
            if on_file != now:
                lost.append((now, on_file))
    finally:
        stop.write_text("stop", encoding="utf-8")
        closer.wait(60)
    assert closer.returncode == 0
    assert not lost, f"backups made but not on file (made, on file): {lost[:3]}"
