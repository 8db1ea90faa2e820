"""The user guide inside the application: Help → User guide, F1 for where you are, the first-day tour.

Nothing here is loaded before the first paint: the main window calls :func:`install_help` when it builds
its menus after sign-in, and the guide's pages are read only when the guide is first opened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QWidget

if TYPE_CHECKING:
    from adoption_desktop.ui.guide.tour import TourDialog
    from adoption_desktop.ui.guide.window import GuideWindow
    from adoption_desktop.ui.main_window import MainWindow


class GuideHelp(QObject):
    """A main window's guide: the Help menu's entries, F1, and the guide window (made on first use)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.guide: GuideWindow | None = None
        self.tour: TourDialog | None = None
        self._extra: list[GuideWindow] = []  # guides opened over a modal dialog (they close with it)
        _F1.install(self)

    # --- the guide window -----------------------------------------------------------------------
    def open(self, topic: str | None = None, receiver: QWidget | None = None) -> GuideWindow:
        """Show the guide at ``topic`` (default: the topic for where the user is)."""
        from adoption_desktop.ui.guide.where import topic_for
        from adoption_desktop.ui.guide.window import GuideWindow

        if topic is None:
            topic = topic_for(self.window, receiver)
        modal = QApplication.activeModalWidget()
        inside = receiver.window() if receiver is not None else None
        if isinstance(inside, GuideWindow):  # F1 in the guide itself: its page on using the guide, there
            guide = inside
        elif modal is not None and modal is not self.guide:
            # a modal dialog blocks every other window: this guide belongs to the dialog and closes with it
            guide = GuideWindow(modal, self._generated())
            guide.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self._extra.append(guide)
            guide.destroyed.connect(lambda _=None, g=guide: self._extra.remove(g) if g in self._extra else None)
        else:
            if self.guide is None:
                self.guide = GuideWindow(self.window, self._generated())
            guide = self.guide
        guide.open_topic(topic)
        guide.show()
        guide.raise_()
        guide.activateWindow()
        guide.browser.setFocus()
        return guide

    def _generated(self) -> dict[str, Callable[[str], str]]:
        from adoption_desktop.ui.guide.shortcuts import fill

        return {"shortcuts.html": lambda html: fill(self.window if self.window._ctx is not None else None, html)}

    # --- the first-day tour ---------------------------------------------------------------------
    def open_tour(self) -> TourDialog | None:
        from adoption_desktop.ui.guide.tour import TourDialog

        if self.window._ctx is None or self.window.locked:
            return None
        if self.tour is not None:
            self.tour.close()
        self.tour = TourDialog(self.window)
        self.tour.show()
        self.tour.raise_()
        self.tour.activateWindow()
        return self.tour

    def f1(self, receiver: QWidget | None) -> None:
        if self.window.locked:
            return
        self.open(None, receiver)


class _F1Filter(QObject):
    """F1 anywhere (also in a dialog, a text box or a menu) opens the guide for where the user is.

    One application event filter serves every main window: the key goes to the window the receiver
    belongs to (through its parents), else to the newest visible main window."""

    def __init__(self) -> None:
        super().__init__()
        self.helps: list[GuideHelp] = []

    def install(self, help_: GuideHelp) -> None:
        app = QApplication.instance()
        if app is None:
            return
        if self.parent() is not app:
            self.setParent(app)
            app.installEventFilter(self)
        self.helps.append(help_)
        help_.destroyed.connect(lambda _=None, h=help_: self.helps.remove(h) if h in self.helps else None)

    def _help_for(self, receiver: QWidget | None) -> GuideHelp | None:
        w = receiver
        while w is not None:
            for h in self.helps:
                if h.window is w:
                    return h
            w = w.parentWidget()
        visible = [h for h in self.helps if h.window.isVisible()]
        return visible[-1] if visible else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() != Qt.Key.Key_F1 or event.modifiers() != Qt.KeyboardModifier.NoModifier:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # F1 comes here as a key press (the Help menu shows F1 but does not bind it)
            return True
        help_ = self._help_for(watched if isinstance(watched, QWidget) else None)
        if help_ is None:
            return False
        help_.f1(watched if isinstance(watched, QWidget) else None)
        return True


_F1 = _F1Filter()


def install_help(window: MainWindow, menu: QMenu) -> GuideHelp:
    """Add *User guide (F1)* and *First-day tour* to the Help menu, and F1 to the whole application."""
    help_ = getattr(window, "guide_help", None)
    if not isinstance(help_, GuideHelp):
        help_ = GuideHelp(window)
        window.guide_help = help_  # type: ignore[attr-defined]
    guide = QAction("&User guide", menu)
    guide.setObjectName("user_guide")
    guide.setShortcut(QKeySequence("F1"))  # shown in the menu; F1 itself is handled by _F1Filter
    guide.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    guide.triggered.connect(lambda _=False: help_.open())
    tour = QAction("First-day &tour", menu)
    tour.setObjectName("first_day_tour")
    tour.triggered.connect(lambda _=False: help_.open_tour())
    first = menu.actions()[0] if menu.actions() else None
    menu.insertActions(first, [guide, tour]) if first is not None else menu.addActions([guide, tour])
    if first is not None:
        menu.insertSeparator(first)
    return help_


def offer_first_day_tour(window: MainWindow) -> None:
    """After a person signs in: their first time (with this database, on this PC) starts the tour."""
    from adoption_desktop.ui.guide.tour import seen, start_if_first

    help_ = getattr(window, "guide_help", None)
    if isinstance(help_, GuideHelp) and not seen(window):
        start_if_first(help_)
