"""A role row added outside the application, as the signed-in person and the administrator see it."""

from __future__ import annotations

from typing import Any

from adoption_desktop.core.security.permissions import Permission, Principal, Role
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user


def _added_in_sql(db: Database, user_id: int, role: str) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO user_roles (user_id, role) VALUES ({user_id}, '{role}')")


def test_the_window_says_which_role_is_not_in_effect(db: Database, admin: Principal, qtbot: Any) -> None:
    clerk = make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
    _added_in_sql(db, clerk.user_id, "administrator")
    window = MainWindow(AppContext(db, authenticate(db, "clerk", TEST_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    assert "a role not in effect" in window.user_label.text()
    assert "Not in effect on your account: Administrator" in window.user_label.toolTip()
    assert "Not in effect on your account: Administrator" in window.statusBar().currentMessage()
    assert not window.ctx.principal.can(Permission.USERS_MANAGE)


def test_a_role_in_effect_says_nothing(db: Database, admin: Principal, qtbot: Any) -> None:
    make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
    window = MainWindow(AppContext(db, authenticate(db, "clerk", TEST_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    assert "not in effect" not in window.user_label.text() and window.user_label.toolTip() == ""


def test_the_users_tab_lists_it_apart_and_unticked(db: Database, admin: Principal, qtbot: Any,
                                                    monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QDialog

    from adoption_desktop.ui import admin_page
    from tests.ui.test_admin_page import admin_page as make_page

    clerk = make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
    _added_in_sql(db, clerk.user_id, "agency_decision_maker")
    page = make_page(db, admin, qtbot)
    tab = page.users
    row = [u.username for u in tab.model.rows()].index("clerk")
    shown = tab.model.index(row, 3).data()
    assert shown == "Letterbox coordinator; NOT IN EFFECT (added outside the application): Agency decision maker"
    ticked: list[list[Role]] = []

    said: list[str] = []

    def look(dialog: Any) -> QDialog.DialogCode:
        ticked.append(dialog.roles())
        said.append(dialog.message.text())
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(admin_page.UserDialog, "exec", look)
    tab.view.selectRow(row)
    tab.edit_roles()
    assert ticked == [[Role.LETTERBOX_COORDINATOR]]
    assert said == ["Not in effect: Agency decision maker (added outside the application). Tick it to give it as "
                    "your own grant; saving without it removes it."]
