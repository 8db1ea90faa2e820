"""A town written in lower case just before its postcode is found (user trial, 6 December 2026): in "our new house
is 22 top of the hill, greystow zz99 7qt" and "We moved to greystow ZZ99 7QT" the postcode was highlighted but
not the town, since the town-before-postcode rule took only capitalised words. One lower-case word directly
before a postcode is now the town, unless it is an ordinary word ("in ZZ99 7QT", "love mum ZZ99 4EF")."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import PLACE, POSTCODE, screen_text


@pytest.mark.parametrize(("text", "town"), [
    ("our new house is 22 top of the hill, greystow zz99 7qt", "greystow"),
    ("We moved to greystow ZZ99 7QT", "greystow"),
    ("We moved to greystow zz99 7qt", "greystow"),
    ("write to us at 4 heron road, dellmouth,\nzz99 1yy", "dellmouth"),
    ("we live in fallowmere\nZZ99 2AB", "fallowmere"),
])
def test_a_lower_case_town_before_a_postcode_is_a_place_finding(text: str, town: str) -> None:
    found = [(f.kind, f.text) for f in screen_text(text)]
    assert (PLACE, town) in found and any(kind == POSTCODE for kind, _t in found), found


@pytest.mark.parametrize("text", [
    "we moved in ZZ99 7QT",
    "We moved to ZZ99 7QT",
    "send it to zz99 1yy",
    "we are at ZZ99 7QT now",
    "love mum zz99 4ef",
    "our postcode is zz99 7qt",
    "our postcode zz99 7qt",
    "our new postcode from june zz99 7qt",
    "it's near zz99 7qt",
    "we are by the river zz99 7qt",
    "see you soon ZZ99 7QT",
])
def test_an_ordinary_lower_case_word_before_a_postcode_is_no_town(text: str) -> None:
    assert [f.kind for f in screen_text(text)] == [POSTCODE]
