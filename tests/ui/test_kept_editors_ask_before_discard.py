"""Escape, Cancel and the window's close box in the birth-parent support referral, adopter household and child
editors ask "Discard what you typed?" when a field was changed, as every other editor does (they closed at
once and what was typed was lost). *Keep editing* leaves the editor open with the typing; *Discard* closes
it, nothing saved; an unchanged editor closes without a question. Offscreen, real SQLCipher file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import adopters
from adoption_desktop.journey.service import AdopterStages
from adoption_desktop.journey.views.children import ChildEditor
from adoption_desktop.letterbox import support
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui import discard
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user


def _cancel(editor: QDialog) -> None:
    editor.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel).click()


def _escape(editor: QDialog) -> None:
    QTest.keyClick(editor, Qt.Key.Key_Escape)


def _close_box(editor: QDialog) -> None:
    editor.close()  # what the window's close box does


@pytest.mark.parametrize("leave", [_escape, _cancel, _close_box], ids=["Escape", "Cancel", "close box"])
def test_the_support_referral_editor_asks(qtbot: QtBot, db: Database, answers: Any,
                                          leave: Callable[[QDialog], None]) -> None:
    who = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    page = LetterboxPage(AppContext(db, who, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    editor = page.support_register.add()
    assert editor is not None and editor.isVisible()
    editor.edits["case_reference"].setText("LB-0042")
    editor.notes.setPlainText("Birth mother asked for a call back on Tuesdays.")

    asked = answers(False)  # Keep editing
    leave(editor)
    assert len(asked) == 1 and asked[0][0] == "New support referral"
    assert "not saved" in asked[0][1] and "Save" in asked[0][1]
    assert editor.isVisible() and editor.notes.toPlainText() == "Birth mother asked for a call back on Tuesdays."

    asked = answers(True)  # Discard
    leave(editor)
    assert len(asked) == 1 and not editor.isVisible()
    assert support.list_referrals(db, who) == []  # nothing saved


def test_the_household_editor_asks(qtbot: QtBot, db: Database, answers: Any) -> None:
    who = make_user(db, "paneladmin", Role.PANEL_ADMINISTRATOR)
    household = adopters.add_household(db, who, AdopterStages("ADP-0801", registered_on=dt.date(2026, 2, 2)))
    page = PanelPage(AppContext(db, who, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    tab = page.adopters_tab
    tab.reload()
    tab.view.selectRow(0)
    editor = tab.edit()
    assert editor is not None and editor.isVisible()
    editor.edits["stage1_completed_on"].setText("15/04/2026")

    asked = answers(False)  # Keep editing
    _escape(editor)
    assert len(asked) == 1 and asked[0][0] == "Adopters' journey — ADP-0801"
    assert editor.isVisible() and editor.edits["stage1_completed_on"].text() == "15/04/2026"

    asked = answers(True)  # Discard
    _cancel(editor)
    assert len(asked) == 1 and not editor.isVisible()
    assert adopters.get_household(db, who, household.id).stage1_completed_on is None  # nothing saved


def test_the_child_editor_asks(qtbot: QtBot, answers: Any) -> None:
    editor = ChildEditor(None, None)
    qtbot.addWidget(editor)
    editor.show()
    editor.foster.setChecked(True)

    asked = answers(False)  # Keep editing
    _close_box(editor)
    assert len(asked) == 1 and asked[0][0] == "Add a child"
    assert editor.isVisible() and editor.foster.isChecked()

    asked = answers(True)  # Discard
    _escape(editor)
    assert len(asked) == 1 and not editor.isVisible()
    assert editor.result() == QDialog.DialogCode.Rejected


def test_an_unchanged_editor_closes_without_a_question(qtbot: QtBot, answers: Any) -> None:
    editor = ChildEditor(None, None)
    qtbot.addWidget(editor)
    editor.show()
    asked = answers()
    _escape(editor)
    assert asked == [] and not editor.isVisible()


def test_the_real_question_keeps_editing_on_escape(qtbot: QtBot) -> None:
    """The question itself (not answered for the test): Escape on it is *Keep editing*, so a second Escape
    loses nothing; *Discard* then closes the editor."""
    editor = ChildEditor(None, None)
    qtbot.addWidget(editor)
    editor.show()
    editor.texts["initials"].setText("J.K.")
    seen: list[str] = []

    def answer(key: Qt.Key | None) -> Callable[[], None]:
        def go(tries: int = 0) -> None:
            box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
                        and w.objectName() == discard.OBJECT_NAME and w.isVisible()), None)
            if box is None:
                if tries < 150:  # 3 s, then the test fails rather than waits
                    QTimer.singleShot(20, lambda: go(tries + 1))
                return
            seen.append(box.text())
            if key is None:
                next(b for b in box.buttons() if "Discard" in b.text()).click()
            else:
                QTest.keyClick(box, key)
        return go

    QTimer.singleShot(0, answer(Qt.Key.Key_Escape))
    _escape(editor)
    assert seen == ["Discard what you typed?"] and editor.isVisible()
    assert editor.texts["initials"].text() == "J.K."

    QTimer.singleShot(0, answer(None))
    _cancel(editor)
    assert len(seen) == 2 and not editor.isVisible()
