""""Not present for item…" on the panel page (pytest-qt, offscreen, a real SQLCipher file): opened from its
button (Alt+Q; tests/ui/test_mnemonics.py checks no other control has it), a member chosen from those
present at the sitting and a reason, the record shown under the agenda with the item's quorum; Ctrl+Z takes it back and Ctrl+Y does it again; "Mark present again…"
removes it, and Ctrl+Z puts it back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QPushButton, QWidget

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from tests.conftest import make_user
from tests.panel.conftest import MEMBERS

CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier


def _press(widget: QWidget, key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    widget.setFocus()
    QApplication.processEvents()
    QTest.keyClick(widget, key, mods)
    QApplication.processEvents()


def _setup(db: Database) -> tuple[Principal, list[int]]:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(dt.date(2026, 3, 3), venue="Room 2"))[0]
    for name, role, pqe, ind in MEMBERS.values():
        member = svc.add_member(db, clerk, svc.MemberInput(name, role, dt.date(2024, 1, 1), pqe, ind))
        if name != "Eli Fenwick":
            svc.set_attendance(db, clerk, sitting, member.id, "present")
    items = [svc.add_item(db, clerk, sitting, svc.ItemInput("approval", ref, "AB/CD", "Jay Quillby"))
             for ref in ("PA-2026-013", "PA-2026-014")]
    return clerk, items


def _second(page: PanelPage) -> svc.ItemRow:
    row = page.agenda_model.rows()[1]
    assert page.item is not None and page.item.id == row.id
    return row


def test_record_show_undo_remove_and_undo_from_the_keyboard(db: Database, make_window: Any, qtbot: Any) -> None:
    clerk, items = _setup(db)
    window = make_window(clerk)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = window.open_target("panel")
    assert isinstance(page, PanelPage)
    page.agenda_view.selectRow(1)
    QApplication.processEvents()
    assert page.item_presence.text() == "Nobody is recorded as out of the room for item 2."
    assert _second(page).quorum_state == "quorate"

    button = page.findChild(QPushButton, "item_absence")
    assert button is not None and button.text() == "Not present for item (&quorum)…"  # Alt+Q
    button.click()
    dialog = page.dialog
    assert isinstance(dialog, dialogs.SimpleDialog) and dialog.isVisible()
    assert dialog.windowTitle() == "Not present for item 2"
    member = dialog.findChild(QComboBox, "member_id")
    reason = dialog.findChild(QComboBox, "reason")
    assert member is not None and reason is not None
    names = [member.itemText(n) for n in range(member.count())]
    assert names[:3] == ["Rowan Ashcombe (Independent chair)", "Kit Brambleby (Vice chair)",
                         "Tara Dunmere (Social worker)"]
    assert not any("Eli Fenwick" in n or "Gus Mossley" in n for n in names)  # not present / an adviser
    qtbot.waitUntil(lambda: QApplication.focusWidget() is member)
    _press(member, Qt.Key.Key_Down)
    _press(member, Qt.Key.Key_Down)  # Tara Dunmere, the one social worker with 3 years' PQE present
    QTest.keyClick(member, Qt.Key.Key_Tab)  # to "&Reason" (Alt+R)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is reason)
    _press(reason, Qt.Key.Key_Down)  # "Left before this item"
    assert reason.currentData() == "left_before"
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    QApplication.processEvents()
    assert not dialog.isVisible(), dialog.message.text()

    item = _second(page)
    assert [x.text for x in item.absences] == ["Tara Dunmere (left before this item)"]
    assert item.quorum_state == "inquorate" and page.agenda_model.rows()[0].quorum_state == "quorate"
    assert "Tara Dunmere (left before this item)" in page.item_presence.text()
    assert "No social worker with at least 3 years" in page.item_presence.text()
    assert window.undo_ui.notice.text.text().startswith(
        "Recorded Tara Dunmere as not present for agenda item PA-2026-014")

    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)  # undo: the record goes, the item is quorate again
    assert svc.sitting_detail(db, clerk, item.sitting_id).items[1].absences == ()
    assert _second(page).absences == () and _second(page).quorum_state == "quorate"
    _press(page.agenda_view, Qt.Key.Key_Y, CTRL)  # redo
    [again] = _second(page).absences
    assert again.member_name == "Tara Dunmere" and _second(page).quorum_state == "inquorate"

    again_button = page.findChild(QPushButton, "item_present_again")
    assert again_button is not None and again_button.text() == "Mar&k present again…"  # Alt+K
    again_button.click()
    remove = page.dialog
    assert isinstance(remove, dialogs.SimpleDialog) and remove.isVisible() and remove is not dialog
    record = remove.findChild(QComboBox, "absence_id")
    assert record is not None and record.itemText(0) == "Tara Dunmere (left before this item)"
    remove.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    QApplication.processEvents()
    assert not remove.isVisible(), remove.message.text()
    assert _second(page).absences == () and _second(page).quorum_state == "quorate"
    assert page.item_presence.text() == "Nobody is recorded as out of the room for item 2."

    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)  # undo the removal: the same record is back
    [back] = _second(page).absences
    assert back.id == again.id and back.reason == "left_before"
    assert svc.sitting_detail(db, clerk, item.sitting_id).items[1].absences == (back,)
    assert items
