"""An ADM's trial (5 December, night): a corrected notice that told the family a deadline already passed, a
correction whose wording contradicted its outcome, a final decision letter with the program's placeholder
printed as the ADM's words and the staff's note quoted to the applicants, a final decision offered and
explained as a proposal, and an approval letter that said its decision twice with the advice as raw data."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.adm import documents, rules, service
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from tests.adm.conftest import handoff, open_from_panel
from tests.adm.test_qd_clock import PROPOSED, audit_details, proposal, qd_row
from tests.adm.test_service import pdf_text
from tests.conftest import TEST_PASSWORD

D = dt.date
PROPOSAL = "I propose not to approve you as prospective adopters."


def _flat(db: Database, adm: Principal, letter_id: int) -> str:
    return " ".join(pdf_text(service.letter_pdf(db, adm, letter_id)).split())


def test_a_corrected_notice_gives_the_40_working_days_from_its_own_date(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)  # signed 1 December 2025: the period ends on 28 January 2026
    did = qd_row(db, res.qd_id).decision_id
    late = D(2026, 2, 16)  # after the first period ended
    assert service.corrected_period(db, adm_user, did, late) == D(2026, 4, 14)
    fixed = service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="The reasons named the wrong report.",
                                     outcome="not_approve", decision_text=PROPOSAL,
                                     reasons="The second opinion did not show capacity.", decided_on=late)
    q = qd_row(db, res.qd_id)
    assert (q.notice_sent_on, q.deadline) == (late, D(2026, 4, 14))  # Easter 2026 counted
    text = _flat(db, adm_user, fixed.letter_id)
    assert "14 April 2026" in text and "28 January 2026" not in text
    [entry] = audit_details(db, "qd_notice_corrected")
    assert "2025-12-01 -> 2026-02-16" in entry and "2026-01-28 -> 2026-04-14" in entry
    # a correction that is not a proposal has no period to restart
    assert service.corrected_period(db, adm_user, fixed.decision_id, late) is None


def test_a_correction_on_the_notices_own_day_keeps_its_period(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    did = qd_row(db, res.qd_id).decision_id
    assert service.corrected_period(db, adm_user, did, PROPOSED) is None
    service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="A typing error in the reasons.",
                             outcome="not_approve", decision_text=PROPOSAL,
                             reasons="The assessment did not show capacity.", decided_on=PROPOSED)
    assert qd_row(db, res.qd_id).deadline == D(2026, 1, 28) and not audit_details(db, "qd_notice_corrected")


@pytest.mark.parametrize(("outcome", "text", "said"), [
    ("not_approve", "I have decided that you are suitable to adopt one or two children.", "says it is decided"),
    ("agree", "I propose that you are not suitable to adopt a child.", "another outcome"),
    ("agree", "I propose to approve you.", "only proposed"),
])
def test_wording_that_contradicts_the_outcome_is_refused(db: Database, adm_user: Principal, outcome: str,
                                                         text: str, said: str) -> None:
    res = proposal(db, adm_user) if outcome == "not_approve" else None
    if res is not None:
        did = qd_row(db, res.qd_id).decision_id
        with pytest.raises(ValidationError, match=said) as caught:
            service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="Wording changed on review.",
                                     outcome=outcome, decision_text=text,
                                     reasons="The assessment did not show capacity.", decided_on=PROPOSED)
    else:
        with db.session() as s:
            did = open_from_panel(s, handoff(recommendation="suitable"))
        service.record_decision(db, adm_user, did, outcome=outcome, decision_text=text, reasons="")
        with pytest.raises(ValidationError, match=said) as caught:
            service.sign_decision(db, adm_user, did, TEST_PASSWORD, PROPOSED)
    assert caught.value.field == "decision_text"
    # the outcome's own sentence and the ADM's own terms are accepted
    assert rules.wording_clash("approval", "suitable", "agree",
                               "I have decided that you are suitable to adopt up to two children.") is None
    assert rules.wording_clash("approval", "suitable", "agree", "Approved for one child aged 0 to 4.") is None


def _final(db: Database, adm: Principal) -> tuple[service.SignResult, int]:
    res = proposal(db, adm)
    service.mark_letter_sent(db, adm, res.letter_id, PROPOSED)
    service.record_representations(db, adm, res.qd_id, received_on=D(2026, 1, 12),
                                   summary="The applicants say the assessor did not meet their support network.")
    return res, service.open_final_decision(db, adm, res.qd_id, D(2026, 1, 13))


def test_the_final_decision_starts_on_a_sentence_of_its_own_and_quotes_no_staff_note(db: Database,
                                                                                     adm_user: Principal) -> None:
    _res, final_id = _final(db, adm_user)
    detail = service.get_decision(db, adm_user, final_id, D(2026, 1, 13))
    start = rules.default_outcome("approval", "not_suitable")
    assert detail.decision_text == rules.decision_sentence("approval", "not_suitable", start, "qd_final")
    assert "Final decision after the qualifying determination" not in detail.decision_text
    assert "Representations (12/01/2026)" in detail.minutes_extract  # for the ADM, in day/month/year
    service.record_decision(db, adm_user, final_id, outcome="not_approve", decision_text=detail.decision_text,
                            reasons="The representations do not change the assessment's findings.")
    signed = service.sign_decision(db, adm_user, final_id, TEST_PASSWORD, D(2026, 1, 15))
    text = _flat(db, adm_user, signed.letter_id)
    assert "My final decision is that you are not suitable to adopt a child." in text
    assert "We received your representations on 12 January 2026, and I have considered them." in text
    assert "assessor did not meet" not in text and "Final decision after" not in text


def test_an_older_versions_placeholder_is_not_printed_as_the_adms_words() -> None:
    assert rules.is_program_wording("Final decision after the qualifying determination of 2026-09-24",
                                    "termination", "terminate")
    assert not rules.is_program_wording("Final decision after a long review.", "termination", "terminate")


def test_a_final_decision_is_offered_and_explained_as_final() -> None:
    assert rules.outcome_label("not_approve", "termination", "qd_final") == ("Final decision: approval ended "
                                                                            "(the route ends)")
    assert rules.outcome_label("agree", "approval", "qd_final") == "Final decision: approved"
    assert rules.outcome_label("not_approve", "approval", "panel") == "Propose not to approve (qualifying determination)"
    assert rules.outcome_label("agree", "plan_for_adoption", "direct") == "Agree with the recommendation in the papers"
    assert "route ends here" in rules.signing_effect("not_approve", "qd_final")
    assert "40 working days" not in rules.signing_effect("not_approve", "qd_final")
    assert "40 working days" in rules.signing_effect("not_approve", "panel")
    tips = rules.outcome_problems("approval", "not_suitable", "agree", "qd_final")
    assert tips and "proposal not to approve" not in tips[0] and "Final decision: not approved" in tips[0]


def test_the_pane_names_the_final_outcomes(db: Database, adm_user: Principal, qtbot: object) -> None:
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    _res, final_id = _final(db, adm_user)
    page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True)), today=D(2026, 1, 13))
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    page.select_decision(final_id)
    combo = page.detail.outcome
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert "Final decision: not approved (the route ends)" in labels
    assert not any(label.startswith("Propose") for label in labels)


def test_the_approval_letter_says_its_decision_once_and_the_advice_in_words(db: Database,
                                                                            adm_user: Principal) -> None:
    h = dataclasses.replace(handoff(recommendation="suitable"),
                            advice="number of children: 1; age range: 0-2 years; sex: either")
    with db.session() as s:
        did = open_from_panel(s, h)
    service.record_decision(db, adm_user, did, outcome="agree",
                            decision_text="I have decided that you are suitable to adopt up to two children aged "
                                          "0 to 4.", reasons="")
    signed = service.sign_decision(db, adm_user, did, TEST_PASSWORD, PROPOSED)
    text = _flat(db, adm_user, signed.letter_id)
    assert text.count("I have decided that") == 1
    assert "I have decided that you are suitable to adopt up to two children aged 0 to 4." in text
    # the ADM decided other terms than the advice: the advice is reported, not accepted
    assert "The panel's advice was: one child, aged 0 to 2 years, of either sex." in text
    assert documents.advice_words("number of children: 2; sex: female") == "two children, female."
    assert documents.advice_words("Up to two children aged 0 to 5") == "Up to two children aged 0 to 5."


def test_the_qd_tab_says_when_the_period_is_over(db: Database, adm_user: Principal, qtbot: object) -> None:
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    did = qd_row(db, res.qd_id).decision_id
    for today, said in ((D(2026, 1, 28), False), (D(2026, 1, 29), True)):
        page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True)), today=today)
        qtbot.addWidget(page)  # type: ignore[attr-defined]
        page.select_decision(did)
        text = page.detail.qd_summary.text()
        assert ("The period ended on 28 January 2026" in text) is said, text


def test_the_days_letters_leave_out_those_replaced_since(db: Database, adm_user: Principal, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A trial's day batch held a decision's letter beside its correction's, and a notice beside its
    replacement."""
    from pypdf import PdfReader

    from adoption_desktop import cli

    res = proposal(db, adm_user)
    did = qd_row(db, res.qd_id).decision_id
    fixed = service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="The reasons named the wrong report.",
                                     outcome="not_approve", decision_text=PROPOSAL,
                                     reasons="The second opinion did not show capacity.", decided_on=PROPOSED)
    with db.session() as s:
        other = open_from_panel(s, handoff(recommendation="suitable", ref="ADP-2025-0500"))
    service.record_decision(db, adm_user, other, outcome="agree",
                            decision_text=rules.decision_sentence("approval", "suitable", "agree"), reasons="")
    kept = service.sign_decision(db, adm_user, other, TEST_PASSWORD, PROPOSED)
    left_out: list[str] = []
    out = tmp_path / "day.pdf"
    assert service.print_day(db, adm_user, PROPOSED, out, left_out=left_out) == 2
    assert len(left_out) == 1 and f"letter {res.letter_id} " in left_out[0] and "replaced by the notice" in left_out[0]
    text = " ".join((p.extract_text() or "") for p in PdfReader(str(out)).pages)
    assert "The second opinion did not show capacity." in text
    assert "The assessment did not show capacity" not in text  # the first version's reasons
    assert "ADP-2025-0500" in text and fixed.letter_id != kept.letter_id
    assert db.path is not None
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    assert cli.main(["export", "adm-letters-day", "--db", str(db.path), "--user", "decider", "--date",
                     str(PROPOSED), "--out", str(tmp_path / "cli.pdf")]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Wrote 2 letters dated 01/12/2025") and f"Letter {res.letter_id} (" in said


@pytest.mark.parametrize("today", [D(2026, 12, 5), D(2026, 12, 7), D(2026, 12, 28)])  # Sat, Mon, bank holiday
def test_the_demo_has_a_paused_decision_whatever_the_day(open_demo: Any, today: dt.date) -> None:
    """A demo dated on a Saturday showed "Paused 0" though the README promises a paused decision."""
    from sqlalchemy import func, select

    from adoption_desktop.adm.models import AdmDecision

    db = open_demo(today)
    with db.session(write=False) as s:
        paused = s.scalar(select(func.count()).select_from(AdmDecision).where(AdmDecision.state == rules.STATE_PAUSED))
    assert paused == 1


def test_a_signed_decision_changed_outside_the_application_says_so_on_opening(db: Database,
                                                                              adm_user: Principal) -> None:
    """A trial changed a signed decision's text in SQL: the pane showed it as genuine."""
    from sqlalchemy import text

    res = proposal(db, adm_user)
    did = qd_row(db, res.qd_id).decision_id
    assert service.get_decision(db, adm_user, did, PROPOSED).seal_problem == ""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE adm_decisions SET decision_reasons = 'Not approved.' WHERE id = :i"), {"i": did})
    problem = service.get_decision(db, adm_user, did, PROPOSED).seal_problem
    assert problem.startswith("This signed decision is not as it was signed") and "verify" in problem


def test_the_queue_reference_names_the_final_decision_after_a_qd(db: Database, adm_user: Principal) -> None:
    """"--decision AD-2026-0134" was refused as two decisions: the proposal and its final decision. While the
    final decision is only opened, the reference names the signed proposal (its notice); once signed, it."""
    res, final_id = _final(db, adm_user)
    did = qd_row(db, res.qd_id).decision_id
    ref = service.get_decision(db, adm_user, did, D(2026, 1, 13)).row.subject_reference
    assert service.decision_id_for(db, adm_user, ref) == did
    service.record_decision(db, adm_user, final_id, outcome="not_approve",
                            decision_text=rules.decision_sentence("approval", "not_suitable", "not_approve",
                                                                  "qd_final"),
                            reasons="The representations do not change the assessment's findings.")
    service.sign_decision(db, adm_user, final_id, TEST_PASSWORD, D(2026, 1, 15))
    assert service.decision_id_for(db, adm_user, ref) == final_id


def test_a_request_for_information_is_posted_though_its_decision_was_corrected(db: Database,
                                                                               adm_user: Principal,
                                                                               tmp_path: Path) -> None:
    with db.session() as s:
        did = open_from_panel(s, handoff(recommendation="suitable", received=D(2025, 12, 1)))
    service.request_information(db, adm_user, did, what="The medical adviser's report.",
                                requested_on=D(2025, 12, 2), today=D(2025, 12, 2))
    service.log_information(db, adm_user, did, received_on=D(2025, 12, 3), note="Received.", today=D(2025, 12, 3))
    sentence = rules.decision_sentence("approval", "suitable", "agree")
    service.record_decision(db, adm_user, did, outcome="agree", decision_text=sentence, reasons="")
    service.sign_decision(db, adm_user, did, TEST_PASSWORD, D(2025, 12, 4))
    service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="The advice was left out.", outcome="agree",
                             decision_text=sentence, reasons="", decided_on=D(2025, 12, 4))
    left_out: list[str] = []
    assert service.print_day(db, adm_user, D(2025, 12, 2), tmp_path / "d.pdf", left_out=left_out) == 1
    assert left_out == []
