from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core.workdays import is_working_day, working_days_between
from adoption_desktop.panel import rules
from adoption_desktop.panel.rules import QuorumMember as M
from adoption_desktop.panel.rules import QuorumRule, check_quorum

CHAIR = M("chair", None, True)
VICE = M("vice_chair", None, True)
SW = M("social_worker", 5, False)
SW2 = M("social_worker", 2, False)
MED = M("medical_adviser", None, False)
IND = M("member", None, True)
MEM = M("member", None, False)


def test_five_with_everyone_needed_is_quorate() -> None:
    result = check_quorum([CHAIR, SW, MED, IND, MEM])
    assert result.quorate and result.reasons == [] and result.counted == 5


def test_four_members_is_not_quorate() -> None:
    result = check_quorum([CHAIR, SW, MED, IND])
    assert not result.quorate
    assert result.reasons == ["4 members count for this item; at least 5 are needed (1 more)."]


def test_five_without_chair_or_vice_chair() -> None:
    result = check_quorum([SW, MED, IND, MEM, MEM])
    assert not result.quorate
    assert result.reasons == ["Neither the chair nor a vice chair is present for this item."]
    assert check_quorum([VICE, SW, MED, IND, MEM]).quorate


def test_social_worker_with_two_years_pqe_only() -> None:
    result = check_quorum([CHAIR, SW2, MED, IND, MEM])
    assert not result.quorate
    assert result.reasons == [
        "No social worker with at least 3 years' post-qualifying experience is present for this item."]
    # exactly three years is enough; None counts as none
    assert check_quorum([CHAIR, M("social_worker", 3), MED, IND, MEM]).quorate
    assert not check_quorum([CHAIR, M("social_worker", None), MED, IND, MEM]).quorate


def test_advisers_present_are_not_counted() -> None:
    advisers = [M("panel_adviser", 10, True), M("legal_adviser", None, True), M("minute_taker")]
    result = check_quorum([CHAIR, SW, MED, IND, *advisers])
    assert not result.quorate and result.counted == 4
    assert "at least 5 are needed (1 more)" in result.reasons[0]


def test_withdrawn_member_does_not_count() -> None:
    present = [CHAIR, SW, MED, IND, MEM]
    withdrawn = {4}  # the member who declared a conflict on this item
    counted = [m for i, m in enumerate(present) if i not in withdrawn]
    assert check_quorum(present).quorate
    result = check_quorum(counted)
    assert not result.quorate and result.counted == 4
    # the withdrawing member was the only independent one
    result = check_quorum([CHAIR.__class__("chair", None, False), SW, MED, MEM, MEM])
    assert result.reasons == ["No independent member is present for this item."]


def test_independent_member_requirement_is_configurable() -> None:
    no_independent = [M("chair"), SW, MED, MEM, MEM]
    assert not check_quorum(no_independent).quorate
    assert check_quorum(no_independent, QuorumRule(require_independent=False)).quorate
    assert check_quorum([CHAIR, SW, IND, MEM], QuorumRule(min_members=4)).quorate


def test_mappings_are_accepted_and_all_reasons_listed() -> None:
    result = check_quorum([{"role": "member", "pqe_years": None, "independent": False}])
    assert not result.quorate and len(result.reasons) == 4


@given(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), st.integers(1, 15))
def test_papers_deadline_is_n_working_days_before(sitting: dt.date, n: int) -> None:
    deadline = rules.papers_deadline(sitting, n)
    assert deadline < sitting and is_working_day(deadline)
    # exactly n working days in [deadline, sitting)
    assert working_days_between(deadline, sitting) == n - 1 + (1 if is_working_day(sitting) else 0)


@given(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), st.integers(1, 20))
def test_minutes_deadline_is_n_working_days_after(sitting: dt.date, n: int) -> None:
    due = rules.minutes_deadline(sitting, n)
    assert is_working_day(due) and working_days_between(sitting, due) == n


@given(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), st.integers(1, 30))
def test_first_weekday_recurrence_keeps_weekday_and_position(start: dt.date, count: int) -> None:
    dates = rules.recurring_dates(start, "nth_weekday", count)
    assert len(dates) == count and dates[0] == start
    n = (start.day - 1) // 7 + 1
    for d in dates:
        assert d.weekday() == start.weekday()
        assert (d.day - 1) // 7 + 1 == n or (n == 5 and d.day + 7 > 28)
    assert dates == sorted(set(dates))


@given(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), st.sampled_from(["weekly", "fortnightly", "monthly"]))
def test_simple_recurrences_increase(start: dt.date, kind: str) -> None:
    dates = rules.recurring_dates(start, kind, 13)
    assert dates[0] == start and len(set(dates)) == 13 and dates == sorted(dates)


def test_first_tuesday() -> None:
    assert rules.recurring_dates(dt.date(2026, 1, 6), "nth_weekday", 3) == [
        dt.date(2026, 1, 6), dt.date(2026, 2, 3), dt.date(2026, 3, 3)]


def test_outcomes_are_definite_and_per_case_type() -> None:
    assert rules.validate_outcome("approval", "suitable") is None
    msg = rules.validate_outcome("approval", "match_recommended")
    assert msg and msg.startswith("Outcome:") and "defer" in msg
    assert not rules.goes_to_adm("approval", "deferred")
    assert not rules.goes_to_adm("other", "noted")
    assert rules.goes_to_adm("match", "match_recommended")
    assert all("principle" not in label for label in rules.OUTCOMES.values())


def test_late_papers_and_member_warnings() -> None:
    deadline = dt.date(2026, 3, 2)
    assert rules.paper_late(dt.date(2026, 3, 3), deadline, dt.date(2026, 3, 10))
    assert not rules.paper_late(deadline, deadline, dt.date(2026, 3, 10))
    assert rules.paper_late(None, deadline, dt.date(2026, 3, 3))
    assert not rules.paper_late(None, deadline, dt.date(2026, 3, 1))
    today = dt.date(2026, 11, 23)
    warnings = rules.member_warnings(rules.MemberDates(dt.date(2026, 12, 1), dt.date(2023, 11, 1), None), today)
    assert warnings == ["Appraisal due 01/12/2026", "DBS check overdue since 01/11/2026", "No training date"]
    assert rules.leaving_date(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)


@given(st.sampled_from(["majority", "unanimous", ""]), st.none() | st.integers(0, 30), st.none() | st.integers(0, 30),
       st.integers(0, 20))
def test_vote_problem_for_a_majority_not_one_or_not_every_member_and_unanimous_with_against(
        vote: str, votes_for: int | None, votes_against: int | None, counted: int) -> None:
    problem = rules.vote_problem(vote, votes_for, votes_against, counted)
    complete = vote == "majority" and votes_for is not None and votes_against is not None
    unanimous_against = vote == "unanimous" and bool(votes_against)
    assert (problem is not None) == (unanimous_against or (complete and (
        votes_for + votes_against != counted  # type: ignore[operator]
        or votes_for <= votes_against)))  # type: ignore[operator]
    assert problem is None or problem.startswith("Vote: " if unanimous_against else "Votes for / against: ")


def test_core_papers_for_each_recommendation() -> None:
    day = dt.date(2026, 11, 2)
    assert rules.missing_core_papers("approval", "suitable", {"par": None, "medical": day}) == [
        "Prospective Adopter's Report (PAR)"]
    assert rules.missing_core_papers("approval", "not_suitable", {"brief_par": day}) == []  # stands for the PAR
    assert rules.missing_core_papers("approval", "deferred", {}) == []
    assert rules.missing_core_papers("relinquished", "should_be_placed", {"cpr": day, "consent": None}) == []
    assert rules.missing_core_papers("match", "match_recommended", {"cpr": day}) == [
        "Prospective Adopter's Report (PAR)", "Adoption Placement Report (APR)"]
    assert rules.missing_core_papers("other", "noted", {}) == []
