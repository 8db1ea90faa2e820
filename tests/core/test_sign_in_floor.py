"""Every failed sign-in is answered at one time after the attempt began (``FAILED_SIGN_IN_FLOOR``), so how
long a refusal takes does not tell which user names are accounts: an unknown name (one argon2 check) was
answered 5–30 ms sooner than a real account's wrong password (the same check, then ~20 SQL statements of
seal check, failure count and audit entry). A right password is not held back.

No test waits or asserts a time: the clock and the wait are the tests' own (``FakeTime``), and what is
checked is the wait asked for: that it ends at the start of the attempt plus the floor."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.conftest import TEST_PASSWORD, make_user

FLOOR = users.FAILED_SIGN_IN_FLOOR


class FakeTime:
    """A monotonic clock that moves a little at every reading (the work of the attempt) and by what is
    slept; the sleeps asked for, and the reading each began at."""

    def __init__(self, start: float = 1000.0, step: float = 0.01) -> None:
        self.now, self.step = start, step
        self.readings: list[float] = []
        self.sleeps: list[tuple[float, float]] = []  # (when, how long)

    def clock(self) -> float:
        self.now += self.step
        self.readings.append(self.now)
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append((self.now, seconds))
        self.now += seconds

    def answered_at(self) -> float:
        """When the one wait asked for ends."""
        assert len(self.sleeps) == 1, self.sleeps
        when, seconds = self.sleeps[0]
        return when + seconds


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    t = FakeTime()
    monkeypatch.setattr(users, "_monotonic", t.clock)
    monkeypatch.setattr(users, "_sleep", t.sleep)
    return t


def test_the_wait_lasts_until_the_floor_after_the_start() -> None:
    asked: list[float] = []
    users._answer_no_sooner(10.0, 0.5, clock=lambda: 10.125, sleep=asked.append)
    assert asked == [pytest.approx(0.375)]


@pytest.mark.parametrize("now", [10.5, 10.75, 12.0])
def test_no_wait_once_the_floor_has_passed(now: float) -> None:
    asked: list[float] = []
    users._answer_no_sooner(10.0, 0.5, clock=lambda: now, sleep=asked.append)
    assert asked == []


def test_the_floor_is_well_above_a_failed_sign_in_and_below_a_second() -> None:
    # a failure takes ~0.1 s of argon2 and some SQL (more in team mode): the floor must stay above it
    assert 0.3 <= FLOOR < 1.0


def _wrong(db: Database, name: str) -> Callable[[], object]:
    return lambda: users.authenticate(db, name, "not-the-password-at-all")


def _lock(db: Database, name: str) -> None:
    """Wrong passwords until the account is locked (by the setting's number of attempts)."""
    for _ in range(10):
        try:
            users.authenticate(db, name, "not-the-password-at-all")
        except users.AccountLocked:
            return
        except users.SignInError:
            continue
    pytest.fail("the account was never locked")


@pytest.mark.parametrize("case", ["unknown name", "disabled account", "wrong password", "locking attempt",
                                  "locked account"])
def test_every_failed_sign_in_is_answered_at_the_floor(db: Database, admin: Principal,
                                                       monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    sam = make_user(db, "sam", Role.COUNSELLOR)
    if case == "disabled account":
        users.set_disabled(db, admin, sam.user_id, True)
    if case == "locked account":
        _lock(db, "sam")
    if case == "locking attempt":  # one wrong password short of the lock: this attempt locks it
        for _ in range(4):
            with pytest.raises(users.SignInError):
                _wrong(db, "sam")()
    t = FakeTime()
    monkeypatch.setattr(users, "_monotonic", t.clock)
    monkeypatch.setattr(users, "_sleep", t.sleep)
    # the attempt's own work takes a different time for each case (a real account's failure runs more SQL):
    # the answer must still come at the floor after the START, wherever the failure happens to be known
    work = {"unknown name": 0.02, "disabled account": 0.05, "wrong password": 0.2, "locking attempt": 0.3,
            "locked account": 0.1}[case]
    checked = users._check_password

    def check_taking_time(*args: object, **kwargs: object) -> Principal:
        t.now += work
        return checked(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(users, "_check_password", check_taking_time)
    name = "nobody-here" if case == "unknown name" else "sam"
    password = TEST_PASSWORD if case in ("disabled account", "locked account") else "not-the-password-at-all"
    expected = users.AccountLocked if case in ("locking attempt", "locked account") else users.SignInError
    begun = t.now
    with pytest.raises(expected) as info:
        users.authenticate(db, name, password)
    assert not isinstance(info.value, users.PasswordChangeRequired)
    assert t.readings[0] == pytest.approx(begun + t.step)  # the attempt's start was read first, before any work
    assert t.answered_at() == pytest.approx(begun + t.step + FLOOR)


def test_a_right_password_is_not_held_back(db: Database, fake: FakeTime) -> None:
    make_user(db, "sam", Role.COUNSELLOR)
    assert users.authenticate(db, "sam", TEST_PASSWORD).username == "sam"
    assert fake.sleeps == []


def test_a_right_password_that_must_be_changed_is_not_held_back(db: Database, admin: Principal,
                                                                fake: FakeTime) -> None:
    users.create_user(db, admin, "newbie", "Newbie Tester", "tawny-quill-harbour", [Role.COUNSELLOR])
    with pytest.raises(users.PasswordChangeRequired):
        users.authenticate(db, "newbie", "tawny-quill-harbour")
    assert fake.sleeps == []


def test_a_wait_for_a_failure_is_not_asked_again_after_a_slow_one(db: Database, fake: FakeTime) -> None:
    """A failure that took longer than the floor (behind a colleague's long save) is answered at once."""
    make_user(db, "sam", Role.COUNSELLOR)
    fake.step = FLOOR  # the attempt's first statement already takes the whole floor
    with pytest.raises(users.SignInError):
        _wrong(db, "sam")()
    assert fake.sleeps == []


@pytest.mark.parametrize("case", ["unknown name", "wrong password", "locked account"])
def test_an_export_sign_in_fails_at_the_floor_after_it_was_begun(db: Database, monkeypatch: pytest.MonkeyPatch,
                                                                 case: str) -> None:
    make_user(db, "sam", Role.COUNSELLOR)
    if case == "locked account":
        _lock(db, "sam")
    t = FakeTime()
    monkeypatch.setattr(users, "_monotonic", t.clock)
    monkeypatch.setattr(users, "_sleep", t.sleep)
    name = "nobody-here" if case == "unknown name" else "sam"
    password = TEST_PASSWORD if case == "locked account" else "not-the-password-at-all"
    pending = users.begin_sign_in(db, name, password)
    begun = t.readings[0]
    t.now += 0.2  # the command reads meanwhile
    with pytest.raises(users.SignInError):
        pending.confirm()
    assert t.answered_at() == pytest.approx(begun + FLOOR)
    with pytest.raises(users.SignInError):  # the command's clean-up confirms again: no second wait
        pending.confirm()
    assert len(t.sleeps) == 1


def test_an_export_sign_in_with_the_right_password_is_not_held_back(db: Database, fake: FakeTime) -> None:
    make_user(db, "sam", Role.COUNSELLOR)
    assert users.begin_sign_in(db, "sam", TEST_PASSWORD).confirm().username == "sam"
    assert fake.sleeps == []


def test_team_mode_a_wrong_password_is_answered_at_the_floor(pg_db: Database, fake: FakeTime) -> None:
    make_user(pg_db, "sam", Role.COUNSELLOR)
    with pytest.raises(users.SignInError, match="not right"):
        _wrong(pg_db, "sam")()
    assert fake.answered_at() == pytest.approx(fake.readings[0] + FLOOR)
    assert users.authenticate(pg_db, "sam", TEST_PASSWORD).username == "sam"  # and a right one is not held
    assert len(fake.sleeps) == 1


# --- re-entering one's own password (confirm_password): answered at the same floor -------------------------
# Every window caller runs it on a worker thread (the lock screen, signing a decision, approving minutes,
# changing one's own password), so the wait freezes nothing.

@pytest.mark.parametrize("case", ["wrong password", "locking attempt", "locked account", "no password"])
def test_every_refused_confirmation_is_answered_at_the_floor(db: Database, monkeypatch: pytest.MonkeyPatch,
                                                             case: str) -> None:
    sam = make_user(db, "sam", Role.COUNSELLOR)
    if case == "locked account":
        _lock(db, "sam")
    if case == "locking attempt":  # one wrong password short of the lock: this attempt locks it
        for _ in range(4):
            with pytest.raises(users.PasswordNotConfirmed):
                users.confirm_password(db, sam, "not-the-password-at-all")
    t = FakeTime()
    monkeypatch.setattr(users, "_monotonic", t.clock)
    monkeypatch.setattr(users, "_sleep", t.sleep)
    password = {"locked account": TEST_PASSWORD, "no password": ""}.get(case, "not-the-password-at-all")
    expected = users.LockedOut if case in ("locking attempt", "locked account") else users.PasswordNotConfirmed
    with pytest.raises(expected):
        users.confirm_password(db, sam, password)
    assert t.answered_at() == pytest.approx(t.readings[0] + FLOOR)


def test_a_right_password_confirmed_is_not_held_back(db: Database, fake: FakeTime) -> None:
    sam = make_user(db, "sam", Role.COUNSELLOR)
    users.confirm_password(db, sam, TEST_PASSWORD)
    assert users.reauthenticate(db, sam, TEST_PASSWORD)
    assert fake.sleeps == []


def test_a_slow_refused_confirmation_is_answered_at_once(db: Database, fake: FakeTime) -> None:
    sam = make_user(db, "sam", Role.COUNSELLOR)
    fake.step = FLOOR  # the confirmation's first statement already takes the whole floor
    with pytest.raises(users.PasswordNotConfirmed):
        users.confirm_password(db, sam, "not-the-password-at-all")
    assert fake.sleeps == []


def test_team_mode_a_wrong_password_confirmed_is_answered_at_the_floor(pg_db: Database, fake: FakeTime) -> None:
    sam = make_user(pg_db, "sam", Role.COUNSELLOR)
    with pytest.raises(users.PasswordNotConfirmed, match="not your password"):
        users.confirm_password(pg_db, sam, "not-the-password-at-all")
    assert fake.answered_at() == pytest.approx(fake.readings[0] + FLOOR)
    users.confirm_password(pg_db, sam, TEST_PASSWORD)  # and a right one is not held
    assert len(fake.sleeps) == 1
