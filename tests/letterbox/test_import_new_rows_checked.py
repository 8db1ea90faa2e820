"""Import: a new row goes through the arrangement form's own checks, as an update does (user trial 19).

The trial's files (/tmp/ut19/imp/bypass.csv, formula2.csv, formula3.csv) imported a child "12345", adopters
"+44 7700 900000" and a relative "?" as new arrangements with only warnings ("Dear +44 7700 900000," in the
reminder), which the form then refused to save; "=1+2" in Adopters was a warning on a new row but a problem,
without its column letter, on an update; and a dry run passed what the import itself then refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import select, update

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.importing import import_file
from adoption_desktop.letterbox.models import Arrangement, Participant
from adoption_desktop.letterbox.service import ArrangementInput, ParticipantData
from tests.letterbox.test_import import count

TODAY = dt.date(2026, 11, 23)
HEADER = ("Reference,Child's birth name,Child's adoptive name,Child's date of birth,Adopters,Adopters' address,"
          "Birth relative,Relationship,Birth relative's address,Exchange months,Start date,Coordinator,Notes\n")
# the trial's rows as they were (its coordinator "letterbox" is the test's coordinator account here)
BYPASS = ('BY-0001,12345,-Newname,01/02/2018,+44 7700 900000,"1 Fake Street",?,Birth mother,"=2 Fake Road",March,'
          "01/03/2020,lbcoord,note\n")
FORMULA = ('{ref},Testchild 0,Newname 0,01/02/2018,=1+2,"1 Fake Street, Nowhere",@Birthmum,Birth mother,'
           '"2 Fake Road, Elsewhere","March, September",01/03/2020,lbcoord,{note}\n')
GOOD = ('{ref},Testchild 0,Newname 0,01/02/2018,Mr and Mrs Fakename,"1 Fake Street, Nowhere",Birthmum 0,'
        'Birth mother,"2 Fake Road, Elsewhere","March, September",01/03/2020,lbcoord,{note}\n')


def csv_file(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def both(db: Database, who: Principal, path: Path) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    """The problems of a dry run and of the import itself, as (row, column, problem)."""
    dry = import_file(db, who, path, dry_run=True, today=TODAY)
    real = import_file(db, who, path, today=TODAY)
    assert not dry.written and not real.written
    return ([(p.row, p.column, p.problem) for p in dry.problems],
            [(p.row, p.column, p.problem) for p in real.problems])


def test_a_new_row_is_refused_where_the_form_would_refuse_it(db: Database, coordinator: Principal,
                                                            tmp_path: Path) -> None:
    dry, real = both(db, coordinator, csv_file(tmp_path / "bypass.csv", BYPASS))
    assert dry == real
    found = {(row, column): text for row, column, text in real}
    assert set(found) == {(2, "B (Child's birth name)"), (2, "C (Child's adoptive name)"), (2, "E (Adopters)"),
                          (2, "G (Birth relative)"), (2, "I (Birth relative's address)")}
    assert found[(2, "B (Child's birth name)")] == "Child's birth name: has no letters; type it out in letters."
    assert found[(2, "G (Birth relative)")] == "Birth relative: has no letters; type it out in letters."
    assert found[(2, "C (Child's adoptive name)")].startswith("Child's adoptive name: cannot begin with '-'")
    assert found[(2, "E (Adopters)")].startswith("Adopters: cannot begin with '+'")
    assert found[(2, "I (Birth relative's address)")].startswith("Birth relative's address: cannot begin with '='")
    assert count(db) == (0, 0)


@pytest.mark.parametrize("first", [False, True], ids=["new", "update"])
def test_a_formula_like_name_is_the_same_problem_on_a_new_row_and_on_an_update(
        db: Database, coordinator: Principal, tmp_path: Path, first: bool) -> None:
    """formula2.csv (a new arrangement) and formula3.csv / formula4.csv (an update of ZZ-0001)."""
    if first:
        assert import_file(db, coordinator, csv_file(tmp_path / "ok.csv", GOOD.format(ref="ZZ-0001", note="note")),
                           today=TODAY).written
    dry, real = both(db, coordinator, csv_file(tmp_path / "f.csv", FORMULA.format(ref="ZZ-0001",
                                                                                 note="note changed")))
    assert dry == real
    assert [(row, column) for row, column, _ in real] == [(2, "E (Adopters)"), (2, "G (Birth relative)")]
    assert real[0][2].startswith("Adopters: cannot begin with '='; a spreadsheet would run such text as a formula")
    assert real[1][2].startswith("Birth relative: cannot begin with '@'")
    with db.session(write=False) as s:
        assert list(s.scalars(select(Participant.name))) == (["Birthmum 0"] if first else [])
        assert list(s.scalars(select(Arrangement.notes))) == (["note"] if first else [])


def test_a_good_file_still_imports_as_the_form_would_store_it(db: Database, coordinator: Principal,
                                                             tmp_path: Path) -> None:
    path = csv_file(tmp_path / "ok.csv", *(GOOD.format(ref=f"ZZ-000{n}", note="- prefers email") for n in range(3)))
    dry = import_file(db, coordinator, path, dry_run=True, today=TODAY)
    assert not dry.problems and dry.creates == 3
    report = import_file(db, coordinator, path, today=TODAY)
    assert report.written and report.creates == 3 and not report.problems
    # a note may start with a dash (only warned about: notes are never a name or an address line)
    assert {(w.row, w.column) for w in report.warnings} == {(2, "M (Notes)"), (3, "M (Notes)"), (4, "M (Notes)")}
    with db.session(write=False) as s:
        aid = s.scalar(select(Arrangement.id).where(Arrangement.reference == "ZZ-0000"))
    assert aid is not None
    detail = service.get_arrangement(db, coordinator, aid)
    # the form saves it again as it is
    service.update_arrangement(db, coordinator, aid, detail.data, expected_version=detail.row_version)


def test_a_stored_value_the_form_refuses_is_reported_by_the_dry_run_as_by_the_import(
        db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """An arrangement imported by an earlier version with adopters "+44 7700 900000": updating its notes was
    refused only when writing (column "Adopters' names", no letter), after a dry run that said it would work."""
    assert import_file(db, coordinator, csv_file(tmp_path / "ok.csv", GOOD.format(ref="ZZ-0001", note="note")),
                       today=TODAY).written
    with db.session() as s:
        s.execute(update(Arrangement).values(adopters_name="+44 7700 900000"))
    no_adopters = HEADER.replace("Adopters,", "")
    row = GOOD.format(ref="ZZ-0001", note="note changed").replace("Mr and Mrs Fakename,", "")
    path = tmp_path / "notes.csv"
    path.write_text(no_adopters + row, encoding="utf-8")
    dry, real = both(db, coordinator, path)
    assert dry == real
    assert [(r, c) for r, c, _ in real] == [(2, "Adopters")]
    assert real[0][2].startswith("ZZ-0001: Adopters' names: cannot begin with '+'")
    assert real[0][2].endswith("(with what is stored for it)")


VALUES = ["12345", "?", "-Newname", "+44 7700 900000", "@Birthmum", "=1+2", "Ann-Marie O'Neil", "Zoë Lee-Smith",
          "Mr and Mrs Fakename", "نیک\u200cزاد", "A. B."]


@pytest.mark.parametrize("value", VALUES)
def test_the_import_refuses_a_name_exactly_when_the_form_does(db: Database, coordinator: Principal,
                                                              tmp_path: Path, value: str) -> None:
    def form_refuses(**fields: str) -> bool:
        data = ArrangementInput("F-1", "Testchild", "Newname", dt.date(2018, 2, 1), "Mr and Mrs Fakename",
                                "1 Fake Street", participants=(ParticipantData("Birthmum", "birth mother", ""),),
                                coordinator="lbcoord")
        if "relative" in fields:
            data = ArrangementInput(**{**data.__dict__, "participants": (
                ParticipantData(fields["relative"], "birth mother", ""),)})
        else:
            data = ArrangementInput(**{**data.__dict__, **fields})
        try:
            service._validate(data)
        except ValidationError:
            return True
        return False

    cases = {"B (Child's birth name)": ({"child_birth_name": value}, 1),
             "E (Adopters)": ({"adopters_name": value}, 4), "G (Birth relative)": ({"relative": value}, 6)}
    for column, (fields, index) in cases.items():
        cells = next(csv.reader([GOOD.format(ref="F-1", note="note")]))
        cells[index] = value
        out = io.StringIO()
        csv.writer(out).writerow(cells)
        report = import_file(db, coordinator, csv_file(tmp_path / "v.csv", out.getvalue()), dry_run=True,
                             today=TODAY)
        assert (column in {p.column for p in report.problems}) == form_refuses(**fields), (column, value)


def test_the_command_line_names_row_and_column(db: Database, db_path: Path, tmp_path: Path, admin: Principal,
                                              coordinator: Principal, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    db.dispose()
    from adoption_desktop.cli import main
    from tests.conftest import TEST_PASSWORD

    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)
    path = csv_file(tmp_path / "bypass.csv", BYPASS)
    assert main(["import", "letterbox", "--db", str(db_path), "--user", admin.username, "--file", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 2, column E (Adopters): Adopters: cannot begin with '+'" in err
    assert "row 2, column B (Child's birth name): Child's birth name: has no letters" in err


def test_the_form_refuses_an_address_line_that_starts_like_a_formula(db: Database, coordinator: Principal) -> None:
    """The import's new rows and the form share one check: "=2 Fake Road" is refused in both (the form took it)."""
    base = ArrangementInput("F-2", "Testchild", "Newname", dt.date(2018, 2, 1), "Mr and Mrs Fakename",
                            "1 Fake Street\n=2 Fake Road", exchange_months="3", coordinator="lbcoord")
    with pytest.raises(ValidationError, match=r"^Adopters' address, line 2: cannot begin with '='"):
        service.create_arrangement(db, coordinator, base)
    relative = ArrangementInput(**{**base.__dict__, "adopters_address": "1 Fake Street", "participants": (
        ParticipantData("Birthmum", "birth mother", "@2 Fake Road"),)})
    with pytest.raises(ValidationError, match=r"^Birth relative's address: cannot begin with '@'"):
        service.create_arrangement(db, coordinator, relative)
    # a telephone number under an address (as earlier versions stored it) is kept
    phone = ArrangementInput(**{**relative.__dict__, "reference": "F-3", "participants": (), "adopters_address":
                                "12 Fake Street\nDellmouth\nZZ99 4EF\n+44 7700 900123"})
    assert service.create_arrangement(db, coordinator, phone)
    # a line starting with a dash inside the notes is still fine
    assert service.create_arrangement(db, coordinator, ArrangementInput(**{**relative.__dict__, "participants": (
        ParticipantData("Birthmum", "birth mother", "2 Fake Road"),), "notes": "- prefers email"}))
