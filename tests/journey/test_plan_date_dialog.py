"""The Children dialog asks, from the keyboard, when a child's plan date differs from the date of the signed
plan-for-adoption decision: Enter uses the decision's date, Esc goes back to the form at the plan date, Save
anyway keeps the date typed; linking a child asks the same (after asking whether to move it from the decision it
is on)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton, QWidget

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import service
from adoption_desktop.journey.views.children import ChildEditor, ChildrenDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

SIGNED_ON = dt.date(2026, 1, 12)


#: the questions the steps answer: the plan date differs; the child is already linked to another decision
QUESTIONS = ("plan_date_differs", "child_already_linked")


def _steps(steps: list[tuple[type[QWidget], Callable[[Any], None]]]) -> list[str]:
    """Run each step on the next visible window of its kind (a child editor or the question), in turn; the
    question's text is collected. A window that never comes (3 s) ends the run: the windows open are closed
    and "missing" is collected, so the test fails rather than waits."""
    seen: list[str] = []
    waited = [0]

    def go() -> None:
        if not steps:
            return
        kind, act = steps[0]
        found = next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)
        if found is None or (kind is QMessageBox and found.objectName() not in QUESTIONS):
            waited[0] += 1
            if waited[0] > 150:
                seen.append(f"missing: {kind.__name__}")
                steps.clear()
                for w in QApplication.topLevelWidgets():
                    if isinstance(w, ChildEditor | QMessageBox) and w.isVisible():
                        QDialog.reject(w)  # closed without the "Discard what you typed?" question: the test ends
                return
            QTimer.singleShot(20, go)
            return
        waited[0] = 0
        steps.pop(0)
        if isinstance(found, QMessageBox):
            seen.append(found.text())
        act(found)
        QTimer.singleShot(20, go)

    QTimer.singleShot(0, go)
    return seen


def _type(values: dict[str, str]) -> Callable[[ChildEditor], None]:
    def act(editor: ChildEditor) -> None:
        for name, text in values.items():
            (editor.texts.get(name) or editor.dates[name]).setText(text)
        editor.accept()
    return act


def test_the_question_from_the_keyboard(db: Database, qtbot: Any) -> None:
    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.adm.service import open_direct_decision
    from adoption_desktop.core.storage.base import utcnow

    adm = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    plan = open_direct_decision(db, adm, decision_type="plan_for_adoption", subject_reference="CH-5",
                                subject_initials="J.K.", received_on=dt.date(2026, 1, 5),
                                proposal="That the child should be placed for adoption.", social_worker="Sam Worker")
    with db.session(adm) as session:  # as signing leaves it (signing itself is tested in tests/adm)
        d = session.get(AdmDecision, plan)
        assert d is not None
        d.outcome, d.decided_on, d.signed_at, d.state = "agree", SIGNED_ON, utcnow(), "signed"
    dialog = ChildrenDialog(AppContext(db, adm, TaskRunner(synchronous=True)), None, decision_id=plan, title="CH-5")
    qtbot.addWidget(dialog)
    back_at: list[str] = []

    def question_keys(box: QMessageBox) -> None:
        buttons = {b.objectName(): b.text() for b in box.findChildren(QPushButton) if b.objectName()}
        assert buttons["use_decision_date"] == "&Use the decision's date (12/01/2026)"
        assert buttons["save_anyway"] == "&Save anyway"
        assert box.defaultButton().objectName() == "use_decision_date"
        assert box.escapeButton() is box.button(QMessageBox.StandardButton.Cancel)
        QTest.keyClick(box, Qt.Key.Key_Escape)  # Cancel: back to the form

    def back_then_enter(editor: ChildEditor) -> None:
        back_at.append(editor.message.text())
        back_at.append(QApplication.focusWidget().objectName() if QApplication.focusWidget() else "")
        editor.accept()

    seen = _steps([(ChildEditor, _type({"reference": "CH-5a", "entered_care_on": "01/03/2025",
                                        "plan_decided_on": "14/01/2026"})),
                   (QMessageBox, question_keys),
                   (ChildEditor, back_then_enter),
                   (QMessageBox, lambda box: QTest.keyClick(box, Qt.Key.Key_Return))])  # the default: use it
    dialog.add()
    assert seen[0].startswith("Decision that adoption is the plan: 14/01/2026 differs from the date of decision "
                              f"{plan} for CH-5 (12/01/2026)")
    assert back_at[0] == seen[0] and back_at[1] == "plan_decided_on"
    [child] = service.list_children(db, adm, decision_id=plan)
    assert child.plan_decided_on == SIGNED_ON and dialog.model.rowCount() == 1

    _steps([(ChildEditor, _type({"plan_decided_on": "15/01/2026"})),
            (QMessageBox, lambda box: box.findChild(QPushButton, "save_anyway").click())])
    dialog.edit()
    [child] = service.list_children(db, adm, decision_id=plan)
    assert child.plan_decided_on == dt.date(2026, 1, 15)  # kept as typed, confirmed

    other = open_direct_decision(db, adm, decision_type="plan_for_adoption", subject_reference="CH-6",
                                 subject_initials="J.K.", received_on=dt.date(2026, 1, 5),
                                 proposal="That the child should be placed for adoption.", social_worker="Sam Worker")
    with db.session(adm) as session:
        d = session.get(AdmDecision, other)
        assert d is not None
        d.outcome, d.decided_on, d.signed_at, d.state = "agree", dt.date(2026, 1, 20), utcnow(), "signed"
    second = ChildrenDialog(AppContext(db, adm, TaskRunner(synchronous=True)), None, decision_id=other)
    qtbot.addWidget(second)
    # CH-5a is on the first plan decision: moving it is asked first (Move it here), then the plan date
    seen = _steps([(QMessageBox, lambda box: box.findChild(QPushButton, "move_child_here").click()),
                   (QMessageBox, lambda box: QTest.keyClick(box, Qt.Key.Key_Return))])
    second.link("CH-5a")
    assert f"already linked to plan decision {plan} for CH-5" in seen[0]
    assert "15/01/2026 differs" in seen[1] and "(20/01/2026)" in seen[1]
    assert second.model.row_at(0).plan_decided_on == dt.date(2026, 1, 20)  # linked with the decision's date
