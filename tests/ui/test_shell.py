from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLineEdit, QTextEdit

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.dialogs import FirstAdminDialog, LoginDialog, RecoveryKeyDialog
from adoption_desktop.ui.navigation import NAV_TARGETS
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user


def test_fonts_are_available(qtbot: Any) -> None:
    assert QFontDatabase.families()


def test_status_bar_and_navigation_shortcuts(db: Database, admin: Principal, make_window: Any, qtbot: Any) -> None:
    window = make_window(admin)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    assert "admin" in window.user_label.text()
    assert str(db.path) in window.db_label.whole_text()  # shortened in the bar when long, whole in its tooltip
    for target in NAV_TARGETS:
        if target in window.targets:
            qtbot.keyClick(window, target.shortcut[-1], Qt.KeyboardModifier.ControlModifier)
            assert window.targets[window.nav.currentRow()].key == target.key
            assert window.page(target.key) is not None


def test_role_decides_navigation(db: Database, make_window: Any) -> None:
    counsellor = make_user(db, "coun", Role.COUNSELLOR)
    window = make_window(counsellor)
    keys = {t.key for t in window.targets}
    assert "counselling" in keys and "admin" not in keys and "letterbox" not in keys
    assert not window.nav_actions["admin"].isEnabled()


def test_idle_lock_keeps_unsaved_text(db: Database, make_window: Any, qtbot: Any) -> None:
    user = make_user(db, "typist", Role.ADMINISTRATOR)
    window = make_window(user, idle_minutes=0.002)  # ~120 ms
    editor = QTextEdit()
    window.stack.addWidget(editor)
    window.stack.setCurrentWidget(editor)
    qtbot.keyClicks(editor, "Unsaved note about the sitting")
    qtbot.waitUntil(lambda: window.locked, timeout=3000)
    assert not window.workspace.isVisible()
    assert not window.menuBar().isEnabled()
    window.lock_screen.password.setText("wrong")
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    assert window.locked and "not your password" in window.lock_screen.message.text()
    window.lock_screen.password.setText(TEST_PASSWORD)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    assert not window.locked
    assert editor.toPlainText() == "Unsaved note about the sitting"


def test_ctrl_l_locks(db: Database, admin: Principal, make_window: Any, qtbot: Any) -> None:
    window = make_window(admin)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked


def test_first_admin_and_login_dialogs(db: Database, qtbot: Any) -> None:
    first = FirstAdminDialog(db)
    qtbot.addWidget(first)
    qtbot.keyClicks(first.full_name, "Avery Tester")
    qtbot.keyClicks(first.username, "avery")
    qtbot.keyClicks(first.password, "long-enough-pw")
    qtbot.keyClicks(first.confirm, "different-pw!")
    first.findChild(QDialogButtonBox, "buttons").button(QDialogButtonBox.StandardButton.Ok).click()
    assert "differ" in first.message.text()
    first.confirm.setText("long-enough-pw")
    first.findChild(QDialogButtonBox, "buttons").button(QDialogButtonBox.StandardButton.Ok).click()
    assert first.result() == QDialog.DialogCode.Accepted and first.principal is not None

    login = LoginDialog(db)
    qtbot.addWidget(login)
    login.show()
    qtbot.keyClicks(login.username, "avery")
    qtbot.keyClicks(login.password, "nope")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    signed_in_or_refused(qtbot, login)
    assert "not right" in login.message.text() and login.password.text() == ""
    qtbot.keyClicks(login.password, "long-enough-pw")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    signed_in_or_refused(qtbot, login)
    assert login.principal is not None and login.principal.username == "avery"


def signed_in_or_refused(qtbot: Any, login: LoginDialog) -> None:
    """The sign-in runs on a worker thread (the window keeps drawing): wait for its outcome."""
    qtbot.waitUntil(lambda: not login.signing_in, timeout=10000)


def test_the_sign_in_dialog_says_the_fifth_wrong_password_locked_the_account(db: Database, qtbot: Any) -> None:
    """Tester: the fifth wrong password still said "not right"; only the sixth said the account was locked."""
    make_user(db, "avery", Role.COUNSELLOR)
    login = LoginDialog(db)
    qtbot.addWidget(login)
    login.show()
    qtbot.keyClicks(login.username, "avery")
    said = []
    for n in range(5):
        qtbot.keyClicks(login.password, f"wrong-{n}")
        qtbot.keyClick(login.password, Qt.Key.Key_Return)
        signed_in_or_refused(qtbot, login)
        said.append(login.message.text())
    assert said[:4] == ["User name or password is not right."] * 4
    assert said[4].startswith("User name or password is not right, and this account is now locked after 5 failed "
                              "sign-ins; try again in 15 minutes")
    assert login.principal is None and login.isVisible()


def test_a_password_an_administrator_set_is_changed_at_sign_in(db: Database, admin: Principal, qtbot: Any,
                                                                 monkeypatch: Any) -> None:
    """The sign-in asks for a password of their own before anything else; cancelled, nobody is signed in."""
    from adoption_desktop.core.security import service as users
    from adoption_desktop.ui.dialogs import PasswordDialog

    users.create_user(db, admin, "newcomer", "Nia Comer", "tawny-quill-harbour", [Role.COUNSELLOR])
    asked: list[PasswordDialog] = []

    def cancel(dialog: PasswordDialog) -> int:
        asked.append(dialog)
        return 0

    monkeypatch.setattr(PasswordDialog, "exec", cancel)
    login = LoginDialog(db)
    qtbot.addWidget(login)
    login.username.setText("newcomer")
    login.password.setText("tawny-quill-harbour")
    login._sign_in()
    signed_in_or_refused(qtbot, login)
    assert login.principal is None and login.result() != QDialog.DialogCode.Accepted
    assert "choose your own" in login.message.text() and login.password.text() == ""
    assert asked[0].windowTitle() == "Choose your password" and asked[0].current is None

    def choose(dialog: PasswordDialog) -> int:
        dialog.new.setText("password12")  # too easy: said in the dialog, which stays open
        dialog.repeat.setText("password12")
        dialog._check()  # checked on the sign-in's worker thread (the dialog's runner): its answer comes back
        qtbot.waitUntil(lambda: not dialog.checking, timeout=15000)
        assert "too easy to guess" in dialog.message.text() and dialog.result() == 0
        dialog.new.setText("another-quiet-lantern")
        dialog.repeat.setText("another-quiet-lantern")
        dialog._check()
        qtbot.waitUntil(lambda: not dialog.checking, timeout=15000)
        return int(dialog.result())

    monkeypatch.setattr(PasswordDialog, "exec", choose)
    login.password.setText("tawny-quill-harbour")
    login._sign_in()
    signed_in_or_refused(qtbot, login)
    assert login.result() == QDialog.DialogCode.Accepted and login.principal is not None
    with db.session(login.principal, write=False):  # allowed now
        pass
    assert users.authenticate(db, "newcomer", "another-quiet-lantern") == login.principal


def test_recovery_key_pdf(qtbot: Any, tmp_path: Any) -> None:
    from pypdf import PdfReader

    dialog = RecoveryKeyDialog(None, "ABCDE-FGHJK-MNPQR-STUVW-XYZ23-45678", "agency.db")
    qtbot.addWidget(dialog)
    field = dialog.findChild(QLineEdit, "recovery_key")
    assert field.text().startswith("ABCDE")
    dialog.show()
    qtbot.waitExposed(dialog)
    # the whole key is on screen at once, none of it scrolled out of view
    assert field.contentsRect().width() >= field.fontMetrics().horizontalAdvance(field.text())
    out = tmp_path / "key.pdf"
    dialog.save_pdf(out)
    text = PdfReader(out).pages[0].extract_text()
    assert "ABCDE-FGHJK-MNPQR-STUVW-XYZ23-45678" in text and "agency.db" in text


def test_recovery_key_dialog_asks_before_escape_closes_it_unsaved(qtbot: Any, tmp_path: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The key is shown only once (and a new one has already replaced the old): Escape before it was saved
    asks, Keep it open (the default) keeps it; once saved as a PDF, Escape closes it as before."""
    from adoption_desktop.ui import dialogs

    asked: list[str] = []
    answers = [False, True]
    monkeypatch.setattr(dialogs, "ask_yes_no", lambda _p, _t, text, **_k: asked.append(text) or answers.pop(0))
    dialog = RecoveryKeyDialog(None, "ABCDE-FGHJK-MNPQR-STUVW-XYZ23-45678", "agency.db", replaced=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked == ["Close without keeping the recovery key?"] and dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not dialog.isVisible()

    saved = RecoveryKeyDialog(None, "ABCDE-FGHJK-MNPQR-STUVW-XYZ23-45678", "agency.db")
    qtbot.addWidget(saved)
    saved.show()
    qtbot.waitExposed(saved)
    saved.save_pdf(tmp_path / "key.pdf")
    qtbot.keyClick(saved, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not saved.isVisible()


def test_task_runner_delivers_results_progress_and_cancel(qtbot: Any) -> None:
    runner = TaskRunner()
    seen: list[tuple[int, int]] = []
    results: list[object] = []

    def work(task: Any) -> int:
        for i in range(5):
            task.progress(i + 1, 5)
        return 42

    runner.run(work, on_done=results.append, on_progress=lambda d, t, _m: seen.append((d, t)))
    qtbot.waitUntil(lambda: results == [42], timeout=5000)
    assert seen[-1] == (5, 5)

    errors: list[BaseException] = []

    def cancellable(task: Any) -> str:
        import time

        while not task.cancelled:
            time.sleep(0.01)
        raise RuntimeError("cancelled by user")

    handle = runner.run(cancellable, on_error=errors.append)
    handle.cancel()
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert "cancelled" in str(errors[0])


@pytest.mark.parametrize("roles", [(Role.ADMINISTRATOR,), (Role.PANEL_CHAIR,), (Role.PANEL_ADMINISTRATOR,)])
def test_every_page_fits_a_1366_by_768_laptop_screen(db: Database, make_window: Any,
                                                     roles: tuple[Role, ...]) -> None:
    """Every page and tab fits 1366×768 less the taskbar (40 px) and the title bar (~32 px), for the roles
    whose pages carry the most controls (the chair's minutes have every button)."""
    from PySide6.QtWidgets import QTabWidget

    window = make_window(make_user(db, "fits", *roles))
    tallest: dict[str, int] = {}
    widest: dict[str, int] = {}
    for target in window.targets:
        page = window.open_target(target.key)
        assert page is not None
        for tabs in [None, *page.findChildren(QTabWidget)]:
            for i in range(tabs.count() if tabs else 1):
                if tabs:
                    tabs.setCurrentIndex(i)
                QApplication.processEvents()
                name = f"{target.key}/{tabs.tabText(i) if tabs else ''}"
                tallest[name] = window.minimumSizeHint().height()
                widest[name] = window.minimumSizeHint().width()
    assert {k: w for k, w in widest.items() if w > 1366 - 16} == {}
    assert {k: h for k, h in tallest.items() if h > 768 - 40 - 32} == {}


def test_idle_lock_hides_open_dialogs_and_brings_them_back(db: Database, make_window: Any, qtbot: Any) -> None:
    user = make_user(db, "dialoguer", Role.ADMINISTRATOR)
    window = make_window(user)
    dialog = QDialog(window)
    edit = QLineEdit(dialog)
    dialog.show()
    edit.setText("half-typed")
    window.lock()
    assert window.locked and not dialog.isVisible()
    window.lock_screen.password.setText(TEST_PASSWORD)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    assert dialog.isVisible() and edit.text() == "half-typed"


def test_a_broken_remembered_database_falls_back_to_the_start_dialog(tmp_path: Any, qtbot: Any,
                                                                     monkeypatch: Any) -> None:
    from adoption_desktop import app
    from adoption_desktop.core.config import LocalConfig
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.ui import dialogs

    broken = tmp_path / "gone.db"
    broken.write_bytes(b"\x00" * 64)  # no key file beside it
    config = LocalConfig(tmp_path / "settings.json")
    config.set("last_database", str(broken))
    errors: list[str] = []
    shown: list[bool] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, _t, exc: errors.append(str(exc)))
    monkeypatch.setattr(dialogs.StartDialog, "exec", lambda self: shown.append(True) or 0)
    window = QDialog()
    qtbot.addWidget(window)
    assert app.choose_database(window, SecretStore(), config, None) is None
    assert errors and "key file" in errors[0] and shown == [True]


def test_the_window_says_opening_only_once_a_database_is_being_opened(qtbot: Any, monkeypatch: Any) -> None:
    """The trial: "Opening the database…" behind the welcome dialog, before any database was chosen."""
    from PySide6.QtWidgets import QLabel

    from adoption_desktop import app
    from adoption_desktop.core.storage import lifecycle
    from adoption_desktop.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    said = [label.text() for label in window.opening.findChildren(QLabel)]
    assert not any("Opening" in text for text in said)
    seen: list[str] = []
    monkeypatch.setattr(lifecycle, "open_database", lambda *a, **k: seen.append(
        window.opening.findChildren(QLabel)[-1].text()))
    app._open(window.opening, "postgresql://somewhere/agency", None)  # type: ignore[arg-type]
    assert seen == ["Opening the database…"]


def test_notifications_reach_the_status_bar(db: Database, admin: Principal, make_window: Any) -> None:
    window = make_window(admin)
    window.ctx.notify("18 letter(s) written to reminders.pdf.")
    assert window.statusBar().currentMessage() == "18 letter(s) written to reminders.pdf."
    assert window.ctx.status_messages[-1].startswith("18 letter(s)")


def test_about_says_where_files_are_kept(db: Database, admin: Principal, make_window: Any) -> None:
    from adoption_desktop.core.config import app_paths

    text = make_window(admin).about_text()
    assert str(db.path) in text
    assert str(app_paths().data) in text and str(app_paths().logs / "adoption-desktop.log") in text


def test_start_up_dialogs_have_margins_and_labelled_fields(db: Database, qtbot: Any) -> None:
    from PySide6.QtWidgets import QLabel

    from adoption_desktop.ui.dialogs import PassphraseDialog

    for dialog in (LoginDialog(db), FirstAdminDialog(db)):
        qtbot.addWidget(dialog)
        margins = dialog.layout().contentsMargins()
        assert min(margins.left(), margins.top(), margins.right(), margins.bottom()) >= 6  # text off the edge
    passphrase = PassphraseDialog(None, confirm=True, database="agency.db")
    qtbot.addWidget(passphrase)
    buddies = {label.buddy().objectName() for label in passphrase.findChildren(QLabel) if label.buddy()}
    assert buddies == {"passphrase", "confirm"}


def test_start_up_work_runs_after_the_first_paint(qtbot: Any) -> None:
    """The heavy start-up (database, key, schema check) is queued with ``after_first_paint``: it runs
    once the window has been painted, never before (a zero-delay timer would run before the paint)."""
    from adoption_desktop.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    order: list[str] = []
    original = window.paintEvent

    def paint(event: Any) -> None:
        if not order:
            order.append("paint")
        original(event)

    window.paintEvent = paint  # type: ignore[method-assign]
    window.after_first_paint(lambda: order.append("start-up"), fallback_ms=60_000)
    window.show()
    qtbot.waitUntil(lambda: "start-up" in order, timeout=5000)
    assert order == ["paint", "start-up"]
    late: list[str] = []
    window.after_first_paint(lambda: late.append("ran"))  # after the first paint: runs at once (queued)
    qtbot.waitUntil(lambda: late == ["ran"], timeout=2000)


def test_a_busy_database_is_reported_in_the_status_bar_while_the_open_waits(qtbot: Any) -> None:
    """The open waits (bounded) for another program's long write or maintenance; the window says so."""
    from adoption_desktop.app import _wait_reporter
    from adoption_desktop.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    _wait_reporter(window)("agency.db is busy (another program is writing to it); waiting…")
    assert window.statusBar().currentMessage().endswith("waiting…")


def test_the_start_windows_demo_database_is_made_whole_or_not_at_all(tmp_path: Any, qtbot: Any,
                                                                     monkeypatch: Any) -> None:
    """"Open the demo database" makes the file and fills it in the background, with the path held until it
    is whole; a failure part-way leaves nothing behind, and a second try works."""
    from PySide6.QtWidgets import QMessageBox

    from adoption_desktop import app
    from adoption_desktop import demo as demo_module
    from adoption_desktop.core.security.keys import key_file_for
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import verify_database
    from adoption_desktop.ui.dialogs import RecoveryKeyDialog

    order: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: order.append("hint") or QMessageBox.StandardButton.Ok)
    monkeypatch.setattr(RecoveryKeyDialog, "exec", lambda self: order.append("recovery key") or 1)
    parent = QDialog()
    qtbot.addWidget(parent)
    path = tmp_path / "demo.db"
    real = demo_module.populate

    def failing(db: Database, size: str = "small", **kw: Any) -> Any:
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(demo_module, "populate", failing)
    with pytest.raises(RuntimeError, match="disk filled up"):
        app._create(parent, path, SecretStore(), demo=True)
    assert not path.exists() and not key_file_for(path).exists()
    monkeypatch.setattr(demo_module, "populate", real)
    db = app._create(parent, path, SecretStore(), demo=True)
    assert db is not None
    assert order == ["recovery key", "hint"]  # the sign-in hint after the key, just before the sign-in
    try:
        report = verify_database(db)
        assert report.ok, report
        from adoption_desktop.core.security.models import User

        with db.session(write=False) as s:
            assert s.query(User).filter(User.username == "letterbox").count() == 1
    finally:
        db.dispose()
