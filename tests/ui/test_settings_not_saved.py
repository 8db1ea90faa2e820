"""A preference changed in the window and written behind it (``core.config.write_behind``) that cannot be written:

* given up for good (a read-only folder, a full disk): the user is told once, plainly, what was not saved and
  where, and the program goes back to what the file holds (as the next start reads it) instead of going on as if
  it had been saved;
* still waiting for another program's lock past the whole wait while the window is open: said once, and still
  tried;
* at the program's end, a write that never returns (a profile on a stalled network share) holds the end no
  longer than the wait: given up with a line in the log, and never written later.

And what was already so, checked here: two quick changes while the writer waits are both written (the last value
of each key), and a program killed before the write loses that change only, never the file.

The other program is a real second process (``tests/other_program.py``); the read-only folder is real (the
program runs as an unprivileged user when the tests run as root); the stalled share is a named pipe in the
settings file's place, whose read does not return until the test lets it."""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core import config as config_module
from adoption_desktop.core.config import LocalConfig, SettingsBusy, text_of
from tests.other_program import lock_held_elsewhere

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the other program locks with flock")

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def _saved(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _until(done: Any) -> None:
    """Until ``done()`` (the background writer's work comes a moment later: no time is asserted)."""
    for _ in range(1200):
        if done():
            return
        time.sleep(0.05)


# --- given up for good: a real read-only folder -------------------------------------------------------------

_READ_ONLY_PROGRAM = """
import encodings.utf_8_sig, json, os, sys, tempfile, threading, time
from pathlib import Path
from adoption_desktop.core import config
import adoption_desktop.core.storage.hold
if os.geteuid() == 0:  # imported first: the Python it runs is in root's own folder
    os.setuid(65534)  # nobody: the folder is read-only for this program, as a profile folder may become
path = Path(sys.argv[1])
said = []
config.set_notice_listener(said.append)
config.defer_writes_on(threading.current_thread())
window = config.LocalConfig(path)
window.put_entry("save_folders", "pdf", "/tmp/Synthetic Agency/Letters", config.text_of)
print("pending" if config.pending_preferences() == ["save_folders"] else "written", flush=True)
sys.stdin.readline()  # the other program has let go: the writer tries, and cannot write the folder
while config.pending_preferences():
    time.sleep(0.02)
seen = dict(window.values)  # what the window goes on with
for key, change in (("save_folders", "/tmp/Synthetic Agency/Exports"), ("last_database", "/tmp/agency.db")):
    try:  # written at once now (nobody holds the lock): fails at once, as the callers' suppress
        if key == "save_folders":
            window.put_entry(key, "export", change, config.text_of)
        else:
            window.set(key, change)
    except OSError:
        pass
print(json.dumps({"said": said, "seen": seen, "fresh": config.LocalConfig(path).values}), flush=True)
"""


@pytest.fixture()
def read_only_folder() -> Iterator[Path]:
    """A folder the program below cannot write (owned by root, and it runs as nobody; or read-only itself)."""
    folder = Path(tempfile.mkdtemp(prefix="ad-read-only-", dir="/tmp"))
    try:
        os.chmod(folder, 0o755)
        yield folder
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_change_given_up_in_a_read_only_folder_is_said_once_and_the_window_goes_back_to_the_file(
        read_only_folder: Path) -> None:
    path = read_only_folder / "settings.json"
    path.write_text(json.dumps({"save_folders": {"export": "/tmp/Synthetic Agency/Old"}}), encoding="utf-8")
    path.chmod(0o644)
    lock = path.with_name(path.name + ".lock")
    lock.touch()
    lock.chmod(0o666)  # the lock can still be taken (made before the folder became read-only)
    if os.geteuid() != 0:
        read_only_folder.chmod(0o555)
    with lock_held_elsewhere(lock):
        program = subprocess.Popen([sys.executable, "-c", _READ_ONLY_PROGRAM, str(path)], cwd="/", env=ENV,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        assert program.stdout is not None and program.stdin is not None and program.stderr is not None
        waiting = program.stdout.readline().strip()
    try:
        assert waiting == "pending", program.stderr.read()  # it was kept to be written behind the window
        program.stdin.write("\n")  # the other program has let go
        program.stdin.flush()
        line = program.stdout.readline()
    finally:
        program.stdin.close()
        program.wait(120)
    assert line, program.stderr.read()
    ended = json.loads(line)
    on_file = {"save_folders": {"export": "/tmp/Synthetic Agency/Old"}}
    # the program goes on with what the file holds, as the next start reads it: no silent disagreement
    assert ended["seen"] == on_file and ended["fresh"] == on_file
    assert _saved(path) == on_file
    # told once per preference, plainly, and where; the second Save folder not said again
    first, second = ended["said"]
    assert first.startswith("Not saved: the Save folders — the settings folder cannot be written to")
    assert str(read_only_folder) in first
    assert second.startswith("Not saved: the database to open —")


# --- still waiting past the whole wait, while the window is open -------------------------------------------

def test_a_change_waiting_past_the_whole_wait_is_said_once_and_still_written(
        tmp_path: Path, window_thread: None, notices: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "settings.json"
    window = LocalConfig(path)
    monkeypatch.setattr(config_module.settings_locks, "SETTINGS_LOCK_WAIT", 0.3)
    with lock_held_elsewhere(path.with_name(path.name + ".lock")):
        window.put_entry("save_folders", "pdf", str(tmp_path / "Letters"), text_of)
        _until(lambda: notices)
        assert [words.split(".")[0] for words in notices] == ["Not saved yet: the Save folders"]
        assert str(tmp_path) in notices[0]
        time.sleep(1.0)  # the writer tries several more times meanwhile
        assert len(notices) == 1  # said once
    _until(lambda: not config_module.pending_preferences())
    assert _saved(path) == {"save_folders": {"pdf": str(tmp_path / "Letters")}}  # still written once free


# --- the end of the program: a folder that does not answer --------------------------------------------------

def test_the_flush_at_the_end_gives_up_on_a_folder_not_answering_and_never_writes_later(
        tmp_path: Path, window_thread: None, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "settings.json"
    LocalConfig(path).set("last_database", "C:/Agency/old.db")
    window = LocalConfig(path)
    with lock_held_elsewhere(path.with_name(path.name + ".lock")):
        window.set("last_database", "C:/Agency/adoption.db")  # kept to be written behind the window
        assert config_module.pending_preferences() == ["last_database"]
        pipe = tmp_path / "stalled"
        os.mkfifo(pipe)
        os.replace(pipe, path)  # the share stops answering: a read of the file does not return
    # the other program has let go: the writer takes the lock and reads the file, and does not come back
    writer_end = -1
    for _ in range(1200):
        try:
            writer_end = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            assert exc.errno == errno.ENXIO  # nobody reading it yet
            time.sleep(0.05)
    assert writer_end >= 0  # the background writer is reading the file, and stays there
    try:
        monkeypatch.setattr(config_module.settings_locks, "SETTINGS_LOCK_WAIT", 0.5)
        outcome: list[BaseException | None] = []

        def flush() -> None:
            try:
                config_module.flush_settings()
                outcome.append(None)
            except BaseException as exc:
                outcome.append(exc)

        with caplog.at_level(logging.WARNING, logger="adoption_desktop.core.config"):
            ending = threading.Thread(target=flush, daemon=True)
            ending.start()
            ending.join(60)
        assert not ending.is_alive()  # the program's end was not held past the wait
        [refused] = outcome
        assert isinstance(refused, SettingsBusy) and "the database to open" in str(refused)
        assert "last_database" in caplog.text and "C:/Agency" not in caplog.text
        assert config_module.pending_preferences() == []
    finally:
        # the share answers again: the file as it was
        os.write(writer_end, json.dumps({"last_database": "C:/Agency/old.db"}).encode())
        os.close(writer_end)
    _until(lambda: not config_module._APPLYING.locked())
    time.sleep(0.3)  # a moment for a write that should not come
    assert stat.S_ISFIFO(os.stat(path).st_mode)  # the change given up was never written after it was said lost


# --- already so, checked -----------------------------------------------------------------------------------

def test_two_quick_changes_while_the_writer_waits_are_both_written_the_last_value_of_each_key(
        tmp_path: Path, window_thread: None) -> None:
    path = tmp_path / "settings.json"
    LocalConfig(path).set("first_day_tour_seen", ["counsellor@agency"])
    window = LocalConfig(path)
    with lock_held_elsewhere(path.with_name(path.name + ".lock")):
        window.set("last_database", "C:/Agency/first.db")
        window.put_entry("save_folders", "pdf", "C:/Letters", text_of)
        window.set("last_database", "C:/Agency/second.db")
        window.put_entry("save_folders", "export", "C:/Exports", text_of)
        assert config_module.pending_preferences() == ["last_database", "save_folders"]
    _until(lambda: not config_module.pending_preferences())
    assert _saved(path) == {"first_day_tour_seen": ["counsellor@agency"], "last_database": "C:/Agency/second.db",
                            "save_folders": {"pdf": "C:/Letters", "export": "C:/Exports"}}


_KILLED_PROGRAM = """
import os, signal, sys, threading
from pathlib import Path
from adoption_desktop.core import config
path = Path(sys.argv[1])
config.defer_writes_on(threading.current_thread())
config.LocalConfig(path).set("last_database", "C:/Agency/adoption.db")
print("pending" if config.pending_preferences() == ["last_database"] else "written", flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # the program crashes before the change is written
"""


def test_a_program_killed_before_the_write_loses_only_that_change_never_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    LocalConfig(path).update({"last_database": "C:/Agency/old.db", "save_folders": {"pdf": "C:/Letters"}})
    before = path.read_bytes()
    with lock_held_elsewhere(path.with_name(path.name + ".lock")):
        killed = subprocess.run([sys.executable, "-c", _KILLED_PROGRAM, str(path)], cwd=ROOT, env=ENV,
                                timeout=120, capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL and killed.stdout.strip() == "pending"
    assert path.read_bytes() == before  # whole, and as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.json", "settings.json.lock"]  # no .tmp left


# --- in the window ------------------------------------------------------------------------------------------

def test_the_window_says_in_its_status_bar_that_a_save_folder_was_not_saved(
        db: Any, admin: Any, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, window_thread: None,
        settings_notices_cleared: None) -> None:
    """Written behind the window, given up by the background writer (the settings folder became a file: nothing
    can be written there), said from the writer's thread in the window's status bar, the whole of it in About."""
    from adoption_desktop import app
    from adoption_desktop.ui import guide
    from adoption_desktop.ui.files import remember_folder, start_folder
    from adoption_desktop.ui.main_window import MainWindow

    monkeypatch.setattr(app, "choose_database", lambda *_a, **_k: db)
    monkeypatch.setattr(app, "sign_in", lambda *_a, **_k: admin)
    monkeypatch.setattr(app, "audit_alert", lambda *_a, **_k: None)
    monkeypatch.setattr(guide, "offer_first_day_tour", lambda *_a, **_k: None)
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    folder = tmp_path / "profile"
    folder.mkdir()
    (tmp_path / "Letters").mkdir()
    path = folder / "settings.json"
    try:
        assert app.finish_start_up(window, None) is db
        window.statusBar().clearMessage()
        settings = LocalConfig(path)
        with lock_held_elsewhere(path.with_name(path.name + ".lock")):
            remember_folder("pdf", tmp_path / "Letters" / "letter.pdf", settings)
            assert config_module.pending_preferences() == ["save_folders"]
            assert start_folder("pdf", config=settings) == tmp_path / "Letters"  # used at once meanwhile
            shutil.rmtree(folder)
            folder.write_text("", encoding="utf-8")  # the profile's folder is gone: nothing can be written there
        qtbot.waitUntil(lambda: "Not saved: the Save folders" in window.statusBar().currentMessage(), timeout=30000)
        assert "Not saved: the Save folders" in window.about_text() and str(folder) in window.about_text()
        assert start_folder("pdf", config=settings) != tmp_path / "Letters"  # gone back: as the next start
    finally:
        window.close()


def test_a_settings_folder_that_cannot_be_made_is_said_like_a_folder_that_cannot_be_written(
        tmp_path: Path, window_thread: None, notices: list[str]) -> None:
    """A first run on a read-only roaming profile: the settings folder does not exist and cannot be made. The
    change was refused with no word to the user (only a write into an existing folder was said)."""
    blocker = tmp_path / "profile"
    blocker.write_text("a file where the profile folder should be", encoding="utf-8")
    window = LocalConfig(blocker / "AdoptionDesktop" / "settings.json")
    with pytest.raises(OSError):
        window.set("last_database", "/tmp/Synthetic Agency/agency.db")
    assert window.values == {}  # nothing goes on as if saved
    assert config_module.pending_preferences() == []
    assert len(notices) == 1 and notices[0].startswith("Not saved: the database to open"), notices
