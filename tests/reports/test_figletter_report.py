"""The new sections (adopters' journey stages, e-mail facility use, direct contact, support for birth
parents) in the report read back with python-docx, on the Reports page with three period columns, in its
CSV, and opened to the cases behind a figure."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document
from PySide6.QtCore import Qt

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import adopter_figures
from adoption_desktop.letterbox import contact_figures, support_figures
from adoption_desktop.reports.periods import Period, last_year, previous
from adoption_desktop.reports.report_data import build_report
from adoption_desktop.reports.report_docx import write_report_docx
from adoption_desktop.reports.views.figure_cases import BehindDialog
from adoption_desktop.reports.views.page import ReportsPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

D = dt.date
TODAY = D(2026, 11, 23)
HALF = Period(D(2026, 4, 1), D(2026, 9, 30))
SECTIONS = {contact_figures.EMAIL: contact_figures, contact_figures.DIRECT: contact_figures,
            support_figures.SECTION: support_figures, adopter_figures.SECTION: adopter_figures}


def _expected(db: Database, actor: Any, title: str) -> list[dict[str, str]]:
    module = SECTIONS[title]
    out = []
    for p in (HALF, previous(HALF), last_year(HALF)):
        section = next(s for s in module.figures(db, actor, p.start, p.end) if s.title == title)
        out.append(dict(section.rows))
    return out


def test_report_shows_the_new_sections_with_three_periods(open_demo: Callable[..., Database], tmp_path: Path) -> None:
    db = open_demo(TODAY)
    manager = make_user(db, "mgr", Role.MANAGER)
    out = write_report_docx(build_report(db, manager, HALF, "six-monthly", today=TODAY), tmp_path / "r.docx")
    doc = Document(str(out))
    body = doc.element.body
    headings: list[tuple[str, str]] = []  # (style, text) in document order, tables as ("table", index)
    table_index = 0
    for el in body.iterchildren():
        if el.tag.endswith("}p"):
            style = el.pPr.pStyle.val if el.pPr is not None and el.pPr.pStyle is not None else ""
            text = "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t"))
            headings.append((style, text))
        elif el.tag.endswith("}tbl"):
            headings.append(("table", str(table_index)))
            table_index += 1
    level1 = [text for style, text in headings if style == "Heading1"]
    assert level1.index("Adopters' journey") < level1.index("Post box contact") \
        < level1.index("Support for birth parents") < level1.index("Birth-records counselling")
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    for title in SECTIONS:
        at = next(i for i, (style, text) in enumerate(headings) if style == "Heading2" and text == title)
        table = tables[int(headings[at + 1][1])]
        assert table[0][1].startswith("This period") and table[0][2].startswith("Previous period") \
            and table[0][3].startswith("Same period last year")
        expected = _expected(db, manager, title)
        rows = {r[0]: r[1:] for r in table[1:]}
        for label, value in expected[0].items():
            assert rows[label] == [value, expected[1].get(label, "–"), expected[2].get(label, "–")], (title, label)
        assert any(v not in ("0", "–") for v in expected[0].values())


def test_reports_page_three_columns_csv_and_the_cases_behind(open_demo: Callable[..., Database], qtbot: Any,
                                                             tmp_path: Path) -> None:
    db = open_demo(TODAY)
    admin = make_user(db, "boss", Role.ADMINISTRATOR)  # reports.view and letterbox.view
    page = ReportsPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.preset.setCurrentIndex(3)
    page.start.setDate(page.start.date().fromString("2026-04-01", "yyyy-MM-dd"))
    page.end.setDate(page.end.date().fromString("2026-09-30", "yyyy-MM-dd"))
    page.run()
    header = page.tree.headerItem()
    assert page.tree.columnCount() == 4 and header.text(2) == "Previous period\nOct 2025–Mar 2026"
    top = next(page.tree.topLevelItem(i) for i in range(page.tree.topLevelItemCount())
               if page.tree.topLevelItem(i).text(0) == support_figures.SECTION)
    row = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0) == support_figures.REFERRED)
    expected = _expected(db, admin, support_figures.SECTION)
    assert [row.text(c) for c in (1, 2, 3)] == [expected[k][support_figures.REFERRED] for k in range(3)]
    for column in (1, 2):
        dialog = page.open_figure(row, column)
        assert isinstance(dialog, BehindDialog)
        qtbot.addWidget(dialog)
        assert dialog.model.rowCount() == int(row.text(column)) > 0
        assert dialog.model.headerData(0, Qt.Orientation.Horizontal) == "Case reference"
    share = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0) == support_figures.SHARE)
    assert page.open_figure(share, 1) is None  # a share has no list of its own
    out = tmp_path / "figures.csv"
    page.export_to(out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0][:5] == ["section", "figure", "value", "previous period", "same period last year"]
    line = next(r for r in lines if r[0] == support_figures.SECTION and r[1] == support_figures.REFERRED)
    assert line[2:5] == [expected[0][support_figures.REFERRED], expected[1][support_figures.REFERRED],
                         expected[2][support_figures.REFERRED]]
    assert line[5:7] == ["2026-04-01", "2026-09-30"] and line[7:9] == ["2025-10-01", "2026-03-31"]

