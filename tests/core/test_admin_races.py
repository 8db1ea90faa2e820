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
    days = [dt.date(2031, 12, 27) + dt.timedelta(days=n) for n in range(6)]
    results = race(shared, "closure_day", [{"user": a, "day": d, "reason": "Office move"} for d in days],
                   [{"user": b, "day": d, "reason": "Staff training"} for d in days])
    for r in results:
        assert {kind for kind, _ in r.values()} <= {"ok", "Conflict"}, r
    with db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ClosureDay).where(ClosureDay.day.in_(days))) == 6
