"""A sports team named with its age group is found whole, as a club (user trial, 6 December 2026): "he plays for
Dellmouth Rovers Under 9s" had "Dellmouth Rovers Under" highlighted, "Greystow Juniors U11" lost its "U11" and
"Thornley Athletic under-12s" was labelled a place. The club and its age group say where the child plays and how
old they are: the highlight takes in both and says it is a club or team. An age group with no club name in front
("the under 9s won", "Saturday's U11 match") is not a finding."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import INSTITUTION, screen_text


@pytest.mark.parametrize(("text", "team"), [
    ("he plays for Dellmouth Rovers Under 9s", "Dellmouth Rovers Under 9s"),
    ("He plays for Dellmouth Rovers Under 9s on Saturdays.", "Dellmouth Rovers Under 9s"),
    ("She is in Greystow Juniors U11 now.", "Greystow Juniors U11"),
    ("Sam joined Thornley Athletic under-12s last month.", "Thornley Athletic under-12s"),
    ("He is in the Greystow Juniors U11s squad", "Greystow Juniors U11s"),
    ("Training with Dellmouth Rovers under 10's is on Tuesdays", "Dellmouth Rovers under 10's"),
    ("Greystow Juniors U-11 won the league", "Greystow Juniors U-11"),
])
def test_a_team_with_its_age_group_is_one_club_finding(text: str, team: str) -> None:
    found = [(f.kind, f.text) for f in screen_text(text)]
    assert (INSTITUTION, team) in found, found


@pytest.mark.parametrize("text", [
    "The under 9s won on Saturday!",
    "He is in the Under 9s now and loves it.",
    "Saturday's U11 match was cancelled.",
    "We watched the Under 12s final on telly.",
    "She was Under 5 when she started swimming.",
])
def test_an_age_group_with_no_club_name_is_not_a_finding(text: str) -> None:
    assert screen_text(text) == []


# reviewer, 6 December 2026: an age group written in words ("under nines"), and a club written in lower case, gave
# nothing or only the club's name: found whole as for "Under 9s"
@pytest.mark.parametrize(("text", "team"), [
    ("he plays for dellmouth rovers under nines", "dellmouth rovers under nines"),
    ("Greystow Juniors under elevens", "Greystow Juniors under elevens"),
    ("He plays for Dellmouth Rovers Under-Nines on Sundays.", "Dellmouth Rovers Under-Nines"),
    ("she is in thornley athletic under 12s now", "thornley athletic under 12s"),
    ("he plays for greystow under 9s", "greystow under 9s"),
    ("he plays football for thornley athletic u11s on saturdays", "thornley athletic u11s"),
    ("Greystow Juniors under sixes", "Greystow Juniors under sixes"),
])
def test_a_team_with_its_age_group_in_words_or_lower_case_is_one_club_finding(text: str, team: str) -> None:
    found = [(f.kind, f.text) for f in screen_text(text)]
    assert (INSTITUTION, team) in found, found


@pytest.mark.parametrize("text", [
    "he plays for the under nines",
    "The under nines won on Saturday!",
    "He is in the Under Nines now and loves it.",
    "she was under five when she started swimming",
    "my brother plays for rovers under nines",
    "his team is under nines",
    "love u 2",
])
def test_an_age_group_in_words_with_no_club_name_is_not_a_finding(text: str) -> None:
    assert screen_text(text) == []
