"""A letterbox batch uses the agency's own template and its sent-list records which version made it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from adoption_desktop import template_admin as ta
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox.documents import write_batch
from adoption_desktop.letterbox.models import LetterSent
from tests.conftest import make_user


def test_sent_list_records_the_template_version(db: Database, coordinator: Principal, arrangement: int,
                                                tmp_path: Path) -> None:
    admin = make_user(db, "admin", Role.ADMINISTRATOR)
    first = write_batch(db, coordinator, "reminder", tmp_path / "a.pdf", month="2026-03",
                        today=dt.date(2026, 2, 14))
    users.set_job_title(db, admin, coordinator.user_id, "Senior letterbox worker")
    text = ta.letter_text(db, admin, "letterbox_reminder")
    ta.save_letter_template(db, admin, "letterbox_reminder",
                            text.replace("\n\n", "\n\nOur own reminder paragraph.\n\n", 1))
    # another month's reminders (March's again would be a reprint, recorded as no new row), in their time
    second = write_batch(db, coordinator, "reminder", tmp_path / "b.pdf", month="2026-09",
                         today=dt.date(2026, 8, 15))
    assert first.letters == second.letters == 1
    printed = " ".join(p.extract_text() or "" for p in PdfReader(str(tmp_path / "b.pdf")).pages)
    assert "Our own reminder paragraph." in " ".join(printed.split())
    assert "Senior letterbox worker" in printed  # the signer's job title from their user record
    with db.session(write=False) as s:
        rows = {r.batch: r.template_version for r in s.scalars(select(LetterSent))}
    assert rows[first.batch] == "letterbox_reminder v0 (shipped)"
    assert rows[second.batch] == "letterbox_reminder v1"


def test_a_reminder_printed_ahead_asks_for_the_letter_by_its_due_date(db: Database, coordinator: Principal,
                                                                      arrangement: int, tmp_path: Path) -> None:
    """User trial: January's reminders printed on 2 December asked for the letter "by 16 December", before
    the month it is due in (the reply-by date counted from the day of printing). Printed ahead, the date is
    the exchange's due date (or the working day after it); printed late, the usual ten working days from the letter's date."""
    def printed(today: dt.date, name: str) -> str:
        write_batch(db, coordinator, "reminder", tmp_path / name, month="2026-03", today=today)
        return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(str(tmp_path / name)).pages).split())

    # (the due date is Sunday 1 March 2026: the letter asks for it by the next working day)
    assert "by 2 March 2026, quoting" in printed(dt.date(2026, 2, 2), "ahead.pdf")
    assert "by 17 March 2026, quoting" in printed(dt.date(2026, 3, 3), "late.pdf")
