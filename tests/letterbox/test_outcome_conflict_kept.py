"""Two coordinators on one item, each in their own program on one encrypted file (user trial, 6 December):
A chose Return, typed the reason and pressed Record outcome; the check passed and the final question came up;
meanwhile B forwarded the item. A's Yes was refused, rightly, but the window reloaded with B's outcome and
A's reason was gone without trace. Also: a forwarded item changed outside the application was shown as
genuine in the item window (the ADM page says so of a signed decision)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views import item_dialog
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input

REASON = "Please take out the name of the football club and the town; the rest is lovely."


def _second_client(db: Database, db_path: Path) -> Database:
    """Another PC: its own engine and connections on the same encrypted file."""
    from tests.concurrency_worker import open_target

    password = db.engine.url.password
    assert password is not None
    return open_target(str(db_path), password[2:-1])


def _as_lee(db: Database, db_path: Path, change: Any) -> None:
    other = _second_client(db, db_path)
    try:
        change(other, security.authenticate(other, "lee", TEST_PASSWORD))
    finally:
        other.dispose()


def _screened_item(db: Database, coordinator: Principal) -> tuple[int, int]:
    arrangement = service.create_arrangement(db, coordinator, sample_input())
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                            received_on=dt.date(2026, 11, 2), writer="Gina Quillfield")
    service.screen_item(db, coordinator, item, "Thinking of you all. We went to the seaside in the summer.")
    return arrangement, item


def _window(qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int, item: int) -> ItemDialog:
    dialog = ItemDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), arrangement, "LB-0001",
                        item_id=item, today=dt.date(2026, 11, 3))
    qtbot.addWidget(dialog)
    return dialog


@pytest.mark.parametrize("outcome", ["returned", "withheld"])
def test_a_reason_typed_is_kept_when_a_colleague_forwards_the_item_at_the_final_question(
        qtbot: QtBot, db: Database, db_path: Path, coordinator: Principal, monkeypatch: pytest.MonkeyPatch,
        outcome: str) -> None:
    make_user(db, "lee", Role.LETTERBOX_COORDINATOR)
    arrangement, item = _screened_item(db, coordinator)
    dialog = _window(qtbot, db, coordinator, arrangement, item)
    dialog.outcome.setCurrentIndex(dialog.outcome.findData(outcome))
    dialog.reason.setPlainText(REASON)
    dialog.social_worker.setChecked(outcome == "withheld")  # a withheld item is reported to them

    def lee_forwards_then_yes(*_a: object, **_k: object) -> bool:  # Lee, in another program, meanwhile
        _as_lee(db, db_path, lambda other, lee: service.record_outcome(
            other, lee, item, "forwarded", dt.date(2026, 11, 3), method="post"))
        return True

    monkeypatch.setattr(item_dialog, "confirm_final", lee_forwards_then_yes)
    dialog.record_outcome()
    said = dialog.message.text()
    assert f"Item {item} already has an outcome (forwarded), recorded by " in said, said
    assert f"The reason you typed was: \u201c{REASON}\u201d." in said
    why = "return it to its writer" if outcome == "returned" else "withhold it"
    assert f"The item has already been forwarded, although you found a reason to {why}." in said
    assert "letterbox manager" in said
    assert dialog.detail is not None and dialog.detail.status == "forwarded"  # shown as it is now
    assert service.get_item(db, coordinator, item).reason == ""  # nothing of A's was recorded


def test_a_forwarded_item_refused_at_the_check_says_so_too(
        qtbot: QtBot, db: Database, db_path: Path, coordinator: Principal) -> None:
    """The same when Lee forwarded before A pressed Record outcome (refused before the final question)."""
    make_user(db, "lee", Role.LETTERBOX_COORDINATOR)
    arrangement, item = _screened_item(db, coordinator)
    dialog = _window(qtbot, db, coordinator, arrangement, item)
    _as_lee(db, db_path, lambda other, lee: service.record_outcome(
        other, lee, item, "forwarded", dt.date(2026, 11, 3), method="post"))
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("returned"))
    dialog.reason.setPlainText(REASON)
    dialog.record_outcome()
    said = dialog.message.text()
    assert f"The reason you typed was: \u201c{REASON}\u201d." in said
    assert "The item has already been forwarded, although you found a reason to return it to its writer." in said


def test_a_rewording_typed_is_kept_when_a_colleague_rewords_the_reason_first(
        qtbot: QtBot, db: Database, db_path: Path, coordinator: Principal) -> None:
    make_user(db, "lee", Role.LETTERBOX_COORDINATOR)
    arrangement, item = _screened_item(db, coordinator)
    service.record_outcome(db, coordinator, item, "returned", dt.date(2026, 11, 3), reason="Leave out the town.")
    dialog = _window(qtbot, db, coordinator, arrangement, item)
    _as_lee(db, db_path, lambda other, lee: service.reword_return_reason(
        other, lee, item, "Please leave out where you went on holiday.", expected_version=None))
    dialog.reason.setPlainText(REASON)
    dialog.reword_reason()
    said = dialog.message.text()
    assert "your change was not saved" in said, said
    assert f"The rewording you typed was: \u201c{REASON}\u201d." in said
    assert dialog.reason.toPlainText() == "Please leave out where you went on holiday."  # theirs, as stored


def test_a_forwarded_item_changed_outside_the_application_is_shown_in_red(
        qtbot: QtBot, db: Database, coordinator: Principal) -> None:
    arrangement, item = _screened_item(db, coordinator)
    service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 11, 3), method="post")
    assert service.get_item(db, coordinator, item).seal_problem == ""
    dialog = _window(qtbot, db, coordinator, arrangement, item)
    assert dialog.seal_problem.isHidden()
    with db.engine.begin() as conn:  # someone with the key edits the forwarded letter's text in SQL
        conn.execute(text("UPDATE letterbox_items SET text = 'Thinking of you all.' WHERE id = :i"), {"i": item})
    problem = service.get_item(db, coordinator, item).seal_problem
    assert problem.startswith("This item is not as it was when its outcome was recorded: ") and "verify" in problem
    dialog = _window(qtbot, db, coordinator, arrangement, item)
    dialog.show()
    assert dialog.seal_problem.isVisible() and dialog.seal_problem.text() == problem
