"""Migration ``lbwork_0005_pattern_changes``: the history of each letterbox agreement's exchange pattern (a
change to the months, who writes first or replies is effective from a date). Arrangements stored before it
have no row (their pattern applies from their start); on an existing encrypted file through the application's
copy-then-upgrade, then used by the service, and taken away again by the downgrade. PostgreSQL runs every
migration in ``tests/core/test_migrations.py``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.lifecycle import open_database
from tests.core.test_lbsent_migration import _insert
from tests.core.test_migrations import check_revision_follows, older_file

REVISION = "lbwork_0005_pattern_changes"  # alembic_version holds 32 characters (PostgreSQL)
BEFORE = "lbwork_0004_items_by_arrangement"  # the head of its day


def test_revision_follows_the_last_head_and_fits_alembic_version() -> None:
    check_revision_follows(REVISION, BEFORE)


def test_arrangements_upgrade_with_no_history_and_the_table_is_used(tmp_path: Path, store: SecretStore) -> None:
    with older_file(tmp_path, store, BEFORE) as (path, conn):
        assert "letterbox_pattern_changes" not in inspect(conn).get_table_names()
        _insert(conn, "letterbox_arrangements", id=1, reference="LB-0001", exchange_months="3",
                first_writer="adoptive", replies_expected=0)
        conn.commit()
    opened = open_database(path, store)  # the application's upgrade: a copy first, then the steps
    try:
        with opened.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            assert conn.execute(text("SELECT count(*) FROM letterbox_pattern_changes")).scalar() == 0
            uniques = {tuple(u["column_names"]) for u in inspect(conn).get_unique_constraints(
                "letterbox_pattern_changes")}
            assert ("arrangement_id", "effective_from") in uniques
            _insert(conn, "letterbox_pattern_changes", arrangement_id=1, effective_from="2026-06-15",
                    months_before="3", first_writer_before="adoptive", replies_expected_before=0, months="3,9",
                    recorded_by="lbcoord")
            conn.commit()
        from adoption_desktop.letterbox import rules
        from adoption_desktop.letterbox.service import pattern_changes_in

        with opened.session(write=False) as session:
            assert pattern_changes_in(session) == {1: [rules.PatternChange(
                dt.date(2026, 6, 15), rules.Pattern((3,), rules.ADOPTIVE, False))]}
        with opened.engine.connect() as conn:
            command.downgrade(migrations.alembic_config(conn), BEFORE)
            conn.commit()
            assert "letterbox_pattern_changes" not in inspect(conn).get_table_names()
            assert conn.execute(text("SELECT reference, exchange_months FROM letterbox_arrangements")).all() == [
                ("LB-0001", "3")]
    finally:
        opened.dispose()
