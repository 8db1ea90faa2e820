"""Ctrl+K from anywhere (also from a text field, where Qt binds Ctrl+K to "delete to end of line"), results
grouped by area, arrows and Enter open the record in its area, Esc closes."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from adoption_desktop import demo
from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.security.service import authenticate
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling.models import CounsellingCase
from adoption_desktop.letterbox.models import Arrangement
from adoption_desktop.reports.search_everywhere import ARRANGEMENTS, COUNSELLING_CASES, LETTERBOX_ITEMS
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.search_everywhere import HEADER, HIT, MORE, SearchEverywhereDialog
from adoption_desktop.ui.tasks import TaskRunner


@pytest.fixture
def demo_db(small_demo_db: Database) -> Database:
    return small_demo_db  # the small demo, made once per run (conftest)


def _shown(window: Any) -> Any:
    """The page on screen (each page sits in a scroll area: ui/fit.py)."""
    from PySide6.QtWidgets import QScrollArea

    current = window.stack.currentWidget()
    return current.widget() if isinstance(current, QScrollArea) else current


def window_for(db: Database, username: str, qtbot: Any) -> MainWindow:
    principal = authenticate(db, username, demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(db, principal, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def popup(window: MainWindow) -> SearchEverywhereDialog:
    dialog = window.search_everywhere.dialog
    assert dialog is not None
    return dialog


def views_of(db: Database, entity: str) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "view", AuditEntry.entity == entity)) or 0)


def test_ctrl_k_in_a_text_field_opens_the_popup_and_enter_opens_the_case(demo_db: Database, qtbot: Any) -> None:
    window = window_for(demo_db, "admin", qtbot)
    page: Any = window.open_target("counselling")
    page.activateWindow()
    page.search.setFocus()
    qtbot.keyClicks(page.search, "kept text")
    page.search.setCursorPosition(0)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.search)
    qtbot.keyClick(page.search, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.search_everywhere.dialog is not None and popup(window).isVisible())
    assert page.search.text() == "kept text"  # Ctrl+K did not delete to the end of the line
    dialog = popup(window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.box)

    with demo_db.session(write=False) as s:
        case_id, reference = s.execute(select(CounsellingCase.id, CounsellingCase.reference)
                                       .order_by(CounsellingCase.id)).first()  # type: ignore[misc]
    before = views_of(demo_db, "counselling_cases")
    qtbot.keyClicks(dialog.box, reference)
    qtbot.waitUntil(lambda: any(r.kind == HIT for r in dialog.model.rows()))
    rows = dialog.model.rows()
    assert rows[0].kind == HEADER  # grouped: a heading first, then its records
    current = dialog.model.row_at(dialog.current_row())
    assert current.kind == HIT and current.hit is not None and current.hit.record_id == case_id
    assert views_of(demo_db, "counselling_cases") == before  # typing opens nothing, audits nothing
    qtbot.keyClick(dialog.box, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert [d.case_id for d in page.cases] == [case_id]
    assert views_of(demo_db, "counselling_cases") == before + 1  # opening is audited, once
    for d in page.cases:
        d.close()


def test_results_are_grouped_and_the_arrows_skip_headings(demo_db: Database, qtbot: Any) -> None:
    window = window_for(demo_db, "admin", qtbot)
    dialog = window.search_everywhere.open()
    assert dialog is not None
    qtbot.keyClicks(dialog.box, "e")
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0)
    rows = dialog.model.rows()
    headings = [r.area for r in rows if r.kind == HEADER]
    assert len(headings) == len(set(headings)) >= 3
    for n, r in enumerate(rows):  # every record sits under its own area's heading
        if r.kind != HEADER:
            heading = next(x for x in reversed(rows[:n]) if x.kind == HEADER)
            assert heading.area is r.area
    assert any(r.kind == MORE for r in rows)
    seen = []
    for _ in range(len(rows) + 2):
        seen.append(dialog.current_row())
        qtbot.keyClick(dialog.box, Qt.Key.Key_Down)
    assert all(rows[i].kind != HEADER for i in seen)
    assert seen[-1] == max(i for i, r in enumerate(rows) if r.kind != HEADER)  # stops at the last
    qtbot.keyClick(dialog.box, Qt.Key.Key_Up)
    assert dialog.current_row() < seen[-1]
    qtbot.keyClick(dialog.box, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_enter_on_an_arrangement_and_more_open_the_letterbox(demo_db: Database, qtbot: Any) -> None:
    window = window_for(demo_db, "admin", qtbot)
    with demo_db.session(write=False) as s:
        reference = s.scalar(select(Arrangement.reference).order_by(Arrangement.id).limit(1))
    window.activateWindow()
    window.nav.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.nav)
    qtbot.keyClick(window.nav, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog = popup(window)
    qtbot.keyClicks(dialog.box, str(reference))
    qtbot.waitUntil(lambda: any(r.kind == HIT and r.area is ARRANGEMENTS for r in dialog.model.rows()))
    while dialog.model.row_at(dialog.current_row()).area is not ARRANGEMENTS:
        qtbot.keyClick(dialog.box, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.box, Qt.Key.Key_Enter)
    page: Any = window.page("letterbox")
    assert _shown(window) is page
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog

    opened = [w for w in page.findChildren(ArrangementDialog) if w.isVisible()]
    assert len(opened) == 1
    opened[0].close()
    # "More in letterbox items…" opens the items register filtered by the same words
    assert window.search_everywhere.open() is dialog
    dialog.box.clear()
    qtbot.keyClicks(dialog.box, "e")
    qtbot.waitUntil(lambda: dialog.results_data is not None and dialog.results_data.query == "e")
    assert any(r.kind == MORE and r.area is LETTERBOX_ITEMS for r in dialog.model.rows())
    more = next(n for n, r in enumerate(dialog.model.rows()) if r.kind == MORE and r.area is LETTERBOX_ITEMS)
    while dialog.current_row() != more:
        qtbot.keyClick(dialog.box, Qt.Key.Key_Down)
    chosen: list[Any] = []
    dialog.chosen.connect(chosen.append)
    qtbot.keyClick(dialog.box, Qt.Key.Key_Return)
    assert chosen and chosen[0].kind == MORE and chosen[0].area is LETTERBOX_ITEMS, (chosen, more, dialog.current_row())
    assert page.tabs.currentWidget() is page.items_register
    assert page.items_register.search.text() == "e" and page.items_register.query == "e"


def test_a_counsellor_sees_only_counselling_results(demo_db: Database, qtbot: Any) -> None:
    window = window_for(demo_db, "counsellor", qtbot)
    dialog = window.search_everywhere.open()
    assert dialog is not None
    with demo_db.session(write=False) as s:
        reference = s.scalar(select(Arrangement.reference).limit(1))
    qtbot.keyClicks(dialog.box, str(reference))
    dialog.run_search(dialog.box.text())
    assert all(r.area is COUNSELLING_CASES for r in dialog.model.rows())
    dialog.box.clear()
    qtbot.keyClicks(dialog.box, "e")
    dialog.run_search("e")
    assert {r.area for r in dialog.model.rows()} == {COUNSELLING_CASES}


def test_ctrl_k_does_nothing_while_the_window_is_locked(db: Database, qtbot: Any) -> None:
    from adoption_desktop.core.security.permissions import Role
    from tests.conftest import make_user

    window = MainWindow(AppContext(db, make_user(db, "boss", Role.ADMINISTRATOR), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    window.lock()
    assert window.lock_screen is not None
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert window.search_everywhere.dialog is None
    assert window.search_everywhere.open() is None


def test_ctrl_k_wins_over_a_text_field_that_claims_it(db: Database, qtbot: Any) -> None:
    """On Linux and macOS a QLineEdit claims Ctrl+K (delete to end of line) through ShortcutOverride; the
    offscreen test platform does not, so this field claims it the same way: the search must still open."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QLineEdit

    from adoption_desktop.core.security.permissions import Role
    from tests.conftest import make_user

    claimed: list[bool] = []

    class ClaimsCtrlK(QLineEdit):
        def event(self, e: QEvent) -> bool:
            if e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent) and \
                    e.key() == Qt.Key.Key_K and e.modifiers() == Qt.KeyboardModifier.ControlModifier:
                claimed.append(True)
                e.accept()
                return True
            return super().event(e)

    window = MainWindow(AppContext(db, make_user(db, "boss", Role.ADMINISTRATOR), TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    field = ClaimsCtrlK("kept text")
    window.statusBar().addWidget(field)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field)
    qtbot.keyClick(field, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.search_everywhere.dialog is not None and popup(window).isVisible())
    assert not claimed  # the field never got to claim it


def test_panel_items_decisions_and_letterbox_items_open_in_their_pages(demo_db: Database, qtbot: Any) -> None:
    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.letterbox.models import Item
    from adoption_desktop.panel.models import PanelItem
    from adoption_desktop.reports.search_everywhere import DECISIONS, PANEL_ITEMS, search_everywhere
    from adoption_desktop.ui.search_everywhere import ResultRow, open_result

    window = window_for(demo_db, "admin", qtbot)
    with demo_db.session(write=False) as s:
        panel_ref = s.scalar(select(PanelItem.subject_reference).where(PanelItem.subject_reference != "")
                             .order_by(PanelItem.id).limit(1))
        decision_ref = s.scalar(select(AdmDecision.subject_reference).order_by(AdmDecision.id.desc()).limit(1))
        item_id = s.scalar(select(Item.id).order_by(Item.id.desc()).limit(1))
        item_ref = s.scalar(select(Arrangement.reference).join(Item).where(Item.id == item_id))

    def first(query: str, area: Any) -> ResultRow:
        found = search_everywhere(demo_db, window.ctx.principal, str(query))
        group = next(g for g in found.areas if g.area is area)
        return ResultRow(HIT, area, group.hits[0])

    row = first(str(panel_ref), PANEL_ITEMS)
    open_result(window, row)
    panel: Any = window.page("panel")
    assert _shown(window) is panel
    assert panel.sitting.id == row.hit.parent_id and panel.item.id == row.hit.record_id  # type: ignore[union-attr]

    row = first(str(decision_ref), DECISIONS)
    open_result(window, row)
    adm: Any = window.page("adm")
    assert _shown(window) is adm
    assert adm.detail.detail is not None and adm.detail.detail.row.id == row.hit.record_id  # type: ignore[union-attr]

    letterbox: Any = window.open_target("letterbox")
    before = views_of(demo_db, "letterbox_items")
    letterbox.open_existing_item(item_id).close()  # opened from the register, as today
    from_register = views_of(demo_db, "letterbox_items") - before
    assert from_register >= 1
    before = views_of(demo_db, "letterbox_items")
    found = search_everywhere(demo_db, window.ctx.principal, str(item_ref))
    hit = next(h for h in found.hits if h.area == LETTERBOX_ITEMS.key and h.record_id == item_id)
    assert views_of(demo_db, "letterbox_items") == before  # searching audits nothing
    dialog = open_result(window, ResultRow(HIT, LETTERBOX_ITEMS, hit))
    assert dialog is not None and dialog.isVisible()
    assert views_of(demo_db, "letterbox_items") == before + from_register  # audited as from the register
    dialog.close()


def test_the_count_is_said_once_the_typing_pauses_and_only_when_it_changed(
        demo_db: Database, qtbot: Any, said: list[str]) -> None:
    """A screen reader said the number found at every keystroke, a stream of numbers (accessibility trial,
    December 2026): the count line is shown at once, and said when the typing pauses, if it changed."""
    window = window_for(demo_db, "admin", qtbot)
    window.search_everywhere.open()
    dialog = popup(window)
    qtbot.waitUntil(lambda: bool(said))  # the hint, as the popup opens
    said.clear()
    with demo_db.session(write=False) as s:
        reference = s.scalars(select(Arrangement.reference).order_by(Arrangement.id)).first()
    assert reference
    shown = []
    for key in reference:  # typed key by key, each key's search run before the next key
        qtbot.keyClicks(dialog.box, key)
        QApplication.processEvents()
        shown.append(dialog.status.text())
        assert said == [], f"said while typing: {said}"
    assert "shown" in shown[-1] and len(set(shown)) > 1  # the line itself changed as the keys came
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert said == [dialog.status.text()]  # once, when the typing paused
    qtbot.keyClicks(dialog.box, "z")
    qtbot.keyClick(dialog.box, Qt.Key.Key_Backspace)  # the same text: the same count
    qtbot.wait(2000)
    assert said == [dialog.status.text()]  # not said again
    qtbot.keyClicks(dialog.box, "qqqq")
    qtbot.waitUntil(lambda: len(said) == 2, timeout=5000)
    assert said[1] == dialog.status.text() and said[1].startswith("Nothing found")
    qtbot.keyClicks(dialog.box, "q")  # still nothing found: the count has not changed
    qtbot.wait(2000)
    assert len(said) == 2
    dialog.close()
