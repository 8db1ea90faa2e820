"""The Ofsted pack's recommendation line reads as sentences whatever the panel typed (review: "Subject to the
medical report?. Vote: Unanimous." and 'See "Recommended.". Vote:')."""

from __future__ import annotations

import pytest

from adoption_desktop.reports.ofsted_parts import _sentence


@pytest.mark.parametrize(("typed", "read"), [
    ("Match recommended", "Match recommended."),
    ("Match recommended. ", "Match recommended."),
    ("Subject to the medical report?", "Subject to the medical report?"),
    ('See "Recommended."', 'See "Recommended."'),
    ("Approved!", "Approved!"),
])
def test_a_recommendation_ends_as_one_sentence(typed: str, read: str) -> None:
    assert _sentence(typed) == read
    assert not (_sentence(typed) + " Vote: Unanimous.").count("?.")
