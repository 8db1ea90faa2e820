"""The sent-list names the item a letter was about and the birth relative it went to (review, 2026-12-02):
an item's writer can be corrected afterwards, so the row, not the PDF, is the record of who received a
letter. Shown in the item window; one INSERT and one audit entry per batch as before; sealed, so a later
change of the item or the recipient is reported by ``verify``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, text

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import verify_database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.documents import write_batch
from adoption_desktop.letterbox.models import LetterSent
from adoption_desktop.letterbox.views.item_dialog import letters_sent_text
from tests.letterbox.conftest import sample_input
from tests.letterbox.test_item_writer_letters import DAY, TWO, relatives, returned_item


def _rows(db: Database) -> list[tuple[str, str, int | None, int | None]]:
    with db.session(write=False) as session:
        return [(r.kind, r.side, r.item_id, r.participant_id)
                for r in session.scalars(select(LetterSent).order_by(LetterSent.id))]


def test_letters_about_an_item_record_the_item_and_the_relative_it_went_to(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    marsh = service.create_arrangement(db, coordinator, sample_input(reference="LB-0061", participants=TWO))
    names = relatives(db, coordinator, marsh)
    brian, donna = names["Brian Marsh"], names["Donna Marsh"]
    item = returned_item(db, coordinator, marsh, "Please leave out your telephone number", participant_id=brian)
    write_batch(db, coordinator, "acknowledgement", tmp_path / "a.pdf", item_ids=[item], today=DAY)
    write_batch(db, coordinator, "returned", tmp_path / "r.pdf", item_ids=[item], today=DAY)
    assert _rows(db) == [("acknowledgement", rules.BIRTH, item, brian), ("returned", rules.BIRTH, item, brian)]
    # the writer is corrected afterwards: the letters already sent still say who received them
    version = service.get_item(db, coordinator, item).row_version
    service.set_item_writer(db, coordinator, item, donna, expected_version=version)
    later = DAY + dt.timedelta(days=2)
    write_batch(db, coordinator, "returned", tmp_path / "r2.pdf", item_ids=[item], today=later)
    letters = service.get_item(db, coordinator, item).letters
    assert [(r.kind, r.recipient, r.sent_on) for r in letters] == [
        ("acknowledgement", "Brian Marsh", DAY), ("returned", "Brian Marsh", DAY), ("returned", "Donna Marsh", later)]
    assert letters_sent_text(letters) == (
        "Letters sent about this item: Acknowledgement to Brian Marsh on 03/04/2026; Returned for changes to "
        "Brian Marsh on 03/04/2026; Returned for changes to Donna Marsh on 05/04/2026.")


def test_a_letter_to_the_adopters_names_the_item_and_no_relative(db: Database, coordinator: Principal,
                                                                 arrangement: int, tmp_path: Path) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=DAY, writer="Sam")
    write_batch(db, coordinator, "acknowledgement", tmp_path / "a.pdf", item_ids=[item], today=DAY)
    assert _rows(db) == [("acknowledgement", rules.ADOPTIVE, item, None)]
    letters = service.get_item(db, coordinator, item).letters
    assert [(r.kind, r.recipient) for r in letters] == [("acknowledgement", "Sam and Alex Thornley")]
    other = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=DAY, log_again=True)
    assert service.get_item(db, coordinator, other).letters == ()  # only the letters about that item


def test_reminders_and_chasers_name_the_birth_relative_they_went_to(db: Database, coordinator: Principal,
                                                                    tmp_path: Path) -> None:
    marsh = service.create_arrangement(db, coordinator, sample_input(reference="LB-0061", participants=TWO))
    names = relatives(db, coordinator, marsh)
    write_batch(db, coordinator, "reminder", tmp_path / "m.pdf", months=["2026-03", "2026-09"],
                today=dt.date(2026, 6, 14))  # September's may be printed from June
    write_batch(db, coordinator, "confirmation", tmp_path / "c.pdf", arrangement_ids=[marsh], today=DAY)
    rows = _rows(db)
    birth = sorted(p for kind, side, item, p in rows if side == rules.BIRTH and kind == "confirmation")
    assert birth == sorted(names.values())  # one letter each, each to its relative
    assert all(item is None for _kind, _side, item, _p in rows)
    assert all(p is None for _kind, side, _item, p in rows if side == rules.ADOPTIVE)
    assert all(p in names.values() for _kind, side, _item, p in rows if side == rules.BIRTH)


def test_the_batch_is_one_entry_and_a_changed_item_or_recipient_is_reported(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    marsh = service.create_arrangement(db, coordinator, sample_input(reference="LB-0061", participants=TWO))
    names = relatives(db, coordinator, marsh)
    first = returned_item(db, coordinator, marsh, "Please leave out your telephone number",
                          participant_id=names["Brian Marsh"])
    second = returned_item(db, coordinator, marsh, "Please leave out your telephone number",
                           participant_id=names["Donna Marsh"])
    with db.session(write=False) as session:
        before = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
    write_batch(db, coordinator, "returned", tmp_path / "r.pdf", item_ids=[first, second], today=DAY)
    with db.session(write=False) as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.seq > before,
                                                                AuditEntry.entity == "letterbox_letters_sent")))
        ids = list(session.scalars(select(LetterSent.id).order_by(LetterSent.id)))
    assert [(e.action, e.detail) for e in entries] == [("letterbox_letters_sent", "2 letters")]
    assert verify_database(db).ok
    with db.session() as session:  # which item a letter was about, changed in SQL afterwards
        session.execute(text("UPDATE letterbox_letters_sent SET item_id = :other WHERE id = :i"),
                        {"other": second, "i": ids[0]})
        session.execute(text("UPDATE letterbox_letters_sent SET participant_id = :p WHERE id = :i"),
                        {"p": names["Brian Marsh"], "i": ids[1]})
    problems = verify_database(db).problems
    assert any(f"letterbox_letters_sent row {ids[0]}: item_id changed outside the application" in p
               for p in problems), problems
    assert any(f"letterbox_letters_sent row {ids[1]}: participant_id changed outside the application" in p
               for p in problems), problems


def test_the_item_window_lists_the_letters_sent_about_it(qtbot, db: Database, coordinator: Principal,  # type: ignore[no-untyped-def]
                                                         arrangement: int, tmp_path: Path) -> None:
    from tests.letterbox.test_views import make_page

    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=DAY, writer="Sam")
    page = make_page(qtbot, db, coordinator)
    dialog = page.open_existing_item(item)
    assert dialog.letters_sent.text() == "Letters sent about this item: none."
    dialog.close()
    write_batch(db, coordinator, "acknowledgement", tmp_path / "a.pdf", item_ids=[item], today=DAY)
    dialog = page.open_existing_item(item)
    assert dialog.letters_sent.isVisibleTo(dialog)
    assert dialog.letters_sent.text() == ("Letters sent about this item: Acknowledgement to Sam and Alex Thornley "
                                          "on 03/04/2026.")
