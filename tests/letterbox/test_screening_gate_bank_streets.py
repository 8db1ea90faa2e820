"""A numbered address on a street called "… Gate", "… Bank", "… Croft", "… Paddocks", "… Meadows", "… Fold" or
"… Garth" is found (user trial, 6 December 2026): "Our address is 12 Heron Gate, Dellmouth." gave no finding, and
the address block "12 Heron Gate / Dellmouth / ZZ99 4EF" had only its town and postcode highlighted. These words
make a street only after a house number and a capitalised name: alone they are ordinary words ("the school gate",
"2 pounds in the bank") or a town's ("Park Gate")."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import PLACE, POSTCODE, STREET, screen_text


@pytest.mark.parametrize(("text", "street"), [
    ("Our address is 12 Heron Gate, Dellmouth.", "12 Heron Gate"),
    ("Our address is 12A Heron Gate, Dellmouth.", "12A Heron Gate"),
    ("12A Heron Gate, Dellmouth", "12A Heron Gate"),
    ("We live at 4 Mill Gate now", "4 Mill Gate"),
    ("6 Castle Gate", "6 Castle Gate"),
    ("We live at 9 Meadow Bank", "9 Meadow Bank"),
    ("We live at 9 The Paddocks", "9 The Paddocks"),
    ("Nan is at 3 Oak Croft, Greystow.", "3 Oak Croft"),
    ("They moved to 17 Willow Meadows.", "17 Willow Meadows"),
    ("Write to 2 Moor Fold please", "2 Moor Fold"),
    ("Grandad lives at 5 Low Garth", "5 Low Garth"),
    ("We live at Flat 3, 14 Heron Gate", "Flat 3, 14 Heron Gate"),
])
def test_a_numbered_street_ending_gate_bank_and_the_like_is_found(text: str, street: str) -> None:
    found = [(f.kind, f.text) for f in screen_text(text)]
    assert (STREET, street) in found, found


@pytest.mark.parametrize(("text", "expected"), [
    # the address line on its own line of an address block: the street, the town and the postcode
    ("12 Heron Gate\nDellmouth\nZZ99 4EF",
     [(STREET, "12 Heron Gate"), (PLACE, "Dellmouth"), (POSTCODE, "ZZ99 4EF")]),
    ("Flat 2\n12 Heron Gate\nDellmouth\nZZ99 4EF",
     [(STREET, "Flat 2\n12 Heron Gate"), (PLACE, "Dellmouth"), (POSTCODE, "ZZ99 4EF")]),
    # with no comma the street word stays with the street, the town is the word after it
    ("We live at 12 Heron Gate Dellmouth ZZ99 4EF",
     [(STREET, "12 Heron Gate"), (PLACE, "Dellmouth"), (POSTCODE, "ZZ99 4EF")]),
])
def test_the_address_lines_are_found_apart(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(f.kind, f.text) for f in screen_text(text)] == expected


@pytest.mark.parametrize("text", [
    "we met at the school gate",
    "We met at the school gate at 3 and went home.",
    "I put 2 pounds in the bank",
    "I found 2 pounds in the Park",
    "2 boys in the Yard were shouting",
    "3 of us by the river bank",
    "the bank holiday was lovely",
    "2 of us at the bank holiday fair",
    "a gate",
    "Gate 3 at the airport",
    "We waited at Gate 12 for ages.",
    "He scored 2 goals by the gate",
    "She got 5 stars at the croft",
])
def test_gate_bank_and_the_like_alone_are_no_street(text: str) -> None:
    assert [(f.kind, f.text) for f in screen_text(text)] == []


def test_a_town_named_with_gate_is_still_a_town() -> None:
    found = [(f.kind, f.text) for f in screen_text("We are in Park Gate ZZ99 1YY now.")]
    assert (PLACE, "Park Gate") in found, found
