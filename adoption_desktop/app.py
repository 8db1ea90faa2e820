"""Start-up: QApplication, the main window at once, then choose and unlock the database, sign in.

The window is shown before anything heavy is imported (SQLAlchemy, alembic, reportlab), so the user
sees the application immediately; the rest runs from the event loop with the window on screen.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# The start-up path's modules that do not use Qt, imported before PySide6: once it is loaded, its import hook reads
# the source of every module imported after it, looking for "PySide6" (its __feature__ support): ~5 ms of the first
# paint for these and the standard library modules they bring (issue 17, bench/bench_startup.py)
import adoption_desktop.core.config
import adoption_desktop.core.security.permissions
import adoption_desktop.core.undo
import adoption_desktop.core.wording  # noqa: F401

# isort: split
# QDialog, QFileDialog and QMessageBox are imported where used: importing them here built their Qt enums
# before the first paint (~2 ms)
from PySide6.QtWidgets import QApplication, QWidget

from adoption_desktop.core.files import secure_umask
from adoption_desktop.ui.main_window import MainWindow

if TYPE_CHECKING:
    import datetime as dt

    from adoption_desktop.core.config import LocalConfig
    from adoption_desktop.core.security.permissions import Principal
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.storage.engine import Database
    from adoption_desktop.ui.writer_wait import WaitReporter


def _ask_passphrase(parent: QWidget | None, confirm: bool, label: str) -> str | None:
    from PySide6.QtWidgets import QDialog

    from adoption_desktop.ui.dialogs import PassphraseDialog

    dialog = PassphraseDialog(parent, confirm=confirm, database=label)
    return dialog.passphrase if dialog.exec() == QDialog.DialogCode.Accepted else None


def _create(parent: QWidget, path: Path, store: SecretStore, *, demo: bool = False) -> Database | None:
    from PySide6.QtWidgets import QMessageBox

    from adoption_desktop.core.storage.lifecycle import create_database
    from adoption_desktop.ui.dialogs import RecoveryKeyDialog
    from adoption_desktop.ui.tasks import TaskRunner, run_with_progress

    _say_opening(parent, "Creating the database…")
    passphrase = None
    if not store.available():
        passphrase = _ask_passphrase(parent, True, str(path))
        if passphrase is None:
            return None
    if not demo:
        created = create_database(path, store, passphrase)
    else:
        from adoption_desktop import demo as demo_module

        runner = TaskRunner()
        result: dict[str, object] = {}
        # filled in before anyone else can open it; a failure removes everything the creation made
        run_with_progress(parent, runner, "Creating the demo database…",
                          lambda task: create_database(path, store, passphrase, populate=lambda db: demo_module.populate(
                              db, "small", progress=lambda m: task.progress(0, 0, m))),
                          lambda r: result.update(ok=r), lambda e: result.update(error=e))
        while "ok" not in result and "error" not in result:
            QApplication.processEvents()
            runner.wait(50)
        if "error" in result:
            raise result["error"]  # type: ignore[misc]
        created = result["ok"]  # type: ignore[assignment]
    _wait_reporter(parent).attach(created.db)
    RecoveryKeyDialog(parent, created.recovery_key, str(path)).exec()
    if demo:  # the sign-in hint last, just before the sign-in it is for (not before the recovery key)
        from adoption_desktop import demo as demo_module

        QMessageBox.information(
            parent, "Demo database",
            f"Sign in as one of: {', '.join(u for u, _n, _r in demo_module.DEMO_USERS)} with the password "
            f"'{demo_module.DEMO_PASSWORD}'. Every name in it is invented.")
    return created.db


def _wait_reporter(parent: QWidget) -> WaitReporter:
    """What the user sees while the database is busy or held by another program (the open waits,
    bounded): the message in the status bar, painted at once, instead of a window that looks hung; and
    once the database is open (:meth:`WaitReporter.attach`), while a save waits for a colleague's write,
    the window kept drawing with a "Waiting…" dialog whose Cancel stops the wait (``ui.writer_wait``)."""
    from adoption_desktop.ui.writer_wait import WaitReporter

    return WaitReporter(parent)


def _say_opening(parent: QWidget, text: str) -> None:
    show = getattr(parent.window(), "show_opening", None)
    if callable(show):
        show(text)


def _open(parent: QWidget, target: str, store: SecretStore) -> Database | None:
    from PySide6.QtWidgets import QMessageBox

    from adoption_desktop.core.security import keys
    from adoption_desktop.core.storage.engine import is_postgres_url
    from adoption_desktop.core.storage.lifecycle import key_mode, open_database

    _say_opening(parent, "Opening the database…")
    on_wait = _wait_reporter(parent)
    if is_postgres_url(target):
        return on_wait.attach(open_database(target, store, on_wait=on_wait))
    path = Path(target)
    passphrase = None
    while True:
        if key_mode(path) == "passphrase" and not os.environ.get(keys.ENV_PASSPHRASE):
            passphrase = _ask_passphrase(parent, False, path.name)
            if passphrase is None:
                return None
        try:
            return on_wait.attach(open_database(path, store, passphrase, on_wait=on_wait))
        except keys.KeyUnavailable as exc:
            if passphrase is None:
                raise
            QMessageBox.warning(parent, "Open database", str(exc))


def ask_retry_unreachable(parent: QWidget, exc: BaseException) -> bool:
    """The team server could not be reached at start-up: say so plainly and offer Retry beside Close.
    True for Retry."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "Open database", str(exc), parent=parent)
    box.setObjectName("unreachable_box")
    retry = box.addButton("&Retry", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("&Close", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(retry)
    box.exec()
    return box.clickedButton() is retry


def _is_there(target: str) -> bool:
    """Whether the database file ``target`` names may be there, to be opened. A name the disk cannot even look
    up (a part of it longer than 255 characters, pasted into the settings file while mending it by hand; a
    folder this user may no longer read) may: opening it says why not, and the welcome dialog follows. Asking
    raised OSError out of :func:`choose_database`, and the program closed at every start without offering it."""
    try:
        return Path(target).exists()
    except OSError:
        return True


def choose_database(parent: QWidget, store: SecretStore, config: LocalConfig,
                    db_arg: str | None) -> Database | None:
    from PySide6.QtWidgets import QDialog, QFileDialog

    from adoption_desktop.core.config import app_paths
    from adoption_desktop.core.errors import DatabaseUnavailable
    from adoption_desktop.core.policy import current_policy, load_install_defaults
    from adoption_desktop.core.storage.engine import is_postgres_url
    from adoption_desktop.ui.dialogs import StartDialog, show_error

    paths = app_paths().ensure_local()
    policy_db = current_policy().database
    defaults = load_install_defaults()
    # IT's policy wins over the command line and the user's last choice; the installer's defaults
    # (MSI properties) only fill in where the user has not chosen yet.
    target = policy_db or db_arg or config.text("last_database") or defaults.team_server_url
    if policy_db:
        db_arg = policy_db
    if target and (is_postgres_url(target) or _is_there(target)):
        while True:
            try:
                opened = _open(parent, target, store)
            except DatabaseUnavailable as exc:  # the team server is down or restarting: it may be back soon
                if ask_retry_unreachable(parent, exc):
                    continue
                opened = None
            except Exception as exc:  # a remembered database that cannot be opened must not lock the user out
                show_error(parent, "Open database", exc)
                opened = None
            break
        if opened is not None or db_arg:
            return opened
    start = StartDialog(parent)
    if start.exec() != QDialog.DialogCode.Accepted:
        return None
    if start.choice == StartDialog.DEMO:
        if paths.demo_database.exists():
            db = _open(parent, str(paths.demo_database), store)
        else:
            db = _create(parent, paths.demo_database, store, demo=True)
    elif start.choice == StartDialog.CREATE:
        folder = defaults.database_folder or paths.data
        name, _ = QFileDialog.getSaveFileName(parent, "Create a new database", str(folder / paths.default_database.name),
                                              "Adoption Desktop database (*.db)")
        if not name:
            return None
        db = _create(parent, Path(name), store)
    else:
        name, _ = QFileDialog.getOpenFileName(parent, "Open a database", str(defaults.database_folder or paths.data),
                                              "Adoption Desktop database (*.db)")
        if not name:
            return None
        db = _open(parent, name, store)
    if db is not None and db.path is not None:
        # a read-only profile, or another copy of the program saving its settings past the wait: the database
        # is open all the same (the preference is logged as not saved by LocalConfig when busy)
        with contextlib.suppress(OSError):
            config.set("last_database", str(db.path))
    return db


def sign_in(parent: QWidget, database: Database) -> Principal | None:
    from PySide6.QtWidgets import QDialog

    from adoption_desktop.core.security import service as users
    from adoption_desktop.ui.dialogs import FirstAdminDialog, LoginDialog

    dialog: FirstAdminDialog | LoginDialog
    dialog = FirstAdminDialog(database, parent) if not users.has_users(database) else LoginDialog(database, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.principal


def audit_alert(parent: QWidget, database: Database, principal: Principal) -> None:
    """The check at open held the database (the audit log disagreed with an anchor kept outside the database,
    a table is missing, an object the application never made is there): say so; an administrator may
    acknowledge it here (audited), anyone else is told that nothing can be saved until then."""
    if database.audit_hold is None:
        return
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from adoption_desktop.core.audit import anchors
    from adoption_desktop.core.security.permissions import Permission
    from adoption_desktop.ui.dialogs import show_error

    text = ("The check made when this database was opened found a problem:\n\n"
            f"{database.audit_hold}\n\nThe database may have been changed outside the application (its audit log "
            "cut short or rewritten, a table removed, something added to it), or the file replaced by an older "
            "copy. Nothing can be saved until an administrator has looked into it and acknowledged it.")
    if not principal.can(Permission.USERS_MANAGE):
        QMessageBox.warning(parent, "Audit alert", text)
        return
    # the finding as the message and the rest below it: Qt wraps an informative text to the box's width,
    # so the whole alert reads on a small or scaled screen without scrolling sideways
    box = QMessageBox(QMessageBox.Icon.Warning, "Audit alert", "The check made when this database was opened "
                      "found a problem.", parent=parent)
    box.setInformativeText(text.split("\n\n", 1)[1])
    ack = box.addButton("Acknowledge…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not ack:
        return
    note, ok = QInputDialog.getText(parent, "Acknowledge the audit alert",
                                    "What was checked, and why may work be saved again? (recorded in the audit log)")
    if not ok:
        return
    try:
        anchors.acknowledge(database, principal, note)
    except Exception as exc:
        show_error(parent, "Acknowledge the audit alert", exc)


def moved_notice(parent: QWidget, database: Database) -> None:
    """The file was moved to the team server (``move-to-server``): said once after sign-in, and by the
    window's banner while it is open; every save is refused with the same words."""
    from PySide6.QtWidgets import QMessageBox

    if database.moved_to_server:
        QMessageBox.information(parent, "Moved to the team server", database.moved_to_server)


def _settings_read(window: MainWindow, config: LocalConfig) -> None:
    """Wait, with the window answering (its events run), for the settings file's read still going on (a profile
    folder on a slow network share), :data:`SETTINGS_LOCK_WAIT` at most: the database to open is in it, and the
    welcome dialog offered in its place would invite a new database. Past the wait: the defaults (the user was
    told the settings could not be read yet)."""
    import time

    from PySide6.QtCore import QEventLoop

    from adoption_desktop.core.config import settings_locks

    if config.read_finished():
        return
    window.statusBar().showMessage("Reading your settings…")
    deadline = time.monotonic() + settings_locks.SETTINGS_LOCK_WAIT
    while not config.read_finished() and time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.02)
    if window.statusBar().currentMessage() == "Reading your settings…":
        window.statusBar().clearMessage()


def finish_start_up(window: MainWindow, db_arg: str | None) -> Database | None:
    """Everything after the window is shown. Returns the open database, or None if the user stopped."""
    from adoption_desktop.core.config import LocalConfig, app_paths, log_notices, set_notice_listener
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.dialogs import show_error
    from adoption_desktop.ui.tasks import TaskRunner

    log_notices()  # the window read the settings file before the log was open
    store = SecretStore()
    # the window's own object (read as it was made): a second read here, on the window's thread, froze it on a
    # stalled profile share; a read still going on is waited for with the window answering
    config = window._config or LocalConfig(app_paths().settings_file)
    _settings_read(window, config)
    try:
        database = choose_database(window, store, config, db_arg)
    except Exception as exc:
        show_error(window, "Open database", exc)
        return None
    if database is None:
        return None
    principal = sign_in(window, database)
    if principal is None:
        database.dispose()
        return None
    audit_alert(window, database, principal)
    moved_notice(window, database)
    window.attach(AppContext(database, principal, TaskRunner()))
    # a damaged settings file kept aside (found when the window or the above read it, or later): said once
    set_notice_listener(window.settings_notice.emit)
    window.raise_()
    window.activateWindow()
    from adoption_desktop.ui.guide import offer_first_day_tour

    offer_first_day_tour(window)  # a person's first sign-in here: the tour of their pages
    return database


def install_error_hook(window: QWidget) -> None:
    """An unexpected error is shown to the user as a message (and printed for IT), never a silent crash."""
    import contextlib
    import traceback
    from types import TracebackType

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        traceback.print_exception(kind, exc, tb)
        from adoption_desktop.core.logging_setup import log_unhandled

        log_unhandled(kind, exc, tb)
        from adoption_desktop.core.errors import AppError
        from adoption_desktop.ui.dialogs import show_error

        with contextlib.suppress(Exception):  # a refusal the screen forgot to catch is still said as one
            show_error(window, "Please check" if isinstance(exc, AppError) else "Unexpected problem", exc, logged=True)

    sys.excepthook = hook


def _start_log() -> None:
    """The log is opened once the window is on screen (it costs start-up time otherwise)."""
    import logging

    from adoption_desktop import __version__
    from adoption_desktop.core.logging_setup import configure_logging, describe_platform

    configure_logging()
    logging.getLogger("adoption_desktop.app").info("Adoption Desktop %s started, %s", __version__,
                                                   describe_platform())


#: how long the program's end waits for the automatic backups, in all (one begun while the window was open, then
#: the one at close): a backup folder that stopped answering (a network share) kept the program running for good,
#: its database held open; as the settings still to be written are waited for (``SETTINGS_LOCK_WAIT``)
BACKUP_CLOSE_WAIT = 10.0
#: and one more second for each this many bytes of the database: a backup of a large database to a slow (not a
#: stalled) network folder takes longer than 10 s and must not be given up at every close (2 MB/s: a slow share)
BACKUP_CLOSE_BYTES_A_SECOND = 2_000_000


def backup_close_wait(database_file: Path | None) -> float:
    """How long the program's end waits for the automatic backups, in all: :data:`BACKUP_CLOSE_WAIT`, plus the
    time a slow network folder takes for a database of this size (:data:`BACKUP_CLOSE_BYTES_A_SECOND`)."""
    size = 0
    if database_file is not None:
        with contextlib.suppress(OSError):
            size = database_file.stat().st_size
    return BACKUP_CLOSE_WAIT + size / BACKUP_CLOSE_BYTES_A_SECOND


def _scheduled_backup(database: Database, deadline: float | None = None, waited: float = BACKUP_CLOSE_WAIT) -> bool:
    """The backup IT's policy schedules (``BackupSchedule``), taken as the application closes; a failure
    is logged (its detail, with no path, by ``run_scheduled_backup``) and never stops the application from closing.
    With ``deadline`` (``time.monotonic()``), it is taken on a thread of its own and waited for until then: False
    when it is still being written (its folder not answering), said in the log and beside the database, and left
    under its temporary name as the program ends."""
    import contextlib
    import datetime as dt
    import logging
    import threading
    import time

    from adoption_desktop.core.config import LocalConfig, app_paths
    from adoption_desktop.core.policy import current_policy
    from adoption_desktop.core.scheduled_backup import run_scheduled_backup

    log = logging.getLogger("adoption_desktop.app")
    try:
        paths = app_paths().ensure_local()
        policy = current_policy()
        # read here, as the window's thread reads (bounded: a stalled profile share), not on the backup's thread
        config = LocalConfig(paths.settings_file)
    except Exception as exc:
        log.warning("scheduled backup not attempted: %s", type(exc).__name__)
        return True

    def take() -> None:
        with contextlib.suppress(Exception):  # a failure is logged, once and with its detail, by run_scheduled_backup
            if run_scheduled_backup(database, policy, config, paths):
                log.info("scheduled backup written")

    if deadline is None:
        take()
        return True
    started = dt.datetime.now()
    thread = threading.Thread(target=take, name="backup-at-close", daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    if not thread.is_alive():
        return True
    _backup_unfinished(database, started, "the automatic backup at close", waited)
    return False


def _backup_unfinished(database: Database, started: dt.datetime, which: str, waited: float) -> None:
    """A backup still being written as the program ends (its folder not answering): said in the log (no path: it
    names the user) and beside the database, for the status bar's backup line and Help → About next time."""
    import contextlib
    import logging

    from adoption_desktop.core.scheduled_backup import record_unfinished

    logging.getLogger("adoption_desktop.app").warning(
        "%s was not finished within %.0f s of the close (its backup folder did not answer); the program ends "
        "without it, the file left under its temporary name", which, waited)
    if database.path is not None:
        with contextlib.suppress(OSError):
            record_unfinished(database.path, started, waited)


def run_gui(db: str | None = None) -> int:
    secure_umask()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Adoption Desktop")
    app.setOrganizationName("AdoptionDesktop")
    import threading

    from adoption_desktop.core.config import defer_writes_on, flush_settings

    # a preference saved on the window's thread never freezes it behind another program's hold on the settings
    # file: written behind it, and what is left written below once the window has gone
    defer_writes_on(threading.current_thread())
    window = MainWindow()
    window.show()
    install_error_hook(window)
    opened: list[Database] = []

    def continue_start_up() -> None:
        from adoption_desktop.ui.palette import apply_accessible_palette

        apply_accessible_palette()  # hint text at 4.5:1 in the sign-in dialogs too (after the first paint)
        _start_log()
        database = finish_start_up(window, db)
        if database is None:
            window.close()
            app.quit()
        else:
            opened.append(database)

    # paint first: the database, the key and the schema check come after the window is on screen
    window.after_first_paint(continue_start_up)
    code = app.exec()
    import logging

    from adoption_desktop.core.config import log_notices, set_notice_listener

    set_notice_listener(None)  # the window has gone: a notice from the backup at close goes to the log

    # an automatic backup the open window started finishes before the one at close is considered (it
    # then finds this period's backup made) and before the database is closed. The backup at close reads the
    # settings file and writes its time there still as the window's thread does (a bounded read, the write
    # behind): on a stalled profile share it held the program's end for good, its database open
    # Both are waited for BACKUP_CLOSE_WAIT in all: one still writing to a backup folder that stopped answering is
    # left (on a thread that never holds the program's end), said in the log and beside the database, and the
    # one at close is not begun into the same folder
    import datetime as dt
    import time

    wait = max((backup_close_wait(database.path) for database in opened), default=BACKUP_CLOSE_WAIT)
    deadline = time.monotonic() + wait
    started = dt.datetime.now()
    finished = window.background_backup.finish(int(wait * 1000))
    for database in opened:  # the window's one database
        if not finished:
            # as of when it began: the record it writes if it ends meanwhile has that time, and is kept
            _backup_unfinished(database, window.background_backup.begun or started,
                               "the automatic backup begun while the window was open", wait)
            logging.getLogger("adoption_desktop.app").warning(
                "scheduled backup at close not attempted: the one begun while the window was open had not finished")
        else:
            _scheduled_backup(database, deadline, wait)
        database.dispose()
    defer_writes_on(None)  # from here a change waits for the file as a command's does
    # the window's place, a Save folder, the backup's time … still waiting for another program's hold: written
    # now, with the whole wait (the window has gone); what cannot be is logged by its name, as a change refused
    # as busy always was
    with contextlib.suppress(OSError):
        flush_settings()
    log_notices()

    logging.getLogger("adoption_desktop.app").info("Adoption Desktop closed (exit code %s)", code)
    return int(code)
