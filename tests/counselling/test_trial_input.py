"""User trial (counselling): a phone number must look like one, addresses and references refuse a leading
spreadsheet-formula character, pages have an upper limit. Real SQLCipher files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service

from .conftest import TODAY, records_request

D = dt.date


# --- 9. phone, address, their reference, pages -------------------------------------------------------------

@pytest.mark.parametrize("phone", ["call me maybe", "=1+1", "123", "01632 96000x", "01632 +960001"])
def test_a_phone_number_must_look_like_one(db: Database, new_case: Callable[..., int], phone: str) -> None:
    with pytest.raises(ValidationError, match="is not a phone number") as caught:
        new_case(phone=phone)
    assert caught.value.field == "phone"


@pytest.mark.parametrize("phone", ["01632 960001", "+44 (0)1632 960-001", "(01632) 960001", ""])
def test_phone_numbers_as_people_write_them_are_accepted(db: Database, new_case: Callable[..., int],
                                                         phone: str) -> None:
    new_case(phone=phone, preferred_contact="letter")


def test_an_address_or_reference_starting_like_a_formula_is_refused(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    with pytest.raises(ValidationError, match="Address, line 1: cannot begin with '='") as caught:
        new_case(address="=HYPERLINK(\"http://x\")\nAmbleford")
    assert caught.value.field == "address"
    case_id = new_case()
    with pytest.raises(ValidationError, match="Address, line 2: cannot begin with '='") as caught:
        service.add_request(db, counsellor, case_id, service.RequestInput(
            "archive", "Ambleford Record Office", D(2026, 10, 5), holder_address="Records\n=1+1"), today=TODAY)
    assert caught.value.field == "holder_address"
    with pytest.raises(ValidationError, match="Their reference: cannot begin with '='") as caught:
        service.add_request(db, counsellor, case_id, service.RequestInput(
            "archive", "Ambleford Record Office", D(2026, 10, 5), their_reference="=1+1"), today=TODAY)
    assert caught.value.field == "their_reference"


def test_pages_have_a_sensible_upper_limit(db: Database, counsellor: Principal,
                                           new_case: Callable[..., int]) -> None:
    case_id = new_case()
    req = records_request(db, counsellor, case_id, "Ambleford Record Office", D(2026, 10, 5))
    with pytest.raises(ValidationError, match=r"Pages: enter the number of pages received \(1 to 100,000\)"):
        service.record_receipt(db, counsellor, req, D(2026, 11, 2), "paper", 1_000_000_000, today=TODAY)
    service.record_receipt(db, counsellor, req, D(2026, 11, 2), "paper", 100_000, today=TODAY)
