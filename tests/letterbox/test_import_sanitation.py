"""Import: issue 12 items 4 and 5 (bad characters, impossible dates, references after normalisation,
spreadsheet formulas), all-or-nothing with row and column named, and the audit chain after a bulk import."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from adoption_desktop.core import audit
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import service
from adoption_desktop.letterbox.importing import ImportCancelled, formula_risk, import_file, read_table
from adoption_desktop.letterbox.models import Arrangement, Participant, ProtectedTerm
from tests.letterbox.test_import import HEADERS, count, good_rows

TODAY = dt.date(2026, 11, 23)
NUL_MARK = "NULMARK"


def row(ref: str, **kw: object) -> list[object]:
    """A valid row (IMP-002's shape) with ``ref`` and any columns replaced by header name."""
    r: list[object] = list(good_rows()[2])
    r[0] = ref
    for name, value in kw.items():
        r[HEADERS.index(name.replace("_", " "))] = value
    return r


def bad_rows() -> list[list[object]]:
    """One problem per row, rows 2..9 (the header is row 1)."""
    return [
        row("SAN-001"),                                                 # 2: fine
        row("SAN-002", Birth_name=f"Ivy{NUL_MARK}Dunwick"),             # 3: NUL in a name (col B)
        row("SAN-003", DOB="01/01/0001"),                               # 4: year 0001 (col D)
        row("SAN-004", Review="31/12/9999"),                            # 5: year 9999 (col M)
        row("SAN-\u200b005"),                                           # 6: zero-width space in a reference (A)
        row("san-001"),                                                 # 7: same as row 2 after case folding (A)
        row("ＳＡＮ-001"),                                               # 8: full-width: same again (A)
        row("SAN-009", Adopters="=cmd|' /C calc'!A0"),                  # 9: a DDE payload (col E)
    ]


EXPECTED = {(3, "B (Birth name)"), (4, "D (DOB)"), (5, "M (Review)"), (6, "A (Ref)"), (7, "A (Ref)"),
            (8, "A (Ref)"), (9, "E (Adopters)")}


def write_csv(path: Path, rows: list[list[object]], headers: list[str] = HEADERS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        for r in rows:
            w.writerow([(x.strftime("%d/%m/%Y") if isinstance(x, dt.datetime) else x) for x in r])
    path.write_text(path.read_text(encoding="utf-8").replace(NUL_MARK, "\x00"), encoding="utf-8")
    return path


def write_xlsx_text(path: Path, rows: list[list[object]], headers: list[str] = HEADERS) -> Path:
    """Every string stored as text (a leading '=' stays text, as Excel does after an apostrophe); the NUL mark
    becomes Excel's escape ``_x0000_`` in the sheet XML (openpyxl refuses to write control characters)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(headers)
    for r in rows:
        ws.append(r)
    for cells in ws.iter_rows():
        for c in cells:
            if isinstance(c.value, str):
                c.data_type = "s"
    tmp = path.with_suffix(".tmp.xlsx")
    wb.save(tmp)
    with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/"):
                data = data.replace(NUL_MARK.encode(), b"_x0000_")
            zout.writestr(info, data)
    tmp.unlink()
    return path


def audit_count(db: Database) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count(AuditEntry.seq))) or 0)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_every_problem_named_by_row_and_column_and_nothing_written(db: Database, coordinator: Principal,
                                                                   tmp_path: Path, kind: str) -> None:
    writer = write_csv if kind == "csv" else write_xlsx_text
    path = writer(tmp_path / f"bad.{kind}", bad_rows())
    table = read_table(path)
    assert "\x00" in table.rows[1][1]  # the NUL really reached the importer
    before = audit_count(db)
    for dry_run in (True, False):
        report = import_file(db, coordinator, path, dry_run=dry_run, today=TODAY)
        assert not report.written
        found = {(p.row, p.column) for p in report.problems}
        assert found == EXPECTED, sorted(found ^ EXPECTED)
        assert count(db) == (0, 0) and audit_count(db) == before
    text = {p.row: p.problem for p in report.problems}
    assert "control character" in text[3] and "Child's birth name" in text[3]
    assert "not a likely date" in text[4] and "Child's date of birth" in text[4]
    assert "31/12/9999" in text[5] and "Review date" in text[5]
    assert "U+200B" in text[6] and "invisible" in text[6]
    assert "row 2" in text[7] and "row 2" in text[8]
    assert "formula" in text[9]


def test_references_matching_stored_ones_only_after_normalisation_are_refused(db: Database, coordinator: Principal,
                                                                             tmp_path: Path) -> None:
    assert import_file(db, coordinator, write_csv(tmp_path / "a.csv", [row("AD-0142")]), today=TODAY).written
    for variant in ("ad-0142", "ＡＤ-0142", "AD- 0142"):
        report = import_file(db, coordinator, write_csv(tmp_path / "b.csv", [row(variant)]), today=TODAY)
        assert not report.written and [(p.row, p.column) for p in report.problems] == [(2, "A (Ref)")]
        assert "'AD-0142'" in report.problems[0].problem
    assert count(db) == (1, 1)
    # written exactly as stored: an update of that arrangement, not a second one
    again = import_file(db, coordinator, write_csv(tmp_path / "c.csv", [row("AD-0142", Months="June")]),
                        today=TODAY)
    assert again.written and again.updates == 1 and count(db) == (1, 1)


def test_formula_like_values_are_kept_as_text_and_warned_about(db: Database, coordinator: Principal,
                                                               tmp_path: Path) -> None:
    notes = ["+44 7700 900123 is the new number", "@kestrel_fan on the forum", "- prefers email", "\tindented"]
    rows = [row(f"FRM-{i}", Notes=n) for i, n in enumerate(notes, start=1)]
    report = import_file(db, coordinator, write_csv(tmp_path / "f.csv", rows), today=TODAY)
    assert report.written and not report.problems
    assert sorted((w.row, w.column, w.level) for w in report.warnings) == [
        (r, "O (Notes)", "warning") for r in (2, 3, 4, 5)]
    with db.session(write=False) as s:
        stored = set(s.scalars(select(Arrangement.notes)))
    assert stored == {n.strip() for n in notes}  # the text itself, never a computed value


@pytest.mark.parametrize(("value", "risk"), [
    ("=cmd|' /C calc'!A0", "payload"), ("-2+3+cmd|' /C calc'!A0", "payload"), ("=HYPERLINK(\"http://x\",\"y\")", "payload"),
    ("+SUM(1,2)", "payload"), ("@IMPORTXML(A1)", "payload"), ("=A1", "payload"), ("=1+1", "formula-like"),
    ("+44 7700 900123", "formula-like"), ("@kestrel", "formula-like"), ("- prefers email (not post)", "formula-like"),
    ("\r=x", "formula-like"), ("Ivy", None), ("-", None), ("", None)])
def test_formula_rule(value: str, risk: str | None) -> None:
    assert formula_risk(value) == risk


def test_formula_cells_in_xlsx_are_refused_when_payloads(db: Database, coordinator: Principal,
                                                         tmp_path: Path) -> None:
    """openpyxl writes a string starting with '=' as a real formula with no saved value, as an attacker would."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADERS)
    ws.append(row("XF-1", Adopters="=cmd|' /C calc'!A0"))
    ws.append(row("XF-2", Notes="=1+1"))
    path = tmp_path / "formulas.xlsx"
    wb.save(path)
    report = import_file(db, coordinator, path, today=TODAY)
    assert not report.written and count(db) == (0, 0)
    assert {(p.row, p.column) for p in report.problems} == {(2, "E (Adopters)"), (3, "O (Notes)")}
    assert all("formula" in p.problem for p in report.problems)


def test_invisible_characters_in_names_are_removed_with_a_warning(db: Database, coordinator: Principal,
                                                                  tmp_path: Path) -> None:
    report = import_file(db, coordinator, write_csv(tmp_path / "z.csv", [
        row("ZW-1", Birth_name="Max\u200b Cop\u00adple", Adopters="Bea\u202e Wrenford")]), today=TODAY)
    assert report.written and {(w.row, w.column) for w in report.warnings} == {(2, "B (Birth name)"),
                                                                              (2, "E (Adopters)")}
    with db.session(write=False) as s:
        a = s.scalars(select(Arrangement)).one()
        assert (a.child_birth_name, a.adopters_name) == ("Max Copple", "Bea Wrenford")


def test_a_line_separator_in_a_one_line_cell_is_refused(db: Database, coordinator: Principal,
                                                        tmp_path: Path) -> None:
    """A tester's trial: Adopters "Dan and Eve Test\u2028Flat 3 Hidden Road" was imported with no warning and a
    reminder opened "Dear Dan and Eve Test Flat 3 Hidden Road,"."""
    report = import_file(db, coordinator, write_csv(tmp_path / "ls.csv", [
        row("LS-1", Adopters="Dan and Eve Test\u2028Flat 3 Hidden Road")]), today=TODAY)
    assert not report.written and count(db) == (0, 0)
    assert [(p.row, p.column) for p in report.problems] == [(2, "E (Adopters)")]
    assert "more than one line" in report.problems[0].problem


def test_bulk_import_audits_every_row_and_the_chain_verifies(db: Database, coordinator: Principal, tmp_path: Path,
                                                             db_path: Path) -> None:
    rows = [row(f"AU-{i:03d}", Birth_relative=f"Lola Copple{i}") for i in range(40)]
    rows.append(row("AU-000", Birth_relative="Will Copple", Relationship="birth grandfather"))
    report = import_file(db, coordinator, write_xlsx_text(tmp_path / "a.xlsx", rows), today=TODAY)
    assert report.written and report.creates == 40
    with db.session(write=False) as s:
        assert audit.verify_chain(s) is None
        assert s.scalar(select(func.count(Participant.id))) == 41
        summary = s.scalars(select(AuditEntry).where(AuditEntry.action == "letterbox_import")).one()
        assert "40 created" in summary.detail
        verify_record = getattr(audit, "verify_record", None)
        if verify_record is not None:  # row seals: every row checked against the seal the chain vouches for
            assert verify_record(s.connection()) == []
        else:  # one create entry per inserted row, with the row's values
            entries = {(e.entity, e.entity_id): e
                       for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "create"))}
            models: tuple[Any, ...] = (Arrangement, Participant, ProtectedTerm)
            for model in models:
                for obj in s.scalars(select(model)):
                    e = entries[(model.__tablename__, str(obj.id))]
                    assert e.actor == coordinator.username
                    logged = json.loads(e.changes)
                    assert logged["id"] == obj.id
                    for key, value in logged.items():
                        stored = getattr(obj, key)
                        assert (stored.isoformat() if isinstance(stored, dt.date) else stored) == value, key
    # the search index knows the new arrangements
    assert [a.reference for a in service.list_arrangements(db, coordinator,
                                                           service.ArrangementFilter(query="AU-007"))] == ["AU-007"]
    db.dispose()
    from adoption_desktop.cli import main

    assert main(["verify", "--db", str(db_path)]) == 0


def test_cancel_and_failure_change_nothing(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", [row(f"CX-{i}") for i in range(30)])
    before = audit_count(db)
    calls = {"n": 0}

    def cancel_late() -> bool:  # cancelled once writing has begun
        calls["n"] += 1
        return calls["n"] > 2

    with pytest.raises(ImportCancelled):
        import_file(db, coordinator, path, today=TODAY, cancelled=cancel_late)
    assert count(db) == (0, 0) and audit_count(db) == before
    progress: list[tuple[int, int]] = []
    report = import_file(db, coordinator, path, today=TODAY, progress=lambda d, t, _m: progress.append((d, t)))
    assert report.written and count(db) == (30, 30) and progress and progress[-1][0] == progress[-1][1]


def test_update_changes_only_the_mapped_columns(db: Database, coordinator: Principal, tmp_path: Path) -> None:
    assert import_file(db, coordinator, write_csv(tmp_path / "a.csv", [row("UP-1", Notes="keep me")]),
                       today=TODAY).written
    headers = ["Ref", "Months"]
    report = import_file(db, coordinator, write_csv(tmp_path / "b.csv", [["UP-1", "June"]], headers), today=TODAY)
    assert report.written and report.updates == 1
    with db.session(write=False) as s:
        a = s.scalars(select(Arrangement)).one()
        assert (a.exchange_months, a.notes, a.child_birth_name) == ("6", "keep me", "Max Copple")
        assert audit.verify_chain(s) is None


def test_bulk_import_on_both_stores_leaves_ids_and_chain_right(any_db: Database, tmp_path: Path) -> None:
    """SQLCipher gives the ids itself, PostgreSQL takes them from its sequence: a form saved after the import
    gets a fresh id on both, and the chain verifies."""
    from adoption_desktop.core.security.permissions import Role
    from tests.conftest import make_user
    from tests.letterbox.conftest import sample_input

    who = make_user(any_db, "lbport", Role.LETTERBOX_COORDINATOR)
    service.create_arrangement(any_db, who, sample_input("PORT-000"))
    rows = [row(f"PORT-{i:03d}", Birth_relative=f"Lola Copple{i}") for i in range(1, 26)]
    report = import_file(any_db, who, write_csv(tmp_path / "p.csv", rows), today=TODAY)
    assert report.written and report.creates == 25
    later = service.create_arrangement(any_db, who, sample_input("PORT-999"))
    with any_db.session(write=False) as s:
        ids = list(s.scalars(select(Arrangement.id).order_by(Arrangement.id)))
        assert len(ids) == len(set(ids)) == 27 and later == max(ids)
        assert s.scalar(select(func.count(Participant.id))) == 2 + 25 + 2
        assert audit.verify_chain(s) is None


def test_imported_rows_look_like_rows_saved_from_the_form(db: Database, coordinator: Principal,
                                                         tmp_path: Path) -> None:
    """Every column the ORM would fill (defaults, and any stored comparison key) is filled by the bulk insert."""
    from tests.letterbox.conftest import sample_input

    form_id = service.create_arrangement(db, coordinator, sample_input("FORM-1"))
    assert import_file(db, coordinator, write_csv(tmp_path / "f.csv", [row("BULK-1")]), today=TODAY).written
    with db.session(write=False) as s:
        table = Arrangement.__table__
        form = s.execute(select(table).where(table.c.id == form_id)).mappings().one()
        bulk = s.execute(select(table).where(table.c.reference == "BULK-1")).mappings().one()
        defaulted = [c.name for c in table.c if c.default is not None or c.server_default is not None]
        assert {"may_send", "status", "created_at"} <= set(defaulted)
        assert [k for k in defaulted if bulk[k] is None] == [] == [k for k in defaulted if form[k] is None]
        if "reference_key" in bulk:
            from adoption_desktop.core.text_input import reference_key

            assert bulk["reference_key"] == reference_key("BULK-1")


def test_cli_prints_problems_and_warnings_by_row_and_column(db: Database, db_path: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str], admin: Principal,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    db.dispose()
    from adoption_desktop.cli import main
    from tests.conftest import TEST_PASSWORD

    monkeypatch.setenv("ADOPTION_DESKTOP_PASSWORD", TEST_PASSWORD)

    warned = write_csv(tmp_path / "w.csv", [row("CLI-1", Notes="@kestrel_fan")])
    assert main(["import", "letterbox", "--db", str(db_path), "--user", admin.username, "--file", str(warned),
                 "--dry-run"]) == 0
    out = capsys.readouterr()
    assert "Would import: 1 new" in out.out and "row 2, column O (Notes):" in out.err and "warning" in out.err
    bad = write_csv(tmp_path / "b.csv", [row("CLI-2", DOB="31/12/9999")])
    assert main(["import", "letterbox", "--db", str(db_path), "--user", admin.username, "--file", str(bad)]) == 1
    out = capsys.readouterr()
    assert "nothing was written" in out.err and "row 2, column D (DOB): Child's date of birth:" in out.err


def test_a_pipe_a_device_a_folder_or_a_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    """A QA run pointed the import at /dev/zero (it read until the machine ran out of memory) and at a
    named pipe (it waited for ever). Only a saved file of a plausible size is read."""
    from adoption_desktop.letterbox.importing import reading

    pipe = tmp_path / "register.csv"
    os.mkfifo(pipe)  # opening it would block: the check must not open it
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    for path in (pipe, zero, folder):
        with pytest.raises(ValidationError, match="not a saved file"):
            read_table(path)
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as fh:
        fh.truncate(reading.MAX_BYTES + 1)  # sparse: no disk used
    with pytest.raises(ValidationError, match="MB, more than a register"):
        read_table(huge)
