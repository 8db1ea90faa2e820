"""The per-user folders (platformdirs), or one folder for everything when ``ADOPTION_DESKTOP_DATA_DIR`` says
so: the data, the settings file, the logs and the backups."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "AdoptionDesktop"
ENV_DATA_DIR = "ADOPTION_DESKTOP_DATA_DIR"


@dataclass(frozen=True)
class AppPaths:
    data: Path
    config: Path
    logs: Path
    backups: Path

    @property
    def default_database(self) -> Path:
        return self.data / "adoption.db"

    @property
    def demo_database(self) -> Path:
        return self.data / "demo.db"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    def ensure(self) -> AppPaths:
        for folder in (self.data, self.config, self.logs, self.backups):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    def ensure_local(self) -> AppPaths:
        """The folders this program writes its own files in (data, logs, backups), made if missing; not the
        settings folder, which roams with the profile (a network share on council PCs): the settings file's
        writer makes it when it writes. Made here, on the window's thread, a share not answering froze the
        window, and a settings folder that could not be made stopped the start-up and every automatic backup."""
        for folder in (self.data, self.logs, self.backups):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def app_paths() -> AppPaths:
    """Per-user folders; ``ADOPTION_DESKTOP_DATA_DIR`` puts everything under one folder (tests, IT).

    Windows: data and backups in ``%LOCALAPPDATA%\\AdoptionDesktop``, settings in
    ``%APPDATA%\\AdoptionDesktop`` (roams with the profile), logs in ``%LOCALAPPDATA%\\AdoptionDesktop\\Logs``.
    Linux: ``~/.local/share/AdoptionDesktop``, ``~/.config/AdoptionDesktop``,
    ``~/.local/state/AdoptionDesktop/log``. Documented in ``docs/it-guide.md``.
    """
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        root = Path(override)
        return AppPaths(root / "data", root / "config", root / "logs", root / "backups")
    data = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))
    return AppPaths(
        data=data,
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False, roaming=True)),
        logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        backups=data / "backups",
    )
