"""Migration ``lbsent_0001_item_recipient``: the sent-list's rows gain the item a letter was about and the
birth relative it went to (nullable, FKs to letterbox_items and letterbox_participants). Rows written before
keep their content with both empty; on an existing encrypted file through the application's
copy-then-upgrade, and taken away again by the downgrade."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Connection, inspect, text

from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.lifecycle import open_database
from tests.core.test_migrations import check_revision_follows, older_file

REVISION = "lbsent_0001_item_recipient"  # alembic_version holds 32 characters (PostgreSQL)
BEFORE = "panel_0002_item_absences"  # the head of its day


def test_revision_follows_the_last_head_and_fits_alembic_version() -> None:
    """It followed the head of its day (``BEFORE``) and every head now descends from it (later migrations,
    such as ``users_0001_password_change``, come after it on the one line)."""
    check_revision_follows(REVISION, BEFORE)


def _insert(conn: Connection, table: str, **given: object) -> None:
    """A row of ``table`` as the schema of the day has it: the given values, and a plain value for every
    other required column without a default (the test needs the row, not its content)."""
    values = dict(given)
    for _cid, name, kind, notnull, default, pk in conn.exec_driver_sql(f'PRAGMA table_info("{table}")'):
        if name in values or pk or not notnull or default is not None:
            continue
        kind = str(kind).upper()
        values[name] = (1 if name == "row_version" else 0) if ("INT" in kind or "BOOL" in kind) else \
            "2026-01-01 00:00:00" if "DATETIME" in kind else "2026-01-01" if "DATE" in kind else ""
    names = ", ".join(values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


def test_sent_rows_upgrade_with_no_item_and_no_recipient(tmp_path: Path, store: SecretStore) -> None:
    with older_file(tmp_path, store, BEFORE) as (path, conn):
        _insert(conn, "letterbox_arrangements", id=1, reference="LB-0001")
        _insert(conn, "letterbox_participants", id=1, arrangement_id=1, name="Gina Quillfield")
        _insert(conn, "letterbox_items", id=1, arrangement_id=1, direction="birth_to_adoptive")
        _insert(conn, "letterbox_letters_sent", id=1, arrangement_id=1, kind="reminder", side="birth",
                sent_on="2026-02-14", batch="reminder-20260214-abc123")
        conn.commit()
    opened = open_database(path, store)  # the application's upgrade: a copy first, then the steps
    try:
        with opened.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()  # the heads it leads to
            columns = {c["name"]: c for c in inspect(conn).get_columns("letterbox_letters_sent")}
            assert columns["item_id"]["nullable"] and columns["participant_id"]["nullable"]
            keys = {(tuple(fk["constrained_columns"]), fk["referred_table"])
                    for fk in inspect(conn).get_foreign_keys("letterbox_letters_sent")}
            assert {(("item_id",), "letterbox_items"), (("participant_id",), "letterbox_participants")} <= keys
            assert conn.execute(text("SELECT kind, batch, item_id, participant_id FROM letterbox_letters_sent")
                                ).all() == [("reminder", "reminder-20260214-abc123", None, None)]
            _insert(conn, "letterbox_letters_sent", id=2, arrangement_id=1, kind="returned", side="birth",
                    sent_on="2026-04-03", batch="returned-20260403-def456", item_id=1, participant_id=1)
            conn.commit()
            command.downgrade(migrations.alembic_config(conn), BEFORE)
            conn.commit()
            assert not {"item_id", "participant_id"} & {c["name"] for c in
                                                        inspect(conn).get_columns("letterbox_letters_sent")}
            assert conn.execute(text("SELECT id, kind FROM letterbox_letters_sent ORDER BY id")).all() == [
                (1, "reminder"), (2, "returned")]
    finally:
        opened.dispose()
