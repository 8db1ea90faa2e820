"""Re-authentication (signing a decision, approving minutes, changing your own password, unlocking the idle
lock) says why it was refused: a wrong password with the attempts left, or a locked account with the real
minutes left — not "wrong password" while the account is locked (security review)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core import audit
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.base import utcnow
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD, make_user

NOW = dt.datetime(2026, 11, 23, 9, 0)
LOCKED = ("Your account is locked after 5 failed attempts; try again in 15 minutes or ask an administrator "
          "to unlock it.")


def _wrong(db: Database, me: Principal, now: dt.datetime = NOW) -> str:
    with pytest.raises(users.PasswordNotConfirmed) as err:
        users.confirm_password(db, me, "not the password", now=now)
    assert err.value.field == "password"
    return str(err.value)


def _locked(db: Database, me: Principal, password: str, now: dt.datetime) -> str:
    with pytest.raises(users.LockedOut) as err:
        users.confirm_password(db, me, password, now=now)
    assert err.value.field is None  # typing again cannot help: the dialog does not ask again
    return str(err.value)


def test_a_wrong_password_says_how_many_attempts_are_left(db: Database) -> None:
    me = make_user(db, "signer", Role.AGENCY_DECISION_MAKER)
    assert _wrong(db, me) == "Password: that is not your password; 4 attempts left before your account is locked."
    assert "; 3 attempts left" in _wrong(db, me)
    assert "; 2 attempts left" in _wrong(db, me)
    assert _wrong(db, me) == "Password: that is not your password; 1 attempt left before your account is locked."
    users.confirm_password(db, me, TEST_PASSWORD, now=NOW)  # the right one: accepted, the count starts again
    assert "; 4 attempts left" in _wrong(db, me)


def test_the_attempt_that_locks_the_account_says_so_with_the_full_lock_time(db: Database) -> None:
    me = make_user(db, "signer", Role.AGENCY_DECISION_MAKER)
    for _ in range(4):
        _wrong(db, me)
    assert _locked(db, me, "not the password", NOW) == LOCKED  # not "16 minute(s)", not "wrong password"
    # the lock-out is real: recorded in the audit log and refusing the sign-in too
    with db.session() as s:
        details = [e.detail for e in s.query(audit.AuditEntry).filter_by(action="sign_in_failed")]
    assert details[-1] == "account locked after repeated failed sign-ins"
    with pytest.raises(users.AccountLocked, match="try again in 15 minutes "):
        users.authenticate(db, "signer", TEST_PASSWORD, now=NOW)


def test_while_locked_even_the_right_password_is_refused_with_the_minutes_left(db: Database) -> None:
    me = make_user(db, "signer", Role.AGENCY_DECISION_MAKER)
    for _ in range(5):
        with pytest.raises(ValidationError):
            users.confirm_password(db, me, "not the password", now=NOW)
    second = dt.timedelta(seconds=1)
    assert "try again in 15 minutes " in _locked(db, me, TEST_PASSWORD, NOW + 30 * second)
    assert "try again in 14 minutes " in _locked(db, me, TEST_PASSWORD, NOW + 60 * second)
    assert "try again in 14 minutes " in _locked(db, me, TEST_PASSWORD, NOW + 61 * second)
    assert "try again in 2 minutes " in _locked(db, me, TEST_PASSWORD, NOW + 13 * 60 * second)
    last = _locked(db, me, TEST_PASSWORD, NOW + (14 * 60 + 30) * second)
    assert "try again in 1 minute or ask an administrator" in last  # singular
    assert "locked after 5 failed attempts" in last
    # no attempt while locked is counted: when the lock ends the right password works at once
    users.confirm_password(db, me, TEST_PASSWORD, now=NOW + 15 * 60 * second)


def test_sign_in_lock_message_counts_minutes_the_same_way(db: Database) -> None:
    make_user(db, "locky", Role.MANAGER)
    for _ in range(5):
        with pytest.raises(users.SignInError):
            users.authenticate(db, "locky", "wrong", now=NOW)
    for after, words in ((0, "15 minutes"), (59, "15 minutes"), (60, "14 minutes"), (14 * 60 + 1, "1 minute")):
        with pytest.raises(users.AccountLocked) as err:
            users.authenticate(db, "locky", TEST_PASSWORD, now=NOW + dt.timedelta(seconds=after))
        assert f"try again in {words} or ask" in str(err.value)
        assert "minute(s)" not in str(err.value)


def test_minutes_left_rounds_up_and_never_below_one() -> None:
    until = NOW + dt.timedelta(minutes=15)
    assert users.minutes_left(until, NOW) == 15
    assert users.minutes_left(until, NOW + dt.timedelta(seconds=1)) == 15
    assert users.minutes_left(until, NOW + dt.timedelta(minutes=1)) == 14
    assert users.minutes_left(until, until - dt.timedelta(milliseconds=1)) == 1
    assert users.minutes_text(1) == "1 minute" and users.minutes_text(2) == "2 minutes"


def test_a_lock_out_after_a_single_attempt_says_attempt(db: Database) -> None:
    from adoption_desktop.core.config import LOCKOUT_ATTEMPTS
    from adoption_desktop.core.settings_service import set_setting

    set_setting(db, make_user(db, "admin", Role.ADMINISTRATOR), LOCKOUT_ATTEMPTS, 1)
    me = make_user(db, "signer", Role.AGENCY_DECISION_MAKER)
    assert _locked(db, me, "not the password", NOW).startswith(
        "Your account is locked after 1 failed attempt; try again in 15 minutes ")


def test_reauthenticate_keeps_its_true_or_false_contract(db: Database) -> None:
    me = make_user(db, "signer", Role.AGENCY_DECISION_MAKER)
    assert users.reauthenticate(db, me, TEST_PASSWORD, now=NOW)
    for _ in range(5):
        assert not users.reauthenticate(db, me, "wrong", now=NOW)
    assert not users.reauthenticate(db, me, TEST_PASSWORD, now=NOW)  # locked


def test_every_reauthentication_shows_the_same_words(db: Database, qtbot: Any) -> None:
    """Signing an ADM decision, the chair approving minutes, changing your own password and unlocking the
    idle lock: the same refusal, the wrong-password one and the locked one (real clock: 15 minutes)."""
    from adoption_desktop.adm import service as adm
    from adoption_desktop.panel import service as panel
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.main_window import MainWindow
    from adoption_desktop.ui.tasks import TaskRunner
    from tests.adm.conftest import handoff, open_from_panel

    me = make_user(db, "both", Role.AGENCY_DECISION_MAKER, Role.PANEL_CHAIR)
    signed_on = utcnow().date()
    with db.session() as s:
        decision = open_from_panel(s, handoff(received=signed_on))
    adm.record_decision(db, me, decision, outcome="agree", decision_text="Approved.", reasons="")

    window = MainWindow(AppContext(db, me, TaskRunner(synchronous=True)), idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    window.lock()
    assert window.lock_screen is not None

    def refusals(password: str) -> list[str]:
        said = []
        for attempt in (lambda: adm.sign_decision(db, me, decision, password, signed_on),
                        lambda: panel.approve_minutes(db, me, 1, password),
                        lambda: users.change_own_password(db, me, password, "a-new-long-password")):
            with pytest.raises(ValidationError) as err:
                attempt()
            said.append(str(err.value))
        assert not window.try_unlock(password)
        said.append(window.lock_screen.message.text())
        return said

    first = refusals("not the password")
    assert first[:2] == [f"Password: that is not your password; {n} attempts left before your account is locked."
                         for n in (4, 3)]
    assert first[3] == "Password: that is not your password; 1 attempt left before your account is locked."
    assert first[2] == "Current password: that is not your password; 2 attempts left before your account is locked."
    # the fifth wrong password locks the account and says so
    assert not window.try_unlock("not the password either")
    assert window.lock_screen.message.text() == LOCKED
    # now even the right password is refused as locked, in the same words everywhere
    assert refusals(TEST_PASSWORD) == [LOCKED] * 4
    assert window.locked  # still locked: nothing was unlocked, signed or approved
    with db.session() as s:
        from adoption_desktop.adm.models import AdmDecision

        assert s.get(AdmDecision, decision).signed_at is None  # type: ignore[union-attr]


NOW_LOCKED = ("User name or password is not right, and this account is now locked after 5 failed sign-ins; "
              "try again in 15 minutes or ask an administrator to unlock it.")


def test_the_sign_in_that_locks_the_account_says_it_is_now_locked(db: Database, admin: Principal) -> None:
    """Tester: the fifth wrong password said "User name or password is not right." and only the sixth said
    the account was locked. An unknown or disabled user name says what it said before, however often it is
    tried: it is never "now locked" (a name that is no account's cannot be locked, and saying so would
    only tell which names are accounts, as the locked message tells no sooner than before)."""
    from adoption_desktop.core.security.models import User

    make_user(db, "locky", Role.MANAGER)
    gone = make_user(db, "gone", Role.MANAGER)
    users.set_disabled(db, admin, gone.user_id, True)
    said: list[str] = []
    for _ in range(4):
        with pytest.raises(users.SignInError) as err:
            users.authenticate(db, "locky", "wrong", now=NOW)
        assert not isinstance(err.value, users.AccountLocked)
        said.append(str(err.value))
    assert said == ["User name or password is not right."] * 4
    with pytest.raises(users.AccountLocked) as err:
        users.authenticate(db, "locky", "wrong", now=NOW)
    assert str(err.value) == NOW_LOCKED
    with db.session(write=False) as s:  # the lock is real, for the full time
        assert s.query(User).filter_by(username="locky").one().locked_until == NOW + dt.timedelta(minutes=15)
    with pytest.raises(users.AccountLocked, match="try again in 15 minutes "):  # the sixth, as before
        users.authenticate(db, "locky", TEST_PASSWORD, now=NOW)
    for name in ("nobody-by-this-name", "gone"):
        for _ in range(7):
            with pytest.raises(users.SignInError) as err:
                users.authenticate(db, name, "wrong", now=NOW)
            assert type(err.value) is users.SignInError and str(err.value) == "User name or password is not right."


def test_the_command_line_says_the_account_is_now_locked(db: Database, db_path: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop import cli

    make_user(db, "locky", Role.MANAGER, Role.PANEL_ADMINISTRATOR)
    db.dispose()
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, "wrong")
    argv = ["export", "panel-calendar", "--db", str(db_path), "--user", "locky", "--out", str(tmp_path / "c.ics")]
    lines = []
    for _ in range(5):
        assert cli.main(argv) == 2
        lines.append([ln for ln in capsys.readouterr().err.splitlines() if ln.strip()])
    assert lines[3] == ["adoption-desktop: --user locky: User name or password is not right."]
    assert len(lines[4]) == 1 and lines[4][0].startswith(
        "adoption-desktop: --user locky: User name or password is not right, and this account is now locked "
        "after 5 failed sign-ins; try again in ")
    assert not (tmp_path / "c.ics").exists()
