"""Administration defects found in the user trial (offscreen)."""

from __future__ import annotations

from typing import Any

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import admin_templates
from adoption_desktop.ui.admin_page import AdminPage


def _page(db: Database, admin: Principal, qtbot: Any) -> AdminPage:
    from tests.ui.test_admin_page import admin_page

    return admin_page(db, admin, qtbot)


def test_an_edited_template_is_kept_unless_the_user_discards_it(db: Database, admin: Principal, qtbot: Any,
                                                                 monkeypatch: Any) -> None:
    page = _page(db, admin, qtbot)
    tab = page.templates
    asked: list[str] = []
    answers: list[bool] = []
    monkeypatch.setattr(admin_templates, "ask_discard", lambda _w, title: asked.append(title) or answers.pop(0))
    names = [t.name for t in tab.model.rows()]
    tab.view.selectRow(names.index("letterbox_reminder"))
    assert not asked  # nothing typed: no question
    typed = tab.editor.toPlainText() + "\nA line of our own.\n"
    tab.editor.setPlainText(typed)
    other = next(i for i, n in enumerate(names) if n not in ("letterbox_reminder", "minutes"))
    answers.append(False)  # keep editing: the text and the selection stay
    tab.view.selectRow(other)
    assert len(asked) == 1 and tab.editor.toPlainText() == typed
    assert tab.current is not None and tab.current.name == "letterbox_reminder"
    assert tab.view.currentIndex().row() == names.index("letterbox_reminder")
    page.setCurrentWidget(tab)
    answers.append(False)  # F5, keep editing
    page.refresh_shown()
    assert len(asked) == 2 and tab.editor.toPlainText() == typed
    answers.append(True)  # F5, discard: the stored text comes back
    page.refresh_shown()
    assert len(asked) == 3 and tab.editor.toPlainText() != typed
    tab.editor.setPlainText(typed)
    answers.append(True)  # another template, discard
    tab.view.selectRow(other)
    assert len(asked) == 4 and tab.current is not None and tab.current.name == names[other]
    assert tab.editor.toPlainText() != typed
    assert not answers


def test_the_settings_tab_refuses_a_formula_as_the_reference_prefix(db: Database, admin: Principal, qtbot: Any,
                                                                    monkeypatch: Any) -> None:
    from adoption_desktop.core.settings_service import get_setting
    from adoption_desktop.counselling.settings import REFERENCE_PREFIX
    from adoption_desktop.ui import admin_page

    page = _page(db, admin, qtbot)
    tab = page.settings
    keys = [r[0] for r in tab.model.rows()]
    errors: list[str] = []
    monkeypatch.setattr(admin_page, "show_error", lambda _w, _t, e: errors.append(str(e)))
    typed = ['=HYPERLINK("http://x","y")', "NEW-1"]
    monkeypatch.setattr(admin_page, "ask_text", lambda *_a, **_k: (typed.pop(0), True))
    for _ in range(2):
        tab.view.selectRow(keys.index(REFERENCE_PREFIX.key))
        tab.edit()
    assert len(errors) == 1 and "1 to 10 letters" in errors[0]
    with db.session(write=False) as s:
        assert get_setting(s, REFERENCE_PREFIX) == "NEW-1"


def test_a_closure_reason_is_cleared_only_when_the_day_was_added(db: Database, admin: Principal, qtbot: Any,
                                                                   monkeypatch: Any) -> None:
    import datetime as dt

    from PySide6.QtCore import QDate

    from adoption_desktop.ui import admin_page

    page = _page(db, admin, qtbot)
    tab = page.closures
    errors: list[str] = []
    monkeypatch.setattr(admin_page, "show_error", lambda _w, _t, e: errors.append(str(e)))
    from tests.conftest import weekday_open

    day = weekday_open(dt.date.today() + dt.timedelta(days=30))
    tab.day.setDate(QDate(day.year, day.month, day.day))
    tab.reason.setText("x" * 300)  # too long: refused
    tab.add()
    assert errors and tab.reason.text() == "x" * 300 and tab.model.rowCount() == 0
    tab.reason.setText("Office move")
    tab.add()
    assert len(errors) == 1 and tab.reason.text() == "" and [r[1] for r in tab.model.rows()] == ["Office move"]


def test_the_users_tab_keeps_the_user_acted_on_selected(db: Database, admin: Principal, qtbot: Any,
                                                         monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QDialog

    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.ui import admin_page
    from tests.conftest import make_user

    for name in ("JO.BLOGGS", "amy.smith", "zed.jones"):
        make_user(db, name, Role.COUNSELLOR)
    page = _page(db, admin, qtbot)
    tab = page.users

    def selected() -> str:
        user = tab._current()
        return user.username if user is not None else ""

    names = [u.username for u in tab.model.rows()]
    assert names == sorted(names, key=str.lower)  # case does not sort JO.BLOGGS above the rest
    from contextlib import suppress

    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security import service as users

    for _ in range(5):  # locked by wrong passwords: an account with nothing to unlock is refused (a message box)
        with suppress(AppError):
            users.authenticate(db, "JO.BLOGGS", "not-the-password")
    tab.view.selectRow(names.index("JO.BLOGGS"))
    tab.unlock()
    assert selected() == "JO.BLOGGS"
    tab.edit_job_title("Counsellor")
    assert selected() == "JO.BLOGGS"
    tab.toggle_disabled(confirmed=True)
    assert selected() == "JO.BLOGGS" and tab.disable_button.text() == "&Enable user…"

    def fill(dialog: Any) -> QDialog.DialogCode:
        dialog.username.setText("new.person")
        dialog.full_name.setText("New Person")
        for w in (dialog.password, dialog.confirm_password):
            w.setText("Kestrel-Harbour-Lantern-42")
        dialog.role_boxes[Role.COUNSELLOR].setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(admin_page.UserDialog, "exec", fill)
    tab.new_user()
    assert selected() == "new.person"


def test_list_users_sorts_without_regard_to_case(db: Database, admin: Principal) -> None:
    from adoption_desktop.core.security import service as security
    from adoption_desktop.core.security.permissions import Role
    from tests.conftest import make_user

    for name in ("JO.BLOGGS", "adm", "Zed", "bob"):
        make_user(db, name, Role.COUNSELLOR)
    names = [u.username for u in security.list_users(db, admin)]
    assert names == sorted(names, key=str.lower) and names.index("adm") < names.index("JO.BLOGGS")


def test_the_password_dialog_clears_an_earlier_refusal(qtbot: Any) -> None:
    from adoption_desktop.core.errors import ValidationError
    from adoption_desktop.ui.dialogs import PasswordDialog

    tries: list[str] = []

    def submit(_current: str | None, new: str) -> None:
        tries.append(new)
        if new == "password1":
            raise ValidationError("New password: too easy to guess.", "password")

    dialog = PasswordDialog(None, for_whom="Jo Bloggs (jo)", own=False, submit=submit)
    qtbot.addWidget(dialog)
    for typed in ("password1", "Kestrel-Harbour-Lantern-42"):
        dialog.new.setText(typed)
        dialog.repeat.setText(typed)
        dialog._check()
        if typed == "password1":
            assert "too easy" in dialog.message.text()
    assert tries == ["password1", "Kestrel-Harbour-Lantern-42"] and dialog.message.text() == ""


def _one_entry_shown(db: Database, admin: Principal, qtbot: Any) -> AdminPage:
    from adoption_desktop.core import audit

    with db.session(admin) as session:
        audit.record(session, "view", "users", admin.user_id, detail="once",
                     actor=Principal(903, "solo.actor", "Solo Actor", frozenset()))
    page = _page(db, admin, qtbot)
    page.setCurrentWidget(page.audit)
    tab = page.audit
    for key, edit in tab.filters.items():
        edit.setText("solo.actor" if key == "actor" else "")
    tab.refresh()
    return page


def test_one_matching_entry_is_said_in_the_singular(db: Database, admin: Principal, qtbot: Any) -> None:
    tab = _one_entry_shown(db, admin, qtbot).audit
    assert tab.model.rowCount() == 1 and tab.shown_label.text() == "Showing the one entry that matches."


def test_an_audit_export_named_without_an_ending_gets_csv(db: Database, admin: Principal, qtbot: Any,
                                                          tmp_path: Any, monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    from adoption_desktop.ui import admin_page

    tab = _one_entry_shown(db, admin, qtbot).audit
    out = tmp_path / "audit-log"  # typed without its ending
    monkeypatch.setattr(admin_page, "save_file_name", lambda *_a, **_k: str(out))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, message, *_a: told.append(message))
    tab.export()
    qtbot.waitUntil(lambda: bool(told), timeout=20000)
    assert told == ["1 entry exported."]
    assert (tmp_path / "audit-log.csv").is_file() and not out.exists()


def test_the_settings_dialog_keeps_a_number_within_its_range(db: Database, admin: Principal, qtbot: Any,
                                                               monkeypatch: Any) -> None:
    """Tester: 250 typed as the OCR confidence (%) was saved. The real number dialog now names the range and
    takes no number outside it; a prefix typed in small letters is kept in capitals."""
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QInputDialog, QLabel, QSpinBox

    from adoption_desktop.core.settings_service import get_setting
    from adoption_desktop.counselling.settings import REFERENCE_PREFIX
    from adoption_desktop.letterbox.settings import OCR_LOW_CONFIDENCE_PERCENT
    from adoption_desktop.ui import admin_page

    page = _page(db, admin, qtbot)
    tab = page.settings
    keys = [r[0] for r in tab.model.rows()]
    seen: dict[str, Any] = {}

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(50, answer)
            return
        spin = dialog.findChildren(QSpinBox)[0]
        seen["range"] = (spin.minimum(), spin.maximum())
        seen["prompt"] = " ".join(label.text() for label in dialog.findChildren(QLabel))
        spin.lineEdit().selectAll()
        QTest.keyClicks(spin.lineEdit(), "250")
        seen["shown"] = spin.value()
        dialog.accept()

    QTimer.singleShot(50, answer)
    tab.view.selectRow(keys.index(OCR_LOW_CONFIDENCE_PERCENT.key))
    tab.edit()
    assert seen["range"] == (1, 100)
    assert "1 to 100" in seen["prompt"]
    with db.session(write=False) as s:
        kept = get_setting(s, OCR_LOW_CONFIDENCE_PERCENT)
    assert kept == seen["shown"] and 1 <= kept <= 100  # 250 could not be typed
    row = tab.model.rows()[keys.index(OCR_LOW_CONFIDENCE_PERCENT.key)]
    assert row[2] == f"{kept}%"

    errors: list[str] = []
    monkeypatch.setattr(admin_page, "show_error", lambda _w, _t, e: errors.append(str(e)))
    monkeypatch.setattr(admin_page, "ask_text", lambda *_a, **_k: ("brc", True))
    tab.view.selectRow(keys.index(REFERENCE_PREFIX.key))
    tab.edit()
    assert not errors
    with db.session(write=False) as s:
        assert get_setting(s, REFERENCE_PREFIX) == "BRC"
    assert tab.model.rows()[keys.index(REFERENCE_PREFIX.key)][2] == "BRC"
