"""Headless commands for IT: where files live, schema upgrades, moving a database to another drive.

``adoption-desktop paths``
    print the per-user folders (data, settings, logs, backups), the log file and the key store.
``adoption-desktop upgrade --db PATH``
    bring a database's schema up to this version now (a copy ``NAME.db.pre-upgrade-*.bak`` is kept);
    the application does the same on first open, so this is for scripted roll-outs.
``adoption-desktop move-database --db PATH --to PATH [--remove-original]``
    move a database with its key file and audit anchor (e.g. to D:), verified before and after; the
    application then opens it from there.
``adoption-desktop move-to-server --db FILE.db --to postgresql+psycopg://OWNER@HOST/DBNAME --user NAME``
    move a database file's records and audit history onto an empty team server (after ``team-setup``, as
    the schema owner), in one transaction; an administrator of the file signs in; the file is kept, read-only.
    A file already moved is refused; run again after a Ctrl+C that came after the server's commit, it only
    records the move in the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adoption_desktop.cli import CliRegistry


def _cmd_paths(args: argparse.Namespace) -> int:
    from adoption_desktop.core.config import LocalConfig, app_paths
    from adoption_desktop.core.logging_setup import LOG_FILE_NAME
    from adoption_desktop.core.security.secret_store import SecretStore

    paths = app_paths()
    config = LocalConfig(paths.settings_file)
    rows = [
        ("data (databases)", paths.data),
        ("backups", paths.backups),
        ("settings", paths.settings_file),
        ("logs", paths.logs / LOG_FILE_NAME),
        ("database last opened", config.text("last_database") or "(none yet)"),
        ("demo database", paths.demo_database),
        ("database keys", SecretStore().describe()),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    return 0


def _cmd_upgrade(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import CliError, open_db, passphrase_from_env_or_prompt, report_wait
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage import migrations
    from adoption_desktop.core.storage.engine import check_file_shape, is_postgres_url
    from adoption_desktop.core.storage.lifecycle import key_mode, key_reader

    if is_postgres_url(args.db):
        # said as it is: the upgrade printed "at the latest schema" whether it had changed anything or not
        # (team-mode trial); on a server no copy is kept by the application, so the message says how to keep one
        probe = open_db(args.db, upgrade=False)
        try:
            empty = migrations.postgresql_is_empty(probe)  # IT's first run on a new database: created
            behind = empty or migrations.needs_upgrade(probe)
        finally:
            probe.dispose()
        open_db(args.db, upgrade=True).dispose()
        if empty:
            print("The PostgreSQL database was empty: created the latest schema.")
        elif behind:
            print("Upgraded the PostgreSQL database to the latest schema. The application keeps no copy of a "
                  "server's database: the server's own backup from before (pg_dump) is the copy to keep.")
        else:
            print("The PostgreSQL database is already at the latest schema; nothing changed.")
        return 0
    path = Path(args.db)
    try:
        check_file_shape(path)
        passphrase = passphrase_from_env_or_prompt() if key_mode(path) == "passphrase" else None
        result = migrations.upgrade_sqlcipher(path, key_reader(path, SecretStore(), passphrase),
                                              on_wait=report_wait)
    except AppError as exc:
        raise CliError(str(exc)) from exc
    if result.upgraded:
        print(f"Upgraded {path.name} to the latest schema; the copy from before is {result.backup}.")
    else:
        print(f"{path.name} is already at the latest schema; nothing changed.")
    return 0


def _cmd_move(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import CliError, passphrase_from_env_or_prompt
    from adoption_desktop.core.config import LocalConfig, SettingsBusy, app_paths
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.engine import check_file_shape
    from adoption_desktop.core.storage.lifecycle import key_mode, move_database, remove_database_files

    source = Path(args.db)
    try:
        check_file_shape(source)
        passphrase = passphrase_from_env_or_prompt() if key_mode(source) == "passphrase" else None
        dest = move_database(source, Path(args.to), SecretStore(), passphrase)
    except AppError as exc:
        raise CliError(str(exc)) from exc
    config = LocalConfig(app_paths().settings_file)
    last = config.text("last_database")
    if last is None or Path(last).resolve() == source.resolve():  # the one the application opens
        try:
            config.set("last_database", str(dest.resolve()))
        except OSError as exc:  # moved all the same: said, not reported as the move failing
            # the busy refusal's own words end "Try again.", which here would send the user to move it again
            why = "another copy of Adoption Desktop was saving them" if isinstance(exc, SettingsBusy) \
                else exc.strerror or exc
            print(f"Moved to {dest} and verified, but your settings could not be updated ({why}); "
                  f"start the application with --db \"{dest}\" to use it.")
        else:
            print(f"Moved to {dest} and verified; the application will open it from there.")
    else:
        print(f"Moved to {dest} and verified. The application was last used with another database, so it "
              f"still opens that one; start it with --db \"{dest}\" to use this one.")
    if args.remove_original:
        try:
            remove_database_files(source)
        except AppError as exc:
            raise CliError(str(exc)) from exc
        print(f"The original at {source} was removed.")
    else:
        print(f"The original at {source} is still there: delete it (with its .keys and .audit-anchor "
              "files) once the new copy has been opened.")
    return 0


def _cmd_move_to_server(args: argparse.Namespace) -> int:
    import sys

    from adoption_desktop.cli_support import (
        CliError,
        passphrase_from_env_or_prompt,
        report_wait,
        user_password,
    )
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.engine import check_file_shape, is_postgres_url
    from adoption_desktop.core.storage.lifecycle import key_mode, key_reader, unlock_key
    from adoption_desktop.core.storage.move_to_server import MoveInterrupted, move_to_server

    if is_postgres_url(args.db):
        raise CliError("--db is the database file to move (NAME.db); --to is the server. Nothing was done.")
    if not is_postgres_url(args.to):
        raise CliError("--to must be the team server's address as the schema owner, "
                       "postgresql+psycopg://adoption_owner@HOST/DBNAME (team-setup prints it). Nothing was done.")
    username = (args.user or "").strip()
    source = Path(args.db)
    try:
        check_file_shape(source)
        passphrase = passphrase_from_env_or_prompt() if key_mode(source) == "passphrase" else None
        key = key_reader(source, SecretStore(), passphrase)
        unlock_key(source, SecretStore(), passphrase)  # a wrong passphrase said before the password is asked
        password = user_password(username)
        result = move_to_server(source, key, args.to, username, password, on_wait=report_wait,
                                progress=lambda m: print(f"  move-to-server: {m}", file=sys.stderr, flush=True))
    except MoveInterrupted as stop:  # what had been done by then: nothing, or the records on the server
        print(f"adoption-desktop: {stop.message}", file=sys.stderr)
        raise
    except AppError as exc:
        raise CliError(str(exc)) from exc
    if result.finished_earlier_run:
        print(f"The server ({result.server}) already held {source.name}'s move, from a run that was stopped after it "
              f"had committed: its entry {result.move_entry} records the move (by {result.administrator}), after the "
              f"file's {result.audit_entries} audit entries. Nothing more was written on the server.")
    else:
        print(f"Moved {source.name} to the server ({result.server}) and verified there: {result.records} records in "
              f"{sum(1 for n in result.per_table if not n.startswith('audit_'))} tables, and the audit log's "
              f"{result.audit_entries} entries as they were; entry {result.move_entry} on the server records the "
              f"move (by {result.administrator}).")
    if result.witness_problems:
        print("Warning: this PC's own record of the server's audit log (its witness) does not agree with the log on "
              "the server: " + "; ".join(result.witness_problems) + ". The records were moved and checked on the "
              "server, but until an administrator has looked into this and acknowledged it, this PC cannot save "
              "anything there. Run adoption-desktop verify --db with the application's address to see it again.",
              file=sys.stderr)
    if result.saved_after:
        print(f"Warning: {result.saved_after} change(s) were saved into {source.name} after the server's copy was "
              f"made (its audit log's entries from {result.move_entry} on): they are NOT on the server. Enter them "
              "again there; the file's audit log says what they were.", file=sys.stderr)
    print("Next: start the application on each PC with the application role's address that team-setup printed "
          "(docs/it-guide.md, Team mode); users sign in there with their usual passwords. `verify --db` with that "
          "address checks the server at any time.")
    if result.recorded_in_file:
        print(f"Keep {source.name}, its .keys file and its backups as the record of the work done before the move: "
              "its audit log now says it was moved, and it is read-only from now on (nothing can be saved into it; "
              "it can still be opened, verified and backed up). Do not use it for new work.")
    else:
        print(f"Keep {source.name}, its .keys file and its backups as the record of the work done before the move. "
              "The move could not be noted in the file's own audit log (the details are in the log), so the file "
              "is not read-only yet: run the same command again, which writes nothing more on the server and "
              "only records the move in the file.")
    return 0


def register(registry: CliRegistry) -> None:
    p = registry.top.add_parser("paths", help="where this user's database, settings, logs and backups live")
    p.set_defaults(handler=_cmd_paths)

    p = registry.top.add_parser("upgrade", help="upgrade a database's schema now (a database file's copy from before is kept)")
    p.add_argument("--db", required=True, help="database file or PostgreSQL URL")
    p.set_defaults(handler=_cmd_upgrade)

    p = registry.top.add_parser("move-database",
                                help="move a database (with its key file) to another folder or drive")
    p.add_argument("--db", required=True, help="the database file now")
    p.add_argument("--to", required=True, help="new file name, or an existing folder to move it into")
    p.add_argument("--remove-original", action="store_true",
                   help="delete the original files once the copy has verified")
    p.set_defaults(handler=_cmd_move)

    p = registry.top.add_parser("move-to-server",
                                help="move a database file's records and audit history onto an empty team server")
    p.add_argument("--db", required=True, help="the database file (NAME.db)")
    p.add_argument("--to", required=True, metavar="URL",
                   help="the team server as the schema owner: postgresql+psycopg://adoption_owner@HOST/DBNAME, after "
                        "team-setup")
    p.add_argument("--user", required=True, metavar="NAME",
                   help="an administrator of the file (password from ADOPTION_DESKTOP_PASSWORD or a prompt)")
    p.set_defaults(handler=_cmd_move_to_server)
