"""The item window acts only on the text that was screened (review of 2 December 2026): after a refused
stale screening the window kept the typed text beside the colleague's findings, and marking them acceptable
and Forward forwarded the colleague's stored text while the window showed other text. While the text on
screen differs from the stored text, findings, the second check and the outcome are refused, saying so;
Show stored text (F5) shows the stored one."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

import adoption_desktop.letterbox.views.item_dialog as item_dialog
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from tests.letterbox.test_item_writer_dialog import TODAY, open_item
from tests.letterbox.test_screen_stale import LEAKY

NOT_SCREENED = "The text on screen is not the text that was screened"


@pytest.fixture(autouse=True)
def _confirmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(item_dialog, "confirm_final", lambda *a, **k: True)


def _stale_window(qtbot: Any, db: Database, coordinator: Principal, checker: Principal,
                  arrangement: int) -> tuple[ItemDialog, int]:
    """The checker's window, whose screening was refused: a colleague screened LEAKY first."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=TODAY)
    mine = open_item(qtbot, db, checker, arrangement, item)
    service.screen_item(db, coordinator, item, LEAKY)
    mine.text.setPlainText("Happy birthday! Love from Gran.")
    mine.screen_letter()
    assert "press Screen text again" in mine.message.text()
    return mine, item


def _close_discarding(window: ItemDialog, monkeypatch: pytest.MonkeyPatch) -> None:
    """The person closes the window; asked about what is on screen and not saved, they answer Discard."""
    asked: list[str] = []
    monkeypatch.setattr(item_dialog, "ask_discard", lambda _w, title, **_k: asked.append(title) or True)
    window.close()
    assert asked == [window.windowTitle()] and not window.isVisible()


def _forward(window: ItemDialog) -> None:
    window.outcome.setCurrentIndex(window.outcome.findData("forwarded"))
    window.method.setText("collected")
    window.record_outcome()


def test_after_a_stale_screening_nothing_is_decided_or_forwarded_for_text_not_shown(
        qtbot: Any, db: Database, coordinator: Principal, checker: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    mine, item = _stale_window(qtbot, db, coordinator, checker, arrangement)
    mine.findings_view.selectRow(0)
    mine.decide("acceptable")
    assert NOT_SCREENED in mine.message.text()
    assert all(f.decision == "remove" for f in service.get_item(db, checker, item).findings)
    for f in service.get_item(db, checker, item).findings:  # decided elsewhere, as in the review
        service.decide_finding(db, checker, f.id, "acceptable")
    mine.reload()
    _forward(mine)
    assert NOT_SCREENED in mine.message.text() and "Show stored text (F5)" in mine.message.text()
    assert service.get_item(db, checker, item).status == "screened"
    mine.second_check()
    assert NOT_SCREENED in mine.message.text()
    assert service.get_item(db, checker, item).checked_by == ""
    assert mine.text.toPlainText() == "Happy birthday! Love from Gran."  # what was typed is still there
    _close_discarding(mine, monkeypatch)


def test_f5_shows_the_stored_text_and_then_it_can_be_forwarded(
        qtbot: Any, db: Database, coordinator: Principal, checker: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.letterbox.views import item_dialog

    mine, item = _stale_window(qtbot, db, coordinator, checker, arrangement)
    assert "Show stored text (F5) to see theirs" in mine.message.text()
    assert mine.stored_text_button.isEnabled() and mine.stored_text_button.focusPolicy() != Qt.FocusPolicy.NoFocus
    asked: list[str] = []  # the typed text is replaced only when the person says so ("Discard")
    monkeypatch.setattr(item_dialog, "ask_discard", lambda _w, title, **_k: asked.append(title) or True)
    qtbot.keyClick(mine, Qt.Key.Key_F5)
    assert asked == ["Show stored text"]
    assert mine.text.toPlainText() == LEAKY and not mine.text_not_stored()
    assert "stored text is shown" in mine.message.text()
    stored = service.get_item(db, checker, item)
    assert {h[2] for h in mine.highlighted()} == {f.text for f in stored.findings}
    for f in stored.findings:
        service.decide_finding(db, checker, f.id, "acceptable")
    mine.reload()
    _forward(mine)
    assert service.get_item(db, checker, item).status == "forwarded", mine.message.text()


def test_text_edited_after_screening_is_screened_before_the_outcome(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=TODAY)
    window = open_item(qtbot, db, coordinator, arrangement, item)
    window.text.setPlainText("Happy birthday! Love from Gran.")
    window.screen_letter()
    assert not window.text_not_stored()
    window.text.setPlainText("Happy birthday! Love from Gran, 14 Kestrel Road.")
    _forward(window)
    assert NOT_SCREENED in window.message.text()
    assert service.get_item(db, coordinator, item).status == "screened"
    window.screen_letter()
    assert service.get_item(db, coordinator, item).findings  # the new text's street, to decide first
    _close_discarding(window, monkeypatch)  # the outcome chosen (Forward, by e-mail) is not recorded


def test_the_item_window_refuses_an_email_forward_the_arrangement_did_not_agree_to(
        qtbot: Any, db: Database, coordinator: Principal, checker: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Forward by e-mail on a post-only arrangement: the window says why and what to do, asks nothing,
    and the item stays screened; post then goes through."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=TODAY)
    service.screen_item(db, coordinator, item, "Happy birthday! Love from Gran.")
    window = open_item(qtbot, db, checker, arrangement, item)
    asked: list[str] = []
    monkeypatch.setattr(item_dialog, "confirm_final", lambda *a, **k: asked.append("asked") or True)
    window.outcome.setCurrentIndex(window.outcome.findData("forwarded"))
    window.method.setText("e-mail")
    window.record_outcome()
    assert "not agreed to use the e-mail facility" in window.message.text() and asked == []
    assert service.get_item(db, checker, item).status == "screened"
    window.method.setText("post")
    window.record_outcome()
    assert service.get_item(db, checker, item).status == "forwarded", window.message.text()
