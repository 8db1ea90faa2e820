"""A surname before "family" is a name, not a place (user trial, 6 December 2026): "the Thornley family" was
highlighted as a place because Thornley is also a village. A capitalised word between "the" and "family" (or
"families", "household") is now a `surname` finding: surnames are among the details every letter is screened for,
and the place list no longer claims it. A family centre or hub named after a town is still a place or an
institution, and "the whole family", "the Royal family" are not findings."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.places import gazetteer
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


# the reviewer's sentences (6 December 2026): a place of several words, with an apostrophe or a hyphen, "THE" in
# capitals or "the" at the end of a line before "family" was found as neither a surname nor a place
@pytest.mark.parametrize(("text", "name"), [
    ("We go to the Milton Keynes family swimming sessions.", "Milton Keynes"),
    ("We joined the Market Harborough family group at church.", "Market Harborough"),
    ("We met the King's Lynn family group.", "King's Lynn"),
    ("He goes to the Newcastle upon Tyne family swim on Fridays.", "Newcastle upon Tyne"),
    ("We go to the Stoke-on-Trent family swim.", "Stoke-on-Trent"),
    ("THE Thornley family say hello.", "Thornley"),
    ("We had tea with the\nThornley family.", "Thornley"),
    ("We met the O'Brien family at the park.", "O'Brien"),
    ("We met the McDonald family at the park.", "McDonald"),
])
def test_a_name_before_family_is_found_as_a_surname_or_a_place(text: str, name: str) -> None:
    start = text.index(name)
    found = screen_text(text)
    assert any(f.start < start + len(name) and start < f.end and {SURNAME, PLACE} & set(f.kinds) for f in found), found


def test_a_place_of_several_words_before_family_is_the_place_whole() -> None:
    assert _kinds("We go to the Milton Keynes family swimming sessions.") == [(PLACE, "Milton Keynes")]


def test_every_place_before_family_is_found() -> None:
    """Every name of the gazetteer in "We stayed with the X family at Easter." is found, as a surname or a place
    (6,922 were found as neither: the place rule left them to a surname rule that takes one capitalised word)."""
    missed = []
    for name in sorted(gazetteer().names):
        text = f"We stayed with the {name} family at Easter."
        start = text.index(name)
        if not any(f.start < start + len(name) and start < f.end for f in screen_text(text)):
            missed.append(name)
    assert not missed, f"{len(missed)} missed, e.g. {missed[:20]}"


@pytest.mark.parametrize(("text", "name"), [
    ("We live in John o' Groats now.", "John o' Groats"),
    ("We moved to Pilgrims' Hatch.", "Pilgrims' Hatch"),
    ("We live in Top o' th' Brow.", "Top o' th' Brow"),
    ("We moved to Westward Ho! last year.", "Westward Ho"),
])
def test_a_place_with_an_apostrophe_after_a_word_or_a_mark_is_found(text: str, name: str) -> None:
    # found by the whole-gazetteer check above: never found before, in any letter
    assert (PLACE, name) in _kinds(text)
