"""An ``insert()`` of an audited table run through a session (evidence gap, 8 December 2026): the audit
capture handled a session's ``update()`` and ``delete()`` statements only, so SQLAlchemy's bulk INSERT
(``session.execute(insert(Model), [{...}, ...])``), or a one-row ``insert(...).values(...)``, wrote rows with
no audit entry and no seal; ``verify`` then called the program's own rows "inserted outside the application".
Now it is refused with a ``NotImplementedError`` that points to ``session.add``, nothing written; rows added
with ``session.add_all`` are each recorded and sealed. SQLCipher and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.models import ProtectedTerm
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input


def _terms(db: Database, arrangement: int) -> list[str]:
    with db.session(write=False) as s:
        return sorted(s.scalars(select(ProtectedTerm.term).where(ProtectedTerm.arrangement_id == arrangement)))


def _entries(db: Database) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.mark.postgres
def test_an_insert_through_a_session_is_refused_and_writes_nothing(any_db: Database) -> None:
    coordinator = make_user(any_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(any_db, coordinator, sample_input())
    before, entries = _terms(any_db, arrangement), _entries(any_db)
    rows = [{"arrangement_id": arrangement, "side": "adoptive", "category": "school", "term": "Elmbridge Primary"},
            {"arrangement_id": arrangement, "side": "adoptive", "category": "place", "term": "Fernhollow"}]
    for statement, params in ((insert(ProtectedTerm), rows),  # SQLAlchemy's ORM bulk INSERT
                              (insert(ProtectedTerm).values(**rows[0]), None),  # one row
                              (insert(ProtectedTerm.__table__), rows)):  # the model's table
        with pytest.raises(NotImplementedError, match=r"insert\(\) of letterbox_protected_terms run through a "
                                                      r"session is not recorded or sealed: add the rows with "
                                                      r"session\.add\(\)"), any_db.session(coordinator) as s:
            s.execute(statement, params)
        assert _terms(any_db, arrangement) == before and _entries(any_db) == entries
    # the way it is meant to be done: each row its entry and seal
    with any_db.session(coordinator) as s:
        s.add_all([ProtectedTerm(**r) for r in rows])
    assert _terms(any_db, arrangement) == sorted([*before, "Elmbridge Primary", "Fernhollow"])
    assert _entries(any_db) == entries + 2
    assert [p for p in verify_database(any_db).problems if not p.startswith("search:")] == []
