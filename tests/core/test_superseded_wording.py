"""An agency's copy of the acknowledgement edited before ``${next_steps_text}`` (or ``${forwarding_text}``)
existed keeps the fixed sentence that promised the item would be passed on; :func:`current_wording` reads
that sentence as the placeholder however the agency's copy wrapped or spaced it (review: a sentence wrapped
onto two lines, or with a double space, was kept and told a withheld item's writer it might be passed on)."""

from __future__ import annotations

import pytest

from adoption_desktop.core.documents.templates import current_wording, parse_template

NAME = "letterbox_acknowledgement"
HEAD = ("Subject: We have received your letterbox contact (our reference ${reference})\nDear ${salutation},\n\n"
        "Thank you for your ${item_type}, which we received on ${received_on}. ${forwarding_text}\n\n")
TAIL = "\n\nYours sincerely,\n"


@pytest.mark.parametrize("sentence", [
    "We will contact you if anything needs to change before it can be passed on.",
    "We will contact you if anything needs to change before it\ncan be passed on.",
    "We will contact you if anything  needs to change before it can be passed on.",
    "We will contact you if anything needs to change before it can be forwarded.",
])
def test_the_old_sentence_however_wrapped_is_read_as_the_placeholder(sentence: str) -> None:
    text = current_wording(NAME, HEAD + sentence + TAIL)
    assert "${next_steps_text}" in text and "passed on" not in text and "forwarded" not in text
    rendered = parse_template(NAME, text).render(
        {"reference": "LB-1", "salutation": "Sam", "item_type": "letter", "received_on": "1 May 2026",
         "forwarding_text": "A member of the team will be in touch.",
         "next_steps_text": "If you have any questions, please contact us quoting our reference."})
    assert any("quoting our reference" in p for p in rendered.paragraphs)


def test_the_first_shipped_wording_promised_passing_on_and_is_read_as_its_placeholders() -> None:
    first = ("Thank you for your ${item_type}, which we received on ${received_on}. It will be read in line with "
             "the agreement and passed on as soon as possible. A copy is kept on file.\n\n"
             "We will contact you if anything needs to change before it can be forwarded.")
    text = current_wording(NAME, first)
    assert text.endswith("${received_on}. ${forwarding_text}\n\n${next_steps_text}")


def test_a_copy_that_already_writes_the_placeholder_without_braces_is_left_alone() -> None:
    text = HEAD + "$next_steps_text\n\nWe will contact you if anything needs to change before it can be passed on."
    assert current_wording(NAME, text) == text
