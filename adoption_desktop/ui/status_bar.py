"""The main window's status bar: a message longer than the room left of the database's name is cut at the end
of a phrase or word with "…" (``fit.elide_words``), its whole text in the status bar's tooltip and accessible
description; it is said whole to a screen reader when it is shown (``MainWindow``: the status bar's
``messageChanged``). Qt's own status bar clipped a long message mid-letter at the database's name, and at 150 %
the end of "“Decisions signed late” has no list behind it: …" on Reports was lost (user trial, thirteenth
release).

``currentMessage()`` and ``messageChanged`` keep the whole text; only the painting is cut, so every caller
(``showMessage`` from Python, a menu's status tip from Qt) is served alike. A message that fits is painted by Qt.

The database's path (``PathLabel``) takes what it needs up to a third of the bar (``PATH_SHARE``), its folders
shortened in the middle with "…" and the file's name kept whole, the whole path in its tooltip and accessible
description: at 150 % on a 1366×768 screen a database in a shared folder took about half the bar, every message
cut to the other half, and its width held the window wider than the screen (fourteenth release).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRect, QSize
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

# Before the first paint (issue 17, tests/ui/test_start_up_paints_first.py) this module does not load what PySide
# builds Python enums for on first use, ~1 ms each: QStyle's (importing QStyle, QStyleOption or QSizeGrip built
# eleven), an event class's (as its first event reaches a Python event filter), Qt's namespace or ``html``.

#: what of a permanent widget changes the room left for the message: ``QEvent.Type``'s Move, Resize, Show, Hide
_MOVED = frozenset((13, 14, 17, 18))
#: the most of the status bar's width the database's path may take: the rest is the messages'
PATH_SHARE = 1 / 3


def elide_path(path: str, metrics: QFontMetrics, room: int) -> str:
    """``path`` as it fits in ``room`` pixels: whole if it fits, else its folders shortened in the middle with "…"
    and its last part (the file's name) kept whole ("C:\\Users\\…\\Adoption\\agency.db"); shortened in the
    middle as a whole when even the file's name does not fit beside "…"."""
    if metrics.horizontalAdvance(path) <= room:
        return path
    from PySide6.QtCore import Qt  # not at import: building Qt's namespace costs start-up ~12 ms

    middle = Qt.TextElideMode.ElideMiddle
    cut = max(path.rfind("/"), path.rfind("\\"))
    if cut > 0:
        folder, last = path[:cut], path[cut:]  # the last part with the separator before it
        room_for_folder = room - metrics.horizontalAdvance(last)
        if room_for_folder >= metrics.horizontalAdvance(folder[:3] + "…"):
            return metrics.elidedText(folder, middle, room_for_folder) + last
    return metrics.elidedText(path, middle, max(room, 0)) or "…"


def _escape(text: str) -> str:
    """``text`` in Qt's rich text, as ``html.escape`` gives it."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&#x27;"))


class PathLabel(QLabel):
    """The database in the status bar: ``prefix`` and its path, then a warning in bold if there is one; the path
    shortened (``elide_path``) so that the whole takes at most ``PATH_SHARE`` of the status bar it is in, the whole
    path (and the warning's explanation) in its tooltip and accessible description. ``text()`` is what is shown;
    ``whole_text()`` the whole."""

    def __init__(self, prefix: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prefix = prefix
        self.path = ""
        self._warning = ""
        self._colour = ""
        self._most = 0  # the width it may take (pixels); 0 until it is in a status bar

    def whole_text(self) -> str:
        """The prefix, the whole path and the warning, as plain text."""
        return f"{self.prefix}{self.path}" + (f" — {self._warning}" if self._warning else "")

    def set_path(self, path: str, *, warning: str = "", colour: str = "", why: str = "") -> None:
        """Show ``path``, with ``warning`` (a few words, in bold; in ``colour``, a colour's name, if given) after
        it and ``why`` in its tooltip."""
        self.path, self._warning, self._colour = path, warning, colour
        tip = f"{self.prefix}{path}" + (f"\n\n{why}" if why else "")
        self.setToolTip(tip)
        self.setAccessibleDescription(tip)
        self._show()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        """Narrow: the path is shortened to the bar, so its whole length must not hold the window wider."""
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance(f"{self.prefix}…") + 8), hint.height())

    def fit_to(self, bar_width: int) -> None:
        """Shortened to at most ``PATH_SHARE`` of a status bar ``bar_width`` pixels wide."""
        most = int(bar_width * PATH_SHARE)
        if most != self._most:
            self._most = most
            self._show()

    def _show(self) -> None:
        metrics = self.fontMetrics()
        bold = QFont(self.font())
        bold.setBold(True)
        margins = self.contentsMargins()
        fixed = (metrics.horizontalAdvance(self.prefix) + margins.left() + margins.right() + 2 * self.margin()
                 + (metrics.horizontalAdvance(" — ") + QFontMetrics(bold).horizontalAdvance(self._warning) + 2
                    if self._warning else 0))
        shown = elide_path(self.path, metrics, self._most - fixed) if self._most else self.path
        # the label's own format (Qt's AutoText): plain for a path, rich with the warning's bold; Qt's namespace
        # is not loaded for it before the first paint (tests/ui/test_start_up_paints_first.py)
        if not self._warning:
            self.setText(f"{self.prefix}{shown}")
            return
        style = f' style="color:{self._colour}"' if self._colour else ""
        self.setText(f"{_escape(self.prefix + shown)} — <b{style}>{_escape(self._warning)}</b>")


class _RoomWatch(QObject):
    """Fits the bar's message again when one of its permanent widgets moves, is resized, shown or hidden."""

    def __init__(self, bar: StatusBar) -> None:
        super().__init__(bar)
        self._bar = bar

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # the bar being deleted hides its widgets after its own C++ part has gone
        if not shiboken6.isValid(self._bar):
            return False
        if self._bar.currentMessage() and event.type().value in _MOVED:
            self._bar.fit_message()  # the database's name shown, or the backup's line come or gone: room changed
        return False


class StatusBar(QStatusBar):
    """A status bar whose long messages are cut at a word with "…", and given whole in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._permanent: list[QWidget] = []
        self._shown = ""  # the message as painted, when it is cut; "" when Qt paints it whole
        self._watcher: _RoomWatch | None = None  # watches the permanent widgets from the first message on
        self.messageChanged.connect(lambda _text: self.fit_message())

    # the permanent widgets (the database's name, the background backup) bound the message on the right
    def addPermanentWidget(self, widget: QWidget, /, stretch: int | None = 0) -> None:  # noqa: N802
        super().addPermanentWidget(widget, stretch or 0)
        self._permanent.append(widget)
        if self._watcher is not None:
            widget.installEventFilter(self._watcher)

    def insertPermanentWidget(self, index: int, widget: QWidget, /, stretch: int | None = 0) -> int:  # noqa: N802
        self._permanent.append(widget)
        if self._watcher is not None:
            widget.installEventFilter(self._watcher)
        return super().insertPermanentWidget(index, widget, stretch or 0)

    def removeWidget(self, widget: QWidget, /) -> None:  # noqa: N802
        if widget in self._permanent:
            self._permanent.remove(widget)
            if self._watcher is not None:
                widget.removeEventFilter(self._watcher)
        super().removeWidget(widget)

    def _watch(self) -> None:
        """Watch the permanent widgets from now on: a message is shown, and its room changes as they move. Not
        before, and not by the bar itself: a Python ``eventFilter`` on the bar was handed its own start-up
        events, and every kind of event that reaches Python builds its class's enums the first time."""
        if self._watcher is None:
            self._watcher = _RoomWatch(self)
            for widget in self._permanent:
                widget.installEventFilter(self._watcher)

    def message_room(self) -> QRect:
        """Where Qt paints the message: from the left edge to the first permanent widget (or the size grip)."""
        from PySide6.QtWidgets import QSizeGrip

        left, right = 6, self.width() - 12
        # children(), not findChild(): its default argument builds Qt's namespace, slow before the first paint
        for grip in self.children():
            if isinstance(grip, QSizeGrip) and grip.isVisible():
                right = grip.x()
        shown = [w.x() for w in self._permanent if w.isVisible() and w.parentWidget() is self]
        if shown:
            right = min(right, min(shown) - 2)
        if self.isRightToLeft():
            left, right = self.width() - right, self.width() - left
        return QRect(left, 0, max(0, right - left), self.height())

    def shown_message(self) -> str:
        """The message as it can be read in the bar: whole, or cut at a word with "…"."""
        return self._shown or self.currentMessage()

    def fit_message(self) -> None:
        """The message cut to the room it has now (whole in its tooltip when cut)."""
        text = self.currentMessage()
        cut = ""
        if text:
            self._watch()
            from adoption_desktop.ui.fit import elide_words  # when first needed: not before the first paint

            cut = elide_words(self.fontMetrics(), text, self.message_room().width())
        self._shown = cut if cut != text else ""
        whole = text if self._shown else ""
        if self.toolTip() != whole:
            self.setToolTip(whole)
            self.setAccessibleDescription(whole)
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        for widget in self._permanent:
            if isinstance(widget, PathLabel):
                widget.fit_to(event.size().width())  # before the bar lays its widgets out at the new width
        super().resizeEvent(event)
        self.fit_message()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if not self._shown or not self.currentMessage():
            super().paintEvent(event)
            return
        # Qt's namespace here, not before the first paint: it is slow to load (issue 17)
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QStyle, QStyleOption

        # as QStatusBar paints itself, with the message cut at a word instead of clipped mid-letter
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        style = self.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        for widget in self._permanent:
            if widget.isVisible() and widget.parentWidget() is self:
                item = QStyleOption()
                item.rect = widget.geometry().adjusted(-2, -1, 2, 1)
                item.palette = self.palette()
                item.state = QStyle.StateFlag.State_None
                style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameStatusBarItem, item, painter, widget)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.message_room(), int(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
                                                  | Qt.TextFlag.TextSingleLine), self._shown)
        painter.end()
