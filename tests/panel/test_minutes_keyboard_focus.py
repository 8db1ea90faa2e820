"""User trial (6 December): on locked minutes (approved; any minutes for the chair) Alt+M left the keyboard in
the Sittings list, so Ctrl+PgDown ("next item in the minutes") paged that list to another sitting, Ctrl+Shift+A
did nothing and said nothing, and Alt+K then opened a correction on the other sitting's minutes. Alt+M now
puts the keyboard inside the minutes editor, and approving or correcting acts only on the sitting shown. A real
SQLCipher database, pytest-qt offscreen."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import SITTING_DAY, TODAY, Panel
from .test_documents import _sitting_with_minutes

ALT, CTRL, SHIFT = (Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier,
                    Qt.KeyboardModifier.ShiftModifier)


def _page(qtbot: QtBot, panel: Panel, who: str) -> PanelPage:
    """The Panel page of ``who`` with two held sittings, the chosen one (``panel.sitting_id``) with approved
    minutes, and the keyboard in the Sittings list as after Ctrl+1 and picking the sitting."""
    _sitting_with_minutes(panel, approve=True)
    other = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        SITTING_DAY - dt.timedelta(days=14), "10:00", "13:00", "Room 2"))[0]
    svc.add_item(panel.db, panel.clerk, other, svc.ItemInput("approval", "AD-2026-OTHER", "ZZ"))
    principal = panel.chair if who == "chair" else panel.clerk
    page = PanelPage(AppContext(panel.db, principal, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1366, 740)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=3000)
    page.reload(select_sitting=panel.sitting_id)
    page.sittings_view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.sittings_view, timeout=3000)
    return page


def _key(key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard"
    QTest.keyClick(target, key, mods)
    QApplication.processEvents()


def _in_editor(page: PanelPage) -> QWidget:
    focus = QApplication.focusWidget()
    assert focus is not None and page.minutes.isAncestorOf(focus), focus
    return focus


@pytest.mark.parametrize("who", ["chair", "clerk"])
def test_alt_m_on_locked_minutes_puts_the_keyboard_in_the_editor(qtbot: QtBot, panel: Panel, who: str) -> None:
    page = _page(qtbot, panel, who)
    assert page.minutes.current is not None and page.minutes.current.minutes is not None
    assert page.minutes.current.minutes.locked and not page.minutes.outcome.isEnabled()
    _key(Qt.Key.Key_M, ALT)
    assert page.detail_tabs.currentWidget() is page.minutes
    assert _in_editor(page) is page.minutes.recommendation_text  # readable, read-only: the first field
    _key(Qt.Key.Key_PageDown, CTRL)  # the next item of these minutes, never another sitting
    assert page.sitting is not None and page.sitting.id == panel.sitting_id
    assert page.minutes.current is not None and page.minutes.current.position == 2
    _in_editor(page)
    _key(Qt.Key.Key_A, CTRL | SHIFT)  # Approve: nothing to approve, and it says so
    assert page.dialog is None or not page.dialog.isVisible()
    said = page.minutes.message.text()
    if who == "chair":
        assert said.startswith("Nothing changed: the minutes of item 2 (AD-2026-011) are already approved."), said
    else:
        assert said == "Nothing approved: only the panel chair approves the minutes of item 2 (AD-2026-011)."


def test_alt_m_when_the_minutes_tab_is_already_shown(qtbot: QtBot, panel: Panel) -> None:
    page = _page(qtbot, panel, "chair")
    page.detail_tabs.setCurrentWidget(page.minutes)
    page.sittings_view.setFocus()  # back in the list, the Minutes tab still shown
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.sittings_view, timeout=3000)
    _key(Qt.Key.Key_M, ALT)
    _in_editor(page)


def test_no_correction_on_minutes_of_a_sitting_not_selected(qtbot: QtBot, panel: Panel) -> None:
    """The editor left on one sitting's items while another sitting is selected (a sitting that could not be
    opened): Make a correction refuses, says so, and shows the selected sitting's minutes."""
    page = _page(qtbot, panel, "clerk")
    shown = page.minutes.current
    assert shown is not None and page.minutes.correct_button.isEnabled()
    other = next(n for n in range(page.sittings_model.rowCount()) if page.sittings_model.row_at(n).id
                 != panel.sitting_id)
    selection = page.sittings_view.selectionModel()
    selection.blockSignals(True)  # the list moves; the editor is not reloaded
    page.sittings_view.selectRow(other)
    selection.blockSignals(False)
    page.minutes.correct_button.click()
    assert page.dialog is None or not page.dialog.isVisible()
    assert "Nothing corrected: the minutes on screen were not those of the sitting selected" in page.status.text()
    assert page.minutes.current is not None and page.minutes.current.subject_reference == "AD-2026-OTHER"
    assert [m.status for m in svc.minutes_history(panel.db, panel.clerk, shown.id)] == ["approved"]


def test_the_correction_names_the_item_and_the_sitting(qtbot: QtBot, panel: Panel) -> None:
    page = _page(qtbot, panel, "clerk")
    page.minutes.correct_button.click()
    assert page.dialog is not None and page.dialog.isVisible()
    label = page.dialog.findChild(QLabel, "correction_of")
    assert label is not None and "item 1 (AD-2026-010) of the sitting of 10/11/2026" in label.text()
    page.dialog.reject()


def test_alt_x_goes_to_votes_against(qtbot: QtBot, panel: Panel) -> None:
    """docs/panel.md promised Alt+I (the Edit menu) for "Votes against", whose label had no Alt letter."""
    _sitting_with_minutes(panel, approve=False)  # item 1: a draft with a majority vote
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=3000)
    page.reload(select_sitting=panel.sitting_id)
    page.sittings_view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.sittings_view, timeout=3000)
    _key(Qt.Key.Key_M, ALT)
    assert _in_editor(page) is page.minutes.outcome  # a draft: the outcome, as before
    assert page.minutes.votes_against.isEnabled()
    _key(Qt.Key.Key_X, ALT)
    assert QApplication.focusWidget() is page.minutes.votes_against
    label = page.minutes.findChild(QLabel, "votes_against_label")
    assert label is not None and label.text() == "Votes against (Alt+&X)"
