"""Sign-in, re-authentication, lock-out and user administration (every change audited)."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import ColumnElement, Table, false, func, literal, select, true, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, aliased

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import check_version, lock_row, when_text
from adoption_desktop.core.config import LOCKOUT_ATTEMPTS, LOCKOUT_MINUTES
from adoption_desktop.core.errors import (
    AppError,
    Conflict,
    DatabaseBusy,
    NotFound,
    ValidationError,
    WaitCancelled,
)
from adoption_desktop.core.security import refusals
from adoption_desktop.core.security.models import User, UserRole
from adoption_desktop.core.security.passwords import (
    hash_password,
    password_problem,
    verify_nothing,
    verify_password,
)
from adoption_desktop.core.security.permissions import SYSTEM, Permission, Principal, Role, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.base import get_or_raise, record_now, server_clock, utcnow
from adoption_desktop.core.storage.engine import (
    PASSWORD_CHANGED,
    REENTERED_MESSAGE,
    Database,
    is_busy_error,
    session_actor,
)

_log = logging.getLogger(__name__)


class SignInError(AppError):
    pass


class AccountLocked(SignInError):
    pass


class AccountChangedOutside(SignInError):
    """The account's own row is not as the application last wrote it (a password hash replaced or a disabled
    account enabled in SQL, by someone holding the key or the server login): it signs in no more until an
    administrator resets its password (:func:`reset_password`), which seals the row again under their name."""


#: said to whoever signs in to (or confirms the password of) an account changed outside the application
ACCOUNT_CHANGED = ("This account was changed outside the application, so it cannot sign in. Ask an administrator "
                   "to reset its password.")
#: the reason in the audit entry of that refusal
ACCOUNT_CHANGED_REASON = "the account's row was changed outside the application (see verify)"


class PasswordChangeRequired(SignInError):
    """The user name and password were right, but the password was set by an administrator: the user must
    choose their own (:func:`change_own_password` with ``principal``) before anything else; every other
    step is refused until then. The window asks for it at once (the sign-in is recorded, and a sign-out if
    they cancel); the command line, which cannot ask, stops with this message (recorded as a refused
    sign-in: nobody was signed in)."""

    def __init__(self, principal: Principal) -> None:
        super().__init__("Your password was set by an administrator and must be changed before anything else: "
                         "sign in to the Adoption Desktop window, which asks you to choose your own.")
        self.principal = principal


def sign_in_busy_message(name: str) -> str:
    """What a sign-in says when the database stayed busy with another user's long save past the bound."""
    return (f"Not signed in yet: {name} is busy with another user's work (a long save, such as an import) and "
            "was still busy after waiting. Nothing was lost, and nothing was recorded against your account. "
            "Try again in a minute.")


class SignInBusy(DatabaseBusy):
    """A sign-in that could not be recorded because another user's long save held the database past the
    bound (``ADOPTION_DESKTOP_BUSY_WAIT``): nothing was written (no sign-in, no failed attempt counted, no
    lock-out), so nothing is missing from the audit log either. Not a :class:`SignInError`: the user name
    and password were not judged."""


class SignInWaitStopped(WaitCancelled):
    """The person stopped waiting for another user's save while signing in (the sign-in dialog's Cancel):
    nothing was written, as for :class:`SignInBusy`."""

    MESSAGE = ("Not signed in: you stopped waiting for another user's save to finish. Nothing was recorded "
               "against your account; sign in again when you are ready.")

    def __init__(self, message: str = MESSAGE) -> None:
        super().__init__(message)


def _sign_in_wait(db: Database, err: DatabaseBusy) -> DatabaseBusy:
    """The sign-in's own words for a wait that ended without the sign-in being written."""
    if isinstance(err, WaitCancelled):
        return err if isinstance(err, SignInWaitStopped) else SignInWaitStopped()
    if isinstance(err, SignInBusy) or str(err) == REENTERED_MESSAGE:
        return err
    return SignInBusy(sign_in_busy_message(db.name))


class PasswordNotConfirmed(ValidationError):
    """Re-authentication refused: the password typed is not the signed-in user's (or none was typed).
    ``field`` names the password box, so a dialog keeps itself open to type it again."""


class LockedOut(AccountLocked, ValidationError):
    """Re-authentication refused because the account is locked (by this very attempt or before): typing
    again cannot help, so it names no field and says how long to wait."""

    def __init__(self, message: str) -> None:
        ValidationError.__init__(self, message, None)


def minutes_text(minutes: int) -> str:
    """``"15 minutes"``, ``"1 minute"``."""
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def minutes_left(locked_until: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes until ``locked_until``, rounded up (never promise a time at which it is still
    locked), at least 1: 15 straight after a 15-minute lock, 1 in its last minute."""
    seconds = (locked_until - now).total_seconds()
    return max(1, math.ceil(seconds / 60))


#: a sign-in refused for an unknown or disabled user name, or a wrong password (the same words for all three)
NOT_RIGHT = "User name or password is not right."

#: seconds from the start of a sign-in attempt before a **failed** one is answered (:func:`_answer_no_sooner`):
#: an unknown user name, a disabled account, a wrong password, a locked account, an account changed outside
#: the application. Each spends one argon2id check (~0.1 s), but a real account's failure then runs ~20 more
#: SQL statements (its seal checked, the failure counted and sealed, the audit entry) than a name that is no
#: account's: 5–30 ms more on a file, more in team mode (a round trip each), enough to tell which names are
#: accounts by trying many. Answered at this floor, every failure takes the same time; 0.5 s is several times
#: the slowest of them normally (~0.15 s on a file, ~0.25 s in team mode over a slow network), and no longer
#: than a person notices as a pause. A right password is never held back. A failure that took longer than
#: the floor (a colleague's long save waited for) is answered when it is done.
FAILED_SIGN_IN_FLOOR = 0.5

#: the clock and the wait :func:`_answer_no_sooner` uses when not given its own (the tests record the wait)
_monotonic: Callable[[], float] = time.monotonic
_sleep: Callable[[float], None] = time.sleep


def _answer_no_sooner(started: float, floor: float = FAILED_SIGN_IN_FLOOR, *,
                      clock: Callable[[], float] | None = None, sleep: Callable[[float], None] | None = None) -> None:
    """Wait until ``floor`` seconds after ``started`` (a reading of ``clock``, by default :func:`time.monotonic`)
    before a failed sign-in is answered; at once when that time has passed already."""
    left = started + floor - (clock or _monotonic)()
    if left > 0:
        (sleep or _sleep)(left)


def _failed_answer(exc: BaseException) -> bool:
    """Is ``exc`` the answer to a failed sign-in (held back to :data:`FAILED_SIGN_IN_FLOOR`)? Not a password
    that was right but must be changed first, which is no failure."""
    return isinstance(exc, SignInError) and not isinstance(exc, PasswordChangeRequired)


def _now_locked_message(attempts: int, locked_until: dt.datetime, now: dt.datetime) -> str:
    """The end of the sign-in refusal that locks the account: "this account is now locked after 5 failed
    sign-ins; try again in 15 minutes or ask an administrator to unlock it." """
    tries = "1 failed sign-in" if attempts == 1 else f"{attempts} failed sign-ins"
    return (f"this account is now locked after {tries}; try again in "
            f"{minutes_text(minutes_left(locked_until, now))} or ask an administrator to unlock it.")


def _locked_message(attempts: int, locked_until: dt.datetime, now: dt.datetime) -> str:
    tries = "1 failed attempt" if attempts == 1 else f"{attempts} failed attempts"
    return (f"Your account is locked after {tries}; try again in "
            f"{minutes_text(minutes_left(locked_until, now))} or ask an administrator to unlock it.")


@dataclass(frozen=True)
class UserSummary:
    id: int
    username: str
    full_name: str
    roles: tuple[Role, ...]
    disabled: bool
    locked_until: dt.datetime | None
    last_login: dt.datetime | None
    #: the account's version when read: pass it back to :func:`set_roles` / :func:`set_disabled`
    row_version: int = 1
    #: printed under the user's name where they sign a letter (:func:`set_job_title`)
    job_title: str = ""
    #: how many times the password was set when read: pass it back to :func:`reset_password`
    password_serial: int = 0
    #: role rows on the account that are not in effect (:func:`withheld_roles`), as stored
    roles_withheld: tuple[str, ...] = ()
    #: wrong passwords counted since the last lock, unlock or right password (:func:`unlock_refusal`)
    failed_attempts: int = 0
    #: how far the clock the lock-out goes by (the server's in team mode) was ahead of this PC's when read
    #: (:meth:`now`); not part of the account as read (two reads of an unchanged account are equal)
    clock_ahead: dt.timedelta = field(default=dt.timedelta(0), compare=False)

    def now(self) -> dt.datetime:
        """Now by the clock the account's lock-out goes by (naive UTC): this PC's, put right by
        ``clock_ahead``, so that a list left open shows the lock ending when it does for every PC."""
        return utcnow() + self.clock_ahead

    def locked(self, now: dt.datetime | None = None) -> bool:
        """Locked after too many wrong passwords (not yet at its end); ``now`` naive UTC (default :meth:`now`)."""
        return self.locked_until is not None and self.locked_until > (now or self.now())


#: what sign-in, the Users page and the audit entry say of a role row the application did not write
WITHHELD_WHY = "added or changed outside the application (no seal of the application's; see verify)"


def withheld_roles(session: Session, user: User) -> frozenset[str]:
    """The account's role rows that are **not in effect**: rows the application did not write, or not as it
    wrote them (no seal of the application's, or one that does not match: a role inserted or changed in SQL
    by whoever holds the key or the server login), and any value that is no role of the application's. A
    role is given only through the application (:func:`set_roles`, :func:`create_user`), which seals the
    row and audits the grant under the administrator's name; a row that appeared otherwise would grant
    whatever it names at the next sign-in, where ``verify`` could only report it afterwards."""
    if not user.roles:
        return frozenset()
    withheld = withheld_role_rows(session, [(user.id, r.role) for r in user.roles])
    return frozenset(role for _uid, role in withheld)


def withheld_role_rows(session: Session, rows: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of these ``(user id, role)`` rows of ``user_roles``, those not in effect (:func:`withheld_roles`), for
    many accounts in a few statements: the Users page, and the lists of who may be chosen for a role (a
    counsellor to allocate, a letterbox coordinator) ask it too."""
    if not rows or session.info.get("audit_hold"):
        # while the log is held for not matching its anchors (cut short, rewritten), seals may be the ones
        # missing: the administrator who must acknowledge the hold signs in with the roles as stored
        return set()
    from adoption_desktop.core.audit.seal_check import unvouched_seals
    from adoption_desktop.core.audit.seals import pk_string, rows_off_seal_where

    known = {str(r) for r in Role}
    conn = session.connection()
    keys = {pk_string([uid, role]): (uid, role) for uid, role in rows}
    off = rows_off_seal_where(conn, cast(Table, UserRole.__table__), "user_id", sorted({uid for uid, _r in rows}))
    off &= set(keys)
    # a row that matches a seal record someone wrote beside it (no intact audit entry behind it) counts as off
    off |= unvouched_seals(conn, "user_roles", [k for k in keys if k not in off])
    return {pair for key, pair in keys.items() if key in off or pair[1] not in known}


def in_effect(session: Session, rows: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of these ``(user id, role)`` rows, those in effect (the others: :func:`withheld_role_rows`)."""
    withheld = withheld_role_rows(session, rows)
    return {pair for pair in rows if pair not in withheld}


def withheld_notice(principal: Principal) -> str:
    """What the signed-in person is told when role rows on their account are not in effect; "" if none."""
    if not principal.roles_withheld:
        return ""
    named = ", ".join(sorted(role_label(r) for r in principal.roles_withheld))
    return (f"Not in effect on your account: {named} (added outside the application). If it is meant, ask an "
            "administrator to give it.")


def _principal(session: Session, user: User) -> Principal:
    withheld = withheld_roles(session, user)
    return Principal(user.id, user.username, user.full_name,
                     frozenset(Role(r.role) for r in user.roles if r.role not in withheld),
                     password_serial=user.password_serial, roles_withheld=withheld)


def _summary(session: Session, user: User, withheld: frozenset[str] | None = None,
             clock_ahead: dt.timedelta = dt.timedelta(0)) -> UserSummary:
    withheld = withheld_roles(session, user) if withheld is None else withheld
    return UserSummary(user.id, user.username, user.full_name,
                       tuple(Role(r.role) for r in user.roles if r.role not in withheld),
                       user.disabled, user.locked_until, user.last_login, user.row_version, user.job_title,
                       user.password_serial, tuple(sorted(withheld)), user.failed_attempts or 0, clock_ahead)


def _ahead_of_pc(session: Session, now: dt.datetime) -> dt.timedelta:
    """How far ``now``, the server's clock just read (team mode), is ahead of this PC's; nothing on a file."""
    return now - utcnow() if session.get_bind().dialect.name == "postgresql" else dt.timedelta(0)


#: the characters a user name may have: ASCII only, so that sign-in matches it without regard to case in
#: SQLite as in PostgreSQL (SQLite's lower() folds only A-Z: "Zoë.Ölund" could never sign in) and no name
#: can pass for another in the audit log ("аdmin" with a Cyrillic "а" beside "admin")
USERNAME_RULE = "use only the letters A to Z (no accents), digits, dots (.), dashes (-) or underscores (_)"
_USERNAME = re.compile(r"[A-Za-z0-9._-]*[A-Za-z0-9][A-Za-z0-9._-]*")


def username_problem(username: str, label: str = "User name") -> str | None:
    """A message naming the rule (beginning with ``label``: the field, or the command-line option), or None
    when ``username`` (already cleaned) may be a new user's name."""
    if not username.strip():  # nothing typed: say so first (it read "use only the letters A to Z …": user trial ut28)
        return f"{label}: enter the name the person will sign in with, e.g. jo.sample ({USERNAME_RULE})."
    if username.startswith("-"):  # "--user -x" would read as another option; "-" also starts a formula
        return (f"{label}: cannot begin with a dash (-); a command line would read it as an option, and a "
                "spreadsheet as a formula. Begin with a letter or digit.")
    if _USERNAME.fullmatch(username):
        return None
    odd = next((ch for ch in username if not (ch.isascii() and (ch.isalnum() or ch in "._-"))), None)
    which = f" ({odd!r} is not one of them)" if odd is not None else ""
    return f"{label}: {USERNAME_RULE}{which}."


def _name_key(username: str) -> str:
    return unicodedata.normalize("NFC", username.strip()).casefold()


def _user_named(session: Session, username: str) -> User | None:
    """The account a typed user name names, without regard to case. User names are ASCII now; one made
    before that rule (an accented capital) is found by comparing here, as SQLite's lower() leaves it."""
    key = _name_key(username)
    if not key:
        return None
    user = session.scalar(select(User).where(func.lower(User.username) == key))
    if user is not None or key.isascii():
        return user
    for user_id, name in session.execute(select(User.id, User.username)):
        if _name_key(name) == key:
            return session.get(User, user_id)
    return None


def _account_at(session: Session, where: ColumnElement[bool], now: dt.datetime | None, *, lock: bool = False
                ) -> tuple[User | None, dt.datetime]:
    """The account ``where`` names (None if none) and "now" for its sign-in and lock-out (naive UTC, as
    ``locked_until`` and ``last_login`` are stored): ``now`` when the caller gives one; in team mode
    (PostgreSQL) the server's clock (:func:`server_clock`), read by the very statement that reads the account,
    in the transaction that checks and sets the lock (no extra round trip, and the same answer for a name that
    is no account's: one row either way), so that every PC locks and unlocks an account by one clock; on a
    database file this PC's clock, the one clock there.

    ``lock`` (a writing session that checks the password: a sign-in, confirming a password): in team mode that
    statement also takes the account's row lock (``FOR UPDATE`` in its sub-select), and the clock is read after
    the lock is taken. Before, the account and the time were read first and the row's lock was waited for
    later (by the seal check, then the statement counting a wrong password): a wait behind another
    transaction holding the row left the lock-out decided, and its end set, by a time from before the wait
    (and by the account as it was before it)."""
    team = session.get_bind().dialect.name == "postgresql"
    if now is not None and not (lock and team):
        return session.scalar(select(User).where(where)), now
    if not team:
        return session.scalar(select(User).where(where)), utcnow()
    one = select(literal(1).label("one")).subquery()
    if lock:
        account = aliased(User, select(User).where(where).with_for_update().subquery("account"))
        query = select(account, server_clock()).select_from(one).outerjoin(account, true())
    else:
        query = select(User, server_clock()).select_from(one).outerjoin(User, where)
    user, clock = session.execute(query.execution_options(populate_existing=True)).one()
    return user, clock if now is None else now


def _user_named_at(session: Session, username: str, now: dt.datetime | None, *, lock: bool = False
                   ) -> tuple[User | None, dt.datetime]:
    """:func:`_user_named`, with "now" for its sign-in read beside it (:func:`_account_at`; ``lock`` as there)."""
    key = _name_key(username)
    user, at = _account_at(session, func.lower(User.username) == key if key else false(), now, lock=lock)
    if user is not None or not key or key.isascii():
        return user, at
    user = _user_named(session, username)  # a name made before user names were ASCII
    if user is not None and lock:
        return _account_at(session, User.id == user.id, now, lock=True)
    return user, at


def has_users(db: Database) -> bool:
    with db.session(write=False) as session:
        return bool(session.scalar(select(func.count()).select_from(User)))


def _validate_new(session: Session, username: str, full_name: str, password: str,
                  roles: list[Role]) -> tuple[str, str]:
    """The user name and full name as they will be stored, or a ValidationError naming the field."""
    from adoption_desktop.core.text_input import clean_name, clean_text, reference_key

    username = clean_text(username, "User name", max_length=60)
    full_name = clean_name(full_name, "Full name")
    if problem := username_problem(username):
        raise ValidationError(problem, "username")
    if not full_name.strip():
        raise ValidationError("Full name: enter the person's name.", "full_name")
    if not roles:
        raise ValidationError("Roles: give the user at least one role.", "roles")
    problem = password_problem(password, user_inputs=(username, full_name))
    if problem:
        raise ValidationError(problem, "password")
    key = reference_key(username)  # compared after normalisation (case, full-width forms)
    if any(reference_key(u) == key for u in session.scalars(select(User.username))):
        raise ValidationError(f"User name: {username!r} is taken; choose another.", "username")
    return username, full_name


def _add_user(session: Session, username: str, full_name: str, password: str, roles: list[Role], *,
              must_change: bool = False) -> User:
    username, full_name = _validate_new(session, username, full_name, password, roles)
    user = User(username=username.strip(), full_name=full_name.strip(), password_hash=hash_password(password),
                must_change_password=must_change)
    user.roles = [UserRole(role=str(r)) for r in dict.fromkeys(roles)]
    session.add(user)
    try:
        session.flush()
    except IntegrityError as err:  # team mode: another administrator created the same name after our check
        raise Conflict(f"User name: {user.username!r} was added by someone else a moment ago; nothing of "
                       "yours was saved. Choose another user name.") from err
    return user


def create_first_administrator(db: Database, username: str, full_name: str, password: str) -> Principal:
    """Only while the database has no users (first run)."""
    with db.session(SYSTEM) as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise ValidationError("An administrator already exists; sign in instead.")
        user = _add_user(session, username, full_name, password, [Role.ADMINISTRATOR])
        principal = _principal(session, user)
    refusals.watch(db, principal)
    return principal


def create_user(db: Database, actor: Principal, username: str, full_name: str, password: str,
                roles: list[Role], *, must_change: bool = True) -> UserSummary:
    """A new account. Its first password is the administrator's choice, so the user must change it at
    their first sign-in (``must_change=False`` only for tests and synthetic data)."""
    require(actor, Permission.USERS_MANAGE)
    with db.session(actor) as session:
        return _summary(session, _add_user(session, username, full_name, password, roles, must_change=must_change))


def list_users(db: Database, actor: Principal) -> list[UserSummary]:
    require(actor, Permission.USERS_MANAGE)
    with db.session(actor, write=False) as session:
        # JO.BLOGGS beside jo.smith; the server's clock read with them in team mode (whether each is locked)
        clock = server_clock() if session.get_bind().dialect.name == "postgresql" else literal(None)
        rows = session.execute(select(User, clock).order_by(func.lower(User.username), User.username)).all()
        accounts = [u for u, _now in rows]
        ahead = _ahead_of_pc(session, rows[0][1]) if rows and rows[0][1] is not None else dt.timedelta(0)
        withheld = withheld_role_rows(session, [(u.id, r.role) for u in accounts for r in u.roles])
        return [_summary(session, u, frozenset(role for uid, role in withheld if uid == u.id), ahead)
                for u in accounts]


def user_summary(db: Database, actor: Principal, user_id: int) -> UserSummary | None:
    """One account as it is now (``None``: no such account): Administration → Users reads the selected
    account again before greying Unlock, so an account locked on another PC after the list was read is
    shown locked (review: it stayed "not locked" until a refresh, just when its user phones the admin)."""
    require(actor, Permission.USERS_MANAGE)
    with db.session(actor, write=False) as session:
        user, now = _account_at(session, User.id == user_id, None)
        return _summary(session, user, clock_ahead=_ahead_of_pc(session, now)) if user is not None else None


def _get(session: Session, user_id: int) -> User:
    user = get_or_raise(session, User, user_id, f"No user with id {user_id}.")
    return user


def _user_values(user: User) -> dict[str, str]:
    return {"User name": user.username, "Full name": user.full_name,
            "Roles": ", ".join(sorted(role_label(r.role) for r in user.roles)),
            "Disabled": "yes" if user.disabled else "no"}


def role_label(value: str) -> str:
    """A stored role's label (a value that is no role of the application's, as stored)."""
    return Role(value).label if value in {str(r) for r in Role} else value


def _user_for_change(session: Session, user_id: int, expected_version: int | None) -> User:
    user = _get(session, user_id)
    check_version(session, user, expected_version, f"the account {user.username!r}", _user_values)
    return user


def set_roles(db: Database, actor: Principal, user_id: int, roles: list[Role], *,
              expected_version: int | None = None) -> None:
    require(actor, Permission.USERS_MANAGE)
    if not roles:
        raise ValidationError("Roles: give the user at least one role (disable the account instead).", "roles")
    admin = str(Role.ADMINISTRATOR)
    if user_id == actor.user_id and Role.ADMINISTRATOR not in roles and Role.ADMINISTRATOR in actor.roles:
        raise ValidationError("Roles: you cannot take the administrator role from your own account; ask another "
                              "administrator.", "roles")
    with db.session(actor) as session:
        _lock_accounts(session, actor, user_id)
        user = _user_for_change(session, user_id, expected_version)
        withheld = withheld_roles(session, user)
        if withheld:
            # rows written outside the application go first: a role given here is then a new row that this
            # grant seals and audits under the administrator's name, not the old row vouched for by a save
            user.roles = [r for r in user.roles if r.role not in withheld]
            session.flush()
        old = sorted(r.role for r in user.roles)
        if admin in old and Role.ADMINISTRATOR not in roles and not _other_administrators(session, user_id):
            raise ValidationError(f"Roles: {user.full_name} is the only administrator left; give another "
                                  "account the administrator role first.", "roles")
        user.roles = [UserRole(role=str(r)) for r in dict.fromkeys(roles)]
        user.updated_at = record_now(session)  # a new version of the account: its roles are part of it
        # named in the account's own update entry (a separate entry left that one with no changes)
        changes: dict[str, object] = {"roles": [old, sorted(map(str, dict.fromkeys(roles)))]}
        if withheld:
            changes["roles not in effect (added outside the application), removed"] = [sorted(withheld), []]
        audit.add_changes(session, user, changes)


def set_job_title(db: Database, actor: Principal, user_id: int, job_title: str, *,
                  expected_version: int | None = None) -> None:
    """The job title printed under the user's name on the letters they sign ("Agency decision maker")."""
    require(actor, Permission.USERS_MANAGE)
    from adoption_desktop.core.text_input import clean_name, clean_text

    # printed under signatures and in exported lists: refused when it begins like a spreadsheet formula
    job_title = clean_name(clean_text(job_title, "Job title", max_length=120).strip(), "Job title")
    with db.session(actor) as session:
        _user_for_change(session, user_id, expected_version).job_title = job_title


def set_disabled(db: Database, actor: Principal, user_id: int, disabled: bool, *,
                 expected_version: int | None = None) -> None:
    """Users are disabled, never deleted (their audit history keeps its meaning)."""
    require(actor, Permission.USERS_MANAGE)
    if disabled and user_id == actor.user_id:
        raise ValidationError("You cannot disable your own account; ask another administrator.")
    with db.session(actor) as session:
        _lock_accounts(session, actor, user_id)
        user = _user_for_change(session, user_id, expected_version)
        admin = str(Role.ADMINISTRATOR)
        if (disabled and not user.disabled and any(r.role == admin for r in user.roles)
                and admin not in withheld_roles(session, user) and not _other_administrators(session, user_id)):
            raise ValidationError(f"{user.full_name} is the only administrator left; give another account the "
                                  "administrator role first.")
        user.disabled = disabled


def _lock_accounts(session: Session, actor: Principal, user_id: int) -> None:
    """The actor's and the changed account's rows locked for the transaction, in id order, then the actor
    checked again: two administrators changing each other's accounts at once (taking the role, disabling)
    are taken one after the other, and the second acts only if the first left it an administrator — on
    PostgreSQL the check when the session opened may predate the first's commit (review). Never leaves
    the agency without an administrator."""
    from adoption_desktop.core.storage.engine import check_still_allowed

    for uid in sorted({user_id, actor.user_id} - {SYSTEM.user_id}):
        lock_row(session, _get(session, uid))
    if actor.user_id != SYSTEM.user_id:
        check_still_allowed(session, actor)


def _other_administrators(session: Session, user_id: int) -> int:
    """Enabled accounts other than ``user_id`` that hold the administrator role in effect (a role row
    added outside the application does not count: :func:`withheld_roles`)."""
    admin = str(Role.ADMINISTRATOR)
    others = session.scalars(select(User).join(UserRole, User.id == UserRole.user_id).where(
        UserRole.role == admin, User.disabled.is_(False), User.id != user_id)).all()
    withheld = withheld_role_rows(session, [(other.id, admin) for other in others])
    return sum(1 for other in others if (other.id, admin) not in withheld)


def reset_password(db: Database, actor: Principal, user_id: int, new_password: str, *,
                   current_password: str | None = None, must_change: bool = True,
                   expected_serial: int | None = None) -> Principal | None:
    """An administrator sets another user's password; a user changing their own must give the current
    one (someone at an unlocked desk must not be able to take the account over).

    A reset ends the user's sessions signed in before it (their next step is refused: "Your password was
    changed since you signed in …; sign in again.") and, unless ``must_change=False`` (tests, synthetic data),
    the user must choose their own password at the next sign-in. Returns None, or, for the actor's own
    password, the principal to go on with (:func:`change_own_password`).

    ``expected_serial``: the account's ``password_serial`` as the administrator's list showed it. If the
    password was set since (another administrator's reset, or the user's own change), the reset is refused:
    two administrators answering one call would otherwise both succeed, and the first would tell the user a
    password that no longer works. (Not the row's version: a sign-in attempt changes that, and is no reason
    to refuse.)"""
    if actor.user_id == user_id:
        return change_own_password(db, actor, current_password or "", new_password)
    require(actor, Permission.USERS_MANAGE)
    with db.session(actor) as session:
        # as for roles and disabling: an administrator disabled at this moment must not take an account over
        _lock_accounts(session, actor, user_id)
        user = _get(session, user_id)
        if expected_serial is not None and user.password_serial != expected_serial:
            raise Conflict(f"Not reset: the password of {user.full_name} ({user.username}) was set again since "
                           "this list was loaded, by another administrator or by them. Nothing was changed; "
                           "check with them before resetting it again.")
        problem = password_problem(new_password, user_inputs=(user.username, user.full_name))
        if problem:
            raise ValidationError(problem, "password")
        changed = _changed_outside(session, user_id)
        _set_password(user, new_password, must_change=must_change)
        if changed:
            # the account was refused sign-in for a change made outside the application: this reset is the
            # administrator's deliberate answer, so the row is sealed again as it now is, under their name,
            # and the entry keeps what had been changed (verify named it until now)
            session.flush()
            audit.seal_written(session.connection(), actor, "users", [(user_id,)], action="update",
                               detail="sealed again by an administrator's password reset after a change outside "
                                      f"the application: {'; '.join(changed)}")
    return None


def _changed_outside(session: Session, user_id: int) -> list[str]:
    """What ``verify`` says of the account's row (empty when it is as the application last wrote it)."""
    from adoption_desktop.core.audit.seal_check import check_rows

    if _account_sound(session, user_id):
        return []
    return [p.message for p in check_rows(session.connection(), "users", [user_id])] or [
        "its seal has no intact audit entry behind it"]


def _set_password(user: User, new_password: str, *, must_change: bool) -> None:
    """The account's new password, by a reset or the user's own change: every session signed in with the
    old one ends (``password_serial``, checked by ``engine.check_still_allowed``) and the lock-out count
    starts again."""
    user.password_hash = hash_password(new_password)
    user.password_serial += 1
    user.must_change_password = must_change
    user.failed_attempts = 0
    user.locked_until = None


def change_own_password(db: Database, actor: Principal, current_password: str, new_password: str) -> Principal:
    """The signed-in user changes their own password, giving the current one first. A wrong current
    password counts as a failed sign-in (lock-out applies). Also the one step allowed to a user whose
    password an administrator set (:class:`PasswordChangeRequired`): it clears that.

    As a reset does, it ends the user's other sessions (another window, another PC: someone who learnt the
    old password is signed out); the session making the change goes on as the principal returned, which
    the caller uses from now on (``actor`` is refused like the others). Allowed during an audit hold (a
    security step, audited): an administrator whose password was reset chooses their own, then reviews
    and acknowledges the hold."""
    if not current_password:
        raise ValidationError("Current password: enter your current password to change it.", "current_password")
    problem = password_problem(new_password, user_inputs=(actor.username, actor.full_name))
    if problem:
        raise ValidationError(problem, "password")
    if new_password == current_password:
        raise ValidationError("New password: choose one different from the current password.", "password")
    confirm_password(db, actor, current_password, field="current_password", label="Current password")
    with db.session(actor, own_password_change=True) as session:
        user = _get(session, actor.user_id)
        _set_password(user, new_password, must_change=False)
        return _principal(session, user)


class AlreadyUnlocked(Conflict):
    """:func:`unlock_account` on an account with nothing to unlock (no lock, no failed attempts): most often
    a colleague unlocked it a moment before. Nothing is changed or recorded."""


#: audit actions after which an account has no failed sign-ins left: an unlock, or its own right password (a
#: sign-in, a password confirmed before a step that asks for it)
_CLEARED_BY = ("unlock", "sign_in", "reauthenticate")


def _already_unlocked(session: Session, user: User) -> str:
    """What an administrator is told when the account they unlock is not locked: who unlocked it and when, when
    that unlock is what left it so (the newest of the unlocks and right-password sign-ins after the account's
    latest lock: a sign-in after it may have cleared failed attempts made since); that it is not locked,
    otherwise. Whether it can sign in now: not while it is disabled."""
    account = f"{user.full_name} ({user.username})"
    entries = audit.AuditEntry
    last_lock = session.scalar(select(func.max(entries.seq)).where(
        entries.action == "sign_in_failed", entries.entity == "users", entries.entity_id == str(user.id),
        entries.detail == "account locked after repeated failed sign-ins")) or 0
    found = session.execute(
        select(entries.action, entries.actor, entries.at, User.full_name).outerjoin(User, User.id == entries.actor_id)
        .where(entries.action.in_(_CLEARED_BY), entries.entity == "users", entries.entity_id == str(user.id),
               entries.seq > last_lock)
        .order_by(entries.seq.desc()).limit(1)).first()
    if found is None or found[0] != "unlock":
        how = "is not locked and has no failed sign-ins to clear"
    else:
        try:
            at: dt.datetime | None = dt.datetime.fromisoformat(str(found[2]))
        except ValueError:
            at = None
        who = "you" if found[1] == session_actor(session).username else str(found[3] or found[1])
        how = f"was already unlocked by {who} at {when_text(at)}"
    if user.disabled:
        return (f"The account of {account} {how}, so nothing was changed. It is disabled, so it cannot sign in "
                "until an administrator enables it again (Enable user…).")
    return f"The account of {account} {how}, so nothing was changed. It can sign in now."


def unlock_account(db: Database, actor: Principal, user_id: int) -> None:
    """An administrator ends an account's lock-out (Administration → Users → Unlock). Audited as its own
    action, ``unlock``, under the administrator's name and naming the account and what it was left with (the
    row's change alone read as a generic "Changed" of the account: an IT officer reviewing an incident looks
    for who unlocked it)."""
    require(actor, Permission.USERS_MANAGE)
    with db.session(actor) as session:
        # the row taken first, as the sign-in's failure counting takes it: two administrators unlocking at
        # once, or an unlock beside the wrong password that is locking the account, go one after the other,
        # and each reads what the one before left
        user, now = _lock_account(session, _get(session, user_id))
        attempts, locked_until = user.failed_attempts, user.locked_until
        if locked_until is None and not attempts:
            raise AlreadyUnlocked(_already_unlocked(session, user))
        user.failed_attempts, user.locked_until = 0, None
        until = locked_until.isoformat(sep=" ", timespec="minutes") if locked_until is not None else ""
        if locked_until is None:
            was = "it was not locked"
        elif locked_until > now:
            was = f"it was locked until {until} UTC"
        else:
            was = f"its lock had already ended at {until} UTC"
        if attempts:
            was += f"; {attempts} failed sign-in attempt{'' if attempts == 1 else 's'} cleared"
        audit.record(session, "unlock", "users", user_id,
                     detail=f"account {user.username} ({user.full_name}) unlocked by {actor.username}; {was}")


def _lock_account(session: Session, user: User) -> tuple[User, dt.datetime]:
    """:func:`~adoption_desktop.core.concurrency.lock_row` for an account, with "now" by the clock its lock-out
    is set by (:func:`_account_at`): in team mode the server's, read in the statement that takes the row's lock."""
    if session.get_bind().dialect.name != "postgresql":
        return lock_row(session, user), utcnow()
    table = cast(Table, User.__table__)
    now: dt.datetime = session.connection().execute(
        select(server_clock()).select_from(table).where(table.c.id == user.id).with_for_update()).scalar_one()
    session.refresh(user)
    return user, now


def unlock_refusal(user: UserSummary | None, now: dt.datetime | None = None) -> str | None:
    """Why Administration → Users → Unlock has nothing to do for ``user`` as listed (``None``: it has: the
    account is locked, or has failed sign-ins to clear). The button is greyed with these words as its tooltip
    (it was enabled for every account, and pressing it on one that was not locked only showed a refusal).
    ``now``: naive UTC, as ``locked_until`` is stored. :func:`unlock_account` still refuses an account that
    another PC unlocked after the list was read (:class:`AlreadyUnlocked`)."""
    if user is None:
        return "Select a user to unlock."
    if unlock_hint(user, now):
        return None
    return (f"The account of {user.full_name} ({user.username}) is not locked, so there is nothing to unlock. "
            "Unlock is for an account locked after too many wrong passwords.")


def unlock_hint(user: UserSummary, now: dt.datetime | None = None) -> str:
    """What Unlock will do for ``user`` as listed (its tooltip when enabled); "" when nothing. ``now``: naive UTC
    (default: by the clock the lock-out goes by, :meth:`UserSummary.now`)."""
    account = f"{user.full_name} ({user.username})"
    if user.locked(now):
        return (f"Unlock the account of {account}: it is locked after too many wrong passwords until "
                f"{when_text(user.locked_until)}. Unlocked, it can sign in at once.")
    if user.failed_attempts:
        tries = f"{user.failed_attempts} failed sign-in{'' if user.failed_attempts == 1 else 's'}"
        return f"The account of {account} is not locked: Unlock clears its {tries}."
    return ""


def _server_stamp(session: Session) -> dict[str, object]:
    """The account's ``updated_at`` for a statement of its own on its row: in team mode the server's clock,
    read by that statement (:func:`server_clock`; no extra round trip). Left out, the column's ``onupdate``
    stamps this PC's clock: the ORM's flush, where ``storage.base`` puts the server's time instead, never sees
    such a statement. On a database file nothing: the PC's clock is the one clock."""
    return {"updated_at": server_clock()} if session.get_bind().dialect.name == "postgresql" else {}


def _bookkeep(session: Session, user_id: int, **values: object) -> None:
    """Sign-in bookkeeping as one statement on the row (not an edit of the account: no new version)."""
    table = cast(Table, User.__table__)
    sound = _row_sound(session, user_id)
    session.connection().execute(update(table).where(table.c.id == user_id).values(**_server_stamp(session),
                                                                                    **values))
    _seal_user_row(session, user_id, "sign-in bookkeeping", sound)


def _row_sound(session: Session, user_id: int) -> bool:
    """Does the account's row still match its seal? Asked before a bookkeeping statement changes it."""
    from adoption_desktop.core.audit.seals import row_matches_seal

    return row_matches_seal(session.connection(), cast(Table, User.__table__), (user_id,))


def _account_sound(session: Session, user_id: int) -> bool:
    """The account's row matches its latest seal, and an intact audit entry stands behind that seal (a seal
    record written beside a changed row does not count). Asked in a writing session (the row locked as it
    is read on PostgreSQL: a colleague's sign-in on the same account cannot land between row and seal)."""
    from adoption_desktop.core.audit.seal_check import unvouched_seals

    if session.info.get("audit_hold"):
        # the log is held for not matching its anchors (cut short, rewritten): the seals themselves may be the
        # ones missing, and the administrator who must acknowledge the hold has to be able to sign in
        return True
    return _row_sound(session, user_id) and not unvouched_seals(session.connection(), "users", [str(user_id)])


def _seal_user_row(session: Session, user_id: int, why: str, sound: bool) -> None:
    """A Core update bypasses the ORM's audit hooks: seal the row as it now is, in the same transaction,
    or ``verify`` would report it as changed outside the application. Not when the row had already been
    changed outside the application (``sound`` False, asked before the update): sealing it would vouch for
    that change (a must-change flag or a lock cleared in SQL, then any sign-in attempt on the name), so
    ``verify`` goes on reporting it."""
    if not sound:
        _log.warning("account %s does not match its seal: sign-in bookkeeping left unsealed (run verify)",
                     user_id)
        return
    audit.seal_written(session.connection(), SYSTEM, "users", [(user_id,)], action="update", detail=why)


@dataclass(frozen=True)
class _Failure:
    count: int  # failed attempts so far (the limit when this one locked the account)
    limit: int
    locked_until: dt.datetime | None  # set when this attempt locked the account
    detail: str  # for the audit entry


def _count_failure(session: Session, user: User, now: dt.datetime) -> _Failure:
    """One atomic ``failed_attempts = failed_attempts + 1`` (concurrent wrong passwords each count, in
    team mode too); the attempt that reaches the limit locks the account. ``now``: read with the account once
    its row was locked (:func:`_account_at` with ``lock``), so the row's lock is no longer waited for here."""
    table = cast(Table, User.__table__)
    sound = _row_sound(session, user.id)
    count = int(session.connection().execute(
        update(table).where(table.c.id == user.id)
        .values(failed_attempts=table.c.failed_attempts + 1, **_server_stamp(session))
        .returning(table.c.failed_attempts)).scalar_one())
    _seal_user_row(session, user.id, "failed sign-in counted", sound)
    limit = get_setting(session, LOCKOUT_ATTEMPTS)
    if count < limit:
        return _Failure(count, limit, None, f"failed sign-in {count} of {limit}")
    until = now + dt.timedelta(minutes=get_setting(session, LOCKOUT_MINUTES))
    _bookkeep(session, user.id, failed_attempts=0, locked_until=until)
    return _Failure(limit, limit, until, "account locked after repeated failed sign-ins")


#: the most of a typed user name an audit entry keeps (the longest user name)
TYPED_NAME_KEPT = 60


def typed_name(typed: str) -> str:
    """A user name as typed, fit for the audit log: control and invisible characters shown as "?", cut to
    :data:`TYPED_NAME_KEPT` characters (marked with "…"), quoted."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in typed.strip())
    if len(shown) > TYPED_NAME_KEPT:
        shown = shown[:TYPED_NAME_KEPT] + "…"
    return repr(shown)


def _refused(session: Session, user: User | None, typed: str, reason: str) -> None:
    """A sign-in refused (no such user, disabled, locked; a password that must be changed first, to a
    command): audited, under
    the account when there is one, with the user name as typed. A name that is no account's is not kept:
    it is as often a password typed into the wrong box, and the audit log can never be changed."""
    what = (typed_name(typed) if user is not None
            else f"not kept ({len(typed.strip())} characters; it may be a password typed in the wrong box)")
    audit.record(session, "sign_in_refused", "users", user.id if user is not None else "*",
                 detail=f"{reason}; user name typed: {what}", actor=SYSTEM)


def _last_refusal(session: Session, user_id: int, reason: str) -> int | None:
    """The entry number of the account's latest refusal for ``reason``; None if there is none."""
    return session.scalar(select(func.max(audit.AuditEntry.seq)).where(
        audit.AuditEntry.action == "sign_in_refused", audit.AuditEntry.entity == "users",
        audit.AuditEntry.entity_id == str(user_id), audit.AuditEntry.detail.startswith(reason + ";")))


def _refused_already(session: Session, user_id: int, reason: str) -> bool:
    """Is a refusal for ``reason`` (which names the lock's end) already in the log for this account?"""
    return _last_refusal(session, user_id, reason) is not None


def _refused_since_sealed(session: Session, user_id: int) -> bool:
    """Is this change outside the application already in the log: a refusal for it after the account's
    latest seal? (Once per incident: a second change after a reset has sealed the row is a new one.)"""
    from adoption_desktop.core.audit.models import AuditSeal

    refused = _last_refusal(session, user_id, ACCOUNT_CHANGED_REASON)
    if refused is None:
        return False
    sealed = session.scalar(select(func.max(AuditSeal.seq)).where(AuditSeal.entity == "users",
                                                                  AuditSeal.entity_id == str(user_id)))
    return sealed is None or int(refused) > int(sealed)


def _check_password(session: Session, user: User | None, password: str, now: dt.datetime, *, typed: str,
                    verified: tuple[str, bool] | None = None, failures: list[_Failure] | None = None) -> Principal:
    """``typed``: the user name as typed (for the audit entry of a refusal).
    ``verified``: ``(hash, outcome)`` of a check already made before this transaction (on a second thread by
    :class:`PendingSignIn`, or by :func:`_checked_beforehand`); used only if the account still has that hash,
    else checked again here.
    ``failures``: a wrong password's count is added to it (:func:`confirm_password` words it)."""
    if user is None or user.disabled:
        if verified is None:
            verify_nothing(password)  # as long as a wrong password takes: user names cannot be told by timing
        # written as a wrong password's count and entry are: no quicker answer for a name that does not exist
        _refused(session, user, typed, "no such user" if user is None else "account disabled")
        raise SignInError(NOT_RIGHT)
    if not _account_sound(session, user.id):  # before the lock and the hash: either may be what was changed
        _log.warning("account %s does not match its seal: sign-in refused (run verify)", user.id)
        if not _refused_since_sealed(session, user.id):
            _refused(session, user, typed, ACCOUNT_CHANGED_REASON)
        raise AccountChangedOutside(ACCOUNT_CHANGED)
    if user.locked_until and user.locked_until > now:
        reason = f"account locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
        # one entry per lock: a refusal costs no password check, and entries can never be removed, so
        # attempts repeated while it is locked must not fill the log (nor queue colleagues' saves behind it)
        if not _refused_already(session, user.id, reason):
            _refused(session, user, typed, reason)
        raise AccountLocked(
            "This account is locked after too many failed sign-ins; try again in "
            f"{minutes_text(minutes_left(user.locked_until, now))} or ask an administrator to unlock it.")
    if verified is not None and verified[0] == user.password_hash:
        right = verified[1]
    else:
        right = verify_password(user.password_hash, password)
    if not right:
        failure = _count_failure(session, user, now)
        audit.record(session, "sign_in_failed", "users", user.id, detail=failure.detail, actor=SYSTEM)
        if failures is not None:
            failures.append(failure)
        if failure.locked_until is not None:
            # the attempt that locks the account says so (it said "not right", and only the next attempt told
            # of the lock). Said only for an account's own wrong password: a name that is no account's, or a
            # disabled one, is never locked and is told "not right" every time (above), so this tells which
            # names are accounts no more than the locked message (the next attempt) always has
            raise AccountLocked(f"{NOT_RIGHT[:-1]}, and {_now_locked_message(failure.limit, failure.locked_until, now)}")
        raise SignInError(NOT_RIGHT)
    _bookkeep(session, user.id, failed_attempts=0, locked_until=None)
    return _principal(session, user)


def authenticate(db: Database, username: str, password: str, *, now: dt.datetime | None = None,
                 can_choose_password: bool = True) -> Principal:
    """Sign in. Five failures (a setting) lock the account for a set time (a setting).
    ``can_choose_password=False``: the caller (the command line) cannot ask for a new password, so a
    password an administrator set refuses the sign-in (see :class:`PasswordChangeRequired`).

    A failed sign-in (:class:`SignInError`: an unknown or disabled user name, a wrong password, a locked
    account) is answered no sooner than :data:`FAILED_SIGN_IN_FLOOR` after the call began, so how long it
    takes does not tell which user names are accounts; a right password is answered at once. The window
    calls this on a worker thread, so the wait never freezes it.

    While the database is held (``Database.audit_hold``: a table it must have was dropped, say the audit log
    itself) a sign-in the database cannot record is refused with what the check at open found, never the SQL
    error behind it.

    While another user's long save holds the database (an import), the sign-in waits for it within the
    bound (said through ``on_wait``, or the thread's ``engine.WaitWatch``, which can stop it): then
    :class:`SignInBusy`, or :class:`SignInWaitStopped` when stopped; neither writes anything (no failed
    attempt counted, no lock-out, no sign-in entry)."""
    started = _monotonic()
    try:
        return _sign_in(db, username, password, now, can_choose_password=can_choose_password)
    except SignInError as err:
        if _failed_answer(err):  # every failure answered at one time after the attempt began
            _answer_no_sooner(started)
        raise
    except DatabaseBusy as err:
        raise _sign_in_wait(db, err) from err
    except DBAPIError as err:
        if db.audit_hold is None or is_busy_error(err):
            raise
        _log.warning("sign-in failed on a held database (%s)", type(err.orig or err).__name__)
        raise AppError(f"You cannot sign in to this database: the check made when it was opened found a problem "
                       f"({db.audit_hold}). Nothing was saved.") from err


#: the reason recorded when a command is refused a sign-in whose password must be changed first
MUST_CHANGE_REFUSED = ("password set by an administrator not changed yet, which a command cannot ask for "
                       "(sign in to the window to choose one)")


def _checked_beforehand(db: Database, password: str, *, username: str = "", user_id: int | None = None
                        ) -> tuple[str, bool]:
    """The password checked against the account as read, before the transaction that records the sign-in:
    argon2id (~100 ms) is not spent holding the file's write lock (colleagues' saves wait behind it on an
    embedded database) or the account's row lock (team mode). ``(hash, outcome)``: used by
    :func:`_check_password` only if the account still has that hash when the sign-in is written. No such
    account, or a disabled one, costs the same time (``verify_nothing``)."""
    with db.session(SYSTEM, write=False) as session:
        user = _user_named(session, username) if user_id is None else session.get(User, user_id)
        stored = user.password_hash if user is not None and not user.disabled else ""
    if stored:
        return stored, verify_password(stored, password)
    verify_nothing(password)
    return "", False


def _sign_in(db: Database, username: str, password: str, now: dt.datetime | None,
             verified: tuple[str, bool] | None = None, *, can_choose_password: bool) -> Principal:
    """``now``: None for the database's clock (:func:`_account_at`: the server's in team mode), read with the
    account in the transaction that checks the lock, counts a failure, locks, or records the sign-in."""
    if verified is None:
        verified = _checked_beforehand(db, password, username=username)
    with db.session(SYSTEM) as session:
        user, now = _user_named_at(session, username, now, lock=True)
        try:
            principal = _check_password(session, user, password, now, typed=username, verified=verified)
        except SignInError:
            session.commit()  # keep the failure count and the audit entry
            raise
        assert user is not None
        must_change = user.must_change_password
        refused = must_change and not can_choose_password
        if refused:  # nobody is signed in: no sign-in entry that no sign-out would ever end
            _refused(session, user, username, MUST_CHANGE_REFUSED)
        else:
            _bookkeep(session, user.id, last_login=now)
            notes = ["must change the password an administrator set"] if must_change else []
            if principal.roles_withheld:
                _log.warning("account %s: role rows not in effect: %s (run verify)", user.id,
                             ", ".join(sorted(principal.roles_withheld)))
                notes.append(f"roles not in effect: {', '.join(sorted(principal.roles_withheld))} ({WITHHELD_WHY})")
            audit.record(session, "sign_in", "users", user.id, actor=principal, detail="; ".join(notes))
    if refused:
        raise PasswordChangeRequired(principal)
    refusals.watch(db, principal)  # from now on a refused action is audited under this name
    if must_change:
        raise PasswordChangeRequired(principal)
    return principal


class PendingSignIn:
    """A sign-in whose password is being checked on a second thread while the caller reads.

    argon2id spends ~100 ms in C with the GIL released; a headless export can read and lay out its letters
    meanwhile. :func:`begin_sign_in` reads the account (read-only) and starts the check; ``principal`` is
    the account as read — ``None`` when it does not exist, is disabled or locked, or must change a password
    an administrator set, and then nothing may be read at all. The caller reads **only** with that principal's permissions (its services check them as
    always) and must call :meth:`confirm` before it writes anything or shows anything: ``confirm`` waits
    for the check (and for the file's page check), then records the sign-in exactly as :func:`authenticate`
    with ``can_choose_password=False`` does — the success, or the counted failure and its audit entry (lock-out as always) — and returns the
    principal or raises :class:`SignInError`. :meth:`failed` turns true as soon as the password is known
    to be wrong, so the caller can stop reading. An unknown user name costs the same argon2 time as a
    wrong password (``verify_nothing``), and :meth:`confirm` answers every failure no sooner than
    :data:`FAILED_SIGN_IN_FLOOR` after :func:`begin_sign_in` was called, as :func:`authenticate` does."""

    def __init__(self, db: Database, username: str, password: str, now: dt.datetime | None) -> None:
        from adoption_desktop.core.storage.engine import run_beside

        self._started = _monotonic()  # a failure is answered no sooner than the floor after this
        # ``now`` None: the database's clock, read with the account now and again by :meth:`confirm`
        self._db, self._username, self._password, self._now = db, username, password, now
        self.principal: Principal | None = None
        stored = ""
        with db.session(SYSTEM, write=False) as session:
            user, at = _user_named_at(session, username, now)
            if user is not None and not user.disabled and not (user.locked_until and user.locked_until > at):
                stored = user.password_hash
                if not user.must_change_password:  # that user may read nothing before choosing their own
                    self.principal = _principal(session, user)
        self._hash = stored
        self._held = refusals.Held(self.principal) if self.principal is not None else None
        self._right = False

        def check() -> None:
            if stored:
                self._right = verify_password(stored, password)
            else:
                verify_nothing(password)

        self._check = run_beside(check, "password check")
        self._outcome: Principal | SignInError | DatabaseBusy | None = None

    def failed(self) -> bool:
        """Known to fail: no such enabled account, or the password checked and wrong."""
        return self.principal is None or (self._check.done() and not self._right)

    def confirm(self) -> Principal:
        """Wait for the password check, then record the sign-in (audited); raises :class:`SignInError`
        (the failure counted and audited, as by :func:`authenticate`). Idempotent. While another user's long
        save holds the database past the bound, :class:`SignInBusy` (nothing written); that outcome is kept
        too: a second call (the command's clean-up after the first raised it) does not wait a second time,
        nor record a sign-in for a command that has already said it did nothing."""
        if self._outcome is None:
            self._check.result()
            self._db.wait_checked()  # a damaged file is refused before the sign-in is written
            try:
                self._outcome = _sign_in(self._db, self._username, self._password, self._now,
                                         verified=(self._hash, self._right), can_choose_password=False)
            except SignInError as exc:
                self._outcome = exc
            except DatabaseBusy as exc:
                self._outcome = _sign_in_wait(self._db, exc)
                if self._held is not None:  # nobody signed in: refusals held meanwhile were no one's
                    self._held.dropped()
                raise self._outcome from exc
            if self._held is not None:  # refusals while the password was being checked
                if isinstance(self._outcome, SignInError):
                    self._held.dropped()
                else:
                    self._held.confirmed(self._db)
        if isinstance(self._outcome, SignInError | DatabaseBusy):
            if _failed_answer(self._outcome):  # as :func:`authenticate`: from when the sign-in was begun
                _answer_no_sooner(self._started)
            raise self._outcome
        return self._outcome


def begin_sign_in(db: Database, username: str, password: str, *, now: dt.datetime | None = None) -> PendingSignIn:
    """Start a sign-in whose password is checked beside the caller's reading (see :class:`PendingSignIn`)."""
    return PendingSignIn(db, username, password, now)


def sign_out(db: Database, principal: Principal, *, reason: str = "") -> None:
    """The signed-in user signs out (File → Sign out / switch user, or from the lock screen): audited, so
    the log shows where one user's session ended and the next user's sign-in began."""
    # as the system, under the user's name: an account refused since signing in (disabled, its password
    # reset, a password change still due) may always sign out
    with db.session(SYSTEM) as session:
        audit.record(session, "sign_out", "users", principal.user_id, detail=reason, actor=principal)
    refusals.stop(principal)


def confirm_password(db: Database, principal: Principal, password: str, *, now: dt.datetime | None = None,
                     field: str = "password", label: str = "Password") -> None:
    """Confirm the signed-in user's password before a step that needs it (signing a decision, approving
    minutes, changing their own password, unlocking the idle lock); audited. Every caller shows the same
    words. A wrong password counts towards the lock-out like a failed sign-in.

    Raises :class:`PasswordNotConfirmed` (``field``; the message starts with ``label``) for a wrong or empty
    password, saying how many attempts are left; :class:`LockedOut` when the account is locked — by this
    attempt or before — saying after how many failed attempts and how many minutes are left.

    As a failed sign-in is (:func:`authenticate`), every refusal is answered no sooner than
    :data:`FAILED_SIGN_IN_FLOOR` after the call began; a right password is answered at once. Every window
    caller runs this on a worker thread (the lock screen, signing a decision, approving minutes, changing
    one's own password), so the wait never freezes the window."""
    started = _monotonic()
    try:
        _confirm_password(db, principal, password, now=now, field=field, label=label)
    except (PasswordNotConfirmed, LockedOut):
        _answer_no_sooner(started)
        raise


def _confirm_password(db: Database, principal: Principal, password: str, *, now: dt.datetime | None,
                      field: str, label: str) -> None:
    """:func:`confirm_password` without its floor."""
    verified = _checked_beforehand(db, password, user_id=principal.user_id) if password else None
    with db.session(SYSTEM) as session:
        user, now = _account_at(session, User.id == principal.user_id, now, lock=True)
        if user is None or user.disabled:
            raise LockedOut("Your account has been disabled; ask an administrator.")
        if user.password_serial != principal.password_serial:  # the old password is no longer the one
            raise LockedOut(PASSWORD_CHANGED)
        limit = get_setting(session, LOCKOUT_ATTEMPTS)
        if user.locked_until and user.locked_until > now:
            raise LockedOut(_locked_message(limit, user.locked_until, now))
        if not password:
            raise PasswordNotConfirmed(f"{label}: enter your password.", field)
        failures: list[_Failure] = []
        try:
            _check_password(session, user, password, now, typed=principal.username, failures=failures,
                            verified=verified)
        except SignInError as exc:
            session.commit()  # keep the failure count and the audit entry
            if not failures:  # locked or disabled meanwhile (another window, an administrator)
                raise LockedOut(str(exc)) from None
            failure = failures[0]
            if failure.locked_until is not None:
                raise LockedOut(_locked_message(failure.limit, failure.locked_until, now)) from None
            left = failure.limit - failure.count
            raise PasswordNotConfirmed(
                f"{label}: that is not your password; {left} {'attempt' if left == 1 else 'attempts'} left "
                "before your account is locked.", field) from None
        audit.record(session, "reauthenticate", "users", principal.user_id, actor=principal)


def reauthenticate(db: Database, principal: Principal, password: str, *, now: dt.datetime | None = None) -> bool:
    """Confirm the signed-in user's password: true or false (see :func:`confirm_password`, which says why)."""
    try:
        confirm_password(db, principal, password, now=now)
    except (PasswordNotConfirmed, LockedOut):
        return False
    return True


def signatory(db: Database, actor: Principal, username: str, permission: Permission, *,
              actor_needs: Permission, label: str = "Signed by") -> Principal:
    """The enabled user ``username`` who holds ``permission``, as the account itself (its id, roles in
    effect, full name): who signs a batch of letters when it is not the person producing it
    (``--signed-by``). Checked against the users table; the letters are then given this account, never its
    full name (another account may share it). The actor needs ``actor_needs`` (the permission to produce
    those letters). Messages begin with ``label``: the field, or on the command line the option."""
    require(actor, actor_needs)
    with db.session(actor, write=False) as session:
        user = _user_named(session, username)
        if user is None or user.disabled:
            raise NotFound(f"{label}: there is no enabled user {username!r}; give the user name of the "
                           "person who signs the letters.")
        principal = _principal(session, user)
        if not principal.can(permission):
            raise ValidationError(f"{label}: {user.full_name} ({user.username}) does not hold {permission}, "
                                  "so cannot sign these letters.", "signed_by")
        return principal


@dataclass(frozen=True)
class Signer:
    """Who signs a letter, as printed under the signature: the name and a title (``""``: none to print)."""

    principal: Principal
    job_title: str

    def title(self, role_titles: dict[Role, str]) -> str:
        """The person's own job title; without one, the title of a role they hold from ``role_titles``
        (the first that applies, in its order); else ``""``. Never a title of a job they do not hold."""
        if self.job_title.strip():
            return self.job_title.strip()
        return next((t for role, t in role_titles.items() if role in self.principal.roles), "")


def signer_by_id(session: Session, user_id: int) -> Signer | None:
    """The enabled account ``user_id`` as the signer of a letter, read now (its roles in effect and job
    title); ``None`` when there is no such enabled account. A signer is named by its account, never by its
    full name: two accounts may share one."""
    user = session.get(User, user_id)
    if user is None or user.disabled:
        return None
    return Signer(_principal(session, user), user.job_title or "")


def signer_for(session: Session, principal: Principal) -> Signer:
    """``principal`` as the signer of a letter (their job title read now; their roles as signed in)."""
    title = session.scalar(select(User.job_title).where(User.id == principal.user_id))
    return Signer(principal, str(title or ""))


def user_ids_with_role(session: Session, role: Role) -> list[int]:
    return list(session.scalars(select(UserRole.user_id).where(UserRole.role == str(role))))


def principal_for(db: Database, username: str) -> Principal:
    """The principal of an existing, enabled user, without a password (benchmarks and self-tests only;
    never reachable from the user interface)."""
    with db.session(write=False) as session:
        user = _user_named(session, username)
        if user is None or user.disabled:
            raise NotFound(f"No enabled user {username!r}.")
        return _principal(session, user)
