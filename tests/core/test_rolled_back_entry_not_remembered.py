"""An audit entry appended and then rolled back inside one ``Database.session`` block (``s.rollback()``, as a
check-only run does) is not remembered as written (review of the sixth release): the next open was put on
audit hold ("entry N … is missing: the log was cut short") for an entry that never existed."""
from __future__ import annotations

from pathlib import Path

from adoption_desktop.core import audit
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, verify_database


def test_an_entry_rolled_back_is_not_remembered(db: Database, db_path: Path, store: SecretStore) -> None:
    db.dispose()
    opened = open_database(db_path, store)
    try:
        before = opened.last_written
        with opened.session() as s:
            audit.record(s, "test_rolled_back", "nothing", 1)
            s.rollback()
        assert opened.last_written == before
        with opened.session() as s:
            audit.record(s, "test_kept", "nothing", 2)
        assert opened.last_written is not None and opened.last_written != before
    finally:
        opened.dispose()
    again = open_database(db_path, store)
    try:
        assert again.audit_hold is None
        assert verify_database(again).problems == []
    finally:
        again.dispose()
