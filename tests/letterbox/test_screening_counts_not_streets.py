"""A number and a few words before a street word is a house number only when the words can be a street's
name (found screening sample letters, 6 December 2026): "3 goals in the Park", "5 miles up the Hill", "about
5 down the road", "2 in a row" and "year 3 at Hill Top Primary" were street-address findings, the number read
as a house number because the words between were read as the street's name. A word such as "in", "at",
"up", "down", "a" or a "the" after the first word is never part of a street's name; addresses still are found,
in capitals or in lower case ("3 The Green", "5 the chase", "22 castle hill")."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import INSTITUTION, STREET, screen_text


@pytest.mark.parametrize("text", [
    "He scored 3 goals in the Park on Sunday.",
    "We walked 5 miles up the Hill.",
    "We got 2 tickets for the Park run.",
    "The shop is about 5 down the road.",
    "She got 2 in a row.",
    "We saw 3 ducks on the Green.",
    "He came 6th on the Way back.",
])
def test_a_count_before_a_street_word_is_not_an_address(text: str) -> None:
    assert [(f.kind, f.text) for f in screen_text(text)] == []


def test_a_school_after_a_school_year_is_found_without_the_year() -> None:
    found = screen_text("She is in year 3 at Hill Top Primary now.")
    assert [(f.kind, f.text) for f in found] == [(INSTITUTION, "Hill Top Primary")]


@pytest.mark.parametrize(("text", "written"), [
    ("We live at 3 The Green now.", "3 The Green"),
    ("we live at 5 the chase now", "5 the chase"),
    ("our new house is 22 castle hill", "22 castle hill"),
    ("Write to Flat 2, 14 Mill Lane please.", "Flat 2, 14 Mill Lane"),
    ("We are at no. 7 Tanner St now.", "no. 7 Tanner St"),
    ("It's 14 larkspur drive, come and see.", "14 larkspur drive"),
    ("we moved to 9 church hill", "9 church hill"),
    ("We moved to 27 Bank Top View.", "27 Bank Top View"),
    ("We moved to 4 Lower Mill Park.", "4 Lower Mill Park"),
])
def test_an_address_is_still_found(text: str, written: str) -> None:
    assert (STREET, written) in [(f.kind, f.text) for f in screen_text(text)]
