"""Letters with no one-letter base are read as the letters they stand for (gap left by the last round: accents
were folded, but "ø", "ł", "æ", "ß", "đ", "þ", "œ" stayed as they were, so a protected "Soren" written "Søren"
went through, and a protected "Søren" typed plainly "Soren" too). ``fold`` now reads them as "o", "l", "ae",
"ss", "d", "th", "oe" (in capitals when the word is), in the incoming screening and in the outgoing letters'
leak check alike; a finding is still a span of the letter as written, also where folding changed the length."""

from __future__ import annotations

import pytest

from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.letterbox.documents import TypedTextLeaks, check_no_leak, leaked_terms
from adoption_desktop.letterbox.screening import PROTECTED, screen_text
from adoption_desktop.letterbox.screening.detectors import fold

# (written in the letter, protected as)
PAIRS = [
    ("Søren", "Soren"), ("SØREN", "Soren"), ("Łucja", "Lucja"), ("Æsa", "Aesa"), ("ÆSA", "Aesa"),
    ("Weiß", "Weiss"), ("Đurić", "Duric"), ("Þóra", "Thora"), ("Cœlia", "Coelia"), ("Bjørnstad", "Bjornstad"),
    ("Guðrún", "Gudrun"), ("WEIẞ", "Weiss"),
]


@pytest.mark.parametrize(("text", "folded"), [
    ("Søren", "Soren"), ("SØREN", "SOREN"), ("Łucja", "Lucja"), ("Æsa", "Aesa"), ("ÆSA", "AESA"), ("æ", "ae"),
    ("Weiß", "Weiss"), ("WEIẞ", "WEISS"), ("đ Đ", "d D"), ("Þóra", "Thora"), ("ÞÓRA", "THORA"), ("Cœlia", "Coelia"),
    ("ŒUF", "OEUF"), ("Guðrún", "Gudrun"), ("Jéss", "Jess"), ("½ …", "½ …"),
])
def test_fold_reads_letters_without_a_one_letter_base(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(("written", "term"), [*PAIRS, *((t, w) for w, t in PAIRS if w[1:].islower())])
def test_the_incoming_screening_finds_a_name_written_with_such_letters_or_without_them(written: str,
                                                                                       term: str) -> None:
    sentence = f"We had a lovely day with {written}'s cousins."
    start = sentence.index(written)
    found = [f for f in screen_text(sentence, (term,)) if PROTECTED in f.kinds]
    assert [(f.start, f.end, f.text) for f in found] == [(start, start + len(written) + 2, f"{written}'s")], found
    assert f"the protected term '{term}'" in found[0].reason


def test_a_pet_form_and_a_plural_with_such_letters_are_found() -> None:
    found = [f.text for f in screen_text("Sørenie and the Bjørnstads came.", ("Soren", "Bjornstad"))
             if PROTECTED in f.kinds]
    assert found == ["Sørenie", "Bjørnstads"]


def test_a_protected_school_with_such_letters_is_found_in_full() -> None:
    sentence = "She has started at Kestrel Væle Primary now."
    found = [f for f in screen_text(sentence, ("Kestrel Vaele Primary",)) if PROTECTED in f.kinds]
    assert [f.text for f in found] == ["Kestrel Væle Primary"], found


@pytest.mark.parametrize("sentence", [
    "Søren Kierkegaard was a philosopher, we read about him.",  # another name
    "We ate smørrebrød and æbleskiver at the market.",
    "Die Straße war lang.",
])
def test_such_letters_alone_are_not_a_protected_name(sentence: str) -> None:
    assert not [f for f in screen_text(sentence, ("Thornley", "Jess")) if PROTECTED in f.kinds]


def _letter(*paragraphs: str) -> RenderedLetterText:
    return RenderedLetterText("Your letter", "Dear Gina,", paragraphs, "Yours sincerely")


GINA = ("Gina Quillfield", "3 Moss Row", "Greystow", "ZZ99 7QT")


@pytest.mark.parametrize(("written", "term"), [*PAIRS, *((t, w) for w, t in PAIRS if w[1:].islower())])
def test_the_leak_check_finds_a_name_written_with_such_letters_or_without_them(written: str, term: str) -> None:
    assert leaked_terms(_letter(f"Please leave out {written}."), GINA, (term,)) == [term]
    assert leaked_terms(_letter(f"Please leave out {written}'s school."), GINA, (term,)) == [term]


def test_a_typed_reason_with_such_letters_is_blamed_on_the_reason() -> None:
    reason = "Please do not call him Søren."
    with pytest.raises(TypedTextLeaks, match=r"\(Soren\), found in the reason"):
        check_no_leak(_letter("We have returned your card.", reason), GINA, ("Soren", "Bjornstad"),
                      (("the reason", reason),))


def test_the_readers_own_name_with_such_letters_is_not_a_leak() -> None:
    soren = ("Søren Quillfield", "3 Moss Row", "Greystow")
    assert leaked_terms(_letter("Thank you, Soren."), soren, ("Soren", "Soren Bjornstad")) == []
    assert leaked_terms(_letter("Thank you, Søren."), GINA, ("Soren",), known=("Soren",)) == []
    assert leaked_terms(_letter("Thank you, Bjørnstad and 12 Heron Gåte."), GINA,
                        ("Bjornstad", "12 Heron Gate")) == ["12 Heron Gate", "Bjornstad"]
