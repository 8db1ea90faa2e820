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


def admin_page(db: Database, admin: Principal, qtbot: Any) -> AdminPage:
    """The Administration page for ``admin``, shown."""
    page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.show()
    return page


def _page_with_a_counsellor(db: Database, admin: Principal, qtbot: Any) -> AdminPage:
    users.create_user(db, admin, "thornby", "Tam Thornby", "long-enough-pw", [Role.COUNSELLOR])
    return admin_page(db, admin, qtbot)


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


def test_tabs_show_what_is_in_the_database_when_shown_and_on_f5(db: Database, admin: Principal, qtbot: Any) -> None:
    """The trial: a name saved on Agency profile stayed old on Settings; new audit entries appeared only
    after Filter, and F5 did nothing."""
    from PySide6.QtCore import Qt

    page = _page_with_a_counsellor(db, admin, qtbot)
    # the agency's name and address are the profile's alone: one place to change them, none to go stale
    shown = {row[0] for row in page.settings.model.rows()}
    assert "agency.name" not in shown and "agency.address" not in shown
    page.setCurrentWidget(page.audit)
    before = len(page.audit.model.rows())
    page.setCurrentWidget(page.users)
    users.create_user(db, admin, "ashby", "Ash Ashby", "long-enough-pw", [Role.COUNSELLOR])
    page.setCurrentWidget(page.audit)  # shown again: the new entries are there without pressing Filter
    assert len(page.audit.model.rows()) > before
    users.create_user(db, admin, "brook", "Bo Brook", "long-enough-pw", [Role.COUNSELLOR])
    page.setCurrentWidget(page.users)
    assert "brook" in [u.username for u in page.users.model.rows()]
    users.create_user(db, admin, "carr", "Cy Carr", "long-enough-pw", [Role.COUNSELLOR])
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.keyClick(page.users.view, Qt.Key.Key_F5)  # F5 reloads the tab shown
    assert "carr" in [u.username for u in page.users.model.rows()]


def test_creating_a_user_says_so(db: Database, admin: Principal, qtbot: Any, monkeypatch: Any) -> None:
    from adoption_desktop.ui.admin_page import UserDialog

    page = _page_with_a_counsellor(db, admin, qtbot)
    told: list[str] = []
    page.users.ctx.on_message = told.append

    def fill(dialog: UserDialog) -> int:
        dialog.full_name.setText("Dee Dale")
        dialog.username.setText("dale")
        dialog.password.setText("long-enough-pw")
        dialog.confirm_password.setText("long-enough-pw")
        dialog.role_boxes[Role.COUNSELLOR].setChecked(True)
        return 1

    monkeypatch.setattr(UserDialog, "exec", fill)
    page.users.new_user()
    assert "dale" in [u.username for u in page.users.model.rows()]
    assert told and "dale" in told[0] and "created" in told[0]


def test_settings_and_audit_log_do_not_scroll_sideways_at_1366(db: Database, admin: Principal, qtbot: Any) -> None:
    """The trial: Settings' "Meaning" cut off at the right, the Audit log's "Changes" column so wide its
    title was out of sight. The sentence column takes the room left and shows the rest in its tooltip."""
    from PySide6.QtWidgets import QApplication

    page = _page_with_a_counsellor(db, admin, qtbot)
    page.resize(1366 - 220, 640)  # the page beside the navigation list in a 1366-pixel window
    for tab in (page.settings, page.audit):
        page.setCurrentWidget(tab)
        QApplication.processEvents()
        view = tab.view
        assert view.horizontalScrollBar().maximum() == 0, type(tab).__name__
        last = view.model().columnCount() - 1
        assert view.horizontalHeader().sectionViewportPosition(last) < view.viewport().width()
        tip = view.model().index(0, last).data(3)
        assert tip, "the whole sentence in the tooltip"


def test_a_new_user_whose_two_passwords_differ_is_not_saved(db: Database, admin: Principal, qtbot: Any,
                                                            monkeypatch: Any) -> None:
    """The New user dialog asks for the password twice; a mismatch is said in the dialog, which stays open
    with what was typed, and nothing is saved until the two agree."""
    from adoption_desktop.ui.admin_page import UserDialog

    page = _page_with_a_counsellor(db, admin, qtbot)
    seen: list[str] = []

    def fill(dialog: UserDialog) -> int:
        if not seen:  # first OK: the confirmation differs
            assert dialog.confirm_password.echoMode() == dialog.password.echoMode()
            dialog.full_name.setText("Dee Dale")
            dialog.username.setText("dale")
            dialog.password.setText("long-enough-pw")
            dialog.confirm_password.setText("long-enough-pq")
            dialog.role_boxes[Role.COUNSELLOR].setChecked(True)
        else:
            assert "dale" not in [u.username for u in users.list_users(db, admin)]
            dialog.confirm_password.setText("long-enough-pw")
        seen.append(dialog.message.text())
        return 1

    monkeypatch.setattr(UserDialog, "exec", fill)
    page.users.new_user()
    assert seen[1] == "Confirm password: the two passwords differ; type the same one in both."
    assert "dale" in [u.username for u in page.users.model.rows()]
