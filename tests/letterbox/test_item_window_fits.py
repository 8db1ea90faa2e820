"""The item window fits a 1366×768 screen without scrolling (regression of 6 December, seventh release): once
the form scrolled (the message kept whole below it, ``test_item_message_whole.py``), the window opened short
and the form asked for its preferred height, not its least (the letter's text, the findings and the history
asked 192 pixels each), so Second check, Record outcome, Reword reason and Put a mistake right… were below
the bottom of the window: a coordinator logging hundreds of items a year scrolled for Record outcome. At 150 %
the form still scrolls. The window opened from the letterbox page, fitted to the screen as every dialog is
(``fit_dialog``); an item with three findings and four steps of history; a real SQLCipher file, offscreen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui import geometry
from adoption_desktop.ui.accessibility import DialogNamer
from tests.letterbox.test_views import make_page

LETTER = "Dear Gina,\nRosa loves her new bedroom.\nLove from the Thornley family, ZZ99 4EF.\n"


def _opened_from_the_page(qtbot: Any, db: Database, coordinator: Principal, arrangement: int,
                          monkeypatch: pytest.MonkeyPatch, screen: tuple[int, int]) -> ItemDialog:
    area = QRect(0, 0, *screen)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(area))
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                            received_on=dt.date(2026, 12, 6), writer="The adopters")
    service.screen_item(db, coordinator, item, LETTER.replace("ZZ99 4EF", "ZZ99 4FE"))
    service.screen_item(db, coordinator, item, LETTER)  # screened again, the postcode put right
    findings = service.get_item(db, coordinator, item).findings
    service.decide_finding(db, coordinator, findings[0].id, "acceptable")
    service.decide_finding(db, coordinator, findings[1].id, "remove")
    app = QApplication.instance()
    assert app is not None
    namer = DialogNamer()
    app.installEventFilter(namer)
    try:
        page = make_page(qtbot, db, coordinator)
        dialog = page.open_existing_item(item)
        qtbot.waitExposed(dialog)
        for _ in range(3):
            QApplication.processEvents()
    finally:
        app.removeEventFilter(namer)
    assert dialog.findings_model.rowCount() == 3 and dialog.history_model.rowCount() == 4
    assert dialog.width() + geometry.FRAME_ALLOWANCE_W <= area.width()
    assert dialog.height() + geometry.FRAME_ALLOWANCE_H <= area.height()
    return dialog


def _whole(widget: QWidget) -> bool:
    return widget.visibleRegion().boundingRect().size() == widget.size()


def test_nothing_to_scroll_at_1366_by_768(qtbot: Any, db: Database, coordinator: Principal, arrangement: int,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = _opened_from_the_page(qtbot, db, coordinator, arrangement, monkeypatch, (1366, 728))
    body = dialog.findChild(QScrollArea, "fit_scroll_body")
    assert body is not None
    assert body.verticalScrollBar().maximum() == 0, (body.widget().size(), body.viewport().size())
    assert body.horizontalScrollBar().maximum() == 0
    for button in (dialog.second_check_button, dialog.outcome_button, dialog.reword_button,
                   dialog.corrected_button, dialog.mistakes.button, dialog.close_button):
        assert _whole(button), button.objectName()
    # the letter, its findings and the history still show several lines each
    lines = dialog.fontMetrics().lineSpacing()
    for view in (dialog.text, dialog.findings_view, dialog.history_view):
        assert view.height() >= 5 * lines, (view.objectName(), view.height())
    assert _whole(dialog.findings_view) and _whole(dialog.history_view) and _whole(dialog.text)


def test_the_form_still_scrolls_at_150_percent(qtbot: Any, db: Database, coordinator: Principal,
                                               arrangement: int, monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = _opened_from_the_page(qtbot, db, coordinator, arrangement, monkeypatch, (911, 472))
    body = dialog.findChild(QScrollArea, "fit_scroll_body")
    assert body is not None and body.widget().isAncestorOf(dialog.outcome_button)
    assert body.verticalScrollBar().maximum() > 0  # the form scrolls down to Record outcome
    assert body.horizontalScrollBar().maximum() == 0  # never sideways
    assert _whole(dialog.close_button)
    body.ensureWidgetVisible(dialog.outcome_button)
    QApplication.processEvents()
    assert _whole(dialog.outcome_button)


def test_a_new_item_screened_in_its_window_still_needs_no_scrolling(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual way: Log item…, the letter pasted, logged, screened, in one window. The message after the
    screening ("5 findings highlighted; …") is two lines where the window's first message was one, and the
    window kept its height: the form scrolled and Put a mistake right… was cut at its foot (user trial at
    1366×768, 7 December). The window grows for its message, where the screen has the room."""
    area = QRect(0, 0, 1366, 728)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(area))
    monkeypatch.setattr("adoption_desktop.letterbox.views.item_dialog.ask_yes_no", lambda *_a, **_k: True)
    app = QApplication.instance()
    assert app is not None
    namer = DialogNamer()
    app.installEventFilter(namer)
    try:
        page = make_page(qtbot, db, coordinator)
        dialog = page.open_item_dialog(arrangement, "LB-0001")
        qtbot.waitExposed(dialog)
        dialog.text.setPlainText("Dear Gina, we moved to 12 Oak Street, Leeds LS1 4AB, and you start at St Mary's "
                                 "Primary School in September. Grandma says call her on 07700 900123. Love, Mum")
        dialog.log()
        assert dialog.item_id is not None, dialog.message.text()
        dialog.screen_letter()
        for _ in range(3):
            QApplication.processEvents()
    finally:
        app.removeEventFilter(namer)
    assert dialog.findings_model.rowCount() >= 4, dialog.message.text()
    assert dialog.message.height() >= 2 * dialog.message.fontMetrics().lineSpacing()  # the message's two lines
    body = dialog.findChild(QScrollArea, "fit_scroll_body")
    assert body is not None
    assert body.verticalScrollBar().maximum() == 0, (body.widget().size(), body.viewport().size())
    for button in (dialog.second_check_button, dialog.outcome_button, dialog.mistakes.button, dialog.close_button):
        assert _whole(button), button.objectName()
    assert dialog.height() + geometry.FRAME_ALLOWANCE_H <= area.height()
