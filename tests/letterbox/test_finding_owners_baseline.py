"""Migration ``parts_0001_finding_owners``: findings already in a database get their owner records
(``seals.seal_part_owners``), so that an item's outcome check finds every finding it had, one written in
bulk too, by the item alone. A finding changed or deleted outside the application before the upgrade is
the item its "create" entry names; one written in bulk (no such entry) cannot be told apart, and stops
every item, as before, until the database is restored."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from adoption_desktop.core.audit import seals
from adoption_desktop.core.audit.seal_check import verify_record
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from tests.core.test_migrations import check_revision_follows
from tests.letterbox.test_finding_checks_per_item import D, _bulk_findings, _forward, _item, _refused, _sql


def test_revision_follows_the_last_head() -> None:
    check_revision_follows("parts_0001_finding_owners", "counselling_0004_chase_history")


def _before_owner_records(db: Database, coordinator: Principal, arrangement: int, monkeypatch: pytest.MonkeyPatch,
                          ) -> tuple[list[int], dict[int, list[int]], list[int]]:
    """Four items, the first three with findings written in bulk and the fourth with its screening's, as a
    database from before owner records holds them: ``(items, bulk ids by item, the fourth's finding ids)``."""
    with monkeypatch.context() as m:
        m.delitem(seals.PART_OWNERS, "letterbox_findings")
        items = [_item(db, coordinator, arrangement, d) for d in (2, 3, 4, 5)]
        ids = _bulk_findings(db, coordinator, {items[0]: 2, items[1]: 1, items[2]: 1})
        screened = [f.id for f in service.screen_item(db, coordinator, items[3], "Call 07700 900123.").findings]
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_seal WHERE entity LIKE '%@%'")).scalar() == 0
    assert screened
    return items, ids, screened


def _upgrade(db: Database) -> None:
    with db.session() as session:
        seals.seal_part_owners(session.connection())
        seals.seal_part_owners(session.connection())  # once only: the second finds the records made


def test_findings_on_file_are_recorded_with_their_items(db: Database, coordinator: Principal, arrangement: int,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    items, ids, screened = _before_owner_records(db, coordinator, arrangement, monkeypatch)
    _upgrade(db)
    with db.engine.connect() as conn:
        assert verify_record(conn) == []  # the new entry and its records are sound
        assert conn.execute(text("SELECT count(*) FROM audit_log WHERE detail LIKE 'owner records%'")).scalar() == 1
    _sql(db, "DELETE FROM letterbox_findings WHERE id = :f", f=ids[items[0]][1])  # written in bulk
    _refused(db, coordinator, items[0], "deleted outside the application")
    _forward(db, coordinator, items[1])
    _sql(db, "DELETE FROM letterbox_findings WHERE id = :f", f=screened[0])
    _refused(db, coordinator, items[3], "deleted outside the application")
    service.record_outcome(db, coordinator, items[2], "held", D(2026, 3, 9))


def test_findings_changed_before_the_upgrade(db: Database, coordinator: Principal, arrangement: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A screened finding deleted before the upgrade stays its item's problem alone; a finding written in
    bulk and deleted, or moved to another item, before it (whose it was cannot be told) stops every item, as
    before owner records."""
    items, ids, screened = _before_owner_records(db, coordinator, arrangement, monkeypatch)
    _sql(db, "DELETE FROM letterbox_findings WHERE id = :f", f=screened[0])
    _upgrade(db)
    _refused(db, coordinator, items[3], "deleted outside the application")
    _forward(db, coordinator, items[2])  # not stopped by the fourth item's finding
    for day, change in ((6, "UPDATE letterbox_findings SET item_id = :o WHERE id = :f"),  # moved, then deleted
                        (7, "DELETE FROM letterbox_findings WHERE id = :f")):
        _sql(db, change, f=ids[items[0]][0], o=items[1])
        with db.session() as session:  # an older database, changed so before the upgrade (test set-up only)
            session.execute(text("DELETE FROM audit_seal WHERE entity LIKE '%@%'"))
            seals.seal_part_owners(session.connection())
        other = _item(db, coordinator, arrangement, day)
        _refused(db, coordinator, other, f"row {ids[items[0]][0]})", "outside the application")
