"""User trial (6 December): Add member… opened with the keyboard on the dialog's scroll area, not in Name, and
scrolling sideways with the fields' right edge cut off (the ethnicity box was as wide as its longest ONS label,
886 px). It now opens with the keyboard in Name, and its form fits without sideways scrolling. A real SQLCipher
database, pytest-qt offscreen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QScrollArea
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import profile
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui import geometry
from adoption_desktop.ui.accessibility import DialogNamer
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import TODAY, Panel


@pytest.fixture
def fitted() -> Iterator[None]:
    """Dialogs fitted to their screen as they are shown, as in the application."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    namer = DialogNamer()
    app.installEventFilter(namer)
    yield
    app.removeEventFilter(namer)


@pytest.mark.parametrize("area", [QRect(0, 0, 800, 800), QRect(0, 0, 911, 472), QRect(0, 0, 1366, 728)],
                         ids=["trial window", "1366x768 at 150%", "1366x768"])
def test_add_member_opens_in_name_and_fits_without_sideways_scrolling(
        qtbot: QtBot, panel: Panel, fitted: None, monkeypatch: pytest.MonkeyPatch, area: QRect) -> None:
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(area))
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.show()
    page.add_member()
    dialog = page.dialog
    assert isinstance(dialog, dialogs.MemberDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    assert QApplication.focusWidget() is dialog.full_name
    assert dialog.width() + geometry.FRAME_ALLOWANCE_W <= area.width()
    assert dialog.height() + geometry.FRAME_ALLOWANCE_H <= area.height()
    for body in dialog.findChildren(QScrollArea, "fit_scroll_body"):
        assert body.horizontalScrollBar().maximum() == 0  # never sideways
    right = dialog.ethnicity.mapTo(dialog, dialog.ethnicity.rect().topRight()).x()
    assert right < dialog.width()  # the right edge of the fields is in view
    longest = max((label for _code, label in profile.ethnicity_choices()), key=len)
    dialog.ethnicity.setCurrentText(longest)
    assert dialog.ethnicity.toolTip().startswith(longest)  # whole, when the box shows it cut
    dialog.reject()
