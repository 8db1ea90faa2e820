"""Second-pass fixes: neutral quorum before attendance exists, one view entry per opening, CLI dates."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from adoption_desktop import cli
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.table_model import OVERDUE_BRUSH
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, papers_received

from .conftest import SITTING_DAY, TODAY, Panel, attend, with_views


def _views(panel: Panel, entity: str, entity_id: int) -> int:
    with panel.db.session(panel.clerk, write=False) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "view", AuditEntry.entity == entity,
            AuditEntry.entity_id == str(entity_id))) or 0


def _page(qtbot: QtBot, panel: Panel) -> PanelPage:
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.show()
    return page


def _quorum_cell(page: PanelPage, row: int) -> tuple[str, object, str]:
    col = [c.title for c in page.agenda_model.columns].index("Quorum")
    index = page.agenda_model.index(row, col)
    return (index.data(), index.data(Qt.ItemDataRole.ForegroundRole), index.data(Qt.ItemDataRole.ToolTipRole))


def test_quorum_is_neutral_until_attendance_is_recorded(qtbot: QtBot, panel: Panel) -> None:
    svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-1", "AB"))
    item = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items[0]
    assert item.quorum_state == "not_recorded" and "not recorded" in item.quorum_text
    page = _page(qtbot, panel)
    page.reload(select_sitting=panel.sitting_id)
    text, brush, tip = _quorum_cell(page, 0)
    assert text == "attendance not recorded" and brush is None and "Attendance not recorded" in tip
    assert "color: #b00020" not in page.minutes.quorum.styleSheet().lower()

    # a real shortfall: red, with the reasons as the tooltip
    attend(panel, "chair", "sw", "med", "adviser")
    page.reload()
    text, brush, tip = _quorum_cell(page, 0)
    assert text == "NOT QUORATE" and brush == OVERDUE_BRUSH
    assert tip and "5" in tip and "Not quorate" not in tip  # the reasons themselves
    assert "color: #b00020" in page.minutes.quorum.styleSheet().lower()

    attend(panel, "vice", "pe")
    page.reload()
    assert _quorum_cell(page, 0)[0] == "quorate"


def test_a_view_is_recorded_once_per_opening_not_per_refresh(qtbot: QtBot, panel: Panel) -> None:
    items = [svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", f"AD-{n}", "AB"))
             for n in range(2)]
    other = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        TODAY, "10:00", "13:00", "Room 3, Civic Centre, Ambleford ZZ99 1AB"))[0]
    page = _page(qtbot, panel)
    page.reload(select_sitting=panel.sitting_id)
    assert _views(panel, "panel_sittings", panel.sitting_id) == 1
    assert _views(panel, "panel_items", items[0]) == 1
    for _ in range(3):  # refreshes after edits, attendance marks, reorders
        page.reload()
        page.mark_rest_present()
    assert _views(panel, "panel_sittings", panel.sitting_id) == 1
    assert _views(panel, "panel_items", items[0]) == 1
    page.agenda_view.selectRow(1)  # the user opens the second item
    assert _views(panel, "panel_items", items[1]) == 1
    page.reload()
    assert _views(panel, "panel_items", items[1]) == 1
    page.reload(select_sitting=other)  # opening another sitting, then coming back, is two more openings
    page.reload(select_sitting=panel.sitting_id)
    page.sittings_view.selectRow([r.id for r in page.sittings_model.rows()].index(other))
    page.sittings_view.selectRow([r.id for r in page.sittings_model.rows()].index(panel.sitting_id))
    assert _views(panel, "panel_sittings", panel.sitting_id) == 3
    assert svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items  # a plain read writes nothing
    assert _views(panel, "panel_sittings", panel.sitting_id) == 3


def test_calendar_cli_rejects_a_bad_date_naming_the_option(panel: Panel, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.ENV_USER_PASSWORD, TEST_PASSWORD)
    out = tmp_path / "p.ics"
    assert cli.main(["export", "panel-calendar", "--db", str(panel.db.path), "--user", "clerk", "--out", str(out),
                     "--from", "10/11/2026"]) == 2
    assert "--from" in capsys.readouterr().err and not out.exists()
    assert cli.main(["export", "panel-calendar", "--db", str(panel.db.path), "--user", "clerk", "--out", str(out),
                     "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    assert out.read_text().count("BEGIN:VEVENT") == 1
    with panel.db.session(write=False) as session:  # every export is audited, this one too
        exported = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert [(e.entity, e.detail) for e in exported] == [("panel_sittings", "calendar of 1 sittings to p.ics")]
    assert "clerk" in exported[0].actor or panel.clerk.full_name in exported[0].actor


def test_refused_minutes_edits_are_kept_not_lost(qtbot: QtBot, panel: Panel) -> None:
    ids = [svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", f"AD-{n}", "AB"))
           for n in range(2)]
    attend(panel, "chair", "sw")  # inquorate: an outcome is refused
    page = _page(qtbot, panel)
    page.reload(select_sitting=panel.sitting_id)
    ed = page.minutes
    assert ed.current is not None and ed.current.id == ids[0]
    ed.set_outcome(0)
    ed.discussion.setPlainText("Long discussion typed during the sitting.")
    assert not ed.flush() and "inquorate" in ed.message.text()
    ed.go(1)  # refused: the typed text would be lost
    assert ed.current.id == ids[0]
    page.agenda_view.selectRow(1)  # likewise from the agenda
    assert ed.current.id == ids[0] and page.item is not None and page.item.id == ids[0]
    page.mark_rest_present()  # a refresh of the page keeps the unsaved edits on screen
    assert ed.discussion.toPlainText() == "Long discussion typed during the sitting." and ed.dirty
    assert ed.flush()  # now quorate: saved
    saved = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items[0].minutes
    assert saved is not None and saved.draft.discussion.startswith("Long discussion")
    ed.go(1)
    assert ed.current.id == ids[1]


def test_chair_sees_minutes_read_only_and_approved_text_stays_readable(qtbot: QtBot, panel: Panel) -> None:
    item = papers_received(panel.db, panel.clerk, svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-1", "AB")), SITTING_DAY)
    attend(panel, "chair", "vice", "sw", "med", "pe")
    svc.save_minutes(panel.db, panel.clerk, item, with_views(panel, svc.MinutesDraft(
        outcome="suitable", reasons="Thorough.", vote="unanimous", discussion="Questions.")))
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    page = PanelPage(AppContext(panel.db, panel.chair, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.reload(select_sitting=panel.sitting_id)
    ed = page.minutes
    assert ed.current is not None and ed.current.id == item
    assert ed.discussion.isReadOnly() and ed.discussion.isEnabled() and not ed.outcome.isEnabled()
    assert not ed.save_button.isEnabled() and not ed.submit_button.isEnabled()
    assert ed.approve_button.isVisible() or ed.approve_button.isEnabled()
    assert not ed.correct_button.isEnabled()
    assert not ed.save_now()


def test_declaring_an_interest_is_greyed_once_the_minutes_are_approved_until_a_correction(
        qtbot: QtBot, panel: Panel) -> None:
    """A declaration decides who counted to the item's quorum: once the chair approved the minutes (and
    until a correction of them is opened) the button is greyed with the reason, and Ctrl+D says it."""
    item = papers_received(panel.db, panel.clerk, svc.add_item(panel.db, panel.clerk, panel.sitting_id,
                                                               svc.ItemInput("approval", "AD-1", "AB")), SITTING_DAY)
    attend(panel, "chair", "vice", "sw", "med", "pe")
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(
        outcome="suitable", reasons="Thorough.", vote="unanimous", discussion="Questions.",
        member_views={panel.members[k]: "Agrees." for k in ("chair", "vice", "sw", "med", "pe")}))
    page = _page(qtbot, panel)
    page.reload(select_sitting=panel.sitting_id)
    # no reason it is greyed, only its key (Declare interest… has no Alt letter: every letter is taken on the tab)
    assert page.declare_button.isEnabled() and page.declare_button.toolTip() == "Ctrl+D: declare an interest on the " \
        "selected item"
    assert page.absence_button.isEnabled() and page.present_again_button.isEnabled()
    svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    page.reload()
    assert page.item is not None and page.item.minutes is not None and page.item.minutes.status == "approved"
    locked = "The minutes of item 1 are approved; its declarations of interest decide who counted to its quorum"
    assert not page.declare_button.isEnabled() and locked in page.declare_button.toolTip()
    assert "make a correction of the minutes first (Minutes tab, Make a correction…)" in page.declare_button.toolTip()
    assert page.declare_button.toolTip().endswith("(Ctrl+D)")
    page.declare()
    assert page.dialog is None or not page.dialog.isVisible()
    assert locked in page.status.text()
    # who was in the room for the item is locked alike: both buttons greyed with the reason, and said
    presence = "The minutes of item 1 are approved; who was present for it decided its quorum"
    for button, action in ((page.absence_button, page.record_absence),
                           (page.present_again_button, page.remove_absence)):
        assert not button.isEnabled() and presence in button.toolTip()
        page.status.setText("")
        action()
        assert page.dialog is None or not page.dialog.isVisible()
        assert presence in page.status.text()
    # a correction of the minutes open (6 December trial): the declarations and who was in the room are
    # corrected with it, until the chair approves it; the item's details and the agenda's order stay locked
    svc.correct_minutes(panel.db, panel.clerk, item, "A declaration of interest was missed.")
    page.reload()
    assert page.item is not None and page.item.minutes is not None and page.item.minutes.status == "draft"
    assert page.declare_button.isEnabled() and page.declare_button.toolTip() == "Ctrl+D: declare an interest on " \
        "the selected item"
    assert page.absence_button.isEnabled() and page.present_again_button.isEnabled()
    edit = page.findChild(QPushButton, "edit_item")
    assert edit is not None and not edit.isEnabled() and "the item's details are part of them" in edit.toolTip()
