"""Whole labels on small and scaled screens: column titles never cut, hints never cut, pages scroll.

Applied to every page when the main window opens it (:func:`fit_page`) and to every table made by
:func:`~adoption_desktop.ui.table_view.make_table_view`:

* :func:`keep_titles_whole` keeps each column at least as wide as its title (a narrow screen scrolls the
  table sideways instead of cutting "Why this position" to "Why this posi…");
* :func:`size_columns` gives a table's columns the widths their titles and typical values need, measured
  with its fonts (a narrow screen or a large font gets wider columns, not cut ones);
* :func:`fit_placeholders` makes a search box at least as wide as its hint ("reference or initials");
* :func:`scrolling` puts a page in a scroll area, so on 1366×768 at 125 % or 150 % (a 1093×614 or
  911×512 logical screen) the window still fits above the taskbar and the rest of a page scrolls into view;
* :func:`fit_dialog` does for every dialog as it is shown (through ``accessibility.DialogNamer``) what
  :func:`fit_page` does for pages, and keeps the dialog on its screen: a dialog asking for more room than
  the screen's available area (less the window frame) opens at the available size, placed wholly on the
  screen; one whose contents cannot be made that small gets its contents in a scroll area
  (:func:`scroll_body`), its OK/Cancel buttons kept below it, always in view.

The dialogs are checked by ``tests/ui/test_dialogs.py`` at each scaling (its registry of dialogs,
``tests/ui/dialog_registry.py``, says how to add one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QStyle,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
    QWidgetItem,
)

#: the header's text margins and a sort arrow's room, in pixels (Fusion and Windows styles)
TITLE_MARGIN = 8
#: what a window's title bar needs besides its title: the icon, minimise/maximise/close and margins
#: (Windows 10/11: three 46-pixel buttons, a 16-pixel icon and its margins)
TITLE_BAR_ALLOWANCE = 180


def title_metrics(header: QHeaderView) -> QFontMetrics:
    """The metrics of ``header``'s titles as painted: in bold where the header highlights the columns of the
    selection (every column, once a row is selected), as Qt's styles paint them. The plain font's measure left
    a squeezed column a few pixels short of its bold title, cut at both ends ("/hy this positior", counselling
    at 150 %, fourteenth release)."""
    font = QFont(header.font())
    if header.highlightSections():
        font.setBold(True)
    return QFontMetrics(font)


class _TitleKeeper(QObject):
    def __init__(self, header: QHeaderView) -> None:
        super().__init__(header)
        self.header = header
        self.busy = False
        #: sections made Interactive (and whether the last section stretched) while squeezed below their
        #: titles: given back their stretch once the header is wide enough again. Without this a column
        #: squeezed once (a page built before its window had its size) kept its title's width for good,
        #: the room at the right left empty while its title was cut ("Why this posit", the trial's s07)
        self.stretch_sections: set[int] = set()
        self.stretch_last = False
        # bound methods of a child of the header: Qt drops the connections when the header goes
        header.sectionResized.connect(self._resized)
        header.geometriesChanged.connect(self.apply)
        header.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.header and event.type() == QEvent.Type.Resize:
            self.apply()
        return False

    def _resized(self, _section: int, _old: int, _new: int) -> None:
        self.apply()

    def _room_for(self, section: int) -> int:
        header = self.header
        others = sum(header.sectionSize(s) for s in range(header.count())
                     if s != section and not header.isSectionHidden(s))
        return header.viewport().width() - others

    def need(self, section: int) -> int:
        model = self.header.model()
        title = model.headerData(section, Qt.Orientation.Horizontal) if model is not None else None
        return title_metrics(self.header).horizontalAdvance(str(title)) + TITLE_MARGIN if title else 0

    def apply(self) -> None:
        import shiboken6

        header = self.header
        if self.busy or not shiboken6.isValid(header) or header.model() is None:
            return
        self.busy = True
        try:
            last = header.count() - 1
            for section in sorted(self.stretch_sections):  # room again: stretch as the page asked
                if section < header.count() and self._room_for(section) >= self.need(section):
                    header.setSectionResizeMode(section, QHeaderView.ResizeMode.Stretch)
                    self.stretch_sections.discard(section)
            if self.stretch_last and self._room_for(last) >= self.need(last):
                header.setStretchLastSection(True)
                self.stretch_last = False
            for section in range(header.count()):
                if header.isSectionHidden(section):
                    continue
                need = self.need(section)
                if header.sectionSize(section) >= need:
                    continue
                if section == last and header.stretchLastSection():
                    header.setStretchLastSection(False)  # too narrow to stretch: scroll sideways instead
                    self.stretch_last = True
                mode = header.sectionResizeMode(section)
                if mode == QHeaderView.ResizeMode.Stretch:  # squeezed below its title: keep it whole
                    header.setSectionResizeMode(section, QHeaderView.ResizeMode.Interactive)
                    self.stretch_sections.add(section)
                    mode = QHeaderView.ResizeMode.Interactive
                if mode == QHeaderView.ResizeMode.Interactive:
                    header.resizeSection(section, need)
        finally:
            self.busy = False


def keep_titles_whole(view: QTableView) -> None:
    header = view.horizontalHeader()
    if header.findChild(_TitleKeeper) is None:
        _TitleKeeper(header).apply()


def cell_margin(view: QTableView) -> int:
    """What a cell needs besides its text: the delegate's margin on either side (the style's focus-frame
    margin and one pixel), the grid line, and a few pixels so a rounding never cuts the last letter."""
    frame = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view)
    return 2 * (frame + 1) + 1 + 4


def column_needs(view: QTableView, column: int, samples: Iterable[str]) -> int:
    """The width of ``column`` that shows its title and each of ``samples`` (typical values) whole, measured
    with the table's fonts: sized from what the column is for, not from every row (no
    ``resizeColumnsToContents`` over a whole queue)."""
    header = view.horizontalHeader()
    model = view.model()
    title = model.headerData(column, Qt.Orientation.Horizontal) if model is not None else None
    need = header.fontMetrics().horizontalAdvance(str(title)) + TITLE_MARGIN if title else 0
    metrics = view.fontMetrics()
    return max([need, *(metrics.horizontalAdvance(s) + cell_margin(view) for s in samples)])


def size_columns(view: QTableView, samples: Sequence[Iterable[str]]) -> list[int]:
    """Give each column the width its title and typical values need (:func:`column_needs`; ``samples`` in
    column order), Interactive so the person can still drag it; a longer value is elided (…) with the
    whole in its tooltip. Returns the widths."""
    header = view.horizontalHeader()
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    widths = [column_needs(view, column, values) for column, values in enumerate(samples)]
    for column, width in enumerate(widths):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        view.setColumnWidth(column, width)
    return widths


def resize_to_contents(view: QTableView) -> None:
    """``view.resizeColumnsToContents()`` that leaves a stretched last column stretched: Qt's own call
    sizes that column to its contents as well, and it stays that narrow (the work list's Notes at 105
    pixels with 350 empty beside it, once "Show older" had filled the list again)."""
    header = view.horizontalHeader()
    last = header.count() - 1 if header.stretchLastSection() else header.count()
    for column in range(last):
        view.resizeColumnToContents(column)


class _WholeLabel(QObject):
    """Keeps a word-wrapped label at least as high as its text needs at its width (see
    :func:`keep_label_whole`)."""

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.label = label
        label.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.label and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.apply()
        return False

    def apply(self) -> None:
        label = self.label
        need = label.heightForWidth(label.width()) if label.wordWrap() and label.text().strip() else -1
        need = max(0, need)
        if label.minimumHeight() != need:
            label.setMinimumHeight(need)


def keep_label_whole(label: QLabel) -> None:
    """A word-wrapped message ``label`` is never squeezed below the lines its text needs at its width: a
    layout short of room (a window taller than the screen) takes the room from the rest (a scroll area)
    instead (user trial at 1366×768: a five-line refusal in the letterbox item window was cut to its first
    line). Call again after the text changes; the label keeps it up to date as its width changes."""
    keeper = label.findChild(_WholeLabel)
    if keeper is None:
        keeper = _WholeLabel(label)
    if label.isVisible():  # a hidden label's width is not yet the one its layout gives it
        keeper.apply()


def tall_enough(window: QWidget, area: QScrollArea) -> None:
    """Make ``window`` as tall as it needs for ``area``'s widget to show whole, without scrolling, where its
    screen has the room (the available area less the frame); where it has not, the window is as tall as the
    room and the widget scrolls. Never makes the window smaller. Call as the window is first shown: Qt opens
    a window no taller than two thirds of its screen, and one whose form scrolls has nothing larger to ask
    for (user trial at 1366×768: the letterbox item window opened 485 pixels tall, Record outcome out of
    sight below its form)."""
    room = _room(window)
    widget = area.widget()
    if room is None or widget is None:
        return
    frame = 2 * area.frameWidth()
    # the width the widget has once the window no longer scrolls: less the scroll bar, should it stay
    width = area.width() - frame - area.verticalScrollBar().sizeHint().width()
    layout = widget.layout()
    # what QScrollArea gives a resizable widget at least: its least height, or the height its layout asks
    # at that width when its labels wrap (its preferred height, not its least)
    need = widget.minimumSizeHint().expandedTo(widget.minimumSize()).height()
    if layout is not None and layout.hasHeightForWidth():
        need = max(need, widget.heightForWidth(width))
    height = min(room[1], window.height() - (area.height() - frame) + need)
    if height > window.height():
        window.resize(window.width(), height)
        keep_on_screen(window)


def fit_placeholders(page: QWidget) -> None:
    for edit in page.findChildren(QLineEdit):
        text = edit.placeholderText()
        if text:
            margins = edit.textMargins()
            need = edit.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 16
            if edit.minimumWidth() < need and edit.maximumWidth() >= need:
                edit.setMinimumWidth(need)


class _FollowsFocus(QObject):
    """Keeps the field with the keyboard in view in ``area``: Qt scrolls a scroll area to a field reached by
    Tab, but not to one reached by its Alt key (a label's buddy) or given the focus by the program (keyboard
    trial at 150 %: Alt+E in the letterbox item window typed the reason into a box scrolled out of sight below).
    A click is left alone: what was clicked is in view already. A child of the area: it goes with it."""

    def __init__(self, area: QScrollArea) -> None:
        super().__init__(area)
        self.area = area
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self.changed)

    def changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        import shiboken6

        # the area being taken down moves the keyboard out of it (a closed window deleted) before this, its
        # child, goes: "QScrollArea already deleted" was raised in the event loop
        if not shiboken6.isValid(self.area):
            return
        body = self.area.widget()
        if new is None or body is None or not body.isAncestorOf(new) \
                or QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            return
        self.area.ensureWidgetVisible(new, 10, 10)


def follow_focus(area: QScrollArea) -> QScrollArea:
    """``area`` scrolls to show the field that gets the keyboard, however it got it (:class:`_FollowsFocus`)."""
    if area.findChild(_FollowsFocus) is None:
        _FollowsFocus(area)
    return area


def scrolling(page: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName(f"scroll_{page.objectName() or type(page).__name__}")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setWidget(page)
    area.setAccessibleName(page.accessibleName() or "Page")
    # not a Tab stop of its own: a trial's Tab went to an invisible stop between the last field and the
    # first (the area itself); Tab to a field scrolls it into view (QScrollArea follows the focus)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return follow_focus(area)


def fit_page(page: QWidget) -> None:
    from adoption_desktop.ui.accessibility import name_everything

    for view in page.findChildren(QTableView):
        keep_titles_whole(view)
    fit_placeholders(page)
    name_everything(page)  # accessible names and descriptions for what Qt leaves unnamed


def fit_dialog(dialog: QWidget) -> None:
    """Whole titles and hints, names for screen readers, and a size and place inside the screen's available
    area (the frame included, :data:`~adoption_desktop.ui.geometry.FRAME_ALLOWANCE_W`/``_H``)."""
    for view in dialog.findChildren(QTableView):
        if view.window() is dialog:
            keep_titles_whole(view)
    fit_placeholders(dialog)
    keep_window_title_whole(dialog)
    room = _room(dialog)
    if room is not None:
        minimum = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
        if minimum.width() > room[0] or minimum.height() > room[1]:
            scroll_body(dialog)
    keep_on_screen(dialog)


def elide_words(metrics: QFontMetrics, text: str, width: int) -> str:
    """``text`` cut to ``width`` pixels at the end of a phrase (after a comma, a semicolon, a colon or a full
    stop), else at the end of a word, and "…" added; the whole of it when it fits. Qt's own eliding cut "the
    first-day tours seen" to "the fi…", a word the reader cannot make out."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    ellipsis = "…"
    fits = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(width, 0))
    head = fits[:-1] if fits.endswith(ellipsis) else fits
    if len(head) < len(text) and not text[len(head)].isspace() and text[len(head)] not in ",;:.":
        head = head[:head.rfind(" ")] if " " in head else ""  # the word cut off goes
    head = head.rstrip()
    phrase = max(head.rfind(mark) for mark in (", ", "; ", ": ", ". "))
    if phrase > len(head) // 2:  # a phrase's end not too far back: the line ends on what it said whole
        head = head[:phrase]
    return head.rstrip(" ,;:") + ellipsis if head else ellipsis


def grow_for_message(window: QWidget, line: QLabel) -> None:
    """Make ``window`` as tall as its layout asks for at the width it has once its word-wrapped message
    ``line`` shows a new text (up to the room on the screen). Called at a layout request (a new text asks
    for a new layout): the layout would otherwise give the message its lines by shrinking a box that may
    shrink (a text box), its last lines cut off. The height is measured at the window's own width (the
    layout's height for that width), not taken from its preferred size: that is measured at the preferred
    width, where a long message (six lines in a 403-pixel dialog) wraps to fewer lines, and the text box
    lost the line missing. Once per text: a window the user made smaller afterwards is left so. Nothing is
    done while the window is hidden (it is sized when shown) or while the line is empty.

    Where the screen has not the room for that height, the window grows to the room and its form is put in
    a scroll area (:func:`scroll_body`, once), the message and the buttons below it: the layout would
    otherwise take what is missing from the box that may shrink (New referral… on a 1093×600 screen stopped
    at 560 pixels, its Address box down from 70 to 22). Done a moment later (:func:`_scroll_for_message`),
    not inside the layout request that asked."""
    text = line.text() if not line.isHidden() else ""
    if not window.isVisible() or line.property("fitted_text") == text:
        return
    line.setProperty("fitted_text", text)
    if not text or not line.wordWrap():
        return
    layout = window.layout()
    if layout is not None and layout.hasHeightForWidth():  # the message's lines at the width it really has
        height = layout.totalHeightForWidth(window.width())
    else:
        height = window.sizeHint().height()
    room = _room(window)
    if room is not None and height > room[1]:
        height = room[1]
        if not window.property("fit_scroll_pending"):
            window.setProperty("fit_scroll_pending", True)
            QTimer.singleShot(0, window, partial(_scroll_for_message, window))
    if height > window.height():
        window.resize(window.width(), height)
        keep_on_screen(window)


def _scroll_for_message(window: QWidget) -> None:
    """The form of ``window`` put in a scroll area (:func:`scroll_body`), each of its boxes as tall as it
    asks (the form's preferred height at the width it has, as the dialog that fitted showed it: it scrolls
    instead of squeezing), the window as tall as the screen's room: a message line needs more height than
    the screen has (see :func:`grow_for_message`). A form that scrolls already is left as it is (it is at
    its least height there, which the message does not take from)."""
    window.setProperty("fit_scroll_pending", False)
    room = _room(window)
    if not window.isVisible() or room is None or window.findChild(QScrollArea, "fit_scroll_body") is not None:
        return
    area = scroll_body(window)
    body = area.widget() if area is not None else None
    if area is None or body is None:
        return
    need = body.sizeHint().height()
    layout = body.layout()
    if layout is not None and layout.hasHeightForWidth():  # wrapped labels: their lines at the width they get
        width = area.width() - 2 * area.frameWidth() - area.verticalScrollBar().sizeHint().width()
        need = max(need, body.heightForWidth(width))
    if body.minimumHeight() < need:
        body.setMinimumHeight(need)
    if window.height() < room[1]:
        window.resize(window.width(), room[1])
    keep_on_screen(window)


class _MessageGrower(QObject):
    """Calls :func:`grow_for_message` at each layout request of ``window`` (see :func:`grow_with_message`)."""

    def __init__(self, window: QWidget, line: QLabel) -> None:
        super().__init__(window)
        self.owner, self.line = window, line
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Python may clear this filter's attributes while its window is torn down and Qt still delivers the
        # window's events to it (a dialog ending in a test raised AttributeError here): nothing to grow then
        if getattr(self, "owner", None) is None:
            return False
        if watched is self.owner and event.type() == QEvent.Type.LayoutRequest:
            grow_for_message(self.owner, self.line)
        return False


def grow_with_message(window: QWidget, line: QLabel) -> None:
    """From now on, ``window`` grows for its word-wrapped message ``line`` at each layout request
    (:func:`grow_for_message`): a new text that needs more lines makes the window taller by what it needs,
    within the screen, instead of the layout taking that room from a box that may shrink (New referral's
    Address lost its postcode under the midnight message; the papers checklist's midnight line showed in the
    room of one). Call once, as the window is built. Qt lays the window's own layout out at the request
    before its event filters see it, and a dialog's ``event()`` does nothing with it: the filter sees what
    an ``event()`` override saw after ``super().event()``, and lets the event go on unchanged."""
    _MessageGrower(window, line)


def window_title_needs(window: QWidget) -> int:
    """The width at which the title bar shows ``window``'s whole title (a small dialog's "Allocate a
    counsellor" was cut to "Allocate t…counsellor")."""
    title = window.windowTitle()
    return window.fontMetrics().horizontalAdvance(title) + TITLE_BAR_ALLOWANCE if title else 0


def keep_window_title_whole(window: QWidget) -> None:
    need = window_title_needs(window)
    room = _room(window)
    if room is not None:
        need = min(need, room[0])
    if window.minimumWidth() < need:
        window.setMinimumWidth(need)
    if window.width() < need:
        window.resize(need, window.height())


def _room(window: QWidget) -> tuple[int, int] | None:
    """The room for ``window`` on its screen: the available area less the window frame."""
    from PySide6.QtGui import QGuiApplication

    from adoption_desktop.ui.geometry import FRAME_ALLOWANCE_H, FRAME_ALLOWANCE_W

    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return None
    area = screen.availableGeometry()
    return area.width() - FRAME_ALLOWANCE_W, area.height() - FRAME_ALLOWANCE_H


def _buttons_of(window: QWidget) -> tuple[QDialogButtonBox, QLayout] | None:
    """The dialog's one OK/Cancel row and the layout holding it, if it has exactly one."""
    boxes = [b for b in window.findChildren(QDialogButtonBox) if b.window() is window and not b.isHidden()]
    if len(boxes) != 1:
        return None
    for layout in window.findChildren(QLayout):
        if layout.indexOf(boxes[0]) >= 0:
            return boxes[0], layout
    return None


def _message_of(window: QWidget) -> tuple[QLabel, QLayout] | None:
    """The window's one message line (a ``QLabel`` named ``message``) and the layout holding it, if it has
    exactly one."""
    lines = [m for m in window.findChildren(QLabel, "message") if m.window() is window]
    if len(lines) != 1:
        return None
    for layout in window.findChildren(QLayout):
        if layout.indexOf(lines[0]) >= 0:
            return lines[0], layout
    return None


def scroll_body(dialog: QWidget) -> QScrollArea | None:
    """Put everything in ``dialog`` but its message line and OK/Cancel row into a scroll area (once): on a
    small or scaled screen the form scrolls, and what OK said and the buttons stay in view."""
    layout = dialog.layout()
    if layout is None or dialog.findChild(QScrollArea, "fit_scroll_body") is not None:
        return None
    focus = dialog.focusWidget()  # moving the fields into the scroll area drops it: given back below
    buttons = _buttons_of(dialog)
    if buttons is not None:
        buttons[1].removeWidget(buttons[0])
    message = _message_of(dialog)
    if message is not None:
        message[1].removeWidget(message[0])
    body = QWidget()
    body.setObjectName("fit_body")
    body.setLayout(layout)  # takes the layout, and the widgets it holds, from the dialog
    area = QScrollArea()
    area.setObjectName("fit_scroll_body")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(body)
    area.setAccessibleName(dialog.windowTitle() or "Dialog")
    # not a Tab stop, nor where the keyboard goes as the dialog opens (user trial at 150 %: the Arrangement
    # window opened with the keyboard on the invisible scroll area, and it was an extra Tab stop); Tab to a
    # field scrolls it into view
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    follow_focus(area)
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(area, 1)
    if buttons is not None or message is not None:
        row = QVBoxLayout()
        margins = layout.contentsMargins()
        row.setContentsMargins(margins.left(), 0, margins.right(), margins.bottom())
        if message is not None:  # what OK said stays in view (it scrolled away under the last field)
            row.addWidget(message[0])
        if buttons is not None:
            row.addWidget(buttons[0])
        outer.addLayout(row)
    room = _room(dialog)
    if room is not None:  # as wide as the form and its vertical scroll bar, where the screen has the room
        bar = area.verticalScrollBar().sizeHint().width()
        area.setMinimumWidth(min(room[0] - 2 * margins_of(dialog), body.minimumSizeHint().width() + bar))
    outer.activate()  # the dialog's minimum size is now the scroll area's, not the whole form's
    # the field the dialog chose (Name) keeps the keyboard, not the scroll area (user trial: Add member…
    # opened with the keyboard on the scroll area, and the name typed went nowhere); a dialog that chose none
    # (the Arrangement window, New referral) opens in its first field
    first = focus if focus is not None and dialog.isAncestorOf(focus) else first_input(dialog, body)
    if first is not None:
        first.setFocus()
    return area


def first_input(window: QWidget, within: QWidget | None = None) -> QWidget | None:
    """The first field of ``window`` (of its part ``within``) in Tab order that takes typing or a choice (a
    text box, a date, a list to pick from, a tick box), not hidden and enabled; None when it has none."""
    part = within or window
    w = window.nextInFocusChain()
    while w is not None and w is not window:
        if (w.window() is window and part.isAncestorOf(w) and w.isVisibleTo(part) and w.isEnabled()
                and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None and _takes_input(w)):
            return w
        w = w.nextInFocusChain()
    return None


def _takes_input(widget: QWidget) -> bool:
    if isinstance(widget.parentWidget(), QAbstractSpinBox | QComboBox):  # a date's or a list's own text box
        return False
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QAbstractButton):
        return widget.isCheckable()
    return isinstance(widget, QAbstractSpinBox | QComboBox)


def margins_of(widget: QWidget) -> int:
    layout = widget.layout()
    return max(layout.contentsMargins().left(), layout.contentsMargins().right()) if layout is not None else 0


def keep_on_screen(window: QWidget) -> None:
    from PySide6.QtGui import QGuiApplication

    from adoption_desktop.ui.geometry import FRAME_ALLOWANCE_H, FRAME_ALLOWANCE_W

    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area: QRect = screen.availableGeometry()
    room_w, room_h = area.width() - FRAME_ALLOWANCE_W, area.height() - FRAME_ALLOWANCE_H
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    width = max(min(window.width(), room_w), min(minimum.width(), area.width()))
    height = max(min(window.height(), room_h), min(minimum.height(), area.height()))
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    # wholly on the screen: the frame's top left inside the area, the rest of it too where it can be
    x = min(max(window.x(), area.x()), area.x() + max(0, area.width() - width - FRAME_ALLOWANCE_W))
    y = min(max(window.y(), area.y()), area.y() + max(0, area.height() - height - FRAME_ALLOWANCE_H))
    if QPoint(x, y) != window.pos():
        window.move(x, y)


class PairFolder(QObject):
    """A grid of label and field pairs (the audit log's filters: four pairs a row) that puts half as many
    pairs on each row while the page is too narrow for the full rows (a 1366×768 screen at 125 % or 150 %),
    instead of making the page scroll sideways; the same widgets, in the same order for Tab. See
    :func:`fold_pairs`."""

    def __init__(self, grid: QGridLayout, owner: QWidget) -> None:
        super().__init__(owner)
        self.grid, self.owner = grid, owner
        #: each widget with its place in the full grid: row, column, column span
        self.cells: list[tuple[QWidget, int, int, int]] = []
        for index in range(grid.count()):
            item = grid.itemAt(index)
            widget = item.widget() if item is not None else None
            if widget is not None:
                position: tuple[int, int, int, int] = grid.getItemPosition(index)  # type: ignore[assignment]
                self.cells.append((widget, position[0], position[1], position[3]))
        self.columns = max((c + s for _w, _r, c, s in self.cells), default=0)
        self.folded = False
        self.fold(True)  # narrow until the page is known to have the room (its width is bounded by its minimum)
        owner.installEventFilter(self)

    def full_width(self) -> int:
        """The width the full rows need: each column as wide as its widest field or label, a field spanning
        columns given the rest in its last."""
        widths = [0] * self.columns
        for widget, _row, column, span in self.cells:
            if span == 1:
                widths[column] = max(widths[column], QWidgetItem(widget).minimumSize().width())
        spacing = self._spacing()
        for widget, _row, column, span in self.cells:
            if span > 1:
                have = sum(widths[column:column + span]) + spacing * (span - 1)
                widths[column + span - 1] += max(0, QWidgetItem(widget).minimumSize().width() - have)
        margins = self.grid.contentsMargins()
        return sum(widths) + spacing * (self.columns - 1) + margins.left() + margins.right()

    def _spacing(self) -> int:
        spacing = self.grid.horizontalSpacing()
        if spacing < 0:
            parent = self.grid.parentWidget() or self.owner
            spacing = max(0, parent.style().pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing, None, parent))
        return spacing

    def room(self) -> int:
        """The width the grid has in ``owner``: the owner's, less the margins of the layouts around the grid."""
        width = self.owner.width()
        widget = self.grid.parentWidget()
        while widget is not None:
            layout = widget.layout()
            if layout is not None:
                margins = layout.contentsMargins()
                width -= margins.left() + margins.right()
            if widget is self.owner:
                break
            widget = widget.parentWidget()
        return width

    def fold(self, folded: bool) -> None:
        if folded == self.folded:
            return
        half = max(1, self.columns // 2)
        for widget, _row, _column, _span in self.cells:
            self.grid.removeWidget(widget)
        for widget, row, column, span in self.cells:
            if folded:  # pair p of a row goes to row 2r + p // 2 (pairs of two columns: a label and its field)
                pair, part = divmod(column, 2)
                pairs_per_row = half // 2 or 1
                row, column = row * 2 + pair // pairs_per_row, (pair % pairs_per_row) * 2 + part
                span = min(span, half - column)
            self.grid.addWidget(widget, row, column, 1, span)
        self.folded = folded

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.owner and event.type() == QEvent.Type.Resize:
            self.fold(self.room() < self.full_width())
        return False


def fold_pairs(grid: QGridLayout, owner: QWidget) -> PairFolder:
    """Fold ``grid`` (label and field pairs, an even number of columns) to half as many pairs a row while
    ``owner`` (the page or tab it is on) is narrower than the full rows need."""
    return PairFolder(grid, owner)
