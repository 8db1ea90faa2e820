"""Removing a record entered by mistake is checked against the record as the counsellor saw it: a colleague on
another PC who changed it after the case was opened (a records request chased, a session's outcome recorded)
does not lose that change to a removal made from the older screen, without a word (helper review, 7
December). Refused naming who and when, nothing changed; from a screen that shows their change, removed. Two
real sessions: the same SQLCipher file opened by two engines, and two PCs on one PostgreSQL database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from tests.conftest import make_user

from .conftest import TODAY, referral

D = dt.date


def _setup(db: Database) -> tuple[Principal, Principal, int]:
    corey = make_user(db, "corey", Role.COUNSELLOR)
    cora = make_user(db, "cora", Role.COUNSELLOR)
    return corey, cora, service.create_referral(db, corey, referral(), today=TODAY)


def _count(db: Database, table: str, row_id: int) -> int:
    with db.session(write=False) as s:
        return int(s.execute(text(f"SELECT count(*) FROM {table} WHERE id = :i"), {"i": row_id}).scalar_one())


def test_a_records_request_a_colleague_chased_since_is_not_removed(pcs: tuple[Database, Database]) -> None:
    mine, theirs = pcs
    corey, cora, case_id = _setup(mine)
    req = service.add_request(mine, corey, case_id, service.RequestInput(
        "archive", "Ambleford Record Office", D(2026, 10, 1)), today=TODAY)
    [shown] = service.open_case(mine, corey, case_id, TODAY).requests  # Corey opens the case
    [seen] = service.open_case(theirs, cora, case_id, TODAY).requests
    service.record_chase(theirs, cora, req, D(2026, 11, 2), today=TODAY, expected_version=seen.row_version)
    with pytest.raises(StaleRecord, match=r"^Cora Tester saved the records request to Ambleford Record Office at "
                       r".*after you opened it; it was not removed\. Reload to see their change"):
        service.remove_request(mine, corey, req, "entered twice", expected_version=shown.row_version)
    [kept] = service.open_case(theirs, cora, case_id, TODAY).requests
    assert (kept.chase_count, kept.last_chased_on) == (1, D(2026, 11, 2))  # Cora's chase stands
    [now] = service.open_case(mine, corey, case_id, TODAY).requests
    service.remove_request(mine, corey, req, "entered twice", expected_version=now.row_version)
    assert _count(mine, "counselling_requests", req) == 0


def test_a_session_whose_outcome_a_colleague_recorded_since_is_not_removed(pcs: tuple[Database, Database]) -> None:
    mine, theirs = pcs
    corey, cora, case_id = _setup(mine)
    ses = service.add_session(mine, corey, case_id, D(2026, 11, 10), "in_person", "10:00", "Office",
                              today=TODAY, outcome=None)
    [shown] = service.open_case(mine, corey, case_id, TODAY).sessions
    assert shown.outcome == ""
    service.set_session_outcome(theirs, cora, ses, "held", expected="", today=TODAY)  # Cora: it was held
    with pytest.raises(StaleRecord) as refused:
        service.remove_session(mine, corey, ses, "entered on the wrong case", expected_outcome=shown.outcome)
    message = str(refused.value)
    assert message.startswith("Cora Tester saved the session of 10/11/2026 at "), message
    assert "after you opened it" in message and "now recorded as held" in message
    assert _count(mine, "counselling_sessions", ses) == 1
    assert [s.outcome for s in service.open_case(theirs, cora, case_id, TODAY).sessions] == ["held"]
    [now] = service.open_case(mine, corey, case_id, TODAY).sessions
    service.remove_session(mine, corey, ses, "entered on the wrong case", expected_outcome=now.outcome)
    assert _count(mine, "counselling_sessions", ses) == 0
