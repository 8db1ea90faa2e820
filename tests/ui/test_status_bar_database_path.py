"""The database's path in the status bar takes what it needs up to a third of the bar, shortened in the middle
(the file's name kept whole), the whole path in its tooltip. At 150 % on a 1366×768 screen a database in a
shared folder took about half the bar, and every message was cut to the other half (user walk, fourteenth
release); the same at 100 % with a deeper folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from adoption_desktop import demo
from adoption_desktop.core.security.secret_store import SecretStore
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.lifecycle import open_database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner

#: the most of the bar's width the database's path may take
PATH_SHARE = 1 / 3
#: 1366 × 768 less a 40-pixel taskbar, in logical pixels, at 100 % and at 150 %
SIZES = {"100": (1366, 768 - 40), "150": (round(1366 / 1.5), round((768 - 40) / 1.5))}


@pytest.mark.parametrize("scale", sorted(SIZES))
def test_the_database_path_leaves_the_bar_to_messages(small_demo_copy: Any, tmp_path: Path, store: SecretStore,
                                                      qtbot: Any, scale: str) -> None:
    folder = tmp_path / "Shared drive" / "Children's services" / "Adoption service" / "Panel and decisions 2026"
    folder.mkdir(parents=True)
    db = open_database(small_demo_copy(folder / "agency-live.db"), store)
    try:
        window = MainWindow(AppContext(db, authenticate(db, "manager", demo.DEMO_PASSWORD),
                                       TaskRunner(synchronous=True)))
        qtbot.addWidget(window)
        window.resize(*SIZES[scale])
        window.show()
        qtbot.waitExposed(window)
        QApplication.processEvents()
        status: Any = window.statusBar()
        label = window.db_label
        whole = f"Database: {db.path}"
        assert label.isVisible()
        assert window.width() <= SIZES[scale][0]  # its whole length no longer holds the window wider than the screen
        # too long for a third of the bar: shortened to it, the messages keep the rest
        assert status.fontMetrics().horizontalAdvance(whole) > status.width() * PATH_SHARE
        assert label.width() <= status.width() * PATH_SHARE
        assert status.message_room().width() >= status.width() * 0.6
        shown = label.text()
        assert shown.startswith("Database: ") and "…" in shown
        assert shown.endswith("agency-live.db")  # the file's name kept whole, the folders shortened in the middle
        assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()  # not clipped
        assert whole in label.toolTip() and whole in label.accessibleDescription()
        # a message is cut only where the bar is too narrow for it, not at half the bar
        message = "Saved the panel's attendance for the sitting of Tuesday 8 December, and the quorum"
        window.ctx.notify(message)
        QApplication.processEvents()
        if status.fontMetrics().horizontalAdvance(message) <= status.width() * 0.6:
            assert status.shown_message() == message

        # a window wide enough for the whole path shows it whole, and takes only what it needs
        window.resize(round((status.fontMetrics().horizontalAdvance(whole) + 40) / PATH_SHARE), SIZES[scale][1])
        QApplication.processEvents()
        assert label.text() == whole
        assert label.width() < status.width() * PATH_SHARE
        window.resize(*SIZES[scale])  # and narrower again: shortened again
        QApplication.processEvents()
        assert "…" in label.text() and label.width() <= status.width() * PATH_SHARE
        window.close()
    finally:
        db.dispose()
