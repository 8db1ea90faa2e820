"""A status-bar message longer than the room left of the database's name: at 150 % on a 1366×768 screen
(911 × 485 logical pixels for the window) Enter on a Reports figure with no list behind it said "“Decisions
signed late” has no list behind it: …", clipped mid-letter at the database's name and the rest lost (user
trial, thirteenth release). It is now cut at a word with "…", whole in the status bar's tooltip and its
accessible description, and said whole to a screen reader."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QTreeWidgetItem

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.palette import contrast_ratio
from adoption_desktop.ui.tasks import TaskRunner

#: 1366 × 768 less a 40-pixel taskbar, at 150 %, in logical pixels
AT_150 = (round(1366 / 1.5), round((768 - 40) / 1.5))


def _letters_in(status: Any, strip: QRect) -> int:
    """Pixels in ``strip`` of the status bar (logical pixels) that stand out from its background."""
    image = status.grab().toImage()
    scale = image.width() / status.width()
    ground = status.palette().color(QPalette.ColorRole.Window)
    area = QRect(round(strip.x() * scale), round(strip.y() * scale), round(strip.width() * scale),
                 round(strip.height() * scale)).intersected(image.rect())
    return sum(1 for y in range(area.top(), area.bottom() + 1) for x in range(area.left(), area.right() + 1)
               if contrast_ratio(image.pixelColor(x, y), ground) >= 1.5)


def test_a_long_status_message_is_cut_at_a_word_and_given_whole(small_demo_db: Database, qtbot: Any,
                                                                 said: list[str]) -> None:
    db = small_demo_db
    window = MainWindow(AppContext(db, authenticate(db, "manager", demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(*AT_150)
    window.show()
    qtbot.waitExposed(window)
    page: Any = window.open_target("reports")
    page.run()
    closed: QTreeWidgetItem | None = None
    for i in range(page.tree.topLevelItemCount()):
        top = page.tree.topLevelItem(i)
        for j in range(top.childCount()):
            if closed is None and not page._opens(top.text(0), top.child(j).text(0)):
                closed = top.child(j)
    assert closed is not None
    figure = closed.text(0)
    assert page.open_figure(closed) is None
    QApplication.processEvents()
    status = window.statusBar()
    whole = status.currentMessage()
    assert "has no list behind it" in whole and figure in whole
    # where Qt paints a message: from 6 pixels in to 2 pixels before the database's name
    assert window.db_label.isVisible()
    room = QRect(6, 0, window.db_label.x() - 2 - 6, status.height())
    assert status.fontMetrics().horizontalAdvance(whole) > room.width()  # it is too long to show whole here
    # nothing of the message is drawn in the last few pixels before the database's name: not clipped mid-letter
    assert _letters_in(status, QRect(room.right() - 5, 0, 6, status.height())) == 0
    assert _letters_in(status, QRect(room.left(), 0, 40, status.height())) > 0  # its start is shown
    assert status.toolTip() == whole
    assert status.accessibleDescription() == whole
    assert whole in said  # said whole to a screen reader
    shown = status.shown_message()  # type: ignore[attr-defined]
    assert shown.endswith("…") and whole.startswith(shown[:-1].rstrip())
    assert status.fontMetrics().horizontalAdvance(shown) <= room.width()

    # a message that fits is shown whole, with no tooltip; a long one again when the window is made wide enough
    window.ctx.notify("Saved.")
    QApplication.processEvents()
    assert status.shown_message() == "Saved." and status.toolTip() == ""  # type: ignore[attr-defined]
    window.ctx.notify(whole)
    window.resize(1366 * 2, AT_150[1])
    QApplication.processEvents()
    assert status.shown_message() == whole and status.toolTip() == ""  # type: ignore[attr-defined]
    window.close()
