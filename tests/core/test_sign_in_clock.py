"""Team mode with PCs whose clocks are minutes apart: the lock-out after too many wrong passwords, its end, the
minutes a refusal names, the last sign-in, and whether the Users list, its Unlock button and the access review
show an account locked go by the PostgreSQL server's clock, read in the statement that reads the account, in the
transaction that checks or sets them (``security.service._account_at``). Before, each PC used its own: a lock set on a PC five
minutes fast lasted five minutes too long for everyone else (a PC five minutes slow was told 25 minutes of a
15-minute lock), and a PC whose clock was ahead let the locked account in before the lock's end.

The PCs' clocks are put off through the clock module the program reads (``datetime`` as ``storage.base`` sees
it); the server's clock is put forward on the server itself (a ``clock_timestamp()`` ahead of pg_catalog's on
the database's search path), so the lock's end is reached without waiting. Nothing of the database is mocked:
real PostgreSQL, two engines (two PCs). On a database file this PC's clock stays the one clock.

What a sign-in writes to the account by statements of its own (not an ORM flush) is stamped by the server's
clock too (``updated_at``), and an attempt kept waiting for the account's row reads the clock after the wait."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select, text

from adoption_desktop.core import access_review, audit
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.models import User
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage import base
from adoption_desktop.core.storage.base import server_clock
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD, make_user
from tests.pc_clock import shift_pc_clock

FAST = dt.timedelta(minutes=5)
SLOW = dt.timedelta(minutes=-5)
LOCK = dt.timedelta(minutes=15)  # the setting's default


def _pc_clock_off(monkeypatch: pytest.MonkeyPatch, off_by: dt.timedelta) -> None:
    """This PC's clock ``off_by`` from the server's, wherever the program reads it (``utcnow``; the Users list)."""
    from adoption_desktop.ui import admin_page

    shift_pc_clock(monkeypatch, off_by, base, admin_page)


@pytest.fixture
def server_at(pg_db: Database) -> Iterator[Callable[[dt.datetime], None]]:
    """Puts the server's clock (``clock_timestamp()``, as the program reads it) forward so that it reads a given
    time (naive UTC) now, for every connection of every PC: a function of that name ahead of pg_catalog's on
    the database's search path."""
    with pg_db.engine.connect() as conn:
        name = conn.exec_driver_sql("SELECT current_database()").scalar_one()
        conn.exec_driver_sql("CREATE SCHEMA server_ahead")
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET search_path = "$user", public, server_ahead, pg_catalog')
        conn.commit()

    def put_ahead(by: dt.timedelta) -> None:
        with pg_db.engine.connect() as conn:
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION server_ahead.clock_timestamp() RETURNS timestamptz LANGUAGE sql "
                f"VOLATILE AS $$ SELECT pg_catalog.clock_timestamp() + interval '{by.total_seconds()} seconds' $$")
            conn.commit()

    def put_at(when: dt.datetime) -> None:
        with pg_db.engine.connect() as conn:
            real: dt.datetime = conn.execute(text("SELECT timezone('UTC', pg_catalog.clock_timestamp())")).scalar_one()
        put_ahead(when - real)

    put_ahead(dt.timedelta(0))
    pg_db.engine.dispose()  # the PC's connections from now on take the database's search path
    yield put_at


def _server_now(db: Database) -> dt.datetime:
    with db.session(write=False) as session:
        now: dt.datetime = session.execute(select(server_clock())).scalar_one()
        return now


def _account(db: Database, username: str) -> User:
    with db.session(write=False) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        session.expunge(user)
        return user


def test_the_server_clock_is_put_ahead_for_both_pcs(pg_db: Database, second_pc: Database,
                                                    server_at: Callable[[dt.datetime], None]) -> None:
    """The test's own means: both PCs read the server's clock put forward (else the tests below prove nothing)."""
    real = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    server_at(real + dt.timedelta(hours=2))
    for pc in (pg_db, second_pc):
        assert _server_now(pc) - real > dt.timedelta(hours=1, minutes=59)
        with pc.engine.connect() as conn:
            assert conn.execute(text("SELECT pg_catalog.clock_timestamp() < clock_timestamp()")).scalar_one()


def test_a_lock_set_on_a_pc_five_minutes_fast_holds_on_a_pc_five_minutes_slow_until_the_servers_time(
        pg_db: Database, second_pc: Database, server_at: Callable[[dt.datetime], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(pg_db, "locky", Role.LETTERBOX_COORDINATOR)
    before = _server_now(pg_db)
    with monkeypatch.context() as pc:  # PC A, five minutes fast: five wrong passwords
        _pc_clock_off(pc, FAST)
        for _ in range(4):
            with pytest.raises(users.SignInError, match=r"^User name or password is not right\.$"):
                users.authenticate(pg_db, "locky", "wrong")
        with pytest.raises(users.AccountLocked, match="now locked after 5 failed sign-ins; try again in 15 minutes"):
            users.authenticate(pg_db, "locky", "wrong")
    after = _server_now(pg_db)
    locked_until = _account(pg_db, "locky").locked_until
    assert locked_until is not None
    assert before + LOCK <= locked_until <= after + LOCK  # 15 minutes by the server's clock, not PC A's

    with monkeypatch.context() as pc:  # PC B, five minutes slow: the right password, still locked, 15 minutes
        _pc_clock_off(pc, SLOW)
        with pytest.raises(users.AccountLocked, match="locked after too many failed sign-ins; try again in "
                                                      "15 minutes or ask an administrator"):
            users.authenticate(second_pc, "locky", TEST_PASSWORD)

    # 20 seconds before the lock's end by the server's clock: a PC 20 minutes fast is not let in early (its own
    # clock is long past the lock's end), on the window's sign-in or a command's; PC B is told 1 minute
    server_at(locked_until - dt.timedelta(seconds=20))
    with monkeypatch.context() as pc:
        _pc_clock_off(pc, dt.timedelta(minutes=20))
        with pytest.raises(users.AccountLocked, match="try again in 1 minute or"):
            users.authenticate(pg_db, "locky", TEST_PASSWORD)
        pending = users.begin_sign_in(pg_db, "locky", TEST_PASSWORD)
        assert pending.principal is None  # read as locked: nothing may be read for it
        with pytest.raises(users.AccountLocked, match="try again in 1 minute or"):
            pending.confirm()
    with monkeypatch.context() as pc:
        _pc_clock_off(pc, SLOW)
        with pytest.raises(users.AccountLocked, match="try again in 1 minute or"):
            users.authenticate(second_pc, "locky", TEST_PASSWORD)

    # the server's clock past the lock's end: PC B, its own clock still 20 minutes short of it, signs in,
    # and its last sign-in is the server's time
    server_at(locked_until + dt.timedelta(seconds=2))
    with monkeypatch.context() as pc:
        _pc_clock_off(pc, SLOW)
        pending = users.begin_sign_in(second_pc, "locky", TEST_PASSWORD)
        assert pending.principal is not None
        first = _server_now(second_pc)
        assert pending.confirm().username == "locky"
        last = _server_now(second_pc)
    account = _account(pg_db, "locky")
    assert account.last_login is not None and first <= account.last_login <= last
    assert account.failed_attempts == 0 and account.locked_until is None


def test_reentering_a_password_on_a_slow_pc_is_locked_by_the_servers_clock(
        pg_db: Database, second_pc: Database, server_at: Callable[[dt.datetime], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Confirming the password (signing a decision, the idle lock) counts and checks the lock by the same clock."""
    me = make_user(pg_db, "signer", Role.AGENCY_DECISION_MAKER)
    with monkeypatch.context() as pc:  # PC A, five minutes fast
        _pc_clock_off(pc, FAST)
        for _ in range(4):
            with pytest.raises(users.PasswordNotConfirmed):
                users.confirm_password(pg_db, me, "not the password")
        with pytest.raises(users.LockedOut, match="locked after 5 failed attempts; try again in 15 minutes"):
            users.confirm_password(pg_db, me, "not the password")
    locked_until = _account(pg_db, "signer").locked_until
    assert locked_until is not None
    with monkeypatch.context() as pc:  # PC B, five minutes slow
        _pc_clock_off(pc, SLOW)
        with pytest.raises(users.LockedOut, match="try again in 15 minutes"):
            users.confirm_password(second_pc, me, TEST_PASSWORD)
    server_at(locked_until - dt.timedelta(seconds=20))
    with monkeypatch.context() as pc:  # a PC 20 minutes fast: its clock is past the end, the server's is not
        _pc_clock_off(pc, dt.timedelta(minutes=20))
        with pytest.raises(users.LockedOut, match="try again in 1 minute or"):
            users.confirm_password(pg_db, me, TEST_PASSWORD)
    server_at(locked_until + dt.timedelta(seconds=2))
    with monkeypatch.context() as pc:
        _pc_clock_off(pc, SLOW)
        users.confirm_password(second_pc, me, TEST_PASSWORD)  # unlocked by the server's time


def test_an_unlock_on_a_fast_pc_says_the_account_was_locked_by_the_servers_clock(
        pg_db: Database, second_pc: Database, server_at: Callable[[dt.datetime], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    admin = make_user(pg_db, "admin2", Role.ADMINISTRATOR)
    worker = make_user(pg_db, "worker", Role.COUNSELLOR)
    for _ in range(5):
        with pytest.raises(users.SignInError):
            users.authenticate(second_pc, "worker", "wrong")
    with monkeypatch.context() as pc:  # the administrator's PC, 20 minutes fast: past the lock's end by its clock
        _pc_clock_off(pc, dt.timedelta(minutes=20))
        users.unlock_account(pg_db, admin, worker.user_id)
    with pg_db.session(write=False) as session:
        detail = session.scalars(select(audit.AuditEntry.detail).where(audit.AuditEntry.action == "unlock")).one()
    assert "; it was locked until " in detail, detail


def _shown_locked(db: Database, admin: Principal, username: str) -> dict[str, object]:
    """How the account's lock is shown to an administrator on this PC: the Users list's Status and its Unlock
    tooltip, the selected account read again, the access review."""
    from adoption_desktop.ui.admin_page import UsersTab

    status = next(c for c in UsersTab.COLUMNS if c.title == "Status")
    listed = next(u for u in users.list_users(db, admin) if u.username == username)
    again = users.user_summary(db, admin, listed.id)
    assert again is not None
    reviewed = next(a for a in access_review.access_review(db, admin).accounts if a.username == username)
    return {"list": status.value(listed), "read again": status.value(again),
            "unlock": users.unlock_hint(again).startswith("Unlock the account"), "review": reviewed.state}


def test_the_users_list_and_the_access_review_show_the_lock_by_the_servers_clock(
        pg_db: Database, second_pc: Database, server_at: Callable[[dt.datetime], None],
        monkeypatch: pytest.MonkeyPatch) -> None:
    admin = make_user(pg_db, "admin2", Role.ADMINISTRATOR)
    make_user(pg_db, "worker", Role.COUNSELLOR)
    for _ in range(5):
        with pytest.raises(users.SignInError):
            users.authenticate(second_pc, "worker", "wrong")
    locked_until = _account(pg_db, "worker").locked_until
    assert locked_until is not None
    locked = {"list": "Locked", "read again": "Locked", "unlock": True, "review": "Locked"}
    with monkeypatch.context() as pc:  # the administrator's PC 20 minutes fast: past the lock's end by its clock
        _pc_clock_off(pc, dt.timedelta(minutes=20))
        assert _shown_locked(pg_db, admin, "worker") == locked
    server_at(locked_until + dt.timedelta(seconds=2))
    with monkeypatch.context() as pc:  # the lock over by the server's clock, on a PC five minutes slow
        _pc_clock_off(pc, SLOW)
        assert _shown_locked(pg_db, admin, "worker") == {"list": "Active", "read again": "Active", "unlock": False,
                                                         "review": "Enabled"}


def test_a_name_that_is_no_accounts_is_refused_as_before_in_team_mode(pg_db: Database) -> None:
    """The account and the server's clock are read in one statement (an outer join from one row): a name that
    is no account's, or none typed, still gets one row, the clock and no account, and the same refusal."""
    make_user(pg_db, "real", Role.COUNSELLOR)
    for typed in ("nobody", "", "Zoë"):
        with pytest.raises(users.SignInError, match=r"^User name or password is not right\.$"):
            users.authenticate(pg_db, typed, TEST_PASSWORD)
    assert users.authenticate(pg_db, "REAL", TEST_PASSWORD).username == "real"


def test_on_a_database_file_the_pcs_clock_is_the_one_clock(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    me: Principal = make_user(db, "filed", Role.COUNSELLOR)
    with monkeypatch.context() as pc:
        _pc_clock_off(pc, FAST)
        before = base.utcnow()
        for _ in range(5):
            with pytest.raises(users.SignInError):
                users.authenticate(db, me.username, "wrong")
        after = base.utcnow()
    locked_until = _account(db, "filed").locked_until
    assert locked_until is not None and before + LOCK <= locked_until <= after + LOCK


# --- what a sign-in writes to the account: its last-changed time and the lock-out read after the row's lock ---

def _between(before: dt.datetime, stamps: dict[str, dt.datetime | None], after: dt.datetime) -> None:
    off = {name: at for name, at in stamps.items() if at is None or not before <= at <= after}
    assert not off, f"stamped outside the server's {before} … {after}: {off}"


def test_a_sign_in_on_a_pc_five_minutes_fast_stamps_the_account_by_the_servers_clock(
        pg_db: Database, second_pc: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sign-in writes the account's row with a statement of its own (no ORM flush, so no mapper event): its
    ``updated_at`` took the column's ``onupdate``, this PC's clock, five minutes after the server's."""
    me = make_user(pg_db, "stamped", Role.COUNSELLOR)
    before = _server_now(pg_db)
    with monkeypatch.context() as pc:
        _pc_clock_off(pc, FAST)
        with pytest.raises(users.SignInError, match=r"^User name or password is not right\.$"):
            users.authenticate(second_pc, "stamped", "wrong")
        counted = _account(pg_db, "stamped")
        assert counted.failed_attempts == 1
        after_count = _server_now(pg_db)
        assert users.authenticate(second_pc, "stamped", TEST_PASSWORD).username == "stamped"
        signed_in = _account(pg_db, "stamped")
        with pytest.raises(users.PasswordNotConfirmed):
            users.confirm_password(second_pc, me, "not the password")
        confirmed_wrong = _account(pg_db, "stamped")
    after = _server_now(pg_db)
    _between(before, {"updated_at, a wrong password counted": counted.updated_at}, after_count)
    _between(after_count, {"updated_at, signed in": signed_in.updated_at, "last_login": signed_in.last_login}, after)
    _between(signed_in.updated_at, {"updated_at, a wrong password confirming": confirmed_wrong.updated_at}, after)


def test_a_sign_in_on_a_database_file_stamps_this_pcs_clock_and_asks_no_clock(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import event

    make_user(db, "filed", Role.COUNSELLOR)
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        with monkeypatch.context() as pc:
            clock = shift_pc_clock(pc, FAST, base)
            before = clock()
            with pytest.raises(users.SignInError):
                users.authenticate(db, "filed", "wrong")
            assert users.authenticate(db, "filed", TEST_PASSWORD).username == "filed"
            after = clock()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    account = _account(db, "filed")
    _between(before, {"updated_at": account.updated_at, "last_login": account.last_login}, after)
    assert seen and not [s for s in seen if "clock_timestamp" in s]


def _waiting_for_a_row_lock(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )).scalar_one())


def _kept_waiting(pg_db: Database, user_id: int, attempt: Callable[[], object]
                  ) -> tuple[list[BaseException], dt.datetime, dt.datetime]:
    """``attempt`` on a thread of its own while another PC's transaction (a real one on a third connection, which
    updated the account's row) holds the row, until the attempt waits for its lock and a little longer; then
    the row is let go. Returns what the attempt raised, the server's time as the row was let go, and after the
    attempt ended."""
    import threading
    import time

    outcome: list[BaseException] = []

    def run() -> None:
        try:
            attempt()
        except BaseException as err:  # kept for the test to look at
            outcome.append(err)

    with pg_db.engine.connect() as holder:
        holder.execute(text("UPDATE users SET failed_attempts = failed_attempts WHERE id = :id"), {"id": user_id})
        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 30
        while not _waiting_for_a_row_lock(pg_db):
            assert thread.is_alive() and time.monotonic() < deadline, outcome
            time.sleep(0.02)
        time.sleep(0.3)  # a wait long enough to tell the time before it from the time after it
        released = _server_now(pg_db)
        holder.rollback()
    thread.join(30)
    assert not thread.is_alive()
    return outcome, released, _server_now(pg_db)


@pytest.mark.parametrize("how", ["sign-in", "confirming the password"])
def test_a_failed_attempt_kept_waiting_for_the_accounts_row_locks_it_by_the_servers_time_after_the_wait(
        pg_db: Database, second_pc: Database, how: str) -> None:
    """Another transaction holds the account's row (here a real one on a third connection, which updated it)
    while a fifth wrong password on PC B waits for it. The time that decides the lock and sets its end was read
    with the account, before the wait: the lock ended as long before its 15 minutes as the wait had lasted.
    The server's time is now read in the statement that takes the row's lock, after the wait."""
    me = make_user(pg_db, "waited", Role.COUNSELLOR)
    for _ in range(4):
        with pytest.raises(users.SignInError):
            users.authenticate(pg_db, "waited", "wrong")

    def fifth() -> object:
        if how == "sign-in":
            return users.authenticate(second_pc, "waited", "wrong")
        return users.confirm_password(second_pc, me, "not the password")

    outcome, released, after = _kept_waiting(pg_db, me.user_id, fifth)
    assert len(outcome) == 1
    expected = users.AccountLocked if how == "sign-in" else users.LockedOut
    assert isinstance(outcome[0], expected), outcome
    assert "try again in 15 minutes or ask an administrator" in str(outcome[0])  # the message by the same time
    locked_until = _account(pg_db, "waited").locked_until
    assert locked_until is not None
    assert released + LOCK < locked_until <= after + LOCK


def test_a_name_made_before_the_ascii_rule_kept_waiting_for_its_row_locks_it_by_the_time_after_the_wait(
        pg_db: Database, second_pc: Database) -> None:
    """An account named before user names were ASCII, whose name the server's lower() does not fold as the
    program does ("ΟΔΟς": its final sigma), is found by the fallback comparison after the first read found none;
    that path reads the account again with its row's lock, and the server's time with it, after the wait."""
    me = make_user(pg_db, "odos", Role.COUNSELLOR)
    with pg_db.session() as session:  # renamed as an account made before the rule would be: audited, sealed
        account = session.get(User, me.user_id)
        assert account is not None
        account.username = "ΟΔΟς"
    with pg_db.engine.connect() as conn:  # the first read misses it: the fallback is what finds it
        assert conn.execute(text("SELECT lower('ΟΔΟς')")).scalar_one() != users._name_key("οδος")
    for _ in range(4):
        with pytest.raises(users.SignInError):
            users.authenticate(pg_db, "οδος", "wrong")
    assert _account(pg_db, "ΟΔΟς").failed_attempts == 4
    outcome, released, after = _kept_waiting(pg_db, me.user_id, lambda: users.authenticate(second_pc, "οδος", "wrong"))
    assert len(outcome) == 1 and isinstance(outcome[0], users.AccountLocked), outcome
    locked_until = _account(pg_db, "ΟΔΟς").locked_until
    assert locked_until is not None
    assert released + LOCK < locked_until <= after + LOCK
