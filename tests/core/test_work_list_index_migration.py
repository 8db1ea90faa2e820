"""Migration ``lbwork_0003_items_month_status``: the work list's index on letterbox items gains the status, so
that the months in which an arrangement received a letter not returned for changes are read from the index
alone (a regression found by the benchmark: at 1,000,000 exchanges the work list's read went from 131 ms to
1,066 ms when returned letters stopped counting as received, because the months whose only letters were
returned were found through the table). On an encrypted file through the application's upgrade, the query
plan checked, and taken back by the downgrade; team mode's upgrade is the same step (IF [NOT] EXISTS)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import open_database
from tests.core.test_migrations import _blank_sqlcipher, check_revision_follows

REVISION = "lbwork_0003_items_month_status"  # alembic_version holds 32 characters (PostgreSQL)
BEFORE = "evidence_0001_final_content"  # the head of its day
OLD = "ix_letterbox_items_received_on_arrangement_direction"
NEW = "ix_letterbox_items_received_on_arrangement_direction_status"


def test_revision_follows_the_last_head_and_fits_alembic_version() -> None:
    check_revision_follows(REVISION, BEFORE)


def _indexes(db: Database) -> dict[str, list[str]]:
    with db.engine.connect() as conn:
        return {str(i["name"]): [str(c) for c in i["column_names"]] for i in inspect(conn).get_indexes("letterbox_items")}


def test_the_upgrade_puts_the_status_in_the_work_lists_index_and_the_read_uses_it_alone(
        tmp_path: Path, store: SecretStore) -> None:
    path, key = _blank_sqlcipher(tmp_path, store, "old.db")
    db = open_sqlcipher(path, key)
    with db.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn), BEFORE)
        conn.commit()
    assert OLD in _indexes(db) and NEW not in _indexes(db)
    db.dispose()
    opened = open_database(path, store)  # the application's upgrade: a copy first, then the steps
    try:
        indexes = _indexes(opened)
        assert indexes[NEW] == ["received_on", "arrangement_id", "direction", "status"] and OLD not in indexes
        with opened.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            # the work list's read of the months (service.expected_exchanges.work_rows_in), as SQLite plans it
            from sqlalchemy import extract, select

            from adoption_desktop.letterbox.models import Item

            months = select(Item.arrangement_id, Item.direction, extract("year", Item.received_on),
                            extract("month", Item.received_on)).where(
                Item.status != "returned", Item.received_on >= dt.date(2025, 1, 1)).distinct()
            sql = str(months.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert f"USING COVERING INDEX {NEW}" in plan, plan
            command.downgrade(migrations.alembic_config(conn), BEFORE)
            conn.commit()
        indexes = _indexes(opened)
        assert indexes[OLD] == ["received_on", "arrangement_id", "direction"] and NEW not in indexes
    finally:
        opened.dispose()


def test_items_are_indexed_by_arrangement_and_date_so_the_figures_read_the_index_alone(
        tmp_path: Path, store: SecretStore) -> None:
    """Migration ``lbwork_0004_items_by_arrangement``: the Reports page's "arrangements at a date" asks for each
    arrangement's last item received by then; SQLite took the arrangement index for the GROUP BY and read every
    item's date from the table (the benchmark's figures floor went from 0.18 s to 0.65 s)."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import func, select

    from adoption_desktop.letterbox.models import Item

    revision, before = "lbwork_0004_items_by_arrangement", REVISION
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert script.get_revision(revision).down_revision == before and len(revision) <= 32
    path, key = _blank_sqlcipher(tmp_path, store, "old.db")
    db = open_sqlcipher(path, key)
    with db.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn), before)
        conn.commit()
    assert _indexes(db)["ix_letterbox_items_arrangement_id"] == ["arrangement_id"]
    db.dispose()
    opened = open_database(path, store)
    try:
        indexes = _indexes(opened)
        assert indexes["ix_letterbox_items_arrangement_id_received_on"] == ["arrangement_id", "received_on"]
        assert "ix_letterbox_items_arrangement_id" not in indexes
        last = select(Item.arrangement_id, func.max(Item.received_on)).where(
            Item.received_on <= dt.date(2026, 3, 31)).group_by(Item.arrangement_id)  # letterbox.figures
        with opened.engine.connect() as conn:
            sql = str(last.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "COVERING INDEX" in plan, plan
            command.downgrade(migrations.alembic_config(conn), before)
            conn.commit()
        indexes = _indexes(opened)
        assert indexes["ix_letterbox_items_arrangement_id"] == ["arrangement_id"]
        assert "ix_letterbox_items_arrangement_id_received_on" not in indexes
    finally:
        opened.dispose()
