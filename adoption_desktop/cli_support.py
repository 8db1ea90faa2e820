"""What headless commands share: opening a database with a one-line error, the CLI principal, prompts."""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security import keys
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database

#: Headless commands act as this principal; their audit entries say "cli".
CLI_PRINCIPAL = Principal(0, "cli", "Command line", frozenset(Role))


class CliError(AppError):
    """Printed as one line on stderr; the command exits 2."""


def passphrase_from_env_or_prompt(*, confirm: bool = False) -> str | None:
    value = os.environ.get(keys.ENV_PASSPHRASE)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        return None
    first = getpass.getpass("Database passphrase: ")
    if confirm and getpass.getpass("Repeat the passphrase: ") != first:
        raise CliError("The two passphrases differ; nothing was created.")
    return first or None


def report_wait(message: str) -> None:
    """A command that has to wait for another program says so once on stderr (and then goes on)."""
    print(f"adoption-desktop: {message}", file=sys.stderr, flush=True)


def open_db(target: str | Path, store: SecretStore | None = None, *, upgrade: bool = True) -> Database:
    """Open for a command: a busy database is waited for within a bound (said once on stderr), a bad
    file, a newer schema or a wrong key become one line (:class:`CliError`) and leave every file as it was."""
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
        db = open_database(target_s, store, passphrase, upgrade=upgrade, on_wait=report_wait)
    except AppError as exc:
        raise CliError(str(exc)) from exc
    db.on_wait = report_wait
    return db


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
