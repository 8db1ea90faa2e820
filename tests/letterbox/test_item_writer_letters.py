"""Letters about one item: to the birth relative who wrote it alone, worded by the item's status, the
returned letter only for a returned item, and a leak found in the typed reason blamed on it (user trial)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from adoption_desktop.core.documents.templates import RenderedLetterText, parse_template
from adoption_desktop.core.errors import Conflict, ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.documents import check_no_leak, item_jobs, write_batch
from adoption_desktop.letterbox.models import Item
from adoption_desktop.letterbox.service import ParticipantData
from tests.conftest import make_user
from tests.letterbox.conftest import sample_input

DAY = dt.date(2026, 4, 3)
TWO = (ParticipantData("Donna Marsh", "birth mother", "5 Rose Court\nSunderland\nZZ99 2AA"),
       ParticipantData("Brian Marsh", "birth grandfather", "8 Elm Close\nJarrow\nZZ99 3BB"))


def pdf_text(path: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)


def relatives(db: Database, who: Principal, aid: int) -> dict[str, int]:
    return {c.name: c.id for c in service.writer_choices(db, who, aid)}


@pytest.fixture
def marsh(db: Database, coordinator: Principal) -> int:
    """An arrangement with two birth relatives, both with a current address."""
    return service.create_arrangement(db, coordinator, sample_input(reference="LB-0061", participants=TWO))


def returned_item(db: Database, who: Principal, aid: int, reason: str, **kw: object) -> int:
    item = service.log_item(db, who, aid, direction=rules.TO_ADOPTIVE, received_on=DAY,  # type: ignore[arg-type]
                            log_again=True, **kw)
    service.screen_item(db, who, item, "Our number is 07700 900123")
    service.record_outcome(db, who, item, "returned", DAY, reason=reason)
    return item


def test_letters_about_a_birth_relatives_item_go_to_them_alone(db: Database, coordinator: Principal, marsh: int,
                                                               tmp_path: Path) -> None:
    brian = relatives(db, coordinator, marsh)["Brian Marsh"]
    item = returned_item(db, coordinator, marsh, "Please leave out your telephone number",
                         participant_id=brian)
    assert service.get_item(db, coordinator, item).participant_id == brian
    assert service.get_item(db, coordinator, item).writer == "Brian Marsh"  # from the choice when not typed
    for kind in ("returned", "acknowledgement"):
        out = tmp_path / f"{kind}.pdf"
        assert write_batch(db, coordinator, kind, out, item_ids=[item], today=DAY).letters == 1
        text = pdf_text(out)
        assert "Brian Marsh" in text and "Elm Close" in text
        assert "Donna" not in text and "Rose Court" not in text and "Sunderland" not in text


def test_no_letter_to_every_birth_relative_when_the_writer_is_not_recorded(
        db: Database, coordinator: Principal, marsh: int, tmp_path: Path) -> None:
    item = returned_item(db, coordinator, marsh, "Please leave out your telephone number.", writer="Grandad")
    assert service.get_item(db, coordinator, item).participant_id is None  # two relatives, neither named
    out = tmp_path / "r.pdf"
    for kind in ("returned", "acknowledgement"):
        with pytest.raises(Conflict, match="Choose who wrote it in the item window"):
            write_batch(db, coordinator, kind, out, item_ids=[item], today=DAY)
        assert not out.exists()
    version = service.get_item(db, coordinator, item).row_version
    service.set_item_writer(db, coordinator, item, relatives(db, coordinator, marsh)["Brian Marsh"],
                            expected_version=version)
    assert write_batch(db, coordinator, "returned", out, item_ids=[item], today=DAY).letters == 1
    assert "Brian Marsh" in pdf_text(out) and "Donna" not in pdf_text(out)
    assert any(e.action == "writer" and "Brian Marsh" in e.detail
               for e in service.get_item(db, coordinator, item).history)


def test_the_writer_is_found_from_the_exact_name_typed(db: Database, coordinator: Principal, marsh: int) -> None:
    item = service.log_item(db, coordinator, marsh, direction=rules.TO_ADOPTIVE, received_on=DAY,
                            writer="donna marsh")
    assert service.get_item(db, coordinator, item).participant_id == relatives(db, coordinator, marsh)["Donna Marsh"]


def test_the_writer_must_be_a_birth_relative_on_the_arrangement(db: Database, coordinator: Principal, marsh: int,
                                                                arrangement: int) -> None:
    other = relatives(db, coordinator, arrangement)["Gina Quillfield"]
    with pytest.raises(ValidationError, match="not a birth relative on this arrangement"):
        service.log_item(db, coordinator, marsh, direction=rules.TO_ADOPTIVE, received_on=DAY, participant_id=other)
    with pytest.raises(ValidationError, match="adopters as one family"):
        service.log_item(db, coordinator, marsh, direction=rules.TO_BIRTH, received_on=DAY,
                         participant_id=relatives(db, coordinator, marsh)["Donna Marsh"])
    item = service.log_item(db, coordinator, marsh, direction=rules.TO_ADOPTIVE, received_on=DAY)
    with pytest.raises(ValidationError, match="not a birth relative on this arrangement"):
        service.set_item_writer(db, coordinator, item, other, expected_version=None)


def test_an_existing_item_without_its_writer_still_has_letters_with_one_birth_relative(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input(reference="LB-0062", participants=TWO[:1]))
    item = returned_item(db, coordinator, aid, "Please leave out your telephone number.")
    with db.session(coordinator) as session:  # as items logged before the writer was recorded
        session.execute(update(Item).where(Item.id == item).values(participant_id=None))
    out = tmp_path / "r.pdf"
    assert write_batch(db, coordinator, "returned", out, item_ids=[item], today=DAY).letters == 1
    assert "Donna Marsh" in pdf_text(out)


def test_the_adopters_item_letters_still_go_to_the_adopters(db: Database, coordinator: Principal, marsh: int,
                                                            tmp_path: Path) -> None:
    item = service.log_item(db, coordinator, marsh, direction=rules.TO_BIRTH, received_on=DAY, writer="Sam")
    out = tmp_path / "a.pdf"
    assert write_batch(db, coordinator, "acknowledgement", out, item_ids=[item], today=DAY).letters == 1
    text = pdf_text(out)
    assert "Sam and Alex Thornley" in text and "Marsh" not in text


def withheld_item(db: Database, who: Principal, aid: int) -> int:
    donna = relatives(db, who, aid)["Donna Marsh"]
    item = service.log_item(db, who, aid, direction=rules.TO_ADOPTIVE, received_on=DAY, participant_id=donna)
    service.screen_item(db, who, item, "Some serious news.")
    service.record_outcome(db, who, item, "withheld", DAY, reason="Serious news: social worker to share in person",
                           social_worker_informed=True)
    return item


def test_no_returned_letter_for_a_withheld_item(db: Database, coordinator: Principal, marsh: int,
                                                 tmp_path: Path) -> None:
    item = withheld_item(db, coordinator, marsh)
    out = tmp_path / "r.pdf"
    with pytest.raises(Conflict, match="is withheld, not returned"):
        write_batch(db, coordinator, "returned", out, item_ids=[item], today=DAY)
    assert not out.exists()


def test_the_acknowledgement_follows_the_items_status(db: Database, coordinator: Principal, marsh: int,
                                                      tmp_path: Path) -> None:
    withheld = withheld_item(db, coordinator, marsh)
    out = tmp_path / "w.pdf"
    write_batch(db, coordinator, "acknowledgement", out, item_ids=[withheld], today=DAY)
    text = " ".join(pdf_text(out).split())
    assert "A member of the team will be in touch with you about it." in text
    assert "passed on" not in text and "Serious news" not in text and "social worker" not in text
    donna = relatives(db, coordinator, marsh)["Donna Marsh"]
    received = service.log_item(db, coordinator, marsh, direction=rules.TO_ADOPTIVE, received_on=DAY,
                                participant_id=donna, log_again=True)
    forwarded = service.log_item(db, coordinator, marsh, direction=rules.TO_ADOPTIVE, received_on=DAY,
                                 participant_id=donna, log_again=True)
    service.screen_item(db, coordinator, forwarded, "Happy birthday.")
    service.record_outcome(db, coordinator, forwarded, "forwarded", DAY, method="post")
    with db.session(coordinator, write=False) as session:
        jobs, _held = item_jobs(session, "acknowledgement", [received, forwarded])
    by_item = [str(j.values["forwarding_text"]) + " " + str(j.values["next_steps_text"]) for j in jobs]
    assert "passed on as soon as possible" in by_item[0] and "anything needs to change" in by_item[0]
    assert "has been read in line with the agreement and passed on" in by_item[1]
    assert "as soon as possible" not in by_item[1] and "before it can be passed on" not in by_item[1]


def test_the_returned_reason_ends_with_a_full_stop(db: Database, coordinator: Principal, marsh: int,
                                                    tmp_path: Path) -> None:
    item = returned_item(db, coordinator, marsh, "Please leave out your telephone number",
                         participant_id=relatives(db, coordinator, marsh)["Donna Marsh"])
    out = tmp_path / "r.pdf"
    write_batch(db, coordinator, "returned", out, item_ids=[item], today=DAY)
    # the reason is a paragraph of its own: its capital no longer follows a colon mid-sentence (trial)
    assert "for this reason: Please leave out your telephone number. Please make" in " ".join(pdf_text(out).split())


def test_a_leak_in_the_typed_reason_is_blamed_on_the_reason(db: Database, coordinator: Principal, marsh: int,
                                                             tmp_path: Path) -> None:
    # Rosa is the child's new name: the coordinator typed it into the reason for returning the item (an
    # item returned before the reason was checked when recorded)
    item = returned_item(db, coordinator, marsh, "Please use her birth name.",
                         participant_id=relatives(db, coordinator, marsh)["Donna Marsh"])
    with db.session(coordinator) as session:
        session.execute(update(Item).where(Item.id == item).values(reason="Please do not call her Rosa, use Poppy."))
    with pytest.raises(Conflict, match=r"\(Rosa\), found in the reason you typed for returning the item") as err:
        write_batch(db, coordinator, "returned", tmp_path / "r.pdf", item_ids=[item], today=DAY)
    assert "Check the arrangement's names" not in str(err.value)
    letter = RenderedLetterText("Subject", "Dear Gina,", ("Rosa Thornley is well.",), "Yours")
    with pytest.raises(Conflict, match="Check the arrangement's names"):  # not typed: the names, as before
        check_no_leak(letter, ["Gina Quillfield"], ["Rosa"], [("the reason you typed", "Leave out the school.")])


OLD_ACKNOWLEDGEMENT = """Subject: We have received your letterbox contact (our reference ${reference})
Dear ${salutation},

Thank you for your ${item_type}, which we received on ${received_on}. ${forwarding_text}

We will contact you if anything needs to change before it can be passed on.
"""


def test_an_agencys_acknowledgement_written_before_still_renders(db: Database, coordinator: Principal,
                                                                  marsh: int) -> None:
    item = withheld_item(db, coordinator, marsh)
    with db.session(coordinator, write=False) as session:
        jobs, _held = item_jobs(session, "acknowledgement", [item])
    text = parse_template("letterbox_acknowledgement", OLD_ACKNOWLEDGEMENT).render(
        {**jobs[0].values, "reply_by": "1 May 2026"})
    assert "A member of the team will be in touch" in text.paragraphs[0]


def test_an_agencys_acknowledgement_edited_before_does_not_promise_a_withheld_item_will_be_passed_on(
        db: Database, coordinator: Principal, marsh: int, tmp_path: Path) -> None:
    """Carried over from earlier stops: an agency's acknowledgement edited before ``${next_steps_text}`` kept
    the fixed "We will contact you if anything needs to change before it can be passed on." — in a withheld
    item's letter that suggests it may still be passed on. The old sentence is read as the placeholder."""
    from adoption_desktop.template_admin import save_letter_template, template_info

    admin = make_user(db, "tplchief", Role.ADMINISTRATOR)
    edited = OLD_ACKNOWLEDGEMENT.replace("Thank you for your", "Many thanks for your")
    version = save_letter_template(db, admin, "letterbox_acknowledgement", edited)
    item = withheld_item(db, coordinator, marsh)
    out = tmp_path / "ack.pdf"
    assert write_batch(db, coordinator, "acknowledgement", out, item_ids=[item], today=DAY).letters == 1
    text = " ".join("".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert "Many thanks for your" in text  # the agency's own wording is kept
    assert "before it can be passed on" not in text
    assert "If you have any questions, please contact us quoting our reference." in text
    assert template_info(db, admin, "letterbox_acknowledgement").version == version  # their copy is as saved


def test_a_reason_naming_the_other_side_is_refused_when_the_item_is_returned(
        db: Database, coordinator: Principal, marsh: int) -> None:
    donna = relatives(db, coordinator, marsh)["Donna Marsh"]
    item = service.log_item(db, coordinator, marsh, direction=rules.TO_ADOPTIVE, received_on=DAY, participant_id=donna)
    service.screen_item(db, coordinator, item, "Dear Rosa")
    with pytest.raises(ValidationError, match=r"printed in the returned letter.*names Rosa"):
        service.record_outcome(db, coordinator, item, "returned", DAY, reason="Please do not call her Rosa.")
    assert service.get_item(db, coordinator, item).status == "screened"
    service.record_outcome(db, coordinator, item, "returned", DAY, reason="Please use her birth name, Poppy.")


def test_the_only_relative_is_taken_as_the_writer_only_when_nobody_else_is_named(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """Review: with one birth relative on the arrangement, a letter signed by someone else (a relative not
    on it) was taken as hers, and her acknowledgement quoted a letter she did not write. She is taken only
    when the item names nobody or names her."""
    aid = service.create_arrangement(db, coordinator, sample_input(reference="LB-0062", participants=TWO[:1]))
    hers = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=DAY)
    other = service.log_item(db, coordinator, aid, direction=rules.TO_ADOPTIVE, received_on=DAY,
                             writer="Aunt Carol", log_again=True)
    assert service.get_item(db, coordinator, hers).participant_id is not None
    assert service.get_item(db, coordinator, other).participant_id is None
    service.screen_item(db, coordinator, other, "Thinking of you.")
    with pytest.raises(Conflict, match=r"signed \"Aunt Carol\"\), and the arrangement has 1 birth relative;"):
        write_batch(db, coordinator, "acknowledgement", tmp_path / "ack.pdf", item_ids=[other], today=DAY)


def test_a_reason_typed_on_several_lines_keeps_its_lines_and_bullets(db: Database, coordinator: Principal,
                                                                      marsh: int, tmp_path: Path) -> None:
    """User trial: a reason typed as a line and a list of points ("• no phone numbers" / "• no town names")
    was printed as one run-on paragraph ("…“Caernarfon”. • no phone numbers • no town names."). Its lines and
    bullets are kept, as an ADM letter keeps pasted reasons; spaces and tabs inside a line are single
    spaces, blank lines one paragraph break, and it ends with one full stop."""
    reason = ("Please leave out your telephone number \u2013 and the\ttown.\n\n\n\u2022\tno phone numbers\n"
              "\u2022  no town names\n\n")
    item = returned_item(db, coordinator, marsh, reason,
                         participant_id=relatives(db, coordinator, marsh)["Donna Marsh"])
    with db.session(coordinator, write=False) as session:
        jobs, _held = item_jobs(session, "returned", [item])
    assert jobs[0].values["reason"] == ("Please leave out your telephone number \u2013 and the town.\n\n"
                                        "\u2022 no phone numbers\n\u2022 no town names.")
    out = tmp_path / "returned.pdf"
    assert write_batch(db, coordinator, "returned", out, item_ids=[item], today=DAY).letters == 1
    lines = [ln.strip() for ln in pdf_text(out).splitlines()]
    at = lines.index("Please leave out your telephone number \u2013 and the town.")
    assert lines[at + 1:at + 3] == ["\u2022 no phone numbers", "\u2022 no town names."]
    # an address line typed over two lines is still found, and blamed on the reason (another returned item:
    # the first one's letter is sent, and its reason final with it)
    other = returned_item(db, coordinator, marsh, "Please write again.",
                          participant_id=relatives(db, coordinator, marsh)["Donna Marsh"])
    with db.session(coordinator) as session:
        session.execute(update(Item).where(Item.id == other).values(reason="Do not write 12 Heron\nGate on it."))
    with pytest.raises(Conflict, match=r"\(12 Heron Gate\), found in the reason you typed"):
        write_batch(db, coordinator, "returned", tmp_path / "r2.pdf", item_ids=[other], today=DAY)
    from adoption_desktop.letterbox.documents import typed_reason

    # a reason already ending with a full stop takes no second one
    assert typed_reason("Leave out the school.\n\nThank you.") == "Leave out the school.\n\nThank you."
    assert typed_reason("Please leave out\nyour telephone number") == "Please leave out\nyour telephone number."
