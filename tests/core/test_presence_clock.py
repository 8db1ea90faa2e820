"""Team mode with one PC's clock minutes off (team-mode trial ut26): leases are measured by the server's clock,
so a colleague on a PC three minutes slow is still seen as editing, and their lease is not purged by the next
person to open the record. Real PostgreSQL, two engines (two PCs), no mocks of the database."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core import presence
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.base import utcnow
from adoption_desktop.core.storage.engine import Database
from tests.conftest import make_user


@pytest.mark.parametrize("off_by", [dt.timedelta(minutes=-3), dt.timedelta(minutes=3)])
def test_a_colleague_on_a_pc_whose_clock_is_off_is_seen_editing(pg_db: Database, second_pc: Database,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 off_by: dt.timedelta) -> None:
    ann = make_user(pg_db, "ann", Role.AGENCY_DECISION_MAKER)
    bea = make_user(pg_db, "bea", Role.AGENCY_DECISION_MAKER)
    with monkeypatch.context() as pc_clock:  # Ann's PC: its clock `off_by` from everyone else's
        pc_clock.setattr(presence, "utcnow", lambda: utcnow() + off_by)
        anns = presence.acquire(second_pc, ann, "adm_decision", 7)
    seen = presence.who_is_editing(pg_db, bea, "adm_decision", 7)  # Bea's PC, its clock right
    assert [e.name for e in seen] == [ann.full_name or ann.username]
    beas = presence.acquire(pg_db, bea, "adm_decision", 7)  # Bea opens it too: Ann's lease is not purged
    assert [e.user_id for e in presence.who_is_editing(pg_db, bea, "adm_decision", 7, mine=beas)] == [ann.user_id]
    with monkeypatch.context() as pc_clock:
        pc_clock.setattr(presence, "utcnow", lambda: utcnow() + off_by)
        presence.renew(second_pc, ann, anns)
        assert [e.user_id for e in presence.who_is_editing(second_pc, ann, "adm_decision", 7, mine=anns)] \
            == [bea.user_id]
    assert [e.user_id for e in presence.who_is_editing(pg_db, bea, "adm_decision", 7, mine=beas)] == [ann.user_id]
