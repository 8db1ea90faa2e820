"""A message that appears on a line of the window is said to a screen reader (NVDA, JAWS, Narrator) as it
appears: Qt's announcement event (UI Automation's notification on Windows). Before (accessibility trial,
December 2026), a refusal under a form, an undo notice or a status-bar message changed a label nobody
was on: the screen reader user pressed OK and heard nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.dialogs import LoginDialog
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user


def test_a_refused_sign_in_is_announced(db: Database, qtbot: Any, said: list[str]) -> None:
    make_user(db, "avery", Role.COUNSELLOR)
    login = LoginDialog(db, runner=TaskRunner(synchronous=True))
    qtbot.addWidget(login)
    login.show()
    login.username.setText("avery")
    login.password.setText("not-the-password")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert "not right" in login.message.text()
    assert said == [login.message.text()]  # once, word for word
    login.password.setText("still-not-it")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)  # the same refusal again: said again (cleared between)
    assert said == [login.message.text()] * 2


def test_the_undo_notice_and_the_status_bar_are_announced(db: Database, make_window: Any, said: list[str]) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(dt.date(2026, 3, 3), venue="Room 2"))[0]
    for ref in ("PA-2026-013", "PA-2026-014"):
        svc.add_item(db, clerk, sitting, svc.ItemInput("approval", ref, "AB/CD", "Jay Quillby"))
    window = make_window(clerk)
    page = window.open_target("panel")
    assert isinstance(page, PanelPage)
    said.clear()
    page.agenda_view.selectRow(1)
    page.remove_item()
    # the page's line says it, with the key; the undo notice below does not say it a second time
    assert said == ["Removed agenda item PA-2026-014 from the sitting of Tuesday 3 March 2026. Ctrl+Z undoes it."]
    QApplication.processEvents()
    window.undo_ui.undo_action.trigger()  # Edit → Undo: only the status bar's notice says what happened
    assert said[-1].startswith("Undone: Removed agenda item PA-2026-014")
    window.statusBar().showMessage("Backup written and verified: demo.adkbak", 8000)
    assert said[-1] == "Backup written and verified: demo.adkbak"


def test_a_message_set_before_the_window_shows_is_said_when_it_shows(qtbot: Any, said: list[str]) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    line = MessageLine(parent=dialog)
    line.setText("Unsaved text from your last visit to this form was restored.")
    assert said == []  # nobody can hear a window that is not there
    dialog.show()
    qtbot.waitUntil(lambda: said == ["Unsaved text from your last visit to this form was restored."])
    line.setText("<b>Reference:</b> required.")  # markup is not read out
    assert said[-1] == "Reference: required."
    line.clear()
    QApplication.processEvents()
    assert len(said) == 2  # clearing says nothing


def test_every_form_message_line_is_announced(qtbot: Any) -> None:
    """Every ``QLabel`` named ``message`` in the forms is made a :class:`MessageLine` by the loader."""
    from adoption_desktop.core.resources import form_path
    from adoption_desktop.ui.forms import load_form

    found = 0
    for path in sorted(form_path("login_dialog").parent.glob("*.ui")):
        form = load_form(path.stem)
        for label in form.findChildren(QLabel, "message"):
            found += 1
            assert isinstance(label, MessageLine), path.name
        form.deleteLater()
    assert found >= 10
