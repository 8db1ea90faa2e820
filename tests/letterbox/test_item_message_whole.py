"""The item window's message line is read whole on a small screen (two-people trial, 6 December): a colleague
forwarded the item in another program; Record outcome (Withhold, a reason typed) was refused rightly, but at
1366×768 the five-line refusal got 14 of the 70 pixels it needs, the form asking for more height than the
screen has. The form now scrolls; the message and the window's buttons stay below it, whole, at 100 % and at
150 % (a 911×512 logical screen, less the taskbar)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QScrollArea
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui import geometry
from adoption_desktop.ui.accessibility import DialogNamer
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input

LETTER = ("Dear Nan, we moved to 14 Holly Road, Ivelcombe ZZ99 1HJ. Ring 07700 900123 or see instagram.com/ourfam. "
          "Love from us.")
REASON = "Contains the adopters' address and phone number."


def _forwarded_meanwhile(qtbot: QtBot, db: Database, db_path: Path, coordinator: Principal,
                         size: tuple[int, int]) -> ItemDialog:
    """The item window at ``size``, Withhold typed, refused: Lee forwarded the item from another program."""
    make_user(db, "lee", Role.LETTERBOX_COORDINATOR)
    arrangement = service.create_arrangement(db, coordinator, sample_input())
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                            received_on=dt.date(2026, 12, 6), writer="The adopters")
    service.screen_item(db, coordinator, item, LETTER)
    dialog = ItemDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), arrangement, "LB-00002",
                        item_id=item, today=dt.date(2026, 12, 6))
    qtbot.addWidget(dialog)
    dialog.resize(*size)
    dialog.show()
    qtbot.waitExposed(dialog)
    from tests.concurrency_worker import open_target

    password = db.engine.url.password
    assert password is not None
    other = open_target(str(db_path), password[2:-1])  # another PC: its own engine on the same file
    try:
        lee = security.authenticate(other, "lee", TEST_PASSWORD)
        for finding in service.get_item(other, lee, item).findings:
            service.decide_finding(other, lee, finding.id, "acceptable")
        service.record_outcome(other, lee, item, "forwarded", dt.date(2026, 12, 6), method="post")
    finally:
        other.dispose()
    # the trial's steps: a finding marked acceptable (refused: the item has an outcome now), then Withhold
    dialog.findings_view.setFocus()
    dialog.findings_view.selectRow(0)
    dialog.acceptable_button.click()
    dialog.grab()  # painted, as the trial's screenshots were
    assert "Nothing was marked." in dialog.message.text()
    dialog.outcome.setCurrentIndex(dialog.outcome.findData("withheld"))
    dialog.reason.setPlainText(REASON)
    dialog.social_worker.setChecked(True)
    dialog.record_outcome()
    for _ in range(3):
        QApplication.processEvents()
    assert "The item has already been forwarded, although you found a reason to withhold it." in \
        dialog.message.text()
    assert f"The reason you typed was: \u201c{REASON}\u201d." in dialog.message.text()
    return dialog


def _whole_and_in_view(dialog: ItemDialog) -> None:
    message = dialog.message
    need = message.heightForWidth(message.width())
    assert need > 2 * message.fontMetrics().height()  # the long refusal: several lines
    assert message.height() >= need, (message.height(), need)
    # not scrolled out of sight in the form: all of it shown in the window, above its buttons
    assert message.visibleRegion().boundingRect().height() >= need
    assert not any(area.isAncestorOf(message) for area in dialog.findChildren(QScrollArea))
    assert dialog.close_button.visibleRegion().boundingRect().height() == dialog.close_button.height()
    assert message.mapTo(dialog, message.rect().bottomLeft()).y() < dialog.buttons.mapTo(dialog, dialog.buttons.rect().topLeft()).y()


@pytest.mark.parametrize("screen", [(1366, 728), (911, 472)], ids=["100%", "150%"])
def test_the_refusal_is_whole_on_a_1366_by_768_screen(qtbot: QtBot, db: Database, db_path: Path,
                                                      coordinator: Principal, monkeypatch: pytest.MonkeyPatch,
                                                      screen: tuple[int, int]) -> None:
    """1366×768 less the taskbar, at 100 % and at 150 % (911×512 logical pixels, 472 above the taskbar); the
    window as large as the screen lets it be, fitted as every dialog is as it is shown (``fit_dialog``): the
    form scrolls down, never sideways."""
    area = QRect(0, 0, *screen)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _self: QRect(area))
    app = QApplication.instance()
    assert app is not None
    namer = DialogNamer()
    app.installEventFilter(namer)
    try:
        dialog = _forwarded_meanwhile(qtbot, db, db_path, coordinator,
                                      (area.width() - geometry.FRAME_ALLOWANCE_W,
                                       area.height() - geometry.FRAME_ALLOWANCE_H))
    finally:
        app.removeEventFilter(namer)
    assert dialog.width() + geometry.FRAME_ALLOWANCE_W <= area.width()
    assert dialog.height() + geometry.FRAME_ALLOWANCE_H <= area.height()
    _whole_and_in_view(dialog)
    body = dialog.findChild(QScrollArea, "fit_scroll_body")
    assert body is not None and body.widget().isAncestorOf(dialog.outcome_button)  # the form scrolls
    assert body.horizontalScrollBar().maximum() == 0  # never sideways


def test_the_refusal_is_whole_in_a_window_of_1366_by_768(qtbot: QtBot, db: Database, db_path: Path,
                                                         coordinator: Principal) -> None:
    """The trial's window: 1366×768, its form asking for 774 pixels of height."""
    dialog = _forwarded_meanwhile(qtbot, db, db_path, coordinator, (1366, 768))
    _whole_and_in_view(dialog)
