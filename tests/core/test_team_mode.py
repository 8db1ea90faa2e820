"""Team mode where the login is not a master key (PostgreSQL, throwaway server): team-setup's roles, the
append-only audit tables, the PC's witness, and the tamper cases that apply to a server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, exc, text

from adoption_desktop.core import audit
from adoption_desktop.core.audit import anchors
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.settings_service import add_closure_day
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.core.storage.team_setup import team_setup
from tests.pg import PostgresServer


@dataclass
class Team:
    server: PostgresServer
    admin_url: str  # the superuser: stands for IT (or an attacker with the server's keys)
    app_url: str
    store: SecretStore

    def open(self) -> Database:
        return open_database(self.app_url, self.store)

    def as_app(self, *statements: str) -> None:
        """Raw SQL with the application's login (what any user's PC holds)."""
        engine = create_engine(self.app_url)
        try:
            with engine.begin() as conn:
                for s in statements:
                    conn.execute(text(s))
        finally:
            engine.dispose()

    def as_superuser(self, *statements: str) -> None:
        engine = create_engine(self.admin_url)
        try:
            with engine.begin() as conn:
                conn.execute(text("SET session_replication_role = replica"))  # triggers off
                for s in statements:
                    conn.execute(text(s))
        finally:
            engine.dispose()

    def value(self, query: str) -> object:
        engine = create_engine(self.admin_url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(query)).scalar()
        finally:
            engine.dispose()

    def verify(self) -> list[str]:
        db = self.open()
        try:
            return verify_database(db).problems
        finally:
            db.dispose()


@pytest.fixture
def team(postgres_server: PostgresServer | None, store: SecretStore) -> Iterator[Team]:
    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    url = postgres_server.empty_database_url("team_")
    suffix = url.rsplit("_", 1)[-1]
    result = team_setup(url, owner_role=f"own_{suffix}", app_role=f"app_{suffix}")
    assert result.app_password and result.owner_password
    t = Team(postgres_server, url, result.app_url, store)
    db = t.open()
    try:
        first = users.create_first_administrator(db, "itadmin", "IT Admin", "a-long-enough-password")
        boss = Principal(first.user_id, first.username, first.full_name, frozenset({Role.ADMINISTRATOR}))
        users.create_user(db, boss, "clerk", "Letterbox Clerk", "another-long-password", [Role.LETTERBOX_COORDINATOR])
        add_closure_day(db, boss, dt.date(2031, 5, 6), "Training day")
    finally:
        db.dispose()
    assert t.verify() == []
    yield t


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
    "DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)",
    "TRUNCATE audit_log",
    "UPDATE audit_seal SET digest = 'x' WHERE id = 1",
    "DELETE FROM audit_seal",
    "TRUNCATE audit_seal CASCADE",
    "UPDATE audit_head SET last_seq = last_seq - 1",
    "DELETE FROM audit_head",
    "ALTER TABLE audit_log DISABLE TRIGGER USER",
    "DROP TRIGGER adk_append_only ON audit_log",
    "GRANT UPDATE ON audit_log TO PUBLIC; UPDATE audit_log SET detail = 'x' WHERE seq = 2",
])
def test_the_application_role_can_only_append_to_the_audit_tables(team: Team, statement: str) -> None:
    before = team.value("SELECT count(*) FROM audit_log")
    with pytest.raises(exc.DBAPIError):
        team.as_app(*statement.split("; "))
    assert team.value("SELECT count(*) FROM audit_log") == before
    assert team.verify() == []


def test_even_the_owner_cannot_rewrite_the_log_without_disabling_triggers(team: Team) -> None:
    engine = create_engine(team.admin_url)
    try:
        with pytest.raises(exc.DBAPIError, match="append"), engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log WHERE seq = 1"))
    finally:
        engine.dispose()


def test_the_application_role_still_works_and_cannot_hide_a_change(team: Team) -> None:
    uid = team.value("SELECT id FROM users WHERE username = 'clerk'")
    team.as_app(f"INSERT INTO user_roles (user_id, role) VALUES ({uid}, 'administrator')")
    team.as_app(f"UPDATE users SET password_hash = password_hash || 'x' WHERE id = {uid}")
    team.as_app("DELETE FROM closure_days")
    problems = "\n".join(team.verify())
    assert f"user_roles row {uid}/administrator: inserted outside the application" in problems
    assert f"users row {uid}: password_hash changed outside the application" in problems
    assert "closure_days row 2031-05-06: deleted outside the application" in problems


def test_the_witness_catches_a_log_truncated_on_the_server(team: Team) -> None:
    """Someone with the server's superuser cuts the log back (triggers off): the PC's witness knows."""
    db = team.open()
    db.dispose()  # the witness holds the current head
    witness = anchors.user_anchor_file(db)
    assert witness.exists()
    keep = int(str(team.value("SELECT max(seq) FROM audit_log"))) - 3
    team.as_superuser(f"DELETE FROM audit_seal WHERE seq > {keep}", f"DELETE FROM audit_log WHERE seq > {keep}",
                      f"UPDATE audit_head SET last_seq = {keep}, "
                      f"last_hash = (SELECT hash FROM audit_log WHERE seq = {keep})")
    for _ in range(2):
        problems = "\n".join(team.verify())
        assert "the server's log is behind what this PC has seen" in problems, problems
    team.as_superuser("TRUNCATE audit_log, audit_seal, audit_columns",
                      "UPDATE audit_head SET last_seq = 0, last_hash = repeat('0', 64)")
    assert "behind what this PC has seen" in "\n".join(team.verify())


def test_a_superuser_change_to_a_sealed_value_is_named(team: Team) -> None:
    team.as_superuser("UPDATE closure_days SET reason = 'Bank holiday'")
    assert "closure_days row 2031-05-06: reason changed outside the application" in "\n".join(team.verify())


def test_verify_on_the_server_reads_seals_written_by_the_app_role(team: Team) -> None:
    db = team.open()
    try:
        with db.session(write=False) as session:
            assert audit.verify_record(session.connection()) == []
            assert session.execute(text("SELECT count(*) FROM audit_seal")).scalar()
    finally:
        db.dispose()


def test_team_setup_runs_again_without_harm(team: Team) -> None:
    suffix = team.admin_url.rsplit("_", 1)[-1]
    again = team_setup(team.admin_url, owner_role=f"own_{suffix}", app_role=f"app_{suffix}")
    assert again.app_password is None and again.owner_password is None
    assert team.verify() == []


def test_team_setup_run_again_while_people_work_neither_waits_for_nor_stops_their_saves(team: Team) -> None:
    """IT runs team-setup again (after every upgrade, the guide says; "harmless") while a colleague's save is
    under way: it re-owned every table and dropped and re-made the audit triggers, each taking the table's
    exclusive lock, and the server stopped colleagues' saves as deadlocks (team-mode trial ut26: three in a
    minute, said as "the database may be damaged"). What is already in place is now left alone: the run ends
    while the save is still open, and the save then commits."""
    import threading

    from adoption_desktop.core.models import ClosureDay

    suffix = team.admin_url.rsplit("_", 1)[-1]
    triggers = "SELECT string_agg(oid::text, ',' ORDER BY oid) FROM pg_trigger WHERE tgname LIKE 'adk_%'"
    made = team.value(triggers)
    db = team.open()
    boss_id = team.value("SELECT id FROM users WHERE username = 'itadmin'")
    boss = Principal(int(str(boss_id)), "itadmin", "IT Admin", frozenset({Role.ADMINISTRATOR}))
    inside, release = threading.Event(), threading.Event()

    def a_save_under_way() -> None:
        with db.session(boss) as session:  # an audited insert, flushed: its locks held until release
            session.add(ClosureDay(day=dt.date(2031, 5, 7), reason="Staff day"))
            session.flush()
            inside.set()
            release.wait(30)

    saving = threading.Thread(target=a_save_under_way)
    saving.start()
    try:
        assert inside.wait(10)
        done: list[object] = []
        setup = threading.Thread(target=lambda: done.append(
            team_setup(team.admin_url, owner_role=f"own_{suffix}", app_role=f"app_{suffix}")), daemon=True)
        setup.start()
        setup.join(10)
        assert done, "team-setup waited for the colleague's save"
    finally:
        release.set()
        saving.join(30)
        setup.join(30)
    db.dispose()
    assert team.value("SELECT reason FROM closure_days WHERE day = '2031-05-07'") == "Staff day"
    assert team.value(triggers) == made  # left as they were
    # a trigger switched off (or missing) is still made again
    team.as_superuser("ALTER TABLE audit_log DISABLE TRIGGER adk_append_only",
                      "DROP TRIGGER adk_no_truncate ON audit_head")
    team_setup(team.admin_url, owner_role=f"own_{suffix}", app_role=f"app_{suffix}")
    assert team.value("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'adk_%' AND tgenabled = 'O'") == 8
    assert team.verify() == []


def test_the_application_role_cannot_hide_a_changed_signed_outcome(team: Team) -> None:
    """Issue 11's first trial on the demo data: a signed ADM outcome changed with the app's login."""
    from adoption_desktop import demo

    db = team.open()
    try:
        demo.populate(db, "small")
    finally:
        db.dispose()
    assert team.verify() == []
    row = team.value("SELECT min(id) FROM adm_decisions WHERE signed_at IS NOT NULL AND outcome = 'agree'")
    team.as_app(f"UPDATE adm_decisions SET outcome = 'not_approve' WHERE id = {row}")
    problems = "\n".join(team.verify())
    assert f"adm_decisions row {row}: outcome changed outside the application" in problems
    assert f"adm_decisions row {row}: the signed decision's content differs" in problems


@pytest.mark.parametrize(("statement", "expected"), [
    ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2", "first broken entry is #2"),
    ("DELETE FROM audit_log WHERE seq = 3", "first broken entry is #3"),
    ("UPDATE audit_seal SET digest = 'ffffffffffffffffffffffffffffffff' WHERE id = 1", "seal records of audit entry"),
    ("DELETE FROM audit_seal WHERE id = (SELECT max(id) FROM audit_seal)", "seal records of audit entry"),
])
def test_a_superuser_with_triggers_off_still_cannot_rewrite_unnoticed(team: Team, statement: str,
                                                                      expected: str) -> None:
    team.as_superuser(statement)
    for _ in range(2):
        assert expected in "\n".join(team.verify())


@pytest.mark.parametrize("statements", [
    # the trial: the head moved on 1,000 in one statement, a made-up hash with it
    ("UPDATE audit_head SET last_seq = last_seq + 1000, last_hash = repeat('0', 64)",),
    # on 5 with its hash, then a made-up entry at the new end for the head to name: the gap is refused
    ("UPDATE audit_head SET last_seq = last_seq + 5",
     "INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, changes, detail, prev_hash, hash, "
     "seal) SELECT last_seq, '2031-01-01T00:00:00', 0, 'mallory', 'view', 'users', '1', '', '', last_hash, "
     "repeat('a', 64), '' FROM audit_head",
     "UPDATE audit_head SET last_hash = repeat('a', 64)"),
    # a made-up entry that claims to follow the newest: it must itself be the next in order
    ("INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, changes, detail, prev_hash, hash, "
     "seal) SELECT last_seq + 3, '2031-01-01T00:00:00', 0, 'mallory', 'view', 'users', '1', '', '', last_hash, "
     "repeat('b', 64), '' FROM audit_head",
     "UPDATE audit_head SET last_seq = last_seq + 3",
     "UPDATE audit_head SET last_hash = repeat('b', 64)"),
])
def test_the_application_role_cannot_move_the_head_past_the_log(team: Team, statements: tuple[str, ...]) -> None:
    """A trial's application login moved the head on by 1,000: every later entry chained onto the gap and
    `verify` failed for good ("entry 124 was deleted") though nothing had been."""
    head = team.value("SELECT last_seq || ':' || last_hash FROM audit_head")
    with pytest.raises(exc.DBAPIError, match="audit head"):
        team.as_app(*statements)
    assert team.value("SELECT last_seq || ':' || last_hash FROM audit_head") == head
    db = team.open()
    try:
        boss = users.authenticate(db, "itadmin", "a-long-enough-password")
        add_closure_day(db, boss, dt.date(2031, 5, 7), "Inset day")  # the application goes on as before
    finally:
        db.dispose()
    assert team.verify() == []


def test_a_head_moved_on_alone_stops_appends_instead_of_chaining_onto_a_gap(team: Team) -> None:
    from adoption_desktop.core import audit

    team.as_app("UPDATE audit_head SET last_seq = last_seq + 1")  # on from the newest entry: allowed once
    db = team.open()
    try:
        with pytest.raises(exc.DBAPIError, match="does not match the log"), db.session() as session:
            audit.record(session, "view", "users", 1, detail="after the move")
    finally:
        db.dispose()
    seq = int(str(team.value("SELECT max(seq) FROM audit_log")))
    assert team.value("SELECT last_seq FROM audit_head") == seq + 1  # nothing chained past the gap


def test_a_batch_of_entries_moves_the_head_under_the_trigger(team: Team) -> None:
    """The import appends many entries with one move of the head: the trigger lets it through."""
    from adoption_desktop.letterbox.importing.audit_rows import append_many

    before = int(str(team.value("SELECT last_seq FROM audit_head")))
    db = team.open()
    try:
        with db.session() as session:
            assert append_many(session, [("view", "users", i, None, f"batch {i}") for i in range(5)]) == 5
    finally:
        db.dispose()
    assert team.value("SELECT last_seq FROM audit_head") == before + 5
    assert team.verify() == []


def test_an_empty_database_opened_with_a_login_that_cannot_create_says_what_it_needs(
        postgres_server: PostgresServer | None, store: SecretStore) -> None:
    """A trial's IT opened an empty database with the application login before team-setup: the raw CREATE
    TABLE error, shown as "Something went wrong"."""
    from adoption_desktop.core.errors import AppError

    if postgres_server is None:
        pytest.skip("no PostgreSQL server could be started on loopback")
    url = postgres_server.empty_database_url("bare_")
    role = "plain_" + url.rsplit("_", 1)[-1]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE ROLE {role} LOGIN"))
            conn.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    finally:
        engine.dispose()
    plain = url.replace("postgresql+psycopg://postgres@", f"postgresql+psycopg://{role}@")
    with pytest.raises(AppError, match="no Adoption Desktop schema yet") as caught:
        open_database(plain, store)
    assert "team-setup" in str(caught.value) and "CREATE TABLE" not in str(caught.value)


def test_a_superusers_login_is_said_on_opening(team: Team, qtbot: object) -> None:
    """A trial opened the database with the superuser's URL, for daily use, with no word of it."""
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow
    from adoption_desktop.ui.tasks import TaskRunner

    app = team.open()
    try:
        assert app.login_warning == ""
    finally:
        app.dispose()
    db = open_database(team.admin_url, team.store)
    try:
        assert "a PostgreSQL superuser" in db.login_warning and "team-setup" in db.login_warning
        boss = users.authenticate(db, "itadmin", "a-long-enough-password")
        window = MainWindow(AppContext(db, boss, TaskRunner(synchronous=True)))
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        assert "not the application login" in window.db_label.text()
        assert db.login_warning in window.db_label.toolTip()
        # a team database is backed up on the server: File → Back up is greyed and says so, even for IT
        window._enable_backup()
        assert not window.backup_action.isEnabled() and "pg_dump" in window.backup_action.toolTip()
    finally:
        db.dispose()


def test_only_the_team_roles_may_connect_to_the_database(team: Team) -> None:
    """PostgreSQL lets every login on the server connect to a new database (PUBLIC holds CONNECT); a
    team-mode trial found any login could still reach the team database after team-setup."""
    name = str(team.value("SELECT current_database()"))
    role = "stranger_" + name.rsplit("_", 1)[-1]
    team.as_superuser(f"CREATE ROLE {role} LOGIN")
    stranger = team.admin_url.replace("postgresql+psycopg://postgres@", f"postgresql+psycopg://{role}@")
    engine = create_engine(stranger)
    try:
        with pytest.raises(exc.OperationalError, match="permission denied for database"), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    db = team.open()  # the application role still may
    db.dispose()
    team_setup(team.admin_url, owner_role="own_" + name.rsplit("_", 1)[-1],
               app_role="app_" + name.rsplit("_", 1)[-1])  # and so may the login that set it up, again


def test_an_older_schema_opened_with_the_application_login_says_who_upgrades_it(team: Team) -> None:
    """A new version met a server schema one step behind, opened by a PC with the application role: the
    role may not alter the tables, and is told that the schema owner's `upgrade` does it, not the raw
    "must be owner" error; nothing is changed."""
    from alembic.script import ScriptDirectory

    from adoption_desktop.core.storage import migrations
    from adoption_desktop.core.storage.migrations import MigrationError

    script = ScriptDirectory.from_config(migrations.alembic_config())
    head = sorted(migrations.script_heads())[0]
    before = script.get_revision(head).down_revision
    assert isinstance(before, str)
    team.as_superuser(f"UPDATE alembic_version SET version_num = '{before}' WHERE version_num = '{head}'")
    with pytest.raises(MigrationError, match="schema owner's login") as caught:
        team.open()
    assert "must be owner" not in str(caught.value) and "team-setup" in str(caught.value)
    assert team.value(f"SELECT count(*) FROM alembic_version WHERE version_num = '{before}'") == 1  # unchanged
