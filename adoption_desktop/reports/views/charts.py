"""A small bar chart painted with QPainter from the palette (no QtCharts: pyside6-essentials lacks it).

:class:`BarChart` shows one bar per label (quarters, periods …), each value written above its bar, and
optionally a dashed threshold line labelled in words. Bars on the wrong side of the threshold are solid,
the others hatched, so the chart reads in black and white and in any palette (dark mode, high contrast).
Reusable: the Reports page uses it for timeliness and trends, a manager's view can too.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


def _fmt(v: float) -> str:
    return f"{v:.0f}" if abs(v - round(v)) < 0.05 or abs(v) >= 100 else f"{v:.1f}"


class BarChart(QWidget):
    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.labels: tuple[str, ...] = ()
        self.values: tuple[float | None, ...] = ()
        self.notes: tuple[str, ...] = ()
        self.threshold: float | None = None
        self.threshold_label = ""
        self.higher_is_better = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(180)
        self._update_accessible()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(420, 220)

    def set_data(self, labels: Sequence[str], values: Sequence[float | None], *, threshold: float | None = None,
                 threshold_label: str = "", notes: Sequence[str] = (), higher_is_better: bool = False) -> None:
        if len(labels) != len(values):
            raise ValueError("a value for each label")
        self.labels, self.values, self.notes = tuple(labels), tuple(values), tuple(notes)
        self.threshold, self.threshold_label, self.higher_is_better = threshold, threshold_label, higher_is_better
        self._update_accessible()
        self.update()

    def outside_threshold(self, value: float | None) -> bool:
        if value is None or self.threshold is None:
            return False
        return value < self.threshold if self.higher_is_better else value > self.threshold

    def summary(self) -> str:
        """What the chart shows, in words (screen readers, tooltips, tests)."""
        parts = [f"{lab}: {'n/a' if v is None else _fmt(v)}" for lab, v in zip(self.labels, self.values,
                                                                               strict=True)]
        text = f"{self.title}. " + "; ".join(parts)
        if self.threshold is not None:
            text += f". {self.threshold_label or 'Threshold'}: {_fmt(self.threshold)}"
        return text

    def _update_accessible(self) -> None:
        self.setAccessibleName(self.title)
        self.setAccessibleDescription(self.summary())
        self.setToolTip(self.summary())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        pal = self.palette()
        ink = pal.color(QPalette.ColorRole.WindowText)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = p.fontMetrics()
        line = fm.height()
        bold = p.font()
        bold.setBold(True)
        p.setFont(bold)
        p.setPen(ink)
        # a long title wraps rather than being cut at the chart's edge (two charts side by side at 1366 px)
        wrap = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        title_height = p.fontMetrics().boundingRect(QRectF(6, 2, self.width() - 12, 10 * line).toRect(),
                                                    int(wrap), self.title).height()
        p.drawText(QRectF(6, 2, self.width() - 12, title_height + 4), wrap, self.title)
        p.setFont(self.font())
        top = title_height + line + 8
        left, right = 8.0, self.width() - 8.0
        n = max(len(self.values), 1)
        # a part of a quarter's name ("Q4 2026 (01/10–03/12)") goes on two lines when it is wider than its bar
        labels = [lab.replace(" (", "\n(", 1) if fm.horizontalAdvance(lab) > (right - left) / n - 4 else lab
                  for lab in self.labels]
        label_lines = max([lab.count("\n") + 1 for lab in labels] + [1])
        bottom = self.height() - line * (label_lines + (1 if self.notes else 0)) - 8
        known = [v for v in self.values if v is not None]
        peak = max(known + ([self.threshold * 1.2] if self.threshold else []) + [1.0])
        slot = (right - left) / n
        bar_w = slot * 0.6
        height = max(bottom - top, 10)
        for i, (label, v) in enumerate(zip(labels, self.values, strict=True)):
            cx = left + slot * i + slot / 2
            if v is None:
                p.setPen(ink)
                p.drawText(QRectF(cx - slot / 2, bottom - line - 2, slot, line), Qt.AlignmentFlag.AlignCenter,
                           "n/a")
            else:
                h = height * v / peak
                rect = QRectF(cx - bar_w / 2, bottom - h, bar_w, h)
                # solid: outside the threshold (or, without one, the latest bar); hatched: the others
                solid = self.outside_threshold(v) or (self.threshold is None and i == n - 1)
                style = Qt.BrushStyle.SolidPattern if solid else Qt.BrushStyle.BDiagPattern
                p.setPen(QPen(ink, 1))
                p.setBrush(QBrush(ink, style))
                p.drawRect(rect)
                p.drawText(QRectF(cx - slot / 2, bottom - h - line - 2, slot, line), Qt.AlignmentFlag.AlignCenter,
                           _fmt(v))
            p.setPen(ink)
            p.drawText(QRectF(cx - slot / 2, bottom + 2, slot, line * label_lines), Qt.AlignmentFlag.AlignHCenter
                       | Qt.AlignmentFlag.AlignTop, label)
            if self.notes:
                p.drawText(QRectF(cx - slot / 2, bottom + line * label_lines + 2, slot, line),
                           Qt.AlignmentFlag.AlignCenter, self.notes[i])
        p.setPen(QPen(ink, 1))
        p.drawLine(int(left), int(bottom), int(right), int(bottom))
        if self.threshold is not None:
            y = bottom - height * self.threshold / peak
            pen = QPen(ink, 2, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(int(left), int(y), int(right), int(y))
            p.setPen(ink)
            p.drawText(QRectF(left, y - line - 2, right - left, line), Qt.AlignmentFlag.AlignRight,
                       self.threshold_label or f"Threshold {_fmt(self.threshold)}")
        p.end()
