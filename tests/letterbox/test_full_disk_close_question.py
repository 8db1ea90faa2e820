"""Escape or the close box of a letterbox item or arrangement window whose draft the full disk refused: "Discard
what you typed?" says that the typing could not be kept as a draft and is only on screen, in the ADM pane's words
(``ui.discard.kept_nowhere_note``), not the usual "has not been saved" line.

Offscreen, the real SQLCipher file; the full disk simulated as the ADM pane's test does (the database may not
grow, or the operating system's ENOSPC); the question answered by ``tests.discard_answers``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from adoption_desktop.core import drafts
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import autosave
from adoption_desktop.ui.autosave import DraftAutosaver
from tests.adm.test_unkept_typing_in_the_pane import _draft_write_fails, _fill_the_disk
from tests.discard_answers import answer_question, discard_what_is_left
from tests.letterbox.test_item_writer_dialog import open_item
from tests.letterbox.test_unsaved_changes import open_arrangement

#: needs new pages in the database (a draft of it cannot be written once the file may not grow)
TYPED = "We went to the seaside in the summer and you would have loved the rock pools. " * 1200
FULL = [_fill_the_disk, _draft_write_fails]
IDS = ["sqlite-full", "enospc"]


@pytest.fixture(autouse=True)
def _no_question_left(qtbot: QtBot) -> Iterator[None]:
    """A test that failed half-way leaves no question waiting as its windows close."""
    yield
    discard_what_is_left()


def _type_on_a_full_disk(qtbot: QtBot, window: QWidget, edit: QPlainTextEdit, saver: DraftAutosaver | None) -> None:
    assert saver is not None
    saver.timer.setInterval(20)
    edit.setPlainText(TYPED)
    qtbot.waitUntil(lambda: saver.disk_full, timeout=5000)  # the draft after the pause: refused


def _escape_keeps_then_discards(window: Any, edit: QPlainTextEdit) -> list[str]:
    asked: list[str] = []
    answer_question("Keep editing", asked)
    window.reject()  # Escape
    assert window.isVisible() and edit.toPlainText() == TYPED  # kept on screen
    answer_question("Discard", asked)
    window.close()  # the close box asks the same
    assert not window.isVisible()
    return asked


@pytest.mark.parametrize("full", FULL, ids=IDS)
def test_the_item_window_says_the_letter_is_only_on_screen(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int, monkeypatch: pytest.MonkeyPatch,
        full: Callable[[Database, pytest.MonkeyPatch], Callable[[], None]]) -> None:
    item = open_item(qtbot, db, coordinator, arrangement)
    full(db, monkeypatch)
    _type_on_a_full_disk(qtbot, item, item.text, item.autosaver)
    assert "disk is full" in item.message.text()
    asked = _escape_keeps_then_discards(item, item.text)
    # before: "What you typed in this form has not been saved." — as if a draft kept the letter
    assert len(asked) == 2 and all(a.startswith(autosave.NOT_KEPT_FULL_ON_EXIT) for a in asked)
    assert asked[0].endswith(autosave.KEEP_TO_COPY)


@pytest.mark.parametrize("full", FULL, ids=IDS)
def test_the_arrangement_window_says_the_notes_are_only_on_screen(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int, monkeypatch: pytest.MonkeyPatch,
        full: Callable[[Database, pytest.MonkeyPatch], Callable[[], None]]) -> None:
    window = open_arrangement(qtbot, db, coordinator, arrangement)
    key = window.autosaver.key if window.autosaver is not None else ""
    room = full(db, monkeypatch)
    _type_on_a_full_disk(qtbot, window, window.notes, window.autosaver)
    asked = _escape_keeps_then_discards(window, window.notes)
    assert len(asked) == 2 and all(a.startswith(autosave.NOT_KEPT_FULL_ON_EXIT) for a in asked)
    room()
    assert drafts.load_draft(db, coordinator, key) is None  # discarded: no draft left behind


def test_the_usual_question_while_the_draft_is_kept(
        qtbot: QtBot, db: Database, coordinator: Principal, arrangement: int) -> None:
    """Nothing full: the question says its usual line, as before."""
    item = open_item(qtbot, db, coordinator, arrangement)
    assert item.autosaver is not None
    item.autosaver.timer.setInterval(20)
    item.text.setPlainText("Dear Sam,")
    qtbot.waitUntil(lambda: drafts.load_draft(db, coordinator, item.draft_key()) == "Dear Sam,", timeout=5000)
    asked: list[str] = []
    answer_question("Discard", asked)
    item.reject()
    assert asked == ["What you typed in this form has not been saved."] and not item.isVisible()
