"""Screening: streets with abbreviated suffixes, protected address lines in any written form, and a protected
term's distinctive word alone (user trial, December 2026: /tmp/trial-lb/s3.py, s4.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_desktop.letterbox.screening import INSTITUTION, PROTECTED, STREET, Finding, screen_text

BIRTH_MOTHER = ("Flat 3, 21 Tanner Street", "Gateshead", "Marsh", "7 Kirk Lane", "Durham")
ADOPTERS = ("Oatlands Junior School", "Harrogate Harriers", "Oliver", "Pennington", "14 Larkspur Drive", "Harrogate")


def _covering(found: list[Finding], text: str, part: str) -> list[Finding]:
    start = text.index(part)
    return [f for f in found if f.start <= start and start + len(part) <= f.end]


# --- the trial's sentences ------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "protected", "expected", "address"), [
    ("our house is 14, Larkspur Dr, Harrogate", ADOPTERS, "14, Larkspur Dr", "14 Larkspur Drive"),
    ("our house number is 14, Larkspur Dr", ADOPTERS, "14, Larkspur Dr", "14 Larkspur Drive"),
    ("its on Tanner St above the bookies", BIRTH_MOTHER, "Tanner St", "Flat 3, 21 Tanner Street"),
    ("I live on Tanner St now", BIRTH_MOTHER, "Tanner St", "Flat 3, 21 Tanner Street"),
    ("round the corner from Kirk Ln", BIRTH_MOTHER, "Kirk Ln", "7 Kirk Lane"),
])
def test_trial_protected_address_written_short_is_found_as_that_address(
        text: str, protected: tuple[str, ...], expected: str, address: str) -> None:
    found = screen_text(text, protected)
    hits = [f for f in found if f.text == expected]
    assert hits, [(f.kind, f.text) for f in found]
    assert hits[0].kind == PROTECTED
    assert f"the protected address '{address}'" in hits[0].reason
    # the following word is not part of it (redacting "St above" left "Tanner" readable)
    assert not any(f.text in ("St above", "St now") for f in found)


def test_trial_town_after_the_address_is_still_flagged() -> None:
    found = screen_text("our house is 14, Larkspur Dr, Harrogate", ADOPTERS)
    assert [(f.kind, f.text) for f in found] == [(PROTECTED, "14, Larkspur Dr"), (PROTECTED, "Harrogate")]


def test_trial_distinctive_word_of_a_protected_term_alone() -> None:
    found = screen_text("he runs with the Harriers on Saturdays", ADOPTERS)
    assert [(f.kind, f.text) for f in found] == [(PROTECTED, "Harriers")]
    assert "possibly the protected term 'Harrogate Harriers'" in found[0].reason


# --- streets without a protected list ----------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("I live on Tanner St now", "Tanner St"),
    ("its on Tanner St above the bookies", "Tanner St"),
    ("round the corner from Kirk Ln", "Kirk Ln"),
    ("our house is 14, Larkspur Dr, Harrogate", "14, Larkspur Dr"),
    ("we are at 21 Tanner St", "21 Tanner St"),
    ("we live at 4 Ash Gr", "4 Ash Gr"),
    ("It's off Station Rd near the shops", "Station Rd"),
    ("We are in Bridge Gdns now", "Bridge Gdns"),
    ("Nan moved to Queens Sq last spring", "Queens Sq"),
    ("I live on Tanner St. It's nice", "Tanner St"),
    ("we walked up Castle Hill", "Castle Hill"),
    ("we live on tanner st now", "tanner st"),
])
def test_abbreviated_street_is_a_street_covering_the_name(text: str, expected: str) -> None:
    found = screen_text(text)
    assert (STREET, expected) in [(f.kind, f.text) for f in found], [(f.kind, f.text) for f in found]


@pytest.mark.parametrize("text", [
    "we had a great day",
    "Happy Birthday",
    "Happy Birthday Sam, have a lovely day",
    "the Dr said it was nothing",
    "Dr Smith said it was nothing",
    "Dear Dr Jones",
    "We saw Dr. Patel today",
    "after 2 hours the Dr said we could go",
    "at 3 Dr Smith came round",
    "It was St Patrick's Day",
    "We went to the Water Park and up a steep Hill",
    "She does street dance and walks down the street.",
    "he loves watching harriers and hawks",
])
def test_ordinary_sentences_give_no_street_and_no_finding(text: str) -> None:
    assert screen_text(text, ADOPTERS) == []


def test_saint_before_a_name_stays_a_saint() -> None:
    found = screen_text("She goes to St Aidan's now")
    assert [(f.kind, f.text) for f in found] == [(INSTITUTION, "St Aidan's")]


# --- protected terms --------------------------------------------------------------------------
def test_distinctive_words_not_ordinary_words_or_short_ones() -> None:
    protected = ("Oatlands Junior School", "Ash Vale FC")
    assert [f.text for f in screen_text("Oliver is in year 4 at Oatlands", protected)] == ["Oatlands"]
    # "Junior", "School" are the stop list's; "Ash" is under four letters; "Vale" is a street word
    assert screen_text("The junior school had a Junior disco; the School fair; Ash trees", protected) == []
    assert screen_text("we walked in the Vale", protected) == []
    # the first word of a town is no distinctive word when it is an ordinary one
    assert screen_text("Market day was fun", ("Market Harborough",)) == []
    # a capitalised word in capitals is still that word; in lower case it is usually an ordinary word
    assert [f.text for f in screen_text("OATLANDS won", protected)] == ["OATLANDS"]


def test_distinctive_word_inside_the_whole_term_is_one_finding_with_one_reason() -> None:
    found = screen_text("he is at Oatlands Junior School now", ADOPTERS)
    assert [(f.kind, f.text) for f in found] == [(PROTECTED, "Oatlands Junior School")]
    assert "possibly" not in found[0].reason


def test_protected_high_street_needs_its_number() -> None:
    protected = ("12 High Street",)
    assert [f.kind for f in screen_text("we went to the High St", protected)] == []
    assert [(f.kind, f.text) for f in screen_text("come to 12 High St", protected)] == [(PROTECTED, "12 High St")]


_SUFFIXES = [("Drive", "Dr"), ("Street", "St"), ("Lane", "Ln"), ("Road", "Rd"), ("Avenue", "Ave"),
             ("Close", "Cl"), ("Crescent", "Cres"), ("Court", "Ct"), ("Gardens", "Gdns"), ("Place", "Pl"),
             ("Square", "Sq"), ("Terrace", "Ter"), ("Terrace", "Terr")]
# made-up street names: never a place, an ordinary word or a first name
_NAME = st.text("bcdfghjklmnpqrstvwxz", min_size=3, max_size=8).map(lambda s: "Q" + s + "ey")


@settings(max_examples=150, deadline=None)
@given(name=_NAME, suffix=st.sampled_from(_SUFFIXES), number=st.integers(1, 999),
       protected_form=st.integers(0, 1), written_form=st.integers(0, 1), with_number=st.booleans(),
       comma=st.booleans(), dot=st.booleans(), case=st.sampled_from(["as is", "lower", "upper"]),
       before=st.sampled_from(["we live at ", "its on ", "round the corner from ", "", "Write to "]),
       after=st.sampled_from([" now", " above the bookies", ", Harrogate", ".", "", " so come round"]))
def test_any_protected_address_line_in_any_suffix_form_is_found_over_the_street_name(
        name: str, suffix: tuple[str, str], number: int, protected_form: int, written_form: int,
        with_number: bool, comma: bool, dot: bool, case: str, before: str, after: str) -> None:
    protected = (f"{number} {name} {suffix[protected_form]}",)
    street = f"{name} {suffix[written_form]}" + ("." if dot and written_form else "")
    written = (f"{number}{',' if comma else ''} " if with_number else "") + street
    written = {"as is": written, "lower": written.lower(), "upper": written.upper()}[case]
    text = before + written + after
    part = written.rstrip(".")
    hits = [f for f in _covering(screen_text(text, protected), text, part) if f.kind == PROTECTED]
    assert hits, (text, [(f.kind, f.text) for f in screen_text(text, protected)])
    assert f"the protected address '{protected[0]}'" in hits[0].reason
    # the span is the address, not the words after it
    assert hits[0].end <= text.index(part) + len(part) + 1


@settings(max_examples=150, deadline=None)
@given(name=_NAME, suffix=st.sampled_from(_SUFFIXES), written_form=st.integers(0, 1),
       number=st.one_of(st.none(), st.integers(1, 999)), comma=st.booleans(),
       after=st.sampled_from([" now", " above the bookies", ", Harrogate", ".", ""]))
def test_any_capitalised_street_with_any_suffix_is_a_street_over_name_and_suffix(
        name: str, suffix: tuple[str, str], written_form: int, number: int | None, comma: bool,
        after: str) -> None:
    street = f"{name} {suffix[written_form]}"
    if number is not None:
        street = f"{number}{',' if comma else ''} {street}"
    text = f"she lives on {street}{after}"
    found = screen_text(text)
    assert [(f.kind, f.text) for f in found if f.kind != "place"] == [(STREET, street)]


@settings(max_examples=100, deadline=None)
@given(name=_NAME, title=st.sampled_from(["Dr", "Dr.", "St", "St."]),
       before=st.sampled_from(["", "we saw ", "the ", "Happy ", "Dear "]))
def test_a_title_before_a_name_is_never_a_street(name: str, title: str, before: str) -> None:
    text = f"{before}{title} {name} came round"
    assert STREET not in [k for f in screen_text(text) for k in f.kinds]
