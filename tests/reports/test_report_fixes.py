"""Fixes from the 1366×768 user trial of Reports: membership counts members only, one name per ADM
figure, one comparison column for a year, financial-year quarters, and the page's table and period."""

from __future__ import annotations

import datetime as dt

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
