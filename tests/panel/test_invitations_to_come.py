"""Invitation letters are written only for a sitting still to come, and ask for conflicts of interest before
it (user trial: three letters dated 6 December said the case "will be considered by the adoption panel on 24
November 2026" and asked for conflicts "by 18 December 2026", after the panel had met). A sitting today or
earlier, or cancelled, is refused with nothing written; in the window *Invitations (PDF)…* is greyed for it,
its tooltip saying why; a sitting tomorrow gets letters asking by the end of today."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.documents.pdf import Letterhead
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.panel import documents, rules
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import SITTING_DAY, Panel

HEAD = Letterhead("Example RAA", "1 Example St\nZZ99 1AA")


def _with_items(p: Panel, sitting_id: int | None = None) -> int:
    sitting = sitting_id or p.sitting_id
    for n, case_type in enumerate(("approval", "match")):
        svc.add_item(p.db, p.clerk, sitting, svc.ItemInput(case_type, f"AD-2026-07{n}", "XY", "Jay Quillby",
                                                           f"1{n}:00"))
    return sitting


def _text(path: Path) -> str:
    return " ".join(" ".join((pg.extract_text() or "").split()) for pg in PdfReader(str(path)).pages)


@pytest.mark.parametrize(("today", "said"), [
    (dt.date(2026, 12, 6), "The sitting of Tuesday 10 November 2026 has been held: invitations are for sittings "
                           "still to come. Nothing was written."),
    (SITTING_DAY, "The sitting of Tuesday 10 November 2026 is today: invitations are for sittings still to come. "
                  "Nothing was written."),
], ids=["held", "today"])
def test_invitations_for_a_sitting_today_or_held_are_refused_and_no_file_is_made(
        panel: Panel, tmp_path: Path, today: dt.date, said: str) -> None:
    _with_items(panel)
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=today)
    folder = tmp_path / "letters"
    folder.mkdir()
    with pytest.raises(ValidationError) as refused:
        documents.write_invitations(folder / "inv.pdf", pack, HEAD, "Pat Brackenley", today=today)
    assert str(refused.value) == said
    assert list(folder.iterdir()) == []  # nor a part-written temporary file
    with pytest.raises(ValidationError):
        documents.invitation_letters(pack, "Pat Brackenley", today=today)


def test_invitations_for_a_cancelled_sitting_are_refused(panel: Panel, tmp_path: Path) -> None:
    later = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        dt.date(2026, 12, 8), "10:00", "13:00", "Room 2, Civic Centre"))[0]
    svc.add_item(panel.db, panel.clerk, later, svc.ItemInput("approval", "AD-2026-0801", "XY", "Jay Quillby"))
    svc.cancel_sitting(panel.db, panel.clerk, later, "Chair ill")
    pack = svc.minutes_pack(panel.db, panel.clerk, later, today=dt.date(2026, 11, 23))
    with pytest.raises(ValidationError) as refused:
        documents.write_invitations(tmp_path / "inv.pdf", pack, HEAD, "Pat Brackenley", today=dt.date(2026, 11, 23))
    assert str(refused.value) == ("The sitting of Tuesday 8 December 2026 was cancelled: invitations are for "
                                  "sittings still to come. Nothing was written.")
    assert not (tmp_path / "inv.pdf").exists()


def test_a_sitting_tomorrow_asks_by_the_end_of_today(panel: Panel, tmp_path: Path) -> None:
    """The letters of a sitting tomorrow asked for conflicts "by 9 November 2026", a letter's own date read as
    any other; now they say it is today. Never a day on or after the sitting."""
    _with_items(panel)
    today = dt.date(2026, 11, 9)
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=today)
    out = tmp_path / "inv.pdf"
    assert documents.write_invitations(out, pack, HEAD, "Pat Brackenley", today=today,
                                       reply_by=dt.date(2026, 11, 23)) == 2
    text = _text(out)
    assert "will be considered by the adoption panel on 10 November 2026" in text
    assert "by the end of today (9 November 2026) so that the chair" in text
    assert "23 November 2026" not in text


def test_a_sitting_weeks_away_asks_two_working_days_before_it(panel: Panel, tmp_path: Path) -> None:
    _with_items(panel)
    today = dt.date(2026, 11, 2)  # 10 working days on: 16 November, after the sitting of the 10th
    pack = svc.minutes_pack(panel.db, panel.clerk, panel.sitting_id, today=today)
    letters = documents.invitation_letters(pack, "Pat Brackenley", today=today)
    body = " ".join(" ".join(p if isinstance(p, str) else " ".join(p) for p in letter.text.paragraphs)
                    for letter in letters)
    assert "by 6 November 2026 so that" in body and "today" not in body


def test_reply_by_is_before_the_sitting_and_not_before_the_letter() -> None:
    cal = WorkingCalendar()
    tue, usual = dt.date(2026, 11, 24), dt.date(2026, 12, 31)
    # weeks ahead: two working days before (Friday 20th); the usual date when it comes first
    assert rules.invitation_reply_by(tue, dt.date(2026, 11, 2), usual, cal) == dt.date(2026, 11, 20)
    assert rules.invitation_reply_by(tue, dt.date(2026, 11, 2), dt.date(2026, 11, 16), cal) == dt.date(2026, 11, 16)
    # a letter of Friday 20th: two working days before is its own day, so the Monday, the last before the sitting
    assert rules.invitation_reply_by(tue, dt.date(2026, 11, 20), usual, cal) == dt.date(2026, 11, 23)
    # the day before (and a Monday sitting on a letter of the Friday): the letter's own day, nothing later
    assert rules.invitation_reply_by(tue, dt.date(2026, 11, 23), usual, cal) == dt.date(2026, 11, 23)
    assert rules.invitation_reply_by(dt.date(2026, 11, 30), dt.date(2026, 11, 27), usual, cal) == \
        dt.date(2026, 11, 27)
    # the agency's closure days are not replied on
    closed = WorkingCalendar([dt.date(2026, 11, 20)])
    assert rules.invitation_reply_by(tue, dt.date(2026, 11, 2), usual, closed) == dt.date(2026, 11, 19)
    assert rules.invitations_problem(tue, "scheduled", dt.date(2026, 11, 23)) is None


def _page(qtbot: QtBot, p: Panel, today: dt.date) -> PanelPage:
    page = PanelPage(AppContext(p.db, p.clerk, TaskRunner(synchronous=True)), today=today)
    qtbot.addWidget(page)
    return page


def _select(page: PanelPage, sitting_id: int) -> QPushButton:
    page.reload(select_sitting=sitting_id)
    assert page.sitting is not None and page.sitting.id == sitting_id
    button = page.findChild(QPushButton, "export_invitations")
    assert button is not None
    return button


def _exports(p: Panel) -> int:
    with p.db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export")) or 0


def test_window_greys_invitations_for_a_held_sitting_saying_why(qtbot: QtBot, panel: Panel,
                                                                 tmp_path: Path) -> None:
    _with_items(panel)
    later = _with_items(panel, svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        dt.date(2026, 12, 8), "10:00", "13:00", "Room 2, Civic Centre"))[0])
    page = _page(qtbot, panel, dt.date(2026, 12, 6))
    held = _select(page, panel.sitting_id)
    assert not held.isEnabled()
    assert held.toolTip() == ("The sitting of Tuesday 10 November 2026 has been held: invitations are for sittings "
                              "still to come.")
    before = _exports(panel)
    out = tmp_path / "held.pdf"
    page.export_invitations(out)  # Alt+O or a test reaching past the greyed button: refused, nothing made
    assert not out.exists()
    assert page.status.text() == ("The sitting of Tuesday 10 November 2026 has been held: invitations are for "
                                  "sittings still to come. Nothing was written.")
    assert _exports(panel) == before  # the minutes were not even read for it
    to_come = _select(page, later)
    assert to_come.isEnabled() and "prospective adopters" in to_come.toolTip()
    page.export_invitations(tmp_path / "later.pdf")
    assert page.status.text() == f"2 invitation letters written to {tmp_path / 'later.pdf'}.", page.status.text()
    # a letter of Sunday 6th: two working days before the 8th (Friday 4th) has gone, so Monday 7th
    assert "by 7 December 2026 so that" in _text(tmp_path / "later.pdf")


def test_window_greys_invitations_on_the_sittings_day_and_warns_the_day_before(qtbot: QtBot, panel: Panel,
                                                                               tmp_path: Path) -> None:
    _with_items(panel)
    button = _select(_page(qtbot, panel, SITTING_DAY), panel.sitting_id)
    assert not button.isEnabled() and "is today" in button.toolTip()
    page = _page(qtbot, panel, dt.date(2026, 11, 9))
    assert _select(page, panel.sitting_id).isEnabled()
    out = tmp_path / "inv.pdf"
    page.export_invitations(out)
    assert "by the end of today (9 November 2026)" in _text(out)
    assert page.status.text().startswith(f"2 invitation letters written to {out}. The sitting is so close")
    assert "telephone the applicants today" in page.status.text()
