"""The per-user settings file has two writers in one program, each with its own LocalConfig of the file: the
window (preferences, the window's geometry at close) and the automatic backup's thread (the last backup time).
Each wrote its whole in-memory copy through one shared ``settings.tmp``: a preference saved while a backup ran
was lost, and the two could trip over each other's temporary file."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core import policy
from adoption_desktop.core.config import (
    LOCAL_PREFERENCES,
    LocalConfig,
    SettingsBusy,
    app_paths,
    damaged_names,
    set_notice_listener,
    take_notices,
)
from adoption_desktop.core.scheduled_backup import LAST_BACKUP_KEY, run_scheduled_backup
from adoption_desktop.core.storage.engine import Database
from tests.core.test_policy import write_policy
from tests.other_program import lock_held_elsewhere

ROUNDS = 150
ROOT = Path(__file__).resolve().parents[2]


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
    # no temporary file left behind (the lock file stays, empty: deleting it could let two writers in)
    assert sorted(f.name for f in tmp_path.iterdir()) == ["settings.json", "settings.json.lock"]


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



def test_every_open_object_of_the_file_sees_a_change_made_through_another(db: Database, tmp_path: Path) -> None:
    """The window's own object (read at start-up, kept open: Help → About's backup line, its place at close) and
    the automatic backup's (its time) each kept a copy of their own: the backup's time, or a Save folder chosen
    in a dialog, written through one was never seen by the other, which went on with the older values."""
    from adoption_desktop.core.scheduled_backup import LAST_BACKUP_DB_KEY, last_backup

    write_policy({"BackupSchedule": "daily", "BackupFolder": str(tmp_path / "scheduled")})
    path = tmp_path / "settings.json"
    LocalConfig(path).set("last_database", "C:/Agency/adoption.db")
    window = LocalConfig(path)  # the window's, read as it opened
    backup = LocalConfig(path)  # the automatic backup's, read when it is taken
    now = dt.datetime.now().replace(microsecond=0)
    assert run_scheduled_backup(db, policy.current_policy(), backup, app_paths().ensure(), now) is not None
    assert window.get(LAST_BACKUP_KEY) == now.isoformat(timespec="seconds")
    assert window.get(LAST_BACKUP_DB_KEY) is not None and last_backup(db, window) == now
    LocalConfig(path).put_entry("save_folders", "letters", "C:/Letters", lambda v: v)  # a Save dialog's
    assert window.get("save_folders") == {"letters": "C:/Letters"}
    assert window.get("last_database") == "C:/Agency/adoption.db"


# Two copies of the program for one Windows user (two windows, or the window and a command such as
# move-database): the lock was a threading lock, one per program, so both read the file, each added its own
# preference and wrote: the one written second dropped the other's.
_WRITER = """
import sys
from collections.abc import Iterator
from pathlib import Path
from adoption_desktop.core.config import LocalConfig
path, prefix, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
print("ready", flush=True)
sys.stdin.readline()
for i in range(rounds):
    LocalConfig(path).set(f"{prefix}{i}", i)  # a fresh object each time, as each dialog and command does
config = LocalConfig(path)
for i in range(rounds):
    config.set(f"{prefix}-same-object-{i}", i)  # the window's one object, written again and again
print("done", flush=True)
"""


def test_two_programs_saving_preferences_at_once_lose_none(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    LocalConfig(path).set("kept", "from before")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    programs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), prefix, str(ROUNDS)], cwd=ROOT,
                                 env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                for prefix in ("first", "second")]
    try:
        for program in programs:  # both started (imports done) before either writes
            assert program.stdout is not None and program.stdout.readline().strip() == "ready"
        for program in programs:
            assert program.stdin is not None
            program.stdin.write("go\n")
            program.stdin.flush()
        for program in programs:
            out, _ = program.communicate(timeout=300)
            assert program.returncode == 0 and out.strip() == "done"
    finally:
        for program in programs:
            if program.poll() is None:
                program.kill()
    expected = {"kept": "from before"} | {f"{p}{i}": i for p in ("first", "second") for i in range(ROUNDS)} | {
        f"{p}-same-object-{i}": i for p in ("first", "second") for i in range(ROUNDS)}
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(set(expected) - set(saved)) == []
    assert saved == expected
    assert sorted(f.name for f in tmp_path.iterdir()) == ["settings.json", "settings.json.lock"]


_OPENER = """
import sys
from pathlib import Path
from adoption_desktop.core.config import LocalConfig, take_notices
print("ready", flush=True)
sys.stdin.readline()
LocalConfig(Path(sys.argv[1]))
print(len(take_notices()), flush=True)
"""


def test_two_programs_starting_on_a_damaged_file_keep_one_copy_and_say_it_once(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    for attempt in range(5):
        path.write_text(f'{{"last_database": "C:/Agency/{attempt}', encoding="utf-8")
        programs = [subprocess.Popen([sys.executable, "-c", _OPENER, str(path)], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(2)]
        try:
            for program in programs:
                assert program.stdout is not None and program.stdout.readline().strip() == "ready"
            for program in programs:
                assert program.stdin is not None
                program.stdin.write("go\n")
                program.stdin.flush()
            said = [int(program.communicate(timeout=120)[0].strip()) for program in programs]
        finally:
            for program in programs:
                if program.poll() is None:
                    program.kill()
        assert sorted(said) == [0, 1]  # one of them kept it aside and said so; the other found it gone
        assert not path.exists()
    kept = sorted(p.read_text(encoding="utf-8") for p in damaged_names(path))
    assert kept == sorted(f'{{"last_database": "C:/Agency/{attempt}' for attempt in range(5))


@pytest.mark.skipif(sys.platform == "win32", reason="the holder process uses flock")
def test_a_change_while_another_program_keeps_the_file_locked_is_refused_in_words(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.core import config as config_module

    path = tmp_path / "settings.json"
    config = LocalConfig(path)
    config.set("last_database", "before")
    monkeypatch.setattr(config_module.settings_locks, "SETTINGS_LOCK_WAIT", 0.3)
    with lock_held_elsewhere(path.with_name(path.name + ".lock")):
        with pytest.raises(SettingsBusy, match="was not saved") as refused:
            config.set("last_database", "during")
        assert isinstance(refused.value, OSError)  # the callers' "not saved, the default next time"
        assert json.loads(path.read_text(encoding="utf-8")) == {"last_database": "before"}
        assert LocalConfig(path).get("last_database") == "before"  # read all the same: the file is whole
    config.set("last_database", "after")  # the other program ended
    assert LocalConfig(path).get("last_database") == "after"


# A settings file that could not be read (cut short by a crash of an older version, edited by hand) was
# quietly treated as empty and the next save wrote over it: the user's preferences gone, nobody told, no copy.
_DAMAGED = '{\n  "last_database": "C:/Agency/adoption.db",\n  "save_folders": {"backup": "C:/Bac'


def test_a_damaged_settings_file_is_kept_aside_and_said_once(tmp_path: Path, notices: list[str],
                                                            caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "settings.json"
    path.write_text(_DAMAGED, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="adoption_desktop.core.config"):
        config = LocalConfig(path)
    assert config.values == {}
    [aside] = damaged_names(path)
    assert re.fullmatch(r"settings\.json\.damaged-\d{8}-\d{4}", aside.name)
    assert aside.read_text(encoding="utf-8") == _DAMAGED  # kept as it was
    assert not path.exists()
    [said] = notices
    assert "settings file was damaged" in said and aside.name in said
    assert LOCAL_PREFERENCES["last_database"] in said and LOCAL_PREFERENCES["save_folders"] in said
    assert LOCAL_PREFERENCES["window_geometry"] not in said  # not in the damaged file: nothing lost there
    # the log names the copy, never the folder or a value from the file
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert aside.name in logged and "last_database" in logged
    assert "Agency" not in logged and str(tmp_path) not in logged

    config.set("window_geometry", {"screen": [1, 2, 3, 4]})  # a fresh file; the damaged copy untouched
    assert json.loads(path.read_text(encoding="utf-8")) == {"window_geometry": {"screen": [1, 2, 3, 4]}}
    assert aside.read_text(encoding="utf-8") == _DAMAGED
    LocalConfig(path)
    assert len(notices) == 1  # said once
    assert damaged_names(path) == [aside]


def test_a_settings_file_repaired_in_notepad_is_read_not_kept_aside_as_damaged(tmp_path: Path,
                                                                              notices: list[str]) -> None:
    """The IT guide's way back from a damaged file: repair it in Notepad. Notepad (before Windows 10 1903, and
    "UTF-8 with BOM" since) starts the file with a byte order mark, which ``json`` refuses: the repaired file
    was said to be damaged and renamed aside again, its preferences back to their defaults."""
    path = tmp_path / "settings.json"
    repaired = {"last_database": "C:/Agency/adoption.db", "save_folders": {"backup": "C:/Backups"}}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(repaired, indent=2).replace("\n", "\r\n").encode("utf-8"))
    config = LocalConfig(path)
    assert config.values == repaired
    assert notices == [] and damaged_names(path) == []
    config.set("window_geometry", {"screen": [1, 2, 3, 4]})  # a change keeps them, and writes no mark
    assert json.loads(path.read_text(encoding="utf-8")) == {**repaired, "window_geometry": {"screen": [1, 2, 3, 4]}}
    assert notices == [] and damaged_names(path) == []


def test_a_file_damaged_under_an_open_window_keeps_what_the_window_knew(tmp_path: Path,
                                                                        notices: list[str]) -> None:
    path = tmp_path / "settings.json"
    window = LocalConfig(path)
    window.update({"last_database": "C:/Agency/adoption.db", "window_geometry": {"s": [1, 2, 3, 4]}})
    path.write_bytes(b"\x00" * 64)  # a crash left the file full of nothing (no key can be read from it)
    window.set("save_folders", {"export": "C:/Exports"})
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "last_database": "C:/Agency/adoption.db", "window_geometry": {"s": [1, 2, 3, 4]},
        "save_folders": {"export": "C:/Exports"}}
    [aside] = damaged_names(path)
    assert aside.read_bytes() == b"\x00" * 64
    [said] = notices
    # nothing readable in the file: every preference the window did not have is said to be back to its default
    assert LOCAL_PREFERENCES["first_day_tour_seen"] in said and LOCAL_PREFERENCES["last_scheduled_backup"] in said
    assert LOCAL_PREFERENCES["last_database"] not in said and LOCAL_PREFERENCES["save_folders"] not in said


def test_a_second_damaged_file_in_the_same_minute_does_not_replace_the_first(tmp_path: Path,
                                                                             notices: list[str]) -> None:
    path = tmp_path / "settings.json"
    for text in ("first damage", "second damage"):
        path.write_text(text, encoding="utf-8")
        LocalConfig(path)
    kept = {p.read_text(encoding="utf-8") for p in damaged_names(path)}
    # the minute may turn between the two: either way both copies are there
    assert kept == {"first damage", "second damage"}
    assert len(notices) == 2


def test_without_a_window_the_notice_waits_for_the_command_line(tmp_path: Path) -> None:
    set_notice_listener(None)
    take_notices()
    path = tmp_path / "settings.json"
    path.write_text("[1, 2]", encoding="utf-8")  # JSON, but not the settings object
    assert LocalConfig(path).values == {}
    [said] = take_notices()
    assert "settings file was damaged" in said
    assert take_notices() == []


def test_every_preference_the_program_keeps_has_words() -> None:
    from adoption_desktop.core import scheduled_backup
    from adoption_desktop.ui import files, geometry
    from adoption_desktop.ui.guide import tour

    keys = {files.CONFIG_KEY, geometry.CONFIG_KEY, tour.CONFIG_KEY, scheduled_backup.LAST_BACKUP_KEY,
            scheduled_backup.LAST_BACKUP_DB_KEY, "last_database"}
    assert keys == set(LOCAL_PREFERENCES)


def test_a_damaged_file_that_cannot_be_renamed_is_never_written_over_and_logged_once(
        tmp_path: Path, notices: list[str], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows a file another program has open cannot be renamed (nor in a read-only profile): the damaged
    file stays as it is, its preferences unused, and no change is written over it."""
    path = tmp_path / "settings.json"
    path.write_text("{damaged", encoding="utf-8")
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(src) == path:
            raise PermissionError(13, "The process cannot access the file")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with caplog.at_level(logging.WARNING, logger="adoption_desktop.core.config"):
        for _ in range(3):  # the window reads it again every few minutes
            assert LocalConfig(path).values == {}
        with pytest.raises(OSError, match="was not saved"):  # the callers' "not saved"
            LocalConfig(path).set("save_folders", {"export": "C:/Exports"})
    assert path.read_text(encoding="utf-8") == "{damaged" and damaged_names(path) == []
    assert len([r for r in caplog.records if "nor renamed aside" in r.getMessage()]) == 1
    assert notices == []
    monkeypatch.setattr(os, "replace", real_replace)  # the other program closed it
    LocalConfig(path).set("save_folders", {"export": "C:/Exports"})
    [aside] = damaged_names(path)
    assert aside.read_text(encoding="utf-8") == "{damaged"
    assert json.loads(path.read_text(encoding="utf-8")) == {"save_folders": {"export": "C:/Exports"}}
    assert len(notices) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="the holder process uses flock")
def test_reading_the_settings_never_waits_for_a_stalled_writer(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The window reads the settings on its own thread (the backup line every few minutes, a Save dialog's
    folder, the first-day tour): with another program holding the lock (a profile on a stalled share) and
    this program's backup thread waiting for it to save its time, a read waited for the change's whole wait
    (10 s, the window frozen), behind the other program's lock and then behind the backup thread's."""
    from adoption_desktop.core import config as config_module

    path = tmp_path / "settings.json"
    LocalConfig(path).set("last_database", "C:/Agency/adoption.db")
    monkeypatch.setattr(config_module.settings_locks, "SETTINGS_LOCK_WAIT", 3600.0)  # the other program never lets go
    backup = LocalConfig(path)
    read: list[Any] = []

    def save_backup_time() -> None:
        with contextlib.suppress(OSError):
            backup.set("last_scheduled_backup", "2026-12-07T09:00:00")

    backup_thread = threading.Thread(target=save_backup_time, daemon=True)
    window_thread = threading.Thread(target=lambda: read.append(LocalConfig(path).get("last_database")),
                                     daemon=True)
    try:
        with lock_held_elsewhere(path.with_name(path.name + ".lock")):
            backup_thread.start()  # the automatic backup's thread, saving its time: waits for the other program
            window_thread.start()  # the window, reading: must not wait behind either
            window_thread.join(30)
            assert read == ["C:/Agency/adoption.db"]  # read, whole, while the writers still wait
    finally:
        backup_thread.join(60)
        window_thread.join(60)
    assert LocalConfig(path).values == {"last_database": "C:/Agency/adoption.db",
                                        "last_scheduled_backup": "2026-12-07T09:00:00"}


def test_a_settings_folder_whose_file_system_takes_no_locks_is_read_and_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A profile on a network mount without lock support (Linux: ``flock`` fails with ENOLCK, not "busy"): the
    settings were read and written without a lock before the lock came in; with it, every read raised, and
    the window's start-up (which reads them unguarded) failed. Such a folder is now as a read-only one's
    lock file: no lock, the file read and written as before."""
    import errno

    from adoption_desktop.core.storage import hold

    path = tmp_path / "settings.json"
    path.write_text('{"last_database": "C:/Agency/adoption.db"}', encoding="utf-8")

    def no_locks(_fd: int, _exclusive: bool) -> bool:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(hold, "_try_lock", no_locks)
    config = LocalConfig(path)
    assert config.get("last_database") == "C:/Agency/adoption.db"
    config.set("window_geometry", "saved")
    assert json.loads(path.read_text(encoding="utf-8")) == {"last_database": "C:/Agency/adoption.db",
                                                            "window_geometry": "saved"}


def test_a_preference_of_several_entries_keeps_its_right_shaped_ones_and_drops_the_others_at_its_next_change(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Edited by hand: one Save folder a number, one tour seen a number. The others are still used, and the next
    change writes the preference without the wrong ones; logged once, by the preference's name only."""
    from adoption_desktop.core.config import text_of

    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"save_folders": {"letters": 5, "exports": "exports-folder"},
                                "first_day_tour_seen": [7, "chair@demo"]}), encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="adoption_desktop.core.config")
    config = LocalConfig(path)
    for _ in range(3):
        assert config.mapping("save_folders", text_of) == {"exports": "exports-folder"}
        assert LocalConfig(path).text_list("first_day_tour_seen") == ["chair@demo"]
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 2 and all("exports-folder" not in w and "chair" not in w for w in warned)
    assert any("save_folders" in w for w in warned) and any("first_day_tour_seen" in w for w in warned)
    config.put_entry("save_folders", "letters", "letters-folder", text_of)
    config.add_text("first_day_tour_seen", "adm@demo")
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["save_folders"] == {"exports": "exports-folder", "letters": "letters-folder"}
    assert saved["first_day_tour_seen"] == ["chair@demo", "adm@demo"]


def test_the_new_settings_are_on_the_disk_before_they_take_the_files_name(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A power cut between the write and the disk must leave the old settings, never an empty file: the
    temporary file is flushed to the disk (fsync) before it replaces ``settings.json``."""
    path = tmp_path / "settings.json"
    cfg = LocalConfig(path)
    cfg.set("last_database", "/tmp/first.db")
    steps: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        steps.append(("fsync", os.readlink(f"/proc/self/fd/{fd}") if sys.platform == "linux" else ""))
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        steps.append(("replace", str(src)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    cfg.set("last_database", "/tmp/second.db")
    assert [step for step, _ in steps] == ["fsync", "replace"]
    if sys.platform == "linux":
        assert steps[0][1] == steps[1][1]  # the temporary file itself, before it was renamed
    assert json.loads(path.read_text(encoding="utf-8"))["last_database"] == "/tmp/second.db"
