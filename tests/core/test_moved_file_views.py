"""A file moved to the team server stays usable to look records up: the opening of a record (a session opened
with ``views_only=True``, writing its ``view`` audit entry) is allowed there, and nothing else such a session
tries to write is kept (``core.storage.engine._ViewsOnly``). The file's move is recorded here as
``move-to-server`` records it at its end (its ``moved_to_server`` entry); the whole move, with a server, is
tested in ``test_move_to_server``."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from adoption_desktop.core import audit
from adoption_desktop.core.audit.seals import MOVED_TO_SERVER
from adoption_desktop.core.models import Draft
from adoption_desktop.core.security.permissions import SYSTEM, Principal, Role
from adoption_desktop.core.security.service import sign_out
from adoption_desktop.core.storage import moved
from adoption_desktop.core.storage.engine import AuditHoldError, Database, MovedToServerError
from tests.conftest import make_user


@pytest.fixture
def moved_db(db: Database) -> Database:
    with db.session(SYSTEM) as session:
        audit.record(session, MOVED_TO_SERVER, "database", "*",
                     detail="moved to the server db.example/adoption by admin: records and audit entries 1 to 9")
    moved.on_open(db)  # as opening it again finds it
    assert db.moved_to_server is not None
    return db


@pytest.fixture
def counsellor(db: Database) -> Principal:
    return make_user(db, "counsellor", Role.COUNSELLOR)


def _log(db: Database) -> list[tuple[str, str, str]]:
    with db.engine.connect() as conn:
        return [(str(a), str(e), str(w)) for a, e, w in conn.execute(
            text("SELECT action, entity, actor FROM audit_log ORDER BY seq"))]


def _drafts(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM drafts")).scalar_one())


def test_a_view_is_recorded_in_a_moved_file(moved_db: Database, counsellor: Principal) -> None:
    with moved_db.session(counsellor, views_only=True) as session:
        audit.record_view(session, "counselling_cases", 7, detail="C-0007")
    assert _log(moved_db)[-1] == ("view", "counselling_cases", "counsellor")


def test_a_views_only_session_keeps_nothing_else_in_a_moved_file(moved_db: Database, counsellor: Principal) -> None:
    before = _log(moved_db)
    # a row of a table the log does not audit (a draft): SQLite itself refuses it
    with (
        pytest.raises(MovedToServerError, match=r"^Nothing was saved\. This database was moved to the team server"),
        moved_db.session(counsellor, views_only=True) as session,
    ):
        audit.record_view(session, "counselling_cases", 7)
        session.add(Draft(user_id=counsellor.user_id, key="case:7:notes", text="typed",
                          saved_at=dt.datetime(2026, 12, 6)))
    # a statement past the ORM
    with (
        pytest.raises(MovedToServerError, match=r"^Nothing was saved\."),
        moved_db.session(counsellor, views_only=True) as session,
    ):
        session.connection().execute(text("INSERT INTO closure_days (day, reason) VALUES ('2026-12-25', 'x')"))
    # an audit entry that is not a view (an export, written beside the view)
    with (
        pytest.raises(MovedToServerError, match=r"^Nothing was saved\."),
        moved_db.session(counsellor, views_only=True) as session,
    ):
        audit.record_view(session, "counselling_cases", 7)
        audit.record(session, "export", "counselling_cases", "*", detail="a report")
    assert _log(moved_db) == before and _drafts(moved_db) == 0
    # and a session that does not say it only views is refused before it starts, as before
    with (
        pytest.raises(MovedToServerError),
        moved_db.session(counsellor) as session,
    ):
        pytest.fail("a write session began on a moved file")


def test_the_connection_is_as_before_after_a_views_only_session(moved_db: Database, counsellor: Principal) -> None:
    """The guard lives on the pooled connection only while the session lasts: the system's own writes (a
    sign-out) and reads go on after it, and a file that was not moved is not affected at all."""
    with moved_db.session(counsellor, views_only=True) as session:
        audit.record_view(session, "counselling_cases", 7)
    sign_out(moved_db, counsellor)
    assert _log(moved_db)[-1][0] == "sign_out"
    moved_db.moved_to_server = None  # the same connections, a file not moved: a views-only session may save
    with moved_db.session(counsellor, views_only=True) as session:
        session.add(Draft(user_id=counsellor.user_id, key="k", text="t", saved_at=dt.datetime(2026, 12, 6)))
    assert _drafts(moved_db) == 1


def test_an_audit_hold_refuses_views_too(moved_db: Database, counsellor: Principal) -> None:
    """A hold's log is under review (cut short, rewritten, a table gone, a trigger planted that would run
    inside the entry's own statement): it is left as found until an administrator acknowledges it, so no
    record is opened meanwhile. A moved file on hold is held as well."""
    before = _log(moved_db)
    moved_db.audit_hold = "#9: entry 9 is missing: the log was cut short"
    try:
        with (
            pytest.raises(AuditHoldError, match=r"^This could not be opened just now\. Reading it is recorded"),
            moved_db.session(counsellor, views_only=True) as session,
        ):
            audit.record_view(session, "counselling_cases", 7)
        moved_db.moved_to_server = None
        with (
            pytest.raises(AuditHoldError, match=r"^This could not be opened just now\. Reading it is recorded"),
            moved_db.session(counsellor, views_only=True) as session,
        ):
            audit.record_view(session, "counselling_cases", 7)
    finally:
        moved_db.audit_hold = None
    assert _log(moved_db) == before
