"""Booking or moving a sitting onto a weekend day, a bank holiday or an agency closure day asks first
(pytest-qt, offscreen): No (the default: Enter, or Esc) saves nothing and keeps what was typed; Yes saves;
a working day does not ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDateEdit, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.settings_service import add_closure_day
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

from .conftest import TODAY, Panel

CHRISTMAS = dt.date(2026, 12, 25)
SATURDAY = dt.date(2027, 1, 30)
TUESDAY = dt.date(2026, 12, 22)


def _page(qtbot: QtBot, panel: Panel) -> PanelPage:
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1400, 850)
    page.show()
    qtbot.waitExposed(page)
    return page


def _dates(panel: Panel) -> list[dt.date]:
    return sorted(r.sitting_date for r in svc.list_sittings(panel.db, panel.clerk, today=TODAY))


def answer_warning(action: Callable[[QMessageBox], None], tries: int = 300) -> list[QMessageBox]:
    """Once the warning is shown, do ``action`` to it (a key, a click). Returns the boxes seen."""
    seen: list[QMessageBox] = []
    left = [tries]

    def act() -> None:
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
                    and w.objectName() == "sitting_day_warning" and w.isVisible()), None)
        if box is None:
            left[0] -= 1
            if left[0] > 0:
                QTimer.singleShot(10, act)
            return
        seen.append(box)
        box.activateWindow()
        action(box)

    QTimer.singleShot(0, act)
    return seen


def press(key: Qt.Key) -> Callable[[QMessageBox], None]:
    def do(box: QMessageBox) -> None:
        QTest.keyClick(box.focusWidget() or box, key)
    return do


def click_yes(box: QMessageBox) -> None:
    box.button(QMessageBox.StandardButton.Yes).click()


def _new_sitting(qtbot: QtBot, page: PanelPage, day: dt.date, venue: str = "Room 4, Civic Centre"
                 ) -> dialogs.SittingDialog:
    page.new_sitting()
    dialog = page.dialog
    assert isinstance(dialog, dialogs.SittingDialog)
    qtbot.waitExposed(dialog)
    dialog.first_date.setDate(QDate(day.year, day.month, day.day))
    dialog.venue.setText(venue)
    dialog.venue.setFocus()
    return dialog


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Escape], ids=["enter", "esc"])
def test_a_bank_holiday_asks_and_no_saves_nothing(qtbot: QtBot, panel: Panel, key: Qt.Key) -> None:
    page = _page(qtbot, panel)
    before = _dates(panel)
    dialog = _new_sitting(qtbot, page, CHRISTMAS)
    seen = answer_warning(press(key))
    qtbot.keyClick(dialog.venue, Qt.Key.Key_Return)  # OK from the keyboard
    assert len(seen) == 1
    box = seen[0]
    assert "Friday 25 December 2026 is a bank holiday (Christmas Day)" in box.text()
    assert box.text().endswith("Schedule anyway?")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    assert box.escapeButton() is box.button(QMessageBox.StandardButton.No)
    # nothing saved; the dialog is still open with what was typed, and says why
    assert _dates(panel) == before
    assert dialog.isVisible()
    assert dialog.first_date.date() == QDate(2026, 12, 25)
    assert dialog.venue.text() == "Room 4, Civic Centre"
    assert dialog.message.text().startswith("Nothing scheduled: Friday 25 December 2026 is a bank holiday")
    assert dialog.focusWidget() is dialog.first_date  # back at the date, to change it
    dialog.reject()


def test_a_bank_holiday_yes_saves(qtbot: QtBot, panel: Panel) -> None:
    page = _page(qtbot, panel)
    dialog = _new_sitting(qtbot, page, CHRISTMAS)
    seen = answer_warning(click_yes)
    qtbot.keyClick(dialog.venue, Qt.Key.Key_Return)
    assert len(seen) == 1
    assert not dialog.isVisible()
    assert CHRISTMAS in _dates(panel)
    assert page.status.text() == "1 sitting scheduled."


def test_a_working_day_does_not_ask(qtbot: QtBot, panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_sitting_days", lambda _p, _t, text: asked.append(text) or False)
    page = _page(qtbot, panel)
    dialog = _new_sitting(qtbot, page, TUESDAY)
    qtbot.keyClick(dialog.venue, Qt.Key.Key_Return)
    assert asked == []
    assert not dialog.isVisible() and TUESDAY in _dates(panel)


def test_every_date_of_a_series_is_checked(qtbot: QtBot, panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_sitting_days", lambda _p, _t, text: asked.append(text) or False)
    page = _page(qtbot, panel)
    before = _dates(panel)
    dialog = _new_sitting(qtbot, page, dt.date(2026, 12, 11))  # a Friday; a fortnight on is Christmas Day
    dialog.recurrence.setCurrentIndex(dialog.recurrence.findData("fortnightly"))
    dialog.count.setValue(3)
    qtbot.keyClick(dialog.venue, Qt.Key.Key_Return)
    assert asked == ["1 of the 3 sittings is not on a working day:\n\n"
                     "\u2022 Friday 25 December 2026 is a bank holiday (Christmas Day).\n\nSchedule anyway?"]
    assert _dates(panel) == before and dialog.isVisible() and dialog.count.value() == 3
    dialog.reject()


def test_yes_is_not_asked_twice_for_the_same_dates(qtbot: QtBot, panel: Panel,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_sitting_days", lambda _p, _t, text: asked.append(text) or True)
    page = _page(qtbot, panel)
    dialog = _new_sitting(qtbot, page, SATURDAY, venue="")
    qtbot.keyClick(dialog.venue, Qt.Key.Key_Return)
    assert len(asked) == 1 and dialog.message.text().startswith("Venue:")  # Yes, then the missing venue
    dialog.venue.setText("Room 4")
    qtbot.keyClick(dialog.venue, Qt.Key.Key_Return)
    assert len(asked) == 1 and not dialog.isVisible() and SATURDAY in _dates(panel)


def test_an_agency_closure_day_asks_with_its_reason(qtbot: QtBot, panel: Panel,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    admin = make_user(panel.db, "admin", Role.ADMINISTRATOR)
    add_closure_day(panel.db, admin, dt.date(2026, 12, 24), "Christmas Eve closure")
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_sitting_days", lambda _p, _t, text: asked.append(text) or False)
    page = _page(qtbot, panel)
    dialog = _new_sitting(qtbot, page, dt.date(2026, 12, 24))
    qtbot.keyClick(dialog.venue, Qt.Key.Key_Return)
    assert len(asked) == 1
    assert "Thursday 24 December 2026 is an agency closure day (Christmas Eve closure)." in asked[0]
    dialog.reject()


def _move_dialog(qtbot: QtBot, page: PanelPage, day: dt.date) -> dialogs.SimpleDialog:
    page.reload(select_sitting=page.sittings_model.rows()[0].id)
    page.move_sitting()
    dialog = page.dialog
    assert isinstance(dialog, dialogs.SimpleDialog)
    qtbot.waitExposed(dialog)
    date = dialog.findChild(QDateEdit, "date")
    date.setDate(QDate(day.year, day.month, day.day))
    reason = dialog.findChild(QLineEdit, "reason")
    reason.setText("Chair unavailable on the 10th")
    reason.setFocus()
    return dialog


def test_moving_to_a_weekend_day_asks(qtbot: QtBot, panel: Panel) -> None:
    page = _page(qtbot, panel)
    before = _dates(panel)
    dialog = _move_dialog(qtbot, page, SATURDAY)
    reason = dialog.findChild(QLineEdit, "reason")
    seen = answer_warning(press(Qt.Key.Key_Return))  # Enter alone answers No
    qtbot.keyClick(reason, Qt.Key.Key_Return)
    assert len(seen) == 1
    assert "Saturday 30 January 2027 is a weekend day" in seen[0].text()
    assert seen[0].text().endswith("Move the sitting anyway?")
    assert _dates(panel) == before and dialog.isVisible()
    assert dialog.findChild(QDateEdit, "date").date() == QDate(2027, 1, 30)
    assert reason.text() == "Chair unavailable on the 10th"
    assert dialog.message.text().startswith("Not moved: Saturday 30 January 2027 is a weekend day")
    assert dialog.focusWidget() is dialog.findChild(QDateEdit, "date")

    seen = answer_warning(click_yes)
    qtbot.keyClick(reason, Qt.Key.Key_Return)
    assert len(seen) == 1 and not dialog.isVisible()
    assert _dates(panel) == [SATURDAY]


def test_moving_to_a_working_day_does_not_ask(qtbot: QtBot, panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_sitting_days", lambda _p, _t, text: asked.append(text) or False)
    page = _page(qtbot, panel)
    dialog = _move_dialog(qtbot, page, TUESDAY)
    qtbot.keyClick(dialog.findChild(QLineEdit, "reason"), Qt.Key.Key_Return)
    assert asked == [] and not dialog.isVisible() and _dates(panel) == [TUESDAY]
