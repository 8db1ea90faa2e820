"""Find files shipped with the application, in a checkout and in a frozen (PyInstaller) build."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # adoption_desktop/


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def app_root() -> Path:
    """The folder holding ``resources/`` and ``forms/``."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return _PACKAGE_DIR.parent


def resource_path(*parts: str) -> Path:
    return app_root().joinpath("resources", *parts)


def form_path(name: str) -> Path:
    return app_root().joinpath("forms", name if name.endswith(".ui") else f"{name}.ui")


def package_path(*parts: str) -> Path:
    """A file inside the ``adoption_desktop`` package (e.g. migrations)."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", "")).joinpath("adoption_desktop", *parts)
    return _PACKAGE_DIR.joinpath(*parts)


def licence_texts() -> tuple[str, str]:
    """``(this program's licence, the third-party notices)`` as shipped (Help → Licences)."""
    own = app_root() / "LICENSE"
    notices = resource_path("THIRD-PARTY-NOTICES.txt")
    return (own.read_text(encoding="utf-8") if own.exists() else "MIT License (the LICENSE file is missing)",
            notices.read_text(encoding="utf-8") if notices.exists() else "(THIRD-PARTY-NOTICES.txt is missing)")
