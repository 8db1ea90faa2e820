"""Reports: every area's figures for a date range (six-monthly and annual reports), export to CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, ValidationError
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.wording import percent
from adoption_desktop.reports import service
from adoption_desktop.reports.model import FigureSection
from adoption_desktop.reports.periods import (
    Period,
    add_months,
    is_financial_year,
    kind_problem,
    period_problem,
    series_names,
)
from adoption_desktop.reports.report_data import QuarterlyTrend
from adoption_desktop.reports.views.charts import BarChart
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import DateEdit
from adoption_desktop.ui.dialogs import show_error
from adoption_desktop.ui.files import save_file_name
from adoption_desktop.ui.focus_frame import CELL_PADDING
from adoption_desktop.ui.tasks import TaskHandle, run_with_progress
from adoption_desktop.ui.wrap_row import WrapRow


class _Wrapped(QStyledItemDelegate):
    """A cell as tall as its lines at its column's width (QTreeView asks for a row's height without the
    column's width, so a wrapped name or a late decision's reason would otherwise be cut to one line)."""

    def __init__(self, tree: QTreeWidget) -> None:
        super().__init__(tree)
        self.tree = tree

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        depth = 1 + (1 if index.parent().isValid() else 0)  # the branch column's indentation per level
        room = self.tree.columnWidth(index.column()) - (depth * self.tree.indentation() if index.column() == 0
                                                         else 0) - 8
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if room <= 0 or not text:
            return hint
        lines = self.tree.fontMetrics().boundingRect(QRect(0, 0, room, 100_000), Qt.TextFlag.TextWordWrap, text)
        # room above and below the lines for the focus frame drawn in the current cell (as Qt's one line has)
        return QSize(hint.width(), max(hint.height(), lines.height() + 2 * CELL_PADDING))


#: values up to this many characters set a value column's width; longer ones (a reason given) wrap in it
SHORT_VALUE = 24
CUSTOM = "Custom"
PRESETS = ["Last half year", "Last 12 months", "Last financial year", CUSTOM]


class ReportsPage(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.sections: list[FigureSection] = []
        self.sections_period: tuple[dt.date, dt.date] | None = None
        self.compared: service.ComparedFigures | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Reports</h2><p>Figures for the agency's six-monthly and annual reports. "
                                "Counts only: no names leave this screen.</p>"))
        row = WrapRow()  # wraps onto a second line on a narrow screen instead of scrolling sideways
        self.preset = QComboBox()
        self.preset.addItems(PRESETS)
        self.preset.setToolTip("Choosing a period counts its figures; dates typed in From and To make it Custom")
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.start = DateEdit()
        self.end = DateEdit()
        self._presetting = False
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.dateChanged.connect(self._dates_edited)
        self.run_button = QPushButton("R&un")
        self.run_button.clicked.connect(self.run)
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.clicked.connect(self.export)
        self.report_button = QPushButton("&Write report…")
        self.report_button.setToolTip("The six-monthly or annual report as a Word document, with this period "
                                      "beside the previous one and the same period last year")
        self.report_button.clicked.connect(self.write_report)
        self.pack_button = QPushButton("Ofste&d pack…")
        self.pack_button.setToolTip("One PDF for inspectors: the last three sets of approved minutes, the central "
                                    "list, ADM timeliness and the year's figures")
        self.pack_button.clicked.connect(self.ofsted_pack)
        self.pack_button.setVisible(all(ctx.principal.can(p) for p in PACK_PERMISSIONS))
        for label, w in (("Pe&riod", self.preset), ("Fro&m", self.start), ("&To", self.end)):
            lab = QLabel(label)
            # kerned "To" was laid out 13 px wide and its "o" drawn under the date box ("Tc"): room to spare
            lab.setMinimumWidth(lab.fontMetrics().boundingRect(label.replace("&", "")).width() + 4)
            lab.setBuddy(w)
            row.addWidget(lab)
            row.addWidget(w)
        row.addWidget(self.run_button)
        row.addWidget(self.export_button)
        row.addWidget(self.report_button)
        row.addWidget(self.pack_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.shown_label = QLabel("")
        self.shown_label.setWordWrap(True)
        layout.addWidget(self.shown_label)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Figure", "This period", "Previous period", "Same period last year"])
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        # a figure's name longer than its column (a scorecard measure's "…: children within the threshold")
        # goes on to a second line rather than being cut
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        self.tree.setItemDelegate(_Wrapped(self.tree))
        self.tree.header().sectionResized.connect(self._column_resized)
        self.tree.setToolTip("Enter or a double-click on a figure lists the children, members or cases behind "
                             "it, for the period of the column")
        # named by its tooltip, a screen reader announced the whole sentence as the list's name
        self.tree.setAccessibleName("Figures")
        self.tree.setAccessibleDescription("Columns: Figure, This period, Previous period, Same period last year. "
                                           "Arrow keys move between figures; Enter lists the children, members or "
                                           "cases behind one.")
        self.tree.itemActivated.connect(self.open_figure)
        self.behind_dialog: QWidget | None = None
        layout.addWidget(self.tree, 1)
        charts = QHBoxLayout()
        self.timeliness_chart = BarChart("ADM: median working days to decision (waiting for information not counted), by quarter")
        self.trend_chart = BarChart("Panel items considered, by quarter")
        charts.addWidget(self.timeliness_chart)
        charts.addWidget(self.trend_chart)
        layout.addLayout(charts)
        key = QLabel("Bars over the dashed timescale are solid, within it hatched; under each quarter, the share of "
                     "ADM decisions made in time. The latest quarter's panel items are solid.")
        key.setWordWrap(True)
        layout.addWidget(key)
        self.trend: QuarterlyTrend | None = None
        #: the dates the chosen period (not Custom) was set to: re-applied when the date changes (``_new_day``)
        self._preset_dates: tuple[dt.date, dt.date] | None = None
        self._apply_preset(0)
        # a period such as "Last 12 months" ends today: left open past midnight, its dates follow the new day
        ctx.after_new_day.append(self._new_day)

        def forget(*_args: object) -> None:
            if self._new_day in ctx.after_new_day:
                ctx.after_new_day.remove(self._new_day)
        self.destroyed.connect(forget)

    def _new_day(self, _day: dt.date) -> None:
        """The date changed while the page was open (``ui.day_watch``): a period chosen from the list, whose
        From and To were not typed since, is set again for the new today ("Last 12 months" ends today, not
        yesterday); the line above the figures then says they are for the dates counted, until Run. From and
        To typed by hand (Custom) are kept."""
        index = self.preset.currentIndex()
        if self.preset.currentText() == CUSTOM or self._preset_dates is None:
            return
        try:
            if self._range() != self._preset_dates:  # changed without the page seeing it: the person's
                return
        except ValidationError:
            return
        self._apply_preset(index)

    def _preset_chosen(self, index: int) -> None:
        """A period chosen from the list: its dates, and its figures counted (in the background)."""
        if self._apply_preset(index):
            self.run()

    def _dates_edited(self) -> None:
        """From or To changed by hand: the period is Custom, and the table says its figures are for the
        dates counted last until Run counts the new ones."""
        if self._presetting:
            return
        if self.preset.currentText() != CUSTOM:
            self.preset.blockSignals(True)
            self.preset.setCurrentIndex(PRESETS.index(CUSTOM))
            self.preset.blockSignals(False)
        self._say_what_is_shown()

    @property
    def stale(self) -> bool:
        """The table shows figures for other dates than From and To."""
        if self.sections_period is None:
            return False
        try:
            return self.sections_period != self._range()
        except ValidationError:  # From or To is not a date yet: what is shown is not for it
            return True

    def _say_what_is_shown(self) -> None:
        if self.sections_period is None:
            self.shown_label.setText("")
            return
        shown = Period(*self.sections_period).label
        if self.stale:
            self.shown_label.setText(f"<b>The figures below are for {shown}, not the dates above.</b> "
                                     "Run counts them for the dates above.")
        else:
            self.shown_label.setText(f"Figures for {shown}.")

    def _apply_preset(self, index: int) -> bool:
        today = self.ctx.today()
        if index == 0:
            start, end = service.default_range(today)
        elif index == 1:
            start, end = add_months(today, -12) + dt.timedelta(days=1), today  # twelve months to the day
        elif index == 2:
            year = today.year if today.month >= 4 else today.year - 1
            start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
        else:
            return False
        self._presetting = True
        try:
            self.start.setDate(QDate(start.year, start.month, start.day))
            self.end.setDate(QDate(end.year, end.month, end.day))
        finally:
            self._presetting = False
        self._preset_dates = (start, end)
        self._say_what_is_shown()
        return True

    def _range(self) -> tuple[dt.date, dt.date]:
        """From and To; a ``ValidationError`` naming the field when either is not a date."""
        s, e = self.start.date(), self.end.date()
        return dt.date(s.year(), s.month(), s.day()), dt.date(e.year(), e.month(), e.day())

    def _checked_range(self, title: str) -> tuple[dt.date, dt.date] | None:
        """From and To, or ``None`` once the user is told which is not a date, or why they cannot be counted
        (the cursor put there). A To after today is brought back to today, and said: figures count what has
        happened (a trial's future period showed booked appointments as adults supported)."""
        try:
            start, end = self._range()
        except ValidationError as exc:
            show_error(self, title, exc)
            for edit in (self.start, self.end):
                if edit.problem():
                    edit.setFocus()
                    break
            return None
        today = self.ctx.today()
        problem = period_problem(Period(start, end), today)
        if problem:
            show_error(self, title, ValidationError(problem, "start"))
            (self.end if end < start else self.start).setFocus()
            return None
        if end > today:
            self.end.setDate(QDate(today.year, today.month, today.day))
            self.ctx.notify(f"To was after today: set to today ({today:%d/%m/%Y}); figures count what has happened.")
            end = today
        return start, end

    def run(self) -> None:
        if (checked := self._checked_range("Reports")) is None:
            return
        start, end = checked

        def work(task: TaskHandle) -> tuple[service.ComparedFigures, QuarterlyTrend]:
            from adoption_desktop.reports.report_data import quarterly

            compared = service.collect_compared(self.ctx.db, self.ctx.principal, start, end,
                                                lambda d, t: task.progress(d, t))
            return compared, quarterly(self.ctx.db, self.ctx.principal, end,
                                       financial=is_financial_year(Period(start, end)))

        def done(result: tuple[service.ComparedFigures, QuarterlyTrend]) -> None:
            self.show_compared(result[0])
            self.show_trend(result[1])

        run_with_progress(self, self.ctx.tasks, "Counting…", work, done, lambda exc: show_error(self, "Reports", exc))

    def show_trend(self, trend: QuarterlyTrend) -> None:
        self.trend = trend
        self.timeliness_chart.set_data(
            trend.quarters, [q.adm_median_wd for q in trend.figures], threshold=trend.adm_threshold_wd,
            threshold_label=f"Timescale {trend.adm_threshold_wd} WD",
            notes=["–" if q.adm_within_pct is None else percent(q.adm_within_pct) for q in trend.figures])
        self.trend_chart.set_data(trend.quarters, [q.items for q in trend.figures])

    def show_compared(self, compared: service.ComparedFigures) -> None:
        """Each section's figures for this period beside the previous one and the same period last year,
        every value in its own cell; a figure with a list behind it opens it (``reports.behind``)."""
        self.compared = compared
        self.sections = compared.sections
        self.sections_period = (compared.periods[0].start, compared.periods[0].end)
        self.tree.clear()
        names = series_names(compared.periods)
        self.tree.setHeaderLabels(["Figure", *(f"{name}\n{p.label}" for name, p in zip(
            names, compared.periods, strict=False))] + [""] * (3 - len(names)))
        self.tree.setColumnHidden(3, len(names) < 3)  # a year: the previous period is the same period last year
        for table in compared.tables:
            top = QTreeWidgetItem([table.title])
            top.setToolTip(0, table.title)
            for row in table.rows:
                child = QTreeWidgetItem(list(row))
                child.setData(0, Qt.ItemDataRole.UserRole, (table.title, row[0]))
                child.setToolTip(0, row[0] + ("\nEnter or double-click: the children or cases behind this figure"
                                              if self._opens(table.title, row[0]) else ""))
                for column in (1, 2, 3):
                    child.setToolTip(column, row[column])
                top.addChild(child)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)  # a section's heading reads across the table
            top.setExpanded(True)
        self._size_columns()
        self._say_what_is_shown()

    def _opens(self, section: str, label: str) -> bool:
        """Whether Enter on this figure lists what is behind it (for this person)."""
        from adoption_desktop.reports import drilldown
        from adoption_desktop.reports.behind import can_open, may_open

        if can_open(section, label):
            return may_open(self.ctx.principal, section)
        return drilldown.owner(section) is not None

    def _size_columns(self) -> None:
        """The value columns as wide as their heading and short values (a long value
        wraps within that width, and is whole in its tooltip), at most a quarter of the table; the
        figure's name takes the rest."""
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        metrics = self.tree.fontMetrics()
        head = header.fontMetrics()
        cap = max(120, self.tree.viewport().width() // 4)
        for column in (1, 2, 3):
            title = self.tree.headerItem().text(column)
            values = [self.tree.topLevelItem(i).child(j).text(column)  # type: ignore[union-attr]
                      for i in range(self.tree.topLevelItemCount())
                      for j in range(self.tree.topLevelItem(i).childCount())]  # type: ignore[union-attr]
            wanted = max([head.horizontalAdvance(line) for line in title.split("\n")] + [
                metrics.horizontalAdvance(v) for v in values if len(v) <= SHORT_VALUE])
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.tree.setColumnWidth(column, min(wanted + 16, cap))
        self.tree.doItemsLayout()

    def _column_resized(self, _column: int, _old: int, _new: int) -> None:
        self.tree.scheduleDelayedItemsLayout()  # text wraps at the new width: the rows' heights again

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.compared is not None:
            self._size_columns()

    def open_figure(self, item: QTreeWidgetItem, column: int = 1) -> QWidget | None:
        """The list behind the figure ``item`` for the period of ``column`` (the figure's own column: this
        period)."""
        from adoption_desktop.reports.behind import can_open, open_figure
        from adoption_desktop.reports.views.figure_cases import BehindDialog

        key = item.data(0, Qt.ItemDataRole.UserRole)
        if not key or self.compared is None:
            return None
        period = self.compared.periods[max(0, column - 1)]
        if not can_open(*key):  # the panel and ADM figures that open to members or cases (reports.drilldown)
            from adoption_desktop.reports.views.behind import open_behind

            self.behind_dialog = None
            value = item.text(max(1, column))
            if not open_behind(self, self.ctx, key[0], key[1], (period.start, period.end),
                               lambda d: setattr(self, "behind_dialog", d), value=value):
                # Enter on a figure with no list behind it said nothing (a trial's manager pressed it on
                # several and thought the page had stopped): say why
                # what matters first: a status bar too narrow for all of it (150 %) cuts the rest at a word,
                # whole in its tooltip (ui.status_bar)
                self.ctx.notify(f"“{key[1]}” has no list behind it (counted for the report only). Figures whose "
                                "tooltip says “Enter or double-click” open to the cases they count.")
            return self.behind_dialog
        try:
            behind = open_figure(self.ctx.db, self.ctx.principal, key[0], key[1], period.start, period.end)
        except AppError as exc:
            show_error(self, "Reports", exc)
            return None
        dialog = BehindDialog(behind, self)
        dialog.show()
        return dialog

    def export(self) -> None:
        """Always the figures of the dates shown now: counted afresh in the background, then written."""
        path = save_file_name(self, "exports", "Export figures", "figures.csv", "CSV (*.csv)")
        if path:
            self.export_to(Path(path))

    def export_to(self, out: Path) -> None:
        if (checked := self._checked_range("Export figures")) is None:
            return
        start, end = checked

        def work(task: TaskHandle) -> service.ComparedFigures:
            compared = service.collect_compared(self.ctx.db, self.ctx.principal, start, end,
                                                lambda d, t: task.progress(d, t))
            service.write_csv(self.ctx.db, self.ctx.principal, compared.sections, start, end, out, compared)
            return compared

        run_with_progress(self, self.ctx.tasks, "Exporting figures…", work, self.show_compared,
                          lambda exc: show_error(self, "Reports", exc))

    # --- the report document and the Ofsted pack ------------------------------------------------------
    def write_report(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        kinds = ["Six-monthly", "Annual"]
        if (checked := self._checked_range("Write report")) is None:
            return
        start, end = checked
        fitting = [n for n, k in enumerate(("six-monthly", "annual")) if not kind_problem(k, Period(start, end))]
        guess = fitting[0] if fitting else (1 if (end - start).days > 250 else 0)
        kind, ok = QInputDialog.getItem(self, "Write report", "&Kind of report:", kinds, guess, False)
        if not ok:
            return
        problem = kind_problem("annual" if kind == "Annual" else "six-monthly", Period(start, end), self.ctx.today())
        if problem:  # its title would say what it is not ("Annual report: 01/11/2026–02/12/2026")
            show_error(self, "Write report", ValidationError(problem, "end"))
            self.end.setFocus()
            return
        path = save_file_name(self, "reports", "Write report", f"{kind.lower()}-report-{end:%Y-%m}.docx",
                              "Word document (*.docx)")
        if path:
            self.write_report_to(Path(path), "annual" if kind == "Annual" else "six-monthly")

    def write_report_to(self, out: Path, kind: str) -> None:
        """The report for the dates shown now, built and written in the background."""
        from adoption_desktop.reports.report_data import build_report
        from adoption_desktop.reports.report_docx import export_report

        if (checked := self._checked_range("Write report")) is None:
            return
        start, end = checked
        if out.suffix.lower() != ".docx":
            out = out.with_suffix(".docx")
        if self.stale:  # the report is of the dates above: the table shows the same figures (in the background)
            self.run()

        def work(task: TaskHandle) -> Path:
            data = build_report(self.ctx.db, self.ctx.principal, Period(start, end), kind,
                                progress=lambda d, t: task.progress(d, t))
            return export_report(self.ctx.db, self.ctx.principal, data, out)

        run_with_progress(self, self.ctx.tasks, "Writing the report…", work,
                          lambda path: self._written(f"Report written to {path}"),
                          lambda exc: show_error(self, "Write report", exc))

    def ofsted_pack(self) -> None:
        path = save_file_name(self, "reports", "Ofsted pack", f"ofsted-pack-{dt.date.today():%Y-%m-%d}.pdf",
                              "PDF (*.pdf)")
        if path:
            self.ofsted_pack_to(Path(path))

    def ofsted_pack_to(self, out: Path, as_of: dt.date | None = None) -> None:
        """The pack as of ``as_of`` (default today), built in the background; a date after today is refused
        here, with nothing written (``write_ofsted_pack`` refuses it too)."""
        from adoption_desktop.reports.ofsted import as_of_problem, write_ofsted_pack

        if as_of is not None and (problem := as_of_problem(as_of)):
            show_error(self, "Ofsted pack", ValidationError(problem, "as_of"))
            return

        def work(task: TaskHandle) -> Path:
            return write_ofsted_pack(self.ctx.db, self.ctx.principal, out, as_of=as_of,
                                     progress=lambda d, t: task.progress(d, t)).path

        run_with_progress(self, self.ctx.tasks, "Building the Ofsted pack…", work,
                          lambda path: self._written(f"Ofsted pack written to {path}"),
                          lambda exc: show_error(self, "Ofsted pack", exc))

    def _written(self, message: str) -> None:
        self.ctx.notify(message)


PACK_PERMISSIONS = (Permission.ADM_VIEW, Permission.PANEL_VIEW, Permission.REPORTS_VIEW)


def create_page(ctx: AppContext) -> QWidget:
    from PySide6.QtCore import QTimer

    page = ReportsPage(ctx)
    QTimer.singleShot(0, page.run)  # the default period's figures, counted in the background
    return page
