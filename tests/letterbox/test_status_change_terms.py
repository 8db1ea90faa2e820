"""A change of an arrangement's status applies the agreement's rules that depend on the status
(``rules.agreement_problems``), judged against the record as stored: an arrangement made active again from
suspended or ended with no exchange month (nothing would ever be expected, reminded or chased) or once the
child is 18 (the agreement runs until the child is 18: it would show as ended at once) is refused, by
``set_arrangement_status`` on its own and by the form's save alike. Before the fourteenth release both went
through, the rules judged only the terms typed. Suspending and ending stay free, and an undo that puts an
active version back is not judged again."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from tests.letterbox.conftest import sample_input


def _adult_dob(today: dt.date) -> dt.date:
    """A child who turned 18 about a year ago (today computed by the test, never at import)."""
    return dt.date(today.year - 19, today.month, 1)


# --- the rules ---------------------------------------------------------------------------------------------
def test_the_rules_judge_a_return_to_active_against_the_stored_status() -> None:
    today = dt.date.today()
    suspended = rules.AgreementTerms(dt.date(2016, 5, 14), dt.date(2018, 1, 10), None, "", "suspended")
    active = rules.AgreementTerms(dt.date(2016, 5, 14), dt.date(2018, 1, 10), None, "", "active")
    assert [f for f, _ in rules.agreement_problems(active, [suspended], today=today)] == ["exchange_months"]
    assert rules.agreement_problems(active, [active], today=today) == []  # saved so before: still saves
    assert rules.agreement_problems(active, [suspended, active], today=today) == []  # an undo putting it back
    assert rules.agreement_problems(active, today=today) == []  # a new one: the essentials' question
    adult = rules.AgreementTerms(_adult_dob(today), dt.date(2012, 1, 10), None, "3,9", "ended")
    said = rules.agreement_problems(rules.AgreementTerms(adult.child_dob, adult.start_date, None, "3,9"), [adult],
                                    today=today)
    assert [f for f, _ in said] == ["status"]
    assert said[0][1].startswith(f"Status: the child turned 18 on "
                                 f"{rules.eighteenth_birthday(_adult_dob(today)):%d/%m/%Y}")


# --- the service, two PCs ----------------------------------------------------------------------------------
def test_making_a_suspended_arrangement_without_months_active_again_is_refused_on_another_pc(
        db: Database, other_pc: Database, coordinator: Principal) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input("LB-S1", exchange_months="", status="suspended"))
    seen = service.get_arrangement(other_pc, coordinator, aid)
    with pytest.raises(ValidationError) as refused:
        service.set_arrangement_status(other_pc, coordinator, aid, "active", expected_version=seen.row_version)
    assert refused.value.field == "exchange_months"
    assert "cannot be made active again" in str(refused.value)
    # nor through the whole form's save
    with pytest.raises(ValidationError):
        service.update_arrangement(other_pc, coordinator, aid, sample_input("LB-S1", exchange_months=""),
                                   expected_version=seen.row_version)
    now = service.get_arrangement(db, coordinator, aid)
    assert (now.data.status, now.row_version) == ("suspended", seen.row_version)
    # with its months given it is active again; ending and suspending stay free
    version = service.update_arrangement(db, coordinator, aid, sample_input("LB-S1", exchange_months="June",
                                                                             status="suspended"),
                                         expected_version=seen.row_version)
    version = service.set_arrangement_status(other_pc, coordinator, aid, "active", expected_version=version)
    assert service.get_arrangement(db, coordinator, aid).data.status == "active"
    assert service.set_arrangement_status(db, coordinator, aid, "ended", expected_version=version) == version + 1


def test_an_ended_arrangement_of_a_child_now_18_cannot_be_made_active_again(
        db: Database, other_pc: Database, coordinator: Principal) -> None:
    today = dt.date.today()
    dob = _adult_dob(today)
    aid = service.create_arrangement(db, coordinator, sample_input(
        "LB-S2", child_dob=dob, start_date=dob + dt.timedelta(days=3000), status="ended"))
    seen = service.get_arrangement(other_pc, coordinator, aid, today=today)
    for status in ("active",):
        with pytest.raises(ValidationError) as refused:
            service.set_arrangement_status(other_pc, coordinator, aid, status, expected_version=seen.row_version,
                                           today=today)
        assert refused.value.field == "status" and "cannot be made active again" in str(refused.value)
    # suspended is not active: it may be set
    service.set_arrangement_status(other_pc, coordinator, aid, "suspended", expected_version=seen.row_version,
                                   today=today)
    assert service.get_arrangement(db, coordinator, aid).data.status == "suspended"


def test_an_undo_of_a_suspension_puts_an_old_active_arrangement_back(db: Database,
                                                                       coordinator: Principal) -> None:
    """An arrangement saved active with no months before the rules, suspended by the form: Ctrl+Z puts the
    active version back (the version put back counts as stored)."""
    from adoption_desktop.letterbox import undo as lb_undo
    from adoption_desktop.letterbox.models import Arrangement

    aid = service.create_arrangement(db, coordinator, sample_input("LB-S3"))
    with db.session(coordinator) as session:
        row = session.get(Arrangement, aid)
        assert row is not None
        row.exchange_months = ""  # as an earlier version could store it
    seen = service.get_arrangement(db, coordinator, aid)
    _version, entry = lb_undo.update_arrangement(db, coordinator, aid, sample_input(
        "LB-S3", exchange_months="", status="suspended"), expected_version=seen.row_version)
    entry.reverse()
    assert service.get_arrangement(db, coordinator, aid).data.status == "active"
