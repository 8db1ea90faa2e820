"""The birth-parent support referral editor filled *Referred on* with the PC's date as text when it opened: left
open past midnight, the referral was saved the next morning as made the evening before, unseen. *Referred on*
is now a date field whose untouched "today" follows the editor's clock (``ui.today_default``): the day watch
moves it while the editor is open, and Save that finds the date changed since moves it, says so and saves
nothing on that press. A date typed, or shown from the record, stays; a date in the future is refused as
before. The context is given a clock, moved past midnight. A real SQLCipher database."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import support
from adoption_desktop.letterbox.views.support import ReferralEditor
from adoption_desktop.ui import discard
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import pydate, qdate
from adoption_desktop.ui.day_watch import DayWatch
from adoption_desktop.ui.tasks import TaskRunner


@pytest.fixture(autouse=True)
def _discard_on_close(monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor left with typing when a test ends is closed without the modal question (which would wait for
    ever offscreen)."""
    monkeypatch.setattr(discard, "ask_discard", lambda *_a, **_k: True)


def _clock() -> list[dt.date]:
    """An evening some days ago (computed now, not at import): the dates saved stay in the past."""
    return [dt.date.today() - dt.timedelta(days=10)]


def _editor(qtbot: QtBot, db: Database, who: Principal, clock: list[dt.date],
            referral: support.ReferralView | None = None) -> ReferralEditor:
    editor = ReferralEditor(AppContext(db, who, TaskRunner(synchronous=True), today=lambda: clock[0]), referral)
    qtbot.addWidget(editor)
    editor.show()
    for name, value in (("case_reference", "LB-0042"), ("initials", "G.Q."),
                        ("service", "Independent Birth Parent Support (test)")):
        if referral is None:
            editor.edits[name].setText(value)
    return editor


def test_a_referral_saved_after_midnight_is_dated_the_day_shown(
        qtbot: QtBot, db: Database, coordinator: Principal) -> None:
    clock = _clock()
    evening = clock[0]
    editor = _editor(qtbot, db, coordinator, clock)
    assert pydate(editor.referred_on.date()) == evening
    clock[0] = evening + dt.timedelta(days=1)  # past midnight; the editor still open
    assert editor.save() is None
    assert support.list_referrals(db, coordinator) == []  # nothing saved with a date the person did not see
    assert pydate(editor.referred_on.date()) == clock[0]
    said = editor.message.text()
    assert f"Referred on now shows today, {clock[0]:%d/%m/%Y}, not {evening:%d/%m/%Y}" in said
    assert "Nothing was saved yet: press Save again" in said
    assert editor.save() is not None, editor.message.text()
    assert [r.referred_on for r in support.list_referrals(db, coordinator)] == [clock[0]]


def test_the_day_watch_moves_the_untouched_date_and_closing_asks_nothing(
        qtbot: QtBot, db: Database, coordinator: Principal) -> None:
    clock = _clock()
    editor = ReferralEditor(AppContext(db, coordinator, TaskRunner(synchronous=True), today=lambda: clock[0]), None)
    qtbot.addWidget(editor)
    watch = DayWatch(editor.ctx)
    try:
        clock[0] += dt.timedelta(days=1)
        assert watch.check()
        assert pydate(editor.referred_on.date()) == clock[0]
        assert "Referred on now shows today" in editor.message.text()
        assert not editor.changed()  # the new default is nothing typed
    finally:
        watch.stop()


def test_a_typed_date_and_the_records_date_stay_and_a_future_one_is_refused(
        qtbot: QtBot, db: Database, coordinator: Principal) -> None:
    clock = _clock()
    evening = clock[0]
    editor = _editor(qtbot, db, coordinator, clock)
    editor.referred_on.setDate(qdate(evening + dt.timedelta(days=1)))  # after the editor's today
    assert editor.save() is None
    assert editor.message.text().startswith(
        f"Referred on: {evening + dt.timedelta(days=1):%d/%m/%Y} is in the future")
    typed = evening - dt.timedelta(days=3)
    editor.referred_on.setDate(qdate(typed))
    clock[0] = evening + dt.timedelta(days=1)
    saved = editor.save()
    assert saved is not None and saved.referred_on == typed, editor.message.text()

    again = _editor(qtbot, db, coordinator, clock, support.get_referral(db, coordinator, saved.id))
    clock[0] += dt.timedelta(days=1)
    again.notes.setPlainText("Asked for a call back on Tuesdays.")
    assert again.save() is not None, again.message.text()
    assert support.get_referral(db, coordinator, saved.id).referred_on == typed  # the record's date, kept
