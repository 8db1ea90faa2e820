"""Add member… and Notice of leaving opened before midnight kept their "today" date: OK pressed the next
morning put the member on the central list, or their notice, as of the day before, unseen. Now an untouched
date follows the new day: OK that finds the date changed since moves it, says so and saves nothing, so the
date saved is the one on screen; the day watch moves it while the dialog is open. A date typed stays. The
context is given a clock, moved past midnight. A real SQLCipher database, pytest-qt offscreen."""

from __future__ import annotations

import contextlib
import datetime as dt

from PySide6.QtWidgets import QCheckBox, QDateEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate
from adoption_desktop.ui.day_watch import DayWatch
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import SITTING_DAY, Panel


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


def _papers_page(qtbot: QtBot, panel: Panel, clock: list[dt.date]) -> tuple[PanelPage, int]:
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id,
                        svc.ItemInput("approval", "AD-2026-0188", "AB/CD", "Jay Testcombe", "10:00"))
    page = _page(qtbot, panel, clock)
    page.reload(select_sitting=panel.sitting_id)
    assert page.item is not None and page.item.id == item
    return page, item


def _received(panel: Panel, item: int) -> dict[str, dt.date | None]:
    [row] = [i for i in svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items if i.id == item]
    return {p.code: p.received_on for p in row.papers}


def test_a_paper_ticked_after_midnight_is_received_the_new_day_after_saying_so(
        qtbot: QtBot, panel: Panel) -> None:
    """The papers checklist: a paper not yet received shows today as the day it came; opened the evening
    before the sitting and ticked the next morning, it was recorded as received the evening before, unseen
    (late or on time can turn on that day)."""
    clock = [SITTING_DAY - dt.timedelta(days=6)]  # an evening before the sitting (dates received are before it)
    evening = clock[0]
    page, item = _papers_page(qtbot, panel, clock)
    page.papers()
    dialog = page.dialog
    box, edit = dialog.findChild(QCheckBox, "paper_par"), dialog.findChild(QDateEdit, "received_par")
    assert box is not None and edit is not None and pydate(edit.date()) == evening
    clock[0] = evening + dt.timedelta(days=1)  # past midnight; the checklist still open
    box.setChecked(True)
    dialog._ok()
    assert dialog.isVisible() and _received(panel, item)["par"] is None  # nothing saved with a date not seen
    assert pydate(edit.date()) == clock[0]
    said = dialog.message.text()
    assert "Prospective Adopter's Report (PAR) received on" in said
    assert f"today, {clock[0]:%d/%m/%Y}, not {evening:%d/%m/%Y}" in said
    assert "Nothing was saved yet" in said
    dialog._ok()
    assert not dialog.isVisible(), dialog.message.text()
    assert _received(panel, item)["par"] == clock[0]


def test_with_no_paper_ticked_the_checklist_saves_at_once_after_midnight(qtbot: QtBot, panel: Panel) -> None:
    """Only the dates of papers ticked are saved: one moved but not ticked does not hold up OK."""
    clock = [SITTING_DAY - dt.timedelta(days=6)]
    page, item = _papers_page(qtbot, panel, clock)
    svc.set_paper_received(panel.db, panel.clerk, item, "par", clock[0] - dt.timedelta(days=2))
    page.reload(select_sitting=panel.sitting_id)
    page.papers()
    dialog = page.dialog
    box = dialog.findChild(QCheckBox, "paper_par")
    assert box is not None and box.isChecked()
    box.setChecked(False)  # a paper recorded by mistake, taken off
    clock[0] += dt.timedelta(days=1)
    dialog._ok()
    assert not dialog.isVisible(), dialog.message.text()
    assert _received(panel, item)["par"] is None


def test_the_day_watch_moves_the_checklist_s_untouched_dates(qtbot: QtBot, panel: Panel) -> None:
    clock = [SITTING_DAY - dt.timedelta(days=6)]
    evening = clock[0]
    page, _item = _papers_page(qtbot, panel, clock)
    typed = evening - dt.timedelta(days=1)
    watch = DayWatch(page.ctx)
    try:
        page.papers()
        dialog = page.dialog
        medical = dialog.findChild(QDateEdit, "received_medical")
        par = dialog.findChild(QDateEdit, "received_par")
        assert medical is not None and par is not None
        par.setDate(typed)  # typed: kept
        clock[0] = evening + dt.timedelta(days=1)
        assert watch.check()
        assert pydate(medical.date()) == clock[0] and pydate(par.date()) == typed
        said = dialog.message.text()
        assert "Medical report received on" in said and "(PAR)" not in said
    finally:
        watch.stop()


def test_the_checklist_grows_for_the_midnight_line(qtbot: QtBot, panel: Panel) -> None:
    """Left open at midnight, the papers checklist showed its three-line message in the room of one: the
    first and last lines cut by the papers above and the buttons below. It now grows by what the line needs."""
    clock = [SITTING_DAY - dt.timedelta(days=6)]
    evening = clock[0]
    page, _item = _papers_page(qtbot, panel, clock)
    watch = DayWatch(page.ctx)
    try:
        page.papers()
        dialog = page.dialog
        dialog.show()
        qtbot.waitExposed(dialog)
        clock[0] = evening + dt.timedelta(days=1)
        assert watch.check()
        line = dialog.message
        with contextlib.suppress(qtbot.TimeoutError):  # the layout settles (a fixed wait was a guess)
            qtbot.waitUntil(lambda: line.height() >= line.heightForWidth(line.width()) > 0, timeout=3000)
        assert "now show today" in line.text()
        assert line.height() >= line.heightForWidth(line.width()), "the message is cut"
    finally:
        watch.stop()
