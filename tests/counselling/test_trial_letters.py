"""User trial (counselling): each letter held to the state of the request or session it is about (a chaser
for records received, a records-ready letter before receipt or before the redaction check, an appointment in
the past, identification asked of a telephone appointment, no address for the holder). Real SQLCipher files;
letters read back with pypdf."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import documents, service
from adoption_desktop.counselling.models import Disclosure

from .conftest import TODAY, pdf_text, records_received, records_request

D = dt.date


def _written(db: Database, case_id: int) -> tuple[int, int]:
    """(letter audit entries, disclosure rows) of a case: a refused letter writes neither."""
    with db.session(write=False) as session:
        letters = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "letter", AuditEntry.entity_id == str(case_id))) or 0
        rows = session.scalar(select(func.count()).select_from(Disclosure).where(Disclosure.case_id == case_id)) or 0
    return letters, rows


# --- 1. a letter about a given request is held to that request's state ------------------------------

def test_a_letter_for_a_chosen_request_is_refused_when_the_request_is_not_in_that_state(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path) -> None:
    case_id = new_case()
    waiting = records_request(db, counsellor, case_id, "Ambleford Record Office", D(2026, 10, 5))
    came = records_request(db, counsellor, case_id, "Brackwater County Archives", D(2026, 10, 8), received=D(2026, 11, 2))
    before = _written(db, case_id)
    with pytest.raises(ValidationError, match=r"Chaser letter: the records from Brackwater County Archives were "
                                              r"received on 02/11/2026; there is nothing to chase"):
        documents.write_case_letter(db, counsellor, case_id, "chaser", tmp_path / "c.pdf", request_id=came,
                                    today=TODAY)
    with pytest.raises(ValidationError, match=r"Records-ready letter: the records from Ambleford Record Office "
                                              r"are not recorded as received; record the receipt"):
        documents.write_case_letter(db, counsellor, case_id, "records-ready", tmp_path / "r.pdf",
                                    request_id=waiting, today=TODAY)
    with pytest.raises(ValidationError, match=r"Records-request letter: the records from Brackwater County "
                                              r"Archives were received on 02/11/2026"):
        documents.write_case_letter(db, counsellor, case_id, "records-request", tmp_path / "q.pdf",
                                    request_id=came, today=TODAY)
    assert _written(db, case_id) == before, "no letter entry and no disclosure for a refused letter"
    assert not any((tmp_path / n).exists() for n in ("c.pdf", "r.pdf", "q.pdf"))
    # with no request chosen, the records-request letter is about the one still waiting, not the latest
    out = documents.write_case_letter(db, counsellor, case_id, "records-request", tmp_path / "ok.pdf", today=TODAY)
    assert "Ambleford Record Office" in pdf_text(out)


def test_checking_a_letter_first_writes_nothing(db: Database, counsellor: Principal,
                                               new_case: Callable[..., int]) -> None:
    """The case window checks a letter before asking where to save it: that check leaves no letter entry and
    no disclosure, and the letter written after it leaves one of each."""
    case_id = new_case()
    waiting = records_request(db, counsellor, case_id, "Ambleford Record Office", D(2026, 10, 5))
    before = _written(db, case_id)
    checked = service.letter_data(db, counsellor, case_id, "chaser", request_id=waiting, today=TODAY, check_only=True)
    assert checked.request is not None and checked.request.id == waiting and checked.values == {}
    assert _written(db, case_id) == before
    service.letter_data(db, counsellor, case_id, "chaser", request_id=waiting, today=TODAY)
    assert _written(db, case_id) == (before[0] + 1, before[1] + 1)


def test_a_records_request_letter_with_every_request_answered_is_refused(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    records_request(db, counsellor, case_id, "Brackwater County Archives", D(2026, 10, 8), received=D(2026, 11, 2))
    with pytest.raises(ValidationError, match="no records request still waiting for its records"):
        service.letter_data(db, counsellor, case_id, "records-request", today=TODAY)
    assert _written(db, case_id) == (0, 0)


# --- 2. appointment letters ------------------------------------------------------------------------

def test_an_appointment_letter_offers_the_next_session_never_a_past_one(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path) -> None:
    case_id = new_case()
    past = service.add_session(db, counsellor, case_id, TODAY - dt.timedelta(days=1), "in_person", "10:00",
                               today=TODAY)
    service.add_session(db, counsellor, case_id, D(2027, 2, 10), "in_person", "14:00", today=TODAY)
    service.add_session(db, counsellor, case_id, D(2026, 12, 3), "in_person", "10:30", "Example Street office",
                        today=TODAY)
    with pytest.raises(ValidationError, match=r"Appointment letter: the session of 22/11/2026 is in the past"):
        service.letter_data(db, counsellor, case_id, "appointment", session_id=past, today=TODAY)
    text = pdf_text(documents.write_case_letter(db, counsellor, case_id, "appointment", tmp_path / "a.pdf",
                                                today=TODAY))
    assert "3 December 2026" in text and "10:30" in text and "10 February 2027" not in text


def test_an_appointment_letter_with_only_past_sessions_is_refused(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    service.add_session(db, counsellor, case_id, D(2026, 11, 2), "phone", today=TODAY)
    with pytest.raises(ValidationError, match="no upcoming session booked"):
        service.letter_data(db, counsellor, case_id, "appointment", today=TODAY)


@pytest.mark.parametrize(("kind", "says"), [
    ("phone", "confirm who you are"), ("video", "to show me on screen"),
    ("in_person", "Please bring photographic identification")])
def test_only_a_meeting_in_person_asks_the_applicant_to_bring_identification(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path, kind: str,
        says: str) -> None:
    case_id = new_case()
    service.add_session(db, counsellor, case_id, D(2026, 12, 3), kind, "10:30", today=TODAY)
    text = pdf_text(documents.write_case_letter(db, counsellor, case_id, "appointment", tmp_path / "a.pdf",
                                                today=TODAY))
    assert says in text
    assert ("Please bring photographic identification" in text) == (kind == "in_person")


def test_an_agency_copy_with_the_old_identification_sentence_follows_the_session_kind(
        db: Database, admin: Principal, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path) -> None:
    from adoption_desktop import template_admin as ta

    text = ta.letter_text(db, admin, "counselling_appointment")
    own = text.replace("${identification_text}",
                       "Please bring photographic identification, such as a passport or driving licence.")
    assert "${identification_text}" not in own
    ta.save_letter_template(db, admin, "counselling_appointment", own)
    case_id = new_case()
    service.add_session(db, counsellor, case_id, D(2026, 12, 3), "phone", "10:30", today=TODAY)
    letter = pdf_text(documents.write_case_letter(db, counsellor, case_id, "appointment", tmp_path / "a.pdf",
                                                  today=TODAY))
    assert "Please bring photographic identification" not in letter and "confirm who you are" in letter


def test_no_letter_says_before_the_information_is_released_once_records_are_shared(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path) -> None:
    case_id = new_case()  # adopted 1961: the interview is required
    service.add_session(db, counsellor, case_id, D(2026, 11, 5), "in_person", today=TODAY)
    service.add_session(db, counsellor, case_id, D(2026, 12, 3), "in_person", "10:30", today=TODAY)
    first = pdf_text(documents.write_case_letter(db, counsellor, case_id, "appointment", tmp_path / "1.pdf",
                                                 today=TODAY))
    assert "before the information is released" in first
    records_received(db, counsellor, case_id)
    service.add_redaction(db, counsellor, case_id, "Court file", D(2026, 11, 9), today=TODAY)
    service.record_disclosure(db, counsellor, case_id, D(2026, 11, 10), "Amy Lark", "Court file", "in person",
                              records_shared=True, today=TODAY)
    after = pdf_text(documents.write_case_letter(db, counsellor, case_id, "appointment", tmp_path / "2.pdf",
                                                 today=TODAY))
    assert "before the information is released" not in after
    assert "You have now received your records" in after


def test_a_session_more_than_a_year_ahead_is_refused(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    with pytest.raises(ValidationError, match=r"Session date: 31/01/2029 is more than a year ahead; book "
                                              r"appointments up to 23/11/2027") as caught:
        service.add_session(db, counsellor, case_id, TODAY + dt.timedelta(days=800), "in_person", today=TODAY)
    assert caught.value.field == "held_on"
    service.add_session(db, counsellor, case_id, TODAY + dt.timedelta(days=365), "in_person", today=TODAY)


# --- 5. records-ready only after a redaction check ----------------------------------------------------

def test_a_records_ready_letter_needs_a_redaction_check_of_the_records_received(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path) -> None:
    case_id = new_case()
    records_request(db, counsellor, case_id, "Ambleford Record Office", D(2026, 10, 5), received=D(2026, 10, 15))
    records_request(db, counsellor, case_id, "Brackwater County Archives", D(2026, 10, 5), received=D(2026, 11, 2))
    service.add_redaction(db, counsellor, case_id, "An earlier file", D(2026, 10, 20), today=TODAY)
    with pytest.raises(ValidationError, match=r"Records-ready letter: no redaction check is recorded for the "
                                              r"records received from Brackwater County Archives on 02/11/2026"):
        documents.write_case_letter(db, counsellor, case_id, "records-ready", tmp_path / "r.pdf", today=TODAY)
    assert _written(db, case_id) == (0, 0)
    service.add_redaction(db, counsellor, case_id, "Archive file", D(2026, 11, 6), today=TODAY)
    text = pdf_text(documents.write_case_letter(db, counsellor, case_id, "records-ready", tmp_path / "r.pdf",
                                                today=TODAY))
    assert "2 November 2026" in text and "reviewed any information about other people" in text


# --- 8. no letter to a holder without an address --------------------------------------------------------

@pytest.mark.parametrize("kind", ["records-request", "chaser"])
def test_a_letter_to_a_records_holder_without_an_address_is_refused(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path, kind: str) -> None:
    case_id = new_case()
    records_request(db, counsellor, case_id, "Ambleford Record Office", D(2026, 10, 5), address="  ")
    with pytest.raises(ValidationError, match=r"the request to Ambleford Record Office has no postal address") \
            as caught:
        documents.write_case_letter(db, counsellor, case_id, kind, tmp_path / "x.pdf", today=TODAY)
    assert caught.value.field == "holder_address"
    assert _written(db, case_id) == (0, 0) and not (tmp_path / "x.pdf").exists()
