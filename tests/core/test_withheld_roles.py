"""A role row the application did not write (inserted or changed in SQL by whoever holds the key or the
server login) is not in effect at sign-in: ``verify`` names it, and now sign-in does not grant it either.
An administrator gives the role through the application, which seals the new row and audits the grant."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from adoption_desktop import cli_support
from adoption_desktop.core import audit
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Permission, Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from tests.conftest import TEST_PASSWORD, make_user
from tests.core.test_team_mode import Team, team  # noqa: F401  (the team-mode fixture)

ADM = str(Role.AGENCY_DECISION_MAKER)


def _outside(db: Database, *statements: str) -> None:
    """Raw SQL on the file, as someone holding the key would write it: no ORM, no seal."""
    with db.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


@pytest.fixture
def people(db: Database) -> Iterator[tuple[Principal, Principal]]:
    admin = make_user(db, "boss", Role.ADMINISTRATOR)
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    yield admin, clerk


def _sign_in_entry(db: Database, user_id: int) -> str:
    with db.session(write=False) as session:
        return str(session.scalars(select(audit.AuditEntry.detail).where(
            audit.AuditEntry.action == "sign_in", audit.AuditEntry.entity_id == str(user_id))
            .order_by(audit.AuditEntry.seq.desc())).first())


def test_a_role_inserted_in_sql_is_not_granted_at_sign_in(db: Database, people: tuple[Principal, Principal]) -> None:
    _admin, clerk = people
    _outside(db, f"INSERT INTO user_roles (user_id, role) VALUES ({clerk.user_id}, '{ADM}')")
    assert any("inserted outside the application" in p for p in verify_database(db).problems)

    signed = users.authenticate(db, "clerk", TEST_PASSWORD)
    assert signed.roles == frozenset({Role.PANEL_ADMINISTRATOR})
    assert signed.roles_withheld == frozenset({ADM})
    assert not signed.can(Permission.ADM_DECIDE)
    assert "roles not in effect: agency_decision_maker" in _sign_in_entry(db, clerk.user_id)
    notice = users.withheld_notice(signed)
    assert "Agency decision maker" in notice and "outside the application" in notice
    # the row still there is not a change of roles since sign-in: the session goes on, without the role
    with db.session(signed, write=False):
        pass


def test_a_role_row_added_during_a_session_ends_it(db: Database, people: tuple[Principal, Principal]) -> None:
    _admin, _clerk = people
    signed = users.authenticate(db, "clerk", TEST_PASSWORD)
    _outside(db, f"INSERT INTO user_roles (user_id, role) VALUES ({signed.user_id}, 'administrator')")
    with pytest.raises(PermissionDenied, match="roles were changed"), db.session(signed, write=False):
        pass
    again = users.authenticate(db, "clerk", TEST_PASSWORD)
    assert Role.ADMINISTRATOR not in again.roles and again.roles_withheld == frozenset({"administrator"})


def test_a_value_that_is_no_role_does_not_stop_sign_in(db: Database, people: tuple[Principal, Principal]) -> None:
    admin, clerk = people
    _outside(db, f"INSERT INTO user_roles (user_id, role) VALUES ({clerk.user_id}, 'superuser')")
    signed = users.authenticate(db, "clerk", TEST_PASSWORD)
    assert signed.roles == frozenset({Role.PANEL_ADMINISTRATOR}) and signed.roles_withheld == frozenset({"superuser"})
    listed = {u.username: u for u in users.list_users(db, admin)}
    assert listed["clerk"].roles == (Role.PANEL_ADMINISTRATOR,) and listed["clerk"].roles_withheld == ("superuser",)


def test_a_role_changed_in_sql_is_not_granted(db: Database, people: tuple[Principal, Principal]) -> None:
    _admin, clerk = people
    _outside(db, f"UPDATE user_roles SET role = '{ADM}' WHERE user_id = {clerk.user_id}")
    signed = users.authenticate(db, "clerk", TEST_PASSWORD)
    assert signed.roles == frozenset() and signed.roles_withheld == frozenset({ADM})


def test_the_administrator_gives_the_role_and_it_is_sealed(db: Database, people: tuple[Principal, Principal]) -> None:
    admin, clerk = people
    _outside(db, f"INSERT INTO user_roles (user_id, role) VALUES ({clerk.user_id}, '{ADM}')")
    listed = {u.username: u for u in users.list_users(db, admin)}["clerk"]
    # the Users page shows it apart and does not tick it: a routine save of the roles does not grant it
    assert listed.roles == (Role.PANEL_ADMINISTRATOR,) and listed.roles_withheld == (ADM,)
    users.set_roles(db, admin, clerk.user_id, [Role.PANEL_ADMINISTRATOR, Role.AGENCY_DECISION_MAKER],
                    expected_version=listed.row_version)
    signed = users.authenticate(db, "clerk", TEST_PASSWORD)
    assert signed.roles == frozenset({Role.PANEL_ADMINISTRATOR, Role.AGENCY_DECISION_MAKER})
    assert signed.roles_withheld == frozenset()
    assert verify_database(db).problems == []
    with db.session(write=False) as session:
        entry = session.scalars(select(audit.AuditEntry).where(
            audit.AuditEntry.entity == "users", audit.AuditEntry.entity_id == str(clerk.user_id),
            audit.AuditEntry.action == "update", audit.AuditEntry.actor == "boss")
            .order_by(audit.AuditEntry.seq.desc())).first()
        assert entry is not None
        changes = str(entry.changes)
    # the grant reads as a grant: from the roles in effect to the new ones; the row added outside named
    assert json.loads(changes) == {
        "roles": [["panel_administrator"], ["agency_decision_maker", "panel_administrator"]],
        "roles not in effect (added outside the application), removed": [["agency_decision_maker"], []]}


def test_a_save_without_the_role_removes_the_row(db: Database, people: tuple[Principal, Principal]) -> None:
    admin, clerk = people
    _outside(db, f"INSERT INTO user_roles (user_id, role) VALUES ({clerk.user_id}, '{ADM}')")
    listed = {u.username: u for u in users.list_users(db, admin)}["clerk"]
    users.set_roles(db, admin, clerk.user_id, list(listed.roles), expected_version=listed.row_version)
    signed = users.authenticate(db, "clerk", TEST_PASSWORD)
    assert signed.roles == frozenset({Role.PANEL_ADMINISTRATOR}) and signed.roles_withheld == frozenset()
    with db.session(write=False) as session:
        assert sorted(r.role for r in session.get(users.User, clerk.user_id).roles) == ["panel_administrator"]


def test_a_command_says_which_roles_are_not_in_effect(db: Database, people: tuple[Principal, Principal],
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    _admin, clerk = people
    _outside(db, f"INSERT INTO user_roles (user_id, role) VALUES ({clerk.user_id}, '{ADM}')")
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    signed = cli_support.sign_in(db, argparse.Namespace(user="clerk"))
    assert signed.roles_withheld == frozenset({ADM})
    err = capsys.readouterr().err
    assert "--user clerk: Not in effect on your account: Agency decision maker" in err


def test_in_team_mode_a_role_inserted_with_the_application_login_is_not_granted(team: Team) -> None:  # noqa: F811
    uid = team.value("SELECT id FROM users WHERE username = 'clerk'")
    team.as_app(f"INSERT INTO user_roles (user_id, role) VALUES ({uid}, 'administrator')")
    db = team.open()
    try:
        with pytest.raises(users.PasswordChangeRequired) as raised:  # clerk's first password was set for them
            users.authenticate(db, "clerk", "another-long-password")
        signed = raised.value.principal
        assert signed.roles == frozenset({Role.LETTERBOX_COORDINATOR})
        assert signed.roles_withheld == frozenset({"administrator"})
        assert not signed.can(Permission.USERS_MANAGE)
    finally:
        db.dispose()


def _forge_seal(db: Database, user_id: int, role: str, seq: int) -> None:
    """A role row inserted with a seal record made as the application makes one (the digest has no secret)."""
    from adoption_desktop.core.audit.seals import column_key, field_sums, pk_string, row_digest

    cols = ["role", "user_id"]
    row = {"role": role, "user_id": user_id}
    pk = pk_string([user_id, role])
    _outside(db, f"INSERT INTO user_roles (user_id, role) VALUES ({user_id}, '{role}')",
             "INSERT INTO audit_seal (seq, entity, entity_id, columns, digest, fields) VALUES "
             f"({seq}, 'user_roles', '{pk}', '{column_key(cols)}', '{row_digest('user_roles', pk, cols, row)}', "
             f"'{field_sums(cols, row)}')")


def test_a_seal_record_written_beside_the_row_with_no_entry_behind_it_is_not_trusted(
        db: Database, people: tuple[Principal, Principal]) -> None:
    from adoption_desktop.core.audit.seals import rows_off_seal

    _admin, clerk = people
    _forge_seal(db, clerk.user_id, "administrator", 999_999)
    with db.engine.connect() as conn:  # the row matches the forged seal record...
        assert not rows_off_seal(conn, users.UserRole.__table__, [(clerk.user_id, "administrator")], lock=False)
    signed = users.authenticate(db, "clerk", TEST_PASSWORD)  # ...but no audit entry stands behind it
    assert signed.roles == frozenset({Role.PANEL_ADMINISTRATOR})
    assert signed.roles_withheld == frozenset({"administrator"})
    assert any("no audit entry #999999 behind them" in p for p in verify_database(db).problems)


def test_a_seal_record_slipped_into_a_real_entry_is_not_trusted(db: Database,
                                                                 people: tuple[Principal, Principal]) -> None:
    _admin, clerk = people
    with db.engine.connect() as conn:  # the newest entry that carries seal records (the clerk's creation)
        seq = int(conn.exec_driver_sql("SELECT max(seq) FROM audit_seal").scalar())
    _forge_seal(db, clerk.user_id, "administrator", seq)
    signed = users.authenticate(db, "clerk", TEST_PASSWORD)
    # the entry's seal records no longer add up to its digest: nothing it vouched for is trusted, the
    # clerk's own role included, until an administrator gives the roles again
    assert signed.roles == frozenset()
    assert signed.roles_withheld == frozenset({"administrator", "panel_administrator"})


def test_a_role_added_in_sql_makes_no_one_eligible_for_it(db: Database, people: tuple[Principal, Principal]) -> None:
    """Who may be allocated a counselling case, or named an arrangement's coordinator, is read from the role
    rows too: a row added in SQL does not put an account on those lists."""
    from adoption_desktop import counselling
    from adoption_desktop.letterbox import service as letterbox

    _admin, clerk = people
    real = make_user(db, "kim", Role.COUNSELLOR, Role.LETTERBOX_COORDINATOR)
    _outside(db, f"INSERT INTO user_roles (user_id, role) VALUES ({clerk.user_id}, 'counsellor')",
             f"INSERT INTO user_roles (user_id, role) VALUES ({clerk.user_id}, 'letterbox_coordinator')")
    reader = make_user(db, "reader", Role.COUNSELLOR, Role.LETTERBOX_COORDINATOR)
    assert {c.id for c in counselling.service.counsellors(db, reader)} == {real.user_id, reader.user_id}
    assert set(letterbox.coordinator_accounts(db, reader)) == {"kim", "reader"}


def test_the_users_page_reads_many_accounts_in_a_few_statements(db: Database,
                                                                people: tuple[Principal, Principal]) -> None:
    from sqlalchemy import event

    admin, clerk = people
    for n in range(30):
        make_user(db, f"user{n:02d}", Role.COUNSELLOR, Role.MANAGER)
    _outside(db, f"INSERT INTO user_roles (user_id, role) VALUES ({clerk.user_id}, 'administrator')")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        listed = users.list_users(db, admin)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(listed) == 32
    assert {u.username: u.roles_withheld for u in listed if u.roles_withheld} == {"clerk": ("administrator",)}
    assert len(statements) < 20, statements  # not a handful for each of 32 accounts
