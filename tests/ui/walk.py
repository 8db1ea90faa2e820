"""Walk every page and tab of the main window (and big dialogs) and report what a user could not read.

Shared by the fit, accessibility and contrast tests. Sizes are *logical* pixels: a 1366×768 screen at
125 % scaling is a 1093×614 logical screen, at 150 % a 911×512 one (Qt lays out in logical pixels, so
checking at those sizes is what QT_SCALE_FACTOR would show, without a subprocess per size).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QTabWidget,
    QWidget,
)

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
    if not widget.isVisibleTo(top):
        return False
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
            need = fm.horizontalAdvance(str(title)) + 8  # the style's header margins, 4 px a side
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


def every_view(window: QWidget, pages: Callable[[], Iterator[tuple[str, QWidget]]]) -> Iterator[str]:
    """Yield a name for every page and every tab of every tab widget on it, with that tab shown."""
    for name, page in pages():
        QApplication.processEvents()
        yield name
        for tabs in page.findChildren(QTabWidget):
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
