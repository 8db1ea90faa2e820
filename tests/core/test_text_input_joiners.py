"""ZERO WIDTH (NON-)JOINER: kept where it is part of a name's spelling (Persian, Arabic, Indic scripts, emoji
sequences), removed where it disguises a Latin word, and screening finds a name stored with it written either
way (user trial 19: "نیک\u200cزاد" was stored as "نیکزاد")."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.core.text_input import clean_name, clean_text, name_key, reference_key, strip_invisible
from adoption_desktop.letterbox.documents import leaked_terms
from adoption_desktop.letterbox.screening import screen_text

ZWNJ, ZWJ = "\u200c", "\u200d"
PERSIAN = f"نیک{ZWNJ}زاد"
joiner = st.sampled_from([ZWNJ, ZWJ])
arabic_letter = st.characters(min_codepoint=0x0620, max_codepoint=0x064A, categories=["Lo"])
devanagari_letter = st.characters(min_codepoint=0x0915, max_codepoint=0x0939, categories=["Lo"])
latin_letter = st.characters(min_codepoint=ord("a"), max_codepoint=ord("z"))


def test_joiners_of_persian_indic_and_emoji_spelling_are_kept() -> None:
    assert clean_name(PERSIAN, "Child's adoptive name") == PERSIAN
    assert clean_text(f"क्{ZWJ}ष", "Birth relative") == f"क्{ZWJ}ष"  # a half form after the virama
    assert clean_text(f"क्{ZWNJ}ष", "Birth relative") == f"क्{ZWNJ}ष"
    assert clean_text(f"notes 👩{ZWJ}💻", "Notes") == f"notes 👩{ZWJ}💻"


def test_joiners_elsewhere_are_still_removed() -> None:
    assert clean_name(f"Tho{ZWNJ}rnley", "Adopters' names") == "Thornley"
    assert clean_name(f"Tho{ZWJ}rnley", "Adopters' names") == "Thornley"
    assert clean_text(f"{ZWNJ}نیک", "x") == "نیک"  # at the start: between nothing
    assert clean_text(f"ک{ZWNJ}A", "x") == "کA"  # between two scripts
    assert clean_text(f"نیک{ZWNJ}{ZWNJ}زاد", "x") == "نیکزاد"  # doubled: neither between two letters
    assert clean_text("نیک\u200bزاد", "x") == "نیکزاد"  # a zero width space is never spelling


@given(latin_letter, joiner, latin_letter)
def test_a_joiner_between_latin_letters_is_removed(a: str, j: str, b: str) -> None:
    assert strip_invisible(f"x{a}{j}{b}x") == f"x{a}{b}x"


@given(st.one_of(st.tuples(arabic_letter, arabic_letter), st.tuples(devanagari_letter, devanagari_letter)), joiner)
def test_a_joiner_between_two_letters_of_a_joining_script_is_kept(pair: tuple[str, str], j: str) -> None:
    a, b = pair
    assert strip_invisible(f"{a}{j}{b}") == f"{a}{j}{b}"
    # compared (references, names) without it
    assert reference_key(f"{a}{j}{b}") == reference_key(a + b) and name_key(f"{a}{j}{b}") == name_key(a + b)


@given(st.text(alphabet=st.sampled_from(["a", "B", "ک", "ز", "क", "्", ZWNJ, ZWJ, "\u200b", " "]), max_size=12))
def test_cleaning_twice_changes_nothing(text: str) -> None:
    once = strip_invisible(text)
    assert strip_invisible(once) == once
    assert "\u200b" not in once


def test_screening_finds_a_name_stored_with_a_joiner_written_with_or_without_it() -> None:
    for stored in (PERSIAN, "نیکزاد"):
        for written in (PERSIAN, "نیکزاد"):
            found = screen_text(f"سلام {written} خوبی", protected=[stored])
            assert [f.text for f in found] == [written], (stored, written)
    # a Latin name is still unmasked: the joiner is a disguise there
    assert [f.text for f in screen_text(f"we met Tho{ZWNJ}rnley", protected=["Thornley"])] == [f"Tho{ZWNJ}rnley"]


def test_the_letters_leak_check_finds_a_name_stored_with_a_joiner() -> None:
    for written in (PERSIAN, "نیکزاد"):
        text = RenderedLetterText("Reminder", "Dear Ann Lee,", (f"News of {written} soon.",), "Yours")
        assert leaked_terms(text, ["Ann Lee", "1 Fake Street"], [PERSIAN]) == [PERSIAN], written
