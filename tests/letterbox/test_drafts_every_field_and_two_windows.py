"""Letterbox drafts keep the whole form, and the same coordinator with the same form open in two windows (two
programs on one database: two PCs in team mode, or the program opened twice) loses neither window's typing.
Offscreen, real SQLCipher file; the second program has its own engine on the file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from adoption_desktop.core import drafts
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views import arrangement_dialog, item_dialog
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.reports.my_work import KEPT_DRAFTS, my_work
from adoption_desktop.ui import autosave
from adoption_desktop.ui.conflict import CANCEL
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.concurrency_worker import open_target
from tests.conftest import TEST_PASSWORD

DAY = dt.date(2026, 4, 2)


@pytest.fixture(autouse=True)
def _discard_at_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(item_dialog, "ask_discard", lambda *_a, **_k: True)
    monkeypatch.setattr(arrangement_dialog, "ask_discard", lambda *_a, **_k: True)


@pytest.fixture
def second(db: Database, db_path: Path) -> Iterator[Database]:
    """The same file opened by a second program (its own engine and connections)."""
    password = db.engine.url.password
    assert password is not None
    other = open_target(str(db_path), password[2:-1])
    yield other
    other.dispose()


def _arrangement_window(qtbot: QtBot, db: Database, who: Principal, arrangement: int) -> ArrangementDialog:
    dialog = ArrangementDialog(AppContext(db, who, TaskRunner(synchronous=True)), arrangement, today=DAY)
    qtbot.addWidget(dialog)
    return dialog


def _crash(dialog: ArrangementDialog | ItemDialog) -> None:
    """The program is killed: no Close, no question, the window just goes."""
    dialog.hide()
    dialog.deleteLater()


def test_the_arrangement_drafts_tick_boxes_come_back(qtbot: QtBot, db: Database, coordinator: Principal,
                                                     arrangement: int) -> None:
    """Reopened after a crash the arrangement's notes came back but "replies expected" and "e-mail allowed"
    were as stored: the coordinator's unticking was lost without a word."""
    dialog = _arrangement_window(qtbot, db, coordinator, arrangement)
    assert dialog.autosaver is not None
    replies, email = dialog.replies.isChecked(), dialog.email.isChecked()
    dialog.replies.setChecked(not replies)
    dialog.email.setChecked(not email)
    dialog.notes.setPlainText("Birth mother asked for no replies for now.")
    dialog.autosaver.save_now()
    _crash(dialog)

    again = _arrangement_window(qtbot, db, coordinator, arrangement)
    assert again.notes.toPlainText() == "Birth mother asked for no replies for now."
    assert again.replies.isChecked() is not replies and again.email.isChecked() is not email
    assert again.message.text().startswith("Unsaved text from your last visit to this arrangement was restored")


def test_a_tick_box_alone_changed_is_kept_and_the_pattern_day_only_when_changed(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    dialog = _arrangement_window(qtbot, db, coordinator, arrangement)
    assert dialog.autosaver is not None
    dialog.email.setChecked(not dialog.email.isChecked())  # one tick, nothing typed
    assert dialog.autosaver.timer.isActive()  # a tick is a change: the autosave is due
    dialog.autosaver.save_now()
    key = dialog.autosaver.key
    kept = drafts.load_draft_fields(db, coordinator, key)
    assert kept["email_allowed"] in ("0", "1") and "pattern_from" not in kept  # today unless changed
    dialog.pattern_from.setDate(QDate(2026, 3, 1))
    dialog.autosaver.save_now()
    assert drafts.load_draft_fields(db, coordinator, key)["pattern_from"] == "2026-03-01"


def test_an_items_outcome_choice_method_and_social_worker_tick_come_back(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    """The item's draft kept the letter, the notes and the reason only: the outcome chosen, how it was sent
    and "social worker informed" were lost after a crash."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY)
    service.screen_item(db, coordinator, item, "Thinking of you all. We went to the seaside.")
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True))
    dialog = ItemDialog(ctx, arrangement, "LB-0001", item_id=item, today=DAY)
    qtbot.addWidget(dialog)
    assert dialog.autosaver is not None
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("withheld"))
    dialog.method.setText("kept on the child's file")
    dialog.reason.setPlainText("Names the new school.")
    dialog.social_worker.setChecked(True)
    dialog.autosaver.save_now()
    _crash(dialog)

    again = ItemDialog(ctx, arrangement, "LB-0001", item_id=item, today=DAY)
    qtbot.addWidget(again)
    assert again.outcome.currentData() == "withheld"
    assert again.method.text() == "kept on the child's file"
    assert again.reason.toPlainText() == "Names the new school."
    assert again.social_worker.isChecked()


def test_two_windows_of_the_same_coordinator_keep_both_drafts_and_both_are_offered(
        qtbot: QtBot, db: Database, second: Database, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same coordinator has the arrangement open on two PCs (one database file). Each window kept its
    draft under the same key, the later over the earlier: what the first window typed was lost, silently."""
    conflicts: list[str] = []

    def conflict_window(_parent: object, exc: Exception, *_a: object) -> str:
        conflicts.append(str(exc))
        return CANCEL  # Keep editing
    monkeypatch.setattr(arrangement_dialog, "resolve_conflict", conflict_window)
    on_pc2 = authenticate(second, "lbcoord", TEST_PASSWORD)
    first = _arrangement_window(qtbot, db, coordinator, arrangement)
    other = _arrangement_window(qtbot, second, on_pc2, arrangement)
    assert first.autosaver is not None and other.autosaver is not None
    first.notes.setPlainText("PC 1: birth father's new address to follow.")
    first.autosaver.save_now()
    other.notes.setPlainText("PC 2: adopters ask to move the exchange to May.")
    other.autosaver.save_now()

    key = first.autosaver.key
    assert drafts.load_draft(db, coordinator, key) == "PC 1: birth father's new address to follow."
    assert [f.text for f in drafts.kept_apart(db, coordinator, key)] == [
        "PC 2: adopters ask to move the exchange to May."]
    assert other.message.text() == autosave.KEPT_APART  # said where the typing is, once
    first.notes.setPlainText("PC 1: birth father's new address to follow; phoned him.")
    first.autosaver.save_now()
    other.notes.setPlainText("PC 2: adopters ask to move the exchange to May; agreed.")
    other.autosaver.save_now()
    _crash(first)
    _crash(other)

    lines = next(s for s in my_work(db, coordinator).sections if s.key == "drafts").lines
    titles = sorted(line.title for line in lines)
    assert len(titles) == 2, titles
    assert titles[0].startswith(f"{KEPT_DRAFTS}: Letterbox arrangement for arrangement LB-0001 (")
    assert titles[1].startswith(
        f"{KEPT_DRAFTS}: Letterbox arrangement for arrangement LB-0001 (draft from another window, ")

    again = _arrangement_window(qtbot, db, coordinator, arrangement)  # the form's own draft first
    assert again.notes.toPlainText() == "PC 1: birth father's new address to follow; phoned him."
    assert "Another draft of this form, from another window (" in again.message.text()
    assert "is kept too: it is offered here after you save or discard this one." in again.message.text()
    again.save()
    assert conflicts == [] and again.result() == QDialog.DialogCode.Accepted

    last = _arrangement_window(qtbot, db, coordinator, arrangement)  # then the one kept apart
    assert last.notes.toPlainText() == "PC 2: adopters ask to move the exchange to May; agreed."
    assert "It is a draft from another window, " in last.message.text()
    last.save()  # the arrangement was saved (by the first window) since it was typed: the conflict window
    assert len(conflicts) == 1
    assert last.notes.toPlainText() == "PC 2: adopters ask to move the exchange to May; agreed."  # still there
    assert service.get_arrangement(db, coordinator, arrangement, today=DAY).data.notes == \
        "PC 1: birth father's new address to follow; phoned him."
