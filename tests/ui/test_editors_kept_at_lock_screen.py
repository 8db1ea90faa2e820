"""The birth-parent support referral, adopter household and child editors are modal, so closing the program
cannot reach them; but the screen locks while one is open, and someone chooses Sign out / Switch user at the
lock screen. Their changes were closed without a word. Now "Discard what you typed?" is asked, as for the
letterbox item and arrangement windows: *Keep editing* keeps the session (still locked, the lock screen says
why) and the editor comes back, typing kept, when its user unlocks; *Discard* closes it, nothing saved, and
the next person signs in. Nothing is saved on the way out. Offscreen, real SQLCipher file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop.adm.service import open_direct_decision
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import adopters
from adoption_desktop.journey import service as journey
from adoption_desktop.journey.service import AdopterStages
from adoption_desktop.journey.views.children import ChildEditor, ChildrenDialog
from adoption_desktop.letterbox import support
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui import discard, session_switch
from adoption_desktop.ui.idle_lock import LOCKED_TITLE, real_title
from adoption_desktop.ui.main_window import MainWindow
from tests.conftest import TEST_PASSWORD, make_user
from tests.ui.lock_checks import shows_nothing


@pytest.fixture
def next_person(db: Database, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Who signs in at the sign-in dialog after a sign-out: "second" (a manager); the list records each ask."""
    make_user(db, "second", Role.MANAGER)
    asked: list[str] = []

    def sign_in(_parent: QWidget, database: Database) -> Principal | None:
        asked.append("second")
        return security.authenticate(database, "second", TEST_PASSWORD)

    monkeypatch.setattr(session_switch, "default_sign_in", sign_in)
    return asked


def _switch_at_lock_screen(window: MainWindow) -> None:
    window.lock()
    assert window.locked and window.lock_screen is not None
    window.lock_screen.switch_button.click()


def _unlock(window: MainWindow) -> None:
    assert window.lock_screen is not None
    window.lock_screen.password.setText(TEST_PASSWORD)
    window.lock_screen.password.returnPressed.emit()
    assert not window.locked


def _kept(window: MainWindow, editor: QWidget, asked: list[tuple[str, str]], user: str) -> None:
    """After Keep editing at the lock screen: still locked, the same user, nothing of the editor on screen
    until unlocked (a modal editor is covered, not hidden: hiding it would end its exec())."""
    assert len(asked) == 1 and asked[0][0].endswith(": not saved") and "Save" in asked[0][1]
    assert LOCKED_TITLE not in asked[0][0]  # asked by the editor's own title
    assert window.locked and window.ctx.principal.username == user
    assert shows_nothing(editor)
    assert window.lock_screen is not None
    said = window.lock_screen.message.text()
    assert said.startswith("Not signed out:") and real_title(editor) in said and "Unlock" in said
    assert editor.windowTitle() == LOCKED_TITLE and real_title(editor) != LOCKED_TITLE


def test_a_support_referral_editor_at_the_lock_screens_switch_user(
        qtbot: QtBot, db: Database, make_window: Any, answers: Any, next_person: list[str]) -> None:
    who = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    window: MainWindow = make_window(who)
    page = window.open_target("letterbox")
    assert isinstance(page, LetterboxPage)
    editor = page.support_register.add()
    assert editor is not None and editor.isVisible() and editor.isModal()
    editor.edits["case_reference"].setText("LB-0042")
    editor.edits["initials"].setText("D.M.")
    editor.edits["service"].setText("Birth Parent Support Service")

    asked = answers(False)  # Keep editing
    _switch_at_lock_screen(window)
    _kept(window, editor, asked, "lbcoord")
    assert next_person == [] and support.list_referrals(db, who) == []  # nothing saved on the way out
    _unlock(window)
    assert editor.isVisible() and editor.edits["service"].text() == "Birth Parent Support Service"
    assert editor.save() is not None, editor.message.text()
    assert [r.case_reference for r in support.list_referrals(db, who)] == ["LB-0042"]

    editor = page.support_register.add()
    assert editor is not None
    editor.edits["case_reference"].setText("LB-0043")
    asked = answers(True)  # Discard
    _switch_at_lock_screen(window)
    assert len(asked) == 1 and next_person == ["second"]
    assert window.ctx.principal.username == "second" and not window.locked
    assert not editor.isVisible()
    assert [r.case_reference for r in support.list_referrals(db, who)] == ["LB-0042"]  # nothing more saved


def test_an_unchanged_editor_is_not_asked_about(
        qtbot: QtBot, db: Database, make_window: Any, answers: Any, next_person: list[str]) -> None:
    who = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    window: MainWindow = make_window(who)
    page = window.open_target("letterbox")
    assert isinstance(page, LetterboxPage)
    editor = page.support_register.add()
    assert editor is not None
    asked = answers()
    _switch_at_lock_screen(window)
    assert asked == [] and next_person == ["second"] and not editor.isVisible()


def test_a_household_editor_at_the_lock_screens_switch_user(
        qtbot: QtBot, db: Database, make_window: Any, answers: Any, next_person: list[str]) -> None:
    who = make_user(db, "paneladmin", Role.PANEL_ADMINISTRATOR)
    household = adopters.add_household(db, who, AdopterStages("ADP-0801", registered_on=dt.date(2026, 2, 2)))
    window: MainWindow = make_window(who)
    page = window.open_target("panel")
    assert isinstance(page, PanelPage)
    tab = page.adopters_tab
    tab.reload()
    tab.view.selectRow(0)
    editor = tab.edit()
    assert editor is not None and editor.isVisible() and editor.isModal()
    editor.edits["stage1_completed_on"].setText("15/04/2026")

    asked = answers(False)  # Keep editing
    _switch_at_lock_screen(window)
    _kept(window, editor, asked, "paneladmin")
    assert "Adopters' journey — ADP-0801" in asked[0][0]
    assert adopters.get_household(db, who, household.id).stage1_completed_on is None  # nothing saved
    _unlock(window)
    assert editor.isVisible() and editor.edits["stage1_completed_on"].text() == "15/04/2026"

    asked = answers(True)  # Discard
    _switch_at_lock_screen(window)
    assert len(asked) == 1 and next_person == ["second"] and window.ctx.principal.username == "second"
    assert not editor.isVisible()
    assert adopters.get_household(db, who, household.id).stage1_completed_on is None


def _plan(db: Database, adm: Principal) -> int:
    return open_direct_decision(db, adm, decision_type="plan_for_adoption", subject_reference="CH-9",
                                subject_initials="J.K.", received_on=dt.date(2026, 1, 5),
                                proposal="That the child should be placed for adoption.", social_worker="Sam Worker")


def _steps(qtbot: QtBot, steps: list[Callable[[ChildEditor], None]]) -> list[BaseException]:
    """Run ``steps`` in turn on the open child editor (found once it is shown), from the event loop of
    its exec(); the failures, for the test to raise."""
    failed: list[BaseException] = []
    editor: list[ChildEditor] = []

    def go() -> None:
        if not editor:
            found = next((w for w in QApplication.topLevelWidgets() if isinstance(w, ChildEditor) and w.isVisible()),
                         None)
            if found is None:
                QTimer.singleShot(20, go)
                return
            editor.append(found)
        step = steps.pop(0)
        try:
            step(editor[0])
        except BaseException as exc:  # said by the test, not lost in the event loop
            failed.append(exc)
            discard.forget_hidden(editor[0])  # not to come back at an unlock: the test ends
            QDialog.reject(editor[0])  # without the "Discard what you typed?" question: the test ends
            return
        if steps:
            QTimer.singleShot(20, go)
    QTimer.singleShot(0, go)
    return failed


def test_a_child_editor_at_the_lock_screens_switch_user_keep_editing_then_save(
        qtbot: QtBot, db: Database, make_window: Any, answers: Any, next_person: list[str]) -> None:
    """The child editor runs with exec(): the lock's hiding it used to end it as if cancelled, and the editor
    that came back at the unlock saved nothing. The lock now covers it instead, its exec() running on, and
    once unlocked Save saves."""
    who = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    plan = _plan(db, who)
    window: MainWindow = make_window(who)
    dialog = ChildrenDialog(window.ctx, window, decision_id=plan, title="CH-9")
    dialog.show()
    asks: list[list[tuple[str, str]]] = []

    def type_then_switch(editor: ChildEditor) -> None:
        editor.texts["reference"].setText("CH-9a")
        editor.dates["entered_care_on"].setText("01/03/2025")
        asks.append(answers(False))  # Keep editing
        _switch_at_lock_screen(window)

    def kept_then_unlock(editor: ChildEditor) -> None:
        _kept(window, editor, asks[0], "decider")
        assert asks[0][0][0] == "Add a child: not saved"
        assert next_person == [] and journey.list_children(db, who, decision_id=plan) == []
        _unlock(window)

    def back_then_save(editor: ChildEditor) -> None:
        assert editor.isVisible() and editor.texts["reference"].text() == "CH-9a"
        assert editor.testAttribute(Qt.WidgetAttribute.WA_ShowModal)  # still run by exec(), not just shown
        editor.accept()  # Save

    failed = _steps(qtbot, [type_then_switch, kept_then_unlock, back_then_save])
    dialog.add()
    if failed:
        raise failed[0]
    saved = journey.list_children(db, who, decision_id=plan)
    assert [c.reference for c in saved] == ["CH-9a"] and saved[0].entered_care_on == dt.date(2025, 3, 1)
    assert dialog.model.rowCount() == 1


def test_a_child_editor_at_the_lock_screens_switch_user_discard(
        qtbot: QtBot, db: Database, make_window: Any, answers: Any, next_person: list[str]) -> None:
    who = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    plan = _plan(db, who)
    window: MainWindow = make_window(who)
    dialog = ChildrenDialog(window.ctx, window, decision_id=plan, title="CH-9")
    dialog.show()
    asks: list[list[tuple[str, str]]] = []
    editors: list[ChildEditor] = []

    def type_then_switch(editor: ChildEditor) -> None:
        editors.append(editor)
        editor.texts["reference"].setText("CH-9b")
        asks.append(answers(True))  # Discard
        _switch_at_lock_screen(window)

    failed = _steps(qtbot, [type_then_switch])
    dialog.add()  # returns once the editor is discarded
    if failed:
        raise failed[0]
    assert len(asks[0]) == 1 and next_person == ["second"] and window.ctx.principal.username == "second"
    assert not window.locked and not editors[0].isVisible()
    assert journey.list_children(db, who, decision_id=plan) == []


def test_a_child_editor_locked_and_unlocked_still_saves(
        qtbot: QtBot, db: Database, make_window: Any, answers: Any) -> None:
    """No switch: the screen locks and its user unlocks. The editor is back and its Save saves (it came back
    before with a Save that did nothing, the exec() it belonged to ended by the lock)."""
    who = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    plan = _plan(db, who)
    window: MainWindow = make_window(who)
    dialog = ChildrenDialog(window.ctx, window, decision_id=plan, title="CH-9")
    dialog.show()
    asked = answers()

    def type_then_lock(editor: ChildEditor) -> None:
        editor.texts["reference"].setText("CH-9c")
        window.lock()
        assert shows_nothing(editor)

    def unlock(_editor: ChildEditor) -> None:
        _unlock(window)

    def save(editor: ChildEditor) -> None:
        assert editor.isVisible() and editor.texts["reference"].text() == "CH-9c"
        editor.accept()

    failed = _steps(qtbot, [type_then_lock, unlock, save])
    dialog.add()
    if failed:
        raise failed[0]
    assert asked == []
    assert [c.reference for c in journey.list_children(db, who, decision_id=plan)] == ["CH-9c"]
