"""Closing the main window (or signing out) while a letterbox item window holds typing not saved asks
"Keep editing / Discard" about that item (user trial: the letter typed in an item window, and a new item's
note, were lost when the coordinator closed the program). Nothing is written on the way out: a half-typed
item is never stored as if complete. Offscreen, real SQLCipher file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views import item_dialog
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.session_switch import sign_out
from adoption_desktop.ui.tasks import TaskRunner

LETTER = "Dear all, this is a long letter typed by hand from the paper copy."


def _window(qtbot: QtBot, db: Database, who: Principal) -> tuple[MainWindow, LetterboxPage]:
    window = MainWindow(AppContext(db, who, TaskRunner(synchronous=True)), idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    page = window.open_target("letterbox")
    assert isinstance(page, LetterboxPage)
    return window, page


def _answers(monkeypatch: pytest.MonkeyPatch, *answers: bool) -> list[tuple[str, str]]:
    """Answer the item window's "Discard what you typed?" in turn (True: Discard), then Discard (the test's
    windows close at its end); returns what was asked."""
    left, asked = list(answers), []

    def ask(_w: Any, title: str, **kw: Any) -> bool:
        asked.append((title, kw.get("informative", "")))
        return left.pop(0) if left else True

    monkeypatch.setattr(item_dialog, "ask_discard", ask)
    return asked


def _items(db: Database, who: Principal, arrangement: int) -> list[service.ItemDetail]:
    return [service.get_item(db, who, i.id) for i in service.list_items(db, who, service.ItemFilter(arrangement_id=arrangement))]


def test_keep_editing_keeps_the_main_window_and_the_typed_text(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=dt.date(2026, 4, 1))
    window, page = _window(qtbot, db, coordinator)
    logged = page.open_existing_item(item)
    qtbot.keyClicks(logged.text, LETTER)
    new = page.open_item_dialog(arrangement, "LB-0001")
    assert new is not None
    qtbot.keyClicks(new.notes, "arrived torn, stapled")
    asked = _answers(monkeypatch, False)  # "Keep editing" about the first window asked about
    window.activateWindow()
    window.close()
    QApplication.processEvents()
    assert window.isVisible() and len(asked) == 1
    title, said = asked[0]
    assert f"item {item}" in title and "LB-0001" in title
    assert said.startswith(f"The letter text you typed for the item {item} is not saved.")  # plain English
    assert logged.isVisible() and logged.text.toPlainText() == LETTER  # still on screen
    assert QApplication.activeWindow() in (logged, None)  # brought forward (offscreen may not activate)
    assert new.isVisible() and new.notes.text() == "arrived torn, stapled"
    stored = service.get_item(db, coordinator, item)
    assert stored.text == "" and stored.status == "received"  # nothing written on the way out


def test_discard_closes_and_writes_nothing(qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=dt.date(2026, 4, 1))
    window, page = _window(qtbot, db, coordinator)
    logged = page.open_existing_item(item)
    qtbot.keyClicks(logged.text, LETTER)
    new = page.open_item_dialog(arrangement, "LB-0001")
    assert new is not None
    qtbot.keyClicks(new.notes, "arrived torn, stapled")
    asked = _answers(monkeypatch, True, True)  # "Discard", both
    window.close()
    QApplication.processEvents()
    assert not window.isVisible() and len(asked) == 2
    assert "new item" in asked[1][0]
    assert asked[1][1].startswith("The notes you typed for the new item (not logged yet) are not saved.")
    assert not logged.isVisible() and not new.isVisible()
    [stored] = _items(db, coordinator, arrangement)  # the new item was not logged
    assert stored.id == item and stored.text == "" and stored.status == "received"


def test_an_item_window_with_nothing_typed_closes_without_a_question(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window, page = _window(qtbot, db, coordinator)
    page.open_item_dialog(arrangement, "LB-0001")
    asked = _answers(monkeypatch)
    window.close()
    QApplication.processEvents()
    assert not window.isVisible() and asked == []


def test_keep_editing_stops_the_sign_out(qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    window, page = _window(qtbot, db, coordinator)
    new = page.open_item_dialog(arrangement, "LB-0001")
    assert new is not None
    qtbot.keyClicks(new.notes, "arrived torn, stapled")
    asked = _answers(monkeypatch, False)
    signed_in: list[object] = []
    assert sign_out(window, ask=lambda *_a: signed_in.append(1)) is None  # type: ignore[func-returns-value]
    assert not signed_in and len(asked) == 1 and new.isVisible() and new.notes.text() == "arrived torn, stapled"
    message = window.statusBar().currentMessage()
    assert "Not signed out" in message and "Letterbox item" in message and "Discard" in message
    # Discard now: asked once (not again as its window is closed), signed out, nothing logged
    asked = _answers(monkeypatch, True)
    sign_out(window, ask=lambda *_a: None)
    assert len(asked) == 1 and not new.isVisible()
    assert _items(db, coordinator, arrangement) == []
