"""Where a sentence starts, as the two rules that ask it read it (``short_forms.starts_sentence`` for a
familiar form that is also a word, "Will" of "William"; ``detectors._sentence_start`` for a street's
capitalised everyday first word, "New Road"). Both drop a finding at a sentence start, so they are kept apart on
purpose: the short forms read a quoted sentence's first word as its start, the street rule does not.

Fix (6 December 2026, sixth release): a full stop followed by a no-break space (letters pasted from an e-mail
have "photos.&nbsp; Will write") or a line broken with Word's Shift+Enter (a vertical tab) was not a sentence
start for the short forms, so "Will write again at Christmas" was flagged as the child's name William."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.screening import PROTECTED, STREET, screen_text
from adoption_desktop.letterbox.screening.detectors import _sentence_start
from adoption_desktop.letterbox.screening.short_forms import starts_sentence
from tests.letterbox.conftest import sample_input

DAY = dt.date(2026, 3, 2)


def _names(text: str) -> list[str]:
    return [f.text for f in screen_text(text, ("William",)) if PROTECTED in f.kinds]


@pytest.mark.parametrize("text", [
    "Thanks for the photos.\u00a0 Will write again at Christmas.",   # an e-mail's "&nbsp; " after the full stop
    "Thanks for the photos.\u00a0Will write again at Christmas.",
    "Thanks for the photos.\u2009Will write again at Christmas.",    # a thin space
    "Dear Sue,\vWill write again at Christmas.",                     # Word's line break (Shift+Enter)
    "Dear Sue,\u2028Will write again at Christmas.",                 # a line separator
])
def test_the_verb_will_after_another_space_or_line_break_is_not_the_name(text: str) -> None:
    assert _names(text) == []


@pytest.mark.parametrize("text", [
    "Please tell\u00a0Will we said hello.",                          # inside a sentence: the name
    "Thanks, \u00a0Will write soon.",                                # after a comma: not a sentence start
])
def test_will_inside_a_sentence_is_still_the_name(text: str) -> None:
    assert _names(text) == ["Will"]


def test_a_screened_item_with_a_no_break_space_has_no_finding_for_the_verb(
        db: Database, coordinator: Principal) -> None:
    text = "Dear Gina, thank you for the photos.\u00a0 Will write again at Christmas. Love from us all."
    aid = service.create_arrangement(db, coordinator, sample_input(child_adoptive_name="William Thornley"))
    item = service.log_item(db, coordinator, aid, direction="adoptive_to_birth", received_on=DAY, text=text,
                            log_again=True)
    findings = service.screen_item(db, coordinator, item, text).findings
    assert not [f for f in findings if "protected term 'William'" in f.reason], findings


def test_the_two_readings_differ_where_each_rule_needs_it() -> None:
    """A quoted sentence's first word starts it for the short forms ('"Will you write back?"' is the verb) but
    not for the street rule, which would otherwise drop "New" and lose the street ('Bye. "New Road" was shut')."""
    quoted = 'Bye for now. "Will you write back?"'
    assert starts_sentence(quoted, quoted.index("Will")) and not _sentence_start(quoted, quoted.index("Will"))
    assert _names(quoted) == []
    street = 'Bye for now. "New Road" was shut all week.'
    assert [f.text for f in screen_text(street) if f.kind == STREET] == ["New Road"]
    plain = "Bye for now. New Road was shut all week."
    assert [f.text for f in screen_text(plain) if f.kind == STREET] == []  # "New" may be any sentence's first word
