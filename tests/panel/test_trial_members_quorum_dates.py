"""User trial: duplicate and non-independent chairs on the central list, PQE counted whatever the role,
and dates of things that happened refused when they lie in the future."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.panel import rules
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import undo as panel_undo

from .conftest import SITTING_DAY, TODAY, Panel


def _member(name: str, role: str = "member", /, *, pqe: int | None = None, independent: bool = True,
            **dates: dt.date | None) -> svc.MemberInput:
    return svc.MemberInput(name, role, dt.date(2024, 1, 1), pqe, independent, **dates)  # type: ignore[arg-type]


def _on(field: str, day: dt.date) -> dict[str, Any]:
    return {field: day}


# --- item 3: the central list ------------------------------------------------------------------------
def test_a_second_current_member_with_the_same_name_is_refused(panel: Panel) -> None:
    svc.add_member(panel.db, panel.clerk, _member("Charlie Copplestead"), today=TODAY)
    for same in ("Charlie Copplestead", "charlie  COPPLESTEAD", "Mr Charlie Copplestead"):
        with pytest.raises(ValidationError, match="Charlie Copplestead is already on the central list") as e:
            svc.add_member(panel.db, panel.clerk, _member(same), today=TODAY)
        assert e.value.field == "full_name"
    # editing another member into the same name is refused too; editing the member themself is not
    other = svc.add_member(panel.db, panel.clerk, _member("Charlie Coppleston"), today=TODAY)
    with pytest.raises(ValidationError, match="already on the central list"):
        svc.update_member(panel.db, panel.clerk, other.id, _member("Charlie Copplestead"), today=TODAY)
    rows = {r.full_name: r for r in svc.list_members(panel.db, panel.clerk, today=TODAY)}
    first = rows["Charlie Copplestead"]
    svc.update_member(panel.db, panel.clerk, first.id, _member("Charlie Copplestead", pqe=4), today=TODAY)


def test_a_namesake_may_join_once_the_member_has_left(panel: Panel) -> None:
    row = svc.add_member(panel.db, panel.clerk, _member("Charlie Copplestead"), today=TODAY)
    svc.give_notice(panel.db, panel.clerk, row.id, dt.date(2026, 9, 1), "left", "", today=TODAY)
    svc.add_member(panel.db, panel.clerk, _member("Charlie Copplestead"), today=TODAY)


def test_the_chair_must_be_independent(panel: Panel) -> None:
    with pytest.raises(ValidationError, match="chair must be independent"):
        svc.add_member(panel.db, panel.clerk, _member("Jo Pendle", "chair", independent=False), today=TODAY)
    vice = svc.add_member(panel.db, panel.clerk, _member("Jo Pendle", "vice_chair", independent=False), today=TODAY)
    with pytest.raises(ValidationError, match="chair must be independent"):
        svc.update_member(panel.db, panel.clerk, vice.id, _member("Jo Pendle", "chair", independent=False),
                          today=TODAY)
    assert rules.chair_independence_problem("vice_chair", False) is None


# --- item 4: PQE whatever the role -----------------------------------------------------------------------
def test_a_vice_chair_with_three_years_pqe_meets_the_social_worker_requirement() -> None:
    present = [rules.QuorumMember("chair", None, True), rules.QuorumMember("vice_chair", 4, False),
               rules.QuorumMember("medical_adviser"), rules.QuorumMember("member"), rules.QuorumMember("member")]
    assert rules.check_quorum(present).quorate
    short = [rules.QuorumMember("chair", None, True), rules.QuorumMember("vice_chair", 2, False),
             rules.QuorumMember("medical_adviser"), rules.QuorumMember("member"), rules.QuorumMember("member")]
    result = rules.check_quorum(short)
    assert not result.quorate and any("post-qualifying" in r for r in result.reasons)
    # an adviser's PQE never counts (advisers are not members)
    assert not rules.check_quorum([*short, rules.QuorumMember("panel_adviser", 12, True)]).quorate


def test_the_service_counts_a_vice_chair_with_pqe(panel: Panel) -> None:
    vice = svc.add_member(panel.db, panel.clerk, _member("Ola Quarrington", "vice_chair", pqe=5, independent=False),
                          today=TODAY)
    item_id = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0401", "AB"))
    for key in ("chair", "sw2", "med", "pe"):  # Eli Fenwick, the social worker, has 2 years only
        svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, panel.members[key], "present")
    svc.set_attendance(panel.db, panel.clerk, panel.sitting_id, vice.id, "present")
    item = next(i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items if i.id == item_id)
    assert item.quorum_state == "quorate", item.quorum_text


# --- item 5: dates of things that happened ----------------------------------------------------------------
@pytest.mark.parametrize("field", ["dbs_checked_on", "training_on", "appraised_on"])
def test_member_dates_that_happened_cannot_be_in_the_future(panel: Panel, field: str) -> None:
    with pytest.raises(ValidationError, match="is in the future"):
        svc.add_member(panel.db, panel.clerk, replace(_member("Ann Lee"), **_on(field, TODAY + dt.timedelta(days=1))),
                       today=TODAY)
    svc.add_member(panel.db, panel.clerk, replace(_member("Ann Lee"), **_on(field, TODAY)), today=TODAY)


def test_a_planned_appraisal_may_lie_ahead(panel: Panel) -> None:
    svc.add_member(panel.db, panel.clerk, _member("Ann Lee", appraisal_due=TODAY + dt.timedelta(days=300)),
                   today=TODAY)


def test_written_notice_cannot_be_in_the_future(panel: Panel) -> None:
    with pytest.raises(ValidationError, match=r"Written notice given on: .* is in the future"):
        svc.give_notice(panel.db, panel.clerk, panel.members["pe"], TODAY + dt.timedelta(days=10), "left", "",
                        today=TODAY)


def test_a_paper_cannot_be_received_in_the_future(panel: Panel) -> None:
    item_id = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0402", "AB"))
    with pytest.raises(ValidationError, match=r"Received on \(Prospective Adopter's Report \(PAR\)\): .* is in the future"):
        svc.set_paper_received(panel.db, panel.clerk, item_id, "par", TODAY + dt.timedelta(days=3), today=TODAY)
    # the Papers dialog's path saves nothing when one of the dates lies ahead
    with pytest.raises(ValidationError, match="is in the future"):
        panel_undo.set_papers_received(panel.db, panel.clerk, item_id,
                                       {"par": SITTING_DAY, "medical": TODAY + dt.timedelta(days=3)}, today=TODAY)
    item = next(i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items if i.id == item_id)
    assert all(p.received_on is None for p in item.papers)
    # nor after the sitting: the panel considered only the papers it had by its day (panel trial)
    with pytest.raises(ValidationError, match=r"Received on \(Prospective Adopter's Report \(PAR\)\): 23/11/2026 is "
                                              r"after the sitting \(10/11/2026\)"):
        svc.set_paper_received(panel.db, panel.clerk, item_id, "par", TODAY, today=TODAY)
    svc.set_paper_received(panel.db, panel.clerk, item_id, "par", SITTING_DAY, today=TODAY)
