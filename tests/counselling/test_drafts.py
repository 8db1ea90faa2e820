"""Long free-text fields of a case survive a crash: autosaved as encrypted drafts, restored, cleared on save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.core import drafts
from adoption_desktop.core.models import Draft
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

D = dt.date


def _notes(dialog: object) -> QPlainTextEdit:
    edit = dialog.form.findChild(QPlainTextEdit, "notes")  # type: ignore[attr-defined]
    assert edit is not None
    return edit


def test_session_notes_are_restored_after_a_crash_and_cleared_on_save(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case(referral_date=D(2026, 9, 1))
    ctx = AppContext(db, counsellor, TaskRunner(synchronous=True))
    case = CaseDialog(ctx, case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(case)
    key = case.draft_key("session_notes")

    dialog = case.session_dialog()
    text = "Talked through the 1959 agency file; she wants to think about tracing her birth mother."
    _notes(dialog).setPlainText(text)
    # the draft is written after a pause in typing (timer), before anything is saved
    qtbot.waitUntil(lambda: drafts.load_draft(db, counsellor, key) == text, timeout=5000)
    with db.session(counsellor, write=False) as session:
        assert session.scalar(select(Draft.text).where(Draft.key == key)) == text
    # "crash": the form goes away without OK; nothing was saved as a session
    dialog.deleteLater()
    case.deleteLater()
    assert case.detail.sessions == []

    # reopened: the notes come back and the form says so
    again = CaseDialog(ctx, case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(again)
    dialog = again.session_dialog()
    assert _notes(dialog).toPlainText() == text
    assert dialog.message.text().endswith("restored; check it, then press OK to save it.")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.isVisible(), dialog.message.text()
    assert [s.notes for s in again.detail.sessions] == [text]
    assert drafts.load_draft(db, counsellor, key) is None  # cleared once really saved

    # the next session form starts empty
    assert _notes(again.session_dialog()).toPlainText() == ""


def test_drafts_belong_to_one_case_and_one_field(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    first, second = new_case(referral_date=D(2026, 9, 1)), new_case(referral_date=D(2026, 9, 2))
    ctx = AppContext(db, counsellor, TaskRunner(synchronous=True))
    a = CaseDialog(ctx, first, lambda: D(2026, 10, 1))
    qtbot.addWidget(a)
    dialog = a.close_dialog()
    note = dialog.form.findChild(QPlainTextEdit, "note")
    assert note is not None
    note.setPlainText("Closure note draft")
    dialog.autosavers[0].save_now()
    assert drafts.load_draft(db, counsellor, a.draft_key("closure_note")) == "Closure note draft"
    b = CaseDialog(ctx, second, lambda: D(2026, 10, 1))
    qtbot.addWidget(b)
    other = b.close_dialog().form.findChild(QPlainTextEdit, "note")
    assert other is not None and other.toPlainText() == ""
    assert _notes(a.session_dialog()).toPlainText() == ""


def test_a_restored_draft_names_the_button_the_form_has(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    """User trial 2: the restored text of Share records said "press OK to save it", a button the form does
    not have ("Share records")."""
    case_id = new_case(referral_date=D(2026, 9, 1))
    ctx = AppContext(db, counsellor, TaskRunner(synchronous=True))
    case = CaseDialog(ctx, case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(case)
    drafts.save_draft(db, counsellor, case.draft_key("records_shared_what"), "Redacted agency file (64 pages)")
    share = case.disclosure_dialog(True)
    ok = share.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.text() == "&Share records"
    assert share.message.text().endswith("restored; check it, then press Share records to save it.")
    assert "OK" not in share.message.text()


def test_escape_on_a_form_with_a_restored_draft_asks_and_discard_clears_it(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """User trial: a restored draft counted as what the form "opened with", so Escape closed the form without
    asking and the draft came back on every opening until it was saved."""
    from adoption_desktop.counselling.views import widgets

    case_id = new_case(referral_date=D(2026, 9, 1))
    ctx = AppContext(db, counsellor, TaskRunner(synchronous=True))
    case = CaseDialog(ctx, case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(case)
    key = case.draft_key("session_notes")
    drafts.save_draft(db, counsellor, key, "Notes typed before the crash.")
    answers: list[bool] = [False, True]  # Keep editing, then Discard
    asked: list[str] = []
    monkeypatch.setattr(widgets, "ask_discard", lambda _w, title: asked.append(title) or answers.pop(0))
    dialog = case.session_dialog()
    assert _notes(dialog).toPlainText() == "Notes typed before the crash."
    dialog.reject()  # Escape: asked, kept
    assert len(asked) == 1 and dialog.isVisible()
    assert drafts.load_draft(db, counsellor, key) == "Notes typed before the crash."
    dialog.reject()  # asked again: Discard drops the draft
    assert len(asked) == 2 and not dialog.isVisible()
    assert drafts.load_draft(db, counsellor, key) is None
    assert _notes(case.session_dialog()).toPlainText() == ""  # it does not come back
    assert len(asked) == 2
