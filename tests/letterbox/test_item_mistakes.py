"""Letterbox mistakes that could not be put right ("mistakes" user trial, 6 December 2026).

1. An item logged against the wrong arrangement, from the wrong side or with the wrong date received could
   never be corrected: the work list then took the wrong arrangement's exchange as received and chased the
   family who did write. Now: how an item with no outcome was logged is corrected (audited, against the
   version shown, the screening cleared through the findings digest when the arrangement or side changes),
   or the item is marked as logged in error (a reason; it stays in the register and counts nowhere).
2. After an outcome the program promised "a mistake is put right by logging a corrected version", which it
   refused for anything but a returned item. Now the words say an outcome cannot be undone, and a dated
   correction note (sealed as its own record, the item untouched) goes in the item's history.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from adoption_desktop.core import audit
from adoption_desktop.core.errors import Conflict, StaleRecord, ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import findings_digest, rules, service
from adoption_desktop.letterbox.figures import RECEIVED, figures
from adoption_desktop.letterbox.models import Arrangement, Finding, Item, ItemEvent
from adoption_desktop.letterbox.service import ItemFilter
from tests.letterbox.conftest import sample_input
from tests.undo_checks import actions, assert_verified

MARCH = dt.date(2026, 3, 3)  # an exchange month of both arrangements ("March, September")
TODAY = dt.date(2026, 4, 20)  # March's exchange is overdue by then unless its letter came


def owed(db: Database, who: Principal, reference: str) -> set[tuple[dt.date, str]]:
    """The exchanges the work list says the arrangement is still owed (due, writing side)."""
    return {(r.due, r.side) for r in service.work_list(db, who, TODAY) if r.reference == reference}


def two_arrangements(db: Database, who: Principal) -> tuple[int, int]:
    meant = service.create_arrangement(db, who, sample_input("LB-0001", coordinator="lbcoord"))
    wrong = service.create_arrangement(db, who, sample_input(
        "LB-0002", coordinator="lbcoord", child_birth_name="Ivy Marchbank", child_adoptive_name="Lily Dunmore",
        adopters_name="Jo and Kit Dunmore", protected=(service.TermData("Larkspur Academy", "school"),)))
    return meant, wrong


def last_exchange(db: Database, arrangement_id: int) -> dt.date | None:
    with db.session(write=False) as session:
        return session.scalar(select(Arrangement.last_exchange).where(Arrangement.id == arrangement_id))


def test_an_item_logged_against_the_wrong_arrangement_is_moved_and_screened_again(
        db: Database, coordinator: Principal) -> None:
    meant, wrong = two_arrangements(db, coordinator)
    item = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=MARCH,
                            writer="Sam Thornley")
    service.screen_item(db, coordinator, item, "Rosa sang at Kestrel Vale Primary, near ZZ99 4EF.")
    assert service.get_item(db, coordinator, item).findings  # screened against LB-0002's terms
    # the work list takes LB-0002's March letter as received and chases LB-0001's family, who did write
    assert (dt.date(2026, 3, 1), rules.ADOPTIVE) in owed(db, coordinator, "LB-0001")
    assert (dt.date(2026, 3, 1), rules.ADOPTIVE) not in owed(db, coordinator, "LB-0002")
    version = service.get_item(db, coordinator, item).row_version

    done = service.correct_item_logging(db, coordinator, item, arrangement_id=meant, direction=rules.TO_BIRTH,
                                        received_on=dt.date(2026, 3, 2), item_type="card",
                                        expected_version=version)

    assert done.screening_cleared and done.reference == "LB-0001"
    assert done.changes == ("arrangement: was LB-0002, now LB-0001", "date received: was 03/03/2026, now 02/03/2026",
                            "type: was letter, now card")
    detail = service.get_item(db, coordinator, item)
    assert (detail.arrangement_id, detail.reference, detail.received_on, detail.item_type) == (
        meant, "LB-0001", dt.date(2026, 3, 2), "card")
    assert detail.status == "received" and detail.findings == () and detail.screened_by == ""
    assert detail.row_version == done.row_version
    assert detail.text.startswith("Rosa sang")  # the transcription is kept, to be screened again
    # the findings went through the normal path: the digest says "no findings" again, sealed with the item
    with db.session(write=False) as session:
        stored = session.scalar(select(Item.findings_digest).where(Item.id == item))
        assert session.scalar(select(Finding.id).where(Finding.item_id == item)) is None
    assert stored == findings_digest.NO_FINDINGS
    # the history says what was and what is now; the audit log has the step and the captured change
    step = detail.history[-1]
    assert step.action == "log_corrected" and rules.step_label(step.action) == "Logging corrected"
    assert "arrangement: was LB-0002, now LB-0001" in step.detail
    assert "date received: was 03/03/2026, now 02/03/2026" in step.detail
    assert "screening" in step.detail and "screened again" in step.detail
    assert detail.history[0].action == "received"  # the original logging is still there
    assert "letterbox_log_corrected" in actions(db, "letterbox_items")
    # the work list: LB-0001's March letter came, LB-0002's is owed
    assert (dt.date(2026, 3, 1), rules.ADOPTIVE) not in owed(db, coordinator, "LB-0001")
    assert (dt.date(2026, 3, 1), rules.ADOPTIVE) in owed(db, coordinator, "LB-0002")
    assert last_exchange(db, meant) == dt.date(2026, 3, 2) and last_exchange(db, wrong) is None
    # found by LB-0001's reference in the items register now
    assert [r.id for r in service.list_items(db, coordinator, ItemFilter(query="LB-0001"))] == [item]
    # screened again with LB-0001's terms, and forwarded as usual
    service.screen_item(db, coordinator, item, "Lovely to hear from you.")
    service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 3, 4), method="post")
    assert_verified(db)


def test_a_change_of_side_clears_the_screening_and_the_writer(db: Database, coordinator: Principal,
                                                               arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE, received_on=MARCH,
                            writer="Gina Quillfield")
    service.screen_item(db, coordinator, item, "Love to Rosa from Gina.")
    done = service.correct_item_logging(db, coordinator, item, arrangement_id=arrangement,
                                        direction=rules.TO_BIRTH, received_on=MARCH, item_type="letter",
                                        expected_version=service.get_item(db, coordinator, item).row_version)
    assert done.screening_cleared
    # an arrow between the values read as part of them ("direction Birth → adoptive → Adoptive → birth")
    assert "direction: was Birth → adoptive, now Adoptive → birth" in done.changes
    assert "writer: was Gina Quillfield, now not recorded" in done.changes  # the adopters write as one family
    detail = service.get_item(db, coordinator, item)
    assert detail.direction == rules.TO_BIRTH and detail.participant_id is None and detail.findings == ()
    # a date alone does not touch the screening
    service.screen_item(db, coordinator, item, "Rosa loves school.")
    again = service.correct_item_logging(db, coordinator, item, arrangement_id=arrangement,
                                         direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 5),
                                         item_type="letter", expected_version=None)
    assert not again.screening_cleared and service.get_item(db, coordinator, item).status == "screened"
    assert_verified(db)


def test_two_sessions_correcting_one_item_never_overwrite_silently(db: Database, other_pc: Database,
                                                                   coordinator: Principal, arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=MARCH)
    shown = service.get_item(db, coordinator, item).row_version  # both windows opened the item here
    service.correct_item_logging(other_pc, coordinator, item, arrangement_id=arrangement, direction=rules.TO_BIRTH,
                                 received_on=dt.date(2026, 3, 2), item_type="letter", expected_version=shown)
    with pytest.raises(StaleRecord, match="after you opened it") as refused:
        service.correct_item_logging(db, coordinator, item, arrangement_id=arrangement, direction=rules.TO_BIRTH,
                                     received_on=dt.date(2026, 3, 9), item_type="card", expected_version=shown)
    assert refused.value.saved_values["Date received"] == "02/03/2026"
    with pytest.raises(StaleRecord):
        service.mark_logged_in_error(db, coordinator, item, "Logged twice.", expected_version=shown)
    detail = service.get_item(db, coordinator, item)
    assert (detail.received_on, detail.item_type, detail.status) == (dt.date(2026, 3, 2), "letter", "received")
    assert_verified(db)


def test_an_item_with_an_outcome_is_not_relogged_but_noted(db: Database, coordinator: Principal,
                                                             arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=MARCH)
    service.screen_item(db, coordinator, item, "We went to the seaside.")
    service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 3, 4), method="post")
    with pytest.raises(Conflict, match="An outcome cannot be undone: add a correction note"):
        service.correct_item_logging(db, coordinator, item, arrangement_id=arrangement, direction=rules.TO_BIRTH,
                                     received_on=dt.date(2026, 3, 2), item_type="letter", expected_version=None)
    with pytest.raises(Conflict, match="already has an outcome"):
        service.mark_logged_in_error(db, coordinator, item, "Wrong family.", expected_version=None)
    # a second outcome is refused in words that no longer promise a corrected version
    with pytest.raises(Conflict) as refused:
        service.record_outcome(db, coordinator, item, "withheld", dt.date(2026, 3, 4), reason="x",
                               social_worker_informed=True)
    assert "corrected version" not in str(refused.value) and "correction note" in str(refused.value)
    assert_verified(db)


def test_logged_in_error_stops_counting_and_stays_visible(db: Database, coordinator: Principal) -> None:
    meant, wrong = two_arrangements(db, coordinator)
    item = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=MARCH)
    counted = {k: v for s in figures(db, coordinator, dt.date(2026, 3, 1), dt.date(2026, 3, 31)) for k, v in s.rows}
    assert counted[RECEIVED] == "1"
    version = service.get_item(db, coordinator, item).row_version
    with pytest.raises(ValidationError, match="Reason: say why"):
        service.mark_logged_in_error(db, coordinator, item, "  ", expected_version=version)

    service.mark_logged_in_error(db, coordinator, item, "Logged against LB-0002 by mistake: LB-0001's letter.",
                                 expected_version=version, on=dt.date(2026, 3, 5))

    detail = service.get_item(db, coordinator, item)
    assert detail.status == rules.LOGGED_IN_ERROR == "logged in error"
    assert detail.outcome_on == dt.date(2026, 3, 5) and detail.reason.startswith("Logged against LB-0002")
    assert detail.history[-1].action == "logged_in_error" and detail.history[-1].actor == "lbcoord"
    assert "letterbox_logged_in_error" in actions(db, "letterbox_items")
    # no longer received: the work list owes LB-0002's March letter again, the figures leave it out
    assert (dt.date(2026, 3, 1), rules.ADOPTIVE) in owed(db, coordinator, "LB-0002")
    counted = {k: v for s in figures(db, coordinator, dt.date(2026, 3, 1), dt.date(2026, 3, 31)) for k, v in s.rows}
    assert counted[RECEIVED] == "0"
    assert last_exchange(db, wrong) is None
    # still in the register, marked so; never worked again
    rows = service.list_items(db, coordinator, ItemFilter(status=rules.LOGGED_IN_ERROR))
    assert [(r.id, r.status) for r in rows] == [(item, "logged in error")]
    assert service.list_items(db, coordinator, ItemFilter(open_only=True)) == []
    with pytest.raises(Conflict, match="was logged in error, so it is not screened"):
        service.screen_item(db, coordinator, item, "Anything.")
    with pytest.raises(Conflict, match="marked as logged in error"):
        service.correct_item_logging(db, coordinator, item, arrangement_id=meant, direction=rules.TO_BIRTH,
                                     received_on=MARCH, item_type="letter", expected_version=None)
    # the right letter logged on the right arrangement is not asked about as "already logged"
    assert service.already_logged(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=MARCH) == []
    assert_verified(db)
    # final: set back to "received" through the application's session, refused at once (core.final_rows),
    # nothing written; in SQL past the application, verify names it
    with pytest.raises(Conflict, match="This letterbox item has an outcome"), db.session(coordinator) as session:
        session.execute(update(Item).where(Item.id == item).values(status="received"))
    assert service.get_item(db, coordinator, item).status == rules.LOGGED_IN_ERROR
    with db.engine.begin() as conn:
        conn.execute(update(Item).where(Item.id == item).values(status="received"))
    with db.session(write=False) as session:
        problems = audit.verify_record(session.connection())
    assert any(p.entity == "letterbox_items" and p.entity_id == str(item) and "content differs" in p.message
               for p in problems), problems


def test_a_correction_note_on_a_final_item_is_sealed_on_its_own(db: Database, coordinator: Principal,
                                                                arrangement: int) -> None:
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=MARCH)
    with pytest.raises(Conflict, match="no outcome yet"):
        service.add_correction_note(db, coordinator, item, "Too early.")
    service.screen_item(db, coordinator, item, "We went to the seaside.")
    service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 3, 4), method="post")
    before = service.get_item(db, coordinator, item)
    with pytest.raises(ValidationError, match="Correction note: say what"):
        service.add_correction_note(db, coordinator, item, " ")

    note = service.add_correction_note(db, coordinator, item,
                                       "Forwarded in error: the manager was told on 05/03/2026.")

    after = service.get_item(db, coordinator, item)
    assert after.row_version == before.row_version and after.status == "forwarded"  # the item untouched
    assert after.history[-1].action == "correction_note" and "manager was told" in after.history[-1].detail
    assert rules.step_label("correction_note") == "Correction note"
    assert "letterbox_correction_note" in actions(db, "letterbox_items")
    with db.session(write=False) as session:
        sealed = session.scalar(select(audit.AuditSeal.id).where(
            audit.AuditSeal.entity == "letterbox_item_events#content", audit.AuditSeal.entity_id == str(note)))
    assert sealed is not None  # a final record of its own
    assert_verified(db)
    # the note reworded by a statement the audit hooks record and seal (as a key holder forging the entry and
    # the row seal could): its content seal still names it
    with db.session(coordinator) as session:
        session.execute(update(ItemEvent).where(ItemEvent.id == note).values(detail="Nothing happened."))
    with db.session(write=False) as session:
        problems = audit.verify_record(session.connection())
    assert any(p.entity == "letterbox_item_events" and "correction note" in p.message for p in problems), problems


# --- review of 6 December 2026 (rev19): four ways "Put a mistake right" broke the record -------------------


def returned_item(db: Database, who: Principal, aid: int) -> int:
    item = service.log_item(db, who, aid, direction=rules.TO_BIRTH, received_on=MARCH, writer="Sam Thornley",
                            text="hello")
    service.record_outcome(db, who, item, "returned", MARCH, reason="please remove the surname")
    return item


def version(db: Database, who: Principal, item: int) -> int:
    return service.get_item(db, who, item).row_version


def test_a_corrected_version_logged_in_error_makes_way_for_the_real_one(db: Database,
                                                                         coordinator: Principal) -> None:
    meant, _wrong = two_arrangements(db, coordinator)
    returned = returned_item(db, coordinator, meant)
    taken = service.log_item(db, coordinator, meant, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 10),
                             previous_item_id=returned, text="another letter taken for the corrected one")
    # while it counts, a second corrected version is refused
    with pytest.raises(Conflict, match="already logged"):
        service.log_item(db, coordinator, meant, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 12),
                         previous_item_id=returned, text="the real corrected one")
    service.mark_logged_in_error(db, coordinator, taken, "Not the corrected version: another letter.",
                                 expected_version=version(db, coordinator, taken))

    real = service.log_item(db, coordinator, meant, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 12),
                            previous_item_id=returned, text="the real corrected one")

    assert service.get_item(db, coordinator, real).previous_item_id == returned
    # and it is the one that counts now: a third is refused, naming it
    with pytest.raises(Conflict, match=f"already logged \\(item {real}, received 12/03/2026\\)"):
        service.log_item(db, coordinator, meant, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 13),
                         previous_item_id=returned, text="again")
    assert_verified(db)


def test_a_corrected_version_is_not_moved_away_from_its_returned_item(db: Database,
                                                                       coordinator: Principal) -> None:
    meant, other = two_arrangements(db, coordinator)
    returned = returned_item(db, coordinator, meant)
    corrected = service.log_item(db, coordinator, meant, direction=rules.TO_BIRTH,
                                 received_on=dt.date(2026, 3, 10), previous_item_id=returned, text="hello again")
    before = service.get_item(db, coordinator, corrected)

    with pytest.raises(Conflict) as refused:
        service.correct_item_logging(db, coordinator, corrected, arrangement_id=other, direction=rules.TO_BIRTH,
                                     received_on=dt.date(2026, 3, 10), item_type="letter",
                                     expected_version=before.row_version)

    said = str(refused.value)
    assert f"corrected version of item {returned}" in said and "not moved to LB-0002" in said
    assert "Nothing was saved" in said and "logged in error" in said and "log the letter again on LB-0002" in said
    after = service.get_item(db, coordinator, corrected)
    assert (after.arrangement_id, after.row_version) == (meant, before.row_version)
    # the date or type of a corrected version is still corrected as usual
    done = service.correct_item_logging(db, coordinator, corrected, arrangement_id=meant, direction=rules.TO_BIRTH,
                                        received_on=dt.date(2026, 3, 9), item_type="card",
                                        expected_version=before.row_version)
    assert done.changes == ("date received: was 10/03/2026, now 09/03/2026", "type: was letter, now card")
    # the way the message gives: marked logged in error, the letter logged again where it belongs
    service.mark_logged_in_error(db, coordinator, corrected, "Belongs to LB-0002.",
                                 expected_version=done.row_version)
    service.log_item(db, coordinator, other, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 10))
    assert_verified(db)


def acknowledge(db: Database, who: Principal, aid: int, item: int, batch: str) -> None:
    """The item's acknowledgement recorded as sent to the adopters (who wrote it) in ``batch``."""
    from adoption_desktop.letterbox.sent_list import record_letters_sent

    with db.session(who) as session:
        record_letters_sent(session, [(aid, "acknowledgement", rules.ADOPTIVE, item, None)], MARCH, batch)


def test_an_item_whose_acknowledgement_was_sent_is_not_moved_or_marked_without_a_word(
        db: Database, coordinator: Principal) -> None:
    meant, wrong = two_arrangements(db, coordinator)
    item = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=MARCH)
    acknowledge(db, coordinator, wrong, item, "ack-b1")
    shown = version(db, coordinator, item)

    with pytest.raises(Conflict) as moving:
        service.correct_item_logging(db, coordinator, item, arrangement_id=meant, direction=rules.TO_BIRTH,
                                     received_on=MARCH, item_type="letter", expected_version=shown)
    with pytest.raises(Conflict) as marking:
        service.mark_logged_in_error(db, coordinator, item, "Never came.", expected_version=shown)
    with pytest.raises(Conflict) as turning:  # the acknowledgement went to this side's writer
        service.correct_item_logging(db, coordinator, item, arrangement_id=wrong, direction=rules.TO_ADOPTIVE,
                                     received_on=MARCH, item_type="letter", expected_version=shown)

    for refused, what in ((moving, "it was not moved to LB-0001"), (marking, "not marked as logged in error"),
                          (turning, "its side was not changed")):
        said = str(refused.value)
        assert (f"Item {item}'s acknowledgement was sent to Jo and Kit Dunmore on 03/03/2026 (batch ack-b1)"
                in said), said
        assert "told it was received" in said and what in said and "nothing was saved" in said
        assert "Tell your manager" in said and "add a correction note" in said
    detail = service.get_item(db, coordinator, item)
    assert (detail.arrangement_id, detail.status, detail.row_version) == (wrong, "received", shown)
    # a date or type is still corrected: the letter sent is about the same item on the same arrangement
    shown = service.correct_item_logging(db, coordinator, item, arrangement_id=wrong, direction=rules.TO_BIRTH,
                                         received_on=dt.date(2026, 3, 4), item_type="letter",
                                         expected_version=shown).row_version
    # the way the message gives: the note says what was done about the letter, then the item is put right
    service.add_correction_note(db, coordinator, item, "Acknowledged to the Dunmores in error: the manager was "
                                "told and wrote to them on 05/03/2026.")
    done = service.correct_item_logging(db, coordinator, item, arrangement_id=meant, direction=rules.TO_BIRTH,
                                        received_on=dt.date(2026, 3, 4), item_type="letter",
                                        expected_version=shown)
    assert done.reference == "LB-0001"
    history = service.get_item(db, coordinator, item).history
    assert [e.action for e in history[-2:]] == ["correction_note", "log_corrected"]
    assert_verified(db)


def test_an_acknowledgement_noted_lets_the_item_be_marked_logged_in_error(db: Database,
                                                                         coordinator: Principal) -> None:
    _meant, wrong = two_arrangements(db, coordinator)
    item = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=MARCH)
    with pytest.raises(Conflict, match="no outcome yet"):  # nothing sent: no note on an open item
        service.add_correction_note(db, coordinator, item, "Too early.")
    acknowledge(db, coordinator, wrong, item, "ack-b2")
    service.add_correction_note(db, coordinator, item, "Logged twice; the second acknowledgement was explained "
                                "to the family by phone.")
    service.mark_logged_in_error(db, coordinator, item, "Logged twice.",
                                 expected_version=version(db, coordinator, item))
    assert service.get_item(db, coordinator, item).status == rules.LOGGED_IN_ERROR
    assert_verified(db)


def test_an_acknowledgement_of_a_voided_batch_does_not_stop_the_correction(db: Database,
                                                                          coordinator: Principal) -> None:
    from adoption_desktop.letterbox.sent_list import void_batch

    meant, wrong = two_arrangements(db, coordinator)
    item = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=MARCH)
    other = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 2))
    acknowledge(db, coordinator, wrong, item, "ack-b3")
    acknowledge(db, coordinator, wrong, other, "ack-b4")
    void_batch(db, coordinator, "ack-b3", "printed for the wrong item, shredded")

    done = service.correct_item_logging(db, coordinator, item, arrangement_id=meant, direction=rules.TO_BIRTH,
                                        received_on=MARCH, item_type="letter",
                                        expected_version=version(db, coordinator, item))
    assert done.reference == "LB-0001"
    with pytest.raises(Conflict, match="no outcome yet"):  # its only letter was not posted: nothing to note
        service.add_correction_note(db, coordinator, item, "Nothing to say.")
    # the other item's batch was posted: it still stops
    with pytest.raises(Conflict, match="batch ack-b4"):
        service.mark_logged_in_error(db, coordinator, other, "Never came.",
                                     expected_version=version(db, coordinator, other))
    assert_verified(db)


def test_findings_changed_outside_the_application_are_reported_not_erased_by_a_move(
        db: Database, coordinator: Principal) -> None:
    from sqlalchemy import text

    from adoption_desktop.core.errors import SealBroken

    meant, wrong = two_arrangements(db, coordinator)
    item = service.log_item(db, coordinator, wrong, direction=rules.TO_BIRTH, received_on=MARCH)
    service.screen_item(db, coordinator, item, "Rosa sang at Kestrel Vale Primary, near ZZ99 4EF.")
    with db.engine.begin() as conn:  # outside the application: the "remove" findings made "acceptable"
        conn.execute(text("UPDATE letterbox_findings SET decision='acceptable' WHERE item_id=:i"), {"i": item})
    with db.session(write=False) as session:
        before = {(p.entity, p.entity_id) for p in audit.verify_record(session.connection())}
        kept = sorted(session.scalars(select(Finding.id).where(Finding.item_id == item)))
    assert kept and before
    shown = version(db, coordinator, item)

    with pytest.raises(SealBroken) as refused:
        service.correct_item_logging(db, coordinator, item, arrangement_id=meant, direction=rules.TO_BIRTH,
                                     received_on=MARCH, item_type="letter", expected_version=shown)

    assert "not corrected" in str(refused.value) and "Nothing was saved" in str(refused.value)
    with db.session(write=False) as session:  # the evidence stays; verify still names the changed findings
        assert sorted(session.scalars(select(Finding.id).where(Finding.item_id == item))) == kept
        after = {(p.entity, p.entity_id) for p in audit.verify_record(session.connection())}
    assert after == before
    detail = service.get_item(db, coordinator, item)
    assert (detail.arrangement_id, detail.status, detail.row_version) == (wrong, "screened", shown)
    assert "letterbox_log_corrected" not in actions(db, "letterbox_items")
