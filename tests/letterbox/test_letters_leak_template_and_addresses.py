"""The outgoing leak check's false alarms and misses from the review of 6 December 2026 (sixth release).

1. A child whose new first name is a month ("April", "May") or a word the agency's template uses ("Hope") stopped
   the whole month's reminder batch: the template says "due in April 2027". What the template's own text and the
   program's own wording (dates, months, fixed sentences) say is not the family's words; a name in a value filled
   in from the records (a typed reason) still stops the letter.
2. A common word of a protected address line ("Orchard", "Cottage" of "Orchard Cottage"; "the farm house" of
   "The Farm House") flagged ordinary prose; the line itself, its street and a distinctive name still count.
3. A postcode on the town's line ("Ivelcombe ZZ99 1HJ") and a one-word town in lower case ("ivelcombe") were
   not caught.

On real SQLCipher files through the services (the batch, and ``record_outcome``'s check of a reason), and the
check itself on letters rendered from the shipped template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import update

from adoption_desktop import template_admin as ta
from adoption_desktop.core.documents.templates import RenderedLetterText, parse_template, shipped_template
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import documents, rules, service
from adoption_desktop.letterbox.documents import (
    LETTER_WORDING,
    TemplateTextLeaks,
    TypedTextLeaks,
    check_no_leak,
    leaked_terms,
    write_batch,
)
from adoption_desktop.letterbox.models import Item
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_item_writer_letters import relatives

GINA = ("Gina Quillfield", "3 Moss Row", "Greystow", "ZZ99 7QT")


def _arrangement(db: Database, who: Principal, **kw: Any) -> int:
    return service.create_arrangement(db, who, sample_input(**kw))


# --- 1. the template's own words -----------------------------------------------------------------------------
@pytest.mark.parametrize(("child", "months", "month", "today"), [
    ("April Thornley", "April, October", "2026-04", dt.date(2026, 3, 16)),
    ("May Thornley", "May, November", "2026-05", dt.date(2026, 4, 16)),
    ("June Thornley", "June, December", "2026-06", dt.date(2026, 5, 18)),
    ("August Thornley", "February, August", "2026-08", dt.date(2026, 7, 16)),
])
def test_a_child_named_as_the_month_does_not_stop_the_months_reminders(
        db: Database, coordinator: Principal, tmp_path: Path, child: str, months: str, month: str,
        today: dt.date) -> None:
    """"Letterbox exchange due in April 2027" to the birth family of a child now called April: the month is the
    program's word, not the child's name (before: the whole batch was refused)."""
    _arrangement(db, coordinator, child_adoptive_name=child, exchange_months=months, first_writer=rules.BIRTH)
    out = tmp_path / "reminders.pdf"
    result = write_batch(db, coordinator, "reminder", out, month=month, today=today)
    assert result.letters == 1  # to Gina, who writes first (Umar has no address: held)
    assert out.exists()


def test_a_child_named_as_a_word_of_the_agencys_template_stops_the_batch_saying_to_reword_the_template(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """The agency's own reminder says "Hope you are all keeping well." and a child is now called Hope. The
    template's own text is checked (review of the sixth release: a template naming the adopters must stop the
    batch), so this is a false alarm the administrator resolves by rewording the template: the message says
    where the word was found and what to do."""
    admin = make_user(db, "admin", Role.ADMINISTRATOR)
    text = ta.letter_text(db, admin, "letterbox_reminder")
    ta.save_letter_template(db, admin, "letterbox_reminder",
                            text.replace("\n\n", "\n\nHope you are all keeping well. With Grace and good wishes.\n\n", 1))
    _arrangement(db, coordinator, child_adoptive_name="Hope Thornley", first_writer=rules.BIRTH)
    out = tmp_path / "r.pdf"
    with pytest.raises(TemplateTextLeaks) as refused:
        write_batch(db, coordinator, "reminder", out, month="2026-03", today=dt.date(2026, 2, 14))
    said = str(refused.value)
    assert "(Hope), found in the letter template's own wording" in said
    assert '"Hope you are all keeping well. With Grace and good wishes."' in said
    assert "reword the template's paragraph" in said and "Administration > Templates" in said
    assert 'The template is "Letterbox: reminder"' in said
    assert refused.value.terms == ("Hope",) and not out.exists()
    ta.save_letter_template(db, admin, "letterbox_reminder",
                            text.replace("\n\n", "\n\nWe hope you are all keeping well.\n\n", 1))
    assert write_batch(db, coordinator, "reminder", out, month="2026-03", today=dt.date(2026, 2, 14)).letters == 1


def test_an_acknowledgement_received_in_april_goes_to_the_birth_family_of_april(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """"… which we received on 2 April 2026": a date, the program's words."""
    aid = _arrangement(db, coordinator, child_adoptive_name="April Thornley")
    gina = relatives(db, coordinator, aid)["Gina Quillfield"]
    item = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=dt.date(2026, 4, 2),
                            participant_id=gina, log_again=True)
    result = write_batch(db, coordinator, "acknowledgement", tmp_path / "ack.pdf", item_ids=[item],
                         today=dt.date(2026, 4, 3))
    assert result.letters == 1


def test_april_typed_in_a_reason_still_stops_the_returned_letter(db: Database, coordinator: Principal,
                                                                tmp_path: Path) -> None:
    """The same word in a value filled in from the records (a reason recorded before the check read it so)
    is the child's name: the letter is refused, blamed on the reason, although the date says April too."""
    aid = _arrangement(db, coordinator, child_adoptive_name="April Thornley")
    gina = relatives(db, coordinator, aid)["Gina Quillfield"]
    day = dt.date(2026, 4, 2)
    item = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=day,
                            participant_id=gina, log_again=True)
    service.screen_item(db, coordinator, item, "Our number is 07700 900123")
    with pytest.raises(ValidationError, match=r"names April from the other side"):
        service.record_outcome(db, coordinator, item, "returned", day, reason="Please do not write to April.")
    service.record_outcome(db, coordinator, item, "returned", day, reason="Please leave out your number.")
    with db.session(coordinator) as session:
        session.execute(update(Item).where(Item.id == item).values(reason="Please do not write to April."))
    out = tmp_path / "returned.pdf"
    with pytest.raises(TypedTextLeaks, match=r"\(April\), found in the reason you typed"):
        write_batch(db, coordinator, "returned", out, item_ids=[item], today=day)
    assert not out.exists()


def _reminder(child: str) -> RenderedLetterText:
    return shipped_template("letterbox_reminder").render(
        {"reference": "LB-0001", "month": "April 2027", "due_date": "1 April 2027", "child": child,
         "salutation": "Gina", "reply_by": "1 April 2027"}, wording=LETTER_WORDING)


def test_the_check_reads_only_what_was_filled_in() -> None:
    forbidden = ("April Thornley", "April", "Thornley")
    assert leaked_terms(_reminder("Poppy"), GINA, forbidden, ("Poppy",)) == []
    assert leaked_terms(_reminder("April"), GINA, forbidden, ("Poppy",)) == ["April"]  # the child's name filled in
    with pytest.raises(Exception, match="April"):
        check_no_leak(_reminder("April's"), GINA, forbidden)
    # a text not rendered from a template (or changed since it was) counts whole, as before
    made = _reminder("Poppy")
    assert leaked_terms(RenderedLetterText(made.subject, made.salutation, made.paragraphs, made.closing), GINA,
                        forbidden) == ["April"]


# --- 2 and 3. address lines and places ----------------------------------------------------------------------
ORCHARD = "Orchard Cottage\n12 Orchard Lane\nIvelcombe ZZ99 1HJ"
FARM = "The Farm House\nLane End\nReading ZZ99 3AB"


def _return(db: Database, coordinator: Principal, address: str, reason: str) -> int:
    """A birth mother's letter returned for ``reason``, the adopters living at ``address``."""
    aid = _arrangement(db, coordinator, adopters_address=address)
    gina = relatives(db, coordinator, aid)["Gina Quillfield"]
    day = dt.date(2026, 3, 2)
    item = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=day,
                            participant_id=gina, log_again=True)
    service.screen_item(db, coordinator, item, "Dear both, I hope she is well. Love Gina")
    service.record_outcome(db, coordinator, item, "returned", day, reason=reason)
    return item


@pytest.mark.parametrize(("address", "reason"), [
    (ORCHARD, "Please leave out the Cottage pie recipe; we cannot pass on recipes."),
    (FARM, "Thank you for reading our advice; please send it back at the end of the month."),
    (FARM, "Please leave out the photo of the House of Commons."),
])
def test_a_common_word_of_an_address_line_is_no_leak(db: Database, coordinator: Principal, tmp_path: Path,
                                                     address: str, reason: str) -> None:
    item = _return(db, coordinator, address, reason)
    result = write_batch(db, coordinator, "returned", tmp_path / "r.pdf", item_ids=[item], today=dt.date(2026, 3, 3))
    assert result.letters == 1


@pytest.mark.parametrize(("address", "reason", "named"), [
    (ORCHARD, "Please do not send anything to Orchard Cottage.", "Orchard Cottage"),
    (ORCHARD, "Please do not send anything to 12 orchard lane.", "12 Orchard Lane"),
    (ORCHARD, "Please do not send anything to Orchard Ln.", "12 Orchard Lane"),
    (FARM, "Please do not send anything to The Farm House.", "The Farm House"),
    (FARM, "Please do not visit Reading.", "Reading"),
    # review of the sixth release: these were let through for a day and are refused again, as before it (a
    # distinctive word of a line alone, and a line of everyday words in lower case, may be the place)
    (ORCHARD, "The Orchard Festival photos show other children, so they cannot be passed on.", "12 Orchard Lane"),
    (FARM, "Please write about the visit to the farm house in your own words.", "The Farm House"),
    (FARM, "Please send it back at the lane end of the month.", "Lane End"),
    # the misses: a postcode on the town's line, a one-word town in lower case
    (ORCHARD, "Please do not write ZZ99 1HJ on the envelope.", "ZZ99 1HJ"),
    (ORCHARD, "Please do not write zz991hj on the envelope.", "ZZ99 1HJ"),
    (ORCHARD, "We cannot say whether she lives near ivelcombe.", "Ivelcombe"),
    (ORCHARD, "We cannot say whether she lives near Ivelcombe.", "Ivelcombe"),
])
def test_an_address_line_its_street_postcode_and_town_are_refused(db: Database, coordinator: Principal,
                                                                  address: str, reason: str, named: str) -> None:
    with pytest.raises(ValidationError, match=rf"it names {named}\b.* from the other side of the arrangement"):
        _return(db, coordinator, address, reason)


def test_a_lower_case_town_in_a_letter_is_blamed_on_the_reason() -> None:
    reason = "We cannot say whether she lives near ivelcombe."
    lines = ("Orchard Cottage", "12 Orchard Lane", "Ivelcombe ZZ99 1HJ")
    with pytest.raises(TypedTextLeaks, match=r"\(Ivelcombe\), found in the reason"):
        check_no_leak(RenderedLetterText("Your letter", "Dear Gina,", (reason,), "Yours sincerely,"), GINA, lines,
                      (("the reason", reason),), addresses=lines)


def test_a_reason_typed_over_two_lines_is_read_as_one_run_beside_the_templates_words() -> None:
    """A filled-in value with its lines kept is also read as one run of words (as before), and the program's own
    wording around it (the month) still does not count."""
    tpl = parse_template("t", "Subject: Due in ${month}\nDear ${salutation},\n\nIn ${month} we read it. ${reason}\n")
    for reason, found in (("Please do not visit 12 Heron\nGate again.", ["12 Heron Gate"]),
                          ("Please leave out\nyour number.", [])):
        text = tpl.render({"salutation": "Gina", "reason": reason, "month": "April"}, wording=LETTER_WORDING)
        assert leaked_terms(text, GINA, ("12 Heron Gate", "April"), ("Poppy",)) == found


_LINES = ("Orchard Cottage", "12 Orchard Lane", "Ivelcombe ZZ99 1HJ", "Reading", "The Farm House")
_PIECES = ("Orchard", "orchard", "Cottage", "Orchard Cottage", "orchard cottage", "12", "Orchard Ln", "Lane",
           "Ivelcombe", "ivelcombe", "IVELCOMBE", "Ivelcombes", "ivelcombe's", "ZZ99", "1HJ", "zz99 1hj", "ZZ991HJ",
           "Reading", "reading", "Readings", "The", "the", "Farm", "farm", "House", "house", "#ivelcombe", "@",
           "'s", "s", "-", ",", ".", "\n", "|")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=10),
       st.lists(st.sampled_from(("", " ", "  ")), min_size=10, max_size=10))
def test_the_prefilter_loses_nothing_of_an_address(pieces: list[str], gaps: list[str]) -> None:
    """With the address lines read as places, the prefilter still finds whatever the matcher run for every
    term finds (a one-word place in lower case too)."""
    paragraph = "".join(p + g for p, g in zip(pieces, gaps, strict=False))
    letter = RenderedLetterText("Your letter", "Dear Gina,", (paragraph,), "Yours sincerely,")
    found = leaked_terms(letter, GINA, _LINES, ("Poppy",), _LINES)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(documents, "could_match_words", lambda *args, **kwargs: True)
        assert found == leaked_terms(letter, GINA, _LINES, ("Poppy",), _LINES), paragraph
