"""The item window's "Show stored text" (F5) and its comparison of the text on screen with the stored text
(second review): F5 replaced a typed or pasted letter without asking, and a stored text holding a no-break
space or a line separator (which the text box turns into a space or a line break) refused every action."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views import item_dialog
from tests.letterbox.test_item_writer_dialog import TODAY, open_item

TYPED = "A long corrected letter pasted by the coordinator, not yet screened. " * 20


@pytest.mark.parametrize("discard", [False, True])
def test_show_stored_text_asks_before_it_replaces_typed_text(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int, monkeypatch: pytest.MonkeyPatch,
        discard: bool) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=TODAY)
    service.screen_item(db, coordinator, item, "Happy birthday! Love from Gran.")
    window = open_item(qtbot, db, coordinator, arrangement, item)
    window.text.setPlainText(TYPED)
    asked: list[str] = []
    monkeypatch.setattr(item_dialog, "ask_discard", lambda _w, title, **_k: asked.append(title) or discard)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert asked == ["Show stored text"]
    shown = window.text.toPlainText()
    assert shown == ("Happy birthday! Love from Gran." if discard else TYPED)
    asked.clear()
    qtbot.keyClick(window, Qt.Key.Key_F5)  # showing the stored text already: nothing to ask
    assert asked == ([] if discard else ["Show stored text"])


@pytest.mark.parametrize("stored", ["Happy birthday!\u00a0Love from Gran.", "Happy birthday!\u2028Love, Gran.",
                                    "Dear all,\u2029Love, Gran."])
def test_text_the_box_rewrites_still_counts_as_the_stored_text(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int, stored: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=TODAY)
    service.screen_item(db, coordinator, item, stored)  # by a script or an import: not through the window
    window = open_item(qtbot, db, coordinator, arrangement, item)
    assert not window.text_not_stored()
    monkeypatch.setattr(item_dialog, "confirm_final", lambda *a, **k: True)
    window.outcome.setCurrentIndex(window.outcome.findData("forwarded"))
    window.method.setText("collected")
    window.record_outcome()
    assert service.get_item(db, coordinator, item).status == "forwarded", window.message.text()
