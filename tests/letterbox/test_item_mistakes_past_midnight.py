"""*Correct how it was logged* set the latest *Date received* it takes (today and a day's grace, as the service
allows) when it opened: left open past midnight, the new day's grace could not be chosen, and a date typed
beyond the evening's limit was silently saved as that limit. The limit now follows the item window's clock
while the dialog is open (``ui.day_watch``). The context is given a clock, moved past midnight (no waiting).
A real SQLCipher database."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.letterbox.views.item_mistakes import CorrectLoggingDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate, qdate
from adoption_desktop.ui.day_watch import DayWatch
from adoption_desktop.ui.tasks import TaskRunner


def test_the_date_received_limit_follows_midnight_while_the_correction_is_open(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    evening = dt.date.today() - dt.timedelta(days=10)  # computed when the test runs: every date stays past
    clock = [evening]
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                            received_on=evening - dt.timedelta(days=5))
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True), today=lambda: clock[0])
    window = ItemDialog(ctx, arrangement, "LB-0001", item_id=item)
    qtbot.addWidget(window)
    window.show()
    watch = DayWatch(ctx)
    seen: dict[str, dt.date] = {}
    left = [200]

    def answer() -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, CorrectLoggingDialog) and w.isVisible()), None)
        if box is None:
            left[0] -= 1
            if left[0] > 0:
                QTimer.singleShot(10, answer)
            return
        seen["evening limit"] = pydate(box.received_on.maximumDate())
        clock[0] = evening + dt.timedelta(days=1)  # past midnight; the dialog still open
        watch.check()
        seen["morning limit"] = pydate(box.received_on.maximumDate())
        box.received_on.setDate(qdate(clock[0] + dt.timedelta(days=1)))  # the new day's grace
        box.accept()

    try:
        QTimer.singleShot(0, answer)
        window.mistakes.correct_logging_action.trigger()
    finally:
        watch.stop()
    morning = evening + dt.timedelta(days=1)
    assert seen == {"evening limit": evening + dt.timedelta(days=1), "morning limit": morning + dt.timedelta(days=1)}
    assert service.get_item(db, coordinator, item).received_on == morning + dt.timedelta(days=1), \
        window.message.text()
    assert dialog_forgotten(ctx)


def dialog_forgotten(ctx: AppContext) -> bool:
    """The closed dialog is no longer called when the date changes."""
    return not any(isinstance(getattr(hook, "__self__", None), CorrectLoggingDialog) for hook in ctx.after_new_day)
