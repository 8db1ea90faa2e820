"""An administrator whose full name is long (up to the 120 characters a name may have) records the access review
on either database: the reviewer kept is their name and user name as signed in, which can run past 120
characters, and PostgreSQL refused the row ("value too long") where SQLite stored it."""

from __future__ import annotations

from sqlalchemy import select

from adoption_desktop.core import access_review
from adoption_desktop.core.models import AccessReviewRecord
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from tests.conftest import make_user

LONG_NAME = ("Alexandra Catherine Montgomery-Fitzwilliam, Head of Permanence and Adoption Support Services, "
             "Example Agency")


def test_a_long_name_records_the_review(any_db: Database) -> None:
    first = make_user(any_db, "admin", Role.ADMINISTRATOR)
    made = users.create_user(any_db, first, "a.montgomery-fitzwilliam.hos", LONG_NAME, "velvet-harbour-cactus-9",
                             [Role.ADMINISTRATOR], must_change=False)
    assert len(LONG_NAME) <= 120
    reviewer = users.authenticate(any_db, made.username, "velvet-harbour-cactus-9")
    read = access_review.access_review(any_db, reviewer)
    done = access_review.record_review(any_db, reviewer, "all as needed", basis=read.basis, last_id=read.last_id)
    assert LONG_NAME in done.reviewer
    with any_db.session(write=False) as s:
        row = s.scalars(select(AccessReviewRecord)).one()
        assert row.reviewer_id == reviewer.user_id and LONG_NAME in row.reviewer
    assert access_review.access_review(any_db, reviewer).last == done
    assert verify_database(any_db).ok
