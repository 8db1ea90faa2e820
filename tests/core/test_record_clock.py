"""Team mode with one PC's clock minutes off: the record's own times (a decision's signed_at, a letterbox
item's logged, screened and withheld times, every row's created_at/updated_at, a template version's time,
an access review's) come from the PostgreSQL server's clock, as the audit log's do since the ninth release, so
a decision signed on a PC three minutes slow is not stamped before the recommendation it follows. The server's
time is read once per transaction at most (``storage.base.record_now``) and never on a database file.

The PC's clock is put off by the clock module the program reads (``datetime`` as ``storage.base`` and
``template_admin`` see it): nothing of the database is mocked. Real PostgreSQL, two engines (two PCs); real
SQLCipher files, two programs on one file, where this PC's clock stays the one clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from adoption_desktop import template_admin
from adoption_desktop.adm import service as adm
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.core import access_review, audit, drafts
from adoption_desktop.core.models import AccessReviewRecord, TemplateVersion
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage import base
from adoption_desktop.core.storage.base import server_clock
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service as letterbox
from adoption_desktop.letterbox.models import Arrangement, Item, ItemEvent
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input
from tests.pc_clock import shift_pc_clock

OFF_BY = [dt.timedelta(minutes=-3), dt.timedelta(minutes=3)]


def _pc_clock_off(monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta) -> Callable[[], dt.datetime]:
    """This PC's clock ``off_by`` from everyone else's, wherever the program reads it for a record's time
    (``utcnow``, the columns' defaults, ``datetime.now``). Returns this PC's clock (naive UTC)."""
    return shift_pc_clock(monkeypatch, off_by, base, template_admin)


def _server_now(db: Database) -> dt.datetime:
    with db.session(write=False) as session:
        now: dt.datetime = session.execute(select(server_clock())).scalar_one()
        return now


def _between(before: dt.datetime, stamps: dict[str, dt.datetime], after: dt.datetime) -> None:
    off = {name: at for name, at in stamps.items() if not before <= at <= after}
    assert not off, f"stamped outside the server's {before} … {after}: {off}"


def _signable(db: Database, adm_user: Principal) -> int:
    with db.session() as session:
        did = open_from_panel(session, handoff(received=dt.date.today() - dt.timedelta(days=7)))
    adm.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                        reasons="I agree with the panel's reasons.")
    return did


@pytest.mark.parametrize("off_by", OFF_BY)
def test_a_decision_signed_on_a_pc_whose_clock_is_off_is_stamped_by_the_servers_clock(
        pg_db: Database, second_pc: Database, monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta) -> None:
    decider = make_user(pg_db, "decider", Role.AGENCY_DECISION_MAKER)
    did = _signable(pg_db, decider)
    before = _server_now(pg_db)
    with monkeypatch.context() as pc:  # the ADM's PC, its clock off
        _pc_clock_off(pc, off_by)
        adm.sign_decision(second_pc, decider, did, TEST_PASSWORD, dt.date.today())
    after = _server_now(pg_db)
    with pg_db.session(write=False) as session:
        d = session.get(AdmDecision, did)
        assert d is not None and d.signed_at is not None
        _between(before, {"signed_at": d.signed_at, "updated_at": d.updated_at}, after)
        signed, = session.scalars(select(audit.AuditEntry.at).where(
            audit.AuditEntry.action == "sign", audit.AuditEntry.entity_id == str(did)))
        assert d.signed_at <= dt.datetime.fromisoformat(signed).replace(tzinfo=None)  # in the log's order


@pytest.mark.parametrize("off_by", OFF_BY)
def test_a_letterbox_item_logged_screened_and_withheld_on_a_pc_whose_clock_is_off(
        pg_db: Database, second_pc: Database, monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta) -> None:
    coordinator = make_user(pg_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = letterbox.create_arrangement(pg_db, coordinator, sample_input(coordinator="lbcoord"))
    before = _server_now(pg_db)
    with monkeypatch.context() as pc:
        _pc_clock_off(pc, off_by)
        item = letterbox.log_item(second_pc, coordinator, arrangement, direction="birth_to_adoptive",
                                  received_on=dt.date.today(), writer="Gina Quillfield")
        letterbox.screen_item(second_pc, coordinator, item, "Dear Rosa, we think of you often. Love, Gina.")
        letterbox.record_outcome(second_pc, coordinator, item, "withheld", dt.date.today(),
                                 reason="Held back for the coordinator's review.", social_worker_informed=True)
    after = _server_now(pg_db)
    with pg_db.session(write=False) as session:
        row = session.get(Item, item)
        assert row is not None and row.screened_at is not None
        events = {f"event {e.action}": e.at for e in session.scalars(select(ItemEvent).where(ItemEvent.item_id == item))}
        assert {"event received", "event screened", "event withheld"} <= set(events)
        _between(before, {"created_at": row.created_at, "updated_at": row.updated_at,
                          "screened_at": row.screened_at, **events}, after)


@pytest.mark.parametrize("off_by", OFF_BY)
def test_an_arrangements_status_set_on_a_pc_whose_clock_is_off(
        pg_db: Database, second_pc: Database, monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta) -> None:
    """Set by a statement of its own (no ORM flush, so no mapper event): its ``onupdate`` stamped the PC's time."""
    coordinator = make_user(pg_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = letterbox.create_arrangement(pg_db, coordinator, sample_input(coordinator="lbcoord"))
    seen = letterbox.get_arrangement(second_pc, coordinator, arrangement).row_version
    before = _server_now(pg_db)
    with monkeypatch.context() as pc:
        _pc_clock_off(pc, off_by)
        letterbox.set_arrangement_status(second_pc, coordinator, arrangement, "suspended", expected_version=seen)
    after = _server_now(pg_db)
    with pg_db.session(write=False) as session:
        row = session.get(Arrangement, arrangement)
        assert row is not None and row.status == "suspended"
        _between(before, {"updated_at": row.updated_at}, after)


@pytest.mark.parametrize("off_by", OFF_BY)
def test_a_template_version_and_an_access_review_on_a_pc_whose_clock_is_off(
        pg_db: Database, second_pc: Database, monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta) -> None:
    admin = make_user(pg_db, "admin2", Role.ADMINISTRATOR)
    review = access_review.access_review(pg_db, admin)
    before = _server_now(pg_db)
    with monkeypatch.context() as pc:
        _pc_clock_off(pc, off_by)
        template_admin.save_letter_template(second_pc, admin, "adm_approval",
                                            template_admin.letter_text(second_pc, admin, "adm_approval")
                                            + "\nWith best wishes.", note="a closing line")
        access_review.record_review(second_pc, admin, "roles as needed", basis=review.basis, last_id=review.last_id)
    after = _server_now(pg_db)
    with pg_db.session(write=False) as session:
        saved = session.scalars(select(TemplateVersion).order_by(TemplateVersion.id.desc()).limit(1)).one()
        reviewed = session.scalars(select(AccessReviewRecord)).one()
        # a template version's time is kept, as always, in this PC's local time: the server's moment
        local = {"template version": saved.created_at.astimezone().astimezone(dt.UTC).replace(tzinfo=None)}
        _between(before, {"access review": reviewed.reviewed_at, **local}, after)


def _clock_reads(db: Database) -> tuple[list[str], Callable[[], None]]:
    """The statements that read the server's clock on their own (``SELECT`` of it), as they run."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "clock_timestamp" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", note)


def _two_changes(session: Session, user_ids: list[int]) -> list[dt.datetime]:
    """Two accounts changed and a record time asked for, in one transaction: the times it stamped."""
    users = [session.get(User, uid) for uid in user_ids]
    for user in users:
        assert user is not None
        user.full_name = user.full_name + " Jr"
    asked = base.record_now(session)
    session.flush()
    return [asked, *(u.updated_at for u in users if u is not None)]


@pytest.mark.parametrize("db_kind", ["file", "server"])
def test_the_servers_clock_is_read_once_per_transaction_and_never_on_a_file(
        db_kind: str, request: pytest.FixtureRequest) -> None:
    db: Database = request.getfixturevalue("db" if db_kind == "file" else "pg_db")
    people = [make_user(db, name, Role.COUNSELLOR) for name in ("ann", "bea")]
    ids = [p.user_id for p in people]
    seen, stop = _clock_reads(db)
    try:
        with db.session() as session:
            first = _two_changes(session, [i for i in ids if i is not None])
        with db.session() as session:
            second = _two_changes(session, [i for i in ids if i is not None])
        with db.session(write=False) as session:  # a read stamps nothing and reads no clock
            session.scalars(select(User)).all()
        drafts.save_draft(db, people[0], "counselling.session_notes:1", "typed")  # an autosave, at a pause in typing
    finally:
        stop()
    if db_kind == "server":
        assert len(seen) == 2  # one per writing transaction; none for the read, none for the autosave
        assert len(set(first)) == 1 and len(set(second)) == 1  # one time for the whole transaction
        assert first[0] < second[0]
    else:
        assert seen == []


def test_a_database_file_keeps_this_pcs_clock(db: Database, other_pc: Database,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Two programs on one file run on one PC: its clock is the one clock, and is what is stamped (a clock
    put back is not corrected: there is nothing to correct it by)."""
    decider = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    did = _signable(db, decider)
    with monkeypatch.context() as pc:
        clock = _pc_clock_off(pc, dt.timedelta(days=-1))
        adm.sign_decision(other_pc, decider, did, TEST_PASSWORD, dt.date.today() - dt.timedelta(days=1))
        yesterday = clock()
    with db.session(write=False) as session:
        d = session.get(AdmDecision, did)
        assert d is not None and d.signed_at is not None
        assert d.signed_at <= yesterday and d.updated_at <= yesterday
