"""A database from before row seals: the upgrade seals what is there once, in the chain; from then on
changes made outside the application are caught."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from adoption_desktop.core.security import keys
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import open_sqlcipher
from adoption_desktop.core.storage.lifecycle import open_database, verify_database

BEFORE_SEALS = ("0002_drafts", "adm_0001", "panel_0001", "letterbox_0001", "counselling_0001")


def test_an_old_database_is_sealed_by_the_upgrade_and_then_guarded(tmp_path: Path, store: SecretStore) -> None:
    created = keys.create_key(store, None)
    path = tmp_path / "old.db"
    created.envelope.save(keys.key_file_for(path))
    db = open_sqlcipher(path, created.key, must_exist=False)
    with db.engine.connect() as conn:
        for revision in BEFORE_SEALS:
            command.upgrade(migrations.alembic_config(conn), revision)
        conn.commit()
        conn.execute(text("INSERT INTO settings (key, value, created_at, updated_at) VALUES "
                          "('agency.name', '\"Old Agency\"', '2025-01-01 00:00:00', '2025-01-01 00:00:00')"))
        conn.execute(text("INSERT INTO closure_days (day, reason) VALUES ('2025-12-24', 'Christmas Eve')"))
        conn.commit()
    db.checkpoint()
    db.dispose(write_anchor=False)  # gives up the shared hold too: the upgrade needs the database to itself

    upgraded = open_database(path, store)
    try:
        report = verify_database(upgraded)
        assert report.ok, report.problems
        with upgraded.engine.connect() as conn:
            baseline = conn.execute(text("SELECT entity, detail FROM audit_log WHERE action = 'seal_baseline'")).all()
        assert ("settings", "existing rows sealed when row seals were introduced: 1 rows") in baseline
        assert any(entity == "closure_days" for entity, _ in baseline)
    finally:
        upgraded.dispose()

    raw = open_sqlcipher(path, created.key)
    with raw.engine.begin() as conn:
        conn.execute(text("UPDATE closure_days SET reason = 'Staff party'"))
    raw.dispose(write_anchor=False)
    again = open_database(path, store)
    try:
        problems = verify_database(again).problems
    finally:
        again.dispose()
    assert any("closure_days row 2025-12-24: reason changed outside the application" in p for p in problems), problems
