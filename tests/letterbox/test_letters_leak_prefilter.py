"""The leak check's prefilter (``screening.detectors.could_match_words``): which terms of the other side are
worth running the shared matcher for in a letter. Since the leak check uses the screening's matcher
(``match_terms``), a reminder batch on the large demo took ten times as long: the old prefilter looked for a
term's letters anywhere in the letter's letters, so "Ann" was "in" every letter saying "annual" and "Moss" of
"89 Moss Road" in every letter to someone on another Moss Road, and the matcher (its patterns compiled for each
arrangement's own terms) ran for a third of the letters, finding nothing. The prefilter now asks for whole words,
as the matcher's patterns do, and leaves out what the leak check would not take (the reader's own street, a pet
form or a word alone that is the reader's own); only a hashtag, an account name or a joined-up word is searched
for a term anywhere in it.

It must never drop a leak: whatever ``leaked_terms`` finds with the matcher run for every term, it finds with
the prefilter (Hypothesis, over letters written with the terms in every form the matcher reads)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.letterbox import documents
from adoption_desktop.letterbox.documents import leaked_terms
from adoption_desktop.letterbox.screening import detectors

GINA = ("Gina Quillfield", "3 Moss Road", "Greystow", "ZZ99 7QT")
KNOWN = ("Poppy", "Quillfield")


def _letter(*paragraphs: str) -> RenderedLetterText:
    return RenderedLetterText("Letterbox exchange due in March 2027", "Dear Gina,", paragraphs, "Yours sincerely,")


@pytest.fixture
def matcher_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, ...]]]:
    """The terms the leak check runs the shared matcher for, letter by letter."""
    runs: list[tuple[str, ...]] = []
    real = documents.match_terms

    def counted(text: str, wanted: tuple[str, ...], **kwargs: Any) -> list[detectors.TermMatch]:
        runs.append(wanted)
        return real(text, wanted, **kwargs)

    monkeypatch.setattr(documents, "match_terms", counted)
    yield runs


@pytest.mark.parametrize(("paragraph", "forbidden"), [
    # a short name inside another, capitalised word
    ("Annual reviews of the arrangement are due in March.", ("Ann", "Ann Thornley")),
    ("Benefits advice is on our website.", ("Ben",)),
    ("Your reply goes to Willow Court, our office.", ("Will",)),
    # a name's pet forms' start inside another word ("Anna", "Annie" … of "Ann")
    ("Anniversaries are a good time to write.", ("Ann",)),
    # a street of the other side that is also the reader's own street, in the reader's address
    ("Please send your letter to us at the address above.", ("89 Moss Road", "Ivelcombe")),
    # a distinctive word of a longer term that is the reader's own surname (the reader knows it)
    ("Please send your letter by 15 March 2027.", ("Vera Quillfield", "Kestrel Vale Primary")),
])
def test_no_matcher_for_a_term_that_is_not_a_whole_word(paragraph: str, forbidden: tuple[str, ...],
                                                         matcher_runs: list[tuple[str, ...]]) -> None:
    """A term whose letters are in the letter only inside other words, or only where the leak check would not
    take them, costs no pattern: the matcher is not run for the letter at all."""
    assert leaked_terms(_letter(paragraph), GINA, forbidden, KNOWN) == []
    assert matcher_runs == []


@pytest.mark.parametrize(("paragraph", "forbidden", "leaked"), [
    ("Ann sends her love.", ("Ann",), ["Ann"]),
    ("Annie sends her love.", ("Ann",), ["Ann"]),
    ("We saw the Thornleys in town.", ("Thornley",), ["Thornley"]),
    ("They live on 89 Moss Rd now.", ("89 Moss Road",), ["89 Moss Road"]),
    ("She goes to Kestrel Vale.", ("Kestrel Vale Primary",), ["Kestrel Vale Primary"]),
    ("Follow #TeamThornley for the photos.", ("Thornley",), ["Thornley"]),
    ("The @ThornleyFamily page has the photos.", ("Thornley",), ["Thornley"]),  # joined, no "@": a service's name
    ("We met the O’Neill family.", ("O'Neill",), ["O'Neill"]),
    ("We met the Smith Jones family.", ("Smith-Jones",), ["Smith-Jones"]),
    ("Her new address is 43, Quill Road.", ("43 Quill Road",), ["43 Quill Road"]),
])
def test_a_leak_still_runs_the_matcher(paragraph: str, forbidden: tuple[str, ...], leaked: list[str],
                                       matcher_runs: list[tuple[str, ...]]) -> None:
    assert leaked_terms(_letter(paragraph), GINA, forbidden, KNOWN) == leaked
    assert matcher_runs


def _without_prefilter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "could_match_words", lambda *args, **kwargs: True)


_OTHER_SIDE = ("Rosa Smith-Jones", "Sam and Alex Smith-Jones", "Rosa", "Smith-Jones", "Sam", "Alex", "Ann",
               "43 Quill Road", "89 Moss Road", "Ivelcombe", "ZZ99 1HJ", "O'Neill", "Kestrel Vale Primary",
               "kaz_h2011", "Zoë", "Jess")
#: pieces a letter is written from: the terms in the forms the matcher reads, parts of them, words around them
_PIECES = (
    "Rosa", "ROSA", "rosa", "Rosie", "Roses", "Smith-Jones", "Smith Jones", "SmithJones", "Smith–Jones",
    "Smith\u02bcJones", "Smith", "Jones", "Sam", "Sammy", "Alex", "Alexa", "Ann", "Annie", "annual", "Anna's",
    "43 Quill Road", "43 Quill Rd.", "Quill", "quill", "Quillfield", "89 Moss Road", "Moss Rd", "3 Moss Road",
    "Flat 2, 89", "No 12", "12a", "Mossley", "Ivelcombe", "IVELCOMBE", "ivelcombes", "ZZ99 1HJ", "ZZ991HJ",
    "zz99", "1HJ", "O'Neill", "O’Neill", "ONeill", "O\u02bcNeill", "O Neill", "Kestrel Vale", "Kestrel",
    "KESTREL", "Vale", "Primary", "kaz_h2011", "kaz", "#TeamRosa", "@rosa.smithjones", "#kestrelvale",
    "ThornleyFamily", "RosaDances", "Zoe", "Zoë", "Zoé", "Jess", "Jessie", "Jessies", "JESS", "Gina",
    "Poppy", "Quillfields", "the", "and", "we", "will", "Will", "'s", "’s", "s", "es", "-", "—", ".", ",",
    "#", "@", "_", "\n", "|",
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12), st.lists(st.sampled_from(("", " ", "  ")),
                                                                          min_size=12, max_size=12))
def test_the_prefilter_loses_nothing(pieces: list[str], gaps: list[str]) -> None:
    """Every letter: the terms found with the prefilter are those found with the matcher run for every term."""
    paragraph = "".join(p + g for p, g in zip(pieces, gaps, strict=False))
    letter = _letter(paragraph)
    found = leaked_terms(letter, GINA, _OTHER_SIDE, KNOWN)
    with pytest.MonkeyPatch.context() as monkeypatch:
        _without_prefilter(monkeypatch)
        assert found == leaked_terms(letter, GINA, _OTHER_SIDE, KNOWN), paragraph
