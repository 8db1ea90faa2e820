"""A month's reminders go only to the side(s) still to write (user trial on the large demo: families whose
letter for that exchange had already come in, or had been passed on, were reminded to write it).

Who is still to write is the work list's rule (``rules.outstanding_exchanges``): a letter that came in the
month before the exchange's month, in it or in the month after counts, unless it was returned for changes;
an exchange marked missed is not awaited. The sample arrangement writes in March and September: the
adopters first (due 1 March), the birth mother's reply due 1 April (the grandfather has no address).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.documents import reminder_jobs_for, write_batch
from adoption_desktop.letterbox.models import LetterSent

TODAY = dt.date(2026, 5, 20)
MONTHS = ["2026-03", "2026-04"]
CLEAN = "All is well here and we hope you are well too. With best wishes."


def _sides(db: Database, who: Principal) -> list[tuple[str, str]]:
    """The reminders the batch for March and April would write: (reference, side)."""
    with db.session(who, write=False) as session:
        jobs, _held = reminder_jobs_for(session, MONTHS)
    return [(j.reference, j.side) for j in jobs]


def _sent(db: Database, who: Principal) -> list[tuple[int, str]]:
    with db.session(who, write=False) as session:
        return [(r.arrangement_id, r.side) for r in session.execute(
            select(LetterSent.arrangement_id, LetterSent.side).order_by(LetterSent.id))]


def test_nothing_received_both_sides_are_reminded(db: Database, coordinator: Principal, arrangement: int) -> None:
    assert _sides(db, coordinator) == [("LB-0001", rules.ADOPTIVE), ("LB-0001", rules.BIRTH)]


def test_a_letter_already_in_is_not_reminded_for(db: Database, coordinator: Principal, arrangement: int,
                                                 tmp_path: Path) -> None:
    """The adopters wrote early (in February, for March): only the birth mother is reminded of her reply,
    in the window's batch and the command's (both are ``write_batch``); the sent-list says so."""
    service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 2, 20))
    assert _sides(db, coordinator) == [("LB-0001", rules.BIRTH)]
    result = write_batch(db, coordinator, "reminder", tmp_path / "r.pdf", months=MONTHS, today=TODAY)
    assert result.letters == 1
    assert _sent(db, coordinator) == [(arrangement, rules.BIRTH)]


def test_a_reply_passed_on_is_not_reminded_for(db: Database, coordinator: Principal, arrangement: int) -> None:
    """The birth mother's reply came in and was forwarded: nobody is reminded for April."""
    gina = service.get_arrangement(db, coordinator, arrangement).data.participants[0].id
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_ADOPTIVE,
                            received_on=dt.date(2026, 4, 3), participant_id=gina)
    service.screen_item(db, coordinator, item, CLEAN)
    service.record_outcome(db, coordinator, item, "forwarded", dt.date(2026, 4, 6), method="post")
    assert _sides(db, coordinator) == [("LB-0001", rules.ADOPTIVE)]


def test_a_letter_returned_for_changes_is_still_owed(db: Database, coordinator: Principal, arrangement: int) -> None:
    """Returned for changes, the letter did not count as received: its writer is still reminded (as the
    work list still lists the exchange)."""
    item = service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 2))
    service.screen_item(db, coordinator, item, CLEAN)
    service.record_outcome(db, coordinator, item, "returned", dt.date(2026, 3, 3), reason="Please write it again.")
    assert _sides(db, coordinator) == [("LB-0001", rules.ADOPTIVE), ("LB-0001", rules.BIRTH)]


def test_an_exchange_marked_missed_is_not_reminded_for(db: Database, coordinator: Principal,
                                                       arrangement: int) -> None:
    service.mark_missed(db, coordinator, arrangement, dt.date(2026, 4, 1), rules.BIRTH)
    assert _sides(db, coordinator) == [("LB-0001", rules.ADOPTIVE)]


def test_a_letter_two_months_early_is_another_exchanges(db: Database, coordinator: Principal,
                                                        arrangement: int) -> None:
    """The same window as the work list: a letter in January is not March's (it stays owed)."""
    service.log_item(db, coordinator, arrangement, direction=rules.TO_BIRTH, received_on=dt.date(2026, 1, 20))
    assert _sides(db, coordinator) == [("LB-0001", rules.ADOPTIVE), ("LB-0001", rules.BIRTH)]
