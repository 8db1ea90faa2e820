"""Migration ``panel_0002_item_absences``: the table of members not present for an agenda item, added after
the head of its day on an existing encrypted file with panel data (the application's copy-then-upgrade),
its unique (item, member) pair enforced, and taken away again by the downgrade."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.lifecycle import open_database
from tests.core.test_migrations import check_revision_follows, older_file

REVISION = "panel_0002_item_absences"  # alembic_version holds 32 characters (PostgreSQL)
BEFORE = "counselling_0002_order_not_known"


def test_revision_follows_the_last_head_and_fits_alembic_version() -> None:
    """It followed the head of its day (``BEFORE``) and every head now descends from it (later migrations,
    such as ``lbsent_0001_item_recipient``, come after it on the one line)."""
    check_revision_follows(REVISION, BEFORE)


def test_existing_panel_data_upgrades_and_the_pair_is_unique(tmp_path: Path, store: SecretStore) -> None:
    with older_file(tmp_path, store, BEFORE) as (path, conn):
        conn.execute(text("INSERT INTO panel_members (id, full_name, role_type, independent, joined_on, "
                          "leaving_kind, leaving_reason, row_version) VALUES (1, 'Nia Larkholt', 'member', 1, "
                          "'2024-01-01', '', '', 1)"))
        conn.execute(text("INSERT INTO panel_sittings (id, sitting_date, start_time, end_time, venue, virtual_link, "
                          "status, status_reason, series, row_version) VALUES (1, '2026-11-10', '10:00', '13:00', "
                          "'Room 2', '', 'scheduled', '', '', 1)"))
        conn.execute(text("INSERT INTO panel_items (id, sitting_id, position, case_type, subject_reference, "
                          "subject_initials, presenting_worker, time_slot, notes, row_version) VALUES "
                          "(1, 1, 1, 'approval', 'AD-2026-0301', 'AB', '', '', '', 1)"))
        conn.commit()
    opened = open_database(path, store)  # the application's upgrade: a copy first, then the steps
    try:
        with opened.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()  # the heads it leads to
            assert "panel_item_absences" in inspect(conn).get_table_names()
            conn.execute(text("INSERT INTO panel_item_absences (item_id, member_id, reason) "
                              "VALUES (1, 1, 'left_before')"))
            with pytest.raises(Exception, match=r"(?i)unique"):
                conn.execute(text("INSERT INTO panel_item_absences (item_id, member_id, reason) "
                                  "VALUES (1, 1, 'arrived_after')"))
            conn.rollback()
            command.downgrade(migrations.alembic_config(conn), BEFORE)
            conn.commit()
            assert "panel_item_absences" not in inspect(conn).get_table_names()
    finally:
        opened.dispose()
