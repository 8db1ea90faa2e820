"""Panel findings left from the trial of 5 December: the agenda's time slot was free text ("half ten-ish",
"25:99" and a time after the panel had ended were stored and printed), any known paper code could be added to
any item's papers, and a save refused because a colleague had recorded a member out of the room said the
colleague "saved the minutes". A real SQLCipher database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core.errors import StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.panel import rules
from adoption_desktop.panel import service as svc
from tests.conftest import make_user

from .conftest import SITTING_DAY, Panel, attend
from .test_documents import GOOD


def _slot(p: Panel, item: int, sitting: int | None = None) -> str:
    detail = svc.sitting_detail(p.db, p.clerk, sitting or p.sitting_id)
    return next(i for i in detail.items if i.id == item).time_slot


def _sitting_hours(p: Panel) -> tuple[str, str]:
    s = next(s for s in svc.list_sittings(p.db, p.clerk) if s.id == p.sitting_id)
    return s.start_time, s.end_time


def test_a_time_slot_is_stored_as_hh_mm_within_the_sittings_hours(panel: Panel) -> None:
    start, end = _sitting_hours(panel)
    typed = f" {int(start[:2])}:5 "  # "10:5" for a sitting from 10:00
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-T-1", "AB",
                                                                               time_slot=typed))
    assert _slot(panel, item) == f"{start[:2]}:05"
    for typed, message in (("half ten-ish", r"Time: enter the time as HH:MM"), ("25:99", r"Time: enter the time"),
                           (end, rf"Time: {end} is outside the sitting's hours \({start}–{end}\)")):
        with pytest.raises(ValidationError, match=message) as e:
            svc.update_item(panel.db, panel.clerk, item, svc.ItemInput("approval", "AD-T-1", "AB", time_slot=typed))
        assert e.value.field == "time_slot"
        with pytest.raises(ValidationError, match=message):
            svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-T-2", "AB",
                                                                                time_slot=typed))
    assert _slot(panel, item) == f"{start[:2]}:05"
    svc.update_item(panel.db, panel.clerk, item, svc.ItemInput("approval", "AD-T-1", "AB", time_slot=""))
    assert _slot(panel, item) == ""


def test_a_slot_typed_before_the_rule_is_kept_when_other_fields_change(panel: Panel) -> None:
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-T-3", "AB"))
    with panel.db.session(panel.clerk) as session:  # as stored by an older version
        from adoption_desktop.panel.models import PanelItem

        row = session.get(PanelItem, item)
        assert row is not None
        row.time_slot = "after lunch"
    svc.update_item(panel.db, panel.clerk, item, svc.ItemInput("approval", "AD-T-3", "AB", "Sam Other",
                                                               time_slot="after lunch"))
    assert _slot(panel, item) == "after lunch"


def test_a_deferred_case_gets_its_time_on_the_later_agenda(panel: Panel) -> None:
    later = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(SITTING_DAY + dt.timedelta(days=14),
                                                                          "14:00", "16:00", "Room 2"))[0]
    start, _ = _sitting_hours(panel)
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-T-4", "AB",
                                                                               time_slot=start))
    moved = svc.defer_item(panel.db, panel.clerk, item, "Medical awaited.", to_sitting_id=later)
    assert moved is not None and _slot(panel, moved, later) == ""  # 10:00 is before that sitting starts


@given(st.times(), st.times(), st.times())
def test_the_time_slot_rule_over_times(slot: dt.time, start: dt.time, end: dt.time) -> None:
    s, a, b = (f"{t:%H:%M}" for t in (slot, start, end))
    assert rules.time_slot(f" {slot.hour}:{slot.minute} ") == s
    problem = rules.time_slot_problem(s, a, b)
    inside = (slot.hour, slot.minute) >= (start.hour, start.minute) and (slot.hour, slot.minute) < (end.hour,
                                                                                                       end.minute)
    assert (problem is None) == inside
    assert rules.time_slot_problem("", a, b) is None


def test_only_a_paper_on_the_items_checklist_is_recorded(panel: Panel) -> None:
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-P-9", "AB"))
    with pytest.raises(ValidationError, match=r"Parental consent \(CAFCASS witnessed\) is not on this item's checklist \(Prospective"):
        svc.set_paper_received(panel.db, panel.clerk, item, "consent", SITTING_DAY, today=SITTING_DAY)
    with pytest.raises(ValidationError, match=r"'nonsense' is not on this item's checklist"):
        svc.set_paper_received(panel.db, panel.clerk, item, "nonsense", SITTING_DAY, today=SITTING_DAY)
    [row] = [i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items if i.id == item]
    assert sorted(p.code for p in row.papers) == ["medical", "par"]
    svc.set_paper_received(panel.db, panel.clerk, item, "par", SITTING_DAY, today=SITTING_DAY)


def test_a_save_refused_after_a_colleague_recorded_someone_out_of_the_room_says_so(panel: Panel) -> None:
    attend(panel, "chair", "vice", "sw", "med", "pe", "sw2")
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-G-2", "AB"))
    draft = svc.MinutesDraft(**{**GOOD.__dict__, "member_views": {panel.members["pe"]: "Agrees."}})
    saved = svc.save_minutes(panel.db, panel.clerk, item, draft, expected_version=0)
    colleague = make_user(panel.db, "bea", Role.PANEL_ADMINISTRATOR)
    svc.record_item_absence(panel.db, colleague, item, panel.members["pe"], "left_before")
    with pytest.raises(StaleRecord) as e:
        svc.save_minutes(panel.db, panel.clerk, item, draft, expected_version=saved.row_version)
    message = str(e.value)
    assert message.startswith("Bea Tester recorded a change to who counts for this item at "), message
    assert "the view of Nia Larkholt taken out of the draft" in message and "saved the minutes" not in message
    assert e.value.saved_by == "Bea Tester"
    # an ordinary edit by the colleague still reads as a save of the minutes
    edited = svc.MinutesDraft(**{**draft.__dict__, "discussion": "The panel discussed the support network."})
    svc.save_minutes(panel.db, colleague, item, edited, expected_version=e.value.saved_version)
    with pytest.raises(StaleRecord, match=r"^Bea Tester saved the minutes of item AD-G-2 at "):
        svc.save_minutes(panel.db, panel.clerk, item, draft, expected_version=e.value.saved_version)
