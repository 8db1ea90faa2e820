"""User trial: an ADM crash draft silently replaced a colleague's later wording, and Save draft then wrote it
over theirs with no conflict. Now a restored draft is said above the tabs and keeps the version it was typed
against, so the save shows both versions; a draft of a decision someone else signed is dropped (and shown to
copy); Ctrl+S saves the draft."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from adoption_desktop.adm import service
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core import drafts
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import conflict
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.test_page_layout import TODAY, _queue
from tests.conftest import TEST_PASSWORD, make_user

MINE = "MY CRASHED DRAFT wording"
THEIRS = "COLLEAGUE'S AGREED WORDING"


def _page(db: Database, who: Principal, qtbot: Any, decision_id: int | None = None) -> AdmPage:
    page = AdmPage(AppContext(db, who, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    if decision_id is not None:
        page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
        assert page.select_decision(decision_id)
    return page


def _stored(db: Database, who: Principal, did: int) -> tuple[str, int]:
    d = service.get_decision(db, who, did, TODAY, opening=False)
    return d.decision_text, d.row_version


def _crash_with_draft(db: Database, adm_user: Principal, qtbot: Any, did: int) -> None:
    page = _page(db, adm_user, qtbot, did)
    page.detail.decision_text.setPlainText(MINE)
    for saver in page.detail.autosavers:
        saver.save_now()
    # the window is dropped without closing (a crash): nothing else happens


def _colleague_saves(db: Database, did: int) -> Principal:
    colleague = make_user(db, "colleague", Role.AGENCY_DECISION_MAKER)
    _text, version = _stored(db, colleague, did)
    service.save_draft_decision(db, colleague, did, outcome="agree", decision_text=THEIRS, reasons="Agreed.",
                                addressee="Mr and Mrs Example\n2 Any Road\nZZ99 2AA", salutation="Dear Mr and Mrs Example",
                                social_worker="", expected_version=version)
    return colleague


def test_a_crash_draft_over_a_colleagues_later_wording_is_said_and_meets_the_conflict_dialog(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    did, _, _ = _queue(db)
    _crash_with_draft(db, adm_user, qtbot, did)
    _colleague_saves(db, did)
    again = _page(db, adm_user, qtbot, did)
    detail = again.detail
    assert detail.tabs.currentIndex() == 0  # the Recommendation tab: the Decision box is out of sight...
    assert detail.decision_text.toPlainText() == MINE
    notice = detail.draft_notice  # ...so the restored text is said above the tabs
    assert notice.isVisibleTo(again)
    assert "Unsaved text from your last visit to this decision was restored" in notice.text()
    assert "saved by someone else since you typed it" in notice.text()

    shown: list[conflict.ConflictDialog] = []
    monkeypatch.setattr(conflict.ConflictDialog, "exec", lambda d: shown.append(d) or 0)  # Keep editing
    detail.save_draft()
    assert len(shown) == 1  # both versions shown, nothing overwritten
    assert _stored(db, adm_user, did)[0] == THEIRS
    assert detail.decision_text.toPlainText() == MINE  # still on screen

    def reapply(d: conflict.ConflictDialog) -> int:
        shown.append(d)
        d.reapply_button.click()
        return 1

    monkeypatch.setattr(conflict.ConflictDialog, "exec", reapply)
    detail.save_draft()  # knowingly put over theirs
    assert len(shown) == 2 and _stored(db, adm_user, did)[0] == MINE
    assert drafts.load_draft(db, adm_user, f"adm.decision:{did}:text") is None
    assert not detail.draft_notice.isVisibleTo(again)


def test_a_restored_draft_nobody_overtook_saves_as_before(db: Database, adm_user: Principal, qtbot: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    did, _, _ = _queue(db)
    _crash_with_draft(db, adm_user, qtbot, did)
    again = _page(db, adm_user, qtbot, did)
    assert again.detail.draft_notice.isVisibleTo(again)
    assert "someone else" not in again.detail.draft_notice.text()
    shown: list[Any] = []
    monkeypatch.setattr(conflict.ConflictDialog, "exec", lambda d: shown.append(d) or 0)
    again.detail.save_draft()
    assert shown == [] and _stored(db, adm_user, did)[0] == MINE


def test_a_second_crash_keeps_the_first_base(db: Database, adm_user: Principal, qtbot: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Typing more into a restored draft and crashing again still saves against the version first typed on."""
    did, _, _ = _queue(db)
    _crash_with_draft(db, adm_user, qtbot, did)
    _colleague_saves(db, did)
    second = _page(db, adm_user, qtbot, did)
    second.detail.decision_text.setPlainText(MINE + " and more")
    for saver in second.detail.autosavers:
        saver.save_now()
    third = _page(db, adm_user, qtbot, did)
    shown: list[Any] = []
    monkeypatch.setattr(conflict.ConflictDialog, "exec", lambda d: shown.append(d) or 0)
    third.detail.save_draft()
    assert len(shown) == 1 and _stored(db, adm_user, did)[0] == THEIRS


def test_drafts_of_a_decision_someone_else_signed_are_dropped_and_shown(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, did = _queue(db)
    _crash_with_draft(db, adm_user, qtbot, did)
    colleague = _colleague_saves(db, did)
    service.sign_decision(db, colleague, did, TEST_PASSWORD, TODAY, expected_version=_stored(db, colleague, did)[1])
    told: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: told.append(box) or 0)
    _page(db, adm_user, qtbot, did)
    assert len(told) == 1 and told[0].objectName() == "signed_draft_dropped"
    assert "was signed by" in told[0].text()
    assert MINE in told[0].detailedText()
    assert drafts.load_draft(db, adm_user, f"adm.decision:{did}:text") is None
    told.clear()
    _page(db, adm_user, qtbot, did)  # said once: the draft is gone
    assert told == []


def test_ctrl_s_saves_the_draft_from_the_decision_text(db: Database, adm_user: Principal, qtbot: Any) -> None:
    did, _, _ = _queue(db)
    page = _page(db, adm_user, qtbot, did)
    page.resize(1156, 700)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=2000)
    page.detail.tabs.setCurrentWidget(page.detail.decision_text.parentWidget())
    page.detail.decision_text.setFocus()
    page.detail.decision_text.setPlainText("Saved with Ctrl+S.")
    qtbot.keyClick(page.detail.decision_text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert _stored(db, adm_user, did)[0] == "Saved with Ctrl+S."
    # in the queue (outside the decision pane) Ctrl+S is not the pane's
    page.detail.decision_text.setPlainText("Not saved from the queue.")
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert _stored(db, adm_user, did)[0] == "Saved with Ctrl+S."


def test_a_draft_without_a_base_still_restores(db: Database, adm_user: Principal, qtbot: Any) -> None:
    """Drafts saved before bases were kept: restored and said, saved as before."""
    did, _, _ = _queue(db)
    drafts.save_draft(db, adm_user, f"adm.decision:{did}:reasons", "Old draft")
    assert drafts.load_draft_base(db, adm_user, f"adm.decision:{did}:reasons") is None
    page = _page(db, adm_user, qtbot, did)
    assert page.detail.decision_reasons.toPlainText() == "Old draft"
    assert page.detail.draft_notice.isVisibleTo(page)


def test_the_users_own_action_is_not_taken_for_someone_elses_save(db: Database, adm_user: Principal, qtbot: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking for more information moves the decision's version but not its wording: a draft typed before it
    saves without a conflict, and nothing says someone else saved."""
    did, _, _ = _queue(db)
    _crash_with_draft(db, adm_user, qtbot, did)
    _text, version = _stored(db, adm_user, did)
    service.request_information(db, adm_user, did, what="The medical report, please.", requested_on=TODAY)
    assert _stored(db, adm_user, did)[1] != version
    again = _page(db, adm_user, qtbot, did)
    assert again.detail.decision_text.toPlainText() == MINE
    assert again.detail.draft_notice.isVisibleTo(again) and "someone else" not in again.detail.draft_notice.text()
    shown: list[Any] = []
    monkeypatch.setattr(conflict.ConflictDialog, "exec", lambda d: shown.append(d) or 0)
    again.detail.save_draft()
    assert shown == [] and _stored(db, adm_user, did)[0] == MINE


def test_typing_then_an_action_here_keeps_the_text_and_says_nothing(db: Database, adm_user: Principal,
                                                                    qtbot: Any) -> None:
    did, _, _ = _queue(db)
    page = _page(db, adm_user, qtbot, did)
    page.detail.decision_text.setPlainText("Typed, then more information asked for.")
    for saver in page.detail.autosavers:
        saver.save_now()
    service.request_information(db, adm_user, did, what="The medical report, please.", requested_on=TODAY)
    page.detail.changed.emit(did)  # as the pane's own Ask for more information… does
    assert page.detail.decision_text.toPlainText() == "Typed, then more information asked for."
    assert not page.detail.draft_notice.isVisibleTo(page)


def test_a_crash_draft_keeps_the_outcome_and_the_letters_lines(db: Database, adm_user: Principal,
                                                                qtbot: Any) -> None:
    """The wording's draft keeps the outcome chosen and the letter's addressee, salutation and social worker:
    after a crash the wording does not come back under the outcome it was not typed for."""
    from adoption_desktop.adm import rules

    did, _, _ = _queue(db)
    page = _page(db, adm_user, qtbot, did)
    detail = page.detail
    assert detail.outcome.currentData() != rules.OUTCOME_DIFFER
    detail.outcome.setCurrentIndex(detail.outcome.findData(rules.OUTCOME_DIFFER))
    detail.decision_text.setPlainText(MINE)
    detail.addressee.setPlainText("Ms A Example\n1 Example Road")
    detail.salutation.setText("Dear Ms Example")
    for saver in detail.autosavers:
        saver.save_now()
    again = _page(db, adm_user, qtbot, did).detail  # the application restarted
    assert again.outcome.currentData() == rules.OUTCOME_DIFFER
    assert again.decision_text.toPlainText() == MINE
    assert again.addressee.toPlainText() == "Ms A Example\n1 Example Road"
    assert again.salutation.text() == "Dear Ms Example"
    assert again.draft_notice.isVisibleTo(again)
    again.save_draft()  # saved for real: the outcome is the one restored, and the draft goes
    d = service.get_decision(db, adm_user, did, TODAY, opening=False)
    assert d.row.outcome == rules.OUTCOME_DIFFER and d.decision_text == MINE
    assert drafts.load_draft(db, adm_user, f"adm.decision:{did}:text") is None


def test_a_crash_draft_keeps_a_date_of_decision_typed_and_leaves_an_untouched_one_as_today(
        db: Database, adm_user: Principal, qtbot: Any) -> None:
    """The date of decision is part of the form: typed, it comes back after a crash (it was lost). Left as
    the form set it (today), it is not kept: brought back on a later day it would date the decision back."""
    from PySide6.QtCore import QDate

    did, _, _ = _queue(db)
    detail = _page(db, adm_user, qtbot, did).detail
    today = detail.decided_on.date()
    detail.decision_text.setPlainText(MINE)
    for saver in detail.autosavers:
        saver.save_now()
    assert "decided_on" not in drafts.load_draft_fields(db, adm_user, f"adm.decision:{did}:text")
    detail.decided_on.setDate(today.addDays(-3))
    for saver in detail.autosavers:
        saver.save_now()
    again = _page(db, adm_user, qtbot, did).detail  # the application restarted
    assert again.decided_on.date() == today.addDays(-3) != QDate()
    assert again.decision_text.toPlainText() == MINE


def test_save_draft_keeps_a_changed_date_of_decision(db: Database, adm_user: Principal, qtbot: Any) -> None:
    """Review: Save draft stores the wording, not the date of decision (that is stored when signing), and
    cleared the drafts that held it: the decision was shown again with today's date, so signing could use
    today's date unseen."""
    did, _, _ = _queue(db)
    page = _page(db, adm_user, qtbot, did)
    today = page.detail.decided_on.date()
    page.detail.decided_on.setDate(today.addDays(-3))
    page.detail.decision_text.setPlainText(MINE)
    page.detail.save_draft()
    assert _stored(db, adm_user, did)[0] == MINE  # the wording saved
    assert page.detail.decided_on.date() == today.addDays(-3)  # the date shown is still the one chosen
    assert drafts.load_draft_fields(db, adm_user, f"adm.decision:{did}:text")["decided_on"] == \
        today.addDays(-3).toString(Qt.DateFormat.ISODate)
    again = _page(db, adm_user, qtbot, did).detail  # the application restarted
    assert again.decided_on.date() == today.addDays(-3)
    assert again.decision_text.toPlainText() == MINE
