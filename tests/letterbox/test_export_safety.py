"""The register export (letterbox arrangements and items, .xlsx): no formula cell from data, audited."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from sqlalchemy import select

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox.models import Arrangement
from tests.letterbox.test_views import make_page

NAME = "=cmd|' /C calc'!A0"


def test_register_export_has_no_formula_cells_and_is_audited(qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                             coordinator: Principal, arrangement: int,
                                                             tmp_path: Path) -> None:
    # values as they may already be in a database (typed or imported before input was checked)
    with db.session(coordinator) as s:
        arr = s.get(Arrangement, arrangement)
        assert arr is not None
        arr.child_birth_name, arr.child_adoptive_name, arr.reference = NAME, "=9/9", "@SUM(A1)"
    page = make_page(qtbot, db, coordinator)
    out = tmp_path / "arrangements.xlsx"
    done: list[int] = []
    page.arrangements_register.export_to(out, done.append)
    assert done == [1]
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = {c.value: c for c in cells}
    assert NAME in values and values[NAME].data_type == "s" and values[NAME].quotePrefix
    assert values["=9/9"].quotePrefix and values["@SUM(A1)"].quotePrefix
    with db.session(write=False) as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "export")))
    assert [(e.entity, e.entity_id, e.actor) for e in entries] == [
        ("letterbox_register", "arrangements", entries[0].actor)]
    assert "lbcoord" in entries[0].actor or coordinator.full_name in entries[0].actor
    page.items_register.export_to(tmp_path / "items.xlsx")
    with db.session(write=False) as s:
        assert s.scalar(select(AuditEntry.entity_id).where(AuditEntry.action == "export")
                        .order_by(AuditEntry.seq.desc()).limit(1)) == "items"
