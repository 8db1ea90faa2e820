"""Items saved before the findings digest was kept (``letterbox_items.findings_digest`` NULL) were checked only
against their findings' own seals: a finding deleted in SQL with ONE forged audit entry sealing the deletion (a
tombstone seal; no existing entry touched) passed ``verify``, and the item window showed the forwarded item with
a finding missing and no seal problem. The first open of the file after the upgrade now back-fills their digest,
once, in one sealed audit entry (``letterbox.findings_backfill``); such items are then checked exactly like items
with a digest of their own. Real SQLCipher files; two programs on one file for the multi-user case."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from adoption_desktop.core.audit import seals
from adoption_desktop.core.audit.chain import append_entry
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.audit.seals.row_seals import _Seal, _write
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import SYSTEM, Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database, open_postgresql
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.letterbox import findings_digest, rules, service
from adoption_desktop.letterbox.models import Finding, Item
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input

D = dt.date
NAMES_ADDRESS = "Dear all, we moved to 12 Acacia Avenue, Leeds LS1 4AB. Call 07700 900123."
SAID = "its screening findings are not those saved with it (added, changed or deleted outside the application)"


def _screened_before_digest(db: Database, coordinator: Principal, arrangement: int, day: int) -> int:
    """An item screened through the program, then given NULL as an item saved before the digest was kept
    (the upgrade sealed the new column as NULL on such items)."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, day),
                            writer="Sam Thornley", log_again=True)
    assert len(service.screen_item(db, coordinator, item, NAMES_ADDRESS).findings) >= 2
    with db.session(SYSTEM) as session:
        session.execute(update(Item).where(Item.id == item).values(findings_digest=None))
    return item


def _forwarded_before_digest(db: Database, coordinator: Principal, checker: Principal, arrangement: int,
                             day: int) -> int:
    item = _screened_before_digest(db, coordinator, arrangement, day)
    for f in service.get_item(db, coordinator, item).findings:
        service.decide_finding(db, coordinator, f.id, "acceptable")
    service.confirm_second_check(db, checker, item)
    service.record_outcome(db, coordinator, item, "forwarded", D(2026, 3, day + 1), method="collected")
    return item


def _first_finding(db: Database, item: int) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(Finding.id).where(Finding.item_id == item).order_by(Finding.id)) or 0)


def _forge_deletion(db: Database, finding: int) -> None:
    """The trial: the finding deleted in SQL, then ONE entry appended sealing it as deleted."""
    admin = Principal(1, "admin", "Admin", frozenset({Role.ADMINISTRATOR}))
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM letterbox_findings WHERE id = :f"), {"f": finding})
        seals.seal_change(conn, admin, "delete", seals.audited_table("letterbox_findings"), [(finding,)],
                          entity_id=str(finding))


def _open_again(db_path: Path, store: SecretStore) -> None:
    """Another program opening the upgraded file (the back-fill's moment), then closing it."""
    open_database(db_path, store).dispose()


def _backfill_entries(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(AuditEntry)
                               .where(AuditEntry.action == findings_digest.BACKFILL)) or 0)


def test_a_finding_deleted_with_a_forged_tombstone_on_a_pre_upgrade_item_is_reported_after_the_backfill(
        db: Database, db_path: Path, store: SecretStore) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    checker = make_user(db, "lbcheck", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    tampered = _forwarded_before_digest(db, coordinator, checker, arrangement, 2)
    untouched = _forwarded_before_digest(db, coordinator, checker, arrangement, 5)
    screened = _screened_before_digest(db, coordinator, arrangement, 8)
    had = len(service.get_item(db, coordinator, tampered).findings)
    assert verify_database(db).ok

    _open_again(db_path, store)
    with db.engine.connect() as conn:  # nothing written on the items themselves: the evidence is one entry
        assert conn.scalar(select(Item.findings_digest).where(Item.id == tampered)) is None
    assert verify_database(db).ok  # no false alarm on untouched items
    _forge_deletion(db, _first_finding(db, tampered))
    _forge_deletion(db, _first_finding(db, screened))

    report = verify_database(db)
    assert f"record: letterbox item {tampered}: {SAID}" in report.problems, report.problems
    assert f"record: letterbox item {screened}: {SAID}" in report.problems, report.problems
    assert not [p for p in report.problems if f"letterbox item {untouched}:" in p]
    shown = service.get_item(db, coordinator, tampered)
    assert len(shown.findings) == had - 1 and shown.status == "forwarded"
    assert shown.seal_problem.startswith(f"This item is not as it was when its outcome was recorded: {SAID}.")
    assert service.get_item(db, coordinator, untouched).seal_problem == ""
    assert _backfill_entries(db) == 1
    # the screened item can no longer be given an outcome over the missing finding
    with pytest.raises(SealBroken, match="one of its screening findings"):
        service.record_outcome(db, coordinator, screened, "forwarded", D(2026, 3, 9), method="collected")


def test_no_false_alarm_after_the_backfill_when_items_are_screened_again_or_findings_marked(
        db: Database, db_path: Path, store: SecretStore) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    checker = make_user(db, "lbcheck", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    forwarded = _forwarded_before_digest(db, coordinator, checker, arrangement, 2)
    marked = _screened_before_digest(db, coordinator, arrangement, 5)
    rescreened = _screened_before_digest(db, coordinator, arrangement, 8)
    _open_again(db_path, store)
    assert _backfill_entries(db) == 1

    for f in service.get_item(db, coordinator, marked).findings:
        service.decide_finding(db, coordinator, f.id, "acceptable")
    service.screen_item(db, coordinator, rescreened, "Dear all, we are well. Love, Sam")
    assert verify_database(db).ok, verify_database(db).problems
    for item in (marked, rescreened):
        service.confirm_second_check(db, checker, item)
        service.record_outcome(db, coordinator, item, "forwarded", D(2026, 3, 20), method="collected")
    report = verify_database(db)
    assert report.ok, report.problems
    for item in (forwarded, marked, rescreened):
        assert service.get_item(db, coordinator, item).seal_problem == ""
    # a finding marked after the back-fill is held to the item's own digest from then on: changed in SQL, seen
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE letterbox_findings SET decision = 'remove' WHERE item_id = :i"), {"i": marked})
    assert f"record: letterbox item {marked}: {SAID}" in verify_database(db).problems


def test_the_backfill_happens_once_and_leaves_out_items_whose_findings_fail_their_seals(
        db: Database, db_path: Path, store: SecretStore) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    good = _screened_before_digest(db, coordinator, arrangement, 2)
    broken = _screened_before_digest(db, coordinator, arrangement, 5)
    changed = _first_finding(db, broken)
    with db.engine.begin() as conn:  # changed in SQL before the upgrade, no forged seal: its own seal shows it
        conn.execute(text("UPDATE letterbox_findings SET decision = 'acceptable' WHERE id = :f"), {"f": changed})
    _open_again(db_path, store)
    with db.engine.connect() as conn:
        entries = int(conn.scalar(select(func.count()).select_from(AuditEntry)) or 0)
        back = findings_digest.all_backfilled(conn)
    assert set(back) >= {good} and broken not in back
    _open_again(db_path, store)
    _open_again(db_path, store)
    with db.engine.connect() as conn:  # the later opens wrote nothing at all
        assert int(conn.scalar(select(func.count()).select_from(AuditEntry)) or 0) == entries
    assert _backfill_entries(db) == 1
    report = verify_database(db)
    assert [p for p in report.problems if "letterbox_findings" in p], report.problems  # still reported

    # a second back-fill entry forged to vouch for changed findings counts for nothing, and is named
    with db.engine.begin() as conn:
        digest = findings_digest.current_digest(conn, broken)[:findings_digest.KEPT]
        seq = append_entry(conn, SYSTEM, findings_digest.BACKFILL, "letterbox_items", "*", None, "forged",
                      seals.aggregate([(findings_digest.BACKFILLED, str(broken), digest)]))
        _write(conn, seq, [_Seal(findings_digest.BACKFILLED, str(broken), "", digest, "")], {})
    with db.engine.connect() as conn:
        assert broken not in findings_digest.all_backfilled(conn)
    problems = verify_database(db).problems
    assert any(f"entry #{seq} back-fills" in p and "added outside the application" in p for p in problems), problems


def _at_once(db: Database, first: Database, second: Database) -> None:
    """Pre-upgrade items on ``db``; ``first`` and ``second`` (two programs on it) back-fill at the same moment:
    one does it, the other waits and finds it done; neither fails."""
    from adoption_desktop.letterbox.findings_backfill import backfill

    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    items = [_screened_before_digest(db, coordinator, arrangement, day) for day in (2, 4, 6)]
    start = threading.Barrier(2)
    results: list[object] = []

    def run(target: Database) -> None:
        start.wait()
        try:
            results.append(backfill(target))
        except Exception as err:  # said in the assertion below
            results.append(err)

    threads = [threading.Thread(target=run, args=(d,)) for d in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(bool(getattr(r, "done", False)) for r in results) == [False, True], results
    assert _backfill_entries(db) == 1
    with db.engine.connect() as conn:
        assert set(findings_digest.all_backfilled(conn)) >= set(items)
    assert verify_database(db).ok


def test_two_programs_opening_the_upgraded_file_at_once_backfill_once(
        db: Database, db_path: Path, store: SecretStore) -> None:
    first, second = open_database(db_path, store, upgrade=False), open_database(db_path, store, upgrade=False)
    try:
        _at_once(db, first, second)
    finally:
        first.dispose()
        second.dispose()


def test_two_programs_on_the_team_server_backfill_once(pg_db: Database) -> None:
    url = pg_db.engine.url.render_as_string(hide_password=False)
    first, second = open_postgresql(url), open_postgresql(url)
    try:
        _at_once(pg_db, first, second)
    finally:
        first.dispose()
        second.dispose()


def test_the_audit_viewer_names_the_backfill_in_words(db: Database, db_path: Path, store: SecretStore,
                                                      admin: Principal) -> None:
    """An administrator reading the log saw the code "Letterbox findings backfill"; it is said in words, and the
    viewer's Action filter takes them."""
    from adoption_desktop.core import audit, audit_service
    from adoption_desktop.core.audit import readable

    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    _screened_before_digest(db, coordinator, arrangement, 2)
    _open_again(db_path, store)
    label = "Letterbox: screening findings of older items sealed (once, after the upgrade)"
    shown = audit_service.list_entries(db, admin, audit.AuditFilter(action=readable.action_code(label)))
    assert [e.action for e in shown] == [findings_digest.BACKFILL]
    assert readable.action_label(shown[0].action) == label
