"""Keyboard access: no two things visible at once answer the same Alt+letter.

Qt treats a shared mnemonic as ambiguous: Alt+F then cycles focus between a "&Find" label and the File
menu instead of opening the menu. Every page is opened over the demo database as each role that
changes what is shown, a row is selected in every list (so detail panes fill in), and every tab of
every tab widget is visited.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QTabWidget,
    QWidget,
)

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.ui.walk import mnemonic, tab_widgets, visible_mnemonics


def _select_first_rows(page: QWidget) -> None:
    for view in page.findChildren(QAbstractItemView):
        model = view.model()
        if view.isVisibleTo(page) and model is not None and model.rowCount() > 0:
            view.setCurrentIndex(model.index(0, 0))
    QApplication.processEvents()


@pytest.fixture
def demo_db(small_demo_db: Database) -> Database:
    return small_demo_db  # the small demo, made once per run (conftest)


@pytest.mark.parametrize("username", ["admin", "chair", "adm", "counsellor", "letterbox"])
def test_no_two_visible_controls_share_a_mnemonic(demo_db: Database, username: str, qtbot: Any) -> None:
    principal = authenticate(demo_db, username, demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(demo_db, principal, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 850)
    window.show()
    clashes: dict[str, dict[str, list[str]]] = {}
    # every menu is reached with Alt+its letter, as the guide and the README promise
    no_letter = [a.text() for a in window.menuBar().actions() if a.isVisible() and not mnemonic(a.text())]
    if no_letter:
        clashes["menu bar"] = {"no Alt letter": no_letter}
    for target in window.targets:
        page = window.open_target(target.key)
        assert page is not None
        _select_first_rows(page)
        found = visible_mnemonics(window)
        if found:
            clashes[target.key] = found
        for tabs in tab_widgets(page):
            for i in range(tabs.count()):
                if not tabs.isTabVisible(i):
                    continue
                tabs.setCurrentIndex(i)
                _select_first_rows(page)
                found = visible_mnemonics(window)
                if found:
                    clashes[f"{target.key} / {tabs.tabText(i)}"] = found
            tabs.setCurrentIndex(0)
    window.close()
    assert clashes == {}


def _clashes_on_every_tab(window: QWidget) -> dict[str, dict[str, list[str]]]:
    clashes: dict[str, dict[str, list[str]]] = {}
    found = visible_mnemonics(window)
    if found:
        clashes["(first view)"] = found
    for tabs in window.findChildren(QTabWidget):
        for i in range(tabs.count()):
            if tabs.isTabVisible(i):
                tabs.setCurrentIndex(i)
                QApplication.processEvents()
                found = visible_mnemonics(window)
                if found:
                    clashes[tabs.tabText(i)] = found
    return clashes


def test_the_large_dialogs_have_no_shared_mnemonics(demo_db: Database, qtbot: Any) -> None:
    """The dialogs with many controls: a counselling case, a letterbox item, a new ADM decision."""
    import datetime as dt

    from sqlalchemy import select

    from adoption_desktop.adm.views.dialogs import NewDecisionDialog
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.counselling.views.case_dialog import CaseDialog
    from adoption_desktop.letterbox.models import Item
    from adoption_desktop.letterbox.views.page import LetterboxPage

    def ctx(username: str) -> AppContext:
        return AppContext(demo_db, authenticate(demo_db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True))

    with demo_db.session(write=False) as session:
        case_id = session.scalars(select(CounsellingCase.id).order_by(CounsellingCase.id)).first()
        item_id = session.scalars(select(Item.id).order_by(Item.id)).first()
    assert case_id is not None and item_id is not None
    today = dt.date(2026, 11, 23)
    letterbox = LetterboxPage(ctx("letterbox"))
    qtbot.addWidget(letterbox)
    dialogs: list[QWidget] = [CaseDialog(ctx("counsellor"), case_id, lambda: today),
                              letterbox.open_existing_item(item_id),
                              NewDecisionDialog(None, {"plan": "Child's plan for adoption"}, today)]
    clashes = {}
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        found = _clashes_on_every_tab(dialog)
        if found:
            clashes[type(dialog).__name__] = found
        dialog.close()
    assert clashes == {}


def test_every_go_menu_item_has_its_own_alt_letter(demo_db: Database, qtbot: Any) -> None:
    """User trial ut14: the Go menu's items had no Alt letter (L in the open menu did nothing)."""
    from PySide6.QtCore import Qt

    window = MainWindow(AppContext(demo_db, authenticate(demo_db, "admin", demo.DEMO_PASSWORD),
                                   TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    go = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Go")
    items = [a for a in go.actions() if not a.isSeparator()]
    letters = {a.text(): mnemonic(a.text()) for a in items}
    assert all(letters.values()), letters
    assert len(set(letters.values())) == len(letters), letters
    # the letter opens the area from the open menu
    go.popup(window.mapToGlobal(window.rect().topLeft()))
    qtbot.waitUntil(go.isVisible)
    qtbot.keyClick(go, Qt.Key.Key_L)
    QApplication.processEvents()
    assert window.stack.currentWidget() is not None and not go.isVisible()
    assert window.nav.currentItem() is not None and window.nav.currentItem().text() == "Letterbox"
    window.close()
