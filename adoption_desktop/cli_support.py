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

from adoption_desktop.cli import ENV_USER_PASSWORD
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database


class CliError(AppError):
    """Printed as one line on stderr; the command exits 2."""


def passphrase_from_env_or_prompt(*, confirm: bool = False) -> str | None:
    """The database passphrase from the environment or a terminal prompt. ``confirm``: a new passphrase
    (init, recover, restore on a new PC): it must be strong enough, checked before asking to repeat it."""
    from adoption_desktop.core.security.strength import passphrase_problem

    value = os.environ.get(keys.ENV_PASSPHRASE)
    if value:
        if confirm and (problem := passphrase_problem(value)):
            raise CliError(f"{keys.ENV_PASSPHRASE}: {problem}")
        return value
    if not sys.stdin or not sys.stdin.isatty():
        return None
    first = getpass.getpass("Database passphrase: ")
    if confirm and first and (problem := passphrase_problem(first)):
        raise CliError(f"{problem} Nothing was changed.")
    if confirm and getpass.getpass("Repeat the passphrase: ") != first:
        raise CliError("The two passphrases differ; nothing was created.")
    return first or None


def open_db(target: str | Path, store: SecretStore | None = None, *, upgrade: bool = True) -> Database:
    store = store or SecretStore()
    target_s = str(target)
    passphrase: str | None = None
    if not target_s.startswith("postgres"):
        path = Path(target_s)
        if not path.exists():
            raise CliError(f"No database at {path}.")
        try:
            mode = keys.KeyEnvelope.load(keys.key_file_for(path)).mode
        except AppError as exc:
            raise CliError(str(exc)) from exc
        if mode == "passphrase":
            passphrase = passphrase_from_env_or_prompt()
    try:
        return open_database(target_s, store, passphrase, upgrade=upgrade)
    except AppError as exc:
        raise CliError(str(exc)) from exc


@contextlib.contextmanager
def cli_database(target: str | Path) -> Iterator[Database]:
    """``with cli_database(args.db) as db:`` opens the database, turns any :class:`AppError` inside the
    block into a one-line :class:`CliError`, and always closes the database."""
    db = open_db(target)
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
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CliError(f"{option}: {value!r} is not a date; write it as YYYY-MM-DD.") from exc


def user_password(username: str) -> str:
    """The password of ``--user``: from the environment, else asked for at a terminal."""
    value = os.environ.get(ENV_USER_PASSWORD)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CliError(f"--user {username}: no password; set {ENV_USER_PASSWORD} or run the command in a "
                       "terminal to be asked for it.")
    value = getpass.getpass(f"Password for {username}: ")
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
        return authenticate(db, username, password)
    except AppError as exc:
        raise CliError(f"--user {username}: {exc}") from exc


@contextlib.contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[tuple[Database, Principal]]:
    """``with signed_in(args) as (db, user):`` opens ``args.db``, signs ``args.user`` in, and turns any
    :class:`AppError` inside the block into a one-line :class:`CliError` (a refused permission names
    the permission that is missing)."""
    required_user(args)  # before the database is even opened
    with cli_database(args.db) as db:
        yield db, sign_in(db, args)
