"""An institution's name is kept whole unless "and"/"&" leads into the next part of the sentence (review, 6
December 2026). Ending every name at its last institution word (for "Oakfield Primary School and I went")
also cut names whose institution word comes first or in the middle: "her club is Club Tropicana Dance", "her
nursery is Nursery Rhymes Daycare", "her team is Church Lads Brigade" gave no finding at all, "He works at
Garage Doors Direct" only "Garage". Missing a real club or workplace is far worse than a highlight a little
too long, so a name is cut only before "and"/"&" and a person ("and I", "& Mum") or, straight after an
institution word, before another institution's name (found on its own)."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import INSTITUTION, screen_text


def _covered(text: str, name: str) -> bool:
    """Whether one institution finding covers the whole of ``name`` in ``text``."""
    start = text.index(name)
    return any(INSTITUTION in f.kinds and f.start <= start and f.end >= start + len(name)
               for f in screen_text(text))


@pytest.mark.parametrize(("text", "name"), [
    ("her club is Club Tropicana Dance", "Club Tropicana Dance"),
    ("her nursery is Nursery Rhymes Daycare", "Nursery Rhymes Daycare"),
    ("she goes to a club called Club Fit Kids", "Club Fit Kids"),
    ("her team is Church Lads Brigade", "Church Lads Brigade"),
    ("He works at Garage Doors Direct", "Garage Doors Direct"),
    ("she goes to a nursery called Kids Club Kingsway", "Kids Club Kingsway"),
    ("his club is Boys Club Ashington", "Boys Club Ashington"),
    ("Her nursery is Nursery Rhymes Daycare and she loves it.", "Nursery Rhymes Daycare"),
    ("He works at Garage Doors Direct and I help on Saturdays.", "Garage Doors Direct"),
])
def test_a_name_with_its_institution_word_first_or_inside_is_found_whole(text: str, name: str) -> None:
    assert _covered(text, name), [(f.kind, f.text) for f in screen_text(text)]


@pytest.mark.parametrize(("text", "written"), [
    ("her club is Club Tropicana Dance and I drive her there.", "Club Tropicana Dance"),
    ("His club is Boys Club Ashington & Mum takes him.", "Boys Club Ashington"),
    ("He works at Garage Doors Direct and we see him on Sundays.", "Garage Doors Direct"),
])
def test_such_a_name_still_ends_before_and_i(text: str, written: str) -> None:
    assert [f.text for f in screen_text(text) if INSTITUTION in f.kinds] == [written]


@pytest.mark.parametrize(("text", "name"), [
    ("Dad works at Cafe Nero Dellmouth", "Cafe Nero Dellmouth"),
    ("Mum works at Hotel Chocolat in town", "Hotel Chocolat"),
    ("She works at Hospital Radio Bedford", "Hospital Radio Bedford"),
    ("He works at Church Farm Shop and loves it", "Church Farm Shop"),
    ("He works at Cafe Nero and I help on Saturdays.", "Cafe Nero"),
])
def test_a_workplace_named_with_its_institution_word_first_is_found(text: str, name: str) -> None:
    assert _covered(text, name), [(f.kind, f.text) for f in screen_text(text)]


@pytest.mark.parametrize("text", ["Mum works at Christmas.", "She works at Home and I help.",
                                  "He works at School on Mondays."])
def test_a_generic_word_alone_is_still_no_workplace(text: str) -> None:
    assert [f for f in screen_text(text) if INSTITUTION in f.kinds] == []
