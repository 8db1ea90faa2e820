"""The panel screen driven from the keyboard: schedule a sitting, build a 6-item agenda, mark attendance,
declare a conflict, record recommendations, send to the chair and approve (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

from docx import Document
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user, papers_received

from .conftest import MEMBERS, TODAY

CTRL, ALT, SHIFT = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier,
                    Qt.KeyboardModifier.ShiftModifier)
AGENDA = [  # (downs in the case-type list, case number, initials)
    (0, "AD-2026-0201", "AB"), (1, "AD-2026-0202", "CD/EF"), (1, "AD-2026-0203", "GH/IJ"),
    (3, "AD-2026-0204", "KL"), (0, "AD-2026-0205", "MN"), (6, "AD-2026-0206", "OP"),
]


def _focus() -> QWidget | None:
    # after a dialog closes the page window becomes active again asynchronously
    for _ in range(100):
        if QApplication.focusWidget() is not None:
            break
        QTest.qWait(10)
    return QApplication.focusWidget()


def _is_focus(widget: QWidget) -> bool:
    return QApplication.focusWidget() is widget


def _focus_named(name: str) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and focus.objectName() == name


def key(keyname: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    target = _focus()
    assert target is not None, "nothing has keyboard focus"
    QTest.keyClick(target, keyname, mods)


def typed(text: str) -> None:
    target = _focus()
    assert target is not None
    QTest.keyClicks(target, text)


def test_keyboard_only_sitting(qtbot: QtBot, db: Database, handoffs: list[PanelHandoff], tmp_path: Path) -> None:
    user = make_user(db, "panelchair", Role.PANEL_ADMINISTRATOR, Role.PANEL_CHAIR)
    for name, role, pqe, ind in MEMBERS.values():
        svc.add_member(db, user, svc.MemberInput(name, role, dt.date(2024, 1, 1), pqe, ind,
                                                 user_id=user.user_id if role == "chair" else None))
    page = PanelPage(AppContext(db, user, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1400, 850)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.sittings_view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.sittings_view)

    # 1. schedule a sitting: Ctrl+N, type the venue, Enter
    key(Qt.Key.Key_N, CTRL)
    dialog = page.dialog
    assert isinstance(dialog, dialogs.SittingDialog)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.venue)
    typed("Room 2, Civic Centre, Ambleford ZZ99 1AB")
    key(Qt.Key.Key_Return)
    assert not dialog.isVisible()
    sitting = page.sitting
    # the first Tuesday with time for papers: not Tuesday 24/11 (papers due 17/11, past on Monday 23/11)
    assert sitting is not None and sitting.sitting_date == dt.date(2026, 12, 1)

    # 2. six agenda items: Ctrl+I, case type with arrow keys, Tab between fields, Enter
    for downs, ref, initials in AGENDA:
        key(Qt.Key.Key_I, CTRL)
        item_dialog = page.dialog
        assert isinstance(item_dialog, dialogs.ItemDialog)
        qtbot.waitUntil(partial(_is_focus, item_dialog.case_type))
        for _ in range(downs):
            key(Qt.Key.Key_Down)
        key(Qt.Key.Key_Tab)
        typed(ref)
        key(Qt.Key.Key_Tab)
        typed(initials)
        key(Qt.Key.Key_Tab)
        typed("Jay Quillby")
        key(Qt.Key.Key_Return)
        assert not item_dialog.isVisible(), item_dialog.message.text()
    assert [i.case_type for i in page.agenda_model.rows()] == [
        "approval", "match", "match", "review", "approval", "other"]
    # reorder from the keyboard: the review moves up one place
    page.agenda_view.setFocus()
    page.agenda_view.selectRow(3)
    key(Qt.Key.Key_Up, ALT)
    assert [i.subject_reference for i in page.agenda_model.rows()][2:4] == ["AD-2026-0204", "AD-2026-0203"]

    # 3. attendance: Alt+T, then P on each member and adviser; the second social worker sends apologies
    key(Qt.Key.Key_T, ALT)
    page.attendance_view.setFocus()
    page.attendance_view.selectRow(0)
    for person in page.attendance_model.rows():
        key(Qt.Key.Key_A if person.full_name == "Eli Fenwick" else Qt.Key.Key_P)
    statuses = {a.full_name: a.status for a in page.attendance_model.rows()}
    assert statuses["Eli Fenwick"] == "apologies" and statuses["Gus Mossley"] == "present"
    assert list(statuses.values()).count("present") == 8

    # 4. conflict: the person with personal experience withdraws from item 2 -> item 2 is not quorate
    key(Qt.Key.Key_A, ALT)
    page.agenda_view.setFocus()
    page.agenda_view.selectRow(0)
    key(Qt.Key.Key_Down)
    key(Qt.Key.Key_D, CTRL)
    decl = page.dialog
    qtbot.waitUntil(lambda: decl.isVisible())
    assert isinstance(decl, dialogs.SimpleDialog)
    qtbot.waitUntil(partial(_focus_named, "member"))
    for _ in range(4):  # chair, vice chair, social worker, medical adviser, *personal experience*
        key(Qt.Key.Key_Down)
    key(Qt.Key.Key_Tab)
    typed("Knows the child's foster carer")
    key(Qt.Key.Key_Return)
    assert not decl.isVisible(), decl.message.text()
    second = page.agenda_model.rows()[1]
    assert second.declarations[0].member_name == "Nia Larkholt"
    assert not second.quorum.quorate and "4 members count" in second.quorum.reasons[0]

    # the papers arrived (the checklist dialog has its own tests): a recommendation needs its core report
    for row in page.agenda_model.rows():
        papers_received(db, user, row.id, dt.date(2026, 11, 2))

    # 5. minutes: Alt+M; per item outcome (Alt+1), unanimous (Alt+4), reasons (Alt+R), send to chair
    #    (minutes go to the chair once the panel has sat: this is the sitting's day)
    page.today = dt.date(2026, 12, 1)
    key(Qt.Key.Key_M, ALT)
    editor = page.minutes
    for _ in range(6):
        key(Qt.Key.Key_PageUp, CTRL)
    assert editor.current is not None and editor.current.position == 1
    for n in range(6):
        item = editor.current
        assert item is not None and item.position == n + 1
        if n == 1:  # inquorate: a recommendation is refused, the screen says what is missing; defer instead
            key(Qt.Key.Key_1, ALT)
            key(Qt.Key.Key_S, CTRL)
            assert "no recommendation can be recorded on an inquorate item" in editor.message.text()
            assert "4 members count for this item" in editor.message.text()
            key(Qt.Key.Key_3, ALT)  # deferred
            key(Qt.Key.Key_U, ALT)
            typed("Not quorate after a withdrawal; bring back to the next sitting.")
        else:
            key(Qt.Key.Key_1, ALT)
            if item.case_type != "other":
                key(Qt.Key.Key_4, ALT)
            key(Qt.Key.Key_R, ALT)
            typed(f"Reasons for item {n + 1}.")
            if item.case_type != "other":  # every member present gives a view (typed in the views table)
                vm = editor.views_model
                for r in range(vm.rowCount()):
                    vm.setData(vm.index(r, 1), "No view recorded: left early." if r == 1 else "Agrees.")
        key(Qt.Key.Key_S, CTRL | SHIFT)  # save and send to the chair
        assert editor.current is not None and editor.current.minutes is not None
        assert editor.current.minutes.status == "submitted", editor.message.text()
        key(Qt.Key.Key_PageDown, CTRL)

    # 6. the chair approves each item: Ctrl+Shift+A, password, Enter. Not before the panel has sat: the
    #    refusal says so and no password is asked for
    for _ in range(6):
        key(Qt.Key.Key_PageUp, CTRL)
    page.today = TODAY  # before the sitting
    key(Qt.Key.Key_A, CTRL | SHIFT)
    assert "only on or after the day the panel sat" in page.minutes.message.text()
    assert page.dialog is None or not page.dialog.isVisible()
    page.today = dt.date(2026, 12, 2)
    for n in range(6):
        key(Qt.Key.Key_A, CTRL | SHIFT)
        pw = page.dialog
        assert isinstance(pw, dialogs.SimpleDialog)
        qtbot.waitUntil(partial(_focus_named, "password"))
        typed(TEST_PASSWORD)
        key(Qt.Key.Key_Return)
        assert not pw.isVisible(), pw.message.text()
        current = page.minutes.current
        assert current is not None and current.minutes is not None and current.minutes.locked
        page.minutes.outcome.setFocus() if not page.minutes.form.isEnabled() else None
        page.minutes.setFocus()
        key(Qt.Key.Key_PageDown, CTRL)
        assert page.minutes.current is not None and page.minutes.current.position == min(n + 2, 6)

    rows = page.agenda_model.rows()
    assert all(r.minutes and r.minutes.locked for r in rows)
    assert [r.outcome_label for r in rows] == ["Suitable to adopt", "Deferred", "Remains suitable to adopt",
                                               "Match recommended", "Suitable to adopt", "Noted"]
    # approvals, matches and reviews go to the ADM; the deferral and other business do not
    assert sorted(h.subject_reference for h in handoffs) == [
        "AD-2026-0201", "AD-2026-0203", "AD-2026-0204", "AD-2026-0205"]
    assert all("Nia Larkholt" in h.member_names for h in handoffs)

    # export from the keyboard shortcut (the file dialog is bypassed by giving the path)
    out = tmp_path / "minutes.docx"
    page.export_minutes(out)
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "Knows the child's foster carer" in text and "DRAFT" not in text
    page.grab().save(str(tmp_path / "panel.png"))
