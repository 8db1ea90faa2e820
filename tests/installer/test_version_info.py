"""The Windows version resource is made from the package version and has the shape PyInstaller reads.

PyInstaller's own reader needs ``pefile`` (installed on Windows only), and it ``eval``s the text with
its resource classes; here the same ``eval`` runs with recording stand-ins for those classes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

import adoption_desktop

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("version_info", ROOT / "installer" / "version_info.py")
assert _spec is not None and _spec.loader is not None
version_info = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(version_info)


@pytest.mark.parametrize(("text", "expected"), [("0.1.0", (0, 1, 0, 0)), ("2.10", (2, 10, 0, 0)),
                                                ("1.2.3rc1", (1, 2, 3, 0)), ("1.2.3+local.7", (1, 2, 3, 0)), ("1.2.3.4.5", (1, 2, 3, 4))])
def test_version_tuple(text: str, expected: tuple[int, int, int, int]) -> None:
    assert version_info.version_tuple(text) == expected


def _record(kind: str) -> Any:
    def make(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"kind": kind, "args": args, **kwargs}
    return make


RESOURCE_CLASSES = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct",
                    "VarFileInfo", "VarStruct")


def test_version_resource_carries_the_package_version(tmp_path: Path) -> None:
    path = version_info.write_version_file(tmp_path / "v.txt", adoption_desktop.__version__, "adoption-desktop",
                                           "adoption-desktop.exe", "Adoption Desktop")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# UTF-8")
    info = eval(text, {name: _record(name) for name in RESOURCE_CLASSES})
    expected = version_info.version_tuple(adoption_desktop.__version__)
    assert info["ffi"]["filevers"] == expected and info["ffi"]["prodvers"] == expected
    table = info["kids"][0]["args"][0][0]
    strings = {s["args"][0]: s["args"][1] for s in table["args"][1]}
    assert strings["ProductVersion"] == adoption_desktop.__version__
    assert strings["OriginalFilename"] == "adoption-desktop.exe"
    assert table["args"][0] == "080904B0"  # English (United Kingdom), Unicode
