"""Walk every page and tab of the main window (and big dialogs) and report what a user could not read.

Shared by the fit, accessibility and contrast tests. Sizes are *logical* pixels: a 1366×768 screen at
125 % scaling is a 1093×614 logical screen, at 150 % a 911×512 one (Qt lays out in logical pixels, so
checking at those sizes is what QT_SCALE_FACTOR would show, without a subprocess per size).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTabBar,
    QTabWidget,
    QWidget,
)

from adoption_desktop.ui.accessibility import INTERACTIVE, WEAK_NAME, MessageLine, accessible_name
from adoption_desktop.ui.palette import AA_NORMAL_TEXT, contrast_ratio

#: (label, logical width, logical height) of a 1366×768 screen at 100 %, 125 % and 150 %
SCREENS = [("100%", 1366, 768), ("125%", round(1366 / 1.25), round(768 / 1.25)),
           ("150%", round(1366 / 1.5), round(768 / 1.5))]
#: Windows' taskbar at the bottom of the screen (logical pixels)
TASKBAR = 40


def available(width: int, height: int) -> QRect:
    return QRect(0, 0, width, height - TASKBAR)


def plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _shown(widget: QWidget, top: QWidget) -> bool:
    if not widget.isVisibleTo(top) or (top.isWindow() and widget.window() is not top):
        return False  # hidden, or in another window (a dialog over this one is checked on its own)
    # on screen: inside the viewport of any scroll area above it counts as shown (it can be scrolled to)
    return widget.width() > 0 and widget.height() > 0


def clipped(top: QWidget) -> list[str]:
    """Text cut short on what is visible in ``top``: tab titles, column headers, placeholders, labels."""
    problems: list[str] = []
    for bar in top.findChildren(QTabBar):
        if not _shown(bar, top):
            continue
        fm = bar.fontMetrics()
        for i in range(bar.count()):
            if not bar.isTabVisible(i):
                continue
            need = fm.horizontalAdvance(plain(bar.tabText(i)))
            if bar.tabRect(i).width() < need + 8:
                problems.append(f"tab {plain(bar.tabText(i))!r}: {bar.tabRect(i).width()} < {need + 8}")
    for header in top.findChildren(QHeaderView):
        if not _shown(header, top) or header.orientation().value != 1 or header.model() is None:
            continue
        fm = header.fontMetrics()
        model = header.model()
        for i in range(header.count()):
            if header.isSectionHidden(i):
                continue
            title = model.headerData(i, header.orientation())
            if not title:
                continue
            # a heading on two lines (a period's name over its dates) needs its widest line; 4 px a side
            need = max(fm.horizontalAdvance(line) for line in str(title).split("\n")) + 8
            if header.sectionSize(i) < need:
                problems.append(f"column {title!r}: {header.sectionSize(i)} < {need}")
    for edit in top.findChildren(QLineEdit):
        text = edit.placeholderText()
        if not text or not _shown(edit, top) or (edit.parent() is not None and \
                edit.parent().metaObject().className() in ("QComboBox", "QAbstractSpinBox", "QDateEdit", "QSpinBox")):
            continue
        room = edit.contentsRect().width() - edit.textMargins().left() - edit.textMargins().right() - 6
        if room < edit.fontMetrics().horizontalAdvance(text):
            problems.append(f"placeholder {text!r}: {room} < {edit.fontMetrics().horizontalAdvance(text)}")
    for label in top.findChildren(QLabel):
        if not _shown(label, top) or label.wordWrap() or not label.text() or (label.pixmap() is not None \
                and not label.pixmap().isNull()):
            continue
        if label.width() + 1 < label.minimumSizeHint().width():
            problems.append(f"label {plain(label.text())[:40]!r}: {label.width()} < {label.minimumSizeHint().width()}")
    return problems


def tab_widgets(page: QWidget) -> list[QTabWidget]:
    """Every tab widget on ``page``, the page itself first when it is one (Administration is a tab widget:
    ``findChildren`` alone never finds it, and its tabs after the first went unchecked)."""
    return ([page] if isinstance(page, QTabWidget) else []) + page.findChildren(QTabWidget)


def every_view(window: QWidget, pages: Callable[[], Iterator[tuple[str, QWidget]]]) -> Iterator[str]:
    """Yield a name for every page and every tab of every tab widget on it, with that tab shown."""
    for name, page in pages():
        QApplication.processEvents()
        yield name
        for tabs in tab_widgets(page):
            if not tabs.isVisibleTo(window):
                continue
            for i in range(tabs.count()):
                if not tabs.isTabVisible(i):
                    continue
                tabs.setCurrentIndex(i)
                QApplication.processEvents()
                yield f"{name} / {plain(tabs.tabText(i))}"
            tabs.setCurrentIndex(0)


def select_first_rows(page: QWidget) -> None:
    for view in page.findChildren(QAbstractItemView):
        model = view.model()
        if view.isVisibleTo(page) and model is not None and model.rowCount() > 0:
            view.setCurrentIndex(model.index(0, 0))
    QApplication.processEvents()


def unnamed(top: QWidget) -> list[str]:
    missing = []
    for widget in [top, *top.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or not _shown(widget, top):
            continue
        if widget.objectName().startswith("qt_") or (type(widget).__name__ in ("QLineEdit",) and \
                type(widget.parent()).__name__ in ("QComboBox", "QDateEdit", "QSpinBox", "QDoubleSpinBox")):
            continue  # Qt's own parts of a composite control, named through the control
        if not accessible_name(widget):
            missing.append(f"{type(widget).__name__} {widget.objectName()!r}")
        elif widget.property(WEAK_NAME) and widget.focusPolicy() != Qt.FocusPolicy.NoFocus \
                and widget.accessibleName() == widget.property(WEAK_NAME):
            # named by accessibility.name_everything from a field's object name ("Received apr") or as "List"
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} (named {widget.accessibleName()!r} "
                           "from its object name, or as a bare list: give it a buddy label or a name)")
        elif isinstance(widget, QAbstractItemView) and not widget.accessibleDescription():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} (no description)")
    return missing


def columns(model: Any) -> int:
    try:
        return int(model.columnCount(QModelIndex()))
    except TypeError:  # a list model: one column (PySide6 keeps its columnCount private)
        return 1


def low_contrast(top: QWidget) -> list[str]:
    """Labels, table cells and hints below 4.5:1 against their own background."""
    found = []
    for label in top.findChildren(QLabel):
        # a message line is checked empty too: its colour is set before any message comes (a fixed red read
        # at 2.6:1 on High Contrast's black when "Your roles do not include that area." came)
        line = isinstance(label, MessageLine) and label.isVisibleTo(top) and label.window() is top.window()
        if not line and (not _shown(label, top) or not label.text().strip()):
            continue
        palette = label.palette()
        fg = palette.color(label.foregroundRole())
        sheet = label.styleSheet()
        if "color:" in sheet:
            fg = QColor(sheet.split("color:")[1].split(";")[0].strip())
        bg = palette.color(label.backgroundRole())
        if "background:" not in sheet and contrast_ratio(fg, bg) < AA_NORMAL_TEXT:
            found.append(f"label {label.text()[:30] or '(empty message line)'!r}: {contrast_ratio(fg, bg):.1f}")
    for view in top.findChildren(QAbstractItemView):
        model = view.model()
        if not _shown(view, top) or model is None:
            continue
        palette = view.palette()
        base = palette.color(QPalette.ColorRole.Base)
        for row in range(min(model.rowCount(QModelIndex()), 30)):
            for col in range(columns(model)):
                brush = model.data(model.index(row, col), Qt.ItemDataRole.ForegroundRole)
                fg = brush.color() if isinstance(brush, QBrush) else brush if isinstance(brush, QColor) else \
                    palette.color(QPalette.ColorRole.Text)
                if contrast_ratio(fg, base) < AA_NORMAL_TEXT:
                    found.append(f"{view.objectName()} cell {row},{col}: {contrast_ratio(fg, base):.1f}")
    for widget in top.findChildren(QWidget):
        if hasattr(widget, "placeholderText") and _shown(widget, top) and widget.placeholderText():
            palette = widget.palette()
            ratio = contrast_ratio(palette.color(QPalette.ColorRole.PlaceholderText),
                                   palette.color(QPalette.ColorRole.Base))
            if ratio < AA_NORMAL_TEXT:
                found.append(f"hint {widget.placeholderText()[:30]!r}: {ratio:.1f}")
    return found


# --- dialogs ----------------------------------------------------------------------------------------------


def cut_short(top: QWidget) -> list[str]:
    """What :func:`clipped` misses in a dialog: a button or tick box narrower than its text, a wrapped
    label given fewer lines than its text needs."""
    problems: list[str] = []
    for button in top.findChildren(QAbstractButton):
        if not _shown(button, top) or not button.text() or isinstance(button.parent(), QTabBar):
            continue
        need = button.minimumSizeHint().width()
        if button.width() + 1 < need:
            problems.append(f"button {plain(button.text())!r}: {button.width()} < {need}")
    for label in top.findChildren(QLabel):
        if not _shown(label, top) or not label.wordWrap() or not label.text().strip():
            continue
        need = label.heightForWidth(label.width())
        if need > 0 and label.height() + 1 < need:
            problems.append(f"wrapped label {plain(label.text())[:40]!r}: {label.height()} < {need} high")
    return problems


def _internal(widget: QWidget) -> bool:
    """Qt's own parts of a composite control (a spin box's or combo box's line edit, a scroll area's
    viewport): reached through the control."""
    parent = widget.parentWidget()
    return widget.objectName().startswith("qt_") or isinstance(parent, QComboBox | QAbstractSpinBox)


def tab_stops(top: QWidget) -> list[QWidget]:
    """The controls a keyboard user must be able to reach in ``top``: shown, enabled, taking Tab focus."""
    stops = []
    for widget in top.findChildren(QWidget):
        if _internal(widget) or not _shown(widget, top) or not widget.isEnabled():
            continue
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
            stops.append(widget)
    return stops


def _press_tab(target: QWidget, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(target, QKeyEvent(kind, Qt.Key.Key_Tab, modifiers))


def not_reachable_by_tab(top: QWidget) -> list[str]:
    """Press Tab round ``top`` (twice the number of its controls, Ctrl+Tab where a text field keeps Tab)
    and name every control never reached, and every control that keeps Tab and Ctrl+Tab both."""
    stops = tab_stops(top)
    if not stops:
        return []
    reached: set[int] = set()
    problems: list[str] = []
    focus = top.focusWidget()
    if focus is None:
        top.focusNextPrevChild(True)
        focus = top.focusWidget()
    for _ in range(2 * len(stops) + 2):
        if focus is None:
            break
        reached.add(id(focus))
        for ancestor in _ancestors(focus, top):
            reached.add(id(ancestor))
        after = focus
        # a date edit's Tab moves through day, month and year first, then on
        for _section in range(4 if isinstance(focus, QAbstractSpinBox) or isinstance(focus.parentWidget(),
                                                                                      QAbstractSpinBox) else 1):
            _press_tab(focus)
            after = top.focusWidget()
            if after is not focus:
                break
        if after is focus and len(stops) > 1:
            _press_tab(focus, Qt.KeyboardModifier.ControlModifier)
            after = top.focusWidget()
            if after is focus:
                problems.append(f"Tab and Ctrl+Tab stay in {type(focus).__name__} {_label(focus)!r}")
                top.focusNextPrevChild(True)
                after = top.focusWidget()
        focus = after
    for stop in stops:
        proxy = stop.focusProxy()
        if id(stop) not in reached and (proxy is None or id(proxy) not in reached):
            problems.append(f"Tab never reaches {type(stop).__name__} {_label(stop)!r}")
    return problems


def _ancestors(widget: QWidget, top: QWidget) -> Iterator[QWidget]:
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        yield parent
        parent = parent.parentWidget()


def _label(widget: QWidget) -> str:
    return accessible_name(widget) or widget.objectName() or getattr(widget, "text", lambda: "")()


# --- mnemonics --------------------------------------------------------------------------------------------

_MNEMONIC = re.compile(r"&([^&\s])")


def mnemonic(text: str) -> str | None:
    match = _MNEMONIC.search(text.replace("&&", ""))
    return match.group(1).lower() if match else None


def visible_mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Alt+letters that more than one thing shown in ``window`` answers (menu titles, buttons, labels with a
    buddy, group boxes, tab titles), and under ``"dead"`` the letters shown underlined that answer nothing:
    a button given another shortcut (``setShortcut(Ctrl+N)``) loses the Alt+letter its text shows, and a
    label's letter leads nowhere while its field (buddy) is greyed out or hidden."""
    seen: dict[str, list[str]] = {}
    dead: list[str] = []

    def note(text: str, where: str) -> None:
        key = mnemonic(text)
        if key:
            seen.setdefault(key, []).append(f"{where}{text!r}")

    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            if action.isVisible():
                note(action.text(), "menu ")
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or (window.isWindow() and widget.window() is not window):
            continue
        if isinstance(widget, QAbstractButton):
            note(widget.text(), "button ")
            if mnemonic(widget.text()) and widget.shortcut() != QKeySequence.mnemonic(widget.text()):
                dead.append(f"button {widget.text()!r} (its shortcut is {widget.shortcut().toString()!r})")
        elif isinstance(widget, QLabel) and widget.buddy() is not None:
            note(widget.text(), "label ")
            buddy = widget.buddy()
            if mnemonic(widget.text()) and widget.isEnabled() and not (buddy.isEnabled()
                                                                        and buddy.isVisibleTo(window)):
                why = "greyed out" if buddy.isVisibleTo(window) else "hidden"
                dead.append(f"label {widget.text()!r} (its field {buddy.objectName() or type(buddy).__name__!r} "
                            f"is {why})")
        elif isinstance(widget, QGroupBox):
            note(widget.title(), "group ")
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                if widget.isTabVisible(i):
                    note(widget.tabText(i), "tab ")
    found = {k: v for k, v in seen.items() if len(v) > 1}
    if dead:
        found["dead"] = dead
    return found


def view_names(top: QWidget) -> list[tuple[QAbstractItemView, str]]:
    """Every list and table shown in ``top`` (Qt's own, a combo box's drop-down list, left out) with its
    accessible name."""
    return [(view, accessible_name(view)) for view in top.findChildren(QAbstractItemView)
            if not _internal(view) and not isinstance(view, QHeaderView) and _shown(view, top)
            and not any(isinstance(a, QComboBox) for a in _ancestors(view, top))]


def tab_sequence(page: QWidget, start: QWidget) -> list[QWidget]:
    """The controls on ``page`` that Tab reaches from ``start``, in the order it reaches them, once round the
    window (Ctrl+Tab where a text field keeps Tab; a date edit's day, month and year count once)."""
    window = page.window()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    QApplication.processEvents()
    focus = window.focusWidget()
    seen: list[QWidget] = []
    for _ in range(400):
        if focus is None or focus in seen:
            break
        if page.isAncestorOf(focus) and not (seen and focus.parentWidget() is seen[-1]):
            seen.append(focus)
        after = focus
        for _section in range(4 if isinstance(focus, QAbstractSpinBox) or isinstance(focus.parentWidget(),
                                                                                      QAbstractSpinBox) else 1):
            _press_tab(focus)
            after = window.focusWidget()
            if after is not focus:
                break
        if after is focus:
            _press_tab(focus, Qt.KeyboardModifier.ControlModifier)
            after = window.focusWidget()
            if after is focus:
                break
        focus = after
    return seen


def _rect(widget: QWidget, page: QWidget) -> QRect:
    return QRect(widget.mapTo(page, widget.rect().topLeft()), widget.size())


def _reading_order(widgets: list[QWidget], page: QWidget) -> list[QWidget]:
    """Row by row (a row: the widgets whose middles lie within the height of its first), left to right."""
    rest = sorted(widgets, key=lambda w: _rect(w, page).center().y())
    ordered: list[QWidget] = []
    while rest:
        first = _rect(rest[0], page)
        row = [w for w in rest if first.top() <= _rect(w, page).center().y() <= first.bottom()] or rest[:1]
        ordered += sorted(row, key=lambda w: _rect(w, page).left())
        rest = [w for w in rest if w not in row]
    return ordered


def out_of_visual_order(page: QWidget) -> list[str]:
    """Tab's order against what the eye reads on ``page`` (the tab shown): the controls in the rows above the
    page's main list (the topmost, then leftmost, list or table) come first, left to right and row by row,
    then the list, then what is beside it on its right (the details of the row selected)."""
    lists = [v for v in page.findChildren(QAbstractItemView)
             if not _internal(v) and not isinstance(v, QHeaderView) and _shown(v, page.window()) and v.isEnabled()
             and page.isAncestorOf(v) and v.focusPolicy() & Qt.FocusPolicy.TabFocus
             and not any(isinstance(a, QComboBox) for a in _ancestors(v, page))]
    stops = [s for s in tab_stops(page) if _shown(s, page.window()) and not isinstance(s, QTabBar)]
    if not lists or not stops:
        return []
    main = min(lists, key=lambda v: (_rect(v, page).top(), _rect(v, page).left()))
    box = _rect(main, page)
    above = _reading_order([s for s in stops if _rect(s, page).bottom() < box.top()], page)
    beside = [s for s in stops if _rect(s, page).left() > box.right()
              and _rect(s, page).top() <= box.bottom() and _rect(s, page).bottom() >= box.top()]
    start = above[0] if above else main
    order = tab_sequence(page, start)
    where = {id(w): n for n, w in enumerate(order)}

    def at(w: QWidget) -> int:
        return where.get(id(w), where.get(id(w.focusProxy()), -1) if w.focusProxy() is not None else -1)

    def name(w: QWidget) -> str:
        return f"{type(w).__name__} {_label(w) or w.objectName()!r}"

    problems = []
    if at(main) < 0:
        return [f"Tab from {name(start)} never reaches the list {name(main)}"]
    for s in above:
        if not 0 <= at(s) < at(main):
            problems.append(f"{name(s)}, above the list {name(main)}, comes after it")
    reached_above = [s for s in above if 0 <= at(s) < at(main)]
    for a, b in pairwise(reached_above):  # row by row, left to right
        if at(b) < at(a):
            problems.append(f"{name(b)} comes before {name(a)}, on its left or above it")
    for s in beside:
        if 0 <= at(s) < at(main):
            problems.append(f"{name(s)}, beside the list {name(main)} on its right, comes before it")
    return problems


# --- Tab's order inside a dialog or a pane ------------------------------------------------------------------

#: two controls are in one row when their heights overlap by more than this (logical pixels): a label's line
#: edit beside a taller button, a drop-down beside a date a pixel lower
ROW_TOLERANCE = 4
#: a control reached after one below it may start a new column: it is then at least this far right of the
#: one before (a form's second column, the details beside a list)
COLUMN_GAP = 0


def _keeps_tab(widget: QWidget) -> bool:
    """A text box that types a Tab character (Ctrl+Tab leaves it): the walk presses Ctrl+Tab at once, so
    nothing is typed into it."""
    from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

    return isinstance(widget, QPlainTextEdit | QTextEdit) and not widget.tabChangesFocus() \
        and not widget.isReadOnly()


def _control(widget: QWidget | None) -> QWidget | None:
    """The control the focus is in (a spin box or drop-down for its own line edit)."""
    if widget is not None and isinstance(widget.parentWidget(), QComboBox | QAbstractSpinBox):
        return widget.parentWidget()
    return widget


def focus_walk(window: QWidget, start: QWidget, *, forward: bool = True, limit: int = 400) -> list[QWidget]:
    """The controls the focus visits from ``start`` pressing Tab (or Shift+Tab), once round ``window``: the
    real key presses, as a person makes them (a date edit's day, month and year count once; Ctrl+Tab leaves a
    text box that keeps Tab)."""
    key = Qt.Key.Key_Tab if forward else Qt.Key.Key_Backtab
    shift = Qt.KeyboardModifier.NoModifier if forward else Qt.KeyboardModifier.ShiftModifier
    start.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
    QApplication.processEvents()
    seen: list[QWidget] = []
    focus = _control(window.focusWidget())
    for _ in range(limit):
        if focus is None or focus in seen:
            break
        seen.append(focus)
        target = window.focusWidget() or focus
        after = focus
        for _section in range(4 if isinstance(focus, QAbstractSpinBox) else 1):
            modifiers = shift | (Qt.KeyboardModifier.ControlModifier if _keeps_tab(focus) else
                                 Qt.KeyboardModifier.NoModifier)
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers))
            after = _control(window.focusWidget())
            if after is not focus:
                break
        if after is focus:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(target, QKeyEvent(kind, key, shift | Qt.KeyboardModifier.ControlModifier))
            after = _control(window.focusWidget())
            if after is focus:
                break
        focus = after
    return seen


def _in_button_box(widget: QWidget) -> bool:
    from PySide6.QtWidgets import QDialogButtonBox

    return isinstance(widget.parentWidget(), QDialogButtonBox)


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__} {(_label(widget) or widget.objectName())[:40]!r}"


def _scrolls(widget: QWidget) -> list[QWidget]:
    """The scroll areas ``widget`` is inside (in their scrolled part), the outermost first."""
    from PySide6.QtWidgets import QScrollArea

    found = []
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not None and parent.widget().isAncestorOf(widget):
            found.append(parent)
        parent = parent.parentWidget()
    return found[::-1]


def _owner(widget: QWidget, depth: int) -> QWidget:
    chain = _scrolls(widget)
    return chain[depth] if len(chain) > depth else widget


def _frame(window: QWidget, depth_owner: QWidget | None) -> QWidget:
    from PySide6.QtWidgets import QScrollArea

    return depth_owner.widget() if isinstance(depth_owner, QScrollArea) and depth_owner.widget() else window


def pair_rects(a: QWidget, b: QWidget, window: QWidget) -> tuple[QRect, QRect]:
    """Where ``a`` and ``b`` are, to compare them as the eye does: inside the scroll area both are in, where they
    are in its scrolled part (however it is scrolled); otherwise where the scroll area each is in stands (a
    field in a scrolled form is read where the form is, before the buttons under it)."""
    sa, sb = _scrolls(a), _scrolls(b)
    depth = 0
    while depth < min(len(sa), len(sb)) and sa[depth] is sb[depth]:
        depth += 1
    frame = _frame(window, sa[depth - 1] if depth else None)
    return _rect(_owner(a, depth), frame), _rect(_owner(b, depth), frame)


def reading_first(widgets: list[QWidget], window: QWidget) -> QWidget:
    """The control the eye meets first: in the topmost row, the leftmost (inside a scroll area, the first in
    its scrolled part; a scroll area that takes the focus itself before what is in it)."""
    depth = 0
    frame = window
    group = widgets
    while True:
        owners = {id(w): _owner(w, depth) for w in group}
        rects = {id(w): _rect(owners[id(w)], frame) for w in group}
        top = min(group, key=lambda w: rects[id(w)].top())
        row = [w for w in group if rects[id(w)].top() < rects[id(top)].bottom() - ROW_TOLERANCE]
        chosen = min(row, key=lambda w: (rects[id(w)].left(), rects[id(w)].top()))
        owner = owners[id(chosen)]
        if owner is chosen or owner in group:
            return owner if owner in group else chosen
        group = [w for w in group if owners[id(w)] is owner]
        frame = _frame(window, owner)
        depth += 1


def jumps_back(a: QRect, b: QRect) -> str:
    """Why Tab from ``a`` to ``b`` goes against reading order ("" when it does not): ``b`` on the left of
    ``a`` in its row, or above it and not in a column to its right."""
    same_row = b.top() < a.bottom() - ROW_TOLERANCE and a.top() < b.bottom() - ROW_TOLERANCE
    if same_row:
        return "" if b.center().x() > a.center().x() or b.left() >= a.left() else "to its left in the same row"
    if b.bottom() <= a.top() + ROW_TOLERANCE:  # above
        return "" if b.left() >= a.right() + COLUMN_GAP else "above it"
    return ""


def order_stops(area: QWidget) -> list[QWidget]:
    """The controls of ``area`` Tab should take: :func:`tab_stops`, and the tab bars of its tab widgets (a tab's
    controls follow its tab bar)."""
    window = area.window()
    stops = [s for s in tab_stops(area) if _shown(s, window) and s.focusProxy() is None]
    bars = [b for b in area.findChildren(QTabBar) if _shown(b, window) and b.isEnabled()
            and b.focusPolicy() & Qt.FocusPolicy.TabFocus and b not in stops]
    found = stops + bars
    return [s for s in found if area.isAncestorOf(s)] if area is not window else found


def tab_order_problems(top: QWidget, within: QWidget | None = None,
                       allowed: frozenset[tuple[str, str]] = frozenset()) -> list[str]:
    """Tab's order against reading order in ``top`` (a dialog, or a pane of the main window: ``within``),
    checked from the control read first, once round:

    * each Tab goes to a control below, or to the right in the same row (a row: heights overlapping by more
      than :data:`ROW_TOLERANCE` pixels), or up to the top of a column on the right (a form's second column,
      the details beside a list);
    * a dialog's button row (``QDialogButtonBox``) comes last;
    * Shift+Tab visits the same controls in the reverse order;
    * a scroll area is not a stop of its own (nothing on the screen shows the focus there), nor is a tab bar's
      scroll arrow (a tiny button with no text; Ctrl+Tab and the arrow keys on the tab bar reach every tab).

    ``allowed``: jumps back that are meant, as (object name, object name) pairs. Controls in a scroll area are compared in its scrolled part, and with what is outside it where the scroll
    area stands (:func:`pair_rects`)."""
    area = within or top
    window = top.window()
    stops = order_stops(area)
    if len(stops) < 2:
        return []
    wanted = {id(s) for s in stops}
    start = reading_first(stops, window)
    order = [w for w in focus_walk(window, start) if id(w) in wanted]
    problems: list[str] = []
    from PySide6.QtWidgets import QScrollArea

    problems += [f"{_name(s)} is a Tab stop of its own" for s in stops if isinstance(s, QScrollArea)]
    # Qt's scroll arrows of a tab bar whose tabs do not all fit: a tiny button showing no text (Ctrl+Tab and the
    # arrow keys on the tab bar reach every tab)
    problems += [f"{_name(s)}, a tab bar's scroll arrow, is a Tab stop" for s in stops
                 if isinstance(s.parentWidget(), QTabBar)]
    for a, b in pairwise(order):
        why = jumps_back(*pair_rects(a, b, window))
        if why and (a.objectName(), b.objectName()) not in allowed:
            problems.append(f"Tab goes from {_name(a)} to {_name(b)}, {why}")
    boxed = [n for n, w in enumerate(order) if _in_button_box(w)]
    if boxed and any(not _in_button_box(w) for w in order[boxed[0]:]):
        later = [_name(w) for w in order[boxed[0]:] if not _in_button_box(w)]
        problems.append(f"the button row comes before {later[:3]}")
    back = [w for w in focus_walk(window, start, forward=False) if id(w) in wanted]
    if back[1:] != order[1:][::-1]:
        problems.append(f"Shift+Tab is not Tab reversed: {[_name(w) for w in back[:6]]} … against "
                        f"{[_name(w) for w in [order[0], *order[1:][::-1]][:6]]} …")
    return problems


def fillable(widget: QWidget) -> bool:
    """A control a user fills in or chooses from (not a button, not a line to read)."""
    from PySide6.QtWidgets import QCheckBox, QPlainTextEdit, QRadioButton, QTextEdit

    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QAbstractSpinBox):
        return not widget.isReadOnly()
    if isinstance(widget, QAbstractItemView):  # a list to choose from; an empty one has nothing to choose
        model = widget.model()
        return not isinstance(widget, QHeaderView) and model is not None and model.rowCount() > 0
    return isinstance(widget, QComboBox | QCheckBox | QRadioButton)
