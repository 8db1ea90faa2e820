"""Letterbox drafts keep the whole form, and the same coordinator with the same form open in two windows (two
programs on one database: two PCs in team mode, or the program opened twice) loses neither window's typing.
Offscreen, real SQLCipher file; the second program has its own engine on the file."""

from __future__ import annotations

import dataclasses
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
from adoption_desktop.letterbox import contact, rules, service
from adoption_desktop.letterbox.views import arrangement_dialog, item_dialog
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.reports.my_work import KEPT_DRAFTS, my_work
from adoption_desktop.ui import autosave
from adoption_desktop.ui.conflict import CANCEL, REAPPLY
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


# --- review: a draft's fields over what was stored since, and a second window's draft -----------------------

def _item_window(qtbot: QtBot, db: Database, who: Principal, arrangement: int, item: int) -> ItemDialog:
    dialog = ItemDialog(AppContext(db, who, TaskRunner(synchronous=True)), arrangement, "LB-0001", item_id=item,
                        today=DAY)
    qtbot.addWidget(dialog)
    return dialog


def test_an_items_draft_brings_no_outcome_back_over_one_recorded_since_and_says_what_it_held(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Review: a draft typed with Withhold, how it was kept, a reason and the social worker tick came back over
    an item forwarded since (in another window): the greyed-out window showed it withheld, said "press Record
    outcome" (greyed out), and closing it asked Discard for fields nobody could save."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY)
    service.screen_item(db, coordinator, item, "Thinking of you all. We went to the seaside.")
    dialog = _item_window(qtbot, db, coordinator, arrangement, item)
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("withheld"))
    dialog.method.setText("kept on file")
    dialog.reason.setPlainText("Names the new school.")
    dialog.social_worker.setChecked(True)
    assert dialog.autosaver is not None
    dialog.autosaver.save_now()
    key = dialog.autosaver.key
    _crash(dialog)
    det = service.get_item(db, coordinator, item)  # forwarded meanwhile (a colleague, another window)
    service.record_outcome(db, coordinator, item, "forwarded", DAY, method="post", reason="",
                           social_worker_informed=False, expected_version=det.row_version)

    again = _item_window(qtbot, db, coordinator, arrangement, item)
    assert (again.outcome.currentData(), again.method.text(), again.reason.toPlainText(),
            again.social_worker.isChecked()) == ("forwarded", "post", "", False)  # as stored
    assert again.unsaved() == []
    said = again.message.text()
    assert "Record outcome" not in said and "restored" not in said
    assert "were not brought back" in said and "so it shows what is stored" in said
    for held in ("outcome: Withhold", "method: \u201ckept on file\u201d", "reason: \u201cNames the new school.\u201d",
                 "social worker informed tick: ticked"):
        assert held in said
    asked: list[object] = []
    monkeypatch.setattr(item_dialog, "ask_discard", lambda *a, **_k: asked.append(a) or True)
    again.show()
    again.reject()  # nothing of it can be saved: closes without asking, and the draft goes
    assert asked == [] and drafts.drafts_of_form(db, coordinator, key) == []
    assert not any(s.key == "drafts" for s in my_work(db, coordinator).sections)


def test_an_items_draft_brings_no_channel_back_over_a_correction_and_says_a_change_of_its_own(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    """Review: a draft typed on a logged item brought "post" back after the channel was corrected to e-mail
    elsewhere: the window showed post while e-mail was stored."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY)
    dialog = _item_window(qtbot, db, coordinator, arrangement, item)
    assert dialog.channel.currentData() == "post"
    dialog.text.setPlainText("Dear all, news from us.")
    assert dialog.autosaver is not None
    dialog.autosaver.save_now()
    _crash(dialog)
    det = service.get_item(db, coordinator, item)
    contact.set_item_channel(db, coordinator, item, "email", expected_version=det.row_version)

    again = _item_window(qtbot, db, coordinator, arrangement, item)
    assert again.channel.currentData() == "email"  # as stored: the draft's "post" was no change of its own
    assert again.text.toPlainText() == "Dear all, news from us."
    assert again.unsaved() == ["letter_text"]
    assert "not brought back" not in again.message.text()

    # a change of the draft's own to a field changed since: the stored value is shown, the draft's is said
    assert again.autosaver is not None
    again.channel.setCurrentIndex(again.channel.findData("hand"))
    again.autosaver.save_now()
    _crash(again)
    det = service.get_item(db, coordinator, item)
    contact.set_item_channel(db, coordinator, item, "digital", expected_version=det.row_version)
    last = _item_window(qtbot, db, coordinator, arrangement, item)
    assert last.channel.currentData() == "digital"
    assert f"received by: {last.channel.itemText(last.channel.findData('hand'))}" in last.message.text()


def test_the_arrangements_draft_leaves_a_colleagues_unticking_and_re_applies_only_its_own_change(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Review (5): a draft brought back over a colleague's change put the tick boxes back as they were when it
    was typed, so "Re-apply my change" re-ticked the colleague's unticked "e-mail allowed" as if it were this
    coordinator's own change."""
    monkeypatch.setattr(arrangement_dialog, "resolve_conflict", lambda *_a: REAPPLY)
    dialog = _arrangement_window(qtbot, db, coordinator, arrangement)
    assert dialog.autosaver is not None
    replies, email = dialog.replies.isChecked(), dialog.email.isChecked()
    dialog.replies.setChecked(not replies)  # this coordinator's change
    dialog.notes.setPlainText("Birth mother asked for no replies for now.")
    dialog.autosaver.save_now()
    _crash(dialog)
    stored = service.get_arrangement(db, coordinator, arrangement, today=DAY)
    service.update_arrangement(db, coordinator, arrangement, dataclasses.replace(stored.data, email_allowed=not email),
                               expected_version=stored.row_version)  # a colleague's change meanwhile

    again = _arrangement_window(qtbot, db, coordinator, arrangement)
    assert again.replies.isChecked() is not replies  # the draft's own change comes back
    assert again.email.isChecked() is not email  # the colleague's, as stored, not the draft's old value
    again.save()  # typed before the colleague's save: the conflict window, Re-apply my change
    after = service.get_arrangement(db, coordinator, arrangement, today=DAY).data
    assert after.replies_expected is not replies and after.notes == "Birth mother asked for no replies for now."
    assert after.email_allowed is not email  # the colleague's unticking kept


def test_a_second_window_bringing_back_the_draft_of_one_still_open_leaves_it_to_that_window(
        qtbot: QtBot, db: Database, second: Database, coordinator: Principal, arrangement: int) -> None:
    """Review: window B, opened while A (still open) held the draft, brought A's text back as "from your last
    visit", took A's draft as its own, and its Discard deleted it: A's timer was idle, so a crash of A then lost
    A's text."""
    on_pc2 = authenticate(second, "lbcoord", TEST_PASSWORD)
    a = _arrangement_window(qtbot, db, coordinator, arrangement)
    a.show()
    a.notes.setPlainText("PC1: long note typed, coordinator went to a meeting")
    assert a.autosaver is not None
    a.autosaver.save_now()
    key = a.autosaver.key
    b = _arrangement_window(qtbot, second, on_pc2, arrangement)
    b.show()
    assert b.notes.toPlainText() == "PC1: long note typed, coordinator went to a meeting"
    assert b.message.text().startswith("Unsaved text typed in another window of this arrangement (")
    assert "which may still be open, was copied here; that window keeps its own draft." in b.message.text()
    b.reject()  # Discard in B
    assert [(f.text, f.apart) for f in drafts.drafts_of_form(db, coordinator, key)] == [
        ("PC1: long note typed, coordinator went to a meeting", False)]  # A's draft is still A's
    _crash(a)  # and survives A's crash
    last = _arrangement_window(qtbot, db, coordinator, arrangement)
    assert last.notes.toPlainText() == "PC1: long note typed, coordinator went to a meeting"
    assert last.message.text().startswith("Unsaved text from your last visit to this arrangement was restored")
