"""The central list's appraisal warning counts from the last appraisal held as well as the typed *Appraisal
due* (a tester recorded an appraisal held on 04/12/2026 and the row still said "Appraisal overdue since
02/12/2026"; a member last appraised on 08/01/2025 showed no warning because the typed date said 2027), an
appraisal recorded moves the due date on, and the demo's dates agree with each other."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.months import add_months
from adoption_desktop.core.security.permissions import SYSTEM
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import rules
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.models import PanelAppraisal, PanelMember
from tests.panel.conftest import TODAY, Panel

D = dt.date
dates = st.dates(D(2020, 1, 1), D(2030, 12, 31))


def _appraisal_warnings(due: D | None, held: D | None, today: D) -> list[str]:
    dates_ = rules.MemberDates(due, D(2026, 1, 1), D(2026, 6, 1), held)
    return [w for w in rules.member_warnings(dates_, today) if "ppraisal" in w]


# --- the rule ------------------------------------------------------------------------------------------------
def test_the_testers_two_members() -> None:
    today = D(2026, 12, 5)
    # held on 04/12/2026 after falling due on 02/12/2026: the next is a year on, nothing to warn of
    assert rules.next_appraisal_due(D(2026, 12, 2), D(2026, 12, 4)) == D(2027, 12, 4)
    assert _appraisal_warnings(D(2026, 12, 2), D(2026, 12, 4), today) == []
    # last appraised 08/01/2025, typed due 16/01/2027: annual, so overdue since 08/01/2026
    assert rules.next_appraisal_due(D(2027, 1, 16), D(2025, 1, 8)) == D(2026, 1, 8)
    assert _appraisal_warnings(D(2027, 1, 16), D(2025, 1, 8), today) == ["Appraisal overdue since 08/01/2026"]
    # nothing held: the typed date, as before
    assert _appraisal_warnings(D(2026, 12, 2), None, today) == ["Appraisal overdue since 02/12/2026"]
    assert _appraisal_warnings(None, None, today) == ["No appraisal date"]
    assert _appraisal_warnings(None, D(2026, 3, 1), today) == []


@given(st.none() | dates, st.none() | dates)
def test_next_appraisal_is_within_a_year_of_the_last_held(typed: D | None, held: D | None) -> None:
    due = rules.next_appraisal_due(typed, held)
    if held is None:
        assert due == typed
        return
    assert due is not None and held < due <= add_months(held, 12)
    if typed is not None and held < typed <= add_months(held, 12):
        assert due == typed  # a date typed within the year is kept
    else:
        assert due == add_months(held, 12)


@given(st.none() | dates, dates, dates)
def test_the_warning_says_overdue_exactly_when_the_next_appraisal_has_passed(
        typed: D | None, held: D, today: D) -> None:
    warnings = _appraisal_warnings(typed, held, today)
    overdue = [w for w in warnings if "overdue" in w]
    assert bool(overdue) == (rules.next_appraisal_due(typed, held) < today)  # type: ignore[operator]
    if add_months(held, 12) < today:  # more than a year since the last appraisal: always overdue
        assert overdue
    if typed is not None and typed <= held and today <= add_months(held, 12):
        assert not overdue  # an appraisal held on or after its due date met it


@given(st.none() | dates, st.none() | dates, dates)
def test_an_appraisal_recorded_moves_the_due_date_on_never_back(typed: D | None, before: D | None, held: D) -> None:
    after = rules.due_after_appraisal(typed, before, held)
    assert after > held
    assert after in (typed, add_months(held, 12))
    if typed is not None:
        assert after >= typed  # never silently backwards
    if typed is not None and typed == before and typed <= held:  # held on or after the due date left as it was
        assert after == add_months(held, 12)
    if typed is not None and typed != before and typed > held:  # a later date typed in the same save stands
        assert after == typed


# --- the service -----------------------------------------------------------------------------------------------
def _input(p: Panel, key: str) -> svc.MemberInput:
    row = next(m for m in svc.list_members(p.db, p.clerk, today=TODAY) if m.id == p.members[key])
    return svc.MemberInput(row.full_name, row.role_type, row.joined_on, row.pqe_years, row.independent,
                           row.user_id, row.appraisal_due, row.dbs_checked_on, row.training_on, row.gender,
                           row.ethnicity, row.appraised_on)


def _row(p: Panel, key: str) -> svc.MemberRow:
    return next(m for m in svc.list_members(p.db, p.clerk, today=TODAY) if m.id == p.members[key])


def test_recording_the_appraisal_clears_the_overdue_warning_and_moves_the_due_date_on(panel: Panel) -> None:
    sw = panel.members["sw"]
    svc.update_member(panel.db, panel.clerk, sw, replace(_input(panel, "sw"), appraisal_due=D(2026, 11, 2)),
                      today=TODAY)
    assert "Appraisal overdue since 02/11/2026" in _row(panel, "sw").warnings
    row = svc.update_member(panel.db, panel.clerk, sw, replace(_input(panel, "sw"), appraised_on=D(2026, 11, 20)),
                            today=TODAY, expected_version=_row(panel, "sw").row_version)
    assert (row.appraised_on, row.appraisal_due, row.next_appraisal) == (D(2026, 11, 20), D(2027, 11, 20),
                                                                       D(2027, 11, 20))
    assert not [w for w in row.warnings if "ppraisal" in w]
    listed = _row(panel, "sw")
    assert listed.appraisal_due == D(2027, 11, 20) and not [w for w in listed.warnings if "ppraisal" in w]
    with panel.db.session(SYSTEM, write=False) as session:  # the appraisal met the date it was due
        assert session.execute(select(PanelAppraisal.due_on, PanelAppraisal.done_on)
                               .where(PanelAppraisal.member_id == sw)).all() == [(D(2026, 11, 2), D(2026, 11, 20))]
    # saving the form again (the same last appraisal) records nothing and moves nothing
    again = svc.update_member(panel.db, panel.clerk, sw, _input(panel, "sw"), today=TODAY)
    assert again.appraisal_due == D(2027, 11, 20)
    with panel.db.session(SYSTEM, write=False) as session:
        assert session.scalar(select(func.count()).select_from(PanelAppraisal)
                              .where(PanelAppraisal.member_id == sw)) == 1


def test_an_appraisal_held_early_meets_the_due_date_and_a_later_typed_date_stands(panel: Panel) -> None:
    data = replace(_input(panel, "pe"), appraisal_due=D(2026, 12, 1))
    svc.update_member(panel.db, panel.clerk, panel.members["pe"], data, today=TODAY)
    row = svc.update_member(panel.db, panel.clerk, panel.members["pe"], replace(data, appraised_on=D(2026, 11, 16)),
                            today=TODAY)
    assert row.appraisal_due == D(2027, 11, 16) and not [w for w in row.warnings if "ppraisal" in w]
    # the medical adviser's: a date of the user's own, typed with the appraisal, is kept
    row = svc.update_member(panel.db, panel.clerk, panel.members["med"], replace(
        _input(panel, "med"), appraised_on=D(2026, 11, 20), appraisal_due=D(2027, 9, 30)), today=TODAY)
    assert row.appraisal_due == row.next_appraisal == D(2027, 9, 30)


def test_a_member_last_appraised_nearly_two_years_ago_is_overdue_whatever_date_was_typed(panel: Panel) -> None:
    row = svc.add_member(panel.db, panel.clerk, svc.MemberInput(
        "Wynn Alderbrook", "member", D(2024, 1, 1), None, True, appraisal_due=D(2027, 1, 16),
        dbs_checked_on=D(2026, 1, 1), training_on=D(2026, 6, 1), appraised_on=D(2025, 1, 8)), today=TODAY)
    assert row.appraisal_due == D(2027, 1, 16)  # as typed: a later plan is not changed behind the user's back
    assert row.next_appraisal == D(2026, 1, 8)
    assert "Appraisal overdue since 08/01/2026" in row.warnings
    listed = next(m for m in svc.list_members(panel.db, panel.clerk, today=TODAY) if m.id == row.id)
    assert "Appraisal overdue since 08/01/2026" in listed.warnings


def test_an_appraisal_saved_over_a_colleagues_change_is_refused_and_moves_nothing(panel: Panel) -> None:
    sw = panel.members["sw"]
    loaded = _row(panel, "sw")
    svc.update_member(panel.db, panel.clerk, sw, replace(_input(panel, "sw"), pqe_years=7), today=TODAY,
                      expected_version=loaded.row_version)  # a colleague saves first
    with pytest.raises(StaleRecord):
        svc.update_member(panel.db, panel.clerk, sw, replace(_input(panel, "sw"), appraised_on=D(2026, 11, 20)),
                          today=TODAY, expected_version=loaded.row_version)
    now = _row(panel, "sw")
    assert (now.appraised_on, now.appraisal_due, now.pqe_years) == (None, D(2027, 6, 1), 7)


# --- the demo ------------------------------------------------------------------------------------------------
def test_demo_due_dates_follow_the_last_appraisal_held_and_a_few_are_overdue(small_demo_db: Database) -> None:
    with small_demo_db.session(SYSTEM, write=False) as session:
        last = dict(session.execute(select(PanelAppraisal.member_id, func.max(PanelAppraisal.done_on))
                                    .group_by(PanelAppraisal.member_id)).all())
        members = [m for m in session.scalars(select(PanelMember)) if not rules.is_adviser(m.role_type)]
        today = dt.date.today()
        consistent, overdue = 0, 0
        for m in members:
            held = last.get(m.id)
            if held is not None and m.appraisal_due == add_months(held, 12):
                consistent += 1
            else:  # the last one due was missed: still due since a day before today
                assert m.appraisal_due is not None and m.appraisal_due < today, m.full_name
            if rules.next_appraisal_due(m.appraisal_due, held) < today:  # type: ignore[operator]
                overdue += 1
    assert consistent >= len(members) * 2 // 3
    assert 1 <= overdue <= len(members) // 3
