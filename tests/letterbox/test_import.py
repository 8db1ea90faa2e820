"""Spreadsheet import: validation report before writing, all-or-nothing, update on re-import, random cells."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.importing import Table, guess_mapping, import_file, plan_import
from adoption_desktop.letterbox.models import Arrangement, Participant
from adoption_desktop.letterbox.service import ArrangementFilter

HEADERS = ["Ref", "Birth name", "Adoptive name", "DOB", "Adopters", "Adopters address", "Birth relative",
           "Relationship", "Birth address", "Months", "Writes first", "Start", "Review", "Status", "Notes"]


def good_rows() -> list[list[object]]:
    return [
        ["IMP-001", "Ivy Dunwick", "Ivy Heronby", dt.datetime(2015, 2, 3), "Dev Heronby", "4 Lark Rise\nOakmere\nZZ99 2AB",
         "Tara Dunwick", "birth mother", "9 Fen Walk\nLowmarsh\nZZ99 8XY", "April", "adoptive",
         "01/04/2017", "2027-04-01", "active", "imported from the old register"],
        ["IMP-001", "Ivy Dunwick", "Ivy Heronby", dt.datetime(2015, 2, 3), "Dev Heronby", "4 Lark Rise\nOakmere\nZZ99 2AB",
         "Will Dunwick", "birth grandfather", "", "April", "adoptive", "01/04/2017", "2027-04-01", "active", ""],
        ["IMP-002", "Max Copple", "Max Wrenford", "2012-11-30", "Bea Wrenford", "1 Vetch Lane\nNorthwold\nZZ99 3CD",
         "Lola Copple", "sister", "2 Moss Court\nEastholm\nZZ99 5EF", "3, 9", "birth", "2014-01-01", "", "", ""],
    ]


def write_xlsx(path: Path, rows: list[list[object]], headers: list[str] = HEADERS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def count(db: Database) -> tuple[int, int]:
    with db.session(write=False) as s:
        return (int(s.scalar(select(func.count(Arrangement.id))) or 0),
                int(s.scalar(select(func.count(Participant.id))) or 0))


def test_mapping_guessed_from_headers() -> None:
    m = guess_mapping(HEADERS)
    assert m["reference"] == 0 and m["child_birth_name"] == 1 and m["relative_address"] == 8
    assert m["exchange_months"] == 9 and m["first_writer"] == 10


def test_import_creates_then_reimport_updates_not_duplicates(db: Database, coordinator: Principal,
                                                             tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", good_rows())
    dry = import_file(db, coordinator, path, dry_run=True)
    assert dry.creates == 2 and not dry.written and count(db) == (0, 0)
    report = import_file(db, coordinator, path)
    assert report.written and report.creates == 2 and count(db) == (2, 3)
    again = import_file(db, coordinator, path)
    assert again.written and again.creates == 0 and again.unchanged == 2 and count(db) == (2, 3)
    rows = good_rows()
    rows[2][9] = "June"
    changed = import_file(db, coordinator, write_xlsx(tmp_path / "register2.xlsx", rows))
    assert changed.updates == 1 and count(db) == (2, 3)
    arr = service.list_arrangements(db, coordinator, ArrangementFilter(query="wrenford"))
    assert [a.exchange_months for a in arr] == ["June"]


def test_malformed_file_changes_nothing_and_reports_every_bad_row(db: Database, coordinator: Principal,
                                                                 tmp_path: Path) -> None:
    rows = good_rows()
    rows.append(["", "No Ref", "", "", "", "", "", "", "", "May", "", "", "", "", ""])
    rows.append(["IMP-004", "A B", "C D", "31/02/2015", "", "", "", "", "", "Smarch", "nobody", "", "", "lost", ""])
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    report = import_file(db, coordinator, path)
    assert not report.written and count(db) == (0, 0)
    problems = {(p.row, p.column) for p in report.problems}
    assert (5, "A (Ref)") in problems
    assert {(6, "D (DOB)"), (6, "J (Months)"), (6, "K (Writes first)"), (6, "N (Status)")} <= problems
    for p in report.problems:
        assert p.problem


def test_csv_is_imported_too(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for r in good_rows():
            w.writerow([x.strftime("%d/%m/%Y") if isinstance(x, dt.datetime) else x for x in r])
    assert import_file(db, coordinator, path).creates == 2


cells = st.one_of(st.none(), st.text(max_size=40), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                  st.dates(), st.booleans(), st.sampled_from(["March", "3,9", "yes", "01/02/2020", "active"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, min_size=0, max_size=len(HEADERS) + 2), max_size=6))
def test_random_cell_values_never_crash(db: Database, coordinator: Principal, rows: list[list[object]]) -> None:
    from adoption_desktop.letterbox.importing import _cell

    table = Table(HEADERS, [[_cell(c) for c in r] + [""] * (len(HEADERS) - len(r)) for r in rows])
    with db.session(coordinator, write=False) as s:
        plan = plan_import(s, table, guess_mapping(HEADERS))
    for p in plan.problems:
        assert p.row >= 1 and p.column and p.problem


safe_text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30)
xlsx_cells = st.one_of(st.none(), safe_text, st.integers(-10**6, 10**6), st.dates(),
                       st.sampled_from(["IMP-9", "March", "3,9", "yes", "01/02/2020", "active", "birth", ""]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(xlsx_cells, min_size=1, max_size=len(HEADERS)), min_size=1, max_size=5))
def test_random_spreadsheets_import_all_or_nothing(db: Database, coordinator: Principal, tmp_path: Path,
                                                  rows: list[list[object]]) -> None:
    before = count(db)
    path = write_xlsx(tmp_path / "random.xlsx", rows)
    report = import_file(db, coordinator, path)
    if report.problems:
        assert not report.written and count(db) == before
    else:
        assert report.written


def test_protected_terms_of_both_sides_are_imported(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    headers = [*HEADERS, "Protected terms", "Birth side's protected terms"]
    rows = [[*good_rows()[2], "Wrenford Cubs; Northwold Academy", "Pellow, Eastholm Tyres"]]
    report = import_file(db, coordinator, write_xlsx(tmp_path / "terms.xlsx", rows, headers))
    assert not report.problems and report.creates == 1
    arr = service.list_arrangements(db, coordinator, ArrangementFilter(query="IMP-002"))[0]
    terms = {(t.side, t.term) for t in service.get_arrangement(db, coordinator, arr.id).data.protected}
    assert {("adoptive", "Wrenford Cubs"), ("adoptive", "Northwold Academy"),
            ("birth", "Pellow"), ("birth", "Eastholm Tyres")} <= terms


def test_reimport_keeps_what_the_register_has_no_column_for(db: Database, coordinator: Principal,
                                                            tmp_path: Path) -> None:
    """A register re-imported over an arrangement with direct contact and a salutation (fields the
    spreadsheet does not carry) changes only its mapped columns: nothing else is reset to a default."""
    from tests.letterbox.conftest import sample_input

    aid = service.create_arrangement(db, coordinator, sample_input(
        "KEEP-01", adopters_salutation="Mx Thornley", contact_kind="direct_and_letterbox", direct_form="video",
        direct_started_on=dt.date(2022, 6, 1)))
    before = service.get_arrangement(db, coordinator, aid).data
    sheet = write_xlsx(tmp_path / "notes.xlsx", [["KEEP-01", "Contact reviewed in May."]], headers=["Ref", "Notes"])
    assert import_file(db, coordinator, sheet).updates == 1
    after = service.get_arrangement(db, coordinator, aid).data
    assert after.notes == "Contact reviewed in May."
    for kept in ("adopters_salutation", "contact_kind", "direct_form", "direct_started_on", "direct_ended_on",
                 "exchange_months", "child_adoptive_name"):
        assert getattr(after, kept) == getattr(before, kept), kept
    assert import_file(db, coordinator, sheet).unchanged == 1  # the same file again changes nothing


CONTACT_HEADERS = ["Ref", "Adopters", "Months", "Start", "Kind of contact", "Direct contact form",
                   "Direct contact began", "Direct contact ended"]


def test_the_kind_of_contact_is_imported_and_checked(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    assert guess_mapping(CONTACT_HEADERS)["contact_kind"] == 4
    assert guess_mapping(CONTACT_HEADERS)["direct_ended_on"] == 7
    rows = [["DC-01", "Ann Pellow", "May", "01/02/2019", "Direct contact and letterbox", "Video call", "01/03/2020", ""],
            ["DC-02", "Bo Pellow", "June", "01/02/2019", "letterbox only", "", "", ""],
            ["DC-03", "Cy Pellow", "July", "01/02/2019", "", "", "", ""]]
    report = import_file(db, coordinator, write_xlsx(tmp_path / "contact.xlsx", rows, CONTACT_HEADERS))
    assert report.written and report.creates == 3, report.problems
    by_ref = {a.reference: service.get_arrangement(db, coordinator, a.id).data
              for a in service.list_arrangements(db, coordinator, ArrangementFilter(query="pellow"))}
    assert (by_ref["DC-01"].contact_kind, by_ref["DC-01"].direct_form, by_ref["DC-01"].direct_started_on) == \
        ("direct_and_letterbox", "video", dt.date(2020, 3, 1))
    assert by_ref["DC-02"].contact_kind == by_ref["DC-03"].contact_kind == "letterbox"
    # an update that only names the kind keeps the stored form and date; an empty cell keeps the kind
    update = [["DC-01", "Ann Pellow", "May", "01/02/2019", "direct only", "", "", "30/09/2026"],
              ["DC-03", "Cy Pellow", "July", "01/02/2019", "", "", "", ""]]
    report = import_file(db, coordinator, write_xlsx(tmp_path / "contact2.xlsx", update, CONTACT_HEADERS))
    assert report.written and report.updates == 1 and report.unchanged == 1, report.problems
    dc1 = next(service.get_arrangement(db, coordinator, a.id).data
               for a in service.list_arrangements(db, coordinator, ArrangementFilter(query="DC-01")))
    assert (dc1.contact_kind, dc1.direct_form, dc1.direct_started_on, dc1.direct_ended_on) == \
        ("direct", "video", dt.date(2020, 3, 1), dt.date(2026, 9, 30))
    from adoption_desktop.core.storage.lifecycle import verify_database

    checked = verify_database(db)  # the rows written in bulk are sealed with the columns they hold
    assert checked.ok, checked.problems


def test_inconsistent_kinds_of_contact_refuse_the_whole_import(db: Database, coordinator: Principal,
                                                               tmp_path: Path) -> None:
    bad = [["DX-01", "Di Quorn", "May", "01/02/2019", "direct contact only", "", "01/03/2020", ""],  # no form
           ["DX-02", "Ed Quorn", "May", "01/02/2019", "letterbox only", "face to face", "", ""],  # details on letterbox
           ["DX-03", "Fi Quorn", "May", "01/02/2019", "sometimes", "", "", ""],  # not a kind
           ["DX-04", "Gu Quorn", "May", "01/02/2019", "Direct contact and letterbox", "both", "01/01/2018", ""]]
    path = write_xlsx(tmp_path / "bad.xlsx", bad, CONTACT_HEADERS)
    for dry_run in (True, False):
        report = import_file(db, coordinator, path, dry_run=dry_run)
        assert not report.written and count(db) == (0, 0)
        rows = {p.row: p for p in report.problems}
        assert sorted(rows) == [2, 3, 4, 5], report.problems
        assert "say how it happens" in rows[2].problem and rows[2].column.startswith("F")
        assert "letterbox only" in rows[3].problem
        assert "'sometimes' is not one of" in rows[4].problem and rows[4].column.startswith("E")
        assert "before the arrangement started" in rows[5].problem


# --- user trial: messages that misled -----------------------------------------------------------------------
def _csv_rows() -> list[list[str]]:
    return [HEADERS, *([x.strftime("%d/%m/%Y") if isinstance(x, dt.datetime) else str(x) for x in r]
                       for r in good_rows())]


def _write_csv(path: Path, delimiter: str, encoding: str) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows(_csv_rows())
    return path


def test_utf16_tab_and_semicolon_csv_files_are_read(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """Excel's "Unicode text" (UTF-16 with the BOM FF FE, tab-separated) and a semicolon CSV were refused
    as "no column is mapped to Reference"."""
    unicode_text = _write_csv(tmp_path / "unicode.csv", "\t", "utf-16")
    assert unicode_text.read_bytes()[:2] == b"\xff\xfe"
    for path in (unicode_text, _write_csv(tmp_path / "semicolon.csv", ";", "utf-8-sig"),
                 _write_csv(tmp_path / "tabs.csv", "\t", "utf-8")):
        report = import_file(db, coordinator, path, dry_run=True)
        assert not report.problems, (path.name, report.problems)
        assert report.creates == 2
    assert import_file(db, coordinator, unicode_text).written and count(db) == (2, 3)


def test_register_on_the_second_sheet_is_read_and_the_report_says_so(db: Database, coordinator: Principal,
                                                                      tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", good_rows())
    wb = openpyxl.load_workbook(path)
    wb.active.title = "Register"  # type: ignore[union-attr]
    notes = wb.create_sheet("Read me", 0)
    notes.append(["How to use this register"])
    notes.append(["One row per birth relative."])
    wb.save(path)
    report = import_file(db, coordinator, path)
    assert report.written and report.creates == 2 and not report.problems
    assert any("first sheet, 'Read me', has no Reference heading" in w.problem and "'Register'" in w.problem
               for w in report.warnings)


def test_a_csv_renamed_to_xlsx_is_named_as_csv_text(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    import pytest

    from adoption_desktop.core.errors import ValidationError

    path = _write_csv(tmp_path / "register.xlsx", ",", "utf-8")
    with pytest.raises(ValidationError, match=r"not an Excel workbook \(it looks like CSV text\): save it as .csv"):
        import_file(db, coordinator, path)


def test_month_first_dates_are_named_as_such(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    """A US register: 12/25/2018 was refused, but 06/01/2020 in the same column would go in as 6 January."""
    rows = good_rows()
    rows[0][11] = rows[1][11] = "04/03/2021"
    rows[2][11] = "12/25/2018"
    report = import_file(db, coordinator, write_xlsx(tmp_path / "us.xlsx", rows))
    assert not report.written and count(db) == (0, 0)
    said = [p for p in report.problems if "month-first (US)" in p.problem]
    assert len(said) == 1 and said[0].row == 4 and said[0].column == "L (Start)"
    assert "12/25/2018" in said[0].problem and "DD/MM/YYYY" in said[0].problem
    # the column's own date shows the swap (the message quoted a fixed 06/01/2020, letterbox trial)
    assert "row 2's 04/03/2021 would be read as 4 March 2021" in said[0].problem
    assert "06/01/2020" not in said[0].problem
    rows[2][11] = "31/02/2018"  # not a date either way: no word of US dates
    report = import_file(db, coordinator, write_xlsx(tmp_path / "bad.xlsx", rows))
    assert report.problems and not any("month-first" in p.problem for p in report.problems)


def test_repeated_rows_are_merged_with_a_warning(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    rows = good_rows()
    again = list(rows[0])
    again[6] = "Tara  Dunwick"  # a double space
    rows.insert(2, again)  # row 4
    rows.append(list(rows[-1]))  # row 6
    report = import_file(db, coordinator, write_xlsx(tmp_path / "dup.xlsx", rows))
    assert report.written and report.creates == 2 and count(db) == (2, 3)
    merged = [w for w in report.warnings if "repeat an earlier row" in w.problem]
    assert len(merged) == 1 and "2 rows" in merged[0].problem and "rows 4, 6" in merged[0].problem


def test_a_file_with_only_headings_says_so(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "empty.xlsx", [])
    report = import_file(db, coordinator, path, dry_run=True)
    assert report.creates == 0 and not report.problems
    assert [w.problem for w in report.warnings] == [
        "The file has no rows under its headings: there is nothing to import."]
