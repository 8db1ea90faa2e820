"""Checking every row of a register before anything is written (pure: no database, no Qt).

Each cell of a mapped column goes through the shared input rules (:mod:`adoption_desktop.core.text_input`):

* **control characters** (a NUL, a bell, an escape …) are refused; **invisible characters** (zero-width
  space, joiners, direction marks, BOM, soft hyphen) are removed with a warning, and refused in a reference
  (two references that look the same would otherwise compare different); text is stored in NFC;
* **dates** must lie in the range for their kind (a date of birth not in the future nor before 120 years
  ago, a start date within the last 30 years, a review date up to 20 years ahead): 0001 and 9999 are refused;
* **references** are compared by :func:`~adoption_desktop.core.text_input.reference_key` (compatibility
  normalisation, case folding, invisible characters and spaces ignored): rows that write the same key the same
  way are one arrangement (several birth relatives); rows whose references are the same key written
  differently ("AD-0142", "ad-0142", the full-width "ＡＤ-0142") are refused, as is a reference that matches
  an arrangement already stored under a different spelling (see :mod:`.planning`).

**Spreadsheet formulas** (item 4 of issue 12): a value starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is stored as the text it is — never evaluated — and listed as a *warning* in the report,
because it would turn into a formula if someone copied it into a spreadsheet. It is *refused* when it is
clearly a formula payload: a DDE call (``=cmd|' /C calc'!A0``, also after arithmetic such as
``-2+3+cmd|…``), a function call straight after the sign (``=HYPERLINK(…)``, ``+SUM(…)``, ``@IMPORTXML(…)``)
or a cell reference (``=A1``). A phone number (``+44 …``), a handle (``@name``) or a dash before a note
(``- prefers email``) is only warned about in free text (notes, relationship, protected terms); a name or an
address line goes through the arrangement form's own check (``service.clean_field``), new rows and updates
alike, which refuses any formula start there, and a name with no letter ("12345", "?"). In an .xlsx file, a cell that *holds* a formula is imported by its
saved value with a warning, and refused when it has no saved value or calls something outside the workbook
(DDE, ``HYPERLINK``, ``WEBSERVICE``, ``IMPORTXML`` …).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adoption_desktop.core.errors import ValidationError, WorkCancelled
from adoption_desktop.core.text_input import check_date, clean_text, has_line_break, reference_key
from adoption_desktop.core.wording import plural
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.importing.fields import FIELD_BY_KEY, FieldSpec, choice_value, column_letter
from adoption_desktop.letterbox.importing.reading import Table
from adoption_desktop.letterbox.service import FIELD_CLEANERS, ParticipantData, TermData, clean_field

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]


class ImportCancelled(WorkCancelled):
    """The user cancelled: nothing was written."""


@dataclass(frozen=True)
class Problem:
    row: int  # spreadsheet row number (the header is row 1)
    column: str  # the spreadsheet column as the user sees it: "D (DOB)"
    problem: str
    level: str = "error"  # "error": nothing is written; "warning": imported, shown in the report


@dataclass
class Group:
    """One arrangement of the file: the first row's values and every row's birth relative."""

    first: int
    reference: str
    values: dict[str, Any]
    participants: list[ParticipantData] = field(default_factory=list)
    terms: list[TermData] = field(default_factory=list)
    mapped: frozenset[str] = frozenset()
    columns: dict[str, str] = field(default_factory=dict)  # every mapped field's column, as the report names it
    #: the mapped fields whose cell is empty in the first row: on an update they keep what is stored
    blank: frozenset[str] = frozenset()
    #: each birth relative's empty cells (``relationship``, ``relative_address``), by the name case-folded:
    #: on an update they keep what is stored for that relative
    blank_parts: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def reference_column(self) -> str:
        """The reference's column as the report names it: "A (Ref)"."""
        return self.columns.get("reference", "Reference")


_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%dT%H:%M:%S",
                 "%Y-%m-%d")


_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(value: str) -> dt.date:
    v = value.strip()
    m = _DMY.fullmatch(v)  # the usual English form, without strptime's cost (10,000s of cells)
    if m:
        try:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            raise ValueError(f"{value!r} is not a date; write it as DD/MM/YYYY") from None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date; write it as DD/MM/YYYY")


def month_first(value: str) -> bool:
    """``value`` is refused day-first only because its second part is above 12, and is a date read month-first
    (``12/25/2018``): a sign that its column holds US dates."""
    m = _DMY.fullmatch(value.strip())
    if not m or int(m.group(2)) <= 12:
        return False
    try:
        dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return False
    return True


def reads_both_ways(value: str) -> bool:
    """``value`` is a date whichever of its first two parts is the day (``06/01/2020``): in a column of US
    dates it would be imported with month and day swapped, without any error."""
    m = _DMY.fullmatch(value.strip())
    if m is None:
        return False
    return int(m.group(1)) != int(m.group(2)) and 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 12


def _day_first_words(value: str) -> str:
    """``06/01/2020`` as it is read (day first): "6 January 2020"."""
    m = _DMY.fullmatch(value.strip())
    assert m is not None
    day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return f"{day.day} {day:%B %Y}"  # %-d is not on Windows


def parse_bool(value: str) -> bool:
    v = value.strip().lower()
    if v in ("y", "yes", "true", "1", "x", "✓"):
        return True
    if v in ("n", "no", "false", "0", ""):
        return False
    raise ValueError(f"{value!r} is not yes or no")


# --- formulas ------------------------------------------------------------------------------------------
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_DDE = re.compile(r"[A-Za-z_][\w.]*\s*\|\s*['\"]?[^|]*['\"]?\s*!|[A-Za-z_][\w.]*\s*\|\s*'")
_CALL_AFTER_SIGN = re.compile(r"^[=+\-@][\s\d+\-*/.,()]*[A-Za-z_][\w.]*\(")
_CELL_REF = re.compile(r"^=\s*(?:'[^']+'!|[A-Za-z_][\w.]*!)?\$?[A-Za-z]{1,3}\$?\d+\b")
_OUTSIDE = re.compile(r"\b(?:HYPERLINK|WEBSERVICE|FILTERXML|IMPORTXML|IMPORTDATA|IMPORTHTML|IMPORTRANGE|IMPORTFEED|"
                      r"IMAGE|CALL|REGISTER(?:\.ID)?|EXEC|RTD|DDE|SHELL)\s*\(", re.I)


def formula_risk(value: str) -> str | None:
    """``"payload"`` (refused), ``"formula-like"`` (kept as text, warned about) or None."""
    if len(value) < 2 or not value.startswith(FORMULA_TRIGGERS):
        return None
    core = value.lstrip("\t\r\n ")
    if core.startswith(("=", "+", "-", "@")) and (
            _DDE.search(core) or _CALL_AFTER_SIGN.search(core) or _CELL_REF.search(core) or _OUTSIDE.search(core)):
        return "payload"
    return "formula-like"


def formula_cell_risk(formula: str, saved_value: str) -> str | None:
    """A cell of an .xlsx that holds a formula: None when its saved value may be imported (warned)."""
    if _DDE.search(formula) or _OUTSIDE.search(formula) or "|" in formula:
        return "it calls something outside the workbook"
    if not saved_value.strip():
        return "it has no saved value"
    return None


# --- one cell ------------------------------------------------------------------------------------------
class _Row:
    """Collects one row's problems with the right column names."""

    def __init__(self, number: int, columns: dict[str, str], problems: list[Problem],
                 warnings: list[Problem]) -> None:
        self.number, self.columns, self.problems, self.warnings = number, columns, problems, warnings
        self.failed = False
        #: date fields whose value here reads only month-first (``12/25/2018``)
        self.month_first: list[tuple[str, str]] = []
        #: date fields whose value here reads both ways (``06/01/2020``)
        self.both_ways: list[tuple[str, str]] = []
        #: mapped fields whose cell is empty (nothing but spaces or invisible characters)
        self.blank: set[str] = set()

    def error(self, key: str, message: str) -> None:
        self.failed = True
        self.problems.append(Problem(self.number, self.columns.get(key, FIELD_BY_KEY[key].label), message))

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(Problem(self.number, self.columns.get(key, FIELD_BY_KEY[key].label), message,
                                     "warning"))


def _has_invisible(text: str) -> bool:
    return not text.isascii() and any(unicodedata.category(c) == "Cf" or c in "\u115f\u1160\u3164\uffa0"
                                      for c in text)


def _invisible_count(text: str) -> int:
    return 0 if text.isascii() else sum(unicodedata.category(c) == "Cf" or c in "\u115f\u1160\u3164\uffa0"
                                        for c in text)


def _text(spec: FieldSpec, raw: str, row: _Row) -> str | None:
    """A text cell as it will be stored. A field the arrangement form also holds goes through the form's own
    check (:func:`~adoption_desktop.letterbox.service.clean_field`), on new and updated rows alike: a name with
    no letter, or a name or address line that starts like a formula, is refused as the form refuses it."""
    label = spec.label
    risk = formula_risk(raw)
    if risk == "payload":
        row.error(spec.key, f"{label}: {_shown(raw)} is a spreadsheet formula, not a value; a register holds "
                            "values only — type the value itself.")
        return None
    value = raw.strip()
    if not spec.multiline and has_line_break(value):
        row.error(spec.key, f"{label}: is on more than one line; put it on one line.")
        return None
    invisible = _has_invisible(value)
    if invisible and spec.key == "reference":
        bad = next(c for c in value if unicodedata.category(c) == "Cf" or c in "\u115f\u1160\u3164\uffa0")
        row.error(spec.key, f"{label}: {value.encode('ascii', 'backslashreplace').decode()} contains an invisible "
                            f"character (U+{ord(bad):04X} {unicodedata.name(bad, 'format character')}), so it "
                            "would look like another reference and compare different; retype it.")
        return None
    try:
        cleaned = clean_text(value, label, multiline=spec.multiline, max_length=spec.max_length)
        if spec.key in FIELD_CLEANERS:
            cleaned = clean_field(spec.key, cleaned, label)
    except ValidationError as exc:
        row.error(spec.key, str(exc))
        return None
    if risk == "formula-like":
        row.warn(spec.key, f"{label}: {_shown(raw)} starts with {_sign(raw)}; kept as text (never calculated), "
                           "but a spreadsheet would read it as a formula if it were copied into one.")
    if invisible and _invisible_count(cleaned) < _invisible_count(value):  # a joiner of a Persian name is kept
        row.warn(spec.key, f"{label}: invisible characters (zero-width spaces, direction marks …) were removed.")
    return cleaned


def _shown(value: str, limit: int = 40) -> str:
    text = value.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n")
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _sign(value: str) -> str:
    return {"\t": "a tab", "\r": "a carriage return"}.get(value[0], f"'{value[0]}'")


def _convert(row: _Row, vals: dict[str, str], today: dt.date) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for key, raw in vals.items():
        spec = FIELD_BY_KEY.get(key)
        if spec is None:
            continue
        if spec.kind == "text":
            if raw:
                value = _text(spec, raw, row)
                if value is not None:
                    out[key] = value
                    if not value:
                        row.blank.add(key)
            else:
                out[key] = ""
                row.blank.add(key)
            continue
        text = raw.strip()
        if not text:
            row.blank.add(key)
        if spec.kind == "date" and reads_both_ways(text):
            row.both_ways.append((key, text))
        try:
            if spec.kind == "date":
                out[key] = check_date(parse_date(text), spec.label, spec.date_kind, today=today) if text else None
            elif spec.kind == "bool":
                out[key] = parse_bool(text)
            elif spec.kind == "months":
                out[key] = ",".join(str(m) for m in rules.exchange_months_value(text))  # a month twice: refused
            elif spec.kind == "choice":
                out[key] = choice_value(spec, text) if text else None  # None: left as it is
        except ValidationError as exc:
            row.error(key, str(exc))
        except ValueError as exc:
            row.error(key, f"{spec.label}: {exc}")
            if spec.kind == "date" and month_first(text):
                row.month_first.append((key, text))
    if "reference" in out and not out["reference"]:
        row.error("reference", "Reference: missing; every row needs the agency reference.")
    status = str(out.get("status") or "").lower()
    if status and status not in rules.STORED_STATUSES:
        row.error("status", f"Status: {status!r}; use active, suspended or ended.")
    out["status"] = status or None  # None: active for a new arrangement, unchanged for an existing one
    writer = str(out.get("first_writer") or "").lower()
    writer = {"adopters": "adoptive", "adopter": "adoptive", "birth family": "birth", "birth relative": "birth"}.get(
        writer, writer)
    if writer and writer not in (rules.ADOPTIVE, rules.BIRTH):
        row.error("first_writer", f"Who writes first: {writer!r}; use adoptive or birth.")
    out["first_writer"] = writer or None
    if out.get("relationship"):  # the form's rule: a known relationship ("mother" is stored "birth mother")
        try:
            out["relationship"] = rules.relationship_value(out["relationship"])
        except ValidationError as exc:
            row.error("relationship", str(exc))
    return None if row.failed else out


def _terms(text: str, side: str) -> list[TermData]:
    return [TermData(t.strip()[:120], "imported", side) for t in re.split(r"[;,\n]", text or "") if t.strip()]


def check_rows(table: Table, mapping: dict[str, int], *, today: dt.date | None = None,
               progress: Progress | None = None, cancelled: Cancelled | None = None,
               ) -> tuple[list[Group], list[Problem], list[Problem]]:
    """Every row checked and grouped by reference: ``(groups, problems, warnings)``. No database."""
    today = today or dt.date.today()
    problems: list[Problem] = []
    warnings: list[Problem] = []
    warnings.extend(Problem(1, "File", note[0].upper() + note[1:], "warning") for note in table.notes)
    if not table.rows:
        warnings.append(Problem(1, "File", "The file has no rows under its headings: there is nothing to import.",
                                "warning"))
    if "reference" not in mapping:
        problems.append(Problem(1, "Reference", "Reference: no column is mapped to Reference; choose one."))
        return [], problems, warnings
    columns = {k: column_letter(i) + (f" ({table.headers[i]})" if i < len(table.headers) and table.headers[i]
                                      else "") for k, i in mapping.items()}
    items = [(k, i) for k, i in mapping.items() if k in FIELD_BY_KEY]
    groups: dict[str, Group] = {}
    total = len(table.rows)
    mapped = frozenset(mapping)
    formula_cols = {c for _, c in table.formulas}
    us_dates: dict[str, tuple[int, str]] = {}  # date field -> its first value that reads only month-first
    both_ways: dict[str, tuple[int, str]] = {}  # date field -> its first value that reads either way
    seen_rows: dict[tuple[tuple[str, str], ...], int] = {}  # a row's values as compared -> its first row
    repeats: list[int] = []
    for index, cells in enumerate(table.rows):
        if index % 1000 == 0:
            if cancelled and cancelled():
                raise ImportCancelled()
            if progress:
                progress(index, total, f"Checking row {index:,} of {total:,}")
        n = table.number(index)
        row = _Row(n, columns, problems, warnings)
        vals = {k: (cells[i] if 0 <= i < len(cells) else "") for k, i in items}
        if formula_cols:
            for k, i in items:
                formula = table.formulas.get((n, i))
                if formula is not None:
                    why = formula_cell_risk(formula, vals[k])
                    if why:
                        row.error(k, f"{FIELD_BY_KEY[k].label}: the cell holds a formula ({_shown('=' + formula)}) "
                                     f"and {why}; replace it by the value itself.")
                        vals[k] = ""
                    else:
                        row.warn(k, f"{FIELD_BY_KEY[k].label}: the cell holds a formula ({_shown('=' + formula)}); "
                                    f"its saved value {_shown(vals[k])} was imported.")
        converted = _convert(row, vals, today)
        for k, text in row.month_first:
            us_dates.setdefault(k, (n, text))
        for k, text in row.both_ways:
            both_ways.setdefault(k, (n, text))
        if converted is None:
            continue
        same = _compared(converted)
        if same in seen_rows:
            repeats.append(n)
            continue
        seen_rows[same] = n
        ref = converted["reference"]
        key = reference_key(ref)
        rel = converted.get("relative_name", "")
        participant = ParticipantData(rel, converted.get("relationship", ""), converted.get("relative_address", "")) \
            if rel else None
        part_blank = frozenset(row.blank & {"relationship", "relative_address"})
        group = groups.get(key)
        if group is None:
            terms = [*_terms(converted.get("protected_terms", ""), rules.ADOPTIVE),
                     *_terms(converted.get("birth_protected_terms", ""), rules.BIRTH)]
            groups[key] = Group(n, ref, converted, [participant] if participant else [], terms, mapped, columns,
                                frozenset(row.blank),
                                {participant.name.casefold(): part_blank} if participant else {})
            continue
        if ref != group.reference:
            row.error("reference", f"Reference: {ref!r} is the same reference as {group.reference!r} in row "
                                   f"{group.first} once case, width and spacing are set aside; write it exactly "
                                   "the same in every row of one arrangement, or give a different reference.")
            continue
        for k in ("child_birth_name", "child_adoptive_name", "adopters_name", "child_dob", "contact_kind"):
            if converted.get(k) and group.values.get(k) and converted[k] != group.values[k]:
                row.error(k, f"{FIELD_BY_KEY[k].label}: differs from row {group.first} for the same reference "
                             f"{ref}; rows of one arrangement must agree (or give this child its own reference).")
        if participant and all(p.name.casefold() != participant.name.casefold() for p in group.participants):
            group.participants.append(participant)
            group.blank_parts[participant.name.casefold()] = part_blank
        have = {(t.term.casefold(), t.side) for t in group.terms}
        for t in [*_terms(converted.get("protected_terms", ""), rules.ADOPTIVE),
                  *_terms(converted.get("birth_protected_terms", ""), rules.BIRTH)]:
            if (t.term.casefold(), t.side) not in have:
                group.terms.append(t)
                have.add((t.term.casefold(), t.side))
    for k, (n, text) in us_dates.items():
        # the example is one of the column's own dates (the message quoted a fixed 06/01/2020, letterbox trial)
        example = both_ways.get(k)
        swapped = (f"row {example[0]}'s {example[1]} would be read as {_day_first_words(example[1])}" if example
                   else "any of its dates with a day of 12 or less would be read with month and day swapped")
        problems.append(Problem(n, columns.get(k, FIELD_BY_KEY[k].label), (
            f"{FIELD_BY_KEY[k].label}: this column looks like month-first (US) dates: {text} (row {n}) is a date "
            f"only read as MM/DD/YYYY, so its other dates would be read with month and day swapped: {swapped}. "
            "Write the column as DD/MM/YYYY (or YYYY-MM-DD) and import again.")))
    if repeats:
        shown = ", ".join(str(r) for r in repeats[:10]) + (" …" if len(repeats) > 10 else "")
        warnings.append(Problem(repeats[0], "(whole row)", (
            f"{plural(len(repeats), 'row')} {'repeats' if len(repeats) == 1 else 'repeat'} an earlier row (once "
            f"spacing is set aside) and {'was' if len(repeats) == 1 else 'were'} merged: "
            f"{'row' if len(repeats) == 1 else 'rows'} {shown}."), "warning"))
    if progress:
        progress(total, total, f"Checked {total:,} rows")
    return list(groups.values()), problems, warnings


def _compared(values: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """A checked row's values as two rows are compared: runs of spaces and line breaks set aside."""
    return tuple(sorted((k, " ".join(str(v).split())) for k, v in values.items()))
