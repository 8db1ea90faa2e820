"""The lock screen's password checked while another user's long save (an import) holds the write lock.

A is a real second process (``tests/core/storage_workers.py holder``) holding ``BEGIN IMMEDIATE`` on a real
SQLCipher file; B is a main window in this process, locked, with the window's own task runner (a thread
pool) and the wait reporter the program attaches. Before, the unlock ran the password check (argon2) and its
database work on the window's thread: behind A's save the window froze (two seconds, then a box about "a
colleague's change to be saved" meant for forms) with nothing said on the lock screen. Now the check runs on
a worker: the lock screen says "Checking your password…", keeps drawing, says after the quiet moment that it
waits for another user's save (seconds, Cancel); Enter again checks nothing a second time; Cancel leaves the
window locked with nothing counted; a wrong password counts exactly once, audited as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import create_database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.idle_lock import UNLOCK_CHECKING, UNLOCK_STOPPED, UNLOCK_WAITING
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from adoption_desktop.ui.writer_wait import WaitDialog, WaitReporter
from tests.conftest import TEST_PASSWORD, make_user
from tests.ui.test_sign_in_behind_a_long_save import PASSPHRASE, Holder, Timeline, _account, _actions_since

WRONG = "not-the-password"


@pytest.fixture
def shared(tmp_path: Path, store: SecretStore) -> Iterator[Database]:
    """The file both programs open (its key under the passphrase a second process can use), open here."""
    created = create_database(tmp_path / "shared.db", store, passphrase=PASSPHRASE)
    yield created.db
    created.db.dispose()


@pytest.fixture
def avery(shared: Database) -> Principal:
    return make_user(shared, "avery", Role.COUNSELLOR)


@pytest.fixture
def holder(shared: Database, avery: Principal, tmp_path: Path) -> Iterator[Holder]:
    held = Holder(shared, tmp_path)
    yield held
    if held.proc.poll() is None:
        held.release()


@pytest.fixture
def window(shared: Database, avery: Principal, qtbot: Any) -> Iterator[MainWindow]:
    """avery's window, locked (File → Lock now), with the program's runner and wait reporter."""
    runner = TaskRunner()
    win = MainWindow(AppContext(shared, avery, runner), idle_minutes=10)
    qtbot.addWidget(win)
    WaitReporter(win).attach(shared)  # as app.py does: a wait on the window's thread is reported
    win.show()
    win.lock(manual=True)
    assert win.locked and win.lock_screen is not None
    yield win
    qtbot.waitUntil(lambda: not win.unlocking, timeout=40000)
    runner.wait()
    win.close()
    QApplication.processEvents()


def _form_wait_dialogs() -> list[WaitDialog]:
    """The "Waiting for a colleague's change to be saved" box of a form's save (the old unlock showed it)."""
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, WaitDialog) and w.isVisible()]


def _type_and_enter(qtbot: Any, window: MainWindow, password: str) -> None:
    assert window.lock_screen is not None
    qtbot.keyClicks(window.lock_screen.password, password)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)


def test_unlock_checks_off_the_window_thread_says_so_and_unlocks_once_the_save_ends(
        shared: Database, holder: Holder, window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _failed, before = _account(shared)
    screen = window.lock_screen
    assert screen is not None
    timeline = Timeline(monkeypatch)
    timeline.mark("enter")
    _type_and_enter(qtbot, window, TEST_PASSWORD)
    # Enter returned at once (before: blocked behind A's save): the check is under way and said
    assert window.unlocking and window.locked
    assert screen.checking.isVisible() and screen.checking.text() == UNLOCK_CHECKING
    assert screen.password.isReadOnly() and screen.password.text() == ""
    assert not screen.unlock_button.isEnabled() and not screen.switch_button.isEnabled()
    assert not screen.cancel_button.isVisible()  # nothing to cancel until it waits

    # Enter and Unlock pressed again meanwhile check nothing a second time
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    screen.unlock_requested.emit(TEST_PASSWORD)
    assert window.try_unlock(TEST_PASSWORD) is False

    qtbot.waitUntil(screen.cancel_button.isVisible, timeout=10000)  # said, not never
    # after the quiet moment, not at once: the busy database was tried again quietly before it was said
    assert "try" in timeline.between("enter", "said")
    assert UNLOCK_WAITING in screen.checking.text() and "Cancel stops waiting" in screen.checking.text()
    assert "the window stays locked" in screen.checking.text()
    qtbot.waitUntil(lambda: "Waited 1 second so far" in screen.checking.text(), timeout=5000)  # it counts
    assert screen.waiting_bar.isVisible() and screen.message.text() == ""
    assert not _form_wait_dialogs()  # not the form's "colleague's change to be saved" box
    assert window.locked
    # the window keeps drawing (before: its thread waited for A's save): its timer runs while the check
    # still waits, trying the lock again
    qtbot.waitUntil(timeline.drawing_while_waiting, timeout=10000)

    timeline.mark("release")
    holder.release()  # A's import is saved
    qtbot.waitUntil(lambda: not window.locked, timeout=20000)
    timeline.stop()
    assert "try" in timeline.between("said", "release")
    assert timeline.since("release").count("over") == 1  # the wait ended after A's save, once
    assert not window.unlocking and not screen.checking.isVisible() and not screen.cancel_button.isVisible()
    assert window.menuBar().isEnabled()
    # one check, recorded after A's entries: nothing missing, nothing twice
    actions = _actions_since(shared, before)
    assert actions[:200] == ["probe"] * 200 and actions.count("reauthenticate") == 1
    assert "sign_in_failed" not in actions
    assert _account(shared)[0] == 0


def test_cancel_stops_the_wait_leaves_the_window_locked_and_counts_nothing(
        shared: Database, holder: Holder, window: MainWindow, qtbot: Any) -> None:
    failed, before = _account(shared)
    screen = window.lock_screen
    assert screen is not None
    _type_and_enter(qtbot, window, TEST_PASSWORD)
    qtbot.waitUntil(screen.cancel_button.isVisible, timeout=10000)
    qtbot.mouseClick(screen.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.unlocking, timeout=5000)
    assert window.locked and not window.workspace.isVisible() and not window.menuBar().isEnabled()
    assert screen.message.text() == UNLOCK_STOPPED
    assert not screen.checking.isVisible() and not screen.cancel_button.isVisible()
    assert not screen.password.isReadOnly() and screen.unlock_button.isEnabled()
    assert screen.switch_button.isEnabled()
    holder.release()
    assert _account(shared) == (failed, before + 200)  # A's 200 entries, and nothing of B's
    assert set(_actions_since(shared, before)) == {"probe"}

    _type_and_enter(qtbot, window, TEST_PASSWORD)  # unlocks as usual now
    qtbot.waitUntil(lambda: not window.locked, timeout=10000)
    assert _actions_since(shared, before + 200).count("reauthenticate") == 1


def test_past_the_bound_it_says_busy_and_a_wrong_password_counts_once_when_judged(
        shared: Database, holder: Holder, window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADOPTION_DESKTOP_BUSY_WAIT", "2")
    failed, before = _account(shared)
    screen = window.lock_screen
    assert screen is not None
    _type_and_enter(qtbot, window, WRONG)
    assert window.unlocking
    qtbot.waitUntil(lambda: not window.unlocking, timeout=20000)
    said = screen.message.text()
    assert said.startswith("Still locked: shared.db is busy with another user's work"), said
    assert "nothing was counted against your account" in said and "Type your password again" in said
    assert "not your password" not in said and "damaged" not in said
    assert window.locked
    assert _account(shared)[0] == failed  # not judged: not counted

    _type_and_enter(qtbot, window, WRONG)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)  # pressed twice
    screen.unlock_requested.emit(WRONG)  # and Unlock too: still one check
    holder.release()
    qtbot.waitUntil(lambda: not window.unlocking, timeout=20000)
    assert window.locked
    assert screen.message.text() == ("Password: that is not your password; 4 attempts left before your account "
                                     "is locked.")
    assert _account(shared)[0] == failed + 1  # one failure for the one attempt judged
    # audited as before: the failure count's change (captured) and the failure, once
    assert [a for a in _actions_since(shared, before) if a != "probe"] == ["update", "sign_in_failed"]


def test_closing_the_window_during_the_check_finishes_it_before_the_database_may_be_closed(
        shared: Database, holder: Holder, window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The program closes the database once the window has closed (app.py): a check still waiting behind A's
    save, or still writing its entry, would then run on a closed database (or hold up the exit)."""
    from adoption_desktop.core.security import service as users

    screen = window.lock_screen
    assert screen is not None
    _failed, before = _account(shared)
    timeline = Timeline(monkeypatch)
    real_confirm = users.confirm_password

    def confirm(*args: Any, **kwargs: Any) -> Any:
        try:
            return real_confirm(*args, **kwargs)
        except BaseException as exc:
            timeline.mark(f"ended: {type(exc).__name__}")
            raise

    monkeypatch.setattr(users, "confirm_password", confirm)
    _type_and_enter(qtbot, window, TEST_PASSWORD)
    qtbot.waitUntil(screen.cancel_button.isVisible, timeout=10000)  # waiting behind A's save
    timeline.mark("close")
    window.close()
    timeline.stop()
    # stopped waiting when the window closed, A's save still held: neither held up to the wait's bound
    # (that would end "DatabaseBusy") nor left waiting
    assert holder.proc.poll() is None
    assert [e for e in timeline.since("close") if e.startswith("ended")] == ["ended: WaitCancelled"]
    runner = window._unlock_runner
    assert runner is not None and runner.pool.activeThreadCount() == 0  # nothing left using the database
    holder.release()
    assert "reauthenticate" not in _actions_since(shared, before)  # never judged: nothing recorded
