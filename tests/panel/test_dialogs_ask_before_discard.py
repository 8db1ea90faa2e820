"""User trial: the panel's dialogs closed on Esc and lost what was typed. Now Esc (and Cancel, the close box)
asks "Discard what you typed?" when something was typed; *Keep editing* keeps the dialog and its text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import TODAY, Panel


def _page(qtbot: QtBot, panel: Panel) -> PanelPage:
    svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0801", "AB"))
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.reload(select_sitting=panel.sitting_id)
    page.agenda_view.selectRow(0)
    return page


def _type(dialog: QDialog) -> None:
    edit = next(e for e in dialog.findChildren(QLineEdit) if e.isVisible() and e.isEnabled()
                and not e.isReadOnly() and not isinstance(e.parent(), QComboBox) and e.echoMode() == e.EchoMode.Normal
                and not e.parent().inherits("QAbstractSpinBox"))
    edit.setText(edit.text() + " typed")


def _open(page: PanelPage, how: str) -> QDialog:
    opener: dict[str, Callable[[], Any]] = {
        "add member": page.add_member, "edit member": page.edit_member, "add item": page.add_item,
        "edit item": page.edit_item, "declare interest": page.declare, "notice": page.notice}
    if how in ("edit member", "notice"):
        page.tabs.setCurrentIndex(1)
        page.members_view.selectRow(0)
    opener[how]()
    dialog = page.dialog
    assert isinstance(dialog, QDialog) and dialog.isVisible(), how
    return dialog


@pytest.mark.parametrize("how", ["add member", "edit member", "add item", "edit item", "declare interest",
                                 "notice"])
def test_escape_asks_before_losing_what_was_typed(qtbot: QtBot, panel: Panel, monkeypatch: pytest.MonkeyPatch,
                                                  how: str) -> None:
    page = _page(qtbot, panel)
    answers = [False, True]
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_discard", lambda _w, title: asked.append(title) or answers.pop(0))
    dialog = _open(page, how)
    _type(dialog)
    typed = [e.text() for e in dialog.findChildren(QLineEdit)]
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Keep editing
    QApplication.processEvents()
    assert dialog.isVisible() and asked == [dialog.windowTitle()]
    assert [e.text() for e in dialog.findChildren(QLineEdit)] == typed
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Discard
    QApplication.processEvents()
    assert not dialog.isVisible() and len(asked) == 2


@pytest.mark.parametrize("how", ["add member", "edit item", "declare interest"])
def test_escape_on_an_untouched_dialog_closes_without_asking(qtbot: QtBot, panel: Panel,
                                                             monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    page = _page(qtbot, panel)
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_discard", lambda _w, title: asked.append(title) or False)
    dialog = _open(page, how)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    QApplication.processEvents()
    assert not dialog.isVisible() and asked == []
