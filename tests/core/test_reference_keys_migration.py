"""Migration ``auditview_0001_reference_keys``: counselling cases, ADM decisions and panel items gain an
indexed ``reference_key``, filled for the rows already there exactly as the ORM keeps it for new ones (so
the audit log's case-reference filter finds old cases, and every row still matches its seal)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import inspect, text

from adoption_desktop.core import audit_service
from adoption_desktop.core.audit.seals import seal_written
from adoption_desktop.core.security.permissions import SYSTEM
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.core.text_input import reference_key
from tests.core.test_journey_match_decision_migration import _insert_any
from tests.core.test_migrations import check_revision_follows, older_file

REVISION = "auditview_0001_reference_keys"
BEFORE = "users_0001_password_change"  # the head of its day
TABLES = {"counselling_cases": "reference", "adm_decisions": "subject_reference", "panel_items": "subject_reference"}


def test_revision_follows_the_last_head_and_fits_alembic_version() -> None:
    check_revision_follows(REVISION, BEFORE)


def test_rows_already_there_get_their_keys(tmp_path: Path, store: SecretStore) -> None:
    """A file at the revision before, with its rows sealed as the version of its day wrote them (a signed
    decision and a closed case among them, their content sealed without a key), through the application's
    upgrade. (A demo taken down past this migration no longer serves: its decisions signed since carry the key
    in their sealed content, and the downgrade is refused: ``core.audit.column_drops``.)"""
    day = dt.date(2026, 3, 2)
    with older_file(tmp_path, store, BEFORE) as (path, conn):
        rows = {"counselling_cases": [dict(id=1, reference="BR-0777", referral_date=day, date_of_birth=day),
                                      dict(id=2, reference=" br\u00a00778 ", referral_date=day, date_of_birth=day,
                                           closed_on=day)],
                "adm_decisions": [dict(id=1, root_id=1, decision_type="match", subject_reference="CH-0777",
                                       received_on=day, version=1),
                                  dict(id=2, root_id=2, decision_type="match", subject_reference="ch 0778",
                                       received_on=day, version=1, signed_at=dt.datetime(2026, 3, 3, 10, 0))],
                "panel_sittings": [dict(id=1, sitting_date=day)],
                "panel_items": [dict(id=1, sitting_id=1, case_type="adopter_approval", subject_reference="AP-0777")]}
        for table, values in rows.items():
            for row in values:
                _insert_any(conn, table, **row)
                seal_written(conn, SYSTEM, table, [(row["id"],)], action="create")
        conn.commit()
        references = {table: {i: ref for i, ref in conn.execute(text(f"SELECT id, {column} FROM {table}"))}
                      for table, column in TABLES.items()}
        assert all(references.values())
        for table in TABLES:
            assert "reference_key" not in {c["name"] for c in inspect(conn).get_columns(table)}

    opened = open_database(path, store)  # the application's upgrade: a copy first, then the steps
    try:
        with opened.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            for table, refs in references.items():
                keys = {i: key for i, key in conn.execute(text(f"SELECT id, reference_key FROM {table}"))}
                assert keys == {i: reference_key(ref) for i, ref in refs.items()}, table
        # every row still matches its seal, the signed decision and the closed case their content seals
        # (the search index aside: these rows were written in SQL)
        problems = [p for p in verify_database(opened).problems if not p.startswith("search:")]
        assert problems == [], problems
        found = audit_service.records_for_reference(opened, SYSTEM, " br 0778 ")
        assert ("counselling_cases", "2") in found
    finally:
        opened.dispose()
