"""User trial (6 December 2026, "mistakes"): wrong attendance or a missed declaration of interest could not be
put right after the minutes were approved, not even in a correction of the minutes ("attendance can no longer
change"). Now, while a correction of an item's minutes is open (drafted or sent, not yet approved by the
chair), the item's attendance, declarations and out-of-the-room records are corrected with it: the quorum is
recomputed, a correction made inquorate is not sent to the chair, the approved version stays in the history
and the audit log says on the correction what changed. Real SQLCipher files."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import undo
from tests.conftest import TEST_PASSWORD, papers_received

from .conftest import SITTING_DAY, TODAY, Panel, attend

PRESENT = ("chair", "vice", "sw", "med", "pe")


def _item(p: Panel, reference: str = "AD-2026-0301") -> int:
    return papers_received(p.db, p.clerk, svc.add_item(p.db, p.clerk, p.sitting_id, svc.ItemInput(
        "approval", reference, "AB", "Jay Quillby")), SITTING_DAY)


def _approved_item(p: Panel, reference: str = "AD-2026-0301", present: tuple[str, ...] = PRESENT,
                   item: int | None = None) -> int:
    item = item if item is not None else _item(p, reference)
    svc.save_minutes(p.db, p.clerk, item, svc.MinutesDraft(
        outcome="suitable", reasons="Thorough assessment.", discussion="Questions answered.", vote="unanimous",
        member_views={p.members[k]: "Agrees." for k in present}))
    svc.submit_minutes(p.db, p.clerk, item, today=TODAY)
    svc.approve_minutes(p.db, p.chair, item, TEST_PASSWORD, today=TODAY)
    return item


def _changes(p: Panel) -> list[str]:
    with p.db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "correction_changed")
                                    .order_by(AuditEntry.seq)))


def test_a_member_recorded_as_apologies_is_marked_present_in_a_correction(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT)
    attend(panel, "sw2", status="apologies")
    item = _approved_item(panel)
    sw2 = panel.members["sw2"]
    with pytest.raises(Conflict) as refused:
        svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, sw2, "present")
    assert str(refused.value) == (
        "The minutes of item 1 of this sitting are approved, and who was at the sitting is part of them, so Eli "
        "Fenwick's attendance was not changed. To correct it, make a correction of the minutes of item 1 first "
        "(Minutes tab, Make a correction…); the attendance can then be corrected until the chair approves the "
        "correction.")
    svc.correct_minutes(panel.db, panel.clerk, item, "Eli Fenwick was present; recorded as apologies in error.")
    change = svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, sw2, "present")
    assert (change.before, change.after) == ("apologies", "present")
    assert svc.item_quorum(panel.db, panel.clerk, item).counted == 6
    [said] = _changes(panel)
    assert said.startswith("correction (version 2) of the minutes of item 1 (AD-2026-0301): Eli Fenwick marked "
                           "present at the sitting (was apologies). Quorum for the item now: Quorate: 6 members")
    assert "as approved in version 1: Quorate: 5 members count for this item." in said
    # the approved version stays in the history as it was approved
    history = svc.minutes_history(panel.db, panel.clerk, item)
    assert [(m.version, m.status, m.quorum_statement) for m in history] == [
        (1, "approved", "Quorate: 5 members count for this item."), (2, "draft", "")]
    # the correction needs Eli's view too, and is approved with the corrected quorum
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(
        outcome="suitable", reasons="Thorough assessment.", discussion="Questions answered.", vote="unanimous",
        member_views={panel.members[k]: "Agrees." for k in (*PRESENT, "sw2")}))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    v2 = svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    assert v2.quorum_statement == "Quorate: 6 members count for this item."
    # approved again: locked as before
    with pytest.raises(Conflict, match="make a correction of the minutes of item 1 first"):
        svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, sw2, "apologies")


def test_a_missed_declaration_is_recorded_in_a_correction_and_its_view_taken_out(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT, "sw2")
    item = _approved_item(panel, present=(*PRESENT, "sw2"))
    with pytest.raises(Conflict, match="To correct them, make a correction of the minutes first"):
        svc.declare_interest(panel.db, panel.clerk, item, panel.members["pe"], "Knows the applicants socially")
    svc.correct_minutes(panel.db, panel.clerk, item, "Nia Larkholt's declaration of interest was missed.")
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["pe"], "Knows the applicants socially", True)
    quorum = svc.item_quorum(panel.db, panel.clerk, item)
    assert quorum.quorate and quorum.counted == 5
    current = svc.minutes_history(panel.db, panel.clerk, item)[-1]
    assert panel.members["pe"] not in current.draft.member_views  # withdrew: took no part
    assert "Nia Larkholt declared an interest and withdrew" in _changes(panel)[-1]
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    with pytest.raises(Conflict, match="its declarations of interest decide who counted"):
        svc.declare_interest(panel.db, panel.clerk, item, panel.members["sw2"], "Another interest")


def test_a_correction_made_inquorate_is_not_sent_to_the_chair(panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT)
    item = _approved_item(panel)
    svc.correct_minutes(panel.db, panel.clerk, item, "Tara Dunmere declared an interest and withdrew.")
    svc.declare_interest(panel.db, panel.clerk, item, panel.members["sw"], "Supervised the assessing worker", True)
    assert not svc.item_quorum(panel.db, panel.clerk, item).quorate
    with pytest.raises(ValidationError) as refused:
        svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    message = str(refused.value)
    assert message.startswith("This correction was not sent to the chair: with the attendance and declarations as "
                              "corrected, item 1 is not quorate (")
    assert "The correction is kept as a draft and the approved minutes still stand" in message
    history = svc.minutes_history(panel.db, panel.clerk, item)
    assert [(m.version, m.status) for m in history] == [(1, "approved"), (2, "draft")]


def test_a_correction_sent_to_the_chair_comes_back_when_who_counted_changes(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT, "sw2")
    item = _approved_item(panel, present=(*PRESENT, "sw2"))
    svc.correct_minutes(panel.db, panel.clerk, item, "The reasons left out the support network.")
    sent = svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    svc.record_item_absence(panel.db, panel.clerk, item, panel.members["sw2"], "arrived_after")
    now = svc.minutes_history(panel.db, panel.clerk, item)[-1]
    assert now.status == "draft" and now.row_version != sent.row_version
    assert _changes(panel)[-1].endswith("the correction was taken back from the chair (send it again)")
    with pytest.raises(Conflict, match="not been sent to the chair yet"):
        svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)


def test_attendance_waits_for_a_correction_of_every_approved_item(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    """Who was at the sitting is in the minutes of every item: a correction of one does not reopen the others."""
    attend(panel, *PRESENT)
    attend(panel, "sw2", status="apologies")
    first, second = _item(panel), _item(panel, "AD-2026-0302")
    _approved_item(panel, item=first)
    _approved_item(panel, item=second)
    svc.correct_minutes(panel.db, panel.clerk, first, "Eli Fenwick was present.")
    with pytest.raises(Conflict) as refused:
        svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw2"], "present")
    assert "The minutes of item 2 of this sitting are approved" in str(refused.value)
    assert "The correction of item 1 does not reopen them" in str(refused.value)
    svc.correct_minutes(panel.db, panel.clerk, second, "Eli Fenwick was present.")
    svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw2"], "present")
    assert len(_changes(panel)) == 2  # noted on both corrections


# --- Undo during an open correction (review of 6 December 2026) ----------------------------------------------
# The undo of a mark, of taking a declaration off, or of taking off an out-of-the-room record passed the
# open-checks but noted nothing on the correction: a correction already sent stayed with the chair, who then
# approved a version with a quorum (and a declaration) they were never sent. Putting back an out-of-the-room
# record was refused outright during a correction, by an older rule than the service's.

def _views(p: Panel, keys: tuple[str, ...]) -> svc.MinutesDraft:
    return svc.MinutesDraft(outcome="suitable", reasons="Thorough assessment.", discussion="Questions answered.",
                            vote="unanimous", member_views={p.members[k]: "Agrees." for k in keys})


def test_undo_of_a_mark_takes_a_sent_correction_back_from_the_chair(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT)
    attend(panel, "sw2", status="apologies")
    item = _approved_item(panel)
    sw2 = panel.members["sw2"]
    svc.correct_minutes(panel.db, panel.clerk, item, "Eli Fenwick was present.")
    marked = undo.set_attendance(panel.db, panel.clerk, panel.sitting_id, sw2, "present")
    assert marked is not None
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, (*PRESENT, "sw2")))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    noted = len(_changes(panel))
    redo = marked.reverse()  # Undo: Eli back to apologies, with the correction already with the chair
    assert redo is not None
    said = _changes(panel)[noted:]
    assert len(said) == 1
    assert said[0].startswith("correction (version 2) of the minutes of item 1 (AD-2026-0301): Eli Fenwick marked "
                              "apologies at the sitting (was present) (by Undo or Redo). Quorum for the item now: "
                              "Quorate: 5 members")
    assert said[0].endswith("the correction was taken back from the chair (send it again)")
    now = svc.minutes_history(panel.db, panel.clerk, item)[-1]
    assert now.status == "draft"
    assert sw2 not in now.draft.member_views  # not present: no view of theirs, as when marked by hand
    with pytest.raises(Conflict, match="not been sent to the chair yet"):
        svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    redo.reverse()  # Redo: noted the same way
    assert "Eli Fenwick marked present at the sitting (was apologies) (by Undo or Redo)" in _changes(panel)[-1]
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, (*PRESENT, "sw2")))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    v2 = svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    assert v2.quorum_statement == "Quorate: 6 members count for this item."


def test_undo_of_taking_a_declaration_off_takes_a_sent_correction_back_from_the_chair(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT, "sw2")
    item = _approved_item(panel, present=(*PRESENT, "sw2"))
    pe = panel.members["pe"]
    svc.correct_minutes(panel.db, panel.clerk, item, "Nia Larkholt's declaration of interest was missed.")
    did = svc.declare_interest(panel.db, panel.clerk, item, pe, "Knows the applicants socially", True)
    taken_off = undo.remove_declaration(panel.db, panel.clerk, did)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, (*PRESENT, "sw2")))  # Nia's view typed again
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    noted = len(_changes(panel))
    taken_off.reverse()  # Undo: the declaration is back
    said = _changes(panel)[noted:]
    assert len(said) == 1
    assert ("Nia Larkholt declared an interest and withdrew (by Undo or Redo). Quorum for the item now: Quorate: "
            "5 members") in said[0]
    assert said[0].endswith("the correction was taken back from the chair (send it again)")
    now = svc.minutes_history(panel.db, panel.clerk, item)[-1]
    assert now.status == "draft" and pe not in now.draft.member_views
    with pytest.raises(Conflict, match="not been sent to the chair yet"):
        svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    v2 = svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    assert v2.quorum_statement == "Quorate: 5 members count for this item."  # the quorum sent is the one approved
    assert pe not in v2.draft.member_views  # withdrew: took no part


def test_undo_of_taking_an_out_of_the_room_record_off_works_in_a_correction(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT, "sw2")
    item = _approved_item(panel, present=(*PRESENT, "sw2"))
    svc.correct_minutes(panel.db, panel.clerk, item, "Eli Fenwick arrived after the item.")
    away = svc.record_item_absence(panel.db, panel.clerk, item, panel.members["sw2"], "arrived_after")
    taken_off = undo.remove_item_absence(panel.db, panel.clerk, away)
    svc.save_minutes(panel.db, panel.clerk, item, _views(panel, (*PRESENT, "sw2")))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    noted = len(_changes(panel))
    taken_off.reverse()  # Undo: the record is back, as the service allows while the correction is open
    assert svc.item_quorum(panel.db, panel.clerk, item).counted == 5
    said = _changes(panel)[noted:]
    assert len(said) == 1
    assert "Eli Fenwick recorded as not present for the item (arrived after this item) (by Undo or Redo)" in said[0]
    assert said[0].endswith("the correction was taken back from the chair (send it again)")
    now = svc.minutes_history(panel.db, panel.clerk, item)[-1]
    assert now.status == "draft" and panel.members["sw2"] not in now.draft.member_views
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    v2 = svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    assert v2.quorum_statement == "Quorate: 5 members count for this item."


def test_undo_of_an_out_of_the_room_record_is_refused_as_the_service_once_approved(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT, "sw2")
    item = _item(panel)
    away = svc.record_item_absence(panel.db, panel.clerk, item, panel.members["sw2"], "arrived_after")
    taken_off = undo.remove_item_absence(panel.db, panel.clerk, away)
    _approved_item(panel, present=(*PRESENT, "sw2"), item=item)
    with pytest.raises(Conflict) as refused:
        taken_off.reverse()
    assert str(refused.value) == (
        "The minutes of item 1 (AD-2026-0301) are approved; who was present for it was not changed. To correct it, "
        "make a correction of the minutes first (Minutes tab, Make a correction…); it can then be corrected until "
        "the chair approves the correction.")
    assert svc.item_quorum(panel.db, panel.clerk, item).counted == 6
