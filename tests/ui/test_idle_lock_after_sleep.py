"""The idle lock after the PC slept (user trial ut27): the window was left at 17:00 with some minutes of its
idle time to go, the PC slept overnight (its timers stood still), and at 08:00 the first touch of the mouse
started a new idle period: the case on screen was open to whoever woke the PC. Now the wall clock decides:
the first input after a gap longer than the idle time locks the window, and is not typed into the page; so
does the watcher's next look at the clock, without any input. A short gap (a busy PC) locks nothing."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import idle_lock
from tests.conftest import make_user

NIGHT = 15 * 3600.0  # 17:00 to 08:00


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The wall clock the watcher reads; the timers of the test's Qt keep running on their own clock."""
    clock = [1_800_000_000.0]
    monkeypatch.setattr(idle_lock, "_now", lambda: clock[0], raising=False)
    return clock


def _window_with_a_field(db: Database, make_window: Any) -> tuple[Any, QLineEdit]:
    window = make_window(make_user(db, "sleeper", Role.ADMINISTRATOR), idle_minutes=10)
    field = QLineEdit()
    window.stack.addWidget(field)
    window.stack.setCurrentWidget(field)
    field.setFocus()
    return window, field


def test_the_first_key_after_a_night_asleep_locks_the_window(db: Database, make_window: Any, qtbot: Any,
                                                             wall: list[float]) -> None:
    window, field = _window_with_a_field(db, make_window)
    qtbot.keyClicks(field, "Note")
    assert not window.locked
    wall[0] += NIGHT  # the PC slept: the ten-minute timer did not run, the clock did
    qtbot.keyClick(field, Qt.Key.Key_X)
    assert window.locked
    assert field.text() == "Note"  # the key that woke it went nowhere near the page


def test_the_watcher_locks_after_a_sleep_without_any_input(db: Database, make_window: Any, qtbot: Any,
                                                           wall: list[float]) -> None:
    window, _field = _window_with_a_field(db, make_window)
    wall[0] += NIGHT
    assert window.idle is not None and window.idle.look.isActive()
    window.idle.look.timeout.emit()  # its look at the clock, every 15 seconds
    assert window.locked


def test_input_within_the_idle_time_keeps_the_window_open(db: Database, make_window: Any, qtbot: Any,
                                                          wall: list[float]) -> None:
    window, field = _window_with_a_field(db, make_window)
    for _ in range(5):  # 9 minutes between keys, for 45 minutes: never idle for ten
        wall[0] += 9 * 60
        qtbot.keyClick(field, Qt.Key.Key_A)
        assert window.idle is not None and not window.idle.check()
    assert not window.locked and field.text() == "aaaaa"
    wall[0] += 10 * 60 + 30  # half a minute late: a busy PC's timer, not a sleep
    qtbot.keyClick(field, Qt.Key.Key_B)
    assert not window.locked and field.text() == "aaaaab"
