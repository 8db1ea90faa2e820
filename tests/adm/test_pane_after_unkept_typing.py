"""The ADM pane after typing kept nowhere (review of the sixth release's drafts changes): a refresh whose
queue no longer lists the open decision at all does not break the page, and "Save draft" after a draft that
met a full disk leaves no stray draft of the saved text."""
from __future__ import annotations

import datetime as dt
import sys

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from adoption_desktop.adm import service
from adoption_desktop.core.models import Draft
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Role
from tests.adm.test_unkept_typing_in_the_pane import (  # noqa: F401 - the pane fixture
    REASONS,
    _draft_write_fails,
    _hold,
    _stop_drafts,
    pane,
)
from tests.conftest import TEST_PASSWORD, make_user
from tests.discard_answers import answer_question


def _answer_every(answer: str, asked: list[str], tries: int = 300) -> None:
    from PySide6.QtCore import QTimer

    from tests.discard_answers import question_box
    left = [tries]

    def look() -> None:
        box = question_box()
        if box is not None:
            asked.append(box.informativeText())
            next(b for b in box.buttons() if b.text().replace("&", "") == answer).click()
        left[0] -= 1
        if left[0] > 0:
            QTimer.singleShot(10, look)
    QTimer.singleShot(0, look)


def test_a_refresh_lets_go_of_a_decision_no_longer_queued(pane, db, other_pc, qtbot, monkeypatch):  # noqa: F811
    _window, page, (first, _second) = pane
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
    _answer_every("Keep editing", asked)
    page.reload()  # F5: the decision is superseded, gone from the queue (this raised StopIteration)
    qtbot.waitUntil(lambda: bool(asked), timeout=10_000)  # asked what the typing should become
    qtbot.wait(300)
    assert errors == []
    assert len(asked) == 1  # once, not again for the next decision chosen in its place
    assert all(r.id != first for r in page.model.rows())
    assert page.detail.detail is not None and page.detail.detail.row.id == first  # kept open: nothing lost
    _answer_every("Discard", asked)
    page.apply_filter()  # the next Find keystroke asks again; discarded, the pane lets it go
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=10_000)
    QApplication.processEvents()
    assert errors == []
    assert page.detail.detail is None or page.detail.detail.row.id != first


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
