"""A cell whose text is cut short shows it whole on hover (a counselling screenshot at 1366 px showed
"Harvey Bracke…" with no way to read the name but opening the case); a cell shown whole has no tooltip, and
a tooltip the model gives is kept. Every table on every page a role opens has it."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QStringListModel, Qt
from PySide6.QtGui import QHelpEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView, QToolTip

from adoption_desktop import demo
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.table_view import CutTextTip, make_table_view
from adoption_desktop.ui.tasks import TaskRunner

LONG = "Harvey Brackenholt-Fairweather of Lower Ambleford"


def _hover(qtbot: Any, view: QTableView, index: QModelIndex) -> str | None:
    """The tooltip shown when the pointer rests on the cell (None: none)."""
    QToolTip.hideText()
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=3000)  # it hides after a short delay
    view.scrollTo(index)
    pos = view.visualRect(index).center()
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos)))
    return QToolTip.text() if QToolTip.isVisible() else None


def test_a_cut_cell_reads_whole_on_hover_and_a_whole_one_has_no_tooltip(qtbot: Any) -> None:
    model = QStringListModel([LONG, "Ann Oak"])
    view = make_table_view(model)
    qtbot.addWidget(view)
    view.horizontalHeader().setStretchLastSection(False)
    view.setColumnWidth(0, 120)
    view.resize(300, 200)
    view.show()
    qtbot.waitExposed(view)
    assert _hover(qtbot, view, model.index(0, 0)) == LONG
    assert _hover(qtbot, view, model.index(1, 0)) is None
    view.setColumnWidth(0, view.fontMetrics().horizontalAdvance(LONG) + 40)  # widened: shown whole, no tooltip
    assert _hover(qtbot, view, model.index(0, 0)) is None


def test_a_tooltip_the_model_gives_is_kept(qtbot: Any) -> None:
    model = QStandardItemModel(1, 1)
    item = QStandardItem(LONG)
    item.setToolTip("Name now, as the applicant gave it")
    model.setItem(0, 0, item)
    view = make_table_view(model)
    qtbot.addWidget(view)
    view.horizontalHeader().setStretchLastSection(False)
    view.setColumnWidth(0, 80)
    view.show()
    qtbot.waitExposed(view)
    assert _hover(qtbot, view, model.index(0, 0)) == "Name now, as the applicant gave it"
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "Name now, as the applicant gave it"


@pytest.mark.parametrize("username", ["paneladmin", "adm", "letterbox", "counsellor", "admin"])
def test_every_table_a_role_sees_shows_cut_text(small_demo_db: Database, username: str, qtbot: Any) -> None:
    db = small_demo_db
    window = MainWindow(AppContext(db, authenticate(db, username, demo.DEMO_PASSWORD), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.setGeometry(0, 0, 1366, 728)
    window.show()
    seen = 0
    for target in window.targets:
        window.open_target(target.key)
        QApplication.processEvents()
        for view in window.findChildren(QTableView):
            seen += 1
            assert isinstance(view.itemDelegate(), CutTextTip), (target.key, view.objectName(), view.parent())
    assert seen
    window.close()
