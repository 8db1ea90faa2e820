"""An arrangement's status set on its own (``set_arrangement_status``) keeps the contract of every other
arrangement edit: it is checked against the version the person saw, so a colleague's change since is
refused (``StaleRecord``, the usual words) and never overwritten; the audit log says what the status was
and what it became; setting the status it already has changes nothing and logs nothing.

Before the eleventh release it was an ``update()`` statement that bumped the row's version without
checking it: of two coordinators who had the arrangement open, the later one's status silently replaced
the earlier one's, and the log said the status had been ``None``."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.models import Arrangement
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input


def _stored(db: Database, arrangement: int) -> tuple[str, int]:
    with db.session(write=False) as s:
        row = s.get(Arrangement, arrangement)
        assert row is not None
        return row.status, int(row.row_version)


def _status_changes(db: Database, arrangement: int) -> list[tuple[str, object]]:
    """Every audit entry of the arrangement that names its status: (who, [old, new])."""
    with db.session(write=False) as s:
        entries = s.scalars(select(AuditEntry).where(
            AuditEntry.entity == "letterbox_arrangements", AuditEntry.entity_id == str(arrangement),
            AuditEntry.action == "update").order_by(AuditEntry.seq)).all()
    return [(e.actor, json.loads(e.changes)["status"]) for e in entries
            if e.changes and "status" in json.loads(e.changes)]


def _entries(db: Database, arrangement: int) -> int:
    with db.session(write=False) as s:
        return len(s.scalars(select(AuditEntry.seq).where(
            AuditEntry.entity == "letterbox_arrangements", AuditEntry.entity_id == str(arrangement),
            AuditEntry.action != "view")).all())


def _two_coordinators_one_status(first_pc: Database, second_pc: Database) -> None:
    ann = make_user(first_pc, "lbcoord", Role.LETTERBOX_COORDINATOR)
    ben = make_user(first_pc, "lbother", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(first_pc, ann, sample_input("LB-0001", coordinator="lbcoord"))
    # both open the arrangement: the same version, status active
    seen_by_ann = service.get_arrangement(first_pc, ann, arrangement)
    seen_by_ben = service.get_arrangement(second_pc, ben, arrangement)
    assert seen_by_ann.row_version == seen_by_ben.row_version
    assert seen_by_ann.data.status == seen_by_ben.data.status == "active"

    new_version = service.set_arrangement_status(first_pc, ann, arrangement, "suspended",
                                                 expected_version=seen_by_ann.row_version)
    assert _stored(first_pc, arrangement) == ("suspended", new_version)
    assert new_version == seen_by_ann.row_version + 1

    # Ben, on the other PC, ends it from what he saw before Ann's change: refused, nothing overwritten
    with pytest.raises(StaleRecord) as refused:
        service.set_arrangement_status(second_pc, ben, arrangement, "ended",
                                       expected_version=seen_by_ben.row_version)
    assert "Lbcoord Tester saved arrangement LB-0001 at" in str(refused.value)
    assert "after you opened it; your change was not saved" in str(refused.value)
    assert refused.value.saved_version == new_version
    assert _stored(first_pc, arrangement) == ("suspended", new_version)
    assert _status_changes(first_pc, arrangement) == [("lbcoord", ["active", "suspended"])]

    # the status it already has: no change, no new version, no audit entry
    logged = _entries(first_pc, arrangement)
    assert service.set_arrangement_status(second_pc, ben, arrangement, "suspended",
                                          expected_version=new_version) == new_version
    assert _stored(first_pc, arrangement) == ("suspended", new_version)
    assert _entries(first_pc, arrangement) == logged

    # reloaded, Ben's change goes through and the log says suspended → ended
    again = service.get_arrangement(second_pc, ben, arrangement)
    ended = service.set_arrangement_status(second_pc, ben, arrangement, "ended", expected_version=again.row_version)
    assert _stored(first_pc, arrangement) == ("ended", ended)
    assert _status_changes(first_pc, arrangement) == [("lbcoord", ["active", "suspended"]),
                                                       ("lbother", ["suspended", "ended"])]


def test_a_status_set_from_an_old_version_is_refused_on_a_shared_file(db: Database, other_pc: Database) -> None:
    _two_coordinators_one_status(db, other_pc)


@pytest.mark.postgres
def test_a_status_set_from_an_old_version_is_refused_in_team_mode(two_pcs: tuple[Database, Database]) -> None:
    _two_coordinators_one_status(*two_pcs)


@pytest.mark.postgres
def test_two_status_changes_at_once_from_one_version_exactly_one_is_saved(
        two_pcs: tuple[Database, Database]) -> None:
    """Both start from the version they saw at the same moment: one wins, the other is told, and the log
    holds the one change that was made."""
    first_pc, second_pc = two_pcs
    ann = make_user(first_pc, "lbcoord", Role.LETTERBOX_COORDINATOR)
    ben = make_user(first_pc, "lbother", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(first_pc, ann, sample_input("LB-0001", coordinator="lbcoord"))
    seen = service.get_arrangement(first_pc, ann, arrangement).row_version
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def change(pc: Database, who: Principal, status: str) -> None:
        start.wait()
        try:
            service.set_arrangement_status(pc, who, arrangement, status, expected_version=seen)
            outcome[who.username] = "saved"
        except StaleRecord:
            outcome[who.username] = "refused"

    threads = [threading.Thread(target=change, args=(first_pc, ann, "suspended")),
               threading.Thread(target=change, args=(second_pc, ben, "ended"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcome.values()) == ["refused", "saved"], outcome
    winner = next(name for name, said in outcome.items() if said == "saved")
    status = {"lbcoord": "suspended", "lbother": "ended"}[winner]
    assert _stored(first_pc, arrangement) == (status, seen + 1)
    assert _status_changes(first_pc, arrangement) == [(winner, ["active", status])]
