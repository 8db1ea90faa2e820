"""A child linked from an ADM match decision keeps its plan decision: the match decision has its own link
(``JourneyChild.match_decision_id``). Before, linking from the match decision overwrote ``plan_decision_id``,
so the child left its plan decision's list (and every reader of the plan decision's children lost it). Two people
linking one child to two different decisions: the second is told, not saved over the first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import service
from adoption_desktop.journey.service import ChildInput
from tests.conftest import make_user


def match_decision(db: Database, actor: Principal, reference: str = "CH-1") -> int:
    """An ADM match decision (as the panel's hand-off makes one) for the child ``reference``."""
    from adoption_desktop.adm import rules
    from adoption_desktop.adm.service.common import _new_decision

    with db.session(actor) as session:
        return _new_decision(
            session, decision_type="match", source="direct", state=rules.STATE_PENDING,
            subject_reference=reference, subject_initials="A.B.", recommendation="match_recommended",
            recommendation_text="That the child be placed with the adopters.", recommendation_reasons="",
            received_on=dt.date.today(), version=1, social_worker="Sam Worker", addressee="", salutation="",
            decision_text="That the child be placed with the adopters.").id


def plan_decision(db: Database, actor: Principal, reference: str = "CH-1") -> int:
    from adoption_desktop.adm.service import open_direct_decision

    return open_direct_decision(db, actor, decision_type="plan_for_adoption", subject_reference=reference,
                                subject_initials="A.B.", received_on=dt.date.today(),
                                proposal="That the child should be placed for adoption.", social_worker="Sam Worker")


def test_linking_from_the_match_decision_keeps_the_child_on_its_plan_decision(any_db: Database) -> None:
    adm = make_user(any_db, "decider", Role.AGENCY_DECISION_MAKER)
    plan, match = plan_decision(any_db, adm), match_decision(any_db, adm)
    child = service.add_child(any_db, adm, ChildInput(reference="CH-1a", initials="A.B."), decision_id=plan)

    linked = service.link_child(any_db, adm, "CH-1a", decision_id=match)

    assert [c.id for c in service.list_children(any_db, adm, decision_id=plan)] == [child.id]
    assert (linked.id, linked.plan_decision_id, linked.match_decision_id) == (child.id, plan, match)
    assert [c.id for c in service.list_children(any_db, adm, decision_id=match)] == [child.id]
    # added on the match decision: on that decision only, on no plan decision
    added = service.add_child(any_db, adm, ChildInput(reference="CH-1b", initials="C.D."), decision_id=match)
    assert (added.plan_decision_id, added.match_decision_id) == (None, match)
    assert [c.reference for c in service.list_children(any_db, adm, decision_id=plan)] == ["CH-1a"]
    assert [c.reference for c in service.list_children(any_db, adm, decision_id=match)] == ["CH-1a", "CH-1b"]


def test_two_people_link_one_child_to_two_match_decisions(any_db: Database) -> None:
    """Each session links the child it found to its own match decision: the second is refused, naming the
    decision the child is on, and the first link stays; linking again to the same decision changes nothing."""
    adm = make_user(any_db, "decider", Role.AGENCY_DECISION_MAKER)
    other = make_user(any_db, "decider2", Role.AGENCY_DECISION_MAKER)
    plan = plan_decision(any_db, adm)
    first, second = match_decision(any_db, adm), match_decision(any_db, other, "CH-9")
    child = service.add_child(any_db, adm, ChildInput(reference="CH-1a", initials="A.B."), decision_id=plan)
    seen_by_both = service.find_children(any_db, other, "CH-1a")[0]

    linked = service.link_child(any_db, adm, "CH-1a", decision_id=first)
    with pytest.raises(ValidationError, match=rf"already linked to match decision {first} for CH-1.*nothing was "
                                              "linked") as err:
        service.link_child(any_db, other, seen_by_both.reference, decision_id=second)
    assert err.value.field == "reference"

    assert [c.id for c in service.list_children(any_db, adm, decision_id=first)] == [child.id]
    assert service.list_children(any_db, other, decision_id=second) == []
    again = service.link_child(any_db, other, "CH-1a", decision_id=first)
    assert again.match_decision_id == first and again.row_version == linked.row_version
    # a person who means to move it says so (scripts: relink=True)
    moved = service.link_child(any_db, other, "CH-1a", decision_id=second, relink=True)
    assert (moved.plan_decision_id, moved.match_decision_id) == (plan, second)
    from adoption_desktop.core.storage.lifecycle import verify_database

    assert verify_database(any_db).ok


def test_the_children_dialog_asks_before_moving_a_child_and_cancel_is_the_default(db: Database, qtbot: Any) -> None:
    """From the match decision's Children dialog: a child already on another match decision is not moved by Enter
    (Cancel, the default, as Esc); *Move it here* (Alt+M) moves it, and it stays on its plan decision."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox, QPushButton

    from adoption_desktop.journey.views.children import ChildrenDialog
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner
    from tests.journey.test_plan_date_dialog import _steps

    adm = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    plan, first, second = plan_decision(db, adm), match_decision(db, adm), match_decision(db, adm, "CH-9")
    service.add_child(db, adm, ChildInput(reference="CH-1a", initials="A.B."), decision_id=plan)
    service.link_child(db, adm, "CH-1a", decision_id=first)
    dialog = ChildrenDialog(AppContext(db, adm, TaskRunner(synchronous=True)), None, decision_id=second)
    qtbot.addWidget(dialog)
    buttons: dict[str, str] = {}

    def enter(box: QMessageBox) -> None:
        buttons.update({b.objectName(): b.text() for b in box.findChildren(QPushButton) if b.objectName()})
        assert box.defaultButton() is box.escapeButton() is box.button(QMessageBox.StandardButton.Cancel)
        QTest.keyClick(box, Qt.Key.Key_Return)

    seen = _steps([(QMessageBox, enter)])
    dialog.link("CH-1a")
    assert f"already linked to match decision {first} for CH-1" in seen[0] and "nothing was linked" in seen[0]
    assert buttons["move_child_here"] == "&Move it here"
    assert dialog.model.rowCount() == 0 and [c.reference for c in service.list_children(
        db, adm, decision_id=first)] == ["CH-1a"]

    _steps([(QMessageBox, lambda box: box.findChild(QPushButton, "move_child_here").click())])
    dialog.link("CH-1a")
    assert dialog.model.rowCount() == 1 and service.list_children(db, adm, decision_id=first) == []
    assert [c.reference for c in service.list_children(db, adm, decision_id=plan)] == ["CH-1a"]
