"""Registers that are not what they seem (a tester's trial, 5 December): a 50 MB cell was refused as "could
not be read (Error). Save it again", which saving again does not cure; a UTF-16 file without its byte-order
mark was read as Windows text and refused as "no column is mapped to Reference"; a Shift-JIS file was
imported with every Japanese name turned into other letters, with no word said; a workbook named .csv."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox.importing import import_file, read_table
from tests.letterbox.test_import import HEADERS
from tests.letterbox.test_import_sanitation import TODAY, row


def _csv_text(rows: list[list[object]]) -> str:
    import io

    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADERS)
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def test_a_cell_too_long_for_any_field_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text(_csv_text([row("BIG-1"), row("BIG-2", Notes="x" * 200_000)]), encoding="utf-8")
    with pytest.raises(ValidationError) as said:
        read_table(path)
    text = str(said.value)
    assert "row 3" in text and "longer than 131,072 characters" in text and "quotation mark" in text
    assert "(Error)" not in text


def test_utf16_without_its_mark_is_named(tmp_path: Path) -> None:
    path = tmp_path / "u16.csv"
    path.write_bytes(_csv_text([row("U16-1")]).encode("utf-16-le"))  # no BOM
    with pytest.raises(ValidationError, match=r'UTF-16 .* save it again as "CSV UTF-8"'):
        read_table(path)
    # with its mark it is read as before
    path.write_bytes(_csv_text([row("U16-1")]).encode("utf-16"))
    assert read_table(path).rows[0][0] == "U16-1"


def test_a_workbook_named_csv_is_named(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ValidationError, match=r"Excel workbook named as a \.csv file: rename it to \.xlsx"):
        read_table(path)


def test_a_file_read_as_windows_text_with_other_letters_is_warned_about(db: Database, coordinator: Principal,
                                                                          tmp_path: Path) -> None:
    path = tmp_path / "sjis.csv"
    path.write_bytes(_csv_text([row("SJ-1", Birth_name="山田太郎")]).encode("shift_jis"))
    report = import_file(db, coordinator, path, dry_run=True, today=TODAY)
    notes = [w.problem for w in report.warnings if w.column == "File"]
    assert len(notes) == 1 and "read as Windows text" in notes[0] and 'save the register again as "CSV UTF-8"' in notes[0]
    # a Windows-1252 file of plain English says nothing; nor does UTF-8 with accents
    plain = tmp_path / "plain.csv"
    plain.write_bytes(_csv_text([row("PL-1")]).encode("cp1252"))
    assert not [w for w in import_file(db, coordinator, plain, dry_run=True, today=TODAY).warnings if w.column == "File"]
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(_csv_text([row("U8-1", Birth_name="Zoë Émile")]).encode("utf-8"))
    assert not [w for w in import_file(db, coordinator, utf8, dry_run=True, today=TODAY).warnings if w.column == "File"]
