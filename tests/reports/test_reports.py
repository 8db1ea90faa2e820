from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from adoption_desktop.core.errors import PermissionDenied, ValidationError
from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports import service
from adoption_desktop.reports.views.page import ReportsPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user


def test_default_range_is_the_last_complete_half_year() -> None:
    assert service.default_range(dt.date(2026, 11, 23)) == (dt.date(2026, 4, 1), dt.date(2026, 9, 30))
    assert service.default_range(dt.date(2026, 5, 2)) == (dt.date(2025, 10, 1), dt.date(2026, 3, 31))
    assert service.default_range(dt.date(2026, 2, 2)) == (dt.date(2025, 4, 1), dt.date(2025, 9, 30))


def test_figures_need_the_reports_permission(db: Database) -> None:
    counsellor = make_user(db, "cnt", Role.COUNSELLOR)
    with pytest.raises(PermissionDenied):
        service.collect(db, counsellor, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    manager = make_user(db, "mgr", Role.MANAGER)
    with pytest.raises(ValidationError, match="end date"):
        service.collect(db, manager, dt.date(2026, 6, 30), dt.date(2026, 1, 1))
    sections = service.collect(db, manager, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert all(s.title for s in sections)


def test_reports_page_runs_and_exports(db: Database, qtbot: Any, tmp_path: Path) -> None:
    manager = make_user(db, "mgr2", Role.MANAGER)
    page = ReportsPage(AppContext(db, manager, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.run()
    assert page.tree.topLevelItemCount() == len(page.sections)
    out = tmp_path / "figures.csv"
    page.sections = []  # export never writes stale or empty figures: it counts the dates shown now
    page.export_to(out)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("section,figure,value")
    assert len(lines) == 1 + sum(len(s.rows) for s in page.sections)
    start, end = page._range()
    assert page.sections_period == (start, end)


def test_the_figures_csv_and_its_audit_entry_are_delivered_together_or_not_at_all(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CSV was written, then its export audited: a failed audit left an unrecorded file of figures on
    disk. Now the file takes its name only once the entry is committed; an existing file is kept as it was."""
    from sqlalchemy import select

    from adoption_desktop.core.audit.models import AuditEntry

    manager = make_user(db, "mgr3", Role.MANAGER)
    start, end = dt.date(2026, 4, 1), dt.date(2026, 9, 30)
    sections = service.collect(db, manager, start, end)
    out = tmp_path / "figures.csv"
    out.write_text("last month's figures\n", encoding="utf-8")

    def refused(*_args: object, **_kwargs: object) -> None:
        raise OSError("the audit log could not be written")

    with monkeypatch.context() as m:
        m.setattr(service.audit, "record", refused)
        with pytest.raises(OSError, match="audit log"):
            service.write_csv(db, manager, sections, start, end, out)
    assert out.read_text(encoding="utf-8") == "last month's figures\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file() and "figures" in p.name) == ["figures.csv"]
    service.write_csv(db, manager, sections, start, end, out)
    assert out.read_text(encoding="utf-8-sig").startswith("section,figure,value")
    with db.session(write=False) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "figures")).one()
    assert entry.action == "export" and entry.detail == "figures.csv"
