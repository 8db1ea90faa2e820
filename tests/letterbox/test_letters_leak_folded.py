"""The outgoing letters' leak check reads as the incoming screening does (letterbox trial, the gap left by
finding 5): a returned letter whose typed reason named the child's new name "Jess" as "Jéss" or "Jessie"
went out. Now both the letter and the other side's names are compared without accents, and a one-word name
also in its pet forms, capitalised; names stay matched as written ("Will" is not "we will"), and the
reader's own names and the child's name on their side are never a leak, also written with other accents or
as a pet form of a forbidden name."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.documents import (
    TypedTextLeaks,
    check_no_leak,
    contains_term,
    leaked_terms,
    write_batch,
)
from adoption_desktop.letterbox.models import Item
from adoption_desktop.letterbox.service import ParticipantData
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_item_writer_letters import DAY, pdf_text, relatives


def _letter(*paragraphs: str, salutation: str = "Dear Gina,") -> RenderedLetterText:
    return RenderedLetterText("Your letter", salutation, paragraphs, "Yours sincerely")


GINA = ("Gina Quillfield", "3 Moss Row", "Greystow", "ZZ99 7QT")
ADOPTIVE = ("Jess Thornley", "Sam and Alex Thornley", "Jess", "Thornley", "Sam", "Alex", "Will", "12 Heron Gate",
            "Dellmouth", "Kestrel Vale Primary")


@pytest.mark.parametrize(("paragraph", "term"), [
    ("Please do not call her Jéss.", "Jess"),
    ("Please do not call her Jessie.", "Jess"),
    ("Please leave out Jessie's school.", "Jess"),
    ("Please do not call her JESSIE.", "Jess"),
    ("We have asked the Thórnley family.", "Thornley"),
    ("We have asked Mrs Thórnley's sister.", "Thornley"),
    ("Please leave out Kestrel Vále Primary.", "Kestrel Vale Primary"),
    ("Please leave out kestrel vale primary.", "Kestrel Vale Primary"),
    ("Please leave out 12 heron gáte.", "12 Heron Gate"),
    ("Please leave out Willy.", "Will"),
])
def test_the_other_sides_names_are_found_with_accents_and_pet_forms(paragraph: str, term: str) -> None:
    assert term in leaked_terms(_letter(paragraph), GINA, ADOPTIVE)


#: what is no leak in a letter to Gina with ADOPTIVE on the other side: one list for this file's accents and pet
#: forms and for test_letters_leak_plurals.py's plurals (each kept its own copy of "We will write again soon.")
NOT_LEAKS = [
    "We will write again soon.",           # "Will" as written: a capitalised whole word; lower case is not the name
    "The jessie in the story was kind.",   # a pet form only capitalised, as in the incoming screening
    "Jessop the cat is well.",             # not a pet form
    "Jessica sends her love.",             # not a pet form of "Jess"
    "Alexandra from the team will call.",  # not a pet form of "Alex"
    "Please call Gina or Gína.",           # the reader's own name, with or without an accent
    # plurals (test_letters_leak_plurals.py): only of names, and only as whole words
    "The wills were read.",                    # not the plural of "Will" in lower case
    "Thornleysdale is a long way off.",        # a plural only as a whole word
    "We visited Thornleyes Farm.",             # "-es" only after s, x, z, ch, sh
    "The Samsons sent a card.",                # another name that only starts like one
    "Please call Gina or the Quillfields.",   # the reader's own name, in the plural
]


@pytest.mark.parametrize("paragraph", NOT_LEAKS)
def test_ordinary_words_and_the_readers_own_names_are_not_leaks(paragraph: str) -> None:
    assert leaked_terms(_letter(paragraph), GINA, ADOPTIVE) == []


def test_a_pet_form_that_is_the_readers_own_name_or_one_they_know_is_not_a_leak() -> None:
    annie = ("Annie Quillfield", "3 Moss Row", "Greystow")
    assert leaked_terms(_letter("Thank you, Annie.", salutation="Dear Annie,"), annie, ("Ann", "Ann Thornley")) == []
    assert leaked_terms(_letter("Thank you, Annie."), GINA, ("Ann",)) == ["Ann"]
    assert leaked_terms(_letter("Jessie is well."), GINA, ("Jess",), known=("Jessie", "Quillfield")) == []
    assert leaked_terms(_letter("Zoe is well."), GINA, ("Zoë",), known=("Zoe",)) == []


def test_a_typed_reason_naming_the_other_side_is_blamed_on_the_reason() -> None:
    for reason in ("Please do not call her Jéss.", "Please do not call her Jessie."):
        with pytest.raises(TypedTextLeaks, match=r"\(Jess\), found in the reason"):
            check_no_leak(_letter("We have returned your card.", reason), GINA, ADOPTIVE,
                          (("the reason", reason),))


def _jess(db: Database, who: Principal, **kw: object) -> int:
    """The sample arrangement with the child's new name "Jess" (the adoptive side)."""
    return service.create_arrangement(db, who, sample_input(child_adoptive_name="Jess Thornley", **kw))


@pytest.mark.parametrize("reason", ["Please do not call her Jéss.", "Please do not call her Jessie."])
def test_a_returned_letter_with_a_reason_naming_jess_is_refused(db: Database, coordinator: Principal,
                                                                tmp_path: Path, reason: str) -> None:
    aid = _jess(db, coordinator)
    gina = relatives(db, coordinator, aid)["Gina Quillfield"]
    item = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=DAY,
                            participant_id=gina, log_again=True)
    service.screen_item(db, coordinator, item, "Our number is 07700 900123")
    with pytest.raises(ValidationError, match=r"names Jess from the other side"):  # refused as it is recorded
        service.record_outcome(db, coordinator, item, "returned", DAY, reason=reason)
    service.record_outcome(db, coordinator, item, "returned", DAY, reason="Please leave out your number.")
    with db.session(coordinator) as session:  # a reason recorded before the check read it this way
        session.execute(update(Item).where(Item.id == item).values(reason=reason))
    out = tmp_path / "returned.pdf"
    with pytest.raises(TypedTextLeaks, match=r"\(Jess\), found in the reason you typed") as refused:
        write_batch(db, coordinator, "returned", out, item_ids=[item], today=DAY)
    assert refused.value.item_id == item
    assert not out.exists()


def test_letters_for_an_arrangement_with_accented_and_shared_names_are_produced(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """The birth mother shares the adopter's name written with an accent, the child's birth name is a pet
    form of the new one: no letter is refused, and each reader's own names are printed."""
    aid = _jess(db, coordinator, child_birth_name="Jessie Quillfield", adopters_name="Zoë and Alex Thornley",
                participants=(ParticipantData("Zoe Quillfield", "birth mother", "3 Moss Row\nGreystow\nZZ99 7QT"),
                              ParticipantData("Annie Quillfield", "birth aunt", "8 Elm Close\nJarrow\nZZ99 3BB")))
    out = tmp_path / "confirmation.pdf"
    result = write_batch(db, coordinator, "confirmation", out, arrangement_ids=[aid], today=DAY)
    assert result.letters == 3  # the adopters, and both birth relatives
    text = " ".join(pdf_text(out).split())
    assert "Dear Zoe" in text and "Dear Annie" in text and "Jessie" in text and "Jess " in text


_ALPHABET = list("JjeEsSiyéÉ ,.'’\n-1")


@settings(max_examples=1500, deadline=None)
@given(st.text(st.sampled_from(_ALPHABET), max_size=24), st.text(st.sampled_from(_ALPHABET), min_size=2, max_size=6))
def test_folding_never_loses_a_term_found_as_written(text: str, term: str) -> None:
    """Whatever was found as written (the check before folding) is still found (accents precomposed, as
    typed)."""
    text, term = unicodedata.normalize("NFC", text), unicodedata.normalize("NFC", term).strip()
    if len(term) < 2:
        return
    if contains_term(text, text.lower(), term):
        assert term in leaked_terms(_letter(text, salutation=""), (), (term,))
