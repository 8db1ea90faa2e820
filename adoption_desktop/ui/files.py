"""Save dialogs that start in Documents and remember the last folder per kind of file.

Before this every Save dialog opened in the program's working folder (wherever it was started from).
Now :func:`save_file_name` starts in the folder last used for that *kind* (``"letters"``, ``"exports"``,
``"backup"``, …; remembered in :class:`~adoption_desktop.core.config.LocalConfig` under ``save_folders``),
else in the user's Documents folder (``QStandardPaths.DocumentsLocation``), else the home folder.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from adoption_desktop.core.config import LocalConfig

CONFIG_KEY = "save_folders"


def documents_folder() -> Path:
    from PySide6.QtCore import QStandardPaths

    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


def _config() -> LocalConfig | None:
    from adoption_desktop.core.config import LocalConfig, app_paths

    try:
        return LocalConfig(app_paths().settings_file)
    except OSError:
        return None


def _is_folder(path: Path) -> bool:
    """Whether ``path`` is a folder here. A name no disk can hold (a Save folder edited by hand into the settings
    file, a part of it longer than 255 characters) is none: asking raised OSError, and every Save dialog for that
    kind of document stopped."""
    try:
        return path.is_dir()
    except OSError:
        return False


def start_folder(kind: str, default: Path | None = None, config: LocalConfig | None = None) -> Path:
    """Where a Save dialog for ``kind`` opens: the last folder used for it, if it still exists; else
    ``default`` (e.g. the backups folder) or Documents."""
    from adoption_desktop.core.config import text_of

    config = config or _config()
    remembered = config.mapping(CONFIG_KEY, text_of).get(kind) if config is not None else None
    if remembered is not None and _is_folder(Path(remembered)):
        return Path(remembered)
    if default is not None and _is_folder(default):
        return default
    return documents_folder()


def remember_folder(kind: str, chosen: str | Path, config: LocalConfig | None = None) -> None:
    from adoption_desktop.core.config import text_of

    config = config or _config()
    if config is None:
        return
    folder = str(Path(chosen).parent)
    with contextlib.suppress(OSError):  # a read-only profile: Documents again next time
        # added to the folders as the file has them now: another program's, saved since, are kept
        config.put_entry(CONFIG_KEY, kind, folder, text_of)


@contextlib.contextmanager
def focus_kept(parent: QWidget | None) -> Iterator[None]:
    """Around a file dialog: afterwards the keyboard focus is back on the control that had it (the button
    or list that opened the dialog), its window active again. Closing a file dialog with Esc (or Cancel)
    left no window active and nothing with the focus, so the next key went nowhere."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    from shiboken6 import isValid

    before = QApplication.focusWidget()
    if before is None and parent is not None:
        before = parent.window().focusWidget()
    try:
        yield
    finally:
        if before is not None and isValid(before) and before.isVisible():
            window = before.window()
            if not window.isActiveWindow():
                window.activateWindow()
            before.setFocus(Qt.FocusReason.ActiveWindowFocusReason)


def save_file_name(parent: QWidget | None, kind: str, title: str, name: str, file_filter: str = "",
                   *, default_folder: Path | None = None) -> str:
    """Ask where to save ``name``; returns the chosen path ("" when the user cancels)."""
    from PySide6.QtWidgets import QFileDialog

    from adoption_desktop.core.files import windows_safe_name

    config = _config()  # the name offered is one Windows can save ("CON.pdf" would go to the console device)
    start = start_folder(kind, default_folder, config) / windows_safe_name(Path(name).name)
    with focus_kept(parent):
        path, _ = QFileDialog.getSaveFileName(parent, title, str(start), file_filter)
    if path:
        remember_folder(kind, path, config)
    return str(path)
