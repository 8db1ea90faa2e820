"""User trial: the journey editors' red message stayed after the field it names was corrected (the counselling
forms clear theirs). They now use the same mechanism (``ui.field_message.ClearWhenChanged``): typing in the field
the refusal names takes the message away; typing elsewhere leaves it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtTest import QTest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import service
from adoption_desktop.journey.views.adopters import HouseholdEditor
from adoption_desktop.journey.views.children import ChildEditor
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.discard_answers import answer_question


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_the_household_editor_message_clears_when_its_field_is_edited(db: Database, qtbot: Any) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    editor = HouseholdEditor(AppContext(db, clerk, TaskRunner(synchronous=True)), None)
    qtbot.addWidget(editor)
    editor.show()
    today = dt.date.today()
    editor.edits["reference"].setText("HH-CLEAR")
    editor.edits["registered_on"].setText(_d(today - dt.timedelta(days=100)))
    editor.edits["stage1_completed_on"].setText(_d(today - dt.timedelta(days=40)))
    editor.edits["stage2_started_on"].setText(_d(today - dt.timedelta(days=50)))
    asked: list[str] = []
    try:
        assert editor.save() is None
        assert editor.message.text().startswith("Stage 2 started:")
        assert editor.focusWidget() is editor.edits["stage2_started_on"]
        QTest.keyClicks(editor.edits["reference"], "x")  # another field: the message stays
        assert editor.message.text().startswith("Stage 2 started:")
        QTest.keyClicks(editor.edits["stage2_started_on"], "1")
        assert editor.message.text() == ""
    finally:
        answer_question("Discard", asked)
        editor.reject()


def test_the_child_editor_message_clears_when_its_field_is_edited(qtbot: Any) -> None:
    editor = ChildEditor(None, None)
    qtbot.addWidget(editor)
    editor.show()
    today = dt.date.today()
    editor.texts["reference"].setText("CH-CLEAR")
    editor.dates["date_of_birth"].setText(_d(today - dt.timedelta(days=30 * 366)))
    editor.dates["adoption_order_on"].setText(_d(today - dt.timedelta(days=3)))
    asked: list[str] = []
    try:
        with pytest.raises(ValidationError) as refused:
            service.validate(editor.value(), today)
        editor.show_problem(refused.value)  # as the Children dialog's save loop does
        assert editor.message.text().startswith("Adoption order:")
        assert editor.focusWidget() is editor.dates["adoption_order_on"]
        QTest.keyClicks(editor.texts["initials"], "A")
        assert editor.message.text().startswith("Adoption order:")
        QTest.keyClicks(editor.dates["adoption_order_on"], "1")
        assert editor.message.text() == ""
        # a date that cannot be read is keyed by its field too: the cursor goes there, and the message clears
        editor.dates["placed_on"].setText("31/02/2020")
        with pytest.raises(ValidationError) as unread:
            editor.value()
        editor.show_problem(unread.value)
        assert editor.message.text() and editor.focusWidget() is editor.dates["placed_on"]
        QTest.keyClicks(editor.dates["placed_on"], "0")
        assert editor.message.text() == ""
    finally:
        answer_question("Discard", asked)
        editor.reject()


def test_an_item_of_another_household_is_refused_at_the_item_list(db: Database, qtbot: Any) -> None:
    from adoption_desktop.journey import adopters
    from adoption_desktop.journey.service import AdopterStages
    from adoption_desktop.panel import service as svc

    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    sat = dt.date.today() - dt.timedelta(days=30)
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(sat, venue="Room 2, Civic Centre"))[0]
    item = svc.add_item(db, clerk, sitting, svc.ItemInput("approval", "AD-2026-0061", "AB/CD", "Jay Quillby"))
    registered = sat - dt.timedelta(days=150)
    adopters.add_household(db, clerk, AdopterStages("HH-61", registered, approval_item_id=item))
    mine = adopters.add_household(db, clerk, AdopterStages("HH-62", registered))
    editor = HouseholdEditor(AppContext(db, clerk, TaskRunner(synchronous=True)), mine)
    qtbot.addWidget(editor)
    editor.show()
    asked: list[str] = []
    try:
        editor.item.setCurrentIndex(editor.item.findData(item))
        assert editor.save() is None
        assert "already linked to household HH-61" in editor.message.text()
        assert editor.focusWidget() is editor.item
        editor.item.setCurrentIndex(0)
        assert editor.message.text() == ""
        assert adopters.get_household(db, clerk, mine.id).approval_item_id is None
    finally:
        answer_question("Discard", asked)
        editor.reject()
