"""The settings file on a profile share that has stopped answering (a redirected %APPDATA% on a council PC): the
window's thread touched the file itself at its first read (start-up, before the window is shown), at the
start-up's second read (the database to open), at each Save dialog and backup line's read, and in the quick
write it tried before handing a change to the background writer: each open or read never returned, and the
window froze. Now every one is made off the window's thread and waited for a bounded time: past it the
defaults, the user told once, and the file's preferences come in when the share answers, under any change
made meanwhile.

The stalled share is a named pipe in the settings file's place (``tests/stalled_share.py``), whose read does
not return until the test answers it; a watchdog answers after a few seconds, so a frozen window's thread makes
the test fail rather than hang. No time is asserted: only whether the watchdog had to answer."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core import config as config_module
from adoption_desktop.core.config import LocalConfig, app_paths, settings_locks, text_of
from tests.other_program import lock_held_elsewhere
from tests.stalled_share import StalledShare

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="a named pipe stands for the stalled share")

ON_FILE = {"last_database": "/tmp/Synthetic Agency/agency.db", "save_folders": {"export": "/tmp/Synthetic/Old"}}


def _until(done: Callable[[], bool]) -> None:
    for _ in range(1200):
        if done():
            return
        time.sleep(0.05)


def _saved(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_a_read_on_the_window_thread_never_waits_for_a_stalled_share_and_a_change_made_meanwhile_is_kept(
        tmp_path: Path, window_thread: None, notices: list[str]) -> None:
    """A Save dialog's read, the backup line's: the defaults at once, said once; the file's preferences come in
    when the share answers, under the change made meanwhile, which is then written onto the file."""
    from adoption_desktop.ui.files import start_folder

    path = app_paths().ensure().settings_file  # the one a Save dialog reads
    path.write_text(json.dumps(ON_FILE), encoding="utf-8")
    # another program holds the lock meanwhile: the change waits for it (the background writer never reads the
    # pipe), so only the read is on the stalled share
    with lock_held_elsewhere(path.with_name(path.name + ".lock")):
        with StalledShare(path, ON_FILE) as share:
            with share.watchdog() as fired:
                window = LocalConfig(path)  # the window's read
                again = LocalConfig(path)  # and another while the first is still stalled
                assert start_folder("export", default=tmp_path) == tmp_path  # a Save dialog: its default
            assert fired == [], "the window's thread waited for the stalled share"
            assert window.values == {} and again.values == {} and not window.read_finished()
            assert len(notices) == 1 and notices[0].startswith("Your settings could not be read yet"), notices
            assert str(path.parent) in notices[0]
            window.set("last_database", "/tmp/Synthetic Agency/new.db")  # changed before the read ends
            assert config_module.pending_preferences() == ["last_database"]
            share.answer()
            _until(window.read_finished)
        # the file's preferences, under the change made meanwhile: not overwritten by the late read
        assert window.values == {**ON_FILE, "last_database": "/tmp/Synthetic Agency/new.db"}
        assert again.mapping("save_folders", text_of) == {"export": "/tmp/Synthetic/Old"}
    _until(lambda: not config_module.pending_preferences())
    assert _saved(path) == {**ON_FILE, "last_database": "/tmp/Synthetic Agency/new.db"}
    assert len(notices) == 1  # said once



def test_a_read_ending_late_never_takes_back_a_change_written_meanwhile_from_another_open_object(
        tmp_path: Path, window_thread: None, notices: list[str]) -> None:
    """The window's object waited for a read that ended late (its start-up read) and a Save dialog's object
    wrote a Save folder meanwhile: the late read, older than that write, was put into the window's object, which
    then held the folder list without it (the file had it). Every object of the file now sees the newest."""
    from adoption_desktop.ui.files import remember_folder, start_folder

    path = tmp_path / "settings.json"
    path.write_text(json.dumps(ON_FILE), encoding="utf-8")
    letters = tmp_path / "Letters"
    letters.mkdir()
    with StalledShare(path, ON_FILE) as share:
        with share.watchdog() as fired:
            # this program's writer busy as the read begins (the backup's time waiting for another program):
            # the reader reads without it, and stalls
            with settings_locks._WRITE_LOCK:
                window = LocalConfig(path, wait=0.2)  # the window's start-up read: not answered in time
                time.sleep(settings_locks.SETTINGS_READ_WAIT + 0.2)  # the reader has stopped waiting for it
            dialog = LocalConfig(path)  # a Save dialog's, while the read still goes on
        assert fired == [] and not window.read_finished()
        # the share answers new opens (the writer reads and writes the file) before the stalled read returns
        real = path.with_name(path.name + ".real")
        real.write_text(json.dumps(ON_FILE), encoding="utf-8")
        real.replace(path)
        remember_folder("pdf", letters / "letter.pdf", dialog)  # the folder chosen in the Save dialog
        _until(lambda: not config_module.pending_preferences())
        assert _saved(path)["save_folders"] == {"export": "/tmp/Synthetic/Old", "pdf": str(letters)}
        share.answer()  # the stalled read returns at last, with what the file held before the change
        _until(window.read_finished)
    assert window.read_finished()
    assert start_folder("pdf", config=window) == letters  # the window's object: the change, not the older read
    assert window.mapping("save_folders", text_of) == {"export": "/tmp/Synthetic/Old", "pdf": str(letters)}
    assert window.get("last_database") == ON_FILE["last_database"]


def test_a_change_made_on_the_window_thread_never_touches_a_stalled_share(tmp_path: Path,
                                                                          window_thread: None) -> None:
    """The quick write tried on the window's thread (the lock, then the file read and replaced) before the change
    was handed to the background writer: it never came back from the read."""
    from adoption_desktop.ui.files import remember_folder, start_folder

    path = tmp_path / "settings.json"
    path.write_text(json.dumps(ON_FILE), encoding="utf-8")
    window = LocalConfig(path)  # read before the share stalled
    letters = tmp_path / "Letters"
    letters.mkdir()
    with StalledShare(path, ON_FILE) as share:
        with share.watchdog() as fired:
            remember_folder("pdf", letters / "letter.pdf", window)  # the folder chosen in a Save dialog
        assert fired == [], "the window's thread waited for the stalled share"
        assert config_module.pending_preferences() == ["save_folders"]
        assert start_folder("pdf", config=window) == letters  # used at once meanwhile
    _until(lambda: not config_module.pending_preferences())
    assert _saved(path) == {**ON_FILE, "save_folders": {"export": "/tmp/Synthetic/Old", "pdf": str(letters)}}


def _start_up_patched(monkeypatch: pytest.MonkeyPatch, db: Any, admin: Any, asked: list[str | None]) -> None:
    from adoption_desktop import app
    from adoption_desktop.ui import guide

    def choose(_parent: Any, _store: Any, config: LocalConfig, _db_arg: str | None) -> Any:
        asked.append(config.text("last_database"))  # what the start-up would open
        return db

    monkeypatch.setattr(app, "choose_database", choose)
    monkeypatch.setattr(app, "sign_in", lambda *_a, **_k: admin)
    monkeypatch.setattr(app, "audit_alert", lambda *_a, **_k: None)
    monkeypatch.setattr(guide, "offer_first_day_tour", lambda *_a, **_k: None)


def test_the_start_up_after_the_window_is_shown_does_not_read_the_settings_again(
        db: Any, admin: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, window_thread: None,
        settings_notices_cleared: None) -> None:
    """``finish_start_up`` read the file a second time on the window's thread (the database to open): it uses
    the window's own read now."""
    from adoption_desktop import app
    from adoption_desktop.ui.main_window import MainWindow

    path = app_paths().ensure().settings_file
    path.write_text(json.dumps(ON_FILE), encoding="utf-8")
    asked: list[str | None] = []
    _start_up_patched(monkeypatch, db, admin, asked)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        with StalledShare(path, ON_FILE) as share:
            with share.watchdog() as fired:
                assert app.finish_start_up(window, None) is db
            assert fired == [], "the window's thread waited for the stalled share"
        assert asked == [ON_FILE["last_database"]]
    finally:
        window.close()


def test_the_first_read_at_start_up_is_bounded_and_the_start_up_waits_for_it_with_the_window_answering(
        db: Any, admin: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, window_thread: None,
        settings_notices_cleared: None) -> None:
    """The window's first read (its size and place, before it is shown) waits SETTINGS_START_WAIT at most; the
    start-up then waits for the database to open with the window answering (a timer on its thread fires and
    answers the share), and opens it."""
    from PySide6.QtCore import QTimer

    from adoption_desktop import app
    from adoption_desktop.ui.main_window import MainWindow

    monkeypatch.setattr(settings_locks, "SETTINGS_START_WAIT", 0.3, raising=False)  # none before
    path = app_paths().ensure().settings_file
    path.write_text(json.dumps(ON_FILE), encoding="utf-8")
    asked: list[str | None] = []
    _start_up_patched(monkeypatch, db, admin, asked)
    with StalledShare(path, ON_FILE) as share:
        with share.watchdog(8.0) as fired:
            window = MainWindow()
            qtbot.addWidget(window)
            window.show()
            # the share answers a moment later: only if the window's thread runs its events meanwhile
            QTimer.singleShot(300, lambda: threading.Thread(target=share.answer, daemon=True).start())
            try:
                assert app.finish_start_up(window, None) is db
            finally:
                window.close()
        assert fired == [], "the window's thread waited for the stalled share"
    assert asked == [ON_FILE["last_database"]]  # the database to open, once read: not the welcome dialog
    assert any(said.startswith("Your settings could not be read yet") for said in window.settings_notices)



def _saved_place(qtbot: Any) -> tuple[dict[str, Any], Any]:
    """The settings with a place remembered on this screen, other than the default one, and that place."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QGuiApplication

    from adoption_desktop.ui.geometry import default_rect, screen_key

    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    area = screen.availableGeometry()
    place = QRect(area.x() + 7, area.y() + 11, 480, 360)
    assert place != default_rect(area)
    return {**ON_FILE, "window_geometry": {screen_key(screen): [place.x(), place.y(), 480, 360]}}, place


@pytest.mark.parametrize("user_moved", [False, True])
def test_a_settings_read_ending_after_the_start_up_wait_puts_the_window_where_it_was_left_unless_moved_since(
        qtbot: Any, monkeypatch: pytest.MonkeyPatch, settings_notices_cleared: None, user_moved: bool) -> None:
    """The start-up's read ended after its wait (2 s): the window opened at its default size and place and stayed
    there, though the settings had the place it was left in. It goes there when the read arrives, unless the
    user has moved (or resized) it meanwhile: it never jumps from where they put it."""
    from PySide6.QtCore import QPoint

    from adoption_desktop.ui.main_window import MainWindow

    monkeypatch.setattr(settings_locks, "SETTINGS_START_WAIT", 0.2, raising=False)
    content, place = _saved_place(qtbot)
    path = app_paths().ensure().settings_file
    path.write_text(json.dumps(content), encoding="utf-8")
    with StalledShare(path, content) as share:
        with share.watchdog() as fired:
            window = MainWindow()
            qtbot.addWidget(window)
            window.show()
        assert fired == []
        assert window._config is not None and not window._config.read_finished()
        opened = (window.pos(), window.size())
        assert opened != (place.topLeft(), place.size())  # the default place meanwhile
        if user_moved:
            window.move(window.pos() + QPoint(3, 5))  # the user moves it before the read arrives
        moved = (window.pos(), window.size())
        share.answer()
        qtbot.waitUntil(window._config.read_finished, timeout=30_000)
        qtbot.wait(3 * 200)  # the window's look at the read, several times over
    try:
        if user_moved:
            assert (window.pos(), window.size()) == moved
        else:
            assert (window.pos(), window.size()) == (place.topLeft(), place.size())
    finally:
        window.close()


def test_a_settings_folder_that_cannot_be_looked_in_is_the_defaults_on_the_window_thread(
        tmp_path: Path, window_thread: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Looking for the file raised (a folder name no disk can hold, a folder this user may not look in): the
    window's thread took it as the defaults; the reader behind it must too, not end on an unhandled error."""
    unhandled: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: unhandled.append(args.exc_value))
    config = LocalConfig(tmp_path / ("x" * 300) / "settings.json")  # asking whether it is there raises
    _until(config.read_finished)
    assert config.read_finished() and config.values == {}
    for reader in [t for t in threading.enumerate() if t.name == "settings-reader"]:
        reader.join(30)  # ended, its error (if any) handed to the hook
    assert unhandled == []


# --- the settings folder itself, made on the window's thread ------------------------------------------------
#
# The start-up's choice of database and the automatic backup's check (every few minutes) made every per-user
# folder on the window's thread, the settings folder (the roaming one, on the profile share) with them: on a
# share not answering that waited too, and on a settings folder that cannot be made (a file in its place, a
# broken roaming profile) the check stopped every automatic backup and the start-up refused to open the
# database. The settings folder is made by the background writer, when a change is written.

@pytest.fixture()
def settings_folder_unusable() -> Path:
    folder = app_paths().config
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the settings folder should be", encoding="utf-8")
    return folder


def test_the_start_up_opens_the_database_when_the_settings_folder_cannot_be_made(
        db: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, settings_folder_unusable: Path) -> None:
    from PySide6.QtWidgets import QWidget

    from adoption_desktop import app

    opened: list[str] = []

    def open_(_parent: Any, target: str, _store: Any) -> Any:
        opened.append(target)
        return db

    monkeypatch.setattr(app, "_open", open_)
    parent = QWidget()
    qtbot.addWidget(parent)
    config = LocalConfig(app_paths().settings_file)
    assert app.choose_database(parent, None, config, str(db.path)) is db  # type: ignore[arg-type]
    assert opened == [str(db.path)]


def test_the_automatic_backup_is_taken_when_the_settings_folder_cannot_be_made(
        db: Any, admin: Any, qtbot: Any, tmp_path: Path, settings_folder_unusable: Path) -> None:
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow
    from adoption_desktop.ui.tasks import TaskRunner
    from tests.core.test_policy import write_policy

    folder = tmp_path / "scheduled"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    window = MainWindow(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    backup = window.background_backup
    try:
        assert backup.check()  # started
        qtbot.waitUntil(lambda: not backup.running, timeout=120_000)
    finally:
        backup.finish()
    assert len(list(folder.glob("*.adkbak"))) == 1


def test_the_automatic_backup_at_close_is_taken_when_the_settings_folder_cannot_be_made(
        db: Any, tmp_path: Path, settings_folder_unusable: Path) -> None:
    from adoption_desktop import app
    from tests.core.test_policy import write_policy

    folder = tmp_path / "scheduled"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    app._scheduled_backup(db)
    assert len(list(folder.glob("*.adkbak"))) == 1


def test_back_up_offers_the_backups_folder_when_the_settings_folder_cannot_be_made(
        db: Any, admin: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, settings_folder_unusable: Path) -> None:
    from adoption_desktop.ui import main_window
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    offered: list[Path | None] = []

    def save_file_name(*_args: Any, default_folder: Path | None = None, **_kwargs: Any) -> str:
        offered.append(default_folder)
        return ""  # the user cancels the Save dialog

    monkeypatch.setattr(main_window, "save_file_name", save_file_name)
    window = main_window.MainWindow(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.backup()  # File → Back up database…
    assert offered == [app_paths().backups] and app_paths().backups.is_dir()


# --- the program's end: the automatic backup at close ---------------------------------------------------------

_CLOSING_PROGRAM = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from adoption_desktop import app
from adoption_desktop.core.config import settings_locks
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.lifecycle import create_database

settings_locks.SETTINGS_LOCK_WAIT = 1.0  # the flush at the end gives up sooner: the test is not ten seconds longer

def start_up(window, db_arg):  # a database opened, then the user closes the window at once
    created = create_database(Path(sys.argv[1]), SecretStore(), passphrase="closing passphrase")
    QTimer.singleShot(0, window.close)
    return created.db

app.finish_start_up = start_up
sys.exit(app.run_gui())
"""


def test_the_backup_at_close_never_holds_the_programs_end_on_a_stalled_share(tmp_path: Path) -> None:
    """The automatic backup taken as the program ends read the settings file (its last time) and wrote its time
    there on the program's main thread with no bound, after the window had gone: on a stalled share the program
    never ended (its database still held open). Now the backup is taken and the program ends."""
    import os
    import subprocess

    from tests.core.test_policy import write_policy

    folder = tmp_path / "scheduled"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    path = app_paths().ensure().settings_file
    path.write_text(json.dumps(ON_FILE), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1", "QT_QPA_PLATFORM": "offscreen",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    with StalledShare(path, ON_FILE):
        try:
            ended = subprocess.run([sys.executable, "-c", _CLOSING_PROGRAM, str(tmp_path / "agency.db")], cwd=root,
                                   env=env, timeout=60, capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            pytest.fail("the program did not end: its backup at close waited for the stalled share")
    assert ended.returncode == 0, ended.stderr
    assert len(list(folder.glob("*.adkbak"))) == 1  # the backup was taken all the same



# The backup FILE written to a backup folder that has stopped answering: the temporary file the backup is written
# to is a named pipe nobody reads (its writes stop once the pipe's buffer is full, as a stalled share's do)
_STALLED_BACKUP_PROGRAM = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from adoption_desktop import app
from adoption_desktop.core import files
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.lifecycle import create_database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.stalled_share import StalledShare

real_temporary = files._temporary_beside

def stalled_temporary(path, **options):
    made = real_temporary(path, **options)
    if path.suffix == ".adkbak":  # the backup's file, in the stalled folder
        assert not made.name.endswith(".adkbak"), made.name  # a half-written one is never taken for a backup
        made.unlink()
        StalledShare(made, {}).__enter__()
    return made

files._temporary_beside = stalled_temporary
while_open = sys.argv[2] == "while-open"

def start_up(window, db_arg):
    db = create_database(Path(sys.argv[1]), SecretStore(), passphrase="closing passphrase").db
    if while_open:  # the automatic backup begun while the window is open, then the user closes it
        window.attach(AppContext(db, make_user(db, "admin", Role.ADMINISTRATOR), TaskRunner()))
        assert window.background_backup.check()
        QTimer.singleShot(1500, window.close)
    else:  # the backup at close
        QTimer.singleShot(0, window.close)
    return db

app.finish_start_up = start_up
sys.exit(app.run_gui())
"""


@pytest.mark.parametrize("when", ["while-open", "at-close"])
def test_a_backup_written_to_a_stalled_backup_folder_never_holds_the_programs_end(tmp_path: Path, when: str) -> None:
    """The automatic backup's file written to a backup folder that stopped answering: the close waited for the
    backup begun while the window was open, and the one at close, with no limit; the program never ended, its
    database held open. Now the close waits for them 10 s in all, says in the log and beside the database (the
    status bar's backup line next time) that the backup was not finished, and ends; the unfinished file never
    has the backup's name."""
    import os
    import subprocess

    from adoption_desktop.core.scheduled_backup import read_record
    from tests.core.test_policy import write_policy

    folder = tmp_path / "scheduled"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1", "QT_QPA_PLATFORM": "offscreen",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    database = tmp_path / "agency.db"
    try:
        ended = subprocess.run([sys.executable, "-c", _STALLED_BACKUP_PROGRAM, str(database), when], cwd=root,
                               env=env, timeout=90, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        pytest.fail("the program did not end: its close waited for the backup written to the stalled folder")
    assert ended.returncode == 0, ended.stderr
    # no file has the backup's name or its ending: the one half-written has a temporary name only
    assert list(folder.glob("*.adkbak")) == [] and list(folder.glob(".*.adkbak")) == []
    assert list(folder.glob(".adk-*.partial")), "the backup was not being written"
    record = read_record(database)
    assert record.last_at is None and record.failed_at is not None
    assert record.failure.startswith("The backup was not finished: its folder did not answer")
    logged = "".join(log.read_text(encoding="utf-8") for log in app_paths().logs.glob("*.log*"))
    which = "begun while the window was open" if when == "while-open" else "the automatic backup at close"
    assert f"{which} was not finished within 10 s" in logged


def test_the_backup_while_the_window_is_open_never_waits_for_a_stalled_share_and_its_time_is_written_behind(
        db: Any, tmp_path: Path, window_thread: None) -> None:
    """The automatic backup the open window takes on its own thread wrote its time to the settings file there,
    with no bound (the folder made, the lock, the file read and replaced): on a stalled share that thread never
    ended, and at close ``run_gui`` waited for it with no limit, so the program never ended, its database open.
    Now its time is this program's at once and handed to the background writer: the thread ends, the backup
    whole, and the time is written when the share answers."""
    from adoption_desktop.core.policy import current_policy
    from adoption_desktop.core.scheduled_backup import (
        LAST_BACKUP_DB_KEY,
        LAST_BACKUP_KEY,
        run_scheduled_backup,
    )
    from tests.core.test_policy import write_policy

    folder = tmp_path / "scheduled"
    write_policy({"BackupSchedule": "daily", "BackupFolder": str(folder)})
    paths = app_paths().ensure()
    path = paths.settings_file
    path.write_text(json.dumps(ON_FILE), encoding="utf-8")
    config = LocalConfig(path)  # read by the window before the share stopped answering
    _until(config.read_finished)
    made: list[Path | None] = []
    with StalledShare(path, ON_FILE):
        worker = threading.Thread(target=lambda: made.append(
            run_scheduled_backup(db, current_policy(), config, paths, while_open=True)), daemon=True)
        worker.start()
        worker.join(10)  # the share answers only after: a worker waiting for it is still alive here
        ended = not worker.is_alive()
        assert ended, "the backup's thread waited for the stalled share"
        assert config.get(LAST_BACKUP_KEY) is not None  # this program's at once (the status bar's line)
        assert set(config_module.pending_preferences()) >= {LAST_BACKUP_KEY, LAST_BACKUP_DB_KEY}
    worker.join(30)
    assert len(made) == 1 and made[0] is not None and list(folder.glob("*.adkbak")) == [made[0]]
    _until(lambda: not config_module.pending_preferences())
    saved = _saved(path)
    assert saved[LAST_BACKUP_KEY] == config.get(LAST_BACKUP_KEY) and saved["save_folders"] == ON_FILE["save_folders"]
