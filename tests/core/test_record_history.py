"""Who has seen this record: an opening on one PC is in the list read on another, with the record's parts; only
administrators may look, each look is audited, and the read goes through the (entity, entity_id) index."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from adoption_desktop.core import audit, record_history
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service as letterbox
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input


@pytest.fixture
def coordinator(db: Database) -> Principal:
    return make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)


@pytest.fixture
def arrangement(db: Database, coordinator: Principal) -> int:
    return letterbox.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))


def test_a_view_on_another_pc_is_listed(db: Database, other_pc: Database, admin: Principal,
                                        coordinator: Principal, arrangement: int) -> None:
    other = letterbox.create_arrangement(db, coordinator, sample_input("LB-0002", coordinator="lbcoord"))
    before = record_history.record_history(db, admin, "letterbox_arrangements", arrangement)
    assert not any(r.seen for r in before.rows)
    letterbox.get_arrangement(other_pc, coordinator, arrangement)  # opened on the other PC
    letterbox.get_arrangement(other_pc, coordinator, other)  # another record: not in this one's list
    after = record_history.record_history(db, admin, "letterbox_arrangements", arrangement)
    viewed = [r for r in after.rows if r.seen]
    assert [(r.actor, r.record) for r in viewed] == [("lbcoord", f"Letterbox arrangement {arrangement}")]
    # its parts are in it too: the birth relatives entered with it
    assert any(r.record.startswith("Letterbox participant") for r in after.rows)
    assert after.total == len(after.rows) and after.people[0] == "lbcoord"
    # each look is audited as a view of the audit log, naming the record
    with db.session(write=False) as s:
        looks = audit.query_entries(s, audit.AuditFilter(action="view", entity="audit_log"))
    assert [(e.actor, e.entity_id, e.detail) for e in looks][:1] == [
        ("admin", f"letterbox_arrangements/{arrangement}", record_history.DETAIL)]


def test_only_with_audit_view(db: Database, coordinator: Principal, arrangement: int) -> None:
    with pytest.raises(PermissionDenied):
        record_history.record_history(db, coordinator, "letterbox_arrangements", arrangement)


def test_the_read_uses_the_record_index(db: Database, admin: Principal, coordinator: Principal,
                                        arrangement: int) -> None:
    statements: list[tuple[str, Any]] = []

    def seen(_conn: object, _cursor: object, statement: str, params: Any, _context: object, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "audit_log.entity_id IN" in statement:
            statements.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        record_history.record_history(db, admin, "letterbox_arrangements", arrangement)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert statements
    with db.engine.connect() as conn:
        for statement, params in statements:
            plan = [str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
            searches = [p for p in plan if "audit_log" in p]
            assert searches and all("ix_audit_log_entity_record (entity=? AND entity_id=?)" in p for p in searches), plan


def test_the_index_is_in_an_upgraded_database(db: Database) -> None:
    with db.session(write=False) as s:
        found = s.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_audit_log_entity_record'")).scalar()
    assert found is not None and "entity_id" in found


def test_a_letter_opened_is_listed_under_its_arrangement(db: Database, other_pc: Database, admin: Principal,
                                                         coordinator: Principal, arrangement: int) -> None:
    """The letter's scan, opened on another PC, is the opening that matters most: it belongs to the arrangement
    through its item (an attachment of an item of the arrangement), and is listed with it."""
    import datetime as dt

    from adoption_desktop.letterbox import attachments, rules
    from tests.letterbox.documents_fixtures import pdf_scan, render_page

    item = letterbox.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                              received_on=dt.date.today(), writer="The adopters", log_again=True)
    (scan,) = attachments.attach(db, coordinator, item, "scan-from-nan.pdf",
                                 pdf_scan([render_page("Dear Nan, thinking of you.")]))
    attachments.open_attachment(other_pc, coordinator, scan.id)  # the letter read on the other PC
    history = record_history.record_history(db, admin, "letterbox_arrangements", arrangement)
    opened = [(r.actor, r.record) for r in history.rows if r.seen]
    assert ("lbcoord", f"Letterbox attachment {scan.id}") in opened, opened


def test_no_part_is_found_by_reading_a_whole_table(db: Database, admin: Principal, coordinator: Principal,
                                                    arrangement: int) -> None:
    """The parts' parts are looked up through indexes only: no query of the look reads a whole table (a
    participant's items, with no index on participant_id, read every item of the register)."""
    statements: list[tuple[str, Any]] = []

    def seen(_conn: object, _cursor: object, statement: str, params: Any, _context: object, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        record_history.record_history(db, admin, "letterbox_arrangements", arrangement)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    with db.engine.connect() as conn:
        scans = [(statement, row[-1]) for statement, params in statements
                 for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
                 if str(row[-1]).startswith("SCAN") and "letterbox_" in str(row[-1])]
    assert not scans, scans
