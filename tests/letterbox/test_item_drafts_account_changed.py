"""A letterbox item's draft when the coordinator's account is disabled on another PC while they type (user
trial ut16, D2, checked for the letterbox): the draft timer raised PermissionDenied at every pause (the
"Please check" box mid-typing); now drafts stop and the item's message line says once, in red, that the text
is not kept and what to do. Offscreen, real SQLCipher file opened twice."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot

from adoption_desktop.core import drafts
from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views import item_dialog
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui.autosave import NOT_KEPT_DISABLED
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

DAY = dt.date(2026, 4, 2)


def test_a_disabled_coordinators_item_draft_stops_with_one_note_in_the_item_window(
        qtbot: QtBot, db: Database, other_pc: Database, admin: Principal, coordinator: Principal, arrangement: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(item_dialog, "ask_discard", lambda *_a, **_k: True)  # "Discard what you typed?": Discard
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=DAY)
    dialog = ItemDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), arrangement, "LB-0001",
                        item_id=item, today=DAY)
    qtbot.addWidget(dialog)
    dialog.show()
    saver = dialog.autosaver
    assert saver is not None
    saver.interval_ms = 20  # the pause in the typing, shortened
    saver.timer.setInterval(20)
    said: list[str] = []
    saver.status.connect(said.append)
    qtbot.keyClicks(dialog.text, "Dear Sam, ")
    qtbot.waitUntil(lambda: drafts.load_draft(db, coordinator, dialog.draft_key()) == "Dear Sam, ", timeout=3000)

    security.set_disabled(other_pc, admin, coordinator.user_id, True)  # an administrator on another PC
    with qtbot.capture_exceptions() as raised:
        for phrase in ["we went to ", "the seaside ", "in the summer."]:
            qtbot.keyClicks(dialog.text, phrase)
            qtbot.wait(120)
        qtbot.waitUntil(lambda: saver.stopped or bool(raised), timeout=3000)
    assert [str(e[1]) for e in raised] == []
    assert said == [NOT_KEPT_DISABLED]
    assert dialog.message.text() == NOT_KEPT_DISABLED
    assert "color" in dialog.message.styleSheet()  # said as a refusal (red), not as progress
    assert dialog.text.toPlainText() == "Dear Sam, we went to the seaside in the summer."
    with qtbot.capture_exceptions() as raised:
        dialog.reject()  # Close, and Discard: the draft can't be dropped now, but the window closes
    assert [str(e[1]) for e in raised] == []  # before: PermissionDenied, and the window stayed open
    assert not dialog.isVisible()
