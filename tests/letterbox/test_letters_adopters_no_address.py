"""A letter to adopters with no address on record is held on file, as a birth relative's is (tester's finding:
it was written "To The adoptive family / Dear Sir or Madam" with no address and recorded as sent)."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

import pytest
from pypdf import PdfReader

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules, service
from adoption_desktop.letterbox.documents import HeldLetter, held_text, write_batch
from tests.letterbox.conftest import sample_input


def _text(path: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(str(path)).pages)


@pytest.fixture
def no_address(db: Database, coordinator: Principal) -> int:
    """LB-0009: everything but the adopters' address (which the tester's import had blanked)."""
    return service.create_arrangement(db, coordinator, sample_input("LB-0009", adopters_address=""))


def test_a_reminder_to_adopters_without_an_address_is_held_not_written_nor_recorded(
        db: Database, coordinator: Principal, arrangement: int, no_address: int, tmp_path: Path) -> None:
    out = tmp_path / "march.pdf"  # the adopters write first in March, for both arrangements
    result = write_batch(db, coordinator, "reminder", out, month="2026-03", today=dt.date(2026, 2, 14))
    assert result.letters == 1 and result.held_on_file == 1
    assert result.held == (HeldLetter("LB-0009", rules.ADOPTIVE, "the adopters"),)
    assert result.held_text == "1 letter held on file (no current address): LB-0009 (the adopters)."
    text = _text(out)
    assert "LB-0001" in text and "LB-0009" not in text
    assert "The adoptive family" not in text and "Dear Sir or Madam" not in text
    assert service.get_arrangement(db, coordinator, no_address).sent == ()
    assert [(s.kind, s.side) for s in service.get_arrangement(db, coordinator, arrangement).sent] == [
        ("reminder", "adoptive")]


def test_only_held_letters_write_no_file(db: Database, coordinator: Principal, no_address: int,
                                         tmp_path: Path) -> None:
    out = tmp_path / "held.pdf"
    result = write_batch(db, coordinator, "reminder", out, month="2026-03", today=dt.date(2026, 2, 14))
    assert result.path is None and result.letters == 0 and not out.exists()
    assert [h.text for h in result.held] == ["LB-0009 (the adopters)"]
    assert service.get_arrangement(db, coordinator, no_address).sent == ()


def test_both_sides_held_are_named_and_counted_and_the_birth_side_is_still_written(
        db: Database, coordinator: Principal, no_address: int, tmp_path: Path) -> None:
    out = tmp_path / "confirmation.pdf"
    result = write_batch(db, coordinator, "confirmation", out, arrangement_ids=[no_address],
                         today=dt.date(2026, 11, 1))
    # the birth mother is written to; the adopters (no address) and the grandfather (none either) are held
    assert result.letters == 1 and result.held_on_file == 2
    assert [h.text for h in result.held] == ["LB-0009 (the adopters)", "LB-0009 (Umar Quillfield)"]
    assert "Gina Quillfield" in _text(out)
    assert [(s.kind, s.side) for s in service.get_arrangement(db, coordinator, no_address).sent] == [
        ("confirmation", "birth")]


def test_an_acknowledgement_to_adopters_without_an_address_is_held(db: Database, coordinator: Principal,
                                                                   no_address: int, tmp_path: Path) -> None:
    item = service.log_item(db, coordinator, no_address, direction=rules.TO_BIRTH, received_on=dt.date(2026, 3, 3),
                            writer="Sam Thornley")
    result = write_batch(db, coordinator, "acknowledgement", tmp_path / "ack.pdf", item_ids=[item],
                         today=dt.date(2026, 3, 4))
    assert result.path is None and result.held_on_file == 1 and result.held[0].to == "the adopters"
    assert service.get_arrangement(db, coordinator, no_address).sent == ()


def test_the_held_line_names_at_most_ten() -> None:
    held = [HeldLetter(f"LB-{n:04d}", rules.BIRTH, "Gina Quillfield") for n in range(12)]
    text = held_text(held)
    assert text.startswith("12 letters held on file (no current address): LB-0000 (Gina Quillfield),")
    assert "LB-0009" in text and "LB-0010" not in text and text.endswith(" and 2 more.")
    assert held_text([]) == ""


def test_the_command_line_names_the_held_letters(db: Database, coordinator: Principal, arrangement: int,
                                                 no_address: int, db_path: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.cli import main
    from tests.conftest import TEST_PASSWORD

    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    # the command's today held at 7 December 2026, so next March's reminders (the arrangements' month) may be
    # printed: with the PC's today, "next year's March" is more than three months ahead from January to
    # November, and refused (the test held only in December)
    from adoption_desktop.letterbox import documents

    today = dt.date(2026, 12, 7)
    monkeypatch.setattr(documents, "write_batch", partial(write_batch, today=today))  # the batch's today
    check = rules.check_reminder_months  # the command's own check before the sign-in
    monkeypatch.setattr(rules, "check_reminder_months", lambda months, _today, days=14: check(months, today, days))
    out = tmp_path / "r.pdf"
    assert main(["export", "reminders", "--db", str(db_path), "--user", "lbcoord", "--month", "2027-03",
                 "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"1 reminder letter written to {out}." in said  # one letter: "1 reminder letters" before
    assert "1 letter held on file (no current address): LB-0009 (the adopters)." in said
    assert "LB-0009" not in _text(out)


def test_the_page_says_which_letters_were_held(  # type: ignore[no-untyped-def]
        qtbot, db: Database, coordinator: Principal, no_address: int, tmp_path: Path) -> None:
    from adoption_desktop.letterbox.views.page import LetterboxPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True))
    told: list[str] = []
    ctx.on_message = told.append
    page = LetterboxPage(ctx)
    qtbot.addWidget(page)
    page.produce_letters("confirmation", tmp_path / "c.pdf", arrangement_ids=[no_address])
    assert told and told[-1].startswith("1 letter written to ")
    assert "2 letters held on file (no current address): LB-0009 (the adopters), LB-0009 (Umar Quillfield)." in told[-1]
