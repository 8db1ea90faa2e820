"""The qualifying-determination route from the ADM user trial, on a real SQLCipher file: the 40 working days
count from the day the notice is sent, the final decision's clock from the later of the representations and
the IRM recommendation, dates in the future or before the proposal are refused, no final decision signed
while the IRM is awaited, one IRM recommendation only, and corrections dated on or after the decision they
correct, which close (or refuse to leave live) the route of a proposal corrected into an approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from adoption_desktop.adm import rules, service
from adoption_desktop.adm.models import AdmDecision, AdmLetter, AdmQualifyingDetermination
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.settings_service import calendar
from adoption_desktop.core.storage.engine import Database
from tests.adm.conftest import handoff, open_from_panel
from tests.adm.test_service import pdf_text
from tests.conftest import TEST_PASSWORD

D = dt.date
PROPOSED = D(2025, 12, 1)  # a Monday; the 40 working days from it end on Wed 28 Jan 2026


def proposal(db: Database, adm: Principal) -> service.SignResult:
    with db.session() as s:
        did = open_from_panel(s, handoff(recommendation="not_suitable", received=PROPOSED))
    service.record_decision(db, adm, did, outcome="not_approve",
                            decision_text="I propose not to approve you as prospective adopters.",
                            reasons="The assessment did not show capacity to meet a child's needs.")
    res = service.sign_decision(db, adm, did, TEST_PASSWORD, PROPOSED)
    assert res.qd_id is not None
    return res


def qd_row(db: Database, qd_id: int) -> AdmQualifyingDetermination:
    with db.session() as s:
        q = s.get(AdmQualifyingDetermination, qd_id)
        assert q is not None
        s.expunge(q)
        return q


def audit_details(db: Database, action: str) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEntry.detail).where(AuditEntry.action == action)))


def final_decision(db: Database, final_id: int) -> AdmDecision:
    with db.session() as s:
        d = s.get(AdmDecision, final_id)
        assert d is not None
        s.expunge(d)
        return d


# --- 1. the period counts from the day the notice was sent --------------------------------------

def test_marking_the_notice_sent_counts_the_40_days_from_that_day(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    assert qd_row(db, res.qd_id).deadline == D(2026, 1, 28)
    service.mark_letter_sent(db, adm_user, res.letter_id, D(2025, 12, 8))
    q = qd_row(db, res.qd_id)
    with db.session() as s:
        expected = rules.qd_deadline(D(2025, 12, 8), calendar(s))
    assert q.notice_sent_on == D(2025, 12, 8) and q.deadline == expected and expected > D(2026, 1, 28)
    [entry] = audit_details(db, "qd_notice_sent")
    assert "2025-12-01 -> 2025-12-08" in entry and f"2026-01-28 -> {expected}" in entry
    # representations after the old end of the period but within the new one are in time
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2026, 1, 30), summary="In time.")
    assert qd_row(db, res.qd_id).representations_on == D(2026, 1, 30)


def test_a_sent_date_after_recorded_representations_is_refused(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 10), summary="Quick reply.")
    with pytest.raises(ValidationError, match="10/12/2025"):
        service.mark_letter_sent(db, adm_user, res.letter_id, D(2025, 12, 12))
    q = qd_row(db, res.qd_id)
    assert q.notice_sent_on == PROPOSED and q.deadline == D(2026, 1, 28)
    with db.session() as s:
        assert s.get(AdmLetter, res.letter_id).sent_on is None  # type: ignore[union-attr]


# --- 2. the final decision's clock ---------------------------------------------------------------

def test_the_final_clock_starts_at_the_later_of_representations_and_irm() -> None:
    deadline = D(2026, 1, 28)
    assert rules.qd_final_clock_start(deadline, None, None) == deadline
    assert rules.qd_final_clock_start(deadline, D(2026, 1, 20), D(2026, 1, 15)) == D(2026, 1, 20)
    assert rules.qd_final_clock_start(deadline, D(2026, 1, 12), D(2026, 3, 2)) == D(2026, 3, 2)
    assert rules.qd_final_clock_start(deadline, None, D(2026, 1, 26)) == D(2026, 1, 26)


def test_an_irm_recommendation_before_the_period_ends_starts_the_clock(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)  # the notice went the day it was signed
    service.record_irm_application(db, adm_user, res.qd_id, applied_on=D(2025, 12, 5))
    service.record_irm_recommendation(db, adm_user, res.qd_id, received_on=D(2026, 1, 15),
                                      recommendation="The review panel recommends approval.")
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2026, 1, 20), summary="Also wrote.")
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2026, 1, 21))
    d = final_decision(db, final_id)
    assert d.received_on == D(2026, 1, 20)  # not the end of the period (28/01/2026)
    with db.session() as s:
        assert d.due_on == calendar(s).add_working_days(D(2026, 1, 20), 7)


def test_a_recommendation_after_the_final_decision_opened_restarts_its_clock(db: Database,
                                                                            adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)  # the notice went the day it was signed
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 15), summary="We disagree.")
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2025, 12, 16))
    assert final_decision(db, final_id).received_on == D(2025, 12, 15)
    service.record_irm_application(db, adm_user, res.qd_id, applied_on=D(2025, 12, 17))
    service.record_irm_recommendation(db, adm_user, res.qd_id, received_on=D(2026, 2, 16),
                                      recommendation="The review panel recommends approval.")
    d = final_decision(db, final_id)
    with db.session() as s:
        assert d.received_on == D(2026, 2, 16) and d.due_on == calendar(s).add_working_days(D(2026, 2, 16), 7)
    assert any("2025-12-15 -> 2026-02-16" in x for x in audit_details(db, "qd_final_clock"))


# --- 3. dates in the future or before the proposal ----------------------------------------------

def test_future_dates_and_dates_before_the_proposal_are_refused(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="in the future"):
        service.record_representations(db, adm_user, res.qd_id, received_on=tomorrow, summary="Early.")
    with pytest.raises(ValidationError, match="in the future"):
        service.record_irm_application(db, adm_user, res.qd_id, applied_on=tomorrow)
    with pytest.raises(ValidationError, match=r"before the proposal not to approve was decided \(01/12/2025\)"):
        service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 11, 28), summary="Before.")
    with pytest.raises(ValidationError, match="before the proposal"):
        service.record_irm_application(db, adm_user, res.qd_id, applied_on=D(2025, 11, 28))
    service.record_irm_application(db, adm_user, res.qd_id, applied_on=D(2025, 12, 5))
    with pytest.raises(ValidationError, match="in the future"):
        service.record_irm_recommendation(db, adm_user, res.qd_id, received_on=tomorrow, recommendation="x")
    q = qd_row(db, res.qd_id)
    assert q.representations_on is None and q.irm_recommendation_on is None and q.irm_applied_on == D(2025, 12, 5)


# --- 4. no final decision signed while the IRM is awaited ----------------------------------------

def test_a_final_decision_is_not_signed_while_the_irm_recommendation_is_awaited(db: Database,
                                                                                 adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)  # the notice went the day it was signed
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 15), summary="We disagree.")
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2025, 12, 16))
    service.record_irm_application(db, adm_user, res.qd_id, applied_on=D(2025, 12, 17))
    service.record_decision(db, adm_user, final_id, outcome="not_approve", decision_text="Not approved.",
                            reasons="The representations do not answer the concerns.")
    for attempt in (lambda: service.check_signable(db, adm_user, final_id, D(2025, 12, 19)),
                    lambda: service.sign_decision(db, adm_user, final_id, TEST_PASSWORD, D(2025, 12, 19))):
        with pytest.raises(Conflict, match=r"Independent Review Mechanism on 17/12/2025.*awaited"):
            attempt()
    assert final_decision(db, final_id).signed_at is None and qd_row(db, res.qd_id).final_decision_id is None


# --- 5. one IRM recommendation -----------------------------------------------------------------

def test_a_second_irm_recommendation_is_refused(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    service.record_irm_application(db, adm_user, res.qd_id, applied_on=D(2025, 12, 5))
    service.record_irm_recommendation(db, adm_user, res.qd_id, received_on=D(2026, 1, 15),
                                      recommendation="The review panel recommends approval.")
    with pytest.raises(Conflict, match=r"already recorded.*15/01/2026"):
        service.record_irm_recommendation(db, adm_user, res.qd_id, received_on=D(2026, 1, 16),
                                          recommendation="Something else.")
    with pytest.raises(Conflict, match="15/01/2026"):
        service.record_irm_application(db, adm_user, res.qd_id, applied_on=D(2025, 12, 9))
    q = qd_row(db, res.qd_id)
    assert q.irm_recommendation_on == D(2026, 1, 15) and q.irm_recommendation.endswith("recommends approval.")
    assert q.irm_applied_on == D(2025, 12, 5)


# --- 6. a correction's date ----------------------------------------------------------------------

def test_a_correction_is_dated_on_or_after_the_decision_and_its_letter_so(db: Database,
                                                                          adm_user: Principal) -> None:
    with db.session() as s:
        did = open_from_panel(s, handoff(received=D(2025, 12, 1)))
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 3))
    with pytest.raises(ValidationError, match=r"on or after the decision it corrects \(03/12/2025\)"):
        service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="The age range was typed wrongly.",
                                 outcome="agree", decision_text="Approved for two children aged 0 to 4.",
                                 reasons="I agree with the panel's reasons.", decided_on=D(2025, 12, 2))
    res = service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="The age range was typed wrongly.",
                                   outcome="agree", decision_text="Approved for two children aged 0 to 4.",
                                   reasons="I agree with the panel's reasons.", decided_on=D(2025, 12, 10))
    with db.session() as s:
        letter = s.get(AdmLetter, res.letter_id)
        assert letter is not None and letter.letter_date == D(2025, 12, 10)
    assert "10 December 2025" in pdf_text(service.letter_pdf(db, adm_user, res.letter_id))


# --- 7. a proposal corrected into an approval ---------------------------------------------------

def correct_into_approval(db: Database, adm: Principal, did: int) -> service.SignResult:
    return service.correct_decision(db, adm, did, TEST_PASSWORD, reason="The wrong outcome was chosen.",
                                    outcome="differ", decision_text="Approved as suitable to adopt.",
                                    reasons="The assessment shows capacity to meet a child's needs.",
                                    decided_on=D(2025, 12, 4))


def proposal_id(db: Database, qd_id: int) -> int:
    return qd_row(db, qd_id).decision_id


def test_correcting_a_proposal_into_an_approval_closes_its_route(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    fixed = correct_into_approval(db, adm_user, proposal_id(db, res.qd_id))
    assert fixed.qd_id is None
    q = qd_row(db, res.qd_id)
    assert (q.final_outcome, q.final_on, q.final_decision_id) == (rules.QD_CLOSED_BY_CORRECTION, D(2025, 12, 4),
                                                                 fixed.decision_id)
    [entry] = audit_details(db, "qd_closed")
    assert f"decision {fixed.decision_id}" in entry and "2026-01-28" in entry
    with pytest.raises(Conflict, match=r"closed on 04/12/2025.*corrected"):
        service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 10), summary="Late.")
    with pytest.raises(Conflict, match="closed"):
        service.open_final_decision(db, adm_user, res.qd_id, D(2026, 2, 2))
    # the figures count it as closed by the correction, not as a final decision's outcome
    from adoption_desktop.adm.figures import figures

    [qd] = [s for s in figures(db, adm_user, D(2025, 12, 1), D(2025, 12, 31)) if s.title.startswith("Qualifying")]
    rows = dict(qd.rows)
    assert rows["Closed: the proposal was corrected into an approval"] == "1"
    assert not [k for k in rows if k.startswith("Final decision") and "correction" in k]


def test_a_proposal_with_representations_is_not_corrected_into_an_approval(db: Database,
                                                                            adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)  # the notice went the day it was signed
    did = proposal_id(db, res.qd_id)
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 3), summary="We disagree.")
    with pytest.raises(Conflict, match=r"03/12/2025.*close the qualifying-determination route first"):
        correct_into_approval(db, adm_user, did)
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2025, 12, 4))
    with pytest.raises(Conflict, match=f"decision {final_id}"):
        correct_into_approval(db, adm_user, did)
    with db.session() as s:
        assert s.scalars(select(AdmDecision).where(AdmDecision.supersedes_id == did)).first() is None
    assert qd_row(db, res.qd_id).final_outcome == ""


def test_correcting_a_proposal_twice_keeps_one_determination(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    did = proposal_id(db, res.qd_id)
    for day in (D(2025, 12, 2), D(2025, 12, 3)):
        again = service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="The reasons were reworded.",
                                         outcome="not_approve", decision_text="I propose not to approve you.",
                                         reasons="The assessment did not show capacity.", decided_on=day)
        assert again.qd_id == res.qd_id
        did = again.decision_id
    with db.session() as s:
        assert len(list(s.scalars(select(AdmQualifyingDetermination)))) == 1


def test_the_qd_tab_says_the_route_was_closed_by_the_correction(db: Database, adm_user: Principal,
                                                                qtbot: Any) -> None:
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    res = proposal(db, adm_user)
    fixed = correct_into_approval(db, adm_user, proposal_id(db, res.qd_id))
    page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True)), today=D(2025, 12, 5))
    qtbot.addWidget(page)
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    assert page.select_decision(fixed.decision_id)
    text = page.detail.qd_summary.text()
    assert f"Closed 4 December 2025: the proposal was corrected (decision {fixed.decision_id})" in text
    assert "Final decision" not in text


def test_a_correction_on_the_page_starts_dated_today(db: Database, adm_user: Principal, qtbot: Any) -> None:
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.dates import pydate
    from adoption_desktop.ui.tasks import TaskRunner

    res = proposal(db, adm_user)
    did = proposal_id(db, res.qd_id)
    page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True)), today=D(2025, 12, 9))
    qtbot.addWidget(page)
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    assert page.select_decision(did)
    assert pydate(page.detail.decided_on.date()) == PROPOSED
    page.detail.begin_correction()
    assert pydate(page.detail.decided_on.date()) == D(2025, 12, 9)


def test_a_letter_is_not_marked_sent_in_the_future(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    with pytest.raises(ValidationError, match="in the future"):
        service.mark_letter_sent(db, adm_user, res.letter_id, dt.date.today() + dt.timedelta(days=1))
    assert qd_row(db, res.qd_id).notice_sent_on == PROPOSED
