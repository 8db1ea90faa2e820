"""The acknowledgement follows whether the case is allocated (user trial, 4 December 2026: an allocated case's
letter, signed by its counsellor, still said "We will write to you again when a counsellor has been allocated
to you"). On the waiting list it keeps that promise; once allocated it names the counsellor instead. An
agency's own copy of the template still holding the old fixed sentence is read as ``${allocation_text}``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from adoption_desktop import template_admin as ta
from adoption_desktop.core.documents.templates import shipped_template
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import documents, service
from tests.conftest import make_user

from .conftest import TODAY, pdf_text

WAITING = "We will write to you again when a counsellor has been allocated to you."
ALLOCATED = "Your counsellor is Corey Tester, who will contact you to arrange a time to talk."
#: the acknowledgement as shipped until 4 December 2026, as an agency may have saved its own copy of it
OLD_BULLETS = ("- We will write to you again when a counsellor has been allocated to you.\n"
               "- If your address, telephone number or e-mail changes, please let us know.\n")


def _letter(db: Database, actor: Principal, case_id: int, out: Path) -> str:
    return pdf_text(documents.write_case_letter(db, actor, case_id, "acknowledgement", out, today=TODAY))


def test_a_waiting_case_is_promised_a_letter_when_a_counsellor_is_allocated(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path) -> None:
    text = _letter(db, counsellor, new_case(), tmp_path / "a.pdf")
    assert WAITING in text and "Your counsellor is" not in text


def test_an_allocated_case_names_its_counsellor_and_drops_the_promise(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path) -> None:
    case_id = new_case()
    service.allocate(db, counsellor, case_id, counsellor.user_id, on=TODAY)
    text = _letter(db, counsellor, case_id, tmp_path / "a.pdf")
    assert ALLOCATED in text
    assert "when a counsellor has been allocated" not in text
    assert text.count("Corey Tester") == 2  # named in the letter, and signing it


def test_the_letter_follows_a_reallocation_to_another_counsellor(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path) -> None:
    other = make_user(db, "robin", Role.COUNSELLOR)
    case_id = new_case()
    service.allocate(db, counsellor, case_id, counsellor.user_id, on=TODAY)
    service.allocate(db, counsellor, case_id, other.user_id, on=TODAY)
    text = _letter(db, counsellor, case_id, tmp_path / "a.pdf")
    assert "Your counsellor is Robin Tester" in text and "Corey Tester" not in text


@pytest.mark.parametrize("bullets", [
    OLD_BULLETS,
    # wrapped onto the next line in Notepad, with a double space
    OLD_BULLETS.replace("counsellor has been", "counsellor\n  has  been"),
])
def test_an_agency_copy_with_the_old_sentence_follows_the_allocation_too(
        db: Database, counsellor: Principal, new_case: Callable[..., int], tmp_path: Path, bullets: str) -> None:
    admin = make_user(db, "admin", Role.ADMINISTRATOR)
    text = ta.letter_text(db, admin, "counselling_acknowledgement")
    assert "${allocation_text}" in text
    own = text.replace("- ${allocation_text}\n- If your address, telephone number or e-mail changes, please let us "
                       "know.\n", bullets).replace("We look forward", "Our own closing words. We look forward")
    assert "${allocation_text}" not in own
    ta.save_letter_template(db, admin, "counselling_acknowledgement", own)  # still accepted
    waiting, allocated = new_case(), new_case(current_name="Bea Lark")
    service.allocate(db, counsellor, allocated, counsellor.user_id, on=TODAY)
    waiting_text = _letter(db, counsellor, waiting, tmp_path / "w.pdf")
    allocated_text = _letter(db, counsellor, allocated, tmp_path / "a.pdf")
    assert "Our own closing words." in waiting_text and "Our own closing words." in allocated_text
    assert WAITING in waiting_text and "Your counsellor is" not in waiting_text
    assert ALLOCATED in allocated_text and "when a counsellor has been allocated" not in allocated_text
    assert ta.letter_text(db, admin, "counselling_acknowledgement") == own  # the agency's copy is unchanged


def test_the_shipped_template_names_the_placeholder() -> None:
    tpl = shipped_template("counselling_acknowledgement")
    assert "allocation_text" in tpl.placeholders
    lines = [t.template for p in tpl.paragraphs for t in (p if isinstance(p, tuple) else (p,))]
    assert "- ${allocation_text}" not in lines and "${allocation_text}" in lines  # a bullet of its own
    assert not any("allocated to you" in line for line in lines)
