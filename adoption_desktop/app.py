"""Start-up: QApplication, choose and unlock the database, sign in, main window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget

from adoption_desktop.core.config import LocalConfig, app_paths
from adoption_desktop.core.errors import AppError
from adoption_desktop.core.security import keys
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.storage.engine import Database, is_postgres_url, secure_umask
from adoption_desktop.core.storage.lifecycle import create_database, key_mode, open_database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import (
    FirstAdminDialog,
    LoginDialog,
    PassphraseDialog,
    RecoveryKeyDialog,
    StartDialog,
    show_error,
)
from adoption_desktop.ui.tasks import TaskRunner


def _ask_passphrase(parent: QWidget | None, confirm: bool, label: str) -> str | None:
    dialog = PassphraseDialog(parent, confirm=confirm, database=label)
    return dialog.passphrase if dialog.exec() == QDialog.DialogCode.Accepted else None


def _create(path: Path, store: SecretStore, *, demo: bool = False) -> Database | None:
    passphrase = None
    if not store.available():
        passphrase = _ask_passphrase(None, True, str(path))
        if passphrase is None:
            return None
    created = create_database(path, store, passphrase)
    if demo:
        from adoption_desktop import demo as demo_module
        from adoption_desktop.ui.tasks import run_with_progress

        runner = TaskRunner()
        result: dict[str, object] = {}
        run_with_progress(None, runner, "Creating the demo database…",
                          lambda _t: demo_module.populate(created.db, "small"),
                          lambda r: result.update(ok=r), lambda e: result.update(error=e))
        while "ok" not in result and "error" not in result:
            QApplication.processEvents()
            runner.wait(50)
        if "error" in result:
            raise result["error"]  # type: ignore[misc]
        QMessageBox.information(
            None, "Demo database",
            f"Sign in as one of: {', '.join(u for u, _n, _r in demo_module.DEMO_USERS)} with the password "
            f"'{demo_module.DEMO_PASSWORD}'. Every name in it is invented.")
    RecoveryKeyDialog(None, created.recovery_key, str(path)).exec()
    return created.db


def _open(target: str, store: SecretStore) -> Database | None:
    if is_postgres_url(target):
        return open_database(target, store)
    path = Path(target)
    passphrase = None
    while True:
        if key_mode(path) == "passphrase" and not os.environ.get(keys.ENV_PASSPHRASE):
            passphrase = _ask_passphrase(None, False, path.name)
            if passphrase is None:
                return None
        try:
            return open_database(path, store, passphrase)
        except keys.KeyUnavailable as exc:
            if passphrase is None:
                raise
            QMessageBox.warning(None, "Open database", str(exc))


def choose_database(store: SecretStore, config: LocalConfig, db_arg: str | None) -> Database | None:
    paths = app_paths().ensure()
    target = db_arg or config.get("last_database")
    if target and (is_postgres_url(target) or Path(target).exists()):
        return _open(target, store)
    start = StartDialog()
    if start.exec() != QDialog.DialogCode.Accepted:
        return None
    if start.choice == StartDialog.DEMO:
        if paths.demo_database.exists():
            db = _open(str(paths.demo_database), store)
        else:
            db = _create(paths.demo_database, store, demo=True)
    elif start.choice == StartDialog.CREATE:
        name, _ = QFileDialog.getSaveFileName(None, "Create a new database", str(paths.default_database),
                                              "Adoption Desktop database (*.db)")
        if not name:
            return None
        db = _create(Path(name), store)
    else:
        name, _ = QFileDialog.getOpenFileName(None, "Open a database", str(paths.data),
                                              "Adoption Desktop database (*.db)")
        if not name:
            return None
        db = _open(name, store)
    if db is not None and db.path is not None:
        config.set("last_database", str(db.path))
    return db


def run_gui(db: str | None = None) -> int:
    secure_umask()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Adoption Desktop")
    app.setOrganizationName("AdoptionDesktop")
    store = SecretStore()
    config = LocalConfig(app_paths().ensure().settings_file)
    try:
        database = choose_database(store, config, db)
    except AppError as exc:
        show_error(None, "Open database", exc)
        return 2
    if database is None:
        return 0
    if not users.has_users(database):
        first = FirstAdminDialog(database)
        if first.exec() != QDialog.DialogCode.Accepted or first.principal is None:
            return 0
        principal = first.principal
    else:
        login = LoginDialog(database)
        if login.exec() != QDialog.DialogCode.Accepted or login.principal is None:
            return 0
        principal = login.principal
    from adoption_desktop.ui.main_window import MainWindow

    window = MainWindow(AppContext(database, principal, TaskRunner()))
    window.show()
    code = app.exec()
    database.dispose()
    return int(code)
