"""Long free-text fields of a case survive a crash: autosaved as encrypted drafts, restored, cleared on save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.core import drafts
from adoption_desktop.core.models import Draft
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from adoption_desktop.counselling.views.widgets import FormDialog
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
    # "crash": the form goes away without OK (off the screen: a killed program's windows are gone, so the
    # next opening takes its draft over); nothing was saved as a session
    dialog.hide()
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
    monkeypatch.setattr(widgets, "ask_discard", lambda _w, title, **_k: asked.append(title) or answers.pop(0))
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


def test_every_field_of_a_session_form_is_restored_after_a_crash_and_cleared_on_save(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    """User trial: after a crash the session's notes came back but its date was today's, its type "In
    person", its time and place empty: a session held last week was about to be saved as held today."""
    case_id = new_case(referral_date=D(2026, 9, 1))
    ctx = AppContext(db, counsellor, TaskRunner(synchronous=True))
    case = CaseDialog(ctx, case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(case)
    key = case.draft_key("session_notes")

    dialog = case.session_dialog()
    held = dialog.form.findChild(QDateEdit, "held_on")
    kind = dialog.form.findChild(QComboBox, "kind")
    start = dialog.form.findChild(QLineEdit, "start_time")
    where = dialog.form.findChild(QLineEdit, "location")
    assert held is not None and kind is not None and start is not None and where is not None
    held.lineEdit().selectAll()
    qtbot.keyClicks(held, "24/09/2026")
    assert held.date() == QDate(2026, 9, 24)
    kind.setFocus()
    qtbot.keyClick(kind, Qt.Key.Key_End)  # the last type: Phone
    assert kind.currentText() == "Phone"
    qtbot.keyClicks(start, "14:30")
    qtbot.keyClicks(where, "Her home, Leeds")
    qtbot.keyClicks(_notes(dialog), "Went through the agency file together.")
    for saver in dialog.autosavers:  # typed: the pause before the autosave is not waited out here
        assert saver.timer.isActive()
        saver.save_now()
    # "crash": the form and the case window go without OK (off the screen); nothing was saved as a session
    dialog.hide()
    dialog.deleteLater()
    case.deleteLater()
    assert case.detail.sessions == []

    again = CaseDialog(ctx, case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(again)
    dialog = again.session_dialog()
    form = dialog.form
    assert form.findChild(QDateEdit, "held_on").date() == QDate(2026, 9, 24)  # type: ignore[union-attr]
    assert form.findChild(QComboBox, "kind").currentText() == "Phone"  # type: ignore[union-attr]
    assert form.findChild(QLineEdit, "start_time").text() == "14:30"  # type: ignore[union-attr]
    assert form.findChild(QLineEdit, "location").text() == "Her home, Leeds"  # type: ignore[union-attr]
    assert _notes(dialog).toPlainText() == "Went through the agency file together."
    assert dialog.message.text().endswith("restored; check it, then press OK to save it.")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.isVisible(), dialog.message.text()
    [saved] = again.detail.sessions
    assert (saved.held_on, saved.kind, saved.start_time, saved.location, saved.notes) == (
        D(2026, 9, 24), "phone", "14:30", "Her home, Leeds", "Went through the agency file together.")
    with db.session(counsellor, write=False) as session:  # the draft and every field kept with it are gone
        assert session.scalars(select(Draft.key).where(Draft.key.startswith(key))).all() == []

    # the next session form opens as new: today, in person, empty
    fresh = again.session_dialog()
    assert fresh.form.findChild(QDateEdit, "held_on").date() == QDate(2026, 10, 1)  # type: ignore[union-attr]
    assert fresh.form.findChild(QComboBox, "kind").currentText() == "In person"  # type: ignore[union-attr]
    assert fresh.form.findChild(QLineEdit, "location").text() == ""  # type: ignore[union-attr]
    assert fresh.message.text() == ""


def test_a_session_form_with_only_its_time_and_place_typed_is_kept_and_escape_asks(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No notes yet is still a draft when other fields were typed; Escape on it asks, Discard drops it all."""
    from adoption_desktop.counselling.views import widgets

    case_id = new_case(referral_date=D(2026, 9, 1))
    ctx = AppContext(db, counsellor, TaskRunner(synchronous=True))
    case = CaseDialog(ctx, case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(case)
    key = case.draft_key("session_notes")
    dialog = case.session_dialog()
    where = dialog.form.findChild(QLineEdit, "location")
    assert where is not None
    qtbot.keyClicks(where, "Room 2")
    dialog.autosavers[0].save_now()
    assert drafts.load_draft_fields(db, counsellor, key)["location"] == "Room 2"
    QDialog.done(dialog, int(QDialog.DialogCode.Rejected))  # gone without a word (a crash)

    asked: list[str] = []
    monkeypatch.setattr(widgets, "ask_discard", lambda _w, title, **_k: asked.append(title) or True)
    dialog = case.session_dialog()
    assert dialog.form.findChild(QLineEdit, "location").text() == "Room 2"  # type: ignore[union-attr]
    assert dialog.message.text().endswith("restored; check it, then press OK to save it.")
    dialog.reject()  # Escape: asked (Discard), and the draft with its fields goes
    assert asked == ["Counselling session"] and not dialog.isVisible()
    assert drafts.load_draft(db, counsellor, key) is None
    assert drafts.load_draft_fields(db, counsellor, key) == {}


def test_a_full_disk_on_ok_is_said_in_the_form_not_the_unexpected_problem_box(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    """User trial ut15 (D4): OK on a full disk raised the database's OperationalError to the global
    "Unexpected problem" box. The form's own message line now says the disk is full, nothing was saved and
    the typing is still there; the form stays open with it."""
    from tests.ui.test_autosave import fill_the_disk

    case_id = new_case(referral_date=D(2026, 9, 1))
    ctx = AppContext(db, counsellor, TaskRunner(synchronous=True))
    case = CaseDialog(ctx, case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(case)
    dialog = case.session_dialog()
    text = "Long session about the 1962 placement records. " * 400  # under the 20,000 allowed
    fill_the_disk(db)
    _notes(dialog).setPlainText(text)
    assert dialog.try_accept() is False
    assert dialog.message.text().startswith("The disk is full: nothing was saved")
    assert "your typing is still on the screen" in dialog.message.text()
    assert _notes(dialog).toPlainText() == text and case.detail.sessions == []



W = TypeVar("W", bound=QWidget)


def _child(dialog: FormDialog, kind: type[W], name: str) -> W:
    found = dialog.form.findChild(kind, name)
    assert isinstance(found, kind), name
    return found


def _crash_and_reopen(qtbot: QtBot, ctx: AppContext, case_id: int, dialog: FormDialog,
                      opener: Callable[[CaseDialog], FormDialog], today: dt.date) -> FormDialog:
    """The program killed with ``dialog`` open (its drafts as last kept; no OK, no Cancel, the window gone),
    then the case opened again on ``today`` and the form opened there by ``opener``."""
    for saver in dialog.autosavers:
        saver.save_now()
    dialog.hide()
    dialog.deleteLater()
    again = CaseDialog(ctx, case_id, lambda: today)
    qtbot.addWidget(again)
    return opener(again)


def test_every_field_of_the_request_redaction_and_disclosure_forms_is_restored_after_a_crash(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    """The records request, the redaction check and the disclosure kept only their long text: after a crash
    the holder, the reference, the day, the tick that the document was read and how it was disclosed were
    gone (the session form already kept its every field)."""
    case_id = new_case(referral_date=D(2026, 9, 1))
    ctx = AppContext(db, counsellor, TaskRunner(synchronous=True))
    case = CaseDialog(ctx, case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(case)

    def crash_and_reopen(dialog: FormDialog, opener: Callable[[CaseDialog], FormDialog]) -> FormDialog:
        return _crash_and_reopen(qtbot, ctx, case_id, dialog, opener, D(2026, 10, 1))

    request = case.add_request_dialog()
    holder = _child(request, QComboBox, "holder_kind")
    holder.setCurrentIndex(holder.count() - 1)
    chosen = holder.currentText()
    _child(request, QLineEdit, "holder_name").setText("Northshire Record Office")
    _child(request, QPlainTextEdit, "holder_address").setPlainText("1 Archive Row\nNorthby")
    _child(request, QLineEdit, "their_reference").setText("NRO/77/12")
    _child(request, QDateEdit, "sent_on").setDate(QDate(2026, 9, 20))
    _notes(request).setPlainText("Asked for the 1968 court file.")
    request = crash_and_reopen(request, CaseDialog.add_request_dialog)
    assert _child(request, QComboBox, "holder_kind").currentText() == chosen
    assert _child(request, QLineEdit, "holder_name").text() == "Northshire Record Office"
    assert _child(request, QPlainTextEdit, "holder_address").toPlainText() == "1 Archive Row\nNorthby"
    assert _child(request, QLineEdit, "their_reference").text() == "NRO/77/12"
    assert _child(request, QDateEdit, "sent_on").date() == QDate(2026, 9, 20)
    assert _notes(request).toPlainText() == "Asked for the 1968 court file."

    redaction = case.redaction_dialog()
    _child(redaction, QLineEdit, "item").setText("Court report, 1968")
    _child(redaction, QDateEdit, "reviewed_on").setDate(QDate(2026, 9, 28))
    _child(redaction, QCheckBox, "third_party_reviewed").setChecked(True)
    _child(redaction, QPlainTextEdit, "redactions_made").setPlainText("Foster carer's name, p.3")
    redaction = crash_and_reopen(redaction, CaseDialog.redaction_dialog)
    assert _child(redaction, QLineEdit, "item").text() == "Court report, 1968"
    assert _child(redaction, QDateEdit, "reviewed_on").date() == QDate(2026, 9, 28)
    assert _child(redaction, QCheckBox, "third_party_reviewed").isChecked()
    assert _child(redaction, QPlainTextEdit, "redactions_made").toPlainText() == "Foster carer's name, p.3"

    disclosure = case.disclosure_dialog(False)
    _child(disclosure, QDateEdit, "disclosed_on").setDate(QDate(2026, 9, 29))
    _child(disclosure, QLineEdit, "recipient").setText("Her daughter, with her consent")
    _child(disclosure, QComboBox, "method").setCurrentText("secure email")
    _child(disclosure, QPlainTextEdit, "what").setPlainText("The adoption order")
    disclosure = crash_and_reopen(disclosure, lambda c: c.disclosure_dialog(False))
    assert _child(disclosure, QDateEdit, "disclosed_on").date() == QDate(2026, 9, 29)
    assert _child(disclosure, QLineEdit, "recipient").text() == "Her daughter, with her consent"
    assert _child(disclosure, QComboBox, "method").currentText() == "secure email"
    assert _child(disclosure, QPlainTextEdit, "what").toPlainText() == "The adoption order"


def test_a_date_left_as_today_is_not_kept_so_a_draft_brought_back_later_does_not_date_the_record_back(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    """Review: the records request's day sent, the redaction check's day reviewed and the disclosure's day were
    kept with every draft, also when left as the form set them (today): brought back on a later day, the form
    showed the day it was typed, and OK dated the record back."""
    case_id = new_case(referral_date=D(2026, 9, 1))
    ctx = AppContext(db, counsellor, TaskRunner(synchronous=True))
    case = CaseDialog(ctx, case_id, lambda: D(2026, 10, 1))
    qtbot.addWidget(case)

    def crash_and_reopen_next_day(dialog: FormDialog, opener: Callable[[CaseDialog], FormDialog]) -> FormDialog:
        return _crash_and_reopen(qtbot, ctx, case_id, dialog, opener, D(2026, 10, 5))  # four days later

    for opener, field, notes, text in (
            (CaseDialog.add_request_dialog, "sent_on", "notes", "Asked for the 1968 court file."),
            (CaseDialog.redaction_dialog, "reviewed_on", "redactions_made", "Foster carer's name, p.3"),
            (lambda c: c.disclosure_dialog(False), "disclosed_on", "what", "The adoption order")):
        dialog = opener(case)
        assert _child(dialog, QDateEdit, field).date() == QDate(2026, 10, 1)  # today: left as it is
        _child(dialog, QPlainTextEdit, notes).setPlainText(text)
        dialog = crash_and_reopen_next_day(dialog, opener)
        assert _child(dialog, QPlainTextEdit, notes).toPlainText() == text
        assert _child(dialog, QDateEdit, field).date() == QDate(2026, 10, 5), field  # today again, not 1 Oct
        dialog.hide()
