"""What people see when two of them work on one record: the conflict dialog (their version beside the
saved one; reload or re-apply) in the minutes editor, and the "being edited by" banner."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.minutes_editor import MinutesEditor
from adoption_desktop.ui import conflict
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.presence import PresenceBanner
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user


def _editor_with_item(qtbot: QtBot, db: Database) -> tuple[MinutesEditor, int, Any, Any]:
    ann = make_user(db, "ann", Role.PANEL_ADMINISTRATOR)
    bob = make_user(db, "bob", Role.PANEL_ADMINISTRATOR)
    sitting = svc.schedule_sittings(db, ann, svc.SittingInput(dt.date(2026, 11, 10), venue="Room 4"))[0]
    item = svc.add_item(db, ann, sitting, svc.ItemInput("approval", "ADP-0700", "E.F."))
    svc.save_minutes(db, ann, item, svc.MinutesDraft(discussion="Ann's first notes."))
    detail = svc.sitting_detail(db, bob, sitting)
    editor = MinutesEditor(lambda i, d, v: svc.save_minutes(db, bob, i, d, expected_version=v),
                           lambda i: svc.submit_minutes(db, bob, i))
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
