"""Escape, Cancel or the close box of a counselling form whose draft the full disk refused: "Discard what you
typed?" says that the typing could not be kept as a draft and is only on screen, in the ADM pane's words
(``ui.discard.kept_nowhere_note``), not the usual "has not been saved" line. Once room is made and the draft is
kept again, the usual line comes back.

Offscreen, the real SQLCipher file; the full disk simulated as the ADM pane's test does (the database may not
grow, or the operating system's ENOSPC); the question answered by ``tests.discard_answers``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.core import drafts
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from adoption_desktop.counselling.views.widgets import FormDialog
from adoption_desktop.ui import autosave
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.test_unkept_typing_in_the_pane import _draft_write_fails, _fill_the_disk
from tests.discard_answers import answer_question, discard_what_is_left

D = dt.date
#: needs new pages in the database (a draft of it cannot be written once the file may not grow)
NOTES = "Talked through the 1962 placement records; she wants to think about tracing her birth mother. " * 1200
USUAL = "What you typed in this form has not been saved."


@pytest.fixture(autouse=True)
def _no_question_left(qtbot: QtBot) -> Iterator[None]:
    """A test that failed half-way leaves no question waiting as its windows close."""
    yield
    discard_what_is_left()


def _session_form(qtbot: QtBot, db: Database, counsellor: Principal, case_id: int) -> tuple[FormDialog, QPlainTextEdit]:
    case = CaseDialog(AppContext(db, counsellor, TaskRunner(synchronous=True)), case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(case)
    dialog = case.session_dialog()
    qtbot.waitExposed(dialog)
    notes = dialog.form.findChild(QPlainTextEdit, "notes")
    assert notes is not None
    for saver in dialog.autosavers:
        saver.timer.setInterval(20)
    return dialog, notes


@pytest.mark.parametrize("full", [_fill_the_disk, _draft_write_fails], ids=["sqlite-full", "enospc"])
def test_escape_on_a_form_whose_draft_met_a_full_disk_says_it_is_only_on_screen(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int],
        monkeypatch: pytest.MonkeyPatch, full: Callable[[Database, pytest.MonkeyPatch], Callable[[], None]]) -> None:
    dialog, notes = _session_form(qtbot, db, counsellor, new_case(referral_date=D(2026, 9, 1)))
    key = dialog.autosavers[0].key
    room = full(db, monkeypatch)
    notes.setPlainText(NOTES)
    qtbot.waitUntil(lambda: dialog.autosavers[0].disk_full, timeout=5000)  # the draft after the pause: refused
    assert "disk is full" in dialog.message.text()

    asked: list[str] = []
    answer_question("Keep editing", asked)
    dialog.reject()  # Escape
    # before: "What you typed in this form has not been saved." — as if a draft kept it
    assert len(asked) == 1 and asked[0].startswith(autosave.NOT_KEPT_FULL_ON_EXIT)
    assert asked[0].endswith(autosave.KEEP_TO_COPY)
    assert dialog.isVisible() and notes.toPlainText() == NOTES  # kept on screen

    room()  # room made on the disk: the next change is kept as a draft, and the usual question comes back
    notes.appendPlainText("Next session booked.")
    qtbot.waitUntil(lambda: drafts.load_draft(db, counsellor, key) == notes.toPlainText(), timeout=5000)
    answer_question("Discard", asked)
    dialog.close()  # the close box
    assert asked[1:] == [USUAL] and not dialog.isVisible()
    assert drafts.load_draft(db, counsellor, key) is None  # discarded: the draft goes


def test_discard_on_a_full_disk_closes_the_form(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    dialog, notes = _session_form(qtbot, db, counsellor, new_case(referral_date=D(2026, 9, 1)))
    _draft_write_fails(db, monkeypatch)
    notes.setPlainText(NOTES)
    qtbot.waitUntil(lambda: dialog.autosavers[0].disk_full, timeout=5000)
    asked: list[str] = []
    answer_question("Discard", asked)
    dialog.reject()
    assert len(asked) == 1 and "disk is full" in asked[0] and not dialog.isVisible()
