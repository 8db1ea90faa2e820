"""User trial of 5 December: a referral date after the work on the case, records shared or checked before any
were received, a receipt corrected past the work that relied on it, the hand-over date of a re-allocation,
date refusals pointing at their field, formula-like text, and session times stored as HH:MM."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service

from .conftest import referral

D = dt.date
T = D(2026, 12, 5)


def _case(db: Database, counsellor: Principal, **overrides: object) -> int:
    return service.create_referral(db, counsellor, referral(referral_date=D(2026, 11, 2), **overrides), today=T)


# --- 1. the referral date stays before everything done on the case ------------------------------

def test_a_referral_date_after_the_allocation_is_refused(db: Database, counsellor: Principal) -> None:
    case_id = _case(db, counsellor)
    service.allocate(db, counsellor, case_id, counsellor.user_id, D(2026, 11, 10), today=T)
    with pytest.raises(ValidationError, match=r"Referral date: 01/12/2026 is after the case was allocated "
                                              r"\(10/11/2026\)") as refused:
        service.update_referral(db, counsellor, case_id, referral(referral_date=D(2026, 12, 1)), today=T)
    assert refused.value.field == "referral_date"
    assert service.open_case(db, counsellor, case_id, T).referral.referral_date == D(2026, 11, 2)
    # on the allocation day itself, or earlier, it is saved
    service.update_referral(db, counsellor, case_id, referral(referral_date=D(2026, 11, 10)), today=T)
    assert service.open_case(db, counsellor, case_id, T).referral.referral_date == D(2026, 11, 10)


def test_a_referral_date_names_the_earliest_work_dated_before_it(db: Database, counsellor: Principal) -> None:
    case_id = _case(db, counsellor)
    service.add_session(db, counsellor, case_id, D(2026, 11, 20), "in_person", "10:00", "Office", today=T)
    service.add_request(db, counsellor, case_id, service.RequestInput("archive", "County Archive", D(2026, 11, 6)),
                        today=T)
    with pytest.raises(ValidationError, match=r"after a records request was sent \(06/11/2026\)"):
        service.update_referral(db, counsellor, case_id, referral(referral_date=D(2026, 12, 1)), today=T)
    with pytest.raises(ValidationError, match=r"after a records request was sent \(06/11/2026\)"):
        service.update_referral(db, counsellor, case_id, referral(referral_date=D(2026, 11, 7)), today=T)
    service.update_referral(db, counsellor, case_id, referral(referral_date=D(2026, 11, 6)), today=T)
