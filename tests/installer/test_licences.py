"""The project's licence and the third-party notices that ship with it: every package pinned in
requirements/runtime.lock is listed with its version, its licence and the licence's text."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "installer"))
import third_party_notices  # noqa: E402

NOTICES = ROOT / "resources" / "THIRD-PARTY-NOTICES.txt"
ENTRY = re.compile(r"^([a-z0-9][a-z0-9._-]*) (\S+) - (.+)\n-+\n", re.MULTILINE)


def sections() -> dict[tuple[str, str], str]:
    text = NOTICES.read_text(encoding="utf-8")
    found = list(ENTRY.finditer(text))
    out: dict[tuple[str, str], str] = {}
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out[(match.group(1), match.group(2))] = text[match.end():end]
    return out


def test_notices_list_exactly_the_locked_packages_each_with_a_licence_text() -> None:
    locked = third_party_notices.locked_packages()
    listed = sections()
    assert sorted(listed) == sorted(locked)
    for (name, version), body in listed.items():
        assert len(body.strip()) > 200, f"{name} {version}: no licence text"
        assert body.lstrip().startswith("["), f"{name} {version}: the text's file name is missing"


def test_lgpl_obligations_are_described_and_its_text_included() -> None:
    text = NOTICES.read_text(encoding="utf-8")
    head = text[:3000]
    assert "dynamically" in head and "replace" in head and "LGPL" in head
    qt = sections()[("pyside6-essentials", "6.11.3")]
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in qt and "Version 3" in qt


def test_project_is_mit() -> None:
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    spec = (ROOT / "installer" / "adoption_desktop.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "LICENSE"), ".")' in spec


def test_the_application_shows_the_licences(qtbot: object) -> None:
    from adoption_desktop.ui.licences import LicencesDialog

    dialog = LicencesDialog()
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    assert dialog.tabs.count() == 2
    own = dialog.tabs.widget(0).toPlainText()  # type: ignore[attr-defined]
    notices = dialog.tabs.widget(1).toPlainText()  # type: ignore[attr-defined]
    assert own.startswith("MIT License") and "pyside6-essentials 6.11.3" in notices
