"""Fixes from the 1366×768 user trial of Reports: membership counts members only, one name per ADM
figure, one comparison column for a year, financial-year quarters, and the page's table and period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adoption_desktop.adm import figures as adm_figures
from adoption_desktop.adm.models import AdmDecision, AdmInfoRequest
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import makeup
from adoption_desktop.panel.models import PanelMember
from adoption_desktop.reports.periods import Period
from adoption_desktop.reports.report_data import build_report
from tests.conftest import make_user

D = dt.date
FY = Period(D(2025, 4, 1), D(2026, 3, 31))


def _people(db: Database, actor: Principal) -> None:
    with db.session(actor) as s:
        for name, role, independent, joined in (
                ("Ann Chair", "chair", True, D(2020, 1, 1)), ("Bob Worker", "social_worker", False, D(2025, 6, 1)),
                ("Cat Adviser", "panel_adviser", False, D(2020, 1, 1)),
                ("Dan Legal", "legal_adviser", True, D(2025, 7, 1))):
            s.add(PanelMember(full_name=name, role_type=role, independent=independent, joined_on=joined))


def test_membership_counts_members_only_and_advisers_apart(db: Database) -> None:
    manager = make_user(db, "mgr", Role.MANAGER)
    _people(db, make_user(db, "pa", Role.PANEL_ADMINISTRATOR))
    data = build_report(db, manager, FY, "annual", today=D(2026, 11, 23))
    mine = {r[0]: r[1] for r in data.membership.rows}
    assert mine["Members at the end of the period"] == "2"
    assert mine["of whom independent"] == "1"
    assert mine["Members who joined in the period"] == "1"
    assert mine["Advisers on the list at the end (not members)"] == "2"
    made = {r[0]: r[1] for t in data.chapters["membership"] if t.title == makeup.MAKEUP for r in t.rows}
    assert made["Members on the central list"] == mine["Members at the end of the period"]
    assert made["Advisers on the list (not members)"] == mine["Advisers on the list at the end (not members)"]


def _decision(s: Any, ref: str, decided: dt.date | None, *asked: dt.date, root: AdmDecision | None = None,
              version: int = 1) -> AdmDecision:
    d = AdmDecision(decision_type="approval", subject_reference=ref, received_on=D(2026, 3, 2), outcome="agree",
                    recommendation="suitable", decided_on=decided, version=version,
                    signed_at=dt.datetime(2026, 1, 1) if decided else None,
                    root_id=root.id if root else None, supersedes_id=root.id if root else None)
    s.add(d)
    s.flush()
    for day in asked:
        s.add(AdmInfoRequest(decision_id=d.id, requested_on=day, what="More", received_on=day))
    return d


def test_the_two_more_information_figures_have_distinct_names_and_each_counts_its_own_basis(db: Database) -> None:
    half = Period(D(2026, 4, 1), D(2026, 9, 30))
    with db.session(make_user(db, "adm", Role.AGENCY_DECISION_MAKER)) as s:
        # asked in March, signed in April: signed in the period after asking, not asked in the period
        _decision(s, "A1", D(2026, 4, 10), D(2026, 3, 20))
        # asked in May, not signed yet: asked in the period only
        _decision(s, "A2", None, D(2026, 5, 5))
        # asked on the first version, the correction signed in June: one decision, asked in the period
        first = _decision(s, "A3", None, D(2026, 5, 6))
        _decision(s, "A3", D(2026, 6, 1), root=first, version=2)
    data = build_report(db, make_user(db, "mgr", Role.MANAGER), half, today=D(2026, 11, 23))
    values: dict[str, set[tuple[str, str, str]]] = {}
    for tables in data.chapters.values():
        for t in tables:
            for label, *vals in t.rows:
                values.setdefault(label, set()).add(tuple(vals))  # type: ignore[arg-type]
    assert values[adm_figures.SIGNED_AFTER_ASKING] == {("2", "0", "0")}  # A1 and A3
    assert values["Decisions where more information was asked for"] == {("2", "1", "0")}  # A2, A3; A1 in Oct–Mar
    # no figure name has two values in one report
    assert {label: v for label, v in values.items() if len(v) > 1} == {}
