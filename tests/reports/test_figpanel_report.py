"""Issue 16's panel and ADM figures in the report (.docx read back with python-docx), on the Reports
page and in its CSV, and opened to the members or cases behind them."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from adoption_desktop.adm import more_information
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import appraisals, attendance, deferrals, makeup
from adoption_desktop.reports.periods import Period, last_year, previous
from adoption_desktop.reports.report_data import build_report
from adoption_desktop.reports.report_docx import write_report_docx
from tests.conftest import make_user

D = dt.date
TODAY = D(2026, 11, 23)
HALF = Period(D(2026, 4, 1), D(2026, 9, 30))
#: section -> the report chapter (Heading 1) it belongs to
WHERE = {
    deferrals.DEFERRALS: "Panel activity",
    makeup.MAKEUP: "Membership and training",
    makeup.MOVES: "Membership and training",
    attendance.ATTENDANCE: "Membership and training",
    appraisals.APPRAISALS: "Membership and training",
    more_information.MORE_INFORMATION: "ADM decisions and timeliness",
}


@pytest.fixture
def demo_db(open_demo: Callable[..., Database]) -> Database:
    return open_demo(TODAY)  # the small demo, made once per run (conftest)


def _located_tables(doc: Any) -> dict[str, tuple[str, list[list[str]]]]:
    """Heading 2 -> (its Heading 1, the table under it), in document order."""
    h1 = h2 = ""
    out: dict[str, tuple[str, list[list[str]]]] = {}
    for el in doc.element.body.iterchildren():
        if el.tag.endswith("}p"):
            p = Paragraph(el, doc)
            style = p.style.name if p.style is not None else ""
            if style == "Heading 1":
                h1, h2 = p.text, ""
            elif style == "Heading 2":
                h2 = p.text
        elif el.tag.endswith("}tbl") and h2 and h2 not in out:
            out[h2] = (h1, [[c.text for c in row.cells] for row in Table(el, doc).rows])
    return out


def test_new_tables_in_their_chapters_with_three_period_columns(demo_db: Database, tmp_path: Path) -> None:
    manager = make_user(demo_db, "mgr", Role.MANAGER)
    doc = Document(str(write_report_docx(build_report(demo_db, manager, HALF, "six-monthly", today=TODAY),
                                         tmp_path / "report.docx")))
    tables = _located_tables(doc)
    periods = (HALF, previous(HALF), last_year(HALF))
    for section, chapter in WHERE.items():
        assert section in tables, section
        h1, table = tables[section]
        assert h1 == chapter
        assert table[0] == ["Figure", "This period\nApr 2026–Sep 2026", "Previous period\nOct 2025–Mar 2026",
                            "Same period last year\nApr 2025–Sep 2025"]
        assert all(len(r) == 4 for r in table)
    # each column is that period's figure, counted by the module on its own
    module = {makeup.MAKEUP: makeup, attendance.ATTENDANCE: attendance, appraisals.APPRAISALS: appraisals}
    for section, label in ((makeup.MAKEUP, "Members on the central list"),
                           (attendance.ATTENDANCE, "Overall attendance (%)"),
                           (appraisals.APPRAISALS, "Appraisals due in the period")):
        row = next(r for r in tables[section][1] if r[0] == label)
        for value, p in zip(row[1:], periods, strict=True):
            [counted] = [s for s in module[section].figures(demo_db, manager, p.start, p.end) if s.title == section]
            assert value == dict(counted.rows)[label]
    made = {r[0]: r[1] for r in tables[makeup.MAKEUP][1]}
    assert int(made["Members on the central list"]) == 15 and made["Independent members"] == "9"
    assert sum(int(made[f"Ethnicity: {g}"]) for g in (
        "Asian, Asian British or Asian Welsh", "Black, Black British, Black Welsh, Caribbean or African",
        "Mixed or Multiple ethnic groups", "White", "Other ethnic group", "Prefers not to say", "Not recorded")) == 15
    deferred = {r[0]: r[1] for r in tables[deferrals.DEFERRALS][1]}
    assert int(deferred["Items deferred"]) == 6
    assert int(deferred["Back at panel with a recommendation"]) + int(
        deferred["Withdrawn after deferral (not back within 3 months)"]) == 6
    asked = {r[0]: r[1:] for r in tables[more_information.MORE_INFORMATION][1]}
    assert asked["Decisions where more information was asked for"][0] == "2"
    # every figure alone in its cell
    for section in WHERE:
        for row in tables[section][1][1:]:
            for cell in row[1:]:
                assert cell == "–" or cell == "n/a" or cell.replace(".", "", 1).isdigit(), (section, row)


def test_reports_page_csv_and_the_list_behind_a_figure(demo_db: Database, qtbot: Any, tmp_path: Path) -> None:
    from adoption_desktop.reports.views.page import ReportsPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    officer = make_user(demo_db, "pa", Role.PANEL_ADMINISTRATOR)
    page = ReportsPage(AppContext(demo_db, officer, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.start.setDate(HALF.start)
    page.end.setDate(HALF.end)
    out = tmp_path / "figures.csv"
    page.export_to(out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:7] == ["section", "figure", "value", "previous period", "same period last year", "from", "to"]
    mine = [r for r in rows[1:] if r[0] in WHERE]
    assert {r[0] for r in mine} == set(WHERE)
    assert all(len(r) == 11 and r[5:7] == ["2026-04-01", "2026-09-30"] for r in mine)
    assert ["Panel members' attendance at sittings", "Members invited to at least one sitting", "15"] in [
        r[:3] for r in mine]
    # Enter on a figure: the members behind it, as many as the figure says
    tree = page.tree
    top = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
               if tree.topLevelItem(i).text(0) == attendance.ATTENDANCE)  # type: ignore[union-attr]
    assert top is not None
    item = next(top.child(i) for i in range(top.childCount())
                if top.child(i).text(0) == "Members who attended every sitting they were invited to")
    page.open_figure(item, 1)
    dialog = page.behind_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.model.rowCount() == int(item.text(1))  # type: ignore[attr-defined]
    assert all("attended" in r.detail for r in dialog.model.rows())  # type: ignore[attr-defined]
    dialog.close()
    # a figure of another area that does not open: nothing happens
    activity = tree.topLevelItem(0)
    assert activity is not None and activity.text(0) == "Adoption panel: activity"
    page.behind_dialog = None
    page.open_figure(activity.child(0), 1)
    assert page.behind_dialog is None
