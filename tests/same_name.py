"""Two accounts with one full name (a counsellor and an ADM both "Sam Brook") and different job titles: a
letter must carry its own signer's title, never the other account's (tests of each letter kind)."""

from __future__ import annotations

from dataclasses import replace

from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import make_user

SHARED_NAME = "Sam Brook"


def named(db: Database, admin: Principal, username: str, role: Role, job_title: str) -> Principal:
    """A new account called :data:`SHARED_NAME` with ``role`` and ``job_title`` (set as an administrator
    does; the full name written to the users table as an import of an HR list leaves it)."""
    user = make_user(db, username, role)
    with db.session() as session:
        row = session.get(User, user.user_id)
        assert row is not None
        row.full_name = SHARED_NAME
    users.set_job_title(db, admin, user.user_id, job_title)
    return replace(user, full_name=SHARED_NAME)
