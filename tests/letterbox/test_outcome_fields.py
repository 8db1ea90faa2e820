"""User trial (letterbox coordinator): a held item's acknowledgement claimed an unknown address, a returned
item kept the method typed for a refused forward, and the work list sorted "overdue 10 months" before "overdue 2 months"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pypdf import PdfReader

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.documents import (
    FORWARD_TEXT,
    FORWARDED_TEXT,
    HELD_FAMILY_TEXT,
    HELD_TEXT,
    KEPT_TEXT,
    write_batch,
)
from adoption_desktop.letterbox.models import Item

DAY = dt.date(2026, 4, 3)


def _text(path: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages)


def _item(db: Database, who: Principal, arrangement: int, direction: str, writer: str = "") -> int:
    return service.log_item(db, who, arrangement, direction=direction, received_on=DAY, writer=writer, log_again=True)


def test_a_held_item_for_a_family_whose_address_is_known_claims_no_missing_address(
        db: Database, coordinator: Principal, arrangement: int, tmp_path: Path) -> None:
    item = _item(db, coordinator, arrangement, rules.TO_ADOPTIVE, "Gina Quillfield")
    service.record_outcome(db, coordinator, item, "held", DAY)
    out = tmp_path / "ack.pdf"
    write_batch(db, coordinator, "acknowledgement", out, item_ids=[item], today=DAY)
    text = _text(out)
    assert " ".join(KEPT_TEXT.split()) in text
    assert "do not have a current address" not in text


def test_a_held_item_for_relatives_with_no_address_says_so(db: Database, coordinator: Principal,
                                                           tmp_path: Path) -> None:
    from adoption_desktop.letterbox.service import ParticipantData
    from tests.letterbox.conftest import sample_input

    nobody = service.create_arrangement(db, coordinator, sample_input(
        "LB-0002", participants=(ParticipantData("Umar Quillfield", "birth grandfather", ""),)))
    item = _item(db, coordinator, nobody, rules.TO_BIRTH)
    service.record_outcome(db, coordinator, item, "held", DAY)
    out = tmp_path / "ack.pdf"
    write_batch(db, coordinator, "acknowledgement", out, item_ids=[item], today=DAY)
    assert " ".join(HELD_TEXT.split()) in _text(out)


def test_a_birth_relatives_item_for_adopters_with_no_address_is_not_promised_to_be_passed_on(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """To the birth mother about her letter for adopters with no address: not yet passed on, it says it is
    kept on file (not "passed on as soon as possible"); passed on by hand, it says so."""
    from tests.letterbox.conftest import sample_input
    from tests.letterbox.test_forward_post_to_adopters import _screened

    no_address = service.create_arrangement(db, coordinator, sample_input("LB-0079", adopters_address=""))
    waiting = _screened(db, coordinator, no_address)
    held = _screened(db, coordinator, no_address)
    service.record_outcome(db, coordinator, held, "held", DAY)
    handed = _screened(db, coordinator, no_address)
    service.record_outcome(db, coordinator, handed, "forwarded", DAY, method="handed over")
    for item in (waiting, held):
        out = tmp_path / f"ack{item}.pdf"
        write_batch(db, coordinator, "acknowledgement", out, item_ids=[item], today=DAY)
        text = _text(out)
        assert "Gina" in text and " ".join(HELD_FAMILY_TEXT.split()) in text
        assert " ".join(FORWARD_TEXT.split()) not in text
    out = tmp_path / "handed.pdf"
    write_batch(db, coordinator, "acknowledgement", out, item_ids=[handed], today=DAY)
    assert " ".join(FORWARDED_TEXT.split()) in _text(out)


def test_only_the_outcomes_own_fields_are_kept(db: Database, coordinator: Principal, arrangement: int) -> None:
    returned = _item(db, coordinator, arrangement, rules.TO_BIRTH)
    service.record_outcome(db, coordinator, returned, "returned", DAY, method="post",
                           reason="Please leave out the name of the school.", social_worker_informed=True)
    forwarded = _item(db, coordinator, arrangement, rules.TO_BIRTH)
    service.screen_item(db, coordinator, forwarded, "We had a lovely summer.")
    service.record_outcome(db, coordinator, forwarded, "forwarded", DAY, method="post", reason="left over")
    with db.session(write=False) as s:
        r, f = s.get(Item, returned), s.get(Item, forwarded)
        assert (r.method, r.reason, r.social_worker_informed) == ("", "Please leave out the name of the school.",
                                                                 True)
        assert (f.method, f.reason) == ("post", "")


def test_the_work_lists_state_column_sorts_by_how_long_overdue(qtbot: object) -> None:
    from adoption_desktop.letterbox.service.data import WorkRow
    from adoption_desktop.letterbox.views.page import WORK_COLUMNS

    def row(due: dt.date, state: str, overdue_for: str = "") -> WorkRow:
        return WorkRow(1, "LB-1", due, rules.ADOPTIVE, state, due, due, "c", overdue_for)

    rows = [row(dt.date(2026, 9, 1), "overdue", "3 months"), row(dt.date(2024, 12, 1), "overdue", "2 years"),
            row(dt.date(2026, 12, 20), "due"), row(dt.date(2025, 2, 1), "overdue", "1 year 10 months"),
            row(dt.date(2026, 2, 1), "overdue", "10 months")]
    state = next(c for c in WORK_COLUMNS if c.title == "State")
    assert state.sort_key is not None
    shown = [state.value(r) for r in sorted(rows, key=state.sort_key)]
    assert shown == ["overdue 2 years", "overdue 1 year 10 months", "overdue 10 months", "overdue 3 months", "due"]
