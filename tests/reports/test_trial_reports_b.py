"""A manager's user trial of the reports (the Word report, the Reports page, the CSV, the Ofsted pack's
figures): no free text from the ADM's reasons for delay, the children's chapter in the report, suggested
dates that are accepted, children listed only to those who may open their records, and wording."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QDate

from adoption_desktop.adm import rules as adm_rules
from adoption_desktop.adm.models import AdmDecision, AdmQualifyingDetermination
from adoption_desktop.core.errors import PermissionDenied
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import figures as journey_figures
from adoption_desktop.reports import measures, report_docx
from adoption_desktop.reports.behind import open_figure
from adoption_desktop.reports.model import FigureSection
from adoption_desktop.reports.periods import (
    Period,
    add_months,
    fitting_period,
    future_end_problem,
    kind_problem,
    period_problem,
)
from adoption_desktop.reports.report_data import _compare, build_report, quarterly
from adoption_desktop.reports.report_docx import write_report_docx
from adoption_desktop.reports.service import collect, collect_compared, write_csv
from adoption_desktop.reports.views import page as page_module
from adoption_desktop.reports.views.page import ReportsPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user

D = dt.date
HALF = Period(D(2026, 4, 1), D(2026, 9, 30))
FY = Period(D(2025, 4, 1), D(2026, 3, 31))
DEMO_TODAY = D(2026, 11, 23)
REASON = "Waited for Mr and Mrs Jenkins at 14 Elm Road, LE1 2AB"


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def _docx_rows(path: Path) -> dict[str, list[str]]:
    doc = Document(str(path))
    return {row.cells[0].text: [c.text for c in row.cells[1:]] for t in doc.tables for row in t.rows}


def _decision(db: Database, decision_type: str, decided: dt.date, due: dt.date, delay_reason: str = "",
              ref: str = "A1") -> int:
    with db.session(make_user(db, f"adm{ref.lower()}", Role.AGENCY_DECISION_MAKER)) as s:
        d = AdmDecision(decision_type=decision_type, subject_reference=ref, received_on=D(2026, 3, 2),
                        outcome="agree", recommendation="suitable", decided_on=decided, version=1, due_on=due,
                        signed_at=dt.datetime(2026, 5, 10, 12), delay_reason=delay_reason)
        s.add(d)
        s.flush()
        return d.id


# --- 1. the ADM's reason for a delay never leaves the ADM's screens ------------------------------------------

def test_a_reason_for_delay_naming_people_is_in_no_report_csv_or_figures(db: Database, tmp_path: Path) -> None:
    _decision(db, "approval", D(2026, 5, 10), D(2026, 3, 11), REASON, ref="A1")  # late, with a reason
    _decision(db, "approval", D(2026, 6, 10), D(2026, 4, 1), "", ref="A2")  # late, no reason
    manager = make_user(db, "mgr", Role.MANAGER)
    sections = {s.title: dict(s.rows) for s in collect(db, manager, HALF.start, HALF.end)}
    late = sections["Late decisions (signed past the statutory deadline)"]
    assert late["Late decisions with a reason for delay recorded"] == "1"
    assert late["Signed late: Approval of prospective adopters"] == "2"
    per_decision = {k.split(",")[0]: v for k, v in late.items() if k.startswith("Decided ")}
    assert per_decision == {"Decided 10/05/2026": "reason recorded: yes", "Decided 10/06/2026": "reason recorded: no"}
    assert not any(w in repr(sections) for w in ("Jenkins", "Elm Road", "LE1 2AB"))
    # the report (.docx)
    out = write_report_docx(build_report(db, manager, HALF, "six-monthly", today=DEMO_TODAY), tmp_path / "r.docx")
    text = _docx_text(out)
    assert "reason recorded: yes" in text and "Late decisions with a reason for delay recorded" in text
    assert not any(w in text for w in ("Jenkins", "Elm Road", "LE1 2AB"))
    # the CSV, as the Reports page exports it
    compared = collect_compared(db, manager, HALF.start, HALF.end)
    write_csv(db, manager, compared.sections, HALF.start, HALF.end, tmp_path / "f.csv", compared)
    raw = (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    assert "reason recorded: yes" in raw and not any(w in raw for w in ("Jenkins", "Elm Road", "LE1 2AB"))
    with (tmp_path / "f.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert all("Jenkins" not in cell for row in csv.reader(fh) for cell in row)
    # the ADM still reads the reason on their own screen's record
    with db.session() as s:
        assert REASON in {d.delay_reason for d in s.query(AdmDecision)}


# --- 2. the children's section is in the report -------------------------------------------------------------

@pytest.mark.parametrize(("kind", "period"), [("six-monthly", HALF), ("annual", FY)])
def test_the_report_counts_children_adopted(open_demo: Callable[..., Database], tmp_path: Path, kind: str,
                                            period: Period) -> None:
    db = open_demo(DEMO_TODAY)
    manager = make_user(db, "mgr", Role.MANAGER)
    out = write_report_docx(build_report(db, manager, period, kind, today=DEMO_TODAY), tmp_path / f"{kind}.docx")
    doc = Document(str(out))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    journey_at = headings.index("Children's journey")
    assert headings.index("Children (each child counted, not items)") > journey_at
    assert headings.index("Adopters' journey") > headings.index("Children (each child counted, not items)")
    rows = _docx_rows(out)
    counted = dict(journey_figures.figures(db, manager, period.start, period.end)[1].rows)
    assert rows["Children adopted (adoption order)"][0] == counted["Children adopted (adoption order)"]
    assert rows["Children placed in early permanence"][0] == counted["Children placed in early permanence"]
    assert sum(int(v) for v in counted.values()) > 0  # the demo has children in the period: a real comparison


# --- 3. the dates suggested for a report's kind are accepted -------------------------------------------------

TRIAL = Period(D(2026, 11, 1), D(2026, 12, 2))
TRIAL_TODAY = D(2026, 12, 3)


def test_the_suggested_period_ends_on_or_before_today() -> None:
    annual = kind_problem("annual", TRIAL, TRIAL_TODAY)
    assert annual.endswith("Set From to 04/12/2025 and To to 03/12/2026 (04/12/2025–03/12/2026).")
    assert "2027" not in annual
    six = kind_problem("six-monthly", TRIAL, TRIAL_TODAY)
    assert six.endswith("Set From to 04/06/2026 and To to 03/12/2026 (04/06/2026–03/12/2026).")
    assert kind_problem("annual", TRIAL, TRIAL_TODAY, command_line=True).endswith(
        "Use --period 2025-12-04..2026-12-03 (04/12/2025–03/12/2026).")
    # what fits from From and has already ended is still suggested from From
    assert kind_problem("six-monthly", Period(D(2026, 1, 1), D(2026, 2, 1)), TRIAL_TODAY).endswith(
        "Set To to 30/06/2026 (Jan 2026–Jun 2026).")
    # a kind that fits is named first; the other's dates are accepted too
    assert "or set From to 04/12/2025 and To to 03/12/2026" in kind_problem("annual", Period(
        D(2026, 5, 1), D(2026, 10, 31)), TRIAL_TODAY)


@given(st.dates(min_value=D(2001, 1, 1), max_value=D(2089, 12, 31)), st.integers(0, 800),
       st.integers(0, 900), st.sampled_from(["six-monthly", "annual"]))
def test_following_the_suggestion_is_accepted(start: dt.date, length: int, later: int, kind: str) -> None:
    p = Period(start, start + dt.timedelta(days=length))
    today = start + dt.timedelta(days=later)
    if period_problem(p, today) or kind_problem(kind, p) == "":
        return
    fixed = fitting_period(kind, p, today)
    assert kind_problem(kind, fixed) == ""
    assert period_problem(fixed, today) == "" and future_end_problem(fixed, today) == ""
    assert f"{fixed.end:%d/%m/%Y}" in kind_problem(kind, p, today)


@pytest.mark.parametrize("kind", ["annual", "six-monthly"])
def test_the_command_line_suggests_a_period_it_then_accepts(kind: str, db: Database, db_path: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.cli import main

    make_user(db, "mgr", Role.MANAGER)
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    today = dt.date.today()
    start, end = today - dt.timedelta(days=32), today - dt.timedelta(days=1)
    out = tmp_path / f"{kind}.docx"
    args = ["export", "report", "--db", str(db_path), "--user", "mgr", "--kind", kind, "--out", str(out)]
    assert main([*args, "--period", f"{start}..{end}"]) != 0
    err = capsys.readouterr().err
    found = re.search(r"Use --period (\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", err)
    assert found, err
    assert D.fromisoformat(found.group(2)) <= today and not out.exists()
    assert main([*args, "--period", f"{found.group(1)}..{found.group(2)}"]) == 0
    assert out.exists()


@pytest.fixture
def page(qtbot: Any, db: Database, monkeypatch: pytest.MonkeyPatch) -> tuple[ReportsPage, list[str], list[str]]:
    errors: list[str] = []
    asked: list[str] = []
    monkeypatch.setattr(page_module, "show_error", lambda _w, _t, exc: errors.append(str(exc)))
    monkeypatch.setattr(page_module, "save_file_name", lambda *a: asked.append("file") or "")
    reports = ReportsPage(AppContext(db, make_user(db, "mgr", Role.MANAGER), TaskRunner(synchronous=True)))
    qtbot.addWidget(reports)
    return reports, errors, asked


@pytest.mark.parametrize("kind", ["Annual", "Six-monthly"])
def test_the_page_suggests_dates_it_then_accepts(page: tuple[ReportsPage, list[str], list[str]], kind: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    reports, errors, asked = page
    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getItem", lambda *a: (kind, True))
    today = dt.date.today()
    start = today - dt.timedelta(days=31)
    reports.start.setDate(QDate(start.year, start.month, start.day))
    reports.end.setDate(QDate(today.year, today.month, today.day))
    reports.write_report()
    assert asked == [] and errors
    found = re.search(r"Set From to (\d\d)/(\d\d)/(\d{4}) and To to (\d\d)/(\d\d)/(\d{4})", errors[-1])
    assert found, errors[-1]
    d1, m1, y1, d2, m2, y2 = (int(x) for x in found.groups())
    suggested = Period(D(y1, m1, d1), D(y2, m2, d2))
    assert suggested.end <= today and kind_problem(kind.lower(), suggested) == ""
    if suggested.end == today:  # the kind's months ending today
        assert suggested.start == add_months(today + dt.timedelta(days=1), -12 if kind == "Annual" else -6)
    reports.start.setDate(QDate(y1, m1, d1))
    reports.end.setDate(QDate(y2, m2, d2))
    reports.write_report()
    assert asked == ["file"]  # accepted: the file is asked for
    assert reports.end.date() == QDate(y2, m2, d2)  # To was not pulled back


# --- 4. the children behind a figure: adm.view or panel.view, the manager sees the count ----------------------

def test_the_manager_sees_the_count_and_the_adm_the_children(open_demo: Callable[..., Database], qtbot: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_demo(DEMO_TODAY)
    manager = make_user(db, "mgr", Role.MANAGER)
    adm = make_user(db, "trialadm", Role.AGENCY_DECISION_MAKER)
    chair = make_user(db, "trialchair", Role.PANEL_CHAIR)  # panel.view, no reports.view: no figures at all
    [m] = [x for x in measures.journey_measures(db, manager, HALF.start, HALF.end) if x.code == "A10"]
    assert m.count > 0
    label = f"{m.label} ({m.unit})"
    with pytest.raises(PermissionDenied, match="sees the figures as counts only") as refused:
        open_figure(db, manager, journey_figures.TIMELINESS, label, HALF.start, HALF.end)
    assert "adm.view or panel.view" in str(refused.value)
    with pytest.raises(PermissionDenied, match="counts only"):
        measures.measure_children(db, manager, "A10", HALF.start, HALF.end)
    with pytest.raises(PermissionDenied, match=r"reports\.view"):
        open_figure(db, chair, journey_figures.TIMELINESS, label, HALF.start, HALF.end)
    behind = open_figure(db, adm, journey_figures.TIMELINESS, label, HALF.start, HALF.end)
    assert len(behind.rows) == m.count and all(r[0].startswith("DEMO-") for r in behind.rows)
    # on the page: the manager's tooltip offers no list, and opening the figure says why
    errors: list[str] = []
    monkeypatch.setattr(page_module, "show_error", lambda _w, _t, exc: errors.append(str(exc)))
    for who, offered in ((manager, False), (adm, True)):
        reports = ReportsPage(AppContext(db, who, TaskRunner(synchronous=True)))
        qtbot.addWidget(reports)
        reports.show_compared(collect_compared(db, who, HALF.start, HALF.end))
        tree = reports.tree
        top = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                   if tree.topLevelItem(i).text(0) == journey_figures.TIMELINESS)  # type: ignore[union-attr]
        assert top is not None
        row = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0) == label)  # type: ignore[union-attr]
        assert row is not None and row.text(1) != ""  # the count is shown to both
        assert ("Enter or double-click" in row.toolTip(0)) is offered
        dialog = reports.open_figure(row, 1)
        if offered:
            assert dialog is not None
            qtbot.addWidget(dialog)
        else:
            assert dialog is None and errors and "counts only" in errors[-1]


# --- 5. wording -------------------------------------------------------------------------------------------

def test_qualifying_determinations_use_each_types_words(db: Database) -> None:
    manager = make_user(db, "mgr", Role.MANAGER)
    ids = [_decision(db, t, D(2026, 5, 1), D(2026, 6, 1), ref=f"Q{n}")
           for n, t in enumerate(("termination", "termination", "approval", "review", "approval"))]
    with db.session(make_user(db, "pa", Role.PANEL_ADMINISTRATOR)) as s:
        for decision_id, final in zip(ids, ("not_approved", "not_approved", "not_approved", "",
                                            adm_rules.QD_CLOSED_BY_CORRECTION), strict=True):
            s.add(AdmQualifyingDetermination(decision_id=decision_id, notice_sent_on=D(2026, 5, 2),
                                             deadline=D(2026, 6, 30), final_outcome=final))
    from adoption_desktop.adm import figures as adm_figures

    [qd] = [s for s in adm_figures.figures(db, manager, HALF.start, HALF.end) if s.title.startswith("Qualifying")]
    rows = dict(qd.rows)
    termination, approval = adm_rules.type_label("termination"), adm_rules.type_label("approval")
    assert rows[f"Final decision: {termination}: approval terminated"] == "2"
    assert rows[f"Final decision: {approval}: not approved"] == "1"
    assert rows["Awaiting the final decision"] == "1"
    assert rows["Closed: the proposal was corrected into an approval"] == "1"
    assert "Final decision: not approved" not in rows
    # the same words as "ADM decisions by type and outcome" uses for such a final decision
    assert adm_figures.outcome_label("termination", adm_figures.FINAL_NOT_APPROVED).startswith("approval terminated")


def test_one_child_is_one_child() -> None:
    one = measures.Measure("A10", "Children adopted within the time", 1, "children", 2, 3, "")
    assert report_docx._value(one) == "1 child (n=3)"
    two = measures.Measure("A10", "Children adopted within the time", 2, "children", 2, 3, "")
    assert report_docx._value(two) == "2 children (n=3)"


def test_a_row_counted_only_in_another_period_stands_before_the_total() -> None:
    this = [FigureSection("Recommendations", [("Approval: Approved", "3"), ("Deferrals", "0")])]
    before = [FigureSection("Recommendations", [("Approval: Approved", "2"), ("Review of approval: Deferred", "1"),
                                                 ("Deferrals", "1")])]
    [table] = _compare([this, before, before])
    assert [r[0] for r in table.rows] == ["Approval: Approved", "Review of approval: Deferred", "Deferrals"]
    assert table.rows[1] == ("Review of approval: Deferred", "–", "1", "1")
    first = [FigureSection("Recommendations", [("Adoption: Deferred", "1"), ("Deferrals", "1")])]
    [table] = _compare([this, first, first])
    assert [r[0] for r in table.rows] == ["Approval: Approved", "Adoption: Deferred", "Deferrals"]
    last = [FigureSection("Recommendations", [("Deferrals", "2"), ("New row", "1")])]  # nothing after it: the end
    [table] = _compare([this, before, last])
    assert [r[0] for r in table.rows] == ["Approval: Approved", "Review of approval: Deferred", "Deferrals",
                                          "New row"]


def test_a_part_quarter_is_named_with_its_days(db: Database, tmp_path: Path) -> None:
    manager = make_user(db, "mgr", Role.MANAGER)
    trend = quarterly(db, manager, D(2026, 12, 3))
    assert trend.quarters[-1] == "Q4 2026 (01/10–03/12)" and trend.quarters[-2] == "Q3 2026"
    whole = quarterly(db, manager, D(2026, 9, 30))
    assert whole.quarters[-1] == "Q3 2026"
    period = Period(D(2025, 12, 4), D(2026, 12, 3))
    data = build_report(db, manager, period, "annual", today=D(2026, 12, 3))
    assert data.quarters[-1] == "Q4 2026 (01/10–03/12)"
    assert write_report_docx(data, tmp_path / "r.docx").exists()  # the charts draw the long name on two lines
