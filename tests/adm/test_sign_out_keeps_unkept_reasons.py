"""Reviewer's reproduction (rev12): an ADM types the Decision reasons while the 3 s autosave timer runs; her
password is changed on a second connection (she, in another window), or an administrator disables her account or
changes her roles; she signs out at once. The draft is refused (drafts stop), and before this fix the sign-out
went straight on to the sign-in screen: no draft, the typed reasons gone, and the one "copy what you need" note
wiped with the status bar. Now the sign-out asks "Discard what you typed?" with that note, the reasons still on
screen; *Keep editing* stops the sign-out and says why in the status bar; *Discard* signs out. Offscreen, the
real SQLCipher file opened twice (the second connection is the other window / PC)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.models import Draft
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.autosave import NOT_KEPT_DISABLED, NOT_KEPT_PASSWORD, NOT_KEPT_ROLES
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.session_switch import sign_out
from adoption_desktop.ui.tasks import TaskRunner
from tests.account_changes import disable, new_roles, own_change_elsewhere
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD, make_user, shown_active
from tests.discard_answers import answer_question

REASONS = "Three paragraphs of reasons."


@pytest.mark.parametrize(("change", "note"), [
    (own_change_elsewhere, NOT_KEPT_PASSWORD), (disable, NOT_KEPT_DISABLED), (new_roles, NOT_KEPT_ROLES)],
    ids=["own-password-change", "disabled", "roles"])
def test_typed_reasons_refused_at_the_sign_out_are_asked_about_with_the_note(
        db: Database, other_pc: Database, admin: Principal, qtbot: QtBot,
        change: Callable[[Database, Principal, Principal], None], note: str) -> None:
    decider = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    me = security.authenticate(db, "decider", TEST_PASSWORD)
    with db.session() as s:
        open_from_panel(s, handoff(received=dt.date.today() - dt.timedelta(days=1)))
    window = shown_active(qtbot, MainWindow(AppContext(db, me, TaskRunner(synchronous=True))), 1366, 768)
    window.open_target("adm")
    QApplication.processEvents()
    page = window.findChild(AdmPage)
    assert page is not None
    detail = page.detail
    assert detail.detail is not None
    QTest.keyClicks(detail.decision_reasons, REASONS)
    assert any(s.timer.isActive() for s in detail.autosavers)  # typed within the 3 s: no draft yet
    change(other_pc, admin, decider)

    asked: list[str] = []
    titles: list[str] = []
    signed_in: list[int] = []
    answer_question("Keep editing", asked, titles=titles)
    with qtbot.capture_exceptions() as raised:
        result = sign_out(window, ask=lambda *_a: signed_in.append(1) or None)
    assert [str(e[1]) for e in raised] == []
    # before: no question, the sign-in reached and the reasons lost
    assert (result, signed_in, len(asked)) == (None, [], 1)
    title, informative = titles[0], asked[0]
    assert title.endswith("not saved") and informative.startswith(note)
    assert "Copy what you need" in informative and "Keep editing" in informative
    # still on screen, shown where she is: the Decision tab, the reasons field; the note in the status bar
    assert window.findChild(AdmPage) is page and detail.decision_reasons.toPlainText() == REASONS
    assert detail.tabs.currentWidget().isAncestorOf(detail.decision_reasons)
    message = window.statusBar().currentMessage()
    assert message.startswith("Not signed out") and note in message and "choose Discard" in message
    with other_pc.session(write=False) as session:
        assert session.scalars(select(Draft.text)).all() == []  # kept nowhere but on screen, as she was told

    answer_question("Discard", asked)  # she copied what she needed, and signs out again
    with qtbot.capture_exceptions() as raised:
        sign_out(window, ask=lambda *_a: signed_in.append(1) or None)
    assert [str(e[1]) for e in raised] == []
    assert (signed_in, len(asked)) == ([1], 2)  # asked once more, then signed out


def test_reasons_kept_as_a_draft_sign_out_without_a_question(db: Database, qtbot: QtBot) -> None:
    """Nothing changed on the account: the typing is kept as a draft at the sign-out, and nothing is asked."""
    make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    me = security.authenticate(db, "decider", TEST_PASSWORD)
    with db.session() as s:
        open_from_panel(s, handoff(received=dt.date.today() - dt.timedelta(days=1)))
    window = shown_active(qtbot, MainWindow(AppContext(db, me, TaskRunner(synchronous=True))), 1366, 768)
    window.open_target("adm")
    QApplication.processEvents()
    page = window.findChild(AdmPage)
    assert page is not None
    QTest.keyClicks(page.detail.decision_reasons, REASONS)
    signed_in: list[int] = []
    sign_out(window, ask=lambda *_a: signed_in.append(1) or None)
    assert signed_in == [1]
    with db.session(write=False) as session:
        assert REASONS in session.scalars(select(Draft.text)).all()
