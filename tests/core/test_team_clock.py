"""Team mode with one PC's clock minutes off: the audit log's entries and the drafts are stamped by the
PostgreSQL server's clock, so a PC three minutes slow (or fast) does not write entries "before" the ones they
follow (Who has seen this record, the audit viewer, "X saved this at …" and the reports read those times), nor
list one person's drafts out of order. The PC's clock is put off through the module's clock (``utcnow``), as
the presence test does (``test_presence_clock.py``): nothing of the database is mocked. Real PostgreSQL, two
engines (two PCs). A database file keeps this PC's clock: there it is the one clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from adoption_desktop.core import audit, drafts
from adoption_desktop.core.audit import anchors, chain
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.base import utcnow
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox.importing import audit_rows
from tests.conftest import make_user

OFF_BY = [dt.timedelta(minutes=-3), dt.timedelta(minutes=3)]


def _pc_clock_off(monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta) -> Callable[[], dt.datetime]:
    """This PC's clock, ``off_by`` from everyone else's, wherever the program reads it for a stamp."""
    def clock() -> dt.datetime:
        return utcnow() + off_by

    for module in (chain, drafts, anchors):
        monkeypatch.setattr(module, "utcnow", clock)
    return clock


def _entries(db: Database, action: str) -> list[tuple[int, str, str]]:
    with db.session(write=False) as session:
        return [(e.seq, e.at, e.actor) for e in session.scalars(
            select(audit.AuditEntry).where(audit.AuditEntry.action == action).order_by(audit.AuditEntry.seq))]


def _write(db: Database, who: Principal, detail: str) -> None:
    with db.session(who) as session:
        audit.record(session, "clock_check", "database", "*", detail=detail)


@pytest.mark.parametrize("off_by", OFF_BY)
def test_entries_from_a_pc_whose_clock_is_off_are_stamped_in_the_order_of_the_log(
        pg_db: Database, second_pc: Database, monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta) -> None:
    ann = make_user(pg_db, "ann", Role.AGENCY_DECISION_MAKER)
    bea = make_user(pg_db, "bea", Role.AGENCY_DECISION_MAKER)
    _write(pg_db, bea, "Bea, first")  # Bea's PC, its clock right
    with monkeypatch.context() as pc:  # Ann's PC, its clock off
        _pc_clock_off(pc, off_by)
        _write(second_pc, ann, "Ann, after Bea")
        with second_pc.session(ann) as session:  # an import's entries, appended at once
            audit_rows.append_many(session, [("clock_check", "database", "*", None, "Ann's import")] * 3)
    _write(pg_db, bea, "Bea, after Ann")
    found = _entries(pg_db, "clock_check")
    assert [actor for _seq, _at, actor in found] == ["bea", "ann", "ann", "ann", "ann", "bea"]
    times = [dt.datetime.fromisoformat(at) for _seq, at, _actor in found]
    assert times == sorted(times), f"entries stamped out of the log's order: {found}"
    with pg_db.session(write=False) as session:
        assert audit.verify_chain(session) is None  # the server's time is what was sealed


@pytest.mark.parametrize("off_by", OFF_BY)
def test_one_persons_drafts_from_two_pcs_are_listed_newest_first(
        pg_db: Database, second_pc: Database, monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta) -> None:
    ann = make_user(pg_db, "ann", Role.COUNSELLOR)
    drafts.save_draft(pg_db, ann, "counselling.session_notes:1", "typed at the office")
    with monkeypatch.context() as pc:  # then on the laptop, its clock off
        _pc_clock_off(pc, off_by)
        drafts.save_draft(second_pc, ann, "counselling.session_notes:2", "typed on the laptop")
    drafts.save_draft(pg_db, ann, "counselling.referral:3", "typed at the office again")
    listed = drafts.list_drafts(pg_db, ann)
    assert [d.record_id for d in listed] == [3, 2, 1]


@pytest.mark.parametrize("off_by", OFF_BY)
def test_a_pcs_witness_of_the_log_is_recorded_by_the_servers_clock(
        pg_db: Database, second_pc: Database, monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta) -> None:
    """The witness (the newest entry this PC has seen, kept on the PC) says when it was recorded, and an alert
    judges by it whether the entry now under its number was "written after that copy was recorded" (an older
    copy put back, then new work) or not (the log rewritten): it must be read on the entries' clock."""
    ann = make_user(pg_db, "ann", Role.COUNSELLOR)
    bea = make_user(pg_db, "bea", Role.COUNSELLOR)
    with monkeypatch.context() as pc:  # Ann's PC, its clock off, saves and records its witness
        _pc_clock_off(pc, off_by)
        _write(second_pc, ann, "Ann's save")
        assert anchors.advance(second_pc)
    _write(pg_db, bea, "Bea's save, after the witness was recorded")
    (seq, before, _ann), (_seq, after, _bea) = _entries(pg_db, "clock_check")
    found, _problems = anchors.stored(second_pc)
    (witness,) = [a for a in found if a.seq == seq]
    recorded = dt.datetime.fromisoformat(witness.at)
    assert dt.datetime.fromisoformat(before).replace(tzinfo=dt.UTC) <= recorded
    assert recorded <= dt.datetime.fromisoformat(after).replace(tzinfo=dt.UTC)


def test_a_database_file_keeps_this_pcs_clock(db: Database, other_pc: Database,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Two programs on one file run on one PC: its clock is the one clock, and is what is stamped (a clock
    put back is not corrected: there is nothing to correct it by)."""
    admin = make_user(db, "ann", Role.COUNSELLOR)
    with monkeypatch.context() as pc:
        clock = _pc_clock_off(pc, dt.timedelta(days=-1))
        _write(other_pc, admin, "yesterday by this PC's clock")
        drafts.save_draft(other_pc, admin, "counselling.session_notes:1", "typed")
        yesterday = clock()
    (_seq, at, _actor), = _entries(db, "clock_check")
    assert dt.datetime.fromisoformat(at) <= yesterday
    assert drafts.list_drafts(db, admin)[0].saved_at <= yesterday
