"""A manager's and an administrator's trial of the Reports page, the report and the audit log (5 December):
figures that seemed to disagree, Enter that did nothing, rows counted twice, a menu item offered to people
it then refused, and an audit log in codes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from PySide6.QtWidgets import QTreeWidgetItem

from adoption_desktop import demo
from adoption_desktop.core import audit
from adoption_desktop.core.audit import readable
from adoption_desktop.core.security import service as users
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.reports import measures
from adoption_desktop.reports.periods import Period
from adoption_desktop.reports.report_data import build_report
from adoption_desktop.reports.report_docx import write_report_docx
from adoption_desktop.reports.views.behind import summary_text
from adoption_desktop.reports.views.page import ReportsPage
from adoption_desktop.ui.admin_page import AdminPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

D = dt.date
HALF = Period(D(2026, 4, 1), D(2026, 9, 30))
TODAY = D(2026, 11, 23)


def _tables(doc: Any) -> list[list[list[str]]]:
    return [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]


def test_the_report_says_which_adm_decisions_each_percentage_counts(small_demo_db: Database, tmp_path: Path
                                                                   ) -> None:
    """The summary's 89% (31 of 35) and the journey table's 86.7% (n=30) read as one figure disagreeing with
    itself: each now says what it counts, with its base, and the 7 working days are the measure's threshold."""
    manager = make_user(small_demo_db, "mgr", Role.MANAGER)
    data = build_report(small_demo_db, manager, HALF, "six-monthly", today=TODAY)
    doc = Document(str(write_report_docx(data, tmp_path / "r.docx")))
    k = data.key[0]
    summary = next(p.text for p in doc.paragraphs if "agency decisions were signed" in p.text)
    assert f"{k.adm_decisions} agency decisions were signed, with or without panel" in summary
    assert f"of the {k.adm_timed} with a due date were made by it" in summary
    figures = next(t for t in _tables(doc) if t[0][0] == "Figure")
    row = next(r for r in figures if r[0].startswith("ADM decisions within the timescale"))
    assert row[0] == "ADM decisions within the timescale (all decisions, with or without panel)"
    assert row[1].endswith(f"({k.adm_within} of {k.adm_timed})")
    journey = [t for t in _tables(doc) if t[0][0] == "Measure"]
    adm = next(r for t in journey for r in t if r[0].startswith("ADM decisions on panel recommendations"))
    assert adm[-2] == "7 working days"  # it said "–"
    assert journey[0][0][-2] == "Threshold"


def test_the_adm_measure_follows_the_decision_due_setting() -> None:
    m = next(x for x in measures.compute(measures.Inputs(), HALF.start, HALF.end,
                                         measures.Thresholds(adm_working_days=10)) if x.code == "adm_7wd")
    assert m.threshold == 10 and "within 10 working days" in m.label


def test_a_total_over_members_says_so_and_a_count_as_before() -> None:
    """"Attendances (present)" = 127 opened to 15 members and said "15 behind this figure"."""
    from adoption_desktop.reports.measures import ChildRow

    rows = [ChildRow(f"M{i}", "", "", None, None, None, None) for i in range(15)]
    period = (HALF.start, HALF.end)
    text = summary_text("Adoption panel: attendance: Attendances (present)", period, rows, "127")
    assert text.startswith("The figure, 127, is counted over the 15 listed below")
    assert summary_text("x: Overall attendance (%)", period, rows, "85").startswith("The figure, 85%,")
    assert summary_text("x: Members invited", period, rows, "15") == "15 behind this figure, 01/04/2026 to 30/09/2026."
    assert summary_text("x: y", period, [], "0").startswith("Nothing is behind this figure")


def test_enter_on_a_figure_with_no_list_says_why(small_demo_db: Database, qtbot: Any) -> None:
    manager = users.authenticate(small_demo_db, "manager", demo.DEMO_PASSWORD)
    ctx = AppContext(small_demo_db, manager, TaskRunner(synchronous=True))
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.run()
    closed: QTreeWidgetItem | None = None
    opening: QTreeWidgetItem | None = None
    for i in range(page.tree.topLevelItemCount()):
        top = page.tree.topLevelItem(i)
        for j in range(top.childCount()):
            item = top.child(j)
            if page._opens(top.text(0), item.text(0)):
                opening = opening or item
                assert "Enter or double-click" in item.toolTip(0)
            else:
                closed = closed or item
                assert "Enter or double-click" not in item.toolTip(0)
    assert closed is not None and opening is not None
    ctx.status_messages.clear()
    assert page.open_figure(closed) is None
    assert ctx.status_messages and "has no list behind it" in ctx.status_messages[-1]
    assert closed.text(0) in ctx.status_messages[-1]


@pytest.mark.parametrize(("user", "enabled"), [("admin", True), ("letterbox", False), ("manager", False)])
def test_back_up_is_offered_only_to_those_who_may(small_demo_db: Database, qtbot: Any, user: str,
                                                  enabled: bool) -> None:
    principal = users.authenticate(small_demo_db, user, demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(small_demo_db, principal, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    assert window.backup_action.isEnabled() is enabled
    assert ("administrator" in window.backup_action.toolTip()) is not enabled


def test_audit_words_for_codes() -> None:
    assert readable.action_label("sign_in") == "Signed in"
    assert readable.action_label("qd_notice_sent") == "Qualifying determination: notice sent"
    assert readable.action_label("letterbox_exchange_missed") == "Letterbox exchange missed"
    assert readable.record_label("adm_qualifying_determinations", "7") == "ADM qualifying determination 7"
    assert readable.record_label("letterbox_items", "*") == "Letterbox items (many)"
    assert readable.record_label("counselling_cases", "12") == "Counselling case 12"
    assert readable.record_label("panel_minutes", "3") == "Panel minutes 3"
    assert readable.record_label("letterbox_protected_terms", "2") == "Letterbox protected term 2"
    text = readable.changes_text('{"full_name": ["Ann Example", "Ann Sample"], "disabled": [false, true], '
                                 '"password_hash": "<changed>", "notes": null}')
    assert text == ("full name: “Ann Example” → “Ann Sample”; disabled: no → yes; password hash (changed, not "
                    "shown); notes (blank)")
    assert readable.changes_text("not json") == "not json"
    assert readable.action_code("Signed in") == "sign_in"
    assert readable.action_code("signed IN") == "sign_in"
    assert readable.action_code("Qualifying determination: notice sent") == "qd_notice_sent"
    assert readable.action_code("sign_in") == "sign_in"
    tables = ["users", "counselling_cases", "adm_qualifying_determinations"]
    assert readable.entity_code("Counselling case", tables) == "counselling_cases"
    assert readable.entity_code("ADM qualifying determinations", tables) == "adm_qualifying_determinations"
    assert readable.entity_code("users", tables) == "users"


def test_the_audit_log_reads_in_words_and_filters_by_them(db: Database, admin: Principal, qtbot: Any) -> None:
    make_user(db, "clerk", Role.LETTERBOX_COORDINATOR)
    with db.session(admin) as session:
        audit.record(session, "qd_notice_sent", "adm_qualifying_determinations", 7, detail="synthetic")
    page = AdminPage(AppContext(db, admin, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    page.setCurrentWidget(page.audit)
    tab = page.audit
    cells = [[tab.model.data(tab.model.index(r, c)) for c in range(tab.model.columnCount())]
             for r in range(tab.model.rowCount())]
    newest = cells[0]
    assert newest[3] == "Qualifying determination: notice sent"
    assert newest[4] == "ADM qualifying determination 7"
    assert not any(re.search(r'^\{"', str(row[5])) for row in cells)  # no raw JSON in the list
    tip = tab.model.data(tab.model.index(0, 3), 3)  # ToolTipRole
    assert tip == "Logged as: qd_notice_sent"
    for edit in tab.filters.values():
        edit.setText("")
    tab.filters["action"].setText("qualifying determination: notice sent")
    tab.filters["entity"].setText("ADM qualifying determination")
    tab.refresh()
    assert [r.entity_id for r in tab.model.rows()] == ["7"]


@pytest.mark.parametrize(("day", "said"), [(D(2026, 12, 25), "bank holiday (Christmas Day)"),
                                           (D(2026, 12, 12), "weekend day"),
                                           (D(2026, 12, 28), "bank holiday")])  # Boxing Day's substitute
def test_a_closure_day_is_never_a_weekend_or_bank_holiday(db: Database, admin: Principal, day: dt.date,
                                                          said: str) -> None:
    """A trial's administrator added Christmas Day and a Saturday: they were never working days."""
    from adoption_desktop.core.errors import ValidationError
    from adoption_desktop.core.settings_service import add_closure_day

    with pytest.raises(ValidationError, match=re.escape(said)) as caught:
        add_closure_day(db, admin, day, "Office closed")
    assert caught.value.field == "day"
    assert not audit_rows(db, "closure_days")
    add_closure_day(db, admin, D(2026, 12, 29), "Office closed")  # a working day
    assert len(audit_rows(db, "closure_days")) == 1


def audit_rows(db: Database, table: str) -> list[Any]:
    from sqlalchemy import text

    with db.session(write=False) as session:
        return list(session.execute(text(f"SELECT * FROM {table}")))


def test_tab_never_stops_on_the_page_itself(small_demo_db: Database, qtbot: Any) -> None:
    """A trial's Tab went to an invisible stop (the page's scroll area) between the last field and the first."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QScrollArea

    manager = users.authenticate(small_demo_db, "manager", demo.DEMO_PASSWORD)
    window = MainWindow(AppContext(small_demo_db, manager, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.show()
    window.open_target("reports")
    qtbot.waitExposed(window)
    window.activateWindow()
    seen = []
    for _ in range(40):
        QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen and not any(isinstance(w, QScrollArea) for w in seen)
    assert not any(isinstance(w, QScrollArea) and w.focusPolicy() != Qt.FocusPolicy.NoFocus
                   for w in window.findChildren(QScrollArea) if w.objectName().startswith("scroll_"))


def test_training_and_dbs_checks_are_on_the_page_and_open_to_the_members() -> None:
    """A trial's manager found the training and DBS figures only in the Word report."""
    from adoption_desktop.panel import appraisals
    from adoption_desktop.panel.makeup import MemberFacts

    start, end = HALF.start, HALF.end
    members = [MemberFacts(1, "Ann Example", "social_worker", False, D(2020, 1, 1)),
               MemberFacts(2, "Bea Sample", "independent_member", True, D(2020, 1, 1)),
               MemberFacts(3, "Cal Adviser", "panel_adviser", False, D(2020, 1, 1)),  # not a member
               MemberFacts(4, "Dee Left", "social_worker", False, D(2020, 1, 1), leaves_on=D(2026, 5, 1))]
    checks = [appraisals.Checks(1, D(2026, 5, 5), D(2023, 9, 29)),  # DBS 3 years and a day before the end
              appraisals.Checks(2, D(2025, 5, 5), D(2024, 1, 1)),
              appraisals.Checks(3, D(2026, 6, 1), None),
              appraisals.Checks(4, D(2026, 4, 2), None)]
    g = appraisals.checks_group(members, checks, start, end)
    by = {f.label: f for f in g.figures}
    trained = by["Members who attended training in the period"]
    assert trained.value == "2" and [r.reference for r in trained.behind] == ["Ann Example", "Dee Left"]
    old = by["DBS check more than three years old (or not recorded) at the end"]
    assert old.value == "1" and old.behind[0].reference == "Ann Example"
    assert "DBS checked 29/09/2023" in old.behind[0].detail
    exactly = appraisals.checks_group(members, [appraisals.Checks(1, None, D(2023, 9, 30))], start, end)
    assert exactly.figures[1].value == "1"  # Bea: none recorded; Ann: three years to the day is not over


def test_the_report_counts_overdue_appraisals_once(small_demo_db: Database, tmp_path: Path) -> None:
    manager = make_user(small_demo_db, "mgr", Role.MANAGER)
    doc = Document(str(write_report_docx(build_report(small_demo_db, manager, HALF, "six-monthly", today=TODAY),
                                         tmp_path / "r.docx")))
    labels = [r[0] for t in _tables(doc) for r in t]
    assert labels.count("Appraisals overdue at the end of the period") == 1
    assert labels.count("Members who attended training in the period") == 1
    assert "DBS check more than three years old (or not recorded) at the end" in labels
