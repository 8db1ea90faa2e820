"""Issue 12 at the counselling service boundary: NUL refused, zero-width removed, dates in range,
references found after normalisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import text

from adoption_desktop.core.errors import NotFound, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import reference_key
from adoption_desktop.counselling import service

from .conftest import TODAY, referral


def test_nul_and_formula_refused(db: Database, counsellor: Principal) -> None:
    with pytest.raises(ValidationError, match="Name at birth"):
        service.create_referral(db, counsellor, referral(birth_name="Amy\x00 Thornby"), today=TODAY)
    with pytest.raises(ValidationError, match="Name now"):
        service.create_referral(db, counsellor, referral(current_name="@SUM(1+1)*cmd|' /C calc'!A0"),
                                today=TODAY)
    with pytest.raises(ValidationError, match="Address"):
        service.create_referral(db, counsellor, referral(address="12 Hazel\x1b Road"), today=TODAY)


def test_zero_width_removed_and_reference_found_normalised(db: Database, counsellor: Principal,
                                                           new_case: Callable[..., int]) -> None:
    cid = new_case(current_name="Amy\u200b Lark")
    case = service.open_case(db, counsellor, cid, today=TODAY)
    assert case.referral.current_name == "Amy Lark"
    assert service.case_id_for_reference(db, counsellor, case.reference.lower() + "\u200b") == cid


def test_dates_out_of_range_refused(db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    with pytest.raises(ValidationError, match="Date of birth"):
        service.create_referral(db, counsellor, referral(date_of_birth=dt.date(1, 1, 1)), today=TODAY)
    cid = new_case()
    with pytest.raises(ValidationError, match="Session date"):
        service.add_session(db, counsellor, cid, dt.date(9999, 1, 1), "in_person")
    with pytest.raises(ValidationError, match="Notes"):
        service.add_session(db, counsellor, cid, dt.date(2026, 11, 2), "in_person", notes="a\x00b")


def test_reference_found_by_its_indexed_key_and_without_one(db: Database, counsellor: Principal,
                                                            new_case: Callable[..., int]) -> None:
    """A reference typed in other capitals is found through the indexed ``reference_key`` the ORM keeps; a
    case written around the ORM (no key) is still found by comparing references."""
    first, second = new_case(), new_case()
    refs = {cid: service.open_case(db, counsellor, cid, today=TODAY).reference for cid in (first, second)}
    with db.engine.begin() as conn:
        keys = dict(conn.execute(text("SELECT id, reference_key FROM counselling_cases")).all())
        conn.execute(text("UPDATE counselling_cases SET reference_key = NULL WHERE id = :i"), {"i": second})
    assert keys[first] == reference_key(refs[first])
    assert service.case_id_for_reference(db, counsellor, f" {refs[first].lower()} ") == first
    assert service.case_id_for_reference(db, counsellor, refs[second].lower()) == second
    with pytest.raises(NotFound):
        service.case_id_for_reference(db, counsellor, "BRC-1999-9999")
