"""User trial (counselling): closure, register and veto check dates held to the case's own dates, one
chase a day, and "adults supported" counting contact with the applicant only. Real SQLCipher files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service

from .conftest import TODAY, records_received, records_request

D = dt.date


# --- 3. closure before the allocation ---------------------------------------------------------------

def test_a_closure_dated_before_the_allocation_is_refused(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    assert counsellor.user_id is not None
    service.allocate(db, counsellor, case_id, counsellor.user_id, on=D(2026, 11, 10), today=TODAY)
    with pytest.raises(ValidationError, match=r"Closure date: 05/11/2026 is before the case was allocated "
                                              r"\(10/11/2026\)"):
        service.close_case(db, counsellor, case_id, D(2026, 11, 5), "withdrawn", today=TODAY)
    service.close_case(db, counsellor, case_id, D(2026, 11, 10), "withdrawn", today=TODAY)


# --- 4. adults supported: contact with the applicant only ---------------------------------------------

def test_adults_supported_counts_contact_with_the_applicant_not_letters_to_records_holders(
        db: Database, counsellor: Principal, manager: Principal, new_case: Callable[..., int]) -> None:
    from adoption_desktop.counselling import figures

    def supported() -> str:
        rows = dict(figures.figures(db, manager, D(2026, 11, 1), D(2026, 11, 30), today=TODAY)[0].rows)
        return rows["Adults supported"]

    holder_only = new_case(birth_name="Holder Only")
    records_request(db, counsellor, holder_only, "Ambleford Record Office", D(2026, 10, 5))
    service.letter_data(db, counsellor, holder_only, "records-request", today=TODAY)
    service.letter_data(db, counsellor, holder_only, "chaser", today=TODAY)
    no_contact = new_case(birth_name="Never Heard")
    service.close_case(db, counsellor, no_contact, D(2026, 11, 20), "no_contact", today=TODAY)
    transferred = new_case(birth_name="Moved Away")
    service.close_case(db, counsellor, transferred, D(2026, 11, 20), "transferred", today=TODAY)
    assert supported() == "0", "a records request, a chaser, no contact and a transfer support no one"
    told = new_case(birth_name="Told Ready")
    records_request(db, counsellor, told, "Brackwater County Archives", D(2026, 10, 5), received=D(2026, 11, 2))
    service.add_redaction(db, counsellor, told, "Archive file", D(2026, 11, 3), today=TODAY)
    service.letter_data(db, counsellor, told, "records-ready", today=TODAY)  # a letter to the applicant
    assert supported() == "1"
    shared = new_case(birth_name="Shared Post", adoption_order_date=D(1980, 1, 10), date_of_birth=D(1979, 3, 4))
    records_received(db, counsellor, shared)
    service.add_redaction(db, counsellor, shared, "Court file", D(2026, 11, 9), today=TODAY)
    service.record_disclosure(db, counsellor, shared, D(2026, 11, 10), "Amy Lark (by post)", "Court file", "post",
                              records_shared=True, today=TODAY)
    held = new_case(birth_name="Seen Once")
    service.add_session(db, counsellor, held, D(2026, 11, 4), "phone", today=TODAY)
    found_none = new_case(birth_name="None Found")
    service.close_case(db, counsellor, found_none, D(2026, 11, 21), "no_records_found", today=TODAY)
    assert supported() == "4"


# --- 6. register, veto and signposting dates ----------------------------------------------------------

@pytest.mark.parametrize(("arg", "label"), [
    ("acr_checked_on", "Adoption Contact Register check date"), ("veto_checked_on", "Veto check date"),
    ("intermediary_signposted_on", "Signposting date")])
def test_a_check_dated_before_the_referral_is_refused(
        db: Database, counsellor: Principal, new_case: Callable[..., int], arg: str, label: str) -> None:
    case_id = new_case()  # referred 01/10/2026
    with pytest.raises(ValidationError, match=rf"{label}: 30/09/2026 is before the referral date \(01/10/2026\)"):
        service.record_checks(db, counsellor, case_id, **{arg: D(2026, 9, 30)}, today=TODAY)  # type: ignore[arg-type]
    service.record_checks(db, counsellor, case_id, **{arg: D(2026, 10, 1)}, today=TODAY)  # type: ignore[arg-type]


# --- 7. one chase a day -------------------------------------------------------------------------------

def test_the_same_chase_cannot_be_recorded_twice_on_one_day(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    req = records_request(db, counsellor, case_id, "Ambleford Record Office", D(2026, 10, 5))
    service.record_chase(db, counsellor, req, D(2026, 11, 2), today=TODAY)
    with pytest.raises(ValidationError, match=r"already recorded as chased on 02/11/2026"):
        service.record_chase(db, counsellor, req, D(2026, 11, 2), today=TODAY)
    assert service.chase_state(db, counsellor, req).chase_count == 1
    service.record_chase(db, counsellor, req, D(2026, 11, 20), today=TODAY)
