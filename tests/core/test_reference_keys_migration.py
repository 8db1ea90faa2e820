"""Migration ``auditview_0001_reference_keys``: counselling cases, ADM decisions and panel items gain an
indexed ``reference_key``, filled for the rows already there exactly as the ORM keeps it for new ones (so
the audit log's case-reference filter finds old cases, and every row still matches its seal)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from adoption_desktop import demo
from adoption_desktop.core import audit_service
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.lifecycle import open_database
from adoption_desktop.core.text_input import reference_key
from tests.core.test_migrations import check_revision_follows

REVISION = "auditview_0001_reference_keys"
BEFORE = "users_0001_password_change"  # the head of its day
TABLES = {"counselling_cases": "reference", "adm_decisions": "subject_reference", "panel_items": "subject_reference"}


def test_revision_follows_the_last_head_and_fits_alembic_version() -> None:
    check_revision_follows(REVISION, BEFORE)


def test_rows_already_there_get_their_keys(small_demo_copy: Callable[..., Path], tmp_path: Path,
                                           store: SecretStore) -> None:
    path = small_demo_copy(tmp_path / "demo.db")
    db = open_database(path, store)
    with db.engine.connect() as conn:
        # SQLite's batch mode rebuilds a table to drop a column: references off, as for the application
        # (set between transactions, on the driver's connection)
        conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
        references = {table: {i: ref for i, ref in conn.execute(text(f"SELECT id, {column} FROM {table}"))}
                      for table, column in TABLES.items()}
        assert all(references.values())
        command.downgrade(migrations.alembic_config(conn), BEFORE)
        conn.commit()
        for table in TABLES:
            assert "reference_key" not in {c["name"] for c in inspect(conn).get_columns(table)}
    db.dispose()

    opened = open_database(path, store)  # the application's upgrade: a copy first, then the steps
    try:
        with opened.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            for table, refs in references.items():
                keys = {i: key for i, key in conn.execute(text(f"SELECT id, reference_key FROM {table}"))}
                assert keys == {i: reference_key(ref) for i, ref in refs.items()}, table
        admin = users.authenticate(opened, "admin", demo.DEMO_PASSWORD)
        report = audit_service.verify(opened, admin)  # every row still matches its seal
        # but the letterbox items' findings digests: going down past ``lbseal_0001_findings_digest`` drops the
        # column and coming back up brings it back empty, so items whose seal covers a digest are reported (the
        # way back IT is given is the pre-upgrade copy, never a downgrade: docs/it-guide.md §7)
        others = [p for p in report.problems if "letterbox_items" not in p]
        assert others == [], others
        case_id, case_ref = next(iter(references["counselling_cases"].items()))
        found = audit_service.records_for_reference(opened, admin, f" {case_ref.lower()} ")
        assert ("counselling_cases", str(case_id)) in found
    finally:
        opened.dispose()
