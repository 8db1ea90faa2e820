"""The ADM's typing in the decision pane once its drafts have stopped (the account changed on another PC, an audit
hold) or cannot be written (a full disk): never lost without the question sign-out asks ("Discard what you
typed?"), never asked about when nothing was typed, and kept as a draft again once the hold is acknowledged.

Offscreen, the real SQLCipher file (opened a second time as the other PC); the modal question answered by
``tests.discard_answers``."""

from __future__ import annotations

import datetime as dt
import errno
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtGui import QStandardItemModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import event, select, text

from adoption_desktop.adm import service
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core import drafts
from adoption_desktop.core.audit import anchors
from adoption_desktop.core.models import Draft
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import autosave
from adoption_desktop.ui.autosave import NOT_KEPT_DISABLED, NOT_KEPT_HELD
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.session_switch import sign_out
from adoption_desktop.ui.tasks import TaskRunner
from tests.account_changes import disable
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD, make_user, shown_active
from tests.discard_answers import answer_question, discard_what_is_left

REASONS = "The assessment is thorough; I agree with the panel."
HOLD = "#9: entry 9 is missing: the log was cut short"


def _hold(db: Database, _other: Database, _admin: Principal, _me: Principal) -> None:
    """The check at open found a problem: nothing can be saved until an administrator acknowledges it."""
    db.audit_hold = HOLD


def _disable(_db: Database, other: Database, admin: Principal, me: Principal) -> None:
    disable(other, admin, me)


@pytest.fixture
def pane(db: Database, qtbot: QtBot) -> Iterator[tuple[MainWindow, AdmPage, list[int]]]:
    """The ADM page of a signed-in ADM with two decisions waiting (the more urgent open in the pane, the other
    with no wording yet); the decisions' ids."""
    make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    me = security.authenticate(db, "decider", TEST_PASSWORD)
    today = dt.date.today()
    with db.session() as s:
        ids = [open_from_panel(s, handoff(received=today - dt.timedelta(days=3), ref="ADP-7001")),
               open_from_panel(s, handoff(received=today - dt.timedelta(days=1), ref="ADP-7002"))]
        unworded = s.get(AdmDecision, ids[1])
        assert unworded is not None
        unworded.decision_text = ""  # no wording yet (kept empty by a Save draft): the pane puts its sentence in
    window = shown_active(qtbot, MainWindow(AppContext(db, me, TaskRunner(synchronous=True))), 1366, 768)
    window.open_target("adm")
    QApplication.processEvents()
    page = window.findChild(AdmPage)
    assert page is not None and page.detail.detail is not None
    assert page.detail.detail.row.id == ids[0]
    try:
        yield window, page, ids
    finally:
        discard_what_is_left()  # a test that failed half-way leaves no question waiting as the window closes


def _stop_drafts(page: AdmPage, qtbot: QtBot) -> None:
    """Typing kept nowhere: the draft, due after the pause, is refused."""
    QTest.keyClicks(page.detail.decision_reasons, REASONS)
    for saver in page.detail.autosavers:
        if saver.timer.isActive():
            saver.save_now()
    assert any(s.stopped for s in page.detail.autosavers)


def _select(page: AdmPage, decision_id: int) -> None:
    """The ADM moves to another decision in the queue (a click or the arrow keys: the queue's current row)."""
    row = next(i for i, r in enumerate(page.model.rows()) if r.id == decision_id)
    page.view.setCurrentIndex(page.model.index(row, 0))


# --- 1: moving to another decision, or the queue emptying the pane ----------------------------------------
MOVED = ("This database was moved to the team server on 06/12/2026 by Admin Tester; it is kept read-only as the "
         "record of the work before the move.")


@pytest.mark.parametrize("stop", ["moved-to-server", "disk-full"])
def test_another_decision_asks_before_typing_kept_nowhere_goes(
        pane: tuple[MainWindow, AdmPage, list[int]], db: Database, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
        stop: str) -> None:
    """The other decision can be opened (a moved file is still read; a full disk refuses only the drafts): the
    pane showed it at once, and the reasons typed in the first were gone without a word."""
    _window, page, (first, second) = pane
    detail = page.detail
    if stop == "moved-to-server":
        db.moved_to_server = MOVED
        _stop_drafts(page, qtbot)
        note = autosave.NOT_KEPT_MOVED
    else:
        _draft_write_fails(db, monkeypatch)
        QTest.keyClicks(detail.decision_reasons, REASONS)  # typed within the pause: its draft is written as it goes
        note = "What you typed could not be kept as a draft because the disk is full"

    asked: list[str] = []
    titles: list[str] = []
    answer_question("Keep editing", asked, titles=titles)
    _select(page, second)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)  # before: no question, and the reasons were gone
    assert titles[0].startswith("ADP-7001") and titles[0].endswith("not saved")
    assert asked[0].startswith(note) and "Keep editing" in asked[0]
    QApplication.processEvents()
    assert detail.detail is not None and detail.detail.row.id == first  # the pane kept the decision and the typing
    assert detail.decision_reasons.toPlainText() == REASONS
    assert page.model.row_at(page.view.currentIndex().row()).id == first  # the queue's highlight went back to it

    answer_question("Discard", asked)  # copied what she needed: now she moves on
    _select(page, second)
    qtbot.waitUntil(lambda: detail.detail is not None and detail.detail.row.id == second, timeout=5000)
    assert len(asked) == 2


@pytest.mark.parametrize(("change", "note"), [(_disable, NOT_KEPT_DISABLED), (_hold, NOT_KEPT_HELD)],
                         ids=["account-disabled", "audit-hold"])
def test_another_decision_refused_leaves_the_highlight_on_the_open_one(
        pane: tuple[MainWindow, AdmPage, list[int]], db: Database, other_pc: Database, admin: Principal,
        qtbot: QtBot, change: Callable[[Database, Database, Principal, Principal], None], note: str) -> None:
    """With the account changed or the database held, the other decision cannot be read: the pane keeps the
    typing, and the queue no longer highlights a decision the pane does not show."""
    window, page, (first, second) = pane
    change(db, other_pc, admin, window.ctx.principal)
    _stop_drafts(page, qtbot)
    assert window.statusBar().currentMessage() == note
    _select(page, second)
    QApplication.processEvents()
    assert page.detail.detail is not None and page.detail.detail.row.id == first
    assert page.detail.decision_reasons.toPlainText() == REASONS
    assert page.message.isVisible() and page.message.text()  # why it was not opened
    assert page.model.row_at(page.view.currentIndex().row()).id == first  # before: the other one highlighted
    for saver in page.detail.autosavers:
        saver.discarded()  # nothing left to ask about as the window closes


@pytest.mark.parametrize(("change", "note"), [(_disable, NOT_KEPT_DISABLED), (_hold, NOT_KEPT_HELD)],
                         ids=["account-disabled", "audit-hold"])
def test_a_filter_that_leaves_the_decision_out_keeps_it_listed_with_the_typing(
        pane: tuple[MainWindow, AdmPage, list[int]], db: Database, other_pc: Database, admin: Principal,
        qtbot: QtBot, change: Callable[[Database, Database, Principal, Principal], None], note: str) -> None:
    """Find (or Type, or Show) left the open decision out of the queue: the pane was emptied at once, and the
    reasons with it."""
    window, page, (first, second) = pane
    change(db, other_pc, admin, window.ctx.principal)
    _stop_drafts(page, qtbot)
    asked: list[str] = []
    answer_question("Discard", asked)
    page.search.setText("ADP-7002")
    page.apply_filter()
    assert asked == []  # kept, not asked about: nothing was lost
    assert page.detail.detail is not None and page.detail.detail.row.id == first
    assert page.detail.decision_reasons.toPlainText() == REASONS
    # listed while it is open with typing: no pane without its row
    assert sorted(r.id for r in page.model.rows()) == [first, second]
    assert page.message.text().startswith("ADP-7001 is still listed")
    for saver in page.detail.autosavers:
        saver.discarded()
    page.apply_filter()  # nothing left to lose: the filter has its way
    assert [r.id for r in page.model.rows()] == [second] and page.detail.detail is None


def test_a_refresh_after_a_colleagues_change_keeps_the_decision_with_the_typing(
        pane: tuple[MainWindow, AdmPage, list[int]], db: Database, other_pc: Database, qtbot: QtBot) -> None:
    """Show "Paused": a colleague on another PC (team mode, before the alert there) logs the information asked
    for, so the decision is no longer paused; F5 under the audit hold emptied the pane, and the ADM's reasons."""
    window, page, (first, _second) = pane
    me = window.ctx.principal
    today = dt.date.today()
    service.request_information(db, me, first, what="The medical report.", requested_on=today, today=today)
    page.reload()
    page.state_combo.setCurrentIndex(page.state_combo.findData("paused"))
    assert [r.id for r in page.model.rows()] == [first] and page.detail.detail is not None
    _hold(db, other_pc, me, me)
    _stop_drafts(page, qtbot)
    make_user(other_pc, "colleague", Role.AGENCY_DECISION_MAKER)
    colleague = security.authenticate(other_pc, "colleague", TEST_PASSWORD)
    service.log_information(other_pc, colleague, first, received_on=today, today=today)
    asked: list[str] = []
    answer_question("Discard", asked)
    page.reload()  # F5
    assert asked == []
    assert page.detail.detail is not None and page.detail.detail.row.id == first
    assert page.detail.decision_reasons.toPlainText() == REASONS  # before: the pane emptied, the reasons gone
    assert [r.id for r in page.model.rows()] == [first]
    for saver in page.detail.autosavers:
        saver.discarded()


# --- 2: the program's own sentence is not typing ---------------------------------------------------------
def test_the_programs_sentence_is_not_asked_about_at_sign_out(
        pane: tuple[MainWindow, AdmPage, list[int]], db: Database, qtbot: QtBot) -> None:
    """A decision with no wording yet shows the program's sentence for its outcome. With drafts stopped (here: an
    audit hold) that sentence was taken for typing kept nowhere, and signing out asked "Discard what you typed?"
    although the ADM typed nothing."""
    window, page, (_first, second) = pane
    _select(page, second)  # nothing typed on the first
    detail = page.detail
    assert detail.detail is not None and detail.detail.row.id == second
    _hold(db, db, window.ctx.principal, window.ctx.principal)
    # the program's sentence in the empty wording, not the ADM's
    assert detail.decision_text.toPlainText().startswith("I have decided")
    for saver in detail.autosavers:
        saver.save_now()  # due after the pause: refused by the hold
    assert any(s.stopped for s in detail.autosavers)

    asked: list[str] = []
    answer_question("Discard", asked)
    signed_in: list[int] = []
    sign_out(window, ask=lambda *_a: signed_in.append(1) or None)
    assert (asked, signed_in) == ([], [1])  # before: asked, although nothing was typed


def test_an_outcome_chosen_by_the_adm_is_still_asked_about(
        pane: tuple[MainWindow, AdmPage, list[int]], db: Database, qtbot: QtBot) -> None:
    """The ADM's own choice counts: a different outcome (its sentence follows it) is asked about."""
    window, page, _ids = pane
    detail = page.detail
    _hold(db, db, window.ctx.principal, window.ctx.principal)
    model = detail.outcome.model()
    assert isinstance(model, QStandardItemModel)
    other = next(i for i in range(detail.outcome.count())
                 if i != detail.outcome.currentIndex() and (item := model.item(i)) is not None and item.isEnabled())
    detail.outcome.setCurrentIndex(other)
    for saver in detail.autosavers:
        saver.save_now()
    asked: list[str] = []
    answer_question("Keep editing", asked)
    assert sign_out(window, ask=lambda *_a: None) is None
    assert len(asked) == 1 and asked[0].startswith(NOT_KEPT_HELD)
    answer_question("Discard", asked)
    sign_out(window, ask=lambda *_a: None)


# --- 3: drafts kept again once the hold is acknowledged ----------------------------------------------------
def test_drafts_are_kept_again_after_the_hold_is_acknowledged(
        pane: tuple[MainWindow, AdmPage, list[int]], db: Database, admin: Principal, qtbot: QtBot) -> None:
    window, page, (first, _second) = pane
    _hold(db, db, admin, admin)
    _stop_drafts(page, qtbot)
    assert window.statusBar().currentMessage() == NOT_KEPT_HELD

    anchors.acknowledge(db, admin, "Checked with IT: the log was restored.")
    assert db.audit_hold is None
    QTest.keyClicks(page.detail.decision_reasons, " More.")  # the next change after the acknowledgement
    key = f"adm.decision:{first}:reasons"
    qtbot.waitUntil(lambda: drafts.load_draft(db, window.ctx.principal, key) == REASONS + " More.",
                    timeout=10_000)  # before: never kept again until the decision was opened again
    assert window.statusBar().currentMessage() == autosave.KEPT_AGAIN
    assert "next change" in NOT_KEPT_HELD  # the note says what happens once the alert is acknowledged
    assert not any(s.holds_unkept() for s in page.detail.autosavers)
    signed_in: list[int] = []
    sign_out(window, ask=lambda *_a: signed_in.append(1) or None)  # kept as a draft: nothing to ask
    assert signed_in == [1]


def test_acknowledged_hold_sign_out_keeps_the_typing_without_a_further_change(
        pane: tuple[MainWindow, AdmPage, list[int]], db: Database, admin: Principal, qtbot: QtBot) -> None:
    """Acknowledged, then signed out before typing anything more: the typing on screen is kept as a draft then."""
    window, page, (first, _second) = pane
    _hold(db, db, admin, admin)
    _stop_drafts(page, qtbot)
    anchors.acknowledge(db, admin, "Checked with IT.")
    signed_in: list[int] = []
    sign_out(window, ask=lambda *_a: signed_in.append(1) or None)
    assert signed_in == [1]
    assert drafts.load_draft(db, window.ctx.principal, f"adm.decision:{first}:reasons") == REASONS


# --- 4: a full disk at sign-out ------------------------------------------------------------------------
def _fill_the_disk(db: Database, _monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """The database may not grow (SQLite's own SQLITE_FULL, "database or disk is full"); gives the room back."""
    with db.engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()

    def limit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {int(pages)}")

    event.listen(db.engine, "connect", limit)
    db.engine.dispose()

    def room() -> None:
        event.remove(db.engine, "connect", limit)
        db.engine.dispose()
    return room


def _draft_write_fails(_db: Database, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Writing a draft fails with the operating system's ENOSPC."""
    def full(*_a: Any, **_k: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(drafts, "_write", full)
    return monkeypatch.undo


@pytest.mark.parametrize("full", [_fill_the_disk, _draft_write_fails], ids=["sqlite-full", "enospc"])
def test_a_full_disk_at_sign_out_asks_before_the_typing_goes(
        pane: tuple[MainWindow, AdmPage, list[int]], db: Database, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
        full: Callable[[Database, pytest.MonkeyPatch], Callable[[], None]]) -> None:
    window, page, (first, _second) = pane
    long_reasons = "The assessment is thorough and the panel's reasons are sound. " * 2000  # needs new pages
    room = full(db, monkeypatch)
    page.detail.decision_reasons.setPlainText(long_reasons)  # typed (pasted) within the pause: no draft yet

    asked: list[str] = []
    signed_in: list[int] = []
    answer_question("Keep editing", asked)
    assert sign_out(window, ask=lambda *_a: signed_in.append(1) or None) is None
    # before: the draft failed quietly and the sign-out went on: the reasons gone, no question
    assert (signed_in, len(asked)) == ([], 1)
    assert asked[0].startswith(autosave.NOT_KEPT_FULL_ON_EXIT) and "disk is full" in asked[0]
    assert page.detail.decision_reasons.toPlainText() == long_reasons
    assert "disk is full" in window.statusBar().currentMessage()

    answer_question("Keep editing", asked)  # closing the program asks the same
    window.close()
    assert len(asked) == 2 and window.isVisible()

    room()  # room made on the disk: signing out keeps the typing as a draft, with nothing to ask
    sign_out(window, ask=lambda *_a: signed_in.append(1) or None)
    assert (signed_in, len(asked)) == ([1], 2)
    with db.session(write=False) as session:
        assert session.scalar(select(Draft.text).where(Draft.key == f"adm.decision:{first}:reasons")) == long_reasons


def test_a_full_disk_at_sign_out_discard_signs_out(
        pane: tuple[MainWindow, AdmPage, list[int]], db: Database, qtbot: QtBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window, page, _ids = pane
    _draft_write_fails(db, monkeypatch)
    QTest.keyClicks(page.detail.decision_reasons, REASONS)
    asked: list[str] = []
    signed_in: list[int] = []
    answer_question("Discard", asked)
    sign_out(window, ask=lambda *_a: signed_in.append(1) or None)
    assert (signed_in, len(asked)) == ([1], 1)
