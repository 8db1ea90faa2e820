"""The check before an item's outcome or second check read every seal of ``letterbox_findings``: ~330 ms per
outcome at 100,000 findings, and a finding made in bulk (one bulk seal, no entry of its own) deleted in SQL
stopped every item's outcome, not only its own item's. Each item now carries a digest of its findings
(``letterbox_items.findings_digest``), written with every change to them and vouched for by the item's seal;
the check recomputes it from the item's own findings. A finding changed, added or deleted in SQL stops its
own item (and ``verify`` still names it), never another item; an item saved before the digest (NULL) is
checked as before. On SQLCipher and PostgreSQL; and after a move to a server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update

from adoption_desktop import demo
from adoption_desktop.core import audit
from adoption_desktop.core.audit.seal_check import verify_record
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import SYSTEM, Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database
from adoption_desktop.letterbox import findings_digest, rules, service
from adoption_desktop.letterbox.models import Arrangement, Finding, Item
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input

D = dt.date
#: two findings, marked "remove": an address and a telephone number
NAMES_ADDRESS = "Dear all, we moved to 12 Acacia Avenue, Leeds LS1 4AB. Call 07700 900123."
#: what each outside change does to item A's findings
CHANGES = {
    "changed": "UPDATE letterbox_findings SET decision = 'acceptable' WHERE item_id = :a",
    "inserted": "INSERT INTO letterbox_findings (item_id, start, \"end\", kind, text, decision) "
                "VALUES (:a, 0, 4, 'surname', 'Dear', 'acceptable')",
    "deleted": "DELETE FROM letterbox_findings WHERE id = (SELECT min(id) FROM letterbox_findings WHERE item_id = :a)",
}


def _screened(db: Database, coordinator: Principal, arrangement: int, day: int) -> int:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, day),
                            writer="Sam Thornley")
    assert service.screen_item(db, coordinator, item, NAMES_ADDRESS).findings
    return item


def _bulk_items(db: Database, arrangement: int, count: int) -> list[int]:
    """``count`` screened items with two findings each, written with Core and sealed in bulk (one bulk entry per
    table, as generated data is): no finding has an entry of its own; each item's digest is written in the
    same transaction."""
    made = []
    with db.session(SYSTEM) as session:
        conn = session.connection()
        for n in range(count):
            now = dt.datetime(2026, 3, 1, 9, 0)
            iid = int(conn.execute(insert(Item.__table__).returning(Item.__table__.c.id), dict(
                arrangement_id=arrangement, direction=rules.TO_BIRTH, writer="Sam Thornley", item_type="letter",
                received_on=D(2026, 3, 10 + n), status="screened", screened_at=now, screened_by="lbcoord",
                text=NAMES_ADDRESS, created_at=now, updated_at=now, row_version=1)).scalar_one())
            conn.execute(insert(Finding.__table__), [
                dict(item_id=iid, start=22, end=39, kind="address", text="12 Acacia Avenue", decision="remove"),
                dict(item_id=iid, start=62, end=75, kind="phone", text="07700 900123", decision="remove")])
            conn.execute(update(Item.__table__).where(Item.__table__.c.id == iid).values(
                findings_digest=findings_digest.current_digest(conn, iid)))
            made.append(iid)
        for table in ("letterbox_items", "letterbox_findings"):
            audit.seal_unsealed(conn, SYSTEM, "bulk_create", table, "bulk test")
    return made


def _sql(db: Database, statement: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _refused(db: Database, coordinator: Principal, checker: Principal | None, item: int, *said: str) -> None:
    for check_only in (True, False):
        with pytest.raises(SealBroken) as refused:
            service.record_outcome(db, coordinator, item, "held", D(2026, 3, 20), check_only=check_only)
        message = str(refused.value)
        assert message.startswith("This item is not as it was last saved in Adoption Desktop: one of its "
                                  "screening findings"), message
        for words in (*said, "outside the application", "Its outcome was not recorded", "Nothing was saved",
                      "verify", "backup"):
            assert words in message, (words, message)
    if checker is not None:
        with pytest.raises(SealBroken, match="The second check was not recorded"):
            service.confirm_second_check(db, checker, item)
    assert service.get_item(db, coordinator, item).status == "screened"


def _goes_out(db: Database, coordinator: Principal, item: int) -> None:
    service.record_outcome(db, coordinator, item, "held", D(2026, 3, 20))
    assert service.get_item(db, coordinator, item).status == "held"


def _people(db: Database) -> tuple[Principal, Principal, int]:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    checker = make_user(db, "lbcheck", Role.LETTERBOX_COORDINATOR)
    return coordinator, checker, service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))


def _verify_names_findings(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [str(p) for p in verify_record(conn) if p.entity == "letterbox_findings"]


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_outside_change_stops_its_own_item_only(any_db: Database, change: str) -> None:
    db = any_db
    coordinator, checker, arrangement = _people(db)
    a, b = _screened(db, coordinator, arrangement, 2), _screened(db, coordinator, arrangement, 3)
    _sql(db, CHANGES[change], a=a)
    _refused(db, coordinator, checker, a)
    # marking a finding would write the digest again over the changed findings: refused too
    left = [f for f in service.get_item(db, coordinator, a).findings if f.decision == "remove"]
    if left:
        with pytest.raises(SealBroken, match="The finding was not marked"):
            service.decide_finding(db, coordinator, left[0].id, "acceptable")
        _refused(db, coordinator, None, a)
    _goes_out(db, coordinator, b)
    assert _verify_names_findings(db), "verify still names the finding"


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_bulk_made_finding_changed_in_sql_stops_its_own_item_only(any_db: Database, change: str) -> None:
    """The case that stopped every item: a finding with only a bulk seal deleted in SQL (no entry says whose
    it was). Now its item's digest says so, and the other items are not read."""
    db = any_db
    coordinator, _checker, arrangement = _people(db)
    a, b = _bulk_items(db, arrangement, 2)
    screened = _screened(db, coordinator, arrangement, 2)
    _sql(db, CHANGES[change], a=a)
    _goes_out(db, coordinator, b)  # was refused: "deleted outside the application", for a finding not its own
    _goes_out(db, coordinator, screened)
    _refused(db, coordinator, None, a, "added, changed or deleted outside the application" if change == "deleted"
             else "outside the application")
    assert _verify_names_findings(db)


def test_findings_marked_in_the_program_keep_the_digest_and_go_out(db: Database) -> None:
    coordinator, checker, arrangement = _people(db)
    a = _screened(db, coordinator, arrangement, 2)
    with db.engine.connect() as conn:
        assert conn.scalar(select(Item.findings_digest).where(Item.id == a)) == findings_digest.current_digest(conn, a)
    for f in service.get_item(db, coordinator, a).findings:
        service.decide_finding(db, coordinator, f.id, "acceptable")
    service.screen_item(db, coordinator, a, NAMES_ADDRESS + " Love, Sam.")  # screened again: findings replaced
    for f in service.get_item(db, coordinator, a).findings:
        service.decide_finding(db, coordinator, f.id, "acceptable")
    service.confirm_second_check(db, checker, a)
    service.record_outcome(db, coordinator, a, "forwarded", D(2026, 3, 9), method="collected")
    with db.engine.connect() as conn:
        assert conn.scalar(select(Item.findings_digest).where(Item.id == a)) == findings_digest.current_digest(conn, a)
        assert verify_record(conn) == []
    # an item logged and never screened has the digest of no findings
    fresh = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 5))
    with db.engine.connect() as conn:
        assert conn.scalar(select(Item.findings_digest).where(Item.id == fresh)) == findings_digest.NO_FINDINGS


def test_an_item_saved_before_the_digest_is_checked_as_before(db: Database) -> None:
    """NULL digest (an item from before the upgrade): its findings are checked against every seal as before,
    including a bulk-made finding deleted in SQL that no entry says whose it was; marking a finding keeps it
    without a digest (one written then would vouch for findings nobody checked)."""
    coordinator, _checker, arrangement = _people(db)
    old, other = _screened(db, coordinator, arrangement, 2), _screened(db, coordinator, arrangement, 3)
    with db.session(SYSTEM) as session:  # saved through the program: sealed with no digest
        session.execute(update(Item).where(Item.id.in_([old, other])).values(findings_digest=None))
    first = service.get_item(db, coordinator, old).findings[0]
    service.decide_finding(db, coordinator, first.id, "acceptable")
    with db.engine.connect() as conn:
        assert conn.scalar(select(Item.findings_digest).where(Item.id == old)) is None
    _sql(db, "UPDATE letterbox_findings SET decision = 'acceptable' WHERE item_id = :a", a=other)
    _refused(db, coordinator, None, other, "decision changed outside the application")
    # a bulk-made finding of another item deleted in SQL: the old check counts it against this item too
    (bulk,) = _bulk_items(db, arrangement, 1)
    _sql(db, CHANGES["deleted"], a=bulk)
    _refused(db, coordinator, None, old, "deleted outside the application")


def test_the_digest_is_trusted_only_where_the_items_seal_covers_it(db: Database) -> None:
    """An item whose latest seal does not list the digest's column (sealed before it existed and not sealed
    again) is checked the old way, whatever digest stands in it: ``seal_covers`` tells."""
    from adoption_desktop.core.audit.seal_check import seal_covers

    coordinator, _checker, arrangement = _people(db)
    a = _screened(db, coordinator, arrangement, 2)
    with db.engine.connect() as conn:
        assert seal_covers(conn, "letterbox_items", a, "findings_digest")
        assert not seal_covers(conn, "letterbox_items", a, "no_such_column")
        assert not seal_covers(conn, "letterbox_items", a + 1000, "findings_digest")  # no seal at all


def test_a_moved_file_keeps_the_digest_check_on_the_server(
        small_demo_copy: Callable[..., Path], tmp_path: Path, store: SecretStore,
        postgres_server: object) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    from adoption_desktop.core.storage.team_setup import team_setup
    from tests.core.test_move_to_server import Server, move

    url = postgres_server.empty_database_url("fdig_")  # type: ignore[attr-defined]
    suffix = url.rsplit("_", 1)[-1]
    made = team_setup(url, owner_role=f"own_{suffix}", app_role=f"app_{suffix}")
    server = Server(url, made.owner_url, made.app_url)
    path = small_demo_copy(tmp_path / "demo.db")
    db = open_database(path, store)
    try:
        coordinator = users.authenticate(db, "letterbox", demo.DEMO_PASSWORD)  # the demo's coordinator
        with db.session(write=False) as session:
            arrangement = int(session.scalars(select(Arrangement.id).order_by(Arrangement.id)).first() or 0)
        a, b = (service.screen_item(db, coordinator, service.log_item(
            db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=dt.date.today(), log_again=True),
            NAMES_ADDRESS).findings[0].id for _ in range(2))
        with db.session(write=False) as session:
            a, b = (int(session.get(Finding, f).item_id) for f in (a, b))  # type: ignore[union-attr]
    finally:
        db.dispose()
    move(path, store, server.owner_url)
    _sql_on(server.admin_url, CHANGES["changed"], a=a)
    db = open_database(server.app_url, store)
    try:
        coordinator = users.authenticate(db, "letterbox", demo.DEMO_PASSWORD)
        with pytest.raises(SealBroken, match="decision changed outside the application"):
            service.record_outcome(db, coordinator, a, "held", dt.date.today())
        service.record_outcome(db, coordinator, b, "held", dt.date.today())
        assert service.get_item(db, coordinator, b).status == "held"
    finally:
        db.dispose()


def _sql_on(url: str, statement: str, **params: object) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text(statement), params)
    finally:
        engine.dispose()


def test_the_digest_column_follows_the_last_head() -> None:
    """``lbseal_0001_findings_digest`` adds the nullable column (items on file keep NULL: checked as before)."""
    from tests.core.test_migrations import check_revision_follows

    check_revision_follows("lbseal_0001_findings_digest", "counselling_0004_chase_history")


def test_a_position_made_text_or_null_gives_another_digest_not_a_crash() -> None:
    from adoption_desktop.letterbox.findings_digest import digest_of

    good = digest_of([(1, 4, 9, "term", "Thornley", "remove")])
    assert digest_of([(1, "x1", 9, "term", "Thornley", "remove")]) != good
    assert digest_of([(1, 4, None, "term", "Thornley", "remove")]) != good
    assert digest_of([("1", 4, 9, "term", "Thornley", "remove"), (2, 1, 2, "term", "Ivy", "remove")]) != good
