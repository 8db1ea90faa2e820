"""User trial: the demo recorded every qualifying-determination notice as sent days after its date while the
applicants' 40 working days still ran from the notice date, which the program itself never allows (a notice
marked sent later moves the period: ``service.letters._notice_sent``). The demo's clocks rested on it."""

from __future__ import annotations

from sqlalchemy import select

from adoption_desktop.adm.models import AdmDecision, AdmLetter, AdmQualifyingDetermination
from adoption_desktop.core.storage.engine import Database


def test_every_sent_notice_in_the_demo_runs_its_period_from_the_day_it_was_sent(small_demo_db: Database) -> None:
    with small_demo_db.session(write=False) as s:
        rows = s.execute(
            select(AdmLetter.sent_on, AdmQualifyingDetermination.notice_sent_on)
            .join(AdmDecision, AdmDecision.id == AdmLetter.decision_id)
            .join(AdmQualifyingDetermination, AdmQualifyingDetermination.decision_id == AdmDecision.id)
            .where(AdmLetter.kind == "adm_qd_notice", AdmLetter.sent_on.is_not(None))).all()
    assert rows, "the demo has qualifying-determination notices sent"
    assert [(sent, notice) for sent, notice in rows if sent > notice] == []


def test_the_queues_count_line_counts_overdue_follow_ups(small_demo_db: Database, qtbot: object) -> None:
    """User trial: "0 overdue" beside a red "Final decision overdue" row."""
    from adoption_desktop import demo
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.core.security.service import authenticate
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    page = AdmPage(AppContext(small_demo_db, authenticate(small_demo_db, "adm", demo.DEMO_PASSWORD),
                              TaskRunner(synchronous=True)))
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    late = [r for r in page.model.rows() if r.clock_code in ("qd_final_overdue", "notice_overdue")]
    text = page.count_label.text()
    assert late, "the demo has a follow-up overdue"
    assert f"({len(late)} of them overdue)" in text


def test_the_demo_records_no_oral_notification_of_a_plan_for_adoption(small_demo_db: Database) -> None:
    """User trial: oral notifications were recorded on children's plans for adoption, which have no applicants
    to tell (``rules.has_applicants``): only the letter to the social worker."""
    from adoption_desktop.adm.models import AdmNotification

    with small_demo_db.session(write=False) as s:
        plans = s.scalars(select(AdmNotification.id).join(AdmDecision, AdmDecision.id == AdmNotification.decision_id)
                          .where(AdmDecision.decision_type == "plan_for_adoption",
                                 AdmNotification.kind == "oral")).all()
        letters = s.scalars(select(AdmNotification.id).join(AdmDecision, AdmDecision.id == AdmNotification.decision_id)
                            .where(AdmDecision.decision_type == "plan_for_adoption",
                                   AdmNotification.kind == "written")).all()
    assert letters, "the demo's plans have their letters sent"
    assert plans == []


def test_the_demo_final_decisions_reasons_match_what_happened(small_demo_db: Database) -> None:
    """User trial: a final decision letter said "We did not receive representations or an IRM application",
    then "My reasons are: The representations were considered carefully"."""
    with small_demo_db.session(write=False) as s:
        finals = s.execute(select(AdmDecision.decision_reasons, AdmQualifyingDetermination.representations_on,
                                  AdmQualifyingDetermination.irm_applied_on)
                           .join(AdmQualifyingDetermination, AdmQualifyingDetermination.id == AdmDecision.qd_id)
                           .where(AdmDecision.source == "qd_final")).all()
        letters = [c for c, in s.execute(select(AdmLetter.content).where(AdmLetter.kind == "adm_final_decision"))]
    assert finals, "the demo has final decisions"
    for reasons, representations, irm in finals:
        if representations is None and irm is None:
            assert "representations were considered" not in reasons
    assert letters
    for content in letters:
        if "did not receive representations" in content:
            assert "representations were considered" not in content
