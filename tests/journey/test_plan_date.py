"""A child's plan-for-adoption date that differs from the date of the signed ADM decision agreeing the plan is
asked about, not refused: add, edit and link raise PlanDateDiffers (naming both dates, on its own field key) and
save only when the person confirms (plan_date_anyway), or link with the decision's date (use_decision_date). A
real SQLCipher database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import rules, service
from adoption_desktop.journey.service import ChildInput, PlanDateDiffers
from tests.conftest import make_user

TODAY = dt.date(2026, 6, 30)
SIGNED_ON = dt.date(2026, 1, 12)


@pytest.fixture
def adm(db: Database) -> Principal:
    return make_user(db, "decider", Role.AGENCY_DECISION_MAKER)


def _plan(db: Database, adm: Principal, ref: str = "CH-1") -> int:
    from adoption_desktop.adm.service import open_direct_decision

    return open_direct_decision(db, adm, decision_type="plan_for_adoption", subject_reference=ref,
                                subject_initials="A.B.", received_on=dt.date(2026, 1, 5),
                                proposal="That the child should be placed for adoption.", social_worker="Sam Worker")


def _sign(db: Database, adm: Principal, decision_id: int, day: dt.date = SIGNED_ON, outcome: str = "agree") -> None:
    """As signing leaves the decision (signing itself is tested in tests/adm)."""
    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.core.storage.base import utcnow

    with db.session(adm) as session:
        d = session.get(AdmDecision, decision_id)
        assert d is not None
        d.outcome, d.decided_on, d.signed_at, d.state = outcome, day, utcnow(), "signed"


def _child(ref: str = "CH-1a", plan: dt.date | None = SIGNED_ON) -> ChildInput:
    return ChildInput(reference=ref, initials="A.B.", date_of_birth=dt.date(2023, 2, 1),
                      entered_care_on=dt.date(2024, 5, 1), plan_decided_on=plan)


def test_add_asks_about_another_day_and_saves_when_confirmed(db: Database, adm: Principal) -> None:
    plan = _plan(db, adm)
    _sign(db, adm, plan)
    with pytest.raises(PlanDateDiffers) as err:
        service.add_child(db, adm, _child(plan=dt.date(2026, 1, 14)), decision_id=plan, today=TODAY)
    assert isinstance(err.value, ValidationError) and err.value.field == rules.PLAN_DATE_DIFFERS
    assert str(err.value) == (f"Decision that adoption is the plan: 14/01/2026 differs from the date of decision "
                              f"{plan} for CH-1 (12/01/2026), which is the date the plan was agreed. Use the "
                              "decision's date, or save anyway if the plan was agreed on another day.")
    assert (err.value.decision_date, err.value.typed) == (SIGNED_ON, dt.date(2026, 1, 14))
    assert service.list_children(db, adm, decision_id=plan) == []  # nothing saved
    saved = service.add_child(db, adm, _child(plan=dt.date(2026, 1, 14)), decision_id=plan, today=TODAY,
                              plan_date_anyway=True)
    assert saved.plan_decided_on == dt.date(2026, 1, 14)
    same_day = service.add_child(db, adm, _child("CH-1b"), decision_id=plan, today=TODAY)  # no question
    assert same_day.plan_decided_on == SIGNED_ON


def test_edit_asks_and_the_refused_save_changes_nothing(db: Database, adm: Principal) -> None:
    plan = _plan(db, adm)
    _sign(db, adm, plan)
    c = service.add_child(db, adm, _child(), decision_id=plan, today=TODAY)
    with pytest.raises(PlanDateDiffers, match=r"14/03/2026 differs from .* \(12/01/2026\)"):
        service.update_child(db, adm, c.id, _child(plan=dt.date(2026, 3, 14)), expected_version=c.row_version,
                             today=TODAY)
    [now] = service.list_children(db, adm, decision_id=plan)
    assert (now.plan_decided_on, now.row_version) == (SIGNED_ON, c.row_version)
    saved = service.update_child(db, adm, c.id, _child(plan=dt.date(2026, 3, 14)), expected_version=c.row_version,
                                 today=TODAY, plan_date_anyway=True)
    assert saved.plan_decided_on == dt.date(2026, 3, 14)
    # confirmed once: a later edit of another field keeps the date without asking again (journey trial)
    other = dataclasses.replace(_child(plan=dt.date(2026, 3, 14)), initials="A.C.")
    again = service.update_child(db, adm, c.id, other, expected_version=saved.row_version, today=TODAY)
    assert (again.initials, again.plan_decided_on) == ("A.C.", dt.date(2026, 3, 14))
    # another day typed is asked about again
    with pytest.raises(PlanDateDiffers, match=r"15/03/2026 differs"):
        service.update_child(db, adm, c.id, dataclasses.replace(other, plan_decided_on=dt.date(2026, 3, 15)),
                             expected_version=again.row_version, today=TODAY)


def test_a_correction_signed_later_keeps_the_first_signature_date(db: Database, adm: Principal) -> None:
    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.core.storage.base import utcnow

    plan = _plan(db, adm)
    _sign(db, adm, plan)
    with db.session(adm) as session:  # a correction, signed months later: the same decision
        first = session.get(AdmDecision, plan)
        assert first is not None
        session.add(AdmDecision(root_id=plan, version=2, supersedes_id=plan, correction_reason="Wording.",
                                decision_type="plan_for_adoption", source="direct", state="signed",
                                subject_reference="CH-1", received_on=first.received_on, outcome="agree",
                                decided_on=dt.date(2026, 6, 2), signed_at=utcnow()))
    with pytest.raises(PlanDateDiffers, match=r"02/06/2026 differs .* \(12/01/2026\)") as err:
        service.add_child(db, adm, _child(plan=dt.date(2026, 6, 2)), decision_id=plan, today=TODAY)
    assert err.value.decision_date == SIGNED_ON
    assert service.add_child(db, adm, _child(plan=None), decision_id=plan, today=TODAY).plan_decided_on == SIGNED_ON


def test_no_question_unless_a_signed_decision_agrees_the_plan(db: Database, adm: Principal) -> None:
    unsigned = _plan(db, adm, "CH-2")
    assert service.add_child(db, adm, _child("CH-2a", dt.date(2026, 1, 9)), decision_id=unsigned,
                             today=TODAY).plan_decided_on == dt.date(2026, 1, 9)
    differs = _plan(db, adm, "CH-3")
    _sign(db, adm, differs, outcome="differ")  # the ADM did not agree adoption as the plan
    assert service.add_child(db, adm, _child("CH-3a", dt.date(2026, 1, 9)), decision_id=differs,
                             today=TODAY).plan_decided_on == dt.date(2026, 1, 9)


def test_link_asks_uses_the_decision_date_or_keeps_the_confirmed_one(db: Database, adm: Principal) -> None:
    from tests.journey.test_service import panel_item

    panel_admin = make_user(db, "paneladmin", Role.PANEL_ADMINISTRATOR)
    item_id = panel_item(db, panel_admin)
    # recorded at panel first (no decision linked: nothing to compare), with plan dates of their own
    a = service.add_child(db, panel_admin, _child("CH-1a", dt.date(2026, 1, 9)), item_id=item_id, today=TODAY)
    b = service.add_child(db, panel_admin, _child("CH-1b", dt.date(2026, 1, 9)), item_id=item_id, today=TODAY)
    service.add_child(db, panel_admin, _child("CH-1c", None), item_id=item_id, today=TODAY)
    plan = _plan(db, adm)
    _sign(db, adm, plan)
    with pytest.raises(PlanDateDiffers, match=r"09/01/2026 differs .* \(12/01/2026\)"):
        service.link_child(db, adm, "CH-1a", decision_id=plan)
    assert service.list_children(db, adm, decision_id=plan) == []  # not linked
    used = service.link_child(db, adm, "CH-1a", decision_id=plan, use_decision_date=True)
    assert (used.id, used.plan_decided_on, used.plan_decision_id) == (a.id, SIGNED_ON, plan)
    kept = service.link_child(db, adm, "CH-1b", decision_id=plan, plan_date_anyway=True)
    assert (kept.id, kept.plan_decided_on) == (b.id, dt.date(2026, 1, 9))
    filled = service.link_child(db, adm, "CH-1c", decision_id=plan)  # no plan date yet: the decision's
    assert filled.plan_decided_on == SIGNED_ON
    # the decision's date out of order with the child's other dates: said, nothing linked
    service.add_child(db, panel_admin, ChildInput(reference="CH-1d", plan_decided_on=dt.date(2026, 1, 10),
                                                  placement_order_on=dt.date(2026, 1, 11)), item_id=item_id, today=TODAY)
    with pytest.raises(ValidationError, match=r"Placement order: 11/01/2026 is before .* Nothing was linked") as err:
        service.link_child(db, adm, "CH-1d", decision_id=plan, use_decision_date=True)
    assert not isinstance(err.value, PlanDateDiffers) and err.value.field == "placement_order_on"
    assert [c.reference for c in service.list_children(db, adm, decision_id=plan)] == ["CH-1a", "CH-1b", "CH-1c"]
