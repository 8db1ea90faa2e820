"""A counselling form opened before midnight kept its "today" date: OK pressed the next morning recorded the
session, the records request, the redaction check … as of the day before, unseen. Now an untouched date
follows the new day: when the date changes while the form is open (``ui.day_watch``) the field moves and the
form says so; OK that finds the date changed since moves it, says so and saves nothing, so the date saved is
the one on screen. A date the counsellor typed stays. The case is given a clock, moved past midnight."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QDateEdit, QDialog, QDialogButtonBox, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from adoption_desktop.counselling.views.page import CounsellingPage, create_page
from adoption_desktop.counselling.views.widgets import FormDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate
from adoption_desktop.ui.day_watch import DayWatch
from adoption_desktop.ui.tasks import TaskRunner
from tests.counselling.conftest import records_request

D = dt.date
EVENING = D(2026, 10, 1)
MORNING = EVENING + dt.timedelta(days=1)


def _case(qtbot: QtBot, db: Database, who: Principal, new_case: Callable[..., int],
          clock: list[dt.date], *, received: bool = False) -> CaseDialog:
    ctx = AppContext(db, who, TaskRunner(synchronous=True), today=lambda: clock[0])
    case_id = new_case(referral_date=D(2026, 9, 1))
    if received:  # the records are in: a redaction check may be recorded
        records_request(db, who, case_id, "Example County Archives", D(2026, 9, 5), received=D(2026, 9, 20))
    case = CaseDialog(ctx, case_id, lambda: clock[0])
    qtbot.addWidget(case)
    return case


def _date(dialog: FormDialog, name: str) -> QDateEdit:
    edit = dialog.form.findChild(QDateEdit, name)
    assert edit is not None
    return edit


def _ok(dialog: FormDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_a_session_saved_after_midnight_is_dated_the_new_day_after_saying_so(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    clock = [EVENING]
    case = _case(qtbot, db, counsellor, new_case, clock)
    dialog = case.session_dialog()
    assert pydate(_date(dialog, "held_on").date()) == EVENING
    clock[0] = MORNING  # past midnight; the form still open
    _ok(dialog)
    assert dialog.isVisible() and case.detail.sessions == []  # nothing saved with a date not seen
    assert pydate(_date(dialog, "held_on").date()) == MORNING
    said = dialog.message.text()
    assert f"now shows today, {MORNING:%d/%m/%Y}, not {EVENING:%d/%m/%Y}" in said
    assert "Nothing was saved yet: press OK again" in said
    _ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert [s.held_on for s in case.detail.sessions] == [MORNING]


def test_a_date_typed_before_midnight_is_kept(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    clock = [EVENING]
    case = _case(qtbot, db, counsellor, new_case, clock)
    dialog = case.add_request_dialog()
    holder = dialog.form.findChild(QLineEdit, "holder_name")
    assert holder is not None
    holder.setText("Example County Record Office")
    typed = EVENING - dt.timedelta(days=2)
    _date(dialog, "sent_on").setDate(typed)
    clock[0] = MORNING
    _ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert [r.sent_on for r in case.detail.requests] == [typed]


def test_the_day_watch_moves_an_open_form_s_untouched_date_at_midnight(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    clock = [EVENING]
    case = _case(qtbot, db, counsellor, new_case, clock, received=True)
    watch = DayWatch(case.ctx)
    try:
        dialog = case.redaction_dialog()
        item = dialog.form.findChild(QLineEdit, "item")
        assert item is not None
        clock[0] = MORNING
        assert watch.check()
        assert pydate(_date(dialog, "reviewed_on").date()) == MORNING
        assert f"Reviewed on now shows today, {MORNING:%d/%m/%Y}" in dialog.message.text()
        assert not dialog.changed()  # the new default is nothing typed: closing asks nothing
        item.setText("Agency file")
        reviewed = dialog.form.findChild(QCheckBox, "third_party_reviewed")
        assert reviewed is not None
        reviewed.setChecked(True)
        _ok(dialog)  # the date on screen is today's: saved at the first press
        assert not dialog.isVisible(), dialog.message.text()
        assert [r.reviewed_on for r in case.detail.redactions] == [MORNING]
    finally:
        watch.stop()


def _referral_page(qtbot: QtBot, db: Database, who: Principal, clock: list[dt.date]) -> CounsellingPage:
    page = create_page(AppContext(db, who, TaskRunner(synchronous=True), today=lambda: clock[0]))
    qtbot.addWidget(page)
    assert isinstance(page, CounsellingPage)
    return page


def _fill_referral(dialog: FormDialog) -> None:
    for name, text in (("birth_name", "Mira Testhollow"), ("current_name", "Mira Fernby")):
        line = dialog.form.findChild(QLineEdit, name)
        assert line is not None
        line.setText(text)
    born = _date(dialog, "date_of_birth")
    born.setDate(D(1979, 4, 12))
    address = dialog.form.findChild(QPlainTextEdit, "address")
    assert address is not None
    address.setPlainText("7 Sample Row\nTestbury\nZZ99 4KL")


def test_a_new_referral_saved_after_midnight_is_dated_the_new_day_after_saying_so(
        qtbot: QtBot, db: Database, counsellor: Principal) -> None:
    """New referral…: the referral date (the start of the counselling waits) took the evening's date unseen."""
    clock = [EVENING]
    page = _referral_page(qtbot, db, counsellor, clock)
    dialog = page.new_referral()
    qtbot.addWidget(dialog)
    _fill_referral(dialog)
    assert pydate(_date(dialog, "referral_date").date()) == EVENING
    clock[0] = MORNING  # past midnight; the form still open
    _ok(dialog)
    assert dialog.isVisible() and not page.cases  # nothing saved with a date not seen
    assert pydate(_date(dialog, "referral_date").date()) == MORNING
    said = dialog.message.text()
    assert f"Referral date now shows today, {MORNING:%d/%m/%Y}, not {EVENING:%d/%m/%Y}" in said
    assert "Nothing was saved yet: press OK again" in said
    _ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert page.cases, "the new case opens"
    qtbot.addWidget(page.cases[-1])
    case = service.open_case(db, counsellor, page.cases[-1].case_id, MORNING)
    assert case.referral.referral_date == MORNING


def test_the_day_watch_moves_an_open_new_referral_s_untouched_date(
        qtbot: QtBot, db: Database, counsellor: Principal) -> None:
    clock = [EVENING]
    page = _referral_page(qtbot, db, counsellor, clock)
    watch = DayWatch(page.ctx)
    try:
        dialog = page.new_referral()
        qtbot.addWidget(dialog)
        clock[0] = MORNING
        assert watch.check()
        assert pydate(_date(dialog, "referral_date").date()) == MORNING
        assert f"Referral date now shows today, {MORNING:%d/%m/%Y}" in dialog.message.text()
        assert not dialog.changed()  # the new default is nothing typed: closing asks nothing
    finally:
        watch.stop()


def test_a_referral_date_typed_before_midnight_is_kept(
        qtbot: QtBot, db: Database, counsellor: Principal) -> None:
    clock = [EVENING]
    page = _referral_page(qtbot, db, counsellor, clock)
    dialog = page.new_referral()
    qtbot.addWidget(dialog)
    _fill_referral(dialog)
    typed = EVENING - dt.timedelta(days=3)
    _date(dialog, "referral_date").setDate(typed)
    clock[0] = MORNING
    _ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    qtbot.addWidget(page.cases[-1])
    assert service.open_case(db, counsellor, page.cases[-1].case_id, MORNING).referral.referral_date == typed


def test_the_midnight_message_does_not_squeeze_new_referral_s_fields(
        qtbot: QtBot, db: Database, counsellor: Principal) -> None:
    """The message line under New referral… ("The date is now …: Referral date now shows today …", three
    lines) took its room from the Address box, the form's one box that could shrink: the dialog stayed its
    size and the postcode, the address's third line, was cut off under the box's edge. The dialog now grows
    by what the message needs (within the screen)."""
    clock = [EVENING]
    page = _referral_page(qtbot, db, counsellor, clock)
    dialog = page.new_referral()
    qtbot.addWidget(dialog)
    _fill_referral(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    address = dialog.form.findChild(QPlainTextEdit, "address")
    assert address is not None
    before = address.height()
    clock[0] = MORNING
    try:
        _ok(dialog)
        # the layout settles: the dialog grows, or its form is put in a scroll area a moment later where the
        # screen has not the room (at 150 %); a fixed 50 ms was too short on a busy machine
        line = dialog.message
        with contextlib.suppress(qtbot.TimeoutError):
            qtbot.waitUntil(lambda: address.height() == before
                            and line.height() >= line.heightForWidth(line.width()), timeout=3000)
        assert "Referral date now shows today" in line.text()
        assert address.height() == before, "the address box gave its room to the message"
        assert line.height() >= line.heightForWidth(line.width()), "the message is cut"
    finally:  # closed without the "Discard?" question, which would hang
        QDialog.done(dialog, QDialog.DialogCode.Rejected)


def test_the_midnight_message_is_in_view_when_the_form_scrolls(
        qtbot: QtBot, db: Database, counsellor: Principal) -> None:
    """At 150 % on 1366×768 New referral… does not fit, so its fields scroll (``ui.fit.scroll_body``), the
    OK/Cancel row kept below them; the message line was scrolled with the fields, under *Arranging agency*,
    so OK pressed after midnight seemed to do nothing. The message now stays in view above the buttons."""
    from adoption_desktop.ui.fit import scroll_body

    clock = [EVENING]
    page = _referral_page(qtbot, db, counsellor, clock)
    dialog = page.new_referral()
    qtbot.addWidget(dialog)
    _fill_referral(dialog)
    dialog.show()
    assert scroll_body(dialog) is not None
    dialog.resize(dialog.width(), 380)  # a scaled screen's room: the form scrolls
    qtbot.waitExposed(dialog)
    clock[0] = MORNING
    try:
        _ok(dialog)
        line = dialog.message
        with contextlib.suppress(qtbot.TimeoutError):  # the layout settles (a fixed wait was a guess)
            qtbot.waitUntil(lambda: not line.visibleRegion().isEmpty(), timeout=3000)
        assert "Referral date now shows today" in line.text()
        assert not line.visibleRegion().isEmpty(), "the message is scrolled out of view"
    finally:  # closed without the "Discard?" question, which would hang
        QDialog.done(dialog, QDialog.DialogCode.Rejected)
