"""``core.months.add_months``: the one calendar-month step every area's rules use."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core.months import add_months
from adoption_desktop.journey import rules as journey_rules
from adoption_desktop.letterbox import rules as letterbox_rules
from adoption_desktop.panel import rules as panel_rules
from adoption_desktop.reports import periods

DAYS = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))
STEPS = st.integers(min_value=-600, max_value=600)


def test_month_ends_are_clipped() -> None:
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2028, 1, 31), 1) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2027, 3, 31), -1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)
    assert add_months(dt.date(2027, 1, 15), -1) == dt.date(2026, 12, 15)


@given(DAYS, STEPS)
def test_whole_months_later_on_the_same_day_or_the_months_last(day: dt.date, months: int) -> None:
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    next_day = later + dt.timedelta(days=1)
    assert later.day == day.day or (later.day < day.day and next_day.day == 1)


@given(DAYS.filter(lambda d: d.day <= 28), STEPS)
def test_there_and_back(day: dt.date, months: int) -> None:
    assert add_months(add_months(day, months), -months) == day


def test_every_area_uses_the_one_function() -> None:
    assert journey_rules.add_months is letterbox_rules.add_months is periods.add_months is add_months
    assert panel_rules.add_months is add_months
