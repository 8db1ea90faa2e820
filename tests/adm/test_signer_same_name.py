"""An ADM letter carries the job title of the account that signs it, read by the account, not by its full
name: a counsellor called Sam Brook (made first) must not lend their title to the ADM Sam Brook's letters."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from adoption_desktop.adm import service
from adoption_desktop.adm.models import AdmLetter
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from tests.adm.test_service import opened, pdf_text, signed
from tests.same_name import SHARED_NAME, named

COUNSELLOR_TITLE = "Senior birth-records counsellor"
ADM_TITLE = "Head of Adoption Decisions"


def _letter_text(db: Database, kind: str) -> str:
    with db.session(write=False) as s:
        row = s.scalars(select(AdmLetter).where(AdmLetter.kind == kind).order_by(AdmLetter.id.desc())).first()
        assert row is not None, kind
        return pdf_text(row.pdf)


def test_a_decision_letter_has_its_signers_title_not_a_namesakes(db: Database, admin: Principal) -> None:
    named(db, admin, "sbrook", Role.COUNSELLOR, COUNSELLOR_TITLE)
    adm = named(db, admin, "sbrook2", Role.AGENCY_DECISION_MAKER, ADM_TITLE)
    signed(db, adm, ref="ADP-S1")
    text = _letter_text(db, "adm_approval")
    assert SHARED_NAME in text and ADM_TITLE in text
    assert COUNSELLOR_TITLE not in text


def test_a_request_for_information_letter_has_its_writers_title_not_a_namesakes(
        db: Database, admin: Principal) -> None:
    named(db, admin, "sbrook", Role.COUNSELLOR, COUNSELLOR_TITLE)
    adm = named(db, admin, "sbrook2", Role.AGENCY_DECISION_MAKER, ADM_TITLE)
    did = opened(db, received=dt.date(2025, 12, 1))
    service.request_information(db, adm, did, what="The updated medical report.", requested_on=dt.date(2025, 12, 4))
    text = _letter_text(db, "adm_more_information")
    assert SHARED_NAME in text and ADM_TITLE in text
    assert COUNSELLOR_TITLE not in text


def test_a_signer_without_a_job_title_gets_the_decision_makers_title_not_a_namesakes(
        db: Database, admin: Principal) -> None:
    named(db, admin, "sbrook", Role.COUNSELLOR, COUNSELLOR_TITLE)
    adm = named(db, admin, "sbrook2", Role.AGENCY_DECISION_MAKER, "")
    signed(db, adm, ref="ADP-S3")
    text = _letter_text(db, "adm_approval")
    assert "Agency Decision Maker" in text and COUNSELLOR_TITLE not in text
