"""The ADM's dated-note dialogs (Ask for more information, Information received, Letter sent, Applicants
told, Representations, IRM steps) opened before midnight kept their "today" date, and their "not after
today" limit stayed the evening's: OK pressed the next morning recorded the step as of the day before,
unseen, and the new today, typed, was refused as "in the future". Now an untouched date follows the new day
(OK that finds the date changed since moves it, says so and records nothing; the day watch moves it while
the dialog is open), and the limit is read at OK. A date recorded already is kept. The context is given a
clock, moved past midnight; a real SQLCipher database, pytest-qt offscreen."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from adoption_desktop.adm.models import AdmInfoRequest
from adoption_desktop.adm.views.dialogs import DatedNoteDialog
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate, qdate
from adoption_desktop.ui.day_watch import DayWatch
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel


def _clock() -> list[dt.date]:
    """An evening some days ago (computed now, not at import): the decision is in time and in the past."""
    return [dt.date.today() - dt.timedelta(days=10)]


def _page(db: Database, who: Principal, qtbot: Any, clock: list[dt.date]) -> tuple[AdmPage, int]:
    with db.session() as s:
        decision = open_from_panel(s, handoff(received=clock[0] - dt.timedelta(days=1)))
    page = AdmPage(AppContext(db, who, TaskRunner(synchronous=True), today=lambda: clock[0]))
    qtbot.addWidget(page)
    assert page.detail.detail is not None and page.detail.detail.row.id == decision
    return page, decision


def _said(dialog: DatedNoteDialog) -> str:
    line = getattr(dialog, "message", None)
    return line.text() if line is not None else ""


def _asked_on(db: Database, decision: int) -> list[dt.date]:
    with db.session(write=False) as s:
        return [r.requested_on for r in s.query(AdmInfoRequest).filter_by(decision_id=decision)]


def test_information_asked_after_midnight_is_recorded_the_new_day_after_saying_so(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _clock()
    evening = clock[0]
    page, decision = _page(db, adm_user, qtbot, clock)
    seen: list[tuple[int, dt.date, str]] = []

    def run(dialog: DatedNoteDialog) -> int:
        seen.append((dialog.result(), pydate(dialog.date.date()), _said(dialog)))
        dialog.text.setPlainText("The medical adviser's report.")
        clock[0] = evening + dt.timedelta(days=1)  # past midnight; the dialog still open
        dialog.accept()  # finds the date changed since: moves it, says so, records nothing
        seen.append((dialog.result(), pydate(dialog.date.date()), _said(dialog)))
        dialog.accept()
        return dialog.result()
    monkeypatch.setattr(DatedNoteDialog, "exec", run)
    page.detail.ask_information()
    morning = clock[0]
    assert _asked_on(db, decision) == [morning]
    assert seen[0][1] == evening
    assert seen[1][0] != QDialog.DialogCode.Accepted and seen[1][1] == morning
    assert f"Date asked now shows today, {morning:%d/%m/%Y}, not {evening:%d/%m/%Y}" in seen[1][2]
    assert "Nothing was recorded yet: press OK again" in seen[1][2]


def test_after_midnight_the_new_today_can_be_chosen_and_the_next_day_cannot(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The "not after today" limit is read at OK: typed after midnight, the new today is accepted (it was
    refused as "in the future", the limit set at opening), the day after it refused."""
    clock = _clock()
    evening = clock[0]
    page, decision = _page(db, adm_user, qtbot, clock)
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warned.append(text))

    def run(dialog: DatedNoteDialog) -> int:
        dialog.text.setPlainText("The medical adviser's report.")
        dialog.date.setDate(qdate(evening - dt.timedelta(days=1)))  # typed: no longer the default
        clock[0] = evening + dt.timedelta(days=1)
        dialog.date.setDate(qdate(clock[0] + dt.timedelta(days=1)))
        dialog.accept()
        assert len(warned) == 1 and "is in the future" in warned[0]
        assert dialog.result() != QDialog.DialogCode.Accepted
        dialog.date.setDate(qdate(clock[0]))
        dialog.accept()
        return dialog.result()
    monkeypatch.setattr(DatedNoteDialog, "exec", run)
    page.detail.ask_information()
    assert _asked_on(db, decision) == [clock[0]]
    assert len(warned) == 1


def test_a_date_recorded_already_is_kept_past_midnight(qtbot: Any) -> None:
    clock = _clock()
    recorded = clock[0] - dt.timedelta(days=2)
    dlg = DatedNoteDialog(None, "Representations received", "Date &received:", recorded, "&Summary:",
                          latest=lambda: clock[0], today=lambda: clock[0])
    qtbot.addWidget(dlg)
    clock[0] += dt.timedelta(days=1)
    dlg.accept()
    assert dlg.result() == QDialog.DialogCode.Accepted and dlg.day == recorded and not dlg.message.text()


def test_the_day_watch_moves_an_open_dated_note_s_untouched_date(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Print a day's letters… left open: *Letters dated* follows midnight, and says so."""
    clock = _clock()
    evening = clock[0]
    page, _decision = _page(db, adm_user, qtbot, clock)
    watch = DayWatch(page.ctx)
    seen: list[tuple[dt.date, str]] = []

    def run(dialog: DatedNoteDialog) -> int:
        seen.append((dialog.day, _said(dialog)))
        clock[0] = evening + dt.timedelta(days=1)
        assert watch.check()
        seen.append((dialog.day, _said(dialog)))
        return int(QDialog.DialogCode.Rejected)
    monkeypatch.setattr(DatedNoteDialog, "exec", run)
    try:
        page.print_day()
    finally:
        watch.stop()
    assert seen[0] == (evening, "")
    assert seen[1][0] == clock[0], "the date stayed the evening's"
    assert f"Letters dated now shows today, {clock[0]:%d/%m/%Y}, not {evening:%d/%m/%Y}" in seen[1][1]


def test_the_midnight_message_makes_the_dialog_taller_not_the_text_box_smaller(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The message ("The date is now …: Date asked now shows today …", three lines) took its room from
    *Information needed*, the one box that could shrink; the dialog now grows by what the message needs."""
    clock = _clock()
    evening = clock[0]
    page, _decision = _page(db, adm_user, qtbot, clock)
    heights: list[int] = []

    def run(dialog: DatedNoteDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        heights.append(dialog.text.height())
        dialog.text.setPlainText("The medical adviser's report.")
        clock[0] = evening + dt.timedelta(days=1)
        dialog.accept()  # moves the date, says so
        line = dialog.message
        with contextlib.suppress(qtbot.TimeoutError):  # the layout settles (a fixed wait was a guess)
            qtbot.waitUntil(lambda: dialog.text.height() == heights[0]
                            and line.height() >= line.heightForWidth(line.width()), timeout=3000)
        heights.append(dialog.text.height())
        heights.append(line.heightForWidth(line.width()) - line.height())
        QDialog.done(dialog, QDialog.DialogCode.Rejected)  # no "Discard?" question, which would hang
        return dialog.result()
    monkeypatch.setattr(DatedNoteDialog, "exec", run)
    page.detail.ask_information()
    assert heights[1] == heights[0], "the text box gave its room to the message"
    assert heights[2] <= 0, "the message is cut"
