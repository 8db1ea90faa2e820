"""The outgoing leak check and the incoming screening read the same names alike (review of the "one matcher"
change, 6 December 2026, fifth release).

1. Missed: a return reason with the adopters' name in a lower-case hashtag or account name
   ("#thornleyfamilyadventures", "@thornley_fam") or a name of parts written with other capitals ("O'neill",
   "Oneill", "Mcdonald", "Smith jones", "Lily mae", "Lilymae") was accepted and printed in the returned letter,
   though the screening flags all of them in an incoming letter. A match inside a hashtag or account name now
   counts whatever its case; a name with a dash, apostrophe or "Mc"/"Mac"/"O" in the record counts when its
   first letter is a capital, however its later parts are written and joined. "we will" is still not "Will".
2. False alarm: a service's name joined up from words ("YoungMinds", "FosterTalk", "WhatsApp") with the other
   family called Young, Foster or App refused the reason (and stopped a batch). A joined-up word without "#" or
   "@" is no longer a leak in the agency's own letters; a hashtag or account name still is, but not for an
   everyday word ("#HopeForTheBest" with the adopters called Hope).
3. False alarm: the reader's own name written with a dash or a space ("Anne Marie" to Anne Marie Baker, with
   "Anne-Marie" on the other side; "Anne-Marie" to the adopters, "Anne Marie Baker" the birth grandmother)
   stopped the whole reminder batch.
4. Missed: disguised writing the screening reads ("Thorn\u200bley", a Cyrillic "о", "T h o r n l e y", a soft
   hyphen) was not read by the leak check.

Service level on real SQLCipher files (``record_outcome``, ``write_batch``); the letter check also directly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from adoption_desktop.core.documents.templates import RenderedLetterText
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.documents import check_no_leak, leaked_terms, write_batch
from adoption_desktop.letterbox.service import ParticipantData
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_item_writer_letters import relatives

DAY = dt.date(2026, 12, 1)  # the day a letter came in and was returned
BATCH_DAY = dt.date(2027, 2, 15)  # the day the March reminders are made
GINA = ("Gina Quillfield", "3 Moss Row", "Greystow", "ZZ99 7QT")
OTHER_SIDE = ("Rosa Thornley", "Sam and Alex Thornley", "Thornley", "O'Neill", "McDonald", "Smith-Jones",
              "Lily-Mae", "Will", "43 Quill Road", "Kestrel Vale Primary")


def _letter(*paragraphs: str) -> RenderedLetterText:
    return RenderedLetterText("Your letter", "Dear Gina,", paragraphs, "Yours sincerely")


def _returned(db: Database, coordinator: Principal, reason: str, **arrangement: Any) -> int:
    """A birth mother's letter on an arrangement, screened, then returned for ``reason``."""
    aid = service.create_arrangement(db, coordinator, sample_input(**arrangement))
    gina = relatives(db, coordinator, aid)["Gina Quillfield"]
    item = service.log_item(db, coordinator, aid, direction="birth_to_adoptive", received_on=DAY, participant_id=gina,
                            log_again=True)
    service.screen_item(db, coordinator, item, "Dear both, I hope she is well. Love Gina")
    service.record_outcome(db, coordinator, item, "returned", DAY, reason=reason)
    return item


# --- 1. names in lower-case hashtags and account names, names of parts with other capitals -----------------

@pytest.mark.parametrize(("written", "term"), [
    ("#thornleyfamilyadventures", "Thornley"),
    ("@thornley_fam", "Thornley"),
    ("#lilymae", "Lily-Mae"),
    ("@lily_mae_2019", "Lily-Mae"),
    ("#oneillfamily", "O'Neill"),
    ("O'neill", "O'Neill"),
    ("O’neill", "O'Neill"),
    ("Oneill", "O'Neill"),
    ("the Oneills", "O'Neill"),
    ("Mcdonald", "McDonald"),
    ("Smith-jones", "Smith-Jones"),
    ("Smith jones", "Smith-Jones"),
    ("Lily-mae", "Lily-Mae"),
    ("Lily mae", "Lily-Mae"),
    ("Lilymae", "Lily-Mae"),
])
def test_a_name_the_screening_flags_is_a_leak(written: str, term: str) -> None:
    assert term in leaked_terms(_letter(f"Please do not mention {written} in your letters."), GINA, OTHER_SIDE)


@pytest.mark.parametrize("paragraph", [
    "We will write again soon.",               # "Will" the adopter is a name only capitalised
    "Please ask about smith jones.",           # a name of parts in lower case is still not one
    "Please ask about lily-mae.",
    "Please do not mention the thornley family.",
    "Please write to mcdonald.",
])
def test_what_is_not_a_leak_stays_so(paragraph: str) -> None:
    assert leaked_terms(_letter(paragraph), GINA, OTHER_SIDE) == []


@pytest.mark.parametrize(("reason", "arrangement", "named"), [
    ("Your letter gave their Instagram @thornley_fam, which we cannot pass on.", {}, "Thornley"),
    ("Your letter used the hashtag #thornleyfamilyadventures, which we cannot pass on.", {}, "Thornley"),
    ("Please do not ask whether the O'neill family have moved.",
     {"adopters_name": "Sam and Alex O'Neill", "child_adoptive_name": "Rosa O'Neill"}, "O'Neill"),
    ("Please do not call her Lily mae in your letters.", {"child_adoptive_name": "Lily-Mae Thornley"}, "Lily-Mae"),
])
def test_a_return_reason_naming_the_other_side_so_is_refused(db: Database, coordinator: Principal, reason: str,
                                                             arrangement: dict[str, str], named: str) -> None:
    with pytest.raises(ValidationError, match=rf"it names {named}\b.* from the other side of the arrangement"):
        _returned(db, coordinator, reason, **arrangement)


# --- 2. joined-up names of services; everyday words in hashtags ----------------------------------------------

@pytest.mark.parametrize(("paragraph", "forbidden"), [
    ("You may find the YoungMinds parents' helpline useful.", "Young"),
    ("FosterTalk can advise you on what to include.", "Foster"),
    ("We cannot pass on WhatsApp details.", "App"),
    ("Please do not send a PlayStation code.", "Play"),
    ("Your letter mentioned a JustGiving page.", "Giving"),
    ("Please do not put a GoFundMe link in the card.", "Fund"),
    ("Your letter gave a TikTok account name.", "Tok"),
    ("The drawing of the FoxGloves was lovely.", "Fox"),
    ("The HillTop photo shows too much.", "Hill"),
    ("You wrote about the #HopeForTheBest campaign.", "Hope"),
])
def test_a_service_named_with_the_other_sides_word_is_not_a_leak(paragraph: str, forbidden: str) -> None:
    assert leaked_terms(_letter(paragraph), GINA, (forbidden, "Sam")) == []


@pytest.mark.parametrize(("paragraph", "term"), [
    ("Please leave out #TeamThornley.", "Thornley"),
    ("Please leave out #TeamYoung.", None),            # an everyday word: not in a hashtag
    ("Please leave out #AmyTurns5.", "Amy"),           # three letters, a whole word of the hashtag
    ("Please leave out @young_family.", None),
])
def test_a_hashtag_still_names_the_other_side(paragraph: str, term: str | None) -> None:
    assert leaked_terms(_letter(paragraph), GINA, ("Thornley", "Young", "Amy")) == ([term] if term else [])


@pytest.mark.parametrize(("reason", "surname"), [
    ("You may find the YoungMinds parents' helpline useful; please leave out the town.", "Young"),
    ("FosterTalk can advise you on what to include; please leave out the town.", "Foster"),
])
def test_a_return_reason_naming_a_service_is_recorded(db: Database, coordinator: Principal, tmp_path: Path,
                                                      reason: str, surname: str) -> None:
    item = _returned(db, coordinator, reason, adopters_name=f"Sam and Alex {surname}",
                     child_adoptive_name=f"Rosa {surname}")
    result = write_batch(db, coordinator, "returned", tmp_path / "returned.pdf", item_ids=[item], today=DAY)
    assert result.letters == 1


# --- 3. the reader's own name with a dash or a space ----------------------------------------------------------

@pytest.mark.parametrize(("recipient", "salutation", "forbidden"), [
    (("Anne Marie Baker", "3 Moss Row", "Greystow"), "Dear Anne Marie,", ("Anne-Marie",)),
    (("Mary Jane Cole", "3 Moss Row", "Greystow"), "Dear Mary Jane,", ("Mary-Jane Thornley", "Mary-Jane")),
    (("Anne-Marie and Sam Thornley", "12 Heron Gate"), "Dear Anne-Marie and Sam,",
     ("Anne Marie Baker", "Anne", "Marie", "Baker")),
])
def test_the_readers_own_name_written_otherwise_is_not_a_leak(recipient: tuple[str, ...], salutation: str,
                                                              forbidden: tuple[str, ...]) -> None:
    letter = RenderedLetterText("Your letter", salutation, ("Thank you for your letter.",), "Yours sincerely")
    assert leaked_terms(letter, recipient, forbidden) == []
    check_no_leak(letter, recipient, forbidden)


def test_the_other_sides_name_is_still_a_leak_beside_the_readers_own() -> None:
    """Only the reader's own words are left out: "Baker" of the other side is still found."""
    letter = RenderedLetterText("Your letter", "Dear Anne-Marie and Sam,", ("Mrs Baker sent a card.",),
                                "Yours sincerely")
    assert leaked_terms(letter, ("Anne-Marie and Sam Thornley", "12 Heron Gate"),
                        ("Anne Marie Baker", "Anne", "Marie", "Baker")) == ["Baker"]


def test_a_reminder_batch_to_an_anne_marie_with_an_anne_marie_on_the_other_side_is_made(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """The adoptive mother "Anne-Marie", the birth grandmother "Anne Marie Baker": the whole batch stopped with
    "(Anne, Marie)"."""
    service.create_arrangement(db, coordinator, sample_input(
        adopters_name="Anne-Marie and Sam Thornley",
        participants=(ParticipantData("Anne Marie Baker", "birth grandmother", "3 Moss Row\nGreystow\nZZ99 7QT"),)))
    service.create_arrangement(db, coordinator, sample_input(reference="LB-0002"))
    result = write_batch(db, coordinator, "reminder", tmp_path / "reminders.pdf", month="2027-03", today=BATCH_DAY)
    assert result.letters == 2  # one reminder for each arrangement
    text = " ".join("".join(page.extract_text() or "" for page in PdfReader(str(result.path)).pages).split())
    assert "Anne-Marie and Sam Thornley" in text


# --- 4. disguised writing -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "term"), [
    ("Thorn\u200bley", "Thornley"),
    ("Th\u043ernley", "Thornley"),
    ("T h o r n l e y", "Thornley"),
    ("Lily\u00adMae", "Lily-Mae"),
])
def test_disguised_writing_is_read_as_the_screening_reads_it(written: str, term: str) -> None:
    assert term in leaked_terms(_letter(f"Please do not mention {written} again."), GINA, OTHER_SIDE)
    with pytest.raises(Conflict):
        check_no_leak(_letter(f"Please do not mention {written} again."), GINA, OTHER_SIDE)


def test_a_return_reason_with_a_disguised_name_is_refused(db: Database, coordinator: Principal) -> None:
    with pytest.raises(ValidationError, match=r"it names Thornley\b"):
        _returned(db, coordinator, "Please do not mention the Th\u043ernley family again.")


@pytest.mark.parametrize(("address", "forbidden", "named"), [
    (("3 St Mary's Road", "King's Lynn", "ZZ99 1AB"), ("Mary King",), "Mary King sent a card."),
    (("3 St Mary's Road", "King's Lynn", "ZZ99 1AB"), ("King",), "Mrs King sent a card."),
    (("Flat 2", "Weston-super-Mare", "ZZ99 1AB"), ("Weston",), "Mr Weston sent a card."),
])
def test_an_address_lines_parts_are_not_the_readers_own_names(address: tuple[str, ...], forbidden: tuple[str, ...],
                                                              named: str) -> None:
    """Review (rev14): the reader's own words took the parts of every word with an apostrophe or a dash, address
    lines too, so adopters at "3 St Mary's Road, King's Lynn" could be sent a letter naming the birth mother
    "Mary King". Only a name's words give their parts."""
    letter = RenderedLetterText("Your letter", "Dear Sam and Alex,", (named,), "Yours sincerely")
    assert leaked_terms(letter, ("Sam and Alex Thornley", *address), forbidden) == sorted(forbidden)
