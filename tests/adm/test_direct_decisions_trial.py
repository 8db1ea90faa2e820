"""User trial, decisions without panel: the reg 25A temporary foster approval letter spoke of "the panel's
recommendation, its reasons and the minutes" and went to the social worker when no addressee was given;
a full name typed as initials became "the child J.O.H.N.S.M.I.T.H.". Real SQLCipher files, letters read
back with pypdf."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.adm import rules, service
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from tests.adm.test_service import pdf_text
from tests.conftest import TEST_PASSWORD

D = dt.date
TODAY = D(2025, 12, 3)
CARERS = "Mr and Mrs Carter\n1 Example Road\nTesttown TT1 1TT"


def _open_25a(db: Database, adm: Principal, **kw: str) -> int:
    values = {"subject_initials": "L.M.", "social_worker": "Sam Worker", "addressee": CARERS, **kw}
    return service.open_direct_decision(
        db, adm, decision_type="temporary_foster_approval", subject_reference="EP-2025-0001",
        received_on=D(2025, 12, 1), proposal="Temporary approval of Mr and Mrs Carter as foster carers for L.M.",
        reasons="Early permanence is in the child's interest.", today=TODAY, **values)


def test_the_temporary_foster_approval_letter_mentions_no_panel_and_goes_to_the_carers(
        db: Database, adm_user: Principal) -> None:
    did = _open_25a(db, adm_user)
    service.record_decision(db, adm_user, did, outcome="agree",
                            decision_text="I approve Mr and Mrs Carter temporarily as foster carers for L.M.",
                            reasons="Early permanence is in the child's interest.")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, TODAY)
    assert res.letter_id is not None
    text = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    assert "panel" not in text.lower()
    assert "Having read the papers" in text and "I made my decision on 3 December 2025" in text
    assert "Mr and Mrs Carter" in text and "Dear Mr and Mrs Carter" in text
    assert "Sam Worker" not in text.split("Dear")[0]  # not addressed to the social worker


def test_a_temporary_foster_approval_needs_the_carers_address(db: Database, adm_user: Principal) -> None:
    with pytest.raises(ValidationError, match="Letter to: enter the foster carers' names and address") as err:
        _open_25a(db, adm_user, addressee="")
    assert err.value.field == "addressee"
    did = _open_25a(db, adm_user)
    detail = service.get_decision(db, adm_user, did, TODAY, opening=False)
    service.save_draft_decision(db, adm_user, did, outcome="agree", decision_text="I approve them temporarily.",
                                reasons="Early permanence is in the child's interest.", addressee="",
                                salutation="", social_worker="Sam Worker", expected_version=detail.row_version)
    with pytest.raises(ValidationError, match="foster carers' names and address"):
        service.sign_decision(db, adm_user, did, TEST_PASSWORD, TODAY)


def test_a_plan_for_adoption_still_goes_to_the_social_worker(db: Database, adm_user: Principal) -> None:
    did = service.open_direct_decision(
        db, adm_user, decision_type="plan_for_adoption", subject_reference="CH-2025-0001", subject_initials="T.Y.",
        received_on=D(2025, 12, 1), proposal="The child T.Y. should be placed for adoption.",
        social_worker="Sam Worker", today=TODAY)
    service.record_decision(db, adm_user, did, outcome="agree", decision_text="The child should be placed.",
                            reasons="Adoption is the plan that meets the child's needs.")
    res = service.sign_decision(db, adm_user, did, TEST_PASSWORD, TODAY)
    assert res.letter_id is not None
    text = pdf_text(service.letter_pdf(db, adm_user, res.letter_id))
    assert "Sam Worker" in text.split("Dear")[0] and "panel" not in text.split("match")[0].lower()


@pytest.mark.parametrize("initials", ["John Smith", "Mary Ann B"])
def test_a_name_is_refused_as_initials_as_the_panel_refuses_it(db: Database, adm_user: Principal,
                                                                initials: str) -> None:
    with pytest.raises(ValidationError, match=r"Initials: enter initials only \(e.g. AB/CD\), never a name.") as err:
        service.open_direct_decision(
            db, adm_user, decision_type="plan_for_adoption", subject_reference="CH-2", subject_initials=initials,
            received_on=D(2025, 12, 1), proposal="x", social_worker="Sam", today=TODAY)
    assert err.value.field == "subject_initials"
    assert rules.initials_problem("AB/CD") is None and rules.initials_problem("T.Y.") is None
