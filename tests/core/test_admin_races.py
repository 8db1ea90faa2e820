"""Two administrators doing the same thing at once (two real processes; SQLCipher and PostgreSQL)."""

from __future__ import annotations

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import SYSTEM, Role
from tests.conftest import make_user
from tests.core.test_concurrency import Shared, race, shared  # noqa: F401 (the fixture)

NEW_PASSWORD = "Kestrel-Harbour-Lantern-42"


def test_two_administrators_creating_the_same_user_name_at_once_one_is_told_clearly(
        shared: Shared) -> None:  # noqa: F811 (the fixture imported above)
    db = shared.db
    a, b = make_user(db, "adm_one", Role.ADMINISTRATOR), make_user(db, "adm_two", Role.ADMINISTRATOR)
    rounds = [{"username": f"new.worker{n}", "full_name": f"New Worker {n}", "password": NEW_PASSWORD,
               "pause": 1.5} for n in range(2)]
    results = race(shared, "create_user", [{**r, "user": a} for r in rounds], [{**r, "user": b} for r in rounds])
    for r in results:
        kinds = sorted(kind for kind, _ in r.values())
        # writers take turns from the start of their transaction (SQLCipher's write lock, PostgreSQL's
        # writer lock): the second finds the name taken; should both ever find it free, the unique index
        # refuses the second insert, said as a Conflict
        assert kinds[1] == "ok" and kinds[0] in ("Conflict", "ValidationError"), r
        message = next(m for kind, m in r.values() if kind != "ok")
        assert "someone else a moment ago" in message or "is taken" in message, r
    names = [u.username for u in security.list_users(db, SYSTEM)]
    assert names.count("new.worker0") == 1 and names.count("new.worker1") == 1


def test_two_administrators_adding_one_closure_day_at_once_leave_one_record(shared: Shared) -> None:  # noqa: F811
    """Admin trial: in team mode the second got a raw unique-key error shown as an internal error."""
    import datetime as dt

    from sqlalchemy import func, select

    from adoption_desktop.core.models import ClosureDay

    db = shared.db
    a, b = make_user(db, "adm_one", Role.ADMINISTRATOR), make_user(db, "adm_two", Role.ADMINISTRATOR)
    from tests.conftest import weekday_open

    days = []  # six days that may be closure days (no weekend, no bank holiday)
    while len(days) < 6:
        days.append(weekday_open(days[-1] + dt.timedelta(days=1) if days else dt.date(2031, 12, 29)))
    results = race(shared, "closure_day", [{"user": a, "day": d, "reason": "Office move"} for d in days],
                   [{"user": b, "day": d, "reason": "Staff training"} for d in days])
    for r in results:
        assert {kind for kind, _ in r.values()} <= {"ok", "Conflict"}, r
    with db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ClosureDay).where(ClosureDay.day.in_(days))) == 6


def test_two_administrators_resetting_one_password_the_second_is_refused(any_db, store) -> None:  # type: ignore[no-untyped-def]
    """Left from the multi-user trial: two administrators answering one locked-out user's call both reset the
    password, and the first told the user one that no longer worked. Each reset carries the password's
    serial its list showed; the second is refused and nothing is changed."""
    import pytest

    from adoption_desktop.core.errors import Conflict
    from adoption_desktop.core.security.service import SignInError, authenticate
    from tests.letterbox.test_logged_once import other_handle

    a, b = make_user(any_db, "adm_one", Role.ADMINISTRATOR), make_user(any_db, "adm_two", Role.ADMINISTRATOR)
    make_user(any_db, "caller", Role.LETTERBOX_COORDINATOR)
    other = other_handle(any_db, store)
    try:
        def shown(db, who):  # type: ignore[no-untyped-def]
            return next(u for u in security.list_users(db, who) if u.username == "caller")

        mine, theirs = shown(any_db, a), shown(other, b)
        # a sign-in attempt changes the row (its count of failures), not the password: no reason to refuse
        with pytest.raises(SignInError):
            authenticate(any_db, "caller", "not-the-password")
        security.reset_password(any_db, a, mine.id, NEW_PASSWORD, expected_serial=mine.password_serial,
                                must_change=False)
        with pytest.raises(Conflict, match=r"Not reset: the password of .* \(caller\) was set again since"):
            security.reset_password(other, b, theirs.id, "Otter-Quarry-Meadow-77", must_change=False,
                                    expected_serial=theirs.password_serial)
        assert authenticate(other, "caller", NEW_PASSWORD).username == "caller"
        # with the list reloaded, a reset goes through
        again = shown(other, b)
        security.reset_password(other, b, again.id, "Otter-Quarry-Meadow-77", must_change=False,
                                expected_serial=again.password_serial)
        assert authenticate(any_db, "caller", "Otter-Quarry-Meadow-77").username == "caller"
    finally:
        other.dispose()
