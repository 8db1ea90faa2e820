"""The Children dialog from the keyboard: add a child with dates typed, a bad date keeps the editor open
with a message naming the field, edit, link an existing child."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import service
from adoption_desktop.journey.views.children import ChildEditor, ChildrenDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.journey.test_plan_date_dialog import _steps


def _plan(db: Database, adm: Principal) -> int:
    from adoption_desktop.adm.service import open_direct_decision

    return open_direct_decision(db, adm, decision_type="plan_for_adoption", subject_reference="CH-5",
                                subject_initials="J.K.", received_on=dt.date(2026, 1, 5),
                                proposal="That the child should be placed for adoption.", social_worker="Sam Worker")


def _fill(steps: list[dict[str, str]]) -> None:
    """Fill the open child editor with each set of values in turn and press Save."""
    def go() -> None:
        editor = next((w for w in QApplication.topLevelWidgets() if isinstance(w, ChildEditor) and w.isVisible()),
                      None)
        if editor is None:
            QTimer.singleShot(20, go)
            return
        values = steps.pop(0)
        for name, text in values.items():
            (editor.texts.get(name) or editor.dates[name]).setText(text)
        editor.accept()
        if steps:
            QTimer.singleShot(50, go)
    QTimer.singleShot(0, go)


def test_add_edit_and_link_from_the_dialog(db: Database, qtbot: Any) -> None:
    adm = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    plan = _plan(db, adm)
    ctx = AppContext(db, adm, TaskRunner(synchronous=True))
    dialog = ChildrenDialog(ctx, None, decision_id=plan, title="CH-5")
    qtbot.addWidget(dialog)
    messages: list[str] = []

    def first_bad_then_good() -> None:
        editor = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ChildEditor) and w.isVisible())
        editor.texts["reference"].setText("CH-5a")
        editor.dates["entered_care_on"].setText("31/02/2025")  # no such day
        editor.accept()

        def fix() -> None:
            messages.append(editor.message.text())
            editor.dates["entered_care_on"].setText("01/03/2025")
            editor.dates["plan_decided_on"].setText("09/01/2026")
            editor.accept()
        QTimer.singleShot(50, fix)

    QTimer.singleShot(50, first_bad_then_good)
    dialog.add()
    assert "Entered care: '31/02/2025' is not a date" in messages[0]
    assert dialog.model.rowCount() == 1
    row = dialog.model.row_at(0)
    assert row.reference == "CH-5a" and row.entered_care_on == dt.date(2025, 3, 1)

    _fill([{"placement_order_on": "02/03/2026"}])
    dialog.edit()
    saved = service.list_children(db, adm, decision_id=plan)
    assert saved[0].placement_order_on == dt.date(2026, 3, 2) and saved[0].row_version == 2

    other = _plan(db, adm)
    second = ChildrenDialog(ctx, None, decision_id=other)
    qtbot.addWidget(second)
    asked = _steps([(QMessageBox, lambda box: box.findChild(QPushButton, "move_child_here").click())])
    second.link("ch-5a")  # CH-5a is on the first plan decision: moving it is asked (not done unasked)
    assert f"already linked to plan decision {plan}" in asked[0]
    assert second.model.rowCount() == 1
    assert ChildEditor(None, None).result() == QDialog.DialogCode.Rejected


def test_journey_dates_are_read_as_typed_in_every_common_way() -> None:
    """The journey's typed dates use the same reading as every date field (user trial r2): separators
    other than "/" and eight digits are the date typed; a year outside the range is refused."""
    from adoption_desktop.core.errors import ValidationError
    from adoption_desktop.journey.views.children import parse_date

    for text in ("20-06-2025", "20.6.2025", "20 06 2025", "20062025", "2025-06-20", " 20/6/2025 "):
        assert parse_date(text, "Entered care") == dt.date(2025, 6, 20), text
    assert parse_date("  ", "Entered care") is None
    for text, why in (("1/1/1850", "1900–2199"), ("20/6/25", "year in full")):
        try:
            parse_date(text, "Entered care")
        except ValidationError as exc:
            assert str(exc).startswith("Entered care:") and why in str(exc) and "leave it blank" in str(exc)
        else:
            raise AssertionError(text)
