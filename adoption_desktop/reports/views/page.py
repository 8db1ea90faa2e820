"""Reports: every area's figures for a date range (six-monthly and annual reports), export to CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.reports import service
from adoption_desktop.reports.model import FigureSection
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.files import save_file_name
from adoption_desktop.ui.tasks import TaskHandle, run_with_progress


class ReportsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.sections: list[FigureSection] = []
        self.sections_period: tuple[dt.date, dt.date] | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Reports</h2><p>Figures for the agency's six-monthly and annual reports. "
                                "Counts only: no names leave this screen.</p>"))
        row = QHBoxLayout()
        self.preset = QComboBox()
        self.preset.addItems(["Last half year", "Last 12 months", "Last financial year", "Custom"])
        self.preset.currentIndexChanged.connect(self._apply_preset)
        self.start = QDateEdit()
        self.end = QDateEdit()
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        self.run_button = QPushButton("&Run")
        self.run_button.clicked.connect(self.run)
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.clicked.connect(self.export)
        for label, w in (("&Period", self.preset), ("Fro&m", self.start), ("&To", self.end)):
            lab = QLabel(label)
            lab.setBuddy(w)
            row.addWidget(lab)
            row.addWidget(w)
        row.addWidget(self.run_button)
        row.addWidget(self.export_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Figure", "Value"])
        self.tree.setColumnWidth(0, 460)
        layout.addWidget(self.tree, 1)
        self._apply_preset(0)

    def _apply_preset(self, index: int) -> None:
        today = dt.date.today()
        if index == 0:
            start, end = service.default_range(today)
        elif index == 1:
            start, end = today - dt.timedelta(days=365), today
        elif index == 2:
            year = today.year if today.month >= 4 else today.year - 1
            start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
        else:
            return
        self.start.setDate(QDate(start.year, start.month, start.day))
        self.end.setDate(QDate(end.year, end.month, end.day))

    def _range(self) -> tuple[dt.date, dt.date]:
        s, e = self.start.date(), self.end.date()
        return dt.date(s.year(), s.month(), s.day()), dt.date(e.year(), e.month(), e.day())

    def run(self) -> None:
        start, end = self._range()
        run_with_progress(self, self.ctx.tasks, "Counting…",
                          lambda task: service.collect(self.ctx.db, self.ctx.principal, start, end,
                                                       lambda d, t: task.progress(d, t)),
                          lambda sections: self.show_sections(sections, (start, end)),
                          lambda exc: show_error(self, "Reports", exc))

    def show_sections(self, sections: list[FigureSection],
                      period: tuple[dt.date, dt.date] | None = None) -> None:
        self.sections = sections
        self.sections_period = period or self._range()
        self.tree.clear()
        for section in sections:
            top = QTreeWidgetItem([section.title, ""])
            for label, value in section.rows:
                top.addChild(QTreeWidgetItem([label, value]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)

    def export(self) -> None:
        """Always the figures of the dates shown now: counted afresh in the background, then written."""
        path = save_file_name(self, "exports", "Export figures", "figures.csv", "CSV (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, out: Path) -> None:
        start, end = self._range()

        def work(task: TaskHandle) -> list[FigureSection]:
            sections = service.collect(self.ctx.db, self.ctx.principal, start, end,
                                       lambda d, t: task.progress(d, t))
            service.write_csv(self.ctx.db, self.ctx.principal, sections, start, end, out)
            return sections

        run_with_progress(self, self.ctx.tasks, "Exporting figures…", work,
                          lambda sections: self.show_sections(sections, (start, end)),
                          lambda exc: show_error(self, "Reports", exc))


def create_page(ctx: AppContext) -> QWidget:
    from PySide6.QtCore import QTimer

    page = ReportsPage(ctx)
    QTimer.singleShot(0, page.run)  # the default period's figures, counted in the background
    return page
