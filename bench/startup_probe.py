"""Started by bench_foundation.py in a fresh process; prints "shown" when the main window is on screen
and, for the application, "ready" when the database is open and the first page is populated.

    python startup_probe.py bare
    python startup_probe.py app DB_PATH USERNAME

The parent times from spawning the process to reading each line (interpreter start-up included). The
application follows the same order as ``adoption_desktop.app.run_gui``: window first, then the rest."""

from __future__ import annotations

import os
import sys


def main() -> None:
    kind = sys.argv[1]
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication([])
    if kind == "bare":
        window = QMainWindow()
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        print("shown", flush=True)
        os._exit(0)
    from adoption_desktop.ui.main_window import MainWindow

    shell = MainWindow()
    shell.show()
    app.processEvents()
    print("shown", flush=True)
    from adoption_desktop.core.security.secret_store import SecretStore
    from adoption_desktop.core.security.service import principal_for
    from adoption_desktop.core.storage.lifecycle import open_database
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    db = open_database(sys.argv[2], SecretStore())
    shell.attach(AppContext(db, principal_for(db, sys.argv[3]), TaskRunner()))
    app.processEvents()
    print("ready", flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
