"""Administration → Users: *Unlock* is enabled only for an account it can unlock (locked after too many wrong
passwords, or with failed sign-ins to clear). It was enabled for every account, and pressing it on one that was
not locked only showed a refusal box; now it is greyed, its tooltip saying why, and kept up to date as the
selection or the list changes. An account unlocked on another PC after this list was read is still refused
(the race), and the button is greyed once the list is read again."""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import admin_page as admin_module
from adoption_desktop.ui.admin_page import UsersTab
from tests.conftest import make_user
from tests.ui.test_admin_page import admin_page


def _wrong_passwords(db: Database, username: str, times: int) -> None:
    for _ in range(times):
        with suppress(AppError):
            users.authenticate(db, username, "not-the-password")


def _select(tab: UsersTab, username: str) -> None:
    names = [u.username for u in tab.model.rows()]
    tab.view.selectRow(names.index(username))
    current = tab._current()
    assert current is not None and current.username == username


@pytest.fixture
def tab(db: Database, admin: Principal, qtbot: Any) -> UsersTab:
    make_user(db, "jo.bloggs", Role.COUNSELLOR)
    make_user(db, "amy.smith", Role.COUNSELLOR)
    _wrong_passwords(db, "jo.bloggs", 5)  # locked (the default: 5 wrong passwords)
    page = admin_page(db, admin, qtbot)
    return page.users


def test_unlock_is_greyed_for_an_account_that_is_not_locked_saying_why(tab: UsersTab) -> None:
    button = tab.findChild(QPushButton, "unlock_user")
    assert button is tab.unlock_button
    _select(tab, "amy.smith")
    assert not button.isEnabled()
    assert button.toolTip() == ("The account of Amy.Smith Tester (amy.smith) is not locked, so there is nothing to "
                                "unlock. Unlock is for an account locked after too many wrong passwords.")
    _select(tab, "jo.bloggs")  # the selection changes: so does the button
    assert button.isEnabled()
    assert button.toolTip().startswith("Unlock the account of Jo.Bloggs Tester (jo.bloggs): it is locked after too "
                                       "many wrong passwords until ")
    _select(tab, "admin")
    assert not button.isEnabled() and "is not locked" in button.toolTip()


def test_no_selection_greys_it(tab: UsersTab) -> None:
    tab.view.setCurrentIndex(tab.model.index(-1, -1))
    tab.view.clearSelection()
    tab._update_disable_button()
    assert not tab.unlock_button.isEnabled() and tab.unlock_button.toolTip() == "Select a user to unlock."


def test_unlocking_greys_it_and_the_list_read_again_enables_it(tab: UsersTab, db: Database, qtbot: Any) -> None:
    _select(tab, "jo.bloggs")
    qtbot.mouseClick(tab.unlock_button, Qt.MouseButton.LeftButton)
    current = tab._current()
    assert current is not None and current.username == "jo.bloggs" and current.locked_until is None
    assert not tab.unlock_button.isEnabled() and "is not locked" in tab.unlock_button.toolTip()
    _select(tab, "amy.smith")
    _wrong_passwords(db, "amy.smith", 5)  # locked meanwhile (another PC): the list read again shows it
    tab.refresh()
    assert tab.unlock_button.isEnabled() and "it is locked" in tab.unlock_button.toolTip()


def test_failed_sign_ins_to_clear_leave_it_enabled(tab: UsersTab, db: Database) -> None:
    _wrong_passwords(db, "amy.smith", 2)
    tab.refresh()
    _select(tab, "amy.smith")
    assert tab.unlock_button.isEnabled()
    assert tab.unlock_button.toolTip() == ("The account of Amy.Smith Tester (amy.smith) is not locked: Unlock "
                                           "clears its 2 failed sign-ins.")


def test_an_account_unlocked_on_another_pc_meanwhile_is_still_refused(tab: UsersTab, db: Database,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _select(tab, "jo.bloggs")
    assert tab.unlock_button.isEnabled()  # as this PC read the list
    other = make_user(db, "other.admin", Role.ADMINISTRATOR)
    jo = next(u for u in tab.model.rows() if u.username == "jo.bloggs")
    users.unlock_account(db, other, jo.id)  # another administrator, on another PC
    errors: list[str] = []
    monkeypatch.setattr(admin_module, "show_error", lambda _w, _t, e: errors.append(str(e)))
    tab.unlock()
    assert len(errors) == 1 and "was already unlocked by Other.Admin Tester" in errors[0]
    assert "nothing was changed" in errors[0]
    assert not tab.unlock_button.isEnabled()  # the list read again


def test_the_rule_without_qt() -> None:
    now = dt.datetime(2026, 12, 6, 10, 0)
    base = users.UserSummary(7, "sam.b", "Sam Brook", (Role.COUNSELLOR,), False, None, None)
    assert users.unlock_refusal(None, now) == "Select a user to unlock."
    assert users.unlock_refusal(base, now) is not None
    # a lock that has ended by itself: nothing to unlock (it can sign in)
    ended = users.UserSummary(7, "sam.b", "Sam Brook", (), False, now - dt.timedelta(minutes=1), None)
    assert users.unlock_refusal(ended, now) is not None
    locked = users.UserSummary(7, "sam.b", "Sam Brook", (), False, now + dt.timedelta(minutes=14), None)
    assert users.unlock_refusal(locked, now) is None
    tried = users.UserSummary(7, "sam.b", "Sam Brook", (), False, None, None, failed_attempts=1)
    assert users.unlock_refusal(tried, now) is None
    assert users.unlock_hint(tried, now).endswith("clears its 1 failed sign-in.")


def test_an_account_locked_on_another_pc_after_the_list_was_read_can_be_unlocked(
        tab: UsersTab, db: Database, qtbot: Any) -> None:
    """Review: an account that locked while the Users tab was open stayed greyed ("is not locked") until the
    list was read again, just when its locked-out user phones. Choosing it reads it again (one row)."""
    _select(tab, "jo.bloggs")
    _wrong_passwords(db, "amy.smith", 5)  # amy locks herself out on another PC; this list is not read again
    _select(tab, "amy.smith")
    assert tab.unlock_button.isEnabled() and "it is locked" in tab.unlock_button.toolTip()
    current = tab._current()
    assert current is not None and current.locked_until is not None  # the row shows it: Status "Locked"
    row = [u.username for u in tab.model.rows()].index("amy.smith")
    assert tab.model.index(row, 4).data() == "Locked"
    qtbot.mouseClick(tab.unlock_button, Qt.MouseButton.LeftButton)
    amy = next(u for u in users.list_users(db, make_user(db, "check", Role.ADMINISTRATOR)) if u.username == "amy.smith")
    assert amy.locked_until is None and amy.failed_attempts == 0


def test_the_account_already_selected_is_read_again_when_clicked_or_shown(
        tab: UsersTab, db: Database, qtbot: Any) -> None:
    _select(tab, "amy.smith")
    assert not tab.unlock_button.isEnabled()
    _wrong_passwords(db, "amy.smith", 5)  # locked on another PC while amy stays selected here
    tab._read_again = None  # the click comes later than the selection, not at once
    row = [u.username for u in tab.model.rows()].index("amy.smith")
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.view.visualRect(tab.model.index(row, 0)).center())
    assert tab.unlock_button.isEnabled() and "it is locked" in tab.unlock_button.toolTip()
    # unlocked on another PC; the tab shown again reads the selected account again
    other = make_user(db, "other.admin", Role.ADMINISTRATOR)
    users.unlock_account(db, other, next(u.id for u in tab.model.rows() if u.username == "amy.smith"))
    tab._read_again = None
    tab.hide()
    tab.show()
    assert not tab.unlock_button.isEnabled() and "is not locked" in tab.unlock_button.toolTip()
