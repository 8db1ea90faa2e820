"""A surname before "family" is a name, not a place (user trial, 6 December 2026): "the Thornley family" was
highlighted as a place because Thornley is also a village. A capitalised word between "the" and "family" (or
"families", "household") is now a `surname` finding: surnames are among the details every letter is screened for,
and the place list no longer claims it. A family centre or hub named after a town is still a place or an
institution, and "the whole family", "the Royal family" are not findings."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import KINDS, PLACE, PROTECTED, SURNAME, screen_text


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in screen_text(text)]


def test_surname_is_one_of_the_kinds() -> None:
    assert SURNAME == "surname" and SURNAME in KINDS


@pytest.mark.parametrize(("text", "surname"), [
    ("We had tea with the Thornley family.", "Thornley"),
    ("Love from the Thornley family x", "Thornley"),
    ("We had tea with the Smith family.", "Smith"),
    ("The Okafor-Bennett family came to the party", "Okafor-Bennett"),
    ("both the Thornley families were there", "Thornley"),
    ("We went round to the Smith household", "Smith"),
])
def test_a_surname_before_family_is_a_surname_not_a_place(text: str, surname: str) -> None:
    found = screen_text(text)
    assert [(f.kind, f.text) for f in found] == [(SURNAME, surname)]
    assert "surname" in found[0].reason


@pytest.mark.parametrize("text", [
    "the whole family came for Christmas",
    "We watched the Royal family on telly.",
    "We are his foster family.",
    "The Foster family rules are on the fridge",
    "She loves her new family.",
])
def test_ordinary_words_before_family_are_not_findings(text: str) -> None:
    assert _kinds(text) == []


def test_a_place_elsewhere_in_the_letter_is_still_a_place() -> None:
    found = _kinds("The Smith family moved to Thornley in May.")
    assert (SURNAME, "Smith") in found and (PLACE, "Thornley") in found


def test_a_family_centre_named_after_a_town_is_still_found() -> None:
    found = screen_text("We go to the Thornley Family Centre on Tuesdays.")
    assert found and found[0].text.startswith("Thornley") and SURNAME not in found[0].kinds


def test_a_protected_surname_before_family_stays_a_protected_term() -> None:
    found = screen_text("Love from the Ashby family", protected=("Ashby",))
    assert [(f.kind, f.text) for f in found] == [(PROTECTED, "Ashby")]


@pytest.mark.parametrize("text", ["Love from the Thornley Family", "THE SMITH FAMILY", "the Smith FAMILY"])
def test_family_in_capitals_too(text: str) -> None:
    # "THE SMITH FAMILY" in capitals is not read (a shouted word is not told from a name); "Family" is
    found = _kinds(text)
    assert found == ([] if text.isupper() else [(SURNAME, "Smith" if "Smith" in text else "Thornley")])
