"""The pieces behind the dialog test, each shown to work (and able to fail) on its own: a dialog too big for
its screen scrolls with its buttons in view, a "not set" date and a read-only table give Tab back, a
message box's and an input dialog's parts are named; and the page fit test's logical sizes are what
``QT_SCALE_FACTOR`` really gives on a 1366×768 screen."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QRect, Qt
from PySide6.QtGui import QScreen, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.ui import geometry
from adoption_desktop.ui.accessibility import DialogNamer, name_everything
from adoption_desktop.ui.fit import fit_dialog, grow_with_message
from tests.ui.walk import SCREENS, not_reachable_by_tab, unnamed


@pytest.fixture
def small_screen(monkeypatch: pytest.MonkeyPatch) -> QRect:
    """1366×768 at 150 %, less the taskbar: 911×472 logical pixels."""
    area = QRect(0, 0, 911, 472)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(area))
    return area


def _long_form(rows: int = 30) -> QDialog:
    dialog = QDialog()
    dialog.setWindowTitle("Long form")
    layout = QVBoxLayout(dialog)
    form = QFormLayout()
    for n in range(rows):
        edit = QLineEdit()
        edit.setObjectName(f"field_{n}")
        form.addRow(f"Field &{n}", edit)
    layout.addLayout(form)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    layout.addWidget(buttons)
    return dialog


def test_a_dialog_taller_than_the_screen_scrolls_and_keeps_its_buttons_in_view(small_screen: QRect,
                                                                                  qtbot: Any) -> None:
    dialog = _long_form()
    qtbot.addWidget(dialog)
    assert dialog.minimumSizeHint().height() > small_screen.height()  # the form alone cannot fit
    dialog.show()
    fit_dialog(dialog)
    QApplication.processEvents()
    area = dialog.findChild(QScrollArea, "fit_scroll_body")
    assert area is not None and area.widget().findChild(QLineEdit, "field_29") is not None
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None and buttons.parentWidget() is dialog  # outside the scroll area
    assert dialog.height() + geometry.FRAME_ALLOWANCE_H <= small_screen.height()
    assert dialog.width() + geometry.FRAME_ALLOWANCE_W <= small_screen.width()
    assert not area.horizontalScrollBar().isVisible()  # as wide as the form and its scroll bar
    fit_dialog(dialog)  # a second show does not wrap it again
    assert len(dialog.findChildren(QScrollArea)) == 1


def test_a_dialog_that_fits_is_left_as_it_is(small_screen: QRect, qtbot: Any) -> None:
    dialog = _long_form(3)
    qtbot.addWidget(dialog)
    dialog.show()
    fit_dialog(dialog)
    assert dialog.findChild(QScrollArea) is None


def test_every_dialog_is_fitted_as_it_is_shown(small_screen: QRect, qtbot: Any) -> None:
    app = QApplication.instance()
    assert app is not None
    namer = DialogNamer()
    app.installEventFilter(namer)
    try:
        dialog = _long_form()
        dialog.resize(1000, 900)  # a size asked for in code, as some dialogs do
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        assert dialog.findChild(QScrollArea, "fit_scroll_body") is not None
        assert dialog.height() + geometry.FRAME_ALLOWANCE_H <= small_screen.height()
        assert small_screen.contains(dialog.pos())
    finally:
        app.removeEventFilter(namer)


def test_tab_leaves_a_not_set_date_and_a_read_only_table(qtbot: Any) -> None:
    dialog = QDialog()
    dialog.setWindowTitle("Dates")
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    date = QDateEdit()
    date.setObjectName("not_set")
    date.setMinimumDate(QDate(1900, 1, 1))
    date.setSpecialValueText("not set")
    date.setDate(QDate(1900, 1, 1))
    table = QTableView()
    table.setObjectName("history")
    model = QStandardItemModel(5, 3, table)
    table.setModel(model)
    table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    after = QLineEdit()
    after.setObjectName("after")
    for w in (date, table, after):
        layout.addWidget(w)
    dialog.show()
    date.setFocus()
    trapped = not_reachable_by_tab(dialog)
    assert trapped and any("stay in QDateEdit" in p for p in trapped)  # Qt's own behaviour: a trap
    name_everything(dialog)  # what DialogNamer does on show
    date.setFocus()
    assert not_reachable_by_tab(dialog) == []
    assert not table.tabKeyNavigation()
    # Shift+Tab leaves it backwards too
    after.setFocus()
    QApplication.sendEvent(after, _key(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier))
    QApplication.sendEvent(table, _key(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier))
    assert dialog.focusWidget() is date
    QApplication.sendEvent(date, _key(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier))
    assert dialog.focusWidget() is not date


def _key(key: Qt.Key, modifiers: Qt.KeyboardModifier) -> Any:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    return QKeyEvent(QEvent.Type.KeyPress, key, modifiers)


def test_an_input_dialogs_field_is_named_by_its_question(qtbot: Any) -> None:
    dialog = QInputDialog()
    dialog.setWindowTitle("Job title")
    dialog.setLabelText("Job title of Ada Example (printed under the signature):")
    dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed(dialog)  # Qt leaves the text field unnamed
    name_everything(dialog)
    assert unnamed(dialog) == []


def test_the_logical_sizes_are_what_qt_scale_factor_gives(tmp_path: Path) -> None:
    """walk.SCREENS (the page fit test's sizes) against a real 1366×768 screen at each scaling: the same
    logical size, and text measured the same, so checking pages at those sizes is checking the scaling."""
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    script = ("from PySide6.QtWidgets import QApplication, QLabel\n"
              "app = QApplication([])\n"
              "s = app.primaryScreen().geometry()\n"
              "print(s.width(), s.height(), QLabel().fontMetrics().horizontalAdvance('Why this position'))\n")
    from PySide6.QtWidgets import QLabel

    advance = QLabel().fontMetrics().horizontalAdvance("Why this position")
    for label, width, height in SCREENS:
        factor = {"100%": "1", "125%": "1.25", "150%": "1.5"}[label]
        env = {"QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": factor,
               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True,
                             timeout=60).stdout.split()
        assert [int(out[0]), int(out[1])] == [width, height], label
        assert int(out[2]) == advance, label


def _dated_note() -> tuple[QDialog, QPlainTextEdit, QLabel]:
    """A plain dialog as the ADM's dated note is built: a date, a text box that may shrink, a hidden
    word-wrapped message line under them, OK/Cancel; growing for its message (``grow_with_message``)."""
    dialog = QDialog()
    dialog.setWindowTitle("Dated note")
    layout = QVBoxLayout(dialog)
    form = QFormLayout()
    form.addRow("&Date", QDateEdit())
    text = QPlainTextEdit()
    form.addRow("&Information needed", text)
    layout.addLayout(form)
    line = QLabel()
    line.setObjectName("message")
    line.setWordWrap(True)
    line.hide()
    layout.addWidget(line)
    layout.addWidget(QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel))
    grow_with_message(dialog, line)
    return dialog, text, line


#: a message of about six lines in the dialog's own width (403 pixels), far wider than the dialog
LONG_MESSAGE = ("Not recorded: the date is now 08/12/2026, not 07/12/2026, so Date asked now shows today. "
                "The information asked for was kept as you typed it. Check the date, the agency the request "
                "goes to and the reply due date, then press OK again to record the note; nothing was recorded, "
                "nobody was told and no letter was made.")


def test_a_dialog_grows_for_its_message_instead_of_squeezing_its_text_box(qtbot: Any) -> None:
    """``grow_with_message``, as the counselling form, the ADM's dated note and the panel's small dialogs
    use it: a message of several lines shown under a form makes the dialog taller by what it needs, the text
    box keeping its height and the message whole inside the dialog; nothing else of the event changes."""
    dialog, text, line = _dated_note()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    height, box = dialog.height(), text.height()
    line.setText("The date is now 08/12/2026, not 07/12/2026: Date asked now shows today. Check it and press OK "
                 "again to record the note; nothing was recorded.")  # three lines
    line.show()
    QApplication.processEvents()  # the layout request
    assert dialog.height() > height
    assert text.height() == box, "the text box gave its room to the message"
    assert line.height() >= line.heightForWidth(line.width()), "the message is cut"
    assert dialog.rect().contains(line.geometry()), "the message is outside the dialog"


def test_a_message_much_wider_than_the_dialog_grows_it_by_all_its_lines(qtbot: Any) -> None:
    """A message whose one line would be far wider than the dialog (six lines at its width): the dialog grew
    to its preferred height, measured at its preferred width (wider than the dialog, so fewer lines), and the
    text box gave the message the line that was missing."""
    dialog, text, line = _dated_note()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    width, box = dialog.width(), text.height()
    line.setText(LONG_MESSAGE)
    line.show()
    QApplication.processEvents()  # the layout request
    lines = line.heightForWidth(line.width()) // line.fontMetrics().lineSpacing()
    assert lines >= 5, f"the message is expected to need several lines at the dialog's width, not {lines}"
    assert dialog.width() == width
    assert text.height() == box, "the text box gave its room to the message"
    assert line.height() >= line.heightForWidth(line.width()), "the message is cut"
    assert dialog.rect().contains(line.geometry()), "the message is outside the dialog"


def test_a_long_message_on_a_small_screen_stays_whole_and_in_view_under_a_scrolling_form(
        small_screen: QRect, qtbot: Any) -> None:
    """At 150 % (911×472): the six-line message under a form that scrolls keeps the dialog inside the
    screen's room, sits below the scroll area (not scrolled away with the form), whole, the buttons under it
    in view too."""
    dialog = _long_form()
    layout = dialog.layout()
    assert isinstance(layout, QVBoxLayout)
    line = QLabel()
    line.setObjectName("message")
    line.setWordWrap(True)
    line.hide()
    layout.insertWidget(1, line)  # between the form and the buttons, as the dialogs have it
    grow_with_message(dialog, line)
    qtbot.addWidget(dialog)
    dialog.show()
    fit_dialog(dialog)
    qtbot.waitExposed(dialog)
    area = dialog.findChild(QScrollArea, "fit_scroll_body")
    assert area is not None
    line.setText(LONG_MESSAGE)
    line.show()
    QApplication.processEvents()  # the layout request
    assert dialog.height() + geometry.FRAME_ALLOWANCE_H <= small_screen.height()
    assert not area.isAncestorOf(line), "the message scrolls away with the form"
    assert line.height() >= line.heightForWidth(line.width()), "the message is cut"
    assert dialog.rect().contains(line.geometry()), "the message is outside the dialog"
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None and dialog.rect().contains(buttons.geometry())
    assert area.height() > 0 and area.verticalScrollBar().maximum() > 0  # the form scrolls above it


def test_a_small_dialog_is_wide_enough_for_its_title_and_a_message_box_wraps_its_text(qtbot: Any) -> None:
    """The trial: "Allocate t…counsellor" in a small dialog's title bar; a long error's text running off
    the right edge of its message box (the box fitted before it had sized itself)."""
    from PySide6.QtWidgets import QLabel, QMessageBox

    from adoption_desktop.ui.fit import window_title_needs

    app = QApplication.instance()
    assert app is not None
    namer = DialogNamer()
    app.installEventFilter(namer)
    try:
        dialog = QDialog()
        dialog.setWindowTitle("Allocate the case to a counsellor")
        QVBoxLayout(dialog).addWidget(QLineEdit())
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        assert dialog.width() >= window_title_needs(dialog)
        text = "Template x: unknown placeholder ${a}. Use only: " + ", ".join(f"${{name_{n}}}" for n in range(40))
        box = QMessageBox(QMessageBox.Icon.Critical, "Save template", text, QMessageBox.StandardButton.Ok)
        qtbot.addWidget(box)
        box.show()
        for _ in range(3):
            QApplication.processEvents()
        label = next(lb for lb in box.findChildren(QLabel) if lb.text() == text)
        assert label.geometry().right() <= box.width() and label.wordWrap()
    finally:
        app.removeEventFilter(namer)


def test_a_stretching_column_squeezed_once_stretches_again_when_there_is_room(qtbot: Any) -> None:
    """The trial (counselling, s07): a page built before its window had its size kept "Why this position"
    at its squeezed width for good, cut, with empty room at the right of the table."""
    from PySide6.QtWidgets import QHeaderView

    from adoption_desktop.ui.fit import keep_titles_whole

    view = QTableView()
    qtbot.addWidget(view)
    model = QStandardItemModel(3, 3, view)
    model.setHorizontalHeaderLabels(["Reference", "Why this position", "Age"])
    view.setModel(model)
    view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    view.resize(120, 200)
    view.show()
    keep_titles_whole(view)
    QApplication.processEvents()
    header = view.horizontalHeader()
    assert header.sectionResizeMode(1) == QHeaderView.ResizeMode.Interactive  # squeezed: scrolls sideways
    view.resize(900, 200)
    QApplication.processEvents()
    assert header.sectionResizeMode(1) == QHeaderView.ResizeMode.Stretch
    title = header.fontMetrics().horizontalAdvance("Why this position")
    assert header.sectionSize(1) > title and view.horizontalScrollBar().maximum() == 0


def test_the_field_a_dialog_chose_keeps_the_keyboard_when_its_form_scrolls(small_screen: QRect, qtbot: Any) -> None:
    """User trial: Add member… opened scrolling, with the keyboard on the scroll area, not in Name."""
    dialog = _long_form()
    qtbot.addWidget(dialog)
    name = dialog.findChild(QLineEdit, "field_0")
    assert name is not None
    name.setFocus()
    dialog.show()
    fit_dialog(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    assert dialog.findChild(QScrollArea, "fit_scroll_body") is not None
    assert QApplication.focusWidget() is name


def test_a_scrolling_dialog_that_chose_no_field_opens_in_its_first_field(small_screen: QRect, qtbot: Any) -> None:
    """User trial at 150 %: a form that scrolls opened with the keyboard on the invisible scroll area, and
    the scroll area was a Tab stop of its own; the dialog chose no field."""
    dialog = _long_form()
    qtbot.addWidget(dialog)
    dialog.show()
    fit_dialog(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    area = dialog.findChild(QScrollArea, "fit_scroll_body")
    assert area is not None and area.focusPolicy() == Qt.FocusPolicy.NoFocus  # not a Tab stop
    assert QApplication.focusWidget() is dialog.findChild(QLineEdit, "field_0")


def _opens_in_a_field(qtbot: Any, dialog: QWidget) -> QWidget:
    """``dialog`` scrolls, the keyboard is in an input field of its form, and the scroll area is no Tab stop."""
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    area = dialog.findChild(QScrollArea, "fit_scroll_body")
    assert area is not None, "the form is expected to scroll at 150 %"
    assert area.focusPolicy() == Qt.FocusPolicy.NoFocus
    focus = QApplication.focusWidget()
    assert focus is not None and focus is not area and area.isAncestorOf(focus), focus
    assert isinstance(focus, QLineEdit | QComboBox | QDateEdit | QPlainTextEdit), focus
    return focus


def test_the_arrangement_windows_and_new_referral_open_in_their_first_field_at_150_percent(
        small_screen: QRect, qtbot: Any, db: Any, make_window: Any) -> None:
    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.counselling.views.page import CounsellingPage
    from adoption_desktop.letterbox import service as letterbox
    from adoption_desktop.letterbox.views.page import LetterboxPage
    from tests.conftest import make_user
    from tests.letterbox.conftest import sample_input

    who = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR, Role.COUNSELLOR)
    arrangement = letterbox.create_arrangement(db, who, sample_input(coordinator="lbcoord"))
    window = make_window(who)
    window.resize(900, 460)
    page = window.open_target("letterbox")
    assert isinstance(page, LetterboxPage)
    for opened in (page.open_arrangement_dialog(arrangement, modal=False), page.open_arrangement_dialog(modal=False)):
        _opens_in_a_field(qtbot, opened)
        opened.close()
    cases = window.open_target("counselling")
    assert isinstance(cases, CounsellingPage)
    referral = cases.new_referral()
    _opens_in_a_field(qtbot, referral)
    referral.close()


def test_a_message_too_tall_for_the_screen_makes_the_form_scroll_instead_of_squeezing_its_text_box(
        monkeypatch: pytest.MonkeyPatch, qtbot: Any) -> None:
    """New referral… on a 1093×600 screen: it fitted as it opened (its form did not scroll), the midnight
    message needed more height than the screen had left, the dialog stopped at the screen's room and the
    layout took the rest from the Address box (70 pixels down to 22). Now the form scrolls then, the message
    below it, whole and in view, the text box keeping its height, the buttons inside the dialog; once."""
    dialog, text, line = _dated_note()
    qtbot.addWidget(dialog)
    room = [QRect(0, 0, 1366, 728)]
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(room[0]))
    dialog.show()
    fit_dialog(dialog)  # as DialogNamer does: it fits, nothing scrolls
    qtbot.waitExposed(dialog)
    assert dialog.findChild(QScrollArea) is None
    box = text.height()
    # the screen has room for the dialog and two more lines, not for the six the message needs
    spare = 2 * line.fontMetrics().lineSpacing()
    room[0] = QRect(0, 0, 1366, dialog.height() + geometry.FRAME_ALLOWANCE_H + spare)
    line.setText(LONG_MESSAGE)
    line.show()
    QApplication.processEvents()  # the layout request; the form is put in a scroll area a moment later
    with contextlib.suppress(qtbot.TimeoutError):
        qtbot.waitUntil(lambda: dialog.findChild(QScrollArea, "fit_scroll_body") is not None, timeout=2000)
    QApplication.processEvents()
    assert text.height() == box, "the text box gave its room to the message"
    area = dialog.findChild(QScrollArea, "fit_scroll_body")
    assert area is not None and area.isAncestorOf(text), "the form does not scroll"
    assert not area.isAncestorOf(line), "the message scrolls away with the form"
    assert line.isVisible() and line.height() >= line.heightForWidth(line.width()), "the message is cut"
    assert dialog.rect().contains(line.geometry()), "the message is outside the dialog"
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None and not area.isAncestorOf(buttons)
    assert dialog.rect().contains(buttons.geometry()), "the buttons are outside the dialog"
    assert dialog.height() + geometry.FRAME_ALLOWANCE_H <= room[0].height()
    assert area.verticalScrollBar().maximum() > 0  # the form scrolls above the message
    line.setText(LONG_MESSAGE + " Press OK again.")  # another message: not wrapped a second time
    QApplication.processEvents()
    qtbot.wait(20)
    assert len(dialog.findChildren(QScrollArea)) == 1
    assert text.height() == box


@pytest.mark.parametrize("how", ["closed", "deleted"])
def test_a_dialog_closed_or_deleted_before_its_form_is_put_to_scroll_is_left_alone(
        how: str, monkeypatch: pytest.MonkeyPatch, qtbot: Any) -> None:
    """The form is put in a scroll area a moment after the message asked for more room than the screen has (a
    zero-delay timer on the dialog): a dialog closed meanwhile is not changed, and one deleted meanwhile is not
    touched at all (the timer goes with it; called on it, the step raised "Internal C++ object already
    deleted")."""
    import shiboken6

    dialog, _text, line = _dated_note()
    room = [QRect(0, 0, 1366, 728)]
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(room[0]))
    dialog.show()
    fit_dialog(dialog)
    qtbot.waitExposed(dialog)
    spare = 2 * line.fontMetrics().lineSpacing()
    room[0] = QRect(0, 0, 1366, dialog.height() + geometry.FRAME_ALLOWANCE_H + spare)
    line.setText(LONG_MESSAGE)
    line.show()
    QApplication.sendPostedEvents()  # the layout request: the step is now waiting for the timer
    assert dialog.property("fit_scroll_pending")
    if how == "closed":
        qtbot.addWidget(dialog)
        dialog.close()
        qtbot.wait(50)
        assert dialog.findChild(QScrollArea, "fit_scroll_body") is None
        assert not dialog.property("fit_scroll_pending")
    else:
        shiboken6.delete(dialog)
        qtbot.wait(50)  # an error raised in the timer's call fails the test (pytest-qt)
