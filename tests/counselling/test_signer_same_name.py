"""A counselling letter carries the job title of the account that signs it (the allocated counsellor, else
the user), read by the account, not by its full name: an ADM called Sam Brook (made first) must not lend
their title to the counsellor Sam Brook's letters."""

from __future__ import annotations

from pathlib import Path

import pytest

from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import documents, service
from tests.same_name import SHARED_NAME, named

from .conftest import TODAY, pdf_text, referral

ADM_TITLE = "Head of Adoption Decisions"
COUNSELLOR_TITLE = "Senior birth-records counsellor"


@pytest.mark.parametrize("allocated", [True, False], ids=["allocated-counsellor", "unallocated-user"])
def test_a_counselling_letter_has_its_signers_title_not_a_namesakes(
        db: Database, admin: Principal, tmp_path: Path, allocated: bool) -> None:
    named(db, admin, "sbrook", Role.AGENCY_DECISION_MAKER, ADM_TITLE)
    counsellor = named(db, admin, "sbrook2", Role.COUNSELLOR, COUNSELLOR_TITLE)
    case_id = service.create_referral(db, counsellor, referral(), today=TODAY)
    if allocated:
        service.allocate(db, counsellor, case_id, counsellor.user_id, on=TODAY)
    text = pdf_text(documents.write_case_letter(db, counsellor, case_id, "acknowledgement", tmp_path / "a.pdf",
                                                today=TODAY))
    assert SHARED_NAME in text and COUNSELLOR_TITLE in text
    assert ADM_TITLE not in text


def test_a_counsellor_without_a_job_title_signs_as_counsellor_not_as_a_namesake(
        db: Database, admin: Principal, tmp_path: Path) -> None:
    named(db, admin, "sbrook", Role.AGENCY_DECISION_MAKER, ADM_TITLE)
    counsellor = named(db, admin, "sbrook2", Role.COUNSELLOR, "")
    case_id = service.create_referral(db, counsellor, referral(), today=TODAY)
    service.allocate(db, counsellor, case_id, counsellor.user_id, on=TODAY)
    text = pdf_text(documents.write_case_letter(db, counsellor, case_id, "acknowledgement", tmp_path / "a.pdf",
                                                today=TODAY))
    assert "Birth-records counsellor" in text and ADM_TITLE not in text
