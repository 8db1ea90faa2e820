""""RC" after names is not a school (user trial, 6 December 2026): "Love from Sam and Jo RC" (a sign-off, or
initials) was flagged as a school, "Jo RC" read as a Roman Catholic school like "Sacred Heart RC". A church
school's abbreviation (RC, R.C., CE, C of E) with no school word after it now makes an institution unless it
follows people's names: two names joined by "and"/"&", or a name in a sign-off line it ends ("Love from Jo
RC"), or initials. A saint's or church's name before it ("St Joseph's RC", "Ss Peter and Paul RC", "Our Lady
RC"), a school word after it ("… RC Primary"), or "at" before the names ("she's at Peter and Paul RC") keep it
an institution: missing a real school is worse than a false highlight."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import INSTITUTION, screen_text


def _institutions(text: str) -> list[str]:
    return [f.text for f in screen_text(text) if INSTITUTION in f.kinds]


@pytest.mark.parametrize("text", [
    "Love from Sam and Jo RC",
    "Dear Gina,\nThank you for your letter.\nLove from Sam and Jo RC x",
    "Thinking of you.\nLots of love,\nSam & Jo RC",
    "Love, Sam and Jo RC xx",
    "Love from Jo RC",
    "Best wishes, Jo RC.",
    "From A and B RC",
    "Love from Sam and Jo R.C.",
    "Love from Sam and Jo CE",
    "We had tea with Sam and Jo RC on Sunday.",
    "Love to Sam and Jo RC",
])
def test_rc_after_names_is_not_a_school(text: str) -> None:
    assert _institutions(text) == []


@pytest.mark.parametrize(("text", "written"), [
    ("She goes to St Joseph's RC Primary now.", "St Joseph's RC Primary"),
    ("She goes to St Joseph's RC now.", "St Joseph's RC"),
    ("She moved up to Sacred Heart RC in September.", "Sacred Heart RC"),
    # (found as "Paul RC", as before: the name is read from capitalised words only)
    ("She's at Ss Peter and Paul RC now.", "Paul RC"),
    ("She's at Peter and Paul RC now.", "Paul RC"),
    ("She goes to Peter and Paul RC.", "Paul RC"),
    ("Her school is Jesus and Mary RC and she loves it.", "Mary RC"),
    ("She started at St Mary and St John RC this year.", "St John RC"),
    ("She goes to Loreto RC and loves it.", "Loreto RC"),
    ("She goes to Our Lady RC.", "Lady RC"),
    ("She's in the Year 2 class at Holy Trinity C of E.", "Holy Trinity C of E"),
    ("He starts at Holy Cross CofE after Easter.", "Holy Cross CofE"),
    ("Love from all at St Joseph's RC", "St Joseph's RC"),
    ("Love from Sam and Jo\nShe is at Sacred Heart RC now.", "Sacred Heart RC"),
    ("Love from Sam and Jo RC Primary", "Jo RC Primary"),
])
def test_a_church_school_is_still_found(text: str, written: str) -> None:
    assert any(written in found for found in _institutions(text)), _institutions(text)
