"""User names, sign-in and passwords as a tester found them (one test or more per finding): ASCII user
names, sessions ended by a password reset, a password set by an administrator changed at the next
sign-in, strong passwords, refused sign-ins audited, no empty audit entry for a role change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adoption_desktop.core import audit
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD, make_user

PW = "tawny-quill-harbour"  # strong enough (zxcvbn 4), synthetic


def _entries(db: Database, **flt: str) -> list[audit.AuditRow]:
    with db.session(write=False) as session:
        return audit.query_entries(session, audit.AuditFilter(**flt))


def test_a_role_change_writes_one_update_entry_with_its_changes(db: Database, admin: Principal) -> None:
    p = make_user(db, "rolly", Role.COUNSELLOR)
    before = max(e.seq for e in _entries(db))
    users.set_roles(db, admin, p.user_id, [Role.MANAGER])
    updates = [e for e in _entries(db, entity="users", action="update") if e.seq > before]
    assert len(updates) == 1, updates
    assert json.loads(updates[0].changes) == {"roles": [["counsellor"], ["manager"]]}
    with db.session(write=False) as session:  # the row is sealed as it now is
        assert audit.verify_record(session.connection()) == []


@pytest.mark.parametrize("name", ["Zoë.Ölund", "\u0430dmin", "ａｎｎｌｅｅ", "ann lee", "ann@example", "...", "ßtraße"])
def test_a_new_user_name_is_ascii_letters_digits_dots_dashes_underscores(db: Database, admin: Principal,
                                                                         name: str) -> None:
    from adoption_desktop.core.errors import ValidationError

    with pytest.raises(ValidationError, match=r"User name: use only the letters A to Z \(no accents\)") as info:
        users.create_user(db, admin, name, "Zoe Olund", PW, [Role.COUNSELLOR])
    assert info.value.field == "username"


def test_an_ascii_user_name_signs_in_in_any_case(db: Database, admin: Principal) -> None:
    users.create_user(db, admin, "Zoe.Olund-2_b", "Zoe Olund", PW, [Role.COUNSELLOR], must_change=False)
    assert users.authenticate(db, "zOE.oLUND-2_B", PW).username == "Zoe.Olund-2_b"


def test_an_old_accented_user_name_still_signs_in_in_any_case(db: Database) -> None:
    """Made before the ASCII rule (here written directly, as an old database has it)."""
    from tests.conftest import TEST_PASSWORD

    make_user(db, "Zoë.Ölund", Role.COUNSELLOR)
    for typed in ("Zoë.Ölund", "zoë.ölund", "ZOË.ÖLUND", "Zoe\u0308.O\u0308lund"):  # the last as NFD
        assert users.authenticate(db, typed, TEST_PASSWORD).username == "Zoë.Ölund", typed
    with pytest.raises(users.SignInError, match="not right"):
        users.authenticate(db, "zoe.olund", TEST_PASSWORD)


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", "password12", "demo-password", "hollis.vane-1234"])
def test_a_new_password_must_be_hard_to_guess(db: Database, admin: Principal, weak: str) -> None:
    """Created, reset or changed: the same zxcvbn rule as a new database passphrase, with the person's
    names as the first guesses; the message gives zxcvbn's advice."""
    from adoption_desktop.core.errors import ValidationError

    with pytest.raises(ValidationError, match=r"Password: too easy to guess \(strength \d of 4; at least 3") as info:
        users.create_user(db, admin, "hollis.vane", "Hollis Vane", weak, [Role.COUNSELLOR])
    assert info.value.field == "password" and "word" in str(info.value)
    other = make_user(db, "hollis.vane", Role.COUNSELLOR)
    with pytest.raises(ValidationError, match="too easy to guess"):
        users.reset_password(db, admin, other.user_id, weak)
    with pytest.raises(ValidationError, match="too easy to guess"):
        users.change_own_password(db, other, "correct-horse-battery", weak)


def test_an_existing_weak_password_still_signs_in(db: Database) -> None:
    """Only new passwords are checked: a password set before the rule is not refused at sign-in."""
    make_user(db, "oldtimer", Role.COUNSELLOR, password="demo-password")
    assert users.authenticate(db, "oldtimer", "demo-password").username == "oldtimer"


def test_sign_ins_refused_for_an_unknown_disabled_or_locked_account_are_audited(
        db: Database, admin: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from adoption_desktop.core.security import passwords
    from tests.conftest import TEST_PASSWORD

    checks: list[str] = []  # an unknown name still costs one argon2 check (its time tells nothing)
    real = passwords.verify_nothing
    monkeypatch.setattr(users, "verify_nothing", lambda pw: (checks.append(pw), real(pw))[1])
    with pytest.raises(users.SignInError, match="not right"):
        users.authenticate(db, "  nobody\x07" + "x" * 100, "a guess")
    assert checks == ["a guess"]
    leaver = make_user(db, "leaver", Role.COUNSELLOR)
    users.set_disabled(db, admin, leaver.user_id, True)
    with pytest.raises(users.SignInError, match="not right"):
        users.authenticate(db, "Leaver", TEST_PASSWORD)
    locky = make_user(db, "locky", Role.COUNSELLOR)
    now = dt.datetime(2026, 11, 23, 9, 0)
    for _ in range(5):
        with pytest.raises(users.SignInError):
            users.authenticate(db, "locky", "wrong", now=now)
    for minute in (1, 2, 3):  # attempts while it is locked: one entry for the lock, not one each
        with pytest.raises(users.AccountLocked):
            users.authenticate(db, "LOCKY", TEST_PASSWORD, now=now + dt.timedelta(minutes=minute))
    refused = sorted(_entries(db, action="sign_in_refused"), key=lambda e: e.seq)
    assert [(e.actor, e.entity, e.entity_id) for e in refused] == [
        ("system", "users", "*"), ("system", "users", str(leaver.user_id)), ("system", "users", str(locky.user_id))]
    # a name that is no account's may be a password typed in the wrong box: never kept in the log
    assert refused[0].detail == ("no such user; user name typed: not kept (107 characters; it may be a password "
                                 "typed in the wrong box)")
    assert "nobody" not in refused[0].detail
    assert refused[1].detail == "account disabled; user name typed: 'Leaver'"
    assert refused[2].detail == "account locked until 2026-11-23 09:15 UTC; user name typed: 'LOCKY'"
    with db.session(write=False) as session:
        assert audit.verify_chain(session) is None


def test_a_password_reset_ends_the_sessions_signed_in_before_it(db: Database, admin: Principal) -> None:
    """As a disabled account or a role change already did: the next step is refused, whichever way it
    reads (a session, the register's cursor, the idle lock's password check); signing out still works."""
    from adoption_desktop.core.errors import PermissionDenied
    from tests.conftest import TEST_PASSWORD

    make_user(db, "resetme", Role.COUNSELLOR)
    me = users.authenticate(db, "resetme", TEST_PASSWORD)
    with db.session(me, write=False):
        pass
    users.reset_password(db, admin, me.user_id, PW)
    said = r"Your password was changed since you signed in \(by an administrator, or by you in another window\)"
    with pytest.raises(PermissionDenied, match=said), db.session(me, write=False):
        pass
    with pytest.raises(PermissionDenied, match=said), db.read_cursor(me):
        pass
    with pytest.raises(users.LockedOut, match=said):
        users.confirm_password(db, me, TEST_PASSWORD)
    with pytest.raises(users.LockedOut, match=said):
        users.change_own_password(db, me, TEST_PASSWORD, "another-quiet-lantern")
    users.sign_out(db, me)  # the way to "sign in again"
    assert [e.actor for e in _entries(db, action="sign_out")] == ["resetme"]
    with pytest.raises(users.SignInError, match="not right"):  # the old password is gone
        users.authenticate(db, "resetme", TEST_PASSWORD)
    refused = _entries(db, action="refused")
    assert refused and "the password was changed since signing in" in refused[0].detail


def test_an_administrator_set_password_is_changed_at_the_next_sign_in(db: Database, admin: Principal) -> None:
    from adoption_desktop.core.errors import PermissionDenied, ValidationError

    users.create_user(db, admin, "newcomer", "Nia Comer", PW, [Role.COUNSELLOR])
    with pytest.raises(users.PasswordChangeRequired, match="set by an administrator") as info:
        users.authenticate(db, "newcomer", PW)
    me = info.value.principal
    assert [e.detail for e in _entries(db, action="sign_in", actor="newcomer")] == [
        "must change the password an administrator set"]
    with pytest.raises(PermissionDenied, match="choose your own before anything else"), \
            db.session(me, write=False):
        pass
    with pytest.raises(ValidationError, match="different from the current"):
        users.change_own_password(db, me, PW, PW)
    me = users.change_own_password(db, me, PW, "another-quiet-lantern")
    with db.session(me, write=False):  # this session goes on with the password of their own
        pass
    assert users.authenticate(db, "newcomer", "another-quiet-lantern") == me
    users.reset_password(db, admin, me.user_id, PW)  # and again after a reset
    with pytest.raises(users.PasswordChangeRequired):
        users.authenticate(db, "NewComer", PW)
    pending = users.begin_sign_in(db, "newcomer", PW)  # the command line's sign-in reads nothing for them
    assert pending.principal is None and pending.failed()
    with pytest.raises(users.PasswordChangeRequired):
        pending.confirm()


def test_the_command_line_refuses_a_user_who_must_change_their_password(
        db: Database, admin: Principal, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from adoption_desktop import cli_support

    users.create_user(db, admin, "newcomer", "Nia Comer", PW, [Role.COUNSELLOR])
    monkeypatch.setenv(cli_support.ENV_USER_PASSWORD, PW)
    with pytest.raises(cli_support.CliError, match=r"^--user newcomer: Your password was set by an administrator "
                                                   r"and must be changed .* Adoption Desktop window"):
        cli_support.sign_in(db, argparse.Namespace(user="newcomer"))
    with pytest.raises(cli_support.CliError, match="set by an administrator"):
        cli_support.confirmed(users.begin_sign_in(db, "newcomer", PW), "newcomer")
    # nobody was signed in: each attempt is a refused sign-in, never a sign-in that no sign-out ends
    assert _entries(db, action="sign_in", actor="newcomer") == []
    refused = _entries(db, action="sign_in_refused")
    assert [(e.actor, e.detail) for e in refused] == [
        ("system", f"{users.MUST_CHANGE_REFUSED}; user name typed: 'newcomer'")] * 2
    with pytest.raises(users.PasswordChangeRequired):  # the window signs them in to ask for their own
        users.authenticate(db, "newcomer", PW)
    assert len(_entries(db, action="sign_in", actor="newcomer")) == 1


def test_an_administrator_whose_password_was_reset_chooses_their_own_during_an_audit_hold(
        db: Database, db_path: Path, admin: Principal) -> None:
    """A real hold (the anchor beside the file is ahead of the log): an administrator whose password
    another set can choose their own (a security step the hold does not block, audited under their
    name), then review and acknowledge the hold. Every other write stays refused until then."""
    from adoption_desktop.cli_support import open_db
    from adoption_desktop.core.audit import anchors
    from adoption_desktop.core.errors import PermissionDenied
    from adoption_desktop.core.storage.engine import AuditHoldError

    second = make_user(db, "second_admin", Role.ADMINISTRATOR)
    users.reset_password(db, admin, second.user_id, PW)  # they must choose their own at the next sign-in
    db.dispose()
    anchor_file = audit.anchor_file_for(db_path)
    head = json.loads(anchor_file.read_text(encoding="utf-8"))
    anchor_file.write_text(json.dumps({**head, "seq": int(head["seq"]) + 5}), encoding="utf-8")
    held = open_db(db_path)
    try:
        assert held.audit_hold is not None
        with pytest.raises(users.PasswordChangeRequired) as required:
            users.authenticate(held, "second_admin", PW)
        me = required.value.principal
        with pytest.raises(PermissionDenied, match="choose your own before anything else"):
            anchors.acknowledge(held, me, "Looked at it.")
        before = max(e.seq for e in _entries(held))
        me = users.change_own_password(held, me, PW, "another-quiet-lantern")
        changed = [e for e in _entries(held, entity="users", action="update", actor="second_admin")
                   if e.seq > before]
        assert [e.entity_id for e in changed] == [str(me.user_id)]  # audited, under their name
        with pytest.raises(AuditHoldError):  # everything else is still held
            users.set_job_title(held, me, me.user_id, "Agency adviser")
        with pytest.raises(AuditHoldError):
            users.reset_password(held, me, admin.user_id, "yet-another-quiet-lantern")
        assert held.audit_hold is not None
        anchors.acknowledge(held, me, "Checked with IT: the anchor was copied from another PC.")
        assert held.audit_hold is None
        users.set_job_title(held, me, me.user_id, "Agency adviser")  # writing again
        with held.session(write=False) as session:
            assert audit.verify_chain(session) is None
    finally:
        held.dispose()


def test_demo_users_need_no_password_change(small_demo_db: Database) -> None:
    """The demo's accounts are synthetic: they sign in (window and command line) with the documented
    password straight away, and can act."""
    from adoption_desktop import demo

    for username, _name, _role in demo.DEMO_USERS:
        me = users.authenticate(small_demo_db, username, demo.DEMO_PASSWORD)
        with small_demo_db.session(me, write=False):
            pass


@pytest.mark.postgres
def test_a_sign_in_never_seals_an_account_changed_outside_the_application(any_db: Database) -> None:
    """Review: a sign-in (or any attempt on the name) sealed the account's row as it stood, so a must-change
    flag cleared in SQL by someone holding the key or the server login was vouched for, and verify said
    nothing. The bookkeeping is no longer sealed over such a change: verify goes on naming it."""
    from sqlalchemy import text

    from adoption_desktop.core.storage.lifecycle import verify_database

    def problems() -> list[str]:
        return [p for p in verify_database(any_db).problems if "users" in p]

    boss = make_user(any_db, "boss", Role.ADMINISTRATOR)
    made = users.create_user(any_db, boss, "newbie", "New Bie", "tawny-quill-harbour", [Role.COUNSELLOR])
    assert problems() == []
    with any_db.session() as s:  # plain SQL, past the application
        s.execute(text("UPDATE users SET must_change_password = :f WHERE id = :i"), {"f": False, "i": made.id})
    assert any("must_change_password changed outside the application" in p for p in problems())
    with pytest.raises(users.SignInError):
        users.authenticate(any_db, "newbie", "a wrong guess")  # anyone's attempt on the name
    with pytest.raises(users.AccountChangedOutside):  # and now the account no longer signs in at all
        users.authenticate(any_db, "newbie", "tawny-quill-harbour")
    assert any("must_change_password" in p for p in problems()), problems()
    # an account nobody changed is sealed as before: its sign-ins leave verify clean
    with pytest.raises(users.SignInError):
        users.authenticate(any_db, "boss", "a wrong guess")
    users.authenticate(any_db, "boss", TEST_PASSWORD)
    assert all("users/" + str(boss.user_id) not in p and f"users {boss.user_id}" not in p for p in problems())
    assert len(problems()) == 1


def test_the_password_is_checked_before_the_file_is_locked_for_writing(db: Database,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id takes ~100 ms: a sign-in (or a password confirmation) held the embedded file's write lock all
    that time, and every colleague's save on the file waited behind it."""
    from adoption_desktop.core.security import passwords

    make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
    free: list[bool] = []
    real = passwords.verify_password

    def checking(stored: str, password: str) -> bool:
        other = db.engine.raw_connection()  # a colleague's connection to the file, not waiting at all
        try:
            cur = other.cursor()
            cur.execute("PRAGMA busy_timeout = 0")
            try:
                cur.execute("BEGIN IMMEDIATE")
                cur.execute("ROLLBACK")
                free.append(True)
            except Exception as exc:  # "database is locked"
                free.append(not str(exc))  # refused: the file is locked for writing
        finally:
            other.close()
        return real(stored, password)

    monkeypatch.setattr(users, "verify_password", checking)
    principal = users.authenticate(db, "clerk", TEST_PASSWORD)
    users.confirm_password(db, principal, TEST_PASSWORD)
    with pytest.raises(users.SignInError):
        users.authenticate(db, "clerk", "a wrong guess")
    assert free == [True, True, True]


def test_an_empty_user_name_is_asked_for_not_called_a_wrong_letter(db: Database, admin: Principal) -> None:
    """User trial ut28: the first administrator's form left empty said "User name: use only the letters A to Z
    …", as if something had been typed wrongly."""
    from adoption_desktop.core.errors import ValidationError

    for typed in ("", "   "):
        with pytest.raises(ValidationError, match=r"^User name: enter the name the person will sign in with") as info:
            users.create_user(db, admin, typed, "Zoe Olund", PW, [Role.COUNSELLOR])
        assert info.value.field == "username"
