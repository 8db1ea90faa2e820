"""The window fits a 1366×768 screen at 100 %, 125 % and 150 % (checked at the logical sizes), and every
page, tab and big dialog shows whole labels: tab titles, column headers, placeholders and labels."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QScrollArea

from adoption_desktop import demo
from adoption_desktop.core.config import LocalConfig, app_paths
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import geometry
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.ui.walk import SCREENS, TASKBAR, available, clipped, every_view, select_first_rows

ROLES = ["admin", "paneladmin", "chair", "adm", "letterbox", "counsellor", "manager"]


@pytest.fixture
def demo_db(small_demo_db: Database) -> Database:
    return small_demo_db  # the small demo, made once per run (conftest)


def _window(db: Database, username: str, qtbot: Any) -> MainWindow:
    window = MainWindow(AppContext(db, authenticate(db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    return window


@pytest.mark.parametrize("username", ROLES)
def test_every_page_fits_and_shows_whole_labels_at_each_scaling(demo_db: Database, username: str,
                                                                qtbot: Any) -> None:
    window = _window(demo_db, username, qtbot)
    problems: dict[str, list[str]] = {}
    for scale, width, height in SCREENS:
        rect = geometry.default_rect(available(width, height))
        window.setGeometry(rect)
        window.show()
        QApplication.processEvents()
        # the window with its frame ends above the taskbar, and no page needs more than that
        assert rect.bottom() + geometry.FRAME_ALLOWANCE_H <= height - TASKBAR, scale

        def pages() -> Any:
            for target in window.targets:
                page = window.open_target(target.key)
                assert page is not None
                select_first_rows(page)
                yield target.key, page

        for name in every_view(window, pages):
            hint = window.minimumSizeHint()
            if hint.width() > rect.width() or hint.height() > rect.height():
                problems.setdefault(f"{scale} {name}", []).append(
                    f"window needs {hint.width()}×{hint.height()} > {rect.width()}×{rect.height()}")
            found = clipped(window)
            if scale == "100%":  # a 1366-pixel screen: no page scrolls sideways in the window it opens in
                found += [f"{area.objectName()} scrolls sideways by {area.horizontalScrollBar().maximum()} px"
                          for area in window.findChildren(QScrollArea)
                          if area.objectName().startswith("scroll_") and area.isVisibleTo(window)
                          and area.horizontalScrollBar().maximum() > 0]
            if found:
                problems.setdefault(f"{scale} {name}", []).extend(found)
    window.close()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_window_opens_on_the_available_area_and_remembers_its_place(qtbot: Any) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QGuiApplication

    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    area = screen.availableGeometry()
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.width() <= area.width() and window.height() + geometry.FRAME_ALLOWANCE_H <= area.height()
    # a small screen: the default is the available area less the frame, never the old fixed 1280×800
    small = geometry.default_rect(QRect(0, 0, 1366, 728))
    assert small.height() + geometry.FRAME_ALLOWANCE_H <= 728 and small.width() <= 1366
    window.show()
    window.setGeometry(QRect(area.x() + 20, area.y() + 30, 700, 500))
    QApplication.processEvents()
    window.close()
    stored = LocalConfig(app_paths().settings_file).get(geometry.CONFIG_KEY)
    assert stored[geometry.screen_key(screen)][2:] == [700, 500]
    again = MainWindow()
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 500)
    # a remembered place larger than this screen is not used
    config = LocalConfig(app_paths().settings_file)
    config.set(geometry.CONFIG_KEY, {geometry.screen_key(screen): [0, 0, area.width() + 500, area.height() + 500]})
    third = MainWindow()
    qtbot.addWidget(third)
    assert third.width() <= area.width()


def test_the_signed_in_user_is_shown_at_the_top(db: Database, admin: Any, make_window: Any) -> None:
    window = make_window(admin)
    corner = window.menuBar().cornerWidget()
    assert corner is window.user_label and "admin" in corner.text()
    assert corner.isVisible() and corner.mapTo(window, corner.rect().topLeft()).y() < 40
