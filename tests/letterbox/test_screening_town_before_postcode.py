"""The town of an address is found with its postcode (screening sample letters, 6 December 2026): in "We moved
to 74 Heron Road in Dellmouth, ZZ99 1YY" the street and postcode were found but the town was not, since the
gazetteer does not know every town, estate or village (nor misspellings). One or two capitalised words just
before a postcode (after a comma, a line break or a space) are now a place finding of their own; a street's
last word, a greeting or a family word before it is not."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import PLACE, POSTCODE, STREET, screen_text


@pytest.mark.parametrize(("text", "town"), [
    ("We moved to 74 Heron Road in Dellmouth, ZZ99 1YY, over the summer.", "Dellmouth"),
    ("12 Heron Gate\nDellmouth\nZZ99 4EF", "Dellmouth"),
    ("Our new address is 3 Moss Row, Greystow ZZ99 7QT.", "Greystow"),
    ("We are in Upper Fallowmere, ZZ99 2AB now.", "Upper Fallowmere"),
])
def test_the_town_before_a_postcode_is_a_place_finding(text: str, town: str) -> None:
    found = [(f.kind, f.text) for f in screen_text(text)]
    assert (PLACE, town) in found and any(kind == POSTCODE for kind, _t in found), found


@pytest.mark.parametrize(("text", "expected"), [
    ("Our postcode is ZZ99 4EF.", [(POSTCODE, "ZZ99 4EF")]),
    ("Love, Mum. ZZ99 4EF", [(POSTCODE, "ZZ99 4EF")]),
    ("Love Mum ZZ99 4EF", [(POSTCODE, "ZZ99 4EF")]),
    ("12 Heron Road, ZZ99 4EF", [(STREET, "12 Heron Road"), (POSTCODE, "ZZ99 4EF")]),
])
def test_no_town_is_made_of_other_words_before_a_postcode(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(f.kind, f.text) for f in screen_text(text)] == expected


# review, 6 December 2026: with no comma, the street word before the town was read as the town's first word
# ("Lane Dellmouth"), and the street and town merged into one finding labelled as a town
@pytest.mark.parametrize(("text", "expected"), [
    ("We live at 14 Mill Lane Dellmouth ZZ99 1YY",
     [(STREET, "14 Mill Lane"), (PLACE, "Dellmouth"), (POSTCODE, "ZZ99 1YY")]),
    ("We live at 14 Mill Lane, Dellmouth, ZZ99 1YY",
     [(STREET, "14 Mill Lane"), (PLACE, "Dellmouth"), (POSTCODE, "ZZ99 1YY")]),
    ("Our house is 3 Oak Road, Dellmouth, ZZ99 1YY",
     [(STREET, "3 Oak Road"), (PLACE, "Dellmouth"), (POSTCODE, "ZZ99 1YY")]),
    ("Send it to 7 Heron Close Greystow ZZ99 7QT please.",
     [(STREET, "7 Heron Close"), (PLACE, "Greystow"), (POSTCODE, "ZZ99 7QT")]),
])
def test_the_street_word_before_the_town_stays_with_the_street(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(f.kind, f.text) for f in screen_text(text)] == expected


def test_a_town_whose_name_starts_with_a_street_word_is_found_whole() -> None:
    found = [(f.kind, f.text) for f in screen_text("We are in Park Gate ZZ99 1YY now.")]
    assert (PLACE, "Park Gate") in found, found
