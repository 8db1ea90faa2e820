"""Enter on a screening finding shows it in the letter, as a double-click does (keyboard access, fifth
release): the findings list of a letterbox item opened a finding on a double-click only, so a coordinator
working from the keyboard could not get from a finding to its words in the letter. Enter must not also
press the window's default button. A real SQLCipher file (the letterbox fixtures), offscreen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from tests.letterbox.test_views import _logged, make_page

LETTER = "Dear Gina,\nRosa loves her new bedroom. Love from the Thornley family, ZZ99 4EF.\n"


def test_enter_on_a_finding_selects_its_words_in_the_letter(qtbot: Any, db: Database, coordinator: Principal,
                                                           arrangement: int) -> None:
    item = _logged(db, coordinator, arrangement, LETTER)
    status = service.get_item(db, coordinator, item).status
    page = make_page(qtbot, db, coordinator)
    dialog = page.open_existing_item(item)
    qtbot.waitExposed(dialog)
    view, model = dialog.findings_view, dialog.findings_model
    assert model.rowCount() >= 2, "the letter should give at least two findings"
    last = model.rowCount() - 1
    view.setFocus()
    view.setCurrentIndex(model.index(last, 0))
    view.selectRow(last)
    QApplication.processEvents()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    QApplication.processEvents()
    finding = model.row_at(last)
    cursor = dialog.text.textCursor()
    assert cursor.selectedText() == LETTER[finding.start:finding.end], cursor.selectedText()
    assert dialog.text.hasFocus()
    # Enter went to the finding only: the window is still open and nothing else was done to the item
    assert dialog.isVisible()
    assert service.get_item(db, coordinator, item).status == status
