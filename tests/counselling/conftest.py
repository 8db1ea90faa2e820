"""Fixtures for the counselling tests: users of each relevant role and a referral factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from tests.conftest import make_user

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def counsellor(db: Database) -> Principal:
    return make_user(db, "corey", Role.COUNSELLOR)


@pytest.fixture
def manager(db: Database) -> Principal:
    return make_user(db, "morgan", Role.MANAGER)


@pytest.fixture
def letterbox_user(db: Database) -> Principal:
    return make_user(db, "lee", Role.LETTERBOX_COORDINATOR)


def referral(**overrides: Any) -> service.ReferralInput:
    values: dict[str, Any] = dict(
        referral_date=dt.date(2026, 10, 1), referral_route="gro_form", birth_name="Amy Thornby",
        current_name="Amy Lark", date_of_birth=dt.date(1960, 3, 4), adoption_order_date=dt.date(1961, 1, 10),
        address="12 Hazel Road\nAmbleford\nZZ99 1AB", email="amy.lark@example.org", phone="01632 960001",
        preferred_contact="letter", court="Ambleford County Court",
        arranging_agency="Example Diocesan Moral Welfare Association")
    values.update(overrides)
    return service.ReferralInput(**values)


@pytest.fixture
def new_case(db: Database, counsellor: Principal) -> Callable[..., int]:
    def make(**overrides: Any) -> int:
        return service.create_referral(db, counsellor, referral(**overrides), today=TODAY)
    return make


def pdf_text(path: object) -> str:
    """All text of a PDF with whitespace (line wraps) collapsed to single spaces."""
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() for p in PdfReader(str(path)).pages).split())


#: a records holder's postal address (the trial tests' requests)
ADDRESS = "Records Section\nBrackwater\nZZ99 2CD"


def records_request(db: Database, actor: Principal, case_id: int, holder: str, sent: dt.date,
                    address: str = ADDRESS, received: dt.date | None = None) -> int:
    """A records request to an archive (received, with 12 paper pages, when ``received`` is given)."""
    req = service.add_request(db, actor, case_id, service.RequestInput(
        "archive", holder, sent, their_reference="REF/1", holder_address=address), today=TODAY)
    if received is not None:
        service.record_receipt(db, actor, req, received, "paper", 12, today=TODAY)
    return req


def records_received(db: Database, actor: Principal, case_id: int, on: dt.date = dt.date(2026, 10, 20)) -> int:
    """Records received on ``on`` (requested on the referral day, 1 October 2026): a redaction check or a
    sharing of records needs records received on or before its day."""
    return records_request(db, actor, case_id, "Brackwater County Archives", dt.date(2026, 10, 1), received=on)
