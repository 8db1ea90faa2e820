"""A change to an agreement's exchange pattern is effective from a date (letterbox coordinator's trial: adding
September to a March arrangement made every September of the past two years overdue). The pattern in effect
for a date is the one whose effective-from date is the latest on or before it: a month added is owed only
from the change on, a month taken away stays owed before it. On a real SQLCipher file, and as properties of
the one rule behind the work list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from adoption_desktop.core.documents.pdf import long_date
from adoption_desktop.core.errors import StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service, undo
from adoption_desktop.letterbox.models import PatternChange
from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import qdate
from adoption_desktop.ui.tasks import TaskRunner
from tests.letterbox.conftest import sample_input

# --- the rule ---------------------------------------------------------------------------------------------
patterns = st.builds(rules.Pattern, st.sets(st.integers(1, 12), max_size=4).map(lambda s: tuple(sorted(s))),
                     st.sampled_from([rules.ADOPTIVE, rules.BIRTH]), st.booleans())
days = st.dates(dt.date(2015, 1, 1), dt.date(2028, 12, 31))
histories = st.lists(st.builds(rules.PatternChange, days, patterns), max_size=4).map(
    lambda cs: list({c.effective_from: c for c in cs}.values()))  # one change a day, as the service keeps them


def _reference(current: rules.Pattern, changes: list[rules.PatternChange], lo: dt.date, hi: dt.date,
               start: dt.date | None) -> list[rules.Expected]:
    """Written out month by month: each month's 1st, the pattern in effect that day, what it expects."""
    out: list[rules.Expected] = []
    month = rules.add_months(lo.replace(day=1), -2)
    while month <= hi:
        p = rules.pattern_on(current, changes, month)
        if month.month in p.months:
            out.append(rules.Expected(month, p.first_writer, True))
            if p.replies_expected:
                out.append(rules.Expected(rules.add_months(month, 1), rules.other_side(p.first_writer), False))
        month = rules.add_months(month, 1)
    return sorted((e for e in out if lo <= e.due <= hi and (start is None or e.due >= start)),
                  key=lambda e: (e.due, not e.first))


@given(patterns, st.integers(2016, 2027), st.one_of(st.none(), days))
def test_without_a_change_the_history_is_the_single_pattern(p: rules.Pattern, year: int,
                                                            start: dt.date | None) -> None:
    single = rules.expected_exchanges(p.months, year, first_writer=p.first_writer,
                                      replies_expected=p.replies_expected, start=start)
    assert rules.scheduled_exchanges(p, [], year, start=start) == single
    # a change that changed nothing changes nothing
    same = [rules.PatternChange(dt.date(year, 6, 15), p)]
    assert rules.scheduled_exchanges(p, same, year, start=start) == single
    today = dt.date(year, 12, 31)
    kw: dict[str, Any] = dict(today=today, since=dt.date(year, 1, 1), until=today, received=(),
                              first_writer=p.first_writer, replies_expected=p.replies_expected, start=start)
    assert rules.outstanding_exchanges(p.months, **kw, changes=same) == rules.outstanding_exchanges(p.months, **kw)


@given(patterns, histories, days, st.integers(0, 60), st.one_of(st.none(), days))
def test_each_exchange_is_the_pattern_in_effect_on_its_month(current: rules.Pattern,
                                                             changes: list[rules.PatternChange], lo: dt.date,
                                                             span: int, start: dt.date | None) -> None:
    hi = rules.add_months(lo, span)
    outstanding = [e for e, _ in rules.outstanding_exchanges(
        current.months, today=hi, since=lo, until=hi, received=(), first_writer=current.first_writer,
        replies_expected=current.replies_expected, start=start, changes=changes)]
    # the union over the history's periods: nothing expected before the pattern that brought it in, and
    # nothing an earlier pattern expected is lost
    assert outstanding == _reference(current, changes, lo, hi, start)
    yearly = [e for y in range(lo.year - 1, hi.year + 1)
              for e in rules.scheduled_exchanges(current, changes, y, start=start) if lo <= e.due <= hi]
    assert sorted(yearly, key=lambda e: (e.due, not e.first)) == outstanding


def test_a_change_on_a_months_first_governs_that_month_a_later_day_does_not() -> None:
    march = rules.Pattern((3,), replies_expected=False)
    both = rules.Pattern((3, 9), replies_expected=False)
    on_first = rules.scheduled_exchanges(both, [rules.PatternChange(dt.date(2026, 9, 1), march)], 2026)
    later = rules.scheduled_exchanges(both, [rules.PatternChange(dt.date(2026, 9, 2), march)], 2026)
    assert [e.due for e in on_first] == [dt.date(2026, 3, 1), dt.date(2026, 9, 1)]
    assert [e.due for e in later] == [dt.date(2026, 3, 1)]


# --- on a real database -----------------------------------------------------------------------------------
TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _today_when_the_test_runs() -> None:
    """The service dates a change by the day it is made: TODAY is that day for each test, not the day the
    module was collected (a CI run that crossed midnight compared 7 December with 6 December)."""
    global TODAY
    TODAY = dt.date.today()


def _listed(db: Database, who: Principal, today: dt.date) -> list[tuple[dt.date, str, str]]:
    return sorted((w.due, w.side, w.state) for older in (False, True)
                  for w in service.work_list(db, who, today, older=older))


def _arrangement(db: Database, who: Principal, months: str, missed: dt.date) -> tuple[int, list[dt.date]]:
    """An arrangement of ``months`` (adopters write, no reply) begun 30 months ago, every letter due before
    this month received but the one due ``missed``."""
    start = rules.add_months(TODAY.replace(day=1), -30)
    aid = service.create_arrangement(db, who, sample_input(
        "LB-PAT", exchange_months=months, replies_expected=False, start_date=start, child_dob=dt.date(2016, 5, 14)))
    dues = [e.due for y in range(start.year, TODAY.year + 1)
            for e in rules.expected_exchanges(rules.parse_months(months), y, replies_expected=False, start=start)
            if e.due < TODAY.replace(day=1)]
    assert missed in dues
    for due in dues:
        if due != missed:
            service.log_item(db, who, aid, direction=rules.TO_BIRTH, received_on=due)
    return aid, dues


def _march_before(months_back: int) -> dt.date:
    day = rules.add_months(TODAY.replace(day=1), -months_back)
    while day.month != 3:
        day = rules.add_months(day, -1)
    return day


def test_adding_september_owes_no_past_september_and_keeps_the_missed_march(db: Database,
                                                                            coordinator: Principal) -> None:
    missed = _march_before(13)  # a March over a year ago, never written
    aid, _ = _arrangement(db, coordinator, "3", missed)
    assert _listed(db, coordinator, TODAY) == [(missed, rules.ADOPTIVE, "overdue")]
    detail = service.get_arrangement(db, coordinator, aid, today=TODAY)
    service.update_arrangement(db, coordinator, aid, sample_input(
        "LB-PAT", exchange_months="March, September", replies_expected=False, start_date=detail.data.start_date),
        expected_version=detail.row_version)
    # no September before today is owed; the missed March still is
    assert _listed(db, coordinator, TODAY) == [(missed, rules.ADOPTIVE, "overdue")]
    # from the change on, September is expected
    next_september = next(d for d in (rules.add_months(TODAY.replace(day=1), n) for n in range(1, 13))
                          if d.month == 9)
    a_year_on = rules.add_months(TODAY, 13)
    later = _listed(db, coordinator, a_year_on)
    assert (next_september, rules.ADOPTIVE, "overdue") in later and (missed, rules.ADOPTIVE, "overdue") in later
    assert not [d for d, _s, _st in later if d.month == 9 and d < TODAY]
    with db.session(coordinator, write=False) as session:
        row = session.scalars(select(PatternChange)).one()
        assert (row.arrangement_id, row.effective_from, row.months_before, row.months, row.recorded_by) == (
            aid, TODAY, "3", "3,9", coordinator.username)
    assert service.get_arrangement(db, coordinator, aid).pattern_changes == (
        rules.PatternChange(TODAY, rules.Pattern((3,), rules.ADOPTIVE, False)),)


def test_taking_september_away_keeps_the_missed_september_owed(db: Database, coordinator: Principal) -> None:
    missed = rules.add_months(_march_before(13), 6)  # the September after that March: over 6 months ago
    aid, _ = _arrangement(db, coordinator, "3,9", missed)
    assert _listed(db, coordinator, TODAY) == [(missed, rules.ADOPTIVE, "overdue")]
    detail = service.get_arrangement(db, coordinator, aid, today=TODAY)
    service.update_arrangement(db, coordinator, aid, sample_input(
        "LB-PAT", exchange_months="March", replies_expected=False, start_date=detail.data.start_date),
        expected_version=detail.row_version)
    assert _listed(db, coordinator, TODAY) == [(missed, rules.ADOPTIVE, "overdue")]
    later = _listed(db, coordinator, rules.add_months(TODAY, 13))
    assert (missed, rules.ADOPTIVE, "overdue") in later
    assert not [d for d, _s, _st in later if d.month == 9 and d >= TODAY]  # no September after the change


def test_change_dates_are_checked_and_a_same_day_undo_leaves_no_history(db: Database,
                                                                        coordinator: Principal) -> None:
    start = rules.add_months(TODAY, -30)
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LB-PAT", exchange_months="March", start_date=start))

    def edit(months: str, **kw: Any) -> int:
        detail = service.get_arrangement(db, coordinator, aid)
        return service.update_arrangement(db, coordinator, aid, sample_input(
            "LB-PAT", exchange_months=months, start_date=start), expected_version=detail.row_version, **kw)

    def history() -> list[tuple[dt.date, str, str]]:
        with db.session(coordinator, write=False) as session:
            return [(r.effective_from, r.months_before, r.months) for r in session.scalars(
                select(PatternChange).order_by(PatternChange.effective_from))]

    for day, words in ((TODAY + dt.timedelta(days=1), "in the future"), (start - dt.timedelta(days=1),
                                                                          "before the agreement's start")):
        with pytest.raises(ValidationError, match=words):
            edit("March, September", pattern_from=day)
    assert history() == [] and service.get_arrangement(db, coordinator, aid).data.exchange_months == "3"
    earlier = rules.add_months(TODAY, -4)
    edit("March, September", pattern_from=earlier)
    with pytest.raises(ValidationError, match="already changed on"):
        edit("March", pattern_from=rules.add_months(TODAY, -5))
    # a stale form writes nothing: the history row goes with the arrangement's version, or not at all
    with pytest.raises(StaleRecord):
        service.update_arrangement(db, coordinator, aid, sample_input("LB-PAT", exchange_months="June",
                                                                      start_date=start), expected_version=1)
    assert history() == [(earlier, "3", "3,9")]
    # today: a change, then its undo, leave only the earlier change
    _version, entry = undo.update_arrangement(db, coordinator, aid, sample_input(
        "LB-PAT", exchange_months="March, September, December", start_date=start),
        expected_version=service.get_arrangement(db, coordinator, aid).row_version)
    assert history() == [(earlier, "3", "3,9"), (TODAY, "3,9", "3,9,12")]
    entry.reverse()
    assert history() == [(earlier, "3", "3,9")]
    assert service.get_arrangement(db, coordinator, aid).data.exchange_months == "3,9"
    # a change of other fields only is no pattern change
    edit("September, March")
    assert history() == [(earlier, "3", "3,9")]


def test_a_change_before_the_agreement_begins_needs_no_history(db: Database, coordinator: Principal) -> None:
    start = TODAY + dt.timedelta(days=40)
    review = start + dt.timedelta(days=365)  # never before the start, which is refused
    aid = service.create_arrangement(db, coordinator, sample_input("LB-PAT", exchange_months="March",
                                                                   start_date=start, review_date=review))
    detail = service.get_arrangement(db, coordinator, aid)
    service.update_arrangement(db, coordinator, aid, sample_input("LB-PAT", exchange_months="June",
                                                                  start_date=start, review_date=review),
                               expected_version=detail.row_version)
    assert service.get_arrangement(db, coordinator, aid).pattern_changes == ()


def test_the_arrangement_window_saves_the_day_a_change_takes_effect(qtbot: Any, db: Database,
                                                                     coordinator: Principal) -> None:
    start = rules.add_months(TODAY, -30)
    aid = service.create_arrangement(db, coordinator, sample_input("LB-PAT", exchange_months="March",
                                                                   start_date=start))
    new = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(new)
    assert new.pattern_from.isHidden()  # a new arrangement's pattern applies from its start
    window = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), aid, today=TODAY)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.pattern_from.isVisible() and window.pattern_from.date() == qdate(TODAY)
    window.fields["exchange_months"].setText("March, September")
    day = rules.add_months(TODAY, -2)
    window.pattern_from.setDate(qdate(day))
    window.save()
    assert window.message.text() == "" and not window.isVisible()
    changes = service.get_arrangement(db, coordinator, aid).pattern_changes
    assert changes == (rules.PatternChange(day, rules.Pattern((3,), rules.ADOPTIVE, True)),)
    again = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), aid, today=TODAY)
    qtbot.addWidget(again)
    assert f"from {long_date(day)} (before: March; adoptive family first)" in again.summary.toPlainText()


def test_figures_count_an_exchange_of_a_month_since_taken_away(db: Database, coordinator: Principal) -> None:
    """The Reports page's "exchanges completed" counts what the pattern then in effect expected: a September
    letter passed on still counts once September is taken out of the agreement."""
    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.letterbox.figures import COMPLETED, figures
    from tests.conftest import make_user

    september = rules.add_months(_march_before(8), 6)  # a September at least two months ago
    start = rules.add_months(september, -14)
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LB-PAT", exchange_months="March, September", replies_expected=False, start_date=start))
    item = service.log_item(db, coordinator, aid, direction=rules.TO_BIRTH, received_on=september + dt.timedelta(days=2))
    service.screen_item(db, coordinator, item, "All well.")
    service.record_outcome(db, coordinator, item, "forwarded", september + dt.timedelta(days=5), method="post")
    manager = make_user(db, "mgr", Role.MANAGER)

    def completed() -> str:
        return next(value for s in figures(db, manager, september, rules.add_months(september, 1) - dt.timedelta(days=1))
                    for label, value in s.rows if label == COMPLETED)

    assert completed() == "1"
    detail = service.get_arrangement(db, coordinator, aid)
    service.update_arrangement(db, coordinator, aid, sample_input(
        "LB-PAT", exchange_months="March", replies_expected=False, start_date=start),
        expected_version=detail.row_version)
    assert completed() == "1"


def test_the_on_time_measure_judges_a_letter_by_the_pattern_when_it_came(db: Database,
                                                                         coordinator: Principal) -> None:
    """The journey measures' "letterbox items on time": a September letter that came while September was
    agreed stays on time after September is taken out of the agreement."""
    from adoption_desktop.core.security.permissions import Role
    from adoption_desktop.reports import measures
    from tests.conftest import make_user

    september = rules.add_months(_march_before(8), 6)
    start = rules.add_months(september, -14)
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LB-PAT", exchange_months="March, September", replies_expected=False, start_date=start))
    service.log_item(db, coordinator, aid, direction=rules.TO_BIRTH, received_on=september + dt.timedelta(days=2))
    manager = make_user(db, "mgr", Role.MANAGER)

    def on_time() -> tuple[float | None, int]:
        got = {m.code: m for m in measures.journey_measures(db, manager, september, september + dt.timedelta(days=27))}
        return got["letterbox_on_time"].value, got["letterbox_on_time"].count

    assert on_time() == (100.0, 1)
    detail = service.get_arrangement(db, coordinator, aid)
    service.update_arrangement(db, coordinator, aid, sample_input(
        "LB-PAT", exchange_months="March", replies_expected=False, start_date=start),
        expected_version=detail.row_version)
    assert on_time() == (100.0, 1)
