"""Short panel dialogs: buttons say what they do, focus starts in the first field, Tab runs through the
fields before the buttons, and a stray Enter cannot record a notice of leaving."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QWidget

from adoption_desktop.panel.views import dialogs


def _show(qtbot: Any, dlg: QWidget) -> None:
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2000)


def test_cancelling_a_sitting_says_cancel_or_keep(qtbot: Any) -> None:
    done: list[object] = []
    dlg = dialogs.reason_dialog(None, "Cancel the sitting on 01/12/2026", "&Reason", lambda r: r, done.append,
                                ok_text="Cancel sitting", cancel_text="Keep sitting")
    _show(qtbot, dlg)
    assert dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Cancel sitting"
    assert dlg.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Keep sitting"
    reason = dlg.findChild(QLineEdit, "reason")
    assert QApplication.focusWidget() is reason
    assert reason.width() >= 380  # room for a sentence
    qtbot.keyClicks(reason, "Chair unwell")
    qtbot.keyClick(reason, Qt.Key.Key_Return)
    assert done == ["Chair unwell"]


def test_tab_runs_through_the_fields_before_the_buttons(qtbot: Any) -> None:
    dlg = dialogs.reason_dialog(None, "Move the sitting", "&Reason", lambda r: r, lambda _v: None,
                                with_date=dt.date(2026, 12, 1), ok_text="Move sitting")
    _show(qtbot, dlg)
    # the date shown is the sitting's own, which a move always changes: start at it (it started at the reason)
    assert QApplication.focusWidget().objectName() == "date"
    date = dlg.findChild(QWidget, "date")
    date.setFocus()
    order = []
    for _ in range(3):
        dlg.focusNextChild()
        widget = QApplication.focusWidget()
        order.append(widget.objectName() if widget.objectName() in {"date", "reason"} else widget.text())
    assert order == ["reason", "Move sitting", "Cancel"]


def test_enter_does_not_record_a_notice_of_leaving(qtbot: Any) -> None:
    done: list[object] = []
    dlg = dialogs.notice_dialog(None, dt.date(2026, 11, 23), lambda *a: a, done.append)
    _show(qtbot, dlg)
    assert QApplication.focusWidget() is not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert done == [] and dlg.isVisible()
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()  # a deliberate click still records it
    assert len(done) == 1


def test_password_dialog_says_approve(qtbot: Any) -> None:
    dlg = dialogs.password_dialog(None, "the minutes of item 1", lambda p: p, lambda _v: None)
    _show(qtbot, dlg)
    assert dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).text() == "Approve"
    assert QApplication.focusWidget() is dlg.findChild(QLineEdit, "password")
