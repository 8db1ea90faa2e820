"""A letterbox item window opened before midnight kept its "today" dates: the next morning Log item recorded
the letter as received the day before, and Record outcome dated the outcome the day before, unseen. Now an
untouched date follows the new day: when the date changes while the window is open (``ui.day_watch``) the
field moves and the window says so; a press of Log item or Record outcome that finds the date changed since
moves it, says so and saves nothing, so the date saved is the one on screen. A date the person typed stays.
The context is given a clock, moved past midnight."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views import item_dialog
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.day_watch import DayWatch
from adoption_desktop.ui.tasks import TaskRunner


def _clock() -> list[dt.date]:
    """An evening some days ago (computed now, not at import): logged dates stay in the past."""
    return [dt.date.today() - dt.timedelta(days=10)]


def _window(qtbot: QtBot, ctx: AppContext, arrangement: int, item: int | None = None) -> ItemDialog:
    dialog = ItemDialog(ctx, arrangement, "LB-0001", item_id=item)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _received(db: Database, who: Principal, item: int) -> dt.date:
    return service.get_item(db, who, item).received_on


def test_log_item_after_midnight_moves_the_untouched_date_and_logs_it_on_the_next_press(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    clock = _clock()
    evening = clock[0]
    dialog = _window(qtbot, AppContext(db, coordinator, TaskRunner(synchronous=True), today=lambda: clock[0]),
                     arrangement)
    assert dialog.received_on.date().toPython() == evening
    clock[0] = evening + dt.timedelta(days=1)  # past midnight; the window still open
    dialog.log()
    assert dialog.item_id is None  # nothing saved with a date the person did not see
    assert dialog.received_on.date().toPython() == clock[0]
    said = dialog.message.text()
    assert f"Date received now shows today, {clock[0]:%d/%m/%Y}, not {evening:%d/%m/%Y}" in said
    assert "Nothing was logged yet: press Log item again" in said
    dialog.log()
    assert dialog.item_id is not None, dialog.message.text()
    assert _received(db, coordinator, dialog.item_id) == clock[0]


def test_a_date_received_typed_before_midnight_is_kept(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    clock = _clock()
    evening = clock[0]
    dialog = _window(qtbot, AppContext(db, coordinator, TaskRunner(synchronous=True), today=lambda: clock[0]),
                     arrangement)
    typed = evening - dt.timedelta(days=3)
    dialog.received_on.setDate(typed)
    clock[0] = evening + dt.timedelta(days=1)
    dialog.log()
    assert dialog.item_id is not None, dialog.message.text()
    assert _received(db, coordinator, dialog.item_id) == typed


def test_the_day_watch_moves_the_untouched_date_on_screen_at_midnight(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    clock = _clock()
    evening = clock[0]
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True), today=lambda: clock[0])
    watch = DayWatch(ctx)
    dialog = _window(qtbot, ctx, arrangement)
    try:
        clock[0] = evening + dt.timedelta(days=1)
        assert watch.check()
        assert dialog.received_on.date().toPython() == clock[0]
        assert dialog.outcome_on.date().toPython() == evening  # no item yet: its outcome date is not in use
        assert f"now shows today, {clock[0]:%d/%m/%Y}" in dialog.message.text()
        assert dialog.unsaved() == []  # the new default is nothing typed: closing asks nothing
        dialog.log()  # the date on screen is today's: logged at the first press
        assert dialog.item_id is not None, dialog.message.text()
        assert _received(db, coordinator, dialog.item_id) == clock[0]
    finally:
        watch.stop()


def test_record_outcome_after_midnight_records_the_new_day_not_yesterday(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _clock()
    evening = clock[0]
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                            received_on=evening - dt.timedelta(days=2), writer="Gina Quillfield")
    service.screen_item(db, coordinator, item, "Thinking of you all. We went to the seaside in the summer.")
    asked: list[object] = []
    monkeypatch.setattr(item_dialog, "confirm_final", lambda *a, **_k: asked.append(a) or True)
    dialog = _window(qtbot, AppContext(db, coordinator, TaskRunner(synchronous=True), today=lambda: clock[0]),
                     arrangement, item)
    assert dialog.outcome_on.date().toPython() == evening
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("forwarded"))
    dialog.method.setText("post")
    clock[0] = evening + dt.timedelta(days=1)
    dialog.record_outcome()
    assert asked == [] and service.get_item(db, coordinator, item).status == "screened"
    assert dialog.outcome_on.date().toPython() == clock[0]
    assert "Date of outcome now shows today" in dialog.message.text()
    dialog.record_outcome()
    stored = service.get_item(db, coordinator, item)
    assert stored.status == "forwarded", dialog.message.text()
    assert stored.outcome_on == clock[0]
