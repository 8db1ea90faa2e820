"""A protected name written otherwise than it was recorded is still found (leak trial, 6 December 2026: three
HIGH misses). 1: a hyphenated name written with a space, another dash or joined up ("Lily Mae", "Lily–Mae",
"LilyMae" for the child's new name "Lily-Mae"; "Smith Jones", "SMITH JONES" for "Smith-Jones"), and an
apostrophe written otherwise ("O’Neill", "ONeill", "O Neill" for "O'Neill"). 2: a protected name inside a
hashtag or a joined-up account name ("#TeamThornley", "#thornleyfamilyadventures", "ThornleyFamily"): before,
a handle was found only after an @, in a link or near a platform's name, and the name in it not at all. Each
was forwarded to the birth family. The finding says what was matched.

Service level: the item is screened through ``service.screen_item`` on a real SQLCipher file, with the terms
the arrangement gives it, and forwarding it is refused while the finding is marked to be removed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.screening import PROTECTED, screen_text
from adoption_desktop.letterbox.service import TermData
from adoption_desktop.letterbox.service.data import FindingRow
from tests.letterbox.conftest import sample_input

DAY = dt.date(2026, 3, 2)


def _screened(db: Database, coordinator: Principal, text: str, **arrangement: Any) -> tuple[int, list[FindingRow]]:
    aid = service.create_arrangement(db, coordinator, sample_input(**arrangement))
    item = service.log_item(db, coordinator, aid, direction="adoptive_to_birth", received_on=DAY, text=text,
                            log_again=True)
    return item, list(service.screen_item(db, coordinator, item, text).findings)


def _found(findings: list[FindingRow], written: str, term: str) -> FindingRow:
    """The one finding over exactly ``written`` whose reason names the protected ``term``."""
    hits = [f for f in findings if f.text == written and f"protected term '{term}'" in f.reason]
    assert len(hits) == 1, findings
    return hits[0]


@pytest.mark.parametrize("written", ["Lily Mae", "Lily–Mae", "Lily—Mae", "LilyMae", "LILY MAE", "lily-mae"])
def test_a_hyphenated_first_name_written_otherwise_is_found_and_not_forwarded(
        db: Database, coordinator: Principal, written: str) -> None:
    text = f"Dear Gina, {written} had a lovely summer. Love from us all."
    item, findings = _screened(db, coordinator, text, child_adoptive_name="Lily-Mae Thornley")
    _found(findings, written, "Lily-Mae")
    with pytest.raises(Conflict, match="marked to be removed"):
        service.record_outcome(db, coordinator, item, "forwarded", DAY, method="post")


@pytest.mark.parametrize("written", ["Smith Jones", "Smith–Jones", "SMITH JONES", "Smith—Jones", "SmithJones"])
def test_a_hyphenated_surname_written_otherwise_is_found(db: Database, coordinator: Principal, written: str) -> None:
    text = f"Dear Gina, she had a great birthday. Love from Sam, Alex and the {written} clan."
    _item, findings = _screened(db, coordinator, text, child_adoptive_name="Rosa Smith-Jones",
                                adopters_name="Sam and Alex Smith-Jones",
                                protected=(TermData("Smith-Jones", "adoptive surname"),))
    finding = _found(findings, written, "Smith-Jones")
    assert f"written '{written}'" in finding.reason  # what was matched, as the letter has it


@pytest.mark.parametrize("written", ["O’Neill", "O'Neill", "ONeill", "O Neill", "O‘Neill", "O'NEILL"])
def test_a_surname_with_an_apostrophe_written_otherwise_is_found(
        db: Database, coordinator: Principal, written: str) -> None:
    text = f"Dear Gina, love from all the {written}s and Rosa's new cat."
    _item, findings = _screened(db, coordinator, text, child_adoptive_name="Rosa O'Neill",
                                adopters_name="Sam and Alex O'Neill")
    _found(findings, f"{written}s", "O'Neill")


@pytest.mark.parametrize(("sentence", "token"), [
    ("Look for #TeamThornley online.", "#TeamThornley"),
    ("It is all on #thornleyfamilyadventures now.", "#thornleyfamilyadventures"),
    ("We post as ThornleyFamily these days.", "ThornleyFamily"),
    ("Follow @rosathornleyxx for her drawings.", "@rosathornleyxx"),
    ("Her dance videos are on #RosaDances.", "#RosaDances"),
])
def test_a_protected_name_inside_a_hashtag_or_joined_up_name_is_found(
        db: Database, coordinator: Principal, sentence: str, token: str) -> None:
    text = f"Dear Gina, she had a lovely summer. {sentence} Love from us all."
    item, findings = _screened(db, coordinator, text)  # the child's new name: Rosa Thornley
    hits = [f for f in findings if token in f.text and "protected term" in f.reason]
    assert hits, findings
    assert any(f"'{token}'" in f.reason for f in hits)  # says where the name was found
    with pytest.raises(Conflict, match="marked to be removed"):
        service.record_outcome(db, coordinator, item, "forwarded", DAY, method="post")


@pytest.mark.parametrize(("text", "token"), [
    ("She had a great birthday with all of #TeamSmithJones.", "#TeamSmithJones"),
    ("She had a great birthday, see #smithjonesfamily.", "#smithjonesfamily"),
])
def test_a_hyphenated_surname_inside_a_hashtag_is_found(db: Database, coordinator: Principal, text: str,
                                                         token: str) -> None:
    _item, findings = _screened(db, coordinator, f"Dear Gina, {text} Love from us all.",
                                child_adoptive_name="Rosa Smith-Jones", adopters_name="Sam and Alex Smith-Jones")
    assert [f for f in findings if f.text == token and "'Smith-Jones'" in f.reason], findings


@pytest.mark.parametrize("text", [
    "We went to McDonald's after swimming.",         # a name's "Mc", not a word of its own
    "She loves her iPad and watches YouTube.",       # joined-up words naming no one
    "#blessed #summer2026 #beachday",                # hashtags without a protected name
    "Follow the #RoseGarden trail at the park.",     # not the name of anyone in this arrangement
    "We watched SpongeBob and PlayStation ads.",
    "Mail me at rosa@example.org if you like.",      # an e-mail address is its own finding, not a hashtag
])
def test_ordinary_joined_up_words_and_hashtags_are_not_protected_terms(text: str) -> None:
    found = screen_text(text, ("Rosa", "Thornley", "Donald", "Lily-Mae", "Sam"))
    assert not [f for f in found if PROTECTED in f.kinds and f.kind != "email"], found


def test_a_short_name_is_found_only_as_a_whole_word_of_a_hashtag() -> None:
    """Three letters are too few to look for anywhere in a hashtag ("#samba" is no "Sam"), but "#TeamSam" has
    the name as one of its words."""
    assert not [f for f in screen_text("We learnt the #samba at school.", ("Sam",)) if PROTECTED in f.kinds]
    found = [f for f in screen_text("All of #TeamSam came.", ("Sam",)) if PROTECTED in f.kinds]
    assert [f.text for f in found] == ["#TeamSam"]
