"""What is still owed on a signed decision shows in the queue and in My work (an ADM user trial found it
nowhere): the final decision after a qualifying determination once the representations period has ended
or the applicants (or the IRM) have answered, and the applicants' oral and written notification once past
due. A decision without panel cannot have its papers received in the future."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.adm import service
from adoption_desktop.adm.service.data import DecisionRow
from adoption_desktop.adm.views.queue_model import queue_filter
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports.my_work import OVERDUE, WorkLine, my_work
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD

D = dt.date


def _opened(db: Database, **kw: object) -> int:
    with db.session() as s:
        return open_from_panel(s, handoff(**kw))  # type: ignore[arg-type]


def _proposal(db: Database, adm: Principal) -> tuple[int, int]:
    """A proposal not to approve signed on Monday 1/12/2025 (representations period to 28/01/2026), the
    applicants told orally and the notice sent the same day: (decision id, qualifying determination id)."""
    did = _opened(db, recommendation="not_suitable", ref="ADP-2025-0300")
    service.record_decision(db, adm, did, outcome="not_approve",
                            decision_text="I propose not to approve you as prospective adopters.",
                            reasons="The assessment did not show capacity to meet a child's needs.")
    res = service.sign_decision(db, adm, did, TEST_PASSWORD, D(2025, 12, 1))
    assert res.qd_id is not None and res.letter_id is not None
    service.record_oral_notification(db, adm, did, D(2025, 12, 1))
    service.mark_letter_sent(db, adm, res.letter_id, D(2025, 12, 1))
    return did, res.qd_id


def _row(db: Database, adm: Principal, did: int, today: dt.date) -> DecisionRow:
    return next(r for r in service.list_queue(db, adm, today) if r.id == did)


def _adm_lines(db: Database, adm: Principal, today: dt.date, did: int) -> list[WorkLine]:
    work = my_work(db, adm, today)
    return [ln for s in work.sections if s.key == "adm" for ln in s.lines if ln.record_id == did]


def test_qd_waits_while_the_applicants_still_have_time(db: Database, adm_user: Principal) -> None:
    did, _qd = _proposal(db, adm_user)
    assert _row(db, adm_user, did, D(2026, 1, 28)).clock_code == "decided_on_time"
    assert _adm_lines(db, adm_user, D(2026, 1, 28), did) == []


def test_qd_period_ended_flags_the_final_decision(db: Database, adm_user: Principal) -> None:
    did, qd_id = _proposal(db, adm_user)
    row = _row(db, adm_user, did, D(2026, 1, 29))
    assert row.clock_code == "qd_final_due"
    assert row.clock_label == "QD: representations period ended 28/01/2026 — final decision due 06/02/2026"
    keep = queue_filter("", "", "open")
    assert keep is not None and keep(row)  # a signed decision with something owed stays in the default view
    # "Overdue or due today" keeps it only once the final decision is due (review: it showed one due next week)
    assert row.due_on == D(2026, 2, 6)
    urgent = queue_filter("", "", "overdue", today=D(2026, 1, 29))
    assert urgent is not None and not urgent(row)
    on_the_day = _row(db, adm_user, did, D(2026, 2, 6))
    urgent = queue_filter("", "", "overdue", today=D(2026, 2, 6))
    assert urgent is not None and urgent(on_the_day)
    late = _adm_lines(db, adm_user, D(2026, 2, 9), did)
    assert len(late) == 1 and late[0].tone == OVERDUE and late[0].due == D(2026, 2, 6)
    assert "QD: representations period ended 28/01/2026 — final decision due 06/02/2026" in late[0].detail
    assert _row(db, adm_user, did, D(2026, 2, 9)).clock_code == "qd_final_overdue"
    # once opened, the pending final decision carries the clock; the proposal no longer does
    final_id = service.open_final_decision(db, adm_user, qd_id, D(2026, 2, 9))
    assert _row(db, adm_user, did, D(2026, 2, 9)).clock_code == "decided_on_time"
    assert _adm_lines(db, adm_user, D(2026, 2, 9), did) == []
    assert _row(db, adm_user, final_id, D(2026, 2, 9)).state == "pending"


def test_representations_in_flag_the_final_decision_before_the_period_ends(db: Database,
                                                                           adm_user: Principal) -> None:
    did, qd_id = _proposal(db, adm_user)
    service.record_representations(db, adm_user, qd_id, received_on=D(2026, 1, 12),
                                   summary="The applicants sent references from their support network.")
    row = _row(db, adm_user, did, D(2026, 1, 13))
    assert row.clock_code == "qd_final_due"
    assert row.clock_label == "QD: representations received 12/01/2026 — final decision due 21/01/2026"
    lines = _adm_lines(db, adm_user, D(2026, 1, 13), did)
    assert len(lines) == 1 and "representations received 12/01/2026" in lines[0].detail


def test_irm_recommendation_in_flags_the_final_decision(db: Database, adm_user: Principal) -> None:
    did, qd_id = _proposal(db, adm_user)
    service.record_irm_application(db, adm_user, qd_id, applied_on=D(2026, 1, 5))
    # waiting for the IRM: nothing the decision maker can do, even after the period
    assert _row(db, adm_user, did, D(2026, 2, 2)).clock_code == "decided_on_time"
    service.record_irm_recommendation(db, adm_user, qd_id, received_on=D(2026, 3, 2),
                                      recommendation="The review panel recommends approval.")
    row = _row(db, adm_user, did, D(2026, 3, 3))
    assert row.clock_label == "QD: IRM recommendation received 02/03/2026 — final decision due 11/03/2026"


def test_overdue_notifications_are_flagged_until_recorded(db: Database, adm_user: Principal) -> None:
    did = _opened(db, ref="ADP-2025-0301")
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 3))  # oral by 5/12, written by 10/12
    assert _row(db, adm_user, did, D(2025, 12, 5)).clock_code == "decided_on_time"
    row = _row(db, adm_user, did, D(2025, 12, 11))
    assert row.clock_code == "notice_overdue"
    assert row.clock_label == ("Oral notification overdue (due 05/12/2025) and written notification overdue "
                               "(due 10/12/2025)")
    assert _row(db, adm_user, did, D(2025, 12, 8)).clock_label == "Oral notification overdue (due 05/12/2025)"
    lines = _adm_lines(db, adm_user, D(2025, 12, 8), did)
    assert len(lines) == 1 and lines[0].tone == OVERDUE
    assert lines[0].detail.endswith("Oral notification overdue (due 05/12/2025)")
    service.record_oral_notification(db, adm_user, did, D(2025, 12, 8))
    assert _row(db, adm_user, did, D(2025, 12, 11)).clock_label == "Written notification overdue (due 10/12/2025)"
    assert res.letter_id is not None
    service.mark_letter_sent(db, adm_user, res.letter_id, D(2025, 12, 11))
    assert _row(db, adm_user, did, D(2025, 12, 11)).clock_code == "decided_on_time"
    assert _adm_lines(db, adm_user, D(2025, 12, 11), did) == []


def test_a_childs_plan_owes_its_letter_to_the_social_worker_and_nobody_an_oral_notification(
        db: Database, adm_user: Principal) -> None:
    """A plan for adoption has no applicants: its letter goes to the child's social worker, so only the
    letter is flagged when late, and the pane says who gets it."""
    did = service.open_direct_decision(db, adm_user, decision_type="plan_for_adoption", subject_reference="CH-2025-0400",
                                       subject_initials="J.K.", received_on=D(2025, 12, 1), today=D(2025, 12, 1),
                                       proposal="Should be placed for adoption.", social_worker="Sam Worker")
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="The child should be placed for adoption.",
                            reasons="The plan meets the child's needs for permanence.")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 3))  # letter due 10/12
    assert _row(db, adm_user, did, D(2025, 12, 8)).clock_code == "decided_on_time"
    assert _adm_lines(db, adm_user, D(2025, 12, 8), did) == []
    row = _row(db, adm_user, did, D(2025, 12, 11))
    assert (row.clock_code, row.clock_label) == ("notice_overdue", "Written notification overdue (due 10/12/2025)")
    detail = service.get_decision(db, adm_user, did, D(2025, 12, 11))
    assert not detail.has_applicants and detail.oral_due is None and detail.written_due == D(2025, 12, 10)
    assert res.letter_id is not None
    service.mark_letter_sent(db, adm_user, res.letter_id, D(2025, 12, 11))
    assert _row(db, adm_user, did, D(2025, 12, 11)).clock_code == "decided_on_time"


def test_direct_decision_refuses_papers_received_in_the_future(db: Database, adm_user: Principal) -> None:
    kw: dict[str, str] = dict(decision_type="plan_for_adoption", subject_reference="CH-2026-0100",
                              subject_initials="J.K.", proposal="Should be placed for adoption.",
                              social_worker="Sam Worker")
    with pytest.raises(ValidationError) as err:
        service.open_direct_decision(db, adm_user, received_on=D(2026, 3, 3), today=D(2026, 3, 2), **kw)
    assert err.value.field == "received_on"
    assert "03/03/2026 is in the future" in str(err.value)
    did = service.open_direct_decision(db, adm_user, received_on=D(2026, 3, 2), today=D(2026, 3, 2), **kw)
    assert _row(db, adm_user, did, D(2026, 3, 2)).received_on == D(2026, 3, 2)


def _signed_and_told(db: Database, adm: Principal) -> tuple[int, int]:
    """An approval signed on Wednesday 3/12/2025, the applicants told orally and its letter sent the same day:
    (decision id, letter id)."""
    did = _opened(db, ref="ADP-2025-0302")
    service.record_decision(db, adm, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    res = service.sign_decision(db, adm, did, TEST_PASSWORD, D(2025, 12, 3))
    assert res.letter_id is not None
    service.record_oral_notification(db, adm, did, D(2025, 12, 3))
    service.mark_letter_sent(db, adm, res.letter_id, D(2025, 12, 3))
    assert _row(db, adm, did, D(2025, 12, 30)).clock_code == "decided_on_time"
    return did, res.letter_id


def test_a_correction_owes_the_applicants_its_own_letter(db: Database, adm_user: Principal) -> None:
    """Review: a corrected decision was never flagged as owing the applicants a notification: the old
    version's letter counted for it. Its own letter must be sent; the oral notification of the same outcome
    carries over."""
    did, _letter = _signed_and_told(db, adm_user)
    res = service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="The reasons named the wrong panel date.",
                                   outcome="agree", decision_text="Approved as suitable to adopt.",
                                   reasons="I agree with the panel's reasons of 1 December 2025.",
                                   decided_on=D(2025, 12, 8))  # written due by 15/12
    new = res.decision_id
    assert _row(db, adm_user, new, D(2025, 12, 15)).clock_code == "decided_on_time"
    row = _row(db, adm_user, new, D(2025, 12, 16))
    assert row.clock_code == "notice_overdue"
    assert row.clock_label == "Written notification of the correction overdue (due 15/12/2025)"
    detail = service.get_decision(db, adm_user, new, D(2025, 12, 16))
    assert detail.oral_notified_on == D(2025, 12, 3) and detail.written_notified_on is None
    old = service.get_decision(db, adm_user, did, D(2025, 12, 16))
    assert old.written_notified_on == D(2025, 12, 3)  # the first version's own letter is still on its record
    assert res.letter_id is not None
    service.mark_letter_sent(db, adm_user, res.letter_id, D(2025, 12, 16))
    assert _row(db, adm_user, new, D(2025, 12, 16)).clock_code == "decided_on_time"
    assert service.get_decision(db, adm_user, new, D(2025, 12, 16)).written_notified_on == D(2025, 12, 16)


def test_a_correction_that_changes_the_outcome_is_told_again(db: Database, adm_user: Principal) -> None:
    did, _qd = _proposal(db, adm_user)  # told orally of the proposal not to approve on 1/12/2025
    res = service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="The proposal was recorded in error.",
                                   outcome="differ", decision_text="Approved as suitable to adopt.",
                                   reasons="I differ from the panel: the assessment shows the capacity needed.",
                                   decided_on=D(2025, 12, 8))  # oral due by 10/12, written by 15/12
    label = _row(db, adm_user, res.decision_id, D(2025, 12, 16)).clock_label
    assert label == ("Oral notification of the correction overdue (due 10/12/2025) and written notification of "
                     "the correction overdue (due 15/12/2025)")
    service.record_oral_notification(db, adm_user, res.decision_id, D(2025, 12, 16))
    assert _row(db, adm_user, res.decision_id, D(2025, 12, 16)).clock_label == (
        "Written notification of the correction overdue (due 15/12/2025)")


def test_told_of_version_rule() -> None:
    from adoption_desktop.adm.rules import told_of_version

    told = {1: {"oral": D(2025, 12, 1), "written": D(2025, 12, 2)}, 3: {"written": D(2025, 12, 9)}}
    assert told_of_version([(1, "agree")], told) == {"oral": D(2025, 12, 1), "written": D(2025, 12, 2)}
    # the same outcome corrected twice: told orally of the first, its own letter sent for the third
    assert told_of_version([(1, "agree"), (2, "agree"), (3, "agree")], told) == {
        "oral": D(2025, 12, 1), "written": D(2025, 12, 9)}
    assert told_of_version([(1, "agree"), (2, "agree")], told) == {"oral": D(2025, 12, 1)}
    # the outcome changed in between: the oral notification of the first version does not count
    assert told_of_version([(1, "not_approve"), (2, "differ"), (3, "differ")], told) == {"written": D(2025, 12, 9)}
    assert told_of_version([], told) == {}
