"""The idle lock screen shows nothing of a case, and the unlock gives the keyboard back where it was.

A user trial (6 December) found the lock screen's status bar still saying the last undoable action ("Marked the
finding '14 Holly Road' acceptable. Undo", "Removed agenda item … Undo"), with no time limit, its Undo link
reachable with Tab from the password field; a message naming a case ("Signed AD-2026-0149: …") stayed under the
lock for up to 15 seconds. After the unlock the keyboard landed in the Sittings list, not in the minutes field
being typed in, so the arrow keys changed the sitting. At the lock screen's Sign out / Switch user, a form with
typing asked "Discard what you typed?" twice, and Keep editing the first time was not the end of it.
Offscreen, real SQLCipher file, the pages' own actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStatusBar, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox import service as lb
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs as panel_dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui import discard, session_switch
from adoption_desktop.ui.main_window import MainWindow
from tests.conftest import TEST_PASSWORD, make_user
from tests.letterbox.conftest import sample_input
from tests.ui.lock_checks import shows_nothing
from tests.undo_checks import rows

CTRL = Qt.KeyboardModifier.ControlModifier
#: what the window must not show while locked: the finding, the agenda item, the signed decision
CASE_WORDS = ("Holly Road", "PA-2026-014", "AD-2026-0149", "Undo")


def _visible_words(window: QWidget) -> list[str]:
    """Every text on screen in ``window``: each visible widget's text, tooltip and accessible name, and the
    status bar's message while the status bar is shown."""
    found = [window.windowTitle()]
    for w in [window, *window.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        text = getattr(w, "text", None)
        if callable(text):
            try:
                value = text()
            except TypeError:
                value = None
            if isinstance(value, str):
                found.append(value)
        found += [w.toolTip(), w.accessibleName(), w.accessibleDescription()]
        if isinstance(w, QStatusBar):
            found.append(w.currentMessage())
    return [t for t in found if t]


def _leaks(window: QWidget) -> list[str]:
    return [t for t in _visible_words(window) if any(word in t for word in CASE_WORDS)]


def _unlock_by_typing(qtbot: QtBot, window: MainWindow) -> None:
    assert window.lock_screen is not None
    window.activateWindow()  # the person comes back to the window
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.lock_screen.password, timeout=2000)
    QTest.keyClicks(window.lock_screen.password, TEST_PASSWORD)
    QTest.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert not window.locked


def _sitting(db: Database, clerk: Principal) -> tuple[int, list[int]]:
    sitting = svc.schedule_sittings(db, clerk, svc.SittingInput(dt.date(2026, 3, 3), venue="Room 2"))[0]
    items = [svc.add_item(db, clerk, sitting, svc.ItemInput("approval", ref, "AB/CD", "Jay Quillby"))
             for ref in ("PA-2026-013", "PA-2026-014", "PA-2026-015")]
    return sitting, items


def _agenda(db: Database, who: Principal, sitting: int) -> list[int]:
    return [i.id for i in svc.sitting_detail(db, who, sitting).items]


def _panel(window: MainWindow) -> PanelPage:
    page = window.open_target("panel")
    assert isinstance(page, PanelPage)
    return page


def test_the_lock_screen_shows_no_undo_line_nor_message_and_ctrl_z_works_after_the_unlock(
        qtbot: QtBot, db: Database, make_window: Any) -> None:
    who = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR, Role.LETTERBOX_COORDINATOR)
    arrangement = lb.create_arrangement(db, who, sample_input())
    item = lb.log_item(db, who, arrangement, direction=rules.TO_ADOPTIVE, received_on=dt.date(2026, 11, 30),
                       writer="Gina Quillfield")
    lb.screen_item(db, who, item, "We have moved to 14 Holly Road, Ambleford ZZ99 4QQ.")
    findings = rows(db, "letterbox_findings")
    sitting, items = _sitting(db, who)
    window: MainWindow = make_window(who)
    notice = window.undo_ui.notice

    letterbox = window.open_target("letterbox")
    assert isinstance(letterbox, LetterboxPage)
    dialog = letterbox.open_existing_item(item)
    dialog.findings_view.selectRow(0)
    dialog.decide("acceptable")
    assert notice.isVisible() and "Holly Road" in notice.text.text()
    dialog.close()
    QApplication.processEvents()

    window.lock()  # the finding's line, its Undo link
    assert window.locked and _leaks(window) == []
    _unlock_by_typing(qtbot, window)
    assert notice.isVisible() and "Holly Road" in notice.text.text()  # back as it was

    page = _panel(window)
    page.agenda_view.selectRow(1)
    page.remove_item()  # on the stack after the finding
    assert _agenda(db, who, sitting) == [items[0], items[2]]
    assert notice.isVisible() and "PA-2026-014" in notice.text.text() and notice.link.isVisible()
    window.ctx.on_message("Signed AD-2026-0149: the agency decision is recorded.")  # a message naming a case
    assert "AD-2026-0149" in window.statusBar().currentMessage()

    window.lock()
    assert window.locked and _leaks(window) == []
    assert not notice.isVisible() and not notice.link.isVisible()
    window.ctx.on_message("Signed AD-2026-0149: said while locked.")  # work finishing meanwhile: not shown either
    assert _leaks(window) == []
    assert window.lock_screen is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.lock_screen.password, timeout=2000)
    reached: list[QWidget | None] = []
    for _ in range(12):  # round the lock screen, twice over: never the status bar's Undo link
        focus = QApplication.focusWidget()
        assert focus is not None
        QTest.keyClick(focus, Qt.Key.Key_Tab)
        QApplication.processEvents()
        reached.append(QApplication.focusWidget())
    assert notice.link not in reached
    assert all(w is not None and window.lock_screen.isAncestorOf(w) for w in reached), reached
    QTest.keyClick(window.lock_screen.password, Qt.Key.Key_Z, CTRL)  # nothing undone while locked
    assert _agenda(db, who, sitting) == [items[0], items[2]]

    _unlock_by_typing(qtbot, window)
    assert window.statusBar().isVisible()
    assert window.statusBar().currentMessage() == "Signed AD-2026-0149: said while locked."  # said now, for its time
    window.statusBar().clearMessage()  # its time up: the Undo line that a message stands in for is back
    assert notice.isVisible() and "PA-2026-014" in notice.text.text() and notice.link.isVisible()
    page.agenda_view.setFocus()
    QApplication.processEvents()
    QTest.keyClick(page.agenda_view, Qt.Key.Key_Z, CTRL)  # the same entry as before the lock
    QApplication.processEvents()
    assert _agenda(db, who, sitting) == items
    QTest.keyClick(page.agenda_view, Qt.Key.Key_Z, CTRL)  # and the finding under it
    QApplication.processEvents()
    assert rows(db, "letterbox_findings") == findings


def test_the_unlock_gives_the_keyboard_back_to_the_minutes_field(
        qtbot: QtBot, db: Database, make_window: Any) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    sitting, _items = _sitting(db, clerk)
    window: MainWindow = make_window(clerk)
    page = _panel(window)
    page.agenda_view.selectRow(0)
    page.detail_tabs.setCurrentWidget(page.minutes)
    box = page.minutes.discussion
    box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is box, timeout=2000)
    QTest.keyClicks(box, "Questions answered.")
    chosen = page.sitting

    window.lock()
    _unlock_by_typing(qtbot, window)
    assert QApplication.focusWidget() is box
    focus = QApplication.focusWidget()
    assert focus is not None
    QTest.keyClick(focus, Qt.Key.Key_Down)  # arrow keys move in the text, not to another sitting
    QTest.keyClicks(focus, " Second sentence.")
    assert box.toPlainText() == "Questions answered. Second sentence."
    assert page.sitting == chosen and page.sitting is not None and page.sitting.id == sitting


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[str]]:
    """``answers(False, True …)``: "Discard what you typed?" answered in turn (True: Discard); returns the
    titles asked, one per question."""
    def set_answers(*given: bool) -> list[str]:
        left, asked = list(given), []

        def ask(_w: Any, title: str, **_kw: Any) -> bool:
            asked.append(title)
            return left.pop(0) if left else True

        monkeypatch.setattr(discard, "ask_discard", ask)
        monkeypatch.setattr(panel_dialogs, "ask_discard", ask)  # the panel forms' own name for it
        return asked
    return set_answers


def test_switch_user_at_the_lock_screen_asks_about_a_typed_form_once(
        qtbot: QtBot, db: Database, make_window: Any, answers: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    clerk = make_user(db, "clerk", Role.PANEL_ADMINISTRATOR)
    make_user(db, "second", Role.MANAGER)
    monkeypatch.setattr(session_switch, "default_sign_in",
                        lambda _parent, database: security.authenticate(database, "second", TEST_PASSWORD))
    window: MainWindow = make_window(clerk)
    page = _panel(window)
    page.add_member()
    form = page.dialog
    assert form is not None and form.isVisible()
    form.full_name.setText("Wynford Testmember")

    asked = answers(False)  # Keep editing
    window.lock()
    assert window.lock_screen is not None and shows_nothing(form)
    window.lock_screen.switch_button.click()
    assert len(asked) == 1, asked  # once, not again as the window was closed
    assert window.locked and window.ctx.principal.username == "clerk"
    assert form.isVisible() and shows_nothing(form)  # kept, still covered
    said = window.lock_screen.message.text()
    assert said.startswith("Not signed out:") and "Unlock" in said and "Wynford" not in said
    _unlock_by_typing(qtbot, window)
    assert form.isVisible() and form.full_name.text() == "Wynford Testmember"

    asked = answers(True)  # Discard
    window.lock()
    window.lock_screen.switch_button.click()
    assert len(asked) == 1 and window.ctx.principal.username == "second" and not window.locked
    assert not form.isVisible()
    assert "Wynford Testmember" not in [m.full_name for m in svc.list_members(db, clerk, today=dt.date(2026, 3, 1))]
