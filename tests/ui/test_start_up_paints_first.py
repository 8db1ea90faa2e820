"""The real program paints its window before the heavy start-up (issue 17): nothing of the database, the key,
the features or Qt's namespace enums is loaded at the first paint. Run as a process of its own, started as the
user starts it (``python -m adoption_desktop``), which prints what it had loaded when it first painted."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from adoption_desktop.ui.main_window import ENV_REPORT_FIRST_PAINT, NOT_BEFORE_PAINT

ROOT = Path(__file__).resolve().parents[2]


def _loaded_at_first_paint(tmp_path: Path, *args: str) -> list[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data"),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", **{ENV_REPORT_FIRST_PAINT: "modules"})
    process = subprocess.Popen([sys.executable, "-m", "adoption_desktop", *args], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stop = threading.Timer(120, process.kill)  # a program that never says it painted does not hang the run
    stop.start()
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if len(lines) >= 2 and "first-paint" in lines[-2]:
                break
        assert len(lines) >= 2 and lines[-2] == "first-paint", (lines, process.stderr)
        return lines[-1].split()
    finally:
        stop.cancel()
        process.kill()
        process.wait(timeout=60)


@pytest.mark.parametrize("with_database", [False, True], ids=["first start", "a database named"])
def test_nothing_heavy_is_loaded_before_the_window_is_painted(tmp_path: Path, with_database: bool) -> None:
    args: list[str] = []
    if with_database:
        named = tmp_path / "agency.db"
        named.write_bytes(b"\0" * 4096)  # never opened before the paint: its contents do not matter
        args = ["--db", str(named)]
    assert _loaded_at_first_paint(tmp_path, *args) == []


def test_the_report_names_what_was_loaded(tmp_path: Path) -> None:
    """The check can fail: the same report in a process that has loaded the ORM, Qt's namespace and QStyle names
    them."""
    script = ("import sqlalchemy\nfrom PySide6.QtCore import Qt\nfrom PySide6.QtWidgets import QStyle\n"
              "from adoption_desktop.ui.main_window import _loaded_at_first_paint\n"
              "print(' '.join(_loaded_at_first_paint()))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["sqlalchemy", "PySide6.QtCore.Qt", "PySide6.QtWidgets.QStyle"]
    assert "sqlalchemy" in NOT_BEFORE_PAINT
