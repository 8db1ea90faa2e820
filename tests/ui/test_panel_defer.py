""""Defer to a later sitting…" on the panel page's agenda (pytest-qt, offscreen, a real SQLCipher file), driven
from the keyboard: Alt+Z opens it (every letter of its words is taken on the Agenda tab;
tests/ui/test_mnemonics.py checks nothing else answers Alt+Z), the later sittings still to come are listed
(not a cancelled one, not one already held), the reason is required, Alt+D defers: the minutes record the
deferral and the case is on the later agenda linked to the item (``service.defer_item``). The button is then
greyed with the reason; once that later sitting is cancelled it can be used again, and the case's entry
moves. With no later sitting it is greyed saying how to schedule one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPushButton, QWidget

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import weekday_date
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from tests.conftest import make_user

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
TODAY = dt.date.today()  # the page lists the sittings as of today
HEARD, HELD_SINCE = TODAY - dt.timedelta(days=14), TODAY - dt.timedelta(days=7)
SOON, LATER, DROPPED = TODAY + dt.timedelta(days=14), TODAY + dt.timedelta(days=28), TODAY + dt.timedelta(days=21)


@pytest.fixture(autouse=True)
def _dates_from_the_day_the_test_runs() -> None:
    """The page lists sittings as of the day it opens: the dates are that day's, not the day the module
    was collected (a run that crosses midnight would compare two days)."""
    global TODAY, HEARD, HELD_SINCE, SOON, LATER, DROPPED
    TODAY = dt.date.today()
    HEARD, HELD_SINCE = TODAY - dt.timedelta(days=14), TODAY - dt.timedelta(days=7)
    SOON, LATER, DROPPED = TODAY + dt.timedelta(days=14), TODAY + dt.timedelta(days=28), TODAY + dt.timedelta(days=21)


def _press(widget: QWidget, key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    widget.setFocus()
    QApplication.processEvents()
    QTest.keyClick(widget, key, mods)
    QApplication.processEvents()


def _sitting(db: Database, clerk: Principal, day: dt.date) -> int:
    return svc.schedule_sittings(db, clerk, svc.SittingInput(day, venue="Room 2, Civic Centre"))[0]


def _page(make_window: Any, qtbot: Any, clerk: Principal, sitting: int) -> PanelPage:
    window = make_window(clerk)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = window.open_target("panel")
    assert isinstance(page, PanelPage)
    page.reload(select_sitting=sitting)
    page.detail_tabs.setCurrentIndex(0)
    QApplication.processEvents()
    return page


def _defer_dialog(page: PanelPage, qtbot: Any) -> dialogs.DeferDialog:
    before = page.dialog
    _press(page.agenda_view, Qt.Key.Key_Z, ALT)  # a mnemonic "animates" the click: it lands a moment later
    qtbot.waitUntil(lambda: page.dialog is not before and page.dialog is not None and page.dialog.isVisible())
    dialog = page.dialog
    assert isinstance(dialog, dialogs.DeferDialog) and dialog.isVisible()
    return dialog


def test_defer_to_a_later_sitting_from_the_keyboard(db: Database, make_window: Any, qtbot: Any) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    heard = _sitting(db, clerk, HEARD)
    _sitting(db, clerk, HELD_SINCE)  # already held: not a sitting to come back to
    soon, later, dropped = (_sitting(db, clerk, d) for d in (SOON, LATER, DROPPED))
    svc.cancel_sitting(db, clerk, dropped, "Room unavailable")
    item = svc.add_item(db, clerk, heard, svc.ItemInput("approval", "PA-2026-031", "AB/CD", "Jay Quillby"))
    svc.save_minutes(db, clerk, item, svc.MinutesDraft(discussion="Questions on the support plan."))
    page = _page(make_window, qtbot, clerk, heard)

    button = page.findChild(QPushButton, "defer_item")
    assert button is not None and button.text() == "Defer to a later sitting (&Z)…" and button.isEnabled()
    dialog = _defer_dialog(page, qtbot)
    assert dialog.windowTitle() == "Defer item 1 to a later sitting"
    choice = dialog.findChild(QComboBox, "to_sitting_id")
    reason = dialog.findChild(QLineEdit, "reason")
    assert choice is not None and reason is not None
    listed = [choice.itemText(n) for n in range(choice.count())]
    assert [t.split(",")[0] for t in listed] == [weekday_date(SOON).split(",")[0], weekday_date(LATER).split(",")[0]]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is choice)
    _press(choice, Qt.Key.Key_Down)  # the second: LATER
    assert choice.currentData() == later

    _press(reason, Qt.Key.Key_D, ALT)  # no reason yet: refused, nothing saved, the dialog stays
    qtbot.waitUntil(lambda: dialog.message.text() != "")
    assert dialog.isVisible()
    assert dialog.message.text().startswith("Deferral reason: say what information the panel needs")
    assert svc.sitting_detail(db, clerk, later).items == ()
    QTest.keyClicks(reason, "Medical report not received.")
    _press(reason, Qt.Key.Key_D, ALT)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    [follow] = svc.sitting_detail(db, clerk, later).items
    assert follow.subject_reference == "PA-2026-031"
    row = svc.sitting_detail(db, clerk, heard).items[0]
    assert row.deferred_to == LATER and row.minutes is not None
    assert (row.minutes.draft.outcome, row.minutes.draft.deferral_reason) == ("deferred", "Medical report not received.")
    assert row.minutes.draft.discussion == "Questions on the support plan."
    assert page.status.text() == (f"Item 1 (PA-2026-031) deferred to the sitting of {weekday_date(LATER)}: the "
                                  "minutes record the deferral and its reason, and the case is on that sitting's "
                                  "agenda. Ctrl+Z undoes it.")
    assert page.minutes.outcome.currentData() == "deferred"  # the minutes tab shows it
    assert not button.isEnabled()
    assert button.toolTip() == (f"Item 1 is already deferred to the sitting of {weekday_date(LATER)}; the case is "
                                "on that sitting's agenda.")

    svc.cancel_sitting(db, clerk, later, "Chair unwell")  # a colleague cancels it: the case can go elsewhere
    page.reload(select_sitting=heard)
    QApplication.processEvents()
    assert button.isEnabled()
    again = _defer_dialog(page, qtbot)
    again_reason = again.findChild(QLineEdit, "reason")
    assert again_reason is not None and again_reason.text() == "Medical report not received."  # kept
    assert again.findChild(QComboBox, "to_sitting_id").currentData() == soon  # type: ignore[union-attr]
    _press(again_reason, Qt.Key.Key_D, ALT)
    qtbot.waitUntil(lambda: not again.isVisible())
    assert [i.id for i in svc.sitting_detail(db, clerk, soon).items] == [follow.id]  # the same entry, moved
    assert svc.sitting_detail(db, clerk, later).items == ()


def test_greyed_with_the_reason_when_there_is_no_later_sitting(db: Database, make_window: Any, qtbot: Any) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    heard = _sitting(db, clerk, HEARD)
    svc.add_item(db, clerk, heard, svc.ItemInput("approval", "PA-2026-032", "EF", "Jay Quillby"))
    page = _page(make_window, qtbot, clerk, heard)
    button = page.findChild(QPushButton, "defer_item")
    assert button is not None and not button.isEnabled()
    assert button.toolTip() == ("There is no later sitting to defer item 1 to. Schedule one first (New sitting…, "
                                "Ctrl+N), then defer the item.")
    page.defer_item()  # reached another way (a script, a stale button): said, nothing opened
    assert page.dialog is None
    assert page.status.text() == button.toolTip()


def test_a_deferral_made_by_mistake_is_undone_with_ctrl_z(db: Database, make_window: Any, qtbot: Any) -> None:
    """Undo (Ctrl+Z, or the status bar's Undo) takes a deferral back: the item's minutes as they were, the case off
    the later agenda, the button usable again; nothing else on the later agenda moves."""
    from tests.undo_checks import actions, assert_verified

    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    heard, later = _sitting(db, clerk, HEARD), _sitting(db, clerk, SOON)
    waiting = svc.add_item(db, clerk, later, svc.ItemInput("approval", "PA-2026-040", "GH", "Jay Quillby"))
    item = svc.add_item(db, clerk, heard, svc.ItemInput("approval", "PA-2026-031", "AB/CD", "Jay Quillby"))
    svc.save_minutes(db, clerk, item, svc.MinutesDraft(discussion="Questions on the support plan."))
    page = _page(make_window, qtbot, clerk, heard)
    dialog = _defer_dialog(page, qtbot)
    reason = dialog.findChild(QLineEdit, "reason")
    assert reason is not None
    QTest.keyClicks(reason, "Medical report not received.")
    _press(reason, Qt.Key.Key_D, ALT)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert [i.subject_reference for i in svc.sitting_detail(db, clerk, later).items] == ["PA-2026-040", "PA-2026-031"]
    assert page.status.text().endswith("Ctrl+Z undoes it.")
    undo_action = page.window().undo_ui.undo_action  # type: ignore[attr-defined]
    assert undo_action.isEnabled() and undo_action.text().startswith("&Undo: Deferred agenda item PA-2026-031")

    _press(page.agenda_view, Qt.Key.Key_Z, CTRL)
    assert [i.id for i in svc.sitting_detail(db, clerk, later).items] == [waiting]
    row = svc.sitting_detail(db, clerk, heard).items[0]
    assert row.deferred_to is None and row.minutes is not None
    assert (row.minutes.draft.outcome, row.minutes.draft.deferral_reason) == ("", "")
    assert row.minutes.draft.discussion == "Questions on the support plan."
    button = page.findChild(QPushButton, "defer_item")
    assert button is not None and button.isEnabled()  # the page shows it as stored now
    assert actions(db, "panel_items")[-1] == "undo"
    assert_verified(db)
