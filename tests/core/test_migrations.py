import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text

from adoption_desktop.core.security import keys
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import Database, open_sqlcipher
from adoption_desktop.core.storage.lifecycle import open_database, unlock_key
from adoption_desktop.schema import load_all_models


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_revision_follows(revision: str, before: str) -> None:
    """A migration followed the head of its day (``before``), every head now descends from it (later
    migrations come after it on the one line), and its name fits ``alembic_version`` (32 characters on
    PostgreSQL). Asked by each migration's own test module."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert script.get_revision(revision).down_revision == before and len(revision) <= 32
    for head in migrations.script_heads():
        assert revision in {r.revision for r in script.iterate_revisions(head, "base")}


def _blank_sqlcipher(tmp_path: Path, store: SecretStore, name: str = "blank.db") -> tuple[Path, bytes]:
    created = keys.create_key(store, None)
    path = tmp_path / name
    created.envelope.save(keys.key_file_for(path))
    open_sqlcipher(path, created.key, must_exist=False).dispose()
    return path, created.key


@contextlib.contextmanager
def older_file(tmp_path: Path, store: SecretStore, revision: str) -> Iterator[tuple[Path, Connection]]:
    """``with older_file(tmp_path, store, BEFORE) as (path, conn):`` a new SQLCipher file ("old.db") at
    ``revision``, as the version of its day left it: its path, and a connection to put that day's rows in (the
    caller commits them); checkpointed and closed after, for the upgrade to open."""
    path, key = _blank_sqlcipher(tmp_path, store, "old.db")
    db = open_sqlcipher(path, key)
    try:
        with db.engine.connect() as conn:
            command.upgrade(migrations.alembic_config(conn), revision)
            conn.commit()
            yield path, conn
        db.checkpoint()
    finally:
        db.dispose()


def _schema_diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, load_all_models())
    # server defaults render differently per dialect; types and columns must match
    return [d for d in diffs if not (isinstance(d, tuple) and d and d[0] == "modify_default")]


def test_new_database_is_at_every_head(db: Database) -> None:
    with db.engine.connect() as conn:
        assert migrations.current_heads(conn) == migrations.script_heads()
    assert not migrations.needs_upgrade(db)


def test_migrations_build_the_same_schema_as_the_models(tmp_path: Path, store: SecretStore) -> None:
    path, key = _blank_sqlcipher(tmp_path, store)
    db = open_sqlcipher(path, key)
    try:
        with db.engine.connect() as conn:
            command.upgrade(migrations.alembic_config(conn), "heads")
            conn.commit()
        assert _schema_diff(db) == []
    finally:
        db.dispose()


def test_migrations_on_postgresql(postgres_server: object) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    from adoption_desktop.core.storage.engine import open_postgresql

    db = open_postgresql(postgres_server.empty_database_url("m_"))  # type: ignore[attr-defined]
    try:
        with db.engine.connect() as conn:
            command.upgrade(migrations.alembic_config(conn, per_step=False), "heads")
            conn.commit()
        assert _schema_diff(db) == []
        assert not migrations.needs_upgrade(db)
    finally:
        db.dispose()


def test_old_database_is_copied_then_upgraded(tmp_path: Path, store: SecretStore) -> None:
    heads = migrations.script_heads()
    if heads == {"0001_foundation"}:
        pytest.skip("no feature migrations yet")
    path, key = _blank_sqlcipher(tmp_path, store, "old.db")
    db = open_sqlcipher(path, key)
    with db.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn), "0001_foundation")
        conn.commit()
        conn.execute(text("INSERT INTO settings (key, value) VALUES ('agency.name', '\"Old Agency\"')"))
        conn.commit()
    db.checkpoint()
    db.dispose()
    original = _sha(path)
    upgraded = open_database(path, store)
    try:
        with upgraded.engine.connect() as conn:
            assert migrations.current_heads(conn) == heads
            assert conn.execute(text("SELECT value FROM settings")).scalar_one() == '"Old Agency"'
    finally:
        upgraded.dispose()
    backups = list(tmp_path.glob("old.db.pre-upgrade-*.bak"))
    assert len(backups) == 1
    assert _sha(backups[0]) == original
    assert not backups[0].read_bytes().startswith(b"SQLite format 3")
    # the backup still opens with the same key, at the old revision
    old = open_sqlcipher(backups[0], unlock_key(path, store))
    with old.engine.connect() as conn:
        assert migrations.current_heads(conn) == {"0001_foundation"}
    old.dispose()


def test_failed_upgrade_leaves_the_original_untouched(tmp_path: Path, store: SecretStore,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path, key = _blank_sqlcipher(tmp_path, store, "fail.db")
    db = open_sqlcipher(path, key)
    with db.engine.connect() as conn:
        command.upgrade(migrations.alembic_config(conn), "0001_foundation")
        conn.commit()
    db.checkpoint()
    db.dispose()
    before = _sha(path)

    def broken(conn: object, per_step: bool) -> None:
        conn.exec_driver_sql("CREATE TABLE half_done (id INTEGER)")  # type: ignore[attr-defined]
        conn.commit()  # type: ignore[attr-defined]
        raise RuntimeError("step 2 failed")

    monkeypatch.setattr(migrations, "_upgrade_connection", broken)
    monkeypatch.setattr(migrations, "script_heads", lambda: {"0001_foundation", "future_0001"})
    with pytest.raises(migrations.MigrationError, match="original is untouched"):
        migrations.upgrade_sqlcipher(path, key)
    assert _sha(path) == before
    assert not (tmp_path / "fail.db.upgrading").exists()
    check = open_sqlcipher(path, key)
    with check.engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").scalar() == 0
    check.dispose()


def test_team_mode_opens_an_empty_postgresql_database(postgres_server: object, store: SecretStore) -> None:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    from adoption_desktop.core.security import service as users

    url = postgres_server.empty_database_url("team_")  # type: ignore[attr-defined]
    db = open_database(url, store)
    try:
        assert not migrations.needs_upgrade(db)
        users.create_first_administrator(db, "teamadmin", "Team Admin", "long-enough-pw")
        assert users.authenticate(db, "teamadmin", "long-enough-pw").username == "teamadmin"
    finally:
        db.dispose()
    again = open_database(url, store)  # a second PC opens the same server
    again.dispose()
