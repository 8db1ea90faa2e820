"""The decision clock (Christmas, Easter, substitute bank holidays, pauses) and other pure rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.adm import rules
from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.panel import rules as panel_rules

CAL = WorkingCalendar()
D = dt.date


def due(received: dt.date, *pauses: rules.Pause, n: int = 7) -> dt.date | None:
    return rules.decision_clock(received, pauses, n, CAL).due_on


def test_due_across_christmas_and_new_year() -> None:
    # 25, 26 Dec 2025 and 1 Jan 2026 are bank holidays
    assert due(D(2025, 12, 23)) == D(2026, 1, 6)


def test_due_across_substitute_bank_holidays_2021() -> None:
    # Christmas 2021 fell on a weekend: substitute days Mon 27 and Tue 28 Dec; New Year's Day -> Mon 3 Jan 2022
    assert due(D(2021, 12, 24)) == D(2022, 1, 7)
    assert not CAL.is_working_day(D(2021, 12, 28)) and not CAL.is_working_day(D(2022, 1, 3))


def test_due_across_substitute_boxing_day_2022() -> None:
    # 25 Dec 2022 a Sunday: Boxing Day Mon 26, substitute Christmas Tue 27 Dec; New Year -> Mon 2 Jan 2023
    # working days: 28, 29, 30 Dec, 3, 4, 5, 6 Jan
    assert due(D(2022, 12, 23)) == D(2023, 1, 6)


def test_due_across_easter() -> None:
    # Good Friday 3 Apr 2026, Easter Monday 6 Apr 2026
    assert due(D(2026, 4, 1)) == D(2026, 4, 14)


def test_closure_days_count_as_non_working() -> None:
    cal = WorkingCalendar([D(2025, 12, 29), D(2025, 12, 30), D(2025, 12, 31)])
    assert rules.decision_clock(D(2025, 12, 23), (), 7, cal).due_on == D(2026, 1, 9)


def test_notification_dates_after_a_christmas_eve_decision() -> None:
    oral, written = rules.notification_due(D(2025, 12, 24), 2, 5, CAL)
    assert (oral, written) == (D(2025, 12, 30), D(2026, 1, 5))


def test_pause_keeps_elapsed_days_and_resumes_from_the_day_logged() -> None:
    received = D(2025, 12, 1)  # Monday; due Wed 10 Dec without a pause
    assert due(received) == D(2025, 12, 10)
    paused = rules.decision_clock(received, [rules.Pause(D(2025, 12, 4), None)], 7, CAL)
    assert paused.due_on is None and paused.paused_since == D(2025, 12, 4) and paused.used_working_days == 3
    # logged Mon 15 Dec: 4 remaining working days -> Fri 19 Dec
    assert due(received, rules.Pause(D(2025, 12, 4), D(2025, 12, 15))) == D(2025, 12, 19)
    # logged over Christmas: Tue 23 Dec + 4 WD = 24, 29, 30, 31 Dec
    assert due(received, rules.Pause(D(2025, 12, 4), D(2025, 12, 23))) == D(2025, 12, 31)


def test_two_pauses() -> None:
    received = D(2025, 12, 1)
    p1 = rules.Pause(D(2025, 12, 2), D(2025, 12, 3))  # 1 WD used, restart Wed 3 Dec
    p2 = rules.Pause(D(2025, 12, 5), D(2025, 12, 8))  # 2 more used (4, 5 Dec), restart Mon 8 Dec
    assert due(received, p1, p2) == CAL.add_working_days(D(2025, 12, 8), 4)


def test_pause_after_the_due_date_leaves_nothing_remaining() -> None:
    received = D(2025, 12, 1)
    assert due(received, rules.Pause(D(2025, 12, 12), D(2025, 12, 15))) == D(2025, 12, 15)


dates = st.dates(min_value=D(2019, 1, 1), max_value=D(2030, 12, 31))


@given(received=dates, n=st.integers(1, 20))
def test_without_pauses_due_is_n_working_days_later(received: dt.date, n: int) -> None:
    d = due(received, n=n)
    assert d is not None and CAL.is_working_day(d)
    assert CAL.working_days_between(received, d) == n


@given(received=dates, ask=st.integers(0, 10), wait=st.integers(0, 30), n=st.integers(1, 15))
def test_a_pause_never_shortens_the_clock(received: dt.date, ask: int, wait: int, n: int) -> None:
    asked = received + dt.timedelta(days=ask)
    logged = asked + dt.timedelta(days=wait)
    plain = due(received, n=n)
    paused = due(received, rules.Pause(asked, logged), n=n)
    assert plain is not None and paused is not None
    assert paused >= plain or paused >= logged
    used = min(max(CAL.working_days_between(received, asked), 0), n)
    assert CAL.working_days_between(logged, paused) == n - used


@given(notice=dates)
def test_qd_deadline_is_40_working_days_beginning_with_the_notice(notice: dt.date) -> None:
    end = rules.qd_deadline(notice, CAL)
    first = CAL.next_working_day(notice)
    assert CAL.working_days_between(first, end) + 1 == 40


def test_qd_deadline_example() -> None:
    # notice Mon 1 Dec 2025 is day 1; Christmas and New Year holidays skipped
    assert rules.qd_deadline(D(2025, 12, 1), CAL) == D(2026, 1, 28)


def test_signer_conflict_by_linked_user_only() -> None:
    assert rules.signer_conflict(7, [7])
    assert not rules.signer_conflict(8, [7])
    assert not rules.signer_conflict(None, [7])


def test_name_match_is_a_warning_after_normalisation() -> None:
    warning = rules.name_match_warning("Mr Ben Umberdale", ["Ben Umberdale"])
    assert warning and "Ben Umberdale" in warning and "not linked" in warning
    assert rules.name_match_warning("  ben   UMBERDALE ", ["Dr. Ben\u200b Umberdale"])
    assert rules.name_match_warning("Dana Dunwick", ["Dan Dunwick"]) is None
    assert rules.name_match_warning("", ["Dan Dunwick"]) is None


def test_outcome_checks_name_the_field() -> None:
    probs = rules.check_outcome("approval", "not_suitable", "agree", "Not approved", "")
    assert probs and probs[0][0] == "outcome"
    probs = rules.check_outcome("match", "match_recommended", "not_approve", "x", "reasons long enough")
    assert probs[0][0] == "outcome"
    probs = rules.check_outcome("approval", "not_suitable", "differ", "Approved", "")
    assert probs == [("decision_reasons", probs[0][1])]
    assert rules.check_outcome("approval", "suitable", "agree", "Approved", "") == []


@pytest.mark.parametrize(("decision_type", "recommendation"), [
    ("approval", "suitable"), ("review", "remains_suitable"), ("termination", "not_terminate")])
def test_deciding_against_suitable_applicants_is_only_ever_a_proposal(decision_type: str, recommendation: str) -> None:
    """User trial: "Decide differently" on a positive review signed a final "no longer suitable" decision,
    with no 40 working days for representations (AA Regs 2005 regs 27, 30). Refused, naming the outcome to
    choose; deciding differently from a negative recommendation (approving after all) stays allowed."""
    negative = {"approval": "not_suitable", "review": "no_longer_suitable", "termination": "terminate"}[decision_type]
    probs = rules.check_outcome(decision_type, recommendation, "differ", "I have decided otherwise.",
                                "The reasons are given in full here.")
    assert [field for field, _ in probs] == ["outcome"]
    assert "choose 'Propose not to approve (qualifying determination)'" in probs[0][1]
    assert rules.check_outcome(decision_type, recommendation, "not_approve", "I propose not to approve you.",
                               "The reasons are given in full here.") == []
    assert rules.check_outcome(decision_type, negative, "differ", "Approved after all.",
                               "The reasons are given in full here.") == []
    # the final decision after the 40 working days: "differ" would be written as an approval (review), so it
    # is refused with the two outcomes that say what is meant
    final = rules.check_outcome(decision_type, recommendation, "differ", "My final decision.",
                                "The reasons are given in full here.", "qd_final")
    assert [field for field, _ in final] == ["outcome"] and "for the final decision choose" in final[0][1]
    assert rules.check_outcome(decision_type, negative, "differ", "Approved after all.",
                               "The reasons are given in full here.", "qd_final") == []
    # other types have no qualifying determination: differing either way is a decision
    assert rules.check_outcome("match", "match_recommended", "differ", "No match.", "The reasons are given here.") == []


def test_clock_status() -> None:
    due_on = D(2025, 12, 10)
    assert rules.clock_status("pending", due_on, None, None, D(2025, 12, 10), CAL).code == "due_today"
    assert rules.clock_status("pending", due_on, None, None, D(2025, 12, 12), CAL).label == "Overdue by 2 WD"
    assert rules.clock_status("paused", None, D(2025, 12, 4), None, D(2025, 12, 12), CAL).code == "paused"
    assert rules.clock_status("signed", due_on, None, D(2025, 12, 11), D(2026, 1, 1), CAL).code == "decided_late"


def test_a_match_letter_says_matched_only_when_the_decision_is_to_match() -> None:
    from adoption_desktop.adm.rules import OUTCOME_AGREE, OUTCOME_DIFFER, letter_kind

    assert letter_kind("match", "panel", OUTCOME_AGREE, "match_recommended") == "adm_match_agreed"
    assert letter_kind("match", "panel", OUTCOME_AGREE, "match_not_recommended") == "adm_decision"
    assert letter_kind("match", "panel", OUTCOME_DIFFER, "match_not_recommended") == "adm_match_agreed"
    assert letter_kind("match", "panel", OUTCOME_DIFFER, "match_recommended") == "adm_decision"


@given(st.sampled_from(sorted(rules.BUILTIN_TYPES)), st.sampled_from(sorted(panel_rules.OUTCOMES)))
def test_a_new_decision_starts_on_an_outcome_that_can_be_signed(decision_type: str, recommendation: str) -> None:
    """The outcome a decision starts on is never one the signing refuses (a user trial found "agree" with
    "not suitable" preselected, refused only after the password was typed); with the sentence prefilled
    for it and reasons given, nothing about the outcome stands in the way."""
    outcome = rules.default_outcome(decision_type, recommendation)
    text = rules.decision_sentence(decision_type, recommendation, outcome)
    problems = rules.check_outcome(decision_type, recommendation, outcome, text, "Reasons given at length here.")
    assert [p for p in problems if p[0] == "outcome"] == []
    if decision_type in rules.QD_TYPES and recommendation in rules.NEGATIVE_RECOMMENDATIONS:
        assert outcome == rules.OUTCOME_NOT_APPROVE and text.startswith("I propose")
    else:
        assert outcome == rules.OUTCOME_AGREE


def test_who_sat_counts_an_entry_made_an_adviser_when_the_handoff_named_them() -> None:
    """The role a member sat in is not recorded: an entry whose role is an adviser's now counts when the
    hand-off named it among the members; an adviser the hand-off never named does not."""
    from adoption_desktop.core.handoff import ItemMember

    vice = ItemMember(2, "Kit Brambleby", 7, adviser=True)
    gus = ItemMember(7, "Gus Mossley", 8, adviser=True)
    sw = ItemMember(3, "Tara Dunmere", None)
    assert rules.who_sat([vice, gus, sw], ["kit  BRAMBLEBY", "Tara Dunmere"]) == (vice, sw)
    assert rules.who_sat([vice, gus, sw], []) == (sw,)


def test_unlinked_names_from_both_lists_once_and_a_link_now_decides() -> None:
    from adoption_desktop.core.handoff import ItemMember

    kit = ItemMember(2, "Kit Brambleby", None, adviser=True)
    tara = ItemMember(3, "Tara Dunmere", 9)
    members = [kit, tara]
    assert rules.unlinked_names(members, [kit], ["Mr Kit Brambleby", "Tara Dunmere", "Eli Fenwick"]) == [
        "Kit Brambleby", "Eli Fenwick"]
