"""The My work page: the first page after sign-in, one list of the signed-in user's work per role, and
for those who see the reports the timeliness of the four areas as small bar charts.

Data comes from :func:`adoption_desktop.reports.my_work.my_work` (no Qt). Arrows move, Enter (or a
double-click) opens the line's record on its own page, through that page's public API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from adoption_desktop.core.errors import AppError, PermissionDenied
from adoption_desktop.reports.my_work import (
    DUE,
    OK,
    OVERDUE,
    WAITING,
    AreaTimeliness,
    MyWork,
    WorkLine,
    my_work,
)
from adoption_desktop.ui.accessibility import MessageLine
from adoption_desktop.ui.autosave import not_shown_for_account
from adoption_desktop.ui.context import AppContext, CountsFromToday
from adoption_desktop.ui.dialogs import plain_error
from adoption_desktop.ui.palette import error_tint, tint

#: palette colours of the tones (the navigation's blue family, a muted red and amber)
TONE_COLOURS = {OVERDUE: "#B00020", DUE: "#8A5300", WAITING: "#2F5D7C", OK: "#3E7D4F"}  # 4.5:1 on white
TONE_WORDS = {OVERDUE: "overdue", DUE: "due", WAITING: "waiting", OK: "in hand"}
_LINE_ROLE = Qt.ItemDataRole.UserRole
#: what the page says, before why, when reading the list was refused for the account (``not_shown_for_account``)
NOT_SHOWN_LEAD = "Your work list is not shown"
#: what it says, before the problem, when the list could not be read again for another reason (it stays)
NOT_READ_AGAIN_LEAD = "Your work list could not be read again, so it is as it was before"
NOT_READ_LEAD = "Your work list could not be read"


class BarChart(QWidget):
    """One area's counts as horizontal bars drawn with QPainter (no chart library)."""

    def __init__(self, area: AreaTimeliness, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.area = area
        self.setObjectName(f"chart_{area.area}")
        self.setFixedHeight(32 + 22 * len(area.bars) + (18 if area.note else 0))
        text = "; ".join(f"{b.label} {b.value}" for b in area.bars)
        # the line under the bars ("Longest wait: 416 days") is read too: it was on screen only
        note = f". {area.note}" if area.note else ""
        self.setAccessibleName(f"{area.title}: {text}{note}")
        self.setToolTip(f"{area.title}\n" + "\n".join(f"{b.label}: {b.value}" for b in area.bars)
                        + (f"\n{area.note}" if area.note else ""))

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(300, self.minimumHeight())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.base())
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(pal.text().color())
        p.drawText(QRectF(8, 4, self.width() - 16, 20), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   self.area.title)
        p.setFont(self.font())
        top = 28.0
        label_w = 140.0
        biggest = max([b.value for b in self.area.bars] + [1])
        room = max(20.0, self.width() - label_w - 60)
        for bar in self.area.bars:
            p.setPen(pal.text().color())
            p.drawText(QRectF(8, top, label_w - 8, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       bar.label)
            width = room * bar.value / biggest
            p.fillRect(QRectF(label_w, top + 3, max(width, 2.0), 12), QColor(TONE_COLOURS[bar.tone]))
            p.drawText(QRectF(label_w + width + 6, top, 50, 18),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, str(bar.value))
            top += 22
        if self.area.note:
            p.setPen(pal.placeholderText().color())
            p.drawText(QRectF(8, top, self.width() - 16, 18),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.area.note)
        p.end()


class WorkList(QListWidget):
    """Arrows move between lines (section headings are skipped), Enter opens."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.itemActivated.emit(item)
            return
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
        if step is not None:
            row = self.currentRow() + step
            while 0 <= row < self.count():
                if self.item(row).data(_LINE_ROLE) is not None:
                    self.setCurrentRow(row)
                    return
                row += step
            return
        super().keyPressEvent(event)


class MyWorkPage(CountsFromToday, QWidget):
    def __init__(self, ctx: AppContext, today: dt.date | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("my_work_page")
        self.ctx = ctx
        self._today = today
        self.data: MyWork | None = None
        self._shown = False
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.heading.setFont(font)
        head.addWidget(self.heading, 1)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.clicked.connect(lambda: self.refresh(keep=self.current_line))
        head.addWidget(self.refresh_button)
        layout.addLayout(head)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.list = WorkList()
        self.list.setObjectName("my_work_list")
        self.list.setAccessibleName("My work")
        self.list.itemActivated.connect(self._activated)
        layout.addWidget(self.list, 3)
        self.charts_box = QWidget()
        self.charts = QGridLayout(self.charts_box)
        self.charts.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.charts_box)
        layout.addStretch(0)
        self.message = MessageLine()
        error_tint(self.message)  # white under High Contrast
        layout.addWidget(self.message)
        self.refresh()
        ctx.after_new_day.append(lambda _day: self.refresh(keep=self.current_line))

    # --- loading -----------------------------------------------------------------------------------
    def refresh(self, keep: WorkLine | None = None) -> None:
        """Read the list again and show it. Refused (the account disabled, or its roles or password changed
        since signing in, by an administrator perhaps on another PC): the lines read before are taken off the
        screen and the line above the list says why in the forms' words; another problem (the server out of
        reach) leaves them, saying they could not be read again. Never an error out of a showEvent (user trial ut21)."""
        self.heading.setText(f"My work — {self.ctx.principal.full_name}")
        try:
            data = my_work(self.ctx.db, self.ctx.principal, self.today)
        except PermissionDenied as exc:
            self._clear(not_shown_for_account(exc, NOT_SHOWN_LEAD))
            return
        except AppError as exc:
            lead = NOT_READ_AGAIN_LEAD if self.data is not None else NOT_READ_LEAD
            self._say_not_read(f"{lead}: {plain_error(exc)}")
            return
        self.summary.setStyleSheet("")  # read: the line above the list gives its counts again
        self.data = data
        self.list.clear()
        counts = {t: 0 for t in TONE_COLOURS}
        bold_font = QFont(self.list.font())
        bold_font.setBold(True)
        for section in data.sections:
            head = QListWidgetItem(f"{section.title} ({len(section.lines)})")
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: readable, never selected
            head.setFont(bold_font)
            self.list.addItem(head)
            if not section.lines:
                empty = QListWidgetItem(f"    {section.empty}")
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
                self.list.addItem(empty)
            for line in section.lines:
                counts[line.tone] += 1
                item = QListWidgetItem(f"    {line.title}" + (f" — {line.detail}" if line.detail else ""))
                item.setData(_LINE_ROLE, line)
                # the tone's colour where it reads at 4.5:1 on this palette (High Contrast: the text colour)
                item.setForeground(tint(TONE_COLOURS[line.tone], self.list) if line.tone in (OVERDUE, DUE) else
                                   self.list.palette().text().color())
                item.setToolTip(f"{TONE_WORDS[line.tone]}: Enter opens it")
                self.list.addItem(item)
        if data.timeliness:
            head = QListWidgetItem("Timeliness of all areas (below): the figures for a period are in Reports")
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.setFont(bold_font)
            self.list.addItem(head)
            figures = QListWidgetItem("    Reports — figures for a period")
            figures.setData(_LINE_ROLE, WorkLine("reports", "figures", 0, "Reports", "figures", OK))
            self.list.addItem(figures)
        self._drop_charts()
        for n, area in enumerate(data.timeliness):
            self.charts.addWidget(BarChart(area), n // 2, n % 2)
        self.charts_box.setVisible(bool(data.timeliness))
        # a short list leaves the room to the charts; a long one scrolls
        rows = self.list.count()
        self.list.setMaximumHeight(16777215 if rows > 12 or not data.timeliness else
                                   self.list.sizeHintForRow(0) * rows + 2 * self.list.frameWidth() + 6)
        lines = data.lines
        if lines:
            self.summary.setText(f"{len(lines)} thing{'s' if len(lines) != 1 else ''} to see to: "
                                 f"{counts[OVERDUE]} overdue, {counts[DUE]} due, {counts[WAITING]} waiting. "
                                 "Arrows move, Enter opens.")
        elif data.timeliness:
            self.summary.setText("The timeliness of panel, ADM, letterbox and counselling work (counts only).")
        else:
            self.summary.setText("Nothing is waiting for you.")
        if keep is None or not self._select(keep):
            self.select_first()

    def _clear(self, note: str) -> None:
        """No lines, charts or counts on screen, only ``note`` (why)."""
        self.data = None
        self.list.clear()
        self.list.setMaximumHeight(16777215)
        self._drop_charts()
        self.charts_box.setVisible(False)
        self._say_not_read(note)

    def _say_not_read(self, note: str) -> None:
        """``note`` on the line above the list, in red, where its counts are said (not under the list)."""
        error_tint(self.summary)
        self.summary.setText(note)

    def _drop_charts(self) -> None:
        while self.charts.count():
            taken = self.charts.takeAt(0)
            w = taken.widget() if taken is not None else None
            if w is not None:
                w.deleteLater()

    def _select(self, line: WorkLine) -> bool:
        for row in range(self.list.count()):
            other = self.list.item(row).data(_LINE_ROLE)
            if isinstance(other, WorkLine) and (other.kind, other.record_id) == (line.kind, line.record_id):
                self.list.setCurrentRow(row)
                return True
        return False

    def select_first(self) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(_LINE_ROLE) is not None:
                self.list.setCurrentRow(row)
                return

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._shown and not event.spontaneous():  # back from an area: what was done there is gone
            self.refresh(keep=self.current_line)
        self._shown = True
        self.list.setFocus()

    @property
    def current_line(self) -> WorkLine | None:
        item = self.list.currentItem()
        line = item.data(_LINE_ROLE) if item is not None else None
        return line if isinstance(line, WorkLine) else None

    # --- opening -----------------------------------------------------------------------------------
    def _activated(self, item: QListWidgetItem) -> None:
        line = item.data(_LINE_ROLE)
        if isinstance(line, WorkLine):
            self.open_line(line)

    def open_line(self, line: WorkLine) -> object:
        """Go to the line's page and open its record there; returns what was opened (a dialog or the page)."""
        from adoption_desktop.core.errors import AppError

        window = self.window()
        open_target = getattr(window, "open_target", None)
        if open_target is None:
            return None
        page = open_target(line.area)
        if page is None:
            self.message.setText("Your roles do not include that area.")
            return None
        self.message.clear()
        try:
            return open_record(page, line)
        except AppError as exc:
            self.message.setText(str(exc))
            return None


def open_record(page: Any, line: WorkLine) -> object:
    """Open ``line``'s record on its area's page (the pages' own APIs)."""
    if line.kind.startswith("draft_"):
        return _open_draft(page, line)
    if line.kind == "decision":
        if not page.select_decision(line.record_id):
            page._select_after_load = line.record_id  # the queue is still loading: select it when it arrives
        return page
    if line.kind in ("minutes", "sitting"):
        sitting = line.parent_id if line.kind == "minutes" else line.record_id
        page.tabs.setCurrentIndex(0)
        page.reload(select_sitting=sitting)
        if line.kind == "minutes":
            page._load_detail(keep_item=line.record_id)
            page.detail_tabs.setCurrentWidget(page.minutes)
        return page
    if line.kind == "item":
        return page.open_existing_item(line.record_id)
    if line.kind == "exchange":
        return page.open_arrangement_dialog(line.record_id, modal=False)
    if line.kind == "case":
        return page.open_case(line.record_id)
    if line.kind in ("agency_profile", "users"):  # setting up a new agency: the Administration tab to do it on
        tab = getattr(page, "profile" if line.kind == "agency_profile" else "users", None)
        if tab is not None:
            page.setCurrentWidget(tab)
    return page


def _open_draft(page: Any, line: WorkLine) -> object:
    """Open the record a draft kept from earlier is of, in the form that offers the draft back (a line of
    ``reports.my_work._kept_drafts``: kind ``draft_`` and what it is a draft of)."""
    kind = line.kind.removeprefix("draft_")
    if kind in ("case", "decision", "item"):
        return open_record(page, WorkLine(line.area, kind, line.record_id, line.title, line.detail, line.tone))
    if kind == "arrangement":
        return page.open_arrangement_dialog(line.record_id or None, modal=False)
    if kind == "new_referral":
        return page.new_referral()
    if kind in ("new_item", "corrected_item") and line.parent_id is not None:
        from adoption_desktop.letterbox import service

        reference = service.get_arrangement(page.ctx.db, page.ctx.principal, line.parent_id,
                                            today=page.today).data.reference
        previous = line.record_id if kind == "corrected_item" else None
        return page.open_item_dialog(line.parent_id, reference, previous_item_id=previous)
    return page


def create_page(ctx: AppContext) -> QWidget:
    return MyWorkPage(ctx)
