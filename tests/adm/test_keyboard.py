"""The ADM page from the keyboard: Alt+letter reaches each of the decision's tabs, and no two things shown at
once answer the same Alt+letter (on any tab)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import shown_active
from tests.ui.test_mnemonics import mnemonic, visible_mnemonics

TODAY = dt.date(2025, 12, 3)


def _page(db: Database, who: Principal, qtbot: Any) -> AdmPage:
    with db.session() as s:
        open_from_panel(s, handoff(received=dt.date(2025, 11, 24), ref="ADP-2025-0401"))
    return shown_active(qtbot, AdmPage(AppContext(db, who, TaskRunner(synchronous=True)), today=TODAY), 1156, 700)


def test_alt_letter_reaches_each_decision_tab(db: Database, adm_user: Principal, qtbot: Any) -> None:
    page = _page(db, adm_user, qtbot)
    tabs = page.detail.tabs
    assert page.detail.detail is not None and tabs.isEnabled()
    letters = [mnemonic(tabs.tabText(i)) for i in range(tabs.count())]
    assert None not in letters, [tabs.tabText(i) for i in range(tabs.count())]
    assert len(set(letters)) == tabs.count()
    page.view.setFocus()
    for i in reversed(range(tabs.count())):  # from the last, so each key really moves the tab
        letter = letters[i]
        assert letter is not None
        QTest.keyClick(QApplication.focusWidget() or page, getattr(Qt.Key, f"Key_{letter.upper()}"),
                       Qt.KeyboardModifier.AltModifier)
        assert tabs.currentIndex() == i, f"Alt+{letter.upper()} did not show {tabs.tabText(i)!r}"


def test_the_tab_letters_clash_with_nothing_on_the_page(db: Database, adm_user: Principal, qtbot: Any) -> None:
    """The tab titles are shown whatever tab is open: their letters must differ from every button and label
    of every tab, and from Type, Show and Print above the queue."""
    page = _page(db, adm_user, qtbot)
    tabs = page.detail.tabs
    clashes = {}
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        QApplication.processEvents()
        found = visible_mnemonics(page)
        if found:
            clashes[tabs.tabText(i)] = found
    assert clashes == {}
    # the main window's menus (File, Go, Help) come first: a tab never takes their letters
    assert {mnemonic(tabs.tabText(i)) for i in range(tabs.count())}.isdisjoint({"f", "g", "h"})


@pytest.mark.parametrize("key", [Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Return])
def test_down_or_enter_in_find_goes_to_the_decisions_found(db: Database, adm_user: Principal, qtbot: Any,
                                                           key: Qt.Key) -> None:
    with db.session() as s:
        for ref in ("ADP-2025-0402", "ADP-2025-0503"):
            open_from_panel(s, handoff(received=dt.date(2025, 12, 1), ref=ref))
    page = _page(db, adm_user, qtbot)
    assert page.model.rowCount() == 3
    page.search.setFocus()
    qtbot.keyClicks(page.search, "2025-04")
    qtbot.keyClick(page.search, key)  # at once: the typing pause has not ended
    assert page.model.rowCount() == 2 and not page._debounce.isActive()
    assert QApplication.focusWidget() is page.view
    selected = [page.model.row_at(i.row()).id for i in page.view.selectionModel().selectedRows()]
    assert page.detail.detail is not None and selected == [page.detail.detail.row.id]
    assert page.detail.detail.row.subject_reference.startswith("ADP-2025-04")
    page.search.setFocus()
    page.search.clear()
    qtbot.keyClicks(page.search, "nothing like it")
    qtbot.keyClick(page.search, key)
    assert QApplication.focusWidget() is page.search and page.model.rowCount() == 0


def test_ctrl_shift_i_asks_for_more_information(db: Database, adm_user: Principal, qtbot: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The button gave its Alt letter to the Edit menu: Ctrl+Shift+I reaches it from anywhere on the page."""
    page = _page(db, adm_user, qtbot)
    asked: list[bool] = []
    monkeypatch.setattr(page.detail, "ask_information", lambda: asked.append(True))
    page.detail.buttons["info_button"].clicked.disconnect()
    page.detail.buttons["info_button"].clicked.connect(lambda _c=False: page.detail.ask_information())
    page.detail.tabs.setCurrentIndex(1)  # the Decision tab, where the button is
    page.view.setFocus()
    QTest.keyClick(page.view, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert asked == [True]
    page.detail.buttons["info_button"].setEnabled(False)  # not while it may not be pressed
    QTest.keyClick(page.view, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert asked == [True]


def test_alt_n_selects_the_prefilled_wording_so_typing_replaces_it(db: Database, adm_user: Principal,
                                                                  qtbot: Any) -> None:
    """User trial: Alt+N put the cursor into the pre-filled decision sentence, so typed words ran into it
    ("...a child.I have decided..."). The program's sentence is selected (typing replaces it); the ADM's own
    words are kept, the cursor at their end."""
    page = _page(db, adm_user, qtbot)
    panel = page.detail
    QTest.keyClick(QApplication.focusWidget() or page, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    panel.outcome.setCurrentIndex(panel.outcome.findData("agree"))
    prefilled = panel.decision_text.toPlainText()
    assert prefilled, "agreeing pre-fills the decision sentence"
    panel.outcome.setFocus()
    QTest.keyClick(QApplication.focusWidget() or page, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is panel.decision_text
    typed = "I approve you as suitable to adopt up to two children aged 0 to 5."
    assert typed != prefilled
    QTest.keyClicks(panel.decision_text, typed)
    assert panel.decision_text.toPlainText() == typed
    # the ADM's own words: kept, what is typed follows them
    panel.outcome.setFocus()
    QTest.keyClick(QApplication.focusWidget() or page, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    QTest.keyClicks(panel.decision_text, " Reviewed in a year.")
    assert panel.decision_text.toPlainText() == typed + " Reviewed in a year."
