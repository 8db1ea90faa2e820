"""A protected first name that is also an everyday word ("Rose", "Grace", "Daisy") inside a lower-case hashtag
where it is only part of ordinary words: "#rosegarden", "#graceland", "#primrose", "#daisychain". Since the
fifth release a term of four letters or more is looked for anywhere in a hashtag or account name
("#thornleyfamilyadventures"), so a child called Rose had every "#rosegarden" flagged, a false alarm a
coordinator learns to click through. Now the incoming screening leaves those out (the rule:
``detectors._only_ordinary_words``), and still finds the name wherever it may be the name: with a capital
("#RoseGarden"), after another word ("#teamrose"), with an "s" ("#rosesday"), glued to letters that are no
everyday word ("#lilymae"), or to a word that is a person's doing or occasion ("#rosedances", "#rosefamily").
The outgoing letters' leak check, which shares the matcher, is unchanged.

Service level: an item screened through ``service.screen_item`` on a real SQLCipher file."""

from __future__ import annotations

import datetime as dt

import pytest

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.screening import PROTECTED, screen_text
from adoption_desktop.letterbox.screening.detectors import JOINED, match_terms
from tests.letterbox.conftest import sample_input

DAY = dt.date(2026, 3, 2)


def _protected(text: str, *terms: str) -> list[str]:
    return [f.text for f in screen_text(text, terms) if PROTECTED in f.kinds]


@pytest.mark.parametrize(("text", "term"), [
    ("We spent the day at the #rosegarden in the park.", "Rose"),     # the name first, then a thing it names
    ("Off to #graceland for the music.", "Grace"),                    # one everyday word holding the name
    ("The #primrose walk was lovely.", "Rose"),                       # ... the name at its end
    ("She made a #daisychain on the lawn.", "Daisy"),
    ("Dad won the #jackpot at bingo!", "Jack"),
    ("See you in spring #hopefully", "Hope"),                         # a first name Hope, not the surname
    ("Her dressing-up box has #rubyslippers in it.", "Ruby"),
    ("Photos from #rosegarden2026 are on the way.", "Rose"),          # a year after it changes nothing
])
def test_a_name_that_is_only_part_of_ordinary_words_in_a_lower_case_hashtag_is_not_flagged(text: str,
                                                                                            term: str) -> None:
    assert _protected(text, term) == []


@pytest.mark.parametrize(("text", "terms", "token"), [
    ("Look for #TeamThornley online.", ("Thornley",), "#TeamThornley"),
    ("It is all on #thornleyfamilyadventures now.", ("Thornley",), "#thornleyfamilyadventures"),
    ("We are the ThornleyFamily on there.", ("Thornley",), "ThornleyFamily"),
    ("Follow @thornley.family for news.", ("Thornley",), "@thornley.family"),
    ("Happy birthday #lilymae from us all.", ("Lily Mae",), "#lilymae"),
    ("Happy birthday #lilymae from us all.", ("Lily",), "#lilymae"),         # "mae" is no everyday word
    ("Go #teamrose!", ("Rose",), "#teamrose"),                               # the name after another word
    ("It was #rosesday at nursery.", ("Rose",), "#rosesday"),                # Rose's day
    ("Watch #rosedances on there.", ("Rose",), "#rosedances"),               # what she does
    ("All of #rosefamily say hello.", ("Rose",), "#rosefamily"),             # her family
    ("Photos at #RoseGarden.", ("Rose",), "#RoseGarden"),                    # a capital: the name
    ("PHOTOS AT #ROSEGARDEN.", ("Rose",), "#ROSEGARDEN"),                    # all capitals: not left out
    ("She made #rosemary biscuits.", ("Rose",), "#rosemary"),                # a name Rose is short for
    ("Happy days #teamrosegarden", ("Rose",), "#teamrosegarden"),            # more than the two words
    ("Grace picked #lovelyroses", ("Rose",), "#lovelyroses"),
])
def test_a_name_that_may_be_the_name_in_a_hashtag_is_still_found(text: str, terms: tuple[str, ...],
                                                                 token: str) -> None:
    assert token in _protected(text, *terms)


def test_the_leak_check_still_reads_a_name_anywhere_in_a_hashtag() -> None:
    """The outgoing letters' leak check (``documents.leaked_terms``) calls ``match_terms`` without the new
    keyword: what it finds is as before."""
    found = match_terms("We loved the #rosegarden at the show.", ["Rose"])
    assert [(m.how, m.sign, m.term) for m in found] == [(JOINED, "#", "Rose")]
    assert match_terms("We loved the #rosegarden at the show.", ["Rose"], inside_words=False) == []


def test_a_screened_item_has_no_finding_for_a_rose_garden_but_one_for_the_name(
        db: Database, coordinator: Principal) -> None:
    text = "Dear Gina, we had a picnic by the #rosegarden and #teamrose won the egg race. Love from us all."
    aid = service.create_arrangement(db, coordinator, sample_input(child_adoptive_name="Rose Thornley"))
    item = service.log_item(db, coordinator, aid, direction="adoptive_to_birth", received_on=DAY, text=text,
                            log_again=True)
    findings = service.screen_item(db, coordinator, item, text).findings
    named = [f.text for f in findings if "protected term 'Rose'" in f.reason]
    assert named == ["#teamrose"], findings
