"""A past period's "overdue for a chase" is judged by what was known at its end (UT1, 6 December 2026): the
January-March figure was read from the request's current chase date, so a chase recorded in April moved it
and the figures already reported for the quarter changed. The chase history now keeps the chase date each
chase replaced; a chase undone leaves the history, and a chase redone comes back into it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import figures, outstanding, service
from adoption_desktop.counselling import undo as counselling_undo
from adoption_desktop.counselling.models import RecordsChase
from tests.counselling.conftest import TODAY, records_request

D = dt.date
Q1 = (D(2026, 1, 1), D(2026, 3, 31))


def _q1(db: Database, actor: Principal) -> tuple[str, str]:
    rows = dict(figures.figures(db, actor, *Q1, today=TODAY)[0].rows)
    return rows["Records requests outstanding at end of period"], rows["of which overdue for a chase"]


def test_a_later_chase_does_not_change_a_past_period(
        db: Database, counsellor: Principal, manager: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case(referral_date=D(2026, 1, 5))
    rid = records_request(db, counsellor, case_id, "Brackwater County Archives", D(2026, 1, 12))  # due in February
    assert _q1(db, manager) == ("1", "1")
    _due, entry = counselling_undo.record_chase(db, counsellor, rid, D(2026, 4, 15), today=TODAY)  # after the quarter
    assert _q1(db, manager) == ("1", "1")  # as reported at the end of March
    with db.session(counsellor, write=False) as s:  # today, the chase has moved the request on
        assert s.scalar(select(outstanding.overdue_on(D(2026, 4, 20)))) is False
        assert [(c.chased_on, c.due_before < c.due_after) for c in s.scalars(select(RecordsChase))] == [
            (D(2026, 4, 15), True)]
    redo = entry.reverse()  # the chase undone: out of the history too
    with db.session(counsellor, write=False) as s:
        assert s.scalars(select(RecordsChase)).all() == []
    assert redo is not None
    redo.reverse()
    with db.session(counsellor, write=False) as s:
        assert [c.chased_on for c in s.scalars(select(RecordsChase))] == [D(2026, 4, 15)]
    # a chase within the quarter counts for it: its new date, due after the quarter's end, is not overdue
    other = new_case(referral_date=D(2026, 1, 5), birth_name="Ben Thornby")
    chased = records_request(db, counsellor, other, "Ambleford County Court", D(2026, 1, 12))
    service.record_chase(db, counsellor, chased, D(2026, 3, 20), today=TODAY)
    assert _q1(db, manager) == ("2", "1")
    service.record_chase(db, counsellor, chased, D(2026, 5, 20), today=TODAY)
    assert _q1(db, manager) == ("2", "1")
    # a request removed takes its history with it
    service.remove_request(db, counsellor, chased, "entered on the wrong case")
    with db.session(counsellor, write=False) as s:
        assert s.scalars(select(RecordsChase.request_id)).all() == [rid]
