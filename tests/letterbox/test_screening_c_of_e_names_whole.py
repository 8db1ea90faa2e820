"""A church school named with "C of E" is highlighted to its last word (user trial, 6 December 2026): "St John's
C of E Academy" was highlighted only up to "C of E", since a run of capitalised words stops at the lower-case
"of"; the school's own word after it ("Academy", "Primary School", "VA Primary School") is now part of the name.
"RC" and "CE" were already read whole ("Sacred Heart RC Primary")."""

from __future__ import annotations

import pytest

from adoption_desktop.letterbox.screening import INSTITUTION, STREET, screen_text


@pytest.mark.parametrize(("text", "expected"), [
    ("We went to 10 Downing Street on a school trip with St John's C of E Academy.",
     [(STREET, "10 Downing Street"), (INSTITUTION, "St John's C of E Academy")]),
    ("She is at St John's C of E Primary School now.", [(INSTITUTION, "St John's C of E Primary School")]),
    ("Holy Trinity C of E VA Primary School is great", [(INSTITUTION, "Holy Trinity C of E VA Primary School")]),
    ("St Mary's C of E primary school", [(INSTITUTION, "St Mary's C of E primary school")]),
    ("St Mary's C. of E. Junior School", [(INSTITUTION, "St Mary's C. of E. Junior School")]),
    ("We sang at St John's C of E Church", [(INSTITUTION, "St John's C of E Church")]),
    # already whole: the abbreviations without "of"
    ("Sacred Heart RC Primary", [(INSTITUTION, "Sacred Heart RC Primary")]),
    ("St Mary's CE Academy", [(INSTITUTION, "St Mary's CE Academy")]),
])
def test_the_name_runs_to_the_school_word_after_c_of_e(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(f.kind, f.text) for f in screen_text(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Holy Trinity C of E and Mum went", [(INSTITUTION, "Holy Trinity C of E")]),
    ("St Anne's C of E on Sunday", [(INSTITUTION, "St Anne's C of E")]),
    ("She goes to St Anne's C of E. Mum is pleased.", [(INSTITUTION, "St Anne's C of E")]),
    ("Love from Sam and Jo C of E", []),
])
def test_the_name_ends_at_c_of_e_with_no_school_word_after_it(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(f.kind, f.text) for f in screen_text(text)] == expected
