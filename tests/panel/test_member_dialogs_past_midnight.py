"""Add member… and Notice of leaving opened before midnight kept their "today" date: OK pressed the next
morning put the member on the central list, or their notice, as of the day before, unseen. Now an untouched
date follows the new day: OK that finds the date changed since moves it, says so and saves nothing, so the
date saved is the one on screen; the day watch moves it while the dialog is open. A date typed stays. The
context is given a clock, moved past midnight. A real SQLCipher database, pytest-qt offscreen."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QDateEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate
from adoption_desktop.ui.day_watch import DayWatch
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import Panel


def _clock() -> list[dt.date]:
    """An evening some days ago (computed now, not at import)."""
    return [dt.date.today() - dt.timedelta(days=10)]


def _page(qtbot: QtBot, panel: Panel, clock: list[dt.date]) -> PanelPage:
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True), today=lambda: clock[0]))
    qtbot.addWidget(page)
    return page


def _new_member(page: PanelPage, name: str) -> dialogs.MemberDialog:
    page.add_member()
    dialog = page.dialog
    assert isinstance(dialog, dialogs.MemberDialog)
    dialog.full_name.setText(name)
    dialog.role_type.setCurrentIndex(dialog.role_type.findData("personal_experience"))
    return dialog


def _joined(panel: Panel, name: str, day: dt.date) -> list[dt.date]:
    return [m.joined_on for m in svc.list_members(panel.db, panel.clerk, today=day) if m.full_name == name]


def test_add_member_after_midnight_moves_the_untouched_date_and_saves_it_on_the_next_press(
        qtbot: QtBot, panel: Panel) -> None:
    clock = _clock()
    evening = clock[0]
    page = _page(qtbot, panel, clock)
    dialog = _new_member(page, "Rowan Testfield")
    assert pydate(dialog.dates["joined_on"].date()) == evening
    clock[0] = evening + dt.timedelta(days=1)
    dialog._ok()
    assert dialog.isVisible() and _joined(panel, "Rowan Testfield", clock[0]) == []
    assert pydate(dialog.dates["joined_on"].date()) == clock[0]
    assert f"now shows today, {clock[0]:%d/%m/%Y}, not {evening:%d/%m/%Y}" in dialog.message.text()
    assert "Nothing was saved yet" in dialog.message.text()
    dialog._ok()
    assert not dialog.isVisible(), dialog.message.text()
    assert _joined(panel, "Rowan Testfield", clock[0]) == [clock[0]]


def test_a_joining_date_typed_before_midnight_is_kept(qtbot: QtBot, panel: Panel) -> None:
    clock = _clock()
    evening = clock[0]
    page = _page(qtbot, panel, clock)
    dialog = _new_member(page, "Sasha Testbrook")
    typed = evening - dt.timedelta(days=5)
    dialog.dates["joined_on"].setDate(typed)
    clock[0] = evening + dt.timedelta(days=1)
    dialog._ok()
    assert not dialog.isVisible(), dialog.message.text()
    assert _joined(panel, "Sasha Testbrook", clock[0]) == [typed]


def test_the_day_watch_moves_an_open_notice_s_untouched_date(qtbot: QtBot, panel: Panel) -> None:
    clock = _clock()
    evening = clock[0]
    page = _page(qtbot, panel, clock)
    page.reload_members(select_member=next(iter(panel.members.values())))
    assert page.member is not None
    watch = DayWatch(page.ctx)
    try:
        page.notice()
        dialog = page.dialog
        notice_on = dialog.findChild(QDateEdit, "notice_on")
        assert notice_on is not None and pydate(notice_on.date()) == evening
        clock[0] = evening + dt.timedelta(days=1)
        assert watch.check()
        assert pydate(notice_on.date()) == clock[0]
        assert "now shows today" in dialog.message.text()
        assert not dialog.changed()  # the new default is nothing typed: closing asks nothing
    finally:
        watch.stop()
