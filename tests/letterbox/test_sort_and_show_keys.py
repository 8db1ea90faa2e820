"""The letterbox's lists from the keyboard (user trial 4, pytest-qt offscreen, real key events, real SQLCipher
files): a register is sorted from the keyboard — the Menu key or Shift+F10 opens the list's menu, whose
Sort by submenu sorts in SQL as a heading click does — and so is the work list; the work list's Show box
(Alt+S) lists only the overdue exchanges, or those due this month or soon, says how many, and leaves the
chasers and the lazy building alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views import page as page_module
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.sort_menu import ASCENDING_TEXT, DESCENDING_TEXT, with_mnemonic
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import shown_active
from tests.letterbox.conftest import sample_input

K = Qt.Key
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
TODAY = dt.date(2026, 3, 20)
WRITERS = ["Morgan Ashby", "Dee Carrow", "Bo Ellery", "Ash Birch"]


def make_page(qtbot: Any, db: Database, who: Principal) -> LetterboxPage:
    return shown_active(qtbot, LetterboxPage(AppContext(db, who, TaskRunner(synchronous=True)), today=TODAY),
                        1366, 728)


def popup() -> QMenu:
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu), f"no menu open (popup: {menu!r})"
    return menu


def choose(*keys: str) -> None:
    """Type ``keys`` into the menus as they open (each letter an item's underlined letter)."""
    for key in keys:
        QApplication.processEvents()
        menu = popup()
        QTest.keyClick(menu, getattr(K, f"Key_{key.upper()}"))
    QApplication.processEvents()


def entries(menu: QMenu) -> list[tuple[str, bool, bool]]:
    return [(a.text(), a.isChecked(), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]


@pytest.fixture
def logged(db: Database, coordinator: Principal, arrangement: int) -> list[int]:
    """Four items from four writers, received on four days (the newest first in the register)."""
    return [service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                             received_on=dt.date(2026, 1, 5 + 7 * n), writer=w) for n, w in enumerate(WRITERS)]


def focus(qtbot: Any, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=2000)


# --- the registers: Menu key → Sort by, in SQL --------------------------------------------------------------
def test_the_items_register_is_sorted_from_the_keyboard_in_sql(qtbot: Any, db: Database, coordinator: Principal,
                                                                logged: list[int],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    page = make_page(qtbot, db, coordinator)
    qtbot.keyClick(page, K.Key_T, ALT)  # the Items tab
    register = page.items_register
    assert register.isVisible()
    focus(qtbot, register.view)
    sorts: list[tuple[str, bool]] = []  # the order the database was asked for (the first page and count)
    item_page = service.item_page
    monkeypatch.setattr(page_module.service, "item_page",
                        lambda db_, who, f, limit, stop=None: (sorts.append((f.sort, f.descending)),
                                                               item_page(db_, who, f, limit, stop=stop))[1])

    qtbot.keyClick(register.view, K.Key_Menu)
    top = popup()
    assert [a.text() for a in top.actions()] == ["&Sort by"]
    choose("s")
    sort_by = popup()
    assert sort_by.objectName() == "sort_by"
    shown = entries(sort_by)
    # every column the database sorts by, the register's own order (received, newest first) ticked
    assert shown[0] == ("&Received", True, True)
    assert [t for t, _, _ in shown[:-2]] == ["&Received", "R&eference", "D&irection", "&From", "&Type", "&Status",
                                             "&Outcome on", "&Coordinator"]
    assert shown[-2:] == [(ASCENDING_TEXT, False, True), (DESCENDING_TEXT, True, True)]
    choose("f")  # From: by the writer, in the order chosen before (newest first: Z to A)
    assert register.model.sort_key == "writer" and register.model.descending
    # read sorted by the database (not sorted on screen), once, as after a click on the heading (Qt's
    # sortByColumn had it read twice: 0.6 s rather than 0.3 s on the large demo)
    assert sorts == [("writer", True)]
    assert [register.model.row_at(i).writer for i in range(4)] == sorted(WRITERS, reverse=True)
    header = register.view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (3, Qt.SortOrder.DescendingOrder)
    assert register.view.hasFocus() and register.selected() == register.model.row_at(0)  # the top row chosen

    qtbot.keyClick(register.view, K.Key_F10, SHIFT)  # Windows' other key for the menu
    choose("s", "a")  # Ascending
    assert [register.model.row_at(i).writer for i in range(4)] == sorted(WRITERS)
    assert sorts == [("writer", True), ("writer", False)]
    assert popup_closed()


def popup_closed() -> bool:
    QApplication.processEvents()
    return QApplication.activePopupWidget() is None


def test_the_arrangements_register_offers_only_what_the_database_sorts(qtbot: Any, db: Database,
                                                                       coordinator: Principal) -> None:
    for ref in ("LB-0003", "LB-0001", "LB-0002"):
        service.create_arrangement(db, coordinator, sample_input(reference=ref, coordinator="lbcoord"))
    page = make_page(qtbot, db, coordinator)
    qtbot.keyClick(page, K.Key_A, ALT)
    register = page.arrangements_register
    focus(qtbot, register.view)
    register.model.sort_keys[3] = None  # a column the database cannot sort by is not offered
    qtbot.keyClick(register.view, K.Key_Menu)
    choose("s")
    titles = [t.replace("&", "") for t, _, _ in entries(popup())]
    assert "Exchange months" not in titles and titles[0] == "Reference"
    choose("d")  # Descending, by the reference ticked (the register's own order)
    assert [register.model.row_at(i).reference for i in range(3)] == ["LB-0003", "LB-0002", "LB-0001"]


# --- the work list: sorted from the keyboard, and Show --------------------------------------------------------
@pytest.fixture
def due(db: Database, coordinator: Principal) -> None:
    """Exchanges overdue (March and September ones not received), due this month (March 2026) and due soon
    (April 2026, within 30 days of 20 March)."""
    service.create_arrangement(db, coordinator, sample_input(reference="LB-0001", coordinator="lbcoord"))
    service.create_arrangement(db, coordinator, sample_input(reference="LB-0002", coordinator="lbcoord",
                                                             exchange_months="April"))


def shown_states(page: LetterboxPage) -> set[str]:
    return {w.state for w in page.work_model.rows()}


def test_show_lists_only_the_overdue_exchanges_and_says_how_many(qtbot: Any, db: Database, coordinator: Principal,
                                                                 due: None) -> None:
    page = make_page(qtbot, db, coordinator)
    everything = page.work_model.rows()
    states = [w.state for w in everything]
    assert {"overdue", "this month", "due soon"} <= set(states)
    counts = {s: states.count(s) for s in set(states)}
    assert page.work_count.text() == (f"{len(states)} exchanges: {counts['overdue']} overdue, "
                                      f"{counts['this month']} due this month, {counts['due soon']} due soon.")

    qtbot.keyClick(page, K.Key_S, ALT)  # Show
    assert QApplication.focusWidget() is page.work_show
    qtbot.keyClick(page.work_show, K.Key_Down)  # Overdue only
    assert page.work_show.currentText() == "Overdue only"
    assert shown_states(page) == {"overdue"} and len(page.work_model.rows()) == counts["overdue"]
    assert page.work_count.text() == f"Showing {counts['overdue']} of {len(states)} exchanges: overdue only."
    qtbot.keyClick(page.work_show, K.Key_Down)
    assert shown_states(page) == {"this month"}
    assert page.work_count.text() == f"Showing {counts['this month']} of {len(states)} exchanges: due this month."
    qtbot.keyClick(page.work_show, K.Key_Down)
    assert shown_states(page) == {"due soon"}
    qtbot.keyClick(page.work_show, K.Key_Home)
    assert page.work_model.rows() == everything


def test_the_work_list_is_sorted_from_the_keyboard_within_what_it_shows(qtbot: Any, db: Database,
                                                                        coordinator: Principal, due: None) -> None:
    page = make_page(qtbot, db, coordinator)
    page.work_show.setCurrentIndex(page.work_show.findData("overdue"))
    focus(qtbot, page.work_view)
    qtbot.keyClick(page.work_view, K.Key_Menu)
    choose("s")
    shown = entries(popup())
    assert [t for t, _, _ in shown[:-2]] == ["D&ue", "&Reference", "&Who writes", "&State", "Reminder &on",
                                             "&Chase on", "Coord&inator"]
    # the list's own order (by due date, then reference) is ticked: Due, earliest first (no entry was ticked,
    # and the orders could not be chosen, so the user could not tell what order they saw)
    assert [t for t, checked, _ in shown if checked] == ["D&ue", ASCENDING_TEXT]
    assert shown[-1][2] and shown[-2][2]
    given = [(w.due, w.reference) for w in page.work_model.rows()]
    assert given == sorted(given)
    choose("u")  # Due, earliest first: the same order, now shown by the heading's arrow
    assert [(w.due, w.reference) for w in page.work_model.rows()] == given and shown_states(page) == {"overdue"}
    qtbot.keyClick(page.work_view, K.Key_F10, SHIFT)
    choose("s", "d")
    dues = [w.due for w in page.work_model.rows()]
    assert dues == sorted(dues, reverse=True) and shown_states(page) == {"overdue"}
    assert page.work_view.currentIndex().row() == 0


def test_the_work_list_in_its_own_order_says_it_and_turns_to_latest_first(qtbot: Any, db: Database,
                                                                          coordinator: Principal, due: None) -> None:
    """Straight after opening, no column sorted: Sort by ticks Due and Ascending (the order shown), and
    Descending turns the list latest first at once."""
    page = make_page(qtbot, db, coordinator)
    assert page.work_view.horizontalHeader().sortIndicatorSection() == -1  # nothing sorted by the user
    focus(qtbot, page.work_view)
    qtbot.keyClick(page.work_view, K.Key_Menu)
    choose("s")
    assert [(t, e) for t, checked, e in entries(popup()) if checked] == [("D&ue", True), (ASCENDING_TEXT, True)]
    given = [(w.due, w.reference) for w in page.work_model.rows()]
    choose("d")  # Descending
    assert [(w.due, w.reference) for w in page.work_model.rows()] == sorted(given, reverse=True)
    qtbot.keyClick(page.work_view, K.Key_F10, SHIFT)
    choose("s")
    assert [t for t, checked, _ in entries(popup()) if checked] == ["D&ue", DESCENDING_TEXT]
    QTest.keyClick(popup(), K.Key_Escape)
    QTest.keyClick(popup(), K.Key_Escape)


def test_chasers_go_to_every_overdue_writer_whatever_the_list_shows(qtbot: Any, db: Database,
                                                                    coordinator: Principal, due: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    page = make_page(qtbot, db, coordinator)
    overdue = sorted({w.arrangement_id for w in page.work_model.rows() if w.state == "overdue"})
    assert overdue
    page.work_show.setCurrentIndex(page.work_show.findData("due soon"))
    said: list[str] = []
    monkeypatch.setattr(page_module.QMessageBox, "information", lambda _p, _t, text: said.append(text))
    asked: list[list[int]] = []
    monkeypatch.setattr(page, "_again_today", lambda _k, _t, ids: asked.append(ids) or False)
    page._chasers_clicked()
    assert said == [] and asked == [overdue]


def test_show_leaves_the_work_list_unread_until_its_tab_is_shown(qtbot: Any, db: Database, coordinator: Principal,
                                                                  due: None, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[dt.date] = []
    work_list = service.work_list
    monkeypatch.setattr(page_module.service, "work_list",
                        lambda *a, **k: (read.append(a[2]), work_list(*a, **k))[1])
    page = LetterboxPage(AppContext(db, coordinator, TaskRunner(synchronous=True)), today=TODAY)
    page.tabs.setCurrentWidget(page.items_register)  # someone who came for a register
    shown_active(qtbot, page, 1366, 728)
    page.work_show.setCurrentIndex(page.work_show.findData("overdue"))
    assert read == [] and page.work_count.text() == ""
    qtbot.keyClick(page, K.Key_W, ALT)
    assert read == [TODAY] and shown_states(page) == {"overdue"}
    assert page.work_count.text().startswith("Showing ")


# --- the rules behind them --------------------------------------------------------------------------------------
def test_work_list_count_words() -> None:
    states = ["overdue", "overdue", "this month", "due soon"]
    assert rules.work_list_count(states, "") == "4 exchanges: 2 overdue, 1 due this month, 1 due soon."
    assert rules.work_list_count(states, "overdue") == "Showing 2 of 4 exchanges: overdue only."
    assert rules.work_list_count(["overdue"], "due soon") == (
        "No exchange on the list is due soon (1 exchange in all): choose All exchanges under Show to see them.")
    assert rules.work_list_count([], "overdue") == "No exchange is overdue or due soon."
    assert [k for k, _ in rules.WORK_LIST_SHOWS] == ["", "overdue", "this month", "due soon"]
    assert all(rules.shown_on_work_list(s, "") for s in states)
    assert [rules.shown_on_work_list(s, "overdue") for s in states] == [True, True, False, False]


def test_menu_letters_are_each_once() -> None:
    used = {"a", "d"}
    titles = [with_mnemonic(t, used) for t in ("Due", "Date", "Dad", "R&D", "Outcome on")]
    assert titles == ["D&ue", "Da&te", "Dad", "&R&&D", "&Outcome on"]
