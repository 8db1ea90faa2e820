"""An item for the adopters is not recorded as forwarded by post when the arrangement has no adopters' address
(reported after the letters fix: the birth side's equivalent was refused, this side was not, and the record
said it went by post to nowhere). Another method, or holding it, stays allowed; adding the address lets it be
posted."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import adoption_desktop.letterbox.views.item_dialog as item_dialog
from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_item_writer_dialog import open_item

DAY = dt.date(2026, 3, 3)
REFUSED = r"LB-0079 has no adopters' address to post it to\. Add the adopters' address on the arrangement"
POSTED = ("post", "Recorded delivery", "posted 2nd class", "Royal Mail", "first class post")
NOT_POSTED = ("collected", "handed over at contact", "email", "E-mail via social worker")


@pytest.fixture
def no_address(db: Database, coordinator: Principal) -> int:
    """LB-0079: the adopters' address blank (as an import with gaps left it); e-mail agreed."""
    return service.create_arrangement(db, coordinator, sample_input("LB-0079", adopters_address="",
                                                                    email_allowed=True))


def _screened(db: Database, who: Principal, arrangement: int, direction: str = rules.TO_ADOPTIVE) -> int:
    item = service.log_item(db, who, arrangement, direction=direction, received_on=dt.date(2026, 3, 2),
                            writer="Gina Quillfield" if direction == rules.TO_ADOPTIVE else "Sam", log_again=True)
    assert service.screen_item(db, who, item, "Thinking of you all.").findings == ()
    return item


def test_an_item_for_adopters_with_no_address_is_not_recorded_as_posted(
        db: Database, coordinator: Principal, no_address: int) -> None:
    item = _screened(db, coordinator, no_address)
    for method in POSTED:
        for check_only in (True, False):  # the window's check before its question, and the recording itself
            with pytest.raises(Conflict, match=REFUSED + r".*or choose another method"):
                service.record_outcome(db, coordinator, item, "forwarded", DAY, method=method, check_only=check_only)
    detail = service.get_item(db, coordinator, item)
    assert (detail.status, detail.method, detail.outcome_on) == ("screened", "", None)  # nothing recorded
    for method in NOT_POSTED:
        other = _screened(db, coordinator, no_address)
        service.record_outcome(db, coordinator, other, "forwarded", DAY, method=method)
        assert (service.get_item(db, coordinator, other).status, service.get_item(db, coordinator, other).method) \
            == ("forwarded", method)
    service.record_outcome(db, coordinator, item, "held", DAY)
    assert service.get_item(db, coordinator, item).status == "held"
    # the other way (to the birth mother, whose address is known) is posted as before
    to_birth = _screened(db, coordinator, no_address, rules.TO_BIRTH)
    service.record_outcome(db, coordinator, to_birth, "forwarded", DAY, method="post")
    assert service.get_item(db, coordinator, to_birth).status == "forwarded"


def test_once_the_address_is_added_the_item_is_posted(db: Database, coordinator: Principal, no_address: int) -> None:
    item = _screened(db, coordinator, no_address)
    with pytest.raises(Conflict, match=REFUSED):
        service.record_outcome(db, coordinator, item, "forwarded", DAY, method="post")
    data = service.get_arrangement(db, coordinator, no_address)
    service.update_arrangement(db, coordinator, no_address, replace(
        sample_input("LB-0079", email_allowed=True), adopters_address="  \n  "), expected_version=data.row_version)
    with pytest.raises(Conflict, match=REFUSED):  # spaces and blank lines are no address
        service.record_outcome(db, coordinator, item, "forwarded", DAY, method="post")
    data = service.get_arrangement(db, coordinator, no_address)
    service.update_arrangement(db, coordinator, no_address, sample_input("LB-0079", email_allowed=True),
                               expected_version=data.row_version)
    service.record_outcome(db, coordinator, item, "forwarded", DAY, method="post")
    assert service.get_item(db, coordinator, item).status == "forwarded"


_ADDRESS = st.sampled_from(("", " ", "\n \n", "12 Heron Gate\nDellmouth", "ZZ99 4EF"))


@given(direction=st.sampled_from(list(rules.DIRECTIONS)), method=st.sampled_from(POSTED + NOT_POSTED),
       adopters=_ADDRESS, birth=st.lists(_ADDRESS, max_size=3))
def test_posting_needs_the_address_of_the_side_it_goes_to_and_only_that(
        direction: str, method: str, adopters: str, birth: list[str]) -> None:
    refused = rules.post_without_address(direction, method, adopters, birth)
    if not rules.sent_by_post(method):
        assert refused is None
    elif direction == rules.TO_ADOPTIVE:
        assert refused == (rules.ADOPTIVE if not adopters.strip() else None)
    else:
        assert refused == (rules.BIRTH if not any(b.strip() for b in birth) else None)
    # the writer's own address never matters
    other = ("12 Heron Gate", birth) if direction == rules.TO_BIRTH else (adopters, ["3 Moss Row"])
    assert rules.post_without_address(direction, method, *other) == refused


def test_the_item_window_says_why_and_what_to_do(qtbot: Any, db: Database, coordinator: Principal,
                                                 no_address: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forward by post: the window says the adopters have no address and what to do, asks nothing (an
    outcome is final), keeps the method typed and records nothing; handed over then goes through."""
    item = _screened(db, coordinator, no_address)
    window = open_item(qtbot, db, coordinator, no_address, item)
    asked: list[str] = []
    monkeypatch.setattr(item_dialog, "confirm_final", lambda *a, **k: asked.append("asked") or True)
    window.outcome.setCurrentIndex(window.outcome.findData("forwarded"))
    window.method.setText("post")
    window.record_outcome()
    said = window.message.text()
    assert said == ("Forward: LB-0079 has no adopters' address to post it to. Add the adopters' address on the "
                    "arrangement first, or choose another method (handed over, collected, or e-mail where the "
                    "arrangement agrees to it), or record the outcome as held on file.")
    assert asked == [] and window.method.text() == "post"
    assert service.get_item(db, coordinator, item).status == "screened"
    window.method.setText("handed over")
    window.record_outcome()
    assert asked == ["asked"]
    assert service.get_item(db, coordinator, item).status == "forwarded", window.message.text()
