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


@given(st.lists(st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2026, 12, 31)),
                min_size=len(ORDER), max_size=len(ORDER)))  # within 17 years: the ages are another test's
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


def test_no_date_before_birth_and_no_placement_at_18_or_order_at_19() -> None:
    """User trial: a child aged 30 at the adoption order, or placed with foster carers before being born, was
    accepted."""
    born = dt.date(1996, 5, 4)
    [(field, msg)] = rules.journey_problems({"date_of_birth": born, "adoption_order_on": dt.date(2026, 3, 2)})
    assert field == "adoption_order_on"
    assert msg.startswith("Adoption order: 02/03/2026 is on or after the child's 19th birthday (04/05/2015)")
    assert "cannot be made for a person aged 19 or over" in msg
    [(field, msg)] = rules.journey_problems({"date_of_birth": born, "placed_on": dt.date(2014, 5, 4)})
    assert field == "placed_on" and "18th birthday (04/05/2014)" in msg
    assert rules.journey_problems({"date_of_birth": born, "placed_on": dt.date(2014, 5, 3),
                                   "adoption_order_on": dt.date(2015, 5, 3)}) == []  # applied for before 18
    for field, kind in (("early_permanence_placed_on", {"early_permanence": "ffa"}),
                        ("foster_carer_placed_on", {"foster_carer_adoption": True})):
        [(f, msg)] = rules.journey_problems({"date_of_birth": dt.date(2025, 6, 1), field: dt.date(2025, 5, 1)},
                                            **kind)  # type: ignore[arg-type]
        assert f == field and msg == (f"{rules.LABELS[field]}: 01/05/2025 is before the child's date of birth "
                                      "(01/06/2025). Check both dates.")


def test_a_29_february_birthday_is_1_march_in_a_common_year() -> None:
    assert rules.birthday(dt.date(2008, 2, 29), 18) == dt.date(2026, 3, 1)
    assert rules.birthday(dt.date(2008, 2, 29), 16) == dt.date(2024, 2, 29)
