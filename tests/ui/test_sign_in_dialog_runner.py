"""The sign-in dialog with a runner that works on the window's thread, and a Cancel pressed as a sign-in that
must choose a password was recorded (review, December 2026).

Before: the dialog kept the task handle only after ``runner.run`` returned; a synchronous runner had already
called back, so the dialog stayed "signing in" for good (Enter ignored, Cancel never closing it). And a
Cancel pressed as the sign-in of an account whose password an administrator set was recorded still opened
the choose-password dialog after the person had pressed Cancel."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.dialogs import SIGN_IN_CANCELLED, SIGN_IN_STOPPED_LATE, LoginDialog, PasswordDialog
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user


def _last_seq(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(audit.AuditEntry.seq).order_by(audit.AuditEntry.seq.desc()).limit(1)) or 0)


def _actions_since(db: Database, seq: int) -> list[tuple[str, str]]:
    with db.session(write=False) as session:
        return [(a, d or "") for a, d in session.execute(
            select(audit.AuditEntry.action, audit.AuditEntry.detail).where(audit.AuditEntry.seq > seq)
            .order_by(audit.AuditEntry.seq))]


def test_a_synchronous_runner_leaves_the_dialog_ready_after_each_outcome(db: Database, qtbot: Any) -> None:
    make_user(db, "avery", Role.COUNSELLOR)
    login = LoginDialog(db, runner=TaskRunner(synchronous=True))
    qtbot.addWidget(login)
    login.show()
    login.username.setText("avery")
    login.password.setText("not-the-password")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert "not right" in login.message.text()
    assert not login.signing_in  # before: "signing in" for good
    assert login.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert not login.password.isReadOnly()
    login.password.setText(TEST_PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)  # before: ignored
    assert login.result() == QDialog.DialogCode.Accepted and login.principal is not None
    # a refusal, then Cancel: the dialog closes (before: Cancel only "stopped" a wait that was not running)
    again = LoginDialog(db, runner=TaskRunner(synchronous=True))
    qtbot.addWidget(again)
    again.show()
    again.username.setText("avery")
    again.password.setText("still-wrong")
    again._sign_in()
    again.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert not again.isVisible() and again.result() == QDialog.DialogCode.Rejected


def test_cancel_as_a_sign_in_needing_a_new_password_is_recorded_signs_out_without_asking(
        db: Database, admin: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    users.create_user(db, admin, "newcomer", "Nia Comer", "tawny-quill-harbour", [Role.COUNSELLOR])
    asked: list[PasswordDialog] = []
    monkeypatch.setattr(PasswordDialog, "exec", lambda dialog: asked.append(dialog) or 0)
    recorded, cancelled = threading.Event(), threading.Event()
    real = users.authenticate

    def authenticate(database: Database, username: str, password: str) -> Principal:
        """The real sign-in, held on its way back until the test has pressed Cancel."""
        try:
            return real(database, username, password)
        finally:
            recorded.set()
            cancelled.wait(10)

    monkeypatch.setattr(users, "authenticate", authenticate)
    before = _last_seq(db)
    login = LoginDialog(db, runner=TaskRunner())
    qtbot.addWidget(login)
    login.show()
    login.username.setText("newcomer")
    login.password.setText("tawny-quill-harbour")
    login.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(recorded.is_set, timeout=10000)
    login.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()  # as the sign-in was recorded
    cancelled.set()
    qtbot.waitUntil(lambda: not login.signing_in, timeout=10000)
    assert asked == []  # before: the choose-password dialog opened after Cancel
    assert login.principal is None and login.result() != QDialog.DialogCode.Accepted
    assert login.message.text() == SIGN_IN_STOPPED_LATE
    actions = _actions_since(db, before)
    assert actions[-1] == ("sign_out", "pressed Cancel as the sign-in was recorded"), actions
    assert any(a == "sign_in" for a, _d in actions), actions


def test_the_dialog_keeps_drawing_while_a_failed_sign_in_waits_for_the_floor(
        db: Database, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed sign-in is answered no sooner than ``FAILED_SIGN_IN_FLOOR`` after it began: that wait is the
    worker thread's, so the dialog keeps drawing, Sign in stays greyed and Enter again starts no second
    attempt (one failure counted); the refusal is shown once the wait is over."""
    make_user(db, "avery", Role.COUNSELLOR)
    waiting, release = threading.Event(), threading.Event()
    asked: list[float] = []

    def sleep(seconds: float) -> None:  # the floor's wait, held until the test has looked at the dialog
        asked.append(seconds)
        waiting.set()
        release.wait(10)

    monkeypatch.setattr(users, "_sleep", sleep)
    before = _last_seq(db)
    login = LoginDialog(db, runner=TaskRunner())
    qtbot.addWidget(login)
    login.show()
    login.username.setText("avery")
    login.password.setText("not-the-password")
    ok = login.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    try:
        qtbot.waitUntil(waiting.is_set, timeout=10000)
        assert login.signing_in and not ok.isEnabled() and login.password.isReadOnly()
        assert login.message.text() == ""  # not answered before the floor
        qtbot.keyClick(login.password, Qt.Key.Key_Return)  # pressed again while it waits: ignored
        qtbot.wait(50)  # the dialog's thread is free: events are handled meanwhile
    finally:
        release.set()
    qtbot.waitUntil(lambda: not login.signing_in, timeout=10000)
    assert "not right" in login.message.text()
    assert len(asked) == 1 and 0 < asked[0] <= users.FAILED_SIGN_IN_FLOOR
    assert [a for a, _d in _actions_since(db, before) if a.startswith("sign_in")] == ["sign_in_failed"]


def test_cancel_while_the_password_is_checked_stays_enabled_and_ends_a_sign_in_recorded_meanwhile(
        db: Database, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sign-in's decision for Cancel while its check runs (``OkOnWorker(on_cancel=…)``): the worker would
    record the sign-in after the check, and a dialog closed meanwhile ends the program (or the window), so it
    cannot simply close and drop the answer; Cancel stays enabled (unlike approving minutes or changing a
    password, whose Cancel is greyed), asks the work to stop before it records anything, and the dialog
    stays open until the answer: nothing recorded, nobody signed in, and it says so in its own words
    (before: "you stopped waiting for another user's save", when there was none)."""
    from tests.password_hold import HeldCheck

    make_user(db, "avery", Role.COUNSELLOR)
    held = HeldCheck(monkeypatch)
    before = _last_seq(db)
    login = LoginDialog(db, runner=TaskRunner())
    qtbot.addWidget(login)
    login.show()
    login.username.setText("avery")
    login.password.setText(TEST_PASSWORD)
    ok = login.buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = login.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    ok.click()
    try:
        qtbot.waitUntil(held.running.is_set, timeout=10000)
        assert login.signing_in and not ok.isEnabled() and cancel.isEnabled() and login.password.isReadOnly()
        cancel.click()
        qtbot.keyClick(login.password, Qt.Key.Key_Escape)  # Esc likewise: the dialog stays until the answer
        qtbot.wait(50)
        assert login.isVisible() and login.signing_in
    finally:
        held.release()
    qtbot.waitUntil(lambda: not login.signing_in, timeout=10000)
    assert held.on_window_thread == [False]
    assert login.isVisible() and login.principal is None and login.message.text() == SIGN_IN_CANCELLED
    assert ok.isEnabled() and cancel.isEnabled() and not login.password.isReadOnly()
    assert login.password.text() == TEST_PASSWORD  # what was typed stays, to press Sign in again
    assert [a for a, _d in _actions_since(db, before) if a.startswith("sign_")] == []  # nothing recorded
    cancel.click()  # nothing runs now: Cancel closes it
    assert not login.isVisible() and login.result() == QDialog.DialogCode.Rejected
