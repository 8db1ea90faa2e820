"""Two copies of the program for one Windows user, each remembering a preference that holds several entries: the
Save folders (one per kind of file), the window's place (one per screen) and the first-day tours seen (one per
person and database). Each change took the whole preference from what its program had read earlier (the Save
dialog's settings read as it opened, the window's at start-up), added its own entry, and wrote it under the
settings file's lock: an entry the other program saved meanwhile was dropped, unseen (review of the tenth
release, whose settings lock was to stop two copies losing each other's preferences). The other program is a
real second process writing the same file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from adoption_desktop.core.config import LocalConfig

ROOT = Path(__file__).resolve().parents[2]

_OTHER = """
import sys
from pathlib import Path
from adoption_desktop.core.config import LocalConfig
path, key, entry, value = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
config = LocalConfig(path)  # the other program reads the file now, and adds its entry as the program does
if key == "first_day_tour_seen":
    config.set(key, [*(config.get(key) or []), entry])
else:
    config.set(key, {**(config.get(key) or {}), entry: value if key == "save_folders" else [10, 20, 900, 600]})
"""


def _other_program_saves(path: Path, key: str, entry: str, value: str = "") -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([sys.executable, "-c", _OTHER, str(path), key, entry, value], cwd=ROOT, env=env, check=True,
                   timeout=120)


def _saved(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def test_a_save_folder_remembered_by_another_program_while_a_save_dialog_was_open_is_kept(tmp_path: Path) -> None:
    from adoption_desktop.ui.files import remember_folder

    path = tmp_path / "settings.json"
    LocalConfig(path).set("save_folders", {"exports": str(tmp_path / "exports")})
    opened = LocalConfig(path)  # this program's Save dialog opens: files.save_file_name reads the settings first
    _other_program_saves(path, "save_folders", "letters", str(tmp_path / "letters"))  # meanwhile
    remember_folder("backup", tmp_path / "backups" / "agency.adkbak", opened)  # the folder chosen in the dialog
    assert _saved(path)["save_folders"] == {"exports": str(tmp_path / "exports"),
                                            "letters": str(tmp_path / "letters"),
                                            "backup": str(tmp_path / "backups")}


def test_a_tour_seen_in_another_program_since_this_window_started_is_kept(tmp_path: Path) -> None:
    from adoption_desktop.ui.guide.tour import mark_seen

    path = tmp_path / "settings.json"
    LocalConfig(path).set("first_day_tour_seen", ["ann@first.db"])
    started = LocalConfig(path)  # the window's own object, read at start-up (MainWindow._config)
    _other_program_saves(path, "first_day_tour_seen", "bea@second.db")  # the other window's tour, begun meanwhile
    window: Any = SimpleNamespace(_config=started, ctx=SimpleNamespace(principal=SimpleNamespace(username="cat"),
                                                                       db=SimpleNamespace(label="first.db")))
    mark_seen(window)
    assert _saved(path)["first_day_tour_seen"] == ["ann@first.db", "bea@second.db", "cat@first.db"]


def test_the_place_of_a_window_closed_in_another_program_on_another_screen_is_kept(tmp_path: Path, qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    from adoption_desktop.ui.geometry import remember_window, screen_key

    path = tmp_path / "settings.json"
    LocalConfig(path).set("window_geometry", {"laptop@1366x728": [0, 0, 1280, 680]})
    started = LocalConfig(path)  # this window's, read at start-up
    _other_program_saves(path, "window_geometry", "office-monitor@1920x1040")  # the other window closed there
    window = QWidget()
    qtbot.addWidget(window)
    window.setGeometry(30, 40, 800, 500)
    window.show()
    screen = window.screen()
    assert screen is not None
    remember_window(window, started)  # this window closes
    stored = _saved(path)["window_geometry"]
    assert set(stored) == {"laptop@1366x728", "office-monitor@1920x1040", screen_key(screen)}
