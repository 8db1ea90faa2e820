"""The outgoing leak check's misses found by the review of the sixth release (6 December 2026), caught again
as before that release (commit ad29a48): a missed leak can put a child at risk, a false alarm only stops a
batch until the reason or the template is reworded.

1. An address line of everyday words with no number, in any case ("church lane", "Old Rectory").
2. A distinctive word of an address line alone ("Kestrel" of "14 Kestrel Vale", "Heron" of "7 Heron Gate"):
   only the words that say what kind of street or building a line is ("Cottage", "Lane") are no leak alone.
3. A home town of several words in lower case ("mountain ash"), or its distinctive word ("to Kestrel").
4. The agency template's own text ("Sam and Alex Thornley … 14 Kestrel Vale") is checked again; only a
   match entirely inside the program's own wording (a date, a month) is not a leak.

On real SQLCipher files through the services (``record_outcome``'s check of a typed reason, the batch)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop import template_admin as ta
from adoption_desktop.core.documents.templates import RenderedLetterText, parse_template
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.documents import (
    ADDRESS_TYPE_WORDS,
    LETTER_WORDING,
    TemplateTextLeaks,
    leaked_terms,
    write_batch,
)
from adoption_desktop.letterbox.service.data import TermData
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_item_writer_letters import relatives

GINA = ("Gina Quillfield", "3 Moss Row", "Greystow", "ZZ99 7QT")
RECTORY = "The Old Rectory\nChurch Lane\nIvelcombe\nZZ99 1HJ"
KESTREL = "14 Kestrel Vale\nIvelcombe\nZZ99 1HJ"
HERON = "7 Heron Gate\nIvelcombe\nZZ99 1HJ"
ORCHARD = "Rose Cottage\n12 Orchard Lane\nIvelcombe ZZ99 1HJ"


def _returned(db: Database, coordinator: Principal, reason: str, **kw: Any) -> int:
    """A birth mother's letter returned for ``reason`` (``kw``: the arrangement's details)."""
    aid = service.create_arrangement(db, coordinator, sample_input(**{"protected": (), **kw}))
    gina = relatives(db, coordinator, aid)["Gina Quillfield"]
    day = dt.date(2026, 3, 2)
    item = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=day,
                            participant_id=gina, log_again=True)
    service.screen_item(db, coordinator, item, "Dear both, I hope she is well. Love Gina")
    service.record_outcome(db, coordinator, item, "returned", day, reason=reason)
    return item


@pytest.mark.parametrize(("address", "reason", "named"), [
    # 1. a line of everyday words with no number, whatever its case
    (RECTORY, "Please take out the photo of the sign at the Old Rectory.", "The Old Rectory"),
    (RECTORY, "Please take out the name of their road, Church lane.", "Church Lane"),
    (RECTORY, "Please take out the name of their road, church lane.", "Church Lane"),
    (RECTORY, "Please take out the photo of the Old Rectory.", "The Old Rectory"),
    ("Mill House\nMill Lane\nIvelcombe", "Please leave out the Mill house photo.", "Mill House"),
    (ORCHARD, "Please leave out the photo of Rose cottage.", "Rose Cottage"),
    ("Station Road\nIvelcombe", "Please leave out the Station road sign.", "Station Road"),
    ("Willow Barn\nIvelcombe", "Please leave out the photo of willow barn.", "Willow Barn"),
    # 2. a distinctive word of a line alone, capitalised
    (KESTREL, "Please remove the photo of the Kestrel Close sign.", "14 Kestrel Vale"),
    (KESTREL, "Please remove the mention of the KESTREL estate.", "14 Kestrel Vale"),
    (HERON, "Please remove the photo of the Heron Way sign.", "7 Heron Gate"),
    (HERON, "Please do not say they live near Heron.", "7 Heron Gate"),
    (ORCHARD, "The Orchard Festival photos show other children, so they cannot be passed on.", "12 Orchard Lane"),
])
def test_an_address_line_or_a_distinctive_word_of_it_is_refused(db: Database, coordinator: Principal,
                                                                 address: str, reason: str, named: str) -> None:
    with pytest.raises(ValidationError, match=rf"it names {named}\b.* from the other side of the arrangement"):
        _returned(db, coordinator, reason, adopters_address=address)


@pytest.mark.parametrize(("town", "reason"), [
    ("Mountain Ash", "Please do not say they moved to mountain ash."),
    ("Mountain Ash", "Please do not say they moved to Mountain ash."),
    ("Kestrel Bay", "Please do not say they moved to kestrel bay."),
    ("Kestrel Bay", "Please do not say they moved to Kestrel."),
    ("Kestrel Bay", "Please leave out the Kestrel school photo."),
])
def test_a_home_town_in_lower_or_mixed_case_or_its_word_alone_is_refused(
        db: Database, coordinator: Principal, town: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=rf"it names {town}\b.* from the other side of the arrangement"):
        _returned(db, coordinator, reason, protected=(TermData(town, "home town"),))


def test_only_a_word_that_says_what_kind_of_street_or_building_is_no_leak_alone(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """"Cottage pie" with "Rose Cottage": the kind of building, never which one (a closed list)."""
    assert {"road", "lane", "street", "close", "way", "avenue", "drive", "cottage", "house", "farm", "flat",
            "court", "gardens"} <= ADDRESS_TYPE_WORDS
    assert not {"kestrel", "heron", "orchard", "rectory", "mill", "vale", "gate", "bay"} & ADDRESS_TYPE_WORDS
    item = _returned(db, coordinator, "Please leave out the Cottage pie recipe; we cannot pass on recipes.",
                     adopters_address=ORCHARD)
    assert write_batch(db, coordinator, "returned", tmp_path / "r.pdf", item_ids=[item],
                       today=dt.date(2026, 3, 3)).letters == 1


def test_a_plural_name_in_a_letter_with_a_hashtag_is_refused() -> None:
    """A text with a hashtag was searched for the names without their plural: "the Thornleys" went out."""
    letter = RenderedLetterText("Your letter", "Dear Gina,", ("Please leave out the Thornleys #family.",), "Yours,")
    assert leaked_terms(letter, GINA, ("Thornley",), ("Poppy",)) == ["Thornley"]


# --- 4. the template's own text ----------------------------------------------------------------------------
def test_an_agency_template_naming_the_adopters_and_their_street_stops_the_batch(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    admin = make_user(db, "admin", Role.ADMINISTRATOR)
    text = ta.letter_text(db, admin, "letterbox_reminder")
    ta.save_letter_template(db, admin, "letterbox_reminder", text.replace(
        "\n\n", "\n\nSam and Alex Thornley look forward to hearing from you; they have moved to 14 Kestrel Vale.\n\n", 1))
    service.create_arrangement(db, coordinator, sample_input(adopters_address=KESTREL, first_writer=rules.BIRTH,
                                                             protected=()))
    out = tmp_path / "r.pdf"
    with pytest.raises(TemplateTextLeaks, match=r"\(14 Kestrel Vale, Alex, Sam, Sam and Alex Thornley, Thornley\), found in "
                                                r"the letter template's own wording") as refused:
        write_batch(db, coordinator, "reminder", out, month="2026-03", today=dt.date(2026, 2, 14))
    assert "reword the template's paragraph" in str(refused.value)
    assert not out.exists()


def test_only_a_match_inside_the_programs_own_wording_is_no_leak() -> None:
    """"due in April 2027" (a month the program wrote) is not the child April; "April" in the template's own
    text, or across the month and the template's text, is."""
    forbidden = ("April Thornley", "April", "Thornley")
    for template, found in (("Due in ${month}.", []), ("Due in April, ${month}.", ["April"]),
                            ("Thornley ${month}.", ["Thornley"]), ("In ${month} Thornley.", ["Thornley"])):
        tpl = parse_template("t", f"Subject: Your letter\nDear ${{salutation}},\n\n{template}\n")
        text = tpl.render({"salutation": "Gina", "month": "April 2027"}, wording=LETTER_WORDING)
        assert leaked_terms(text, GINA, forbidden, ("Poppy",)) == found, template
    # a month written without being named as the program's wording is the records' (counts, as before)
    text = parse_template("t", "Subject: x\nDear ${salutation},\n\nDue in ${month}.\n").render(
        {"salutation": "Gina", "month": "April 2027"})
    assert leaked_terms(text, GINA, forbidden, ("Poppy",)) == ["April"]
