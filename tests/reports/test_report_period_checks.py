"""Report periods a trial could set but no report should have: a period in the future counted booked
appointments as adults supported, and Write report → Annual on 01/11/2026–02/12/2026 wrote an "Annual
report" of 32 days. Figures now count up to today, and a report's kind must fit its dates."""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QDate

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports.periods import Period, add_months, kind_problem, period_problem
from adoption_desktop.reports.views import page as page_module
from adoption_desktop.reports.views.page import ReportsPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

D = dt.date


def test_the_kinds_fit_six_months_and_a_year_to_the_day() -> None:
    assert kind_problem("six-monthly", Period(D(2026, 4, 1), D(2026, 9, 30))) == ""
    assert kind_problem("annual", Period(D(2025, 4, 1), D(2026, 3, 31))) == ""
    assert kind_problem("annual", Period(D(2025, 12, 3), D(2026, 12, 2))) == ""  # twelve months to the day
    assert kind_problem("annual", Period(D(2026, 11, 1), D(2026, 12, 2))) == (
        "Annual report: it covers 12 months, and 01/11/2026–02/12/2026 is 32 days. "
        "Set To to 31/10/2027 (Nov 2026–Oct 2027).")
    assert "Choose the six-monthly report, which fits these dates" in kind_problem(
        "annual", Period(D(2026, 4, 1), D(2026, 9, 30)))


@settings(deadline=None)  # checks of dates, untimed: a loaded machine made an example slow (below)
@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)), st.sampled_from([("six-monthly", 6),
                                                                                       ("annual", 12)]))
@example(D(2026, 8, 31), ("six-monthly", 6))  # to 27/02/2027: February clips the day
@example(D(2028, 2, 29), ("annual", 12))  # 29 February to 27 February
def test_a_kind_fits_its_months_to_the_day_and_nothing_else(start: dt.date, kind: tuple[str, int]) -> None:
    name, months = kind
    end = add_months(start, months) - dt.timedelta(days=1)
    assert kind_problem(name, Period(start, end)) == ""
    assert kind_problem(name, Period(start, end + dt.timedelta(days=1))) != ""
    assert kind_problem(name, Period(start, end - dt.timedelta(days=1))) != ""
    assert kind_problem(name, Period(start, end + dt.timedelta(days=5))) != ""


def test_the_kind_check_is_not_timed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test above failed now and then in the whole suite, on a loaded machine: its checks are right for
    every start from 2000 to 2090 (each tried), but Hypothesis's default deadline failed an example that took
    over 200 ms when the process waited for a core (then "Unreliable test timings", as it ran fast when tried
    again): a time asserted. Here one example is made that slow, every time."""
    calls: list[int] = []
    checked = kind_problem

    def slow_once(*args: Any, **kwargs: Any) -> str:
        if not calls:
            time.sleep(0.3)  # as a process kept off both cores by the other workers
        calls.append(1)
        return checked(*args, **kwargs)

    monkeypatch.setattr(sys.modules[__name__], "kind_problem", slow_once)
    test_a_kind_fits_its_months_to_the_day_and_nothing_else()
    assert len(calls) > 4  # it ran past the slow example


def test_month_end_to_month_end_is_a_day_too_long() -> None:
    """31 March–30 September is six months and a day: a report of it and the next one (30 September–31 March)
    would both count 30 September; 30 April 2026–30 April 2027 holds 30 April twice (second review)."""
    assert kind_problem("six-monthly", Period(D(2026, 3, 31), D(2026, 9, 30))) != ""
    assert kind_problem("annual", Period(D(2026, 4, 30), D(2027, 4, 30))) != ""
    assert kind_problem("annual", Period(D(2028, 2, 29), D(2029, 2, 27))) == ""  # to the day, from 29 February


def test_the_command_line_refuses_a_period_ending_after_today(tmp_path: Any, capsys: Any) -> None:
    from adoption_desktop.cli import main

    ahead = dt.date.today() + dt.timedelta(days=30)
    start = add_months(ahead + dt.timedelta(days=1), -6)
    code = main(["export", "report", "--db", str(tmp_path / "none.db"), "--user", "manager", "--kind",
                 "six-monthly", "--period", f"{start:%Y-%m-%d}..{ahead:%Y-%m-%d}", "--out", str(tmp_path / "r.docx")])
    assert code != 0
    assert "The period ends after today" in capsys.readouterr().err
    assert not (tmp_path / "r.docx").exists()


def test_a_period_after_today_or_upside_down_is_not_counted() -> None:
    today = D(2026, 12, 2)
    assert period_problem(Period(D(2026, 12, 3), D(2026, 12, 31)), today).startswith("From (03/12/2026) is after")
    assert period_problem(Period(D(2026, 9, 30), D(2026, 4, 1)), today).startswith("To (01/04/2026) is before")
    assert period_problem(Period(D(2026, 4, 1), D(2027, 3, 31)), today) == ""  # ends ahead: counted to today


@pytest.fixture
def reports(qtbot: Any, db: Database, monkeypatch: pytest.MonkeyPatch) -> tuple[ReportsPage, list[str]]:
    errors: list[str] = []
    monkeypatch.setattr(page_module, "show_error", lambda _w, _t, exc: errors.append(str(exc)))
    page = ReportsPage(AppContext(db, make_user(db, "mgr", Role.MANAGER), TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    return page, errors


def test_figures_are_counted_up_to_today_when_to_is_after_it(reports: tuple[ReportsPage, list[str]]) -> None:
    page, errors = reports
    today = dt.date.today()
    start, ahead = add_months(today, -2), today + dt.timedelta(days=40)
    page.start.setDate(QDate(start.year, start.month, start.day))
    page.end.setDate(QDate(ahead.year, ahead.month, ahead.day))
    page.run()
    assert errors == []
    assert page.end.date() == QDate(today.year, today.month, today.day)
    assert page.sections_period == (start, today)
    tomorrow = today + dt.timedelta(days=1)
    page.start.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    page.end.setDate(QDate(ahead.year, ahead.month, ahead.day))
    page.run()
    assert errors and "is after today: nothing has happened in that period yet" in errors[-1]


def test_an_annual_report_of_a_month_is_refused_before_a_file_is_asked_for(
        reports: tuple[ReportsPage, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    page, errors = reports
    asked: list[str] = []
    monkeypatch.setattr(page_module, "save_file_name", lambda *a: asked.append("file") or "")
    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getItem", lambda *a: ("Annual", True))
    page.start.setDate(QDate(2026, 4, 1))
    page.end.setDate(QDate(2026, 5, 2))
    page.write_report()
    assert asked == [] and errors and errors[-1].startswith("Annual report: it covers 12 months")
    page.start.setDate(QDate(2025, 4, 1))  # a financial year, wholly past
    page.end.setDate(QDate(2026, 3, 31))
    page.write_report()
    assert asked == ["file"]
