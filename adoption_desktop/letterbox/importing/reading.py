"""Reading a register: the first sheet of an .xlsx (python-calamine, a Rust reader) or a .csv file.

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
    """UTF-8 (with or without the BOM Excel writes), else Windows-1252 (Excel's plain "CSV")."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{label}: {name} is not UTF-8 or Windows text (byte {exc.start + 1} cannot be read); "
                              "save it again as \"CSV UTF-8\".", "file") from exc


def _read_csv(path: Path, label: str) -> list[list[str]]:
    text = _decode(path.read_bytes(), path.name, label)
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def _read_xlsx(path: Path) -> tuple[list[list[str]], dict[tuple[int, int], str]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    try:
        sheet = wb.get_sheet_by_index(0)
        values = sheet.to_python(skip_empty_area=False)
    finally:
        close = getattr(wb, "close", None)
        if close is not None:
            close()
    rows = [[_cell(c) for c in r] for r in values]
    return rows, _formulas(path)


_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]+)(\d+)\"")


def _first_sheet_part(z: zipfile.ZipFile) -> str:
    try:
        workbook = z.read("xl/workbook.xml")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
        m = _SHEET.search(workbook)
        if m:
            rid = m.group(1).decode()
            t = re.search(r"<Relationship\b[^>]*\bId=\"" + re.escape(rid) + r"\"[^>]*\bTarget=\"([^\"]+)\"", rels) \
                or re.search(r"<Relationship\b[^>]*\bTarget=\"([^\"]+)\"[^>]*\bId=\"" + re.escape(rid) + "\"", rels)
            if t:
                target = t.group(1)
                return target.lstrip("/") if target.startswith("/") else "xl/" + target
    except KeyError:
        pass
    return "xl/worksheets/sheet1.xml"


def _formulas(path: Path) -> dict[tuple[int, int], str]:
    """(row number, column index) -> formula text of every formula cell of the first sheet.

    Found in the sheet's XML directly (a byte search first, so a sheet without formulas costs nothing);
    a shared formula's other cells get the text ``"(shared formula)"``."""
    out: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(path) as z:
        part = _first_sheet_part(z)
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


def read_table(path: Path, *, label: str = "File") -> Table:
    """The first sheet (or the .csv) as text: the first non-blank row is the header. A file that cannot be
    read as a register is refused with a message beginning with ``label`` (the command line's ``--file``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    formulas: dict[tuple[int, int], str] = {}
    _check_file(path, label)
    try:
        if suffix == ".csv":
            raw = _read_csv(path, label)
        elif suffix in (".xlsx", ".xlsm"):
            raw, formulas = _read_xlsx(path)
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
    return Table([h.strip() for h in rows[0]], rows[1:], [n for n, _ in kept[1:]], formulas)
