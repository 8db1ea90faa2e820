"""Children on an ADM plan decision and a panel match item: add, link (one child, not two), edit with row
versions, validation messages, permissions, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.errors import PermissionDenied, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import service
from adoption_desktop.journey.service import ChildInput
from tests.conftest import make_user

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def adm(db: Database) -> Principal:
    return make_user(db, "decider", Role.AGENCY_DECISION_MAKER)


@pytest.fixture
def panel_admin(db: Database) -> Principal:
    return make_user(db, "paneladmin", Role.PANEL_ADMINISTRATOR)


@pytest.fixture
def plan_id(db: Database, adm: Principal) -> int:
    from adoption_desktop.adm.service import open_direct_decision

    return open_direct_decision(db, adm, decision_type="plan_for_adoption", subject_reference="CH-1",
                                subject_initials="A.B.", received_on=dt.date(2026, 1, 5),
                                proposal="That the children should be placed for adoption.",
                                social_worker="Sam Worker")


def panel_item(db: Database, actor: Principal, case_type: str = "match", reference: str = "CH-1") -> int:
    """An agenda item of ``case_type`` at a sitting on 1 April 2026."""
    from adoption_desktop.panel.models import PanelItem, PanelSitting

    with db.session(actor) as session:
        sitting = PanelSitting(sitting_date=dt.date(2026, 4, 1))
        session.add(sitting)
        session.flush()
        item = PanelItem(sitting_id=sitting.id, case_type=case_type, subject_reference=reference)
        session.add(item)
        session.flush()
        return item.id


@pytest.fixture
def match_item(db: Database, panel_admin: Principal) -> int:
    return panel_item(db, panel_admin)


def _child(ref: str = "CH-1a", **dates: dt.date | str | None) -> ChildInput:
    values: dict = {"reference": ref, "initials": "A.B.", "date_of_birth": dt.date(2023, 2, 1),
                    "sibling_group": "SG-9", "entered_care_on": dt.date(2024, 5, 1),
                    "plan_decided_on": dt.date(2026, 1, 9)} | dates
    return ChildInput(**values)


def test_sibling_group_on_the_plan_then_linked_to_the_match(db: Database, adm: Principal, panel_admin: Principal,
                                                            plan_id: int, match_item: int) -> None:
    a = service.add_child(db, adm, _child("CH-1a"), decision_id=plan_id, today=TODAY)
    service.add_child(db, adm, _child("CH-1b", sex="male"), decision_id=plan_id, today=TODAY)
    assert [c.reference for c in service.list_children(db, adm, decision_id=plan_id)] == ["CH-1a", "CH-1b"]
    with pytest.raises(ValidationError, match="already recorded"):
        service.add_child(db, panel_admin, _child(" ch-1A "), item_id=match_item, today=TODAY)
    linked = service.link_child(db, panel_admin, "CH-1A ", item_id=match_item)
    assert linked.id == a.id and linked.plan_decision_id == plan_id and linked.match_item_id == match_item
    assert [c.id for c in service.list_children(db, panel_admin, item_id=match_item)] == [a.id]


def test_dates_checked_in_order_with_the_field_named(db: Database, adm: Principal, plan_id: int) -> None:
    with pytest.raises(ValidationError, match="Placement order: 01/01/2026 is before decision") as err:
        service.add_child(db, adm, _child(placement_order_on=dt.date(2026, 1, 1)), decision_id=plan_id, today=TODAY)
    assert err.value.field == "placement_order_on"
    with pytest.raises(ValidationError, match="in the future"):
        service.add_child(db, adm, _child(placement_order_on=dt.date(2026, 7, 1)), decision_id=plan_id, today=TODAY)
    with pytest.raises(ValidationError, match="Child's reference"):
        service.add_child(db, adm, _child("=HYPERLINK(1)"), decision_id=plan_id, today=TODAY)
    with pytest.raises(ValidationError, match="Sex"):
        service.add_child(db, adm, _child(sex="x"), decision_id=plan_id, today=TODAY)


def test_edit_with_row_version_and_audit(db: Database, adm: Principal, plan_id: int) -> None:
    from sqlalchemy import select

    from adoption_desktop.core.audit.models import AuditEntry

    c = service.add_child(db, adm, _child(), decision_id=plan_id, today=TODAY)
    saved = service.update_child(db, adm, c.id, _child(placement_order_on=dt.date(2026, 3, 2)),
                                 expected_version=c.row_version, today=TODAY)
    assert saved.placement_order_on == dt.date(2026, 3, 2) and saved.row_version == c.row_version + 1
    with pytest.raises(StaleRecord):
        service.update_child(db, adm, c.id, _child(placement_order_on=dt.date(2026, 3, 3)),
                             expected_version=c.row_version, today=TODAY)
    with db.session(adm, write=False) as session:
        entities = set(session.scalars(select(AuditEntry.entity)))
    assert "journey_children" in entities
    from adoption_desktop.core.storage.lifecycle import verify_database

    assert verify_database(db).ok


def test_permissions(db: Database, plan_id: int, match_item: int) -> None:
    counsellor = make_user(db, "couns", Role.COUNSELLOR)
    chair = make_user(db, "chair", Role.PANEL_CHAIR)
    with pytest.raises(PermissionDenied):
        service.add_child(db, counsellor, _child(), decision_id=plan_id, today=TODAY)
    with pytest.raises(PermissionDenied):
        service.add_child(db, chair, _child(), item_id=match_item, today=TODAY)  # views, does not edit
    assert service.list_children(db, chair, item_id=match_item) == []


def test_not_on_an_approval_decision(db: Database, adm: Principal, panel_admin: Principal) -> None:
    item_id = panel_item(db, panel_admin, "approval", "ADP-1")
    with pytest.raises(ValidationError, match="only a match"):
        service.add_child(db, panel_admin, _child(), item_id=item_id, today=TODAY)


def test_adopter_stages(db: Database, panel_admin: Principal) -> None:
    from adoption_desktop.reports.measures import journey_measures

    manager = make_user(db, "mgr", Role.MANAGER)
    d = dt.date
    service.record_adopter_stages(db, panel_admin, service.AdopterStages(
        "ADP-7", registered_on=d(2026, 1, 5), stage1_completed_on=d(2026, 1, 30),
        stage2_started_on=d(2026, 2, 2), panel_on=d(2026, 6, 1), approved_on=d(2026, 6, 10)), today=TODAY)
    got = {m.code: m for m in journey_measures(db, manager, d(2026, 1, 1), d(2026, 6, 30))}
    assert (got["stage1_2m"].within, got["stage2_4m"].within, got["approval_6m"].within) == (1, 0, 1)  # stage 2 over 4 months (due 02/06)
    with pytest.raises(ValidationError, match="Stage 2 started: 01/02/2026 is before stage 1 completed"):
        service.record_adopter_stages(db, panel_admin, service.AdopterStages(
            "ADP-8", registered_on=d(2026, 1, 5), stage1_completed_on=d(2026, 2, 20),
            stage2_started_on=d(2026, 2, 1)), today=TODAY)


def test_two_people_edit_one_child_on_sqlcipher_and_postgresql(any_db: Database) -> None:
    """Two sessions load the same child; the second save is refused with StaleRecord, the first is kept;
    the measures then read the saved dates (team mode included)."""
    from adoption_desktop.reports.measures import measure_children

    adm = make_user(any_db, "decider", Role.AGENCY_DECISION_MAKER)
    other = make_user(any_db, "paneladmin", Role.PANEL_ADMINISTRATOR)
    manager = make_user(any_db, "mgr", Role.MANAGER)
    from adoption_desktop.adm.service import open_direct_decision

    plan = open_direct_decision(any_db, adm, decision_type="plan_for_adoption", subject_reference="CH-2",
                                subject_initials="C.D.", received_on=dt.date(2026, 1, 5),
                                proposal="That the child should be placed for adoption.", social_worker="Sam Worker")
    c = service.add_child(any_db, adm, _child("CH-2a"), decision_id=plan, today=TODAY)
    seen_by_a, seen_by_b = c.row_version, c.row_version
    d = dt.date
    done = _child("CH-2a", placement_order_on=d(2026, 2, 2), match_agreed_on=d(2026, 4, 1),
                  placed_on=d(2026, 4, 20), adoption_order_on=d(2026, 6, 1))
    service.update_child(any_db, other, c.id, done, expected_version=seen_by_b, today=TODAY)
    with pytest.raises(StaleRecord):
        service.update_child(any_db, adm, c.id, _child("CH-2a", placement_order_on=d(2026, 2, 9)),
                             expected_version=seen_by_a, today=TODAY)
    with pytest.raises(PermissionDenied, match="counts only"):  # the manager sees the count, not the children
        measure_children(any_db, manager, "A2", d(2026, 1, 1), d(2026, 6, 30))
    [row] = measure_children(any_db, adm, "A2", d(2026, 1, 1), d(2026, 6, 30))
    assert (row.reference, row.days, row.within) == ("CH-2a", 58, True)  # 02/02 to 01/04


def test_plan_date_comes_from_the_signed_decision(db: Database, adm: Principal, plan_id: int) -> None:
    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.core.storage.base import utcnow

    with db.session(adm) as session:  # as signing leaves it (signing itself is tested in tests/adm)
        d = session.get(AdmDecision, plan_id)
        assert d is not None
        d.outcome, d.decided_on, d.signed_at, d.state = "agree", dt.date(2026, 1, 12), utcnow(), "signed"
    c = service.add_child(db, adm, _child("CH-9", plan_decided_on=None), decision_id=plan_id, today=TODAY)
    assert c.plan_decided_on == dt.date(2026, 1, 12)
    with pytest.raises(service.PlanDateDiffers):  # another day typed is asked about (test_plan_date.py)
        service.add_child(db, adm, _child("CH-10", plan_decided_on=dt.date(2026, 1, 13)), decision_id=plan_id,
                          today=TODAY)
    typed = service.add_child(db, adm, _child("CH-10", plan_decided_on=dt.date(2026, 1, 13)), decision_id=plan_id,
                              today=TODAY, plan_date_anyway=True)
    assert typed.plan_decided_on == dt.date(2026, 1, 13)  # what the person typed and confirmed wins


def _minutes(db: Database, actor: Principal, item_id: int, outcome: str) -> None:
    """Minutes of ``item_id`` recording ``outcome`` (a draft: the newest version counts, as for adding)."""
    from adoption_desktop.panel.models import PanelMinutes

    with db.session(actor) as session:
        session.add(PanelMinutes(item_id=item_id, outcome=outcome))


def test_linking_a_child_to_the_match_item_takes_the_recommendation_date_as_adding_does(
        db: Database, adm: Principal, panel_admin: Principal, plan_id: int, match_item: int) -> None:
    """The child recorded on the plan decision is linked, not added, when the match comes to panel (the documented
    way): its match recommendation date came from the sitting only when the child was added there, so a linked
    child was missing from "children whose match was recommended by panel" and the plan-to-panel measure unless
    someone typed the date in. A date already typed, or one out of order with the child's others, is kept."""
    _minutes(db, panel_admin, match_item, "match_recommended")
    service.add_child(db, adm, _child("CH-1a"), decision_id=plan_id, today=TODAY)
    service.add_child(db, adm, _child("CH-1b", match_recommended_on=dt.date(2026, 4, 2)), decision_id=plan_id,
                      today=TODAY)
    service.add_child(db, adm, _child("CH-1c", placement_order_on=dt.date(2026, 4, 20)), decision_id=plan_id,
                      today=TODAY)
    added = service.add_child(db, panel_admin, _child("CH-1d"), item_id=match_item, today=TODAY)
    assert added.match_recommended_on == dt.date(2026, 4, 1)  # the sitting's date

    linked = service.link_child(db, panel_admin, "CH-1a", item_id=match_item)
    assert linked.match_recommended_on == dt.date(2026, 4, 1)
    assert service.link_child(db, panel_admin, "CH-1b", item_id=match_item).match_recommended_on == \
        dt.date(2026, 4, 2)  # typed: kept
    # a placement order after the sitting: the sitting's date would be out of order, so none is put in
    assert service.link_child(db, panel_admin, "CH-1c", item_id=match_item).match_recommended_on is None

    other = panel_item(db, panel_admin, reference="CH-2")  # minutes not recommending a match: nothing to take
    _minutes(db, panel_admin, other, "deferred")
    service.add_child(db, adm, _child("CH-2a"), decision_id=plan_id, today=TODAY)
    assert service.link_child(db, panel_admin, "CH-2a", item_id=other).match_recommended_on is None


def test_validate_refuses_an_adoption_order_for_an_adult_keyed_by_the_field() -> None:
    """User trial: a child aged 30 at the adoption order was saved; the refusal now names the field, and is keyed
    by it so the editor puts the cursor there."""
    today = dt.date.today()
    data = ChildInput("CH-AGE-1", date_of_birth=today - dt.timedelta(days=31 * 366),
                      adoption_order_on=today - dt.timedelta(days=2))
    with pytest.raises(ValidationError, match=r"^Adoption order: .* 19th birthday") as exc:
        service.validate(data, today)
    assert exc.value.field == "adoption_order_on"
