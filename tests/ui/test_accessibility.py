"""Screen readers and High Contrast: every control and view is named, text reads at 4.5:1 (WCAG AA)
under the system palette and under a high-contrast one (black background, white text), hints included."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QWidget

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.accessibility import INTERACTIVE, accessible_name
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.palette import (
    AA_NORMAL_TEXT,
    accessible_palette,
    contrast_ratio,
    high_contrast_palette,
    readable,
)
from adoption_desktop.ui.tasks import TaskRunner
from tests.ui.walk import every_view, select_first_rows

ROLES = ["admin", "paneladmin", "chair", "adm", "letterbox", "counsellor", "manager"]


@pytest.fixture
def demo_db(db: Database) -> Database:
    demo.populate(db, "small")
    return db


@pytest.fixture
def restore_palette() -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = QPalette(app.palette())
    yield
    app.setPalette(before)


def _window(db: Database, username: str, qtbot: Any) -> MainWindow:
    window = MainWindow(AppContext(db, authenticate(db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    return window


def _views(window: MainWindow) -> Iterator[str]:
    def pages() -> Any:
        for target in window.targets:
            page = window.open_target(target.key)
            assert page is not None
            select_first_rows(page)
            yield target.key, page

    return every_view(window, pages)


def unnamed(top: QWidget) -> list[str]:
    missing = []
    for widget in [top, *top.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or not widget.isVisibleTo(top):
            continue
        if widget.objectName().startswith("qt_") or (type(widget).__name__ in ("QLineEdit",) and \
                type(widget.parent()).__name__ in ("QComboBox", "QDateEdit", "QSpinBox", "QDoubleSpinBox")):
            continue  # Qt's own parts of a composite control, named through the control
        if not accessible_name(widget):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
        elif isinstance(widget, QAbstractItemView) and not widget.accessibleDescription():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} (no description)")
    return missing


@pytest.mark.parametrize("username", ROLES)
def test_every_control_and_view_has_an_accessible_name(demo_db: Database, username: str, qtbot: Any) -> None:
    window = _window(demo_db, username, qtbot)
    problems = {name: found for name in _views(window) if (found := unnamed(window))}
    window.close()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def columns(model: Any) -> int:
    try:
        return int(model.columnCount(QModelIndex()))
    except TypeError:  # a list model: one column (PySide6 keeps its columnCount private)
        return 1


def low_contrast(top: QWidget) -> list[str]:
    """Labels, table cells and hints below 4.5:1 against their own background."""
    found = []
    for label in top.findChildren(QLabel):
        if not label.isVisibleTo(top) or not label.text().strip():
            continue
        palette = label.palette()
        fg = palette.color(label.foregroundRole())
        sheet = label.styleSheet()
        if "color:" in sheet:
            fg = QColor(sheet.split("color:")[1].split(";")[0].strip())
        bg = palette.color(label.backgroundRole())
        if "background:" not in sheet and contrast_ratio(fg, bg) < AA_NORMAL_TEXT:
            found.append(f"label {label.text()[:30]!r}: {contrast_ratio(fg, bg):.1f}")
    for view in top.findChildren(QAbstractItemView):
        model = view.model()
        if not view.isVisibleTo(top) or model is None:
            continue
        palette = view.palette()
        base = palette.color(QPalette.ColorRole.Base)
        for row in range(min(model.rowCount(QModelIndex()), 30)):
            for col in range(columns(model)):
                brush = model.data(model.index(row, col), Qt.ItemDataRole.ForegroundRole)
                fg = brush.color() if isinstance(brush, QBrush) else brush if isinstance(brush, QColor) else \
                    palette.color(QPalette.ColorRole.Text)
                if contrast_ratio(fg, base) < AA_NORMAL_TEXT:
                    found.append(f"{view.objectName()} cell {row},{col}: {contrast_ratio(fg, base):.1f}")
    for widget in top.findChildren(QWidget):
        if hasattr(widget, "placeholderText") and widget.isVisibleTo(top) and widget.placeholderText():
            palette = widget.palette()
            ratio = contrast_ratio(palette.color(QPalette.ColorRole.PlaceholderText),
                                   palette.color(QPalette.ColorRole.Base))
            if ratio < AA_NORMAL_TEXT:
                found.append(f"hint {widget.placeholderText()[:30]!r}: {ratio:.1f}")
    return found


@pytest.mark.parametrize("username", ["admin", "adm", "chair", "letterbox", "counsellor"])
@pytest.mark.parametrize("scheme", ["system", "high contrast"])
def test_text_reads_at_4_5_to_1_under_the_system_and_a_high_contrast_palette(
        demo_db: Database, username: str, scheme: str, qtbot: Any, restore_palette: None) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    if scheme == "high contrast":
        app.setPalette(high_contrast_palette())
    window = _window(demo_db, username, qtbot)
    if scheme == "high contrast":
        app.setPalette(high_contrast_palette())  # attach applied the hint fix on top: still black and white
    problems = {name: found for name in _views(window) if (found := low_contrast(window))}
    window.close()
    assert problems == {}, "\n".join(f"{k}: {v[:6]}" for k, v in problems.items())


def test_hint_text_is_raised_to_4_5_to_1_and_tints_give_way_under_high_contrast() -> None:
    grey = QPalette()
    grey.setColor(QPalette.ColorRole.Base, QColor("#FFFFFF"))
    grey.setColor(QPalette.ColorRole.Text, QColor("#000000"))
    grey.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8C8C8C"))  # ~3.4:1, Qt's usual grey
    assert contrast_ratio(grey.color(QPalette.ColorRole.PlaceholderText), QColor("#FFFFFF")) < 4.5
    fixed = accessible_palette(grey)
    ratio = contrast_ratio(fixed.color(QPalette.ColorRole.PlaceholderText), QColor("#FFFFFF"))
    assert 4.5 <= ratio < 21  # readable, and still dimmer than the text itself
    overdue = QBrush(QColor("#B00020"))
    assert readable(overdue, grey) is overdue  # red reads on white
    assert readable(overdue, high_contrast_palette()) is None  # on black it gives way to white text
