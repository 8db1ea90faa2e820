"""Exports are safe to open: text that a spreadsheet would take for a formula is written as text (CSV: a
leading single quote, OWASP's rule; xlsx: a string cell with quotePrefix), and every export is audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from adoption_desktop.core import audit, audit_service
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.documents import spreadsheet_safety as safety
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports import service as reports
from adoption_desktop.reports.model import FigureSection
from tests.conftest import make_user

HOSTILE = ["=cmd|' /C calc'!A0", "=9/9", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1",
           '=HYPERLINK("http://example.invalid","x")']
HARMLESS = ["Amy Lark", "9/9", "a=b", " =1", "", "O'Neil"]
PACKAGE = Path(__file__).resolve().parents[2] / "adoption_desktop"


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_rule_quotes_formula_like_text(text: str) -> None:
    assert safety.is_formula_like(text)
    assert safety.csv_cell(text) == "'" + text
    buf = io.StringIO()
    safety.csv_writer(buf).writerow([text, 5, -3, dt.date(2026, 1, 2)])
    row = next(csv.reader(io.StringIO(buf.getvalue())))
    assert row == ["'" + text, "5", "-3", "2026-01-02"]  # numbers and dates are data, not formulas


@pytest.mark.parametrize("text", HARMLESS)
def test_csv_rule_leaves_ordinary_text_alone(text: str) -> None:
    assert not safety.is_formula_like(text)
    assert safety.csv_cell(text) == text


def _no_formula_cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}={c.value!r}" for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.data_type == "f"]


def test_xlsx_cells_are_text_with_quote_prefix(tmp_path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("x")
    ws.append(safety.xlsx_row(ws, [*HOSTILE, *HARMLESS, 7, None, dt.date(2026, 1, 2)]))
    wb.save(tmp_path / "x.xlsx")
    assert _no_formula_cells(tmp_path / "x.xlsx") == []
    cells = list(next(openpyxl.load_workbook(tmp_path / "x.xlsx").active.iter_rows()))  # type: ignore[union-attr]
    assert [c.value for c in cells[:len(HOSTILE)]] == HOSTILE  # the text itself is unchanged
    assert all(c.quotePrefix for c in cells[:len(HOSTILE)])
    assert not any(c.quotePrefix for c in cells[len(HOSTILE):])
    assert cells[0].value == HOSTILE[0] and cells[-3].value == 7


def _exports(db: Database) -> list[AuditEntry]:
    with db.session(write=False) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "export")))


def test_audit_csv_export_writes_no_formula_and_is_audited(db: Database, admin: Principal, tmp_path: Path) -> None:
    with db.session(admin) as s:
        for text in HOSTILE:
            audit.record(s, "note", "users", admin.user_id, detail=text)
    out = tmp_path / "audit.csv"
    audit_service.export_csv(db, admin, out)
    cells = [c for row in csv.reader(out.read_text(encoding="utf-8-sig").splitlines()) for c in row]
    assert [c for c in cells if safety.is_formula_like(c)] == []
    assert sum(1 for c in cells if c.startswith("'=cmd")) == 1
    assert [e.entity for e in _exports(db)] == ["audit_log"]
    assert _exports(db)[0].detail.endswith("exported; filter: none")  # words, not a Python repr
    audit_service.export_csv(db, admin, out, audit.AuditFilter(actor="admin", action="note"))
    assert _exports(db)[-1].detail.endswith("entries exported; filter: user admin, action note")


def test_figures_csv_writes_no_formula_and_is_audited(db: Database, tmp_path: Path) -> None:
    manager = make_user(db, "mgr", Role.MANAGER)
    out = tmp_path / "figures.csv"
    sections = [FigureSection("=Section", [("=9/9", "-1+2"), ("Referrals", "4")])]
    reports.write_csv(db, manager, sections, dt.date(2026, 1, 1), dt.date(2026, 6, 30), out)
    cells = [c for row in csv.reader(out.read_text(encoding="utf-8-sig").splitlines()) for c in row]
    assert [c for c in cells if safety.is_formula_like(c)] == []
    assert "'=9/9" in cells and "4" in cells
    assert [e.entity for e in _exports(db)] == ["figures"]


def test_every_spreadsheet_writer_uses_the_shared_rule() -> None:
    """A new csv.writer or openpyxl Workbook in the package must go through spreadsheet_safety."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "spreadsheet_safety.py" or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "csv.writer(" in text or "csv.DictWriter(" in text:
            offenders.append(f"{path.relative_to(PACKAGE)}: use spreadsheet_safety.csv_writer")
        if "Workbook(" in text and "xlsx_row" not in text:
            offenders.append(f"{path.relative_to(PACKAGE)}: write rows with spreadsheet_safety.xlsx_row")
    assert offenders == []
