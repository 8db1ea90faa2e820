"""Edit → Undo in the window (pytest-qt, offscreen): Ctrl+Z after removing an agenda item puts it back
(read back from the database, audited, ``verify`` clean); the status bar offers an Undo link that works
from the keyboard; Ctrl+Z in a text field undoes the typing only; a second session's change makes the
undo refuse with a plain message; switching user empties the stack."""

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
from tests.undo_checks import actions, assert_verified, confirm_next, rows

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
    assert notice.text.text() == "Removed agenda item PA-2026-014 from the sitting of Tuesday 3 March 2026."
    assert "Undo" in notice.link.text() and notice.link.isVisible()
    assert window.undo_ui.undo_action.isEnabled()
    assert window.undo_ui.undo_action.text() == "&Undo: Removed agenda item PA-2026-014 from the sitting of Tuesday 3 March 2026"
    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)
    assert rows(db, "panel_items") == original
    assert _agenda(db, clerk, sitting) == items
    assert [r.id for r in page.agenda_model.rows()] == items  # the page shows it again
    assert notice.text.text().startswith("Undone: Removed agenda item PA-2026-014")
    assert actions(db, "panel_items")[-3:] == ["delete", "create", "undo"]
    assert_verified(db)
    # redo with Ctrl+Y; Ctrl+Shift+Z is not the application's (the minutes editor reverts with it)
    _press(page.agenda_view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert _agenda(db, clerk, sitting) == items
    _press(page.agenda_view, Qt.Key.Key_Y, CTRL)
    assert _agenda(db, clerk, sitting) == [items[0], items[2]]
    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)
    assert _agenda(db, clerk, sitting) == items


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


def test_someone_elses_change_refuses_the_undo_with_a_plain_message(db: Database, db_path: Path,
                                                                    make_window: Any) -> None:
    """Refused with nothing to compare (the agenda's order): a plain "Not undone" box with the refusal's words,
    not the conflict window with an empty table; the page shows Bea's order at once."""
    from PySide6.QtWidgets import QMessageBox

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
    box = window.undo_ui.refused_box
    assert isinstance(box, QMessageBox) and box.isVisible() and box.windowTitle() == "Not undone"
    assert not hasattr(window.undo_ui, "conflict_dialog")
    message = window.undo_ui.notice.text.text()
    assert "Bea Tester changed the agenda of the sitting of Tuesday 3 March 2026" in message and "not undone" in message
    assert box.text() == message and page.status.text() == message
    assert _agenda(db, clerk, sitting) == [items[2], items[0]]  # Bea's order stands; nothing came back
    assert not window.undo_ui.undo_action.isEnabled()
    assert [r.id for r in page.agenda_model.rows()] == [items[2], items[0]]  # shown as it is now
    box.accept()
    assert_verified(db)


def test_remove_is_refused_when_a_colleague_changed_the_item_since_the_page_showed_it(
        db: Database, other_pc: Database, make_window: Any) -> None:
    """The page removes the item as it shows it: a note added on another PC after the sitting was opened
    is not removed with it without a word; the page shows the note, and Remove then goes ahead."""
    clerk, sitting, items = _setup(db)
    make_user(db, "bea", Role.PANEL_ADMINISTRATOR)
    window = make_window(clerk)
    page = _panel(window)
    bea = security.authenticate(other_pc, "bea", TEST_PASSWORD)
    shown = svc.sitting_detail(other_pc, bea, sitting).items[1]
    svc.update_item(other_pc, bea, items[1], svc.ItemInput("approval", "PA-2026-014", "AB/CD", "Jay Quillby",
                                                           notes="Adopters asked to move to the afternoon."),
                    expected_version=shown.row_version)
    _remove_second(page)
    assert _agenda(db, clerk, sitting) == items  # nothing removed
    assert page.status.text().startswith("Bea Tester saved agenda item PA-2026-014 at ")
    assert not window.undo_ui.undo_action.isEnabled()
    assert page.agenda_model.rows()[1].notes == "Adopters asked to move to the afternoon."  # shown as stored
    _remove_second(page)  # from the page that shows Bea's note
    assert _agenda(db, clerk, sitting) == [items[0], items[2]]
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


def test_letterbox_finding_decision_undone_with_ctrl_z_in_the_item_dialog(db: Database, make_window: Any) -> None:
    from adoption_desktop.letterbox import rules
    from adoption_desktop.letterbox import service as lb
    from adoption_desktop.letterbox.views.page import LetterboxPage
    from tests.letterbox.conftest import sample_input

    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    arrangement = lb.create_arrangement(db, coordinator, sample_input())
    item = lb.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=dt.date(2026, 4, 1),
                       writer="Gina Quillfield")
    lb.screen_item(db, coordinator, item, "We went to Scarborough for the day.")
    before = rows(db, "letterbox_findings")
    window = make_window(coordinator)
    page = window.open_target("letterbox")
    assert isinstance(page, LetterboxPage)
    dialog = page.open_existing_item(item)
    dialog.findings_view.selectRow(0)
    dialog.decide("acceptable")
    assert [r["decision"] for r in rows(db, "letterbox_findings")] == ["acceptable"]
    assert window.undo_ui.notice.text.text() == "Marked the finding 'Scarborough' acceptable."
    _press(dialog.findings_view, Qt.Key.Key_Z, CTRL)  # in the item dialog's own window
    assert rows(db, "letterbox_findings") == before
    assert dialog.findings_model.rows()[0].decision == "remove"  # the dialog shows it as stored now
    assert_verified(db)
    # an outcome that would be refused is refused before the "final" question (a user trial confirmed a
    # forward "it cannot be undone" that was then refused): no question, the reason said, what was typed kept
    from unittest import mock

    from adoption_desktop.letterbox.views import item_dialog

    dialog.outcome.setCurrentIndex(dialog.outcome.findData("forwarded"))
    dialog.method.setText("")
    with mock.patch.object(item_dialog, "confirm_final", return_value=True) as asked_final:
        dialog.record_outcome()
        assert "Method" in dialog.message.text()
        dialog.method.setText("post")  # the finding is marked to be removed again (the undo above)
        dialog.record_outcome()
        assert "marked to be removed" in dialog.message.text() and dialog.method.text() == "post"
    assert asked_final.call_count == 0 and lb.get_item(db, coordinator, item).status == "screened"
    # recording an outcome is final: it asks, "No" records nothing, and it never enters the stack
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("held"))
    asked = confirm_next(answer=False)
    dialog.record_outcome()
    assert asked and "final" in asked[0] and lb.get_item(db, coordinator, item).status == "screened"
    asked = confirm_next(answer=True)
    dialog.record_outcome()
    assert lb.get_item(db, coordinator, item).status == "held"
    assert window.ctx.undo.undo_label() == "" and not window.ctx.undo.can_undo()
    dialog.close()


def test_closure_day_and_setting_undone_from_the_administration_page(db: Database, admin: Principal,
                                                                    make_window: Any) -> None:
    from PySide6.QtWidgets import QInputDialog

    from adoption_desktop.core.config import LOCKOUT_ATTEMPTS
    from adoption_desktop.ui.admin_page import AdminPage, ClosureTab, SettingsTab

    window = make_window(admin)
    page = window.open_target("admin")
    assert isinstance(page, AdminPage)
    closures = next(page.widget(i) for i in range(page.count()) if isinstance(page.widget(i), ClosureTab))
    assert isinstance(closures, ClosureTab)
    from PySide6.QtCore import QDate

    from tests.conftest import weekday_open

    day = weekday_open(closures.day.date().addDays(3).toPython())
    closures.day.setDate(QDate(day.year, day.month, day.day))
    closures.reason.setText("Office move")
    closures.add()
    assert len(rows(db, "closure_days")) == 1
    _press(closures.view, Qt.Key.Key_Z, CTRL)
    assert rows(db, "closure_days") == [] and closures.model.rowCount() == 0
    settings = page.settings
    assert isinstance(settings, SettingsTab)
    row = next(n for n, r in enumerate(settings.model.rows()) if r[0] == LOCKOUT_ATTEMPTS.key)
    settings.view.selectRow(row)
    original = QInputDialog.getInt
    QInputDialog.getInt = staticmethod(lambda *_a, **_k: (8, True))  # type: ignore[method-assign]
    try:
        settings.edit()
    finally:
        QInputDialog.getInt = original  # type: ignore[method-assign]
    assert [r["value"] for r in rows(db, "settings", "key = :k", k=LOCKOUT_ATTEMPTS.key)] == ["8"]
    _press(settings.view, Qt.Key.Key_Z, CTRL)
    assert rows(db, "settings", "key = :k", k=LOCKOUT_ATTEMPTS.key) == []
    assert "8" not in settings.model.rows()[row][2]
    assert_verified(db)


def test_minutes_editor_keeps_ctrl_shift_z_and_its_text_boxes_keep_ctrl_z(db: Database, make_window: Any) -> None:
    clerk, sitting, items = _setup(db)
    window = make_window(clerk)
    page = _panel(window)
    _remove_second(page)  # something on the stack that Ctrl+Z or Ctrl+Shift+Z must not touch
    page.agenda_view.selectRow(0)
    page.detail_tabs.setCurrentWidget(page.minutes)
    QApplication.processEvents()
    box = page.minutes.discussion
    box.setFocus()
    QApplication.processEvents()
    QTest.keyClicks(box, "Questions answered")
    _press(box, Qt.Key.Key_Z, CTRL)
    assert _agenda(db, clerk, sitting) == [items[0], items[2]]
    QTest.keyClicks(box, "Questions answered")
    from PySide6.QtWidgets import QPushButton

    button = next(b for b in page.minutes.findChildren(QPushButton) if b.isVisible() and b.isEnabled())
    _press(button, Qt.Key.Key_Z, CTRL | SHIFT)  # the editor's "revert to the last save", not the stack's
    assert box.toPlainText() == "" and "undone" in page.minutes.message.text()
    assert _agenda(db, clerk, sitting) == [items[0], items[2]] and window.ctx.undo.can_undo()


def test_ctrl_z_does_nothing_while_the_window_is_locked(db: Database, make_window: Any) -> None:
    clerk, sitting, items = _setup(db)
    window = make_window(clerk)
    page = _panel(window)
    _remove_second(page)
    window.lock()
    window.undo_ui.undo_action.trigger()  # the key, the menu or the link: all go through here
    assert _agenda(db, clerk, sitting) == [items[0], items[2]]
    assert window.try_unlock(TEST_PASSWORD)
    window.undo_ui.undo_action.trigger()
    assert _agenda(db, clerk, sitting) == items


def test_a_long_undo_label_never_widens_the_window(db: Database, make_window: Any) -> None:
    from adoption_desktop.core.undo import UndoEntry

    clerk, _sitting, _items = _setup(db)
    window = make_window(clerk)
    window.ctx.did(UndoEntry("Removed agenda item " + "PA-2026-014 " * 40, lambda: None, clerk.user_id))
    QApplication.processEvents()
    assert window.statusBar().minimumSizeHint().width() <= 1366  # the window still fits a laptop screen
    assert window.undo_ui.notice.text.toolTip().startswith("Removed agenda item PA-2026-014")


def test_the_notice_goes_when_undo_would_act_on_another_entry_of_the_same_words(db: Database,
                                                                                make_window: Any) -> None:
    """Review: the status bar's Undo link was matched to the stack by its words alone. With the entry it
    offered dropped and an older one of the same words next, the link stayed and would have undone that."""
    from adoption_desktop.core.undo import UndoEntry

    clerk, _sitting, _items = _setup(db)
    window = make_window(clerk)
    undone: list[str] = []
    older = UndoEntry("Saved the draft", lambda: undone.append("older"), clerk.user_id)
    newer = UndoEntry("Saved the draft", lambda: undone.append("newer"), clerk.user_id)
    window.ctx.did(older)
    window.ctx.did(newer)
    notice = window.undo_ui.notice
    assert notice.isVisible() and notice.link.isVisible()
    window.ctx.undo.drop(lambda e: e is newer)  # its record became final
    QApplication.processEvents()
    assert not notice.isVisible()
    window.ctx.undo.undo()
    assert undone == ["older"]


def test_the_undo_notice_shows_its_words_beside_the_link(db: Database, make_window: Any) -> None:
    """A trial saw only "Undo" in the status bar: the words, allowed to shrink (above), were given no width
    at all beside the stretch. At 1366 pixels a short notice is shown whole, a long one to the window's width."""
    from adoption_desktop.core.undo import UndoEntry

    clerk, _sitting, _items = _setup(db)
    window = make_window(clerk)
    window.resize(1366, 768)
    window.show()
    window.ctx.did(UndoEntry("Removed agenda item PA-2026-014", lambda: None, clerk.user_id))
    QApplication.processEvents()
    label = window.undo_ui.notice.text
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())
    window.ctx.did(UndoEntry("Removed agenda item " + "PA-2026-014 " * 40, lambda: None, clerk.user_id))
    QApplication.processEvents()
    assert 600 < label.width() < 1366 and window.width() <= 1366
