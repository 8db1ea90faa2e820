"""Saving a preference on the window's thread (a Save folder, the window's place, a tour seen, the database to
open) waited up to 10 s (``SETTINGS_LOCK_WAIT``) for the settings file's lock when another copy of the program,
or this program's automatic backup thread, held it: the window froze (on a stalled network share, for the whole
wait, then the change was lost). Now such a change is kept in memory and handed to one background writer, which
writes it, under the same lock and onto the file as it is then, once the other program lets go; the changes
still waiting are written at the end (the window's close, the end of a command).

The other program is a real second process holding the lock (and saving its own preference under it, as a copy
of Adoption Desktop does); it writes a marker just before it lets go, so "the save returned while the other
program still held the lock" is seen without measuring any time."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core import config as config_module
from adoption_desktop.core.config import LocalConfig, SettingsBusy, text_of
from tests.other_program import lock_held_elsewhere

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the other program locks with flock")

ROOT = Path(__file__).resolve().parents[2]

#: the other copy of the program: takes the lock, saves its own Save folder for letters onto the file as it is
#: (as LocalConfig does), says so, holds the lock for ``seconds`` (a slow profile share; counted from when the
#: file ``after`` appears, if named), writes the marker and lets go (the lock goes as its file is closed, after
#: the marker is written)
_HOLDER = """
import fcntl, json, os, sys, time
lock, settings, marker, letters, seconds, after = sys.argv[1:7]
with open(lock, "a+") as held:
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        with open(settings, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        data = {}
    data["save_folders"] = {**data.get("save_folders", {}), "letters": letters}
    with open(settings + ".other.tmp", "w", encoding="utf-8") as out:
        json.dump(data, out)
    os.replace(settings + ".other.tmp", settings)
    print("held", flush=True)
    while after and not os.path.exists(after):
        time.sleep(0.02)
    time.sleep(float(seconds))
    with open(marker, "w") as m:
        m.write("released")
"""


@contextmanager
def other_program_holding(path: Path, marker: Path, letters: Path, seconds: float = 3.0,
                          after: Path | None = None) -> Iterator[subprocess.Popen[str]]:
    """Another program holding ``path``'s lock for ``seconds`` (its own Save folder for letters saved first),
    counted from when ``after`` appears if given."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path.with_name(path.name + ".lock")), str(path),
                               str(marker), str(letters), str(seconds), str(after or "")], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.wait(60)


def _saved(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _written_by_the_background_writer(path: Path, key: str, name: str) -> dict[str, Any]:
    """The file once the background writer has written ``name`` into ``key`` (it may take it a moment after
    the other program lets go: no time is asserted, only that it comes)."""
    for _ in range(600):
        saved = _saved(path)
        if name in saved.get(key, {}):
            return saved
        time.sleep(0.05)
    return _saved(path)


def test_a_save_folder_chosen_while_another_program_holds_the_settings_never_freezes_the_window(
        tmp_path: Path, window_thread: None) -> None:
    from adoption_desktop.ui.files import remember_folder, start_folder

    path = tmp_path / "settings.json"
    exports, letters, backups, pdfs = (tmp_path / name for name in ("exports", "letters", "backups", "pdfs"))
    for folder in (exports, backups, pdfs):
        folder.mkdir()
    LocalConfig(path).set("save_folders", {"exports": str(exports)})
    window = LocalConfig(path)  # this program's Save dialog's settings, read as it opened
    marker = tmp_path / "released"
    with other_program_holding(path, marker, letters):
        remember_folder("backup", backups / "agency.adkbak", window)  # the folder chosen in the Save dialog
        remember_folder("pdf", pdfs / "letter.pdf", window)  # and another, at once after
        assert not marker.exists()  # both returned while the other program still held the lock
        # this program sees them at once: the next Save dialog opens there
        assert window.mapping("save_folders", text_of)["backup"] == str(backups)
        assert start_folder("pdf", config=LocalConfig(path)) == pdfs  # the next Save dialog reads them afresh
    assert marker.exists()
    saved = _written_by_the_background_writer(path, "save_folders", "pdf")
    # written onto the file as the other program left it: its Save folder is kept, and neither of these lost
    assert saved["save_folders"] == {"exports": str(exports), "letters": str(letters), "backup": str(backups),
                                     "pdf": str(pdfs)}
    # the writer takes a change off its queue a moment after the file is replaced (this failed now and then)
    for _ in range(600):
        if not config_module.pending_preferences():
            break
        time.sleep(0.05)
    assert config_module.pending_preferences() == []


def test_a_save_folder_chosen_while_the_automatic_backup_waits_to_save_its_time_never_freezes_the_window(
        tmp_path: Path, window_thread: None) -> None:
    """The automatic backup's thread, saving its time, waits (its whole wait) for the other program, holding this
    program's own writers' lock meanwhile: the window's save waited behind it."""
    from adoption_desktop.ui.files import remember_folder

    path = tmp_path / "settings.json"
    backups, letters = tmp_path / "backups", tmp_path / "letters"
    backup, window = LocalConfig(path), LocalConfig(path)  # each its own object, as in the program
    marker = tmp_path / "released"
    with other_program_holding(path, marker, letters):
        saving = threading.Thread(target=backup.set, args=("last_scheduled_backup", "2026-12-07T09:00:00"),
                                  daemon=True)
        saving.start()
        for _ in range(600):  # until the backup's thread has this program's writers' lock and waits
            if config_module._WRITE_LOCK.locked():
                break
            time.sleep(0.01)
        remember_folder("backup", backups / "agency.adkbak", window)
        assert not marker.exists()  # returned while the other program (and so the backup's thread) still waited
    saving.join(60)
    saved = _written_by_the_background_writer(path, "save_folders", "backup")
    assert saved == {"save_folders": {"letters": str(letters), "backup": str(backups)},
                     "last_scheduled_backup": "2026-12-07T09:00:00"}


def test_the_changes_still_waiting_are_written_by_the_flush_at_the_close(tmp_path: Path,
                                                                         window_thread: None) -> None:
    from adoption_desktop.ui.files import remember_folder

    path = tmp_path / "settings.json"
    window = LocalConfig(path)
    with other_program_holding(path, tmp_path / "released", tmp_path / "letters"):
        remember_folder("backup", tmp_path / "backups" / "agency.adkbak", window)
        assert config_module.pending_preferences() == ["save_folders"]
        config_module.flush_settings()  # the window closes: waits (up to the whole wait) for the other program
        assert config_module.pending_preferences() == []
        assert _saved(path)["save_folders"] == {"letters": str(tmp_path / "letters"),
                                                "backup": str(tmp_path / "backups")}


def test_a_close_with_nothing_waiting_does_not_wait_for_the_other_program(tmp_path: Path,
                                                                          window_thread: None) -> None:
    path = tmp_path / "settings.json"
    marker = tmp_path / "released"
    with other_program_holding(path, marker, tmp_path / "letters"):
        config_module.flush_settings()
        assert not marker.exists()  # returned while the other program still held the lock


def test_a_change_never_written_is_logged_by_its_name_and_said_as_busy(
        tmp_path: Path, window_thread: None, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from adoption_desktop.ui.files import remember_folder

    path = tmp_path / "settings.json"
    window = LocalConfig(path)
    monkeypatch.setattr(config_module.settings_locks, "SETTINGS_LOCK_WAIT", 0.5)
    with lock_held_elsewhere(path.with_name(path.name + ".lock")):  # never let go while the program runs
        remember_folder("backup", tmp_path / "Private Folder" / "agency.adkbak", window)
        with caplog.at_level(logging.WARNING, logger="adoption_desktop.core.config"), \
                pytest.raises(SettingsBusy, match="not saved") as refused:
            config_module.flush_settings()
    assert "Save folders" in str(refused.value)
    logged = caplog.text
    assert "save_folders" in logged
    assert "Private Folder" not in logged and str(tmp_path) not in logged
    assert config_module.pending_preferences() == []


def test_a_command_still_waits_and_is_refused_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command (no window: no thread opted in) keeps its wait and its SettingsBusy, so ``move-database`` can
    say the settings were not updated."""
    path = tmp_path / "settings.json"
    config = LocalConfig(path)
    monkeypatch.setattr(config_module.settings_locks, "SETTINGS_LOCK_WAIT", 0.3)
    with lock_held_elsewhere(path.with_name(path.name + ".lock")), pytest.raises(SettingsBusy):
        config.set("last_database", "C:/Agency/adoption.db")
    assert config_module.pending_preferences() == []


_PROGRAM = """
import sys, threading
from pathlib import Path
from adoption_desktop.core import config
path = Path(sys.argv[1])
config.defer_writes_on(threading.current_thread())
config.LocalConfig(path).set("last_database", "C:/Agency/adoption.db")
print("pending" if config.pending_preferences() == ["last_database"] else "written", flush=True)
"""


def test_a_program_ending_writes_its_changes_still_waiting(tmp_path: Path) -> None:
    """The exit handler writes what is still waiting as the program ends (a command, or the window's program
    ending another way than ``run_gui``'s end)."""
    path = tmp_path / "settings.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    with other_program_holding(path, tmp_path / "released", tmp_path / "letters", seconds=2.0):
        ended = subprocess.run([sys.executable, "-c", _PROGRAM, str(path)], cwd=ROOT, env=env, check=True,
                               timeout=120, capture_output=True, text=True)
    assert ended.stdout.strip() == "pending"
    assert _saved(path) == {"save_folders": {"letters": str(tmp_path / "letters")},
                            "last_database": "C:/Agency/adoption.db"}


_WINDOW_PROGRAM = """
import sys
from adoption_desktop import app
from adoption_desktop.core import config

def start_up(window, db):  # the database to open, chosen at start-up; then nothing is opened: the window closes
    config.LocalConfig(config.app_paths().settings_file).set("last_database", "C:/Agency/adoption.db")
    print("pending" if config.pending_preferences() == ["last_database"] else "written", flush=True)
    open(sys.argv[1], "w").close()  # the other program holds on a moment more

app.finish_start_up = start_up
code = app.run_gui()
print("still waiting:", *config.pending_preferences(), flush=True)  # before the exit handler
sys.exit(code)
"""


def test_the_window_program_writes_what_is_waiting_as_it_ends(tmp_path: Path) -> None:
    """``app.run_gui`` (a program of its own, as the user starts it): a change made on the window's thread while
    another program held the lock is written once the window has closed, before the program ends."""
    from adoption_desktop.core.config import app_paths

    path = app_paths().ensure().settings_file  # the test's own data folder (conftest)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1", "QT_QPA_PLATFORM": "offscreen"}
    asked = tmp_path / "asked"
    with other_program_holding(path, tmp_path / "released", tmp_path / "letters", seconds=2.0, after=asked):
        ended = subprocess.run([sys.executable, "-c", _WINDOW_PROGRAM, str(asked)], cwd=ROOT, env=env, check=True,
                               timeout=180, capture_output=True, text=True)
    # it waited in memory (the window not frozen), and was written by the end of run_gui
    assert ended.stdout.split("\n")[:2] == ["pending", "still waiting:"]
    assert _saved(path)["last_database"] == "C:/Agency/adoption.db"  # written as the program ended
    assert _saved(path)["save_folders"] == {"letters": str(tmp_path / "letters")}  # the other program's kept
