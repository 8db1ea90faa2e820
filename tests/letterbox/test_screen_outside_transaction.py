"""Screening runs outside the write transaction (review of 2 December 2026): a long letter screened inside
it (BEGIN IMMEDIATE on the embedded store) held every other user's save back, and they failed as busy. Now
the item and its terms are read, the text screened with no transaction open, and the item locked and
checked again before the findings are stored: a colleague's save meanwhile makes the screening stale (with
the version shown) or screens again (scripts, or the protected terms changed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import adoption_desktop.core.storage.engine as engine
from adoption_desktop.core.errors import StaleRecord
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.screening import screen_text
from adoption_desktop.letterbox.service import TermData, item_log
from tests.letterbox.test_item_writer_dialog import TODAY

LEAKY = "We moved to 14 Kestrel Road and she starts at Kestrel Vale Primary in May."


def _while_screening(monkeypatch: pytest.MonkeyPatch, first: Callable[[], None]) -> list[tuple[str, ...]]:
    """``first()`` runs while the first screening runs (another user's save); the terms of each screening."""
    calls: list[tuple[str, ...]] = []

    def screening(text: str, terms: Any = (), labels: Any = None, surnames: Any = ()) -> Any:
        calls.append(tuple(terms))
        if len(calls) == 1:
            first()
        return screen_text(text, terms, labels, surnames)

    monkeypatch.setattr(item_log, "screen_text", screening)
    return calls


def test_another_users_save_is_not_held_back_by_a_screening(
        db: Database, coordinator: Principal, checker: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "busy_wait", lambda _w: 0.5)  # 30 s in production
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY)
    saved: list[int] = []
    _while_screening(monkeypatch, lambda: saved.append(service.log_item(
        db, checker, arrangement, direction=rules.TO_BIRTH, received_on=TODAY, log_again=True)))
    service.screen_item(db, coordinator, item, LEAKY)
    assert saved, "the other user's save waited for the screening"
    assert service.get_item(db, coordinator, item).status == "screened"


def test_a_colleagues_screening_meanwhile_makes_mine_stale(
        db: Database, coordinator: Principal, checker: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY)
    shown = service.get_item(db, checker, item).row_version
    _while_screening(monkeypatch, lambda: service.screen_item(db, coordinator, item, LEAKY))
    with pytest.raises(StaleRecord, match="after you opened it"):
        service.screen_item(db, checker, item, "Happy birthday!", expected_version=shown)
    stored = service.get_item(db, coordinator, item)
    assert stored.text == LEAKY and stored.screened_by == coordinator.username


def test_without_a_version_shown_a_change_meanwhile_screens_again(
        db: Database, coordinator: Principal, checker: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY)
    calls = _while_screening(monkeypatch, lambda: service.screen_item(db, coordinator, item, LEAKY))
    service.screen_item(db, checker, item, "Happy birthday!")
    stored = service.get_item(db, coordinator, item)
    assert stored.text == "Happy birthday!" and stored.screened_by == checker.username
    assert len(calls) == 3  # mine, the colleague's (inside mine), mine again


def test_protected_terms_changed_meanwhile_are_the_ones_screened_for(
        db: Database, coordinator: Principal, checker: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY)
    shown = service.get_item(db, checker, item).row_version

    def add_term() -> None:
        a = service.get_arrangement(db, coordinator, arrangement)
        data = a.data.__class__(**{**a.data.__dict__,
                                   "protected": (*a.data.protected, TermData("Zebedee", "nickname"))})
        service.update_arrangement(db, coordinator, arrangement, data, expected_version=a.row_version)

    calls = _while_screening(monkeypatch, add_term)
    result = service.screen_item(db, checker, item, "Zebedee sends his love.", expected_version=shown)
    assert "Zebedee" not in calls[0] and "Zebedee" in calls[1]
    assert [f.text for f in result.findings] == ["Zebedee"]
