"""Someone holding the database key changed an open counselling case in SQL (the applicant's address, or a
closed case set back to open), and closing it sealed it as final with the change in it: it then showed only
as an old ``verify`` finding. A case is now checked against its latest seal, under the case's lock, before it
is closed or changed (and before a letter is written from it); one not as the program last saved it is
refused, nothing is written, and ``verify`` goes on naming the change. Untouched cases close as before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.audit.seal_check import check_rows
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service

from .conftest import TODAY, referral

D = dt.date


def _sql(db: Database, statement: str, **params: object) -> None:
    """A change made with the key, outside the application: plain SQL on the SQLCipher file (no audit, no seal)."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _state(db: Database, case_id: int) -> tuple[int, dict[str, Any]]:
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM counselling_cases WHERE id = :i"), {"i": case_id}).mappings().one()
        return int(conn.execute(select(func.count()).select_from(AuditEntry)).scalar() or 0), dict(row)


def _refused(db: Database, case_id: int, attempt: Any, *said: str) -> None:
    before = _state(db, case_id)
    with pytest.raises(SealBroken) as refused:
        attempt()
    message = str(refused.value)
    assert message.startswith("This case is not as it was last saved in Adoption Desktop: "), message
    for words in (*said, "changed outside the application", "Nothing was saved", "verify", "backup"):
        assert words in message, (words, message)
    assert _state(db, case_id) == before  # no audit entry, no seal, the row as it was
    with db.engine.connect() as conn:
        assert check_rows(conn, "counselling_cases", [case_id])


def test_an_open_case_changed_in_sql_is_not_closed_changed_or_written_to(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    _sql(db, "UPDATE counselling_cases SET address = '99 Forged Street\nZZ1 9ZZ' WHERE id = :i", i=case_id)
    _refused(db, case_id, lambda: service.close_case(db, counsellor, case_id, D(2026, 11, 2), "withdrawn",
                                                     today=TODAY), "address", "It was not closed")
    _refused(db, case_id, lambda: service.update_referral(db, counsellor, case_id, referral(phone="01632 960002"),
                                                          today=TODAY), "Your changes were not saved")
    _refused(db, case_id, lambda: service.letter_data(db, counsellor, case_id, "acknowledgement", today=TODAY),
             "No letter was written")


def test_a_closed_case_set_back_to_open_in_sql_is_not_closed_again(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    service.close_case(db, counsellor, case_id, D(2026, 11, 2), "withdrawn", today=TODAY)
    _sql(db, "UPDATE counselling_cases SET closed_on = NULL, outcome = '' WHERE id = :i", i=case_id)
    _refused(db, case_id, lambda: service.close_case(db, counsellor, case_id, D(2026, 11, 3), "no_contact",
                                                     today=TODAY), "closed on", "It was not closed")


def test_an_untouched_case_closes_as_before(db: Database, counsellor: Principal,
                                            new_case: Callable[..., int]) -> None:
    changed, case_id = new_case(), new_case(birth_name="Bea Rowntree")
    _sql(db, "UPDATE counselling_cases SET address = '99 Forged Street\nZZ1 9ZZ' WHERE id = :i", i=changed)
    service.update_referral(db, counsellor, case_id, referral(birth_name="Bea Rowntree", phone="01632 960002"),
                            today=TODAY)
    service.close_case(db, counsellor, case_id, D(2026, 11, 2), "withdrawn", today=TODAY)
    assert service.open_case(db, counsellor, case_id, TODAY).closed_on == D(2026, 11, 2)
    with db.engine.connect() as conn:
        assert check_rows(conn, "counselling_cases", [case_id]) == []
