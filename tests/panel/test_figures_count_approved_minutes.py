"""Manager's-figures trial (6 December 2026): the panel figures counted corrections the chair had not approved.
A draft correction of approved minutes (outcome changed to Deferred, not sent to the chair) already moved
"Suitable to adopt" to "Deferred" and added a deferral; attendance marked during an open correction counted
silently; and a correction that marked a member present was sent to the chair, whose approval then refused
it for that member's missing view. Real SQLCipher files."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.panel import attendance, deferrals, figures
from adoption_desktop.panel import service as svc
from tests.conftest import TEST_PASSWORD, papers_received

from .conftest import SITTING_DAY, TODAY, Panel, attend

PRESENT = ("chair", "vice", "sw", "med", "pe")
START, END = dt.date(2026, 10, 1), dt.date(2026, 11, 30)


def _approved_item(p: Panel) -> int:
    item = papers_received(p.db, p.clerk, svc.add_item(p.db, p.clerk, p.sitting_id, svc.ItemInput(
        "approval", "AD-2026-0401", "CD", "Jay Quillby")), SITTING_DAY)
    svc.save_minutes(p.db, p.clerk, item, svc.MinutesDraft(
        outcome="suitable", reasons="Thorough assessment.", discussion="Questions answered.", vote="unanimous",
        member_views={p.members[k]: "Agrees." for k in PRESENT}))
    svc.submit_minutes(p.db, p.clerk, item, today=TODAY)
    svc.approve_minutes(p.db, p.chair, item, TEST_PASSWORD, today=TODAY)
    return item


def _figures(p: Panel) -> dict[str, str]:
    out = {label: v for s in figures.figures(p.db, p.clerk, START, END) for label, v in s.rows}
    return out | {label: v for s in deferrals.figures(p.db, p.clerk, START, END) for label, v in s.rows}


def test_a_draft_correction_to_deferred_does_not_change_the_figures_until_the_chair_approves_it(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT)
    item = _approved_item(panel)
    before = _figures(panel)
    assert (before["Prospective adopter approval: Suitable to adopt"], before["Deferrals"],
            before["Items deferred"]) == ("1", "0", "0")
    row = svc.correct_minutes(panel.db, panel.clerk, item, "The panel deferred; recorded wrongly as suitable.")
    svc.save_minutes(panel.db, panel.clerk, item, dataclasses.replace(
        row.draft, outcome="deferred", deferral_reason="Medical report missing.", reasons="", vote=""),
        expected_version=row.row_version)
    draft = _figures(panel)
    assert draft["Prospective adopter approval: Suitable to adopt"] == "1"
    assert "Prospective adopter approval: Deferred" not in draft
    assert (draft["Deferrals"], draft["Items deferred"]) == ("0", "0")
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    assert _figures(panel)["Deferrals"] == "0"  # sent, not approved: still the approved minutes
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    after = _figures(panel)
    assert "Prospective adopter approval: Suitable to adopt" not in after
    assert (after["Prospective adopter approval: Deferred"], after["Deferrals"], after["Items deferred"]) == (
        "1", "1", "1")


def test_a_first_draft_still_counts_before_the_chair_approves_it(panel: Panel) -> None:
    attend(panel, *PRESENT)
    item = papers_received(panel.db, panel.clerk, svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput(
        "approval", "AD-2026-0402", "EF", "Jay Quillby")), SITTING_DAY)
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(
        outcome="deferred", deferral_reason="Medical report missing."))
    got = _figures(panel)
    assert (got["Prospective adopter approval: Deferred"], got["Deferrals"], got["Items deferred"]) == (
        "1", "1", "1")


def test_a_correction_missing_a_view_of_a_member_marked_present_is_not_sent_to_the_chair(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT)
    attend(panel, "sw2", status="apologies")
    item = _approved_item(panel)
    svc.correct_minutes(panel.db, panel.clerk, item, "Eli Fenwick was present; recorded as apologies in error.")
    svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw2"], "present")
    with pytest.raises(ValidationError) as refused:
        svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    assert str(refused.value) == (
        "Members' views: record a view, or \"No view recorded: reason\", for Eli Fenwick (1 of 6 members "
        "present). The chair cannot approve minutes without them. Nothing was sent; the minutes are kept as a "
        "draft.")
    assert svc.minutes_history(panel.db, panel.clerk, item)[-1].status == "draft"
    # the same rule the chair's approval applies: with the view recorded it is sent and approved
    row = svc.minutes_history(panel.db, panel.clerk, item)[-1]
    svc.save_minutes(panel.db, panel.clerk, item, dataclasses.replace(
        row.draft, member_views={**row.draft.member_views, panel.members["sw2"]: "Agrees."}),
        expected_version=row.row_version)
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    assert svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY).status == "approved"


def test_attendance_open_to_correction_is_named_on_the_attendance_figures(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, *PRESENT)
    attend(panel, "sw2", status="apologies")
    item = _approved_item(panel)

    def rows() -> dict[str, str]:
        return {label: v for s in attendance.figures(panel.db, panel.clerk, START, END) for label, v in s.rows}

    assert attendance.CORRECTING not in rows()
    svc.correct_minutes(panel.db, panel.clerk, item, "Eli Fenwick was present; recorded as apologies in error.")
    svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members["sw2"], "present")
    got = rows()
    assert got[attendance.CORRECTING] == "1" and got["Attendances (present)"] == "6"
    [said] = attendance.behind(panel.db, panel.clerk, attendance.ATTENDANCE, attendance.CORRECTING, START, END)
    assert said.reference == f"Sitting of {SITTING_DAY:%d/%m/%Y}"
    row = svc.minutes_history(panel.db, panel.clerk, item)[-1]
    svc.save_minutes(panel.db, panel.clerk, item, dataclasses.replace(
        row.draft, member_views={**row.draft.member_views, panel.members["sw2"]: "Agrees."}),
        expected_version=row.row_version)
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    assert attendance.CORRECTING not in rows()  # approved: the attendance stands as approved
