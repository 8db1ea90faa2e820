"""A decision opened in the ADM pane before midnight kept its "today" date of decision: signed the next
morning, it was recorded as decided the day before, unseen. Now the untouched date follows the new day: when
the date changes while the pane is open (``ui.day_watch``) the field moves and the page says so; a press of
Sign… that finds the date changed since moves it, says so and signs nothing, so the date signed is the one on
screen. A date the ADM typed stays. The context is given a clock, moved past midnight."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.views import detail as detail_module
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate
from adoption_desktop.ui.day_watch import DayWatch
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD


def _clock() -> list[dt.date]:
    """An evening some days ago (computed now, not at import): the decision is in time and in the past."""
    return [dt.date.today() - dt.timedelta(days=10)]


def _page(db: Database, who: Principal, qtbot: Any, clock: list[dt.date]) -> tuple[AdmPage, int]:
    with db.session() as s:
        decision = open_from_panel(s, handoff(received=clock[0] - dt.timedelta(days=1)))
    page = AdmPage(AppContext(db, who, TaskRunner(synchronous=True), today=lambda: clock[0]))
    qtbot.addWidget(page)
    page.detail.decision_reasons.setPlainText("I agree with the panel's reasons.")
    return page, decision


def _password(monkeypatch: Any) -> list[str]:
    asked: list[str] = []

    def fake_exec(dialog: Any) -> int:
        asked.append("asked")
        dialog.password.setText(TEST_PASSWORD)
        dialog.accept()  # Sign: signed by the dialog, which then closes
        return int(dialog.result())
    monkeypatch.setattr(detail_module.SignDialog, "exec", fake_exec)
    return asked


def _decided(db: Database, decision: int) -> tuple[dt.date | None, bool]:
    with db.session() as s:
        row = s.get(AdmDecision, decision)
        assert row is not None
        return row.decided_on, row.signed_at is not None


def test_sign_after_midnight_moves_the_untouched_date_and_signs_it_on_the_next_press(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: Any) -> None:
    clock = _clock()
    evening = clock[0]
    page, decision = _page(db, adm_user, qtbot, clock)
    assert page.detail.detail is not None and page.detail.detail.row.id == decision
    assert pydate(page.detail.decided_on.date()) == evening
    asked = _password(monkeypatch)
    clock[0] = evening + dt.timedelta(days=1)  # past midnight; the pane still open
    page.detail.sign()
    assert asked == [] and _decided(db, decision) == (None, False)  # nothing signed with an unseen date
    assert pydate(page.detail.decided_on.date()) == clock[0]
    said = page.message.text()
    assert f"Date of decision now shows today, {clock[0]:%d/%m/%Y}, not {evening:%d/%m/%Y}" in said
    assert "Nothing was signed yet" in said
    page.detail.sign()
    qtbot.waitUntil(lambda: _decided(db, decision)[1])
    assert asked == ["asked"] and _decided(db, decision) == (clock[0], True)


def test_a_date_of_decision_typed_before_midnight_is_kept(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: Any) -> None:
    clock = _clock()
    evening = clock[0]
    page, decision = _page(db, adm_user, qtbot, clock)
    page.detail.decided_on.setDate(page.detail.decided_on.date().addDays(-1))
    typed = pydate(page.detail.decided_on.date())
    asked = _password(monkeypatch)
    clock[0] = evening + dt.timedelta(days=1)
    page.detail.sign()
    qtbot.waitUntil(lambda: _decided(db, decision)[1])
    assert asked == ["asked"] and _decided(db, decision) == (typed, True)


def test_the_day_watch_moves_the_untouched_date_of_decision_at_midnight(
        db: Database, adm_user: Principal, qtbot: Any) -> None:
    clock = _clock()
    evening = clock[0]
    page, _decision = _page(db, adm_user, qtbot, clock)
    watch = DayWatch(page.ctx)
    try:
        clock[0] = evening + dt.timedelta(days=1)
        assert watch.check()
        assert pydate(page.detail.decided_on.date()) == clock[0]
        assert f"Date of decision now shows today, {clock[0]:%d/%m/%Y}" in page.message.text()
    finally:
        watch.stop()


def test_a_decision_without_panel_saved_after_midnight_starts_its_clock_the_new_day(
        db: Database, adm_user: Principal, qtbot: Any) -> None:
    """New decision without panel…: *Papers received on* starts the statutory clock; opened in the evening
    and saved after midnight it took the evening's date unseen."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from adoption_desktop.adm.views.dialogs import NewDecisionDialog

    clock = _clock()
    evening = clock[0]
    page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True), today=lambda: clock[0]))
    qtbot.addWidget(page)
    seen: list[tuple[dt.date, str]] = []

    def fill() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, NewDecisionDialog) and w.isVisible():
                seen.append((pydate(w.received_on.date()), w.message.text()))
                if len(seen) == 1:
                    w.decision_type.setCurrentIndex(w.decision_type.findData("plan_for_adoption"))
                    w.reference.setText("CH-2026-0077")
                    w.initials.setText("P.M.")
                    w.proposal.setPlainText("The child P.M. should be placed for adoption.")
                    w.social_worker.setText("Jo Testworker")
                    clock[0] = evening + dt.timedelta(days=1)  # past midnight before OK
                    QTimer.singleShot(0, fill)
                w.accept()
                return
        QTimer.singleShot(20, fill)

    QTimer.singleShot(0, fill)
    page.new_decision()
    assert len(seen) == 2 and seen[0][0] == evening
    assert seen[1][0] == clock[0]  # moved and shown, nothing saved on the first OK
    assert f"Papers received on now shows today, {clock[0]:%d/%m/%Y}, not {evening:%d/%m/%Y}" in seen[1][1]
    assert "Nothing was saved yet" in seen[1][1]
    d = page.detail.detail
    assert d is not None and d.row.subject_reference == "CH-2026-0077" and d.row.received_on == clock[0]


def test_a_correction_begun_before_midnight_is_dated_the_day_it_is_signed(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: Any) -> None:
    """A correction is dated the day it is made: begun in the evening and signed the next morning it took
    the evening's date unseen."""
    from adoption_desktop.adm import service

    clock = _clock()
    evening = clock[0]
    page, decision = _page(db, adm_user, qtbot, clock)
    service.record_decision(db, adm_user, decision, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    service.sign_decision(db, adm_user, decision, TEST_PASSWORD, evening - dt.timedelta(days=1))
    page.detail.show_detail(service.get_decision(db, adm_user, decision, evening))
    assert page.detail.detail is not None and page.detail.detail.signed_at is not None
    page.detail.correct()  # step one: the fields open, dated today
    assert pydate(page.detail.decided_on.date()) == evening
    page.detail.decision_text.setPlainText("Approved as suitable to adopt up to two children.")
    asked: list[str] = []

    def fake_exec(dialog: Any) -> int:
        asked.append("asked")
        dialog.password.setText(TEST_PASSWORD)
        dialog.reason.setPlainText("The number of children was left out.")
        dialog.accept()  # Sign: signed by the dialog, which then closes
        return int(dialog.result())
    monkeypatch.setattr(detail_module.SignDialog, "exec", fake_exec)
    clock[0] = evening + dt.timedelta(days=1)
    page.detail.correct()
    assert asked == [] and pydate(page.detail.decided_on.date()) == clock[0]
    assert "Nothing was signed yet: press Sign the correction… again" in page.message.text()
    page.detail.correct()
    assert asked == ["asked"]
    with db.session() as s:
        newest = s.query(AdmDecision).order_by(AdmDecision.id.desc()).first()
        assert newest is not None and newest.id != decision and newest.decided_on == clock[0]
