"""The window left open across midnight, a weekend and the Christmas and New Year bank holidays (user trial
ut27): once the date changes, every page counts from the new day, as a page opened that day does, and the
status bar says the lists were read again. Before, each page took the date once, when it was first shown:
the next morning (and after Refresh) the ADM queue still said "Due today" of a decision due the day
before, and My work counted the working days overdue from the day the window was opened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from adoption_desktop import demo
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security import service as security
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling.views.page import CounsellingPage
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.day_watch import new_day_message
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.my_work import MyWorkPage
from adoption_desktop.ui.tasks import TaskRunner

D = dt.date
CHRISTMAS_EVE, AFTER_CHRISTMAS = D(2026, 12, 24), D(2026, 12, 29)  # 25 and 28 December are bank holidays
NEW_YEARS_EVE, AFTER_NEW_YEAR = D(2026, 12, 31), D(2027, 1, 4)  # 1 January a bank holiday, then a weekend


def _combo(box: Any) -> list[tuple[str, object]]:
    return [(box.itemText(i), box.itemData(i)) for i in range(box.count())] + [("chosen", box.currentData())]


def _adm(page: AdmPage) -> object:
    return sorted(page.model.rows(), key=lambda r: r.id), page.count_label.text()


def _my_work(page: MyWorkPage) -> object:
    assert page.data is not None
    return [(line.title, line.detail, line.tone, line.due) for line in page.data.lines]


def _letterbox(page: LetterboxPage) -> object:
    page.tabs.setCurrentWidget(page._work_tab)
    QApplication.processEvents()
    return list(page.work_model.rows()), _combo(page.letters_month), _combo(page.item_month)


def _panel(page: PanelPage) -> object:
    return list(page.sittings_model.rows()), list(page.members_model.rows())


def _counselling(page: CounsellingPage) -> object:
    return list(page.model.rows()), {key: label.text() for key, label in page.counts.labels.items()} \
        if hasattr(page.counts, "labels") else page.counts.text()


PAGES: dict[str, tuple[str, Callable[[AppContext], QWidget], Callable[[Any], object]]] = {
    "adm": ("adm", AdmPage, _adm),
    "my_work": ("adm", MyWorkPage, _my_work),
    "letterbox": ("letterbox", LetterboxPage, _letterbox),
    "panel": ("paneladmin", PanelPage, _panel),
    "counselling": ("counsellor", CounsellingPage, _counselling),
}


@pytest.mark.parametrize(("key", "opened", "next_day"), [
    *((key, opened, next_day) for key in ("adm", "my_work", "counselling")
      for opened, next_day in ((CHRISTMAS_EVE, AFTER_CHRISTMAS), (NEW_YEARS_EVE, AFTER_NEW_YEAR))),
    ("letterbox", NEW_YEARS_EVE, AFTER_NEW_YEAR),  # the months offered move on with the month
    ("panel", CHRISTMAS_EVE, D(2027, 1, 6)),  # the demo's next sitting (5 January) is held meanwhile
])
def test_a_page_left_open_counts_from_the_new_day(key: str, opened: dt.date, next_day: dt.date, open_demo: Any,
                                                  qtbot: Any) -> None:
    username, make, seen = PAGES[key]
    db: Database = open_demo(opened)
    clock = [opened]
    principal = security.authenticate(db, username, demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(db, principal, TaskRunner(synchronous=True), today=lambda: clock[0]),
                        idle_minutes=600)
    qtbot.addWidget(window)
    window.show()
    page = window.open_target(key)
    assert isinstance(page, make)
    before = seen(page)
    assert window.day_watch is not None and not window.day_watch.check()  # the same day: nothing read again

    clock[0] = next_day  # the PC slept over the holiday; the first look at the date after it wakes
    assert window.day_watch.check()
    QApplication.processEvents()
    left_open = seen(page)

    fresh = make(AppContext(db, security.authenticate(db, username, demo.DEMO_PASSWORD),
                            TaskRunner(synchronous=True), today=lambda: next_day))
    qtbot.addWidget(fresh)
    fresh.show()
    opened_today = seen(fresh)
    assert opened_today != before, "the demo should differ between the two days"
    assert left_open == opened_today
    assert window.ctx.status_messages[-1] == new_day_message(next_day)
    assert not window.day_watch.check()  # told once
    window.close()


def test_the_adm_queue_left_open_over_christmas(open_demo: Any, qtbot: Any) -> None:
    """What the trial saw: a decision due on Christmas Eve still read "Due today" on 29 December, after
    Refresh too; it is overdue by one working day (25 and 28 December are bank holidays)."""
    db = open_demo(CHRISTMAS_EVE)
    clock = [CHRISTMAS_EVE]
    principal = security.authenticate(db, "adm", demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(db, principal, TaskRunner(synchronous=True), today=lambda: clock[0]),
                        idle_minutes=600)
    qtbot.addWidget(window)
    window.show()
    page = window.open_target("adm")
    assert isinstance(page, AdmPage)
    due = [r for r in page.model.rows() if r.due_on == CHRISTMAS_EVE and r.clock_code == "due_today"]
    assert due, "the demo dated Christmas Eve has a decision due that day"
    clock[0] = AFTER_CHRISTMAS
    page.reload()  # Refresh (F5) before the window noticed: it counts from the new day too
    now = {r.id: r for r in page.model.rows()}
    for row in due:
        assert now[row.id].clock_code == "overdue", now[row.id]
        assert "1" in now[row.id].clock_label, now[row.id].clock_label
    assert "0 due today" in page.count_label.text()
    window.close()
