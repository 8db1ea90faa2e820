import datetime as dt

import pytest

from adoption_desktop.core.errors import PermissionDenied, ValidationError
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import MATRIX, Permission, Principal, Role, require
from adoption_desktop.core.settings_service import add_closure_day
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD, make_user


def test_sign_in_and_wrong_password(db: Database) -> None:
    make_user(db, "oakmere", Role.COUNSELLOR)
    principal = users.authenticate(db, "OakMere", TEST_PASSWORD)
    assert principal.roles == {Role.COUNSELLOR}
    with pytest.raises(users.SignInError, match="not right"):
        users.authenticate(db, "oakmere", "nope")


def test_five_failures_lock_the_account(db: Database) -> None:
    make_user(db, "locky", Role.MANAGER)
    now = dt.datetime(2026, 11, 23, 9, 0)
    for _ in range(5):
        with pytest.raises(users.SignInError):
            users.authenticate(db, "locky", "wrong", now=now)
    # even the right password is refused while locked
    with pytest.raises(users.AccountLocked):
        users.authenticate(db, "locky", TEST_PASSWORD, now=now + dt.timedelta(minutes=1))
    # after the lock-out time (default 15 minutes) the right password works again
    assert users.authenticate(db, "locky", TEST_PASSWORD, now=now + dt.timedelta(minutes=16)).username == "locky"


def test_failed_sign_ins_are_filed_under_the_account(db: Database) -> None:
    """The audit log filtered on a user's record shows their failed sign-ins and the lock-out (they were
    filed under "users *" before, so that filter missed them)."""
    from adoption_desktop.core import audit

    p = make_user(db, "filed", Role.MANAGER)
    now = dt.datetime(2026, 11, 23, 9, 0)
    for _ in range(5):
        with pytest.raises(users.SignInError):
            users.authenticate(db, "filed", "wrong", now=now)
    with db.session(write=False) as session:
        mine = audit.query_entries(session, audit.AuditFilter(entity="users", entity_id=str(p.user_id)))
    details = [e.detail for e in mine]
    assert sum("failed sign-in counted" in d for d in details) == 5, details


def test_four_failures_do_not_lock(db: Database) -> None:
    make_user(db, "nearly", Role.MANAGER)
    now = dt.datetime(2026, 11, 23, 9, 0)
    for _ in range(4):
        with pytest.raises(users.SignInError):
            users.authenticate(db, "nearly", "wrong", now=now)
    assert users.authenticate(db, "nearly", TEST_PASSWORD, now=now).username == "nearly"


def test_disabled_user_cannot_sign_in(db: Database, admin: Principal) -> None:
    p = make_user(db, "leaver", Role.COUNSELLOR)
    users.set_disabled(db, admin, p.user_id, True)
    with pytest.raises(users.SignInError):
        users.authenticate(db, "leaver", TEST_PASSWORD)
    assert [u.username for u in users.list_users(db, admin) if u.disabled] == ["leaver"]


def test_service_refuses_a_role_without_permission_even_without_ui(db: Database) -> None:
    manager = make_user(db, "figures", Role.MANAGER)
    with pytest.raises(PermissionDenied, match=r"users\.manage"):
        users.create_user(db, manager, "sneaky", "Sneaky Person", "long-enough-pw", [Role.ADMINISTRATOR])
    with pytest.raises(PermissionDenied):
        add_closure_day(db, manager, dt.date(2026, 12, 24), "Christmas Eve")
    with pytest.raises(PermissionDenied):
        users.list_users(db, manager)


def test_admin_creates_user_with_validation(db: Database, admin: Principal) -> None:
    with pytest.raises(ValidationError, match="at least 10"):
        users.create_user(db, admin, "newbie", "New Person", "short", [Role.COUNSELLOR])
    with pytest.raises(ValidationError, match="Roles"):
        users.create_user(db, admin, "newbie", "New Person", "long-enough-pw", [])
    created = users.create_user(db, admin, "newbie", "New Person", "long-enough-pw", [Role.COUNSELLOR])
    with pytest.raises(ValidationError, match="taken"):
        users.create_user(db, admin, "NEWBIE", "Other", "long-enough-pw", [Role.COUNSELLOR])
    users.set_roles(db, admin, created.id, [Role.COUNSELLOR, Role.LETTERBOX_COORDINATOR])
    with pytest.raises(users.PasswordChangeRequired) as first:  # the administrator chose that password
        users.authenticate(db, "newbie", "long-enough-pw")
    assert first.value.principal.can(Permission.LETTERBOX_EDIT)


def test_first_administrator_only_once(db: Database) -> None:
    p = users.create_first_administrator(db, "boss", "Boss Person", "long-enough-pw")
    assert p.can(Permission.USERS_MANAGE)
    with pytest.raises(ValidationError):
        users.create_first_administrator(db, "boss2", "Boss Two", "long-enough-pw")


def test_reauthenticate(db: Database) -> None:
    p = make_user(db, "signer", Role.AGENCY_DECISION_MAKER)
    assert users.reauthenticate(db, p, TEST_PASSWORD)
    assert not users.reauthenticate(db, p, "wrong")


def test_require_names_the_missing_permission() -> None:
    p = Principal(9, "x", "X", frozenset({Role.PANEL_CHAIR}))
    require(p, Permission.PANEL_APPROVE_MINUTES)
    with pytest.raises(PermissionDenied, match=r"adm\.decide"):
        require(p, Permission.ADM_DECIDE)


def test_manager_sees_figures_only() -> None:
    assert MATRIX[Role.MANAGER] == {Permission.REPORTS_VIEW}


def test_permission_document_matches_the_code() -> None:
    from pathlib import Path

    from adoption_desktop.core.security.permissions_doc import render

    doc = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
    assert doc.read_text(encoding="utf-8") == render()


def test_a_user_disabled_or_changed_while_signed_in_is_refused_at_once(db: Database, admin: Principal) -> None:
    from adoption_desktop.core.settings_service import calendar

    counsellor = make_user(db, "midway", Role.COUNSELLOR)
    with db.session(counsellor, write=False) as session:  # allowed while nothing changed
        calendar(session)
    users.set_roles(db, admin, counsellor.user_id, [Role.MANAGER])
    with pytest.raises(PermissionDenied, match="sign in again"), db.session(counsellor):
        pass
    users.set_disabled(db, admin, counsellor.user_id, True)
    with pytest.raises(PermissionDenied, match="disabled"), db.session(counsellor):
        pass


def test_security_settings_have_safe_minimums(db: Database, admin: Principal) -> None:
    from adoption_desktop.core.config import IDLE_LOCK_MINUTES, LOCKOUT_ATTEMPTS
    from adoption_desktop.core.settings_service import get_setting, set_setting

    with pytest.raises(ValidationError, match="from 1 to 60"):
        set_setting(db, admin, IDLE_LOCK_MINUTES, 0)
    with pytest.raises(ValidationError, match="from 1 to 10"):
        set_setting(db, admin, LOCKOUT_ATTEMPTS, 0)
    set_setting(db, admin, IDLE_LOCK_MINUTES, 5)
    with db.session(write=False) as session:
        assert get_setting(session, IDLE_LOCK_MINUTES) == 5


def test_security_settings_have_ceilings(db: Database, admin: Principal) -> None:
    """Admin trial, 2026-12-04: 100,000 failed sign-ins before a lock-out was accepted (the lock-out switched
    off in effect), as were days of inactivity before the window locks. A value stored before the ceiling
    (or outside the application) is read as the ceiling."""
    import json

    from sqlalchemy import update

    from adoption_desktop.core.config import IDLE_LOCK_MINUTES, LOCKOUT_ATTEMPTS, LOCKOUT_MINUTES
    from adoption_desktop.core.models import SettingValue
    from adoption_desktop.core.settings_service import get_setting, set_setting

    for setting, too_many, ceiling in ((LOCKOUT_ATTEMPTS, 100000, 10), (LOCKOUT_MINUTES, 1441, 1440),
                                       (IDLE_LOCK_MINUTES, 61, 60)):
        with pytest.raises(ValidationError, match=f"from 1 to {ceiling}"):
            set_setting(db, admin, setting, too_many)
        set_setting(db, admin, setting, ceiling)
        with db.session() as session:
            session.execute(update(SettingValue).where(SettingValue.key == setting.key)
                            .values(value=json.dumps(too_many)))
        with db.session(write=False) as session:
            assert get_setting(session, setting) == ceiling


def test_the_administrator_role_is_never_taken_from_the_last_or_ones_own_account(db: Database, admin: Principal) -> None:
    """User trial: an administrator took the role from their own (the only administrator's) account and
    nobody was left to manage users, settings or backups."""
    from adoption_desktop.core.security.permissions import SYSTEM

    with pytest.raises(ValidationError, match="you cannot take the administrator role from your own account"):
        users.set_roles(db, admin, admin.user_id, [Role.MANAGER])
    with pytest.raises(ValidationError, match="is the only administrator left; give another account"):
        users.set_roles(db, SYSTEM, admin.user_id, [Role.MANAGER])
    second = make_user(db, "second_admin", Role.ADMINISTRATOR)
    users.set_roles(db, admin, second.user_id, [Role.MANAGER])  # another remains: allowed
    assert {u.username: u.roles for u in users.list_users(db, admin)}["second_admin"] == (Role.MANAGER,)
    users.set_roles(db, admin, admin.user_id, [Role.ADMINISTRATOR, Role.MANAGER])  # keeping it: allowed
