"""A short form of a protected first name is found (user trial, 6 December 2026): "Gwen is doing well" went to
the birth family of a child renamed "Gwenllian" with nothing found, and so did "Sam" of "Samantha", "Alex" of
"Alexander", "Max" of "Maximilian" and "Kate" of "Katherine" (the pet forms only added endings: "Jessie")."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.screening import PROTECTED, screen_text
from adoption_desktop.letterbox.screening.short_forms import short_forms
from tests.letterbox.conftest import sample_input

ON = dt.date(2026, 9, 2)


@pytest.mark.parametrize(("term", "text", "written"), [
    ("Gwenllian", "Gwen is doing well and loves swimming.", "Gwen"),
    ("Samantha", "Sam has started swimming lessons.", "Sam"),
    ("Alexander", "Alex loves dinosaurs.", "Alex"),
    ("Maximilian", "On Saturday Max scored a goal.", "Max"),
    ("Katherine", "Kate sends her love.", "Kate"),
    ("William", "Will scored a goal.", "Will"),
    ("Andrew", "We went to the park and Andy fed the ducks.", "Andy"),
    ("Theodore", "Theo's birthday was lovely.", "Theo's"),
    ("Gwenllian", "Gwén is doing well.", "Gwén"),
    # familiar forms of short names, and of another spelling (reviewer, 6 December 2026)
    ("John", "Jack loves football.", "Jack"),
    ("Mary", "Molly sends her love.", "Molly"),
    ("Katharine", "Kate drew this.", "Kate"),
    ("Maximilian", "Max is doing well.", "Max"),
    # a user trial's misses, 6 December 2026: familiar forms that are everyday words too, and pet forms
    ("Robert", "Rob came to visit us.", "Rob"),
    ("Richard", "Rich came round on Sunday.", "Rich"),
    ("Edward", "Ed has a new puppy.", "Ed"),
    ("Jackson", "Jack loves his new bike.", "Jack"),
    ("Rosemary", "Rose has learnt to ride her bike.", "Rose"),
    ("Raymond", "Ray has a new puppy.", "Ray"),
    ("Caroline", "Carol sends her love.", "Carol"),
    ("Finley", "Finn is five now.", "Finn"),
    ("Arabella", "Bella is fine.", "Bella"),
    ("Gwenllian", "Gwennie is fine.", "Gwennie"),
    # in lower case too, where the form is no everyday word (children write in lower case)
    ("Gwenllian", "love from nan. gwen x", "gwen"),
    ("Samantha", "love sam x", "sam"),
])
def test_a_short_form_of_a_protected_name_is_found(term: str, text: str, written: str) -> None:
    found = [f for f in screen_text(text, [term]) if f.kind == PROTECTED]
    assert [f.text for f in found] == [written]
    assert f"the protected term '{term}'" in found[0].reason and "short form" in found[0].reason


@pytest.mark.parametrize(("term", "text"), [
    ("Andrew", "And then we went to the beach."),
    ("Theodore", "The weather was lovely."),
    ("Willow", "Will you write back soon?"),
    ("Arthur", "Art is her favourite lesson."),
    ("William", "i will write again, bill is paid and max is ten"),  # everyday words in lower case
    # reviewer, 6 December 2026: the commonest words, missing from the dictionary file, and letter words
    ("Hassan", "She has started school and has made friends."),
    ("Hermione", "Her teacher says her reading is good."),
    ("Hisham", "His bike is red."),
    ("Emily", "i love em"),
    ("Albert", "as Smith et al say"),
    ("Hunter", "thanks hun xx"),
    ("Holly", "going on hols in august"),
    ("Callum", "Call us on Sunday if you like."),
    ("Janet", "Jan was a cold month."),
    ("Gwenllian", "Gwenny"),  # a familiar form: found (below), not a start of the name
    # reviewer, 6 December 2026: starts of names that are everyday words (the dictionary, resources/words)
    ("Madeleine", "Made a cake for her birthday."),
    ("Stephanie", "Step by step she is learning to read."),
    ("Heather", "Heat was unbearable in August."),
    ("Beatrice", "Beat the eggs first, she says."),
    ("Tallulah", "Tall for her age now, she is growing fast."),
    ("Harmony", "Harm done was only a scraped knee."),
    ("Hunter", "Hunt for eggs at Easter was great."),
    ("Solomon", "Solo swimming now, no armbands!"),
    ("Lionel", "Lion King was the school play."),
    ("Warren", "War films are his dad's favourite."),
    ("Summer", "Sum of it all, a lovely year."),
    # a familiar form that is an everyday word, used as that word: the verb before its subject
    ("William", "Will you write back soon?"),
    ("William", "Will be lovely to hear from you."),
])
def test_everyday_words_and_lower_case_are_not_short_forms(term: str, text: str) -> None:
    found = [f for f in screen_text(text, [term]) if f.kind == PROTECTED]
    if text == "Gwenny":
        assert [f.text for f in found] == ["Gwenny"]
    else:
        assert found == []


def test_a_surname_has_no_short_form_looked_for() -> None:
    # "Ashcombe" as the adopters' surname: "Ashc…" starts are no one's name for them
    assert [f for f in screen_text("Ashcom came round.", ["Ashcombe"], surnames=["Ashcombe"])
            if f.kind == PROTECTED] == []
    assert [f.text for f in screen_text("Ashcom came round.", ["Ashcombe"]) if f.kind == PROTECTED] == ["Ashcom"]


def test_short_names_and_several_words_have_none() -> None:
    assert short_forms("Jess") == frozenset()  # no familiar forms listed, and too short for starts
    assert short_forms("John") == frozenset({"jack", "johnny"})
    assert short_forms("Rose Ann") == frozenset()
    assert "gwen" in short_forms("Gwenllian") and "gwenllian" not in short_forms("Gwenllian")
    assert "the" not in short_forms("Theodore") and "theo" in short_forms("Theodore")


def test_an_adopters_letter_naming_the_child_by_a_short_form_is_flagged_and_not_forwarded(
        db: Database, coordinator: Principal) -> None:
    """The user trial's case, on a real SQLCipher file: the child's new name "Gwenllian" (protected as the
    child's new name when the arrangement is made); the adopters write "Gwen"."""
    aid = service.create_arrangement(db, coordinator, sample_input(
        coordinator="lbcoord", child_adoptive_name="Gwenllian Thornley"))
    item = service.log_item(db, coordinator, aid, direction=rules.TO_BIRTH, received_on=ON, writer="Sam Thornley")
    found = {f.text: f.reason for f in service.screen_item(
        db, coordinator, item, "Gwen is doing well and loves swimming. Thornl, Thornle.").findings}
    assert "Gwen" in found and "Gwenllian" in found["Gwen"], found
    # the adoptive surname "Thornley" has no short form looked for
    assert [t for t, why in found.items() if "short form" in why] == ["Gwen"], found
    with pytest.raises(Conflict, match="marked to be removed"):
        service.record_outcome(db, coordinator, item, "forwarded", ON, method="post")
