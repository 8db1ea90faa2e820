"""An account whose own row was changed outside the application (a password hash replaced, a disabled
account enabled again, in SQL by someone holding the key or the server login) no longer signs in: before,
the replaced hash let the attacker in under the account's name, and ``verify`` could only say so afterwards.
An administrator's password reset is the way back: it seals the row again, under their name, and says what
had been changed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from adoption_desktop.core import audit
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.passwords import hash_password
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from tests.conftest import TEST_PASSWORD, make_user

MINE = "a-password-someone-else-chose"


def _outside(db: Database, statement: str, **values: object) -> None:
    with db.session() as s:  # plain SQL, past the application's hooks
        s.execute(text(statement), values)


def _replace_hash_with_a_seal(db: Database, user_id: int, seq: int) -> None:
    """The account's password hash replaced in SQL, with a seal record made as the application makes one (the
    digest has no secret) filed under entry ``seq``."""
    from adoption_desktop.core.audit.seals import column_key, field_sums, row_digest

    _outside(db, "UPDATE users SET password_hash = :h WHERE id = :i", h=hash_password(MINE), i=user_id)
    with db.engine.connect() as conn:
        row = dict(conn.exec_driver_sql(f"SELECT * FROM users WHERE id = {user_id}").mappings().one())
    cols = sorted(row)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO audit_columns (key, columns) VALUES ('{column_key(cols)}', "
                             f"'{','.join(cols)}') ON CONFLICT DO NOTHING")
        conn.exec_driver_sql(
            "INSERT INTO audit_seal (seq, entity, entity_id, columns, digest, fields) VALUES (?, ?, ?, ?, ?, ?)",
            (seq, "users", str(user_id), column_key(cols), row_digest("users", str(user_id), cols, row),
             field_sums(cols, row)))


def _user_problems(db: Database) -> list[str]:
    return [p for p in verify_database(db).problems if "users row" in p]


@pytest.mark.postgres
def test_a_password_hash_replaced_in_sql_does_not_sign_in(any_db: Database) -> None:
    boss = make_user(any_db, "boss", Role.ADMINISTRATOR)
    _outside(any_db, "UPDATE users SET password_hash = :h WHERE id = :i", h=hash_password(MINE), i=boss.user_id)
    with pytest.raises(users.AccountChangedOutside, match="changed outside the application"):
        users.authenticate(any_db, "boss", MINE)
    with pytest.raises(users.AccountChangedOutside):  # the owner's own password is not the stored one either
        users.authenticate(any_db, "boss", TEST_PASSWORD)
    with any_db.session(write=False) as session:
        refused = session.scalars(select(audit.AuditEntry.detail).where(
            audit.AuditEntry.action == "sign_in_refused", audit.AuditEntry.entity_id == str(boss.user_id))).all()
        signed = session.scalars(select(audit.AuditEntry.seq).where(audit.AuditEntry.action == "sign_in")).all()
    assert len(refused) == 1 and refused[0].startswith(users.ACCOUNT_CHANGED_REASON)  # once, not per attempt
    assert signed == []
    assert any("password_hash changed outside the application" in p for p in _user_problems(any_db))


def test_a_disabled_account_enabled_in_sql_does_not_sign_in(db: Database) -> None:
    boss = make_user(db, "boss", Role.ADMINISTRATOR)
    make_user(db, "leaver", Role.LETTERBOX_COORDINATOR)
    leaver = next(u for u in users.list_users(db, boss) if u.username == "leaver")
    users.set_disabled(db, boss, leaver.id, True, expected_version=leaver.row_version)
    _outside(db, "UPDATE users SET disabled = :f WHERE id = :i", f=False, i=leaver.id)
    with pytest.raises(users.AccountChangedOutside):
        users.authenticate(db, "leaver", TEST_PASSWORD)


def test_a_seal_record_written_beside_the_changed_row_does_not_help(db: Database) -> None:
    boss = make_user(db, "boss", Role.ADMINISTRATOR)
    _replace_hash_with_a_seal(db, boss.user_id, 888_888)
    with pytest.raises(users.AccountChangedOutside):
        users.authenticate(db, "boss", MINE)


def test_a_signed_in_user_whose_row_is_changed_cannot_confirm_a_signature(db: Database, admin: Principal) -> None:
    adm = make_user(db, "adm", Role.AGENCY_DECISION_MAKER)
    signed = users.authenticate(db, "adm", TEST_PASSWORD)
    assert signed.user_id == adm.user_id
    _outside(db, "UPDATE users SET password_hash = :h WHERE id = :i", h=hash_password(MINE), i=adm.user_id)
    with pytest.raises(users.LockedOut, match="changed outside the application"):
        users.confirm_password(db, signed, MINE)


@pytest.mark.postgres
def test_an_administrators_reset_seals_the_account_again(any_db: Database) -> None:
    boss = make_user(any_db, "boss", Role.ADMINISTRATOR)
    clerk = make_user(any_db, "clerk", Role.LETTERBOX_COORDINATOR)
    _outside(any_db, "UPDATE users SET password_hash = :h WHERE id = :i", h=hash_password(MINE), i=clerk.user_id)
    with pytest.raises(users.AccountChangedOutside):
        users.authenticate(any_db, "clerk", MINE)
    users.reset_password(any_db, boss, clerk.user_id, "a-fresh-start-for-clerk", must_change=False)
    with pytest.raises(users.SignInError):
        users.authenticate(any_db, "clerk", MINE)  # the hash written in SQL is gone
    back = users.authenticate(any_db, "clerk", "a-fresh-start-for-clerk")
    assert back.roles == frozenset({Role.LETTERBOX_COORDINATOR})
    assert _user_problems(any_db) == []
    with any_db.session(write=False) as session:
        entry = session.scalars(select(audit.AuditEntry).where(
            audit.AuditEntry.entity == "users", audit.AuditEntry.entity_id == str(clerk.user_id),
            audit.AuditEntry.detail.like("sealed again by an administrator's password reset%"))).one()
        assert entry.actor == "boss"
        assert "password_hash changed outside the application" in entry.detail
        assert "password_hash" not in json.dumps(entry.changes)  # the hash itself is never in the log


def test_an_account_nobody_changed_signs_in_as_before(db: Database) -> None:
    make_user(db, "boss", Role.ADMINISTRATOR)
    for _ in range(3):
        assert users.authenticate(db, "boss", TEST_PASSWORD).username == "boss"
    assert _user_problems(db) == []


def test_each_change_outside_is_audited_once(db: Database) -> None:
    boss = make_user(db, "boss", Role.ADMINISTRATOR)
    clerk = make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)

    def refusals() -> int:
        with db.session(write=False) as session:
            return len(session.scalars(select(audit.AuditEntry.seq).where(
                audit.AuditEntry.action == "sign_in_refused",
                audit.AuditEntry.entity_id == str(clerk.user_id))).all())

    _outside(db, "UPDATE users SET password_hash = :h WHERE id = :i", h=hash_password(MINE), i=clerk.user_id)
    for _ in range(2):
        with pytest.raises(users.AccountChangedOutside):
            users.authenticate(db, "clerk", MINE)
    assert refusals() == 1
    users.reset_password(db, boss, clerk.user_id, "a-fresh-start-for-clerk", must_change=False)
    _outside(db, "UPDATE users SET disabled = :f WHERE id = :i", f=False, i=clerk.user_id)  # unchanged value...
    assert users.authenticate(db, "clerk", "a-fresh-start-for-clerk").username == "clerk"  # ...is no change
    _outside(db, "UPDATE users SET password_hash = :h WHERE id = :i", h=hash_password(MINE), i=clerk.user_id)
    with pytest.raises(users.AccountChangedOutside):
        users.authenticate(db, "clerk", MINE)
    assert refusals() == 2  # a second incident, after the reset had sealed the row again


def test_a_seal_record_filed_under_a_bulk_entry_after_the_fact_is_not_trusted(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.core.audit import seal_check

    boss = make_user(db, "boss", Role.ADMINISTRATOR)
    make_user(db, "clerk", Role.COUNSELLOR)  # later entries than the boss's seals: the clerk's account, its role
    with db.engine.connect() as conn:
        bulk = int(conn.exec_driver_sql("SELECT max(seq) FROM audit_seal").scalar())
    monkeypatch.setattr(seal_check, "BULK_SEALS", 1)  # every entry stands for a bulk one: its records not read
    # genuine records filed under entries whose records are not read still pass (they sit among them)
    assert users.authenticate(db, "clerk", TEST_PASSWORD).roles == frozenset({Role.COUNSELLOR})
    _replace_hash_with_a_seal(db, boss.user_id, bulk)
    with pytest.raises(users.AccountChangedOutside):
        users.authenticate(db, "boss", MINE)
