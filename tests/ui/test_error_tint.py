"""``palette.error_tint``: the one way an error line is coloured (it was ``tint_style("#B00020", line)`` by hand in
some thirty places): the red where it reads, the palette's text colour under High Contrast, bold when asked,
cleared when there is no error."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from adoption_desktop.ui.palette import ERROR_COLOUR, error_tint, high_contrast_palette


def test_error_tint_colours_bolds_and_clears(qtbot: Any) -> None:
    line = QLabel("Date of birth: give a date")
    qtbot.addWidget(line)
    error_tint(line)
    line.ensurePolished()
    assert line.palette().color(QPalette.ColorRole.WindowText) == QColor(ERROR_COLOUR)
    assert "bold" not in line.styleSheet()
    error_tint(line, bold=True)
    assert line.styleSheet().endswith(" font-weight: bold;") and line.font().bold()
    error_tint(line, "")  # no error now
    assert line.styleSheet() == ""
    dark = QLabel("Refused")
    qtbot.addWidget(dark)
    dark.setPalette(high_contrast_palette())
    error_tint(dark)
    dark.ensurePolished()
    assert dark.palette().color(QPalette.ColorRole.WindowText) == high_contrast_palette().color(
        QPalette.ColorRole.WindowText)


def test_no_error_line_is_tinted_by_hand() -> None:
    package = Path(__file__).resolve().parents[2] / "adoption_desktop"
    found = subprocess.run(["grep", "-rnE", "--exclude=palette.py", r"tint_style\((\"#B00020\"|ERROR_COLOUR)", str(package)],
                           capture_output=True, text=True).stdout
    assert found == ""
