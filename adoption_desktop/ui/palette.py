"""Colours from the palette, so Windows High Contrast and dark themes are followed, and readable text.

* :func:`contrast_ratio` is WCAG 2.1's ratio of relative luminances ((L1 + 0.05) / (L2 + 0.05)).
* :func:`readable` keeps a semantic tint (overdue red, due-today amber) only where it reaches
  :data:`AA_NORMAL_TEXT` (4.5:1) against the palette's background; otherwise the palette's own text
  colour is used (under High Contrast — black background, white text — the tints give way to white).
* :func:`apply_accessible_palette` sets the PlaceholderText role (hint text) to a colour at least 4.5:1
  against the background: Qt's default grey hint is about 3.4:1.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QWidget

#: WCAG 2.1 AA for normal-size text.
AA_NORMAL_TEXT = 4.5


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    return 0.2126 * _channel(colour.redF()) + 0.7152 * _channel(colour.greenF()) + 0.0722 * _channel(colour.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


def hint_colour(text: QColor, background: QColor) -> QColor:
    """The lightest mix of ``text`` toward ``background`` that still reads at 4.5:1: dimmer than the
    text, so a hint looks like a hint, but never below AA."""
    best = QColor(text)
    for step in range(1, 20):
        candidate = _mix(text, background, step / 20)
        if contrast_ratio(candidate, background) < AA_NORMAL_TEXT + 0.1:
            break
        best = candidate
    return best


def current_palette() -> QPalette:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    return app.palette() if isinstance(app, QApplication) else QPalette()


def readable(brush: QBrush | QColor | None, palette: QPalette | None = None) -> QBrush | None:
    """``brush`` if it reads at 4.5:1 on the palette's Base, else None (the view uses the Text role)."""
    if brush is None:
        return None
    colour = brush.color() if isinstance(brush, QBrush) else brush
    base = (palette or current_palette()).color(QPalette.ColorRole.Base)
    if contrast_ratio(colour, base) >= AA_NORMAL_TEXT:
        return brush if isinstance(brush, QBrush) else QBrush(colour)
    return None


def accessible_palette(palette: QPalette) -> QPalette:
    """``palette`` with hint text (PlaceholderText) at ≥ 4.5:1 in every colour group."""
    out = QPalette(palette)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled):
        text = out.color(group, QPalette.ColorRole.Text)
        base = out.color(group, QPalette.ColorRole.Base)
        out.setColor(group, QPalette.ColorRole.PlaceholderText, hint_colour(text, base))
    return out


def apply_accessible_palette() -> None:
    """Install :func:`accessible_palette` on the application (start-up, and again on a theme change), and
    the focus frame that can be seen (``focus_frame``: 2 pixels in the Highlight colour)."""
    from PySide6.QtWidgets import QApplication

    from adoption_desktop.ui.focus_frame import install_focus_frame

    install_focus_frame()
    app = QApplication.instance()
    if isinstance(app, QApplication):
        app.setPalette(accessible_palette(app.palette()))


def high_contrast_palette() -> QPalette:
    """Black background, white text, the shape of Windows' "High Contrast Black" (for tests and preview)."""
    black, white = QColor("#000000"), QColor("#FFFFFF")
    palette = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.AlternateBase,
                 QPalette.ColorRole.Button, QPalette.ColorRole.ToolTipBase):
        palette.setColor(role, black)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.ToolTipText, QPalette.ColorRole.BrightText):
        palette.setColor(role, white)
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#1AEBFF"))
    palette.setColor(QPalette.ColorRole.HighlightedText, black)
    palette.setColor(QPalette.ColorRole.Link, QColor("#FFFF00"))
    return accessible_palette(palette)


def tint(colour: str, widget: QWidget) -> QColor:
    """``colour`` (an error red, a success green) where it reads at 4.5:1 on ``widget``'s background,
    else the palette's own text colour (High Contrast: white on black)."""
    palette = widget.palette()
    background = palette.color(widget.backgroundRole())
    wanted = QColor(colour)
    if contrast_ratio(wanted, background) >= AA_NORMAL_TEXT:
        return wanted
    return palette.color(widget.foregroundRole())


def tint_style(colour: str, widget: QWidget) -> str:
    """A style sheet colouring ``widget``'s text with :func:`tint` (for message labels)."""
    return f"color: {tint(colour, widget).name()};"


#: the red of an error or warning line (4.5:1 on white); where it would not read, :func:`tint` gives the
#: palette's own text colour instead (High Contrast: white on black)
ERROR_COLOUR = "#B00020"


def error_tint(widget: QWidget, on: object = True, *, bold: bool = False) -> None:
    """Colour ``widget``'s text (a form's message line, a warning) as an error: :data:`ERROR_COLOUR` through
    :func:`tint`, in bold with ``bold``; with ``on`` false (no error now) its style sheet is cleared."""
    widget.setStyleSheet((tint_style(ERROR_COLOUR, widget) + (" font-weight: bold;" if bold else "")) if on else "")


def window_base(widget: QWidget) -> QPalette:
    """``widget``'s palette with its text area in the window's colour (the system's, High Contrast included):
    a list drawn as part of the window, or a text box that is read-only. (``widget.palette()`` is already a
    copy; ``QPalette(widget.palette())`` cost 14 ms before the first paint, in resolving the constructor's
    overloads.)"""
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
    return palette
