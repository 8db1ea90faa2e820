"""The ADM page's message line, from a tester's trial: "Open final decision" pressed before the notice was
recorded as sent said "(letter 149, dated 05/12/2026)" — a record number no screen shows — and that refusal
was still the line's text after a new decision without panel had been opened successfully. The notice is
named by its kind and date, and the line is emptied when a later action succeeds or another decision is
opened."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QDialog

from adoption_desktop.adm.views import page as page_module
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.adm.test_qd_clock import proposal

TODAY = dt.date(2025, 12, 3)


def _refused_final(db: Database, adm: Principal, qtbot: Any) -> tuple[AdmPage, int, int]:
    """The page after "Open final decision" was refused on a proposal whose notice is not recorded as sent:
    (page, the proposal, another decision waiting)."""
    res = proposal(db, adm)  # signed 1 December 2025, its notice filed and not yet sent
    with db.session() as s:
        other = open_from_panel(s, handoff(received=dt.date(2025, 12, 2), ref="ADP-2025-0777"))
    page = AdmPage(AppContext(db, adm, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.show()
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    assert page.select_decision(res.decision_id)
    page.detail.open_final()
    said = page.message.text()
    assert page.message.isVisible() and "not recorded as sent" in said
    assert "qualifying determination notice dated 1 December 2025" in said
    assert f"letter {res.letter_id}" not in said and "(letter" not in said
    return page, res.decision_id, other


def test_the_refusal_names_the_notice_by_its_date_and_goes_when_another_decision_is_opened(
        db: Database, adm_user: Principal, qtbot: Any) -> None:
    page, _proposal, other = _refused_final(db, adm_user, qtbot)
    assert page.select_decision(other)
    assert page.message.text() == "" and not page.message.isVisible()


def test_the_refusal_goes_when_a_new_decision_is_opened(db: Database, adm_user: Principal, qtbot: Any,
                                                        monkeypatch: Any) -> None:
    page, _proposal, _other = _refused_final(db, adm_user, qtbot)
    filled: list[str] = []

    def fill(dlg: Any) -> int:
        if filled:  # opened: not asked again
            return QDialog.DialogCode.Rejected
        dlg.decision_type.setCurrentIndex(dlg.decision_type.findData("plan_for_adoption"))
        dlg.reference.setText("AD-2025-0778")
        dlg.initials.setText("JS")
        dlg.proposal.setPlainText("The child should be placed for adoption.")
        dlg.reasons.setPlainText("Care plan.")
        dlg.social_worker.setText("Jo Worker")
        filled.append("filled")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(page_module.NewDecisionDialog, "exec", fill)
    page.new_decision()
    assert filled == ["filled"]
    assert page.detail.detail is not None and page.detail.detail.row.subject_reference == "AD-2025-0778"
    assert page.message.text() == "" and not page.message.isVisible()
