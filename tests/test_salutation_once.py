"""User trial (6 December 2026): "Dear Ms Sandford" typed in the ADM decision's Salutation (Dear …) gave a
letter opening "Dear Dear Ms Sandford,". Every salutation field is now stored without a leading "Dear" or a
trailing comma (``core.salutation.clean_salutation``), and every letter reads a stored one through the same
rule, so a value saved before prints "Dear" once too. The letters are read back from their PDFs."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from adoption_desktop.adm import service as adm
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.core.salutation import bare_salutation, salutation_for
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import documents as counselling_documents
from adoption_desktop.counselling import service as counselling
from adoption_desktop.counselling.models import CounsellingCase
from adoption_desktop.letterbox import rules as letterbox_rules
from adoption_desktop.letterbox import service as letterbox
from adoption_desktop.letterbox.documents import write_batch
from adoption_desktop.letterbox.models import Participant
from adoption_desktop.letterbox.service import ParticipantData
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD, make_user
from tests.counselling.conftest import referral
from tests.letterbox.conftest import sample_input

SIGNED = dt.date(2025, 12, 3)
DAY = dt.date(2026, 4, 3)


def _text(data: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages)


def _file_text(path: Path) -> str:
    return _text(path.read_bytes())


@pytest.mark.parametrize(("typed", "greeting"), [
    ("Dear Ms Sandford", "Ms Sandford"), ("dear Ms Sandford,", "Ms Sandford"), ("DEAR  Nan ,", "Nan"),
    ("Dear, Mr and Mrs Heronmere", "Mr and Mrs Heronmere"), ("Ms Sandford", "Ms Sandford"),
    ("Dearbhla", "Dearbhla"), ("Mr Dear", "Mr Dear"), ("Dear", ""), ("", ""),
])
def test_a_leading_dear_and_a_trailing_comma_are_left_to_the_letter(typed: str, greeting: str) -> None:
    assert bare_salutation(typed) == greeting
    assert salutation_for(typed, "Ms Ann Sandford") == (greeting or "Ms Sandford")


@pytest.fixture
def decider(db: Database) -> Principal:
    return make_user(db, "decider", Role.AGENCY_DECISION_MAKER)


def _stored(db: Database, decision_id: int) -> str:
    with db.session(write=False) as s:
        d = s.get(AdmDecision, decision_id)
        assert d is not None
        return d.salutation


def _draft(db: Database, who: Principal, salutation: str) -> int:
    with db.session() as s:
        did = open_from_panel(s, handoff())
    adm.save_draft_decision(db, who, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="I agree with the panel's reasons.",
                            addressee="Ms Ann Sandford\n1 Any Road\nZZ99 1AA", salutation=salutation,
                            social_worker="Pat Reed")
    return did


def test_the_adm_letter_says_dear_once_when_dear_is_typed(db: Database, decider: Principal) -> None:
    did = _draft(db, decider, "Dear Ms Sandford,")
    assert _stored(db, did) == "Ms Sandford"  # the field shows what prints
    text = _text(adm.letter_pdf(db, decider, adm.sign_decision(db, decider, did, TEST_PASSWORD, SIGNED).letter_id))
    assert "Dear Ms Sandford," in text
    assert "Dear Dear" not in text and "Sandford,," not in text


def test_the_corrected_adm_letter_says_dear_once(db: Database, decider: Principal) -> None:
    did = _draft(db, decider, "Ms Sandford")
    adm.sign_decision(db, decider, did, TEST_PASSWORD, SIGNED)
    res = adm.correct_decision(db, decider, did, TEST_PASSWORD, reason="The greeting was wrong.", outcome="agree",
                               decision_text="Approved as suitable to adopt.",
                               reasons="I agree with the panel's reasons.", decided_on=SIGNED,
                               salutation="dear Dr Sandford")
    text = _text(adm.letter_pdf(db, decider, res.letter_id))
    assert "Dear Dr Sandford," in text and "Dear dear" not in text


def test_an_adm_salutation_saved_with_dear_before_prints_dear_once(db: Database, decider: Principal) -> None:
    did = _draft(db, decider, "")
    with db.session() as s:  # as saved before the fix
        s.execute(update(AdmDecision).where(AdmDecision.id == did).values(salutation="Dear Ms Sandford,"))
    text = _text(adm.letter_pdf(db, decider, adm.sign_decision(db, decider, did, TEST_PASSWORD, SIGNED).letter_id))
    assert "Dear Ms Sandford," in text and "Dear Dear" not in text


def test_a_decision_without_panel_keeps_its_salutation_without_dear(db: Database, decider: Principal) -> None:
    did = adm.open_direct_decision(db, decider, decision_type="temporary_foster_approval",
                                   subject_reference="ADM-0900", subject_initials="T.Y.",
                                   received_on=SIGNED, proposal="Temporary approval as foster carers.",
                                   addressee="Ms Ann Sandford\n1 Any Road\nZZ99 1AA",
                                   salutation="Dear Ms Sandford,", today=SIGNED)
    assert _stored(db, did) == "Ms Sandford"


def test_letterbox_letters_say_dear_once(db: Database, tmp_path: Path) -> None:
    who = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    aid = letterbox.create_arrangement(db, who, sample_input(
        reference="LB-0071", adopters_salutation="Dear Sam and Alex,",
        participants=(ParticipantData("Donna Marsh", "birth mother", "5 Rose Court\nSunderland\nZZ99 2AA",
                                      salutation="dear Nan,"),)))
    stored = letterbox.get_arrangement(db, who, aid, today=DAY).data
    assert stored.adopters_salutation == "Sam and Alex" and stored.participants[0].salutation == "Nan"
    to_birth = letterbox.log_item(db, who, aid, direction=letterbox_rules.TO_BIRTH, received_on=DAY, writer="Sam")
    to_adoptive = letterbox.log_item(db, who, aid, direction=letterbox_rules.TO_ADOPTIVE, received_on=DAY,
                                     participant_id=stored.participants[0].id)
    out = tmp_path / "ack.pdf"
    assert write_batch(db, who, "acknowledgement", out, item_ids=[to_birth, to_adoptive], today=DAY).letters == 2
    text = _file_text(out)
    assert "Dear Sam and Alex," in text and "Dear Nan," in text
    assert "Dear Dear" not in text and "Dear dear" not in text and ",," not in text

    with db.session() as s:  # a greeting saved with "Dear" before the fix
        s.execute(update(Participant).where(Participant.arrangement_id == aid).values(salutation="Dear Nan,"))
    out2 = tmp_path / "ack2.pdf"
    assert write_batch(db, who, "acknowledgement", out2, item_ids=[to_adoptive], today=DAY).letters == 1
    text = _file_text(out2)
    assert "Dear Nan," in text and "Dear Dear" not in text


def test_counselling_letters_say_dear_once(db: Database, tmp_path: Path) -> None:
    who = make_user(db, "corey", Role.COUNSELLOR)
    today = dt.date(2026, 11, 23)
    case_id = counselling.create_referral(db, who, referral(salutation="Dear Ms Lark,"), today=today)
    with db.session(write=False) as s:
        case = s.get(CounsellingCase, case_id)
        assert case is not None and case.salutation == "Ms Lark"
    text = _file_text(counselling_documents.write_case_letter(db, who, case_id, "acknowledgement",
                                                              tmp_path / "a.pdf", today=today))
    assert "Dear Ms Lark," in text and "Dear Dear" not in text


def test_the_adm_salutation_field_says_the_letter_adds_dear(db: Database, decider: Principal, qtbot: object) -> None:
    from adoption_desktop.adm.views.page import AdmPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    _draft(db, decider, "Ms Sandford")
    page = AdmPage(AppContext(db, decider, TaskRunner(synchronous=True)), today=SIGNED)
    qtbot.addWidget(page)  # type: ignore[attr-defined]
    field = page.detail.salutation
    assert field.placeholderText() == ""  # the tooltip says it: a placeholder there read at 1.6:1 (accessibility)
    assert '"Dear"' in field.toolTip() and "only once" in field.toolTip()  # kept once the decision is shown
