"""The plan-date rule (pure): a child's plan-for-adoption date and the date of the ADM decision it is linked to
must agree only for a signed plan-for-adoption decision that agrees the plan, dated by its first signature."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.journey import rules
from adoption_desktop.journey.rules import DecisionVersion as V

D = dt.date
SIGNED = V(1, True, "agree", D(2026, 3, 12))


def test_a_signed_plan_that_agrees_is_dated_by_its_signature() -> None:
    assert rules.plan_agreed_on("plan_for_adoption", [SIGNED]) == D(2026, 3, 12)
    problem = rules.plan_date_problem(D(2026, 3, 14), D(2026, 3, 12), "decision 7 for CH-1")
    assert problem is not None
    assert problem.startswith("Decision that adoption is the plan: 14/03/2026 differs from the date of decision 7 "
                              "for CH-1 (12/03/2026), which is the date the plan was agreed.")
    assert "Use the decision's date, or save anyway" in problem
    assert rules.plan_date_problem(D(2026, 3, 12), D(2026, 3, 12), "decision 7 for CH-1") is None


def test_a_correction_signed_later_on_another_day_keeps_the_first_signature_date() -> None:
    corrected = [SIGNED, V(2, True, "agree", D(2026, 6, 2))]
    assert rules.plan_agreed_on("plan_for_adoption", corrected) == D(2026, 3, 12)
    assert rules.plan_agreed_on("plan_for_adoption", list(reversed(corrected))) == D(2026, 3, 12)  # any order
    # a correction still being drafted changes nothing until signed
    assert rules.plan_agreed_on("plan_for_adoption", [SIGNED, V(2, False, "differ", None)]) == D(2026, 3, 12)
    # a signed correction that no longer agrees the plan: no date to agree with
    assert rules.plan_agreed_on("plan_for_adoption", [SIGNED, V(2, True, "differ", D(2026, 6, 2))]) is None


def test_no_date_to_agree_with_unless_signed_and_agreed() -> None:
    assert rules.plan_agreed_on("plan_for_adoption", [V(1, False, "agree", None)]) is None  # unsigned draft
    assert rules.plan_agreed_on("plan_for_adoption", [V(1, False, "agree", D(2026, 3, 12))]) is None
    assert rules.plan_agreed_on("plan_for_adoption", [V(1, True, "differ", D(2026, 3, 12))]) is None  # not agreed
    assert rules.plan_agreed_on("plan_for_adoption", []) is None
    assert rules.plan_agreed_on("match", [SIGNED]) is None  # not a plan-for-adoption decision


def test_nothing_to_compare_is_no_problem() -> None:
    assert rules.plan_date_problem(D(2026, 3, 14), None, "") is None  # no decision linked, or none agreed
    assert rules.plan_date_problem(None, D(2026, 3, 12), "decision 7 for CH-1") is None  # no plan date yet
