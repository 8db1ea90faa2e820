"""The per-user folders are where docs/it-guide.md says they are (no ADOPTION_DESKTOP_DATA_DIR)."""

from __future__ import annotations

from pathlib import Path, PureWindowsPath

import platformdirs
import platformdirs.windows
import pytest

from adoption_desktop.core.config import ENV_DATA_DIR, app_paths

WINDOWS_FOLDERS = {"CSIDL_LOCAL_APPDATA": r"C:\Users\u\AppData\Local", "CSIDL_APPDATA": r"C:\Users\u\AppData\Roaming"}


def _win(path: Path) -> str:
    return str(PureWindowsPath(str(path).replace("/", "\\")))


def test_windows_folders_match_the_it_guide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_DATA_DIR)
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", lambda csidl: WINDOWS_FOLDERS[csidl])
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    paths = app_paths()
    assert _win(paths.data) == r"C:\Users\u\AppData\Local\AdoptionDesktop"
    assert _win(paths.backups) == r"C:\Users\u\AppData\Local\AdoptionDesktop\backups"
    assert _win(paths.config) == r"C:\Users\u\AppData\Roaming\AdoptionDesktop"
    assert _win(paths.logs) == r"C:\Users\u\AppData\Local\AdoptionDesktop\Logs"
    guide = (Path(__file__).resolve().parents[2] / "docs" / "it-guide.md").read_text(encoding="utf-8")
    for documented in (r"%LOCALAPPDATA%\AdoptionDesktop\Logs\adoption-desktop.log",
                       r"%APPDATA%\AdoptionDesktop\settings.json", r"%LOCALAPPDATA%\AdoptionDesktop\backups"):
        assert documented in guide


def test_linux_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ENV_DATA_DIR)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.unix.Unix)
    paths = app_paths()
    assert paths.data == tmp_path / ".local/share/AdoptionDesktop"
    assert paths.config == tmp_path / ".config/AdoptionDesktop"
    assert paths.logs == tmp_path / ".local/state/AdoptionDesktop/log"
