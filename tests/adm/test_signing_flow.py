"""Signing a decision as an ADM does it, from a user trial: the outcome a decision starts on can be signed,
the sentence on the letter follows the outcome, anything that would refuse the signature is said before
the password is asked for, and a wrong password is said in the dialog with what was typed kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adoption_desktop.adm import rules
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.views import detail as detail_module
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD

TODAY = dt.date(2025, 12, 3)
REASONS = "The assessment does not yet show the applicants can meet a child's needs."


def _page(db: Database, who: Principal, qtbot: Any) -> AdmPage:
    page = AdmPage(AppContext(db, who, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    return page


def _not_suitable(db: Database, received: dt.date = dt.date(2025, 12, 2)) -> int:
    with db.session() as s:
        return open_from_panel(s, handoff(received=received, recommendation="not_suitable"))


def test_a_not_suitable_recommendation_opens_as_a_proposal_not_to_approve(
        db: Database, adm_user: Principal, qtbot: Any) -> None:
    decision = _not_suitable(db)
    page = _page(db, adm_user, qtbot)
    detail = page.detail
    assert detail.detail is not None and detail.detail.row.id == decision
    assert detail.outcome.currentData() == rules.OUTCOME_NOT_APPROVE
    assert detail.decision_text.toPlainText() == "I propose that you are not suitable to adopt a child."
    # the program's sentence follows the outcome; the record and the letter say the same
    detail.outcome.setCurrentIndex(detail.outcome.findData(rules.OUTCOME_DIFFER))
    assert detail.decision_text.toPlainText() == "I have decided that you are suitable to adopt a child."
    # the ADM's own words are never replaced
    detail.decision_text.setPlainText("I have decided, on the further reports, that you may adopt.")
    detail.outcome.setCurrentIndex(detail.outcome.findData(rules.OUTCOME_NOT_APPROVE))
    assert detail.decision_text.toPlainText() == "I have decided, on the further reports, that you may adopt."


def test_what_would_refuse_the_signature_is_said_before_the_password(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: Any) -> None:
    decision = _not_suitable(db)
    page = _page(db, adm_user, qtbot)
    asked: list[str] = []
    monkeypatch.setattr(detail_module.SignDialog, "exec", lambda dialog: asked.append("asked") or 0)
    page.detail.outcome.setCurrentIndex(page.detail.outcome.findData(rules.OUTCOME_AGREE))
    page.detail.sign()
    assert asked == [] and "Propose not to approve" in page.message.text()
    page.detail.outcome.setCurrentIndex(page.detail.outcome.findData(rules.OUTCOME_NOT_APPROVE))
    page.detail.sign()  # no reasons yet: they go to the applicants
    assert asked == [] and "Reasons" in page.message.text()
    page.detail.decision_reasons.setPlainText(REASONS)
    page.detail.sign()
    assert asked == ["asked"]  # now it can be signed: the password is asked for (and cancelled here)
    with db.session() as s:
        assert s.get(AdmDecision, decision).signed_at is None


def test_a_wrong_password_is_said_in_the_same_dialog_keeping_the_reason_for_delay(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: Any) -> None:
    decision = _not_suitable(db, received=dt.date(2025, 11, 20))  # due 1 December: signed late
    page = _page(db, adm_user, qtbot)
    page.detail.decision_reasons.setPlainText(REASONS)
    shown: list[tuple[str, str, bool]] = []

    def fake_exec(dialog: Any) -> int:
        dialog.delay_reason.setPlainText("The chair was away; the minutes came late.")
        dialog.password.setText("not the password")
        dialog.accept()  # refused: said in this dialog, which stays (it closed and a new one opened before)
        shown.append((dialog.error.text() if dialog.error.isVisibleTo(dialog) else "",
                      dialog.delay_reason.toPlainText(), dialog.result() == 1))
        dialog.password.setText(TEST_PASSWORD)
        dialog.accept()
        return int(dialog.result())

    monkeypatch.setattr(detail_module.SignDialog, "exec", fake_exec)
    page.detail.sign()
    assert len(shown) == 1  # one dialog
    assert "not your password" in shown[0][0]
    assert shown[0][1] == "The chair was away; the minutes came late."  # kept
    assert not shown[0][2]  # not closed
    with db.session() as s:
        signed = s.get(AdmDecision, decision)
        assert signed.signed_at is not None and signed.outcome == rules.OUTCOME_NOT_APPROVE
        assert signed.decision_text == "I propose that you are not suitable to adopt a child."
        assert signed.delay_reason == "The chair was away; the minutes came late."


def test_outcomes_the_law_rules_out_are_greyed_with_the_reason(db: Database, adm_user: Principal, qtbot: Any) -> None:
    """User trial: "Decide differently" on a positive recommendation turned the sentence into "no longer
    suitable" and led to a refusal only at signing. Such outcomes are offered greyed, the reason as tooltip."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QStandardItemModel

    with db.session() as s:
        open_from_panel(s, handoff(received=dt.date(2025, 12, 2), recommendation="suitable"))
    page = _page(db, adm_user, qtbot)
    combo = page.detail.outcome
    model = combo.model()
    assert isinstance(model, QStandardItemModel)

    def offered(code: str) -> bool:
        return model.item(combo.findData(code)).isEnabled()

    assert offered(rules.OUTCOME_AGREE) and offered(rules.OUTCOME_NOT_APPROVE) and not offered(rules.OUTCOME_DIFFER)
    tip = combo.itemData(combo.findData(rules.OUTCOME_DIFFER), Qt.ItemDataRole.ToolTipRole)
    assert "choose 'Propose not to approve (qualifying determination)'" in tip
    # a negative recommendation: agreeing is the one ruled out (a proposal is needed), deciding differently is not
    negative = _not_suitable(db)
    page.reload()
    assert page.select_decision(negative)
    assert not offered(rules.OUTCOME_AGREE) and offered(rules.OUTCOME_DIFFER) and offered(rules.OUTCOME_NOT_APPROVE)
