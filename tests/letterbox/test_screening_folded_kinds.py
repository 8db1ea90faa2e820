"""Schools and other institutions, social-media handles and postcodes are read without accents and with the
letters with no one-letter base folded, as protected terms, streets and places already were (gap left by the
last round: "Séacroft Primary School", "Søby Primary School", "my snap is søren_2011", "@jéss.t2011" and a
postcode with an accent typed on a letter were read as written and not found, or found only in part). The
detectors run on the folded letter (the one ``fold``) and each finding covers the span as written."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import INSTITUTION, POSTCODE, PROTECTED, SOCIAL, screen_text

ACUTE = "\u0301"


@pytest.mark.parametrize(("sentence", "written", "kind"), [
    ("She goes to Séacroft Primary School now.", "Séacroft Primary School", INSTITUTION),
    ("She goes to Søby Primary School now.", "Søby Primary School", INSTITUTION),
    (f"She goes to Se{ACUTE}acroft Primary School now.", f"Se{ACUTE}acroft Primary School", INSTITUTION),
    ("He plays for Łęczyca Rovers FC on Sundays.", "Łęczyca Rovers FC", INSTITUTION),
    ("Dad works at Bjørn Motors in town.", "Bjørn Motors", INSTITUTION),
    ("We go to Sainte Thérèse Church.", "Sainte Thérèse Church", INSTITUTION),
    ("my snap is søren_2011 if you want", "søren_2011", SOCIAL),
    ("my insta is jéss.t2011 now", "jéss.t2011", SOCIAL),
    ("add me @jéss.t2011 lol", "@jéss.t2011", SOCIAL),
    ("on TikTok I'm weißkid09", "weißkid09", SOCIAL),
    ("Our new postcode is LS1 4ÁP now.", "LS1 4ÁP", POSTCODE),
    (f"Our new postcode is LS1 4A{ACUTE}P now.", f"LS1 4A{ACUTE}P", POSTCODE),
    ("Our new postcode is ŁS1 4AP now.", "ŁS1 4AP", POSTCODE),
])
def test_an_institution_handle_or_postcode_with_such_letters_is_found_over_its_span(
        sentence: str, written: str, kind: str) -> None:
    start = sentence.index(written)
    f = next((f for f in screen_text(sentence) if kind in f.kinds and f.start <= start < f.end), None)
    assert f is not None, screen_text(sentence)
    assert (f.start, f.end, f.text) == (start, start + len(written), written), f


@pytest.mark.parametrize(("sentence", "term", "written"), [
    ("She has started at Kestrel Væle Primary School.", "Kestrel Vale Primary", "Kestrel Væle Primary School"),
    ("She has started at Kestrel Vále Primary School.", "Kestrel Vale Primary", "Kestrel Vále Primary School"),
    ("She has started at Søby Primary School.", "Soby Primary School", "Søby Primary School"),
    ("my snap is kåz_h2011 now", "kaz_h2011", "kåz_h2011"),
])
def test_a_protected_school_or_handle_with_such_letters_is_one_finding_of_both_kinds(
        sentence: str, term: str, written: str) -> None:
    start = sentence.index(written)
    found = [f for f in screen_text(sentence, (term,)) if PROTECTED in f.kinds]
    assert len(found) == 1, found
    f = found[0]
    assert (f.start, f.end) == (start, start + len(written)), f
    assert {INSTITUTION, SOCIAL} & set(f.kinds), f


@pytest.mark.parametrize("sentence", [
    "Our house is on Tanner Śt now.",
    f"Our house is on Tanner S{ACUTE}t now.",
    "Our house is on Tánner St now.",
])
def test_the_st_ending_an_accented_street_is_not_a_saint(sentence: str) -> None:
    found = screen_text(sentence)
    assert not [f for f in found if INSTITUTION in f.kinds], found


@pytest.mark.parametrize("sentence", [
    "We had crème brûlée at the café after school.",
    "Chloé and Zoë went to the Café on Saturday.",
    "Renée's piñata was the best part of the party.",
    "We ate smørrebrød at the market, it was lovely.",
])
def test_accented_ordinary_news_is_not_an_institution_handle_or_postcode(sentence: str) -> None:
    assert not [f for f in screen_text(sentence) if {INSTITUTION, SOCIAL, POSTCODE} & set(f.kinds)]
