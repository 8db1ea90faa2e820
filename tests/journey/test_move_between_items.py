"""Moving a child from one panel item to another. A match heard again at panel (deferred to a later sitting, or
the same case presented again) is the normal flow: the child goes on to the later hearing without a question.
Another case's item, or an earlier hearing while the child is on a later one, is asked about (``AlreadyLinked``),
as moving a child between ADM decisions is: before, any link to an item silently took the child off the item
it was on, even one a colleague had just linked it to. A move the person agreed to (``relink``) is asked about
again when the child was moved elsewhere after the question (``moving_from``), for decisions too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import service
from adoption_desktop.journey.service import AlreadyLinked, ChildInput
from tests.conftest import make_user


def item(db: Database, actor: Principal, reference: str, day: dt.date, deferred_from: int | None = None,
         position: int = 1) -> int:
    """A match item for case ``reference`` at a sitting on ``day`` (``deferred_from``: the item deferred to it)."""
    from adoption_desktop.panel.models import PanelItem, PanelSitting

    with db.session(actor) as session:
        sitting = PanelSitting(sitting_date=day)
        session.add(sitting)
        session.flush()
        row = PanelItem(sitting_id=sitting.id, case_type="match", subject_reference=reference,
                        deferred_from_id=deferred_from, position=position)
        session.add(row)
        session.flush()
        return row.id


def on_item(db: Database, actor: Principal, reference: str) -> int | None:
    return service.find_children(db, actor, reference)[0].match_item_id


def test_a_match_heard_again_takes_the_child_on_without_a_question(any_db: Database) -> None:
    panel = make_user(any_db, "paneladmin", Role.PANEL_ADMINISTRATOR)
    today = dt.date.today()
    first = item(any_db, panel, "M-1", today - dt.timedelta(days=90))
    # deferred twice (its case number retyped on the way: the deferrals still say it is the same case)
    deferred = item(any_db, panel, "M-1 deferred", today - dt.timedelta(days=60), deferred_from=first)
    twice = item(any_db, panel, "M-1", today - dt.timedelta(days=30), deferred_from=deferred)
    again = item(any_db, panel, "m-1", today - dt.timedelta(days=10))  # the same case presented again
    service.add_child(any_db, panel, ChildInput(reference="CH-7a", initials="A.B."), item_id=first)
    service.add_child(any_db, panel, ChildInput(reference="CH-7b", initials="C.D."), item_id=first)

    assert service.link_child(any_db, panel, "CH-7a", item_id=deferred).match_item_id == deferred
    assert service.link_child(any_db, panel, "CH-7a", item_id=twice).match_item_id == twice
    assert service.link_child(any_db, panel, "CH-7b", item_id=twice).match_item_id == twice  # two deferrals back
    assert service.link_child(any_db, panel, "CH-7a", item_id=again).match_item_id == again


def test_another_case_or_an_earlier_hearing_is_asked_about(any_db: Database) -> None:
    panel = make_user(any_db, "paneladmin", Role.PANEL_ADMINISTRATOR)
    today = dt.date.today()
    earlier = item(any_db, panel, "M-1", today - dt.timedelta(days=60))
    later = item(any_db, panel, "M-1", today - dt.timedelta(days=10), position=3)
    other_case = item(any_db, panel, "M-2", today - dt.timedelta(days=10))
    service.add_child(any_db, panel, ChildInput(reference="CH-7a", initials="A.B."), item_id=later)

    with pytest.raises(AlreadyLinked, match=r"already linked to item 3 \(M-1\) of the panel sitting of "
                                            rf"{today - dt.timedelta(days=10):%d/%m/%Y}.*nothing was linked") as err:
        service.link_child(any_db, panel, "CH-7a", item_id=earlier)
    assert (err.value.linked_to, err.value.on_item, err.value.field) == (later, True, "reference")
    with pytest.raises(AlreadyLinked):
        service.link_child(any_db, panel, "CH-7a", item_id=other_case)
    assert on_item(any_db, panel, "CH-7a") == later

    moved = service.link_child(any_db, panel, "CH-7a", item_id=other_case, relink=True, moving_from=later)
    assert moved.match_item_id == other_case
    from adoption_desktop.core.storage.lifecycle import verify_database

    assert verify_database(any_db).ok


def test_a_colleague_linked_the_child_elsewhere_meanwhile(db: Database, other_pc: Database) -> None:
    """Two PCs on one file. A's list is stale: B links the child to another case's item; A's link is asked about,
    not saved over B's. A agrees to move it off B's item; before A's answer, C (on B's PC) moves it to a third
    item: A's move is asked about again, naming the third item, and the child stays there."""
    a = make_user(db, "paneladmin", Role.PANEL_ADMINISTRATOR)
    b = make_user(db, "paneladmin2", Role.PANEL_ADMINISTRATOR)
    today = dt.date.today()
    mine = item(db, a, "M-1", today - dt.timedelta(days=20))
    theirs = item(db, a, "M-2", today - dt.timedelta(days=20), position=2)
    third = item(db, a, "M-3", today - dt.timedelta(days=20), position=5)
    service.add_child(db, a, ChildInput(reference="CH-7a", initials="A.B."), item_id=mine)
    service.link_child(other_pc, b, "CH-7a", item_id=theirs, relink=True)

    with pytest.raises(AlreadyLinked, match=r"already linked to item 2 \(M-2\)") as asked:
        service.link_child(db, a, "CH-7a", item_id=mine)
    assert on_item(other_pc, b, "CH-7a") == theirs

    service.link_child(other_pc, b, "CH-7a", item_id=third, relink=True)
    with pytest.raises(AlreadyLinked, match=r"already linked to item 5 \(M-3\)"):
        service.link_child(db, a, "CH-7a", item_id=mine, relink=True, moving_from=asked.value.linked_to)
    assert on_item(db, a, "CH-7a") == third


def test_a_move_agreed_for_one_decision_is_asked_again_when_the_child_moved_since(any_db: Database) -> None:
    from tests.journey.test_match_decision_link import match_decision

    adm = make_user(any_db, "decider", Role.AGENCY_DECISION_MAKER)
    first, second, third = (match_decision(any_db, adm, ref) for ref in ("CH-1", "CH-2", "CH-3"))
    service.add_child(any_db, adm, ChildInput(reference="CH-7a", initials="A.B."), decision_id=first)
    with pytest.raises(AlreadyLinked) as asked:
        service.link_child(any_db, adm, "CH-7a", decision_id=second)
    service.link_child(any_db, adm, "CH-7a", decision_id=third, relink=True)  # a colleague, meanwhile

    with pytest.raises(AlreadyLinked, match=rf"match decision {third} for CH-3"):
        service.link_child(any_db, adm, "CH-7a", decision_id=second, relink=True, moving_from=asked.value.linked_to)
    assert service.find_children(any_db, adm, "CH-7a")[0].match_decision_id == third


def test_the_panel_items_children_dialog_asks_and_enter_cancels(db: Database, qtbot: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox, QPushButton

    from adoption_desktop.journey.views.children import ChildrenDialog
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner
    from tests.journey.test_plan_date_dialog import _steps

    panel = make_user(db, "paneladmin", Role.PANEL_ADMINISTRATOR)
    today = dt.date.today()
    mine = item(db, panel, "M-1", today - dt.timedelta(days=20))
    theirs = item(db, panel, "M-2", today - dt.timedelta(days=20), position=2)
    service.add_child(db, panel, ChildInput(reference="CH-7a", initials="A.B."), item_id=theirs)
    dialog = ChildrenDialog(AppContext(db, panel, TaskRunner(synchronous=True)), None, item_id=mine)
    qtbot.addWidget(dialog)
    titles: list[str] = []

    def enter(box: QMessageBox) -> None:
        titles.append(box.windowTitle())
        QTest.keyClick(box, Qt.Key.Key_Return)

    seen = _steps([(QMessageBox, enter)])
    dialog.link("CH-7a")
    assert "already linked to item 2 (M-2)" in seen[0] and titles == ["Child already linked to another panel item"]
    assert dialog.model.rowCount() == 0 and on_item(db, panel, "CH-7a") == theirs

    _steps([(QMessageBox, lambda box: box.findChild(QPushButton, "move_child_here").click())])
    dialog.link("CH-7a")
    assert [c.reference for c in dialog.model.rows()] == ["CH-7a"] and on_item(db, panel, "CH-7a") == mine
