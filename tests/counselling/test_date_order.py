"""A case's dates stay in the order things happened (user trial, 4 December): records are shared only after
a redaction check dated on or before the sharing, a case closes "records shared" on or after the sharing and
not before any disclosure, nothing is disclosed before the referral, and a case is not allocated in the future."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service

from .conftest import TODAY, records_received

D = dt.date


def _interviewed(db: Database, counsellor: Principal, new_case: Callable[..., int]) -> int:
    case_id = new_case()  # referred 1 October 2026, adopted 1961: an interview comes first
    records_received(db, counsellor, case_id)
    service.add_session(db, counsellor, case_id, D(2026, 11, 2), "in_person", "10:00", "Office")
    return case_id


def test_records_are_not_shared_before_their_redaction_check(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = _interviewed(db, counsellor, new_case)
    service.add_redaction(db, counsellor, case_id, "Agency file 1961", D(2026, 11, 20), "", today=TODAY)
    with pytest.raises(ValidationError, match="redaction check on file was done on 20/11/2026") as refused:
        service.record_disclosure(db, counsellor, case_id, D(2026, 11, 11), "Amy Lark", "Redacted file",
                                  "in person", records_shared=True, today=TODAY)
    assert refused.value.field == "records_shared"
    assert service.open_case(db, counsellor, case_id, TODAY).disclosures == []
    service.record_disclosure(db, counsellor, case_id, D(2026, 11, 20), "Amy Lark", "Redacted file", "in person",
                              records_shared=True, today=TODAY)
    assert len(service.open_case(db, counsellor, case_id, TODAY).disclosures) == 1


def test_a_case_closes_records_shared_only_on_or_after_the_sharing(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = _interviewed(db, counsellor, new_case)
    service.add_redaction(db, counsellor, case_id, "Agency file 1961", D(2026, 11, 3), "", today=TODAY)
    service.record_disclosure(db, counsellor, case_id, D(2026, 11, 11), "Amy Lark", "Redacted file", "post",
                              records_shared=True, today=TODAY)
    with pytest.raises(ValidationError, match="shared on 11/11/2026, after 10/11/2026"):
        service.close_case(db, counsellor, case_id, D(2026, 11, 10), "records_shared", today=TODAY)
    with pytest.raises(ValidationError, match="disclosure is recorded on 11/11/2026"):
        service.close_case(db, counsellor, case_id, D(2026, 11, 10), "withdrawn", today=TODAY)
    assert service.open_case(db, counsellor, case_id, TODAY).closed_on is None
    service.close_case(db, counsellor, case_id, D(2026, 11, 11), "records_shared", today=TODAY)
    assert service.open_case(db, counsellor, case_id, TODAY).closed_on == D(2026, 11, 11)


def test_nothing_is_disclosed_before_the_referral(db: Database, counsellor: Principal,
                                                  new_case: Callable[..., int]) -> None:
    case_id = new_case()
    with pytest.raises(ValidationError, match="before the referral date") as refused:
        service.record_disclosure(db, counsellor, case_id, D(2026, 9, 30), "Amy Lark", "Her birth name", "phone",
                                  today=TODAY)
    assert refused.value.field == "disclosed_on"
    service.record_disclosure(db, counsellor, case_id, D(2026, 10, 1), "Amy Lark", "Her birth name", "phone",
                              today=TODAY)


def test_a_case_is_not_allocated_in_the_future(db: Database, counsellor: Principal,
                                               new_case: Callable[..., int]) -> None:
    case_id = new_case()
    with pytest.raises(ValidationError, match="Allocation date: 30/06/2027 is in the future; enter the date it happened") as refused:
        service.allocate(db, counsellor, case_id, counsellor.user_id, D(2027, 6, 30), today=TODAY)
    assert refused.value.field == "allocated_on"
    detail = service.open_case(db, counsellor, case_id, TODAY)
    assert detail.allocated_on is None and detail.status == "Waiting"
    service.allocate(db, counsellor, case_id, counsellor.user_id, TODAY, today=TODAY)
    assert service.open_case(db, counsellor, case_id, TODAY).allocated_on == TODAY
