"""The outgoing leak check reads the agency's own letters with the incoming screening's matcher (leak trial,
6 December 2026, HIGH): a reason for returning a birth mother's letter naming the adopters as "O’Neill" (curly
apostrophe, "O'Neill" recorded), "ONeill", "the Smith Jones family" ("Smith-Jones"), "43 Quill Rd" ("43 Quill
Road"), "ZZ991HJ" ("ZZ99 1HJ") or "Kestrel Vale" ("Kestrel Vale Primary") was accepted and printed in the
returned letter to her. ``documents.leaked_terms`` now finds the other side's terms through
``screening.detectors.match_terms``, the function the incoming screening uses, with the leak check's own
rule on top (a name capitalised as written or in capitals, plurals only of names, the reader's own words never
a leak), so both read a name written otherwise alike.

Service level: ``record_outcome`` refuses such a reason on a real SQLCipher file; the letter check is also
tested directly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.documents import check_no_leak, leaked_terms, write_batch
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_item_writer_letters import relatives

DAY = dt.date(2026, 3, 2)
ADDRESS = "43 Quill Road\nIvelcombe\nZZ99 1HJ"
GINA = ("Gina Quillfield", "3 Moss Row", "Greystow", "ZZ99 7QT")
OTHER_SIDE = ("Rosa Smith-Jones", "Sam and Alex Smith-Jones", "Rosa", "Smith-Jones", "Sam", "Alex", "43 Quill Road",
              "Ivelcombe", "ZZ99 1HJ", "O'Neill", "Kestrel Vale Primary")


def _letter(*paragraphs: str) -> RenderedLetterText:
    return RenderedLetterText("Your letter", "Dear Gina,", paragraphs, "Yours sincerely")


def _returned(db: Database, coordinator: Principal, reason: str, **arrangement: Any) -> int:
    """A birth mother's letter on an arrangement, screened, then returned for ``reason``."""
    aid = service.create_arrangement(db, coordinator, sample_input(adopters_address=ADDRESS, **arrangement))
    gina = relatives(db, coordinator, aid)["Gina Quillfield"]
    item = service.log_item(db, coordinator, aid, direction="birth_to_adoptive", received_on=DAY, participant_id=gina,
                            log_again=True)
    service.screen_item(db, coordinator, item, "Dear both, I hope she is well. Love Gina")
    service.record_outcome(db, coordinator, item, "returned", DAY, reason=reason)
    return item


@pytest.mark.parametrize(("adopters", "child", "reason", "named"), [
    ("Sam and Alex O'Neill", "Rosa O'Neill",
     "You asked whether the O’Neill family could send a photo of the house; we cannot pass that request on.",
     "O'Neill"),
    ("Sam and Alex O'Neill", "Rosa O'Neill", "You asked whether the ONeill family could send a photo.", "O'Neill"),
    ("Sam and Alex Smith-Jones", "Rosa Smith-Jones",
     "You addressed the card to the Smith Jones family; please address it to your daughter only.", "Smith-Jones"),
    ("Sam and Alex Smith-Jones", "Rosa Smith-Jones", "You addressed the card to the Smith–Jones family.",
     "Smith-Jones"),
    ("Sam and Alex Thornley", "Rosa Thornley",
     "Please do not send anything directly to 43 Quill Rd; always send it through us.", "43 Quill Road"),
    ("Sam and Alex Thornley", "Rosa Thornley", "Please do not write to ZZ991HJ; always send it through us.",
     "ZZ99 1HJ"),
    ("Sam and Alex Thornley", "Rosa Thornley", "Please do not ask about Kestrel Vale; we cannot say.",
     "Kestrel Vale Primary"),
])
def test_a_return_reason_naming_the_other_side_written_otherwise_is_refused(
        db: Database, coordinator: Principal, tmp_path: Path, adopters: str, child: str, reason: str,
        named: str) -> None:
    with pytest.raises(ValidationError, match=rf"it names {named}\b.* from the other side of the arrangement"):
        _returned(db, coordinator, reason, adopters_name=adopters, child_adoptive_name=child)


def test_the_returned_letter_is_made_with_a_reason_naming_nobody(db: Database, coordinator: Principal,
                                                                 tmp_path: Path) -> None:
    """Refusing those reasons takes nothing from an ordinary one: the returned letter is produced."""
    item = _returned(db, coordinator, "Please leave out the name of her school and your new address.",
                     adopters_name="Sam and Alex O'Neill", child_adoptive_name="Rosa O'Neill")
    result = write_batch(db, coordinator, "returned", tmp_path / "returned.pdf", item_ids=[item], today=DAY)
    assert result.letters == 1


@pytest.mark.parametrize(("paragraph", "term"), [
    ("Please do not ask about the Smith Jones family.", "Smith-Jones"),
    ("Please do not ask about the Smith–Jones family.", "Smith-Jones"),
    ("Please do not ask about the SMITH JONES family.", "Smith-Jones"),
    ("Please do not write to 43 Quill Rd.", "43 Quill Road"),
    ("Please do not write to 43, Quill Rd.", "43 Quill Road"),
    ("Please do not write to ZZ991HJ.", "ZZ99 1HJ"),
    ("Please do not mention the O’Neill family.", "O'Neill"),
    ("Please do not mention the ONeill family.", "O'Neill"),
    ("Please do not mention the O’Neills.", "O'Neill"),
    ("Please do not mention Kestrel Vale.", "Kestrel Vale Primary"),
    ("Please do not mention #TeamSmithJones.", "Smith-Jones"),
])
def test_the_letter_check_finds_the_other_side_written_otherwise(paragraph: str, term: str) -> None:
    assert term in leaked_terms(_letter(paragraph), GINA, OTHER_SIDE)
    with pytest.raises(Conflict):
        check_no_leak(_letter(paragraph), GINA, OTHER_SIDE)


@pytest.mark.parametrize("paragraph", [
    "We will write again soon.",                       # "Will" of the other side is a name only capitalised
    "Please ask about smith jones.",                   # nor is a name in lower case
    "Thank you for your letter about the summer.",
    "We sent it to 12 Heron Gates.",                   # an address line gets no plural
    "Moss Row is where we will write to you.",         # the reader's own street
])
def test_what_is_not_a_leak_stays_so(paragraph: str) -> None:
    assert leaked_terms(_letter(paragraph), GINA, (*OTHER_SIDE, "Will", "12 Heron Gate", "41 Moss Row")) == []


def test_the_readers_own_name_written_with_another_apostrophe_is_not_a_leak() -> None:
    """A reader called O’Neill (curly) on one side and O'Neill (straight) on the other: their own name in their
    own address block is not the other side's."""
    oneill = ("Gina O’Neill", "3 Moss Row", "Greystow", "ZZ99 7QT")
    assert leaked_terms(_letter("Thank you for your letter."), oneill, ("O'Neill",)) == []


def test_the_screening_and_the_letter_check_use_one_matcher() -> None:
    """What the letter check finds is what ``match_terms`` (the incoming screening's matcher) finds."""
    # imported here: it was not there before, and the other tests of this file are to fail, not go uncollected
    from adoption_desktop.letterbox.screening.detectors import match_terms

    text = "the O’Neill family at 43 Quill Rd, ZZ991HJ, and #TeamSmithJones"
    found = {m.term for m in match_terms(text, OTHER_SIDE)}
    assert {"O'Neill", "43 Quill Road", "ZZ99 1HJ", "Smith-Jones"} <= found
    assert {"O'Neill", "43 Quill Road", "ZZ99 1HJ", "Smith-Jones"} <= set(leaked_terms(_letter(text), GINA, OTHER_SIDE))
