"""The per-user settings file has two writers in one program, each with its own LocalConfig of the file: the
window (preferences, the window's geometry at close) and the automatic backup's thread (the last backup time).
Each wrote its whole in-memory copy through one shared ``settings.tmp``: a preference saved while a backup ran
was lost, and the two could trip over each other's temporary file."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

from adoption_desktop.core import policy
from adoption_desktop.core.config import LocalConfig, app_paths
from adoption_desktop.core.scheduled_backup import LAST_BACKUP_KEY, run_scheduled_backup
from adoption_desktop.core.storage.engine import Database
from tests.core.test_policy import write_policy

ROUNDS = 150


def test_two_writers_of_one_settings_file_on_two_threads_lose_no_key(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    LocalConfig(path).set("kept", "from before")
    window, backup = LocalConfig(path), LocalConfig(path)  # separate in-memory copies, as in the program
    start = threading.Barrier(3)
    stop = threading.Event()
    errors: list[BaseException] = []
    unreadable: list[str] = []

    def write(config: LocalConfig, prefix: str) -> None:
        start.wait()
        try:
            for i in range(ROUNDS):
                config.set(f"{prefix}{i}", i)
        except BaseException as exc:  # shown by the assert
            errors.append(exc)

    def read() -> None:
        start.wait()
        while not stop.is_set():
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:  # the file is always there: replaced in one step
                unreadable.append(repr(exc))
                continue
            try:
                json.loads(text)
            except ValueError:
                unreadable.append(text[:80])

    writers = [threading.Thread(target=write, args=(window, "window")),
               threading.Thread(target=write, args=(backup, "backup"))]
    reader = threading.Thread(target=read)
    for thread in [*writers, reader]:
        thread.start()
    for thread in writers:
        thread.join(120)
    stop.set()
    reader.join(30)
    assert not errors, errors[:3]
    assert not unreadable, unreadable[:3]
    saved = json.loads(path.read_text(encoding="utf-8"))
    expected = {"kept": "from before"} | {f"{p}{i}": i for p in ("window", "backup") for i in range(ROUNDS)}
    assert saved == expected
    assert LocalConfig(path).values == expected
    assert [f.name for f in tmp_path.iterdir()] == ["settings.json"]  # no temporary file left behind


def test_a_preference_saved_while_the_backup_runs_is_kept(db: Database, tmp_path: Path) -> None:
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(tmp_path / "scheduled")})
    path = tmp_path / "settings.json"
    backup_config = LocalConfig(path)  # read by the backup thread when it starts
    LocalConfig(path).set("window_geometry", "saved by the window meanwhile")
    now = dt.datetime.now().replace(microsecond=0)
    assert run_scheduled_backup(db, policy.current_policy(), backup_config, app_paths().ensure(), now) is not None
    saved = LocalConfig(path)
    assert saved.get("window_geometry") == "saved by the window meanwhile"
    assert saved.get(LAST_BACKUP_KEY) == now.isoformat(timespec="seconds")
