"""A letter's address block must fit a window envelope's window (user trial: a 12-line address ran out of the
window and into the letter's body). Where an address is typed, more lines than the window shows, or a line too
wide for it at the letter's font, is refused naming the field; an address stored before (an older version, an
import) stops the letter naming its record, and is never printed cut short.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from adoption_desktop.adm import service as adm_service
from adoption_desktop.adm.models import AdmDecision, AdmLetter
from adoption_desktop.core.documents.address_block import (
    WINDOW_LINES,
    WINDOW_WIDTH,
    AddressTooLong,
    address_lines,
    address_problem,
    check_recipient_fits,
    line_width,
)
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import documents as counselling_documents
from adoption_desktop.counselling import service as counselling_service
from adoption_desktop.counselling.models import CounsellingCase, RecordsRequest
from adoption_desktop.letterbox import service as letterbox_service
from adoption_desktop.letterbox.documents import write_batch
from adoption_desktop.letterbox.models import Arrangement, LetterSent
from adoption_desktop.letterbox.service import ParticipantData
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD, make_user
from tests.counselling.conftest import TODAY, referral
from tests.letterbox.conftest import sample_input

#: twelve lines, as the trial's imported address had (synthetic)
TWELVE = "\n".join(["Flat 3", "The Old Mill", "Mill Lane", "Lower Dellmouth", "Near Greystow", "Ambleford",
                    "Westshire", "England", "United Kingdom", "Europe", "c/o the warden", "ZZ99 4EF"])
#: one line wider than the window (85 mm at 10.5 pt) but within every other limit
WIDE = "Flat 12 The Very Long Named Building 145 Featherstonehaugh Crescent Road"
FITS = "Flat 3 The Old Mill\nMill Lane\nLower Dellmouth\nNear Greystow\nAmbleford\nZZ99 4EF"


def pdf_text(path: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages)


# --- the rule (plain Python) ----------------------------------------------------------------------------

def test_the_window_shows_the_name_and_six_lines() -> None:
    assert WINDOW_LINES == 7
    assert address_problem(["Ms A Test", *FITS.splitlines()]) == ""
    said = address_problem(["Ms A Test", *FITS.splitlines(), "Westshire"])
    assert "8 lines" in said and "at most 7 lines" in said
    said = address_problem([*FITS.splitlines(), "Westshire"], window_lines=6, above="the name")
    assert "7 lines" in said and "at most 6 lines (with the name, 7)" in said


def test_a_line_too_wide_for_the_window_is_measured_in_the_letters_font() -> None:
    assert line_width(WIDE) > WINDOW_WIDTH
    said = address_problem(["Ms A Test", WIDE, "ZZ99 4EF"])
    assert "line 2" in said and "too long for the envelope's window" in said
    # the same number of letters in narrow characters fits: the width is measured, not counted
    assert address_problem(["Ms A Test", "i" * len(WIDE)]) == ""


def test_commas_count_as_lines_where_the_letter_prints_them_so() -> None:
    assert address_lines("1 Mill Lane, Ambleford, ZZ99 4EF", split_commas=True) == ["1 Mill Lane", "Ambleford",
                                                                                   "ZZ99 4EF"]
    assert address_lines("1 Mill Lane, Ambleford\n\nZZ99 4EF") == ["1 Mill Lane, Ambleford", "ZZ99 4EF"]


def test_a_block_that_does_not_fit_is_refused_naming_its_record() -> None:
    with pytest.raises(AddressTooLong) as refused:
        check_recipient_fits(["Ms A Test", *TWELVE.splitlines()], "LB-0042")
    assert refused.value.reference == "LB-0042"
    assert "LB-0042 to Ms A Test" in str(refused.value) and "13 lines" in str(refused.value)
    check_recipient_fits(["Ms A Test", *FITS.splitlines()], "LB-0042")


# --- each place an address is typed (service level) -----------------------------------------------------

def test_letterbox_addresses_are_refused_at_entry(db: Database) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    with pytest.raises(ValidationError) as refused:
        letterbox_service.create_arrangement(db, coordinator, sample_input(adopters_address=TWELVE))
    assert refused.value.field == "Adopters' address" and "12 lines" in str(refused.value)
    # typed on one line with commas, it prints as seven lines under the name: refused the same
    with pytest.raises(ValidationError) as refused:
        letterbox_service.create_arrangement(db, coordinator, sample_input(
            adopters_address="1 Mill Lane, Lower Dellmouth, Near Greystow, Ambleford, Westshire, England, ZZ99 4EF"))
    assert refused.value.field == "Adopters' address"
    with pytest.raises(ValidationError) as refused:
        letterbox_service.create_arrangement(db, coordinator, sample_input(
            participants=(ParticipantData("Gina Quillfield", "birth mother", f"{WIDE}\nZZ99 7QT"),)))
    assert refused.value.field == "Birth relative's address" and "too long" in str(refused.value)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Arrangement)) == 0
    letterbox_service.create_arrangement(db, coordinator, sample_input(adopters_address=FITS))


def test_the_adm_letter_to_is_refused_at_entry(db: Database) -> None:
    adm = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    with db.session() as s:
        did = open_from_panel(s, handoff())
    with pytest.raises(ValidationError) as refused:
        adm_service.set_letter_details(db, adm, did, addressee=f"Mr and Mrs Testcase\n{TWELVE}", salutation="",
                                       social_worker="")
    assert refused.value.field == "addressee" and "Letter to:" in str(refused.value) and "13 lines" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        adm_service.set_letter_details(db, adm, did, addressee=f"Mr and Mrs Testcase\n{WIDE}\nZZ99 1AA",
                                       salutation="", social_worker="")
    assert refused.value.field == "addressee" and "Letter to:" in str(refused.value) and "line 2" in str(refused.value)
    adm_service.set_letter_details(db, adm, did, addressee=f"Mr and Mrs Testcase\n{FITS}", salutation="",
                                   social_worker="")


def test_counselling_addresses_are_refused_at_entry(db: Database) -> None:
    counsellor = make_user(db, "corey", Role.COUNSELLOR)
    with pytest.raises(ValidationError) as refused:
        counselling_service.create_referral(db, counsellor, referral(address=TWELVE), today=TODAY)
    assert refused.value.field == "address" and "at most 6 lines (with the name, 7)" in str(refused.value)
    case_id = counselling_service.create_referral(db, counsellor, referral(address=FITS), today=TODAY)
    # the records holder's letter prints "Records Officer" and the holder's name above the address
    with pytest.raises(ValidationError) as refused:
        counselling_service.add_request(db, counsellor, case_id, counselling_service.RequestInput(
            "archive", "Ambleford Record Office", dt.date(2026, 10, 5), holder_address=FITS), today=TODAY)
    assert refused.value.field == "holder_address" and "at most 5 lines" in str(refused.value)
    counselling_service.add_request(db, counsellor, case_id, counselling_service.RequestInput(
        "archive", "Ambleford Record Office", dt.date(2026, 10, 5),
        holder_address="Records Section\nAmbleford\nZZ99 2CD"), today=TODAY)


# --- an address stored before the limit: the letter is refused naming its record, never cut short ------

def _store(db: Database, model: type, row_id: int, **values: str) -> None:
    """What an older version or an import stored, past today's entry check."""
    with db.session() as s:
        row = s.get(model, row_id)
        for key, value in values.items():
            setattr(row, key, value)


def test_a_letterbox_batch_with_a_stored_long_address_is_refused_naming_it(db: Database, tmp_path: Path) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    ok = letterbox_service.create_arrangement(db, coordinator, sample_input("LB-0001", adopters_address=FITS))
    long = letterbox_service.create_arrangement(db, coordinator, sample_input("LB-0002"))
    _store(db, Arrangement, long, adopters_address=TWELVE)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "confirmation.pdf"
    with pytest.raises(AddressTooLong) as refused:
        write_batch(db, coordinator, "confirmation", out, arrangement_ids=[ok, long])
    assert "LB-0002 to Sam and Alex Thornley" in str(refused.value) and "13 lines" in str(refused.value)
    assert not list((tmp_path / "out").iterdir())
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(LetterSent)) == 0
    # the address within the limit prints whole, every line, in the window
    result = write_batch(db, coordinator, "confirmation", out, arrangement_ids=[ok])
    text = pdf_text(result.path or out)
    assert all(line.strip() in text for line in FITS.splitlines())


def test_a_counselling_letter_with_a_stored_long_address_is_refused_naming_the_case(db: Database,
                                                                                  tmp_path: Path) -> None:
    counsellor = make_user(db, "corey", Role.COUNSELLOR)
    case_id = counselling_service.create_referral(db, counsellor, referral(), today=TODAY)
    with db.session() as s:
        case = s.get(CounsellingCase, case_id)
        assert case is not None
        reference = case.reference
    _store(db, CounsellingCase, case_id, address=TWELVE)
    out = tmp_path / "ack.pdf"
    with pytest.raises(AddressTooLong) as refused:
        counselling_documents.write_case_letter(db, counsellor, case_id, "acknowledgement", out, today=TODAY)
    assert f"{reference} to Amy Lark" in str(refused.value)
    assert not out.exists()
    req = counselling_service.add_request(db, counsellor, case_id, counselling_service.RequestInput(
        "archive", "Ambleford Record Office", dt.date(2026, 10, 5), holder_address="Records Section\nZZ99 2CD"),
        today=TODAY)
    _store(db, RecordsRequest, req, holder_address=f"Records Section\n{WIDE}\nZZ99 2CD")
    with pytest.raises(AddressTooLong, match="too long for the envelope's window"):
        counselling_documents.write_case_letter(db, counsellor, case_id, "records-request", tmp_path / "q.pdf",
                                                request_id=req, today=TODAY)
    assert not (tmp_path / "q.pdf").exists()


def test_an_adm_decision_with_a_stored_long_letter_to_is_not_signed(db: Database, tmp_path: Path) -> None:
    adm = make_user(db, "decider", Role.AGENCY_DECISION_MAKER)
    with db.session() as s:
        did = open_from_panel(s, handoff(ref="ADP-2026-0042"), addressee=f"Mr and Mrs Testcase\n{TWELVE}")
    adm_service.record_decision(db, adm, did, outcome="agree", decision_text="Approved as suitable to adopt.",
                                reasons="The panel's reasons are sound.")
    with pytest.raises(ValidationError, match=r"Letter to: it has 13 lines"):
        adm_service.sign_decision(db, adm, did, TEST_PASSWORD, dt.date(2025, 12, 3))
    with db.session() as s:
        d = s.get(AdmDecision, did)
        assert d is not None and d.signed_at is None
        assert s.scalar(select(func.count()).select_from(AdmLetter)) == 0


def test_the_letter_writer_itself_refuses_naming_the_record(tmp_path: Path) -> None:
    """Every letter goes through ``pdf.write_letters`` (PDF and Word): a block that does not fit stops it."""
    from adoption_desktop.core.documents.pdf import Letter, Letterhead, write_letters
    from adoption_desktop.core.documents.templates import RenderedLetterText

    text = RenderedLetterText(subject="A subject", salutation="Dear Ms Test,", paragraphs=("A line.",),
                              closing="Yours sincerely,")
    head = Letterhead("Example Agency", "1 Example Street\nExampletown\nZZ99 1AA")
    good = Letter(("Ms A Test", *FITS.splitlines()), text, dt.date(2026, 12, 1), "PX-1", "Sam Signer", "Officer")
    bad = Letter(("Ms B Test", *TWELVE.splitlines()), text, dt.date(2026, 12, 1), "PX-2", "Sam Signer", "Officer")
    for name in ("letters.pdf", "letters.docx"):
        with pytest.raises(AddressTooLong, match=r"PX-2 to Ms B Test"):
            write_letters(tmp_path / name, [good, bad], head)
        assert not (tmp_path / name).exists()
    write_letters(tmp_path / "good.pdf", [good], head)
    assert "Lower Dellmouth" in pdf_text(tmp_path / "good.pdf")


def test_the_arrangement_form_says_it_and_puts_the_cursor_in_the_address(qtbot: Any, db: Database,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.letterbox.views import arrangement_dialog
    from adoption_desktop.letterbox.views.arrangement_dialog import ArrangementDialog
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    monkeypatch.setattr(arrangement_dialog, "ask_discard", lambda *_a, **_k: True)  # closed with typing at the end
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    dialog = ArrangementDialog(AppContext(db, coordinator, TaskRunner(synchronous=True)), None,
                               today=dt.date.today())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.fields["reference"].setText("LB-0400")
    dialog.adopters_address.setPlainText(TWELVE)
    dialog.fields["reference"].setFocus()
    dialog.save()
    assert dialog.message.text().startswith("Adopters' address: it has 12 lines")
    assert dialog.focusWidget() is dialog.adopters_address
    assert dialog.arrangement_id is None


def test_a_name_printed_above_the_address_must_fit_the_window_too(db: Database) -> None:
    coordinator = make_user(db, "lbcoord", Role.LETTERBOX_COORDINATOR)
    long_names = "Mr Thomas Heronmere and Mrs Adaline Featherstonehaugh-Cholmondeley"
    with pytest.raises(ValidationError) as refused:
        letterbox_service.create_arrangement(db, coordinator, sample_input(adopters_name=long_names))
    assert refused.value.field == "Adopters' names" and "too long for the envelope's window" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        letterbox_service.create_arrangement(db, coordinator, sample_input(
            participants=(ParticipantData(long_names, "birth mother", "3 Moss Row\nZZ99 7QT"),)))
    assert refused.value.field == "Birth relative"


def test_the_demos_couples_fit_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's ADM decisions are signed and their letters filed: two long names go on two lines."""
    import random

    from adoption_desktop.adm.demo import _couple
    from adoption_desktop.demo import DemoContext

    ctx = DemoContext("small", random.Random(7), dt.date(2026, 12, 7))
    monkeypatch.setattr(ctx, "full_name", lambda: "Harvey Brackencombe")
    addressee, salutation = _couple(ctx)
    assert addressee.splitlines()[:2] == ["Harvey Brackencombe", "and Harvey Brackencombe"]
    assert salutation == "Harvey Brackencombe and Harvey Brackencombe"
    check_recipient_fits(addressee.splitlines(), "ADP-1")
