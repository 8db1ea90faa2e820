"""Team mode: a save behind a colleague's long write no longer freezes the window. While it waits the
window's events are processed (timers fire, it redraws), a "Waiting for a colleague's change…" dialog offers
Cancel, and the timers that write (presence lease, draft autosave) and the idle lock hold back until the
wait is over. Before, the save sat in one blocking wait of up to 30 s (Windows: "Not responding").

A real throwaway PostgreSQL database; the colleague is a second connection holding the writer lock."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

from adoption_desktop.core import drafts
from adoption_desktop.core.errors import WaitCancelled
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.settings_service import get_setting, set_setting
from adoption_desktop.core.storage import engine
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel.settings import QUORUM_MIN_MEMBERS
from adoption_desktop.ui import presence as presence_ui
from adoption_desktop.ui.autosave import DraftAutosaver
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from adoption_desktop.ui.writer_wait import WAITING_TEXT, WaitReporter
from tests.conftest import make_user
from tests.core.test_team_writer_wait import colleague_holding_the_writer_lock


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "20")  # a bound far beyond the test's own release
    monkeypatch.setattr(engine, "QUIET_WAIT", 0.05)


def test_a_save_waiting_for_a_colleague_keeps_the_window_alive_and_the_writing_timers_wait(
        pg_db: Database, qtbot: Any, short_waits: None, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = make_user(pg_db, "admin", Role.ADMINISTRATOR)
    ctx = AppContext(pg_db, admin, TaskRunner(synchronous=True))
    window = MainWindow(ctx, idle_minutes=30)
    qtbot.addWidget(window)
    window.show()
    reporter = WaitReporter(window).attach(pg_db).on_wait
    assert isinstance(reporter, WaitReporter)

    # a form open with its presence banner (lease renewal due) and a draft autosaver (text just typed)
    form = QDialog(window)
    form.setLayout(QVBoxLayout())
    edit = QLineEdit()
    form.layout().addWidget(edit)
    form.show()
    renewals: list[bool] = []
    real_renew = presence_ui.presence.renew

    def renew(*args: Any, **kwargs: Any) -> Any:  # the real renewal, noting whether a save was waiting
        renewals.append(pg_db.waiting_for_writer)
        return real_renew(*args, **kwargs)

    monkeypatch.setattr(presence_ui.presence, "renew", renew)
    banner = presence_ui.attach_banner(ctx, form, "counselling_cases", 3)
    assert banner.lease is not None
    banner.renewed_at = 0.0
    banner.timer.start(50)
    saver = DraftAutosaver(ctx, "writer-wait-test", edit, interval_ms=50)
    edit.setText("typed while a colleague imports")  # the autosave is due in 50 ms: during the wait

    seen: dict[str, object] = {}

    def look() -> None:  # a timer set before the save fires during the wait: the window's events are processed
        dialog = reporter.dialog
        seen.update(waiting=pg_db.waiting_for_writer, dialog=dialog is not None and dialog.isVisible(),
                    modal=dialog is not None and dialog.isModal(),
                    status=window.statusBar().currentMessage(), draft=drafts.load_draft(pg_db, admin, saver.key))
        window.lock()  # the idle lock comes due meanwhile: it must not hide the dialog and ask for the password
        seen["locked"] = window.locked

    with colleague_holding_the_writer_lock(pg_db) as colleague:
        QTimer.singleShot(300, look)
        QTimer.singleShot(600, colleague.commit)  # the colleague's import is saved
        set_setting(pg_db, admin, QUORUM_MIN_MEMBERS, 6)

    assert seen == {"waiting": True, "dialog": True, "modal": True, "locked": False, "draft": None,
                    "status": seen["status"]}, seen
    assert "colleague" in str(seen["status"])
    assert True not in renewals  # the presence lease was not renewed while the save waited
    assert reporter.dialog is None and window.statusBar().currentMessage() == ""  # the wait is over
    with pg_db.session(write=False) as session:
        assert get_setting(session, QUORUM_MIN_MEMBERS) == 6
    # the writing timers held back, not dropped: the draft is saved and the lease renewed after the wait
    qtbot.waitUntil(lambda: drafts.load_draft(pg_db, admin, saver.key) == "typed while a colleague imports",
                    timeout=5000)
    qtbot.waitUntil(lambda: False in renewals, timeout=5000)
    assert not window.locked
    banner.stop()


def test_cancel_on_the_waiting_dialog_stops_the_save_with_nothing_written(
        pg_db: Database, qtbot: Any, short_waits: None) -> None:
    admin = make_user(pg_db, "admin", Role.ADMINISTRATOR)
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    reporter = WaitReporter(window)
    reporter.attach(pg_db)
    texts: list[str] = []

    def cancel() -> None:
        assert reporter.dialog is not None
        texts.append(reporter.dialog.findChild(type(reporter.dialog.elapsed), "writer_wait_elapsed").text())
        reporter.dialog.cancel_button.click()

    with colleague_holding_the_writer_lock(pg_db):
        QTimer.singleShot(300, cancel)
        with pytest.raises(WaitCancelled, match=r"Not saved: you stopped waiting.*still in the form"):
            set_setting(pg_db, admin, QUORUM_MIN_MEMBERS, 6)
    assert texts and texts[0].startswith("Waited ")
    assert reporter.dialog is None and not pg_db.waiting_for_writer
    with pg_db.session(write=False) as session:
        assert get_setting(session, QUORUM_MIN_MEMBERS) != 6
    set_setting(pg_db, admin, QUORUM_MIN_MEMBERS, 6)  # the next save, uncontended, is not cancelled
    with pg_db.session(write=False) as session:
        assert get_setting(session, QUORUM_MIN_MEMBERS) == 6


def test_a_workers_wait_draws_nothing_and_says_its_message_through_the_window_thread(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    reporter = WaitReporter(window)
    ticked: list[bool] = []

    def worker() -> None:
        reporter("The database is busy: a colleague's change (or an import) is being saved; waiting…")
        ticked.append(reporter.tick())

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(10)
    assert ticked == [True] and reporter.dialog is None
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().endswith("waiting…"), timeout=2000)
    assert WAITING_TEXT.startswith("Waiting for a colleague")


def test_a_form_whose_save_was_cancelled_stays_open_with_what_was_typed_and_saves_later(
        pg_db: Database, qtbot: Any, short_waits: None) -> None:
    """A real form (the letterbox item window, logging a new item): Cancel on the waiting dialog leaves it
    open with its fields as typed and the refusal under its buttons; nothing is logged; Log again works."""
    from adoption_desktop.letterbox import service
    from adoption_desktop.letterbox.views.item_dialog import ItemDialog
    from tests.letterbox.conftest import sample_input

    coordinator = make_user(pg_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(pg_db, coordinator, sample_input())
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    reporter = WaitReporter(window)
    reporter.attach(pg_db)
    dialog = ItemDialog(AppContext(pg_db, coordinator, TaskRunner(synchronous=True)), arrangement, "LB-0061")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.notes.setText("Card and two photographs")

    def cancel() -> None:
        assert reporter.dialog is not None
        reporter.dialog.reject()  # Esc, the close button or Cancel

    with colleague_holding_the_writer_lock(pg_db):
        QTimer.singleShot(300, cancel)
        dialog.log()
    assert dialog.isVisible() and dialog.item_id is None
    assert dialog.notes.text() == "Card and two photographs"
    assert dialog.message.text().startswith("Not saved: you stopped waiting"), dialog.message.text()
    assert items_logged(pg_db, arrangement) == 0
    dialog.log()  # the colleague has finished: saved as usual
    assert dialog.item_id is not None and items_logged(pg_db, arrangement) == 1


def items_logged(db: Database, arrangement: int) -> int:
    from sqlalchemy import func, select

    from adoption_desktop.letterbox.models import Item

    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(Item).where(Item.arrangement_id == arrangement))
                   or 0)
