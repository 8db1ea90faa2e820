"""The ADM pane after typing kept nowhere (review of the sixth release's drafts changes): a refresh whose
queue no longer lists the open decision at all does not break the page, and asks once: Find keystrokes after
"Keep editing" do not ask again while the typing is kept nowhere (choosing another decision does); "Save draft"
after a draft that met a full disk leaves no stray draft of the saved text."""
from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.adm import service
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core import drafts
from adoption_desktop.core.models import Draft
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from tests.adm.test_unkept_typing_in_the_pane import (  # noqa: F401 - the pane fixture
    REASONS,
    _draft_write_fails,
    _hold,
    _select,
    _stop_drafts,
    pane,
)
from tests.conftest import TEST_PASSWORD, make_user
from tests.discard_answers import answer_question, question_box


@contextmanager
def _answering(answer: str, asked: list[str]) -> Iterator[None]:
    """Within the block, every "Discard what you typed?" is answered ``answer`` (its explanation noted in
    ``asked``): a question nobody expected is counted, and never left waiting, even when the test fails."""
    going = [True]

    def look() -> None:
        if not going[0]:
            return
        box = question_box()
        if box is not None:
            asked.append(box.informativeText())
            next(b for b in box.buttons() if b.text().replace("&", "") == answer).click()
        QTimer.singleShot(10, look)
    QTimer.singleShot(0, look)
    try:
        yield
    finally:
        going[0] = False


def _superseded_elsewhere(other_pc: Database, decision_id: int) -> None:
    """A colleague on another PC signs the decision and corrects it: the queue lists only the new version."""
    today = dt.date.today()
    make_user(other_pc, "colleague", Role.AGENCY_DECISION_MAKER)
    colleague = security.authenticate(other_pc, "colleague", TEST_PASSWORD)
    service.record_decision(other_pc, colleague, decision_id, outcome="agree", decision_text="Approved.",
                            reasons="Sound.")
    service.sign_decision(other_pc, colleague, decision_id, TEST_PASSWORD, today)
    service.correct_decision(other_pc, colleague, decision_id, TEST_PASSWORD, reason="Wrong date named.",
                             outcome="agree", decision_text="Approved.", reasons="Sound reasons.", decided_on=today)


#: Backspace, as :func:`_find_keystroke` takes it
BACK = "\b"


@contextmanager
def _let_go_at_the_end(page: AdmPage) -> Iterator[None]:
    """As the block ends, passed or failed, the pane's typing is let go: no question is left to wait, unanswered,
    as the window closes after the test (pytest-qt closes it before the fixtures end)."""
    try:
        yield
    finally:
        for saver in page.detail.autosavers:
            saver.discarded()


def _find_keystroke(page: AdmPage, qtbot: QtBot, key: str) -> None:
    """One key typed in Find (:data:`BACK`: Backspace), and the filter applied after the typing pause."""
    if key == BACK:
        QTest.keyClick(page.search, Qt.Key.Key_Backspace)
    else:
        QTest.keyClicks(page.search, key)
    qtbot.waitUntil(lambda: not page._debounce.isActive(), timeout=5_000)
    QApplication.processEvents()


def test_find_asks_once_while_a_corrected_decision_is_kept_open_for_its_typing(
        pane, db, other_pc, qtbot, monkeypatch):  # noqa: F811
    """Typing kept nowhere (a full disk) in a decision a colleague then corrected: the ADM answered Keep
    editing once, and each further Find keystroke asked the same question again. Now the keystrokes that still
    leave it out of the queue do not ask; the typing stays on screen (still asked about at a sign-out), and
    choosing another decision asks again."""
    _window, page, (first, second) = pane
    with _let_go_at_the_end(page):
        _draft_write_fails(db, monkeypatch)
        QTest.keyClicks(page.detail.decision_reasons, REASONS)
        for saver in page.detail.autosavers:
            if saver.due:
                saver.save_now()
        assert any(saver.disk_full for saver in page.detail.autosavers)
        _superseded_elsewhere(other_pc, first)

        asked: list[str] = []
        with _answering("Keep editing", asked):
            page.reload()  # F5: the corrected decision is no longer in the queue
            qtbot.waitUntil(lambda: len(asked) == 1, timeout=5_000)
            assert "disk is full" in asked[0]
            for key in ["A", "D", "P", "-", "7", "0", "0", BACK, "0", "2"]:  # "ADP-7002" lists the other one only
                _find_keystroke(page, qtbot, key)
        # before: asked again at each of these 10 keystrokes
        assert len(asked) == 1
        assert page.search.text() == "ADP-7002" and [r.id for r in page.model.rows()] == [second]
        assert page.detail.detail is not None and page.detail.detail.row.id == first  # kept open, with the typing
        assert page.detail.decision_reasons.toPlainText() == REASONS
        assert page.message.isVisible() and "stays open here because what you typed" in page.message.text()
        assert not page.detail.save_pending_edits()  # still typing kept nowhere: a sign-out would ask about it

        answer_question("Keep editing", asked)  # another decision chosen: asked again
        _select(page, second)
        qtbot.waitUntil(lambda: len(asked) == 2, timeout=5_000)
        QApplication.processEvents()
        assert page.detail.detail is not None and page.detail.detail.row.id == first
        assert page.detail.decision_reasons.toPlainText() == REASONS

        with _answering("Keep editing", asked):
            _find_keystroke(page, qtbot, BACK)  # kept again: Find does not ask
        assert len(asked) == 2

        answer_question("Discard", asked)  # copied what she needed: she moves on
        page.view.clearSelection()
        _select(page, second)
        qtbot.waitUntil(lambda: page.detail.detail is not None and page.detail.detail.row.id == second, timeout=5_000)
        assert len(asked) == 3
        assert not page.message.isVisible() or "stays open here" not in page.message.text()


def test_find_lets_the_kept_decision_go_once_its_typing_is_kept_as_a_draft(
        pane, db, other_pc, qtbot, monkeypatch):  # noqa: F811
    """Keep editing holds only while the typing is kept nowhere: once room is made on the disk and the typing is
    kept as a draft, the next Find keystroke lets the corrected decision go without a word (nothing is lost:
    the draft keeps it)."""
    window, page, (first, _second) = pane
    with _let_go_at_the_end(page):
        room = _draft_write_fails(db, monkeypatch)
        QTest.keyClicks(page.detail.decision_reasons, REASONS)
        for saver in page.detail.autosavers:
            if saver.due:
                saver.save_now()
        _superseded_elsewhere(other_pc, first)
        asked: list[str] = []
        with _answering("Keep editing", asked):
            page.reload()  # F5: the corrected decision is no longer in the queue
            qtbot.waitUntil(lambda: len(asked) == 1, timeout=5_000)
            _find_keystroke(page, qtbot, "A")
            assert len(asked) == 1
            room()  # room made: the next change keeps the typing as a draft
            QTest.keyClicks(page.detail.decision_reasons, " Agreed.")
            for saver in page.detail.autosavers:
                if saver.due:
                    saver.save_now()
            assert page.detail.save_pending_edits()  # nothing kept nowhere now
            _find_keystroke(page, qtbot, "D")
        assert len(asked) == 1  # nothing to lose: not asked
        assert page.detail.detail is None or page.detail.detail.row.id != first  # the corrected decision let go
        assert drafts.load_draft(db, window.ctx.principal, f"adm.decision:{first}:reasons") == REASONS + " Agreed."


def test_a_refresh_lets_go_of_a_decision_no_longer_queued(pane, db, other_pc, qtbot, monkeypatch):  # noqa: F811
    _window, page, (first, _second) = pane
    with _let_go_at_the_end(page):
        today = dt.date.today()
        page.search.setText("ADP-700")  # a Find is chosen
        qtbot.waitUntil(lambda: not page._debounce.isActive(), timeout=5_000)  # applied, as after typing it
        _hold(db, other_pc, None, None)
        _stop_drafts(page, qtbot)
        make_user(other_pc, "colleague", Role.AGENCY_DECISION_MAKER)
        colleague = security.authenticate(other_pc, "colleague", TEST_PASSWORD)
        service.record_decision(other_pc, colleague, first, outcome="agree", decision_text="Approved.", reasons="Sound.")
        service.sign_decision(other_pc, colleague, first, TEST_PASSWORD, today)
        service.correct_decision(other_pc, colleague, first, TEST_PASSWORD, reason="Wrong date named.",
                                 outcome="agree", decision_text="Approved.", reasons="Sound reasons.", decided_on=today)
        errors: list[BaseException] = []
        monkeypatch.setattr(sys, "excepthook", lambda *a: errors.append(a[1]))
        asked: list[str] = []
        with _answering("Keep editing", asked):
            page.reload()  # F5: the decision is superseded, gone from the queue (this raised StopIteration)
            qtbot.waitUntil(lambda: bool(asked), timeout=10_000)  # asked what the typing should become
            qtbot.wait(300)
        assert errors == []
        assert len(asked) == 1  # once, not again for the next decision chosen in its place
        assert all(r.id != first for r in page.model.rows())
        assert page.detail.detail is not None and page.detail.detail.row.id == first  # kept open: nothing lost
        with _answering("Discard", asked):
            page.apply_filter()  # the next Find keystroke: the ADM chose to keep it, so not asked again
            QApplication.processEvents()
        assert errors == [] and len(asked) == 1
        assert page.detail.detail is not None and page.detail.detail.row.id == first
        assert page.detail.decision_reasons.toPlainText() == REASONS


def test_save_draft_after_a_full_disk_leaves_no_draft(pane, db, qtbot, monkeypatch):  # noqa: F811
    window, page, (first, _second) = pane
    room = _draft_write_fails(db, monkeypatch)
    QTest.keyClicks(page.detail.decision_reasons, REASONS)
    for saver in page.detail.autosavers:
        if saver.timer.isActive():
            saver.save_now()
    assert any(saver.disk_full for saver in page.detail.autosavers)
    room()  # room made on the disk
    answer_question("Keep editing", [])
    page.detail.buttons["save_button"].click()
    QApplication.processEvents()
    assert service.get_decision(db, window.ctx.principal, first, dt.date.today()).decision_reasons == REASONS
    with db.session(write=False) as s:
        assert [d.key for d in s.scalars(select(Draft))] == []
