"""The Reports page set its period's dates ("Last 12 months": To is today) from the PC's date when it opened,
and never again: left open past midnight, the chosen period still ended the day before, and a report written
the next morning left out the new day. Now the page reads its context's clock, and when the date changes while
it is open (``ui.day_watch``) a period chosen from the list whose From and To were not typed since is set again
for the new today; From and To typed by hand (Custom) are kept. The context is given a clock, moved past
midnight (no waiting). A real SQLCipher database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports.periods import add_months
from adoption_desktop.reports.views import page as page_module
from adoption_desktop.reports.views.page import CUSTOM, ReportsPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate, qdate
from adoption_desktop.ui.day_watch import DayWatch
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user


def _page(qtbot: Any, db: Database, monkeypatch: pytest.MonkeyPatch, clock: list[dt.date]) -> ReportsPage:
    monkeypatch.setattr(page_module, "show_error", lambda _w, _t, exc: pytest.fail(str(exc)))
    page = ReportsPage(AppContext(db, make_user(db, "mgr", Role.MANAGER), TaskRunner(synchronous=True),
                                  today=lambda: clock[0]))
    qtbot.addWidget(page)
    return page


def _shown(page: ReportsPage) -> tuple[dt.date, dt.date]:
    return pydate(page.start.date()), pydate(page.end.date())


def test_last_12_months_follows_the_day_while_the_page_is_open(
        qtbot: Any, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    evening = dt.date.today() - dt.timedelta(days=10)  # computed when the test runs
    clock = [evening]
    page = _page(qtbot, db, monkeypatch, clock)
    page.preset.setCurrentIndex(1)  # Last 12 months: counted at once
    assert page.preset.currentText() == "Last 12 months"
    assert _shown(page) == (add_months(evening, -12) + dt.timedelta(days=1), evening)
    assert page.sections_period == _shown(page)
    watch = DayWatch(page.ctx)
    try:
        morning = clock[0] = evening + dt.timedelta(days=1)
        assert watch.check()
        assert page.preset.currentText() == "Last 12 months"
        assert _shown(page) == (add_months(morning, -12) + dt.timedelta(days=1), morning)
        assert "The figures below are for" in page.shown_label.text()  # counted for the day before, until Run
        page.run()
        assert page.sections_period == (add_months(morning, -12) + dt.timedelta(days=1), morning)
    finally:
        watch.stop()


def test_the_half_year_moves_on_when_the_night_ends_one(
        qtbot: Any, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    year = dt.date.today().year - 1
    clock = [dt.date(year, 9, 30)]
    page = _page(qtbot, db, monkeypatch, clock)
    assert page.preset.currentText() == "Last half year"
    assert _shown(page) == (dt.date(year - 1, 10, 1), dt.date(year, 3, 31))
    watch = DayWatch(page.ctx)
    try:
        clock[0] = dt.date(year, 10, 1)
        assert watch.check()
        assert _shown(page) == (dt.date(year, 4, 1), dt.date(year, 9, 30))
    finally:
        watch.stop()


def test_dates_typed_by_hand_are_kept_after_midnight(
        qtbot: Any, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    evening = dt.date.today() - dt.timedelta(days=10)
    clock = [evening]
    page = _page(qtbot, db, monkeypatch, clock)
    page.preset.setCurrentIndex(1)
    typed = evening - dt.timedelta(days=40)
    page.start.setDate(qdate(typed))
    assert page.preset.currentText() == CUSTOM
    watch = DayWatch(page.ctx)
    try:
        clock[0] = evening + dt.timedelta(days=1)
        assert watch.check()
        assert page.preset.currentText() == CUSTOM
        assert _shown(page) == (typed, evening)
    finally:
        watch.stop()
