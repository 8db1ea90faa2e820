"""What people see when two of them work on one record: the conflict dialog (their version beside the
saved one; reload or re-apply) in the minutes editor, and the "being edited by" banner."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.minutes_editor import MinutesEditor
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui import conflict
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import DateEdit, qdate
from adoption_desktop.ui.forms import child
from adoption_desktop.ui.presence import PresenceBanner
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user
from tests.undo_checks import assert_verified


def _editor_with_item(qtbot: QtBot, db: Database) -> tuple[MinutesEditor, int, Any, Any]:
    ann = make_user(db, "ann", Role.PANEL_ADMINISTRATOR)
    bob = make_user(db, "bob", Role.PANEL_ADMINISTRATOR)
    sitting = svc.schedule_sittings(db, ann, svc.SittingInput(dt.date(2026, 11, 10), venue="Room 4"))[0]
    item = svc.add_item(db, ann, sitting, svc.ItemInput("approval", "ADP-0700", "E.F."))
    svc.save_minutes(db, ann, item, svc.MinutesDraft(discussion="Ann's first notes."))
    detail = svc.sitting_detail(db, bob, sitting)
    editor = MinutesEditor(lambda i, d, v: svc.save_minutes(db, bob, i, d, expected_version=v),
                           lambda i, v: svc.submit_minutes(db, bob, i, expected_version=v))
    qtbot.addWidget(editor)
    editor.set_items(detail.items, detail.attendance)
    return editor, item, ann, bob


def test_stale_minutes_show_both_versions_and_reapply(qtbot: QtBot, db: Database,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    editor, item, ann, _bob = _editor_with_item(qtbot, db)
    svc.save_minutes(db, ann, item, svc.MinutesDraft(discussion="Ann's second thoughts."))  # elsewhere, meanwhile
    editor.discussion.setPlainText("Bob's notes from the meeting.")
    assert not editor.save_now(auto=True)  # an autosave only says so
    assert ann.full_name in editor.message.text() and "Ctrl+S" in editor.message.text()
    assert editor.dirty

    shown: list[conflict.ConflictDialog] = []

    def choose(dialog: conflict.ConflictDialog) -> int:
        shown.append(dialog)
        dialog.reapply_button.click()
        return 1

    monkeypatch.setattr(conflict.ConflictDialog, "exec", choose)
    assert editor.save_now()
    table = shown[0].table
    rows = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
            for r in range(table.rowCount())}
    assert rows["Discussion"] == ("Bob's notes from the meeting.", "Ann's second thoughts.")
    assert ann.full_name in shown[0].windowTitle() + table.horizontalHeaderItem(2).text()
    stored = svc.sitting_detail(db, ann, editor.items[0].sitting_id).items[0].minutes
    assert stored is not None and stored.draft.discussion == "Bob's notes from the meeting."


def test_stale_minutes_reload_keeps_the_saved_text(qtbot: QtBot, db: Database,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    editor, item, ann, _bob = _editor_with_item(qtbot, db)
    svc.save_minutes(db, ann, item, svc.MinutesDraft(discussion="Ann's second thoughts."))
    editor.discussion.setPlainText("Bob's stale text.")
    reloads: list[int] = []
    editor.reload_requested.connect(reloads.append)
    monkeypatch.setattr(conflict.ConflictDialog, "exec", lambda d: d.reload_button.click() or 1)
    assert not editor.save_now()
    assert reloads == [item] and not editor.dirty
    stored = svc.sitting_detail(db, ann, editor.items[0].sitting_id).items[0].minutes
    assert stored is not None and stored.draft.discussion == "Ann's second thoughts."


def test_banner_shows_who_is_editing_and_goes_when_they_close(qtbot: QtBot, db: Database) -> None:
    ann = make_user(db, "ann", Role.COUNSELLOR)
    bob = make_user(db, "bob", Role.COUNSELLOR)
    hosts = [QWidget(), QWidget()]
    for h in hosts:
        qtbot.addWidget(h)
    ann_banner = PresenceBanner(AppContext(db, ann, TaskRunner(synchronous=True)), hosts[0], "counselling_cases", 3)
    bob_banner = PresenceBanner(AppContext(db, bob, TaskRunner(synchronous=True)), hosts[1], "counselling_cases", 3)
    hosts[0].show()
    assert ann_banner.lease is not None and ann_banner.isHidden()  # nobody else yet
    hosts[1].show()
    assert not bob_banner.isHidden()
    assert bob_banner.text().startswith(f"Being edited by {ann.full_name} since ")
    ann_banner.refresh()
    assert bob.full_name in ann_banner.text()
    reader = make_user(db, "reader", Role.MANAGER)
    host = QWidget()
    qtbot.addWidget(host)
    reader_banner = PresenceBanner(AppContext(db, reader, TaskRunner(synchronous=True)), host,
                                   "counselling_cases", 3, editing=False)
    host.show()  # someone who only reads sees who is editing, and is not listed as editing
    assert reader_banner.lease is None and ann.full_name in reader_banner.text()
    ann_banner.refresh()
    assert reader.full_name not in ann_banner.text()
    hosts[0].close()  # Ann closes the case: her lease goes at once
    assert ann_banner.lease is None
    bob_banner.refresh()
    assert bob_banner.isHidden() and bob_banner.text() == ""


def test_the_conflict_names_and_shows_first_what_differs_and_what_reapplying_replaces(
        qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """User trial: the comparison showed Status, Outcome and a cut Recommendation row, the Discussion that
    differed needed scrolling, and "Re-apply my change" replaced the colleague's Discussion without saying so."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QFontMetrics

    editor, item, ann, _bob = _editor_with_item(qtbot, db)
    theirs = ("Ann's second thoughts: the panel discussed the contact plan at length, the social worker "
              "explained why letterbox contact twice a year suits the child, and members asked about the "
              "birth grandmother's wish to be included. ") * 3
    svc.save_minutes(db, ann, item, svc.MinutesDraft(recommendation_text="Approve the match with the Lees.",
                                                     discussion=theirs))
    editor.recommendation_text.setText("Approve the match with the Lees.")
    editor.discussion.setPlainText("Bob's notes from the meeting.")
    shown: list[conflict.ConflictDialog] = []

    def look(dialog: conflict.ConflictDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        shown.append(dialog)
        return 0

    monkeypatch.setattr(conflict.ConflictDialog, "exec", look)
    assert not editor.save_now()
    dialog = shown[0]
    table = dialog.table
    visible = [table.item(r, 0).text() for r in range(table.rowCount()) if not table.isRowHidden(r)]
    assert visible == ["Discussion"]  # only what differs, first; the rest behind "Show all fields"
    assert "Discussion" in dialog.summary.text()
    assert dialog.replaces.text().startswith(f"Re-apply my change replaces what {ann.full_name} saved in: Discussion.")
    assert dialog.reapply_button.toolTip() == dialog.replaces.text()
    # the long text is wrapped and whole: its row is as tall as the wrapped text, and on screen without scrolling
    cell = table.item(0, 2)
    width = table.columnWidth(2) - 8
    needed = QFontMetrics(cell.font()).boundingRect(QRect(0, 0, width, 100000), Qt.TextFlag.TextWordWrap,
                                                    theirs).height()
    assert table.rowHeight(0) >= needed
    assert table.visualItemRect(cell).bottom() <= table.viewport().height()
    area = dialog.screen().availableGeometry()
    assert dialog.width() <= area.width() and dialog.height() <= area.height()
    dialog.show_all.setChecked(True)
    assert all(not table.isRowHidden(r) for r in range(table.rowCount()))
    assert table.item(0, 0).text() == "Discussion"
    assert not shown[0].summary.text().startswith("No field")
    dialog.close()
    assert "on top of" not in dialog.findChild(QLabel, "conflict_message").text()  # no merge is implied


def test_the_first_editor_learns_of_the_second_within_seconds(qtbot: QtBot, db: Database) -> None:
    """User trial: the banner was refreshed only at the 40 s lease renewal, so the first person learned of
    the second late. It now asks every REFRESH_SECONDS (10 s; the read is a few ms) and on window activation,
    while the lease is still renewed every RENEW_SECONDS."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from adoption_desktop.core import presence

    ann = make_user(db, "ann", Role.COUNSELLOR)
    bob = make_user(db, "bob", Role.COUNSELLOR)
    hosts = [QWidget(), QWidget()]
    for h in hosts:
        qtbot.addWidget(h)
    ann_banner = PresenceBanner(AppContext(db, ann, TaskRunner(synchronous=True)), hosts[0], "counselling_cases", 9)
    bob_banner = PresenceBanner(AppContext(db, bob, TaskRunner(synchronous=True)), hosts[1], "counselling_cases", 9)
    hosts[0].show()
    assert ann_banner.isHidden() and ann_banner.timer.interval() <= 10_000
    hosts[1].show()  # Bob opens the same case
    assert bob_banner.lease is not None
    QCoreApplication.sendEvent(hosts[0], QEvent(QEvent.Type.WindowActivate))  # Ann comes back to her window
    assert not ann_banner.isHidden() and bob.full_name in ann_banner.text()
    lease = ann_banner.lease
    assert lease is not None
    ann_banner.tick()  # a refresh ten seconds on does not renew the lease (that stays every 40 s)
    assert ann_banner.lease == lease
    ann_banner.renewed_at -= presence.RENEW_SECONDS
    ann_banner.tick()
    assert ann_banner.lease is not None and ann_banner.lease.expires_at >= lease.expires_at
    hosts[1].close()
    ann_banner.tick()
    assert ann_banner.isHidden()


# --- the panel page: attendance and the edit dialogs from a stale screen ---------------------------------
def _second_client(db: Database, db_path: Path) -> Database:
    """Another PC: its own engine and connections on the same encrypted file."""
    from tests.concurrency_worker import open_target

    password = db.engine.url.password
    assert password is not None
    return open_target(str(db_path), password[2:-1])


def _panel_page(qtbot: QtBot, db: Database) -> tuple[PanelPage, Any, dict[str, int], int]:
    from tests.panel.conftest import MEMBERS

    ann = make_user(db, "ann", Role.PANEL_ADMINISTRATOR)
    make_user(db, "bea", Role.PANEL_ADMINISTRATOR)
    ids = {key: svc.add_member(db, ann, svc.MemberInput(name, role, dt.date(2024, 1, 1), pqe, ind)).id
           for key, (name, role, pqe, ind) in MEMBERS.items()}
    sitting = svc.schedule_sittings(db, ann, svc.SittingInput(dt.date(2026, 11, 10), venue="Room 4"))[0]
    svc.add_item(db, ann, sitting, svc.ItemInput("approval", "ADP-0701", "G.T.", "Jay Quillby"))
    page = PanelPage(AppContext(db, ann, TaskRunner(synchronous=True)), today=dt.date(2026, 11, 3))
    qtbot.addWidget(page)
    page.show()
    page.reload(select_sitting=sitting)
    page.detail_tabs.setCurrentIndex(1)
    return page, ann, ids, sitting


def _shown(page: PanelPage) -> dict[str, str]:
    return {a.full_name: a.status for a in page.attendance_model.rows()}


def test_attendance_marked_on_another_pc_is_never_overwritten_from_a_stale_screen(
        qtbot: QtBot, db: Database, db_path: Path) -> None:
    """Team-mode trial: Bea marks Nia "Apologies" on her PC; Ann's screen still shows Nia as not recorded.
    Ann's "All not recorded → present" marks the others, leaves Nia's apologies and says so; Ann's P on
    the stale row is refused naming Bea, and the list shows Bea's marks."""
    page, _ann, ids, sitting = _panel_page(qtbot, db)
    assert set(_shown(page).values()) == {""}
    other = _second_client(db, db_path)
    try:
        bea = security.authenticate(other, "bea", TEST_PASSWORD)
        svc.set_attendance(other, bea, sitting, ids["pe"], "apologies", expected="")
        svc.set_attendance(other, bea, sitting, ids["sw"], "absent", expected="")
    finally:
        other.dispose()
    assert _shown(page)["Nia Larkholt"] == ""  # Ann's screen is stale
    rows = [a.full_name for a in page.attendance_model.rows()]
    page.attendance_view.selectRow(rows.index("Tara Dunmere"))
    page.activateWindow()
    page.attendance_view.setFocus()
    qtbot.waitUntil(page.attendance_view.hasFocus)
    QTest.keyClick(page.attendance_view, Qt.Key.Key_P)  # Tara, shown as not recorded, is absent by now
    message = page.status.text()
    assert message.startswith("Bea Tester marked Tara Dunmere absent at ") and "was not saved" in message
    assert _shown(page)["Tara Dunmere"] == "absent" and _shown(page)["Nia Larkholt"] == "apologies"  # reloaded
    assert page.attendance_model.rows()[page.attendance_view.currentIndex().row()].full_name == "Tara Dunmere"
    other = _second_client(db, db_path)
    try:  # and the other way: Bea marks the vice chair after Ann's list was reloaded
        bea = security.authenticate(other, "bea", TEST_PASSWORD)
        svc.set_attendance(other, bea, sitting, ids["vice"], "apologies", expected="")
    finally:
        other.dispose()
    page.findChild(QPushButton, "mark_rest_present").click()
    message = page.status.text()
    assert message.startswith(f"{len(ids) - 3} people marked present. Not changed, as someone else marked them "
                              "meanwhile: Kit Brambleby (apologies, marked by Bea Tester at "), message
    stored = {a.full_name: a.status for a in svc.sitting_detail(db, page.ctx.principal, sitting).attendance}
    assert stored["Kit Brambleby"] == "apologies" and stored["Nia Larkholt"] == "apologies"
    assert stored["Tara Dunmere"] == "absent" and list(stored.values()).count("present") == len(ids) - 3
    assert _shown(page) == stored
    assert_verified(db)


def _answer(monkeypatch: pytest.MonkeyPatch, *answers: tuple[str, Any]) -> list[dict[str, tuple[str, str]]]:
    """The conflict window answers ``answers`` in turn (``(button, before)``: ``before()`` runs first, e.g.
    a save on the other PC while the window is open); returns what each window showed (field → (yours,
    saved))."""
    shown: list[dict[str, tuple[str, str]]] = []
    queue = list(answers)

    def choose(dialog: conflict.ConflictDialog) -> int:
        t = dialog.table
        shown.append({t.item(r, 0).text(): (t.item(r, 1).text(), t.item(r, 2).text()) for r in range(t.rowCount())})
        button, before = queue.pop(0)
        if before is not None:
            before()
        if button == "keep":
            dialog.reject()
        else:
            {"reload": dialog.reload_button, "reapply": dialog.reapply_button}[button].click()
        return 1

    monkeypatch.setattr(conflict.ConflictDialog, "exec", choose)
    return shown


def _as_bea(db: Database, db_path: Path, change: Any) -> None:
    other = _second_client(db, db_path)
    try:
        change(other, security.authenticate(other, "bea", TEST_PASSWORD))
    finally:
        other.dispose()


def _ok(dialog: Any) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    box = dialog.findChild(QDialogButtonBox)
    box.button(QDialogButtonBox.StandardButton.Ok).click()


def _item_edited_by_bea_meanwhile(qtbot: QtBot, db: Database, db_path: Path
                                  ) -> tuple[PanelPage, Any, int, Any, Any]:
    """Ann has Edit… open on the sitting's first agenda item, and Bea, on her PC, saves that item meanwhile
    (its presenting worker): the page, Ann, the sitting, the item as Ann opened it and her dialog."""
    page, ann, _ids, sitting = _panel_page(qtbot, db)
    page.detail_tabs.setCurrentIndex(0)
    item = page.item
    assert item is not None
    page.edit_item()
    dialog = page.dialog
    _as_bea(db, db_path, lambda other, bea: svc.update_item(other, bea, item.id, svc.ItemInput(
        "approval", "ADP-0701", "G.T.", "Nia Larkfield"), expected_version=item.row_version))
    return page, ann, sitting, item, dialog


def test_a_stale_agenda_item_edit_offers_the_choice_and_keeps_the_typed_notes(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Team-mode trial: Ann and Bea open Edit… on one agenda item; Bea saves first; Ann types Notes and
    presses OK. The conflict window shows both versions; Keep editing leaves her text in the dialog, and
    OK offers the choice again; Re-apply saves her typed notes over Bea's version, checked again (Bea saves
    once more while the window is open: asked again, then saved). Only Ann's own change is hers: Bea's
    presenting worker and time are kept (the form's stale values once went back over them)."""
    page, ann, sitting, item, dialog = _item_edited_by_bea_meanwhile(qtbot, db, db_path)
    dialog.notes.setText("Interpreter (Polish) booked for the applicants")

    def bea_again() -> None:
        _as_bea(db, db_path, lambda other, bea: svc.update_item(other, bea, item.id, svc.ItemInput(
            "approval", "ADP-0701", "G.T.", "Nia Larkfield", "12:00"), expected_version=item.row_version + 1))

    shown = _answer(monkeypatch, ("keep", None), ("reapply", bea_again), ("reapply", None))
    _ok(dialog)
    assert len(shown) == 1 and dialog.isVisible()  # kept editing: the dialog and the typed text stay
    assert shown[0]["Notes"] == ("Interpreter (Polish) booked for the applicants", "")
    assert shown[0]["Presenting worker"] == (conflict.NOT_CHANGED, "Nia Larkfield")
    assert dialog.notes.text() == "Interpreter (Polish) booked for the applicants"
    assert "Bea Tester saved agenda item ADP-0701" in dialog.message.text()
    _ok(dialog)  # the choice is offered again; Bea saves again while it is open: re-applying asks once more
    assert len(shown) == 3 and shown[2]["Time"] == (conflict.NOT_CHANGED, "12:00")
    assert not dialog.isVisible()
    stored = next(i for i in svc.sitting_detail(db, ann, sitting).items if i.id == item.id)
    assert stored.notes == "Interpreter (Polish) booked for the applicants" and stored.row_version == item.row_version + 3
    assert (stored.presenting_worker, stored.time_slot) == ("Nia Larkfield", "12:00")  # Bea's, kept
    assert page.ctx.undo.can_undo()  # the edit is undoable, back to Bea's version
    assert_verified(db)


def test_a_stale_agenda_item_edit_can_reload_their_version_in_the_dialog(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _page, ann, sitting, item, dialog = _item_edited_by_bea_meanwhile(qtbot, db, db_path)
    dialog.notes.setText("Typed on a stale form")
    _answer(monkeypatch, ("reload", None))
    _ok(dialog)
    assert dialog.isVisible() and dialog.presenting_worker.text() == "Nia Larkfield" and dialog.notes.text() == ""
    assert dialog.message.text().startswith("Showing the version Bea Tester saved at ")
    dialog.time_slot.setText("11:30")  # now on top of Bea's version: saved without a conflict
    _ok(dialog)
    assert not dialog.isVisible()
    stored = next(i for i in svc.sitting_detail(db, ann, sitting).items if i.id == item.id)
    assert (stored.presenting_worker, stored.time_slot) == ("Nia Larkfield", "11:30")


def test_a_stale_sitting_move_and_member_edit_offer_the_choice(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Move sitting… and Edit member… refused as stale offer the same choices: re-apply moves the sitting
    Bea had just changed; reload shows Bea's member record in the form."""
    page, ann, ids, sitting = _panel_page(qtbot, db)
    s = page.sitting
    assert s is not None and s.id == sitting
    page.move_sitting()
    dialog = page.dialog
    _as_bea(db, db_path, lambda other, bea: svc.cancel_sitting(other, bea, sitting, "Chair unwell",
                                                               expected_version=s.row_version))
    child(dialog, DateEdit, "date").setDate(qdate(dt.date(2026, 11, 17)))
    child(dialog, QLineEdit, "reason").setText("Room double-booked")
    shown = _answer(monkeypatch, ("reapply", None))
    _ok(dialog)
    assert shown[0]["Date"] == ("17/11/2026", "10/11/2026") and shown[0]["Status"] == ("cancelled", "cancelled")
    assert not dialog.isVisible()
    moved = next(r for r in svc.list_sittings(db, ann) if r.id == sitting)
    assert moved.sitting_date == dt.date(2026, 11, 17)

    page.tabs.setCurrentIndex(1)
    rows = [m.id for m in page.members_model.rows()]
    page.members_view.selectRow(rows.index(ids["pe"]))
    member = page.member
    assert member is not None
    page.edit_member()
    dialog = page.dialog
    _as_bea(db, db_path, lambda other, bea: svc.update_member(other, bea, member.id, svc.MemberInput(
        "Nia Larkholt-Reyes", member.role_type, member.joined_on, member.pqe_years, member.independent),
        expected_version=member.row_version))
    dialog.full_name.setText("Nia Larkholt (typed)")
    shown = _answer(monkeypatch, ("reload", None))
    _ok(dialog)
    assert shown[0]["Name"] == ("Nia Larkholt (typed)", "Nia Larkholt-Reyes")
    assert dialog.isVisible() and dialog.full_name.text() == "Nia Larkholt-Reyes"
    dialog.reject()


def test_a_stale_sitting_cancel_and_notice_of_leaving_offer_the_choice(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancel sitting… after Bea moved the sitting: Reload shows it as it now is and the form starts again,
    then the cancellation is saved over Bea's move. Notice of leaving… after Bea edited the member:
    Re-apply records the notice and keeps Bea's edit (the notice writes only its own fields)."""
    page, ann, ids, sitting = _panel_page(qtbot, db)
    s = page.sitting
    assert s is not None
    page.cancel_sitting()
    dialog = page.dialog
    _as_bea(db, db_path, lambda other, bea: svc.move_sitting(other, bea, sitting, dt.date(2026, 11, 24),
                                                             "Venue closed", expected_version=s.row_version))
    child(dialog, QLineEdit, "reason").setText("Too few members free")
    shown = _answer(monkeypatch, ("reload", None))
    _ok(dialog)
    assert shown[0]["Status"][0] == "cancelled" and shown[0]["Date"] == ("24/11/2026", "24/11/2026")
    assert dialog.isVisible() and child(dialog, QLineEdit, "reason").text() == ""
    assert page.sitting is not None and page.sitting.sitting_date == dt.date(2026, 11, 24)  # the list shows theirs
    child(dialog, QLineEdit, "reason").setText("Too few members free")
    _ok(dialog)  # now over Bea's version: no conflict
    assert not dialog.isVisible() and len(shown) == 1
    now = next(r for r in svc.list_sittings(db, ann) if r.id == sitting)
    assert (now.status, now.sitting_date) == ("cancelled", dt.date(2026, 11, 24))

    page.tabs.setCurrentIndex(1)
    page.members_view.selectRow([m.id for m in page.members_model.rows()].index(ids["sw2"]))
    member = page.member
    assert member is not None
    page.notice()
    dialog = page.dialog
    _as_bea(db, db_path, lambda other, bea: svc.update_member(other, bea, member.id, svc.MemberInput(
        "Eli Fenwick-Hart", member.role_type, member.joined_on, member.pqe_years, member.independent),
        expected_version=member.row_version))
    child(dialog, QLineEdit, "reason").setText("Moving away")
    shown = _answer(monkeypatch, ("reapply", None))
    _ok(dialog)
    assert shown[0]["Name"] == ("Eli Fenwick-Hart", "Eli Fenwick-Hart") and shown[0]["Reasons"][0] == "Moving away"
    assert not dialog.isVisible()
    saved = next(m for m in svc.list_members(db, ann) if m.id == member.id)
    assert saved.full_name == "Eli Fenwick-Hart" and saved.leaves_on is not None


def test_a_draft_a_colleague_saved_since_is_not_sent_to_the_chair_unread(qtbot: QtBot, db: Database) -> None:
    """Multi-user trial: sending to the chair took no version, so a colleague's save landing between this
    screen's own save and the send went to the chair unread by the sender."""
    editor, item, ann, _bob = _editor_with_item(qtbot, db)
    own_save = editor._save

    def save_then_colleague(item_id: int, draft: svc.MinutesDraft, version: int) -> svc.MinutesRow:
        row = own_save(item_id, draft, version)
        svc.save_minutes(db, ann, item, svc.MinutesDraft(discussion="Ann's rewrite, unseen by Bob."))
        return row

    editor._save = save_then_colleague
    editor.discussion.setPlainText("Bob's notes from the meeting.")
    editor.send_to_chair()
    assert "Nothing was sent" in editor.message.text() and ann.full_name in editor.message.text()
    from adoption_desktop.panel.models import PanelMinutes

    with db.session(write=False) as session:
        assert {m.status for m in session.scalars(select(PanelMinutes).where(PanelMinutes.item_id == item))} == {
            "draft"}


def test_a_save_refused_by_ones_own_other_window_says_so(qtbot: QtBot) -> None:
    """An ADM with the decision open in two windows saved in one, then the other: the dialog was titled
    "Saved by someone else first" and named her as the someone else (ADM trial, 5 December)."""
    from types import SimpleNamespace

    from PySide6.QtWidgets import QMainWindow

    from adoption_desktop.core.errors import StaleRecord

    window = QMainWindow()
    window.ctx = SimpleNamespace(principal=SimpleNamespace(full_name="Ada Ashdown"))  # type: ignore[attr-defined]
    qtbot.addWidget(window)
    err = StaleRecord("Ada Ashdown saved the decision at 14:02 on 05/12/2026, after you opened it; …",
                      what="the decision", saved_by="Ada Ashdown", saved_at=dt.datetime(2026, 12, 5, 14, 2),
                      saved_version=3, your_version=2, saved_values={"Reasons": "Theirs"})
    own = conflict.ConflictDialog(window, err, {"Reasons": "Mine"})
    qtbot.addWidget(own)
    said = own.findChild(QLabel, "conflict_message").text()
    assert own.windowTitle() == "Saved first in another window of yours"
    assert said.startswith("You saved the decision in another window") and "someone else" not in said
    assert "you saved in the other window in: Reasons" in own.replaces.text()
    assert own.reload_button.text() == "&Reload the saved version"
    assert own.table.horizontalHeaderItem(2).text() == "Saved in your other window"

    err.saved_by = "Ben Birchall"  # a colleague's save reads as before
    theirs = conflict.ConflictDialog(window, err, {"Reasons": "Mine"})
    qtbot.addWidget(theirs)
    assert theirs.windowTitle() == "Saved by someone else first"
    assert theirs.findChild(QLabel, "conflict_message").text().startswith("Ada Ashdown saved the decision")
    assert "what Ben Birchall saved in: Reasons" in theirs.replaces.text()


def test_a_stale_member_edit_lists_and_reapplies_only_the_fields_the_user_changed(
        qtbot: QtBot, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two-process trial (6 December): Ann changed only PQE years; Bea, meanwhile, the name and the DBS date.
    The window said "Different in your version: Name, PQE years, DBS checked", showed the old name and DBS
    date as Ann's, and *Re-apply my change* would have put them back over Bea's edits. Now Ann's own change
    alone is hers: it is listed (Bea's changes named as hers), and re-applying keeps Bea's name and date."""
    page, ann, ids, _sitting = _panel_page(qtbot, db)
    page.tabs.setCurrentIndex(1)
    page.members_view.selectRow([m.id for m in page.members_model.rows()].index(ids["sw"]))
    member = page.member
    assert member is not None
    page.edit_member()
    dialog = page.dialog
    _as_bea(db, db_path, lambda other, bea: svc.update_member(other, bea, member.id, dataclasses.replace(
        dialogs.member_input(member), full_name=member.full_name + " Jnr", dbs_checked_on=dt.date(2026, 10, 1)),
        expected_version=member.row_version))
    dialog.pqe_years.setValue(7)
    seen: list[conflict.ConflictDialog] = []
    shown = _answer(monkeypatch, ("reapply", None))
    monkeypatch.setattr(conflict.ConflictDialog, "__init__", _keeping(seen, conflict.ConflictDialog.__init__))
    _ok(dialog)
    assert shown[0]["PQE years"] == ("7", str(member.pqe_years))
    assert shown[0]["Name"] == (conflict.NOT_CHANGED, member.full_name + " Jnr")
    assert shown[0]["DBS checked"] == (conflict.NOT_CHANGED, "01/10/2026")
    window = seen[0]
    assert window.differing == ["PQE years"]
    assert window.summary.text().startswith("Your change: <b>PQE years</b>")
    assert "Changed by Bea Tester since you opened it: Name, DBS checked." in window.summary.text()
    assert window.replaces.text() == ("Re-apply my change saves your change to PQE years on top of Bea Tester's "
                                      "version; what Bea Tester saved in Name, DBS checked is kept.")
    assert not dialog.isVisible()
    saved = next(m for m in svc.list_members(db, ann) if m.id == member.id)
    assert (saved.full_name, saved.dbs_checked_on, saved.pqe_years) == (
        member.full_name + " Jnr", dt.date(2026, 10, 1), 7)
    assert_verified(db)


def _keeping(seen: list[conflict.ConflictDialog], init: Any) -> Any:
    def keep(self: conflict.ConflictDialog, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        seen.append(self)
    return keep
