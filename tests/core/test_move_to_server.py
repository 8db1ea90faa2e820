"""``move-to-server``: a database file's records and audit history moved onto an empty team server, with
the evidence intact (verify passes there; a tampered file, a used server are refused, nothing written)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from adoption_desktop import demo
from adoption_desktop.cli import main
from adoption_desktop.core.audit.seals import MOVED_FROM_FILE, MOVED_TO_SERVER
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database, MovedToServerError
from adoption_desktop.core.storage.lifecycle import open_database, unlock_key, verify_database
from adoption_desktop.core.storage.move_to_server import (
    MoveInterrupted,
    MoveRefused,
    MoveResult,
    move_to_server,
)
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
         password: str = demo.DEMO_PASSWORD) -> MoveResult:
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
    assert result.audit_entries == after_file["audit_log"] - 1 > before["audit_log"]
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
    # a second run finds the file moved already, and says so in one line, writing nothing
    entries = server.count("SELECT count(*) FROM audit_log")
    assert main(["move-to-server", "--db", str(demo_file), "--to", server.owner_url, "--user", "admin"]) == 2
    assert "demo.db was moved to the team server" in capsys.readouterr().err
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
    with pytest.raises(MoveInterrupted, match="nothing was written on the server") as stop:
        move(demo_file, store, server.owner_url)
    assert stop.value.on_server is False
    assert server.blank()
    assert verified(demo_file, store) == []


# --- after the move the file is read-only evidence --------------------------------------------------------

def audit_count(path: Path, store: SecretStore, action: str | None = None) -> int:
    db = open_database(path, store)
    try:
        with db.engine.connect() as conn:
            where = " WHERE action = :a" if action else ""
            return int(conn.execute(text(f"SELECT count(*) FROM audit_log{where}"), {"a": action}).scalar_one())
    finally:
        db.dispose()


def not_sign_ins(path: Path, store: SecretStore) -> int:
    """The file's audit entries other than a sign-in's (its entry, and its account row's re-seal)."""
    db = open_database(path, store)
    try:
        with db.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM audit_log WHERE action <> 'sign_in' "
                                         "AND coalesce(detail, '') <> 'sign-in bookkeeping'")).scalar_one())
    finally:
        db.dispose()


def test_a_moved_file_refuses_every_save_and_still_verifies_and_backs_up(
        demo_file: Path, server: Server, store: SecretStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    move(demo_file, store, server.owner_url)
    db = open_database(demo_file, store)
    try:
        assert db.moved_to_server is not None
        assert db.moved_to_server.startswith("This database was moved to the team server on ")
        assert " by admin; it is kept read-only as the record of the work before the move. Point this PC at the " \
               "server (IT guide §10)." in db.moved_to_server
        boss = users.authenticate(db, "admin", demo.DEMO_PASSWORD)  # it can be opened to look a record up
        with db.engine.connect() as conn:
            entries = int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())
        with pytest.raises(MovedToServerError, match=r"^Nothing was saved\. This database was moved to the team "
                                                     r"server on .* by admin; it is kept read-only"):
            users.create_user(db, boss, "newcomer", "New Comer", "a-long-enough-password-1", [Role.COUNSELLOR])
        with db.engine.connect() as conn:
            assert int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()) == entries
            assert conn.execute(text("SELECT 1 FROM users WHERE username = 'newcomer'")).first() is None
    finally:
        db.dispose()
    capsys.readouterr()
    # a headless command that writes (reminders record their sent-list) is refused the same way, no file left
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", demo.DEMO_PASSWORD)
    out = tmp_path / "letters" / "reminders.pdf"
    out.parent.mkdir()
    before = not_sign_ins(demo_file, store)
    assert main(["export", "reminders", "--db", str(demo_file), "--user", "letterbox",
                 "--month", f"{dt.date.today():%Y-%m}", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "This database was moved to the team server on " in err and "Point this PC at the server" in err
    assert list(out.parent.iterdir()) == []
    assert not_sign_ins(demo_file, store) == before  # its sign-in is recorded, nothing else
    # verify and backup still work on it (a backup writes nothing into the file's log)
    assert main(["verify", "--db", str(demo_file)]) == 0
    backup = tmp_path / "moved.adkbak"
    assert main(["backup", "--db", str(demo_file), "--out", str(backup)]) == 0
    assert backup.is_file()
    db = open_database(demo_file, store)
    try:
        boss = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        from adoption_desktop.core.storage.lifecycle import backup_database

        backup_database(db, tmp_path / "from-the-window.adkbak", boss)  # as File → Back up does
    finally:
        db.dispose()
    assert (tmp_path / "from-the-window.adkbak").is_file()
    assert not_sign_ins(demo_file, store) == before
    assert verified(demo_file, store) == []


def test_the_window_says_the_file_was_moved(demo_file: Path, server: Server, store: SecretStore,
                                            qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from adoption_desktop.app import moved_notice
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow
    from adoption_desktop.ui.tasks import TaskRunner

    move(demo_file, store, server.owner_url)
    db = open_database(demo_file, store)
    try:
        boss = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        shown: list[str] = []
        monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, words, *_a: shown.append(words))
        window = MainWindow(AppContext(db, boss, TaskRunner(synchronous=True)), idle_minutes=10)
        qtbot.addWidget(window)
        window.show()
        moved_notice(window, db)
        assert shown == [db.moved_to_server]
        assert window.moved_banner.isVisible()
        assert window.moved_banner.text() == db.moved_to_server
        assert "moved to the team server on" in window.moved_banner.text()
        assert "read-only" in window.db_label.text()
        window.close()
    finally:
        db.dispose()


def test_an_unmoved_file_shows_no_banner_and_saves(db: Database, admin: Any, qtbot: Any) -> None:
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow
    from adoption_desktop.ui.tasks import TaskRunner

    assert db.moved_to_server is None
    window = MainWindow(AppContext(db, admin, TaskRunner(synchronous=True)), idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    assert not window.moved_banner.isVisible()
    users.create_user(db, admin, "newcomer", "New Comer", "a-long-enough-password-1", [Role.COUNSELLOR])
    window.close()


def test_a_second_move_of_the_file_is_refused_naming_where_and_when(
        demo_file: Path, server: Server, postgres_server: PostgresServer, store: SecretStore) -> None:
    move(demo_file, store, server.owner_url)
    url = postgres_server.empty_database_url("again_")
    suffix = url.rsplit("_", 1)[-1]
    other = team_setup(url, owner_role=f"own_{suffix}", app_role=f"app_{suffix}")
    where = server.owner_url.rsplit("@", 1)[-1].split("?")[0]
    with pytest.raises(MoveRefused, match=rf"demo\.db was moved to the team server \({where}\) on \d+ \w+ \d{{4}} "
                                          r"by admin .*a file is moved only once.*Nothing was written on the server"):
        move(demo_file, store, other.owner_url)
    assert Server(url, other.owner_url, other.app_url).blank()


# --- Ctrl+C: the message says what was done by then -------------------------------------------------------

def test_stopped_while_committing_says_it_is_not_known_and_running_again_moves_it(
        demo_file: Path, server: Server, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.engine.base import RootTransaction

    real = RootTransaction.commit

    def commit(self: RootTransaction) -> None:  # Ctrl+C as the server's COMMIT is sent (before it reaches it)
        if self.connection.dialect.name == "postgresql" and self.connection.in_transaction():
            names = {t for (t,) in self.connection.exec_driver_sql(
                "SELECT action FROM audit_log WHERE action = 'moved_from_file'")}
            if names:
                raise KeyboardInterrupt
        real(self)

    monkeypatch.setattr(RootTransaction, "commit", commit)
    with pytest.raises(MoveInterrupted, match="whether the records reached the server is not known") as stop:
        move(demo_file, store, server.owner_url)
    assert stop.value.on_server is None
    monkeypatch.setattr(RootTransaction, "commit", real)
    assert server.blank()
    result = move(demo_file, store, server.owner_url)  # finds out: nothing there, so it moves the file
    assert not result.finished_earlier_run and result.recorded_in_file
    assert verified(server.app_url, store) == []


@pytest.mark.parametrize("where", ["the witness", "the file's entry"])
def test_stopped_after_the_commit_says_the_records_are_on_the_server_and_running_again_finishes(
        demo_file: Path, server: Server, store: SecretStore, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    from adoption_desktop.core.audit import anchors
    from adoption_desktop.core.storage import move_to_server as mover

    def stop(*_args: object) -> bool:
        raise KeyboardInterrupt

    if where == "the witness":
        real = anchors.on_open
        monkeypatch.setattr(anchors, "on_open", lambda d: real(d) if d.is_sqlite else stop())
    else:
        monkeypatch.setattr(mover, "_record_in_file", stop)
    with pytest.raises(MoveInterrupted) as stopped:
        move(demo_file, store, server.owner_url)
    said = str(stopped.value)
    assert stopped.value.on_server is True
    assert "ARE on the server" in said and "nothing was written" not in said.lower()
    assert "Run the same command again" in said
    monkeypatch.undo()
    # the records are there, and the file does not say so yet: it can still be saved into
    assert server.count(f"SELECT count(*) FROM audit_log WHERE action = '{MOVED_FROM_FILE}'") == 1
    assert audit_count(demo_file, store, MOVED_TO_SERVER) == 0
    db = open_database(demo_file, store)
    try:
        assert db.moved_to_server is None
        boss = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        users.create_user(db, boss, "latecomer", "Late Comer", "a-long-enough-password-1", [Role.COUNSELLOR])
    finally:
        db.dispose()
    entries = server.count("SELECT count(*) FROM audit_log")
    records = server.counts()
    # run again: it finds this file's move on the server, writes nothing more there, records it in the file
    result = move(demo_file, store, server.owner_url)
    assert result.finished_earlier_run and result.recorded_in_file
    assert result.saved_after >= 1  # the account made in the file after the copy is not on the server
    assert server.count("SELECT count(*) FROM audit_log") == entries and server.counts() == records
    assert audit_count(demo_file, store, MOVED_TO_SERVER) == 1
    db = open_database(demo_file, store)
    try:
        assert db.moved_to_server is not None
    finally:
        db.dispose()
    assert verified(demo_file, store) == []
    assert verified(server.app_url, store) == []
    with pytest.raises(MoveRefused, match="was moved to the team server"):
        move(demo_file, store, server.owner_url)


def test_stopped_once_recorded_in_the_file_says_the_move_is_complete(
        demo_file: Path, server: Server, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.core.storage import move_to_server as mover

    def stop(*_args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(mover, "_saved_after", stop)
    with pytest.raises(MoveInterrupted, match="The move was complete when it was stopped") as stopped:
        move(demo_file, store, server.owner_url)
    assert stopped.value.on_server is True
    assert audit_count(demo_file, store, MOVED_TO_SERVER) == 1


def test_the_command_says_the_records_are_on_the_server_when_stopped_after_the_commit(
        demo_file: Path, server: Server, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop.core.storage import move_to_server as mover

    def stop(*_args: object) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(mover, "_record_in_file", stop)
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", demo.DEMO_PASSWORD)
    assert main(["move-to-server", "--db", str(demo_file), "--to", server.owner_url, "--user", "admin"]) == 130
    err = capsys.readouterr().err
    assert "ARE on the server" in err and "rolled back" not in err
    monkeypatch.undo()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", demo.DEMO_PASSWORD)
    assert main(["move-to-server", "--db", str(demo_file), "--to", server.owner_url, "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "already held demo.db's move" in out and "Nothing more was written on the server" in out
    assert "read-only from now on" in out


# --- this PC's witness of a server whose database was made again under the same name ---------------------

def _made_again(postgres_server: PostgresServer, server: Server, how: str) -> Server:
    """IT starts over on the server: the database dropped and created again with the same name (dropdb,
    createdb), or emptied in place (its schema dropped and made again); then team-setup, as the IT guide says."""
    name = server.admin_url.rsplit("/", 1)[-1]
    postgres_server.terminate_connections(name)
    if how == "dropdb":
        engine = create_engine(f"{postgres_server.base_url}/postgres", isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}"'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
    else:
        engine = create_engine(server.admin_url)
        try:
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        finally:
            engine.dispose()
    suffix = name.rsplit("_", 1)[-1]
    made = team_setup(server.admin_url, owner_role=f"own_{suffix}", app_role=f"app_{suffix}")
    again = Server(server.admin_url, made.owner_url, made.app_url)
    assert again.blank()
    return again


def _witnesses(server_url: str, store: SecretStore) -> tuple[Path, list[Path]]:
    """This PC's witness of the server's database, and the earlier ones set aside."""
    from adoption_desktop.core.audit import anchors
    from adoption_desktop.core.storage.engine import open_postgresql

    probe = open_postgresql(server_url)  # not opened as the application opens it: nothing checked or written
    try:
        witness = anchors.user_anchor_file(probe)
    finally:
        probe.dispose()
    return witness, sorted(witness.parent.glob(witness.name + ".superseded-*"))


def test_a_move_onto_a_database_made_again_under_the_same_name_verifies_from_this_pc(
        small_demo_copy: Callable[..., Path], tmp_path: Path, server: Server, postgres_server: PostgresServer,
        store: SecretStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """User trial, 6 December 2026: IT moved a file, dropped and created the server's database again (same
    name), ran team-setup and moved another file. The move said "moved and verified there", but this PC's
    witness of the first database made every open from this PC a FAULT ("the log was cut short, or the
    server's database was restored from an older copy"; after a further move "the log was rewritten"), and
    nothing could be saved until an administrator acknowledged an alert blaming tampering."""
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", demo.DEMO_PASSWORD)
    first = small_demo_copy(tmp_path / "first.db")
    assert main(["move-to-server", "--db", str(first), "--to", server.owner_url, "--user", "admin"]) == 0
    assert main(["verify", "--db", server.app_url]) == 0  # this PC's witness of the first database
    witness, aside = _witnesses(server.app_url, store)
    assert witness.exists() and aside == []
    for n, how in enumerate(("dropdb", "emptied", "dropdb"), start=2):
        server = _made_again(postgres_server, server, how)
        again = small_demo_copy(tmp_path / f"copy{n}.db")
        capsys.readouterr()
        assert main(["move-to-server", "--db", str(again), "--to", server.owner_url, "--user", "admin"]) == 0
        said = capsys.readouterr()
        assert "verified there" in said.out and "witness" not in said.err, said.err
        assert main(["verify", "--db", server.app_url]) == 0, capsys.readouterr()
        out = capsys.readouterr().out
        assert "FAULT" not in out and out.startswith("OK"), out
        # the earlier witness is kept as evidence, not deleted
        witness, aside = _witnesses(server.app_url, store)
        assert witness.exists() and len(aside) == n - 1
    # and work can be saved there from this PC
    db = open_database(server.app_url, store)
    try:
        assert db.audit_hold is None
        boss = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        users.create_user(db, boss, "newcomer", "New Comer", "a-long-enough-password-1", [Role.COUNSELLOR])
    finally:
        db.dispose()
    assert verified(server.app_url, store) == []


def _cut_short(server: Server, keep: int) -> None:
    """A superuser with the triggers off removes the log's entries after ``keep`` and moves its head back."""
    engine = create_engine(server.admin_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text("DELETE FROM audit_log WHERE seq > :k"), {"k": keep})
            conn.execute(text("UPDATE audit_head SET last_seq = :k, last_hash = "
                              "(SELECT hash FROM audit_log WHERE seq = :k) WHERE id = 1"), {"k": keep})
    finally:
        engine.dispose()


def test_a_log_cut_short_on_a_server_the_move_did_not_fill_is_still_a_fault(
        small_demo_copy: Callable[..., Path], tmp_path: Path, server: Server, store: SecretStore,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The witness is set aside only when the move itself filled an empty server: a move refused by a server
    in use leaves it, and a log cut short (or emptied) on the server is still caught from this PC."""
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", demo.DEMO_PASSWORD)
    first = small_demo_copy(tmp_path / "first.db")
    assert main(["move-to-server", "--db", str(first), "--to", server.owner_url, "--user", "admin"]) == 0
    db = open_database(server.app_url, store)
    try:
        boss = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        users.create_user(db, boss, "newcomer", "New Comer", "a-long-enough-password-1", [Role.COUNSELLOR])
    finally:
        db.dispose()  # the witness moves on to the new head
    assert main(["verify", "--db", server.app_url]) == 0
    head = server.count("SELECT last_seq FROM audit_head")
    _cut_short(server, head - 2)
    capsys.readouterr()
    assert main(["verify", "--db", server.app_url]) == 1
    assert "FAULT" in capsys.readouterr().out
    # a move onto it is refused (the server is in use) and leaves this PC's witness where it was
    other = small_demo_copy(tmp_path / "other.db")
    assert main(["move-to-server", "--db", str(other), "--to", server.owner_url, "--user", "admin"]) == 2
    assert "not empty" in capsys.readouterr().err
    witness, aside = _witnesses(server.app_url, store)
    assert witness.exists() and aside == []
    assert main(["verify", "--db", server.app_url]) == 1
    assert "FAULT" in capsys.readouterr().out
    # emptied on the server, but not filled again by a move: the whole log gone is still a fault
    engine = create_engine(server.admin_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET session_replication_role = replica"))
            names = [n for n in inspect(conn).get_table_names() if n not in ("alembic_version", "audit_head")]
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " CASCADE"))
            conn.execute(text("UPDATE audit_head SET last_seq = 0, last_hash = '' WHERE id = 1"))
    finally:
        engine.dispose()
    assert main(["verify", "--db", server.app_url]) != 0
    assert "FAULT" in capsys.readouterr().out
    assert _witnesses(server.app_url, store)[1] == []


def test_a_witness_that_could_not_be_set_aside_is_said_not_hidden(
        small_demo_copy: Callable[..., Path], tmp_path: Path, server: Server, postgres_server: PostgresServer,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The move said "moved and verified there" while this PC's witness disagreed with the server's log (its
    check's finding was dropped): if the earlier witness cannot be moved aside, the command says so."""
    from adoption_desktop.core.audit import anchors

    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", demo.DEMO_PASSWORD)
    assert main(["move-to-server", "--db", str(small_demo_copy(tmp_path / "first.db")), "--to", server.owner_url,
                 "--user", "admin"]) == 0
    server = _made_again(postgres_server, server, "dropdb")

    def cannot(_server: Database) -> Path | None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(anchors, "forget_earlier_witness", cannot)
    capsys.readouterr()
    assert main(["move-to-server", "--db", str(small_demo_copy(tmp_path / "second.db")), "--to", server.owner_url,
                 "--user", "admin"]) == 0
    err = capsys.readouterr().err
    assert "Warning: this PC's own record of the server's audit log (its witness) does not agree" in err, err
    assert "acknowledged" in err


# --- a moved file is still for looking records up: each opening audited in it ----------------------------

def _first_id(db: Database, table: str) -> int:
    with db.engine.connect() as conn:
        found = conn.execute(text(f'SELECT min(id) FROM "{table}"')).scalar()
    assert found is not None, f"the small demo has no {table}"
    return int(found)


def _views(db: Database, actor: str) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        return [(str(e), str(i)) for e, i in conn.execute(text(
            "SELECT entity, entity_id FROM audit_log WHERE action = 'view' AND actor = :a ORDER BY seq"), {"a": actor})]


def test_records_are_opened_in_a_moved_file_and_each_opening_is_audited_there(
        demo_file: Path, server: Server, store: SecretStore) -> None:
    """Every opening of a record writes its view entry, under the user's name: the guard refused all of them
    ("Nothing was saved. This database was moved…"), so nothing could be looked up in a moved file although
    the IT guide says records can be. Views are allowed as sign-ins are (reading, not work); saves are not."""
    from adoption_desktop.adm.service import get_decision
    from adoption_desktop.core import drafts
    from adoption_desktop.counselling.service.cases import open_case
    from adoption_desktop.journey.adopters import get_household
    from adoption_desktop.letterbox.service import get_arrangement, get_item
    from adoption_desktop.panel.service import open_item, sitting_detail

    move(demo_file, store, server.owner_url)
    db = open_database(demo_file, store)
    try:
        assert db.moved_to_server is not None
        case_id, decision_id = _first_id(db, "counselling_cases"), _first_id(db, "adm_decisions")
        arrangement_id, item_id = _first_id(db, "letterbox_arrangements"), _first_id(db, "letterbox_items")
        sitting_id, agenda_item_id = _first_id(db, "panel_sittings"), _first_id(db, "panel_items")
        household_id = _first_id(db, "journey_adopters")
        today = dt.date.today()

        counsellor = users.authenticate(db, "counsellor", demo.DEMO_PASSWORD)
        assert open_case(db, counsellor, case_id).id == case_id
        adm = users.authenticate(db, "adm", demo.DEMO_PASSWORD)
        assert get_decision(db, adm, decision_id, today).row.id == decision_id
        coordinator = users.authenticate(db, "letterbox", demo.DEMO_PASSWORD)
        assert get_arrangement(db, coordinator, arrangement_id).id == arrangement_id
        assert get_item(db, coordinator, item_id).id == item_id
        panel = users.authenticate(db, "paneladmin", demo.DEMO_PASSWORD)
        assert sitting_detail(db, panel, sitting_id, opened=True).sitting.id == sitting_id
        open_item(db, panel, agenda_item_id)
        assert get_household(db, panel, household_id).id == household_id

        assert _views(db, "counsellor") == [("counselling_cases", str(case_id))]
        assert _views(db, "adm") == [("adm_decisions", str(decision_id))]
        assert _views(db, "letterbox") == [("letterbox_arrangements", str(arrangement_id)),
                                           ("letterbox_items", str(item_id))]
        assert _views(db, "paneladmin") == [("panel_sittings", str(sitting_id)), ("panel_items", str(agenda_item_id)),
                                            ("journey_adopters", str(household_id))]
        # a save is still refused, and leaves nothing behind
        with db.engine.connect() as conn:
            entries = int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())
        with pytest.raises(MovedToServerError, match=r"^Nothing was saved\. This database was moved"):
            drafts.save_draft(db, counsellor, f"case:{case_id}:notes", "typed after the move")
        with db.engine.connect() as conn:
            assert int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()) == entries
    finally:
        db.dispose()
    assert verified(demo_file, store) == []


def test_opening_records_after_the_copy_is_not_counted_as_work_saved_there(
        demo_file: Path, server: Server, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run stopped after the server's commit, the file used meanwhile: a record opened, a step refused, a
    backup are entries in its log but no change, and the run again said "N change(s) were saved … NOT on the
    server. Enter them again there" for them. Only a change of a record counts."""
    from adoption_desktop.core.storage import move_to_server as mover
    from adoption_desktop.core.storage.lifecycle import backup_database
    from adoption_desktop.counselling.service.cases import open_case

    def stop(*_args: object) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(mover, "_record_in_file", stop)
    with pytest.raises(MoveInterrupted):
        move(demo_file, store, server.owner_url)
    monkeypatch.undo()
    backup = demo_file.parent / "after-the-copy.adkbak"
    db = open_database(demo_file, store)
    try:
        counsellor = users.authenticate(db, "counsellor", demo.DEMO_PASSWORD)
        open_case(db, counsellor, _first_id(db, "counselling_cases"))
        with pytest.raises(PermissionDenied):
            users.create_user(db, counsellor, "someone", "Some One", "a-long-enough-password-1", [Role.COUNSELLOR])
        boss = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        backup_database(db, backup, boss)
        users.sign_out(db, counsellor)
    finally:
        db.dispose()
    assert audit_count(demo_file, store, "view") >= 1 and audit_count(demo_file, store, "refused") >= 1
    assert audit_count(demo_file, store, "export") >= 1
    # nothing was changed in the file: the run again says so
    assert move(demo_file, store, server.owner_url).saved_after == 0


def test_a_change_made_after_the_copy_is_still_counted_beside_records_opened(
        demo_file: Path, server: Server, store: SecretStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.core.storage import move_to_server as mover
    from adoption_desktop.counselling.service.cases import open_case

    def stop(*_args: object) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(mover, "_record_in_file", stop)
    with pytest.raises(MoveInterrupted):
        move(demo_file, store, server.owner_url)
    monkeypatch.undo()
    db = open_database(demo_file, store)
    try:
        counsellor = users.authenticate(db, "counsellor", demo.DEMO_PASSWORD)
        open_case(db, counsellor, _first_id(db, "counselling_cases"))
        boss = users.authenticate(db, "admin", demo.DEMO_PASSWORD)
        users.create_user(db, boss, "latecomer", "Late Comer", "a-long-enough-password-1", [Role.COUNSELLOR])
    finally:
        db.dispose()
    assert move(demo_file, store, server.owner_url).saved_after >= 1
