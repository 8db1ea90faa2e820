"""Members' gender, ethnicity and appraisals through the service (issue 16), and the figures and the lists
behind them read from a real database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from adoption_desktop.core.errors import PermissionDenied, ValidationError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.panel import service as svc
from adoption_desktop.reports import drilldown
from tests.conftest import make_user
from tests.panel.conftest import TODAY, Panel

D = dt.date


def _input(p: Panel, key: str) -> svc.MemberInput:
    row = next(m for m in svc.list_members(p.db, p.clerk, today=TODAY) if m.id == p.members[key])
    return svc.MemberInput(row.full_name, row.role_type, row.joined_on, row.pqe_years, row.independent,
                           row.user_id, row.appraisal_due, row.dbs_checked_on, row.training_on, row.gender,
                           row.ethnicity, row.appraised_on)


def test_profile_is_saved_and_validated_with_the_field_named(panel: Panel) -> None:
    data = replace(_input(panel, "sw"), gender="female", ethnicity="black_caribbean")
    row = svc.update_member(panel.db, panel.clerk, panel.members["sw"], data, today=TODAY)
    assert (row.gender, row.ethnicity) == ("female", "black_caribbean")
    with pytest.raises(ValidationError, match=r"^Ethnicity: ") as err:
        svc.update_member(panel.db, panel.clerk, panel.members["sw"], replace(data, ethnicity="martian"), today=TODAY)
    assert err.value.field == "ethnicity"
    with pytest.raises(ValidationError, match=r"^Gender: "):
        svc.add_member(panel.db, panel.clerk, replace(data, full_name="Wren Yardley", gender="?"), today=TODAY)
    with pytest.raises(ValidationError, match=r"^Last appraisal: .*before the member joined"):
        svc.update_member(panel.db, panel.clerk, panel.members["sw"], replace(data, appraised_on=D(2020, 1, 1)),
                          today=TODAY)


def test_a_later_appraisal_date_records_an_appraisal_that_met_the_due_date(panel: Panel) -> None:
    data = _input(panel, "med")
    assert data.appraisal_due == D(2027, 6, 1) and data.appraised_on is None
    # the appraisal due on 01/06/2027 was held early, on 20/11/2026; the next is due a year later
    row = svc.update_member(panel.db, panel.clerk, panel.members["med"],
                            replace(data, appraised_on=D(2026, 11, 20), appraisal_due=D(2027, 11, 20)), today=TODAY)
    assert row.appraised_on == D(2026, 11, 20)
    # saving again with the same date records nothing new
    svc.update_member(panel.db, panel.clerk, panel.members["med"], replace(_input(panel, "med")), today=TODAY)
    from adoption_desktop.panel import appraisals

    manager = make_user(panel.db, "boss", Role.PANEL_ADMINISTRATOR)
    with panel.db.session(manager, write=False) as session:
        assert [(h.due_on, h.done_on) for h in appraisals.load(session)] == [(D(2027, 6, 1), D(2026, 11, 20))]
    figures = {label: v for s in appraisals.figures(panel.db, manager, D(2026, 10, 1), D(2027, 3, 31))
               for label, v in s.rows}
    assert figures["Appraisals held in the period"] == "1"


def test_figures_from_the_database_and_who_may_open_them(panel: Panel) -> None:
    start, end = D(2026, 10, 1), D(2026, 11, 30)
    for key, status in (("chair", "present"), ("vice", "present"), ("sw", "apologies"), ("adviser", "present")):
        svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members[key], status)
    from adoption_desktop.panel import attendance, makeup

    rows = {label: v for s in attendance.figures(panel.db, panel.clerk, start, end) for label, v in s.rows}
    assert (rows["Sittings held"], rows["Invitations (member places at sittings)"], rows["Attendances (present)"]) == (
        "1", "3", "2")
    behind = drilldown.behind(panel.db, panel.clerk, attendance.ATTENDANCE, "Apologies", start, end)
    assert [r.reference for r in behind] == ["Tara Dunmere"]
    made = {label: v for s in makeup.figures(panel.db, panel.clerk, start, end) for label, v in s.rows}
    assert made["Members on the central list"] == "6" and made["Advisers on the list (not members)"] == "3"
    assert made["Gender: Not recorded"] == "6"
    # a manager sees the counts, but the names behind them need the panel's own permission
    manager = make_user(panel.db, "mgr", Role.MANAGER)
    assert attendance.figures(panel.db, manager, start, end)
    with pytest.raises(PermissionDenied):
        drilldown.behind(panel.db, manager, attendance.ATTENDANCE, "Apologies", start, end)
    with pytest.raises(ValidationError, match=r"^Figure: "):
        drilldown.behind(panel.db, panel.clerk, attendance.ATTENDANCE, "No such figure", start, end)
    with pytest.raises(ValidationError, match="do not open"):
        drilldown.behind(panel.db, panel.clerk, "Adoption panel: activity", "Sittings held", start, end)
