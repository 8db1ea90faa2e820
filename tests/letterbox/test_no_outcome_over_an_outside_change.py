"""Someone holding the database key changed a letterbox item in SQL before its outcome was recorded (its text
reworded after screening, or an item already forwarded set back to "screened"), and recording the outcome
sealed the item as final with the change in it: it then showed only as an old ``verify`` finding. An item is
now checked against its latest seal, under the item's lock, before its outcome (forward, withhold, return,
hold) is recorded and before any other change to it; one not as the program last saved it is refused,
nothing is written, and ``verify`` goes on naming the change. Untouched items go on as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.audit.seal_check import check_rows
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service

D = dt.date
OUTCOMES: dict[str, dict[str, Any]] = {
    "forwarded": {"method": "post"},
    "withheld": {"reason": "Serious news for the social worker first.", "social_worker_informed": True},
    "returned": {"reason": "Please write again without the school's name."},
    "held": {},
}


def _screened(db: Database, coordinator: Principal, arrangement: int, day: int) -> int:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, day),
                            writer="Sam Thornley")
    assert service.screen_item(db, coordinator, item, "Love from all of us. She is 9 now.").findings == ()
    return item


def _sql(db: Database, statement: str, **params: object) -> None:
    """A change made with the key, outside the application: plain SQL on the SQLCipher file (no audit, no seal)."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _state(db: Database, item: int) -> tuple[int, int, dict[str, Any]]:
    """The audit entries, the item's history steps and the item's row as stored."""
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM letterbox_items WHERE id = :i"), {"i": item}).mappings().one()
        entries = conn.execute(select(func.count()).select_from(AuditEntry)).scalar()
        steps = conn.execute(text("SELECT count(*) FROM letterbox_item_events WHERE item_id = :i"),
                             {"i": item}).scalar()
        return int(entries or 0), int(steps or 0), dict(row)


def _refused(db: Database, item: int, attempt: Any, *said: str) -> None:
    before = _state(db, item)
    with pytest.raises(SealBroken) as refused:
        attempt()
    message = str(refused.value)
    assert message.startswith("This item is not as it was last saved in Adoption Desktop: "), message
    for words in (*said, "changed outside the application", "Nothing was saved", "verify", "backup"):
        assert words in message, (words, message)
    assert _state(db, item) == before  # no audit entry, no step in its history, the row as it was
    with db.engine.connect() as conn:
        assert check_rows(conn, "letterbox_items", [item])


@pytest.mark.parametrize("outcome", list(OUTCOMES))
def test_an_item_reworded_in_sql_after_screening_gets_no_outcome(db: Database, coordinator: Principal,
                                                                 arrangement: int, outcome: str) -> None:
    item = _screened(db, coordinator, arrangement, 2)
    _sql(db, "UPDATE letterbox_items SET text = 'We live at 12 Heron Gate now.' WHERE id = :i", i=item)
    for check_only in (True, False):  # the screen's "record it?" question too
        _refused(db, item, lambda only=check_only: service.record_outcome(
            db, coordinator, item, outcome, D(2026, 3, 3), check_only=only, **OUTCOMES[outcome]),
                 "text", "Its outcome was not recorded")


def test_an_item_forwarded_and_set_back_in_sql_is_not_given_another_outcome(
        db: Database, coordinator: Principal, checker: Principal, arrangement: int) -> None:
    item = _screened(db, coordinator, arrangement, 2)
    service.record_outcome(db, coordinator, item, "forwarded", D(2026, 3, 3), method="post")
    _sql(db, "UPDATE letterbox_items SET status = 'screened', outcome_on = NULL, method = '' WHERE id = :i", i=item)
    _refused(db, item, lambda: service.record_outcome(db, coordinator, item, "withheld", D(2026, 3, 4),
                                                       **OUTCOMES["withheld"]), "status", "Its outcome was not recorded")
    _refused(db, item, lambda: service.screen_item(db, coordinator, item, "Another text."),
             "The screening was not stored")
    _refused(db, item, lambda: service.confirm_second_check(db, checker, item), "The second check was not recorded")


def test_untouched_items_get_their_outcomes_as_before(db: Database, coordinator: Principal,
                                                     arrangement: int) -> None:
    changed = _screened(db, coordinator, arrangement, 1)
    _sql(db, "UPDATE letterbox_items SET text = 'We live at 12 Heron Gate now.' WHERE id = :i", i=changed)
    for day, (outcome, fields) in enumerate(OUTCOMES.items(), start=2):
        item = _screened(db, coordinator, arrangement, day)
        service.record_outcome(db, coordinator, item, outcome, D(2026, 3, day), check_only=True, **fields)
        service.record_outcome(db, coordinator, item, outcome, D(2026, 3, day), **fields)
        assert service.get_item(db, coordinator, item).status == outcome
        with db.engine.connect() as conn:
            assert check_rows(conn, "letterbox_items", [item]) == []
