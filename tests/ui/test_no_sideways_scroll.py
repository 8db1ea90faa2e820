"""No page of the main window scrolls sideways at 125 % or 150 % scaling on a 1366×768 screen.

At 150 % (QT_SCALE_FACTOR=1.5) such a screen is 911×512 logical pixels, and the window opens at
:func:`~adoption_desktop.ui.geometry.default_rect` of its available area (895×432 for the client area). Pages
may scroll up and down (``fit.scrolling``), never sideways: a user should not scroll left and right to reach a
button. Only a wide table may scroll its own columns. Qt lays out in logical pixels, so checking at these
sizes is what QT_SCALE_FACTOR shows (``walk.py``).

Set ``ADOPTION_FIT_SHOTS`` to a folder to have each page grabbed there as a PNG (to look at the layouts).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QAbstractItemView, QApplication, QScrollArea, QWidget

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import geometry
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from adoption_desktop.ui.wrap_row import WrapRow
from tests.ui.walk import SCREENS, available, every_view, select_first_rows

SCALED = [s for s in SCREENS if s[0] != "100%"]


def _inside_a_table(widget: QWidget, top: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractItemView):
            return True  # a table's own cell widgets scroll with its columns
        parent = parent.parentWidget()
    return False


def sideways(window: MainWindow) -> list[str]:
    """What on the shown page is wider than the room it has: a page scroll area that can scroll sideways,
    the window grown wider than it was made, a control whose right edge is past the window's."""
    found: list[str] = []
    for area in window.findChildren(QScrollArea):
        if area.objectName().startswith("scroll_") and area.isVisibleTo(window):
            bar = area.horizontalScrollBar()
            if bar.maximum() > 0:
                found.append(f"scrolls sideways by {bar.maximum()} px "
                             f"(needs {area.widget().minimumSizeHint().width()}, has {area.viewport().width()})")
    right = window.width()
    for widget in window.findChildren(QWidget):
        if (not widget.isVisibleTo(window) or widget.window() is not window or widget.width() <= 0
                or _inside_a_table(widget, window)):
            continue
        edge = widget.mapTo(window, QPoint(widget.width(), 0)).x()
        if edge > right + 1:
            name = getattr(widget, "text", lambda: "")() if hasattr(widget, "text") else ""
            found.append(f"{type(widget).__name__} {widget.objectName() or name!r} ends at {edge} > {right}")
    for row in window.findChildren(WrapRow):
        owner = row.parentWidget()
        if owner is None or not owner.isVisibleTo(window) or owner.window() is not window:
            continue
        given = row.geometry()
        if given.width() > 0 and given.height() < row.lines_height(given.width()):
            found.append(f"a wrapping row in {type(owner).__name__} is {given.height()} px high but its lines need "
                         f"{row.lines_height(given.width())}: its last line is hidden under what follows")
    return found[:6]  # the first few say where to look


def _shot_name(scale: str, view: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", f"{scale}-{view}").strip("-") + ".png"


@pytest.mark.parametrize(("scale", "width", "height"), SCALED, ids=[s[0] for s in SCALED])
def test_no_page_scrolls_sideways_at_125_and_150_percent(small_demo_db: Database, qtbot: Any, scale: str,
                                                          width: int, height: int) -> None:
    db = small_demo_db
    window = MainWindow(AppContext(db, authenticate(db, "admin", demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    rect = geometry.default_rect(available(width, height))
    window.setGeometry(rect)
    window.show()
    QApplication.processEvents()
    shots = os.environ.get("ADOPTION_FIT_SHOTS")

    def pages() -> Any:
        for target in window.targets:
            page = window.open_target(target.key)
            assert page is not None
            select_first_rows(page)
            yield target.title, page

    problems: dict[str, list[str]] = {}
    for name in every_view(window, pages):
        QApplication.processEvents()
        if window.width() > rect.width():
            problems.setdefault(name, []).append(f"the window grew to {window.width()} > {rect.width()}")
        found = sideways(window)
        if found:
            problems.setdefault(name, []).extend(found)
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            window.grab().save(str(Path(shots) / _shot_name(scale, name)))
    window.close()
    assert problems == {}, f"{scale} ({rect.width()}×{rect.height()}):\n" + "\n".join(
        f"{k}: {'; '.join(v)}" for k, v in problems.items())


def test_at_100_percent_no_page_scrolls_at_all(small_demo_db: Database, qtbot: Any) -> None:
    """The wrapping rows change nothing at 100 %: every page still fits the window without scrolling either
    way (a row that reported a height for its width made the ADM page scroll up and down by 24 px there)."""
    db = small_demo_db
    window = MainWindow(AppContext(db, authenticate(db, "admin", demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()

    def pages() -> Any:
        for target in window.targets:
            page = window.open_target(target.key)
            assert page is not None
            select_first_rows(page)
            yield target.title, page

    problems = {}
    for name in every_view(window, pages):
        QApplication.processEvents()
        found = [f"{area.objectName()} scrolls: up and down {area.verticalScrollBar().maximum()} px, sideways "
                 f"{area.horizontalScrollBar().maximum()} px" for area in window.findChildren(QScrollArea)
                 if area.objectName().startswith("scroll_") and area.isVisibleTo(window)
                 and (area.verticalScrollBar().maximum() or area.horizontalScrollBar().maximum())]
        if found:
            problems[name] = found
    window.close()
    assert problems == {}


def test_the_sitting_heading_is_never_squeezed_below_its_lines(small_demo_db: Database, qtbot: Any) -> None:
    """The Panel page's sitting heading (two or three wrapped lines) counts at its whole height: the agenda's
    minimum counted it one line high, so at 150 % on the demo's sitting day its third line took the room of the
    item-presence row below it (the check above failed on 8 December only, the day's heading being longer)."""
    from PySide6.QtWidgets import QLabel

    db = small_demo_db
    window = MainWindow(AppContext(db, authenticate(db, "admin", demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    scale, width, height = next(s for s in SCALED if s[0] == "150%")
    window.setGeometry(geometry.default_rect(available(width, height)))
    window.show()
    page = window.open_target("panel")
    assert page is not None
    select_first_rows(page)
    QApplication.processEvents()
    heading = page.findChild(QLabel, "sitting_heading")
    assert heading is not None and heading.isVisible() and heading.text()
    need = heading.heightForWidth(heading.width())
    assert need > heading.fontMetrics().height()  # wrapped: more than one line
    assert heading.minimumHeight() >= need and heading.height() >= need, scale
    window.close()
