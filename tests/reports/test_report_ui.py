"""The Reports page's report and pack actions, the Reports menu, and the QPainter bar chart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document
from pypdf import PdfReader
from PySide6.QtGui import QColor, QImage, QPalette

from adoption_desktop import demo
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports.views.charts import BarChart
from adoption_desktop.reports.views.page import ReportsPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

D = dt.date


def test_bar_chart_paints_bars_and_the_threshold_from_the_palette(qtbot: Any) -> None:
    chart = BarChart("ADM median working days")
    qtbot.addWidget(chart)
    chart.resize(480, 240)
    pal = chart.palette()
    pal.setColor(QPalette.ColorRole.WindowText, QColor(200, 0, 0))
    chart.setPalette(pal)
    chart.set_data(["Q1", "Q2", "Q3"], [4, None, 9], threshold=7, threshold_label="Timescale 7 WD")
    assert chart.outside_threshold(9) and not chart.outside_threshold(4) and not chart.outside_threshold(None)
    assert "Q2: n/a" in chart.summary() and "Timescale 7 WD: 7" in chart.summary()
    assert chart.accessibleDescription() == chart.summary()
    image = QImage(chart.size(), QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    chart.render(image)
    red = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
              if image.pixelColor(x, y).red() > 150 and image.pixelColor(x, y).green() < 80)
    assert red > 200  # the bars, the hatching and the dashed line are drawn in the palette's text colour


def test_page_writes_the_report_and_the_pack_and_shows_the_charts(open_demo: Callable[..., Database], qtbot: Any,
                                                                   tmp_path: Path) -> None:
    db = open_demo(D(2026, 11, 23))
    officer = make_user(db, "pa", Role.PANEL_ADMINISTRATOR)
    ctx = AppContext(db, officer, TaskRunner(synchronous=True))
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.start.setDate(D(2026, 4, 1))
    page.end.setDate(D(2026, 9, 30))
    page.run()
    assert page.trend is not None and len(page.trend.quarters) == 8
    assert page.timeliness_chart.threshold == page.trend.adm_threshold_wd
    assert page.trend_chart.values == tuple(q.items for q in page.trend.figures)
    assert sum(page.trend_chart.values) > 0  # type: ignore[arg-type]
    page.write_report_to(tmp_path / "report", "annual")
    doc = Document(str(tmp_path / "report.docx"))
    assert doc.paragraphs[0].text.startswith("Annual report")
    assert page.pack_button.isVisibleTo(page)
    page.ofsted_pack_to(tmp_path / "pack.pdf", as_of=D(2026, 11, 23))
    assert len(PdfReader(str(tmp_path / "pack.pdf")).outline) >= 5
    assert ctx.status_messages[-2:] == [f"Report written to {tmp_path / 'report.docx'}",
                                        f"Ofsted pack written to {tmp_path / 'pack.pdf'}"]


def test_a_manager_sees_write_report_but_not_the_pack(open_demo: Callable[..., Database], qtbot: Any) -> None:
    from adoption_desktop.ui.main_window import MainWindow

    db = open_demo(D(2026, 11, 23))
    manager = authenticate(db, "manager", demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(db, manager, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Reports")
    actions = {a.text(): a.isEnabled() for a in menu.actions()}  # type: ignore[union-attr]
    assert actions == {"&Write report…": True, "&Ofsted pack…": False}
    page = window.open_target("reports")
    assert isinstance(page, ReportsPage) and not page.pack_button.isVisibleTo(page)


def _parts(chart: BarChart) -> Any:
    from PySide6.QtGui import QFontMetrics

    return chart.layout_parts(QFontMetrics(chart.font()), QFontMetrics(chart.font()).height())


def test_a_partial_quarters_dates_are_whole_and_the_timescale_strikes_no_value(qtbot: Any) -> None:
    """The Reports page's charts at 1366×768 (user trial, 7 December): the latest quarter's label, "Q4 2026
    (01/10–07/12)", was drawn one line wider than its bar's room and cut at both ends (")1/10–07/12"); the
    words "Timescale 7 WD" sat over that quarter's value, 6.5, the dashed line through it. Each line of a label
    now fits its bar's room, and the timescale's words cover no value and no bar."""
    from PySide6.QtGui import QFontMetrics

    chart = BarChart("ADM: median working days to decision (waiting for information not counted), by quarter")
    qtbot.addWidget(chart)
    chart.resize(555, 240)  # one of the two charts side by side at 1366×768
    quarters = ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025", "Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026 (01/10–07/12)"]
    chart.set_data(quarters, [3.5, 4.5, 4, 5, 5, 4, 4, 6.5], threshold=7, threshold_label="Timescale 7 WD",
                   notes=["89%", "90%", "100%", "88%", "84%", "93%", "84%", "77%"])
    fm = QFontMetrics(chart.font())
    at = _parts(chart)
    for label in at.labels:
        for line in label.split("\n"):
            assert fm.horizontalAdvance(line) <= at.slot - 4, (line, at.slot)
    assert at.labels[-1].replace("\n", " ").replace("– ", "–") == quarters[-1]  # every word kept, in order
    assert at.labels[0] == "Q1 2025"
    assert at.threshold_y is not None
    for value in at.values:
        assert not value.intersects(at.threshold_text), (value, at.threshold_text)
        assert not value.top() <= at.threshold_y <= value.bottom(), (value, at.threshold_y)  # not struck through
    for bar in at.bars:
        assert bar is not None and not bar.intersects(at.threshold_text)
    # a value well under the timescale leaves its words at the right, above the line, as before
    chart.set_data(quarters[:3], [1, 2, 2], threshold=7, threshold_label="Timescale 7 WD")
    at = _parts(chart)
    assert at.threshold_y is not None
    assert at.threshold_text.right() == at.right and at.threshold_text.bottom() <= at.threshold_y
