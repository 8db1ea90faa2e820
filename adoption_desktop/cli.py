"""Command line: the GUI by default, and headless commands for IT and scripts.

    adoption-desktop                       start the application
    adoption-desktop --version
    adoption-desktop init --db PATH        create an encrypted database (prints the recovery key)
    adoption-desktop demo --db PATH [--size small|large]
    adoption-desktop verify --db PATH      SQLCipher integrity check and the audit hash chain
    adoption-desktop backup --db PATH --out FILE
    adoption-desktop restore --from FILE --db PATH
    adoption-desktop recover --db PATH     regain access with the recovery key
    adoption-desktop new-recovery-key --db PATH --user ADMIN [--pdf FILE.pdf]   replace the recovery key
    adoption-desktop new-database-key --db PATH --user ADMIN   re-encrypt the file with a new database key
    adoption-desktop export KIND ...       (minutes, decision-letter, reminders, counselling-letter)
    adoption-desktop import letterbox ...
    adoption-desktop self-test [--keep DIR]   check this installation end to end
    adoption-desktop paths                 where this user's files live
    adoption-desktop upgrade --db PATH     upgrade the schema now (a file's copy is kept)
    adoption-desktop move-database --db PATH --to PATH
    adoption-desktop rebuild-search --db PATH --user NAME   the letterbox's search indexes made again

Features add their own ``export``/``import`` sub-commands through ``register(registry)`` in their
``cli.py`` (listed in :data:`FEATURE_CLI`). Exit codes: 0 success, 1 check failed, 2 error.
"""

from __future__ import annotations

# Only what the interpreter has already loaded is imported here: ``main`` is the first code of ours that
# runs (the console script imports this module, then calls it), so a Ctrl+C while the rest is loading is
# caught there and is one line, never a traceback. The standard modules are imported where they are used.
import os
import sys

from adoption_desktop import EXIT_INTERRUPTED, INTERRUPTED_BEFORE_START, __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing on the start path
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from typing import TextIO

    from adoption_desktop.core.storage.engine import Database

    Handler = Callable[[argparse.Namespace], int]

FEATURE_CLI = (
    "adoption_desktop.policy_cli",
    "adoption_desktop.panel.cli",
    "adoption_desktop.adm.cli",
    "adoption_desktop.letterbox.cli",
    "adoption_desktop.counselling.cli",
    "adoption_desktop.reports.cli",
    "adoption_desktop.selftest",
    "adoption_desktop.maintenance_cli",
    "adoption_desktop.audit_cli",
    "adoption_desktop.access_cli",
    "adoption_desktop.template_cli",
)

#: Where a headless command reads the ``--user``'s password when no terminal can ask for it.
ENV_USER_PASSWORD = "ADOPTION_DESKTOP_PASSWORD"


def record_number(value: str) -> int:
    """An ``argparse`` type for a record's number: digits within what the database holds (a longer number
    overflowed the driver and stopped the command with "an unexpected error")."""
    import argparse

    from adoption_desktop.core.text_input import row_number

    number = row_number(value)
    if number is None:
        raise argparse.ArgumentTypeError(f"{value[:30]!r} is not a record number")
    return number


def add_user_option(parser: argparse.ArgumentParser) -> None:
    """``--user NAME`` for a command that reads or writes case data. It is checked when the command
    runs (``cli_support.signed_in``), so a missing user is one line naming the option."""
    parser.add_argument("--user", metavar="NAME",
                        help=f"sign in as this user (password from {ENV_USER_PASSWORD} or a prompt); the "
                             "command acts with that user's roles only and is audited under that name")


class CliRegistry:
    """Where a feature adds its commands: ``top`` (new verbs), ``export`` and ``import_`` kinds."""

    def __init__(self, top: argparse._SubParsersAction[argparse.ArgumentParser],
                 export: argparse._SubParsersAction[argparse.ArgumentParser],
                 import_: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        self.top = top
        self.export = export
        self.import_ = import_


def _cmd_init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from adoption_desktop.cli_support import CliError, passphrase_from_env_or_prompt
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security import keys
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import create_database

    store = SecretStore()
    passphrase = None
    if not store.available() or args.passphrase:
        passphrase = passphrase_from_env_or_prompt(confirm=True)
        if not passphrase:
            raise CliError(f"--passphrase: no passphrase given; set {keys.ENV_PASSPHRASE} or run the command in a "
                           "terminal to be asked for it. Nothing was created." if args.passphrase else
                           f"No keyring is available here: set {keys.ENV_PASSPHRASE} or run in a terminal.")
    populate = None
    if args.admin_user is not None:  # the name and password are checked before anything is created
        from adoption_desktop.cli_support import new_admin_password
        from adoption_desktop.core.security.service import create_first_administrator

        admin_user = args.admin_user
        admin_name = args.admin_name or args.admin_user
        password = new_admin_password(admin_user, admin_name)

        def populate(db: Database) -> None:
            create_first_administrator(db, admin_user, admin_name, password)
    try:  # a failure removes everything this run made
        created = create_database(Path(args.db), store, passphrase, populate=populate)
    except AppError as exc:
        raise CliError(str(exc)) from exc
    created.db.dispose()
    where = "this computer's keyring" if created.key_mode == "keyring" else "the passphrase you gave"
    print(f"Created {args.db}; its key is protected by {where}.")
    print("RECOVERY KEY (write it down and keep it safe; it is shown only once):")
    print(f"    {created.recovery_key}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from adoption_desktop import demo
    from adoption_desktop.cli_support import CliError, passphrase_from_env_or_prompt
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import create_database

    store = SecretStore()
    passphrase = None if store.available() else passphrase_from_env_or_prompt(confirm=True)
    if not store.available() and not passphrase:
        raise CliError("No keyring is available here: set ADOPTION_DESKTOP_PASSPHRASE or run in a terminal.")
    try:  # filled while no other program can open it; a failure (or Ctrl+C) removes everything it made
        created = create_database(Path(args.db), store, passphrase, populate=lambda db: demo.populate(
            db, args.size, progress=lambda m: print(f"  demo: {m}", file=sys.stderr)))
    except AppError as exc:
        raise CliError(str(exc)) from exc
    created.db.dispose()
    print(f"Demo database ({args.size}) created at {args.db}. Users: "
          + ", ".join(u for u, _n, _r in demo.DEMO_USERS) + f"; password {demo.DEMO_PASSWORD!r}.")
    print(f"RECOVERY KEY: {created.recovery_key}")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from adoption_desktop.cli_support import open_db
    from adoption_desktop.core.storage.database_key import PENDING_NOTE, key_left_pending
    from adoption_desktop.core.storage.lifecycle import verify_database
    from adoption_desktop.core.storage.migrations import needs_upgrade
    from adoption_desktop.core.storage.recovery_key import UNFINISHED_NOTE, unfinished_replacement

    db = open_db(args.db, upgrade=False)  # check the file as it is: never change what is being verified
    try:
        report = verify_database(db)
        behind = needs_upgrade(db)
        # one in progress (its key window open, perhaps on another PC) is not one left unfinished
        unfinished = db.is_sqlite and db.path is not None and unfinished_replacement(db.path, db)
        key_unfinished = db.is_sqlite and db.path is not None and key_left_pending(db.path)
    finally:
        db.dispose()
    if unfinished:
        print(f"Note: {UNFINISHED_NOTE}")
    if key_unfinished:
        print(f"Note: {PENDING_NOTE}")
    if report.ok:
        if report.full:
            print(f"OK: database intact; audit chain of {report.audit_entries} entries verified.")
            for line in report.vouched:  # what vouched for the log's end from outside the database
                print(line)
        elif db.is_sqlite:
            print("OK: the file is intact (every page checked); its audit log and records are checked in full "
                  "once the schema is upgraded.")
        else:  # a server has no pages to check: only what the older schema allows was checked
            print("OK: what this schema allows was checked; the audit log and records are checked in full "
                  "once the schema is upgraded.")
        if behind and db.moved_to_server is not None:  # evidence, kept as it is: never upgraded
            print("Note: the schema is older than this version of the application, and this file was moved to "
                  "the team server, so it is kept unchanged: this version will not upgrade it or open it for "
                  "work. Open it with the version of Adoption Desktop it was moved with to look something up.")
        elif behind:
            print("Note: the schema is older than this version of the application; it will be upgraded "
                  + ("(with a copy kept) the next time the database is opened." if db.is_sqlite else
                     "when the schema owner's login runs `adoption-desktop upgrade --db URL` (take the "
                     "server's own backup first: the application keeps no copy of a server's database)."))
        return 0
    for problem in report.problems:
        print(f"FAULT: {problem}")
    return 1


def _cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from adoption_desktop.cli_support import CliError, open_db
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.storage.engine import is_postgres_url
    from adoption_desktop.core.storage.lifecycle import TEAM_BACKUP_REFUSAL, backup_database

    if is_postgres_url(args.db):  # said before anything is opened or a backup folder made
        raise CliError(TEAM_BACKUP_REFUSAL)
    db = open_db(args.db, upgrade=False)
    try:
        if args.out:
            target = Path(args.out)
        else:  # the policy's backup folder (or the user's backups folder), a dated name
            import datetime as dt

            from adoption_desktop.core.config import app_paths
            from adoption_desktop.core.policy import current_policy
            from adoption_desktop.core.scheduled_backup import backup_folder, default_backup_name

            folder = backup_folder(current_policy(), app_paths())
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / default_backup_name(db, dt.datetime.now())
        out = backup_database(db, target)
    except AppError as exc:
        raise CliError(str(exc)) from exc
    finally:
        db.dispose()
    print(f"Backup written and verified: {out}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from adoption_desktop.cli_support import (
        ENV_RECOVERY_KEY,
        CliError,
        passphrase_from_env_or_prompt,
        recovery_key_from_env_or_prompt,
    )
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security.keys import KeyNotInKeyring
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.lifecycle import restore_database

    recovery = None
    if args.recovery_key:
        recovery = recovery_key_from_env_or_prompt()
    store = SecretStore()
    passphrase = passphrase_from_env_or_prompt() if not (recovery and store.available()) else None
    try:
        restore_database(Path(args.from_), Path(args.db), store, passphrase, recovery_key=recovery)
    except KeyNotInKeyring as exc:
        # `recover --db PATH`, which the key's own message suggests, needs a database already at PATH
        raise CliError(
            "This backup's database key is not in this computer's keyring (the backup was made on another PC, "
            "or by another Windows user). Nothing was restored and the backup is unchanged. Run the same "
            "restore again with --recovery-key added, and type the recovery key from the database's recovery "
            f"sheet when asked (or set {ENV_RECOVERY_KEY})."
        ) from exc
    except AppError as exc:
        raise CliError(str(exc)) from exc
    print(f"Restored to {args.db} and verified.")
    return 0


def _cmd_recover(args: argparse.Namespace) -> int:
    from pathlib import Path

    from adoption_desktop.cli_support import (
        CliError,
        passphrase_from_env_or_prompt,
        recovery_key_from_env_or_prompt,
    )
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.security import keys
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.database_key import journal_for, roll_back_interrupted_write
    from adoption_desktop.core.storage.engine import check_file_shape
    from adoption_desktop.core.storage.hold import OPEN_WAIT, FileHold, busy_wait, maintenance_message
    from adoption_desktop.core.storage.migrations import open_checked
    from adoption_desktop.core.storage.page_check import first_page_opens
    from adoption_desktop.core.storage.recovery_key import update_key_file

    path = Path(args.db)
    try:
        check_file_shape(path)
        envelope = keys.KeyEnvelope.load(keys.key_file_for(path))
    except AppError as exc:
        raise CliError(str(exc)) from exc
    recovery = recovery_key_from_env_or_prompt()
    store = SecretStore()
    hold = None
    try:
        # the shared hold first, and the key file read and the key chosen under it: a new database key under
        # way is waited for, and a rollback journal it left (stopped while re-encrypting) is played back
        # before page 1 says which key the file is under
        hold = FileHold.acquire(path, exclusive=False, wait=busy_wait(OPEN_WAIT),
                                message=maintenance_message(path.name))
        envelope = keys.KeyEnvelope.load(keys.key_file_for(path))
        key = keys.key_from_recovery(envelope, recovery, lambda k: first_page_opens(path, k))
        if journal_for(path).exists():
            roll_back_interrupted_write(path, key)
            keys.wipe(key)
            key = keys.key_from_recovery(envelope, recovery, lambda k: first_page_opens(path, k))
        try:
            # the file must be sound (and not from a newer version) before its key file is rewritten
            db = open_checked(path, key, hold=hold)
            try:
                passphrase = None if store.available() and not args.passphrase else passphrase_from_env_or_prompt(
                    confirm=True)
                if args.passphrase and not passphrase:  # not silently kept in the keyring instead
                    raise CliError(f"--passphrase: no passphrase given; set {keys.ENV_PASSPHRASE} or run the "
                                   "command in a terminal to be asked for it. Nothing was changed.")

                def protect(now: keys.KeyEnvelope) -> keys.KeyEnvelope:
                    # the file as it is now, under the write lock: a new recovery key issued while this
                    # waited at its prompts is kept (only the keyring entry or passphrase is this command's)
                    if now.db_id != envelope.db_id:
                        raise CliError(f"{keys.key_file_for(path).name} was replaced by another program while "
                                       "this one waited; nothing was changed. Run recover again.")
                    if now.pending_key:  # a new database key stopped after re-encrypting: is this it?
                        pending = keys.unwrap(now.pending_key["recovery"], keys.normalise_recovery_key(recovery))
                        if pending is not None:
                            if bytes(pending) == bytes(key):
                                now = keys.promoted(now)
                            keys.wipe(pending)
                    return keys.rewrap(now, key, store, passphrase)

                update_key_file(db, protect)
            finally:
                db.dispose(write_anchor=False)
        finally:
            keys.wipe(key)
    except AppError as exc:
        raise CliError(str(exc)) from exc
    finally:
        if hold is not None:
            hold.release()
    print(f"Access to {path} restored; the key is protected again.")
    return 0


def _cmd_new_recovery_key(args: argparse.Namespace) -> int:
    """An administrator replaces the recovery key (``core.storage.recovery_key``): signed in, audited; the
    new key printed once (and written as the sheet to print with ``--pdf``)."""
    from pathlib import Path

    from adoption_desktop.cli_support import CliError, cli_database, required_user, sign_in
    from adoption_desktop.core.errors import AppError, PermissionDenied
    from adoption_desktop.core.files import check_output_folder, check_output_suffix, check_output_target
    from adoption_desktop.core.storage.recovery_key import (
        BACKUPS_NOTE,
        UNFINISHED_NOTE,
        recovery_stamp,
        replace_recovery_key,
        unfinished_replacement,
    )

    pdf = Path(args.pdf) if args.pdf else None
    if pdf is not None:  # before anything is opened or asked for
        try:
            check_output_target(pdf)
            check_output_suffix(pdf, (".pdf",))
            # the sheet is written after the key is replaced: a folder it cannot go in is said now, before
            # anything is changed (found only then, the command failed although the key had changed)
            check_output_folder(pdf)
        except AppError as exc:
            raise CliError(f"--pdf: {exc} The recovery key was not replaced: nothing changed.") from exc
    required_user(args)

    def show(key: str) -> None:
        # on the screen before the old key is withdrawn (flushed: a program killed now has shown it)
        print("The recovery key was replaced. The old recovery key no longer opens this database; the "
              "database itself, its key and everyone's access to it are unchanged.")
        print("NEW RECOVERY KEY (write it down or print it and keep it locked away; it is shown only once):")
        print(f"    {key}")
        print(BACKUPS_NOTE, flush=True)

    with cli_database(args.db) as db:
        stamp = recovery_stamp(db)  # the wrapping as found: another administrator's replacement meanwhile is told
        principal = sign_in(db, args)
        if db.path is not None and unfinished_replacement(db.path, db):
            print(f"Note: {UNFINISHED_NOTE} This one does that.", flush=True)
        try:
            recovery = replace_recovery_key(db, principal, expected=stamp, show=show)
        except PermissionDenied as exc:
            raise CliError(f"--user {principal.username}: only an administrator may replace the recovery key, "
                           "and this account is not one. Nothing was changed.") from exc
        label = str(db.path)
    if pdf is not None:
        from adoption_desktop.core.documents.recovery_sheet import write_recovery_sheet

        try:
            write_recovery_sheet(pdf, label, recovery, replaced=True)
        except OSError as exc:
            raise CliError(f"--pdf: the sheet could not be written ({exc.strerror or type(exc).__name__}); the "
                           "new key is the one printed above: copy it down now.") from exc
        print(f"The sheet to print is {pdf}; print it, then delete the file.")
    return 0


#: what ``new-database-key`` says once the file has its new key (IT guide §4, "A new database key")
NEW_DATABASE_KEY_DONE = (
    "The database key of {name} was replaced: the file is now encrypted with a new key, {kept}. The old key no "
    "longer opens it. The recovery sheet you typed is unchanged and still opens it.\n"
    "Backups made before now keep the OLD key: they still open with the same recovery sheet (restore "
    "--recovery-key), and on this PC as before. If the old key may have leaked, so may they: take a new backup "
    "now, and destroy the older ones once you no longer need them.\n"
    "Anyone else who opens this file with their own copy of the key (another Windows user on this PC, or this "
    "file copied to another PC) now needs the new key: each runs `adoption-desktop recover --db` once with the "
    "recovery sheet. (A database file is not shared over a network drive: a team uses a server, whose "
    "encryption is IT's.)")


def _cmd_new_database_key(args: argparse.Namespace) -> int:
    """An administrator replaces the database key itself (``core.storage.database_key``): the file
    re-encrypted under the exclusive hold, the recovery sheet kept, audited."""
    from pathlib import Path

    from adoption_desktop.cli_support import (
        CliError,
        passphrase_from_env_or_prompt,
        recovery_key_from_env_or_prompt,
        report_wait,
        required_user,
        sign_in,
    )
    from adoption_desktop.core.errors import AppError, PermissionDenied
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.database_key import TEAM_REFUSAL, replace_database_key
    from adoption_desktop.core.storage.engine import is_postgres_url
    from adoption_desktop.core.storage.lifecycle import key_mode

    if is_postgres_url(args.db):
        raise CliError(TEAM_REFUSAL)
    username = required_user(args)
    path = Path(args.db)
    try:
        from adoption_desktop.core.storage.engine import check_file_shape

        check_file_shape(path)  # a bad file is said before any prompt
        passphrase = passphrase_from_env_or_prompt() if key_mode(path) == "passphrase" else None
        done = replace_database_key(path, SecretStore(), sign_in=lambda db: sign_in(db, args),
                                    recovery_key=recovery_key_from_env_or_prompt, passphrase=passphrase,
                                    on_wait=report_wait)
    except PermissionDenied as exc:
        raise CliError(f"--user {username}: only an administrator may replace the database key, and this account "
                       "is not one. Nothing was changed.") from exc
    except CliError:
        raise
    except AppError as exc:
        raise CliError(str(exc)) from exc
    kept = ("kept in this Windows user's Credential Manager" if done.mode == "keyring"
            else "protected by the same passphrase")
    print(NEW_DATABASE_KEY_DONE.format(name=done.name, kept=kept))
    return 0


def build_parser() -> argparse.ArgumentParser:
    import argparse
    import importlib
    import importlib.util

    parser = argparse.ArgumentParser(prog="adoption-desktop", description="Adoption Desktop")
    parser.add_argument("--version", action="version", version=f"Adoption Desktop {__version__}")
    parser.add_argument("--db", help="open this database in the application (file or PostgreSQL URL)")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("init", help="create a new encrypted database and print its recovery key")
    p.add_argument("--db", required=True)
    p.add_argument("--passphrase", action="store_true", help="protect the key with a passphrase")
    p.add_argument("--admin-user", help="also create the first administrator (password from "
                   "ADOPTION_DESKTOP_ADMIN_PASSWORD or a prompt)")
    p.add_argument("--admin-name")
    p.set_defaults(handler=_cmd_init, file_only=(
        "init creates a database file. For a team server, run team-setup (docs/it-guide.md, \"Team mode\"), "
        "then start the application on the server: it asks for the first administrator."))

    p = sub.add_parser("demo", help="create a synthetic demo database")
    p.add_argument("--db", required=True)
    p.add_argument("--size", choices=["small", "large"], default="small")
    p.set_defaults(handler=_cmd_demo, file_only=(
        "demo creates a database file, for trying the program on one PC; demo data never goes on a team "
        "server."))

    p = sub.add_parser("verify", help="integrity check and audit chain; non-zero exit on any fault")
    p.add_argument("--db", required=True)
    p.set_defaults(handler=_cmd_verify)

    p = sub.add_parser("backup", help="encrypted backup, verified after writing")
    p.add_argument("--db", required=True)
    p.add_argument("--out", metavar="FILE.adkbak", help="the backup file (default: a dated file in the policy's "
                   "BackupFolder, or this user's backups folder)")
    # .adkbak as the backup dialog and the dated names have it: the audit anchors find backups by it
    p.set_defaults(handler=_cmd_backup, out_suffixes=(".adkbak",))

    p = sub.add_parser("restore", help="restore a backup to a new database file")
    p.add_argument("--from", dest="from_", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--recovery-key", action="store_true",
                   help="on a new PC: unlock the backup with its recovery key (prompted, or "
                        "ADOPTION_DESKTOP_RECOVERY_KEY) and keep the key in this PC's keyring")
    p.set_defaults(handler=_cmd_restore, file_only=(
        "restore writes a database file; a team server's database is restored with the server's own tools "
        "(pg_restore)."))

    p = sub.add_parser("recover", help="regain access with the recovery key (key lost from the keyring)")
    p.add_argument("--db", required=True)
    p.add_argument("--passphrase", action="store_true", help="protect the key with a passphrase afterwards")
    p.set_defaults(handler=_cmd_recover, file_only=(
        "recover regains a database file's key from its recovery key; a team server has no key file (its "
        "logins are kept by IT)."))

    p = sub.add_parser("new-recovery-key", help="an administrator replaces the recovery key (the old one stops "
                                                "working; audited)")
    p.add_argument("--db", required=True)
    add_user_option(p)
    p.add_argument("--pdf", metavar="FILE.pdf", help="also write the new key as a sheet to print")
    p.set_defaults(handler=_cmd_new_recovery_key, file_only=(
        "new-recovery-key replaces a database file's recovery key; a team server has no key file and no "
        "recovery key (its logins are kept by IT)."))

    p = sub.add_parser("new-database-key", help="an administrator re-encrypts the database file with a new key "
                                                "(the recovery sheet still opens it; audited)")
    p.add_argument("--db", required=True)
    add_user_option(p)
    p.set_defaults(handler=_cmd_new_database_key, file_only=(
        "new-database-key re-encrypts a database file; a team server's encryption at rest is the server's own, "
        "kept by IT (docs/it-guide.md, \"Team mode\")."))

    export = sub.add_parser("export", help="export documents").add_subparsers(dest="kind", required=True)
    import_ = sub.add_parser("import", help="import data").add_subparsers(dest="kind", required=True)
    registry = CliRegistry(sub, export, import_)
    for name in FEATURE_CLI:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(registry)
    return parser


#: What a command says when Ctrl+C stops it once it has started (it may have changed something by then;
#: each command keeps what it writes whole, see ``core.files.output_file``).
INTERRUPTED = "adoption-desktop: interrupted"


class _Progress:
    """How far a run has got: what a Ctrl+C may truthfully say about it."""

    def __init__(self) -> None:
        self.started = False  # a command's handler (or the window) has begun: it may have changed something
        self.code: int | None = None  # the command's exit code, once it has one (and has said why)
        self.name = ""


def main(argv: Sequence[str] | None = None) -> int:
    """The program: the window, or the headless command ``argv`` names (default: ``sys.argv``).

    Ctrl+C at any moment is one line on stderr and exit code 130, never a traceback: "interrupted; nothing
    was changed." while the program is still loading or reading its options, "interrupted" once a command
    has started. Run as the program (``argv`` None), further Ctrl+C are ignored once the command has ended
    or been stopped: all that is left is closing the log and the interpreter."""
    progress = _Progress()
    if argv is None:  # the program itself (never a caller's own stdout: the tests')
        _OutputGuard.install()
    try:
        try:
            code = _main(argv, progress)
        finally:
            if argv is None:
                _ignore_interrupts()
    except KeyboardInterrupt:
        code = _interrupted(progress)
    except Exception as exc:
        if not _caused_by_interrupt(exc):
            raise
        code = _interrupted(progress)
    if argv is None and progress.name.startswith("export "):
        _exit_now(code)
    return code


def _output_dropped() -> None:
    """Standard output could not be written and the command has said so: what is still in its buffer is
    dropped (pointed at the null device), so Python's own flush at exit does not fail again with a traceback."""
    import contextlib

    with contextlib.suppress(OSError, ValueError, AttributeError):
        _to_null(sys.stdout.fileno())


def _to_null(fd: int) -> None:
    """Point the file descriptor ``fd`` at the null device: what is still buffered for it, and all later
    output, go there."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


class _OutputGuard:
    """The program's stdout and stderr, once the program reading them may stop early (``verify --db X |
    head -1``, ``move-to-server … 2>&1 | head -1``): a write or flush that finds the reader gone sends the
    rest of that stream's output to the null device, and the command runs on to its end and exits with its
    own code, saying nothing of it. (Raised from ``print``, the broken pipe stopped the command with "a file
    could not be read or written: Broken pipe." and exit 2, although verify had passed; on stderr, where the
    commands say how far they have got, a reader gone stopped ``move-to-server`` at its first progress line,
    silently, with exit 1 and nothing copied: user trial, 6 December 2026.)"""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.reader_gone = False

    @classmethod
    def install(cls) -> None:
        """Guard both streams, for every command (the window's too)."""
        if sys.stdout is not None and not isinstance(sys.stdout, cls):
            sys.stdout = cls(sys.stdout)  # a TextIO in all but name
        if sys.stderr is not None and not isinstance(sys.stderr, cls):
            sys.stderr = cls(sys.stderr)

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as exc:
            if not _reader_gone(exc, self._stream):
                raise
            self._reader_went()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            if not _reader_gone(exc, self._stream):
                raise
            self._reader_went()

    def _reader_went(self) -> None:
        """The rest of the output, Python's own flush at exit included, goes to the null device."""
        self.reader_gone = True
        _to_null(self._stream.fileno())

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _reader_gone(exc: OSError, stream: TextIO | None = None) -> bool:
    """Whether writing to ``stream`` (default stdout) failed because its reader has gone: a broken pipe,
    which Windows can also report as "Invalid argument" for a pipe closed at the other end (only for a pipe:
    the same error writing to a file is a real one, reported)."""
    import errno

    if isinstance(exc, BrokenPipeError):
        return True
    if os.name != "nt" or exc.errno != errno.EINVAL:
        return False
    import stat

    try:
        return stat.S_ISFIFO(os.fstat((stream if stream is not None else sys.stdout).fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` is Python's wrapping of a Ctrl+C: one arriving while a class is being defined
    (a dataclass field's ``__set_name__``, say, during an import) comes out as a RuntimeError whose cause
    is the KeyboardInterrupt."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _interrupted(progress: _Progress) -> int:
    """The exit code, and the one line, of a run that Ctrl+C stopped."""
    if progress.code is not None:  # the command had ended and said so: the interrupt came too late to stop it
        return progress.code
    import contextlib

    with contextlib.suppress(OSError, ValueError):
        print(INTERRUPTED if progress.started else INTERRUPTED_BEFORE_START, file=sys.stderr)
    return EXIT_INTERRUPTED


def _ignore_interrupts() -> None:
    """The program's command has ended (or been stopped): a further Ctrl+C could only interrupt the log's
    closing or the exit handlers, which Python would report with a traceback. Only for the program itself
    (``main()``), never in a caller's process (``main(argv)``: the tests)."""
    import contextlib
    import signal

    with contextlib.suppress(ValueError):  # not on the main thread: nothing to do
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _main(argv: Sequence[str] | None, progress: _Progress) -> int:
    from adoption_desktop.core.files import secure_umask

    secure_umask()
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] == "--db" and len(args_list) == 2):
        # the GUI: skip building every headless command (keeps start-up light)
        from adoption_desktop.app import run_gui

        progress.started = True
        return run_gui(db=args_list[1] if args_list else None)
    if argv is None and args_list[0] == "export":
        # A short run that builds one document: the collector's passes over the ~600 modules' objects
        # cost ~0.1 s of a 490-letter batch and found nothing to free (peak memory the same without
        # them); collect rarely instead (bench/results/letters.md).
        import gc

        gc.set_threshold(100_000, 100, 100)
    from adoption_desktop.policy_cli import with_policy_database

    args_list = with_policy_database(args_list)
    parser = build_parser()
    args = parser.parse_args(args_list)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        from adoption_desktop.app import run_gui

        progress.started = True
        return run_gui(db=args.db)
    progress.name = command_name(args, args_list)
    return _run_logged(handler, args, progress)


def _exit_now(code: int) -> None:
    """End an export run as the program (not called from Python) at once: its files are written and
    closed, the database closed and its anchors written; what is left is the interpreter taking down
    ~600 modules and every object one by one (~0.2 s for a letter batch, measured in
    bench/results/letters.md), which no one waits for. Output is flushed and the exit handlers run
    (the log is closed) first."""
    import atexit
    import contextlib
    import gc

    gc.disable()  # no collection pass over objects about to be dropped with the process
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def command_name(args: argparse.Namespace, args_list: Sequence[str]) -> str:
    """The command as the log may show it: ``verify``, ``export minutes`` (never an option's value)."""
    name = str(args.command)
    if name in ("export", "import"):
        following = args_list[args_list.index(name) + 1:] if name in args_list else []
        kind = next((w for w in following if not w.startswith("-")), "")
        name = f"{name} {kind}".strip()
    return name


def _unexpected(exc: Exception) -> str:
    """One line for an error no command expected: a database that cannot be read, a file system error."""
    from sqlalchemy.exc import DBAPIError

    from adoption_desktop.core.logging_setup import LOG_FILE_NAME
    from adoption_desktop.core.storage.engine import is_disk_full_error

    if isinstance(exc, OSError) and is_disk_full_error(exc):
        where = f" ({exc.filename})" if exc.filename else ""
        return (f"a file could not be written{where}: the disk is full. Make room on the disk, or ask IT to, and "
                "run the command again.")
    if is_disk_full_error(exc):
        return ("the disk that holds the database is full: this command's changes were not saved (the database "
                "is as it was before it). Make room on the disk, or ask IT to, and run the command again.")
    if isinstance(exc, DBAPIError):
        from adoption_desktop.core.storage.engine import is_busy_error

        if is_busy_error(exc):
            return ("the database is busy (another program is writing to it); try again when it has "
                    "finished. Nothing was changed.")
        return ("the database could not be read (it may be damaged): run `adoption-desktop verify`, or "
                "restore it from a backup.")
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"a file could not be read or written{where}: {exc.strerror or type(exc).__name__}."
    return (f"an unexpected error stopped the command ({type(exc).__name__}); the details are in the "
            f"log ({LOG_FILE_NAME}, see `adoption-desktop paths`).")


def _check_file_database(args: argparse.Namespace) -> None:
    """A command that makes or mends a database *file* (``set_defaults(file_only=WHY)``) given a PostgreSQL
    server's address is refused before anything is made: ``Path("postgresql+psycopg://app:PASSWORD@host/db")``
    is a folder path, and init and demo made a database there (the password as a folder's name) and said
    they had made it on the server. The address is not repeated: it may hold the password."""
    why = getattr(args, "file_only", None)
    db = getattr(args, "db", None)
    if why and db:
        from adoption_desktop.cli_support import CliError

        given = db.strip().lower()
        if given.startswith("postgres") and "://" in given:  # any driver's spelling (+psycopg2, …)
            raise CliError(f"--db names a PostgreSQL server; {why} Nothing was done.")


def _check_out(args: argparse.Namespace) -> None:
    """``--out`` naming an existing directory, device or pipe, or with a suffix the command does not write,
    is refused before anything is opened, read or written (writing the file would replace it;
    ``core.files.output_file`` checks again when it writes).

    Every command with ``--out`` declares what it writes, ``parser.set_defaults(out_suffixes=…)``: a tuple
    (``(".pdf", ".docx")``) or a function of the command's options giving one (tests/test_cli_input.py
    checks that none is missing)."""
    from pathlib import Path

    out = getattr(args, "out", None)
    if not out:
        return
    from adoption_desktop.cli_support import CliError
    from adoption_desktop.core.errors import ValidationError
    from adoption_desktop.core.files import check_output_suffix, check_output_target

    suffixes = getattr(args, "out_suffixes", None)
    try:
        check_output_target(Path(out))
        if suffixes is not None:
            check_output_suffix(Path(out), suffixes(args) if callable(suffixes) else suffixes)
    except ValidationError as exc:
        raise CliError(f"--out: {exc}") from exc


def _run_logged(handler: Handler, args: argparse.Namespace, progress: _Progress) -> int:
    """Run a headless command, recording in the log its name, exit code and time (never its arguments:
    they can hold paths and references)."""
    import contextlib
    import logging
    import time

    from adoption_desktop.cli_support import CliError
    from adoption_desktop.core.errors import AppError
    from adoption_desktop.core.logging_setup import configure_logging, describe_platform

    name = progress.name
    log = logging.getLogger("adoption_desktop.cli")
    if not getattr(args, "own_log", False):
        configure_logging()
    elif not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        # the command opens its own log (self-test: in its folder); until then a record has nowhere to go,
        # and must not fall through to Python's last-resort handler, which prints it on the console
        log.addHandler(logging.NullHandler())
    log.info("Adoption Desktop %s, %s: command %s", __version__, describe_platform(), name)
    started = time.perf_counter()
    code = 2
    try:
        _check_file_database(args)
        _check_out(args)  # nothing done yet: a refusal or Ctrl+C here has changed nothing
        progress.started = True
        code = handler(args)
    except (CliError, AppError) as exc:
        print(f"adoption-desktop: {exc}", file=sys.stderr)
        log.warning("command %s refused: %s", name, type(exc).__name__)
    except KeyboardInterrupt:
        code = _interrupted(progress)
    except Exception as exc:  # never a traceback on the console: one line, the details in the log
        log.exception("command %s failed", name)
        print(f"adoption-desktop: {_unexpected(exc)}", file=sys.stderr)
    finally:
        try:  # a reader gone at the end is handled by _OutputGuard; any other failure is the command's
            sys.stdout.flush()
        except (OSError, ValueError) as exc:  # e.g. output sent to a file on a full disk: not delivered
            log.warning("command %s: its output could not be written: %s", name, exc)
            with contextlib.suppress(OSError, ValueError):
                from adoption_desktop.core.storage.engine import is_disk_full_error

                detail = ("the disk is full. Make room on the disk, or ask IT to, and run the command again"
                          if isinstance(exc, OSError) and is_disk_full_error(exc)
                          else (exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__))
                print(f"adoption-desktop: the command's output could not be written: {detail}.", file=sys.stderr)
            code = code or 2
            _output_dropped()
        from adoption_desktop.core.config import take_notices

        for words in take_notices():  # the user's settings file was damaged and kept aside (logged too)
            with contextlib.suppress(OSError, ValueError):
                print(f"adoption-desktop: {words}", file=sys.stderr)
        progress.code = code  # said and done: a Ctrl+C from here on changes neither
        if getattr(sys.stdout, "reader_gone", False):
            log.info("command %s: the program reading its output stopped reading before the end", name)
        if getattr(sys.stderr, "reader_gone", False):
            log.info("command %s: the program reading its messages (stderr) stopped reading before the end", name)
        log.info("command %s ended with exit code %s after %.2f s", name, code,
                 time.perf_counter() - started)
    return code
