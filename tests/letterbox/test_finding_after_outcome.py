"""A finding cannot be decided once its item has an outcome (review of 2 December 2026): the normal path took
no lock and checked no status, so a window opened before a colleague forwarded the item could still mark a
finding "to be removed" (or acceptable) on a letter already sent. The item is locked and its status checked,
as the undo path did."""

from __future__ import annotations

import pytest

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from tests.letterbox.test_item_writer_dialog import TODAY

LETTER = "Happy birthday! We went to Kestrel Vale Primary's fair."


@pytest.mark.parametrize("outcome", ["forwarded", "held", "returned"])
def test_a_finding_of_an_item_with_an_outcome_is_not_decided(
        db: Database, coordinator: Principal, checker: Principal, arrangement: int, outcome: str) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY)
    found = service.screen_item(db, coordinator, item, LETTER).findings
    assert found
    for f in found:
        service.decide_finding(db, coordinator, f.id, "acceptable")
    service.record_outcome(db, coordinator, item, outcome, TODAY, method="post",
                           reason="Please leave out the school's name.")
    history = len(service.get_item(db, coordinator, item).history)
    with pytest.raises(Conflict, match=rf"has an outcome \({outcome}\), recorded by .*Nothing was marked"):
        service.decide_finding(db, checker, found[0].id, "remove")
    stored = service.get_item(db, coordinator, item)
    assert [f.decision for f in stored.findings] == ["acceptable"] * len(found)
    assert len(stored.history) == history  # no step written
