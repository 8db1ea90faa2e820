"""An arrangement's own terms must agree (user trial, December 2026: each was accepted by the service and the
import): a review date before the start date (shown "review overdue" at once), an exchange pattern that names
no month or a month twice ("March, March", "3, 3"), and a child already 18 at the start (the agreement "runs
until the child is 18", domain notes). Refused in ``rules`` with the field named, by the service, the import
(row and column) and the arrangement window (the cursor to the field); an arrangement saved before the rules
still opens, and a save that leaves its offending values as they are is not refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.importing import import_file
from adoption_desktop.letterbox.models import Arrangement
from tests.letterbox.conftest import sample_input

_days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2045, 12, 31))


# --- the rules ---------------------------------------------------------------------------------------------
@given(start=_days, review=_days)
def test_a_review_is_refused_exactly_when_it_is_before_the_start(start: dt.date, review: dt.date) -> None:
    said = rules.review_before_start(start, review)
    assert (said is not None) == (review < start)
    terms = rules.AgreementTerms(None, start, review, "March")
    assert [f for f, _ in rules.agreement_problems(terms)] == (["review_date"] if review < start else [])
    # stored so before the rule: saving it again as it is is never refused
    assert rules.agreement_problems(terms, [terms]) == []


@given(dob=_days, start=_days)
def test_a_start_is_refused_exactly_when_the_child_is_18_by_then(dob: dt.date, start: dt.date) -> None:
    adult = start >= rules.eighteenth_birthday(dob)
    assert (rules.start_at_eighteen(dob, start) is not None) == adult
    terms = rules.AgreementTerms(dob, start, None, "March")
    assert ("start_date" in dict(rules.agreement_problems(terms))) == adult
    assert rules.agreement_problems(terms, [terms]) == []


@given(month=st.integers(1, 12), named=st.booleans(), other=st.sampled_from(["", "June, "]))
def test_a_month_given_twice_is_refused(month: int, named: bool, other: str) -> None:
    import calendar

    again = calendar.month_name[month] if named else calendar.month_abbr[month]
    with pytest.raises(ValidationError) as refused:
        rules.exchange_months_value(f"{other}{month}, {again}")
    assert refused.value.field == "exchange_months"
    assert str(refused.value).startswith(f"Exchange months: {calendar.month_name[month]} is given twice")
    assert rules.parse_months(f"{month}, {month}") == (month,)  # stored values are still read as before


def test_an_active_pattern_naming_no_month_is_refused_but_months_not_known_yet_are_the_essentials() -> None:
    def fields(months: str, status: str = "active", stored: str | None = None) -> list[str]:
        kept = [rules.AgreementTerms(None, None, None, stored)] if stored is not None else []
        return [f for f, _ in rules.agreement_problems(rules.AgreementTerms(None, None, None, months, status), kept)]

    assert fields(", ") == fields(" and ") == ["exchange_months"]
    assert fields("", stored="3,9") == ["exchange_months"]  # an active arrangement's months taken away
    assert fields("") == []  # a new one whose months are not known yet: the form asks (missing_essentials)
    assert fields("", stored="") == []  # saved so before: other changes still save
    assert fields(", ", status="suspended") == fields("", status="ended", stored="3") == []


# --- the service -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"start_date": dt.date(2020, 6, 1), "review_date": dt.date(2020, 5, 31)}, "review_date",
     "Review date: 31/05/2020 is before the start date (01/06/2020)"),
    ({"exchange_months": "March, March"}, "exchange_months", "Exchange months: March is given twice"),
    ({"exchange_months": "3, 3"}, "exchange_months", "Exchange months: March is given twice"),
    ({"exchange_months": ", "}, "exchange_months", "Exchange months: ',' names no month"),
    ({"child_dob": dt.date(2000, 2, 29), "start_date": dt.date(2018, 3, 1)}, "start_date",
     "Start date: 01/03/2018 is on or after the child's 18th birthday (01/03/2018); a letterbox agreement runs "
     "until the child is 18"),
])
def test_the_service_refuses_each_naming_its_field(db: Database, coordinator: Principal, changes: dict[str, Any],
                                                   field: str, words: str) -> None:
    with pytest.raises(ValidationError) as refused:
        service.create_arrangement(db, coordinator, sample_input("LB-T1", **changes))
    assert refused.value.field == field and str(refused.value).startswith(words)
    assert service.list_arrangements(db, coordinator, service.ArrangementFilter(query="LB-T1")) == []


def test_a_child_turning_18_the_day_after_the_start_is_accepted(db: Database, coordinator: Principal) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LB-T2", child_dob=dt.date(2000, 3, 2), start_date=dt.date(2018, 3, 1), review_date=dt.date(2018, 3, 1)))
    assert service.get_arrangement(db, coordinator, aid).data.start_date == dt.date(2018, 3, 1)


def _saved_before_the_rules(db: Database, coordinator: Principal) -> int:
    """An arrangement as an earlier version could store it: review before start, no months, a child of 18."""
    today = dt.date.today()
    aid = service.create_arrangement(db, coordinator, sample_input("LB-OLD"))
    dob = today.replace(year=today.year - 20, day=1)
    with db.session(coordinator) as session:
        a = session.get(Arrangement, aid)
        assert a is not None
        a.child_dob, a.start_date = dob, rules.eighteenth_birthday(dob)
        a.review_date, a.exchange_months = a.start_date - dt.timedelta(days=1), ""
    return aid


def test_an_arrangement_saved_before_the_rules_opens_and_saves_other_changes_on_another_pc(
        db: Database, other_pc: Database, coordinator: Principal) -> None:
    aid = _saved_before_the_rules(db, coordinator)
    detail = service.get_arrangement(other_pc, coordinator, aid)  # opens
    old = detail.data
    version = service.update_arrangement(other_pc, coordinator, aid, sample_input(
        "LB-OLD", child_dob=old.child_dob, start_date=old.start_date, review_date=old.review_date,
        exchange_months="", notes="Adopters moved house."), expected_version=detail.row_version)
    assert service.get_arrangement(db, coordinator, aid).data.notes == "Adopters moved house."
    # the first PC changes the review date, still before the start: that change is judged, and refused
    with pytest.raises(ValidationError) as refused:
        service.update_arrangement(db, coordinator, aid, sample_input(
            "LB-OLD", child_dob=old.child_dob, start_date=old.start_date,
            review_date=old.start_date - dt.timedelta(days=2) if old.start_date else None, exchange_months="",
            notes="Adopters moved house."), expected_version=version)
    assert refused.value.field == "review_date"
    assert service.get_arrangement(db, coordinator, aid).data.review_date == old.review_date


def test_taking_every_month_away_from_an_active_arrangement_is_refused(db: Database,
                                                                       coordinator: Principal) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input("LB-T3"))
    detail = service.get_arrangement(db, coordinator, aid)
    with pytest.raises(ValidationError) as refused:
        service.update_arrangement(db, coordinator, aid, sample_input("LB-T3", exchange_months=""),
                                   expected_version=detail.row_version)
    assert refused.value.field == "exchange_months"
    assert service.get_arrangement(db, coordinator, aid).data.exchange_months == "3,9"


# --- the import --------------------------------------------------------------------------------------------
HEADERS = "Reference,Child's birth name,Adoptive name,DOB,Adopters,Exchange months,Start date,Review date,Status"


def test_the_import_names_the_row_and_column_of_each(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    sheet = tmp_path / "register.csv"
    sheet.write_text("\n".join((
        HEADERS,
        "LB-I1,Ann Pellow,Ann Copple,14/05/2016,Sam Copple,March,10/01/2020,09/01/2020,active",
        "LB-I2,Ben Pellow,Ben Copple,14/05/2016,Sam Copple,\"March, March\",10/01/2020,10/01/2021,active",
        "LB-I3,Cal Pellow,Cal Copple,14/05/2016,Sam Copple,\"3, 3\",10/01/2020,10/01/2021,active",
        "LB-I4,Dee Pellow,Dee Copple,01/02/2000,Sam Copple,March,01/02/2018,10/01/2021,active",
        "LB-I5,Eve Pellow,Eve Copple,14/05/2016,Sam Copple,\", \",10/01/2020,10/01/2021,active",
        "LB-I6,Fay Pellow,Fay Copple,14/05/2016,Sam Copple,\"March, September\",10/01/2020,10/01/2021,active",
    )) + "\n", encoding="utf-8")
    report = import_file(db, coordinator, sheet)
    assert not report.written
    found = {(p.row, p.column, p.problem.split(":")[0 if p.problem.startswith("Exchange") else 1].strip())
             for p in report.problems}
    assert found == {(2, "H (Review date)", "Review date"), (3, "F (Exchange months)", "Exchange months"),
                     (4, "F (Exchange months)", "Exchange months"), (5, "G (Start date)", "Start date"),
                     (6, "F (Exchange months)", "Exchange months")}
    assert service.list_arrangements(db, coordinator, service.ArrangementFilter(query="LB-I6")) == []


def test_an_import_update_leaving_an_old_arrangement_as_it_is_is_not_refused(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    aid = _saved_before_the_rules(db, coordinator)
    sheet = tmp_path / "notes.csv"
    sheet.write_text("Reference,Notes\nLB-OLD,Birth mother has a new address.\n", encoding="utf-8")
    report = import_file(db, coordinator, sheet)
    assert report.written and report.updates == 1, report.problems
    assert service.get_arrangement(db, coordinator, aid).data.notes == "Birth mother has a new address."


# --- the window --------------------------------------------------------------------------------------------
def test_the_window_says_it_puts_the_cursor_on_the_review_date_and_clears_it_once_changed(
        qtbot: Any, db: Database, coordinator: Principal) -> None:
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.dates import qdate
    from adoption_desktop.ui.tasks import TaskRunner
    from tests.discard_answers import answer_question

    aid = service.create_arrangement(db, coordinator, sample_input("LB-W1", coordinator="lbcoord"))
    window = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), aid)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    review = window.dates["review_date"]
    review.setDate(qdate(dt.date(2017, 12, 31)))  # the start is 10/01/2018
    window.save()
    assert window.message.text().startswith("Review date: 31/12/2017 is before the start date (10/01/2018)")
    assert review.hasFocus() or review.isAncestorOf(window.focusWidget())
    assert window.isVisible()
    assert service.get_arrangement(db, coordinator, aid).data.review_date == dt.date(2027, 1, 10)
    review.setDate(qdate(dt.date(2019, 1, 10)))
    assert window.message.text() == ""
    asked: list[str] = []
    answer_question("Discard", asked)  # closed with the review date changed: "Discard what you typed?"
    window.reject()
    assert asked and not window.isVisible()
