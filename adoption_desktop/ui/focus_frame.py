"""A focus frame you can see: the control with the keyboard focus is drawn with a 2-pixel frame in the
palette's Highlight colour, under any style (Fusion drew a pale 1-pixel line round a text box and nothing a
user could find on a button, a drop-down, a tick box, a tab or a list's current cell, under High Contrast
too; accessibility trial, December 2026).

:class:`FocusFrameStyle` is a proxy over the style in use (Fusion, or Windows' own) that draws the frame
after the control: a button, a text box, a drop-down, a spin box or date box, and everything the style
marks with its focus rectangle (a tick box's text, a tab, a list's current cell). The colour is the
palette's Highlight where it stands out from what is behind it at 3:1 (WCAG 2.1, 1.4.11: non-text
contrast), else the text colour (a current cell on a selected row is drawn in the selected text's colour,
not Highlight on Highlight). :func:`install_focus_frame` puts it on the application, once.

A list's cell drawn through it keeps :data:`CELL_PADDING` round its text (``sizeFromContents``,
``subElementRect``), so the frame in the current cell is drawn outside the text, not over its top and its
descenders (Qt makes a list's row exactly as tall as its text).

**Lists and registers are not drawn through it** (:func:`cells_in_cpp`): a style written in Python is called
for every cell of every repaint, and made a register's repaint 1.7× slower (a 200-row table: 16.6 ms against
9.6 ms; overriding ``drawPrimitive`` alone, 1.5×), which would have undone the search-as-you-type goal
(issue 17: within 1.2× of a bare ``QTableView``). A list with the focus is shown instead by a frame round the
whole list (a ``QFocusFrame``, moved to the list that has the focus: one Python call per focus change and
per repaint of the frame, none per cell); its current row is the selected row.
"""

from __future__ import annotations

from typing import cast

import shiboken6
from PySide6.QtCore import QEvent, QMargins, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QRegion
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFocusFrame,
    QHeaderView,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionComplex,
    QStyleOptionFocusRect,
    QWidget,
)

from adoption_desktop.ui.palette import contrast_ratio

#: the frame's width in (logical) pixels
WIDTH = 2
#: WCAG 2.1 1.4.11: a focus indicator against what is next to it
NON_TEXT_CONTRAST = 3.0
#: the room a list's cell keeps above and below its text (and the extra pixel beside it) for the frame drawn
#: in the current cell: the pixel the frame is drawn in from the cell's edge, the frame, and a pixel between
#: it and the text. Qt makes a list's row as tall as its text, and the frame covered the text's top and its
#: descenders (My work's current line looked cut off; user trial, thirteenth release).
CELL_PADDING = 1 + WIDTH + 1

_S = QStyle.StateFlag
_P = QStyle.PrimitiveElement
_C = QStyle.ControlElement
_CC = QStyle.ComplexControl
_CT = QStyle.ContentsType
_SE = QStyle.SubElement
_ROLE = QPalette.ColorRole


def frame_colour(palette: QPalette, background: QColor) -> QColor:
    """Highlight if it reads at 3:1 against ``background``, else whichever of the text colours reads best."""
    highlight = palette.color(_ROLE.Highlight)
    if contrast_ratio(highlight, background) >= NON_TEXT_CONTRAST:
        return highlight
    return max((palette.color(_ROLE.Text), palette.color(_ROLE.HighlightedText), palette.color(_ROLE.WindowText)),
               key=lambda c: contrast_ratio(c, background))


def _draw(painter: QPainter, rect: QRect, colour: QColor, inset: int = 1) -> None:
    """The frame, ``inset`` pixels in from ``rect``: inside the control's own border line, over its face,
    so the whole frame changes colour when the focus comes (WCAG 2.4.13: against the unfocused state)."""
    rect = rect.adjusted(inset, inset, -inset, -inset)
    if rect.width() < 2 * WIDTH + 1 or rect.height() < 2 * WIDTH + 1:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    pen = QPen(colour, WIDTH)
    pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = WIDTH // 2
    painter.drawRect(rect.adjusted(half, half, -half, -half))
    painter.restore()


def _focused(option: QStyleOption) -> bool:
    return bool(option.state & _S.State_HasFocus) and bool(option.state & _S.State_Enabled)


class FocusFrameStyle(QProxyStyle):
    """The style in use, with the focus drawn as a 2-pixel frame in the palette's Highlight colour."""

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,  # noqa: N802
                      painter: QPainter, widget: QWidget | None = None) -> None:
        if element == _P.PE_FrameFocusRect:
            # a tick box's text, a tab, a list's current cell: the style's own (a dotted or pale line, or
            # nothing until a key was pressed) is replaced by the frame, on whatever is behind it
            background = option.backgroundColor if isinstance(option, QStyleOptionFocusRect) else QColor()
            if not background.isValid() or background.alpha() == 0:
                background = option.palette.color(_ROLE.Highlight if option.state & _S.State_Selected
                                                  else _ROLE.Base)
            # a pixel in from the cell's edge: apart from the grid line, not read as a gap in the row
            _draw(painter, option.rect, frame_colour(option.palette, background))
            return
        super().drawPrimitive(element, option, painter, widget)
        if element == _P.PE_PanelLineEdit and _focused(option) and not _inside_composite(widget):
            _draw(painter, option.rect, frame_colour(option.palette, option.palette.color(_ROLE.Base)))

    def drawControl(self, element: QStyle.ControlElement, option: QStyleOption, painter: QPainter,  # noqa: N802
                    widget: QWidget | None = None) -> None:
        if element == _C.CE_FocusFrame:
            # the frame round a list with the focus (_follow_focus): just outside the list's own border, and
            # on its border where there is no room outside it (a list at the window's edge)
            _draw(painter, _unclipped(option.rect, widget),
                  frame_colour(option.palette, option.palette.color(_ROLE.Window)), inset=0)
            return
        super().drawControl(element, option, painter, widget)
        if element == _C.CE_PushButton and _focused(option):
            _draw(painter, option.rect, frame_colour(option.palette, option.palette.color(_ROLE.Button)))
        elif element == _C.CE_TabBarTab and _focused(option) and option.state & _S.State_Selected:
            # the current tab of a tab bar with the focus (Left and Right move between the tabs)
            _draw(painter, option.rect, frame_colour(option.palette, option.palette.color(_ROLE.Window)))

    def sizeFromContents(self, kind: QStyle.ContentsType, option: QStyleOption, size: QSize,  # noqa: N802
                         widget: QWidget | None = None) -> QSize:
        size = super().sizeFromContents(kind, option, size, widget)  # type: ignore[arg-type]  # Qt takes None
        if kind == _CT.CT_ItemViewItem:
            # a list's cell (a row's height): room round the text for the frame, so it is drawn outside the text
            size = size.grownBy(QMargins(1, CELL_PADDING, 1, CELL_PADDING))
        return size

    def subElementRect(self, element: QStyle.SubElement, option: QStyleOption,  # noqa: N802
                       widget: QWidget | None = None) -> QRect:
        rect = super().subElementRect(element, option, widget)  # type: ignore[arg-type]  # Qt takes None
        if element == _SE.SE_ItemViewItemText and rect.width() > 2:
            # a pixel between the frame's inner edge and the text's first letter (the style's margin ends
            # exactly at the frame), taken from the pixel the cell was made wider by (sizeFromContents)
            rect = rect.adjusted(1, 0, -1, 0)
        return rect

    def drawComplexControl(self, control: QStyle.ComplexControl, option: QStyleOptionComplex,  # noqa: N802
                           painter: QPainter, widget: QWidget | None = None) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if control in (_CC.CC_ComboBox, _CC.CC_SpinBox) and _focused(option):
            _draw(painter, option.rect, frame_colour(option.palette, option.palette.color(_ROLE.Button)))


def _unclipped(rect: QRect, frame: QWidget | None) -> QRect:
    """The part of the list's frame that can be seen: a side cut off by the window (or the scroll area) it
    is in is drawn inside it, on the list's own border, rather than not at all."""
    if frame is None:
        return rect
    seen = frame.visibleRegion().boundingRect()
    return rect.intersected(seen) if not seen.isEmpty() else rect


class _AboveListStyle(FocusFrameStyle):
    """The style of the frame round a list alone: drawn above the list, in its window (Qt then places the
    frame in the window, or in the scroll area the list is in, not in the list's own parent: a list at the
    edge of a splitter's pane, such as the ADM queue, or of a tab's page had its frame cut off on three
    sides). Only the frame asks it, so no other control's painting calls Python for it."""

    def styleHint(self, hint: QStyle.StyleHint, option: QStyleOption | None = None,  # noqa: N802
                  widget: QWidget | None = None, returnData: object = None) -> int:  # noqa: N803
        if hint == QStyle.StyleHint.SH_FocusFrame_AboveWidget:
            return 1
        if hint == QStyle.StyleHint.SH_FocusFrame_Mask:
            return 0  # the frame's own (_ListFocusFrame): Qt's covers only the room outside the list
        return super().styleHint(hint, option, widget, returnData)  # type: ignore[arg-type]


class _ListFocusFrame(QFocusFrame):
    """The frame round the list with the focus, shown only in a ring 2 × :data:`WIDTH` wide round the list's
    edge: the room outside it, and the list's own border, where a side with no room outside is drawn."""

    def event(self, e: QEvent) -> bool:
        handled = super().event(e)
        if e.type() == QEvent.Type.Resize:
            ring = 2 * WIDTH
            whole = QRegion(self.rect())
            self.setMask(whole.subtracted(QRegion(self.rect().adjusted(ring, ring, -ring, -ring))))
        return handled


def _inside_composite(widget: QWidget | None) -> bool:
    """A combo box's or spin box's own text box: the control draws the frame round the whole of itself."""
    parent = widget.parentWidget() if widget is not None else None
    return isinstance(parent, QComboBox | QAbstractSpinBox)


def native_style_name() -> str:
    """The style the application's is built on (Fusion, or Windows' own)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    current = app.style()
    return (current.baseStyle() if isinstance(current, FocusFrameStyle) else current).name()


def cells_in_cpp(view: QAbstractItemView) -> None:
    """A list or register drawn by the style the application's is built on, as Qt draws it: its cells,
    column titles and scroll bars never call Python when they are painted (see the module's note: 1.7×
    slower through the focus frame's style). The style object is the list's own and goes with it (one
    shared by every list was deleted with the first list that went)."""
    style = QStyleFactory.create(native_style_name())
    style.setParent(view)
    for part in (view, *view.findChildren(QHeaderView), view.verticalScrollBar(), view.horizontalScrollBar()):
        part.setStyle(style)


def _list_of(widget: QWidget | None) -> QAbstractItemView | None:
    """The list ``widget`` is (or whose viewport it is), if it sits in a window with room round it."""
    if widget is not None and not isinstance(widget, QAbstractItemView):
        widget = widget.parentWidget() if isinstance(widget.parentWidget(), QAbstractItemView) else None
    if widget is None or widget.parentWidget() is None:
        return None  # not a list, or a list shown as a window of its own
    return cast(QAbstractItemView, widget)


def _follow_focus(_old: QWidget | None, new: QWidget | None) -> None:
    """The frame round the list that has the keyboard focus (one ``QFocusFrame``: Qt keeps it on the list as
    it moves or is resized, and lets clicks through; made again when the window it was in has gone)."""
    global _list_focus
    if _list_focus is not None and not shiboken6.isValid(_list_focus):
        _list_focus = None
    view = _list_of(new)
    if view is None:
        if _list_focus is not None and _list_focus.widget() is not None:
            _list_focus.setWidget(None)  # type: ignore[arg-type]  # Qt takes no widget: the frame hides
        return
    if _list_focus is None:
        _list_focus = _ListFocusFrame()
        _list_focus.setObjectName("list_focus_frame")
        style = _AboveListStyle(native_style_name())
        style.setParent(_list_focus)
        _list_focus.setStyle(style)
    if _list_focus.widget() is not view:
        _list_focus.setWidget(view)


_list_focus: QFocusFrame | None = None


def install_focus_frame() -> None:
    """Put :class:`FocusFrameStyle` over the application's style (once; the palette set on the application
    is kept), and the frame that follows the list with the focus (``_follow_focus``)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication) or isinstance(app.style(), FocusFrameStyle):
        return
    palette = QPalette(app.palette())
    app.setStyle(FocusFrameStyle(app.style().name()))
    app.setPalette(palette)
    app.focusChanged.connect(_follow_focus)
