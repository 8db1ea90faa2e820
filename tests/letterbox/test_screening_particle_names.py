"""Names with small words inside, and hospital names (user trial, 6 December 2026): "Hotel du Vin" (a hotel where
someone works) and "12 Lord of the Manor Close" (only "Manor Close" was highlighted) were missed or cut short,
and "Royal Infirmary" was not highlighted at all. A name's small words ("du", "de", "la", "of", "on", "the") do
not end it; an Infirmary is a hospital."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import INSTITUTION, STREET, screen_text


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in screen_text(text)]


@pytest.mark.parametrize(("text", "name"), [
    ("Dad works at Hotel du Vin now.", "Hotel du Vin"),
    ("Mum works at the Hotel du Vin in town.", "Hotel du Vin"),
    ("We had lunch at Hotel du Vin.", "Hotel du Vin"),
    ("She has a job at Cafe de la Mer on the front", "Cafe de la Mer"),
    ("He works at the Hotel on the Quay.", "Hotel on the Quay"),
    ("Mum got a job at Hotel de Paris, Greystow.", "Hotel de Paris"),
])
def test_a_workplace_name_with_small_words_is_found_whole(text: str, name: str) -> None:
    assert (INSTITUTION, name) in _kinds(text)


@pytest.mark.parametrize("text", [
    "It was voted Hotel of the Year!",
    "Her team won Club of the Month.",
])
def test_an_award_is_not_a_workplace(text: str) -> None:
    assert _kinds(text) == []


@pytest.mark.parametrize(("text", "street"), [
    ("We live at 12 Lord of the Manor Close now.", "12 Lord of the Manor Close"),
    ("12 Lord of the Manor Close, Greystow", "12 Lord of the Manor Close"),
    ("Nan moved to 3 Top of the Hill Road.", "3 Top of the Hill Road"),
    ("We are on Lord of the Manor Close now.", "Lord of the Manor Close"),
    ("Her flat is on Prince of Wales Road.", "Prince of Wales Road"),
    ("14 Stratford upon Avon Road", "14 Stratford upon Avon Road"),
])
def test_a_street_name_with_small_words_is_found_whole(text: str, street: str) -> None:
    assert (STREET, street) in _kinds(text)


@pytest.mark.parametrize(("text", "hospital"), [
    ("Nan was in the Royal Infirmary for a week.", "Royal Infirmary"),
    ("Nan was in Dellmouth Royal Infirmary for a week.", "Dellmouth Royal Infirmary"),
    ("He had his operation at Greystow Infirmary.", "Greystow Infirmary"),
    ("She had her tonsils out at Greystow General Hospital.", "Greystow General Hospital"),
    ("Baby was born at the General Hospital.", "General Hospital"),
])
def test_a_hospital_name_is_found(text: str, hospital: str) -> None:
    assert (INSTITUTION, hospital) in _kinds(text)


@pytest.mark.parametrize("text", [
    "Football Club on Saturday was muddy.",
    "The Hotel on Monday had a pool.",
    "Most of the Manor Close kids came to the party.",
])
def test_small_words_before_a_day_or_starting_a_sentence_are_no_name(text: str) -> None:
    assert [f for f in screen_text(text) if f.text.startswith(("Club", "Hotel", "Most"))] == []
