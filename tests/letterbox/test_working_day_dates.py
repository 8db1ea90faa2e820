"""Reminders, chases and the "send by" date of a reminder letter fall on working days (tester's finding: the
work list planned reminders for Sundays, and January's reminders asked for letters "by 1 January 2027", New
Year's Day). A reminder is moved earlier (never later than planned), a chase and a send-by date later (never
before they were due), with the agency's calendar: weekends, England and Wales bank holidays and its own
closure days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.documents import write_batch
from tests.letterbox.conftest import sample_input

CLOSED = WorkingCalendar([dt.date(2026, 12, 29), dt.date(2026, 12, 30), dt.date(2026, 12, 31)])


@given(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)).map(lambda d: d.replace(day=1)),
       st.integers(0, 60), st.integers(0, 60))
def test_reminders_move_earlier_and_chases_later_onto_working_days(due: dt.date, before: int, after: int) -> None:
    remind = rules.reminder_date(due, before, CLOSED)
    chase = rules.chaser_date(due, after, CLOSED)
    plain_remind, plain_chase = rules.reminder_date(due, before), rules.chaser_date(due, after)
    assert CLOSED.is_working_day(remind) and CLOSED.is_working_day(chase)
    # Christmas to New Year with the agency closed between: at most nine days back or on
    assert plain_remind - dt.timedelta(days=10) < remind <= plain_remind
    assert plain_chase <= chase < plain_chase + dt.timedelta(days=10)
    if CLOSED.is_working_day(plain_remind):
        assert remind == plain_remind
    if CLOSED.is_working_day(plain_chase):
        assert chase == plain_chase


def test_the_work_list_plans_no_reminder_for_a_weekend(db: Database, coordinator: Principal) -> None:
    service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord", exchange_months="December",
                                                             start_date=dt.date(2024, 1, 10)))
    rows = service.work_list(db, coordinator, dt.date(2024, 11, 20))
    december = next(w for w in rows if w.due == dt.date(2024, 12, 1))
    assert december.reminder_on == dt.date(2024, 11, 15)  # 17 November 2024 was a Sunday
    assert december.chase_on == dt.date(2024, 12, 23)  # 22 December 2024 was a Sunday


def test_januarys_reminder_asks_for_letters_by_a_working_day(db: Database, coordinator: Principal,
                                                             tmp_path: Path) -> None:
    service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord", exchange_months="January"))
    out = tmp_path / "january.pdf"
    write_batch(db, coordinator, "reminder", out, months=["2027-01"], today=dt.date(2026, 12, 10))
    text = " ".join((p.extract_text() or "") for p in PdfReader(str(out)).pages).replace("\n", " ")
    assert "by 4 January 2027" in text, text  # Friday 1 January 2027 is New Year's Day
    assert "by 1 January 2027" not in text
