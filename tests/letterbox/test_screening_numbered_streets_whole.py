"""A numbered street with "of", "and" or "the" in its name is an address, found from its number (review, 6
December 2026). Reading any lower-case "of", "and", "on", "the" … between a number and a street word as a count
("3 goals in the Park") threw away real addresses: "we live at 14 prince of wales road", "22 top of the hill",
"3 king and queen street" gave no finding, and "14 Prince of Wales Road", "7 Duke of York Street" only "Wales
Road", "York Street" (the house number and the start of the name left in the letter). Only what comes right
after the number now makes it a count: a counted thing ("3 goals", "5 miles", "2 tickets") or a preposition
("2 in a row", "about 5 down the road")."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import STREET, screen_text


@pytest.mark.parametrize(("text", "address"), [
    ("we live at 14 prince of wales road", "14 prince of wales road"),
    ("we live at 22 top of the hill now", "22 top of the hill"),
    ("our address is 3 king and queen street", "3 king and queen street"),
    ("We live at 21 Top of the Hill", "21 Top of the Hill"),
    ("We moved to 14 Prince of Wales Road last month.", "14 Prince of Wales Road"),
    ("Our new house is 7 Duke of York Street.", "7 Duke of York Street"),
    ("We now live at 5 Isle of Man Road, Dellmouth", "5 Isle of Man Road"),
    ("We've moved to 9 Church and Chapel Lane.", "9 Church and Chapel Lane"),
    ("We are at 3 Bank of England Court.", "3 Bank of England Court"),
    ("we live at 5 the chase now", "5 the chase"),
    ("We live at 3 The Green now.", "3 The Green"),
    ("Write to Flat 2, 14 Mill Lane please.", "Flat 2, 14 Mill Lane"),
])
def test_a_numbered_street_is_found_from_its_number(text: str, address: str) -> None:
    start = text.index(address)
    found = [(f.kind, f.text) for f in screen_text(text)]
    assert any(STREET in f.kinds and f.start == start and f.end >= start + len(address)
               for f in screen_text(text)), found


@pytest.mark.parametrize("text", [
    "she scored 3 goals in the Park",
    "it was 5 miles up the Hill",
    "He ran 4 laps round the Park.",
    "We went 2 times up the Hill.",
    "We waited 10 minutes on the Green.",
    "The shop is about 5 down the road.",
    "She got 2 in a row.",
    "We got 2 tickets for the Park run.",
    "Her friend lives 3 doors down the road.",
])
def test_a_count_is_still_no_address(text: str) -> None:
    assert [(f.kind, f.text) for f in screen_text(text)] == []
