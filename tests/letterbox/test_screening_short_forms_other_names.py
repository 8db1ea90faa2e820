"""Names the short-form rules made of a protected first name that are another name in their own right
(false alarms, 6 December 2026), and the real short forms of the same names, which must still be flagged (a
missed name is far worse than a false alarm):

* "Lucy" with "Lucas" protected: "Luc" (a start of the name) with a pet ending made "Lucy", a girl's name in
  its own right, and every letter mentioning a friend or sister Lucy was flagged; "Luke", "Luca" and "Lukey"
  are still his forms, and "Lucy" is still that of "Lucinda" (a familiar form) and of a protected "Lucy".
* "France" with "Francesca" protected: not flagged (the country is in the everyday word list, as "China",
  "India", "Spain" are); "Fran", "Frankie", "Cesca" and "Frances" are.

All synthetic names."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.screening import PROTECTED, screen_text
from tests.letterbox.conftest import sample_input

ON = dt.date(2026, 9, 2)


def _named(text: str, terms: list[str]) -> list[str]:
    return [f.text for f in screen_text(text, terms) if PROTECTED in f.kinds]


@pytest.mark.parametrize(("terms", "text"), [
    (["Lucas", "Ashdown"], "Lucy from next door came round to play."),
    (["Lucas", "Ashdown"], "Lucie and her mum came to tea."),
    (["Lucas", "Ashdown"], "We went to Lucy's party."),
])
def test_another_name_is_not_flagged(terms: list[str], text: str) -> None:
    assert _named(text, terms) == []


@pytest.mark.parametrize(("terms", "text", "written"), [
    (["Lucas", "Ashdown"], "Luke scored a goal.", ["Luke"]),
    (["Lucas", "Ashdown"], "Luca loves his bike.", ["Luca"]),
    (["Lucas", "Ashdown"], "Lukey is five now.", ["Lukey"]),
    (["Lucas", "Ashdown"], "Lucas is five now.", ["Lucas"]),
    (["Lucas", "Ashdown"], "love from luc x", ["luc"]),
    (["Lucinda", "Ashdown"], "Lucy is five now.", ["Lucy"]),  # a familiar form of Lucinda
    (["Lucas", "Lucy"], "Lucy is five now.", ["Lucy"]),  # a protected name of its own
    (["Francesca", "Ashdown"], "Fran loves it. Frankie too. Cesca sends love. Frances drew this.",
     ["Fran", "Frankie", "Cesca", "Frances"]),
])
def test_the_real_short_forms_are_still_flagged(terms: list[str], text: str, written: list[str]) -> None:
    assert _named(text, terms) == written


def test_a_country_that_starts_a_name_is_not_flagged() -> None:
    assert _named("We went to France in the summer. France was lovely.", ["Francesca", "Ashdown"]) == []


def test_the_table_in_plain_python() -> None:
    from adoption_desktop.letterbox.screening.short_forms import not_forms_of

    assert not_forms_of("Lucas") == frozenset({"lucy", "lucie"})
    assert not_forms_of("Lucinda") == frozenset()  # "Lucy" is its familiar form


def test_a_letter_naming_a_friend_lucy_is_not_flagged_for_lucas(db: Database, coordinator: Principal) -> None:
    """On a real SQLCipher file: the child's new name "Lucas Ashdown"; the adopters write of a friend "Lucy"
    (not flagged) and of the child as "Luke" (flagged)."""
    aid = service.create_arrangement(db, coordinator, sample_input(
        coordinator="lbcoord", child_adoptive_name="Lucas Ashdown"))
    item = service.log_item(db, coordinator, aid, direction=rules.TO_BIRTH, received_on=ON, writer="Sam Thornley")
    found = {f.text: f.reason for f in service.screen_item(
        db, coordinator, item, "Lucy from next door came round. Luke loved it.").findings}
    assert "Lucy" not in found and "Lucas" in found.get("Luke", ""), found
