"""A tester's trial: a panel item reached the ADM with initials only, "Letter to" was left empty, and the
decision was signed and its letter filed as final addressed "The applicants (address on file)", opening
"Dear Sir or Madam" — also for a qualifying-determination notice, whose date starts the applicants' 40
working days. A decision whose letter is written to the applicants (carers, parents) is not signed without
their names and address, and the refusal says where to type them before the password is asked for.
Decisions whose letter goes to the child's social worker sign as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtWidgets import QWidget
from sqlalchemy import func, select

from adoption_desktop.adm import documents, rules, service
from adoption_desktop.adm.models import AdmDecision, AdmLetter, AdmQualifyingDetermination
from adoption_desktop.adm.views import detail as detail_module
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.forms import child
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import ADDRESS, handoff, open_from_panel
from tests.adm.test_service import pdf_text
from tests.conftest import TEST_PASSWORD, make_user

D = dt.date
SIGNED = D(2025, 12, 3)
FALLBACK = "(address on file)"


# --- the rule (plain Python) -----------------------------------------------------------------------

def test_a_panel_decision_needs_the_applicants_names_and_address() -> None:
    said = rules.letter_addressee_problem("approval", "panel", "agree", "suitable", "", "")
    assert said is not None and said.startswith("Letter to:") and "Alt+L" in said and "Decision tab" in said
    assert "the applicants" in said
    name_only = rules.letter_addressee_problem("approval", "panel", "agree", "suitable", "Mr and Mrs Test", "")
    assert name_only is not None and "has no address" in name_only and "Mr and Mrs Test" in name_only
    assert rules.letter_addressee_problem("approval", "panel", "agree", "suitable", ADDRESS, "") is None


def test_a_qualifying_determination_notice_says_the_40_days_start_from_it() -> None:
    said = rules.letter_addressee_problem("approval", "panel", "not_approve", "not_suitable", "", "")
    assert said is not None and "40 working days" in said


def test_letters_to_the_childs_social_worker_need_no_addressee() -> None:
    assert rules.letter_addressee_problem("plan_for_adoption", "direct", "agree", "proposed", "", "Sam Worker") is None
    assert rules.letter_addressee_problem("local_review", "direct", "agree", "proposed", "", "Sam Worker") is None
    # with nobody to write to, a decision without panel is told it may name the social worker instead
    said = rules.letter_addressee_problem("local_review", "direct", "agree", "proposed", "", "")
    assert said is not None and "social worker" in said and "Alt+K" in said
    # a reg 25A letter is the carers', whoever the social worker is
    said = rules.letter_addressee_problem("temporary_foster_approval", "direct", "agree", "proposed", "", "Sam Worker")
    assert said is not None and "foster carers' names and address" in said


TYPES = st.sampled_from([*rules.BUILTIN_TYPES, "local_review"])
SOURCES = st.sampled_from(["panel", "direct", "qd_final"])
RECOMMENDATIONS = st.sampled_from([*rules.RECOMMENDATION_CLAUSES, "proposed", "deferred"])
ADDRESSEES = st.sampled_from(["", "  \n ", "Mr A Test", "Mr A Test\n1 Any Road", "Ms B Test\n\n2 Any Road\nZZ99 1AA"])
WORKERS = st.sampled_from(["", "Sam Worker"])


@given(TYPES, SOURCES, st.sampled_from(list(rules.OUTCOMES)), RECOMMENDATIONS, ADDRESSEES, WORKERS)
def test_what_signs_is_a_letter_to_someone(decision_type: str, source: str, outcome: str, recommendation: str,
                                           addressee: str, worker: str) -> None:
    """Whatever the decision, a letter the rule lets be signed is addressed to a name with an address (or to the
    child's social worker by name), never to "The applicants (address on file)"; and every letter to the
    applicants with no address is refused."""
    if decision_type == "plan_for_adoption" and not worker:
        return  # refused when it is opened: its letter goes to the social worker, whose name is required
    problem = rules.letter_addressee_problem(decision_type, source, outcome, recommendation, addressee, worker)
    kind = rules.letter_kind(decision_type, source, outcome, recommendation)
    d = AdmDecision(decision_type=decision_type, source=source, outcome=outcome, recommendation=recommendation,
                    addressee=addressee, social_worker=worker)
    lines = documents._recipient(d, kind)
    if problem is None:
        assert FALLBACK not in lines and len(lines) >= 2
        assert lines[0] == worker or lines[0] == rules.address_lines(addressee)[0]
    if FALLBACK in lines:
        assert problem is not None and problem.startswith("Letter to:")


# --- the service (a real SQLCipher file) -----------------------------------------------------------

def _unaddressed(db: Database, adm: Principal, **kw: Any) -> int:
    """A panel item as the panel hands it over: initials only, Letter to empty."""
    with db.session() as s:
        did = open_from_panel(s, handoff(received=D(2025, 12, 1), **kw), addressee="")
    return did


def _letters(db: Database, did: int) -> int:
    with db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(AdmLetter).where(AdmLetter.decision_id == did)) or 0


def test_a_decision_to_the_applicants_is_not_signed_addressed_to_nobody(db: Database, adm_user: Principal) -> None:
    did = _unaddressed(db, adm_user)
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    with pytest.raises(ValidationError, match="Letter to: enter the names and address of the applicants") as said:
        service.check_signable(db, adm_user, did, SIGNED)
    assert said.value.field == "addressee" and "Alt+L" in str(said.value)
    # refused before the password is tried: a wrong one is not what the ADM is told
    with pytest.raises(ValidationError, match="Letter to") as again:
        service.sign_decision(db, adm_user, did, "not the password", SIGNED)
    assert again.value.field == "addressee"
    with pytest.raises(ValidationError, match="has no address"):
        version = service.get_decision(db, adm_user, did, SIGNED, opening=False).row_version
        version = service.set_letter_details(db, adm_user, did, addressee="Mr and Mrs Testcase", salutation="",
                                             social_worker="", expected_version=version)
        service.sign_decision(db, adm_user, did, TEST_PASSWORD, SIGNED)
    detail = service.get_decision(db, adm_user, did, SIGNED, opening=False)
    assert detail.signed_at is None and detail.row.state == "pending" and _letters(db, did) == 0
    service.set_letter_details(db, adm_user, did, addressee=ADDRESS, salutation="", social_worker="",
                               expected_version=detail.row_version)
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, SIGNED)
    text = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    assert "1 Any Road" in text and "Dear Mr and Mrs Testcase" in text
    assert "Sir or Madam" not in text and "address on file" not in text


def test_a_qualifying_determination_notice_is_not_signed_to_nobody(db: Database, adm_user: Principal) -> None:
    did = _unaddressed(db, adm_user, recommendation="not_suitable")
    service.record_decision(db, adm_user, did, outcome="not_approve",
                            decision_text="I propose that you are not suitable to adopt a child.",
                            reasons="The assessment did not show the household could meet a child's needs.")
    with pytest.raises(ValidationError, match="40 working days"):
        service.sign_decision(db, adm_user, did, TEST_PASSWORD, SIGNED)
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(AdmQualifyingDetermination)) == 0  # no period started
    assert _letters(db, did) == 0


def test_a_decision_whose_letter_goes_to_the_social_worker_still_signs(db: Database, adm_user: Principal) -> None:
    admin = make_user(db, "types_admin", Role.ADMINISTRATOR)
    service.add_decision_type(db, admin, "local_review", "Local review of a plan")
    did = service.open_direct_decision(db, adm_user, decision_type="local_review", subject_reference="CH-2025-0009",
                                       subject_initials="T.Y.", received_on=D(2025, 12, 1),
                                       proposal="The plan should continue.", social_worker="Sam Worker",
                                       today=SIGNED)
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="The plan continues.",
                            reasons="The plan meets the child's needs.")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, SIGNED)
    text = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    assert "Sam Worker" in text.split("Dear")[0] and "address on file" not in text


# --- the page: said before the password, the cursor put in Letter to ------------------------------------

def test_the_page_says_where_to_type_the_address_before_the_password(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: Any) -> None:
    did = _unaddressed(db, adm_user)
    page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True)), today=SIGNED)
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=2000)
    assert page.detail.detail is not None and page.detail.detail.row.id == did
    page.detail.tabs.setCurrentIndex(0)  # on the Recommendation tab
    asked: list[str] = []
    monkeypatch.setattr(detail_module.SignDialog, "exec", lambda dialog: asked.append("asked") or 0)
    page.detail.decision_reasons.setPlainText("I agree with the panel's reasons.")
    page.detail.sign()
    assert asked == []  # no password asked for
    assert page.message.isVisible() and "Letter to" in page.message.text() and "Alt+L" in page.message.text()
    assert page.detail.tabs.currentWidget() is child(page.detail.form, QWidget, "tab_decision")
    qtbot.waitUntil(lambda: page.detail.addressee.hasFocus(), timeout=2000)
    page.detail.addressee.setPlainText(ADDRESS)
    page.detail.sign()
    assert asked == ["asked"]  # now it can be signed: the password is asked for (and cancelled here)
    with db.session() as s:
        d = s.get(AdmDecision, did)
        assert d is not None and d.signed_at is None and d.addressee == ADDRESS


# --- a correction of a version signed before the rule: its letter is written to someone too ------------

def _signed_to_nobody(db: Database, adm: Principal, monkeypatch: Any) -> int:
    """A decision signed with Letter to empty, as one signed before signing checked it could be."""
    did = _unaddressed(db, adm)
    service.record_decision(db, adm, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    with monkeypatch.context() as m:
        m.setattr(rules, "letter_addressee_problem", lambda *a: None)
        service.sign_decision(db, adm, did, TEST_PASSWORD, SIGNED)
    return did


def test_a_correction_is_not_signed_to_nobody(db: Database, adm_user: Principal, monkeypatch: Any) -> None:
    """Review, 5 December: correcting such a version filed a corrected letter to "The applicants (address on
    file)". Refused before the password is tried, as signing is; signed once the address is given."""
    did = _signed_to_nobody(db, adm_user, monkeypatch)
    fix = {"reason": "The reasons left out the panel's view.", "outcome": "agree",
           "decision_text": "Approved as suitable to adopt.", "reasons": "I agree with the panel's reasons, all of them.",
           "decided_on": SIGNED}
    with pytest.raises(ValidationError, match="Letter to: enter the names and address") as said:
        service.correct_decision(db, adm_user, did, "not the password", **fix)
    assert said.value.field == "addressee"
    with pytest.raises(ValidationError, match="has no address"):
        service.correct_decision(db, adm_user, did, TEST_PASSWORD, addressee="Mr and Mrs Testcase", **fix)
    res = service.correct_decision(db, adm_user, did, TEST_PASSWORD, addressee=ADDRESS, salutation="", **fix)
    text = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    assert "1 Any Road" in text and "Dear Mr and Mrs Testcase" in text and FALLBACK not in text
    with db.session(write=False) as s:
        old, new = s.get(AdmDecision, did), s.get(AdmDecision, res.decision_id)
        assert old is not None and new is not None
        assert old.addressee == "" and new.addressee == ADDRESS  # the signed original stays as it was


def test_a_correction_keeps_the_letters_addressee_unless_changed(db: Database, adm_user: Principal) -> None:
    did = _unaddressed(db, adm_user)
    with db.session() as s:
        d = s.get(AdmDecision, did)
        assert d is not None
        d.addressee, d.salutation = ADDRESS, "Dear Ms Testcase"
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.")
    service.sign_decision(db, adm_user, did, TEST_PASSWORD, SIGNED)
    res = service.correct_decision(db, adm_user, did, TEST_PASSWORD, reason="A word was wrong in the reasons.",
                                   outcome="agree", decision_text="Approved as suitable to adopt.",
                                   reasons="I agree with the panel's reasons.", decided_on=SIGNED)
    with db.session(write=False) as s:
        new = s.get(AdmDecision, res.decision_id)
        # the salutation as the letter reads it: "Dear" saved with it before is the letter's own (user trial)
        assert new is not None and new.addressee == ADDRESS and new.salutation == "Ms Testcase"


def test_the_page_lets_the_corrected_letter_be_addressed(
        db: Database, adm_user: Principal, qtbot: Any, monkeypatch: Any) -> None:
    did = _signed_to_nobody(db, adm_user, monkeypatch)
    page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True)), today=SIGNED)
    qtbot.addWidget(page)
    page.show()
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    assert page.select_decision(did)
    assert not page.detail.addressee.isEnabled()  # signed: read-only
    page.detail.begin_correction()
    assert page.detail.addressee.isEnabled() and page.detail.salutation.isEnabled()
    page.detail.decision_reasons.setPlainText("I agree with the panel's reasons, all of them.")
    page.detail.correct(TEST_PASSWORD, "The reasons left out the panel's view.")
    assert "Letter to" in page.message.text()
    page.detail.addressee.setPlainText(ADDRESS)
    page.detail.correct(TEST_PASSWORD, "The reasons left out the panel's view.")
    with db.session(write=False) as s:
        newer = s.scalars(select(AdmDecision).where(AdmDecision.supersedes_id == did)).one()
        assert newer.addressee == ADDRESS and newer.signed_at is not None
