"""A page read again after an administrator changed the signed-in account (disabled it, changed its roles or
set its password), in a window still open (user trial ut21): no error escapes from the page's showEvent (the
application's error hook said "Please check"), the lines read before leave the screen (they named cases), and
the page says why in the forms' words (``ui.autosave``), what was kept and what to do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from adoption_desktop import demo
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import (
    ACCOUNT_DISABLED,
    ACCOUNT_PASSWORD_CHANGED,
    ACCOUNT_ROLES_CHANGED,
    Database,
)
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.autosave import ACCOUNT_CHANGED_WHAT, NOTHING_CHANGED
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.my_work import MyWorkPage
from adoption_desktop.ui.tasks import TaskRunner


def _window(db: Database, username: str, qtbot: Any) -> MainWindow:
    principal = security.authenticate(db, username, demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(db, principal, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def _user_id(db: Database, username: str) -> int:
    with db.session(write=False) as session:
        found = session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


def _disable(db: Database, admin: Principal, username: str) -> None:
    security.set_disabled(db, admin, _user_id(db, username), True)


def _new_roles(db: Database, admin: Principal, username: str) -> None:
    security.set_roles(db, admin, _user_id(db, username), [Role.MANAGER])


def _password_set(db: Database, admin: Principal, username: str) -> None:
    security.reset_password(db, admin, _user_id(db, username), "a-new-password-123")


CHANGES: dict[str, tuple[Callable[[Database, Principal, str], None], str, str]] = {
    # the change an administrator makes, what the page then says happened, and what to do
    "disabled": (_disable, ACCOUNT_CHANGED_WHAT[ACCOUNT_DISABLED], "Ask an administrator about your account."),
    "roles": (_new_roles, ACCOUNT_CHANGED_WHAT[ACCOUNT_ROLES_CHANGED], "Sign in again (File → Sign out"),
    "password": (_password_set, ACCOUNT_CHANGED_WHAT[ACCOUNT_PASSWORD_CHANGED], "with the new password"),
}


def _texts(page: MyWorkPage) -> list[str]:
    return [page.list.item(row).text() for row in range(page.list.count())]


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_my_work_after_the_account_changed(small_demo_db: Database, qtbot: Any, change: str) -> None:
    db = small_demo_db
    admin = security.authenticate(db, "admin", demo.DEMO_PASSWORD)
    window = _window(db, "counsellor", qtbot)
    page = window.open_target("my_work")
    assert isinstance(page, MyWorkPage)
    assert page.data is not None and page.data.lines
    names = [line.title for line in page.data.lines]
    window.open_target("counselling")
    QApplication.processEvents()
    act, what, todo = CHANGES[change]
    act(db, admin, "counsellor")

    with qtbot.capture_exceptions() as escaped:
        assert window.open_target("my_work") is page  # Ctrl+0: the page is shown again, and reads its list
        QApplication.processEvents()
    assert [str(exc) for _type, exc, _tb in escaped] == []
    shown = _texts(page)
    assert not any(name in text for name in names for text in shown), shown
    assert page.current_line is None and page.data is None
    assert not page.charts_box.isVisible()
    said = page.summary.text()  # where the list's counts were said, above it
    assert said.startswith("Your work list is not shown: ") and what in said and NOTHING_CHANGED in said
    assert todo in said

    with qtbot.capture_exceptions() as escaped:  # Refresh: refused again, said again
        page.refresh_button.click()
        QApplication.processEvents()
    assert [str(exc) for _type, exc, _tb in escaped] == [] and page.summary.text() == said


def test_my_work_comes_back_when_the_account_is_enabled_again(small_demo_db: Database, qtbot: Any) -> None:
    db = small_demo_db
    admin = security.authenticate(db, "admin", demo.DEMO_PASSWORD)
    window = _window(db, "counsellor", qtbot)
    page = window.open_target("my_work")
    assert isinstance(page, MyWorkPage) and page.data is not None
    before = _texts(page)
    _disable(db, admin, "counsellor")
    page.refresh_button.click()
    summary = page.summary.text()
    assert _texts(page) == [] and summary.startswith("Your work list is not shown: ")
    security.set_disabled(db, admin, _user_id(db, "counsellor"), False)
    page.refresh_button.click()
    assert _texts(page) == before and page.current_line is not None
    assert page.summary.text() != summary and page.summary.styleSheet() == ""


@pytest.mark.parametrize("change", ["disabled", "roles"])
def test_letterbox_work_list_after_the_account_changed(small_demo_db: Database, qtbot: Any, change: str) -> None:
    db = small_demo_db
    admin = security.authenticate(db, "admin", demo.DEMO_PASSWORD)
    window = _window(db, "letterbox", qtbot)
    page = window.open_target("letterbox")
    assert isinstance(page, LetterboxPage)
    page.tabs.setCurrentIndex(0)  # the work list
    QApplication.processEvents()
    assert page.work_model.rowCount() > 0
    window.open_target("my_work")
    page.refresh_work_list()  # an item logged, an undo: read again when next shown
    act, what, todo = CHANGES[change]
    act(db, admin, "letterbox")

    with qtbot.capture_exceptions() as escaped:
        window.open_target("letterbox")  # Ctrl+3
        QApplication.processEvents()
    assert [str(exc) for _type, exc, _tb in escaped] == []
    assert page.work_model.rowCount() == 0 and page.work_model.all_rows() == []
    said = page.work_count.text()
    assert said.startswith("The work list is not shown: ") and what in said and todo in said

    with qtbot.capture_exceptions() as escaped:  # Show older unanswered exchanges reads it again
        page.older_button.click()
        QApplication.processEvents()
    assert [str(exc) for _type, exc, _tb in escaped] == [] and page.work_count.text() == said
