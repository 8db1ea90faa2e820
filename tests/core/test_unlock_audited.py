"""Unlocking an account (Administration → Users → Unlock) is its own audit action, "Account unlocked", under
the administrator's name and naming the account: an IT officer reviewing an incident looks for who unlocked
it, and found only a generic "Changed" of the account (IT trial)."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core import audit, audit_service
from adoption_desktop.core.audit import readable
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD, make_user


def _lock_out(db: Database, me: Principal) -> None:
    for _ in range(5):
        with pytest.raises((users.PasswordNotConfirmed, users.LockedOut)):
            users.confirm_password(db, me, "not the password")
    with pytest.raises(users.AccountLocked):
        users.authenticate(db, me.username, TEST_PASSWORD)


def test_unlocking_is_audited_as_account_unlocked_by_the_administrator(db: Database, admin: Principal) -> None:
    worker = make_user(db, "worker", Role.COUNSELLOR)
    _lock_out(db, worker)
    users.unlock_account(db, admin, worker.user_id)
    users.authenticate(db, "worker", TEST_PASSWORD)  # the unlock is real

    # as the audit viewer reads it: its Action filter takes the words shown
    shown = audit_service.list_entries(db, admin, audit.AuditFilter(action=readable.action_code("Account unlocked")))
    assert len(shown) == 1
    entry = shown[0]
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == ("admin", "unlock", "users",
                                                                           str(worker.user_id))
    assert readable.action_label(entry.action) == "Account unlocked"
    assert entry.detail.startswith("account worker (Worker Tester) unlocked by admin; it was locked until ")
    assert entry.detail.endswith(" UTC")
    report = audit_service.verify(db, admin)
    assert report.ok, report.problems


def test_unlocking_an_account_that_was_not_locked_says_so(db: Database, admin: Principal) -> None:
    worker = make_user(db, "worker", Role.COUNSELLOR)
    with pytest.raises(users.PasswordNotConfirmed):
        users.confirm_password(db, worker, "not the password")
    users.unlock_account(db, admin, worker.user_id)
    (entry,) = audit_service.list_entries(db, admin, audit.AuditFilter(action="unlock"))
    assert entry.detail == "account worker (Worker Tester) unlocked by admin; it was not locked; 1 failed " \
                           "sign-in attempt cleared"
    assert audit_service.verify(db, admin).ok


def test_unlocking_again_is_refused_naming_who_unlocked_it_and_records_nothing(db: Database, admin: Principal) -> None:
    """A second Unlock of an account that is no longer locked (a colleague's list was not refreshed) is
    refused with who unlocked it: "Account unlocked" is recorded once."""
    other = make_user(db, "admin2", Role.ADMINISTRATOR)
    worker = make_user(db, "worker", Role.COUNSELLOR)
    _lock_out(db, worker)
    users.unlock_account(db, admin, worker.user_id)
    with pytest.raises(users.AlreadyUnlocked) as caught:
        users.unlock_account(db, other, worker.user_id)
    said = str(caught.value)
    assert said.startswith("The account of Worker Tester (worker) was already unlocked by Admin Tester at ")
    assert said.endswith(", so nothing was changed. It can sign in now.")
    with pytest.raises(users.AlreadyUnlocked, match="already unlocked by you at "):
        users.unlock_account(db, admin, worker.user_id)
    assert len(audit_service.list_entries(db, admin, audit.AuditFilter(action="unlock"))) == 1
    assert audit_service.verify(db, admin).ok


def test_unlocking_an_account_never_locked_says_there_is_nothing_to_unlock(db: Database, admin: Principal) -> None:
    worker = make_user(db, "worker", Role.COUNSELLOR)
    with pytest.raises(users.AlreadyUnlocked, match="is not locked and has no failed sign-ins to clear"):
        users.unlock_account(db, admin, worker.user_id)
    # nor after a lock that was unlocked, then locked again and ended by a right password after it expired
    _lock_out(db, worker)
    users.unlock_account(db, admin, worker.user_id)
    _lock_out(db, worker)
    with db.session(write=False) as session:
        user = session.get(User, worker.user_id)
        assert user is not None and user.locked_until is not None
        later = user.locked_until + dt.timedelta(minutes=1)  # the lock's time has passed
    users.authenticate(db, "worker", TEST_PASSWORD, now=later)
    with pytest.raises(users.AlreadyUnlocked, match="is not locked and has no failed sign-ins to clear"):
        users.unlock_account(db, admin, worker.user_id)


def test_unlocking_a_disabled_account_never_says_it_can_sign_in(db: Database, admin: Principal) -> None:
    """A disabled account cannot sign in whoever unlocked it: the refusal says it is disabled, not "It can sign in
    now." (review)."""
    other = make_user(db, "admin2", Role.ADMINISTRATOR)
    worker = make_user(db, "worker", Role.COUNSELLOR)
    _lock_out(db, worker)
    users.unlock_account(db, admin, worker.user_id)
    users.set_disabled(db, admin, worker.user_id, True)
    with pytest.raises(users.AlreadyUnlocked) as caught:
        users.unlock_account(db, other, worker.user_id)
    said = str(caught.value)
    assert said.startswith("The account of Worker Tester (worker) was already unlocked by Admin Tester at ")
    assert said.endswith(", so nothing was changed. It is disabled, so it cannot sign in until an administrator "
                         "enables it again (Enable user…).")
    assert "can sign in now" not in said
    never = make_user(db, "never", Role.COUNSELLOR)
    users.set_disabled(db, admin, never.user_id, True)
    with pytest.raises(users.AlreadyUnlocked) as caught:
        users.unlock_account(db, admin, never.user_id)
    assert str(caught.value) == ("The account of Never Tester (never) is not locked and has no failed sign-ins to "
                                 "clear, so nothing was changed. It is disabled, so it cannot sign in until an "
                                 "administrator enables it again (Enable user…).")
    assert len(audit_service.list_entries(db, admin, audit.AuditFilter(action="unlock"))) == 1
    assert audit_service.verify(db, admin).ok


@pytest.mark.parametrize("right_password", ["sign-in", "password confirmed"])
def test_an_unlock_is_not_named_when_a_right_password_cleared_the_failures_since(
        db: Database, admin: Principal, right_password: str) -> None:
    """Unlocked by the administrator, then wrong passwords again (not enough to lock) and the right one, which
    cleared them: the account has nothing to unlock because of the right password, not the old unlock (review)."""
    other = make_user(db, "admin2", Role.ADMINISTRATOR)
    worker = make_user(db, "worker", Role.COUNSELLOR)
    _lock_out(db, worker)
    users.unlock_account(db, admin, worker.user_id)
    for _ in range(2):
        with pytest.raises(users.PasswordNotConfirmed):
            users.confirm_password(db, worker, "not the password")
    if right_password == "sign-in":
        users.authenticate(db, "worker", TEST_PASSWORD)
    else:
        users.confirm_password(db, worker, TEST_PASSWORD)
    with pytest.raises(users.AlreadyUnlocked) as caught:
        users.unlock_account(db, other, worker.user_id)
    assert str(caught.value) == ("The account of Worker Tester (worker) is not locked and has no failed sign-ins to "
                                 "clear, so nothing was changed. It can sign in now.")
    # an unlock after the right password is named again
    _lock_out(db, worker)
    users.unlock_account(db, admin, worker.user_id)
    with pytest.raises(users.AlreadyUnlocked, match="was already unlocked by Admin Tester at "):
        users.unlock_account(db, other, worker.user_id)
    assert audit_service.verify(db, admin).ok
