"""Migration ``users_0001_password_change``: accounts gain ``password_serial`` (0) and
``must_change_password`` (false), so every existing user signs in as before; on an existing encrypted
file through the application's copy-then-upgrade, and taken away again by the downgrade."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from adoption_desktop.core.audit.seals import seal_written
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.passwords import hash_password
from adoption_desktop.core.security.permissions import SYSTEM
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.lifecycle import open_database
from tests.conftest import TEST_PASSWORD
from tests.core.test_lbsent_migration import _insert
from tests.core.test_migrations import check_revision_follows, older_file

REVISION = "users_0001_password_change"  # alembic_version holds 32 characters (PostgreSQL)
BEFORE = "lbsent_0001_item_recipient"  # the head of its day


def test_revision_follows_the_last_head_and_fits_alembic_version() -> None:
    check_revision_follows(REVISION, BEFORE)


def test_existing_users_upgrade_signing_in_as_before(tmp_path: Path, store: SecretStore) -> None:
    with older_file(tmp_path, store, BEFORE) as (path, conn):
        _insert(conn, "users", id=1, username="oldhand", full_name="Old Hand",
                password_hash=hash_password(TEST_PASSWORD), disabled=False, failed_attempts=0)
        _insert(conn, "user_roles", user_id=1, role="counsellor")
        # sealed, as the application of that day sealed the accounts it wrote (the upgrade seals the columns
        # its steps add): rows inserted past it would now be refused at sign-in
        seal_written(conn, SYSTEM, "users", [(1,)], action="create")
        seal_written(conn, SYSTEM, "user_roles", [(1, "counsellor")], action="create")
        conn.commit()
    opened = open_database(path, store)  # the application's upgrade: a copy first, then the steps
    try:
        with opened.engine.connect() as conn:
            assert migrations.current_heads(conn) == migrations.script_heads()
            assert conn.execute(text("SELECT password_serial, must_change_password FROM users")).all() == [(0, 0)]
        principal = users.authenticate(opened, "OldHand", TEST_PASSWORD)  # no change asked for
        assert principal.password_serial == 0
        with opened.session(principal, write=False):
            pass
        with opened.engine.connect() as conn:
            # SQLite's batch mode rebuilds the users table, which user_roles refers to: references are off
            # for it, as for the application's upgrade (set between transactions, on the driver's connection)
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
            command.downgrade(migrations.alembic_config(conn), BEFORE)
            conn.commit()
            assert not {"password_serial", "must_change_password"} & {c["name"] for c in
                                                                     inspect(conn).get_columns("users")}
            assert conn.execute(text("SELECT username FROM users")).scalars().all() == ["oldhand"]
    finally:
        opened.dispose()
