"""Import an existing letterbox register from .xlsx (openpyxl) or .csv.

1. :func:`read_table` reads the first sheet (header row + rows as text).
2. :func:`guess_mapping` maps columns to fields by header name; the user may change it (preview).
3. :func:`plan_import` validates every row and reports ``(row, column, problem)`` before anything is
   written; rows sharing a reference are one arrangement with several birth relatives; a reference already
   in the database is an **update**, not a duplicate.
4. :func:`import_file` writes everything in **one transaction**, or nothing if any row has a problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.errors import AppError, ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement
from adoption_desktop.letterbox.service import (
    ArrangementInput,
    ParticipantData,
    TermData,
    _input_of,
    save_arrangement_in,
)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str = "text"  # text / date / bool / int / months
    required: bool = False
    aliases: tuple[str, ...] = ()


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("reference", "Reference", required=True, aliases=("ref", "case ref", "child ref", "agency reference",
                                                                  "case reference", "id")),
    FieldSpec("child_birth_name", "Child's birth name", aliases=("birth name", "child birth name", "child name")),
    FieldSpec("child_adoptive_name", "Child's adoptive name", aliases=("adoptive name", "new name",
                                                                       "child adoptive name")),
    FieldSpec("child_dob", "Child's date of birth", "date", aliases=("dob", "date of birth", "child dob")),
    FieldSpec("adopters_name", "Adopters", aliases=("adopters", "adoptive parents", "adopter names")),
    FieldSpec("adopters_address", "Adopters' address", aliases=("adopters address", "adoptive address")),
    FieldSpec("relative_name", "Birth relative", aliases=("birth relative", "relative", "birth family member",
                                                          "relative name")),
    FieldSpec("relationship", "Relationship", aliases=("relation", "relationship to child")),
    FieldSpec("relative_address", "Birth relative's address", aliases=("birth address", "relative address",
                                                                      "birth relative address")),
    FieldSpec("exchange_months", "Exchange months", "months", aliases=("months", "exchange month",
                                                                       "month(s)", "exchange")),
    FieldSpec("first_writer", "Who writes first", aliases=("first writer", "writes first")),
    FieldSpec("replies_expected", "Replies expected", "bool", aliases=("reply", "replies")),
    FieldSpec("email_allowed", "Email allowed", "bool", aliases=("email", "email exchange")),
    FieldSpec("start_date", "Start date", "date", aliases=("start", "agreement date")),
    FieldSpec("review_date", "Review date", "date", aliases=("review",)),
    FieldSpec("status", "Status", aliases=("state",)),
    FieldSpec("coordinator", "Coordinator", aliases=("worker", "social worker", "coordinator")),
    FieldSpec("protected_terms", "Protected terms", aliases=("protected", "do not disclose", "protected terms")),
    FieldSpec("birth_protected_terms", "Birth side's protected terms",
              aliases=("birth protected terms", "birth side protected terms", "protected terms birth side",
                       "birth do not disclose")),
    FieldSpec("notes", "Notes", aliases=("note", "comments")),
)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Problem:
    row: int  # spreadsheet row number (the header is row 1)
    column: str
    problem: str


@dataclass
class ImportPlan:
    problems: list[Problem] = field(default_factory=list)
    arrangements: list[tuple[int, ArrangementInput]] = field(default_factory=list)  # (first row, data)
    creates: int = 0
    updates: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportReport:
    written: bool
    dry_run: bool
    creates: int
    updates: int
    unchanged: int
    problems: tuple[Problem, ...]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(path: Path) -> Table:
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
                raw = [[_cell(c) for c in r] for r in csv.reader(fh)]
        elif suffix in (".xlsx", ".xlsm"):
            import openpyxl

            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                ws = wb.worksheets[0]
                raw = [[_cell(c) for c in r] for r in ws.iter_rows(values_only=True)]
            finally:
                wb.close()
        else:
            raise ValidationError(f"File: {path.name} is not a .xlsx or .csv file; save the register as one.", "file")
    except AppError:
        raise
    except Exception as exc:  # unreadable file of the right name
        raise ValidationError(f"File: {path.name} could not be read ({exc}). Save it again as .xlsx or .csv.",
                              "file") from exc
    raw = [r for r in raw if any(c for c in r)]
    if not raw:
        raise ValidationError(f"File: {path.name} is empty; it needs a header row and one row per arrangement.",
                              "file")
    if len(raw) - 1 > MAX_ROWS:
        raise ValidationError(f"File: more than {MAX_ROWS} rows; split the register into smaller files.", "file")
    width = max(len(r) for r in raw)
    rows = [r + [""] * (width - len(r)) for r in raw]
    return Table(rows[0], rows[1:])


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9()]+", " ", header.lower()).strip()


def guess_mapping(headers: Sequence[str]) -> dict[str, int]:
    """Field key -> column index, by header label, key or alias (case and punctuation ignored)."""
    out: dict[str, int] = {}
    normalised = [_norm(h) for h in headers]
    for spec in FIELDS:
        names = {_norm(spec.label), _norm(spec.key), *(_norm(a) for a in spec.aliases)}
        for i, h in enumerate(normalised):
            if h in names and i not in out.values():
                out[spec.key] = i
                break
    return out


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y",
                 "%Y-%m-%dT%H:%M:%S")


def parse_date(value: str) -> dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date; write it as DD/MM/YYYY")


def parse_bool(value: str) -> bool:
    v = value.strip().lower()
    if v in ("y", "yes", "true", "1", "x", "✓"):
        return True
    if v in ("n", "no", "false", "0", ""):
        return False
    raise ValueError(f"{value!r} is not yes or no")


def _row_values(row: list[str], mapping: dict[str, int]) -> dict[str, str]:
    return {k: (row[i] if 0 <= i < len(row) else "") for k, i in mapping.items()}


def _convert(rownum: int, vals: dict[str, str], problems: list[Problem]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    before = len(problems)
    for key, raw in vals.items():
        spec = FIELD_BY_KEY.get(key)
        if spec is None:
            continue
        raw = raw.strip()
        try:
            if spec.kind == "date":
                out[key] = parse_date(raw) if raw else None
            elif spec.kind == "bool":
                out[key] = parse_bool(raw)
            elif spec.kind == "months":
                out[key] = ",".join(str(m) for m in rules.parse_months(raw))
            else:
                if len(raw) > 2000:
                    raise ValueError("is longer than 2,000 characters")
                out[key] = raw
        except (ValueError, ValidationError) as exc:
            problems.append(Problem(rownum, spec.label, f"{exc}"))
    if not out.get("reference"):
        problems.append(Problem(rownum, "Reference", "missing: every row needs the agency reference"))
    elif len(out["reference"]) > 40:
        problems.append(Problem(rownum, "Reference", "longer than 40 characters"))
    status = str(out.get("status", "") or "active").lower()
    if status not in rules.STORED_STATUSES:
        problems.append(Problem(rownum, "Status", f"{status!r}: use active, suspended or ended"))
    out["status"] = status
    writer = str(out.get("first_writer", "") or "adoptive").lower()
    writer = {"adopters": "adoptive", "adopter": "adoptive", "birth family": "birth", "birth relative": "birth"}.get(
        writer, writer)
    if writer not in (rules.ADOPTIVE, rules.BIRTH):
        problems.append(Problem(rownum, "Who writes first", f"{writer!r}: use adoptive or birth"))
    out["first_writer"] = writer
    return out if len(problems) == before else None


def plan_import(session: Session, table: Table, mapping: dict[str, int]) -> ImportPlan:
    plan = ImportPlan()
    if "reference" not in mapping:
        plan.problems.append(Problem(1, "Reference", "no column is mapped to Reference; choose one"))
        return plan
    groups: dict[str, tuple[int, dict[str, Any], list[ParticipantData]]] = {}
    for n, row in enumerate(table.rows, start=2):
        vals = _convert(n, _row_values(row, mapping), plan.problems)
        if vals is None:
            continue
        ref = vals["reference"]
        rel = vals.get("relative_name", "")
        participant = ParticipantData(rel, vals.get("relationship", ""), vals.get("relative_address", "")) if rel else None
        if ref.upper() in groups:
            first, seen, parts = groups[ref.upper()]
            for key in ("child_birth_name", "child_adoptive_name", "adopters_name"):
                if vals.get(key) and seen.get(key) and vals[key] != seen[key]:
                    plan.problems.append(Problem(n, FIELD_BY_KEY[key].label,
                                                 f"differs from row {first} for the same reference {ref}"))
            if participant and all(p.name.lower() != participant.name.lower() for p in parts):
                parts.append(participant)
        else:
            groups[ref.upper()] = (n, vals, [participant] if participant else [])
    existing = {r.upper(): i for i, r in session.execute(select(Arrangement.id, Arrangement.reference)).all()} \
        if groups else {}
    for key, (first, vals, parts) in groups.items():
        terms = tuple(TermData(t.strip(), "imported", side)
                      for key_, side in (("protected_terms", rules.ADOPTIVE), ("birth_protected_terms", rules.BIRTH))
                      for t in re.split(r"[;,\n]", vals.get(key_, "")) if t.strip())
        fields = {k: v for k, v in vals.items() if k in ArrangementInput.__dataclass_fields__}
        months = rules.parse_months(fields.get("exchange_months", ""))
        data = ArrangementInput(**{**fields, "frequency": len(months) or 1, "participants": tuple(parts),
                                   "protected": terms})
        arr_id = existing.get(key)
        if arr_id is None:
            plan.creates += 1
        else:
            current = session.get(Arrangement, arr_id)
            assert current is not None
            before = _input_of(session, current)
            same = all(getattr(before, k) == getattr(data, k) for k in fields if k != "reference") and \
                {p.name.lower() for p in parts} <= {p.name.lower() for p in before.participants}
            if same:
                plan.unchanged += 1
            else:
                plan.updates += 1
        plan.arrangements.append((first, data))
    return plan


def import_table(db: Database, actor: Principal, table: Table, mapping: dict[str, int] | None = None, *,
                 dry_run: bool = False, source: str = "") -> ImportReport:
    require(actor, Permission.LETTERBOX_IMPORT)
    mapping = mapping if mapping is not None else guess_mapping(table.headers)
    with db.session(actor) as session:
        plan = plan_import(session, table, mapping)
        if not plan.ok or dry_run:
            session.rollback()
            return ImportReport(False, dry_run, plan.creates, plan.updates, plan.unchanged, tuple(plan.problems))
        existing = {r.upper(): i for i, r in session.execute(select(Arrangement.id, Arrangement.reference)).all()}
        problems: list[Problem] = []
        for first, data in plan.arrangements:
            try:
                with session.begin_nested():
                    save_arrangement_in(session, data, existing.get(data.reference.upper()))
            except AppError as exc:
                problems.append(Problem(first, getattr(exc, "field", None) or "row", str(exc)))
        if problems:
            raise _ImportFailed(ImportReport(False, False, plan.creates, plan.updates, plan.unchanged,
                                             tuple(problems)))
        audit.record(session, "letterbox_import", "letterbox_arrangements", "*",
                     detail=f"{source}: {plan.creates} created, {plan.updates} updated, {plan.unchanged} unchanged")
        return ImportReport(True, False, plan.creates, plan.updates, plan.unchanged, ())


class _ImportFailed(AppError):
    def __init__(self, report: ImportReport) -> None:
        super().__init__("import failed")
        self.report = report


def import_file(db: Database, actor: Principal, path: Path, mapping: dict[str, int] | None = None, *,
                dry_run: bool = False) -> ImportReport:
    """Validate, then write all rows in one transaction, or nothing. Problems are in the report."""
    require(actor, Permission.LETTERBOX_IMPORT)  # before the file is even read
    table = read_table(path)
    try:
        return import_table(db, actor, table, mapping, dry_run=dry_run, source=Path(path).name)
    except _ImportFailed as failed:
        return failed.report
