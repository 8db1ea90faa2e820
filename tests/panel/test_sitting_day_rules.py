"""Sitting days: which dates are not working days for a panel, said in a sentence (``rules.sitting_day_problem``)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core.workdays import WorkingCalendar, is_working_day
from adoption_desktop.panel import rules

D = dt.date
# the generated bank-holiday table's years (outside them the ``holidays`` package is asked, slowly)
DATES = st.dates(min_value=D(1970, 1, 1), max_value=D(2075, 12, 31))


def test_a_bank_holiday_names_the_holiday() -> None:
    assert rules.sitting_day_problem(D(2026, 12, 25)) == "Friday 25 December 2026 is a bank holiday (Christmas Day)"
    assert rules.sitting_day_problem(D(2026, 12, 28)) == ("Monday 28 December 2026 is a bank holiday "
                                                          "(Boxing Day (observed))")


def test_a_weekend_day_says_so() -> None:
    assert rules.sitting_day_problem(D(2027, 1, 30)) == "Saturday 30 January 2027 is a weekend day"
    assert rules.sitting_day_problem(D(2027, 1, 31)) == "Sunday 31 January 2027 is a weekend day"


def test_a_bank_holiday_on_a_weekend_says_both() -> None:
    assert rules.sitting_day_problem(D(2026, 12, 26)) == ("Saturday 26 December 2026 is a weekend day and a bank "
                                                          "holiday (Boxing Day)")


def test_a_working_day_has_no_problem() -> None:
    assert rules.sitting_day_problem(D(2026, 12, 22)) is None  # a Tuesday
    assert rules.sitting_day_problem(D(2026, 12, 24)) is None  # Christmas Eve is not a bank holiday


def test_an_agency_closure_day_gives_its_reason() -> None:
    closures = {D(2026, 12, 24): "Christmas Eve closure", D(2026, 12, 23): ""}
    assert rules.sitting_day_problem(D(2026, 12, 24), closures) == ("Thursday 24 December 2026 is an agency "
                                                                    "closure day (Christmas Eve closure)")
    assert rules.sitting_day_problem(D(2026, 12, 23), closures) == "Wednesday 23 December 2026 is an agency closure day"
    assert rules.sitting_day_problem(D(2026, 12, 22), closures) is None


def test_long_date_has_no_leading_zero() -> None:
    assert rules.long_date(D(2027, 3, 2)) == "Tuesday 2 March 2027"


@given(DATES)
def test_no_problem_exactly_on_a_working_day(day: dt.date) -> None:
    assert (rules.sitting_day_problem(day) is None) == is_working_day(day)


@given(DATES, st.dictionaries(DATES, st.text(max_size=20), max_size=5))
def test_no_problem_exactly_on_a_working_day_of_the_agency(day: dt.date, closures: dict[dt.date, str]) -> None:
    assert (rules.sitting_day_problem(day, closures) is None) == WorkingCalendar(closures).is_working_day(day)


def test_problems_of_a_series_are_in_date_order_each_once() -> None:
    days = rules.recurring_dates(D(2026, 12, 11), "fortnightly", 3)  # 11 Dec, Christmas Day, 8 Jan
    assert rules.sitting_days_problems(days) == ["Friday 25 December 2026 is a bank holiday (Christmas Day)"]
    twice = [D(2027, 1, 30), D(2026, 12, 25), D(2027, 1, 30), D(2026, 12, 22)]
    assert rules.sitting_days_problems(twice) == ["Friday 25 December 2026 is a bank holiday (Christmas Day)",
                                                  "Saturday 30 January 2027 is a weekend day"]


def test_the_question_lists_the_dates_and_asks() -> None:
    one = rules.sitting_days_question(["Friday 25 December 2026 is a bank holiday (Christmas Day)"], 1)
    assert one == ("This sitting is not on a working day:\n\n"
                   "\u2022 Friday 25 December 2026 is a bank holiday (Christmas Day).\n\nSchedule anyway?")
    series = rules.sitting_days_question(["a", "b"], 12)
    assert series.startswith("2 of the 12 sittings are not on working days:") and series.endswith("Schedule anyway?")
    assert rules.sitting_days_question(["a"], 3).startswith("1 of the 3 sittings is not on a working day:")
    assert rules.sitting_days_question(["a", "b"], 2).startswith("None of the 2 sittings is on a working day:")
    moving = rules.sitting_days_question(["Saturday 30 January 2027 is a weekend day"], 1, moving=True)
    assert moving.startswith("The new date is not a working day:") and moving.endswith("Move the sitting anyway?")


def test_a_long_list_is_cut_short() -> None:
    weekly_saturdays = rules.recurring_dates(D(2027, 1, 2), "weekly", 52)
    problems = rules.sitting_days_problems(weekly_saturdays)
    assert len(problems) == 52
    text = rules.sitting_days_question(problems, 52)
    assert text.startswith("None of the 52 sittings is on a working day:")
    assert text.count("\u2022") == rules.PROBLEMS_LISTED + 1
    assert f"and {52 - rules.PROBLEMS_LISTED} more." in text
