"""The focus frame in a list's current line is drawn round its text, not over it: on My work the 2-pixel frame
covered the top of the current line's letters and their descenders, so the line looked cut off, and for the
manager, whose list has one line, it was the first thing seen (user trial, thirteenth release)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.palette import high_contrast_palette
from adoption_desktop.ui.tasks import TaskRunner


@pytest.fixture
def restore_palette() -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = QPalette(app.palette())
    yield
    app.setPalette(before)


def _covered(view: QAbstractItemView, away: QWidget) -> tuple[int, int]:
    """(letters' pixels of the current cell that the focus frame drew over, letters' pixels in all). The cell is
    grabbed with the focus elsewhere (its row still selected: the letters on the row's colour) and with the
    focus on the list; a pixel of a letter is one not in the cell's own colour before, and one the frame drew
    over is one that changed."""
    away.setFocus(Qt.FocusReason.OtherFocusReason)
    QApplication.processEvents()
    before = view.viewport().grab().toImage()
    view.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    after = view.viewport().grab().toImage()
    assert view.hasFocus()
    scale = after.width() / view.viewport().width()
    cell = view.visualRect(view.currentIndex())
    assert cell.isValid() and not cell.isEmpty()
    area = QRect(round(cell.x() * scale), round(cell.y() * scale), round(cell.width() * scale),
                 round(cell.height() * scale)).intersected(after.rect())
    return _letters_drawn_over(before, after, area)


def _letters_drawn_over(before: QImage, after: QImage, area: QRect) -> tuple[int, int]:
    pixels = [(x, y) for y in range(area.top(), area.bottom() + 1) for x in range(area.left(), area.right() + 1)]
    ground = Counter(before.pixel(x, y) for x, y in pixels).most_common(1)[0][0]
    letters = [(x, y) for x, y in pixels if before.pixel(x, y) != ground]
    return sum(1 for x, y in letters if after.pixel(x, y) != before.pixel(x, y)), len(letters)


@pytest.mark.parametrize(("username", "scheme"), [("manager", "system"), ("letterbox", "system"),
                                                  ("manager", "high contrast")])
def test_my_work_s_current_line_is_framed_outside_its_text(small_demo_db: Database, username: str, scheme: str,
                                                           qtbot: Any, restore_palette: None) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    db = small_demo_db
    window = MainWindow(AppContext(db, authenticate(db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.setGeometry(0, 0, 1366, 768 - 40)
    window.show()
    qtbot.waitExposed(window)
    if scheme == "high contrast":
        app.setPalette(high_contrast_palette())
    page = window.open_target("my_work")
    assert page is not None
    work = page.list  # type: ignore[attr-defined]
    assert work.currentItem() is not None and work.currentItem().isSelected()
    drawn_over, letters = _covered(work, page.refresh_button)  # type: ignore[attr-defined]
    assert letters > 50  # the line's words are there to be covered
    assert drawn_over == 0
    # the navigation list's current area, drawn by its own delegate, likewise
    drawn_over, letters = _covered(window.nav, page.refresh_button)  # type: ignore[attr-defined]
    assert letters > 50
    assert drawn_over == 0
    window.close()


def test_a_wrapped_line_of_a_list_is_framed_outside_its_text(qtbot: Any) -> None:
    """A list drawn through the focus frame's style whose lines wrap (the Reports figures) keeps the same room
    above and below its lines."""
    from PySide6.QtWidgets import QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout

    from adoption_desktop.reports.views.page import _Wrapped
    from adoption_desktop.ui.focus_frame import install_focus_frame

    install_focus_frame()
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    away = QPushButton("Refresh")
    layout.addWidget(away)
    tree = QTreeWidget()
    tree.setColumnCount(1)
    tree.setHeaderHidden(True)
    tree.setWordWrap(True)
    tree.setItemDelegate(_Wrapped(tree))
    # accented capitals reach the top of a line, descenders its foot
    words = "Ǻ É Ÿ: a reason given for a decision signed late; jpqgy ÿ " * 2
    tree.addTopLevelItems([QTreeWidgetItem([words]), QTreeWidgetItem(["Decisions signed in time"])])
    layout.addWidget(tree)
    page.resize(260, 300)
    page.show()
    qtbot.waitExposed(page)
    tree.setCurrentItem(tree.topLevelItem(0))
    QApplication.processEvents()
    assert tree.visualRect(tree.currentIndex()).height() > 2 * tree.fontMetrics().height()  # it wraps
    drawn_over, letters = _covered(tree, away)
    assert letters > 50
    assert drawn_over == 0
