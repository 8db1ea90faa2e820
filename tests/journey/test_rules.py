"""Pure rules of the child's journey: date order (with hypothesis) and calendar months."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.journey import rules

ORDER = [f for f, _l in rules.JOURNEY_ORDER]
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))


@given(st.lists(st.integers(0, 400), min_size=len(ORDER), max_size=len(ORDER)), days,
       st.sets(st.sampled_from(ORDER)))
def test_dates_in_order_have_no_problem(gaps: list[int], first: dt.date, missing: set[str]) -> None:
    day, dates = first, {}
    for field, gap in zip(ORDER, gaps, strict=True):
        day += dt.timedelta(days=gap)
        dates[field] = None if field in missing else day
    assert rules.journey_problems(dates) == []


@given(st.lists(days, min_size=len(ORDER), max_size=len(ORDER)))
def test_any_pair_out_of_order_is_reported_on_the_later_field(values: list[dt.date]) -> None:
    dates: dict[str, dt.date | None] = dict(zip(ORDER, values, strict=True))
    problems = rules.journey_problems(dates)
    out_of_order = any(values[j] < values[i] for i in range(len(values)) for j in range(i + 1, len(values)))
    assert bool(problems) == out_of_order
    for field, message in problems:
        assert message.startswith(rules.LABELS[field] + ":")
        assert "/" in message  # names the dates as DD/MM/YYYY


def test_message_names_both_dates_and_the_fix() -> None:
    problems = rules.journey_problems({"plan_decided_on": dt.date(2025, 3, 5),
                                       "placement_order_on": dt.date(2025, 2, 3)})
    assert problems == [("placement_order_on", "Placement order: 03/02/2025 is before decision that adoption "
                                               "is the plan (05/03/2025); placement order cannot come first. "
                                               "Check both dates.")]


def test_early_permanence_and_disruption_rules() -> None:
    care, placed = dt.date(2025, 1, 10), dt.date(2025, 9, 1)
    base = {"entered_care_on": care, "placed_on": placed}
    assert rules.journey_problems({**base, "early_permanence_placed_on": dt.date(2025, 1, 12)},
                                  early_permanence="ffa") == []
    [(field, msg)] = rules.journey_problems({**base, "early_permanence_placed_on": dt.date(2025, 1, 12)})
    assert field == "early_permanence_placed_on" and "kind of placement" in msg
    [(field, msg)] = rules.journey_problems({**base, "early_permanence_placed_on": dt.date(2025, 1, 1)},
                                            early_permanence="concurrent")
    assert "before the child entered care" in msg
    [(field, msg)] = rules.journey_problems({"disrupted_on": dt.date(2025, 10, 1)})
    assert field == "disrupted_on" and "moved in" in msg
    assert rules.journey_problems({**base, "disrupted_on": dt.date(2025, 10, 1)}) == []
    [(field, msg)] = rules.journey_problems({**base, "disrupted_on": dt.date(2025, 8, 1)})
    assert "before the child moved in" in msg
    [(field, _m)] = rules.journey_problems({**base, "disrupted_on": dt.date(2025, 12, 1),
                                            "adoption_order_on": dt.date(2025, 11, 1)})
    assert field == "disrupted_on"


@given(days, st.integers(0, 36))
def test_add_months_is_calendar_months(day: dt.date, months: int) -> None:
    got = rules.add_months(day, months)
    assert (got.year * 12 + got.month) - (day.year * 12 + day.month) == months
    assert got.day <= day.day
    assert rules.within_months(day, got, months)
    assert not rules.within_months(day, got + dt.timedelta(days=1), months) or got.day < day.day


def test_month_bands_edges() -> None:
    po = dt.date(2025, 1, 31)
    assert rules.month_band(po, dt.date(2025, 5, 31)) == "0-4"
    assert rules.month_band(po, dt.date(2025, 6, 1)) == "4-8"
    assert rules.month_band(po, dt.date(2025, 9, 30)) == "4-8"
    assert rules.month_band(po, dt.date(2025, 10, 1)) == "8-12"
    assert rules.month_band(po, dt.date(2026, 1, 31)) == "8-12"
    assert rules.month_band(po, dt.date(2026, 2, 1)) == "12+"
