"""Another PC changes the account of a user who is typing (the tests of what a form does when its drafts
stop): the changes an administrator, or the user, makes there (on ``tests.conftest``'s ``other_pc``)."""

from __future__ import annotations

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD


def disable(other: Database, admin: Principal, user: Principal) -> None:
    security.set_disabled(other, admin, user.user_id, True)


def new_roles(other: Database, admin: Principal, user: Principal) -> None:
    """The user's roles and one more (a letterbox coordinator's, or a counsellor's for a coordinator)."""
    extra = Role.COUNSELLOR if Role.LETTERBOX_COORDINATOR in user.roles else Role.LETTERBOX_COORDINATOR
    security.set_roles(other, admin, user.user_id, [*sorted(user.roles, key=str), extra])


def reset_password(other: Database, admin: Principal, user: Principal) -> None:
    security.reset_password(other, admin, user.user_id, "a-new-password-123")


def own_change_elsewhere(other: Database, _admin: Principal, user: Principal) -> None:
    """She changes her own password in another window."""
    elsewhere = security.authenticate(other, user.username, TEST_PASSWORD)
    security.change_own_password(other, elsewhere, TEST_PASSWORD, "her-own-new-password-1")
