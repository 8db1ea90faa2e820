"""The minutes editor's autosave when the minute-taker's account was disabled, or its roles or password
changed, on another PC while they typed (user trial ut16, D2, checked for the panel too): never the error
hook; the line under the minutes says once, in plain words, that they were not saved, that they are still on
screen only, and what to do; the autosave stops trying at every pause."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import minutes_editor
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.account_changes import disable, new_roles, reset_password
from tests.conftest import TEST_PASSWORD, make_user
from tests.discard_answers import answer_question

from .conftest import Panel


@pytest.mark.parametrize(("change", "said"), [
    (disable, minutes_editor.MINUTES_NOT_SAVED_DISABLED), (new_roles, minutes_editor.MINUTES_NOT_SAVED_ROLES),
    (reset_password, minutes_editor.MINUTES_NOT_SAVED_PASSWORD)], ids=["disabled", "roles", "reset"])
def test_a_changed_account_stops_the_minutes_autosave_with_one_plain_note(
        qtbot: QtBot, panel: Panel, other_pc: Database, change: Callable[[Database, Principal, Principal], None],
        said: str) -> None:
    admin = make_user(panel.db, "admin", Role.ADMINISTRATOR)
    clerk = security.authenticate(panel.db, panel.clerk.username, TEST_PASSWORD)  # as the app signs in
    svc.add_item(panel.db, clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0301", "AB"))
    window = MainWindow(AppContext(panel.db, clerk, TaskRunner(synchronous=True)), idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    page = window.open_target("panel")
    assert isinstance(page, PanelPage)
    editor = page.minutes
    editor.autosave.setInterval(20)  # the pause in the typing, shortened
    editor.discussion.setFocus()
    tries: list[int] = []
    real_save = editor._save
    editor._save = lambda *a: tries.append(1) or real_save(*a)  # type: ignore[method-assign]

    change(other_pc, admin, panel.clerk)  # an administrator on another PC
    with qtbot.capture_exceptions() as raised:
        for phrase in ["The panel ", "asked about ", "the wider family."]:
            qtbot.keyClicks(editor.discussion, phrase)
            qtbot.wait(150)  # a pause between phrases
            editor.autosave.setInterval(20)
        qtbot.waitUntil(lambda: bool(tries) or bool(raised), timeout=3000)
        for phrase in [" More ", "typing."]:
            qtbot.keyClicks(editor.discussion, phrase)
            qtbot.wait(150)
    assert [str(e[1]) for e in raised] == []
    assert (editor.message.text(), len(tries)) == (said, 1)  # said once, not tried again at every pause
    assert editor.discussion.toPlainText() == "The panel asked about the wider family. More typing."
    assert editor.dirty  # still unsaved: closing or signing out asks before it goes


@pytest.mark.parametrize(("change", "said"), [
    (disable, minutes_editor.MINUTES_NOT_SAVED_DISABLED), (new_roles, minutes_editor.MINUTES_NOT_SAVED_ROLES),
    (reset_password, minutes_editor.MINUTES_NOT_SAVED_PASSWORD)], ids=["disabled", "roles", "reset"])
def test_minutes_refused_at_the_sign_out_are_asked_about_with_the_note(
        qtbot: QtBot, panel: Panel, other_pc: Database, change: Callable[[Database, Principal, Principal], None],
        said: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """rev12, checked for the minutes: typed, the account changed on another PC, signed out at once (the save,
    due after the pause, is refused then). The question said only "What you typed in this form has not been
    saved"; it now says the note (what happened, copy what you need, what to do), the line under the minutes
    going with the sign-out."""
    from adoption_desktop.ui import discard
    from adoption_desktop.ui.session_switch import sign_out

    monkeypatch.setattr(minutes_editor, "ask_discard", discard.ask_discard)  # the real question, answered below
    admin = make_user(panel.db, "admin", Role.ADMINISTRATOR)
    clerk = security.authenticate(panel.db, panel.clerk.username, TEST_PASSWORD)
    svc.add_item(panel.db, clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0301", "AB"))
    window = MainWindow(AppContext(panel.db, clerk, TaskRunner(synchronous=True)), idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    page = window.open_target("panel")
    assert isinstance(page, PanelPage)
    editor = page.minutes
    editor.discussion.setFocus()
    qtbot.keyClicks(editor.discussion, "The panel asked about the wider family.")
    assert editor.dirty and editor.autosave.isActive()  # typed within the pause: not saved yet
    change(other_pc, admin, panel.clerk)

    asked: list[str] = []
    reached: list[int] = []
    answer_question("Keep editing", asked)
    try:
        with qtbot.capture_exceptions() as raised:
            result = sign_out(window, ask=lambda *_a: reached.append(1) or None)
        assert [str(e[1]) for e in raised] == []
        assert (result, reached, len(asked)) == (None, [], 1)
        assert said in asked[0] and "Copy what you need" in asked[0]  # before: the form's general line only
        assert editor.discussion.toPlainText() == "The panel asked about the wider family."
    finally:
        answer_question("Discard", asked)  # copied what was needed (and a failed test leaves no question waiting)
    with qtbot.capture_exceptions() as raised:
        sign_out(window, ask=lambda *_a: reached.append(1) or None)
    assert [str(e[1]) for e in raised] == []
    assert (reached, len(asked)) == ([1], 2)
