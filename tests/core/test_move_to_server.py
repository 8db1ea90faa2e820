"""``move-to-server``: a database file's records and audit history moved onto an empty team server, with
the evidence intact (verify passes there; a tampered file, a used server are refused, nothing written)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from adoption_desktop import demo
from adoption_desktop.cli import main
from adoption_desktop.core.audit.seals import MOVED_FROM_FILE, MOVED_TO_SERVER
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, unlock_key, verify_database
from adoption_desktop.core.storage.move_to_server import MoveRefused, move_to_server
from adoption_desktop.core.storage.team_setup import team_setup
from tests.pg import PostgresServer


@dataclass
class Server:
    admin_url: str  # the superuser (stands for IT's own look at the server)
    owner_url: str  # the schema owner's login: what the move runs with
    app_url: str  # what every PC uses

    def count(self, query: str) -> int:
        engine = create_engine(self.admin_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text(query)).scalar_one())
        finally:
            engine.dispose()

    def counts(self) -> dict[str, int]:
        engine = create_engine(self.admin_url)
        try:
            with engine.connect() as conn:
                names = inspect(conn).get_table_names()
                return {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one())
                        for n in names if n != "alembic_version"}
        finally:
            engine.dispose()

    def blank(self) -> bool:
        """As team-setup left it: no rows but the audit head's, which names no entry."""
        return (sum(self.counts().values()) == 1
                and self.count("SELECT count(*) FROM audit_head WHERE last_seq = 0") == 1)


@pytest.fixture
def server(postgres_server: PostgresServer | None) -> Server:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    url = postgres_server.empty_database_url("move_")
    suffix = url.rsplit("_", 1)[-1]
    made = team_setup(url, owner_role=f"own_{suffix}", app_role=f"app_{suffix}")
    return Server(url, made.owner_url, made.app_url)


@pytest.fixture
def demo_file(small_demo_copy: Callable[..., Path], tmp_path: Path) -> Iterator[Path]:
    yield small_demo_copy(tmp_path / "demo.db")


def file_counts(path: Path, store: SecretStore) -> dict[str, int]:
    db = open_database(path, store)
    try:
        with db.engine.connect() as conn:
            names = [n for n in inspect(conn).get_table_names()
                     if n != "alembic_version" and not n.startswith(("sqlite_", "fts_"))]
            return {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()) for n in names}
    finally:
        db.dispose()


def move(path: Path, store: SecretStore, url: str, user: str = "admin",
         password: str = demo.DEMO_PASSWORD) -> object:
    return move_to_server(path, unlock_key(path, store), url, user, password)


def verified(target: str | Path, store: SecretStore) -> list[str]:
    db = open_database(target, store)
    try:
        report = verify_database(db)
        assert report.full
        return report.problems
    finally:
        db.dispose()


def test_the_small_demo_moves_with_its_evidence_intact(demo_file: Path, server: Server, store: SecretStore) -> None:
    before = file_counts(demo_file, store)
    result = move(demo_file, store, server.owner_url)
    after_file = file_counts(demo_file, store)
    served = server.counts()
    # every table's rows; the audit tables' too: the file's log gained the administrator's sign-in before the
    # copy, then each side one entry of the move (the server's "moved from", the file's "moved to")
    for name, n in after_file.items():
        assert served[name] == n, name
        if not name.startswith("audit_"):
            assert n == before[name], name
    assert result.audit_entries == after_file["audit_log"] - 1 > before["audit_log"]  # type: ignore[attr-defined]
    assert served["fts_letterbox_items"] > 0  # the search indexes came too
    # verify passes on the server, with the application's login as with the owner's
    assert verified(server.app_url, store) == []
    # the move's entry says from where, by whom and how much
    detail = server.count(f"SELECT count(*) FROM audit_log WHERE action = '{MOVED_FROM_FILE}' "
                          "AND actor = 'admin' AND detail LIKE 'moved from the database file demo.db by admin: %'")
    assert detail == 1
    # an administrator signs in on the server with the old password, and work can be saved there
    db = open_database(server.app_url, store)
    try:
        boss = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        users.create_user(db, boss, "newcomer", "New Comer", "a-long-enough-password-1", [Role.LETTERBOX_COORDINATOR])
        assert verify_database(db).problems == []
    finally:
        db.dispose()
    # the file is as it was, verifies, and records where it went
    assert verified(demo_file, store) == []
    db = open_database(demo_file, store)
    try:
        with db.engine.connect() as conn:
            said = conn.execute(text("SELECT detail FROM audit_log WHERE action = :a"), {"a": MOVED_TO_SERVER}).scalar()
    finally:
        db.dispose()
    assert said is not None and "not to be used for new work" in said


def test_a_server_that_is_not_empty_is_refused_and_left_as_it_was(demo_file: Path, server: Server,
                                                                  store: SecretStore) -> None:
    db: Database = open_database(server.app_url, store)
    try:
        users.create_first_administrator(db, "itadmin", "IT Admin", "a-long-enough-password")
    finally:
        db.dispose()
    before = server.counts()
    with pytest.raises(MoveRefused, match=r"not empty .*user accounts.*Nothing was written on the server"):
        move(demo_file, store, server.owner_url)
    assert server.counts() == before
    assert verified(demo_file, store) == []


def test_a_tampered_file_is_refused_and_nothing_is_written(demo_file: Path, server: Server,
                                                          store: SecretStore) -> None:
    db = open_database(demo_file, store)
    try:
        with db.engine.begin() as conn:  # raw SQL through the key, outside the application
            conn.execute(text("UPDATE letterbox_arrangements SET notes = 'changed in SQL' "
                              "WHERE id = (SELECT min(id) FROM letterbox_arrangements)"))
    finally:
        db.dispose()
    with pytest.raises(MoveRefused, match=r"did not verify, so it was not moved: .*letterbox_arrangements"):
        move(demo_file, store, server.owner_url)
    assert server.blank()


def test_only_an_administrator_of_the_file_may_move_it(demo_file: Path, server: Server, store: SecretStore) -> None:
    with pytest.raises(MoveRefused, match="not an administrator"):
        move(demo_file, store, server.owner_url, user="chair")
    assert server.blank()


def test_the_application_login_is_refused(demo_file: Path, server: Server, store: SecretStore) -> None:
    with pytest.raises(MoveRefused, match="schema owner's login"):
        move(demo_file, store, server.app_url)
    assert server.blank()


def test_the_command_moves_the_file_and_says_what_to_do_next(demo_file: Path, server: Server,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", demo.DEMO_PASSWORD)
    assert main(["move-to-server", "--db", str(demo_file), "--to", server.owner_url, "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "Moved demo.db to the server" in out and "verified there" in out
    assert "application role's address" in out and "Do not use it for new work" in out
    assert server.owner_url.split("@")[0].split(":")[-1] not in out  # the owner's password is never repeated
    assert main(["verify", "--db", server.app_url]) == 0
    assert main(["verify", "--db", str(demo_file)]) == 0
    # a second run finds the server used, and says so in one line, writing nothing
    entries = server.count("SELECT count(*) FROM audit_log")
    assert main(["move-to-server", "--db", str(demo_file), "--to", server.owner_url, "--user", "admin"]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert server.count("SELECT count(*) FROM audit_log") == entries


def test_the_command_refuses_a_file_as_the_server_and_a_server_as_the_file(
        demo_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["move-to-server", "--db", "postgresql+psycopg://x@h/d", "--to", str(demo_file),
                 "--user", "admin"]) == 2
    assert "--db is the database file" in capsys.readouterr().err
    assert main(["move-to-server", "--db", str(demo_file), "--to", str(demo_file), "--user", "admin"]) == 2
    assert "--to must be the team server" in capsys.readouterr().err


def test_a_change_made_on_the_server_to_a_moved_row_is_still_named(demo_file: Path, server: Server,
                                                                   store: SecretStore) -> None:
    move(demo_file, store, server.owner_url)
    engine = create_engine(server.admin_url)
    try:
        with engine.begin() as conn:  # a superuser with the triggers off, on a row sealed in the file
            conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text("UPDATE adm_decisions SET sitting_date = sitting_date + 1 "
                              "WHERE id = (SELECT min(id) FROM adm_decisions WHERE sitting_date IS NOT NULL)"))
    finally:
        engine.dispose()
    problems = verified(server.app_url, store)
    assert any("adm_decisions" in p and "sitting_date" in p for p in problems), problems


def test_a_move_stopped_part_way_leaves_nothing_on_the_server(demo_file: Path, server: Server, store: SecretStore,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.core.storage import move_to_server as mover

    def stopped(*_args: object) -> None:  # Ctrl+C once every table is copied, before the commit
        raise KeyboardInterrupt

    monkeypatch.setattr(mover, "_copy_search", stopped)
    with pytest.raises(KeyboardInterrupt):
        move(demo_file, store, server.owner_url)
    assert server.blank()
    assert verified(demo_file, store) == []
