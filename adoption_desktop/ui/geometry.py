"""The main window fits the screen it opens on and remembers its place there.

Sized from ``QScreen.availableGeometry()`` (the screen less the taskbar or dock), in logical pixels, so
a 1366×768 laptop at 100 %, 125 % or 150 % scaling gets a window that ends above the taskbar. The size
and position are remembered per screen (name and available size) in :class:`~adoption_desktop.core.config.LocalConfig`
under ``window_geometry``, and a remembered place that no longer fits (a smaller screen, a changed
scaling) is not used. Qt alone at module level: this is on the start-up path.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect

if TYPE_CHECKING:
    from PySide6.QtGui import QScreen
    from PySide6.QtWidgets import QWidget

    from adoption_desktop.core.config import LocalConfig

#: LocalConfig key: {screen key: [x, y, width, height]}
CONFIG_KEY = "window_geometry"
#: The size the window would like on a large screen; it never opens larger than the available area.
PREFERRED_WIDTH, PREFERRED_HEIGHT = 1280, 800
#: What the window frame (title bar, borders) takes outside the client area that Qt sizes.
FRAME_ALLOWANCE_W, FRAME_ALLOWANCE_H = 16, 40
#: the whole numbers a QRect holds (a C int): a larger one in the settings file raised OverflowError
_QT_INT = (-(2**31), 2**31 - 1)


def screen_key(screen: QScreen) -> str:
    """The same monitor at another scaling is another key: its logical size changes."""
    area = screen.availableGeometry()
    return f"{screen.name() or 'screen'}@{area.width()}x{area.height()}"


def default_rect(available: QRect) -> QRect:
    """Centred, as large as preferred, never larger than the available area less the frame."""
    width = min(PREFERRED_WIDTH, available.width() - FRAME_ALLOWANCE_W)
    height = min(PREFERRED_HEIGHT, available.height() - FRAME_ALLOWANCE_H)
    x = available.x() + (available.width() - width) // 2
    y = available.y() + max(0, (available.height() - height - FRAME_ALLOWANCE_H) // 2)
    return QRect(x, y, width, height)


def place_of(value: object) -> list[int] | None:
    """``value`` if it is a remembered place, ``[x, y, width, height]`` in whole numbers Qt can hold: the file
    may have been edited by hand, and another shape (a number past Qt's range stopped the start-up) is none."""
    if isinstance(value, list) and len(value) == 4 and all(
            isinstance(v, int) and not isinstance(v, bool) and _QT_INT[0] <= v <= _QT_INT[1] for v in value):
        return value
    return None


def _remembered(config: LocalConfig, key: str, available: QRect) -> QRect | None:
    stored = config.mapping(CONFIG_KEY, place_of).get(key)
    if stored is None:
        return None
    rect = QRect(*stored)
    if rect.width() < 400 or rect.height() < 300:
        return None
    if rect.width() > available.width() or rect.height() + FRAME_ALLOWANCE_H > available.height() + 1:
        return None
    if not available.contains(rect.topLeft()):
        return None
    return rect


def place_window(window: QWidget, config: LocalConfig | None, screen: QScreen | None = None) -> QRect:
    """Size and place ``window`` on ``screen`` (its own, else the primary): the remembered place for this
    screen when it still fits, otherwise :func:`default_rect`. Returns the rectangle used."""
    from PySide6.QtGui import QGuiApplication

    screen = screen or window.screen() or QGuiApplication.primaryScreen()
    if screen is None:  # no display at all: keep Qt's default
        return window.geometry()
    available = screen.availableGeometry()
    rect = (_remembered(config, screen_key(screen), available) if config is not None else None) \
        or default_rect(available)
    window.resize(rect.size())
    window.move(rect.topLeft())
    return rect


def remember_window(window: QWidget, config: LocalConfig | None) -> None:
    """Store the window's normal (not maximised) geometry for the screen it is on."""
    if config is None:
        return
    screen = window.screen()
    if screen is None:
        return
    geometry = window.normalGeometry() if window.isMaximized() else window.geometry()
    if not geometry.isValid():
        return
    key, place = screen_key(screen), [geometry.x(), geometry.y(), geometry.width(), geometry.height()]
    with contextlib.suppress(OSError):  # a read-only profile: the default place next time
        # added to the places as the file has them now: another window's, closed since this one started, is kept
        config.put_entry(CONFIG_KEY, key, place, place_of)
