"""A settings file edited by hand (the IT guide says to repair a damaged one in Notepad, copying lines across)
that is whole JSON but holds a preference of the wrong shape: the window's places or the Save folders as a list.
The window's place was read with ``.get`` on it at start-up, so the program stopped before its window opened,
at every start until the file was mended; a Save dialog stopped the same way. Such a preference is now taken as
unset (its default), and the next change of it writes it in the right shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adoption_desktop.core.config import LocalConfig


def test_a_window_place_or_save_folders_of_the_wrong_shape_are_defaults_not_a_crash(
        tmp_path: Path, qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    from adoption_desktop.ui.files import documents_folder, remember_folder, start_folder
    from adoption_desktop.ui.geometry import default_rect, place_window, remember_window

    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"window_geometry": [0, 0, 1280, 800], "save_folders": [str(tmp_path)]}),
                    encoding="utf-8")
    config = LocalConfig(path)
    window = QWidget()
    qtbot.addWidget(window)
    screen = window.screen()
    assert screen is not None
    assert place_window(window, config) == default_rect(screen.availableGeometry())
    assert start_folder("letters", None, config) == documents_folder()
    remember_window(window, config)
    remember_folder("letters", tmp_path / "letter.pdf", config)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(saved["window_geometry"], dict) and saved["save_folders"] == {"letters": str(tmp_path)}


def test_a_database_or_save_folder_named_too_long_for_the_disk_is_no_stop(
        tmp_path: Path, qtbot: Any, monkeypatch: Any) -> None:
    """Text of the right shape, but a name no disk can hold (a line pasted into the path while mending the file
    in Notepad: one part of it longer than 255 characters). Asking whether it exists raised OSError ("File name
    too long") out of choose_database: at start-up the program said "Open database" with that error and closed,
    at every start, never offering the welcome dialog; every Save dialog for that kind of document stopped with
    "Unexpected problem". Such a database is tried as any remembered one that cannot be opened (the error said,
    then the welcome dialog), such a folder is not there (Documents)."""
    from PySide6.QtWidgets import QDialog

    from adoption_desktop import app
    from adoption_desktop.core.config import app_paths
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.ui import dialogs
    from adoption_desktop.ui.files import documents_folder, start_folder

    too_long = tmp_path / ("pasted " * 40 + "adoption.db")
    path = app_paths().ensure().settings_file
    path.write_text(json.dumps({"last_database": str(too_long), "save_folders": {"letters": str(too_long)}}),
                    encoding="utf-8")
    shown: list[bool] = []
    errors: list[tuple[Any, ...]] = []
    monkeypatch.setattr(dialogs.StartDialog, "exec", lambda self: shown.append(True) or 0)
    monkeypatch.setattr(dialogs, "show_error", lambda *args, **kwargs: errors.append(args))
    parent = QDialog()
    qtbot.addWidget(parent)
    assert app.choose_database(parent, SecretStore(), LocalConfig(path), None) is None
    assert shown == [True]  # the welcome dialog, after saying why the database was not opened
    assert [(said[1], isinstance(said[2], OSError)) for said in errors] == [("Open database", True)]
    assert start_folder("letters", None, LocalConfig(path)) == documents_folder()
