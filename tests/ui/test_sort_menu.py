"""Every list whose headings sort it is sorted from the keyboard too (user trial 4: a keyboard user could not
choose the order of any list): on every page and tab of the main window over the small demo (a real
SQLCipher file), as each role that opens them, the Menu key on the list opens its menu, Sort by lists the
columns, and a column chosen sorts the list as a click on its heading does."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QTableView, QWidget

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.ui.walk import tab_widgets


def _popup() -> QMenu | None:
    QApplication.processEvents()
    menu = QApplication.activePopupWidget()
    return menu if isinstance(menu, QMenu) else None


def _sortable_lists(window: QWidget) -> list[QTableView]:
    return [v for v in window.findChildren(QTableView) if v.isVisibleTo(window) and v.isSortingEnabled()
            and v.model() is not None and v.model().rowCount() > 1]


def _check(view: QTableView, where: str, failures: list[str]) -> None:
    view.setFocus(Qt.FocusReason.OtherFocusReason)
    QTest.keyClick(view, Qt.Key.Key_Menu)
    menu = _popup()
    if menu is None or [a.text() for a in menu.actions()] != ["&Sort by"]:
        failures.append(f"{where}: the Menu key opened no Sort by menu")
        if menu is not None:
            menu.close()
        return
    QTest.keyClick(menu, Qt.Key.Key_S)
    sort_by = _popup()
    columns = [a for a in sort_by.actions() if a.isCheckable() and a.data() is not None] if sort_by else []
    if not columns or sort_by is None:
        failures.append(f"{where}: Sort by lists no column")
        QTest.keyClick(menu, Qt.Key.Key_Escape)
        return
    last = columns[-1]
    column = int(last.data())
    last.trigger()
    sort_by.close()
    menu.close()
    QApplication.processEvents()
    header = view.horizontalHeader()
    if header.sortIndicatorSection() != column:
        failures.append(f"{where}: choosing {last.text()!r} did not sort by it")


@pytest.mark.parametrize("username", ["adm", "counsellor", "letterbox", "admin"])
def test_every_sortable_list_sorts_from_the_keyboard(small_demo_db: Database, username: str, qtbot: Any) -> None:
    principal = authenticate(small_demo_db, username, demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(small_demo_db, principal, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    failures: list[str] = []
    checked: set[int] = set()

    def check_shown(where: str) -> None:
        for view in _sortable_lists(window):
            if id(view) not in checked:
                checked.add(id(view))
                _check(view, f"{where} / {view.objectName() or type(view.model()).__name__}", failures)

    for target in window.targets:
        page = window.open_target(target.key)
        assert page is not None
        QApplication.processEvents()
        check_shown(target.key)
        for tabs in tab_widgets(page):
            for i in range(tabs.count()):
                if tabs.isTabVisible(i):
                    tabs.setCurrentIndex(i)
                    QApplication.processEvents()
                    check_shown(f"{target.key} / {tabs.tabText(i)}")
    window.close()
    assert checked, "no sortable list was found"
    assert failures == []
