"""A tester holding the database key changed a signed decision's addressee and the panel's reasons in SQL:
the page said "not as it was signed", but Correct… copied the changed row into a new version with a valid
signature, and the corrected letter went to the forged address. Nothing new is now built from a signed
decision (a correction, a final decision after a qualifying determination, a notice made again) while it is
not as it was signed; the refusal names what changed, comes before the password, and nothing is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text

from adoption_desktop.adm import service
from adoption_desktop.adm.models import AdmDecision, AdmLetter
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.audit.seal_check import check_rows
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.adm.test_qd_clock import PROPOSED, proposal, qd_row
from tests.conftest import TEST_PASSWORD

D = dt.date
SIGNED = D(2025, 12, 3)
FORGED = "Someone Else\n99 Forged Street\nZZ1 9ZZ"


def _signed(db: Database, adm: Principal) -> int:
    with db.session() as s:
        did = open_from_panel(s, handoff(received=D(2025, 12, 1)))
    service.record_decision(db, adm, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="")
    service.sign_decision(db, adm, did, TEST_PASSWORD, SIGNED)
    return did


def _forge(db: Database, did: int) -> None:
    """The change the tester made with the key, outside the application (no audit, no seal)."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE adm_decisions SET addressee = :a, recommendation_reasons = 'Forged reasons.' "
                          "WHERE id = :i"), {"a": FORGED, "i": did})
    with db.engine.connect() as conn:
        assert check_rows(conn, "adm_decisions", [did])


def _counts(db: Database) -> tuple[int, int]:
    with db.session(write=False) as s:
        return (int(s.scalar(select(func.count()).select_from(AdmDecision)) or 0),
                int(s.scalar(select(func.count()).select_from(AdmLetter)) or 0))


def _correct(db: Database, adm: Principal, did: int, password: str = TEST_PASSWORD) -> service.SignResult:
    return service.correct_decision(db, adm, did, password, reason="The date was typed wrongly.", outcome="agree",
                                    decision_text="Approved as suitable to adopt.", reasons="",
                                    decided_on=D(2025, 12, 4))


def test_a_decision_changed_outside_the_application_is_not_corrected(db: Database, adm_user: Principal) -> None:
    did = _signed(db, adm_user)
    _forge(db, did)
    before = _counts(db)
    with pytest.raises(SealBroken) as refused:
        _correct(db, adm_user, did)
    said = str(refused.value)
    assert said.startswith("This signed decision is not as it was signed: ")
    assert "addressee" in said and "recommendation reasons" in said and "recommendation_reasons" not in said
    assert "nothing was saved" in said.lower() and "verify" in said and "backup" in said
    assert _counts(db) == before  # no new version, no letter to the forged address
    # before the password: a wrong one is not what is reported
    with pytest.raises(SealBroken):
        _correct(db, adm_user, did, password="not the password")
    with pytest.raises(SealBroken, match="not as it was signed"):
        service.check_correctable(db, adm_user, did)


def test_an_untouched_decision_is_still_corrected(db: Database, adm_user: Principal) -> None:
    did = _signed(db, adm_user)
    service.check_correctable(db, adm_user, did)
    assert _correct(db, adm_user, did).decision_id != did


def test_the_page_says_so_and_offers_no_correction(db: Database, adm_user: Principal, qtbot: Any) -> None:
    did = _signed(db, adm_user)
    _forge(db, did)
    page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True)), today=D(2025, 12, 4))
    qtbot.addWidget(page)
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    assert page.select_decision(did)
    assert "This signed decision is not as it was signed" in page.detail.clock.text()
    assert "addressee" in page.detail.clock.text()
    assert not page.detail.buttons["correct_button"].isEnabled()
    before = _counts(db)
    page.detail.correct()  # pressed all the same (a shortcut): refused before anything is typed
    assert not page.message.isHidden() and "not as it was signed" in page.message.text()
    assert not page.detail.correcting and _counts(db) == before


def test_no_final_decision_is_opened_from_a_changed_proposal(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 15), summary="We disagree.")
    did = qd_row(db, res.qd_id).decision_id
    _forge(db, did)
    before = _counts(db)
    with pytest.raises(SealBroken, match=r"proposal not to approve is not as it was signed: .*addressee.* "
                                         r"The final decision was not opened: nothing was saved"):
        service.open_final_decision(db, adm_user, res.qd_id, D(2025, 12, 16))
    assert _counts(db) == before


def test_no_final_decision_is_opened_from_changed_representations(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    service.mark_letter_sent(db, adm_user, res.letter_id, PROPOSED)
    service.record_representations(db, adm_user, res.qd_id, received_on=D(2025, 12, 15), summary="We disagree.")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE adm_qualifying_determinations SET representations = 'We agree.' WHERE id = :i"),
                     {"i": res.qd_id})
    before = _counts(db)
    with pytest.raises(SealBroken, match=r"record of this qualifying determination .* is not as the application "
                                         r"saved it: representations changed outside the application"):
        service.open_final_decision(db, adm_user, res.qd_id, D(2025, 12, 16))
    assert _counts(db) == before


def test_a_notice_is_not_made_again_from_a_changed_proposal(db: Database, adm_user: Principal) -> None:
    res = proposal(db, adm_user)
    _forge(db, qd_row(db, res.qd_id).decision_id)
    before = _counts(db)
    with pytest.raises(SealBroken, match=r"The notice was not made again: nothing was saved"):
        service.reissue_notice(db, adm_user, res.letter_id, D(2025, 12, 4))
    assert _counts(db) == before
    assert qd_row(db, res.qd_id).notice_sent_on == PROPOSED
