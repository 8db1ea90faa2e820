"""Dates in forms: converting between Python and Qt dates, and :class:`DateEdit`, the date field every
form uses (``forms/*.ui`` ask for a ``QDateEdit``; :func:`adoption_desktop.ui.forms.load_form` builds a
:class:`DateEdit` in its place).

Qt's own ``QDateEdit`` edits a date section by section: a typed "/" jumps to the next section, and a
section it has already left on its own after two digits, so typing ``20/06/1980`` the usual way put the
month into the year and silently saved another date. :class:`DateEdit` takes what is typed or pasted as
plain text and reads it once, when the field is left (or Enter, Up/Down or OK is pressed), with
:func:`adoption_desktop.core.text_input.read_date`: ``20/06/1980``, ``1/6/1980``, ``20-6-1980``,
``20061980`` and a pasted ``1980-06-20`` all give the date typed; text that is not a date stays as typed,
marked, and :meth:`DateEdit.date` refuses it with a message naming the field, so a form's OK shows the
message instead of saving another date.
"""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import QDate, QDateTime, QEvent, QPointF, QSignalBlocker, Qt
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QMouseEvent, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QDateEdit,
    QLabel,
    QStyle,
    QStyleOptionComboBox,
    QToolTip,
    QWidget,
)

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.text_input import DATE_HINT, EARLIEST_YEAR, LATEST_YEAR, read_date

DISPLAY_FORMAT = "dd/MM/yyyy"
#: keys that edit the text (the line edit's own behaviour, not Qt's section-by-section one)
_EDIT_KEYS = frozenset({Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Left, Qt.Key.Key_Right,
                        Qt.Key.Key_Home, Qt.Key.Key_End})
_EDIT_SEQUENCES = (QKeySequence.StandardKey.Paste, QKeySequence.StandardKey.Cut, QKeySequence.StandardKey.Undo,
                   QKeySequence.StandardKey.Redo, QKeySequence.StandardKey.SelectAll)


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def field_label(widget: QWidget) -> str:
    """How a form names ``widget`` to a person: its label's text (the label whose buddy it is), else
    its accessible name, else its object name in words."""
    window = widget.window()
    for label in window.findChildren(QLabel):
        if label.buddy() is widget and label.text():
            return label.text().replace("&&", "\0").replace("&", "").replace("\0", "&").strip().rstrip(":")
    if widget.accessibleName():
        return widget.accessibleName()
    return (widget.objectName().replace("_", " ").capitalize()) or "Date"


class DateEdit(QDateEdit):
    """A ``QDateEdit`` into which a date is typed as text (see the module's description).

    Everything else is Qt's: the calendar popup, Up/Down (and the mouse wheel) stepping the day, month or
    year under the cursor, an optional "not set" state (a special value text shown at the minimum date;
    emptying the field returns to it). The value changes when the typed text is read; typing a date in
    full as DD/MM/YYYY changes it at once.
    """

    def __init__(self, date: QDate | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat(DISPLAY_FORMAT)
        self.setDateRange(QDate(EARLIEST_YEAR, 1, 1), QDate(LATEST_YEAR, 12, 31))
        self._problem = ""
        if date is not None:
            self.setDate(date)

    # -- reading the text ---------------------------------------------------------------------------

    def _allows_empty(self) -> bool:
        return bool(self.specialValueText())

    def _blank(self, text: str) -> bool:
        return self._allows_empty() and (not text.strip() or text == self.specialValueText())

    def problem(self) -> str:
        """Why the text in the field is not a date ("" when it is one, or the field is "not set")."""
        try:
            self.date()
        except ValidationError as exc:
            return str(exc)
        return ""

    def date(self) -> QDate:
        """The date in the field as typed, or a :class:`ValidationError` naming the field when the text
        is not a date or lies outside the field's range. A "not set" field gives its minimum date."""
        text = self.lineEdit().text()
        if self._blank(text):
            return self.minimumDate()
        label = field_label(self)
        try:
            day = qdate(read_date(text, label))
        except ValidationError as exc:
            raise ValidationError(str(exc), self.objectName() or None) from None
        low, high = self.minimumDate(), self.maximumDate()
        if self._allows_empty():
            low = low.addDays(1)
        if day < low or day > high:
            raise ValidationError(
                f"{label}: {day.toString(DISPLAY_FORMAT)} is outside the dates this field takes "
                f"({low.toString(DISPLAY_FORMAT)} to {high.toString(DISPLAY_FORMAT)}).", self.objectName() or None)
        return day

    def set_blank(self, text: str = "not entered") -> None:
        """Empty the field (shown as ``text``): for a date that is not known yet, never an invented one.
        Read it with :meth:`optional_date` or :meth:`required_date`."""
        self.setMinimumDate(QDate(EARLIEST_YEAR, 1, 1))
        self.setSpecialValueText(text)
        self.setDate(self.minimumDate())

    def optional_date(self) -> dt.date | None:
        """The date typed, None for an empty field, or a :class:`ValidationError` for text that is not a
        date."""
        day = self.date()
        if self.specialValueText() and day == self.minimumDate():
            return None
        return pydate(day)

    def required_date(self) -> dt.date:
        """The date typed, or a :class:`ValidationError` naming the field when it is empty or not a date."""
        day = self.optional_date()
        if day is None:
            raise ValidationError(f"{field_label(self)}: required; {DATE_HINT}.", self.objectName() or None)
        return day

    def commit(self) -> bool:
        """Read the typed text: a date becomes the value (shown as DD/MM/YYYY); anything else stays as
        typed, marked with the reason, and False is returned."""
        try:
            day = self.date()
        except ValidationError as exc:
            self._mark(str(exc))
            return False
        self._mark("")
        self.setDate(day)
        return True

    def _mark(self, problem: str) -> None:
        if problem == self._problem:
            return
        self._problem = problem
        self.setToolTip(problem)
        self.setAccessibleDescription(problem)
        self.setProperty("problem", bool(problem))
        self.setStyleSheet("QDateEdit { border: 2px solid #B00020; }" if problem else "")
        if problem and self.isVisible():
            QToolTip.showText(self.mapToGlobal(self.rect().bottomLeft()), problem, self)

    def show_calendar(self) -> None:
        """Open the calendar (F4 or Alt+Down, as on a drop-down list): Qt opens it only on a click of
        the arrow, so the click is made there."""
        if not self.calendarPopup() or self.isReadOnly() or not self.commit():
            return
        option = QStyleOptionComboBox()
        option.initFrom(self)
        option.editable = True
        option.subControls = QStyle.SubControl.SC_All
        arrow = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxArrow, self)
        at = QPointF(arrow.center())
        for kind in (QEvent.Type.MouseMove, QEvent.Type.MouseButtonPress):
            QApplication.sendEvent(self, QMouseEvent(kind, at, self.mapToGlobal(at), Qt.MouseButton.LeftButton
                                                     if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
                                                     Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove
                                                     else Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))

    # -- Qt's hooks -----------------------------------------------------------------------------------

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        if self._blank(text):
            return QValidator.State.Acceptable, text, pos
        try:
            read_date(text, "date")
        except ValidationError:
            return QValidator.State.Intermediate, text, pos  # kept as typed; read when the field is left
        return QValidator.State.Acceptable, text, pos

    def fixup(self, text: str) -> str:  # never "corrects" a date into another one
        return text

    def dateTimeFromText(self, text: str) -> QDateTime:  # noqa: N802
        if self._blank(text):
            return self.minimumDateTime()
        try:
            day = read_date(text, "date")
        except ValidationError:
            return self.dateTime()
        return QDateTime(qdate(day), self.time())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        mods = event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier)
        key = event.key()
        if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and mods == Qt.KeyboardModifier.AltModifier):
            event.accept()
            self.show_calendar()
            return
        if key in (Qt.Key.Key_Enter, Qt.Key.Key_Return):
            if self.commit():
                super().keyPressEvent(event)
            else:
                event.ignore()  # the dialog's OK then reads date() and shows why
            return
        text = event.text()
        typed = bool(text) and text.isprintable() and not mods & (Qt.KeyboardModifier.ControlModifier
                                                                  | Qt.KeyboardModifier.AltModifier
                                                                  | Qt.KeyboardModifier.MetaModifier)
        if typed or (key in _EDIT_KEYS and not mods & Qt.KeyboardModifier.AltModifier) \
                or any(event.matches(s) for s in _EDIT_SEQUENCES):
            if self.isReadOnly() and not (key in _EDIT_KEYS and key not in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)):
                event.accept()
                return
            edit = self.lineEdit()
            if edit.text() and edit.text() == self.specialValueText() and (typed or key in (
                    Qt.Key.Key_Backspace, Qt.Key.Key_Delete)):
                with QSignalBlocker(edit):
                    edit.selectAll()  # "not entered" is not text to edit: typing replaces it, Backspace clears it
            with QSignalBlocker(edit):  # Qt's section-by-section handling must not see the text change
                QAbstractSpinBox.keyPressEvent(self, event)
            self._typed()
            return
        super().keyPressEvent(event)

    def _typed(self) -> None:
        text = self.lineEdit().text()
        if self._problem:
            self._mark("")
        if re.fullmatch(r"\d\d/\d\d/\d{4}", text):
            try:
                day = self.date()
            except ValidationError:
                return
            if day != super().date():
                self.setDate(day)  # typed in full: the value follows at once (the text is already as shown)

    def stepBy(self, steps: int) -> None:  # noqa: N802
        """Up/Down: the typed text is read first; then the day, month or year the cursor is in steps (with
        the whole date selected, the one stepped last: the day at first). The whole date is selected
        after, so that typing replaces it."""
        edit = self.lineEdit()
        text, pos = edit.text(), edit.cursorPosition()
        whole = edit.hasSelectedText() and edit.selectedText() == text
        if (text != self.textFromDateTime(self.dateTime()) or self._problem) and not self.commit():
            return
        if not whole:
            self.setCurrentSectionIndex(min(len(re.findall(r"[^\d]+", text[:pos].lstrip())), 2))
        super().stepBy(steps)
        with QSignalBlocker(edit):
            edit.selectAll()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        text = self.lineEdit().text()
        super().focusInEvent(event)
        edit = self.lineEdit()
        with QSignalBlocker(edit):
            if self._problem and edit.text() != text:
                edit.setText(text)  # a refused date stays as typed until it is corrected
            if event.reason() != Qt.FocusReason.MouseFocusReason:
                edit.selectAll()  # typing replaces the whole date, as in any other field

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        text = self.lineEdit().text()
        if event.reason() == Qt.FocusReason.PopupFocusReason:  # the calendar opening
            super().focusOutEvent(event)
            return
        ok = self.commit()
        super().focusOutEvent(event)
        if not ok:
            with QSignalBlocker(self.lineEdit()):
                self.lineEdit().setText(text)  # kept as typed, never replaced by another date

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802
        """Tab and Shift+Tab move to the next field, as from any other (the day, month and year are one
        piece of text here, not three stops)."""
        return QWidget.focusNextPrevChild(self, forward)
