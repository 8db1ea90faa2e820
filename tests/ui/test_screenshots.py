"""Screenshots of the main pages at 1366×768 (less a 40 px taskbar) for two roles, grabbed offscreen.

Always grabbed (the grab itself is checked: the size, and that the signed-in user is in the top bar);
written to ``docs/screenshots/finish/`` when ``ADOPTION_DESKTOP_SCREENSHOTS=1`` is set::

    ADOPTION_DESKTOP_SCREENSHOTS=1 QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/ui/test_screenshots.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "finish"


@pytest.mark.parametrize("username", ["adm", "letterbox"])
def test_main_pages_at_1366_by_768(small_demo_db: Database, username: str, qtbot: Any, tmp_path: Path) -> None:
    db = small_demo_db
    window = MainWindow(AppContext(db, authenticate(db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.setGeometry(0, 0, 1366, 768 - 40)
    window.show()
    out = OUT if os.environ.get("ADOPTION_DESKTOP_SCREENSHOTS") else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    for target in window.targets:
        window.open_target(target.key)
        QApplication.processEvents()
        image = window.grab().toImage()
        assert (image.width(), image.height()) == (1366, 728)
        assert image.save(str(out / f"{username}-{target.key}.png"))
    assert window.menuBar().cornerWidget().text().startswith("Signed in:")
    window.close()


def test_adm_page_under_high_contrast(small_demo_db: Database, qtbot: Any, tmp_path: Path) -> None:
    """The same page under a High Contrast palette (black background, white text): no fixed colours left."""
    from PySide6.QtGui import QPalette

    from adoption_desktop.ui.palette import high_contrast_palette

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = QPalette(app.palette())
    db = small_demo_db
    try:
        app.setPalette(high_contrast_palette())
        window = MainWindow(AppContext(db, authenticate(db, "adm", demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
        qtbot.addWidget(window)
        app.setPalette(high_contrast_palette())
        window.setGeometry(0, 0, 1366, 768 - 40)
        window.show()
        window.open_target("adm")
        QApplication.processEvents()
        out = OUT if os.environ.get("ADOPTION_DESKTOP_SCREENSHOTS") else tmp_path
        out.mkdir(parents=True, exist_ok=True)
        image = window.grab().toImage()
        assert image.pixelColor(5, 300).lightness() < 40  # the navigation's background is the palette's black
        assert image.save(str(out / "adm-adm-high-contrast.png"))
        window.close()
    finally:
        app.setPalette(before)
