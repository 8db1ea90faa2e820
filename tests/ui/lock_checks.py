"""What the lock screen leaves on screen of a window: checks shared by the lock tests (offscreen)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QWidget

from adoption_desktop.ui.idle_lock import LOCKED_TITLE


def _colours(window: QWidget) -> set[int]:
    """The colours of ``window`` as on screen (its backing store) and as drawn now (every other pixel)."""
    QApplication.processEvents()
    window.repaint()
    images = [window.grab().toImage()]
    screen = window.screen()
    if screen is not None:
        images.append(screen.grabWindow(window.winId()).toImage())
    return {image.pixel(x, y) for image in images if not image.isNull()
            for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}


def shows_nothing(window: QWidget) -> bool:
    """Nothing of ``window`` is on screen: hidden, or covered all over by one colour, its title the lock's
    (its own may name a case)."""
    if not window.isVisible():
        return True
    return window.windowTitle() == LOCKED_TITLE and len(_colours(window)) == 1


def shows_something(window: QWidget) -> bool:
    """``window`` draws more than one colour (its fields): the check above would see a form."""
    return len(_colours(window)) > 1
