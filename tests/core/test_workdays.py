import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_desktop.core.workdays import (
    WorkingCalendar,
    add_working_days,
    is_working_day,
    period_end,
    working_days_between,
)

D = dt.date
dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


def test_weekend_and_bank_holidays_are_not_working_days() -> None:
    assert not is_working_day(D(2026, 11, 21))  # Saturday
    assert not is_working_day(D(2025, 12, 25))  # Christmas
    assert not is_working_day(D(2025, 4, 18))  # Good Friday
    assert not is_working_day(D(2025, 4, 21))  # Easter Monday
    assert is_working_day(D(2026, 11, 23))


def test_one_off_and_substitute_days() -> None:
    for day in (D(2022, 6, 3), D(2022, 9, 19), D(2023, 5, 8)):  # jubilee, state funeral, coronation
        assert not is_working_day(day)
    # Christmas 2022 fell on a Sunday: Tuesday 27 December was the substitute day
    assert not is_working_day(D(2022, 12, 27))
    assert not is_working_day(D(2021, 12, 28))


def test_add_working_days_across_christmas() -> None:
    # Friday 22 Dec 2023 + 1 WD skips the weekend, Christmas and Boxing Day
    assert add_working_days(D(2023, 12, 22), 1) == D(2023, 12, 27)
    # 7 WD from Monday 18 Dec 2023
    assert add_working_days(D(2023, 12, 18), 7) == D(2023, 12, 29)


def test_add_working_days_across_easter() -> None:
    # Thursday 17 April 2025 + 1 WD skips Good Friday, the weekend and Easter Monday
    assert add_working_days(D(2025, 4, 17), 1) == D(2025, 4, 22)


def test_negative_and_zero() -> None:
    assert add_working_days(D(2026, 11, 23), 0) == D(2026, 11, 23)
    assert add_working_days(D(2026, 11, 23), -1) == D(2026, 11, 20)


def test_period_end_counts_start_as_day_one() -> None:
    # notice sent Monday 2 Nov 2026: a 40 WD period beginning that day
    assert period_end(D(2026, 11, 2), 1) == D(2026, 11, 2)
    assert period_end(D(2026, 11, 2), 5) == D(2026, 11, 6)
    # starting on a Saturday: day 1 is the Monday
    assert period_end(D(2026, 11, 21), 1) == D(2026, 11, 23)


def test_closure_days_count_as_non_working() -> None:
    cal = WorkingCalendar([D(2026, 11, 24)])
    assert cal.add_working_days(D(2026, 11, 23), 1) == D(2026, 11, 25)
    assert cal.working_days_between(D(2026, 11, 23), D(2026, 11, 25)) == 1


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(min_value=-80, max_value=80))
def test_between_inverts_add(start: dt.date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert end == start or is_working_day(end)


@settings(max_examples=200, deadline=None)
@given(dates, st.integers(min_value=1, max_value=80))
def test_period_end_is_a_working_day_with_n_working_days(start: dt.date, n: int) -> None:
    end = period_end(start, n)
    assert is_working_day(end)
    day_before = start - dt.timedelta(days=1)
    assert working_days_between(day_before, end) == n


@settings(max_examples=100, deadline=None)
@given(dates, dates)
def test_between_has_the_sign_of_the_direction(a: dt.date, b: dt.date) -> None:
    n = working_days_between(a, b)
    assert (n >= 0) if b >= a else (n <= 0)
    assert abs(n) <= abs((b - a).days) + 1


def test_backwards_from_a_weekend() -> None:
    saturday = D(2026, 11, 21)
    assert add_working_days(saturday, -1) == D(2026, 11, 20)
    assert working_days_between(saturday, D(2026, 11, 20)) == -1
    assert working_days_between(saturday, add_working_days(saturday, -3)) == -3


@settings(max_examples=100, deadline=None)
@given(dates, st.integers(min_value=-60, max_value=60))
def test_add_is_monotonic(start: dt.date, n: int) -> None:
    assert add_working_days(start, n) <= add_working_days(start, n + 1)


def test_bank_holiday_table_equals_the_holidays_package() -> None:
    """The shipped table (installer/make_bank_holidays.py) is what the pinned package says, every year."""
    import holidays

    from adoption_desktop.core import bank_holidays_table
    from adoption_desktop.core.workdays import _holiday_names

    for year in range(bank_holidays_table.FIRST_YEAR, bank_holidays_table.LAST_YEAR + 1):
        expected = {d: str(n) for d, n in holidays.country_holidays("GB", subdiv="ENG", years=year).items()}
        assert _holiday_names(year) == expected, year
    outside = bank_holidays_table.LAST_YEAR + 1
    assert _holiday_names(outside) == {
        d: str(n) for d, n in holidays.country_holidays("GB", subdiv="ENG", years=outside).items()}
