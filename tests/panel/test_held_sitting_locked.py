"""A sitting whose minutes the chair approved stays as approved: its date, its agenda's order and its items'
details are part of the record handed to the ADM. A user trial moved such a sitting into the future (its
minutes then read "approved before the panel sat"), cancelled it and renamed its case, all without a word."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.models import PanelItem, PanelSitting
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import SITTING_DAY, TODAY, Panel
from .test_documents import _sitting_with_minutes


def _sitting(p: Panel) -> PanelSitting:
    with p.db.session(write=False) as s:
        row = s.get(PanelSitting, p.sitting_id)
        assert row is not None
        s.expunge(row)
        return row


def _order(p: Panel) -> list[int]:
    with p.db.session(write=False) as s:
        return list(s.scalars(select(PanelItem.id).where(PanelItem.sitting_id == p.sitting_id)
                              .order_by(PanelItem.position)))


def test_approved_minutes_lock_the_sitting_date_status_order_and_items(panel: Panel,
                                                                       handoffs: list[PanelHandoff]) -> None:
    ids = _sitting_with_minutes(panel, approve=True)
    before = _sitting(panel)
    with pytest.raises(Conflict, match=r"minutes of item 1 of this sitting are approved .* can no longer be moved"):
        svc.move_sitting(panel.db, panel.clerk, panel.sitting_id, dt.date(2027, 3, 2), "Typo", today=TODAY)
    with pytest.raises(Conflict, match=r"Item 1 .* outcome recorded .* cannot be cancelled"):
        svc.cancel_sitting(panel.db, panel.clerk, panel.sitting_id, "Oops")
    with pytest.raises(Conflict, match=r"minutes of item 1 of this sitting are approved.* order can no longer"):
        svc.move_item(panel.db, panel.clerk, ids[0], 1)
    with pytest.raises(Conflict, match=r"minutes of item 2 are approved.* can no longer be edited"):
        svc.update_item(panel.db, panel.clerk, ids[1], svc.ItemInput("match", "AD-2099-9999", "ZZ", "Someone Else"))
    after = _sitting(panel)
    assert (after.sitting_date, after.status, after.row_version) == (SITTING_DAY, before.status, before.row_version)
    assert _order(panel) == ids
    detail = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY)
    assert [(i.subject_reference, i.presenting_worker) for i in detail.items][1] == ("AD-2026-011", "Jay Quillby")


def test_draft_minutes_let_the_date_be_corrected_but_not_into_the_future(panel: Panel,
                                                                        handoffs: list[PanelHandoff]) -> None:
    ids = _sitting_with_minutes(panel, approve=False)
    with pytest.raises(ValidationError, match=r"New date: item 1 has an outcome .* up to today \(23/11/2026\)"):
        svc.move_sitting(panel.db, panel.clerk, panel.sitting_id, TODAY + dt.timedelta(days=1), "Wrong", today=TODAY)
    with pytest.raises(Conflict, match="cannot be cancelled"):
        svc.cancel_sitting(panel.db, panel.clerk, panel.sitting_id, "Oops")
    # a date typed wrongly when the sitting was booked is put right while the minutes are drafts
    svc.move_sitting(panel.db, panel.clerk, panel.sitting_id, SITTING_DAY - dt.timedelta(days=1), "Booked on the "
                     "wrong day", today=TODAY)
    assert _sitting(panel).sitting_date == SITTING_DAY - dt.timedelta(days=1)
    # and the agenda may still be put in order, its items corrected
    svc.move_item(panel.db, panel.clerk, ids[0], 1)
    assert _order(panel)[:2] == [ids[1], ids[0]]
    svc.update_item(panel.db, panel.clerk, ids[0], svc.ItemInput("approval", "AD-2026-0100", "XY", "Jay Quillby"))


def test_a_sitting_with_no_minutes_moves_and_cancels_as_before(panel: Panel) -> None:
    svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0300", "AB"))
    svc.move_sitting(panel.db, panel.clerk, panel.sitting_id, dt.date(2027, 1, 12), "Room booked", today=TODAY)
    svc.cancel_sitting(panel.db, panel.clerk, panel.sitting_id, "Chair unwell")
    assert _sitting(panel).status == "cancelled"


def test_a_sitting_today_is_today_not_held(panel: Panel) -> None:
    rows = {r.id: r.status for r in svc.list_sittings(panel.db, panel.clerk, today=SITTING_DAY)}
    assert rows[panel.sitting_id] == "today"
    rows = {r.id: r.status for r in svc.list_sittings(panel.db, panel.clerk, today=SITTING_DAY + dt.timedelta(1))}
    assert rows[panel.sitting_id] == "held"


def _page(panel: Panel, who: Principal, qtbot: QtBot) -> PanelPage:
    """The panel page on the fixture's sitting, its first item selected."""
    page = PanelPage(AppContext(panel.db, who, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.show()
    page.reload(select_sitting=panel.sitting_id)
    page.agenda_view.selectRow(0)
    return page


def test_the_page_greys_what_approved_minutes_lock_and_says_why(panel: Panel, handoffs: list[PanelHandoff],
                                                                 qtbot: QtBot) -> None:
    _sitting_with_minutes(panel, approve=True)
    page = _page(panel, panel.clerk, qtbot)

    def button(name: str) -> QPushButton:
        found = page.findChild(QPushButton, name)
        assert found is not None
        return found

    for name in ("edit_item", "move_up", "move_down", "move_sitting", "cancel_sitting", "remove_item"):
        assert not button(name).isEnabled(), name
    assert "dated by this sitting" in button("move_sitting").toolTip()
    assert "cannot be cancelled" in button("cancel_sitting").toolTip()
    assert button("add_item").isEnabled() and button("papers").isEnabled()


def test_the_page_leaves_an_unminuted_sitting_open(panel: Panel, qtbot: QtBot) -> None:
    svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0300", "AB"))
    page = _page(panel, panel.clerk, qtbot)
    for name in ("edit_item", "move_up", "move_down", "move_sitting", "cancel_sitting", "remove_item"):
        found = page.findChild(QPushButton, name)
        assert found is not None and found.isEnabled() and not found.toolTip(), name


def test_locked_minutes_look_read_only_and_offer_no_typing(panel: Panel, handoffs: list[PanelHandoff],
                                                           qtbot: QtBot) -> None:
    """User trial: signed in as the chair, the minutes' text boxes stayed white and the views table still
    said "F2 or type to edit", though nothing could be typed."""
    from PySide6.QtGui import QPalette

    _sitting_with_minutes(panel, approve=True)
    for who, locked in ((panel.chair, True), (panel.clerk, True)):
        page = _page(panel, who, qtbot)
        editor = page.minutes
        box = editor.reasons
        assert box.isReadOnly() is locked
        role = QPalette.ColorRole
        assert box.palette().color(role.Base) == box.palette().color(role.Window)
        assert "F2" not in editor.views_label.text()


def test_draft_minutes_keep_white_boxes_and_the_typing_hint(panel: Panel, handoffs: list[PanelHandoff],
                                                            qtbot: QtBot) -> None:
    from PySide6.QtGui import QPalette

    _sitting_with_minutes(panel, approve=False)
    page = _page(panel, panel.clerk, qtbot)
    box = page.minutes.reasons
    role = QPalette.ColorRole
    assert not box.isReadOnly() and box.palette().color(role.Base) != box.palette().color(role.Window)
    assert "F2 or type to edit" in page.minutes.views_label.text()


def test_undo_does_not_reorder_or_refill_an_agenda_whose_minutes_were_approved_since(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    """Review: Move down, the chair approves, then Undo put the approved item 1 at number 2 (undo took no
    notice of the lock the forward path has)."""
    from adoption_desktop.panel import undo as panel_undo
    from tests.conftest import TEST_PASSWORD

    ids = _sitting_with_minutes(panel, approve=False)
    extra = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0400", "QR"))
    moved = panel_undo.move_item(panel.db, panel.clerk, ids[0], 1)
    assert moved is not None
    removal = panel_undo.remove_item(panel.db, panel.clerk, extra)
    for i in ids:
        svc.submit_minutes(panel.db, panel.clerk, i, today=TODAY)
        svc.approve_minutes(panel.db, panel.chair, i, TEST_PASSWORD, today=TODAY)
    with pytest.raises(Conflict, match=r"minutes of item 1 of this sitting are approved.*the order can no longer"):
        moved.reverse()
    assert _order(panel) == [ids[1], ids[0], ids[2]]
    with pytest.raises(Conflict, match=r"minutes of item 1 of this sitting are approved.*no item can be put back"):
        removal.reverse()
    assert extra not in _order(panel)


def test_notes_typed_before_the_sitting_do_not_make_it_held(panel: Panel) -> None:
    """Review: a draft with only a discussion note (typed ahead of the meeting) blocked cancelling and moving
    the sitting as if the panel had sat."""
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0300", "AB"))
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(discussion="Prepared before the sitting."))
    svc.move_sitting(panel.db, panel.clerk, panel.sitting_id, TODAY + dt.timedelta(days=14), "Room", today=TODAY)
    svc.cancel_sitting(panel.db, panel.clerk, panel.sitting_id, "Chair unwell")
    assert _sitting(panel).status == "cancelled"
