"""Attendance marked from a screen that no longer shows what is stored (team-mode trial): a colleague's mark
is never overwritten silently. The mark goes with the one the screen showed; a difference is refused
naming who marked the person and when; "All not recorded → present" marks only those still not recorded
and names the ones someone else marked meanwhile."""

from __future__ import annotations

import pytest

from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import undo
from tests.conftest import make_user
from tests.undo_checks import assert_verified, rows

from .conftest import Panel, attend


def _marks(panel: Panel) -> dict[str, str]:
    names = {v: k for k, v in panel.members.items()}
    return {names[r["member_id"]]: r["status"] for r in rows(panel.db, "panel_attendance")}


def test_a_mark_from_a_stale_screen_is_refused_naming_who_marked_the_person_and_when(panel: Panel) -> None:
    bea = make_user(panel.db, "bea", Role.PANEL_ADMINISTRATOR)
    svc.set_attendance(panel.db, bea, panel.sitting_id, panel.members["sw"], "apologies", expected="")
    with pytest.raises(StaleRecord) as refused:  # the clerk's screen still shows Tara as not recorded
        svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw"], "present", expected="")
    message = str(refused.value)
    assert message.startswith("Bea Tester marked Tara Dunmere apologies at ")
    assert "after your screen showed not recorded; your mark (present) was not saved" in message
    assert refused.value.saved_by == "Bea Tester" and refused.value.saved_at is not None
    assert refused.value.saved_values == {"Attendance": "apologies"}
    assert _marks(panel) == {"sw": "apologies"}
    # from a screen that shows Bea's mark, the change is made
    change = svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw"], "present",
                                expected="apologies")
    assert (change.before, change.after) == ("apologies", "present") and _marks(panel) == {"sw": "present"}
    # the same mark someone else already made overwrites nothing: no refusal, nothing to undo
    assert undo.set_attendance(panel.db, bea, panel.sitting_id, panel.members["sw"], "present", expected="") is None
    # scripts and the command line pass no mark: the latest stands, as before
    svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw"], "absent")
    assert _marks(panel) == {"sw": "absent"}
    assert_verified(panel.db)


def test_a_mark_taken_away_since_by_an_undo_is_refused_too(panel: Panel) -> None:
    bea = make_user(panel.db, "bea", Role.PANEL_ADMINISTRATOR)
    attend(panel, "sw", status="present")
    entry = undo.set_attendance(panel.db, bea, panel.sitting_id, panel.members["med"], "apologies", expected="")
    assert entry is not None
    svc.set_attendance(panel.db, bea, panel.sitting_id, panel.members["med"], "absent", expected="apologies")
    svc.set_attendance(panel.db, bea, panel.sitting_id, panel.members["med"], "apologies", expected="absent")
    entry.reverse()  # Bea's undo: the doctor is not recorded again (the row is gone)
    with pytest.raises(StaleRecord) as refused:  # the clerk's screen still shows "apologies"
        svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["med"], "absent",
                           expected="apologies")
    assert str(refused.value).startswith("Bea Tester marked Dr Quinn Hazelford not recorded at ")
    assert _marks(panel) == {"sw": "present"}


def test_all_not_recorded_present_leaves_a_colleagues_mark_and_names_it(panel: Panel) -> None:
    bea = make_user(panel.db, "bea", Role.PANEL_ADMINISTRATOR)
    attend(panel, "chair", status="present")
    screen = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).attendance
    seen = [a.member_id for a in screen if not a.status]
    assert panel.members["pe"] in seen and panel.members["vice"] in seen
    # meanwhile, on Bea's PC
    svc.set_attendance(panel.db, bea, panel.sitting_id, panel.members["pe"], "apologies", expected="")
    svc.set_attendance(panel.db, bea, panel.sitting_id, panel.members["vice"], "present", expected="")
    entry, done = undo.mark_rest_present(panel.db, panel.clerk, panel.sitting_id, seen)
    assert [c.member_name for c in done.changes] == [a.full_name for a in screen
                                                     if not a.status and a.member_id not in
                                                     (panel.members["pe"], panel.members["vice"])]
    assert len(done.skipped) == 2
    assert done.skipped[0].startswith("Kit Brambleby (present, marked by Bea Tester at ")
    assert done.skipped[1].startswith("Nia Larkholt (apologies, marked by Bea Tester at ")
    marks = _marks(panel)
    assert marks.pop("pe") == "apologies" and marks.pop("vice") == "present"
    assert set(marks.values()) == {"present"} and len(marks) == len(panel.members) - 2
    # undo takes back only the clerk's marks; Bea's stay
    assert entry is not None and entry.label.startswith(f"Marked {len(done.changes)} people present")
    entry.reverse()
    assert _marks(panel) == {"chair": "present", "pe": "apologies", "vice": "present"}
    assert_verified(panel.db)


def test_all_not_recorded_present_without_a_screen_marks_everyone_not_recorded(panel: Panel) -> None:
    attend(panel, "sw", status="apologies")
    done = svc.mark_rest_present(panel.db, panel.clerk, panel.sitting_id)
    assert not done.skipped and len(done.changes) == len(panel.members) - 1
    assert _marks(panel)["sw"] == "apologies"
    assert svc.mark_rest_present(panel.db, panel.clerk, panel.sitting_id).changes == ()
