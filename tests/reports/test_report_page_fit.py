"""The Reports page at the size the main window opens on a 1366×768 screen: every figure's name reads
whole, the value columns are as wide as they need; choosing a period counts it, typed dates make it Custom."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from docx import Document
from PySide6.QtCore import QDate, QRect, Qt

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports.views.page import CUSTOM, PRESETS, ReportsPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.geometry import default_rect
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.reports.test_report_fixes import _decision, _people

D = dt.date


def _page(db: Database, qtbot: Any) -> tuple[Any, ReportsPage]:
    from adoption_desktop.ui.main_window import MainWindow

    _people(db, make_user(db, "pa", Role.PANEL_ADMINISTRATOR))
    with db.session(make_user(db, "adm", Role.AGENCY_DECISION_MAKER)) as s:  # long per-type figure names
        # signed late with no reason: "reason recorded: no" in the table (never a reason's free text)
        _decision(s, "A1", D(2026, 5, 10), D(2026, 5, 1), due=D(2026, 3, 11))
    window = MainWindow(AppContext(db, make_user(db, "mgr", Role.MANAGER), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(default_rect(QRect(0, 0, 1366, 728)).size())  # 1366×768 less a 40-pixel taskbar
    window.show()
    page = window.open_target("reports")
    assert isinstance(page, ReportsPage)
    return window, page


def test_every_figure_name_reads_whole_at_1366x768(db: Database, qtbot: Any) -> None:
    window, page = _page(db, qtbot)
    page.start.setDate(QDate(2026, 4, 1))
    page.end.setDate(QDate(2026, 9, 30))
    page.run()
    qtbot.wait(1)
    tree = page.tree
    assert window.width() <= 1366 and tree.viewport().width() < window.width()
    metrics = tree.fontMetrics()
    names = []
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        assert top is not None
        names.append(top)
        names += [top.child(j) for j in range(top.childCount())]
    assert len(names) > 100
    cut = []
    for item in names:
        cell = tree.visualRect(tree.indexFromItem(item, 0))
        room = cell.width() - 8  # the cell less its margins
        if metrics.elidedText(item.text(0), Qt.TextElideMode.ElideRight, room) == item.text(0):
            continue
        # too long for one line: on two, each word whole, the row as tall as the lines
        lines = metrics.boundingRect(QRect(0, 0, room, 10_000), Qt.TextFlag.TextWordWrap, item.text(0))
        if lines.height() > cell.height() or lines.height() <= metrics.height():
            cut.append((item.text(0), metrics.horizontalAdvance(item.text(0)), room, lines.height(), cell.height()))
    assert cut == []
    # the value columns hold their heading and values, no more than a quarter of the table each
    for column in (1, 2, 3):
        assert tree.columnWidth(column) <= tree.viewport().width() // 4
    assert tree.columnWidth(0) > tree.columnWidth(1) + tree.columnWidth(2) + tree.columnWidth(3)
    assert all(item.toolTip(0).startswith(item.text(0)) for item in names)
    # a late decision's value says whether a reason was recorded, whole in its cell and its tooltip
    [late] = [i for i in names if i.text(1) == "reason recorded: no"]
    cell = tree.visualRect(tree.indexFromItem(late, 1))
    lines = metrics.boundingRect(QRect(0, 0, cell.width() - 8, 10_000), Qt.TextFlag.TextWordWrap, late.text(1))
    assert lines.height() <= cell.height() and late.toolTip(1) == late.text(1)


def test_choosing_a_period_counts_it_and_typed_dates_make_it_custom(db: Database, qtbot: Any,
                                                                    tmp_path: Path) -> None:
    _window, page = _page(db, qtbot)
    page.preset.setCurrentIndex(PRESETS.index("Last financial year"))  # counted at once
    start, end = page._range()
    assert (start.month, start.day, end.month, end.day) == (4, 1, 3, 31)
    assert page.sections_period == (start, end) and not page.stale
    assert page.tree.isColumnHidden(3)  # a year: the previous year once
    assert page.tree.headerItem().text(2).startswith("Previous year")
    assert page.tree.headerItem().text(1).startswith("This year")  # not "This period" beside a year
    assert page.trend is not None and page.trend.quarters[-1] == f"Q4 {end.year % 100 - 1:02d}/{end.year % 100:02d}"
    assert page.shown_label.text() == f"Figures for {start:%b %Y}–{end:%b %Y}."
    page.preset.setCurrentIndex(PRESETS.index("Last half year"))
    assert page.sections_period == page._range() and not page.tree.isColumnHidden(3)
    # a date typed by hand: Custom, and the table says its figures are for the dates counted before
    shown = page.sections_period
    page.start.setDate(QDate(2025, 1, 1))
    assert page.preset.currentText() == CUSTOM
    assert page.sections_period == shown and page.stale
    assert "not the dates above" in page.shown_label.text()
    # writing the report counts the table's figures for the report's dates too
    page.write_report_to(tmp_path / "report.docx", "six-monthly")
    assert not page.stale and page.sections_period == page._range() and page._range()[0] == D(2025, 1, 1)
    assert Document(str(tmp_path / "report.docx")).paragraphs[0].text.startswith("Six-monthly report: Jan 2025–")


def test_a_from_date_that_is_not_one_is_said_and_nothing_is_counted(db: Database, qtbot: Any, tmp_path: Path,
                                                                  monkeypatch: Any) -> None:
    """The review: with figures shown, 31/04/2025 typed in From then To changed gave "Unexpected problem"
    (the page read the field outside any check). Now the table says it is not for the dates above, and
    Run, Export and Write report name the field and count nothing."""
    from PySide6.QtWidgets import QMessageBox

    _window, page = _page(db, qtbot)
    page.preset.setCurrentIndex(PRESETS.index("Last financial year"))  # counted at once
    shown = page.sections_period
    assert shown is not None
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a: said.append(text))
    page.start.setFocus()
    page.start.lineEdit().selectAll()
    qtbot.keyClicks(page.start, "31/04/2025")
    qtbot.keyClick(page.start, Qt.Key.Key_Return)  # Enter reads what was typed
    assert page.start.lineEdit().text() == "31/04/2025", page.start.lineEdit().text()
    page.end.setDate(QDate(2025, 9, 30))
    assert page.stale and "not the dates above" in page.shown_label.text()
    page.run()
    page.export_to(tmp_path / "figures.csv")
    page.write_report_to(tmp_path / "report.docx", "six-monthly")
    assert len(said) == 3 and all("31/04/2025" in text for text in said), said
    assert page.sections_period == shown
    assert not (tmp_path / "figures.csv").exists() and not (tmp_path / "report.docx").exists()
