"""Reading a register: an .xlsx (python-calamine, a Rust reader: the first sheet, or the sheet whose headings
name a Reference column) or a .csv file (UTF-8, Windows-1252 or UTF-16; comma, semicolon or tab between columns).

Cells come back as text exactly as written (leading ``=``, tabs and spaces kept: the validation decides
what they mean), with each row's number as the spreadsheet shows it, so every problem names the right row
even when blank rows were skipped. An .xlsx cell that holds a *formula* is imported by its saved value; the
formula's text is kept beside the table (:attr:`Table.formulas`) so the validation can flag or refuse it.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import itertools
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adoption_desktop.core.errors import AppError, ValidationError

MAX_ROWS = 50_000


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    #: the spreadsheet's row number of each row in :attr:`rows` (the header is usually row 1)
    numbers: list[int] = field(default_factory=list)
    #: (row number, column index) -> formula text, for .xlsx cells that hold a formula
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    #: what the reading decided that the report should say (e.g. which sheet of a workbook was read)
    notes: list[str] = field(default_factory=list)

    def number(self, index: int) -> int:
        return self.numbers[index] if index < len(self.numbers) else index + 2


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decode(data: bytes, name: str, label: str = "File") -> str:
    """UTF-16 by its BOM (Excel's "Unicode text"), UTF-8 (with or without the BOM Excel writes), else
    Windows-1252 (Excel's plain "CSV"). UTF-16 without its BOM (every other byte a zero) is refused by name:
    read as Windows text it gave "no column is mapped to Reference"."""
    if _utf16_without_bom(data):
        raise ValidationError(f"{label}: {name} is saved as UTF-16 (\"Unicode text\") without the mark that says "
                              "so, and cannot be read reliably; save it again as \"CSV UTF-8\".", "file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationError(f"{label}: {name} starts as UTF-16 (\"Unicode text\") but cannot be read as it "
                                  f"(byte {exc.start + 1}); save it again as \"CSV UTF-8\".", "file") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{label}: {name} is not UTF-8 or Windows text (byte {exc.start + 1} cannot be read); "
                              "save it again as \"CSV UTF-8\".", "file") from exc


def _utf16_without_bom(data: bytes) -> bool:
    """Mostly Latin text in UTF-16 has a zero in every other byte; a text file never does otherwise."""
    sample = data[:4096]
    if len(sample) < 8 or sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    even, odd = sample[0::2].count(0) / len(sample[0::2]), sample[1::2].count(0) / len(sample[1::2])
    return max(even, odd) > 0.4 and min(even, odd) < 0.05


def windows_text_note(text: str) -> str | None:
    """What the report says of a file read as Windows-1252 with letters outside plain English in it: a file
    saved in another encoding (Shift-JIS, a Cyrillic or Greek code page) reads as Windows-1252 without an
    error, its names turned into other letters ("山田" became "ŽR“c"), so the officer is asked to look."""
    odd = sorted({c for c in text if not c.isascii() and not c.isspace()})
    if not odd:
        return None
    shown = "".join(odd[:12]) + ("…" if len(odd) > 12 else "")
    return ("the file is not saved as UTF-8, so it was read as Windows text (Excel's plain \"CSV\"); it has "
            f"letters outside plain English ({shown}): check that names read as they should, and if they do not, "
            "save the register again as \"CSV UTF-8\" and import that.")


#: what separates the columns of a "CSV": a comma, or a semicolon (Excel where the decimal mark is a comma),
#: or a tab (Excel's "Unicode text" and "Text (tab delimited)")
DELIMITERS = (",", ";", "\t")


def _delimiter(text: str) -> str:
    """The separator the header line uses most (outside quotes); a comma when it has none."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path, label: str, notes: list[str] | None = None) -> list[list[str]]:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise ValidationError(f"{label}: {path.name} is an Excel workbook named as a .csv file: rename it to .xlsx "
                              "and import that.", "file")
    text = _decode(data, path.name, label)
    if notes is not None and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            note = windows_text_note(text)
            if note:
                notes.append(note)
    rows: list[list[str]] = []
    try:
        for r in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)):
            rows.append(list(r))
    except csv.Error as exc:
        at = f"{label}: {path.name}, row {len(rows) + 1:,}"  # as a spreadsheet numbers it (blank rows too)
        if "field larger than field limit" in str(exc):
            raise ValidationError(
                f"{at}: a cell is longer than {csv.field_size_limit():,} characters, more than any field of a "
                "register holds. Check the file: a quotation mark not closed makes the rest of the file one cell.",
                "file") from exc
        raise ValidationError(f"{at}, cannot be read as CSV ({exc}); save it again as .xlsx or .csv.",
                              "file") from exc
    return rows


def _sheet_rows(wb: Any, index: int) -> list[list[str]]:
    return [[_cell(c) for c in r] for r in wb.get_sheet_by_index(index).to_python(skip_empty_area=False)]


def _has_reference_heading(rows: list[list[str]]) -> bool:
    from adoption_desktop.letterbox.importing.fields import guess_mapping

    header = next((r for r in rows if any(c.strip() for c in r)), None)
    return header is not None and "reference" in guess_mapping([c.strip() for c in header])


def _read_xlsx(path: Path) -> tuple[list[list[str]], dict[tuple[int, int], str], list[str]]:
    """The first sheet; where its headings name no Reference column but a later sheet's do (the register on
    sheet 2, notes on sheet 1), that sheet, with a note saying so (there is no sheet chooser)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    notes: list[str] = []
    try:
        index, rows = 0, _sheet_rows(wb, 0)
        names = list(wb.sheet_names)
        if not _has_reference_heading(rows):
            for other in range(1, len(names)):
                found = _sheet_rows(wb, other)
                if _has_reference_heading(found):
                    notes.append(f"the first sheet, {names[0]!r}, has no Reference heading; the register was read "
                                 f"from sheet {names[other]!r}.")
                    index, rows = other, found
                    break
    finally:
        close = getattr(wb, "close", None)
        if close is not None:
            close()
    return rows, _formulas(path, index), notes


_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(\d+)\"")


def _sheet_part(z: zipfile.ZipFile, index: int = 0) -> str:
    try:
        workbook = z.read("xl/workbook.xml")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        m = next(itertools.islice(_SHEET.finditer(workbook), index, None), None)
        if m:
            rid = m.group(1).decode()
            t = re.search(r"<Relationship\b[^>]*\bId=\"" + re.escape(rid) + r"\"[^>]*\bTarget=\"([^\"]+)\"", rels) \
                or re.search(r"<Relationship\b[^>]*\bTarget=\"([^\"]+)\"[^>]*\bId=\"" + re.escape(rid) + "\"", rels)
            if t:
                target = t.group(1)
                return target.lstrip("/") if target.startswith("/") else "xl/" + target
    except KeyError:
        pass
    return f"xl/worksheets/sheet{index + 1}.xml"


def _formulas(path: Path, index: int = 0) -> dict[tuple[int, int], str]:
    """(row number, column index) -> formula text of every formula cell of sheet ``index`` (the one read).

    Found in the sheet's XML directly (a byte search first, so a sheet without formulas costs nothing);
    a shared formula's other cells get the text ``"(shared formula)"``."""
    out: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(path) as z:
        part = _sheet_part(z, index)
        try:
            xml = z.read(part)
        except KeyError:
            return out
    if b"<f" not in xml and b":f" not in xml:
        return out
    for m in _FORMULA.finditer(xml):
        start = max(xml.rfind(b"<c ", 0, m.start()), xml.rfind(b":c ", 0, m.start()))
        ref = _CELL_REF.search(xml, max(0, start - 1), m.start())
        if ref is None:
            continue
        letters, number = ref.group(1).decode(), int(ref.group(2))
        col = 0
        for ch in letters:
            col = col * 26 + ord(ch) - 64
        text = html.unescape(m.group(1).decode("utf-8", "replace")) if m.group(1) else "(shared formula)"
        out[(number, col - 1)] = text
    return out


#: far more than any register of :data:`MAX_ROWS` rows; a larger file is refused before it is read
MAX_BYTES = 100 * 1024 * 1024


def _check_file(path: Path, label: str) -> None:
    """A saved register: not a folder, device or pipe (reading ``/dev/zero`` or a pipe never ends), and
    not larger than :data:`MAX_BYTES`. ``stat`` follows links and does not block on a pipe."""
    try:
        info = path.stat()
    except OSError as exc:
        raise ValidationError(f"{label}: {path.name} could not be read ({exc.strerror or type(exc).__name__}).",
                              "file") from exc
    if not stat.S_ISREG(info.st_mode):
        raise ValidationError(f"{label}: {path.name} is not a saved file (a folder, a device or a pipe); give the "
                              "register saved as .xlsx or .csv.", "file")
    if info.st_size > MAX_BYTES:
        raise ValidationError(f"{label}: {path.name} is {info.st_size / 1024 / 1024:,.0f} MB, more than a register "
                              f"of {MAX_ROWS:,} rows could be ({MAX_BYTES // 1024 // 1024} MB); check that it is "
                              "the right file, or split the register.", "file")


def _check_workbook(path: Path, label: str) -> None:
    """An .xlsx is a zip file: a CSV (or other text) renamed to .xlsx is named as what it is."""
    if zipfile.is_zipfile(path):
        return
    with path.open("rb") as fh:
        start = fh.read(4096)
    try:
        text = _decode(start, path.name, label) if start else ""
    except ValidationError:
        text = ""
    if text and not any(c in text for c in "\x00\x01\x02\x03\x04") and any(d in text for d in DELIMITERS):
        raise ValidationError(f"{label}: {path.name} is not an Excel workbook (it looks like CSV text): save it as "
                              ".csv or rename it to .csv.", "file")
    raise ValidationError(f"{label}: {path.name} is not an Excel workbook (.xlsx); open it in Excel and save it "
                          "as .xlsx or .csv.", "file")


def read_table(path: Path, *, label: str = "File") -> Table:
    """The first sheet (or the .csv) as text: the first non-blank row is the header. A file that cannot be
    read as a register is refused with a message beginning with ``label`` (the command line's ``--file``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    formulas: dict[tuple[int, int], str] = {}
    notes: list[str] = []
    _check_file(path, label)
    try:
        if suffix == ".csv":
            raw = _read_csv(path, label, notes)
        elif suffix in (".xlsx", ".xlsm"):
            _check_workbook(path, label)
            raw, formulas, notes = _read_xlsx(path)
        else:
            raise ValidationError(f"{label}: {path.name} is not a .xlsx or .csv file; save the register as one.", "file")
    except AppError:
        raise
    except Exception as exc:  # unreadable file of the right name
        raise ValidationError(f"{label}: {path.name} could not be read ({type(exc).__name__}). Save it again as "
                              ".xlsx or .csv.", "file") from exc
    kept = [(n, r) for n, r in enumerate(raw, start=1) if any(c.strip() for c in r)]
    if not kept:
        raise ValidationError(f"{label}: {path.name} is empty; it needs a header row and one row per arrangement.",
                              "file")
    if len(kept) - 1 > MAX_ROWS:
        raise ValidationError(f"{label}: {len(kept) - 1:,} rows, more than {MAX_ROWS:,}; split the register into "
                              "smaller files.", "file")
    width = max(len(r) for _, r in kept)
    rows = [r + [""] * (width - len(r)) if len(r) < width else r for _, r in kept]
    return Table([h.strip() for h in rows[0]], rows[1:], [n for n, _ in kept[1:]], formulas, notes)
