"""The letterbox report figures (user trial, manager): no free text, items told apart from exchanges, the
arrangements at a past date counted from their own dates, and letters sent counted from the sent list."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.figures import figures
from adoption_desktop.reports.model import FigureSection
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input

D = dt.date
YEAR = (D(2026, 1, 1), D(2026, 11, 30))


@pytest.fixture
def manager(db: Database) -> Principal:
    return make_user(db, "mgr", Role.MANAGER)


def _sections(db: Database, manager: Principal, start: dt.date, end: dt.date) -> dict[str, dict[str, str]]:
    return {s.title: dict(s.rows) for s in figures(db, manager, start, end)}


def _forward(db: Database, who: Principal, item: int, on: dt.date) -> None:
    service.screen_item(db, who, item, "All well.")
    service.record_outcome(db, who, item, "forwarded", on, method="post")


def test_no_free_text_reason_appears_and_rows_add_up(db: Database, coordinator: Principal,
                                                     arrangement: int, manager: Principal) -> None:
    # (a return reason naming the other side's details is refused when recorded: these name the writer's own)
    reasons = [f"Your letter names your street, Larchmere Close, and your bus route {n}. "
               "Please take that out." for n in range(9)]  # nine reasons: more than the old top eight
    for n, reason in enumerate(reasons):
        direction = rules.TO_BIRTH if n % 3 else rules.TO_ADOPTIVE
        item = service.log_item(db, coordinator, arrangement, direction=direction, received_on=D(2026, 3, 2),
                                log_again=True)
        service.record_outcome(db, coordinator, item, "returned", D(2026, 3, 5), reason=reason)
    withheld = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                                received_on=D(2026, 4, 2))
    service.record_outcome(db, coordinator, withheld, "withheld", D(2026, 4, 6),
                           reason="Threatens to find the Thornleys in Dellmouth.", social_worker_informed=True)
    out: list[FigureSection] = figures(db, manager, *YEAR)
    text = "\n".join([s.title for s in out] + [f"{label}\t{value}" for s in out for label, value in s.rows])
    for needle in ("Larchmere", "bus route", "take that out", "Thornley", "Dellmouth", "Threatens"):
        assert needle not in text
    problems = {s.title: dict(s.rows) for s in out}["Items returned or withheld"]
    assert problems == {
        "Returned for changes in the period": "9",
        "Returned for changes: adoptive family to birth family": "6",
        "Returned for changes: birth family to adoptive family": "3",
        "Withheld in the period": "1",
        "Withheld: adoptive family to birth family": "0",
        "Withheld: birth family to adoptive family": "1"}


def test_items_received_are_not_called_exchanges(db: Database, coordinator: Principal, arrangement: int,
                                                  manager: Principal) -> None:
    # the arrangement exchanges in March and September, the adopters first and a reply the month after
    returned = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 2))
    service.record_outcome(db, coordinator, returned, "returned", D(2026, 3, 4), reason="A school's name.")
    resend = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 3, 20),
                              previous_item_id=returned)
    _forward(db, coordinator, resend, D(2026, 3, 23))
    withheld = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                                received_on=D(2026, 4, 7))
    service.record_outcome(db, coordinator, withheld, "withheld", D(2026, 4, 9), reason="x",
                           social_worker_informed=True)
    held = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 9, 3))
    service.record_outcome(db, coordinator, held, "held", D(2026, 9, 4))
    service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=D(2026, 10, 2))
    received = _sections(db, manager, *YEAR)["Letterbox items received and exchanges completed"]
    assert "Total exchanges" not in received
    assert received["Items received in the period"] == "5"
    assert received["Items received in the period: adoptive family to birth family"] == "3"
    assert received["Items received in the period: birth family to adoptive family"] == "2"
    parts = {k: v for k, v in received.items() if k.startswith("of which")}
    assert parts == {"of which passed on (forwarded) by the end of the period": "1",
                     "of which returned for changes": "1", "of which withheld": "1", "of which held on file": "1",
                     "of which awaiting a decision at the end of the period": "1"}
    # the returned letter and its resend are one exchange; withheld, held and undecided complete none
    assert received["Exchanges completed: expected letters due in the period that were passed on"] == "1"
    # at the end of a period the outcomes recorded after it are not yet known
    march = _sections(db, manager, D(2026, 3, 1), D(2026, 3, 21))["Letterbox items received and exchanges completed"]
    assert march["Items received in the period"] == "2"
    assert march["of which returned for changes"] == "1"
    assert march["of which awaiting a decision at the end of the period"] == "1"
    assert march["of which passed on (forwarded) by the end of the period"] == "0"
    assert march["Exchanges completed: expected letters due in the period that were passed on"] == "0"


def test_arrangements_at_a_past_date_do_not_change_with_later_data(db: Database, coordinator: Principal,
                                                                   arrangement: int, manager: Principal) -> None:
    last_year = (D(2025, 4, 1), D(2026, 3, 31))
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2023, 3, 2))
    _forward(db, coordinator, item, D(2023, 3, 6))
    before = _sections(db, manager, *last_year)["Arrangements at 31/03/2026"]
    # an arrangement starting after the date, and an item received after it, leave the date's figures alone
    service.create_arrangement(db, coordinator, sample_input("LB-0002", start_date=D(2026, 10, 1)))
    later = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=D(2026, 9, 2))
    _forward(db, coordinator, later, D(2026, 9, 4))
    assert _sections(db, manager, *last_year)["Arrangements at 31/03/2026"] == before
    assert before["Arrangements started by this date"] == "1"
    assert before["of which inactive (no item received in the 24 months to this date)"] == "1"
    now = _sections(db, manager, D(2026, 4, 1), D(2026, 11, 30))["Arrangements at 30/11/2026"]
    assert now["Arrangements started by this date"] == "2"
    assert now["of which active"] == "2"
    assert sum(int(v) for k, v in now.items() if k.startswith("of which")) == 2


def test_letters_sent_rows_are_counted_from_the_sent_list(db: Database, coordinator: Principal,
                                                          arrangement: int, manager: Principal) -> None:
    from adoption_desktop.letterbox.documents import KINDS
    from adoption_desktop.letterbox.sent_list import record_letters_sent

    none_sent = _sections(db, manager, *YEAR)["Letters sent"]
    assert none_sent == {**{name: "0" for name in KINDS.values()}, "All letters sent": "0"}
    with db.session(coordinator) as session:
        record_letters_sent(session, [(arrangement, "chaser", "birth", None, None),
                                      (arrangement, "chaser", "adoptive", None, None)],
                            D(2026, 5, 4), "batch-1")
    sent = _sections(db, manager, *YEAR)["Letters sent"]
    assert list(sent) == list(none_sent)  # the same rows whatever was sent, so periods compare
    assert sent["Chasers"] == "2" and sent["Reminders"] == "0" and sent["All letters sent"] == "2"
