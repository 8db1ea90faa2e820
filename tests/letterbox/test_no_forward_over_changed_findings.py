"""A reviewer marked an item's screening findings "acceptable" (or deleted them) in SQL, then recorded the
item as forwarded: the outcome check looked only at the item's own row and then counted the findings still
marked "remove", which nothing checked against their seals, so the letter went out unscreened and the new
seal vouched for it. The item's findings are now checked against their seals too (deleted ones as well: the
seals know which rows the item had) under the item's lock, before an outcome or a second check; a change is
refused with the item's plain words, nothing is written. Untouched items, and another item's changed
findings, do not stop an item."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service

D = dt.date
#: a letter that names where the writer lives and their telephone number: two findings, marked "remove"
NAMES_ADDRESS = "Dear all, we moved to 12 Acacia Avenue, Leeds LS1 4AB. Call 07700 900123."


def _screened_with_findings(db: Database, coordinator: Principal, arrangement: int, day: int) -> int:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, day),
                            writer="Sam Thornley")
    found = service.screen_item(db, coordinator, item, NAMES_ADDRESS).findings
    assert found and all(f.decision == "remove" for f in found)
    return item


def _sql(db: Database, statement: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _state(db: Database, item: int) -> tuple[int, str]:
    with db.engine.connect() as conn:
        entries = conn.execute(select(func.count()).select_from(AuditEntry)).scalar()
        status = conn.execute(text("SELECT status FROM letterbox_items WHERE id = :i"), {"i": item}).scalar()
    return int(entries or 0), str(status)


def _refused_forward(db: Database, coordinator: Principal, item: int, *said: str) -> None:
    before = _state(db, item)
    for check_only in (True, False):  # the screen's "record it?" question too
        with pytest.raises(SealBroken) as refused:
            service.record_outcome(db, coordinator, item, "forwarded", D(2026, 3, 9), method="collected",
                                   check_only=check_only)
        message = str(refused.value)
        assert message.startswith("This item is not as it was last saved in Adoption Desktop: one of its "
                                  "screening findings"), message
        for words in (*said, "outside the application", "Its outcome was not recorded", "Nothing was saved",
                      "verify", "backup"):
            assert words in message, (words, message)
    assert _state(db, item) == before == (before[0], "screened")  # no entry written, still screened


def test_findings_marked_acceptable_in_sql_do_not_let_the_item_go_out(
        db: Database, coordinator: Principal, checker: Principal, arrangement: int) -> None:
    item = _screened_with_findings(db, coordinator, arrangement, 2)
    _sql(db, "UPDATE letterbox_findings SET decision = 'acceptable' WHERE item_id = :i", i=item)
    _refused_forward(db, coordinator, item, "decision changed outside the application")
    with pytest.raises(SealBroken, match="The second check was not recorded"):
        service.confirm_second_check(db, checker, item)


def test_findings_deleted_in_sql_do_not_let_the_item_go_out(db: Database, coordinator: Principal,
                                                            arrangement: int) -> None:
    item = _screened_with_findings(db, coordinator, arrangement, 2)
    _sql(db, "DELETE FROM letterbox_findings WHERE item_id = :i", i=item)
    _refused_forward(db, coordinator, item, "deleted outside the application")


def test_findings_moved_to_another_item_in_sql_do_not_let_the_item_go_out(
        db: Database, coordinator: Principal, arrangement: int) -> None:
    item = _screened_with_findings(db, coordinator, arrangement, 2)
    other = _screened_with_findings(db, coordinator, arrangement, 3)
    _sql(db, "UPDATE letterbox_findings SET item_id = :o WHERE item_id = :i", i=item, o=other)
    _refused_forward(db, coordinator, item, "item id changed outside the application")


def test_findings_decided_in_the_program_and_another_items_changes_do_not_stop_a_forward(
        db: Database, coordinator: Principal, arrangement: int) -> None:
    """The control: findings marked acceptable in the program forward as before, and a finding of another
    item deleted in SQL is that item's problem, not this one's."""
    item = _screened_with_findings(db, coordinator, arrangement, 2)
    other = _screened_with_findings(db, coordinator, arrangement, 3)
    _sql(db, "DELETE FROM letterbox_findings WHERE item_id = :o", o=other)
    for f in service.get_item(db, coordinator, item).findings:
        service.decide_finding(db, coordinator, f.id, "acceptable")
    service.record_outcome(db, coordinator, item, "forwarded", D(2026, 3, 9), method="collected")
    assert service.get_item(db, coordinator, item).status == "forwarded"
    # a screened-again item's old findings were deleted by the program (tombstones): not a problem either
    again = _screened_with_findings(db, coordinator, arrangement, 4)
    service.screen_item(db, coordinator, again, "Love from all of us.")
    service.record_outcome(db, coordinator, again, "forwarded", D(2026, 3, 9), method="collected")
    # the other item itself is refused, though SQLite gave its deleted findings' numbers to the new ones
    with pytest.raises(SealBroken, match="deleted outside the application"):
        service.record_outcome(db, coordinator, other, "held", D(2026, 3, 9))
