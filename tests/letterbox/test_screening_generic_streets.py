"""A high street with no town or number is anybody's (user trial, 6 December 2026): "we went shopping on the High
Street" was highlighted as a place (a hamlet called High Street is in the gazetteer). It is not a finding now. With
its town or its number it says where the family is, and is found as an address: "High Street, Greystow" (before,
nothing was highlighted when the town is not in the gazetteer) and "12 High Street"."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import PLACE, STREET, screen_text


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in screen_text(text)]


@pytest.mark.parametrize("text", [
    "We went shopping on the High Street.",
    "We went shopping in High Street.",
    "we walked up the High Street to the library",
    "on the High Street, Mum bought me a hat.",
    "We went down the High Street, Sophie loved the lights.",
    "We went for a walk along the Main Street",
    "Dad drives down the Main Road to work.",
])
def test_a_generic_street_alone_is_not_a_finding(text: str) -> None:
    assert _kinds(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("We went shopping on High Street, Greystow.", (STREET, "High Street, Greystow")),
    ("We went shopping on the High Street, Greystow.", (STREET, "High Street, Greystow")),
    ("Main Street, Greystow", (STREET, "Main Street, Greystow")),
    ("The shop is on High Street, Greystow ZZ99 1YY", (STREET, "High Street, Greystow")),
    ("We live at 12 High Street.", (STREET, "12 High Street")),
    ("12 High Street, Greystow", (STREET, "12 High Street, Greystow")),
    ("We live on High Street, Thornley.", (STREET, "High Street, Thornley")),
])
def test_a_generic_street_with_its_town_or_number_is_an_address(text: str, expected: tuple[str, str]) -> None:
    assert expected in _kinds(text)


def test_a_hamlet_called_high_street_is_still_a_place_where_someone_lives() -> None:
    assert (PLACE, "High Street") in _kinds("We moved to High Street last year.")
