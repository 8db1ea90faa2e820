from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QPlainTextEdit

from adoption_desktop.core import drafts
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.autosave import DraftAutosaver
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user


def test_draft_survives_a_lost_window_and_is_private(db: Database, admin: Principal, qtbot: Any) -> None:
    ctx = AppContext(db, admin, TaskRunner(synchronous=True))
    first = QPlainTextEdit()
    qtbot.addWidget(first)
    saver = DraftAutosaver(ctx, "test.notes:1", first, interval_ms=20)
    qtbot.keyClicks(first, "Half-written session notes")
    qtbot.waitUntil(lambda: drafts.load_draft(db, admin, "test.notes:1") == "Half-written session notes",
                    timeout=3000)
    first.deleteLater()  # the window is gone without saving (a crash)

    again = QPlainTextEdit()
    qtbot.addWidget(again)
    restorer = DraftAutosaver(ctx, "test.notes:1", again)
    assert restorer.restored and again.toPlainText() == "Half-written session notes"
    other = make_user(db, "someone", Role.COUNSELLOR)
    assert drafts.load_draft(db, other, "test.notes:1") is None
    restorer.clear()
    assert drafts.load_draft(db, admin, "test.notes:1") is None
    del saver
