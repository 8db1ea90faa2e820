"""Administration text that ends up in letters, exports and command lines: no formula start."""

from __future__ import annotations

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import SYSTEM, Principal, Role
from adoption_desktop.core.storage.engine import Database

PASSWORD = "Kestrel-Harbour-Lantern-42"


@pytest.mark.parametrize("title", ["=HYPERLINK(\"http://x\",\"Manager\")", "+Manager", "-Manager", "@SUM(A1)",
                                   "  =1+1"])
def test_a_job_title_beginning_like_a_formula_is_refused(db: Database, admin: Principal, title: str) -> None:
    user = next(u for u in security.list_users(db, admin) if u.id == admin.user_id)
    with pytest.raises(ValidationError, match="Job title: cannot begin with"):
        security.set_job_title(db, admin, user.id, title)
    security.set_job_title(db, admin, user.id, "  Service manager (adoption) ")
    assert next(u for u in security.list_users(db, admin) if u.id == admin.user_id).job_title == \
        "Service manager (adoption)"


def test_a_user_name_beginning_with_a_dash_is_refused(db: Database, admin: Principal) -> None:
    with pytest.raises(ValidationError, match="User name: cannot begin with a dash"):
        security.create_user(db, admin, "-jo.bloggs", "Jo Bloggs", PASSWORD, [Role.COUNSELLOR])
    assert security.username_problem("--admin", "--admin-user") is not None
    security.create_user(db, admin, "jo-bloggs", "Jo Bloggs", PASSWORD, [Role.COUNSELLOR])
    assert "jo-bloggs" in [u.username for u in security.list_users(db, SYSTEM)]


def test_a_closure_day_reason_beginning_like_a_formula_is_refused_and_a_day_is_recorded_once(
        db: Database, admin: Principal) -> None:
    import datetime as dt

    from adoption_desktop.core.settings_service import add_closure_day, calendar

    with pytest.raises(ValidationError, match="Reason: cannot begin with"):
        add_closure_day(db, admin, dt.date(2031, 5, 6), "=bad formula")
    add_closure_day(db, admin, dt.date(2031, 5, 6), "Training day")
    add_closure_day(db, admin, dt.date(2031, 5, 6), "Training day")  # already recorded: left as it is
    with db.session(write=False) as session:
        assert not calendar(session).is_working_day(dt.date(2031, 5, 6))
