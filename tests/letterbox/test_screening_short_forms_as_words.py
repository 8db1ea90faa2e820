"""Short forms of a protected first name that read as something else (false alarms, 6 December 2026), and the
uses of the same word that name the child, which must still be flagged (a missed name is far worse than a
false alarm):

* "Will write again at Christmas." with "William" protected: "Will" at the start of a sentence before a verb
  in its base form is the modal verb with its subject left out ("[We] will write"); after the name the verb
  would be "writes" or "wrote". Inside a sentence "Will" with a capital is the name ("Tell Will we said
  hello", "Did Will write?"), also before "we" or "you", which the old rule let through.

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
    (["William", "Ashdown"], "Will write again at Christmas."),
    (["William", "Ashdown"], "Thank you for the lovely card. Will send more photos in the summer."),
    (["William", "Ashdown"], "Dear Sue,\nWill have more news after the holidays."),
    (["William", "Ashdown"], "Hope you are well!\n\nWill try to write sooner next time."),
    (["William", "Ashdown"], "WE ARE ALL WELL. WILL WRITE SOON"),
    (["William", "Ashdown"], '"Will do," she said when I asked her to draw you a picture.'),
])
def test_will_as_the_verb_is_not_flagged(terms: list[str], text: str) -> None:
    assert _named(text, terms) == []


@pytest.mark.parametrize(("terms", "text", "written"), [
    (["William", "Ashdown"], "Will is doing well at school.", ["Will"]),
    (["William", "Ashdown"], "Will and his sister went swimming.", ["Will"]),
    (["William", "Ashdown"], "We saw Will at the park.", ["Will"]),
    (["William", "Ashdown"], "Dear Will,\nHappy birthday!", ["Will"]),
    (["William", "Ashdown"], "Will scored a goal.", ["Will"]),
    (["William", "Ashdown"], "Will writes to you every week.", ["Will"]),
    (["William", "Ashdown"], "Will, write soon!", ["Will"]),
    (["William", "Ashdown"], "Will Hope came round on Sunday.", ["Will"]),  # a name and a surname
    # inside a sentence "Will" with a capital is the name, before a verb or a pronoun too
    (["William", "Ashdown"], "Please tell Will we said hello.", ["Will"]),
    (["William", "Ashdown"], "Did Will write the card himself?", ["Will"]),
    (["William", "Ashdown"], "We watched Will play football.", ["Will"]),
    (["William", "Ashdown"], "Will write again soon. Will is fine.", ["Will"]),
])
def test_will_as_the_name_is_still_flagged(terms: list[str], text: str, written: list[str]) -> None:
    assert _named(text, terms) == written
    found = [f for f in screen_text(text, terms) if PROTECTED in f.kinds]
    assert all("possibly the protected term 'William'" in f.reason for f in found)


def test_the_rule_in_plain_python() -> None:
    from adoption_desktop.letterbox.screening.short_forms import starts_sentence, used_as_word

    assert starts_sentence("Will write", 0) and starts_sentence("Hi.  Will write", 5)
    assert starts_sentence('Dear Sue,\n"Will', 11) and not starts_sentence("Tell Will", 5)
    assert not starts_sentence("Dear Will", 5)
    assert used_as_word("Will", "write") and used_as_word("Will", "have") and used_as_word("Will", "you")
    assert not used_as_word("Will", "write", sentence_start=False)
    assert not used_as_word("Will", "you", sentence_start=False)
    assert not used_as_word("Will", "is") and not used_as_word("Will", "Hope")
    assert not used_as_word("Rob", "write")  # only the modal "will" comes before a verb's base form


def test_an_adopters_letter_is_flagged_only_where_it_names_the_child(db: Database, coordinator: Principal) -> None:
    """On a real SQLCipher file: the child's new name "William Ashdown"; the adopters' letter says "Will write
    again" (the verb) and "Will is doing well" (the child): only the latter is flagged."""
    aid = service.create_arrangement(db, coordinator, sample_input(
        coordinator="lbcoord", child_adoptive_name="William Ashdown"))
    item = service.log_item(db, coordinator, aid, direction=rules.TO_BIRTH, received_on=ON, writer="Sam Thornley")
    text = "Will is doing well and loves swimming. Will write again at Christmas."
    found = [(f.start, f.text) for f in service.screen_item(db, coordinator, item, text).findings
             if "short form" in f.reason]
    assert found == [(0, "Will")], found

