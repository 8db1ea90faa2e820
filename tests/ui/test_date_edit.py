"""The date field every form uses (ui.dates.DateEdit), driven by real key events: a date typed the way
people type it (DD/MM/YYYY with slashes) is the date saved, and a date that cannot be one is refused
with the field's name, never replaced by another date (user trial r2: ``20/06/1980`` became 20/01/1961)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from PySide6.QtCore import QDate, QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QWidget,
)

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.text_input import EARLIEST_YEAR, LATEST_YEAR, read_date
from adoption_desktop.ui.dates import DateEdit
from adoption_desktop.ui.forms import child, load_form


class Form(QWidget):
    def __init__(self, start: QDate) -> None:
        super().__init__()
        layout = QFormLayout(self)
        self.before, self.after = QLineEdit(), QLineEdit()
        self.date = DateEdit(start)
        self.date.setObjectName("date_of_birth")
        label = QLabel("Date of &birth")
        label.setBuddy(self.date)
        layout.addRow("Name", self.before)
        layout.addRow(label, self.date)
        layout.addRow("After", self.after)


@pytest.fixture
def form(qtbot: Any) -> Form:
    w = Form(QDate(1961, 1, 1))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _type(form: Form, keys: str, *, start: QDate | None = None) -> str:
    """Tab into the field, type ``keys``, Tab out; the text shown just before leaving."""
    if start is not None:
        form.date.setDate(start)
    form.before.setFocus()
    QTest.keyClick(form.before, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() in (form.date, form.date.lineEdit())
    QTest.keyClicks(QApplication.focusWidget(), keys)
    shown = form.date.lineEdit().text()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.after, "Tab leaves the date for the next field"
    return shown


@pytest.mark.parametrize(("keys", "expected"), [
    ("20/06/1980", dt.date(1980, 6, 20)),
    ("14/03/1946", dt.date(1946, 3, 14)),
    ("1/6/1980", dt.date(1980, 6, 1)),
    ("01/6/1980", dt.date(1980, 6, 1)),
    ("20-06-1980", dt.date(1980, 6, 20)),
    ("20.6.1980", dt.date(1980, 6, 20)),
    ("20 06 1980", dt.date(1980, 6, 20)),
    ("20061980", dt.date(1980, 6, 20)),
    ("1980-06-20", dt.date(1980, 6, 20)),
    ("29/02/2024", dt.date(2024, 2, 29)),
    ("01/12/2026", dt.date(2026, 12, 1)),
    ("31/12/2199", dt.date(2199, 12, 31)),
    ("1/1/1900", dt.date(1900, 1, 1)),
])
def test_a_typed_date_is_the_date_saved(form: Form, keys: str, expected: dt.date) -> None:
    shown = _type(form, keys)
    assert shown == keys, "what is typed is what is shown while typing"
    assert form.date.date() == QDate(expected.year, expected.month, expected.day)
    assert form.date.lineEdit().text() == expected.strftime("%d/%m/%Y")


@pytest.mark.parametrize(("keys", "why"), [
    ("31/02/2020", "February 2020 has 29 days"),
    ("29/02/2023", "February 2023 has 28 days"),
    ("99/99/9999", "no month 99"),
    ("0/1/2000", "no day 0"),
    ("1/1/1899", "1900–2199"),
    ("1/1/2200", "1900–2199"),
    ("20/6/80", "year in full"),
    ("20/06/", "not a date"),
    ("abc", "not a date"),
])
def test_a_date_that_cannot_be_one_is_refused_naming_the_field(form: Form, keys: str, why: str) -> None:
    _type(form, keys)
    assert form.date.lineEdit().text() == keys, "kept as typed, not replaced by another date"
    with pytest.raises(ValidationError) as caught:
        form.date.date()
    assert str(caught.value).startswith("Date of birth:") and why in str(caught.value)
    assert caught.value.field == "date_of_birth"
    assert why in form.date.toolTip() and form.date.property("problem")
    _type(form, "2/3/1990")  # corrected: accepted, the mark goes
    assert form.date.date() == QDate(1990, 3, 2) and not form.date.property("problem")


def test_enter_reads_the_text_and_a_wrong_date_is_not_silently_the_old_one(form: Form) -> None:
    form.date.setFocus()
    QTest.keyClicks(form.date, "5/11/1955")
    QTest.keyClick(form.date, Qt.Key.Key_Return)
    assert form.date.lineEdit().text() == "05/11/1955" and form.date.date() == QDate(1955, 11, 5)
    form.date.lineEdit().selectAll()
    QTest.keyClicks(form.date, "31/04/1955")
    QTest.keyClick(form.date, Qt.Key.Key_Return)
    assert form.date.lineEdit().text() == "31/04/1955"
    with pytest.raises(ValidationError, match="April 1955 has 30 days"):
        form.date.date()


def test_paste_up_down_and_the_calendar_from_the_keyboard(form: Form) -> None:
    QGuiApplication.clipboard().setText(" 20/06/1980 ")
    form.date.setFocus()
    form.date.lineEdit().selectAll()
    QTest.keyClick(form.date, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    form.after.setFocus()
    assert form.date.date() == QDate(1980, 6, 20)
    form.date.setFocus()  # the whole date selected; Up steps the day
    QTest.keyClick(form.date, Qt.Key.Key_Up)
    assert form.date.date() == QDate(1980, 6, 21)
    QTest.keyClick(form.date, Qt.Key.Key_End)  # the cursor in the year: Down steps the year
    QTest.keyClick(form.date, Qt.Key.Key_Down)
    assert form.date.date() == QDate(1979, 6, 21)
    QTest.keyClicks(form.date, "")
    form.date.lineEdit().selectAll()
    QTest.keyClicks(form.date, "2/3/2001")  # typed, then stepped: the typed date is stepped
    QTest.keyClick(form.date, Qt.Key.Key_Home)
    QTest.keyClick(form.date, Qt.Key.Key_Up)
    assert form.date.date() == QDate(2001, 3, 3)
    for key, mods in ((Qt.Key.Key_F4, Qt.KeyboardModifier.NoModifier),
                      (Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)):
        QTest.keyClick(form.date, key, mods)
        calendar = form.date.calendarWidget()
        assert calendar.isVisible(), key
        days = calendar.findChild(QTableView)  # the calendar's day grid, which takes its keys
        QTest.keyClick(days, Qt.Key.Key_Right)
        QTest.keyClick(days, Qt.Key.Key_Return)
        assert not calendar.isVisible()
    assert form.date.date() == QDate(2001, 3, 5)


def test_a_not_set_date_is_emptied_and_typed_into(form: Form) -> None:
    edit = form.date
    edit.setMinimumDate(QDate(1900, 1, 1))
    edit.setSpecialValueText("not set")
    edit.setDate(QDate(1900, 1, 1))
    assert edit.lineEdit().text() == "not set" and edit.date() == QDate(1900, 1, 1)
    _type(form, "3/4/2020")
    assert edit.date() == QDate(2020, 4, 3)
    edit.setFocus()
    edit.lineEdit().selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    form.after.setFocus()
    assert edit.lineEdit().text() == "not set" and edit.date() == QDate(1900, 1, 1)


def test_every_form_date_field_is_the_typed_date_field(qtbot: Any) -> None:
    """``forms/*.ui`` ask for a QDateEdit; the loader builds this field in its place."""
    form = load_form("counselling_referral")
    qtbot.addWidget(form)
    edit = child(form, QDateEdit, "date_of_birth")
    assert isinstance(edit, DateEdit)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(dt.date(EARLIEST_YEAR, 1, 1), dt.date(LATEST_YEAR, 12, 31)), padded=st.booleans())
def test_any_date_typed_as_d_m_yyyy_or_dd_mm_yyyy_is_that_date(form: Form, day: dt.date, padded: bool) -> None:
    keys = day.strftime("%d/%m/%Y") if padded else f"{day.day}/{day.month}/{day.year}"
    assert read_date(keys, "Date") == day
    _type(form, keys, start=QDate(1961, 1, 1))
    assert form.date.date() == QDate(day.year, day.month, day.day)


def test_typing_into_a_focused_empty_field_replaces_its_not_entered_text(form: Form) -> None:
    form.date.set_blank()
    form.date.setFocus()
    form.date.lineEdit().end(False)  # the cursor after "not entered", as after a form focused the field
    QTest.keyClicks(form.date, "20/06/1980")
    assert form.date.lineEdit().text() == "20/06/1980" and form.date.required_date() == dt.date(1980, 6, 20)
    form.date.set_blank()
    assert form.date.optional_date() is None
    with pytest.raises(ValidationError, match="Date of birth: required"):
        form.date.required_date()


def _paste_from_the_menu(form: Form, text: str) -> None:
    """Right-click in the field and choose Paste, as with the mouse."""
    QGuiApplication.clipboard().setText(text)
    form.date.setFocus()
    form.date.lineEdit().selectAll()
    chosen: list[str] = []

    def choose() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        paste = next(a for a in menu.actions() if a.text().replace("&", "").startswith("Paste"))
        chosen.append(paste.text())
        paste.trigger()
        menu.close()

    QTimer.singleShot(0, choose)
    at = QPoint(5, 5)
    QApplication.sendEvent(form.date, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at,
                                                        form.date.mapToGlobal(at)))
    assert chosen, "the field's context menu offered Paste"


def test_paste_from_the_right_click_menu_is_read_like_a_typed_date(form: Form, qtbot: Any) -> None:
    """Paste chosen with the mouse goes through the same reading as Ctrl+V: a date is the value at once,
    anything else stays as pasted and is marked, naming the field, when the field is left."""
    _paste_from_the_menu(form, "20/06/1980")
    assert form.date.lineEdit().text() == "20/06/1980" and form.date.date() == QDate(1980, 6, 20)
    _paste_from_the_menu(form, "31/02/2001")
    form.activateWindow()  # the menu closed: the window and the field have the focus again, as on the desktop
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    form.date.setFocus()
    QTest.keyClick(form.date, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is form.after
    assert form.date.lineEdit().text() == "31/02/2001", "a pasted non-date is never replaced by another date"
    assert form.date.property("problem") is True
    with pytest.raises(ValidationError, match="Date of birth: '31/02/2001' is not a date"):
        form.date.required_date()
