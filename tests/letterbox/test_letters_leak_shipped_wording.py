"""The words of the program's own shipped letters are no leak where a template's text has them (review of the
sixth release): a family named Dear is not named by the greeting "Dear Gina Quillfield,", nor an address at
"The Exchange" by "the exchange takes place"; a template that names the family still stops the batch."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from adoption_desktop.core.documents.templates import shipped_template
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.documents import LETTER_WORDING, leaked_terms, write_batch
from tests.letterbox.conftest import sample_input

GINA = ("Gina Quillfield", "3 Moss Row", "Greystow", "ZZ99 7QT")
VALUES = {"reference": "LB-0001", "month": "April 2027", "months": "April and October", "due_date": "1 April 2027",
          "child": "Poppy", "salutation": "Gina Quillfield", "reply_by": "1 April 2027", "review_date": "1 May 2027",
          "may_send": "letters and photographs", "first_writer_text": "You write first, at the start of the month.",
          "item_type": "letter", "received_on": "1 April 2027", "forwarding_text": "x", "next_steps_text": "y",
          "reason": "Please leave out the school."}
NAMES = ["letterbox_reminder", "letterbox_chaser", "letterbox_confirmation", "letterbox_review",
         "letterbox_acknowledgement", "letterbox_returned"]


@pytest.mark.parametrize(("forbidden", "addresses"), [
    (("Rosa Dear", "Rosa", "Dear", "Sam and Alex Dear"), ()),
    (("Flat 4, The Exchange", "Dellmouth", "ZZ99 4EF"), ("Flat 4, The Exchange", "Dellmouth", "ZZ99 4EF")),
    (("4 The Exchange", "Dellmouth", "ZZ99 4EF"), ("4 The Exchange", "Dellmouth", "ZZ99 4EF")),
    (("12 Heron Gate", "Deal", "CT14 6AA"), ("12 Heron Gate", "Deal", "CT14 6AA")),
    (("Will", "Hope", "May", "Grace", "Rose", "Faith", "Sunny", "Every", "Best", "Money", "Read"), ()),
])
def test_the_shipped_letters_name_no_one(forbidden: tuple[str, ...], addresses: tuple[str, ...]) -> None:
    for name in NAMES:
        text = shipped_template(name).render(VALUES, wording=LETTER_WORDING)
        assert leaked_terms(text, GINA, forbidden, ("Poppy",), addresses) == [], name


@pytest.mark.parametrize("changes", [
    {"adopters_address": "Flat 4, The Exchange\nDellmouth\nZZ99 4EF"},
    {"adopters_name": "Sam and Alex Dear", "child_adoptive_name": "Rosa Dear"},
])
def test_a_confirmation_batch_is_made(db: Database, coordinator: Principal, tmp_path: Path,
                                      changes: dict[str, str]) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input(**changes))
    out = tmp_path / "c.pdf"
    write_batch(db, coordinator, "confirmation", out, arrangement_ids=[aid], today=dt.date(2026, 3, 16))
    assert out.stat().st_size > 0

