"""User names, sign-in and passwords as a tester found them (one test or more per finding): ASCII user
names, sessions ended by a password reset, a password set by an administrator changed at the next
sign-in, strong passwords, refused sign-ins audited, no empty audit entry for a role change."""

from __future__ import annotations

import json

import pytest

from adoption_desktop.core import audit
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import make_user

PW = "tawny-quill-harbour"  # strong enough (zxcvbn 4), synthetic


def _entries(db: Database, **flt: str) -> list[audit.AuditRow]:
    with db.session(write=False) as session:
        return audit.query_entries(session, audit.AuditFilter(**flt))


def test_a_role_change_writes_one_update_entry_with_its_changes(db: Database, admin: Principal) -> None:
    p = make_user(db, "rolly", Role.COUNSELLOR)
    before = max(e.seq for e in _entries(db))
    users.set_roles(db, admin, p.user_id, [Role.MANAGER])
    updates = [e for e in _entries(db, entity="users", action="update") if e.seq > before]
    assert len(updates) == 1, updates
    assert json.loads(updates[0].changes) == {"roles": [["counsellor"], ["manager"]]}
    with db.session(write=False) as session:  # the row is sealed as it now is
        assert audit.verify_record(session.connection()) == []
