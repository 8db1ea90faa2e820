"""Administration defects found in the user trial (offscreen)."""

from __future__ import annotations

from typing import Any

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import admin_templates
from adoption_desktop.ui.admin_page import AdminPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner


def _page(db: Database, admin: Principal, qtbot: Any) -> AdminPage:
    page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.show()
    return page


def test_an_edited_template_is_kept_unless_the_user_discards_it(db: Database, admin: Principal, qtbot: Any,
                                                                 monkeypatch: Any) -> None:
    page = _page(db, admin, qtbot)
    tab = page.templates
    asked: list[str] = []
    answers: list[bool] = []
    monkeypatch.setattr(admin_templates, "ask_discard", lambda _w, title: asked.append(title) or answers.pop(0))
    names = [t.name for t in tab.model.rows()]
    tab.view.selectRow(names.index("letterbox_reminder"))
    assert not asked  # nothing typed: no question
    typed = tab.editor.toPlainText() + "\nA line of our own.\n"
    tab.editor.setPlainText(typed)
    other = next(i for i, n in enumerate(names) if n not in ("letterbox_reminder", "minutes"))
    answers.append(False)  # keep editing: the text and the selection stay
    tab.view.selectRow(other)
    assert len(asked) == 1 and tab.editor.toPlainText() == typed
    assert tab.current is not None and tab.current.name == "letterbox_reminder"
    assert tab.view.currentIndex().row() == names.index("letterbox_reminder")
    page.setCurrentWidget(tab)
    answers.append(False)  # F5, keep editing
    page.refresh_shown()
    assert len(asked) == 2 and tab.editor.toPlainText() == typed
    answers.append(True)  # F5, discard: the stored text comes back
    page.refresh_shown()
    assert len(asked) == 3 and tab.editor.toPlainText() != typed
    tab.editor.setPlainText(typed)
    answers.append(True)  # another template, discard
    tab.view.selectRow(other)
    assert len(asked) == 4 and tab.current is not None and tab.current.name == names[other]
    assert tab.editor.toPlainText() != typed
    assert not answers
