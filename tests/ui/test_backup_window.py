"""File → Back up database… (user trial, 4 December 2026): the open database chosen as the backup's name was
replaced by the zip, the window said "written and verified" and went on saving into a file that was gone;
a name typed without ".adkbak" was written where the audit anchors never look."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import main_window
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user


def test_backup_from_the_window(db: Database, db_path: Path, tmp_path: Path, qtbot: Any,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    admin = make_user(db, "backer", Role.ADMINISTRATOR)
    window = MainWindow(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    asked: list[str] = []
    answer: list[str] = [str(tmp_path / "friday")]
    monkeypatch.setattr(main_window, "save_file_name", lambda _p, _k, _t, name, *_a, **_k2: (
        asked.append(name), answer[0])[1])
    errors: list[str] = []
    monkeypatch.setattr("adoption_desktop.ui.dialogs.show_error", lambda _p, _t, exc: errors.append(str(exc)))
    window.backup()
    # the name offered is dated, as the command line's and the schedule's are
    assert re.fullmatch(rf"{re.escape(db_path.stem)}-\d{{8}}-\d{{6}}\.adkbak", asked[0]), asked
    assert (tmp_path / "friday.adkbak").exists() and not (tmp_path / "friday").exists()
    assert "written and verified" in window.statusBar().currentMessage()
    before = db_path.read_bytes()
    answer[0] = str(db_path)
    window.backup()
    assert errors and "ending .adkbak" in errors[-1]
    assert db_path.read_bytes() == before
    with db.session(write=False) as session:
        assert session.execute(text("SELECT count(*) FROM users")).scalar_one() >= 1
