from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent
from PySide6.QtWidgets import QApplication

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import discard
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner


@pytest.fixture
def make_window(qtbot: object, db: Database) -> Iterator[object]:
    windows: list[MainWindow] = []

    def make(principal: Principal, idle_minutes: float = 10) -> MainWindow:
        window = MainWindow(AppContext(db, principal, TaskRunner(synchronous=True)), idle_minutes=idle_minutes)
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.show()
        windows.append(window)
        return window

    yield make
    for w in windows:
        w.close()
    QApplication.processEvents()


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """What was announced to assistive technology (Qt's announcement event: what NVDA, JAWS or Narrator says), in
    order; Qt's own update is still made."""
    heard: list[str] = []
    update = QAccessible.updateAccessibility

    def record(event: QAccessibleEvent) -> None:
        if event.type() == QAccessible.Event.Announcement and isinstance(event, QAccessibleAnnouncementEvent):
            heard.append(event.message())
        update(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", staticmethod(record))
    yield heard


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[tuple[str, str]]]:
    """``answers(False, True …)``: "Discard what you typed?" (``ui.discard.ask_discard``) answered in turn (True:
    Discard; then Discard); returns the titles and explanations asked."""
    def set_answers(*given: bool) -> list[tuple[str, str]]:
        left, asked = list(given), []

        def ask(_w: Any, title: str, **kw: Any) -> bool:
            asked.append((title, kw.get("informative", "")))
            return left.pop(0) if left else True

        monkeypatch.setattr(discard, "ask_discard", ask)
        return asked
    return set_answers
