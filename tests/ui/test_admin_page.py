from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from adoption_desktop.core import audit_service
from adoption_desktop.core.audit import AuditFilter
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.admin_page import AdminPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner


def _page_with_a_counsellor(db: Database, admin: Principal, qtbot: Any) -> AdminPage:
    users.create_user(db, admin, "thornby", "Tam Thornby", "long-enough-pw", [Role.COUNSELLOR])
    page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.show()
    return page


def test_admin_page_lists_users_and_filters_the_audit_log(db: Database, admin: Principal, qtbot: Any,
                                                          tmp_path: Path) -> None:
    page = _page_with_a_counsellor(db, admin, qtbot)
    names = [u.username for u in page.users.model.rows()]
    assert names == ["admin", "thornby"]
    page.audit.filters["action"].setText("create")
    page.audit.refresh()
    rows = page.audit.model.rows()
    assert rows and all(r.action == "create" for r in rows)
    page.grab().save(str(tmp_path / "admin.png"))

    out = tmp_path / "audit.csv"
    n = audit_service.export_csv(db, admin, out, AuditFilter(entity="users"))
    with out.open(encoding="utf-8-sig") as fh:
        lines = list(csv.reader(fh))
    assert lines[0][0] == "seq" and len(lines) == n + 1
    # the export is itself audited
    assert audit_service.list_entries(db, admin, AuditFilter(action="export"))


def test_disable_button_names_its_action_and_asks_first(db: Database, admin: Principal, qtbot: Any,
                                                        monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    page = _page_with_a_counsellor(db, admin, qtbot)  # kept: the tab lives only as long as its page
    tab = page.users
    assert not tab.disable_button.isEnabled()  # nothing selected
    tab.view.selectRow(1)
    assert tab.disable_button.text() == "&Disable user…"
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Yes]
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *_a: asked.append(text) or answers.pop(0))

    tab.disable_button.click()  # answered No: nothing changes
    assert not next(u for u in tab.model.rows() if u.username == "thornby").disabled
    tab.disable_button.click()  # answered Yes
    assert next(u for u in tab.model.rows() if u.username == "thornby").disabled
    assert "Disable Tam Thornby (thornby)?" in asked[0]
    tab.view.selectRow(1)
    assert tab.disable_button.text() == "&Enable user…"
    tab.disable_button.click()
    assert not next(u for u in tab.model.rows() if u.username == "thornby").disabled
    assert asked[2].startswith("Enable Tam Thornby")


@pytest.mark.parametrize("key", [Qt.Key.Key_Down, Qt.Key.Key_PageDown])
def test_down_in_an_audit_filter_box_goes_to_the_entries_filtered(db: Database, admin: Principal, qtbot: Any,
                                                                  key: Qt.Key) -> None:
    page = _page_with_a_counsellor(db, admin, qtbot)
    page.setCurrentWidget(page.audit)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=2000)
    assert {r.actor for r in page.audit.model.rows()} - {"admin"}  # others' entries are listed before filtering
    box = page.audit.filters["actor"]
    box.setFocus()
    qtbot.keyClicks(box, "admin")  # not applied yet: the list applies a filter on Enter
    qtbot.keyClick(box, key)
    rows = page.audit.model.rows()
    assert rows and all(r.actor == "admin" for r in rows)  # the typed filter was applied first
    assert QApplication.focusWidget() is page.audit.view
    assert [i.row() for i in page.audit.view.selectionModel().selectedRows()] == [0]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter still just filters, the box keeps the keyboard
    assert QApplication.focusWidget() is box
