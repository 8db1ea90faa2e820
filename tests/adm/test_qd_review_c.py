"""Review findings on the qualifying-determination route, on a real SQLCipher file: the notice letter is
marked sent before the final decision is opened (and not after), an IRM application pauses the open final
decision's clock, a proposal whose final decision is opened or signed is not corrected, and the order
message of a final decision names what started its clock."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.adm import rules, service
from adoption_desktop.adm.models import AdmLetter
from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.settings_service import calendar
from adoption_desktop.core.storage.engine import Database
from tests.adm.test_qd_clock import PROPOSED, final_decision, proposal, qd_row
from tests.conftest import TEST_PASSWORD

D = dt.date


def _row(db: Database, adm: Principal, did: int, today: dt.date) -> service.DecisionRow:
    return next(r for r in service.list_queue(db, adm, today) if r.id == did)


# --- 1. the notice letter is marked sent before the final decision is opened ----------------------

def test_the_final_decision_is_not_opened_before_the_notice_is_marked_sent(db: Database,
                                                                           adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    with pytest.raises(Conflict, match=r"The qualifying determination notice dated 1 December 2025 is not recorded "
                                       r"as sent: record the day it went first \(Letters and history tab, Alt\+Y, "
                                       r"Mark letter sent…\), so the applicants' 40 working days") as refused:
        service.open_final_decision(db, adm_user, res.qd_id, D(2026, 1, 29))
    # named by its kind and date, as the Letters tab lists it, never by a record number no screen shows (a
    # tester read "letter 149")
    assert f"letter {res.letter_id}" not in str(refused.value) and "(letter" not in str(refused.value)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2026, 1, 29))
    assert final_decision(db, final_id).source == "qd_final"


def _open_final_unsent(db: Database, adm: Principal) -> tuple[service.SignResult, int]:
    """A final decision opened while the notice letter is not marked sent (as the code allowed before)."""
    res = proposal(db, adm)
    with db.session() as s:
        letter = s.get(AdmLetter, res.letter_id)
        assert letter is not None
        letter.kind = "adm_decision"  # hidden from the check for a moment
    final_id = service.open_final_decision(db, adm, res.qd_id, D(2026, 1, 29))
    with db.session() as s:
        letter = s.get(AdmLetter, res.letter_id)
        assert letter is not None
        letter.kind = "adm_qd_notice"
    return res, final_id


def test_a_notice_marked_sent_after_the_final_decision_opened_is_refused(db: Database,
                                                                         adm_user: Principal) -> None:
    res, final_id = _open_final_unsent(db, adm_user)
    with pytest.raises(Conflict, match=rf"The final decision after this notice \(decision {final_id}\) was opened "
                                       r"on \d\d/\d\d/\d{4}; .*from 28/01/2026 to .*Record the day the notice "
                                       r"was sent before opening the final decision"):
        service.mark_letter_sent(db, adm_user, res.letter_id, D(2025, 12, 10))
    q = qd_row(db, res.qd_id)
    assert q.notice_sent_on == PROPOSED and q.deadline == D(2026, 1, 28)
    with db.session() as s:
        assert s.get(AdmLetter, res.letter_id).sent_on is None  # type: ignore[union-attr]
    # sent the day of the proposal: the period does not move, so it is recorded
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    with db.session() as s:
        assert s.get(AdmLetter, res.letter_id).sent_on == PROPOSED  # type: ignore[union-attr]


def test_a_notice_marked_sent_after_the_final_decision_signed_is_refused(db: Database,
                                                                         adm_user: Principal) -> None:
    res, final_id = _open_final_unsent(db, adm_user)
    service.record_decision(db, adm_user, final_id, outcome="not_approve", decision_text="Final: not approved.",
                            reasons="No representations were received in the period.")
    service.sign_decision(db, adm_user, final_id, TEST_PASSWORD, D(2026, 1, 29))
    with pytest.raises(Conflict, match=r"The final decision after this notice was signed on 29/01/2026; "):
        service.mark_letter_sent(db, adm_user, res.letter_id, D(2026, 1, 20))
    q = qd_row(db, res.qd_id)
    assert q.notice_sent_on == PROPOSED and q.deadline == D(2026, 1, 28)


# --- 2. an IRM application pauses the open final decision's clock ----------------------------------

def test_an_irm_application_pauses_the_open_final_decision_until_its_recommendation(db: Database,
                                                                                     adm_user: Principal) -> None:
    from tests.adm.test_adm_work_flags import _adm_lines
    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 15), summary="We disagree.")
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2025, 12, 16))
    assert final_decision(db, final_id).due_on is not None  # counting from the representations
    service.record_irm_application(db, adm_user, res.qd_id, applied_on=D(2025, 12, 17))
    row = _row(db, adm_user, final_id, D(2026, 1, 20))  # weeks past the old due date
    assert (row.clock_code, row.clock_label, row.due_on) == ("paused", "Paused: IRM recommendation awaited", None)
    assert service.get_decision(db, adm_user, final_id, D(2026, 1, 20)).row.clock_code == "paused"
    assert all(ln.tone != "overdue" for ln in _adm_lines(db, adm_user, D(2026, 1, 20), final_id))
    with pytest.raises(Conflict, match="IRM recommendation"):
        service.check_signable(db, adm_user, final_id, D(2026, 1, 20))
    # the recommendation restarts the clock from its date, with the full working days
    service.record_irm_recommendation(db, adm_user, res.qd_id, received_on=D(2026, 1, 15),
                                      recommendation="The review panel recommends approval.")
    with db.session() as s:
        due = calendar(s).add_working_days(D(2026, 1, 15), 7)
    row = _row(db, adm_user, final_id, D(2026, 1, 20))
    assert row.received_on == D(2026, 1, 15) and row.due_on == due and row.clock_code != "paused"
    assert _row(db, adm_user, final_id, due + dt.timedelta(days=1)).clock_code == "overdue"


def test_information_logged_while_the_irm_is_awaited_leaves_the_clock_paused(db: Database,
                                                                            adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 15), summary="We disagree.")
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2025, 12, 16))
    service.request_information(db, adm_user, final_id, what="The social worker's view of the representations.",
                                requested_on=D(2025, 12, 16))
    service.record_irm_application(db, adm_user, res.qd_id, applied_on=D(2025, 12, 17))
    assert service.log_information(db, adm_user, final_id, received_on=D(2025, 12, 18)) is None
    row = _row(db, adm_user, final_id, D(2026, 1, 20))
    assert (row.clock_code, row.due_on) == ("paused", None)


def test_the_clock_label_of_a_final_decision_waiting_for_the_irm() -> None:
    from adoption_desktop.core.workdays import WorkingCalendar
    cal = WorkingCalendar(())
    status = rules.clock_status(rules.STATE_PENDING, None, None, None, D(2026, 1, 20), cal)
    assert (status.code, status.label) == ("paused", "Paused: IRM recommendation awaited")
    asked = rules.clock_status(rules.STATE_PAUSED, None, D(2026, 1, 5), None, D(2026, 1, 20), cal)
    assert asked.label == "Paused since 05/01/2026"


def test_a_pause_still_open_stops_the_clock_even_when_another_pause_ended_after_it_began() -> None:
    from adoption_desktop.core.workdays import WorkingCalendar
    cal = WorkingCalendar(())
    pauses = [rules.Pause(D(2025, 12, 16), D(2025, 12, 18)), rules.Pause(D(2025, 12, 17), None)]
    clock = rules.decision_clock(D(2025, 12, 15), pauses, 7, cal)
    assert (clock.due_on, clock.paused_since) == (None, D(2025, 12, 17))
    # the open one closed: the clock counts again
    done = rules.decision_clock(D(2025, 12, 15), [pauses[0], rules.Pause(D(2025, 12, 17), D(2025, 12, 19))], 7,
                                cal)
    assert done.paused_since is None and done.due_on is not None


# --- 3. a proposal whose final decision is opened or signed is not corrected ------------------------

def _correct_proposal(db: Database, adm: Principal, did: int, day: dt.date) -> service.SignResult:
    return service.correct_decision(db, adm, did, TEST_PASSWORD, reason="Typo in the reasons.",
                                    outcome="not_approve", decision_text="I propose not to approve you.",
                                    reasons="Corrected reasons: the assessment did not show capacity.",
                                    decided_on=day)


def _letters(db: Database) -> list[tuple[int, str]]:
    from sqlalchemy import select
    with db.session() as s:
        return [(r.id, r.kind) for r in s.scalars(select(AdmLetter).order_by(AdmLetter.id))]


def test_a_proposal_is_not_corrected_once_its_final_decision_is_opened_or_signed(db: Database,
                                                                                 adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    with db.session() as s:
        did = s.get(AdmLetter, res.letter_id).decision_id  # type: ignore[union-attr]
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2026, 1, 29))
    before = _letters(db)
    with pytest.raises(Conflict, match=rf"cannot be corrected: its final decision \(decision {final_id}\) is open"):
        _correct_proposal(db, adm_user, did, D(2026, 1, 29))
    assert _letters(db) == before
    service.record_decision(db, adm_user, final_id, outcome="not_approve", decision_text="Final: not approved.",
                            reasons="No representations were received in the period.")
    service.sign_decision(db, adm_user, final_id, TEST_PASSWORD, D(2026, 2, 2))
    before = _letters(db)
    with pytest.raises(Conflict, match=rf"its final decision was signed on 02/02/2026 \(decision {final_id}\); "
                                       r"correct the final decision instead"):
        _correct_proposal(db, adm_user, did, D(2026, 2, 3))
    assert _letters(db) == before  # no new notice letter with a past deadline
    assert service.get_decision(db, adm_user, did, D(2026, 2, 3), opening=False).history[-1].version == 1


def test_a_proposal_is_still_corrected_before_its_final_decision_is_opened(db: Database,
                                                                           adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    with db.session() as s:
        did = s.get(AdmLetter, res.letter_id).decision_id  # type: ignore[union-attr]
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 15), summary="We disagree.")
    r = _correct_proposal(db, adm_user, did, D(2025, 12, 16))
    assert r.qd_id == res.qd_id and _letters(db)[-1] == (r.letter_id, "adm_qd_notice")


# --- 4. the order message of a final decision names what started its clock --------------------------

def test_a_final_decision_dated_before_its_clock_started_says_what_started_it(db: Database,
                                                                              adm_user: Principal) -> None:
    from adoption_desktop.core.errors import ValidationError
    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2026, 1, 29))
    service.record_decision(db, adm_user, final_id, outcome="not_approve", decision_text="Final: not approved.",
                            reasons="No representations were received in the period.")
    with pytest.raises(ValidationError) as err:
        service.check_signable(db, adm_user, final_id, D(2026, 1, 27))
    assert str(err.value) == ("Decision date: must be on or after 28/01/2026, when the applicants' 40 working days "
                              "for representations or an IRM application ended.")
    assert "minutes" not in str(err.value)
    assert service.check_signable(db, adm_user, final_id, D(2026, 1, 28)) == 0


def test_a_final_decision_after_representations_is_dated_on_or_after_them(db: Database,
                                                                          adm_user: Principal) -> None:
    from adoption_desktop.core.errors import ValidationError
    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 15), summary="We disagree.")
    final_id = service.open_final_decision(db, adm_user, res.qd_id, D(2025, 12, 16))
    service.record_decision(db, adm_user, final_id, outcome="not_approve", decision_text="Final: not approved.",
                            reasons="The representations do not change the assessment.")
    with pytest.raises(ValidationError, match=r"^Decision date: must be on or after 15/12/2025, when the "
                                              r"applicants' representations were received\.$"):
        service.check_signable(db, adm_user, final_id, D(2025, 12, 12))


def test_the_words_for_what_started_a_final_decisions_clock() -> None:
    end, reps, irm = D(2026, 1, 28), D(2026, 1, 12), D(2026, 1, 20)
    assert rules.qd_final_started(end, None, None).endswith("40 working days for representations or an IRM "
                                                            "application ended")
    assert rules.qd_final_started(end, reps, None) == "when the applicants' representations were received"
    assert rules.qd_final_started(end, reps, irm) == "when the IRM recommendation was received"
    assert rules.qd_final_started(end, irm, irm) == ("when the applicants' representations and the IRM "
                                                     "recommendation were received")
    # a panel decision keeps its own words
    [msg] = rules.order_problems(D(2026, 1, 12), D(2026, 1, 9), D(2026, 2, 1))
    assert msg.endswith("when the final minutes (or papers) were received.")
    [msg] = rules.order_problems(D(2026, 1, 12), D(2026, 1, 9), D(2026, 2, 1), started=rules.qd_final_started(
        end, reps, None))
    assert msg == "Decision date: must be on or after 12/01/2026, when the applicants' representations were received."
