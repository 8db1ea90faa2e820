"""Letterbox fixtures: a coordinator, a second checker and one arrangement with protected terms."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.service import ArrangementInput, ParticipantData, TermData
from tests.conftest import make_user


@pytest.fixture
def coordinator(db: Database) -> Principal:
    return make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)


@pytest.fixture
def checker(db: Database) -> Principal:
    return make_user(db, "lbcheck", Role.LETTERBOX_COORDINATOR)


def sample_input(reference: str = "LB-0001", **kw: object) -> ArrangementInput:
    """A complete arrangement. Its coordinator is the ``coordinator`` fixture's login when the account
    exists (``coordinator="lbcoord"``); by default none is named, since the service accepts only the login
    of an enabled letterbox coordinator and many tests sign in as someone else."""
    data = ArrangementInput(
        reference=reference, child_birth_name="Poppy Quillfield", child_adoptive_name="Rosa Thornley",
        child_dob=dt.date(2016, 5, 14), adopters_name="Sam and Alex Thornley",
        adopters_address="12 Heron Gate\nDellmouth\nZZ99 4EF", exchange_months="March, September",
        start_date=dt.date(2018, 1, 10), review_date=dt.date(2027, 1, 10),
        participants=(ParticipantData("Gina Quillfield", "birth mother", "3 Moss Row\nGreystow\nZZ99 7QT"),
                      ParticipantData("Umar Quillfield", "birth grandfather", "")),
        protected=(TermData("Kestrel Vale Primary", "school"),),
    )
    start = kw.get("start_date")
    if isinstance(start, dt.date) and "review_date" not in kw and data.review_date is not None \
            and start >= data.review_date:  # a start given later than the sample's review: a review after it
        kw["review_date"] = start.replace(year=start.year + 1, day=min(start.day, 28))
    return ArrangementInput(**{**data.__dict__, **kw})  # type: ignore[arg-type]


@pytest.fixture
def arrangement(db: Database, coordinator: Principal) -> int:
    return service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
