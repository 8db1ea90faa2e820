"""Edit → Undo in the window (pytest-qt, offscreen): Ctrl+Z after removing an agenda item puts it back
(read back from the database, audited, ``verify`` clean); the status bar offers an Undo link that works
from the keyboard; Ctrl+Z in a text field undoes the typing only; a second session's change makes the
undo refuse with the conflict dialog; switching user empties the stack."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.session_switch import sign_out
from tests.conftest import TEST_PASSWORD, make_user
from tests.undo_checks import actions, assert_verified, rows

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def _agenda(db: Database, clerk: Principal, sitting: int) -> list[int]:
    return [i.id for i in svc.sitting_detail(db, clerk, sitting).items]


def _setup(db: Database) -> tuple[Principal, int, list[int]]:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(dt.date(2026, 3, 3), venue="Room 2"))[0]
    items = [svc.add_item(db, clerk, sitting, svc.ItemInput("approval", ref, "AB/CD", "Jay Quillby"))
             for ref in ("PA-2026-013", "PA-2026-014", "PA-2026-015")]
    return clerk, sitting, items


def _panel(window: Any) -> PanelPage:
    page = window.open_target("panel")
    assert isinstance(page, PanelPage)
    return page


def _remove_second(page: PanelPage) -> None:
    page.agenda_view.selectRow(1)
    page.remove_item()


def _press(widget: QWidget, key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    widget.setFocus()
    QApplication.processEvents()
    QTest.keyClick(widget, key, mods)
    QApplication.processEvents()


def test_ctrl_z_puts_a_removed_agenda_item_back(db: Database, make_window: Any) -> None:
    clerk, sitting, items = _setup(db)
    original = rows(db, "panel_items")
    window = make_window(clerk)
    page = _panel(window)
    _remove_second(page)
    assert _agenda(db, clerk, sitting) == [items[0], items[2]]
    notice = window.undo_ui.notice
    assert notice.isVisible()
    assert notice.text.text() == "Removed agenda item PA-2026-014 from the sitting of 3 March 2026."
    assert "Undo" in notice.link.text() and notice.link.isVisible()
    assert window.undo_ui.undo_action.isEnabled()
    assert window.undo_ui.undo_action.text() == "&Undo: Removed agenda item PA-2026-014 from the sitting of 3 March 2026"
    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)
    assert rows(db, "panel_items") == original
    assert _agenda(db, clerk, sitting) == items
    assert [r.id for r in page.agenda_model.rows()] == items  # the page shows it again
    assert notice.text.text().startswith("Undone: Removed agenda item PA-2026-014")
    assert actions(db, "panel_items")[-3:] == ["delete", "create", "undo"]
    assert_verified(db)
    # redo with Ctrl+Shift+Z, then Ctrl+Y after another undo
    _press(page.agenda_view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert _agenda(db, clerk, sitting) == [items[0], items[2]]
    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)
    _press(page.agenda_view, Qt.Key.Key_Y, CTRL)
    assert _agenda(db, clerk, sitting) == [items[0], items[2]]


def test_the_status_bar_link_undoes_from_the_keyboard(db: Database, make_window: Any) -> None:
    clerk, sitting, items = _setup(db)
    window = make_window(clerk)
    page = _panel(window)
    _remove_second(page)
    link = window.undo_ui.notice.link
    assert link.focusPolicy() != Qt.FocusPolicy.NoFocus
    link.setFocus(Qt.FocusReason.TabFocusReason)  # reached with Tab
    QApplication.processEvents()
    QTest.keyClick(link, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert _agenda(db, clerk, sitting) == items


def test_ctrl_z_in_a_text_field_undoes_the_typing_only(db: Database, make_window: Any) -> None:
    clerk, sitting, items = _setup(db)
    window = make_window(clerk)
    page = _panel(window)
    _remove_second(page)
    holder = QWidget(page)
    layout = QVBoxLayout(holder)
    line, box = QLineEdit(holder), QPlainTextEdit(holder)
    layout.addWidget(line)
    layout.addWidget(box)
    holder.show()
    line.setFocus()
    QApplication.processEvents()
    QTest.keyClicks(line, "Room 4")
    _press(line, Qt.Key.Key_Z, CTRL)
    assert line.text() == ""  # its own text undo
    assert _agenda(db, clerk, sitting) == [items[0], items[2]]  # the removal stands
    box.setFocus()
    QApplication.processEvents()
    QTest.keyClicks(box, "notes")
    _press(box, Qt.Key.Key_Z, CTRL)
    assert box.toPlainText() == ""
    assert window.undo_ui.undo_action.isEnabled() and _agenda(db, clerk, sitting) == [items[0], items[2]]
    box.setReadOnly(True)  # a read-only text view has no undo of its own: the application's applies
    _press(box, Qt.Key.Key_Z, CTRL)
    assert _agenda(db, clerk, sitting) == items


def test_someone_elses_change_refuses_the_undo_with_the_conflict_dialog(db: Database, db_path: Path,
                                                                        make_window: Any) -> None:
    from tests.concurrency_worker import open_target

    clerk, sitting, items = _setup(db)
    make_user(db, "bea", Role.PANEL_ADMINISTRATOR)
    window = make_window(clerk)
    page = _panel(window)
    _remove_second(page)
    password = db.engine.url.password
    assert password is not None
    other = open_target(str(db_path), password[2:-1])  # a second client: its own engine and connections
    try:
        bea = security.authenticate(other, "bea", TEST_PASSWORD)
        svc.reorder_items(other, bea, sitting, [items[2], items[0]])
    finally:
        other.dispose()
    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)
    dialog = window.undo_ui.conflict_dialog
    assert dialog.isVisible() and not dialog.reapply_button.isVisible()
    message = window.undo_ui.notice.text.text()
    assert "Bea Tester changed the agenda of the sitting of 3 March 2026" in message and "not undone" in message
    assert _agenda(db, clerk, sitting) == [items[2], items[0]]  # Bea's order stands; nothing came back
    assert not window.undo_ui.undo_action.isEnabled()
    dialog.reload_button.click()
    assert [r.id for r in page.agenda_model.rows()] == [items[2], items[0]]
    assert_verified(db)


def test_switching_user_empties_the_stack(db: Database, make_window: Any) -> None:
    clerk, sitting, items = _setup(db)
    make_user(db, "next", Role.PANEL_ADMINISTRATOR)
    window = make_window(clerk)
    page = _panel(window)
    _remove_second(page)
    old = window.ctx
    assert old.undo.can_undo()
    assert sign_out(window, ask=lambda _p, database: security.authenticate(database, "next", TEST_PASSWORD))
    assert not old.undo.can_undo()
    assert window.ctx.principal.username == "next" and not window.ctx.undo.can_undo()
    assert window.undo_ui is not None and not window.undo_ui.undo_action.isEnabled()
    page = _panel(window)
    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)
    assert _agenda(db, clerk, sitting) == [items[0], items[2]]  # the first user's removal is not undone
    assert sum(a.objectName() == "undo_action" for a in window.actions()) == 1
