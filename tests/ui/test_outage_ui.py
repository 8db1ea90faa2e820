"""What the panel administrator sees when the team server stops while they type minutes: no dialog (an
autosave must not pop one mid-sentence), the text kept, the line under the editor saying it is not saved,
and the save made on its own once the server is back; at start-up, Retry as well as Close. Real PostgreSQL
(tests/pg.py) stopped and started within the test, no mocks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop import app
from adoption_desktop.core import drafts
from adoption_desktop.core.config import LocalConfig
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import minutes_editor
from adoption_desktop.panel.views.minutes_editor import MinutesEditor
from adoption_desktop.ui import autosave
from adoption_desktop.ui.autosave import DraftAutosaver
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.pg import PostgresServer


def _no_dialog_shown() -> None:
    assert QApplication.activeModalWidget() is None
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_minutes_autosave_during_an_outage_is_quiet_keeps_the_text_and_saves_when_back(
        qtbot: QtBot, pg: PostgresServer, pg_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minutes_editor, "RETRY_MS", 300)
    ann = make_user(pg_db, "ann", Role.PANEL_ADMINISTRATOR)
    sitting = svc.schedule_sittings(pg_db, ann, svc.SittingInput(dt.date(2026, 11, 10), venue="Room 4"))[0]
    item = svc.add_item(pg_db, ann, sitting, svc.ItemInput("approval", "ADP-0700", "E.F."))
    svc.save_minutes(pg_db, ann, item, svc.MinutesDraft(discussion="First notes."))
    detail = svc.sitting_detail(pg_db, ann, sitting)
    editor = MinutesEditor(lambda i, d, v: svc.save_minutes(pg_db, ann, i, d, expected_version=v),
                           lambda i, v: svc.submit_minutes(pg_db, ann, i, expected_version=v))
    qtbot.addWidget(editor)
    editor.set_items(detail.items, detail.attendance)
    editor.show()
    typed = "First notes. The panel heard from the social worker"
    pg.stop()
    try:
        editor.discussion.setPlainText(typed)  # typing: the autosave timer starts
        assert editor.autosave.isActive()
        qtbot.waitUntil(lambda: editor.message.text().startswith("Not saved"), timeout=5000)
        assert "server can't be reached" in editor.message.text()
        assert "Autosaved" not in editor.message.text()  # never claims a save that failed
        _no_dialog_shown()
        assert editor.discussion.toPlainText() == typed and editor.dirty
        assert editor.autosave.isActive()  # it will try again on its own
        # a save the person asks for says the plain message (no server address, no driver text)
        assert not editor.save_now()
        said = editor.message.text()
        assert said.startswith("The database server can't be reached just now, so this was not saved.")
        assert "saved when the server is back" not in said  # no promise of a later save it won't make
        assert str(pg.port) not in said and "sqlalche" not in said and "psycopg" not in said
        _no_dialog_shown()
    finally:
        pg.start()
    qtbot.waitUntil(lambda: editor.message.text().startswith("Autosaved"), timeout=10000)
    assert not editor.dirty
    stored = svc.sitting_detail(pg_db, ann, sitting).items[0].minutes
    assert stored is not None and stored.draft.discussion == typed


def test_a_draft_autosave_during_an_outage_says_so_quietly_and_retries(
        qtbot: QtBot, pg: PostgresServer, pg_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(autosave, "RETRY_MS", 300)
    ann = make_user(pg_db, "ann", Role.COUNSELLOR)
    edit = QPlainTextEdit()
    qtbot.addWidget(edit)
    saver = DraftAutosaver(AppContext(pg_db, ann, TaskRunner(synchronous=True)), "counselling.notes:1", edit,
                           interval_ms=50)
    said: list[str] = []
    saver.status.connect(said.append)
    pg.stop()
    try:
        edit.setPlainText("Birth mother asked for no contact")
        qtbot.waitUntil(lambda: bool(said), timeout=5000)
        assert said[0].startswith("Not saved: the server can't be reached")
        _no_dialog_shown()
        assert saver.timer.isActive() and edit.toPlainText() == "Birth mother asked for no contact"
    finally:
        pg.start()
    qtbot.waitUntil(lambda: said[-1] == "", timeout=10000)
    assert drafts.load_draft(pg_db, ann, "counselling.notes:1") == "Birth mother asked for no contact"


def test_start_up_with_the_server_down_offers_retry(qtbot: QtBot, pg: PostgresServer, pg_db: Database,
                                                    tmp_path: Path, store: Any) -> None:
    url = f"{pg.base_url}/{pg_db.engine.url.database}"
    pg_db.dispose()
    config = LocalConfig(tmp_path / "settings.json")
    parent = QWidget()
    qtbot.addWidget(parent)
    boxes: list[tuple[str, list[str]]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, answer)
            return
        boxes.append((box.text(), [b.text() for b in box.buttons()]))
        pg.start()  # the server is back: Retry
        box.buttons()[0].click()

    pg.stop()
    try:
        QTimer.singleShot(50, answer)
        opened = app.choose_database(parent, store, config, url)
    finally:
        if not boxes:
            pg.start()
    assert boxes and boxes[0][0].startswith("Could not reach the PostgreSQL server")
    assert str(pg.port) not in boxes[0][0]
    assert [t.replace("&", "") for t in boxes[0][1]] == ["Retry", "Close"]
    assert opened is not None
    opened.dispose()


def test_sign_out_during_an_outage_keeps_the_unsaved_draft_on_screen(
        qtbot: QtBot, pg: PostgresServer, pg_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Signing out closed the open windows after their drafts failed to save: what was typed was lost. Now
    the sign-out stops and says why, the text and the user stay; once the server is back it goes ahead."""
    from adoption_desktop.ui import session_switch
    from adoption_desktop.ui.main_window import MainWindow

    monkeypatch.setattr(autosave, "RETRY_MS", 60_000)
    bea = make_user(pg_db, "bea", Role.COUNSELLOR)
    window = MainWindow(AppContext(pg_db, bea, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    edit = QPlainTextEdit(window)
    saver = DraftAutosaver(window.ctx, "counselling.notes:7", edit, interval_ms=60_000)
    pg.stop()
    try:
        edit.setPlainText("Session notes not saved yet")
        assert saver.timer.isActive()
        assert session_switch.sign_out(window, ask=lambda *_: None) is None
        assert window.statusBar().currentMessage().startswith("Not signed out: the server can't be reached, "
                                                              "and 1 typed draft(s) are not saved yet.")
        assert edit.toPlainText() == "Session notes not saved yet" and window.ctx.principal.user_id == bea.user_id
        _no_dialog_shown()
    finally:
        pg.start()
    signed_out = session_switch.sign_out(window, ask=lambda *_: None)  # back: the draft is saved, then out
    assert signed_out is None and not window.isVisible()
    assert drafts.load_draft(pg_db, bea, "counselling.notes:7") == "Session notes not saved yet"


def test_minutes_saved_as_the_connection_drops_at_commit_say_the_outcome_is_unknown(
        qtbot: QtBot, pg: PostgresServer, pg_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lost during COMMIT, a save may have been stored: the editor says so (no dialog), says nothing of
    "not saved", and does not retry on its own (a retry of a stored save would read as someone else's)."""
    import time

    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from adoption_desktop.core.storage.engine import open_postgresql

    monkeypatch.setattr(minutes_editor, "RETRY_MS", 300)
    ann = make_user(pg_db, "ann", Role.PANEL_ADMINISTRATOR)
    sitting = svc.schedule_sittings(pg_db, ann, svc.SittingInput(dt.date(2026, 11, 10), venue="Room 4"))[0]
    item = svc.add_item(pg_db, ann, sitting, svc.ItemInput("approval", "ADP-0701", "G.H."))
    detail = svc.sitting_detail(pg_db, ann, sitting)
    editor = MinutesEditor(lambda i, d, v: svc.save_minutes(pg_db, ann, i, d, expected_version=v),
                           lambda i, v: svc.submit_minutes(pg_db, ann, i, expected_version=v))
    qtbot.addWidget(editor)
    editor.set_items(detail.items, detail.attendance)
    editor.show()
    editor.discussion.setPlainText("The panel recommends approval.")
    name = str(pg_db.engine.url.database)
    ended: list[int] = []

    def end_the_backend(session: Session) -> None:  # between the flush and COMMIT, once
        if ended or session.get_bind().url.database != name:
            return
        pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        ended.append(pg.terminate_connections(name))
        admin = open_postgresql(f"{pg.base_url}/postgres")
        try:
            for _ in range(100):
                with admin.engine.connect() as conn:
                    if not conn.exec_driver_sql("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).first():
                        break
                time.sleep(0.05)
        finally:
            admin.dispose()

    sa.event.listen(Session, "before_commit", end_the_backend)
    try:
        assert not editor.save_now()
    finally:
        sa.event.remove(Session, "before_commit", end_the_backend)
    said = editor.message.text()
    assert ended and said.startswith("The database server stopped answering while this was being saved: it may "
                                     "or may not have been saved.")
    assert "not saved" not in said and str(pg.port) not in said
    assert editor.dirty and editor.discussion.toPlainText() == "The panel recommends approval."
    assert not editor.autosave.isActive()  # not retried blindly: the person looks first
    _no_dialog_shown()
    assert item is not None
