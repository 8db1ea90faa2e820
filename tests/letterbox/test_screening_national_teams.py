"""A famous national football team or ground a child supports or visited is not where the family lives (user trial,
6 December 2026): "He supports Manchester United and we went to Old Trafford" had both highlighted as places. Big
clubs and their grounds (a short list: `places.NATIONAL_TEAMS`) are not findings now, unless the letter says
someone lives there ("we live near Old Trafford", "we moved to Wembley"). A local club named after its town
("Dellmouth Rovers", "Thornaby Tigers") is still found, and so is a town on its own."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import INSTITUTION, PLACE, screen_text


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in screen_text(text)]


@pytest.mark.parametrize("text", [
    "He supports Manchester United and we went to Old Trafford.",
    "His favourite team is Manchester United.",
    "We watched Manchester City win the cup.",
    "She loves Leeds United and Newcastle United.",
    "Dad took him to Wembley for the cup final.",
    "We went on the stadium tour at Anfield.",
    "He wants to play for Aston Villa one day.",
])
def test_a_famous_team_or_ground_is_not_a_finding(text: str) -> None:
    assert _kinds(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("We live near Old Trafford now.", (PLACE, "Old Trafford")),
    ("We moved to Wembley in the summer.", (PLACE, "Wembley")),
    ("We are in Wembley now.", (PLACE, "Wembley")),
    ("We went shopping in Manchester City Centre.", (PLACE, "Manchester")),
    ("We live in Manchester and he supports Manchester United.", (PLACE, "Manchester")),
    ("He plays for Thornaby Tigers.", (INSTITUTION, "Thornaby Tigers")),
    ("We live near Leeds United's ground.", (PLACE, "Leeds")),
    ("We had a day out in Luton Town.", (PLACE, "Luton")),
    ("We moved to Crystal Palace.", (PLACE, "Crystal Palace")),
    ("We live in Anfield, by the park.", (PLACE, "Anfield")),
    # his own team, even a famous one's: "plays for" is a club he is in
    ("He plays for Manchester United Under 9s.", (INSTITUTION, "Manchester United Under 9s")),
])
def test_where_someone_lives_and_local_clubs_are_still_found(text: str, expected: tuple[str, str]) -> None:
    found = screen_text(text)
    kind, what = expected
    start = text.index(what)
    assert any(kind in f.kinds and f.start <= start and start + len(what) <= f.end for f in found), found


def test_a_local_club_named_after_its_town_is_still_found() -> None:
    found = _kinds("He supports Dellmouth Rovers and Thornaby Tigers.")
    assert any(t.startswith("Thornaby") for _k, t in found), found
