"""The work list keeps every past exchange not received (user trial, LBX-9001: the adopters' September letter
vanished two months later): on a real SQLCipher file, and as a property of the one rule behind it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.settings_service import set_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.service.expected_exchanges import work_rows_in
from adoption_desktop.letterbox.settings import WORK_LIST_LOOK_BACK_MONTHS
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input

TODAY = dt.date(2026, 12, 2)


def test_lbx_9001_the_adopters_september_letter_stays_overdue(db: Database, coordinator: Principal) -> None:
    # March and September, adopters first, replies expected, nothing received
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LBX-9001", exchange_months="March, September", start_date=dt.date(2026, 1, 15)))
    rows = {(w.due, w.side): w for w in service.work_list(db, coordinator, TODAY)}
    assert set(rows) == {(dt.date(2026, 3, 1), rules.ADOPTIVE), (dt.date(2026, 4, 1), rules.BIRTH),
                         (dt.date(2026, 9, 1), rules.ADOPTIVE), (dt.date(2026, 10, 1), rules.BIRTH)}
    september = rows[dt.date(2026, 9, 1), rules.ADOPTIVE]
    assert (september.state, september.overdue_for) == ("overdue", "3 months")
    assert rows[dt.date(2026, 3, 1), rules.ADOPTIVE].overdue_for == "9 months"
    # the letter arrives: it leaves the list; the birth family's reply is still awaited
    service.log_item(db, coordinator, aid, direction=rules.TO_BIRTH, received_on=dt.date(2026, 9, 4))
    after = {(w.due, w.side) for w in service.work_list(db, coordinator, TODAY)}
    assert (dt.date(2026, 9, 1), rules.ADOPTIVE) not in after
    assert (dt.date(2026, 10, 1), rules.BIRTH) in after


def test_exchanges_before_the_look_back_are_listed_on_request(db: Database, coordinator: Principal) -> None:
    service.create_arrangement(db, coordinator, sample_input(
        "LBX-9002", exchange_months="June", replies_expected=False, start_date=dt.date(2019, 2, 1)))
    set_setting(db, make_user(db, "lbadmin", Role.ADMINISTRATOR), WORK_LIST_LOOK_BACK_MONTHS, 12)
    listed = [w.due for w in service.work_list(db, coordinator, TODAY)]
    older = [w.due for w in service.work_list(db, coordinator, TODAY, older=True)]
    assert listed == [dt.date(2026, 6, 1)]
    assert older == [dt.date(y, 6, 1) for y in range(2019, 2026)]
    assert all(w.state == "overdue" for w in service.work_list(db, coordinator, TODAY, older=True))


# --- the rule: nothing past, unanswered and unmarked is missing ---------------------------------------
def _all_expected(months: tuple[int, ...], first: str, replies: bool, start: dt.date, end: dt.date | None,
                  until: dt.date) -> list[rules.Expected]:
    return [e for y in range(start.year - 1, until.year + 1)
            for e in rules.expected_exchanges(months, y, first_writer=first, replies_expected=replies,
                                              start=start, end=end) if e.due <= until]


def _received(e: rules.Expected, items: list[tuple[str, dt.date]]) -> bool:
    # the month before, of or after the due month, in the exchange's direction (written out, not the rule)
    months = {(d.year, d.month) for d in (rules.add_months(e.due, -1), e.due, rules.add_months(e.due, 1))}
    return any(direction == e.direction and (on.year, on.month) in months for direction, on in items)


patterns = st.tuples(st.sets(st.integers(1, 12), min_size=1, max_size=4).map(lambda s: tuple(sorted(s))),
                     st.sampled_from([rules.ADOPTIVE, rules.BIRTH]), st.booleans())


@given(patterns, st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)), st.integers(0, 240),
       st.one_of(st.none(), st.integers(1, 300)), st.integers(1, 60),
       st.lists(st.tuples(st.sampled_from([rules.TO_BIRTH, rules.TO_ADOPTIVE]), st.integers(0, 300)),
                max_size=12), st.lists(st.integers(0, 400), max_size=5))
def test_outstanding_exchanges_miss_nothing_past(pattern: tuple[tuple[int, ...], str, bool], today: dt.date,
                                                  age_months: int, ends_in: int | None, look_back: int,
                                                  item_offsets: list[tuple[str, int]], picks: list[int]) -> None:
    months, first, replies = pattern
    start = rules.add_months(today, -age_months)
    end = rules.add_months(start, ends_in) if ends_in else None
    items = [(d, rules.add_months(start, n)) for d, n in item_offsets]
    received = {rules.received_key(d, on) for d, on in items}
    boundary = rules.add_months(today.replace(day=1), -look_back)
    horizon = today + dt.timedelta(days=30)
    expected = _all_expected(months, first, replies, start, end, horizon)
    missed = {(expected[i].due, expected[i].side) for i in picks if i < len(expected)}
    common = dict(today=today, received=received, first_writer=first, replies_expected=replies, start=start,
                  end=end, missed=missed)
    listed = rules.outstanding_exchanges(months, since=boundary, until=horizon, **common)  # type: ignore[arg-type]
    older = rules.outstanding_exchanges(months, since=start, until=boundary - dt.timedelta(days=1),
                                        **common)  # type: ignore[arg-type]
    got = [e for e, _ in older] + [e for e, _ in listed]
    want = [e for e in expected if not _received(e, items) and (e.due, e.side) not in missed]
    assert sorted(got, key=lambda e: (e.due, e.side)) == sorted(want, key=lambda e: (e.due, e.side))
    for e, state in itertools.chain(older, listed):
        assert state == ("this month" if (e.due.year, e.due.month) == (today.year, today.month)
                         else "overdue" if e.due < today else "due soon")
        assert (rules.overdue_for(e.due, today) != "") == (e.due < today)


_counter = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patterns, st.dates(dt.date(2020, 1, 1), dt.date(2026, 11, 30)), st.integers(0, 2000),
       st.lists(st.tuples(st.sampled_from([rules.TO_BIRTH, rules.TO_ADOPTIVE]), st.integers(0, 60)),
                max_size=4), st.lists(st.integers(0, 40), max_size=3))
def test_work_list_misses_no_past_unanswered_exchange(db: Database, coordinator: Principal,
                                                       pattern: tuple[tuple[int, ...], str, bool], start: dt.date,
                                                       days_on: int, item_offsets: list[tuple[str, int]],
                                                       picks: list[int]) -> None:
    """Arrangement patterns and "today" against the work list itself: every exchange of an active
    arrangement that is past due, not received and not marked missed is on the list (due in the look-back)
    or on the list of older ones, and nothing received or marked missed is."""
    months, first, replies = pattern
    today = start + dt.timedelta(days=days_on)
    aid = service.create_arrangement(db, coordinator, sample_input(
        f"PROP-{next(_counter)}", exchange_months=",".join(map(str, months)), first_writer=first,
        replies_expected=replies, start_date=start, child_dob=dt.date(2016, 5, 14)))
    items = [(d, rules.add_months(start, n)) for d, n in item_offsets if rules.add_months(start, n) <= TODAY]
    for direction, on in items:
        service.log_item(db, coordinator, aid, direction=direction, received_on=on, log_again=True)
    end = rules.eighteenth_birthday(dt.date(2016, 5, 14))
    past = [e for e in _all_expected(months, first, replies, start, end, today) if e.due < today]
    missed = {(past[i].due, past[i].side) for i in picks if i < len(past)}
    for due, side in missed:
        service.mark_missed(db, coordinator, aid, due, side)
    with db.session(coordinator, write=False) as s:
        rows = work_rows_in(s, today, arrangement_ids=[aid]) + work_rows_in(s, today, older=True,
                                                                           arrangement_ids=[aid])
    shown = {(w.due, w.side) for w in rows}
    missing = [e for e in past if not _received(e, items) and (e.due, e.side) not in missed | shown]
    assert not missing
    assert not [e for e in past if (_received(e, items) or (e.due, e.side) in missed) and (e.due, e.side) in shown]
    assert all(w.overdue_for for w in rows if w.state == "overdue")


def _chasers(db: Database, who: Principal, aid: int, today: dt.date) -> list[tuple[str, object]]:
    from adoption_desktop.letterbox import documents

    with db.session(who, write=False) as s:
        jobs, _held = documents.arrangement_jobs(s, "chaser", [aid], today)
    return sorted({(j.side, j.values["due_date"]) for j in jobs})


def _came(db: Database, who: Principal, aid: int, direction: str, day: dt.date, outcome: str = "forwarded") -> int:
    """A letter logged, screened and given its outcome (passed on, unless ``outcome`` says otherwise)."""
    item = service.log_item(db, who, aid, direction=direction, received_on=day)
    service.screen_item(db, who, item, "Thinking of you all. Hope the summer was a happy one.")
    service.record_outcome(db, who, item, outcome, day, method="post" if outcome == "forwarded" else "",
                           reason="" if outcome in ("forwarded", "held") else "It needs a change before it goes.",
                           social_worker_informed=outcome == "withheld")
    return item


def test_chasers_follow_the_work_list(db: Database, coordinator: Principal) -> None:
    """The chaser goes to the writer the work list shows as late: the adopters for their September letter
    (not the birth family, whose reply waits on it), then, once it came, the birth family; an exchange
    of last year still unanswered is chased too."""
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LBX-9001", exchange_months="March, September", start_date=dt.date(2026, 1, 15)))
    assert _chasers(db, coordinator, aid, TODAY) == [(rules.ADOPTIVE, "1 September 2026")]
    _came(db, coordinator, aid, rules.TO_BIRTH, dt.date(2026, 9, 4))
    assert _chasers(db, coordinator, aid, TODAY) == [(rules.BIRTH, "1 October 2026")]
    service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=dt.date(2026, 10, 2))
    # March never came either: its reply waits on it, the adopters are chased for it
    assert _chasers(db, coordinator, aid, TODAY) == [(rules.ADOPTIVE, "1 March 2026")]
    old = service.create_arrangement(db, coordinator, sample_input(
        "LBX-9003", exchange_months="June", replies_expected=False, start_date=dt.date(2025, 1, 15)))
    service.log_item(db, coordinator, old, direction=rules.TO_BIRTH, received_on=dt.date(2026, 6, 3))
    assert _chasers(db, coordinator, old, TODAY) == [(rules.ADOPTIVE, "1 June 2025")]


def test_a_first_letter_overdue_is_chased_from_its_writer_not_redirected(db: Database,
                                                                       coordinator: Principal) -> None:
    """Review of the chasers: July and September, adopters first, nothing received, 25/10/2026. The adopters
    owe July and September; the birth family owes nothing yet (their replies wait on those letters). The
    chaser went to the birth family for 1 August, a reply to a July letter that never arrived."""
    today = dt.date(2026, 10, 25)
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LBX-9101", exchange_months="July, September", start_date=dt.date(2026, 1, 15)))
    assert _chasers(db, coordinator, aid, today) == [(rules.ADOPTIVE, "1 September 2026")]
    # July's letter came: the birth family's August reply is chaseable, but September's letter is later
    _came(db, coordinator, aid, rules.TO_BIRTH, dt.date(2026, 7, 3))
    assert _chasers(db, coordinator, aid, today) == [(rules.ADOPTIVE, "1 September 2026")]
    # September marked missed: October's reply is not chased (nothing to reply to); August's reply is
    service.mark_missed(db, coordinator, aid, dt.date(2026, 9, 1), rules.ADOPTIVE)
    assert _chasers(db, coordinator, aid, dt.date(2026, 11, 25)) == [(rules.BIRTH, "1 August 2026")]


def test_a_letter_returned_for_changes_is_still_owed_and_its_reply_is_not_chased(
        db: Database, coordinator: Principal) -> None:
    """User trial: the adopters' October letter was returned for changes, yet the October exchange left the
    work list and the birth mother was chased for a reply to a letter she never had. A returned letter is
    not a received one: its writer still owes it, until the corrected one comes."""
    today = dt.date(2026, 12, 2)
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LBX-9201", exchange_months="October", start_date=dt.date(2026, 1, 15)))
    _came(db, coordinator, aid, rules.TO_BIRTH, dt.date(2026, 10, 5), outcome="returned")
    assert {(w.due, w.side) for w in service.work_list(db, coordinator, today)
            if w.arrangement_id == aid} == {(dt.date(2026, 10, 1), rules.ADOPTIVE), (dt.date(2026, 11, 1), rules.BIRTH)}
    assert _chasers(db, coordinator, aid, today) == [(rules.ADOPTIVE, "1 October 2026")]
    _came(db, coordinator, aid, rules.TO_BIRTH, dt.date(2026, 10, 20))  # the corrected letter, passed on
    assert _chasers(db, coordinator, aid, today) == [(rules.BIRTH, "1 November 2026")]


@pytest.mark.parametrize("outcome", ["withheld", "held", None])
def test_a_reply_is_not_chased_to_a_letter_that_was_not_passed_on(db: Database, coordinator: Principal,
                                                                  outcome: str | None) -> None:
    """Withheld (serious news for a social worker to share), held on file, or not yet decided: the birth
    family never had the adopters' letter, so they are not asked for their reply (it stays on the work list
    for the coordinator), and the adopters, who did write, are not chased either."""
    today = dt.date(2026, 12, 2)
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LBX-9202", exchange_months="October", start_date=dt.date(2026, 1, 15)))
    if outcome is None:
        service.log_item(db, coordinator, aid, direction=rules.TO_BIRTH, received_on=dt.date(2026, 10, 5))
    else:
        _came(db, coordinator, aid, rules.TO_BIRTH, dt.date(2026, 10, 5), outcome=outcome)
    assert {(w.due, w.side) for w in service.work_list(db, coordinator, today) if w.arrangement_id == aid} == {
        (dt.date(2026, 11, 1), rules.BIRTH)}
    assert _chasers(db, coordinator, aid, today) == []


def test_a_reply_to_a_missed_letter_is_not_chased(db: Database, coordinator: Principal) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LBX-9102", exchange_months="September", start_date=dt.date(2026, 1, 15)))
    service.mark_missed(db, coordinator, aid, dt.date(2026, 9, 1), rules.ADOPTIVE)
    assert {(w.due, w.side) for w in service.work_list(db, coordinator, TODAY)} == {
        (dt.date(2026, 10, 1), rules.BIRTH)}  # still listed: the coordinator decides about it
    assert _chasers(db, coordinator, aid, TODAY) == []


def test_an_exchange_marked_missed_leaves_the_list_and_undo_puts_it_back(db: Database,
                                                                         coordinator: Principal) -> None:
    import pytest

    from adoption_desktop.core.errors import Conflict
    from adoption_desktop.letterbox import undo

    aid = service.create_arrangement(db, coordinator, sample_input(
        "LBX-9001", exchange_months="March, September", start_date=dt.date(2026, 1, 15)))
    september = (dt.date(2026, 9, 1), rules.ADOPTIVE)

    def listed() -> set[tuple[dt.date, str]]:
        return {(w.due, w.side) for w in service.work_list(db, coordinator, TODAY)}

    assert september in listed()
    entry = undo.mark_missed(db, coordinator, aid, *september, "LBX-9001")
    assert september not in listed() and (dt.date(2026, 10, 1), rules.BIRTH) in listed()
    # the chaser no longer goes for September, nor for October's reply to it (there is nothing to reply
    # to): the adopters are chased for March, the latest letter still awaited
    assert _chasers(db, coordinator, aid, TODAY) == [(rules.ADOPTIVE, "1 March 2026")]
    with pytest.raises(Conflict):
        service.mark_missed(db, coordinator, aid, *september)
    redo = entry.reverse()  # undo
    assert september in listed()
    assert redo is not None
    redo.reverse()  # redo
    assert september not in listed()
    again = undo.mark_missed(db, coordinator, aid, dt.date(2026, 3, 1), rules.ADOPTIVE, "LBX-9001")
    service.unmark_missed(db, coordinator, aid, dt.date(2026, 3, 1), rules.ADOPTIVE)  # by someone else
    with pytest.raises(Conflict):  # the undo says so instead of pretending
        again.reverse()
    with db.session() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("letterbox_exchange%"))
                                 .order_by(AuditEntry.seq)))
    assert actions == ["letterbox_exchange_missed", "letterbox_exchange_missed_undone",
                       "letterbox_exchange_missed", "letterbox_exchange_missed", "letterbox_exchange_missed_undone"]
    assert september not in listed() and (dt.date(2026, 3, 1), rules.ADOPTIVE) in listed()



def test_work_list_and_missed_marks_on_both_stores(any_db: Database) -> None:
    """The months read from the index (DISTINCT, EXTRACT) and the missed marks, on SQLCipher and PostgreSQL."""
    from adoption_desktop.core.security.permissions import Role

    who = make_user(any_db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    aid = service.create_arrangement(any_db, who, sample_input(
        "LBX-9001", exchange_months="March, September", start_date=dt.date(2026, 1, 15)))
    service.log_item(any_db, who, aid, direction=rules.TO_BIRTH, received_on=dt.date(2026, 2, 27))  # March's
    service.mark_missed(any_db, who, aid, dt.date(2026, 4, 1), rules.BIRTH)
    rows = service.work_list(any_db, who, TODAY)
    assert [(w.due, w.side, w.overdue_for) for w in rows] == [
        (dt.date(2026, 9, 1), rules.ADOPTIVE, "3 months"), (dt.date(2026, 10, 1), rules.BIRTH, "2 months")]


@pytest.mark.parametrize("locks", [True, False], ids=["locked", "lock-bypassed"])
def test_two_users_marking_one_exchange_missed_get_a_conflict(any_db: Database, locks: bool,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Review: on PostgreSQL both users passed the "already marked?" check and the second hit the unique
    constraint as a raw IntegrityError ("Unexpected problem", the page's loop stopped). One user's mark is
    written in a second session and held uncommitted while the other marks the same exchange: the other
    waits (the arrangement's lock; SQLCipher's write lock) and is told who marked it. ``lock-bypassed``: a
    mark that gets in without the lock still ends in that Conflict, not the database's error."""
    import threading
    import time

    from adoption_desktop.core.errors import Conflict
    from adoption_desktop.letterbox.models import MissedExchange
    from adoption_desktop.letterbox.service import expected_exchanges

    first = make_user(any_db, "lbfirst", Role.LETTERBOX_COORDINATOR)
    second = make_user(any_db, "lbsecond", Role.LETTERBOX_COORDINATOR)
    aid = service.create_arrangement(any_db, first, sample_input("LBX-9201", exchange_months="September"))
    if not locks:
        monkeypatch.setattr(expected_exchanges, "lock_row", lambda _session, row: row)
    due = dt.date(2026, 9, 1)
    outcome: list[BaseException | None] = []

    def mark() -> None:
        try:
            service.mark_missed(any_db, second, aid, due, rules.ADOPTIVE)
            outcome.append(None)
        except BaseException as err:  # the test reports whatever came
            outcome.append(err)

    with any_db.session(first) as s:
        s.add(MissedExchange(arrangement_id=aid, due=due, side=rules.ADOPTIVE, marked_by=first.username))
        s.flush()
        other = threading.Thread(target=mark)
        other.start()
        time.sleep(0.5)  # the second user's mark is under way, waiting on the first's
    other.join(timeout=30)
    assert len(outcome) == 1
    assert isinstance(outcome[0], Conflict), repr(outcome[0])
    assert "already marked missed (by lbfirst" in str(outcome[0])
    with any_db.session(first, write=False) as s:
        assert list(s.scalars(select(MissedExchange.marked_by).where(MissedExchange.arrangement_id == aid))) == [
            "lbfirst"]
