"""IT's ``team-setup`` on a team server (PostgreSQL, throwaway server), as a team-mode trial met it: it ran the
migrations of an older schema without the exclusive hold ``upgrade`` takes, so while another PC worked."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from adoption_desktop.cli import main
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage import migrations
from adoption_desktop.core.storage.engine import open_postgresql
from adoption_desktop.core.storage.hold import ENV_BUSY_WAIT
from adoption_desktop.core.storage.lifecycle import open_database
from tests.pg import PostgresServer


def _older_server_database(pg: PostgresServer) -> str:
    """A database at the first schema, as an older version left it (its tables the superuser's)."""
    url = pg.empty_database_url("older_")
    db = open_postgresql(url)
    try:
        with db.engine.connect() as conn:
            command.upgrade(migrations.alembic_config(conn), migrations.FIRST_REVISION)
            conn.commit()
    finally:
        db.dispose()
    return url


def _value(url: str, query: str) -> object:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(query)).scalar()
    finally:
        engine.dispose()


def _run(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _roles(url: str) -> tuple[str, str]:
    suffix = url.rsplit("_", 1)[-1]
    return f"own_{suffix}", f"app_{suffix}"


def _team_setup(url: str, *extra: str) -> list[str]:
    owner, app = _roles(url)
    return ["team-setup", "--db", url, "--owner-role", owner, "--app-role", app, *extra]


def test_team_setup_does_not_upgrade_an_older_schema_while_another_pc_has_it_open(
        pg: PostgresServer, store: SecretStore, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    url = _older_server_database(pg)
    monkeypatch.setenv(ENV_BUSY_WAIT, "0.5")
    version = "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version"
    before = _value(url, version)
    owner, app = _roles(url)
    other_pc = open_database(url, store, upgrade=False)  # another PC, still on the older version, working
    try:
        assert main(_team_setup(url)) == 2
        said = capsys.readouterr().err
        assert "must be upgraded first, but others are connected" in said
        assert "1 other connection" in said and "Nothing was changed" in said
        assert _value(url, version) == before  # not migrated under the other PC
        assert _value(url, f"SELECT count(*) FROM pg_roles WHERE rolname IN ('{owner}', '{app}')") == 0
        assert other_pc.hold is not None  # still in, undisturbed
    finally:
        other_pc.dispose()
    # nobody else in: the upgrade happens, and the team is set up
    assert main(_team_setup(url)) == 0
    assert "Team mode set up" in capsys.readouterr().out
    db = open_postgresql(url)
    try:
        assert migrations.schema_current(db)
    finally:
        db.dispose()
    assert _value(url, "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_log'") == owner


def test_team_setup_run_again_on_a_current_schema_still_goes_ahead_while_people_work(
        pg: PostgresServer, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hold is for the upgrade only: run again after an upgrade (as the guide says) with people in, the
    grants and triggers are done as before."""
    url = pg.empty_database_url("again_")
    assert main(_team_setup(url)) == 0
    monkeypatch.setenv(ENV_BUSY_WAIT, "0.5")
    working = open_database(url, store)
    try:
        assert main(_team_setup(url)) == 0
    finally:
        working.dispose()
