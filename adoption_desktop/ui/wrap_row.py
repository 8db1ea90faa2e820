"""A row of controls that wraps onto a second line when the page is too narrow for it, instead of scrolling
the page sideways.

:class:`WrapRow` is used where a page had a ``QHBoxLayout`` of a search box, filters and buttons. It takes the
same calls (``addWidget(w, stretch)``, ``addLayout``, ``addStretch``, ``addSpacing``) and, with room for the
whole row, lays it out as that row did: the items at their preferred widths, the extra room to the items
with a stretch (else to those that expand, a search box), squeezed towards their minimum widths before
anything wraps. Only when the items cannot fit at their minimum widths does the row wrap (a 1366×768 screen at
150 % scaling: a page of 670 logical pixels), each line then holding what fits at the preferred widths. A label is kept on the line of the
control that follows it ("Type:" beside its list), and a stretch or spacing at the start or end of a line is
dropped. The row's minimum width is its widest item, so the page it is on can be that narrow; its minimum
height is that of the lines at its present width. It does not report a height for width: a page in a scroll
area (``fit.scrolling``) whose layout does is given its *preferred* height, and scrolled up and down at 100 %
where it used to fit by squeezing its tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QLabel, QLayout, QLayoutItem, QSizePolicy, QSpacerItem, QStyle, QWidget

#: Qt's "no maximum" (QWIDGETSIZE_MAX)
_NO_MAX = (1 << 24) - 1


@dataclass
class _Unit:
    """Items placed on one line together: a label and the control it names, or a single item."""

    items: list[QLayoutItem]
    spacer: bool

    def width(self, which: str, spacing: int) -> int:
        sizes = [_size(item, which).width() for item in self.items]
        return sum(sizes) + spacing * (len(sizes) - 1)


def _size(item: QLayoutItem, which: str) -> QSize:
    if which == "min":
        return item.minimumSize()
    if which == "max":
        return item.maximumSize()
    return item.sizeHint().expandedTo(item.minimumSize())


class WrapRow(QLayout):
    """A horizontal row of controls that wraps onto further lines when it must (see the module's note)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: dict[int, int] = {}  # id(item) → stretch factor
        self._last_width = -1
        self._asked = -1  # the height of lines the page was last asked to make room for (:meth:`setGeometry`)

    # --- what a QHBoxLayout offers ---------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)
        self.invalidate()

    def addWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802
        super().addWidget(widget)
        if stretch and self._items:
            self._stretch[id(self._items[-1])] = stretch

    def addLayout(self, layout: QLayout, stretch: int = 0) -> None:  # noqa: N802
        self.addChildLayout(layout)
        self.addItem(layout)
        if stretch:
            self._stretch[id(layout)] = stretch

    def addStretch(self, stretch: int = 0) -> None:  # noqa: N802
        spacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.addItem(spacer)
        self._stretch[id(spacer)] = stretch

    def addSpacing(self, size: int) -> None:  # noqa: N802
        self.addItem(QSpacerItem(size, 0, QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._stretch.pop(id(item), None)
        self.invalidate()
        return item

    # --- sizes -----------------------------------------------------------------------------------------

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation.Horizontal

    def lines_height(self, width: int) -> int:
        """The height the lines take at ``width``."""
        return self._place(QRect(0, 0, width, 0), move=False)

    def sizeHint(self) -> QSize:  # noqa: N802
        """All on one line, at their preferred widths (as the QHBoxLayout it replaces)."""
        spacing = self.gap()
        units = [u for u in self._units() if not u.spacer or u.width("hint", spacing) > 0]
        width = sum(u.width("hint", spacing) for u in units) + spacing * max(0, len(units) - 1)
        height = max((_size(i, "hint").height() for u in units for i in u.items), default=0)
        hint = QSize(width, height) + self._margin_size()
        if self._last_width > 0:  # as high as the lines need at the width last given: a box layout gives an
            # item its hint, not its minimum, when there is room (the second line was left under the tabs)
            hint.setHeight(max(hint.height(), self.lines_height(self._last_width)))
        return hint

    def minimumSize(self) -> QSize:  # noqa: N802
        """As narrow as the widest item (a label with its control); as high as the lines need at the width
        last given (one line before it is first placed)."""
        spacing = self.gap()
        width = max((u.width("min", spacing) for u in self._units() if not u.spacer), default=0)
        margins = self._margin_size()
        if self._last_width > 0:
            return QSize(width + margins.width(), self.lines_height(max(self._last_width, width)))
        height = max((_size(i, "min").height() for u in self._units() for i in u.items), default=0)
        return QSize(width, height) + margins

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._last_width = rect.width()
        height = self._place(rect, move=True)
        # the lines need another height than the page gave them (more or fewer lines; at the first placing too:
        # a row that needed two lines at once was left one line high, its second line under the tabs below):
        # the page lays itself out again, asking minimumSize at this width; once per height asked until it is
        # given, so a page that cannot give it is not asked again and again
        if height == rect.height():
            # given what it needs: a later need is asked for again, even of a height asked before (narrowed,
            # widened and narrowed again, the second line was left one line high, its buttons over the row below)
            self._asked = -1
        elif height != self._asked:
            self._asked = height
            QTimer.singleShot(0, self._relayout)

    def _relayout(self) -> None:
        """The row's height changed: every layout above it forgets its cached sizes (a box layout keeps them
        until it is itself invalidated, so invalidating the row alone left the page one line high), and the
        page asks for its new minimum size."""
        import shiboken6

        if not shiboken6.isValid(self):
            return
        layout: object = self
        while isinstance(layout, QLayout):
            layout.invalidate()
            layout = layout.parent()
        widget = self.parentWidget()
        if widget is not None:
            widget.updateGeometry()

    # --- placing ---------------------------------------------------------------------------------------

    def gap(self) -> int:
        """The space between items and between lines: this row's spacing, else its parent layout's, else the
        style's (what a QHBoxLayout in the same place would use)."""
        own = self.spacing()
        if own >= 0:
            return own
        parent = self.parent()
        if isinstance(parent, QLayout) and parent.spacing() >= 0:
            return parent.spacing()
        widget = self.parentWidget()
        if widget is not None:
            metric = widget.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing, None, widget)
            if metric >= 0:
                return metric
        return 6

    def _margin_size(self) -> QSize:
        m = self.contentsMargins()
        return QSize(m.left() + m.right(), m.top() + m.bottom())

    def _units(self) -> list[_Unit]:
        units: list[_Unit] = []
        glue = False
        for item in self._items:
            if item.spacerItem() is not None:
                units.append(_Unit([item], spacer=True))
                glue = False
                continue
            if item.isEmpty():  # a hidden control
                continue
            if glue and units and not units[-1].spacer:
                units[-1].items.append(item)
            else:
                units.append(_Unit([item], spacer=False))
            widget = item.widget()
            # a caption stays with what it names ("Type:" and its list); a wrapping note does not
            glue = isinstance(widget, QLabel) and not widget.wordWrap()
        return units

    def _lines(self, width: int, spacing: int) -> list[list[_Unit]]:
        """One line while the items fit on it at their minimum widths (as the QHBoxLayout it replaces);
        otherwise as many on each line as fit at their preferred widths, so nothing wrapped is squeezed too.
        A stretch or spacing never starts or ends a line."""
        units = self._units()
        if sum(u.width("min", spacing) for u in units) + spacing * max(0, len(units) - 1) <= width:
            return [units] if units else []
        lines: list[list[_Unit]] = [[]]
        used = 0
        for unit in units:
            need = unit.width("hint", spacing)
            line = lines[-1]
            if unit.spacer:
                if line:
                    line.append(unit)
                    used += need + spacing
                continue
            if any(not u.spacer for u in line) and used + need > width:
                while line and line[-1].spacer:
                    line.pop()
                lines.append([unit])
                used = need + spacing
            else:
                line.append(unit)
                used += need + spacing
        for line in lines:
            while line and line[-1].spacer:
                line.pop()
        return [line for line in lines if line]

    def _place(self, rect: QRect, *, move: bool) -> int:
        """Lay the items out in ``rect`` (or only measure): returns the height the lines take."""
        margins = self.contentsMargins()
        inner = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        spacing = self.gap()
        y = inner.y()
        lines = self._lines(inner.width(), spacing)
        for number, line in enumerate(lines):
            items = [item for unit in line for item in unit.items]
            widths = self._widths(items, inner.width() - spacing * (len(items) - 1))
            height = max(_size(item, "hint").height() for item in items)
            if number:
                y += spacing
            if move:
                x = inner.x()
                for item, item_width in zip(items, widths, strict=True):
                    item_height = min(height, item.maximumSize().height())
                    item.setGeometry(QRect(x, y + (height - item_height) // 2, item_width, item_height))
                    x += item_width + spacing
            y += height
        return y - inner.y() + margins.top() + margins.bottom()

    def _widths(self, items: list[QLayoutItem], room: int) -> list[int]:
        """Each item's width on a line of ``room`` pixels (less the spacing): preferred widths, the extra to the
        stretching items (else the expanding ones); squeezed towards the minimums when the line is short."""
        hints = [_size(item, "hint").width() for item in items]
        minimums = [_size(item, "min").width() for item in items]
        maximums = [min(_size(item, "max").width(), _NO_MAX) for item in items]
        total = sum(hints)
        if total > room:
            slack = sum(h - m for h, m in zip(hints, minimums, strict=True))
            deficit = min(total - room, slack)
            if slack <= 0:
                return minimums
            widths = [h - deficit * (h - m) // slack for h, m in zip(hints, minimums, strict=True)]
            return widths
        widths = list(hints)
        weights = [self._stretch.get(id(item), 0) for item in items]
        if not any(weights):
            weights = [1 if item.expandingDirections() & Qt.Orientation.Horizontal else 0 for item in items]
        extra = room - total
        while extra > 0 and any(weights):
            growing = [i for i, w in enumerate(weights) if w and widths[i] < maximums[i]]
            if not growing:
                break
            share = sum(weights[i] for i in growing)
            given = 0
            for i in growing:
                add = min(extra * weights[i] // share, maximums[i] - widths[i])
                widths[i] += add
                given += add
            if given == 0:  # the last few pixels to the first that can take them
                widths[growing[0]] += min(extra, maximums[growing[0]] - widths[growing[0]])
                break
            extra -= given
        return widths
