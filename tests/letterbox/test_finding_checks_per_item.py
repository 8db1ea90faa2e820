"""Screening findings written in bulk (one audit entry sealing many rows: an import, the demo's load, the
first seals of an older database) and then changed in SQL. The outcome check read the seals of every
finding in the table (slow on a large database) and, since a bulk entry does not say whose row was whose,
counted a bulk-written finding deleted in SQL against every item: one tampered row stopped the whole
letterbox, while a finding moved in SQL from one item to another let the first item through. Each finding
is now recorded with the item it was written under (its owner record, sealed with its row); the check
reads only the item's own findings and records, refuses that item for every kind of outside change
(changed, deleted, moved, added), and leaves other items alone, while ``verify`` still names the row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from adoption_desktop.core.audit import bulk_audit
from adoption_desktop.core.audit.seal_check import check_parts, verify_record
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.models import Finding

D = dt.date


def _item(db: Database, coordinator: Principal, arrangement: int, day: int) -> int:
    """A screened item with no findings of its own (a letter with nothing to screen out)."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, day),
                            writer="Sam Thornley")
    assert service.screen_item(db, coordinator, item, "Love from all of us.").findings == ()
    return item


def _bulk_findings(db: Database, coordinator: Principal, per_item: dict[int, int]) -> dict[int, list[int]]:
    """Findings written in one bulk (as an import writes them): ``per_item`` says how many each item gets,
    decided acceptable; their ids, by item."""
    with db.session(coordinator) as session, bulk_audit(session, "import"):
        made = {item: [Finding(item_id=item, start=0, end=4, kind="surname", text=f"Word{item}{n}",
                               decision="acceptable") for n in range(count)] for item, count in per_item.items()}
        session.add_all([f for fs in made.values() for f in fs])
        session.flush()
        ids = {item: [int(f.id) for f in fs] for item, fs in made.items()}
    return ids


def _sql(db: Database, statement: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _forward(db: Database, coordinator: Principal, item: int) -> None:
    service.record_outcome(db, coordinator, item, "forwarded", D(2026, 3, 9), method="collected")


def _refused(db: Database, coordinator: Principal, item: int, *said: str) -> None:
    with pytest.raises(SealBroken) as refused:
        _forward(db, coordinator, item)
    message = str(refused.value)
    assert message.startswith("This item is not as it was last saved in Adoption Desktop: one of its "
                              "screening findings"), message
    for words in (*said, "Its outcome was not recorded", "Nothing was saved", "verify", "backup"):
        assert words in message, (words, message)
    assert service.get_item(db, coordinator, item).status == "screened"


def _verify_names(db: Database, finding: int) -> list[str]:
    with db.engine.connect() as conn:
        return [p.message for p in verify_record(conn) if p.entity == "letterbox_findings"
                and p.entity_id == str(finding)]


def test_a_bulk_finding_deleted_in_sql_stops_its_own_item_only(db: Database, coordinator: Principal,
                                                                 arrangement: int) -> None:
    mine, other, third = (_item(db, coordinator, arrangement, d) for d in (2, 3, 4))
    ids = _bulk_findings(db, coordinator, {mine: 2, other: 2, third: 1})
    _sql(db, "DELETE FROM letterbox_findings WHERE id = :f", f=ids[mine][0])
    _refused(db, coordinator, mine, "deleted outside the application")
    _forward(db, coordinator, other)  # was refused too: the deleted row could not be told apart
    assert service.get_item(db, coordinator, other).status == "forwarded"
    service.record_outcome(db, coordinator, third, "held", D(2026, 3, 9))
    assert any("deleted outside the application" in m for m in _verify_names(db, ids[mine][0]))
    _refused(db, coordinator, mine, "deleted outside the application")  # still, after the others' outcomes


def test_a_bulk_finding_changed_in_sql_stops_its_item(db: Database, coordinator: Principal,
                                                        arrangement: int) -> None:
    mine, other = _item(db, coordinator, arrangement, 2), _item(db, coordinator, arrangement, 3)
    ids = _bulk_findings(db, coordinator, {mine: 2, other: 1})
    _sql(db, "UPDATE letterbox_findings SET text = 'Nothing' WHERE id = :f", f=ids[mine][1])
    _refused(db, coordinator, mine, "text changed outside the application")
    _forward(db, coordinator, other)


def test_a_bulk_finding_moved_to_another_item_in_sql_stops_both(db: Database, coordinator: Principal,
                                                                 arrangement: int) -> None:
    """Moved away, the finding no longer showed under its item, and nothing said it had been there."""
    mine, other, third = (_item(db, coordinator, arrangement, d) for d in (2, 3, 4))
    ids = _bulk_findings(db, coordinator, {mine: 2, other: 1, third: 1})
    _sql(db, "UPDATE letterbox_findings SET item_id = :o WHERE id = :f", o=other, f=ids[mine][0])
    _refused(db, coordinator, mine, "item id changed outside the application")
    _refused(db, coordinator, other, "item id changed outside the application")
    _forward(db, coordinator, third)


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "one by one"])
def test_a_finding_added_in_sql_stops_its_item(db: Database, coordinator: Principal, arrangement: int,
                                                 bulk: bool) -> None:
    mine, other = _item(db, coordinator, arrangement, 2), _item(db, coordinator, arrangement, 3)
    if bulk:
        _bulk_findings(db, coordinator, {mine: 1, other: 1})
    _sql(db, "INSERT INTO letterbox_findings (item_id, start, \"end\", kind, text, decision) "
             "VALUES (:i, 0, 4, 'surname', 'Word', 'acceptable')", i=mine)
    _refused(db, coordinator, mine, "no seal in the audit log", "outside the application")
    _forward(db, coordinator, other)


def test_a_program_finding_deleted_in_sql_stops_its_item_only(db: Database, coordinator: Principal,
                                                                arrangement: int) -> None:
    """Findings written one by one (screening): the same, read from the item's own records."""
    mine, other = _item(db, coordinator, arrangement, 2), _item(db, coordinator, arrangement, 3)
    found = service.screen_item(db, coordinator, mine, "We moved to 12 Acacia Avenue, Leeds LS1 4AB.").findings
    assert found
    _sql(db, "DELETE FROM letterbox_findings WHERE id = :f", f=found[0].id)
    _refused(db, coordinator, mine, "deleted outside the application")
    _forward(db, coordinator, other)


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def test_the_check_reads_only_the_items_own_findings(db: Database, coordinator: Principal,
                                                     arrangement: int) -> None:
    """The check's reads are bounded by the item: no statement reads every finding, or every finding's seal."""
    mine, other = _item(db, coordinator, arrangement, 2), _item(db, coordinator, arrangement, 3)
    ids = _bulk_findings(db, coordinator, {mine: 2, other: 50})
    with _statements(db) as seen, db.engine.connect() as conn:
        assert check_parts(conn, "letterbox_findings", "item_id", mine, ids[mine]) == []
    findings = [s for s in seen if "letterbox_findings" in s]
    assert findings, seen
    for s in findings:
        assert "WHERE" in s.upper(), s  # not the whole table
        if "FROM audit_seal" in s:
            assert "entity_id" in s or "seq IN" in s, s  # not every finding's seal
    assert not [s for s in seen if "changes LIKE" in s]  # not every finding's "create" entry either
