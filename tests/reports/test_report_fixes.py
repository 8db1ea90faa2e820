"""Fixes from the 1366×768 user trial of Reports: membership counts members only, one name per ADM
figure, one comparison column for a year, financial-year quarters, and the page's table and period."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from docx import Document

from adoption_desktop.adm import figures as adm_figures
from adoption_desktop.adm.models import AdmDecision, AdmInfoRequest
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import makeup
from adoption_desktop.panel.models import PanelMember
from adoption_desktop.reports.periods import Period, last_year, previous, shown_columns
from adoption_desktop.reports.report_data import build_report
from adoption_desktop.reports.report_docx import write_report_docx
from adoption_desktop.reports.service import collect_compared, write_csv
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
              version: int = 1, due: dt.date | None = None) -> AdmDecision:
    d = AdmDecision(decision_type="approval", subject_reference=ref, received_on=D(2026, 3, 2), outcome="agree",
                    recommendation="suitable", decided_on=decided, version=version, due_on=due,
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


def test_a_year_is_compared_once_with_the_previous_year_and_trends_by_financial_quarter(
        db: Database, tmp_path: Path) -> None:
    assert previous(FY) == last_year(FY) == Period(D(2024, 4, 1), D(2025, 3, 31))
    assert previous(Period(D(2025, 12, 3), D(2026, 12, 2))) == Period(D(2024, 12, 3), D(2025, 12, 2))
    half = Period(D(2026, 4, 1), D(2026, 9, 30))
    assert shown_columns((half, previous(half), last_year(half))) == (0, 1, 2)
    manager = make_user(db, "mgr", Role.MANAGER)
    _people(db, make_user(db, "pa", Role.PANEL_ADMINISTRATOR))
    data = build_report(db, manager, FY, "annual", today=D(2026, 11, 23))
    assert data.quarters == ("Q1 24/25", "Q2 24/25", "Q3 24/25", "Q4 24/25",
                             "Q1 25/26", "Q2 25/26", "Q3 25/26", "Q4 25/26")
    doc = Document(str(write_report_docx(data, tmp_path / "annual.docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Same period last year" not in text and "same period last year" not in text
    assert "Compared with the previous year (Apr 2024–Mar 2025)" in text
    assert "Trends by financial-year quarter (Q1 is April–June)" in text
    assert "calendar quarter" not in text
    compared = [t for t in doc.tables if t.rows[0].cells[0].text in ("Figure", "Measure")]
    assert compared
    for table in compared:
        head = [c.text for c in table.rows[0].cells]
        assert head[1:3] == ["This year\nApr 2025–Mar 2026", "Previous year\nApr 2024–Mar 2025"], head
        assert "Same period last year" not in " ".join(head)
    members = next(t for t in compared if t.rows[1].cells[0].text == "Members at the end of the period")
    assert [c.text for c in members.rows[1].cells] == ["Members at the end of the period", "2", "1"]
    # the CSV of a year keeps the 11 columns every period has (what reads it expects them): the previous
    # year is both the previous period and the same period last year
    figures = collect_compared(db, manager, FY.start, FY.end)
    write_csv(db, manager, figures.sections, FY.start, FY.end, tmp_path / "fy.csv", figures)
    with (tmp_path / "fy.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["section", "figure", "value", "previous period", "same period last year", "from", "to",
                       "previous from", "previous to", "last year from", "last year to"]
    assert all(len(r) == 11 and r[3] == r[4] for r in rows[1:])
    assert all(r[5:] == ["2025-04-01", "2026-03-31", "2024-04-01", "2025-03-31", "2024-04-01", "2025-03-31"]
               for r in rows[1:])
    assert any(r[3] != r[2] for r in rows[1:]), "the previous year's own values, not this year's again"
