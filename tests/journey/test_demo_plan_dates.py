"""The demo's children agree with their plan-for-adoption decisions: each linked child's plan date is the date
its signed decision agreed the plan (an ADM trial found the demo linking children to decisions signed on other,
random days), and the journeys stay in order.

Two demos: the real today's (here), and one dated 30 June 2026, with plans on a Saturday, which
tests/journey/test_measures.py fills for its measures anyway and checks with :func:`check_linked_children`
(one demo filled for both, not one each)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import demo, rules, service
from adoption_desktop.journey.models import JourneyChild


def check_linked_children(db: Database) -> None:
    """Every demo cohort child is linked to a signed decision that agreed its plan on its plan date, its
    journey in order; a sibling group shares one decision, and no other child does."""
    with db.session(write=False) as session:
        kids = list(session.scalars(select(JourneyChild).where(JourneyChild.reference.in_(
            [ref for ref, *_rest in demo.COHORT]))))
        assert len(kids) == len(demo.COHORT)
        for child in kids:
            assert child.plan_decision_id is not None, child.reference
            agreed, name = service._plan_agreed(session, child.plan_decision_id)
            assert agreed is not None, name  # signed, agreeing the plan
            assert rules.plan_date_problem(child.plan_decided_on, agreed, name) is None
            assert child.plan_decided_on == agreed
            assert rules.journey_problems({f: getattr(child, f) for f in rules.DATE_FIELDS},
                                          early_permanence=child.early_permanence,
                                          foster_carer_adoption=child.foster_carer_adoption) == []
        groups = {c.sibling_group or c.reference: c.plan_decision_id for c in kids}
        assert len(set(groups.values())) == len(groups)  # one decision per child, a sibling group shares one


def test_linked_children_agree_with_their_decisions(open_demo: Callable[..., Database]) -> None:
    check_linked_children(open_demo())  # the real today (30 June 2026: tests/journey/test_measures.py)
