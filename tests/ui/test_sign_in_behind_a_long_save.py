"""Two people on one embedded file: B signs in while A's long save (an import) holds the write lock.

A is a real second process (``tests/core/storage_workers.py holder``) holding ``BEGIN IMMEDIATE`` on a real
SQLCipher file; B is the window's sign-in dialog in this process. Before, the sign-in ran on the window's
thread: the window froze for two seconds, then a dialog about "a colleague's change to be saved" appeared,
and its Cancel said "Not saved … your entries are still in the form". Now the sign-in runs on a worker: the
dialog keeps drawing, says "Waiting for another user's save to finish…" after the quiet moment, Cancel
stops the wait with nothing recorded, the bound says the database is busy with another user's work, and
none of it counts as a failed attempt."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from sqlalchemy import select

from adoption_desktop.core import audit
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import engine
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database
from adoption_desktop.ui.dialogs import SIGN_IN_WAITING, LoginDialog
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "worker passphrase"


@pytest.fixture
def shared(tmp_path: Path, store: SecretStore) -> Iterator[Database]:
    """The file both programs open (its key under the passphrase a second process can use), open here."""
    created = create_database(tmp_path / "shared.db", store, passphrase=PASSPHRASE)
    make_user(created.db, "avery", Role.COUNSELLOR)
    yield created.db
    created.db.dispose()


class Holder:
    """Program A: a long save holding the write lock until :meth:`release`."""

    def __init__(self, db: Database, tmp_path: Path) -> None:
        assert db.path is not None
        self.release_file = tmp_path / "release"
        env = dict(os.environ, ADOPTION_DESKTOP_PASSPHRASE=PASSPHRASE,
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                   ADOPTION_DESKTOP_DATA_DIR=str(tmp_path / "data-a"), ADOPTION_DESKTOP_NO_PG="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.core.storage_workers", "holder", str(db.path),
                                      "120", str(self.release_file)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        assert line == "holding", line + (self.proc.stderr.read() if self.proc.stderr else "")

    def release(self) -> None:
        self.release_file.touch()
        self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0


@pytest.fixture
def holder(shared: Database, tmp_path: Path) -> Iterator[Holder]:
    held = Holder(shared, tmp_path)
    yield held
    if held.proc.poll() is None:
        held.release()


def _dialog(qtbot: Any, db: Database, password: str = TEST_PASSWORD) -> LoginDialog:
    login = LoginDialog(db, runner=TaskRunner())
    qtbot.addWidget(login)
    login.show()
    login.username.setText("avery")
    login.password.setText(password)
    return login


class Timeline:
    """What happened, in the order it happened, from both threads: ``try`` each time the worker found the
    database busy and was to try again, ``said`` when it said it waits (``over`` when that ended), ``beat``
    each time a timer of the window's thread ran (the window drawing and answering), and the test's own
    marks (``enter``, ``release``, ``close`` …). Its checks are of order, never of elapsed time: a loaded
    machine (the suite's workers on two cores) stretched the old timed checks past their limits."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[str] = []  # list.append is atomic: the worker's and the window's, in order
        real_watch, real_tick = engine.WaitWatch, engine.Database._tick

        def watch(on_wait: Any, stopped: Any, **kw: Any) -> engine.WaitWatch:
            def said(message: str) -> None:
                self.events.append("said" if message else "over")
                on_wait(message)
            return real_watch(on_wait=said, stopped=stopped, **kw)

        def tick(db: Database) -> None:
            self.events.append("try")
            real_tick(db)

        monkeypatch.setattr(engine, "WaitWatch", watch)
        monkeypatch.setattr(engine.Database, "_tick", tick)
        self.timer = QTimer()
        self.timer.timeout.connect(lambda: self.events.append("beat"))
        self.timer.start(50)

    def mark(self, name: str) -> None:
        self.events.append(name)

    def since(self, first: str) -> list[str]:
        """The events after the first ``first``."""
        return self.events[self.events.index(first) + 1:] if first in self.events else []

    def drawing_while_waiting(self) -> bool:
        """The window's timer has run three times since the wait was said, the wait not over: a window whose
        thread waited for the save (as before) runs none until the save ends."""
        after = self.since("said")
        return "over" not in after and after.count("beat") >= 3

    def between(self, first: str, then: str) -> list[str]:
        """The events after the first ``first`` and before the first ``then`` after it."""
        start = self.events.index(first) + 1
        return self.events[start:self.events.index(then, start)]

    def stop(self) -> None:
        self.timer.stop()


def _account(db: Database) -> tuple[int, int]:
    """avery's failed attempts, and the number of audit entries so far."""
    with db.session(write=False) as session:
        failed = session.scalar(select(User.failed_attempts).where(User.username == "avery"))
        entries = session.scalar(select(audit.AuditEntry.seq).order_by(audit.AuditEntry.seq.desc()).limit(1))
    return int(failed or 0), int(entries or 0)


def _actions_since(db: Database, seq: int) -> list[str]:
    with db.session(write=False) as session:
        return list(session.scalars(select(audit.AuditEntry.action).where(audit.AuditEntry.seq > seq)
                                    .order_by(audit.AuditEntry.seq)))


def test_the_sign_in_waits_off_the_window_thread_says_so_after_a_moment_and_signs_in_once_the_save_ends(
        shared: Database, holder: Holder, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _failed, before = _account(shared)
    login = _dialog(qtbot, shared)
    timeline = Timeline(monkeypatch)
    timeline.mark("click")
    login.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert login.signing_in and not login.waiting.isVisible()  # the click returned at once
    qtbot.waitUntil(login.waiting.isVisible, timeout=10000)  # said, not never
    # after the quiet moment, not at once: the busy database was tried again quietly before it was said
    assert "try" in timeline.between("click", "said")
    assert SIGN_IN_WAITING in login.waiting.text() and "Cancel stops waiting" in login.waiting.text()
    qtbot.waitUntil(lambda: "Waited 1 second so far" in login.waiting.text(), timeout=5000)  # it counts
    assert login.message.text() == "" and login.isVisible()
    assert not login.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()

    # the window was never frozen (before: its thread waited for A's save): its timer runs while the worker
    # still waits, trying the lock again
    qtbot.waitUntil(timeline.drawing_while_waiting, timeout=10000)
    timeline.mark("release")
    holder.release()  # A's import is saved
    qtbot.waitUntil(lambda: not login.signing_in, timeout=20000)
    timeline.stop()
    assert "try" in timeline.between("said", "release")
    assert timeline.since("release").count("over") == 1  # the wait ended after A's save, once
    assert login.result() == QDialog.DialogCode.Accepted and login.principal is not None
    assert login.principal.username == "avery" and not login.waiting.isVisible()
    assert _actions_since(shared, before)[-1] == "sign_in"  # recorded after A's entries, nothing missing
    assert _account(shared)[0] == 0


def test_cancel_stops_the_wait_keeps_the_dialog_and_records_nothing(
        shared: Database, holder: Holder, qtbot: Any) -> None:
    failed, before = _account(shared)
    login = _dialog(qtbot, shared)
    login.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(login.waiting.isVisible, timeout=10000)
    login.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()  # stops the wait, not the dialog
    qtbot.waitUntil(lambda: not login.signing_in, timeout=5000)
    assert login.isVisible() and login.result() != QDialog.DialogCode.Accepted and login.principal is None
    assert login.message.text() == ("Not signed in: you stopped waiting for another user's save to finish. "
                                    "Nothing was recorded against your account; sign in again when you are ready.")
    assert login.password.text() == TEST_PASSWORD  # nothing was judged: typed again with one key
    assert not login.waiting.isVisible()
    holder.release()
    assert _account(shared) == (failed, before + 200)  # A's 200 entries, and nothing of B's
    assert set(_actions_since(shared, before)) == {"probe"}

    login.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # signs in as usual now
    qtbot.waitUntil(lambda: not login.signing_in, timeout=10000)
    assert login.result() == QDialog.DialogCode.Accepted and login.principal is not None
    login2 = _dialog(qtbot, shared)
    login2.reject()  # nothing running: Cancel closes the dialog as before
    assert not login2.isVisible() and login2.result() == QDialog.DialogCode.Rejected


def test_past_the_bound_it_says_busy_plainly_and_a_wrong_password_is_not_counted_until_judged(
        shared: Database, holder: Holder, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "2")
    failed, before = _account(shared)
    login = _dialog(qtbot, shared, password="not-the-password")
    login.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not login.signing_in, timeout=20000)
    said = login.message.text()
    assert said.startswith("Not signed in yet: shared.db is busy with another user's work"), said
    assert "Nothing was lost" in said and "Try again in a minute" in said
    assert "not right" not in said and "locked" not in said and "damaged" not in said
    assert login.isVisible() and login.password.text() == "not-the-password"
    holder.release()
    assert _account(shared) == (failed, before + 200)  # no failed attempt counted, no entry of B's

    login.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # now judged: counted as always
    qtbot.waitUntil(lambda: not login.signing_in, timeout=10000)
    assert login.message.text() == "User name or password is not right."
    assert _account(shared)[0] == failed + 1
    assert _actions_since(shared, before + 200)[-1] == "sign_in_failed"
