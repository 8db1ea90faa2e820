"""Derived flags at their boundary dates, ages (29 February), waiting-list order, chase dates."""

from __future__ import annotations

import datetime as dt
import itertools

import hypothesis.strategies as st
from hypothesis import given

from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.counselling import rules

D = dt.date


def test_counselling_required_boundary() -> None:
    assert rules.counselling_required(D(1975, 11, 11)) is True
    assert rules.counselling_required(D(1975, 11, 12)) is False
    assert rules.flags_for(D(1975, 11, 11)).counselling_required
    assert not rules.flags_for(D(1975, 11, 12)).counselling_required


def test_pre_commencement_boundary() -> None:
    assert rules.pre_commencement(D(2005, 12, 29)) is True
    assert rules.pre_commencement(D(2005, 12, 30)) is False
    assert rules.flags_for(D(2005, 12, 29)).short == "Pre-2005"
    assert rules.flags_for(D(2005, 12, 30)).short == "Post-2005"
    assert rules.flags_for(D(1975, 11, 11)).short == "Pre-1975, Pre-2005"


def test_eighteenth_birthday() -> None:
    born = D(2008, 6, 15)
    assert rules.under_age_message(born, D(2026, 6, 14)) is not None
    assert "18th birthday (15/06/2026)" in (rules.under_age_message(born, D(2026, 6, 14)) or "")
    assert rules.under_age_message(born, D(2026, 6, 15)) is None


def test_29_february_birthday_becomes_adult_on_1_march_in_a_common_year() -> None:
    born = D(2008, 2, 29)  # 18th birthday in 2026, a common year
    assert rules.adult_from(born) == D(2026, 3, 1)
    assert rules.under_age_message(born, D(2026, 2, 28)) is not None
    assert rules.under_age_message(born, D(2026, 3, 1)) is None
    # 18 is not a multiple of 4, so a leap-day baby's 18th birthday always falls in a common year
    assert rules.adult_from(D(1996, 2, 29)) == D(2014, 3, 1)
    assert rules.age_on(D(1996, 2, 29), D(2014, 2, 28)) == 17
    assert rules.age_on(D(1996, 2, 29), D(2014, 3, 1)) == 18
    # in a leap year the birthday itself is kept
    assert rules.age_on(D(1996, 2, 29), D(2016, 2, 28)) == 19
    assert rules.age_on(D(1996, 2, 29), D(2016, 2, 29)) == 20
    assert rules.adult_from(D(2002, 2, 28)) == D(2020, 2, 28)


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2080, 12, 31)),
       st.integers(min_value=0, max_value=40000))
def test_age_is_monotonic_and_turns_18_exactly_on_adult_from(born: dt.date, days: int) -> None:
    day = born + dt.timedelta(days=days)
    if day.year > 9000:
        return
    nxt = day + dt.timedelta(days=1)
    assert 0 <= rules.age_on(born, day) <= rules.age_on(born, nxt) <= rules.age_on(born, day) + 1
    adult = rules.adult_from(born)
    assert rules.age_on(born, adult) == 18
    assert rules.age_on(born, adult - dt.timedelta(days=1)) == 17
    assert (rules.under_age_message(born, day) is None) == (day >= adult)


@given(st.dates(min_value=D(1920, 1, 1), max_value=D(2030, 12, 31)))
def test_flags_match_the_statutory_dates(order: dt.date) -> None:
    flags = rules.flags_for(order)
    assert flags.counselling_required == (order < D(1975, 11, 12))
    assert flags.pre_commencement == (order < D(2005, 12, 30))
    assert not (flags.counselling_required and not flags.pre_commencement)


TODAY = D(2026, 11, 23)


def _item(case_id: int, referred: dt.date, adopted: dt.date, born: dt.date) -> rules.PriorityInput:
    return rules.PriorityInput(case_id, referred, adopted, born)


def test_waiting_list_order_and_reasons() -> None:
    items = [
        _item(1, D(2025, 1, 10), D(1990, 5, 1), D(1989, 1, 1)),   # plain, referred earliest
        _item(2, D(2026, 3, 1), D(1965, 5, 1), D(1964, 1, 1)),    # pre-1975 only (aged 62)
        _item(3, D(2026, 6, 1), D(1952, 5, 1), D(1950, 1, 1)),    # pre-1975 and aged 76
        _item(4, D(2025, 12, 1), D(1976, 5, 1), D(1949, 6, 1)),   # aged 77 only (late adoption)
        _item(5, D(2025, 6, 1), D(1999, 5, 1), D(1998, 1, 1)),    # plain
    ]
    ordered = rules.order_waiting_list(items, TODAY, older_age=75)
    assert [p.case_id for p in ordered] == [3, 4, 2, 1, 5]
    assert [p.rank for p in ordered] == [1, 2, 3, 4, 5]
    first = ordered[0]
    assert first.brought_forward == 2
    assert "adopted before 12/11/1975" in first.text and "aged 76 (75 or over)" in first.text
    assert ordered[3].reasons == ("Referred 10/01/2025 (waiting 682 days)",)
    # the list column says why in a few words (the referral date has its own column)
    assert [p.short for p in ordered] == ["adopted pre-1975; aged 76", "aged 77", "adopted pre-1975",
                                          "in referral order", "in referral order"]
    # the age is a setting: at 80 case 4 is no longer brought forward
    assert [p.case_id for p in rules.order_waiting_list(items, TODAY, older_age=80)] == [2, 3, 1, 5, 4]


@given(st.lists(st.tuples(st.dates(D(2010, 1, 1), D(2026, 11, 23)), st.dates(D(1930, 1, 1), D(2007, 1, 1)),
                          st.integers(18, 95)), min_size=0, max_size=30),
       st.integers(60, 90))
def test_waiting_list_order_properties(raw: list[tuple[dt.date, dt.date, int]], older: int) -> None:
    items = [_item(i, ref, adopted, D(TODAY.year - age - 1, 6, 1)) for i, (ref, adopted, age) in enumerate(raw)]
    ordered = rules.order_waiting_list(items, TODAY, older)
    assert sorted(p.case_id for p in ordered) == list(range(len(items)))
    by_id = {it.case_id: it for it in items}
    for a, b in itertools.pairwise(ordered):
        assert a.brought_forward >= b.brought_forward
        if a.brought_forward == b.brought_forward:
            assert by_id[a.case_id].referral_date <= by_id[b.case_id].referral_date


def test_chase_date_skips_christmas_and_new_year_bank_holidays() -> None:
    cal = WorkingCalendar()
    # Friday 19 Dec 2025 + 20 working days, skipping 25, 26 Dec and 1 Jan: Wednesday 21 Jan 2026
    assert rules.chase_due(D(2025, 12, 19), cal, 20) == D(2026, 1, 21)
    # Easter 2026 (Good Friday 3 April, Easter Monday 6 April)
    assert rules.chase_due(D(2026, 3, 20), cal, 20) == D(2026, 4, 21)
    # an agency closure day counts as a non-working day too
    assert rules.chase_due(D(2026, 3, 20), WorkingCalendar([D(2026, 4, 7)]), 20) == D(2026, 4, 22)


def test_request_overdue() -> None:
    assert rules.request_overdue(D(2026, 1, 21), None, D(2026, 1, 22))
    assert not rules.request_overdue(D(2026, 1, 21), None, D(2026, 1, 21))
    assert not rules.request_overdue(D(2026, 1, 21), D(2026, 1, 10), D(2026, 2, 1))


# --- adoption order date not known ----------------------------------------------------------------

ANSWERS = st.sampled_from([None, True, False])


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2030, 12, 31)), ANSWERS)
def test_a_known_date_decides_whatever_the_before_1975_answer(order: dt.date, answer: bool | None) -> None:
    # the answer is only for a date not known: with a date the old rule stands, unchanged
    assert rules.counselling_required(order, answer) is (order < D(1975, 11, 12))
    assert rules.counselling_required(order, answer) is rules.counselling_required(order)
    flags = rules.flags_for(order, answer)
    assert flags == rules.flags_for(order)
    assert flags.order_date_known and flags.pre_commencement is (order < D(2005, 12, 30))


@given(ANSWERS)
def test_date_not_known_counts_as_before_1975_unless_known_to_be_later(answer: bool | None) -> None:
    # releasing records without the statutory interview would be unlawful: not known is the safe side
    assert rules.counselling_required(None, answer) is (answer is not False)
    flags = rules.flags_for(None, answer)
    assert flags.counselling_required is (answer is not False)
    assert not flags.order_date_known
    assert flags.pre_commencement is (True if answer else None)


def test_date_not_known_flags_say_so() -> None:
    assert rules.flags_for(None).short == "Order date not known"
    assert rules.flags_for(None, True).short == "Pre-1975 (no date)"
    assert rules.flags_for(None, False).short == "Post-1975 (no date)"
    assert rules.flags_for(None).labels[0] == ("Counselling required before release (adoption order date not "
                                               "known: treated as before 12/11/1975)")
    assert "as far as is known" in rules.flags_for(None, True).labels[0]
    assert not any("required" in f for f in rules.flags_for(None, False).labels)
    assert all("not known" in f for f in rules.flags_for(None).labels)


@given(st.lists(st.tuples(st.dates(D(2010, 1, 1), D(2026, 11, 23)),
                          st.one_of(st.none(), st.dates(D(1930, 1, 1), D(2007, 1, 1))), ANSWERS),
                min_size=0, max_size=30))
def test_date_not_known_is_brought_forward_like_pre_1975(raw: list[tuple[dt.date, dt.date | None, bool | None]]
                                                         ) -> None:
    items = [rules.PriorityInput(i, ref, order, D(1980, 6, 1), answer) for i, (ref, order, answer) in enumerate(raw)]
    ordered = rules.order_waiting_list(items, TODAY, 90)  # no one is 90: only the adoption brings forward
    by_id = {it.case_id: it for it in items}
    for p in ordered:
        it = by_id[p.case_id]
        assert p.brought_forward == int(rules.counselling_required(it.adoption_order, it.adopted_before_1975))
    for a, b in itertools.pairwise(ordered):
        assert a.brought_forward >= b.brought_forward
        if a.brought_forward == b.brought_forward:
            assert by_id[a.case_id].referral_date <= by_id[b.case_id].referral_date


def test_date_not_known_reasons() -> None:
    items = [_item(1, D(2025, 1, 10), D(1990, 5, 1), D(1989, 1, 1)),          # later adoption, referred first
             rules.PriorityInput(2, D(2026, 6, 1), None, D(1980, 1, 1)),       # not known at all
             rules.PriorityInput(3, D(2026, 5, 1), None, D(1966, 1, 1), True),  # a 1968 baby, as they know
             rules.PriorityInput(4, D(2024, 5, 1), None, D(1985, 1, 1), False)]  # known to be later
    ordered = rules.order_waiting_list(items, TODAY, older_age=75)
    assert [p.case_id for p in ordered] == [3, 2, 4, 1]
    assert ordered[1].reasons[0] == ("Brought forward: adoption order date not known, treated as before "
                                     "12/11/1975")
    assert ordered[1].short == "order date unknown"
    assert ordered[0].reasons[0] == ("Brought forward: adopted before 12/11/1975 as far as is known "
                                     "(adoption order date not known)")
    assert ordered[0].short == "adopted pre-1975"  # the Adopted column beside it says "Not known"
    assert ordered[2].brought_forward == 0 and ordered[2].short == "in referral order"


@given(born=st.dates(dt.date(1900, 1, 1), dt.date(2008, 12, 31)), answer=st.sampled_from([True, False, None]))
def test_the_date_of_birth_decides_what_it_can_about_an_adoption_before_12_november_1975(
        born: dt.date, answer: bool | None) -> None:
    """Born on or after 12/11/1975: adopted after it. 18 by then (born on or before 12/11/1957): adopted
    before it. Between, only the answer can say; with an order date nothing is stored beside it."""
    stored = rules.known_before_1975(None, answer, born)
    if born >= rules.COUNSELLING_DATE:
        assert stored is False
    elif rules.age_on(born, rules.COUNSELLING_DATE) >= 18:
        assert stored is True
    else:
        assert stored is answer
    assert rules.known_before_1975(born, answer, born) is None
