"""The arrangement window left open past midnight kept *Pattern changes take effect from* at the evening's date,
and its "never later" limit at the evening's too: the new today could not be chosen, and a change of the
exchange pattern saved the next morning took effect from a day other than the one on screen. Now the untouched
date, and the limit, follow the new day (``ui.today_default``): the day watch moves them while the window is
open; Save that finds the date changed since, with the pattern changed, moves it, says so and saves nothing on
that press. The context is given a clock, moved past midnight; the service checks "not in the future" against
the window's clock, not the PC's date (computed in the test). A real SQLCipher database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox import undo as lb_undo
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate
from adoption_desktop.ui.day_watch import DayWatch
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.conftest import sample_input


def _window(qtbot: Any, db: Database, who: Principal, clock: list[dt.date]) -> tuple[ArrangementDialog, int]:
    aid = service.create_arrangement(db, who, sample_input("LB-MID", exchange_months="March",
                                                           start_date=rules.add_months(clock[0], -30)))
    page = LetterboxPage(AppContext(db, who, TaskRunner(synchronous=True), today=lambda: clock[0]))
    qtbot.addWidget(page)
    window = page.open_arrangement_dialog(aid, modal=False)
    assert isinstance(window, ArrangementDialog)
    qtbot.addWidget(window)
    return window, aid


def test_a_pattern_change_saved_after_midnight_takes_effect_from_the_day_shown(
        qtbot: Any, db: Database, coordinator: Principal) -> None:
    morning = dt.date.today()
    evening = morning - dt.timedelta(days=1)
    clock = [evening]
    window, aid = _window(qtbot, db, coordinator, clock)
    assert pydate(window.pattern_from.date()) == evening
    window.fields["exchange_months"].setText("March, September")
    clock[0] = morning  # past midnight; the window still open
    window.save()
    assert window.isVisible() and service.get_arrangement(db, coordinator, aid).pattern_changes == ()
    assert pydate(window.pattern_from.date()) == morning
    said = window.message.text()
    assert f"Pattern changes take effect from now shows today, {morning:%d/%m/%Y}, not {evening:%d/%m/%Y}" in said
    assert "Nothing was saved yet: press Save again" in said
    window.save()
    assert not window.isVisible(), window.message.text()
    assert service.get_arrangement(db, coordinator, aid).pattern_changes == (
        rules.PatternChange(morning, rules.Pattern((3,), rules.ADOPTIVE, True)),)


def test_the_day_watch_moves_the_untouched_day_and_its_limit(
        qtbot: Any, db: Database, coordinator: Principal) -> None:
    evening = dt.date.today() - dt.timedelta(days=11)
    clock = [evening]
    window, _aid = _window(qtbot, db, coordinator, clock)
    watch = DayWatch(window.ctx)
    try:
        clock[0] = evening + dt.timedelta(days=1)
        assert watch.check()
        assert pydate(window.pattern_from.date()) == clock[0]
        assert pydate(window.pattern_from.maximumDate()) == clock[0]  # the new today can be chosen
        assert not window.changed()  # the new default is nothing typed: closing asks nothing
    finally:
        watch.stop()


def test_an_edit_other_than_the_pattern_saves_at_once_after_midnight(
        qtbot: Any, db: Database, coordinator: Principal) -> None:
    evening = dt.date.today() - dt.timedelta(days=11)
    clock = [evening]
    window, aid = _window(qtbot, db, coordinator, clock)
    window.notes.setPlainText("Birth mother asked for letters in large print.")
    clock[0] = evening + dt.timedelta(days=1)
    window.save()
    assert not window.isVisible(), window.message.text()
    assert service.get_arrangement(db, coordinator, aid).data.notes == "Birth mother asked for letters in large print."


def test_the_untouched_day_saved_is_the_windows_today_not_the_pcs(
        qtbot: Any, db: Database, coordinator: Principal) -> None:
    """The window's Save left the day to the service when it showed today, and the service took the PC's date:
    a window whose clock said another day (the day watch's, a page's given day) saved the change from a day
    not on screen."""
    shown = dt.date.today() - dt.timedelta(days=11)
    clock = [shown]
    window, aid = _window(qtbot, db, coordinator, clock)
    assert pydate(window.pattern_from.date()) == shown
    window.fields["exchange_months"].setText("March, September")
    window.save()
    assert not window.isVisible(), window.message.text()
    assert service.get_arrangement(db, coordinator, aid).pattern_changes == (
        rules.PatternChange(shown, rules.Pattern((3,), rules.ADOPTIVE, True)),)


def test_not_in_the_future_is_checked_against_the_callers_today(db: Database, coordinator: Principal) -> None:
    """The service's check took the PC's date whatever the caller's today; the command line keeps it."""
    today = dt.date.today() - dt.timedelta(days=11)
    aid = service.create_arrangement(db, coordinator, sample_input("LB-MID2", exchange_months="March",
                                                                   start_date=rules.add_months(today, -30)))
    data = service.get_arrangement(db, coordinator, aid).data
    changed = dataclasses.replace(data, exchange_months="March, September")
    ahead = today + dt.timedelta(days=1)  # after the caller's today, before the PC's
    with pytest.raises(ValidationError, match="is in the future"):
        lb_undo.update_arrangement(db, coordinator, aid, changed, pattern_from=ahead, today=today)
    assert service.get_arrangement(db, coordinator, aid).pattern_changes == ()
    lb_undo.update_arrangement(db, coordinator, aid, changed, pattern_from=ahead)  # the PC's date: not ahead
    assert [c.effective_from for c in service.get_arrangement(db, coordinator, aid).pattern_changes] == [ahead]
