"""Signing and correcting a decision: the dialog stays open while the password is checked and the decision
signed (on the runner's worker thread), saying "Checking your password…", every button greyed (the worker
commits the signature: a Cancel could not take it back). Before, the dialog closed as Sign was pressed, the
check ran with nothing on the screen, and a wrong password opened a new dialog: it vanished and came back. A
wrong password or a missing reason is now said in the same dialog, the cursor in the field, and the dialog
closes only when signed; a decision signed on another PC meanwhile is refused once, signed once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from adoption_desktop.adm import rules, service
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.views import detail as detail_module
from adoption_desktop.adm.views.dialogs import SignDialog
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.ok_on_worker import CHECKING_PASSWORD
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD
from tests.password_hold import HeldCheck, actions_since, last_seq, press_while_held

TODAY = dt.date(2025, 12, 3)
REASONS = "The assessment does not yet show the applicants can meet a child's needs."
DELAY = "The chair was away; the minutes came late."


def _page(db: Database, who: Principal, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
          opened: list[SignDialog], *, waiting: bool = True, today: dt.date = TODAY) -> AdmPage:
    """The ADM page on a real worker-thread runner; the sign dialog opened without blocking the test (as
    ``open()``, not ``exec()``): ``opened`` gets each dialog made."""
    page = AdmPage(AppContext(db, who, TaskRunner()), today=today)
    qtbot.addWidget(page)
    page.show()

    def open_it(dialog: Any) -> bool:
        assert isinstance(dialog, SignDialog)
        opened.append(dialog)
        dialog.open()
        return False

    monkeypatch.setattr(detail_module, "run_modal", open_it)
    if waiting:  # a decision waiting to be signed is opened, loaded on the worker
        qtbot.waitUntil(lambda: page.detail.detail is not None, timeout=10000)
    else:  # the queue's load done and shown before the test opens a decision of its own
        page.ctx.tasks.wait()
        QApplication.processEvents()
    return page


def _late_decision(db: Database) -> int:
    """Received 20 November, due 1 December: signed on 3 December it is late and needs a reason for delay."""
    with db.session() as s:
        return open_from_panel(s, handoff(received=dt.date(2025, 11, 20), recommendation="not_suitable"))


def _signed(db: Database, decision: int) -> AdmDecision:
    with db.session() as s:
        row = s.get(AdmDecision, decision)
        assert row is not None
        s.expunge(row)
        return row


def _ok(dialog: SignDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_a_wrong_password_is_said_in_the_dialog_that_stays_open_while_it_is_checked(
        db: Database, adm_user: Principal, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = _late_decision(db)
    opened: list[SignDialog] = []
    page = _page(db, adm_user, qtbot, monkeypatch, opened)
    page.detail.decision_reasons.setPlainText(REASONS)
    page.detail.sign()
    [dialog] = opened
    dialog.delay_reason.setPlainText(DELAY)
    dialog.password.setText("not the password")
    held = HeldCheck(monkeypatch)
    before = last_seq(db)
    press_while_held(qtbot, held, dialog, dialog.password,
                     lambda: qtbot.keyClick(dialog.password, Qt.Key.Key_Return), dialog.accept,
                     says=CHECKING_PASSWORD)
    # the same dialog, open, saying it; what was typed kept, the password selected to be typed over
    assert opened == [dialog] and dialog.isVisible()
    assert "not your password" in dialog.error.text() and dialog.error.isVisibleTo(dialog)
    assert "4 attempts left" in dialog.error.text()  # counted once
    assert dialog.delay_reason.toPlainText() == DELAY
    assert dialog.focusWidget() is dialog.password and dialog.password.selectedText() == "not the password"
    assert all(b.isEnabled() for b in dialog.buttons.buttons()) and not dialog.password.isReadOnly()
    assert _signed(db, decision).signed_at is None
    assert [a for a in actions_since(db, before) if a in ("sign_in_failed", "sign")] == ["sign_in_failed"]
    # the right one: signed, the dialog closed, the pane showing it signed
    dialog.password.setText(TEST_PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert dialog.result() == 1 and opened == [dialog]
    signed = _signed(db, decision)
    assert signed.signed_at is not None and signed.outcome == rules.OUTCOME_NOT_APPROVE
    assert signed.delay_reason == DELAY
    assert actions_since(db, before).count("sign") == 1
    qtbot.waitUntil(lambda: page.detail.detail is not None and page.detail.detail.signed_at is not None,
                    timeout=10000)


def test_a_missing_reason_for_delay_is_said_in_the_dialog_the_cursor_in_it(
        db: Database, adm_user: Principal, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    decision = _late_decision(db)
    opened: list[SignDialog] = []
    page = _page(db, adm_user, qtbot, monkeypatch, opened)
    page.detail.decision_reasons.setPlainText(REASONS)
    page.detail.sign()
    [dialog] = opened
    dialog.password.setText(TEST_PASSWORD)
    before = last_seq(db)
    _ok(dialog)
    assert dialog.checking  # on the worker, the dialog open
    qtbot.waitUntil(lambda: not dialog.checking, timeout=10000)
    assert dialog.isVisible() and opened == [dialog]
    assert "delay" in dialog.error.text().lower() and dialog.focusWidget() is dialog.delay_reason
    assert _signed(db, decision).signed_at is None
    assert "sign_in_failed" not in actions_since(db, before)  # refused before the password was tried
    dialog.delay_reason.setPlainText(DELAY)
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert _signed(db, decision).delay_reason == DELAY and actions_since(db, before).count("sign") == 1


def test_a_correction_says_a_wrong_password_and_a_missing_reason_in_the_same_dialog(
        db: Database, adm_user: Principal, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    with db.session() as s:
        decision = open_from_panel(s, handoff(received=dt.date(2025, 12, 2)))
    service.record_decision(db, adm_user, decision, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    service.sign_decision(db, adm_user, decision, TEST_PASSWORD, TODAY)
    opened: list[SignDialog] = []
    page = _page(db, adm_user, qtbot, monkeypatch, opened, waiting=False)
    page.detail.show_detail(service.get_decision(db, adm_user, decision, TODAY))
    page.detail.correct()  # step one: the fields open
    page.detail.decision_text.setPlainText("Approved as suitable to adopt up to two children.")
    page.detail.correct()
    [dialog] = opened
    dialog.reason.setPlainText("The number of children was left out.")
    dialog.password.setText("not the password")
    held = HeldCheck(monkeypatch)
    before = last_seq(db)
    press_while_held(qtbot, held, dialog, dialog.password, lambda: _ok(dialog), dialog.accept,
                     says=CHECKING_PASSWORD)
    assert dialog.isVisible() and opened == [dialog] and "not your password" in dialog.error.text()
    assert dialog.focusWidget() is dialog.password
    assert dialog.reason.toPlainText() == "The number of children was left out."
    dialog.reason.setPlainText("")  # no reason: said there, the cursor in it
    dialog.password.setText(TEST_PASSWORD)
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.checking, timeout=10000)
    assert dialog.isVisible() and "Reason for correction" in dialog.error.text()
    assert dialog.focusWidget() is dialog.reason
    dialog.reason.setPlainText("The number of children was left out.")
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert actions_since(db, before).count("correct") == 1
    with db.session() as s:
        newest = s.query(AdmDecision).order_by(AdmDecision.id.desc()).first()
        assert newest is not None and newest.supersedes_id == decision
        assert newest.correction_reason == "The number of children was left out."


def test_two_pcs_a_decision_signed_on_the_other_meanwhile_is_refused_once_signed_once(
        db: Database, other_pc: Database, adm_user: Principal, qtbot: QtBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with db.session() as s:
        decision = open_from_panel(s, handoff(received=dt.date(2025, 12, 2), recommendation="not_suitable"))
    opened: list[SignDialog] = []
    page = _page(db, adm_user, qtbot, monkeypatch, opened)
    page.detail.decision_reasons.setPlainText(REASONS)
    page.detail.sign()
    [dialog] = opened
    dialog.password.setText(TEST_PASSWORD)
    before = last_seq(db)
    # meanwhile, on the other PC, the same decision is signed
    service.sign_decision(other_pc, adm_user, decision, TEST_PASSWORD, TODAY)
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)  # refused: nothing to type again
    assert dialog.result() == 0 and opened == [dialog]
    qtbot.waitUntil(lambda: page.message.isVisible() and "signed" in page.message.text().lower(), timeout=10000)
    assert actions_since(db, before).count("sign") == 1  # the other PC's; nothing signed twice


def test_two_pcs_a_correction_of_the_minutes_opened_meanwhile_is_warned_about_in_the_same_dialog(
        db: Database, other_pc: Database, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Sign dialog open, the panel administrator opens a correction of the minutes on another PC: Sign is
    refused in the dialog, which now shows the warning and waits for "Sign anyway" (before: it closed and a
    new dialog opened with the warning)."""
    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.panel import service as panel
    from adoption_desktop.ui.dates import qdate
    from tests.adm.conftest import ADDRESS
    from tests.adm.test_sign_while_minutes_corrected import REASON, SIGNED, _approved, _sign_entry
    from tests.conftest import make_user

    clerk, item, decision = _approved(db)
    decider = make_user(db, "corr_adm", Role.AGENCY_DECISION_MAKER)
    opened: list[SignDialog] = []
    page = _page(db, decider, qtbot, monkeypatch, opened, today=SIGNED)
    assert page.detail.detail is not None and page.detail.detail.row.id == decision
    page.detail.decided_on.setDate(qdate(SIGNED))
    page.detail.addressee.setPlainText(ADDRESS)
    page.detail.sign()
    [dialog] = opened
    sign = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not dialog.correction_warning.isVisibleTo(dialog) and sign.isEnabled()
    dialog.password.setText(TEST_PASSWORD)
    panel.correct_minutes(other_pc, clerk, item, REASON)  # "Make a correction…" on the other PC, meanwhile
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.checking, timeout=10000)
    assert dialog.isVisible() and opened == [dialog]
    assert "The panel minutes changed while you were signing" in dialog.error.text()
    assert dialog.correction_warning.isVisibleTo(dialog) and REASON in dialog.correction_warning.text()
    assert dialog.sign_anyway.isVisibleTo(dialog) and not dialog.sign_anyway.isChecked()
    assert not sign.isEnabled() and dialog.focusWidget() is dialog.sign_anyway
    assert _signed(db, decision).signed_at is None
    dialog.sign_anyway.setChecked(True)
    assert sign.isEnabled()
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert _signed(db, decision).signed_at is not None
    assert "signed anyway while a correction of the panel minutes was open" in _sign_entry(db, decision)
