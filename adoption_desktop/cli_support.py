"""What headless commands share: opening a database with a one-line error, signing in, prompts.

Commands that read or write case data sign in as a named user (``--user NAME``; the password from
``ADOPTION_DESKTOP_PASSWORD`` or a prompt) through the same sign-in service the window uses (lock-out,
disabled accounts, audit), and then act with that user's roles only. IT commands (``backup``, ``verify``,
``paths``, ``upgrade``, ``move-database``, …) need the database key but no case access, so they take no user.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from adoption_desktop.cli import ENV_USER_PASSWORD
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database

if TYPE_CHECKING:
    from adoption_desktop.core.security.service import PendingSignIn


class CliError(AppError):
    """Printed as one line on stderr; the command exits 2."""


def ask_secret(prompt: str, missing: str) -> str:
    """A secret typed at the terminal (not echoed). With no terminal to ask at (input from a file, a pipe,
    ``< /dev/null``, a scheduled task), or when the input ends at the prompt (Ctrl+D; Ctrl+Z then Enter on
    Windows), the command stops with ``missing`` as its one line (:class:`CliError`, exit 2) — it stopped
    with "an unexpected error (EOFError)" before. Every prompt of the commands comes through here."""
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(missing)
    try:
        return getpass.getpass(prompt)
    except EOFError as exc:
        raise CliError(missing) from exc


#: where a command reads the recovery key when no terminal can ask for it
ENV_RECOVERY_KEY = "ADOPTION_DESKTOP_RECOVERY_KEY"


def recovery_key_from_env_or_prompt() -> str:
    """The recovery key (``recover``, ``restore --recovery-key``): from the environment, else asked for."""
    return os.environ.get(ENV_RECOVERY_KEY) or ask_secret(
        "Recovery key: ", f"no recovery key given; set {ENV_RECOVERY_KEY} or run the command in a terminal to be "
        "asked for it. Nothing was changed.")


def passphrase_from_env_or_prompt(*, confirm: bool = False) -> str | None:
    """The database passphrase from the environment or a terminal prompt. ``confirm``: a new passphrase
    (init, recover, restore on a new PC): it must be strong enough, checked before asking to repeat it."""
    from adoption_desktop.core.security.strength import passphrase_problem

    value = os.environ.get(keys.ENV_PASSPHRASE)
    if value:
        if confirm and (problem := passphrase_problem(value, label=keys.ENV_PASSPHRASE)):
            raise CliError(problem)
        return value
    if not sys.stdin or not sys.stdin.isatty():
        return None
    try:
        first = getpass.getpass("Database passphrase: ")
    except EOFError:  # input ended at the prompt: as if none was given (each caller says what it needed)
        return None
    if confirm and first and (problem := passphrase_problem(first)):
        raise CliError(f"{problem} Nothing was changed.")
    if confirm and ask_secret("Repeat the passphrase: ", "The passphrase was not repeated; nothing was "
                              "changed.") != first:
        raise CliError("The two passphrases differ; nothing was changed.")
    return first or None


ENV_ADMIN_PASSWORD = "ADOPTION_DESKTOP_ADMIN_PASSWORD"


def new_admin_password(username: str, full_name: str) -> str:
    """``init --admin-user``: the name checked and the password got (environment or terminal) and
    checked *before* the database is created, so a bad one leaves nothing behind. The user service
    checks them again when the administrator is added."""
    from adoption_desktop.core.security.passwords import password_problem
    from adoption_desktop.core.security.service import username_problem
    from adoption_desktop.core.text_input import clean_name, clean_text

    try:  # the options' names in the messages, where the window names its fields
        name = clean_text(username, "--admin-user", max_length=60)
        full = clean_name(full_name, "--admin-name" if full_name != username else "--admin-user")
    except AppError as exc:
        raise CliError(f"{exc} Nothing was created.") from exc
    if problem := username_problem(name, "--admin-user"):
        raise CliError(f"{problem} Nothing was created.")
    if not full.strip():
        raise CliError("--admin-name: enter the person's name. Nothing was created.")
    password = os.environ.get(ENV_ADMIN_PASSWORD)
    if not password:
        if not sys.stdin or not sys.stdin.isatty():
            raise CliError(f"--admin-user {name.strip()}: no password; set {ENV_ADMIN_PASSWORD} or run the "
                           "command in a terminal to be asked for it. Nothing was created.")
        no_password = "No administrator password given; nothing was created."
        try:
            password = ask_secret("Administrator password: ", no_password)
            if not password:
                raise CliError(no_password)
            if problem := password_problem(password, user_inputs=(name, full)):
                raise CliError(f"{problem} Nothing was created.")
            if ask_secret("Repeat the password: ", "The password was not repeated; nothing was created.") != password:
                raise CliError("The two passwords differ; nothing was created.")
        except KeyboardInterrupt as exc:
            raise CliError(no_password) from exc
    if problem := password_problem(password, ENV_ADMIN_PASSWORD, (name, full)):
        raise CliError(f"{problem} Nothing was created.")
    return password


def report_wait(message: str) -> None:
    """A command that has to wait for another program says so once on stderr (and then goes on); the
    empty message that ends a wait says nothing."""
    if not message:
        return
    print(f"adoption-desktop: {message}", file=sys.stderr, flush=True)


def open_db(target: str | Path, store: SecretStore | None = None, *, upgrade: bool = True,
            defer_page_check: bool = False) -> Database:
    """Open for a command: a busy database is waited for within a bound (said once on stderr), a bad
    file, a newer schema or a wrong key become one line (:class:`CliError`) and leave every file as it was.
    ``defer_page_check``: the file's pages are checked on a second thread while the command signs in and
    reads; any write, and closing, waits for that check (``Database.wait_checked``)."""
    from adoption_desktop.core.storage.engine import check_file_shape

    store = store or SecretStore()
    target_s = str(target)
    passphrase: str | None = None
    try:
        if not target_s.startswith("postgres"):
            path = Path(target_s)
            check_file_shape(path)  # an empty or cut-short file is refused before any prompt
            mode = keys.KeyEnvelope.load(keys.key_file_for(path)).mode
            if mode == "passphrase":
                passphrase = passphrase_from_env_or_prompt()
        db = open_database(target_s, store, passphrase, upgrade=upgrade, on_wait=report_wait,
                           defer_page_check=defer_page_check)
    except AppError as exc:
        raise CliError(str(exc)) from exc
    db.on_wait = report_wait
    return db


@contextlib.contextmanager
def cli_database(target: str | Path, *, defer_page_check: bool = False) -> Iterator[Database]:
    """``with cli_database(args.db) as db:`` opens the database, turns any :class:`AppError` inside the
    block into a one-line :class:`CliError`, and always closes the database."""
    db = open_db(target, defer_page_check=defer_page_check)
    try:
        yield db
    except CliError:
        raise
    except AppError as exc:
        raise CliError(str(exc)) from exc
    finally:
        db.dispose()


def parse_date(value: str, option: str) -> dt.date:
    """A ``YYYY-MM-DD`` option value, or a :class:`CliError` naming the option and the fix."""
    from adoption_desktop.core.text_input import EARLIEST_YEAR, LATEST_YEAR

    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"{option}: {value!r} is not a date; write it as YYYY-MM-DD.") from exc
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise CliError(f"{option}: {value} is not a likely date; give one between {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return day


def user_password(username: str) -> str:
    """The password of ``--user``: from the environment, else asked for at a terminal."""
    value = os.environ.get(ENV_USER_PASSWORD)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(f"--user {username}: no password; set {ENV_USER_PASSWORD} or run the command in a "
                       "terminal to be asked for it.")
    value = ask_secret(f"Password for {username}: ", f"--user {username}: no password given; nothing was done.")
    if not value:
        raise CliError(f"--user {username}: no password given; nothing was done.")
    return value


def required_user(args: argparse.Namespace) -> str:
    username = (getattr(args, "user", None) or "").strip()
    if not username:
        raise CliError(f"--user NAME is needed: this command reads case data, so it runs as a named user "
                       f"(password from {ENV_USER_PASSWORD} or a prompt).")
    return username


def sign_in(db: Database, args: argparse.Namespace) -> Principal:
    """Sign ``args.user`` in (the window's sign-in: lock-out, disabled accounts, audited), or a
    :class:`CliError` naming what is missing."""
    from adoption_desktop.core.security.service import authenticate

    username = required_user(args)
    password = user_password(username)
    try:
        return told_withheld(authenticate(db, username, password, can_choose_password=False))
    except AppError as exc:
        raise CliError(f"--user {username}: {exc}") from exc


def told_withheld(principal: Principal) -> Principal:
    """A role row on the account that is not in effect is said on stderr (the command runs without it)."""
    from adoption_desktop.core.security.service import withheld_notice

    notice = withheld_notice(principal)
    if notice:
        print(f"--user {principal.username}: {notice}", file=sys.stderr)
    return principal


@contextlib.contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[tuple[Database, Principal]]:
    """``with signed_in(args) as (db, user):`` opens ``args.db``, signs ``args.user`` in, and turns any
    :class:`AppError` inside the block into a one-line :class:`CliError` (a refused permission names
    the permission that is missing). The file's page check runs beside the password check."""
    with signing_in(args, reads_first=False) as (db, pending):
        yield db, confirmed(pending, args.user)


def confirmed(pending: PendingSignIn, username: str) -> Principal:
    """The signed-in user, once the password check has finished and the sign-in is recorded; a failed
    sign-in is one line naming ``--user``, and so is one that waited past the bound for another user's long
    save (``SignInBusy``: nothing recorded, said once however often this is called)."""
    from adoption_desktop.core.errors import DatabaseBusy
    from adoption_desktop.core.security.service import SignInError

    try:
        return told_withheld(pending.confirm())
    except (SignInError, DatabaseBusy) as exc:
        raise CliError(f"--user {username.strip()}: {exc}") from exc


@contextlib.contextmanager
def signing_in(args: argparse.Namespace, *, reads_first: bool = True) -> Iterator[tuple[Database, PendingSignIn]]:
    """``with signing_in(args) as (db, pending):`` like :func:`signed_in`, but the password is checked on a
    second thread (argon2id releases the GIL) while the command reads and lays out its output with the
    permissions of the account as read (``pending.principal``; ``None``: read nothing). The command calls
    ``confirmed(pending, args.user)`` before it writes or shows anything and stops reading when
    ``pending.failed()``. Whatever happens inside the block, the sign-in is confirmed first: a wrong
    password is reported (and counted) as a wrong password, never as the error the reading ran into, and
    nothing else is written. The file's page check starts at ``db.start_page_check()`` or at the first
    write, which waits for it; ``reads_first=False`` starts it at once, beside the password check (on a
    WAL file reads beside it are not held back: measured 0.1 ms a query, as alone). See docs/letters.md ("The export path")."""
    from adoption_desktop.core.security.service import begin_sign_in

    username = required_user(args)  # before the database is even opened
    with cli_database(args.db, defer_page_check=True) as db:
        password = user_password(username)
        try:
            pending = begin_sign_in(db, username, password)
        except AppError as exc:
            raise CliError(f"--user {username}: {exc}") from exc
        if not reads_first or pending.principal is None:
            db.start_page_check()  # beside the password check (nothing will be read first)
        try:
            yield db, pending
        except BaseException:
            confirmed(pending, username)  # a failed sign-in is what is reported, before anything else
            raise
        confirmed(pending, username)
