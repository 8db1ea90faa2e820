"""Every preference the settings file holds, edited by hand into whole JSON of the wrong shape (the IT guide says to
repair a damaged ``settings.json`` in Notepad, copying lines across): the database to open as a number stopped the
start-up before the welcome dialog, the tours seen as a number stopped it after signing in (as text, a part of
someone's name and database counted as their tour seen), a window place past Qt's whole numbers or a last backup
time at the calendar's edge stopped the window opening. Each is now its default, logged once by the preference's
name (never its value nor the folder), and the next change of it writes it in the right shape."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core.config import LOCAL_PREFERENCES, LocalConfig, app_paths
from adoption_desktop.core.scheduled_backup import LAST_BACKUP_DB_KEY, LAST_BACKUP_KEY, last_backup
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from tests.core.test_policy import write_policy

#: stands for a place past Qt's whole numbers on the screen the window opens on (its key is known in the test)
HUGE_PLACE = "a place too large for Qt"

WRONG_SHAPES: list[tuple[str, Any]] = [
    ("last_database", 5), ("last_database", ["adoption.db"]), ("last_database", {"path": "adoption.db"}),
    ("last_database", True), ("last_database", "adoption\x00.db"), ("last_database", None),
    ("window_geometry", 5), ("window_geometry", "screen"), ("window_geometry", [0, 0, 1280, 800]),
    ("window_geometry", HUGE_PLACE), ("window_geometry", None),
    ("save_folders", 5), ("save_folders", "Documents"), ("save_folders", ["Documents"]),
    ("save_folders", {"letters": 5}), ("save_folders", None),
    ("first_day_tour_seen", 5), ("first_day_tour_seen", "admin@"), ("first_day_tour_seen", {"admin": True}),
    ("first_day_tour_seen", [5, None]), ("first_day_tour_seen", None),
    (LAST_BACKUP_KEY, 5), (LAST_BACKUP_KEY, ["today"]), (LAST_BACKUP_KEY, "0001-01-01T00:00:00+14:00"),
    (LAST_BACKUP_KEY, None),
    (LAST_BACKUP_DB_KEY, 5), (LAST_BACKUP_DB_KEY, ["adoption.db"]), (LAST_BACKUP_DB_KEY, None),
]


def test_every_known_preference_is_in_the_list() -> None:
    assert set(LOCAL_PREFERENCES) == {key for key, _value in WRONG_SHAPES}


@pytest.mark.parametrize(("key", "value"), WRONG_SHAPES,
                         ids=[f"{key}={type(value).__name__}-{i}" for i, (key, value) in enumerate(WRONG_SHAPES)])
def test_a_preference_of_the_wrong_shape_is_its_default_logged_once_and_written_right_at_its_next_change(
        key: str, value: Any, db: Database, admin: Principal, make_window: Any, qtbot: Any, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QDialog

    from adoption_desktop import app, maintenance_cli
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.ui import dialogs, guide
    from adoption_desktop.ui.files import documents_folder, remember_folder, start_folder
    from adoption_desktop.ui.geometry import default_rect, place_window, remember_window, screen_key
    from adoption_desktop.ui.guide import tour

    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    if value == HUGE_PLACE:
        value = {screen_key(screen): [0, 0, 2**40, 800]}
    write_policy({"BackupSchedule": "daily"})  # the window's backup line reads the last backup's time
    path = app_paths().ensure().settings_file
    stored: dict[str, Any] = {key: value}
    if key == LAST_BACKUP_DB_KEY and value is not None:
        # with a time of today: of no known database, it is not counted for this one (a backup is made, not
        # skipped; null is unset, as written before this key was kept, and counts as before)
        stored[LAST_BACKUP_KEY] = dt.datetime.now().isoformat(timespec="seconds")
    path.write_text(json.dumps(stored), encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="adoption_desktop.core.config")

    # the database to open: none remembered, so the welcome dialog (answered Cancel here)
    shown: list[bool] = []
    monkeypatch.setattr(dialogs.StartDialog, "exec", lambda self: shown.append(True) or 0)
    parent = QDialog()
    qtbot.addWidget(parent)
    assert app.choose_database(parent, SecretStore(), LocalConfig(path), None) is None
    assert shown == [True]
    assert maintenance_cli._cmd_paths(argparse.Namespace()) == 0
    assert "(none yet)" in capsys.readouterr().out

    # the window: its default place, the backup line with no backup made, the first-day tour offered
    window = make_window(admin)
    assert place_window(window, LocalConfig(path), screen) == default_rect(screen.availableGeometry())
    assert window.background_backup.label.text() == "No automatic backup yet"
    assert last_backup(db, LocalConfig(path)) is None
    offered: list[object] = []
    monkeypatch.setattr(tour, "start_if_first", offered.append)
    guide.offer_first_day_tour(window)
    assert len(offered) == 1

    # a Save dialog: Documents
    assert start_folder("letters", None, LocalConfig(path)) == documents_folder()

    warned = [r.getMessage() for r in caplog.records if key in r.getMessage()]
    if value is None:
        assert warned == []  # unset, as written by hand: nothing wrong
    else:
        assert len(warned) == 1, warned  # the file was read a dozen times above: said once
        assert str(tmp_path) not in warned[0]
        assert not isinstance(value, str) or value not in warned[0]

    # the next change of each: written in its right shape, the other preferences kept as they are
    chosen = tmp_path / "letters"
    chosen.mkdir()
    config = LocalConfig(path)
    remember_window(window, config)
    remember_folder("letters", chosen / "letter.pdf", config)
    tour.mark_seen(window)
    config.set("last_database", str(db.path))
    saved = json.loads(path.read_text(encoding="utf-8"))
    places = saved["window_geometry"]
    assert isinstance(places, dict) and places and all(
        isinstance(p, list) and len(p) == 4 and all(isinstance(v, int) for v in p) for p in places.values())
    assert saved["save_folders"] == {"letters": str(chosen)}
    assert saved["first_day_tour_seen"] == [f"{admin.username}@{db.label}"]
    assert saved["last_database"] == str(db.path)
    assert start_folder("letters", None, LocalConfig(path)) == chosen
    assert tour.seen(window)
    if key in (LAST_BACKUP_KEY, LAST_BACKUP_DB_KEY):
        assert saved[key] == value  # not changed here: kept as the file had it until a backup is made
