"""A month's reminders produced a second time are a reprint (user trial on the large demo: the second run was
not asked about, and every run was recorded in the sent-list and counted in the letters sent).

Printed again, a reminder the sent-list already holds for its month is audited as a reprint
(``letterbox_letters_reprinted``) and not recorded as sent again, so the figures count it once; a reminder
for a family added since is recorded as sent. The window asks first (when, by whom, "Print again"); the
command says it is a reprint.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.storage.lifecycle import open_database, verify_database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.documents import KINDS, write_batch
from adoption_desktop.letterbox.figures import figures
from adoption_desktop.letterbox.models import LetterSent
from adoption_desktop.letterbox.views.page import LetterboxPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD
from tests.letterbox.conftest import sample_input

TODAY = dt.date(2026, 2, 14)
MARCH = "2026-03"


def _sent(db: Database) -> int:
    with db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(LetterSent)) or 0)


def _reminders_counted(db: Database, who: Principal) -> str:
    """The *Letters sent* figure for reminders, this year."""
    sent = next(s for s in figures(db, who, dt.date(2026, 1, 1), dt.date(2026, 12, 31)) if s.title == "Letters sent")
    return dict(sent.rows)[KINDS["reminder"]]


def _entries(db: Database, action: str) -> list[AuditEntry]:
    with db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def _two_arrangements(db: Database, who: Principal) -> None:
    service.create_arrangement(db, who, sample_input("LB-0001", coordinator="lbcoord"))
    service.create_arrangement(db, who, sample_input(
        "LB-0002", coordinator="lbcoord", adopters_name="Mr and Mrs Ferncastle", child_adoptive_name="Rosa Ferncastle",
        adopters_address="4 Heron Gate\nDellmouth\nZZ99 4EF"))


def test_a_second_run_for_the_month_is_a_reprint_not_counted_again(db: Database, coordinator: Principal,
                                                                   tmp_path: Path) -> None:
    _two_arrangements(db, coordinator)
    first = write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    assert (first.letters, first.reprinted, first.reprint_text) == (2, 0, "")
    assert first.batch.startswith("reminder-202603-20260214-")
    assert _sent(db) == 2 and _reminders_counted(db, coordinator) == "2"

    again = write_batch(db, coordinator, "reminder", tmp_path / "b.pdf", month=MARCH, today=TODAY)
    assert (again.letters, again.reprinted) == (2, 2) and (tmp_path / "b.pdf").exists()
    assert again.reprint_text.startswith("All 2 letters were produced before for the same month (2 letters by "), \
        again.reprint_text
    assert "recorded as a reprint, not counted again as letters sent." in again.reprint_text
    assert _sent(db) == 2 and _reminders_counted(db, coordinator) == "2"  # the figures count the letters once
    [reprint] = _entries(db, "letterbox_letters_reprinted")  # still audited, as a reprint
    assert reprint.entity_id == again.batch
    assert reprint.detail == f"2 reminders for {MARCH} printed again (first recorded in {first.batch}): not " \
                             "recorded as sent again"
    assert verify_database(db).ok


def test_a_reprint_records_the_families_added_since(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    service.create_arrangement(db, coordinator, sample_input("LB-0001", coordinator="lbcoord"))
    write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    service.create_arrangement(db, coordinator, sample_input(
        "LB-0002", coordinator="lbcoord", adopters_name="Mr and Mrs Ferncastle", child_adoptive_name="Rosa Ferncastle",
        adopters_address="4 Heron Gate\nDellmouth\nZZ99 4EF"))
    again = write_batch(db, coordinator, "reminder", tmp_path / "b.pdf", month=MARCH, today=TODAY)
    assert (again.letters, again.reprinted) == (2, 1)
    assert again.reprint_text.startswith("1 of these 2 letters was produced before"), again.reprint_text
    assert again.reprint_text.endswith("The other 1 is recorded as sent.")
    assert _sent(db) == 2 and _reminders_counted(db, coordinator) == "2"
    assert verify_database(db).ok


def test_another_month_is_not_a_reprint(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """March's reminders, then April's: both recorded as sent (the birth mother's reply is April's)."""
    _two_arrangements(db, coordinator)
    write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    april = write_batch(db, coordinator, "reminder", tmp_path / "b.pdf", months=[MARCH, "2026-04"], today=TODAY)
    assert (april.letters, april.reprinted) == (4, 2)
    assert _sent(db) == 4 and _reminders_counted(db, coordinator) == "4"
    assert [b.letters for b in service.reminders_produced(db, coordinator, "2026-04")] == [2]


def test_reminders_produced_says_how_many_by_whom(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    _two_arrangements(db, coordinator)
    assert service.reminders_produced(db, coordinator, MARCH) == []
    first = write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month=MARCH, today=TODAY)
    write_batch(db, coordinator, "reminder", tmp_path / "b.pdf", month=MARCH, today=TODAY)  # a reprint: not listed
    [done] = service.reminders_produced(db, coordinator, MARCH)
    assert (done.batch, done.letters, done.arrangements) == (first.batch, 2, 2)
    assert done.by == coordinator.full_name and done.at is not None


def test_the_command_says_a_second_run_is_a_reprint(db: Database, coordinator: Principal, db_path: Path,
                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from adoption_desktop.cli import main
    from adoption_desktop.core.security.secret_store import SecretStore

    _two_arrangements(db, coordinator)
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    args = ["export", "reminders", "--db", str(db_path), "--user", "lbcoord", "--month", MARCH]
    assert main([*args, "--out", str(tmp_path / "a.pdf")]) == 0
    assert "reprint" not in capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "b.pdf")]) == 0
    out = capsys.readouterr().out
    assert "2 reminder letters written to" in out
    assert "All 2 letters were produced before for the same month (2 letters by " in out, out
    assert "recorded as a reprint, not counted again as letters sent." in out
    db = open_database(db_path, SecretStore())
    try:
        assert _sent(db) == 2 and len(_entries(db, "letterbox_letters_reprinted")) == 1
        assert verify_database(db).ok
    finally:
        db.dispose()


class Questions:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str, dict[str, Any]]] = []
        self.answer = False

    def __call__(self, _parent: object, title: str, text: str, **kw: Any) -> bool:
        self.asked.append((title, text, kw))
        return self.answer


def test_the_window_asks_before_printing_a_months_reminders_again(
        qtbot: Any, db: Database, coordinator: Principal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.letterbox.views import page as page_module

    _two_arrangements(db, coordinator)
    questions = Questions()
    monkeypatch.setattr(page_module, "ask_yes_no", questions)
    paths = iter(tmp_path / f"reminders-{n}.pdf" for n in range(5))
    monkeypatch.setattr(page_module, "ask_letter_path", lambda *_a, **_k: str(next(paths)))
    page = LetterboxPage(AppContext(db, coordinator, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.letters_month.setCurrentIndex(page.letters_month.findData(MARCH))

    page._reminders_clicked()  # the first time: not asked
    assert questions.asked == [] and _sent(db) == 2
    page._reminders_clicked()  # again: asked, No (the default) prints nothing
    [(title, text, kw)] = questions.asked
    assert title == "Reminders"
    assert f"The reminders for March 2026 were already produced: 2 letters by {coordinator.full_name} at " in text
    assert text.endswith("Print them again?") and kw["yes"] == "&Print again"
    assert "not counted again as sent" in kw["informative"]
    assert not (tmp_path / "reminders-1.pdf").exists()
    assert page.ctx.status_messages[-1] == "Reminders for March 2026: nothing printed (already produced)."
    questions.answer = True  # Print again: written, told as a reprint, not recorded as sent again
    page._reminders_clicked()
    assert (tmp_path / "reminders-1.pdf").exists() and _sent(db) == 2
    assert "recorded as a reprint, not counted again as letters sent." in page.ctx.status_messages[-1]
    assert len(_entries(db, "letterbox_letters_reprinted")) == 1


def test_a_reminder_batch_name_gives_back_its_month() -> None:
    """The batch name is made (``reminder_batch``) and read (``batch_month_key``, ``reminder_batches_like``)
    in one module: what one writes the others find, and a name of another kind gives no month."""
    from fnmatch import fnmatchcase

    from adoption_desktop.letterbox.sent_list import (
        batch_month_key,
        month_key,
        reminder_batch,
        reminder_batches_like,
    )

    for month in ("2026-03", "2027-3", "2026-12"):
        name = reminder_batch(month, TODAY, "ab12cd")
        assert batch_month_key(name) == month_key(month)
        assert fnmatchcase(name, reminder_batches_like(month).replace("%", "*"))
        assert not fnmatchcase(name, reminder_batches_like("2026-11").replace("%", "*"))
    for other in ("reminder-20261206-ab12cd", "chaser-20261206-ab12cd", "reminder-2026-03", "", "reminder-20260x-1"):
        assert batch_month_key(other) is None, other
