"""Every letterbox item is made with the digest of its screening findings (``letterbox_items.findings_digest``;
the digest of no findings when it has none), so a new file never needs the one-off back-fill meant for items
saved before the digest was kept (``letterbox.findings_backfill``). The demo's register, written in bulk, had
NULL on all its items: a freshly built large demo paid 4.7 s at its first open back-filling 100,000 items.
The empty-set digest on an item with no findings raises no false alarm (verify, the item window, the second
check, the outcome), and screening and marking replace it. Real SQLCipher files."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from adoption_desktop import demo
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.letterbox import findings_digest, rules, service
from adoption_desktop.letterbox.models import Finding, Item
from adoption_desktop.letterbox.service import item_log
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input

D = dt.date
NAMES_ADDRESS = "Dear all, we moved to 12 Acacia Avenue, Leeds LS1 4AB. Call 07700 900123."
BENCH = Path(__file__).resolve().parents[2] / "bench"
SAID = "its screening findings are not those saved with it (added, changed or deleted outside the application)"


def _backfill_entries(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(AuditEntry)
                               .where(AuditEntry.action == findings_digest.BACKFILL)) or 0)


def _without_digest(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Item).where(Item.findings_digest.is_(None))) or 0)


def _held_to(db: Database, item_id: int) -> str | None:
    """What the outcome's check holds the item's findings to (``item_log._vouched_digest``)."""
    with db.session(write=False) as session:
        item = session.get(Item, item_id)
        assert item is not None
        return item_log._vouched_digest(session, item)


def _digest(db: Database, item_id: int) -> str | None:
    with db.engine.connect() as conn:
        return conn.scalar(select(Item.findings_digest).where(Item.id == item_id))


def _demo_item(db: Database, status: str) -> int:
    with db.engine.connect() as conn:
        found = conn.scalar(select(Item.id).where(Item.status == status).order_by(Item.id).limit(1))
    assert found is not None, status
    return int(found)


def test_a_freshly_built_demo_has_every_digest_and_opens_without_a_backfill(
        small_demo_copy: Callable[..., Path], tmp_path: Path, store: SecretStore) -> None:
    db = open_database(small_demo_copy(tmp_path / "demo.db"), store)
    try:
        assert _without_digest(db) == 0
        assert _backfill_entries(db) == 0  # the first open wrote no back-fill
        with db.engine.connect() as conn:
            assert findings_digest.backfill_entry(conn) is None
            assert findings_digest.mismatched_items(conn) == []
        report = verify_database(db)
        assert report.ok, report.problems

        coordinator = authenticate(db, "letterbox", demo.DEMO_PASSWORD)
        checker = make_user(db, "lbcheck", Role.LETTERBOX_COORDINATOR)
        # a demo item with no findings: its outcome's check holds it to the digest of no findings, its own
        # (the whole digest, not a back-filled one), and nothing about it is taken for a change
        screened = _demo_item(db, "screened")
        assert _held_to(db, screened) == findings_digest.NO_FINDINGS
        service.confirm_second_check(db, checker, screened)
        service.record_outcome(db, coordinator, screened, "forwarded", dt.date.today(), method="collected")
        forwarded = _demo_item(db, "forwarded")
        assert _held_to(db, forwarded) == findings_digest.NO_FINDINGS
        assert service.get_item(db, coordinator, forwarded).seal_problem == ""
        assert service.get_item(db, coordinator, screened).seal_problem == ""

        # screening and marking replace the digest of no findings
        received = _demo_item(db, "received")  # the text is given: a demo of another day may store none
        found = service.screen_item(db, coordinator, received, NAMES_ADDRESS).findings
        assert found
        after_screening = _digest(db, received)
        assert after_screening not in (None, findings_digest.NO_FINDINGS)
        for f in found:
            service.decide_finding(db, coordinator, f.id, "acceptable")
        with db.engine.connect() as conn:
            assert _digest(db, received) == findings_digest.current_digest(conn, received) != after_screening
        service.confirm_second_check(db, checker, received)
        service.record_outcome(db, coordinator, received, "forwarded", dt.date.today(), method="collected")
        assert service.get_item(db, coordinator, received).seal_problem == ""
        report = verify_database(db)
        assert report.ok, report.problems
        assert _backfill_entries(db) == 0

        # the digest of no findings is held to: a finding put on a forwarded demo item in SQL is named
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO letterbox_findings (item_id, start, \"end\", kind, text, decision) "
                              "VALUES (:i, 0, 4, 'postcode', 'ZZ99', 'acceptable')"), {"i": forwarded})
        assert f"record: letterbox item {forwarded}: {SAID}" in verify_database(db).problems
    finally:
        db.dispose()


def test_items_logged_through_the_program_have_a_digest_and_the_file_opens_without_a_backfill(
        db: Database, db_path: Path, store: SecretStore) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    checker = make_user(db, "lbcheck", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))

    def log(day: int) -> int:
        return service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, day),
                                writer="Sam Thornley", log_again=True)

    logged, clean, named = log(2), log(4), log(6)
    assert _digest(db, logged) == findings_digest.NO_FINDINGS
    assert _held_to(db, logged) == findings_digest.NO_FINDINGS
    assert service.screen_item(db, coordinator, clean, "Dear all, we are well. Love, Sam").findings == ()
    assert _digest(db, clean) == findings_digest.NO_FINDINGS
    assert service.screen_item(db, coordinator, named, NAMES_ADDRESS).findings
    assert _digest(db, named) not in (None, findings_digest.NO_FINDINGS)
    service.confirm_second_check(db, checker, clean)
    service.record_outcome(db, coordinator, clean, "forwarded", D(2026, 3, 5), method="collected")

    open_database(db_path, store).dispose()  # another program opening the file: nothing to back-fill
    assert _without_digest(db) == 0
    assert _backfill_entries(db) == 0
    report = verify_database(db)
    assert report.ok, report.problems
    assert service.get_item(db, coordinator, clean).seal_problem == ""
    with db.engine.connect() as conn:
        assert int(conn.scalar(select(func.count()).select_from(Finding).where(Finding.item_id == clean)) or 0) == 0


def test_the_benchmarks_scale_copies_carry_the_digest_of_no_findings(
        db: Database, db_path: Path, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """``bench/make_huge.py`` multiplies the items without their findings: each copy has the digest of none (a
    screened item's own digest copied with it would be named by verify; NULL would ask for the back-fill)."""
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input(coordinator="lbcoord"))
    screened = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 2),
                                writer="Sam Thornley")
    assert service.screen_item(db, coordinator, screened, NAMES_ADDRESS).findings
    with db.engine.connect() as conn:
        base = int(conn.scalar(select(func.max(Item.id))) or 0)
    monkeypatch.syspath_prepend(str(BENCH))
    make_huge = importlib.import_module("make_huge")
    assert make_huge.multiply(db_path, base * 2, 0) == {"letterbox_items": base}
    copy = screened + base
    assert _digest(db, copy) == findings_digest.NO_FINDINGS
    assert _digest(db, screened) != findings_digest.NO_FINDINGS
    assert _without_digest(db) == 0
    with db.engine.connect() as conn:
        assert copy not in findings_digest.mismatched_items(conn)
