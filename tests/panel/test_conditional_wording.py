"""Recommendations are definite: a tester's conditional wordings ("once the medical report is received", "if the
medical is satisfactory", "on receipt of a satisfactory medical", "as long as the DBS check is clear", "awaiting
the medical") were accepted and went on to the chair and the ADM. Refused now, with ordinary definite wording
(including "if" that makes nothing wait) still accepted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.panel import rules
from adoption_desktop.panel import service as svc
from tests.panel.conftest import TODAY, Panel, attend

DEFINITE = [
    "Suitable to adopt.",
    "The panel recommends that Mr and Mrs A are suitable to adopt one or two children, of either sex, aged 0 to 4.",
    "The panel recommends that Ms B is suitable to adopt a child aged 0–4 years.",
    "Suitable to adopt up to two siblings aged 0-4, boys or girls.",
    "The panel recommends the match of J.S. with Mr and Mrs C.",
    "Match recommended: P.Q. with Ms F, with the adoption support plan and contact plan as presented.",
    "The panel recommends the match of J.S., who is subject to a placement order, with Mr and Mrs C.",
    "The panel recommends that the approval is terminated.",
    "The panel recommends that the approval is not terminated.",
    "The panel recommends that K.L. should be placed for adoption.",
    "The panel recommends that A.B. should not be placed for adoption.",
    "Remains suitable to adopt one child aged 0 to 4.",
    "No longer suitable to adopt.",
    "Not suitable to adopt: the panel was not satisfied that the applicants understood a traumatised child's needs.",
    "Suitable to adopt one child aged 0–4; the medical report and the DBS checks were satisfactory.",
    "Suitable to adopt one or two children aged 0 to 4, having received a satisfactory medical report.",
    "The panel recommends early permanence approval for Mr and Mrs E for one child aged 0–2.",
    "Suitable to adopt one child aged 0–4; the panel was satisfied once it had heard about their support network.",
    "Suitable to adopt a child aged 0 to 4; the applicants would consider a sibling group if the match was right.",
    "Suitable to adopt; the applicants provided evidence that their support network is in place.",
    "The panel recommends that M.N., a child awaiting adoption since 2025, is matched with Mr G.",
]

CONDITIONAL = [
    "Suitable to adopt once the medical report is received.",
    "Suitable to adopt, if the medical is satisfactory.",
    "Suitable to adopt on receipt of a satisfactory medical.",
    "Suitable to adopt as long as the DBS check is clear.",
    "Suitable to adopt, awaiting the medical.",
    "Suitable to adopt subject to medical.",
    "Suitable to adopt in principle.",
    "Suitable to adopt pending the references.",
    "Suitable to adopt provided that the references are satisfactory.",
    "Suitable to adopt provided the DBS check comes back clear.",
    "Match recommended, conditional on the support plan being agreed.",
    "Match recommended, dependent on the contact plan.",
    "Suitable to adopt upon completion of the DBS check.",
    "Suitable to adopt once the DBS check has been completed.",
    "Suitable to adopt when the health and safety check is completed.",
    "Suitable to adopt if satisfactory references are received.",
    "Suitable to adopt so long as the medical is favourable.",
    "Remains suitable to adopt following receipt of the updated medical.",
    "Suitable to adopt, the medical report still to be received.",
    "Should be placed for adoption, contingent upon the consent being confirmed.",
    "Suitable to adopt if the local authority check is returned clear.",
]


@pytest.mark.parametrize("wording", DEFINITE)
def test_definite_wording_is_accepted(wording: str) -> None:
    assert rules.conditional_problem("suitable", wording) is None


@pytest.mark.parametrize("wording", CONDITIONAL)
def test_conditional_wording_is_refused_with_the_advice_to_defer(wording: str) -> None:
    problem = rules.conditional_problem("suitable", wording)
    assert problem is not None and problem.startswith("Recommendation wording: \"")
    assert "defer the item" in problem
    assert rules.conditional_problem("deferred", wording) is None  # a deferral says what it waits for


@given(st.sampled_from(DEFINITE), st.sampled_from(CONDITIONAL))
def test_a_conditional_clause_added_to_definite_wording_is_refused(definite: str, conditional: str) -> None:
    clause = conditional.split("adopt", 1)[-1] if "adopt" in conditional else conditional
    assert rules.conditional_problem("suitable", definite.rstrip(".") + clause) is not None


def test_the_service_refuses_the_testers_wordings(panel: Panel) -> None:
    attend(panel, "chair", "vice", "sw", "med", "pe")
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-2026-0999", "QX"))
    for wording in CONDITIONAL[:5]:
        with pytest.raises(ValidationError, match="makes it conditional"):
            svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(
                outcome="suitable", recommendation_text=wording), today=TODAY)
    saved = svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(
        outcome="suitable", recommendation_text=DEFINITE[1]), today=TODAY)
    assert saved.draft.recommendation_text == DEFINITE[1]
