"""User trial of the letterbox coordinator's day, 8 December 2026: once an item has an outcome, the refusals of
another outcome, of a finding's decision, of *Correct how it was logged…* and of *Logged in error…* said who
recorded the outcome and when from the last audit entry on the item. Since items became final (only how it
came in, who wrote it and a returned item's reason still change, and a correction note is how a mistake is
put right), that entry is usually a correction: the refusal named the colleague who corrected the channel or
added a note, at that minute, as the one who forwarded it. On the demo's register (items made in bulk, no
audit entry of their own) it said "recorded by someone else at a moment ago" of an item forwarded years before.
The outcome's own step in the item's history says who and when; without one, the outcome's date is named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import delete

from adoption_desktop.core.concurrency import when_text
from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import contact, rules, service
from adoption_desktop.letterbox.models import ItemEvent
from adoption_desktop.letterbox.service.data import ItemDetail
from tests.conftest import make_user

D = dt.date


def _forwarded(db: Database, who: Principal, arrangement: int) -> int:
    item = service.log_item(db, who, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 2),
                            writer="Sam Thornley")
    service.screen_item(db, who, item, "We went to the seaside and learnt to swim.")
    service.record_outcome(db, who, item, "forwarded", D(2026, 3, 4), method="by hand")
    return item


def _refusal(call: Callable[[], object]) -> str:
    with pytest.raises(Conflict) as err:
        call()
    return str(err.value)


def _step(detail: ItemDetail, action: str) -> str:
    step = next(h for h in detail.history if h.action == action)
    return f"by {step.who} at {when_text(step.at)}"


def test_a_refusal_names_who_recorded_the_outcome_not_who_corrected_it_since(
        db: Database, other_pc: Database, coordinator: Principal, arrangement: int) -> None:
    item = _forwarded(db, coordinator, arrangement)
    # a colleague on another PC corrects how it came in and adds a correction note: both allowed on a final item
    colleague = make_user(db, "lbsecond", Role.LETTERBOX_COORDINATOR)
    version = service.get_item(other_pc, colleague, item).row_version
    contact.set_item_channel(other_pc, colleague, item, "email", expected_version=version)
    service.add_correction_note(other_pc, colleague, item, "Received by e-mail, not by post: corrected.")
    detail = service.get_item(other_pc, colleague, item)
    forwarded_by = _step(detail, "forwarded")
    assert "Lbcoord Tester" in forwarded_by
    refusals = [
        _refusal(lambda: service.mark_logged_in_error(other_pc, colleague, item, "logged twice",
                                                      expected_version=detail.row_version)),
        _refusal(lambda: service.record_outcome(other_pc, colleague, item, "held", D(2026, 3, 5))),
        _refusal(lambda: service.correct_item_logging(
            other_pc, colleague, item, arrangement_id=arrangement, direction=rules.TO_BIRTH,
            received_on=D(2026, 3, 1), item_type="letter", expected_version=detail.row_version)),
    ]
    for said in refusals:
        assert f"already has an outcome (forwarded), recorded {forwarded_by};" in said, said
        assert "Lbsecond Tester" not in said, said


def test_a_finding_refused_after_the_outcome_names_who_recorded_it(
        db: Database, other_pc: Database, coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 2),
                            writer="Sam Thornley")
    service.screen_item(db, coordinator, item, "We saw Kestrel Vale Primary at the fair.")
    finding = service.get_item(db, coordinator, item).findings[0]
    service.record_outcome(db, coordinator, item, "returned", D(2026, 3, 4), reason="Please leave out the school.")
    colleague = make_user(db, "lbsecond", Role.LETTERBOX_COORDINATOR)
    service.add_correction_note(other_pc, colleague, item, "The writer was telephoned as well.")
    returned_by = _step(service.get_item(other_pc, colleague, item), "returned")
    said = _refusal(lambda: service.decide_finding(other_pc, colleague, finding.id, "acceptable"))
    assert f"has an outcome (returned), recorded {returned_by};" in said, said


def test_an_outcome_with_no_step_in_its_history_is_named_by_its_date(
        db: Database, coordinator: Principal, arrangement: int) -> None:
    """As on an item whose outcome came in with the register (the demo's, made in bulk): no step names who."""
    item = _forwarded(db, coordinator, arrangement)
    with db.session(coordinator) as s:  # the history step only: the item's own row is not touched
        s.execute(delete(ItemEvent).where(ItemEvent.item_id == item, ItemEvent.action == "forwarded"))
    said = _refusal(lambda: service.record_outcome(db, coordinator, item, "held", D(2026, 3, 5)))
    assert "already has an outcome (forwarded), recorded on 04/03/2026;" in said, said
    assert "a moment ago" not in said and "someone else" not in said, said
