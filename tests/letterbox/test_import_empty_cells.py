"""An update from a register with empty cells keeps what is stored (tester's finding: a row whose Adopters,
Adopters' address, Coordinator, Notes and Birth relative's address cells were empty erased them all, the
birth mother's letters became "held on file" and the next reminders went to "The adoptive family / Dear Sir
or Madam" with no address, reported only as "1 updated")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.importing import Table, import_file, import_table
from adoption_desktop.letterbox.service import ParticipantData
from tests.letterbox.conftest import sample_input

#: the tester's register: the mapped columns of the arrangement and of its birth mother, mostly empty
HEADERS = "Reference,Adopters,Adopters' address,Coordinator,Notes,Birth relative,Relationship,Birth relative's address"


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join((HEADERS, *rows)) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def stored(db: Database, coordinator: Principal) -> int:
    """LB-0001 with everything the register's columns could blank, and a birth mother with a salutation."""
    data = sample_input(coordinator="lbcoord", notes="Birth mother prefers letters in March.",
                        participants=(ParticipantData("Gina Quillfield", "birth mother", "3 Moss Row\nGreystow\nZZ99 7QT",
                                                      salutation="Ms Quillfield"),))
    return service.create_arrangement(db, coordinator, data)


def _as_stored(db: Database, coordinator: Principal, aid: int) -> tuple[object, ...]:
    d = service.get_arrangement(db, coordinator, aid).data
    gina = d.participants[0]
    return (d.adopters_name, d.adopters_address, d.coordinator, d.notes, gina.relationship, gina.address,
            gina.salutation)


BEFORE = ("Sam and Alex Thornley", "12 Heron Gate\nDellmouth\nZZ99 4EF", "lbcoord",
          "Birth mother prefers letters in March.", "birth mother", "3 Moss Row\nGreystow\nZZ99 7QT", "Ms Quillfield")


def test_empty_cells_keep_the_stored_values_and_the_report_counts_them(db: Database, coordinator: Principal,
                                                                        stored: int, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "gaps.csv", "LB-0001,,,,,Gina Quillfield,birth mother,")
    dry = import_file(db, coordinator, sheet, dry_run=True)
    assert not dry.problems and not dry.written
    # adopters, their address, coordinator, notes and the birth mother's address: five stored values kept
    assert dry.kept == 5 and dry.kept_text.startswith("5 empty cells kept what is stored")
    assert (dry.updates, dry.unchanged) == (0, 1)  # nothing would change: not "1 updated"
    report = import_file(db, coordinator, sheet)
    assert report.written and report.kept == 5 and (report.updates, report.unchanged) == (0, 1)
    assert _as_stored(db, coordinator, stored) == BEFORE
    with db.session(write=False) as s:
        summary = s.scalars(select(AuditEntry.detail).where(AuditEntry.action == "letterbox_import")).one()
    assert summary.endswith("5 empty cells kept what is stored")


def test_a_filled_cell_still_updates_beside_empty_ones(db: Database, coordinator: Principal, stored: int,
                                                       tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "one.csv",
                      'LB-0001,Sam Thornley,,,"Moved to Lowmarsh.",Gina Quillfield,,"9 Fen Walk, Lowmarsh, ZZ99 8XY"')
    report = import_file(db, coordinator, sheet)
    assert report.written and report.updates == 1
    assert report.kept == 3  # the adopters' address, the coordinator and the birth mother's relationship
    after = _as_stored(db, coordinator, stored)
    assert after == ("Sam Thornley", BEFORE[1], "lbcoord", "Moved to Lowmarsh.", "birth mother",
                     "9 Fen Walk, Lowmarsh, ZZ99 8XY", "Ms Quillfield")


def test_empty_yes_no_months_and_date_cells_keep_what_is_stored(db: Database, coordinator: Principal,
                                                                 tmp_path: Path) -> None:
    aid = service.create_arrangement(db, coordinator, sample_input("LB-0002", email_allowed=True,
                                                                   replies_expected=True))
    months = service.get_arrangement(db, coordinator, aid).data.exchange_months
    assert months
    table = Table(["Ref", "Email allowed", "Replies expected", "Months", "Review", "Writes first"],
                  [["LB-0002", "", "no", "", "", ""]])
    report = import_table(db, coordinator, table)
    assert report.written and report.updates == 1
    # email allowed, the months, the review date and who writes first kept; replies expected set to no
    assert report.kept == 4
    d = service.get_arrangement(db, coordinator, aid).data
    assert (d.email_allowed, d.replies_expected, d.exchange_months, d.review_date, d.first_writer) == (
        True, False, months, dt.date(2027, 1, 10), "adoptive")


def test_a_new_arrangement_with_empty_cells_is_created_as_before(db: Database, coordinator: Principal,
                                                                 tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "new.csv", "LB-0100,Ann Pellow,,,,Lola Copple,sister,")
    report = import_file(db, coordinator, sheet)
    assert report.written and report.creates == 1 and report.kept == 0 and report.kept_text == ""
    aid = service.list_arrangements(db, coordinator, service.ArrangementFilter(query="LB-0100"))[0].id
    d = service.get_arrangement(db, coordinator, aid).data
    assert (d.adopters_name, d.adopters_address, d.notes, d.participants[0].address) == ("Ann Pellow", "", "", "")


_cell = st.sampled_from(["", "  ", "New value"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(adopters=_cell, address=_cell, notes=_cell, relative_address=_cell)
def test_each_cell_updates_when_filled_and_keeps_when_empty(db: Database, coordinator: Principal, stored: int,
                                                            adopters: str, address: str, notes: str,
                                                            relative_address: str) -> None:
    before = service.get_arrangement(db, coordinator, stored)
    table = Table(HEADERS.split(","), [["LB-0001", adopters, address, "", notes, "Gina Quillfield", "",
                                        relative_address]])
    report = import_table(db, coordinator, table, dry_run=True)
    cells = (adopters, address, notes, relative_address)
    # coordinator and relationship always empty here; each other empty cell keeps a stored value
    assert report.kept == 2 + sum(not c.strip() for c in cells)
    assert report.updates == (1 if any(c.strip() for c in cells) else 0)
    assert service.get_arrangement(db, coordinator, stored).data == before.data  # a dry run writes nothing


def test_cli_dry_run_then_import_keep_the_stored_values(db: Database, coordinator: Principal, stored: int,
                                                       db_path: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from adoption_desktop.cli import main
    from adoption_desktop.cli_support import open_db
    from tests.conftest import TEST_PASSWORD

    sheet = write_csv(tmp_path / "gaps.csv", "LB-0001,,,,,Gina Quillfield,birth mother,")
    db.dispose()
    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    args = ["import", "letterbox", "--db", str(db_path), "--user", "lbcoord", "--file", str(sheet)]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Would import: 0 new, 0 updated, 1 unchanged arrangement(s)." in out
    assert "5 empty cells kept what is stored" in out
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Imported: 0 new, 0 updated, 1 unchanged arrangement(s)." in out
    assert "5 empty cells kept what is stored" in out
    again = open_db(db_path)
    try:
        assert _as_stored(again, coordinator, stored) == BEFORE
    finally:
        again.dispose()


def test_the_window_and_the_page_say_how_many_empty_cells_kept_what_is_stored(  # type: ignore[no-untyped-def]
        qtbot, monkeypatch, db: Database, coordinator: Principal, stored: int, tmp_path: Path) -> None:
    from adoption_desktop.letterbox.views import import_dialog
    from adoption_desktop.letterbox.views.page import LetterboxPage
    from adoption_desktop.ui.context import AppContext
    from adoption_desktop.ui.tasks import TaskRunner

    sheet = write_csv(tmp_path / "gaps.csv", "LB-0001,,,,,Gina Quillfield,birth mother,")
    ctx = AppContext(db, coordinator, TaskRunner(synchronous=True))
    dialog = import_dialog.ImportDialog(ctx, sheet)
    qtbot.addWidget(dialog)
    assert dialog.check()
    assert "1 unchanged arrangement(s). 5 empty cells kept what is stored" in dialog.summary.text()

    def exec_(self: import_dialog.ImportDialog) -> int:
        self.do_import()
        return int(self.result())

    monkeypatch.setattr(import_dialog.ImportDialog, "exec", exec_)
    told: list[str] = []
    ctx.on_message = told.append
    page = LetterboxPage(ctx)
    qtbot.addWidget(page)
    page.open_import(sheet)
    assert told and "gaps.csv imported: 0 new, 0 updated, 1 unchanged" in told[-1]
    assert "5 empty cells kept what is stored" in told[-1]
    assert _as_stored(db, coordinator, stored) == BEFORE
