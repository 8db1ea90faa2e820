"""After Edit member → OK the central list stays on the member just edited and the status line says what was
saved (a tester's list jumped to the first row with an empty status line, and still said the appraisal just
recorded was overdue)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import qdate
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import TODAY, Panel

D = dt.date


def _page(qtbot: QtBot, panel: Panel) -> PanelPage:
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.show()
    return page


def _overdue(panel: Panel, key: str, due: D) -> None:
    row = next(m for m in svc.list_members(panel.db, panel.clerk, today=TODAY) if m.id == panel.members[key])
    svc.update_member(panel.db, panel.clerk, row.id, svc.MemberInput(
        row.full_name, row.role_type, row.joined_on, row.pqe_years, row.independent, row.user_id, due,
        row.dbs_checked_on, row.training_on), today=TODAY)


def test_recording_an_appraisal_keeps_the_member_chosen_and_says_what_was_saved(qtbot: QtBot, panel: Panel) -> None:
    _overdue(panel, "sw", D(2026, 11, 2))
    page = _page(qtbot, panel)
    page.tabs.setCurrentIndex(1)
    rows = page.members_model.rows()
    n = next(i for i, m in enumerate(rows) if m.id == panel.members["sw"])
    assert n > 0  # not the first row, so a jump back to it shows
    assert "Appraisal overdue since 02/11/2026" in rows[n].warnings
    page.members_view.setCurrentIndex(page.members_model.index(n, 0))
    page.findChild(QPushButton, "edit_member").click()  # &Edit member…
    dlg = page.dialog
    assert isinstance(dlg, dialogs.MemberDialog) and dlg.isVisible()
    dlg.appraised_on.setFocus()
    dlg.appraised_on.setDate(qdate(D(2026, 11, 20)))
    QTest.keyClick(dlg.appraised_on, Qt.Key.Key_Return)
    assert not dlg.isVisible(), dlg.message.text()
    chosen = page.member
    assert chosen is not None and chosen.id == panel.members["sw"]
    assert page.members_view.selectionModel().isRowSelected(page.members_view.currentIndex().row())
    assert not [w for w in chosen.warnings if "ppraisal" in w]
    assert chosen.appraisal_due == D(2027, 11, 20)
    said = page.status.text()
    assert said.startswith("Tara Dunmere saved. Appraisal held 20/11/2026 recorded; the next is due a year "
                           "after it, 20/11/2027 (was 02/11/2026).")
    # the list shows the date the warning counts
    col = [c.title for c in page.members_model.columns].index("Appraisal due")
    assert page.members_model.index(page.members_view.currentIndex().row(), col).data() == "20/11/2027"


def test_an_edit_without_an_appraisal_says_saved_and_keeps_the_row(qtbot: QtBot, panel: Panel) -> None:
    page = _page(qtbot, panel)
    page.tabs.setCurrentIndex(1)
    rows = page.members_model.rows()
    n = len(rows) - 1
    page.members_view.selectRow(n)
    page.edit_member()
    dlg = page.dialog
    assert isinstance(dlg, dialogs.MemberDialog)
    dlg.pqe_years.setValue(9)
    dlg._ok()
    assert not dlg.isVisible(), dlg.message.text()
    assert page.member is not None and page.member.id == rows[n].id and page.member.pqe_years == 9
    assert page.status.text().startswith(f"{rows[n].full_name} saved.")


def test_the_saved_text_names_the_appraisal_and_what_is_still_due() -> None:
    from adoption_desktop.panel.views.page import member_saved_text

    base = svc.MemberRow(1, "Ada Fenwick", "member", "Member", False, None, True, D(2024, 1, 1), None, None, None,
                         "", "", D(2027, 3, 1), D(2026, 1, 1), None, ("No training date",), appraised_on=None,
                         next_appraisal=D(2027, 3, 1))
    assert member_saved_text(base, base, D(2027, 3, 1)) == "Ada Fenwick saved. Still to do: No training date."
    held = replace(base, appraised_on=D(2026, 11, 20), warnings=())
    assert member_saved_text(base, held, D(2027, 3, 1)) == (
        "Ada Fenwick saved. Appraisal held 20/11/2026 recorded; next appraisal due 01/03/2027.")
    assert member_saved_text(None, replace(held, next_appraisal=None), None).startswith(
        "Ada Fenwick added to the central list. Appraisal held 20/11/2026 recorded")
