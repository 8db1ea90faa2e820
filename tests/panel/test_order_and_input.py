"""Issue 12 at the panel service boundary: input sanitation (control characters refused, invisible
characters removed, dates in range, formula starts refused), the member-to-user link, and the order of
events (no approval before the sitting, every member's view before approval, papers not received never
"on time")."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import documents, rules
from adoption_desktop.panel import service as svc
from tests.conftest import TEST_PASSWORD, make_user, papers_received

from .conftest import SITTING_DAY, TODAY, Panel, attend, with_views

GOOD = svc.MinutesDraft(outcome="suitable", reasons="Thorough assessment; strong support network.",
                        vote="unanimous")


def _item(p: Panel, ref: str = "AD-2026-0101", sitting_id: int | None = None) -> int:
    return svc.add_item(p.db, p.clerk, sitting_id or p.sitting_id,
                        svc.ItemInput("approval", ref, "AB/CD", "Jay Quillby"))


def _member(name: str, joined: dt.date = dt.date(2024, 1, 1), **kw: object) -> svc.MemberInput:
    return svc.MemberInput(name, "member", joined, **kw)  # type: ignore[arg-type]


# --- sanitation ------------------------------------------------------------------------------------
def test_names_refuse_nul_and_formulas_and_lose_zero_width(panel: Panel) -> None:
    for bad, needle in (("Ann\x00 Lee", "control character"), ("=cmd|' /C calc'!A0", "formula")):
        with pytest.raises(ValidationError, match=needle):
            svc.add_member(panel.db, panel.clerk, _member(bad))
    row = svc.add_member(panel.db, panel.clerk, _member("Ann\u200b  Lee\ufeff"), today=TODAY)
    assert row.full_name == "Ann Lee"


def test_item_reference_and_text_cleaned(panel: Panel) -> None:
    with pytest.raises(ValidationError, match="Case number"):
        _item(panel, "AD-2026\x00-0101")
    with pytest.raises(ValidationError, match="Case number"):
        _item(panel, "=HYPERLINK(\"http://x\")")
    item = _item(panel, "AD-2026\u200b-0101")
    detail = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY)
    assert next(i for i in detail.items if i.id == item).subject_reference == "AD-2026-0101"
    with pytest.raises(ValidationError, match="Interest"):
        svc.declare_interest(panel.db, panel.clerk, item, panel.members["sw"], "Knows\x07 them")
    with pytest.raises(ValidationError, match="Reasons"):
        svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(reasons="a\x00b"))


def test_dates_out_of_range_refused(panel: Panel) -> None:
    with pytest.raises(ValidationError, match="Joined on"):
        svc.add_member(panel.db, panel.clerk, _member("Ann Lee", dt.date(1, 1, 1)))
    with pytest.raises(ValidationError, match="First sitting date"):
        svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(dt.date(9999, 12, 31), venue="Room 2"))
    with pytest.raises(ValidationError, match="New date"):
        svc.move_sitting(panel.db, panel.clerk, panel.sitting_id, dt.date(1, 1, 1), "Typo")
    item = _item(panel)
    with pytest.raises(ValidationError, match="Received on"):
        svc.set_paper_received(panel.db, panel.clerk, item, "par", dt.date(9999, 1, 1))


def test_member_user_link_checked(panel: Panel) -> None:
    with pytest.raises(ValidationError, match="User account") as err:
        svc.add_member(panel.db, panel.clerk, _member("Ann Lee", user_id=99999))
    assert err.value.field == "user_id"
    with pytest.raises(ValidationError, match="already linked to Rowan Ashcombe"):
        svc.add_member(panel.db, panel.clerk, _member("Ann Lee", user_id=panel.chair.user_id))
    other = make_user(panel.db, "annlee")
    row = svc.add_member(panel.db, panel.clerk, _member("Ann Lee", user_id=other.user_id), today=TODAY)
    assert row.user_id == other.user_id
    updated = svc.update_member(panel.db, panel.clerk, row.id, _member("Ann Lee", user_id=other.user_id),
                                today=TODAY)  # keeping one's own link is no clash
    assert updated.user_id == other.user_id


def test_linked_members_reach_the_adm_and_unlinked_names_are_listed(panel: Panel,
                                                                   handoffs: list[PanelHandoff]) -> None:
    attend(panel, "chair", "vice", "sw", "med", "pe")
    item = papers_received(panel.db, panel.clerk, _item(panel), SITTING_DAY)
    svc.save_minutes(panel.db, panel.clerk, item, with_views(panel, GOOD))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    [h] = handoffs
    assert h.member_user_ids == (panel.chair.user_id,)
    assert h.unlinked_member_names is not None and "Rowan Ashcombe" not in h.unlinked_member_names
    assert set(h.unlinked_member_names) == set(h.member_names) - {"Rowan Ashcombe"}


# --- the order of events -------------------------------------------------------------------------
def test_minutes_of_a_future_sitting_cannot_be_approved(panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, "chair", "vice", "sw", "med", "pe")
    item = papers_received(panel.db, panel.clerk, _item(panel), SITTING_DAY)
    svc.save_minutes(panel.db, panel.clerk, item, with_views(panel, GOOD))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    before = SITTING_DAY - dt.timedelta(days=7)  # "approved today", the sitting being next week
    blockers = svc.approval_blockers(panel.db, panel.chair, item, today=before)
    assert blockers and "on or after the day the panel sat" in blockers[0]
    with pytest.raises(ValidationError, match="on or after the day the panel sat") as err:
        svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=before)
    assert err.value.field == "approved_on"
    assert handoffs == []  # nothing reached the ADM: no clock started
    assert svc.approval_blockers(panel.db, panel.chair, item, today=SITTING_DAY) == []
    row = svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=SITTING_DAY)
    assert row.approved_on == SITTING_DAY and handoffs[0].minutes_approved_on == SITTING_DAY


def test_approval_lists_every_member_without_a_view(panel: Panel) -> None:
    attend(panel, "chair", "vice", "sw", "med", "pe")
    item = papers_received(panel.db, panel.clerk, _item(panel), SITTING_DAY)
    views = {panel.members["chair"]: "In favour.", panel.members["sw"]: "Agrees."}
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(**{**GOOD.__dict__, "member_views": views}))
    # sending checks the views as the chair's approval does (one rule): the same list, nothing sent
    with pytest.raises(ValidationError) as refused:
        svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    problem = str(refused.value)
    assert "Kit Brambleby, Dr Quinn Hazelford, Nia Larkholt (3 of 5 members present)" in problem
    assert "Rowan Ashcombe" not in problem and "Nothing was sent" in problem


def test_a_deferral_needs_no_views(panel: Panel, handoffs: list[PanelHandoff]) -> None:
    attend(panel, "chair", "vice", "sw", "med", "pe")
    item = _item(panel)
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(outcome="deferred",
                                                                   deferral_reason="Medical report missing."))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    assert handoffs == []


def test_unreceived_papers_are_never_on_time(panel: Panel, tmp_path: Path) -> None:
    item = _item(panel)
    svc.set_paper_received(panel.db, panel.clerk, item, "par", dt.date(2026, 10, 20))
    detail = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id, today=TODAY)
    papers = {p.code: p for p in next(i for i in detail.items if i.id == item).papers}
    assert papers["par"].on_time_text == "yes"
    assert papers["medical"].received_on is None and papers["medical"].on_time_text != "yes"
    assert papers["medical"].state == "overdue"
    out = documents.write_minutes_docx(svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=TODAY),
                                       tmp_path / "m.docx")
    rows = [[c.text for c in r.cells] for t in Document(str(out)).tables for r in t.rows]
    medical = next(r for r in rows if r[0].startswith("Medical report"))
    assert medical[1:] == ["not received", "not received (overdue)"]


def test_handoff_refuses_minutes_approved_before_the_sitting(db: Database) -> None:
    from adoption_desktop.adm.service import open_decision_from_panel
    from tests.adm.conftest import handoff

    h = handoff(received=dt.date(2025, 12, 1))
    early = PanelHandoff(**{**h.__dict__, "minutes_approved_on": h.sitting_date - dt.timedelta(days=1)})
    with pytest.raises(Conflict, match="before the sitting"), db.session() as session:
        open_decision_from_panel(session, early)


# --- the rules, for any dates ----------------------------------------------------------------------
days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))


@given(sitting=days, approved=days)
def test_approval_never_before_the_sitting(sitting: dt.date, approved: dt.date) -> None:
    problems = rules.approval_problems(sitting, approved, approved, {}, {})
    assert bool(problems) == (approved < sitting)


@given(sitting=days, approved=days, handed=days, status=st.sampled_from(["draft", "submitted", "approved"]))
def test_handoff_only_after_approval_after_the_sitting(sitting: dt.date, approved: dt.date, handed: dt.date,
                                                      status: str) -> None:
    ok = status == "approved" and sitting <= approved <= handed
    assert (rules.handoff_problems(sitting, status, approved, handed) == []) == ok


@given(received=st.none() | days, deadline=days, today=days)
def test_paper_on_time_only_when_received_by_the_deadline(received: dt.date | None, deadline: dt.date,
                                                         today: dt.date) -> None:
    state = rules.paper_state(received, deadline, today)
    assert (state == "on_time") == (received is not None and received <= deadline)
    assert (state in ("late", "overdue")) == rules.paper_late(received, deadline, today)


@given(st.dictionaries(st.integers(1, 20), st.sampled_from(
    ["", "  ", "Agrees.", "No view recorded", "no view recorded: ", "No view recorded: left early"])))
def test_missing_views(views: dict[int, str]) -> None:
    present = {i: f"Member {i}" for i in range(1, 21)}
    missing = rules.missing_views(present, views)
    for i, name in present.items():
        v = views.get(i, "").strip()
        has = v == "Agrees." or v.endswith("left early")
        assert (name in missing) == (not has)


def test_adm_conflict_end_to_end_by_the_linked_member(panel: Panel) -> None:
    """The trial of issue 12: a member with the ADM role cannot record the decision on an item they sat on
    (by the link to their account); "Ms Nia Larkholt", an ADM whose namesake sat unlinked, is warned."""
    from adoption_desktop.adm import service as adm
    from adoption_desktop.core.errors import PermissionDenied
    from adoption_desktop.core.security.permissions import Role

    deputy = make_user(panel.db, "deputyadm", Role.AGENCY_DECISION_MAKER, Role.PANEL_CHAIR)
    svc.update_member(panel.db, panel.clerk, panel.members["vice"],
                      svc.MemberInput("Kit Brambleby", "vice_chair", dt.date(2024, 1, 1), None, True,
                                      user_id=deputy.user_id), today=TODAY)
    namesake = make_user(panel.db, "nlarkholt", Role.AGENCY_DECISION_MAKER)
    with panel.db.session() as session:
        from adoption_desktop.core.security.models import User

        user = session.get(User, namesake.user_id)
        assert user is not None
        user.full_name = "Ms Nia Larkholt"
    namesake = replace(namesake, full_name="Ms Nia Larkholt")
    attend(panel, "chair", "vice", "sw", "med", "pe")
    item = papers_received(panel.db, panel.clerk, _item(panel), SITTING_DAY)
    svc.save_minutes(panel.db, panel.clerk, item, with_views(panel, GOOD))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    decision = svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY).adm_decision_id
    assert decision is not None
    with pytest.raises(PermissionDenied, match="sat on the panel"):
        adm.record_decision(panel.db, deputy, decision, outcome="agree", decision_text="Agreed.", reasons="")
    [warning] = adm.decision_warnings(panel.db, namesake, decision)
    assert "Nia Larkholt sat on the panel" in warning
    adm.record_decision(panel.db, namesake, decision, outcome="agree", decision_text="Agreed.", reasons="")
