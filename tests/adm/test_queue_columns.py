"""The ADM queue's columns at 1366×768: each as wide as its heading and its values, the first five
(reference to type) wholly on screen beside the decision pane; measured with the queue's own fonts."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyle

from adoption_desktop import demo
from adoption_desktop.adm import rules
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.adm.views.queue_model import COL_REF, COL_TYPE
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner


def test_type_column_fits_its_heading_and_every_type_on_screen_at_1366(small_demo_db: Database,
                                                                       qtbot: Any) -> None:
    """User trial: at 1366×768 "Termination of approval" showed as "Termination of appr", the column
    running off the queue's right edge under the decision pane."""
    db = small_demo_db
    window = MainWindow(AppContext(db, authenticate(db, "adm", demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.open_target("adm")
    QApplication.processEvents()
    page = window.findChild(AdmPage)
    assert page is not None and page.isVisible() and page.model.rowCount() > 0
    view, header = page.view, page.view.horizontalHeader()
    style = view.style()
    # what Qt draws around a cell's text and a heading's text (the delegate's and the header's margins)
    cell = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    heading = 2 * style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    longest = max(rules.SHORT_TYPES.values(), key=view.fontMetrics().horizontalAdvance)
    assert longest == "Foster approval (reg 25A)"
    width = header.sectionSize(COL_TYPE)
    assert width >= header.fontMetrics().horizontalAdvance("Type") + heading
    assert width >= view.fontMetrics().horizontalAdvance(longest) + cell, (width, longest)
    # reference to type wholly in view, without scrolling sideways
    assert view.horizontalScrollBar().value() == 0
    for col in range(COL_REF, COL_TYPE + 1):
        assert header.sectionViewportPosition(col) + header.sectionSize(col) <= view.viewport().width(), col
    # every column as wide as its heading and the values the demo's queue shows in it
    model = page.model
    for col in range(model.columnCount()):
        title = str(model.headerData(col, Qt.Orientation.Horizontal))
        values = [str(model.data(model.index(row, col)) or "") for row in range(model.rowCount())]
        need = max(header.fontMetrics().horizontalAdvance(title) + heading,
                   *(view.fontMetrics().horizontalAdvance(v) + cell for v in values))
        assert header.sectionSize(col) >= need, (title, header.sectionSize(col), need)
    window.close()
