"""The idle lock and an editor run with exec(). The lock hid every open window, and hiding a dialog ends its
exec() as if it were cancelled: the editor came back at the unlock with what was typed, but its Save saved
nothing (the caller had already taken the Cancel). Now the lock covers a modal window instead of hiding it
(nothing of it on screen, its title the lock's), the lock screen comes in a window of its own on top that
takes the keyboard, and after the unlock the same editor, still running, saves. Offscreen, real SQLCipher
file; the editors opened by the pages' own actions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop.adm import service as adm
from adoption_desktop.adm.views.dialogs import NewDecisionDialog
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security import keys
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage import recovery_key
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.recovery_key import replace_recovery_key
from adoption_desktop.letterbox import service as letterbox
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui import dialogs, discard, session_switch
from adoption_desktop.ui.admin_page import AdminPage, UserDialog
from adoption_desktop.ui.dialogs import RecoveryKeyDialog
from adoption_desktop.ui.idle_lock import LOCKED_TITLE, LockWindow
from adoption_desktop.ui.main_window import MainWindow
from tests.conftest import TEST_PASSWORD, make_user
from tests.ui.lock_checks import shows_nothing, shows_something

Step = Callable[[Any], None]


def _drive(kind: type[QWidget], steps: list[Step]) -> tuple[list[BaseException], list[Step]]:
    """Run ``steps`` in turn on the open ``kind`` editor (found once shown), from the event loop of its
    exec(); the failures, for the test to raise, and the steps left (an exec() that ended too soon)."""
    failed: list[BaseException] = []
    editor: list[QWidget] = []

    def go() -> None:
        if not steps:
            return
        if not editor:
            found = next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)
            if found is None:
                QTimer.singleShot(20, go)
                return
            editor.append(found)
        step = steps.pop(0)
        try:
            step(editor[0])
        except BaseException as exc:  # said by the test, not lost in the event loop
            failed.append(exc)
            steps.clear()
            discard.forget_hidden(editor[0])  # not to come back, nor be asked about, as the window closes
            if isinstance(editor[0], QDialog):
                QDialog.done(editor[0], QDialog.DialogCode.Rejected)  # the test ends
            return
        if steps:
            QTimer.singleShot(20, go)
    QTimer.singleShot(0, go)
    return failed, steps


def _lock_and_unlock(qtbot: QtBot, window: MainWindow, editor: QWidget, typed: str) -> None:
    """Lock the window over the editor: nothing of the editor on screen (its fields, its title), the lock
    screen's password field has the keyboard; the password typed there unlocks it."""
    assert shows_something(editor) and typed in "".join(
        w.text() for w in editor.findChildren(QWidget) if callable(getattr(w, "text", None))
        and isinstance(w.text(), str))
    window.lock()
    assert window.locked and window.lock_screen is not None
    assert shows_nothing(editor) and typed not in editor.windowTitle()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.lock_screen.password, timeout=2000)
    qtbot.keyClicks(QApplication.focusWidget(), TEST_PASSWORD)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert not window.locked


def _back(qtbot: QtBot, editor: QWidget) -> None:
    """After the unlock: the same editor, still run with exec(), in front again, with the keyboard."""
    assert editor.isVisible() and QApplication.activeModalWidget() is editor
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor, timeout=2000)
    assert shows_something(editor)


def _press_save(dialog: QWidget) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    accept = next(b for b in box.buttons() if box.buttonRole(b) == QDialogButtonBox.ButtonRole.AcceptRole)
    accept.click()


def test_a_new_user_typed_before_the_lock_is_created_by_save_after_the_unlock(
        qtbot: QtBot, db: Database, admin: Principal, make_window: Any) -> None:
    window: MainWindow = make_window(admin)
    page = window.open_target("admin")
    assert isinstance(page, AdminPage)

    def type_then_lock(editor: UserDialog) -> None:
        editor.full_name.setText("Dee Dale")
        editor.username.setText("dale")
        editor.password.setText("long-enough-pw")
        editor.confirm_password.setText("long-enough-pw")
        editor.role_boxes[Role.COUNSELLOR].setChecked(True)
        _lock_and_unlock(qtbot, window, editor, "Dee Dale")

    def back_then_save(editor: UserDialog) -> None:
        _back(qtbot, editor)
        assert editor.full_name.text() == "Dee Dale" and editor.windowTitle() == "New user"
        _press_save(editor)

    failed, left = _drive(UserDialog, [type_then_lock, back_then_save])
    page.users.new_user()  # returns once the editor is saved
    if failed:
        raise failed[0]
    assert left == [], "the editor's exec() ended at the lock"
    made = {u.username: u for u in security.list_users(db, admin)}
    assert "dale" in made and made["dale"].full_name == "Dee Dale" and Role.COUNSELLOR in made["dale"].roles
    assert "dale" in [u.username for u in page.users.model.rows()]


def test_an_adm_decision_typed_before_the_lock_is_opened_by_save_after_the_unlock(
        qtbot: QtBot, db: Database, make_window: Any) -> None:
    who = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    window: MainWindow = make_window(who)
    page = window.open_target("adm")
    assert isinstance(page, AdmPage)

    def type_then_lock(editor: NewDecisionDialog) -> None:
        editor.decision_type.setCurrentIndex(editor.decision_type.findData("plan_for_adoption"))
        editor.reference.setText("CH-2026-0077")
        editor.initials.setText("R.T.")
        editor.proposal.setPlainText("The child R.T. should be placed for adoption.")
        editor.social_worker.setText("Jo Testworker")
        _lock_and_unlock(qtbot, window, editor, "CH-2026-0077")

    def back_then_save(editor: NewDecisionDialog) -> None:
        _back(qtbot, editor)
        assert editor.reference.text() == "CH-2026-0077"
        _press_save(editor)

    failed, left = _drive(NewDecisionDialog, [type_then_lock, back_then_save])
    page.new_decision()
    if failed:
        raise failed[0]
    assert left == [], "the editor's exec() ended at the lock"
    rows = adm.list_queue(db, who, page.today)
    assert [r.subject_reference for r in rows] == ["CH-2026-0077"]
    assert page.detail.detail is not None and page.detail.detail.row.subject_reference == "CH-2026-0077"


def test_a_letterbox_arrangement_typed_before_the_lock_is_saved_after_the_unlock(
        qtbot: QtBot, db: Database, make_window: Any) -> None:
    """The arrangement window saves itself, but the lock ended the exec() it was opened with: it came back
    at the unlock as a loose window, the letterbox page usable behind it. Now it is the same modal editor."""
    who = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    window: MainWindow = make_window(who)
    page = window.open_target("letterbox")
    assert isinstance(page, LetterboxPage)

    def type_then_lock(editor: ArrangementDialog) -> None:
        editor.fields["reference"].setText("LB-0300")
        editor.fields["child_birth_name"].setText("Finn Heronby")
        _lock_and_unlock(qtbot, window, editor, "Finn Heronby")

    def back_then_save(editor: ArrangementDialog) -> None:
        _back(qtbot, editor)
        assert editor.fields["child_birth_name"].text() == "Finn Heronby"
        editor.save()  # says what is missing
        assert editor.arrangement_id is None and "Save again" in editor.message.text()
        editor.save()  # saved as it is, knowingly

    failed, left = _drive(ArrangementDialog, [type_then_lock, back_then_save])
    page.open_arrangement_dialog()
    if failed:
        raise failed[0]
    assert left == [], "the editor's exec() ended at the lock"
    assert letterbox.count_arrangements(db, who, letterbox.ArrangementFilter()) == 1
    assert page.arrangements_register.model.rowCount() == 1


def test_switch_user_at_the_lock_screen_closes_a_modal_editor_and_saves_nothing(
        qtbot: QtBot, db: Database, admin: Principal, make_window: Any, monkeypatch: Any) -> None:
    make_user(db, "second", Role.MANAGER)
    monkeypatch.setattr(session_switch, "default_sign_in",
                        lambda _parent, database: security.authenticate(database, "second", TEST_PASSWORD))
    window: MainWindow = make_window(admin)
    page = window.open_target("admin")
    assert isinstance(page, AdminPage)
    editors: list[UserDialog] = []
    asked: list[str] = []

    def ask(_parent: Any, title: str, **_kw: Any) -> bool:
        asked.append(title)
        return True  # Discard

    monkeypatch.setattr(discard, "ask_discard", ask)

    def type_then_switch(editor: UserDialog) -> None:
        editors.append(editor)
        editor.full_name.setText("Dee Dale")
        editor.username.setText("dale")
        window.lock()
        assert window.lock_screen is not None and shows_nothing(editor)
        # the typed name is asked about, as in the panel's forms (its own title, not the lock's); Discard
        window.lock_screen.switch_button.click()

    failed, _left = _drive(UserDialog, [type_then_switch])
    page.users.new_user()  # returns once the editor is closed
    if failed:
        raise failed[0]
    assert asked == ["New user"]
    assert window.ctx.principal.username == "second" and not window.locked
    assert not editors[0].isVisible() and editors[0].windowTitle() == "New user"  # closed, its veil gone
    assert QApplication.activeModalWidget() is None  # no lock window left over
    assert [w for w in QApplication.topLevelWidgets() if isinstance(w, LockWindow) and w.isVisible()] == []
    assert "dale" not in [u.username for u in security.list_users(db, admin)]


def test_switch_user_at_the_lock_screen_leaves_a_new_recovery_key_unfinished_and_asks_nothing(
        qtbot: QtBot, db: Database, db_path: Path, admin: Principal, make_window: Any, monkeypatch: Any) -> None:
    """Review, 6 December: Switch user at the lock screen with the new recovery key's window covered asked
    "Close without keeping the recovery key?" of whoever stood at the lock screen; answered Close, the old key
    was withdrawn under the signed-out administrator's name, the new one never kept. Now the window closes
    without a question, and the replacement is left unfinished: the old key still opens the database (so
    does the new), nothing is dropped, and the next new recovery key (or verify) says so."""
    old = replace_recovery_key(db, admin)  # a recovery key this test knows, the only one in force
    make_user(db, "second", Role.MANAGER)
    monkeypatch.setattr(session_switch, "default_sign_in",
                        lambda _parent, database: security.authenticate(database, "second", TEST_PASSWORD))
    asked: list[object] = []
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda *a, **_k: asked.append(a[2]) or True)  # "Close", if asked
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    for box in ("information", "warning", "critical"):
        monkeypatch.setattr(QMessageBox, box, lambda _p, _t, text, *_a, **_k: asked.append(text))
    window: MainWindow = make_window(admin)
    page = window.open_target("admin")
    assert isinstance(page, AdminPage)
    shown: list[str] = []

    def show_then_switch(dialog: RecoveryKeyDialog) -> None:
        shown.append(dialog.recovery_key)
        window.lock()
        assert window.lock_screen is not None and shows_nothing(dialog)
        window.lock_screen.switch_button.click()

    failed, _left = _drive(RecoveryKeyDialog, [show_then_switch])
    page.users.new_recovery_key()  # returns once the key window is closed
    if failed:
        raise failed[0]
    assert window.ctx.principal.username == "second" and not window.locked
    assert asked == []  # nothing asked, nothing said, of the person at the lock screen
    envelope = keys.KeyEnvelope.load(keys.key_file_for(db_path))
    assert len(envelope.previous_recovery) == 1 and envelope.replacing is None  # nothing dropped
    for key in (old, shown[0]):
        keys.wipe(keys.key_from_recovery(envelope, key))  # both open it
    assert recovery_key.unfinished_replacement(db_path, db)  # the next one, and verify, say so
    assert recovery_key.replacement_in_progress(db) is None


def test_the_lock_covers_a_modal_editor_with_its_own_window_on_top(
        qtbot: QtBot, db: Database, admin: Principal, make_window: Any) -> None:
    """How: the editor stays open (its exec() runs on), covered, its title the lock's; the lock screen is in
    an application-modal window on top. At the unlock it goes back into the main window: a later lock
    without a modal editor shows it there, as before."""
    window: MainWindow = make_window(admin)
    page = window.open_target("admin")
    assert isinstance(page, AdminPage)

    def lock(editor: UserDialog) -> None:
        editor.full_name.setText("Dee Dale")
        window.lock()
        assert window.lock_screen is not None
        assert editor.isVisible() and shows_nothing(editor) and editor.windowTitle() == LOCKED_TITLE
        lock_window = window.lock_screen.window()
        assert isinstance(lock_window, LockWindow) and lock_window.isVisible()
        assert QApplication.activeModalWidget() is lock_window  # the editor, and the main window, are blocked
        lock_window.close()  # the close box does not unlock
        assert lock_window.isVisible() and window.locked
        assert window.outer.currentWidget() is window.lock_cover  # the main window's pages covered too
        assert window.try_unlock(TEST_PASSWORD) and not lock_window.isVisible()

    def cancel(editor: UserDialog) -> None:
        _back(qtbot, editor)
        assert editor.windowTitle() == "New user" and editor.full_name.text() == "Dee Dale"
        QDialog.reject(editor)

    failed, left = _drive(UserDialog, [lock, cancel])
    page.users.new_user()
    if failed:
        raise failed[0]
    assert left == []
    window.lock()
    assert window.locked and window.lock_screen is not None and window.lock_screen.window() is window
    assert window.outer.currentWidget() is window.lock_screen
    assert window.try_unlock(TEST_PASSWORD) and not window.locked
