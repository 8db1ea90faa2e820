"""New sitting… proposed "next Tuesday" whatever its papers deadline: opened on a Monday it offered the next
day, whose papers (due 5 working days before) were due the week before, and nothing said so; a date typed
with its deadline already past was not warned about either. The default is now the first Tuesday whose
papers are not yet overdue (``rules.default_sitting_date``), and the dialog's message line says when the
date shown leaves no time for the papers (``rules.papers_deadline_problem``)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.panel import rules
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import Panel

days = st.dates(dt.date(2026, 1, 1), dt.date(2032, 12, 31))


@settings(max_examples=300, deadline=None)
@given(today=days, working_days=st.integers(0, 15),
       closures=st.lists(st.dates(dt.date(2026, 1, 1), dt.date(2033, 3, 31)), max_size=8))
def test_the_default_date_is_the_first_tuesday_with_time_for_its_papers(
        today: dt.date, working_days: int, closures: list[dt.date]) -> None:
    cal = WorkingCalendar(closures)
    day = rules.default_sitting_date(today, working_days, cal)
    assert day > today and day.weekday() == 1 and cal.is_working_day(day)
    assert rules.papers_deadline(day, working_days, cal) >= today
    assert rules.papers_deadline_problem(day, today, working_days, cal) is None
    # no earlier Tuesday after today would do
    earlier = day - dt.timedelta(weeks=1)
    while earlier > today:
        assert not cal.is_working_day(earlier) or rules.papers_deadline(earlier, working_days, cal) < today
        earlier -= dt.timedelta(weeks=1)


@settings(max_examples=300, deadline=None)
@given(today=days, sitting=days, working_days=st.integers(0, 15))
def test_the_warning_is_given_exactly_when_the_papers_deadline_is_past(
        today: dt.date, sitting: dt.date, working_days: int) -> None:
    due = rules.papers_deadline(sitting, working_days)
    problem = rules.papers_deadline_problem(sitting, today, working_days)
    assert (problem is not None) == (due < today)
    if problem is not None:
        assert problem.startswith(f"Papers are due by {due:%A} {due.day} ")
        assert "which is already past" in problem
        assert ("the sitting itself is before today" in problem) == (sitting < today)


def _page(qtbot: QtBot, panel: Panel, today: dt.date) -> PanelPage:
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=today)
    qtbot.addWidget(page)
    page.resize(1400, 850)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_new_sitting_on_a_monday_proposes_a_date_with_time_for_papers_and_warns_of_one_without(
        qtbot: QtBot, panel: Panel) -> None:
    monday = dt.date(2026, 12, 7)
    page = _page(qtbot, panel, monday)
    page.new_sitting()
    dialog = page.dialog
    assert isinstance(dialog, dialogs.SittingDialog)
    qtbot.waitExposed(dialog)
    # not Tuesday 8/12 (papers due Tuesday 1/12): Tuesday 15/12, papers due Tuesday 8/12
    assert pydate(dialog.first_date.date()) == dt.date(2026, 12, 15)
    assert dialog.message.text() == ""
    dialog.first_date.setDate(QDate(2026, 12, 8))
    said = dialog.message.text()
    assert said.startswith("Papers are due by Tuesday 1 December 2026 (5 working days before the sitting), "
                           "which is already past: today is Monday 7 December 2026.")
    assert "Tuesday 15 December 2026" in said
    dialog.first_date.setDate(QDate(2026, 12, 22))
    assert dialog.message.text() == ""
    # a warning, not a refusal: the short-notice sitting can still be booked
    dialog.first_date.setDate(QDate(2026, 12, 8))
    dialog.venue.setText("Room 4, Civic Centre")
    dialog._ok()
    assert not dialog.isVisible()
    assert any(r.sitting_date == dt.date(2026, 12, 8) for r in page.sittings_model.rows())
