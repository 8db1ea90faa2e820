"""The access review: every account in words, the ones not used, the review recorded (audited, sealed, checked
by verify), refused when another review or a change of the accounts came after the list was read (two PCs),
and the CSV read back."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, update

from adoption_desktop.core import access_review, access_rules, audit
from adoption_desktop.core.errors import Conflict, PermissionDenied, ValidationError
from adoption_desktop.core.models import AccessReviewRecord
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.base import utcnow
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from tests.conftest import TEST_PASSWORD, make_user


def _set(db: Database, username: str, **values: object) -> None:
    """Bookkeeping as sign-in writes it (sealed as the application seals it): dates for the test."""
    from adoption_desktop.core.security.service import _bookkeep

    with db.session() as session:
        uid = session.scalar(select(User.id).where(User.username == username))
        assert uid is not None
        _bookkeep(session, uid, **values)


def test_rules_in_words() -> None:
    now = dt.datetime(2026, 12, 7, 12, 0)
    areas = access_rules.area_access([Role.LETTERBOX_COORDINATOR])
    assert areas["Letterbox"].startswith("read letterbox arrangements and items; maintain arrangements")
    assert areas["Counselling"] == areas["Panel"] == "no access"
    assert access_rules.account_state(False, now + dt.timedelta(minutes=5), now) == "Locked"
    assert access_rules.account_state(True, None, now) == "Disabled"
    assert access_rules.unused_text(False, now - dt.timedelta(days=120), None, now, 90) == "NOT USED for 120 days"
    assert access_rules.unused_text(False, now - dt.timedelta(days=89), None, now, 90) == ""
    assert access_rules.unused_text(True, None, now - dt.timedelta(days=400), now, 90) == ""
    assert access_rules.unused_text(False, None, now - dt.timedelta(days=95), now, 90).startswith("NEVER SIGNED IN")
    today = now.date()
    assert access_rules.due_text(None, 6, today) == "due now (no review recorded yet)"
    assert access_rules.due_text(dt.date(2026, 6, 1), 6, today) == "OVERDUE: was due 01/12/2026"
    assert access_rules.due_text(today, 6, today) == f"due {dt.date(2027, 6, 7):%d/%m/%Y}"


def test_review_lists_every_account_and_the_unused(db: Database, admin: Principal) -> None:
    make_user(db, "lee", Role.COUNSELLOR, Role.MANAGER)
    make_user(db, "old.hand", Role.PANEL_CHAIR)
    users.authenticate(db, "lee", TEST_PASSWORD)
    _set(db, "old.hand", last_login=utcnow() - dt.timedelta(days=200))
    review = access_review.access_review(db, admin)
    by_name = {a.username: a for a in review.accounts}
    assert set(by_name) == {"admin", "lee", "old.hand"}
    lee = by_name["lee"]
    assert lee.roles == ("Counsellor", "Manager (figures only)")
    assert lee.areas["Counselling"].startswith("open birth-records counselling cases")
    assert lee.areas["Letterbox"] == "no access"
    assert lee.state == "Enabled" and lee.last_sign_in is not None and lee.unused == ""
    assert by_name["old.hand"].unused == "NOT USED for 200 days"
    assert review.last is None and review.due == "due now (no review recorded yet)" and review.months == 6


def test_recorded_review_is_audited_sealed_and_shown(db: Database, admin: Principal) -> None:
    make_user(db, "lee", Role.COUNSELLOR)
    review = access_review.access_review(db, admin)
    with pytest.raises(ValidationError, match="Note"):
        access_review.record_review(db, admin, "  ", basis=review.basis, last_id=review.last_id)
    done = access_review.record_review(db, admin, "lee still counselling; nothing to change",
                                       basis=review.basis, last_id=review.last_id)
    again = access_review.access_review(db, admin)
    assert again.last == done and again.last is not None
    assert again.last.reviewer == admin.display and again.last.accounts == 2
    assert again.due.startswith("due ") and again.due != "due now (no review recorded yet)"
    with db.session(write=False) as s:
        row = s.scalars(select(AccessReviewRecord)).one()
        assert '"username": "lee"' in row.listing
        entries = audit.query_entries(s, audit.AuditFilter(entity="access_reviews"))
    assert {e.action for e in entries} == {"create", "access_review"}
    assert verify_database(db).ok
    # the record is evidence: a note changed afterwards, outside the application, is named by verify
    with db.engine.begin() as conn:
        conn.execute(update(AccessReviewRecord.__table__).values(note="nothing was checked"))  # type: ignore[arg-type]
    report = verify_database(db)
    assert not report.ok and any("access_reviews" in p for p in report.problems)


def test_only_administrators(db: Database, admin: Principal) -> None:
    manager = make_user(db, "manager", Role.MANAGER)
    with pytest.raises(PermissionDenied):
        access_review.access_review(db, manager)
    review = access_review.access_review(db, admin)
    with pytest.raises(PermissionDenied):
        access_review.record_review(db, manager, "x", basis=review.basis, last_id=None)


def test_second_pc_review_is_refused_not_recorded_twice(db: Database, other_pc: Database, admin: Principal) -> None:
    second = make_user(db, "admin2", Role.ADMINISTRATOR)
    mine = access_review.access_review(db, admin)
    theirs = access_review.access_review(other_pc, second)
    access_review.record_review(other_pc, second, "checked on the other PC", basis=theirs.basis,
                                last_id=theirs.last_id)
    with pytest.raises(Conflict, match="Admin2 Tester"):
        access_review.record_review(db, admin, "checked here", basis=mine.basis, last_id=mine.last_id)
    with db.session(write=False) as s:
        assert len(s.scalars(select(AccessReviewRecord)).all()) == 1


def test_review_refused_when_accounts_changed_since_read(db: Database, other_pc: Database,
                                                         admin: Principal) -> None:
    lee = make_user(db, "lee", Role.COUNSELLOR)
    read = access_review.access_review(db, admin)
    users.set_roles(other_pc, admin, lee.user_id, [Role.COUNSELLOR, Role.LETTERBOX_COORDINATOR])
    with pytest.raises(Conflict, match="accounts changed"):
        access_review.record_review(db, admin, "all as needed", basis=read.basis, last_id=read.last_id)
    # a sign-in meanwhile (the last sign-in changes by itself) does not stop it
    fresh = access_review.access_review(db, admin)
    users.authenticate(other_pc, "lee", TEST_PASSWORD)
    access_review.record_review(db, admin, "all as needed", basis=fresh.basis, last_id=fresh.last_id)


def test_export_reads_back(db: Database, admin: Principal, tmp_path: Path) -> None:
    make_user(db, "old.hand", Role.PANEL_CHAIR)
    _set(db, "old.hand", last_login=utcnow() - dt.timedelta(days=100))
    out = tmp_path / "review.csv"
    assert access_review.export_csv(db, admin, out) == 2
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert header[:6] == list(access_review.CSV_COLUMNS) and "Counselling" in header
    chair = dict(zip(header, next(r for r in rows if r and r[0] == "old.hand"), strict=False))
    assert chair["Roles"] == "Panel chair" and chair["Not used"] == "NOT USED for 100 days"
    assert chair["Panel"].startswith("read the central list") and chair["Letterbox"] == "no access"
    assert ["Next review", "due now (no review recorded yet)"] in rows
    with db.session(write=False) as s:
        assert audit.query_entries(s, audit.AuditFilter(action="export", entity="access_reviews"))


def test_review_and_history_on_either_database(any_db: Database) -> None:
    """SQLCipher and PostgreSQL alike: a review recorded once (a second on the same reading refused), and the
    record's history read back."""
    from adoption_desktop.core import record_history

    admin = make_user(any_db, "admin", Role.ADMINISTRATOR)
    lee = make_user(any_db, "lee", Role.COUNSELLOR)
    read = access_review.access_review(any_db, admin)
    access_review.record_review(any_db, admin, "checked", basis=read.basis, last_id=read.last_id)
    with pytest.raises(Conflict):
        access_review.record_review(any_db, admin, "checked again", basis=read.basis, last_id=read.last_id)
    history = record_history.record_history(any_db, admin, "users", lee.user_id)
    assert history.rows and history.rows[0].record == f"User {lee.user_id}"
