"""A protected surname that is also an everyday word ("May", "Hope", "Young" — every adopter's surname is
protected automatically) made each "may", "hope" or "young" of a letter a finding to click through (review,
5 December). In lower case such a surname is now reported only where it reads as the name; capitalised,
always. Only terms known to be surnames are read so (a review of that change: the child's new first name
"May" in "dear may, …" went through): a first name, or any term typed as protected, is found in lower case."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.models import Arrangement
from adoption_desktop.letterbox.screening import PROTECTED, screen_text
from adoption_desktop.letterbox.service.protected import screening_terms, surnames_of
from tests.letterbox.conftest import sample_input


def _protected_words(text: str, term: str, *, surname: bool = True) -> list[str]:
    found = screen_text(text, (term,), surnames=(term,) if surname else ())
    return [text[f.start:f.end] for f in found if PROTECTED in f.kinds]


@pytest.mark.parametrize(("text", "term"), [
    ("We hope you are well and we may visit the seaside.", "May"),
    ("I hope you are well.", "Hope"),
    ("The young ones loved the beach.", "Young"),
    ("We will write again at Christmas.", "Will"),
    ("She is in the brown team at school and plays with a green ball.", "Brown"),
])
def test_the_everyday_word_in_lower_case_is_not_the_surname(text: str, term: str) -> None:
    assert _protected_words(text, term) == []


@pytest.mark.parametrize(("text", "term", "written"), [
    ("May I say how much she enjoyed it.", "May", "May"),
    ("Love from the May family", "May", "May"),
    ("love from the hope family", "Hope", "hope"),
    ("Say hello to mrs may for us.", "May", "may"),
    ("dear may, we hope you are well", "May", "may"),
    ("with love from will x", "Will", "will"),
    ("lots of love,\nhope\n", "Hope", "hope"),
    ("We saw the Youngs at the fair.", "Young", "Youngs"),
    ("WRITTEN BY THE MAYS", "May", "MAYS"),
])
def test_the_surname_is_still_found(text: str, term: str, written: str) -> None:
    assert written in _protected_words(text, term)


@pytest.mark.parametrize(("text", "term", "written"), [
    ("dear may, hope you are having fun at school", "May", "may"),
    ("happy birthday hope, we think of you every day", "Hope", "hope"),
    ("to will and his new mum and dad", "Will", "will"),
    ("we planted a rose for rose", "Rose", "rose"),
])
def test_a_first_name_that_is_a_word_is_found_in_lower_case(text: str, term: str, written: str) -> None:
    assert written in _protected_words(text, term, surname=False)


def test_a_surname_that_is_not_a_word_is_found_in_lower_case() -> None:
    assert _protected_words("love from the hartleys", "Hartley") == ["hartleys"]


def test_the_arrangements_surnames_are_its_families_not_the_childs_first_name(
        db: Database, coordinator: Principal) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input(
        coordinator="lbcoord", adopters_name="Ella Pebbleby and Sam May", child_adoptive_name="Hope May"))
    with db.session(write=False) as s:
        names = surnames_of(s, aid)
        terms = screening_terms(s, aid, rules.BIRTH)
        a = s.scalars(select(Arrangement).where(Arrangement.id == aid)).one()
    assert {"Pebbleby", "May"} <= names and "Hope" not in names and "Ella" not in names
    assert terms.surnames == names
    # a birth relative's letter: "may" the word passes, "hope" the child's name is found
    text = "we may come to the fair, and we hope hope is well"
    found = [text[f.start:f.end] for f in screen_text(text, terms.terms, terms.labels, terms.surnames)
             if PROTECTED in f.kinds]
    assert "may" not in found and found.count("hope") >= 1, (found, a.child_adoptive_name)
