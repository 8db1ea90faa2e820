"""A protected surname that is also an everyday word ("May", "Hope", "Young" — every adopter's surname is
protected automatically) made each "may", "hope" or "young" of a letter a finding to click through (review,
5 December). In lower case such a word is now reported only where it reads as the name; capitalised, always.
First names that are words less often than names ("Rose", "Holly") are still found in lower case."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import PROTECTED, screen_text


def _protected_words(text: str, term: str) -> list[str]:
    return [text[f.start:f.end] for f in screen_text(text, (term,)) if PROTECTED in f.kinds]


@pytest.mark.parametrize(("text", "term"), [
    ("We hope you are well and we may visit the seaside.", "May"),
    ("I hope you are well.", "Hope"),
    ("The young ones loved the beach.", "Young"),
    ("We will write again at Christmas.", "Will"),
    ("She is in the brown team at school and plays with a green ball.", "Brown"),
])
def test_the_everyday_word_in_lower_case_is_not_the_name(text: str, term: str) -> None:
    assert _protected_words(text, term) == []


@pytest.mark.parametrize(("text", "term", "written"), [
    ("May I say how much she enjoyed it.", "May", "May"),
    ("Love from the May family", "May", "May"),
    ("love from the hope family", "Hope", "hope"),
    ("Say hello to mrs may for us.", "May", "may"),
    ("with love from will x", "Will", "will"),
    ("lots of love,\nhope\n", "Hope", "hope"),
    ("We saw the Youngs at the fair.", "Young", "Youngs"),
    ("WRITTEN BY THE MAYS", "May", "MAYS"),
    ("we planted a rose for rose", "Rose", "rose"),
    ("holly had a great birthday", "Holly", "holly"),
])
def test_the_name_is_still_found(text: str, term: str, written: str) -> None:
    assert written in _protected_words(text, term)


def test_a_surname_that_is_not_a_word_is_found_in_lower_case() -> None:
    assert _protected_words("love from the hartleys", "Hartley") == ["hartleys"]
