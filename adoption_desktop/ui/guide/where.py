"""Which guide topic belongs to where the user is: the dialog in front, or the page and tab shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QTabBar, QTabWidget, QWidget

from adoption_desktop.ui.guide.topics import PAGES_LED_BY_TABS, dialog_topic, page_topic, plain_tab

if TYPE_CHECKING:
    from adoption_desktop.ui.main_window import MainWindow


def class_names(widget: QWidget) -> list[str]:
    return [f"{k.__module__}.{k.__qualname__}" for k in type(widget).__mro__]


def focus_tabs(top: QWidget, focus: QWidget | None) -> tuple[str, ...] | None:
    """The tabs (outside in) holding the focus widget, if the focus is inside ``top``; else None."""
    if focus is None or not (top is focus or top.isAncestorOf(focus)):
        return None
    chain: list[str] = []
    w: QWidget | None = focus
    while w is not None:
        parent = w.parentWidget()
        if isinstance(w, QTabBar) and isinstance(parent, QTabWidget) and parent.tabBar() is w:
            if parent.currentIndex() >= 0:  # the tab bar itself: its current tab
                chain.insert(0, plain_tab(parent.tabText(parent.currentIndex())))
        elif parent is not None and isinstance(parent.parentWidget(), QTabWidget):
            tabs = parent.parentWidget()
            assert isinstance(tabs, QTabWidget)
            index = tabs.indexOf(w)
            if index >= 0:  # w is one of the tab widget's pages
                chain.insert(0, plain_tab(tabs.tabText(index)))
        if w is top:
            break
        w = parent
    return tuple(chain)


def shown_tabs(page: QWidget) -> tuple[str, ...]:
    """The current tabs of a page, outside in, following the current tab into nested tab widgets."""
    chain: list[str] = []
    tabs = page if isinstance(page, QTabWidget) else _outermost_tabs(page)
    while tabs is not None and tabs.currentIndex() >= 0:
        chain.append(plain_tab(tabs.tabText(tabs.currentIndex())))
        current = tabs.currentWidget()
        tabs = _outermost_tabs(current) if current is not None else None
    return tuple(chain)


def _outermost_tabs(widget: QWidget) -> QTabWidget | None:
    candidates = [t for t in widget.findChildren(QTabWidget) if t.isVisibleTo(widget.window())]
    for tabs in candidates:
        p = tabs.parentWidget()
        nested = False
        while p is not None and p is not widget:
            if isinstance(p, QTabWidget):
                nested = True
                break
            p = p.parentWidget()
        if not nested:
            return tabs
    return None


def topic_for_page(window: MainWindow, focus: QWidget | None = None) -> str:
    row = window.nav.currentRow()
    if not window.targets or row < 0 or row >= len(window.targets):
        return "index.html"
    key = window.targets[row].key
    page = window.page(key)
    if page is None:
        return page_topic(key, ())
    if page.objectName() == "counselling_counts_page":
        return page_topic(key, ("counts",))
    chain = focus_tabs(page, focus)
    if chain is None:
        chain = shown_tabs(page) if key in PAGES_LED_BY_TABS else ()
    return page_topic(key, chain)


def topic_for_dialog(dialog: QWidget, focus: QWidget | None = None) -> str | None:
    names = class_names(dialog)
    tab: str | None = None
    chain = focus_tabs(dialog, focus)
    if chain:
        tab = chain[-1]
    else:
        tabs = dialog.findChildren(QTabWidget)
        if tabs and tabs[0].currentIndex() >= 0:
            tab = plain_tab(tabs[0].tabText(tabs[0].currentIndex()))
    return dialog_topic(names, tab)


def topic_for(window: MainWindow, receiver: QWidget | None = None) -> str:
    """The topic for where the user is: the window the key went to (a dialog's own topic), else the page."""
    # the key goes to the focus widget, so the receiver is where the user is (a test may send it anywhere)
    focus = receiver if receiver is not None else QApplication.focusWidget()
    if focus is not None and not focus.window().isVisible():  # left in a window since closed (hidden)
        focus = None
    top = focus.window() if focus is not None else QApplication.activeWindow()
    if top is not None and not top.isVisible():
        top = None
    if top is None or top is window:
        return topic_for_page(window, focus)
    topic = topic_for_dialog(top, focus)
    return topic if topic is not None else topic_for_page(window, None)  # a message box: the page's topic
