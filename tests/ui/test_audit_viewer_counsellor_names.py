"""The audit viewer showed a counselling case's hand-overs and allocation corrections as the ids they log
("counsellor id: 3 → 5"): the administrator had to look the numbers up on the Users tab. The list now shows
the counsellors by name ("counsellor: Corey Tester (user 3) → Cleo Tester (user 5)"), the entry as logged
still in its tooltip; the CSV export keeps ``changes`` as logged and names the accounts in its ``people``
column. The hand-over is saved on one PC and read on another."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from adoption_desktop.core import audit_service
from adoption_desktop.core.audit import AuditFilter
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.service.common import CORRECT_ALLOCATION, HANDOVER
from adoption_desktop.ui.admin_page import AdminPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user
from tests.counselling.conftest import TODAY, referral


def _handed_over(db: Database) -> tuple[Principal, Principal, Principal]:
    """A case allocated to Corey, handed over to Cleo, the hand-over corrected to Cass."""
    first = make_user(db, "corey", Role.COUNSELLOR)
    second = make_user(db, "cleo", Role.COUNSELLOR)
    third = make_user(db, "cass", Role.COUNSELLOR)
    case_id = service.create_referral(db, first, referral(), today=TODAY)
    service.allocate(db, first, case_id, first.user_id, dt.date(2026, 10, 5), today=TODAY)
    service.allocate(db, first, case_id, second.user_id, dt.date(2026, 11, 20), today=TODAY)
    version = service.open_case(db, first, case_id, TODAY, audit_view=False).row_version
    service.correct_allocation(db, first, case_id, third.user_id, dt.date(2026, 11, 20), "wrong counsellor chosen",
                               expected_version=version, today=TODAY)
    return first, second, third


def test_the_viewer_and_the_export_name_the_counsellors(db: Database, other_pc: Database, admin: Principal,
                                                         qtbot: Any, tmp_path: Path) -> None:
    first, second, third = _handed_over(other_pc)  # saved on the other PC
    page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.show()
    page.setCurrentWidget(page.audit)
    tab = page.audit
    column = [tab.model.headerData(c, Qt.Orientation.Horizontal) for c in range(tab.model.columnCount())
              ].index("Changes / detail")

    def shown(action: str) -> tuple[str, str]:
        at = next(i for i, r in enumerate(tab.model.rows()) if r.action == action)
        index = tab.model.index(at, column)
        return str(index.data()), str(index.data(Qt.ItemDataRole.ToolTipRole))

    text, tip = shown(HANDOVER)
    assert (f"counsellor: Corey Tester (user {first.user_id}) → Cleo Tester (user {second.user_id})"
            in text), text
    assert "counsellor id" not in text
    assert f'"counsellor_id": [{first.user_id}, {second.user_id}]' in tip  # the entry as logged, in the tooltip
    text, _tip = shown(CORRECT_ALLOCATION)
    assert f"counsellor: Cleo Tester (user {second.user_id}) → Cass Tester (user {third.user_id})" in text, text

    out = tmp_path / "audit.csv"
    audit_service.export_csv(db, admin, out, AuditFilter(action=HANDOVER))
    with out.open(encoding="utf-8-sig", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    assert json.loads(row["changes"])["counsellor_id"] == [first.user_id, second.user_id]  # kept as logged
    assert row["people"] == f"{first.user_id} = Corey Tester; {second.user_id} = Cleo Tester"
