"""A letterbox item's or arrangement's typing whose draft was refused at the sign-out (rev12, checked for the
letterbox): the coordinator types, her account is disabled or her roles or password changed on another PC, and
she signs out at once. The window asked "… not saved" as before, but said "Keep editing … to finish the item" /
"so you can save them", which the account can no longer do, and the sign-out's message said to finish it there.
Now the question says the note said when drafts stopped (what happened, copy what you need, what to do), and
so does the status bar when she keeps it. Offscreen, the real SQLCipher file opened twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QDialog, QPlainTextEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security import service as security
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.letterbox.views.item_dialog import ItemDialog
from adoption_desktop.ui.autosave import NOT_KEPT_DISABLED, NOT_KEPT_PASSWORD, NOT_KEPT_ROLES, DraftAutosaver
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.session_switch import sign_out
from adoption_desktop.ui.tasks import TaskRunner
from tests.account_changes import disable, new_roles, reset_password
from tests.conftest import TEST_PASSWORD
from tests.discard_answers import answer_question, discard_what_is_left

DAY = dt.date(2026, 4, 2)


def _item(window: MainWindow, arrangement: int) -> tuple[QDialog, QPlainTextEdit]:
    item = service.log_item(window.ctx.db, window.ctx.principal, arrangement, direction=rules.TO_ADOPTIVE,
                            received_on=DAY)
    dialog = ItemDialog(window.ctx, arrangement, "LB-0001", item_id=item, today=DAY, parent=window)
    return dialog, dialog.text


def _arrangement(window: MainWindow, arrangement: int) -> tuple[QDialog, QPlainTextEdit]:
    dialog = ArrangementDialog(window.ctx, arrangement, today=DAY, parent=window)
    return dialog, dialog.notes


@pytest.mark.parametrize("open_window", [_item, _arrangement], ids=["item", "arrangement"])
@pytest.mark.parametrize(("change", "note"), [
    (disable, NOT_KEPT_DISABLED), (new_roles, NOT_KEPT_ROLES), (reset_password, NOT_KEPT_PASSWORD)],
    ids=["disabled", "roles", "reset"])
def test_typing_refused_at_the_sign_out_is_asked_about_with_the_note(
        qtbot: QtBot, db: Database, other_pc: Database, admin: Principal, coordinator: Principal, arrangement: int,
        open_window: Callable[[MainWindow, int], tuple[QDialog, QPlainTextEdit]],
        change: Callable[[Database, Principal, Principal], None], note: str) -> None:
    me = security.authenticate(db, coordinator.username, TEST_PASSWORD)  # as the app signs her in
    window = MainWindow(AppContext(db, me, TaskRunner(synchronous=True)), idle_minutes=10)
    qtbot.addWidget(window)
    window.show()
    dialog, text = open_window(window, arrangement)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(text, "Dear Sam, we went to the seaside.")
    saver = dialog.findChild(DraftAutosaver)
    assert saver is not None and saver.timer.isActive()  # typed within the pause: no draft yet
    change(other_pc, admin, coordinator)

    asked: list[str] = []
    signed_in: list[int] = []
    answer_question("Keep editing", asked)
    try:
        with qtbot.capture_exceptions() as raised:
            result = sign_out(window, ask=lambda *_a: signed_in.append(1) or None)
        assert [str(e[1]) for e in raised] == []
        assert (result, signed_in, len(asked)) == (None, [], 1)
        # before: "Keep editing brings it forward so you can save them", and nothing of the account
        assert note in asked[0] and "Copy what you need" in asked[0]
        assert dialog.isVisible() and text.toPlainText().endswith("Dear Sam, we went to the seaside.")
        message = window.statusBar().currentMessage()
        assert message.startswith("Not signed out") and note in message  # before: "… finish it there"
    except AssertionError:
        discard_what_is_left()
        raise

    answer_question("Discard", asked)
    with qtbot.capture_exceptions() as raised:
        sign_out(window, ask=lambda *_a: signed_in.append(1) or None)
    assert [str(e[1]) for e in raised] == []
    assert (signed_in, len(asked)) == ([1], 2)
    assert not dialog.isVisible()
