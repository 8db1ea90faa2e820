"""An institution's finding ends at its name (user trial, 6 December 2026): in "… at Oakfield Primary School and
I went …" the highlighted school became "Oakfield Primary School and I": the rules that read a name after a
cue ("in year 3 at …", "works at …") let it run on over "and" into the next words. A name ends at its
institution word (School, Academy, Nursery, Club, …), or after a continuation that belongs to it ("of
England Primary School", "University of Leeds", "Primary School and Nursery"); one with no institution word
does not run on over "and" into "I", "we", "she", "Mum" ("Marks and Spencer and I"). Real names must still be
found whole: missing a school is worse than a highlight a little too long."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.screening import INSTITUTION, PLACE, screen_text
from tests.letterbox.test_item_writer_dialog import TODAY, open_item


def _institutions(text: str) -> list[str]:
    return [f.text for f in screen_text(text) if INSTITUTION in f.kinds]


# --- the trial's case and its kin: the name ends at the institution word ----------------------------------
@pytest.mark.parametrize("text", [
    "She is in year 3 at Oakfield Primary School and I went to see her play.",
    "Mum works at Oakfield Primary School and I went too.",
    "He started at Oakfield Primary School and I went with him on his first day.",
    "Her school is Oakfield Primary School and she loves it.",
    "She is in the Year 2 class at Oakfield Primary School and we are so proud.",
    "Dad volunteers at Oakfield Primary School and Mum helps at the fair.",
    "He is in reception at Oakfield Primary School & I pick him up.",
])
def test_a_school_name_ends_at_its_institution_word(text: str) -> None:
    assert _institutions(text) == ["Oakfield Primary School"]


@pytest.mark.parametrize(("text", "written"), [
    ("She plays for Hawthorn Hornets FC and I watch every week.", "Hawthorn Hornets FC"),
    ("Her nursery is Busy Bees Nursery and she goes on Mondays.", "Busy Bees Nursery"),
    ("He works at Ashdown Academy and we moved in the summer.", "Ashdown Academy"),
    ("She swims for Dellmouth Swimming Club and I drive her there.", "Dellmouth Swimming Club"),
])
def test_other_institution_words_end_the_name_too(text: str, written: str) -> None:
    assert _institutions(text) == [written]


def test_a_name_without_an_institution_word_does_not_run_on_into_i_or_we() -> None:
    assert _institutions("Dad works at Marks and Spencer and I help on Saturdays.") == ["Marks and Spencer"]
    assert _institutions("Her nursery is Busy Bees and I love it.") == ["Busy Bees"]


# --- near misses: proper continuations are still part of the name -----------------------------------------
@pytest.mark.parametrize(("text", "written"), [
    ("Her school is St Mary's Church of England Primary School and she loves it.",
     "St Mary's Church of England Primary School"),
    ("She is in year 1 at Oakfield Primary School and Nursery now.", "Oakfield Primary School and Nursery"),
    ("Her college is Leeds College of Music and I visit her.", "Leeds College of Music"),
    ("Her church is St Mary's Church of England and we go on Sundays.", "St Mary's Church of England"),
    ("Mum works at Marks and Spencer in town.", "Marks and Spencer"),
    ("He swims for the Fox and Hounds.", "Fox and Hounds"),
    ("Her nursery is Busy Bees and Little Acorns.", "Busy Bees and Little Acorns"),
    ("She's in the Year 2 class at Holy Trinity C of E and we are proud.", "Holy Trinity C of E"),
])
def test_a_proper_continuation_stays_in_the_name(text: str, written: str) -> None:
    assert written in _institutions(text)


def test_two_institutions_joined_by_and_are_each_found() -> None:
    assert _institutions("He works at Oakfield Primary School and Busy Bees Nursery.") == [
        "Oakfield Primary School", "Busy Bees Nursery"]


def test_a_town_after_the_school_is_a_place_finding_of_its_own() -> None:
    found = screen_text("Her school is Oakfield Primary School, Leeds and she loves it.")
    assert [(f.kind, f.text) for f in found] == [(INSTITUTION, "Oakfield Primary School"), (PLACE, "Leeds")]


# --- any name, any institution word, any sentence going on after "and" ------------------------------------
_NAMES = st.lists(st.sampled_from(["Oakfield", "Bramblecote", "Kestrel", "Hollins", "Ashdown",
                                   "Thornbury", "Millbrook"]), min_size=1, max_size=2, unique=True)
_WORDS = st.sampled_from(["Primary School", "Academy", "Nursery", "College", "School", "Junior School", "FC",
                          "Church", "Club"])
_CUES = st.sampled_from(["She is in year 3 at", "Mum works at", "He started at", "Her school is",
                         "His nursery is", "She plays for"])
_AFTER = st.sampled_from(["I", "we", "she", "he", "Mum", "Dad", "they", "I'm", "we're"])


@settings(max_examples=60, deadline=None)
@given(cue=_CUES, name=_NAMES, word=_WORDS, after=_AFTER, joiner=st.sampled_from(["and", "&"]))
def test_no_institution_finding_runs_on_past_its_name(cue: str, name: list[str], word: str, after: str,
                                                      joiner: str) -> None:
    institution = f"{' '.join(name)} {word}"
    text = f"{cue} {institution} {joiner} {after} went to see the fireworks."
    found = [f for f in screen_text(text) if INSTITUTION in f.kinds]
    assert found, text
    assert all(f.end <= text.index(institution) + len(institution) for f in found), (text, found)
    assert institution in {f.text for f in found}, (text, found)


# --- the item window highlights the finding's span --------------------------------------------------------
def test_the_item_window_highlights_the_school_and_not_the_words_after_it(
        qtbot: Any, db: Database, coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=TODAY)
    window = open_item(qtbot, db, coordinator, arrangement, item)
    window.text.setPlainText("Dear Gina,\nShe is in year 3 at Oakfield Primary School and I went to her "
                             "assembly.\nLove, S")
    window.screen_letter()
    assert [text for _s, _e, text in window.highlighted()] == ["Oakfield Primary School"]
