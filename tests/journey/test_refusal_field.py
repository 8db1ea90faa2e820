"""A refused child or household names the form's own field, so the editor puts the cursor in it and the person
types the fix at once. The text fields were refused under their labels ("Child's reference", "Initials",
"Notes", "Household reference"), which no field of the editors is keyed by: the message appeared under the form
but the cursor stayed on Save, and a keyboard user had to find the field by Tab (the dates were keyed already)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import adopters, service
from adoption_desktop.journey.service import AdopterStages, ChildInput
from adoption_desktop.journey.views.adopters import HouseholdEditor
from adoption_desktop.journey.views.children import ChildEditor, ChildrenDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.discard_answers import answer_question

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(("field", "typed"), [
    ("reference", ""), ("reference", "=CH-1"), ("reference", "C" * 50), ("initials", "=A.B."),
    ("ethnicity", "x" * 61), ("disability", "x" * 121), ("sibling_group", "=SG"), ("notes", "x" * 4001)])
def test_a_child_refused_names_the_field(field: str, typed: str) -> None:
    values: dict[str, Any] = {"reference": "CH-1", field: typed}
    with pytest.raises(ValidationError) as refused:
        service.validate(ChildInput(**values), TODAY)
    assert refused.value.field == field, str(refused.value)


@pytest.mark.parametrize("typed", ["", "=HH-1", "H" * 41])
def test_a_household_refused_names_the_field(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        adopters.validate(AdopterStages(typed, dt.date(2026, 1, 5)), TODAY)
    assert refused.value.field == "reference", str(refused.value)


def test_the_editors_put_the_cursor_in_the_field_refused(db: Database, qtbot: Any) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    ctx = AppContext(db, clerk, TaskRunner(synchronous=True))
    editor = HouseholdEditor(ctx, None)
    qtbot.addWidget(editor)
    editor.show()
    editor.edits["reference"].setText("=HH-1")
    editor.edits["registered_on"].setText("05/01/2026")
    editor.edits["registered_on"].setFocus()
    asked: list[str] = []
    try:
        assert editor.save() is None
        assert "Household reference: cannot begin with '='" in editor.message.text()
        assert editor.focusWidget() is editor.edits["reference"]  # the window's own focus (active or not)
    finally:
        answer_question("Discard", asked)  # "Discard what you typed?" as the editor closes: the test is done
        editor.reject()

    item = _match_item(db, clerk)
    children = ChildrenDialog(ctx, None, item_id=item, title="CH-1")
    qtbot.addWidget(children)
    seen: list[tuple[str, object]] = []

    def type_and_save() -> None:
        child = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ChildEditor) and w.isVisible())
        child.texts["reference"].setText("CH-1a")
        child.texts["initials"].setText("=A.B.")
        child.notes.setFocus()
        child.accept()

        def look() -> None:
            seen.append((child.message.text(), child.focusWidget()))
            answer_question("Discard", asked)  # "Discard what you typed?": yes, the test is done with it
            child.reject()
        QTimer.singleShot(50, look)
    QTimer.singleShot(50, type_and_save)
    children.add()
    (message, focused), = seen
    assert message.startswith("Initials: cannot begin with '='")
    assert isinstance(focused, QLineEdit) and focused.objectName() == "initials"
    assert service.list_children(db, clerk, item_id=item) == []


def _match_item(db: Database, actor: Principal) -> int:
    from adoption_desktop.panel.models import PanelItem, PanelSitting

    with db.session(actor) as session:
        sitting = PanelSitting(sitting_date=dt.date(2026, 4, 1))
        session.add(sitting)
        session.flush()
        item = PanelItem(sitting_id=sitting.id, case_type="match", subject_reference="CH-1")
        session.add(item)
        session.flush()
        return item.id
