"""Escape and Cancel in the small dialogs ask "Discard what you typed?" before throwing typing away.

User trial ut14 (6 December): the ADM's reason for delay or for a correction, the text of Ask for more
information / Information received, a whole New decision without panel, a New user and the first
administrator were thrown away by Escape or Cancel without a word, where the panel, letterbox and
counselling forms ask. Now they ask the same question (*Keep editing* the default); nothing is asked when
nothing was typed (a password alone does not count); Sign out / Switch user at the lock screen closes them
as it closes the panel's forms: the question comes, *Discard* closes the dialog and the next person signs in.
Offscreen, real ``exec()``, the real question box, a real SQLCipher file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from adoption_desktop.adm import service as adm
from adoption_desktop.adm.views.dialogs import DatedNoteDialog, NewDecisionDialog, SignDialog
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import session_switch
from adoption_desktop.ui.admin_page import AdminPage, UserDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import FirstAdminDialog
from adoption_desktop.ui.discard import OBJECT_NAME
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD, make_user

TODAY = dt.date(2025, 12, 3)
TYPED = "Typed for ten minutes by the ADM"
KEEP, DISCARD = "Keep editing", "Discard"


def _question() -> QMessageBox | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.objectName() == OBJECT_NAME and w.isVisible():
            return w
    return None


def answer_next_question(answer: str, asked: list[str]) -> None:
    """Answer the next "Discard what you typed?" with the button ``answer``; note its text in ``asked``."""
    def look() -> None:
        box = _question()
        if box is None:
            QTimer.singleShot(10, look)
            return
        asked.append(box.text())
        default = box.defaultButton()
        asked.append(f"default: {default.text().replace('&', '') if default is not None else None}")
        for button in box.buttons():
            if button.text().replace("&", "") == answer:
                button.click()
                return
    QTimer.singleShot(0, look)


def escape(dialog: QDialog) -> None:
    focus = dialog.focusWidget() or dialog
    QTest.keyClick(focus, Qt.Key.Key_Escape)


def cancel(dialog: QDialog) -> None:
    buttons = dialog.findChildren(QDialogButtonBox)[0]
    button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert button is not None
    button.click()


def text_of(field: QWidget) -> str:
    return field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()  # type: ignore[attr-defined]


def drive(qtbot: QtBot, start: Callable[[], object], kind: type[QDialog], field: Callable[[Any], QWidget],
          leave: Callable[[QDialog], None]) -> dict[str, Any]:
    """``start`` opens a ``kind`` dialog with ``exec()``: type into ``field``, ``leave`` (Escape, Cancel) and
    Keep editing, then ``leave`` again and Discard. Returns what was seen."""
    seen: dict[str, Any] = {"asked": [], "failed": []}

    def in_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, kind), dialog
            box = field(dialog)
            box.setFocus()
            qtbot.keyClicks(box, TYPED)
            answer_next_question(KEEP, seen["asked"])
            leave(dialog)
            seen["kept open"] = dialog.isVisible()
            seen["kept text"] = text_of(box)
            answer_next_question(DISCARD, seen["asked"])
            leave(dialog)
            seen["closed"] = not dialog.isVisible()
        except BaseException as exc:  # said by the test, not lost in the event loop
            seen["failed"].append(exc)
            if isinstance(dialog, QDialog):
                QDialog.done(dialog, QDialog.DialogCode.Rejected)

    QTimer.singleShot(0, in_dialog)
    start()
    if seen["failed"]:
        raise seen["failed"][0]
    return seen


def closes_without_a_question(qtbot: QtBot, start: Callable[[], object], kind: type[QDialog],
                              before: Callable[[Any], None] = lambda _d: None) -> dict[str, Any]:
    """``start`` opens a ``kind`` dialog; ``before`` does something to it that is not typing; Escape."""
    seen: dict[str, Any] = {"asked": [], "failed": []}

    def in_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, kind), dialog
            before(dialog)
            answer_next_question(KEEP, seen["asked"])  # would keep it open, were it asked
            escape(dialog)
            seen["closed"] = not dialog.isVisible()
        except BaseException as exc:
            seen["failed"].append(exc)
        if isinstance(dialog, QDialog) and dialog.isVisible():
            QDialog.done(dialog, QDialog.DialogCode.Rejected)

    QTimer.singleShot(0, in_dialog)
    start()
    QApplication.processEvents()
    if seen["failed"]:
        raise seen["failed"][0]
    return seen


def asked_as_the_other_forms(seen: dict[str, Any]) -> None:
    assert seen["asked"] == ["Discard what you typed?", f"default: {KEEP}"] * 2
    assert seen["kept open"] and seen["kept text"] == TYPED
    assert seen["closed"]


# --- the ADM -------------------------------------------------------------------------------------------
@pytest.fixture
def decider(db: Database) -> Principal:
    return make_user(db, "decider", Role.AGENCY_DECISION_MAKER)


@pytest.fixture
def adm_page(db: Database, decider: Principal, qtbot: QtBot) -> AdmPage:
    with db.session() as s:  # overdue on TODAY: signing asks for a reason for delay
        open_from_panel(s, handoff(received=dt.date(2025, 11, 20), ref="ADP-2025-0301"))
    page = AdmPage(AppContext(db, decider, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1156, 700)
    page.show()
    qtbot.waitExposed(page)
    assert page.detail.detail is not None
    return page


LEAVING = pytest.mark.parametrize("leave", [escape, cancel], ids=["Escape", "Cancel"])


@LEAVING
def test_new_decision_without_panel_asks(qtbot: QtBot, db: Database, decider: Principal, adm_page: AdmPage,
                                         leave: Callable[[QDialog], None]) -> None:
    seen = drive(qtbot, adm_page.new_decision, NewDecisionDialog, lambda d: d.reasons, leave)
    asked_as_the_other_forms(seen)
    assert len(adm.list_queue(db, decider, TODAY)) == 1  # nothing saved: the panel's decision alone


@LEAVING
@pytest.mark.parametrize("which", ["ask_information", "log_information"])
def test_more_information_notes_ask(qtbot: QtBot, adm_page: AdmPage, which: str,
                                    leave: Callable[[QDialog], None]) -> None:
    seen = drive(qtbot, getattr(adm_page.detail, which), DatedNoteDialog, lambda d: d.text, leave)
    asked_as_the_other_forms(seen)


@LEAVING
def test_the_reason_for_delay_asks(qtbot: QtBot, adm_page: AdmPage, leave: Callable[[QDialog], None]) -> None:
    adm_page.detail.decision_text.setPlainText("Approved.")
    seen = drive(qtbot, adm_page.detail.sign, SignDialog, lambda d: d.delay_reason, leave)
    asked_as_the_other_forms(seen)


def test_the_reason_for_a_correction_asks(qtbot: QtBot, adm_page: AdmPage) -> None:
    detail = adm_page.detail
    detail.addressee.setPlainText("Mr and Mrs Sample\n4 Fern Road\nAmbleford\nZZ99 3AB")
    detail.salutation.setText("Mr and Mrs Sample")
    detail.decision_text.setPlainText("Approved as suitable to adopt.")
    detail.sign(password=TEST_PASSWORD, delay_reason="The decision maker was on leave that week.")
    assert detail.detail is not None and detail.detail.row.signed_by
    detail.correct()  # the signed decision's fields open for editing
    assert detail.correcting
    seen = drive(qtbot, detail.correct, SignDialog, lambda d: d.reason, escape)
    asked_as_the_other_forms(seen)


def test_a_password_alone_or_nothing_typed_asks_nothing(qtbot: QtBot, adm_page: AdmPage) -> None:
    adm_page.detail.decision_text.setPlainText("Approved.")

    def password_only(dialog: SignDialog) -> None:
        dialog.password.setFocus()
        qtbot.keyClicks(dialog.password, "not-kept")

    seen = closes_without_a_question(qtbot, adm_page.detail.sign, SignDialog, password_only)
    assert seen["asked"] == [] and seen["closed"]
    seen = closes_without_a_question(qtbot, adm_page.new_decision, NewDecisionDialog)
    assert seen["asked"] == [] and seen["closed"]
    seen = closes_without_a_question(qtbot, adm_page.detail.ask_information, DatedNoteDialog)
    assert seen["asked"] == [] and seen["closed"]


def test_a_reason_for_delay_kept_from_a_refused_attempt_is_asked_about(qtbot: QtBot, adm_page: AdmPage) -> None:
    """After a wrong password the dialog comes back with the reason typed before: Escape would lose it."""
    adm_page.detail.decision_text.setPlainText("Approved.")
    seen: dict[str, Any] = {"asked": []}

    def escape_and_discard() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SignDialog)
        answer_next_question(DISCARD, seen["asked"])
        escape(dialog)
        seen["closed"] = not dialog.isVisible()
        if dialog.isVisible():
            QDialog.done(dialog, QDialog.DialogCode.Rejected)

    QTimer.singleShot(0, escape_and_discard)
    adm_page.detail.sign(delay_reason="Legal advice was needed first.", error="The password is not right.")
    assert seen["asked"][:1] == ["Discard what you typed?"] and seen["closed"]


# --- Administration → Users → New user, and the first administrator -----------------------------------
@LEAVING
def test_new_user_asks(qtbot: QtBot, db: Database, admin: Principal, leave: Callable[[QDialog], None]) -> None:
    page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.show()
    seen = drive(qtbot, page.users.new_user, UserDialog, lambda d: d.full_name, leave)
    asked_as_the_other_forms(seen)
    assert [u.username for u in security.list_users(db, admin)] == [admin.username]  # nobody made

    def roles_of(dialog: UserDialog) -> None:  # only a password: not worth a question
        dialog.password.setText("Secret-but-not-kept-1")

    seen = closes_without_a_question(qtbot, page.users.new_user, UserDialog, roles_of)
    assert seen["asked"] == [] and seen["closed"]


def test_first_administrator_asks(qtbot: QtBot, db: Database) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = FirstAdminDialog(db, parent)
    seen = drive(qtbot, dialog.exec, FirstAdminDialog, lambda d: d.full_name, escape)
    asked_as_the_other_forms(seen)
    seen = closes_without_a_question(qtbot, FirstAdminDialog(db, parent).exec, FirstAdminDialog)
    assert seen["asked"] == [] and seen["closed"]


# --- Sign out / Switch user at the lock screen -----------------------------------------------------------
@pytest.mark.parametrize("answer", [DISCARD, KEEP])
def test_sign_out_at_the_lock_screen_asks_then_closes_the_sign_dialog(
        qtbot: QtBot, db: Database, decider: Principal, make_window: Any, monkeypatch: pytest.MonkeyPatch,
        answer: str) -> None:
    with db.session() as s:
        open_from_panel(s, handoff(received=dt.date(2025, 11, 20), ref="ADP-2025-0301"))
    make_user(db, "second", Role.MANAGER)
    signed_in: list[str] = []

    def sign_in(_parent: QWidget, database: Database) -> Principal | None:
        signed_in.append("second")
        return security.authenticate(database, "second", TEST_PASSWORD)

    monkeypatch.setattr(session_switch, "default_sign_in", sign_in)
    window: MainWindow = make_window(decider)
    page = window.open_target("adm")
    assert isinstance(page, AdmPage)
    page.detail.decision_text.setPlainText("Approved.")
    seen: dict[str, Any] = {"asked": [], "failed": []}

    def type_lock_switch() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, SignDialog)
            dialog.delay_reason.setFocus()
            qtbot.keyClicks(dialog.delay_reason, TYPED)
            window.lock()
            assert window.lock_screen is not None
            answer_next_question(answer, seen["asked"])
            switch = window.lock_screen.findChild(QPushButton, "lock_switch_user")
            assert switch is not None
            switch.click()
            seen["open after"] = dialog.isVisible()
            seen["text after"] = dialog.delay_reason.toPlainText()
            if dialog.isVisible():  # kept: its user unlocks, and finds it as it was
                window.lock_screen.password.setText(TEST_PASSWORD)
                window.lock_screen.password.returnPressed.emit()
                seen["unlocked"] = not window.locked
                QDialog.done(dialog, QDialog.DialogCode.Rejected)
        except BaseException as exc:
            seen["failed"].append(exc)
            if isinstance(dialog, QDialog) and dialog.isVisible():
                QDialog.done(dialog, QDialog.DialogCode.Rejected)

    QTimer.singleShot(0, type_lock_switch)
    page.detail.sign()
    if seen["failed"]:
        raise seen["failed"][0]
    assert seen["asked"][:1] == ["Discard what you typed?"]
    if answer == DISCARD:
        assert not seen["open after"] and signed_in == ["second"]
        assert window.ctx.principal.username == "second"
    else:
        assert seen["open after"] and seen["text after"] == TYPED and signed_in == []
        assert seen["unlocked"] and window.ctx.principal.username == "decider"
    assert not any(isinstance(w, QLineEdit) and w.isVisible() and w.window() is not window
                   for w in QApplication.topLevelWidgets())
