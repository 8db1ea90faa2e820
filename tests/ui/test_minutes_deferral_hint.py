"""The minutes editor's outcome "Deferred" (Alt+3) records the deferral in the minutes only; the Agenda tab's
"Defer to a later sitting… (Alt+Z)" also puts the case on a later sitting's agenda. While "Deferred" is chosen
and the case is on no later agenda, a plain line under the reason says so (panel trial: cases chosen as
Deferred never came back); hidden for any other outcome, once the case is on a later agenda, and on approved
minutes. With no later sitting it adds why the button cannot be used yet (pytest-qt, a real SQLCipher file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.palette import AA_NORMAL_TEXT, contrast_ratio, high_contrast_palette
from tests.conftest import make_user
from tests.ui.test_panel_defer import _page, _sitting

ALT = Qt.KeyboardModifier.AltModifier
TODAY = dt.date.today()  # the page lists the sittings as of today
HEARD, LATER = TODAY - dt.timedelta(days=7), TODAY + dt.timedelta(days=14)


@pytest.fixture(autouse=True)
def _dates_from_the_day_the_test_runs() -> None:
    """The page lists sittings as of the day it opens: the dates are that day's, not the day the module
    was collected (a run that crosses midnight would compare two days)."""
    global TODAY, HEARD, LATER
    TODAY = dt.date.today()
    HEARD, LATER = TODAY - dt.timedelta(days=7), TODAY + dt.timedelta(days=14)
HINT = ("To put the case on a later sitting's agenda, use Defer to a later sitting… (Alt+Z) on the Agenda tab.")


def _minutes_tab(make_window: Any, qtbot: Any, clerk: Principal, sitting: int) -> PanelPage:
    page = _page(make_window, qtbot, clerk, sitting)
    page.detail_tabs.setCurrentWidget(page.minutes)
    QApplication.processEvents()
    return page


def _hint(page: PanelPage) -> QLabel:
    hint = page.minutes.findChild(QLabel, "deferral_hint")
    assert hint is not None
    return hint


def _outcome_key(page: PanelPage, key: Qt.Key) -> None:
    page.minutes.reasons.setFocus()
    QApplication.processEvents()
    QTest.keyClick(page.minutes.reasons, key, ALT)
    QApplication.processEvents()


def test_deferred_outcome_points_to_defer_to_a_later_sitting(db: Database, make_window: Any, qtbot: Any) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    heard, later = _sitting(db, clerk, HEARD), _sitting(db, clerk, LATER)
    item = svc.add_item(db, clerk, heard, svc.ItemInput("approval", "PA-2026-041", "GH", "Jay Quillby"))
    page = _minutes_tab(make_window, qtbot, clerk, heard)
    editor, hint = page.minutes, _hint(page)
    assert not hint.isVisible()  # no outcome yet

    _outcome_key(page, Qt.Key.Key_3)  # Deferred
    assert editor.outcome.currentData() == "deferred"
    assert hint.isVisible() and hint.text() == HINT
    # plain text in the palette's own colour (no style sheet): it reads in Windows' High Contrast too
    assert hint.styleSheet() == "" and hint.wordWrap()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    app.setPalette(high_contrast_palette())
    try:
        QApplication.processEvents()
        colours = hint.palette()
        assert contrast_ratio(colours.color(hint.foregroundRole()),
                              colours.color(QPalette.ColorRole.Window)) >= AA_NORMAL_TEXT
    finally:
        app.setPalette(before)

    _outcome_key(page, Qt.Key.Key_1)  # another outcome: no hint
    assert editor.outcome.currentData() == "suitable" and not hint.isVisible()
    _outcome_key(page, Qt.Key.Key_3)
    assert hint.isVisible()
    assert editor.save_now()

    # deferred through the Agenda tab's button (the service it calls): the case is on the later agenda
    svc.defer_item(db, clerk, item, "Medical report not received.", later)
    page.reload(select_sitting=heard)
    page.detail_tabs.setCurrentWidget(page.minutes)
    QApplication.processEvents()
    assert editor.current is not None and editor.current.deferred_to == LATER
    assert editor.outcome.currentData() == "deferred" and not hint.isVisible()


def test_with_no_later_sitting_the_hint_says_to_schedule_one(db: Database, make_window: Any, qtbot: Any) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    heard = _sitting(db, clerk, HEARD)
    svc.add_item(db, clerk, heard, svc.ItemInput("approval", "PA-2026-042", "IJ", "Jay Quillby"))
    page = _minutes_tab(make_window, qtbot, clerk, heard)
    _outcome_key(page, Qt.Key.Key_3)
    hint = _hint(page)
    assert hint.isVisible()
    assert hint.text() == (HINT + " There is no later sitting to defer item 1 to. Schedule one first (New sitting…, "
                                  "Ctrl+N), then defer the item.")
