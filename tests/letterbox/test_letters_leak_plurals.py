"""A protected name written as a plural is still a leak (gap left by the last round: the outgoing check found
"Thornley's" but not "the Thornleys", "THORNLEYS" or "Thornleys'", so a typed reason naming the adoptive family
that way went out). A one-word name (capitalised, or all in capitals) is also matched with "-s" or, after
s/x/z/ch/sh, "-es" and a possessive after it; only for names, only as a whole word; address lines, postcodes
and lower-case terms are matched as before. The incoming screening already read plurals: it is checked too."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.letterbox.documents import TypedTextLeaks, check_no_leak, contains_term, leaked_terms
from adoption_desktop.letterbox.screening import PROTECTED, screen_text
from adoption_desktop.letterbox.screening.detectors import variant_words
from tests.letterbox.corpus import load
from tests.letterbox.test_letters_leak_folded import ADOPTIVE, GINA


def _letter(*paragraphs: str, salutation: str = "Dear Gina,") -> RenderedLetterText:
    return RenderedLetterText("Your letter", salutation, paragraphs, "Yours sincerely")


@pytest.mark.parametrize(("paragraph", "term"), [
    ("We have written to the Thornleys.", "Thornley"),
    ("THORNLEYS asked us to write.", "Thornley"),
    ("Please leave out the Thornleys' street.", "Thornley"),
    ("Please leave out the Thornleys’ street.", "Thornley"),
    ("Please leave out the THORNLEYS' street.", "Thornley"),
    ("THORNLEY asked us to write.", "Thornley"),
    ("The Thornleys, Sam and Alex, are well.", "Thornley"),
    ("We met the Thornleys\nlast week.", "Thornley"),
    ("We met the Alexes.", "Alex"),
    ("We met the Thórnleys.", "Thornley"),
])
def test_a_plural_of_the_other_sides_name_is_a_leak(paragraph: str, term: str) -> None:
    assert term in leaked_terms(_letter(paragraph), GINA, ADOPTIVE)


def test_a_typed_reason_naming_the_family_in_the_plural_is_blamed_on_the_reason() -> None:
    reason = "Please do not mention the Thornleys."
    with pytest.raises(TypedTextLeaks, match=r"\(Thornley\), found in the reason"):
        check_no_leak(_letter("We have returned your card.", reason), GINA, ADOPTIVE, (("the reason", reason),))


# What is no plural of a name ("The wills were read.", "Thornleysdale", "Thornleyes Farm", "The Samsons", the
# reader's own name in the plural) is checked with the accents' and pet forms' cases, from one list:
# NOT_LEAKS in test_letters_leak_folded.py.


def test_address_lines_and_lower_case_terms_get_no_plural() -> None:
    assert leaked_terms(_letter("We sent it to 12 Heron Gates."), GINA, ("12 Heron Gate",)) == []
    assert leaked_terms(_letter("His tag is kaz_h2011s now."), GINA, ("kaz_h2011",)) == []
    assert leaked_terms(_letter("Post it to ZZ99 7QTs."), ("Gina",), ("ZZ99 7QT",)) == []


def test_clean_corpus_letters_name_no_plural_of_a_name() -> None:
    """Ordinary wording (the clean corpus letters, read as text a coordinator might type) does not name the
    letter's own protected terms (the families' surnames) once plurals are read."""
    for letter in (*load("clean"), *load("heldout_clean"), *load("heldout2_clean")):
        assert leaked_terms(_letter(letter.text), GINA, (*letter.protected, "Thornley")) == [], letter.id


@pytest.mark.parametrize(("sentence", "written"), [
    ("The Thornleys visited us at Easter.", "Thornleys"),
    ("THORNLEYS visited us at Easter.", "THORNLEYS"),
    ("We saw the Thornleys' new car.", "Thornleys'"),
    ("We saw the Thornleys’ new car.", "Thornleys’"),
])
def test_the_incoming_screening_finds_a_plural_of_a_protected_name(sentence: str, written: str) -> None:
    start = sentence.index(written)
    found = [f for f in screen_text(sentence, ("Thornley",)) if PROTECTED in f.kinds]
    assert [(f.start, f.end) for f in found] == [(start, start + len(written))], found


_NAMES = ("Thornley", "Alex", "Will", "Sam", "Jess", "Fox", "Marsh")
_CASES: tuple[Callable[[str], str], ...] = (str, str.upper)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(_NAMES), st.sampled_from(_CASES), st.sampled_from(("s", "es", "s'", "s’", "es'")),
       st.sampled_from(("", "the ", "We met the ")), st.sampled_from(("", ".", " today.", ",", "\n")))
def test_a_plural_of_a_capitalised_name_is_found_where_english_makes_one(
        name: str, case: Callable[[str], str], ending: str, before: str, after: str) -> None:
    """Any name, capitalised or in capitals, with "-s" (or "-es" after a hissing sound) and a possessive
    apostrophe, at the start or inside a sentence, is found; "-es" after other letters is not a plural."""
    written = case(name + ending)
    text = f"{before}{written}{after}"
    sibilant = name.lower().endswith(("s", "x", "z", "ch", "sh"))
    found = name in leaked_terms(_letter(text, salutation=""), (), (name,))
    if ending.startswith("es") and not sibilant:  # not a plural; "Willes" is one of the pet form "Wille"
        assert found == (name.lower() + "e" in variant_words(name)), text
    else:
        assert found, text


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(list("ThornleysTHORNLEYS '’.-_\n1")), max_size=30))
def test_what_was_found_before_plurals_is_still_found(text: str) -> None:
    if contains_term(text, text.lower(), "Thornley"):
        assert "Thornley" in leaked_terms(_letter(text, salutation=""), (), ("Thornley",))
