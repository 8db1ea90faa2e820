"""An ADM decision a child's journey record links to (``plan_decision_id``, ``match_decision_id``: plain numbers,
no foreign key) cannot be deleted. No screen or command deletes a decision; deleted with the ORM, an unsigned one
went without a word and left the child naming a decision that no longer exists (its list said "That ADM
decision no longer exists.", ``verify`` saw nothing). Now the delete is refused naming the child, nothing
written. Two PCs on one file: a link saved on the other PC is seen by the delete that follows it."""

from __future__ import annotations

import pytest

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import service
from adoption_desktop.journey.service import ChildInput
from tests.conftest import make_user
from tests.journey.test_match_decision_link import match_decision, plan_decision


def _delete(db: Database, actor: Principal, decision_id: int) -> None:
    from adoption_desktop.adm.models import AdmDecision

    with db.session(actor) as session:
        session.delete(session.get(AdmDecision, decision_id))


def _exists(db: Database, actor: Principal, decision_id: int) -> bool:
    from adoption_desktop.adm.models import AdmDecision

    with db.session(actor, write=False) as session:
        return session.get(AdmDecision, decision_id) is not None


def test_a_decision_with_a_child_on_it_is_not_deleted(any_db: Database) -> None:
    adm = make_user(any_db, "decider", Role.AGENCY_DECISION_MAKER)
    plan, match, bare = plan_decision(any_db, adm), match_decision(any_db, adm), plan_decision(any_db, adm, "CH-2")
    service.add_child(any_db, adm, ChildInput(reference="CH-1a", initials="A.B."), decision_id=plan)
    service.link_child(any_db, adm, "CH-1a", decision_id=match)

    with pytest.raises(Conflict, match=rf"^ADM decision {plan} cannot be deleted: child CH-1a's journey record is "
                                       "linked to it as its plan decision .*Nothing was changed"):
        _delete(any_db, adm, plan)
    with pytest.raises(Conflict, match=rf"^ADM decision {match} cannot be deleted: .* as its match decision"):
        _delete(any_db, adm, match)
    assert _exists(any_db, adm, plan) and _exists(any_db, adm, match)
    assert [c.reference for c in service.list_children(any_db, adm, decision_id=plan)] == ["CH-1a"]
    _delete(any_db, adm, bare)  # no child on it: the guard does not stand in the way
    assert not _exists(any_db, adm, bare)


def test_the_other_pc_links_then_this_one_deletes(db: Database, other_pc: Database) -> None:
    adm = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    other = make_user(db, "decider2", Role.AGENCY_DECISION_MAKER)
    plan, second = plan_decision(db, adm), plan_decision(db, adm, "CH-9")
    service.add_child(db, adm, ChildInput(reference="CH-1a", initials="A.B."), decision_id=plan)

    service.link_child(other_pc, other, "CH-1a", decision_id=second, relink=True)  # moved on the other PC
    with pytest.raises(Conflict, match=rf"ADM decision {second} cannot be deleted: child CH-1a"):
        _delete(db, adm, second)
    _delete(db, adm, plan)  # the child left it: nothing names it any more
    assert service.find_children(other_pc, other, "CH-1a")[0].plan_decision_id == second
    assert _exists(other_pc, other, second) and not _exists(other_pc, other, plan)


def test_this_pc_deletes_then_the_other_links(db: Database, other_pc: Database) -> None:
    adm = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    other = make_user(db, "decider2", Role.AGENCY_DECISION_MAKER)
    plan = plan_decision(db, adm)
    service.add_child(other_pc, other, ChildInput(reference="CH-1a", initials="A.B."), decision_id=plan_decision(
        other_pc, other, "CH-9"))
    _delete(db, adm, plan)
    from adoption_desktop.core.errors import NotFound

    with pytest.raises(NotFound, match="no longer exists"):
        service.link_child(other_pc, other, "CH-1a", decision_id=plan, relink=True)
    assert service.find_children(db, adm, "CH-1a")[0].plan_decision_id != plan


def test_a_bulk_delete_statement_is_refused_too(any_db: Database) -> None:
    """Review: the guard looked only at objects deleted one by one (``session.delete``); a ``delete()`` statement
    run through the ORM session went around it and took the child's decision away without a word."""
    from sqlalchemy import delete

    from adoption_desktop.adm.models import AdmDecision

    adm = make_user(any_db, "decider", Role.AGENCY_DECISION_MAKER)
    plan, bare = plan_decision(any_db, adm), plan_decision(any_db, adm, "CH-2")
    service.add_child(any_db, adm, ChildInput(reference="CH-1a", initials="A.B."), decision_id=plan)

    with pytest.raises(Conflict, match=rf"^ADM decision {plan} cannot be deleted: child CH-1a's journey record"), \
            any_db.session(adm) as session:
        session.execute(delete(AdmDecision).where(AdmDecision.id.in_([plan, bare])))
    assert _exists(any_db, adm, plan) and _exists(any_db, adm, bare)  # nothing deleted
    with any_db.session(adm) as session:
        session.execute(delete(AdmDecision).where(AdmDecision.id == bare))  # no child on it: deleted
    assert not _exists(any_db, adm, bare)
