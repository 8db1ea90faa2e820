"""Letterbox services on a real SQLCipher file: arrangements, item log, outcomes, second checker, registers."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import Conflict, PermissionDenied, ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.settings_service import set_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.service import ArrangementFilter, ItemFilter
from adoption_desktop.letterbox.settings import SECOND_CHECKER
from tests.conftest import make_user


def audit_actions(db: Database, entity: str) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(AuditEntry.action).where(AuditEntry.entity == entity)))


def test_names_stored_apart_and_adoptive_names_protected(db: Database, coordinator: Principal,
                                                         arrangement: int) -> None:
    detail = service.get_arrangement(db, coordinator, arrangement, today=dt.date(2026, 11, 23))
    assert detail.data.child_birth_name == "Poppy Quillfield"
    assert detail.data.child_adoptive_name == "Rosa Thornley"
    terms = {t.term for t in detail.data.protected}
    assert {"Rosa", "Thornley", "Kestrel Vale Primary"} <= terms
    assert detail.data.exchange_months == "3,9"
    assert detail.ends_on == dt.date(2034, 5, 14)
    assert detail.status == "inactive"  # started 2018 and no exchange logged since
    assert "view" in audit_actions(db, "letterbox_arrangements")


def test_duplicate_reference_and_bad_months_are_refused(db: Database, coordinator: Principal,
                                                        arrangement: int) -> None:
    from tests.letterbox.conftest import sample_input

    with pytest.raises(Conflict, match="Reference"):
        service.create_arrangement(db, coordinator, sample_input())
    with pytest.raises(ValidationError, match="Exchange months"):
        service.create_arrangement(db, coordinator, sample_input("LB-9", exchange_months="Smarch"))


def test_manager_cannot_read_letterbox(db: Database, arrangement: int) -> None:
    manager = make_user(db, "mgr", Role.MANAGER)
    with pytest.raises(PermissionDenied):
        service.list_items(db, manager, ItemFilter())


def test_item_flow_return_correct_forward_with_history(db: Database, coordinator: Principal,
                                                       arrangement: int) -> None:
    first = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                             received_on=dt.date(2026, 3, 2), writer="Sam Thornley")
    result = service.screen_item(db, coordinator, first, "Love from the Thornleys at ZZ99 4EF")
    assert [(f.kind, f.text) for f in result.findings] == [("protected term", "Thornleys"),
                                                           ("postcode", "ZZ99 4EF")]
    with pytest.raises(Conflict, match="marked to be removed"):
        service.record_outcome(db, coordinator, first, "forwarded", dt.date(2026, 3, 3), method="post")
    with pytest.raises(ValidationError, match="Reason"):
        service.record_outcome(db, coordinator, first, "returned", dt.date(2026, 3, 3))
    service.record_outcome(db, coordinator, first, "returned", dt.date(2026, 3, 3),
                           reason="Please remove your surname and postcode.")
    second = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                              received_on=dt.date(2026, 3, 9), writer="Sam Thornley", previous_item_id=first)
    assert service.screen_item(db, coordinator, second, "Love from all of us. She is 9 now.").findings == ()
    service.record_outcome(db, coordinator, second, "forwarded", dt.date(2026, 3, 10), method="post")
    detail = service.get_item(db, coordinator, second)
    assert detail.status == "forwarded" and detail.previous_item_id == first
    assert [e.action for e in detail.history] == ["received", "screened", "forwarded"]
    with pytest.raises(Conflict):
        service.record_outcome(db, coordinator, second, "withheld", dt.date(2026, 3, 11), reason="x",
                               social_worker_informed=True)
    actions = audit_actions(db, "letterbox_items")
    assert {"letterbox_received", "letterbox_screened", "letterbox_returned", "letterbox_forwarded",
            "view"} <= actions


def test_finding_marked_acceptable_allows_forwarding(db: Database, coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                            received_on=dt.date(2026, 4, 1), writer="Gina Quillfield")
    found = service.screen_item(db, coordinator, item, "We went to Scarborough for the day.").findings
    assert [f.kind for f in found] == ["place"]
    service.decide_finding(db, coordinator, found[0].id, "acceptable")
    service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 4, 2), method="post")
    assert service.get_item(db, coordinator, item).findings[0].decision == "acceptable"


def test_withheld_needs_social_worker(db: Database, coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                            received_on=dt.date(2026, 4, 1))
    with pytest.raises(ValidationError, match="Social worker"):
        service.record_outcome(db, coordinator, item, "withheld", dt.date(2026, 4, 2), reason="serious news")
    service.record_outcome(db, coordinator, item, "withheld", dt.date(2026, 4, 2), reason="serious news",
                           social_worker_informed=True)


def test_second_checker_setting(db: Database, admin: Principal, coordinator: Principal, checker: Principal,
                                arrangement: int) -> None:
    set_setting(db, admin, SECOND_CHECKER, True)
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 2))
    service.screen_item(db, coordinator, item, "Happy Christmas!")
    with pytest.raises(Conflict, match="second checker"):
        service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 3, 3), method="post")
    with pytest.raises(Conflict, match="different user"):
        service.confirm_second_check(db, coordinator, item)
    service.confirm_second_check(db, checker, item)
    service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 3, 3), method="post")
    assert service.get_item(db, coordinator, item).checked_by == "lbcheck"


def test_registers_search_filter_sort_and_count(db: Database, coordinator: Principal, arrangement: int) -> None:
    from tests.letterbox.conftest import sample_input

    make_user(db, "other", Role.LETTERBOX_COORDINATOR)  # a colleague: the coordinator must be an account

    other = service.create_arrangement(db, coordinator, sample_input(
        "LB-0002", child_birth_name="Kit Marrowby", child_adoptive_name="Kit Fenwick",
        adopters_name="Jo Fenwick", coordinator="other", exchange_months="June", participants=()))
    for n in range(5):
        service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                         received_on=dt.date(2025, 3 + n, 2), writer="Sam Thornley")
    service.log_item(db, coordinator, other, direction=rules.TO_ADOPTIVE, received_on=dt.date(2025, 6, 5),
                     writer="Nan Marrowby", notes="card with drawing")
    assert service.count_items(db, coordinator, ItemFilter()) == 6
    assert service.count_items(db, coordinator, ItemFilter(query="marr")) == 1
    assert service.count_items(db, coordinator, ItemFilter(query="thorn sam")) == 5
    assert service.count_items(db, coordinator, ItemFilter(query="drawing")) == 1
    assert service.count_items(db, coordinator, ItemFilter(coordinator="other")) == 1
    assert service.count_items(db, coordinator, ItemFilter(month="2025-06")) == 2
    rows = service.list_items(db, coordinator, ItemFilter(sort="received_on", descending=False), 0, 3)
    assert [r.received_on.month for r in rows] == [3, 4, 5]
    arrs = service.list_arrangements(db, coordinator, ArrangementFilter(query="fenw"))
    assert [a.reference for a in arrs] == ["LB-0002"]
    assert service.count_arrangements(db, coordinator, ArrangementFilter(month=9)) == 1
    # search index follows a rename
    service.update_arrangement(db, coordinator, other, sample_input(
        "LB-0002", child_birth_name="Kit Brackenby", child_adoptive_name="Kit Fenwick", adopters_name="Jo Fenwick",
        coordinator="other", exchange_months="June", participants=()))
    assert service.count_items(db, coordinator, ItemFilter(query="brackenby")) == 1


def test_work_list_overdue_this_month_and_due_soon(db: Database, coordinator: Principal, arrangement: int) -> None:
    rows = service.work_list(db, coordinator, dt.date(2026, 9, 10))
    states = {(w.due, w.side, w.state) for w in rows}
    assert (dt.date(2026, 9, 1), rules.ADOPTIVE, "this month") in states
    later = {(w.due, w.side, w.state) for w in service.work_list(db, coordinator, dt.date(2026, 10, 5))}
    assert (dt.date(2026, 9, 1), rules.ADOPTIVE, "overdue") in later
    assert (dt.date(2026, 10, 1), rules.BIRTH, "due soon") in states
    service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 9, 3))
    rows = service.work_list(db, coordinator, dt.date(2026, 9, 10))
    assert all(not (w.due == dt.date(2026, 9, 1) and w.side == rules.ADOPTIVE) for w in rows)
    # 14 days before, or the working day before that (1 September 2024: Sunday 18 August -> Friday 16th)
    assert rows[0].due == dt.date(2024, 9, 1) and rows[0].reminder_on == dt.date(2024, 8, 16)
    assert rows[0].chase_on == dt.date(2024, 9, 23)  # 21 days after: Sunday 22nd -> Monday 23rd


@given(st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)), st.sets(st.integers(1, 12), max_size=4),
       st.booleans(), st.sampled_from([rules.ADOPTIVE, rules.BIRTH]))
def test_expected_exchanges_properties(day: dt.date, months: set[int], replies: bool, first: str) -> None:
    out = rules.expected_exchanges(tuple(sorted(months)), day.year, first_writer=first, replies_expected=replies)
    assert len(out) == len(months) * (2 if replies else 1)
    assert all(e.due.day == 1 for e in out)
    assert [e.due for e in out] == sorted(e.due for e in out)
    for e in out:
        assert rules.reminder_date(e.due, 14) == e.due - dt.timedelta(days=14)
        assert e.side == (first if e.first else rules.other_side(first))


@given(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)), st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
def test_status_inactive_after_two_years(last: dt.date, today: dt.date) -> None:
    status = rules.computed_status("active", today=today, last_exchange=last, start_date=None, child_dob=None)
    assert status == ("inactive" if rules.add_months(last, 24) <= today else "active")
    assert rules.computed_status("active", today=today, last_exchange=last, start_date=None,
                                 child_dob=today.replace(year=today.year - 18) if not (
                                     today.month == 2 and today.day == 29) else dt.date(today.year - 18, 2, 28)) \
        == "ended"


def test_figures_count_exchanges_outcomes_and_timing(db: Database, coordinator: Principal, arrangement: int) -> None:
    from adoption_desktop.letterbox.figures import figures

    a = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 2))
    service.screen_item(db, coordinator, a, "All well.")
    service.record_outcome(db, coordinator, a, "forwarded", dt.date(2026, 3, 6), method="post")
    b = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=dt.date(2026, 4, 2))
    service.record_outcome(db, coordinator, b, "returned", dt.date(2026, 4, 3), reason="Includes a postcode.")
    manager = make_user(db, "mgr", Role.MANAGER)
    sections = {s.title: dict(s.rows) for s in figures(db, manager, dt.date(2026, 1, 1), dt.date(2026, 12, 31))}
    by_month = sections["Letterbox items received and exchanges completed"]
    assert by_month["Items received in the period: adoptive family to birth family"] == "1"
    assert by_month["Items received in the period: birth family to adoptive family"] == "1"
    assert by_month["Items received in the period"] == "2"
    assert by_month["March 2026: adoptive family to birth family"] == "1"
    assert by_month["March 2026: birth family to adoptive family"] == "0"
    assert all("→" not in value and "," not in value for value in by_month.values())  # one figure a cell
    assert sections["Items returned or withheld"]["Returned for changes in the period"] == "1"
    assert sections["Receipt to forwarding"]["Median days from receipt to forward"] == "4"
    assert sections["Arrangements at 31/12/2026"]["of which active"] == "1"


def test_editing_replaces_relatives_and_terms_but_keeps_the_record(db: Database, coordinator: Principal,
                                                                   arrangement: int) -> None:
    from tests.letterbox.conftest import sample_input

    data = sample_input(participants=(service.ParticipantData("Gina Quillfield", "birth mother", "3 Moss Row"),),
                        protected=(service.TermData("Fenmere Nursery", "nursery"),))
    service.update_arrangement(db, coordinator, arrangement, data)
    detail = service.get_arrangement(db, coordinator, arrangement)
    assert [p.name for p in detail.data.participants] == ["Gina Quillfield"]
    terms = {t.term for t in detail.data.protected}
    assert "Fenmere Nursery" in terms and "Kestrel Vale Primary" not in terms and "Thornley" in terms
    from adoption_desktop.letterbox.models import Participant

    with db.session(write=False) as s:
        assert s.scalar(select(Participant.active).where(Participant.name == "Umar Quillfield")) is False


def test_birth_relatives_address_and_surname_are_screened_out_of_letters_to_adopters(
        db: Database, coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                            received_on=dt.date(2026, 4, 1), writer="Gina Quillfield")
    found = service.screen_item(db, coordinator, item, "Love from Gina Quillfield, 3 Moss Row, Greystow.").findings
    assert {f.text for f in found} >= {"Quillfield", "3 Moss Row", "Greystow"}


def test_an_item_for_birth_relatives_with_no_address_is_not_recorded_as_posted(
        db: Database, coordinator: Principal) -> None:
    """A user trial recorded an item "forwarded by post" to a birth relative with no address, and the
    acknowledgement then told the adopters it was held on file. Posting is refused with what to do; held on
    file, e-mail or collection are not; one relative with an address is enough."""
    from tests.letterbox.conftest import ParticipantData, sample_input

    no_address = service.create_arrangement(db, coordinator, sample_input(
        "LB-0077", participants=(ParticipantData("Umar Quillfield", "birth grandfather", ""),), email_allowed=True))

    def screened() -> int:
        item = service.log_item(db, coordinator, no_address, direction=rules.TO_BIRTH,
                                received_on=dt.date(2026, 3, 2), writer="Sam", log_again=True)
        assert service.screen_item(db, coordinator, item, "Love from all of us.").findings == ()
        return item

    item = screened()
    for method in ("post", "Recorded delivery", "posted 2nd class"):
        with pytest.raises(Conflict, match=r"no birth relative on LB-0077 has a current address.*held on file"):
            service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 3, 3), method=method)
    assert service.get_item(db, coordinator, item).status == "screened"  # nothing recorded
    service.record_outcome(db, coordinator, item, "held", dt.date(2026, 3, 3))
    assert service.get_item(db, coordinator, item).status == "held"
    by_email = screened()
    service.record_outcome(db, coordinator, by_email, "forwarded", dt.date(2026, 3, 3), method="email")
    # the other way (birth relatives writing to the adopters) needs no birth relative's address
    reply = service.log_item(db, coordinator, no_address, direction=rules.TO_ADOPTIVE,
                             received_on=dt.date(2026, 3, 2), writer="Umar")
    service.screen_item(db, coordinator, reply, "Thinking of you.")
    service.record_outcome(db, coordinator, reply, "forwarded", dt.date(2026, 3, 3), method="post")


def test_an_item_is_forwarded_by_email_only_where_the_arrangement_agrees_to_email(db: Database,
                                                                                coordinator: Principal) -> None:
    """The agreement says how letters go: an e-mail forward on a post-only arrangement is refused (the
    record would say it went by e-mail where the adoptive family and birth relatives agreed to post), and
    nothing is recorded; post, or e-mail once the agreement is recorded, goes through."""
    from tests.letterbox.conftest import sample_input

    arrangement = service.create_arrangement(db, coordinator, sample_input("LB-0078"))

    def screened() -> int:
        item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH,
                                received_on=dt.date(2026, 3, 2), writer="Sam", log_again=True)
        service.screen_item(db, coordinator, item, "Love from all of us.")
        return item

    item = screened()
    for method in ("email", "E-mail", "secure e mail"):
        with pytest.raises(Conflict, match=r"LB-0078 is not agreed to use the e-mail facility.*by post"):
            service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 3, 3), method=method)
        with pytest.raises(Conflict, match="e-mail facility"):  # the screen's question is not asked either
            service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 3, 3), method=method,
                                   check_only=True)
    assert service.get_item(db, coordinator, item).status == "screened"
    service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 3, 3), method="post")
    data = service.get_arrangement(db, coordinator, arrangement)
    service.update_arrangement(db, coordinator, arrangement, replace(sample_input("LB-0078"), email_allowed=True),
                               expected_version=data.row_version)
    later = screened()
    service.record_outcome(db, coordinator, later, "forwarded", dt.date(2026, 3, 3), method="email")
    assert service.get_item(db, coordinator, later).method == "email"


@pytest.mark.parametrize(("email", "sent"), [
    ("email", True), ("E-mail", True), ("e mail", True), ("secure Email", True), ("post", False),
    ("collected", False), ("Royal Mail", False), ("by mail", False), ("female courier", False), ("", False)])
def test_which_methods_are_email(email: str, sent: bool) -> None:
    assert rules.sent_by_email(email) is sent


@pytest.mark.parametrize(("method", "postal"), [
    ("post", True), ("Post", True), ("posted 2nd class", True), ("Recorded delivery", True), ("Royal Mail", True),
    ("email", False), ("e-mail", False), ("secure e-mail", False), ("collected", False), ("by hand", False),
    ("", False), ("postcode checked", False), ("1st class", True), ("second-class", True), ("Special Delivery", True),
    ("signed for", True), ("by mail", True), ("e mail", False), ("Secure Email", False), ("collected by hand", False)])
def test_only_postal_methods_need_an_address(method: str, postal: bool) -> None:
    assert rules.sent_by_post(method) is postal
