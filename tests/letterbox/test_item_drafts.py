"""A letterbox item's letter text, notes and reason survive a crash (user trial ut15, D2): kept as the
user's own draft in the encrypted database while typed, offered back when the item is opened again, only to
the same user, and dropped once saved or closed. Offscreen, real SQLCipher file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.core import drafts
from adoption_desktop.core.models import Draft
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views import item_dialog
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

LETTER = "Dear Sam, we went to the seaside in the summer and you would have loved the rock pools."
DAY = dt.date(2026, 4, 2)


@pytest.fixture(autouse=True)
def _discard_at_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """The windows left open close at the test's end: "Discard what you typed?" is answered Discard."""
    from adoption_desktop.letterbox.views import arrangement_dialog

    monkeypatch.setattr(item_dialog, "ask_discard", lambda *_a, **_k: True)
    monkeypatch.setattr(arrangement_dialog, "ask_discard", lambda *_a, **_k: True)


def _ctx(db: Database, who: Principal) -> AppContext:
    return AppContext(db, who, TaskRunner(synchronous=True))


def _open(qtbot: QtBot, db: Database, who: Principal, arrangement: int, item_id: int | None = None) -> ItemDialog:
    dialog = ItemDialog(_ctx(db, who), arrangement, "LB-0001", item_id=item_id, today=DAY)
    qtbot.addWidget(dialog)
    dialog.show()
    for saver in [dialog.autosaver] if dialog.autosaver is not None else []:
        saver.timer.setInterval(20)
    return dialog


def _crash(dialog: ItemDialog) -> None:
    """The program is killed: no Close, no question, the window just goes."""
    dialog.hide()
    dialog.deleteLater()


def test_a_logged_items_letter_text_and_reason_come_back_after_a_crash(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY)
    dialog = _open(qtbot, db, coordinator, arrangement, item)
    assert dialog.autosaver is not None
    key = dialog.draft_key()
    qtbot.keyClicks(dialog.text, LETTER)
    dialog.reason.setPlainText("Names the school.")
    qtbot.waitUntil(lambda: drafts.load_draft(db, coordinator, key) == LETTER, timeout=3000)
    assert drafts.load_draft_fields(db, coordinator, key).get("reason") == "Names the school."
    _crash(dialog)

    # a colleague opening the item is offered nothing: a draft is its writer's own
    colleague = make_user(db, "colleague", Role.LETTERBOX_COORDINATOR)
    theirs = _open(qtbot, db, colleague, arrangement, item)
    assert theirs.text.toPlainText() == "" and theirs.autosaver is not None and not theirs.autosaver.restored
    _crash(theirs)

    again = _open(qtbot, db, coordinator, arrangement, item)
    assert again.text.toPlainText() == LETTER and again.reason.toPlainText() == "Names the school."
    assert again.message.text().startswith("Unsaved text from your last visit to this item was restored")
    assert "Screen text" in again.message.text()
    # saved for real (screened): the letter's draft is kept only while something typed is still unsaved
    again.screen_letter()
    assert service.get_item(db, coordinator, item).text == LETTER
    assert drafts.load_draft_fields(db, coordinator, key).get("reason") == "Names the school."  # not recorded
    again.reject()  # closed, the reason discarded: the draft goes
    assert drafts.load_draft(db, coordinator, key) is None


def test_a_new_items_notes_come_back_and_move_to_the_item_once_logged(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    dialog = _open(qtbot, db, coordinator, arrangement)
    key = dialog.draft_key()
    assert key == f"letterbox.item.new:{arrangement}"
    qtbot.keyClicks(dialog.notes, "Came with a drawing")
    dialog.text.setPlainText(LETTER)
    qtbot.waitUntil(lambda: drafts.load_draft(db, coordinator, key) == LETTER, timeout=3000)
    _crash(dialog)

    again = _open(qtbot, db, coordinator, arrangement)
    assert again.notes.text() == "Came with a drawing" and again.text.toPlainText() == LETTER
    assert "press Log item" in again.message.text()
    again.log()
    assert again.item_id is not None
    assert drafts.load_draft(db, coordinator, key) is None  # the new item's draft has gone ...
    # ... and the letter text, typed but not yet screened, is kept under the logged item
    assert drafts.load_draft(db, coordinator, again.draft_key()) == LETTER
    again.screen_letter()
    assert drafts.load_draft(db, coordinator, again.draft_key()) is None  # nothing typed is left unsaved


def test_letter_text_drafts_are_only_in_the_encrypted_database(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int, tmp_path: Path) -> None:
    """Letter text is sensitive: its draft is a row of the drafts table (in the SQLCipher file), never a file
    of its own, and the database file does not hold it in plain text."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY)
    dialog = _open(qtbot, db, coordinator, arrangement, item)
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    dialog.text.setPlainText("Zebrafinch Lane is where we live now")
    qtbot.waitUntil(lambda: drafts.load_draft(db, coordinator, dialog.draft_key()) is not None, timeout=3000)
    with db.session(coordinator, write=False) as session:
        assert session.scalar(select(Draft.text).where(Draft.key == dialog.draft_key())).startswith("Zebrafinch")
    after = {p for p in tmp_path.rglob("*") if p.is_file()}
    for path in after:
        assert b"Zebrafinch" not in path.read_bytes(), path
    assert all(p.suffix in {".db", ".keys", ".anchor", ".log", ""} or p in before or "audit" in p.name
               for p in after - before), after - before


def test_the_arrangement_editors_typing_comes_back_after_a_crash_and_goes_when_saved(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    dialog = ArrangementDialog(_ctx(db, coordinator), arrangement, today=DAY)
    qtbot.addWidget(dialog)
    assert dialog.autosaver is not None
    dialog.autosaver.timer.setInterval(20)
    key = dialog.autosaver.key
    dialog.notes.setPlainText("Birth mother moved; new address to follow by phone.")
    dialog.fields["adopters_name"].setText("Robin and Alex Quayle")
    qtbot.waitUntil(lambda: drafts.load_draft(db, coordinator, key) is not None
                    and "adopters_name" in drafts.load_draft_fields(db, coordinator, key), timeout=3000)
    dialog.hide()
    dialog.deleteLater()

    other = make_user(db, "other", Role.LETTERBOX_COORDINATOR)
    theirs = ArrangementDialog(_ctx(db, other), arrangement, today=DAY)
    qtbot.addWidget(theirs)
    assert "Birth mother moved" not in theirs.notes.toPlainText()

    again = ArrangementDialog(_ctx(db, coordinator), arrangement, today=DAY)
    qtbot.addWidget(again)
    assert again.notes.toPlainText() == "Birth mother moved; new address to follow by phone."
    assert again.fields["adopters_name"].text() == "Robin and Alex Quayle"
    assert again.message.text().startswith("Unsaved text from your last visit to this arrangement was restored")
    assert again.changed()  # Escape asks before throwing it away
    again.save()
    assert service.get_arrangement(db, coordinator, arrangement, today=DAY).data.adopters_name == \
        "Robin and Alex Quayle"
    assert drafts.load_draft(db, coordinator, key) is None
