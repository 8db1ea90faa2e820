"""IT commands on a team database (PostgreSQL, throwaway server), as a team-mode trial read them: ``upgrade``
said "at the latest schema" whether it had changed anything or not; ``verify`` on an older schema spoke of
pages checked and a copy kept, which a server has not; ``backup`` made the backup folder before refusing."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_desktop.cli import main
from adoption_desktop.core.storage.engine import Database
from tests.pg import PostgresServer


def test_upgrade_on_a_server_says_whether_it_changed_anything(older_pg_url: str,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    url = older_pg_url
    assert main(["upgrade", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "Upgraded the PostgreSQL database to the latest schema" in out and "pg_dump" in out
    assert main(["upgrade", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "already at the latest schema; nothing changed" in out and "Upgraded" not in out


def test_verify_on_an_older_server_schema_speaks_of_a_server(older_pg_url: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = older_pg_url
    main(["verify", "--db", url])
    out = capsys.readouterr().out
    assert "schema is older" in out and "adoption-desktop upgrade --db URL" in out
    assert "every page checked" not in out and "with a copy kept" not in out


def test_backup_of_a_server_database_refuses_before_making_anything(pg_db: Database, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "new-folder" / "team.adkbak"
    assert main(["backup", "--db", str(pg_db.engine.url.render_as_string(hide_password=False)),
                 "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert "team database on a PostgreSQL server" in said and "pg_dump" in said
    assert not out.parent.exists()


def test_upgrade_on_an_empty_server_database_creates_the_schema(pg: PostgresServer,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The bundle's team-mode check runs `upgrade` on a new, empty database: it must create the schema (the
    probe for "changed anything" read a table that was not there yet)."""
    url = pg.empty_database_url("empty_")
    assert main(["upgrade", "--db", url]) == 0
    assert "was empty: created the latest schema" in capsys.readouterr().out
    assert main(["upgrade", "--db", url]) == 0
    assert "already at the latest schema; nothing changed" in capsys.readouterr().out
