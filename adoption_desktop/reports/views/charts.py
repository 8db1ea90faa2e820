"""A small bar chart painted with QPainter from the palette (no QtCharts: pyside6-essentials lacks it).

:class:`BarChart` shows one bar per label (quarters, periods …), each value written above its bar, and
optionally a dashed threshold line labelled in words. Bars on the wrong side of the threshold are solid,
the others hatched, so the chart reads in black and white and in any palette (dark mode, high contrast).
Reusable: the Reports page uses it for timeliness and trends, a manager's view can too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen
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

    def layout_parts(self, fm: QFontMetrics, title_height: int) -> ChartLayout:
        """Where everything goes at the chart's size (no painting: the tests read it). Each label is wrapped
        to its bar's slot, at a space or after a dash ("Q4 2026 (01/10–07/12)" on three lines in a narrow
        slot): drawn in one line wider than the slot, the partial quarter's dates were cut at both ends,
        ")1/10–07/12" (user trial at 1366×768, 7 December). The threshold's words go where they cover no
        value and no bar: above its line at the right, else at the left, else below it (right-aligned above
        the line they covered the latest quarter's "6.5"); a value the dashed line would strike through is
        put just above the line."""
        line = fm.height()
        left, right = 8.0, self.width() - 8.0
        n = max(len(self.values), 1)
        slot = (right - left) / n
        labels = tuple(wrap_label(fm, lab, slot - 4) for lab in self.labels)
        label_lines = max([lab.count("\n") + 1 for lab in labels] + [1])
        top = title_height + line + 8
        bottom = self.height() - line * (label_lines + (1 if self.notes else 0)) - 8
        known = [v for v in self.values if v is not None]
        peak = max(known + ([self.threshold * 1.2] if self.threshold else []) + [1.0])
        bar_w = slot * 0.6
        height = max(bottom - top, 10)
        bars: list[QRectF | None] = []
        values: list[QRectF] = []
        for i, v in enumerate(self.values):
            cx = left + slot * i + slot / 2
            if v is None:
                bars.append(None)
                values.append(QRectF(cx - slot / 2, bottom - line - 2, slot, line))
                continue
            h = height * v / peak
            bars.append(QRectF(cx - bar_w / 2, bottom - h, bar_w, h))
            text = fm.horizontalAdvance(_fmt(v))
            values.append(QRectF(cx - text / 2, bottom - h - line - 2, text, line))
        threshold_y = None if self.threshold is None else bottom - height * self.threshold / peak
        if threshold_y is not None:  # a value the dashed line would run through goes just above the line
            for i, value in enumerate(values):
                if value.top() - 1 <= threshold_y <= value.bottom() + 1 and self.values[i] is not None:
                    values[i] = value.translated(0, threshold_y - 3 - value.bottom())
        threshold_text = QRectF()
        if threshold_y is not None:
            words = self.threshold_label or f"Threshold {_fmt(self.threshold or 0)}"
            width = min(fm.horizontalAdvance(words) + 2, right - left)
            taken = [r for r in values] + [b for b in bars if b is not None]
            above, below = threshold_y - line - 2, threshold_y + 3
            candidates = [QRectF(right - width, above, width, line), QRectF(left, above, width, line),
                          QRectF(right - width, below, width, line), QRectF(left, below, width, line)]
            threshold_text = next((c for c in candidates if not any(c.intersects(t) for t in taken)),
                                  candidates[0])
        return ChartLayout(left, right, slot, top, bottom, labels, label_lines, tuple(bars), tuple(values),
                           threshold_y, threshold_text)

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
        at = self.layout_parts(fm, title_height)
        n = max(len(self.values), 1)
        for i, (label, v) in enumerate(zip(at.labels, self.values, strict=True)):
            cx = at.left + at.slot * i + at.slot / 2
            bar = at.bars[i]
            if v is None or bar is None:
                p.setPen(ink)
                p.drawText(at.values[i], Qt.AlignmentFlag.AlignCenter, "n/a")
            else:
                # solid: outside the threshold (or, without one, the latest bar); hatched: the others
                solid = self.outside_threshold(v) or (self.threshold is None and i == n - 1)
                style = Qt.BrushStyle.SolidPattern if solid else Qt.BrushStyle.BDiagPattern
                p.setPen(QPen(ink, 1))
                p.setBrush(QBrush(ink, style))
                p.drawRect(bar)
                p.drawText(at.values[i], Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextDontClip, _fmt(v))
            p.setPen(ink)
            p.drawText(QRectF(cx - at.slot / 2, at.bottom + 2, at.slot, line * at.label_lines),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
            if self.notes:
                p.drawText(QRectF(cx - at.slot / 2, at.bottom + line * at.label_lines + 2, at.slot, line),
                           Qt.AlignmentFlag.AlignCenter, self.notes[i])
        p.setPen(QPen(ink, 1))
        p.drawLine(int(at.left), int(at.bottom), int(at.right), int(at.bottom))
        if at.threshold_y is not None:
            pen = QPen(ink, 2, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(int(at.left), int(at.threshold_y), int(at.right), int(at.threshold_y))
            p.setPen(ink)
            p.drawText(at.threshold_text, Qt.AlignmentFlag.AlignRight,
                       self.threshold_label or f"Threshold {_fmt(self.threshold or 0)}")
        p.end()


@dataclass(frozen=True)
class ChartLayout:
    """Where :class:`BarChart` draws its parts, in the widget's coordinates."""

    left: float
    right: float
    slot: float                          # each bar's share of the width
    top: float
    bottom: float                        # the base line
    labels: tuple[str, ...]              # each label, wrapped to its slot ("\n" between lines)
    label_lines: int
    bars: tuple[QRectF | None, ...]      # None: no value (n/a)
    values: tuple[QRectF, ...]           # each value's words above its bar (n/a: on the base line)
    threshold_y: float | None
    threshold_text: QRectF               # the threshold's words


def wrap_label(fm: QFontMetrics, label: str, room: float) -> str:
    """``label`` in lines no wider than ``room`` where it can be: broken at a space, or after a dash
    (``–``, as in a date range), in as few lines as that allows. A word wider than ``room``
    on its own stays whole on its line."""
    if fm.horizontalAdvance(label) <= room:
        return label
    pieces = re.findall(r"[^\s–]+–?|–", label)
    lines: list[str] = []
    for piece in pieces:
        if lines:
            joined = lines[-1] + ("" if lines[-1].endswith("–") else " ") + piece
            if fm.horizontalAdvance(joined) <= room:
                lines[-1] = joined
                continue
        lines.append(piece)
    return "\n".join(lines)
