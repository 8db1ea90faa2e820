from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views import dialogs
from adoption_desktop.panel.views.models import reorder
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import TODAY, Panel, attend


def _page(qtbot: QtBot, panel: Panel) -> PanelPage:
    page = PanelPage(AppContext(panel.db, panel.clerk, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.show()
    return page


def test_reorder_semantics() -> None:
    assert reorder([1, 2, 3, 4], [0], 3) == [2, 3, 1, 4]
    assert reorder([1, 2, 3, 4], [3], 0) == [4, 1, 2, 3]
    assert reorder([1, 2, 3, 4], [1], 4) == [1, 3, 4, 2]


def test_drag_and_drop_reorders_the_agenda(qtbot: QtBot, panel: Panel) -> None:
    ids = [svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", f"AD-{n}", "AB"))
           for n in range(3)]
    page = _page(qtbot, panel)
    page.reload(select_sitting=panel.sitting_id)
    model = page.agenda_model
    mime = model.mimeData([model.index(2, 0)])
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert [r.id for r in page.agenda_model.rows()] == [ids[2], ids[0], ids[1]]


def test_minutes_autosave_and_revert(qtbot: QtBot, panel: Panel) -> None:
    attend(panel, "chair", "vice", "sw", "med", "pe")
    item = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("approval", "AD-9", "AB"))
    page = _page(qtbot, panel)
    page.reload(select_sitting=panel.sitting_id)
    page.detail_tabs.setCurrentWidget(page.minutes)
    editor = page.minutes
    editor.autosave.setInterval(20)
    editor.set_outcome(0)
    QTest.keyClicks(editor.discussion, "Discussed support.")
    qtbot.waitUntil(lambda: "Autosaved" in editor.message.text())
    saved = svc.sitting_detail(panel.db, panel.clerk, panel.sitting_id).items[0].minutes
    assert saved is not None and saved.draft.discussion == "Discussed support." and saved.draft.outcome == "suitable"
    editor.autosave.setInterval(60_000)
    QTest.keyClicks(editor.discussion, " Unsaved words.")
    editor.revert()
    assert editor.discussion.toPlainText() == "Discussed support."
    assert item == editor.current.id  # type: ignore[union-attr]


def test_member_dialog_validation_names_the_field(qtbot: QtBot, panel: Panel) -> None:
    page = _page(qtbot, panel)
    page.tabs.setCurrentIndex(1)
    page.add_member()
    dlg = page.dialog
    assert isinstance(dlg, dialogs.MemberDialog)
    dlg.role_type.setCurrentIndex(dlg.role_type.findData("social_worker"))
    QTest.keyClicks(dlg.full_name, "Sam Wrenfield")
    dlg._ok()
    assert dlg.isVisible() and dlg.message.text().startswith("Post-qualifying experience")
    dlg.pqe_years.setValue(4)
    dlg._ok()
    assert not dlg.isVisible()
    names = {m.full_name: m for m in page.members_model.rows()}
    assert names["Sam Wrenfield"].pqe_years == 4 and names["Sam Wrenfield"].joined_on == TODAY
    assert dt.date(2027, 11, 23) == names["Sam Wrenfield"].appraisal_due
    # user trial r2: a DBS check and training are not invented as "today" for a new member
    assert (names["Sam Wrenfield"].dbs_checked_on, names["Sam Wrenfield"].training_on) == (None, None)


def test_member_dialog_dbs_and_training_start_empty_and_take_typed_dates(qtbot: QtBot, panel: Panel) -> None:
    page = _page(qtbot, panel)
    page.tabs.setCurrentIndex(1)
    page.add_member()
    dlg = page.dialog
    assert isinstance(dlg, dialogs.MemberDialog)
    assert dlg.dates["dbs_checked_on"].text() == dlg.dates["training_on"].text() == "not recorded"
    QTest.keyClicks(dlg.full_name, "Ada Fenwick")
    dlg.dates["dbs_checked_on"].setFocus()
    QTest.keyClicks(dlg.dates["dbs_checked_on"], "3/2/2025")
    dlg.dates["training_on"].setFocus()
    QTest.keyClicks(dlg.dates["training_on"], "31/02/2025")
    dlg._ok()
    assert dlg.isVisible() and dlg.message.text().startswith("Training: '31/02/2025' is not a date")
    dlg.dates["training_on"].lineEdit().selectAll()
    QTest.keyClicks(dlg.dates["training_on"], "28/02/2025")
    dlg._ok()
    assert not dlg.isVisible(), dlg.message.text()
    ada = next(m for m in page.members_model.rows() if m.full_name == "Ada Fenwick")
    assert (ada.dbs_checked_on, ada.training_on) == (dt.date(2025, 2, 3), dt.date(2025, 2, 28))


def test_member_dialog_edits_the_profile_and_records_an_appraisal(qtbot: QtBot, panel: Panel) -> None:
    """Issue 16: gender, ethnicity (ONS 2021) and the last appraisal held, optional, in the member form."""
    from adoption_desktop.ui.dates import qdate

    page = _page(qtbot, panel)
    page.tabs.setCurrentIndex(1)
    page.add_member()
    dlg = page.dialog
    assert isinstance(dlg, dialogs.MemberDialog)
    assert dlg.gender.currentText() == "Not recorded" and dlg.ethnicity.currentText() == "Not recorded"
    assert dlg.appraised_on.text() == "not recorded"  # blank: no appraisal recorded
    assert dlg.ethnicity.count() == 21 and dlg.ethnicity.itemText(dlg.ethnicity.count() - 1) == "Prefers not to say"
    QTest.keyClicks(dlg.full_name, "Ola Quarrendon")
    dlg.gender.setCurrentIndex(dlg.gender.findData("female"))
    dlg.ethnicity.setCurrentIndex(dlg.ethnicity.findData("white_roma"))
    dlg._ok()
    assert not dlg.isVisible(), dlg.message.text()
    ola = next(m for m in page.members_model.rows() if m.full_name == "Ola Quarrendon")
    assert (ola.gender, ola.ethnicity, ola.appraised_on) == ("female", "white_roma", None)
    # editing: the saved values come back; an appraisal held before joining is refused naming the field
    dlg = dialogs.MemberDialog(page, TODAY, [], lambda data: svc.update_member(
        panel.db, panel.clerk, ola.id, data, today=TODAY, expected_version=ola.row_version), lambda _v: None,
        existing=ola)
    qtbot.addWidget(dlg)
    dlg.open()
    assert dlg.ethnicity.currentText() == "White: Roma" and dlg.gender.currentText() == "Female"
    dlg.appraised_on.setDate(qdate(dt.date(2020, 1, 1)))
    dlg._ok()
    assert dlg.isVisible() and dlg.message.text().startswith("Last appraisal:")
    dlg.appraised_on.setDate(qdate(TODAY))
    dlg._ok()
    assert not dlg.isVisible(), dlg.message.text()
    [again] = [m for m in svc.list_members(panel.db, panel.clerk, today=TODAY) if m.id == ola.id]
    assert again.appraised_on == TODAY


def test_a_dialog_closes_cleanly_when_the_widget_that_had_focus_is_gone(qtbot: QtBot, panel: Panel) -> None:
    """The page puts the keyboard back where it was when a dialog closes; if that widget was deleted
    meanwhile (a list rebuilt, a form closed), closing the dialog must not fail."""
    import shiboken6
    from PySide6.QtWidgets import QDialog, QLineEdit

    page = _page(qtbot, panel)
    doomed = QLineEdit(page)
    doomed.show()
    doomed.setFocus()
    qtbot.waitUntil(doomed.hasFocus)
    dialog = QDialog(page)
    page._open(dialog)
    shiboken6.delete(doomed)
    dialog.reject()  # raised "Internal C++ object already deleted" before
    assert not dialog.isVisible()


def test_the_next_sitting_is_first_and_selected_however_many_are_scheduled(qtbot: QtBot, panel: Panel) -> None:
    """User trial: with a year of monthly sittings scheduled, the list (latest first) pushed the next sitting
    to its last visible row. Most urgent first, as the guide says: those to come in date order, then those
    held, the latest first; the page opens on the next one."""
    held = svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        TODAY - dt.timedelta(days=28), "10:00", "13:00", "Room 2"))[0]
    ahead = [svc.schedule_sittings(panel.db, panel.clerk, svc.SittingInput(
        TODAY + dt.timedelta(weeks=4 * n), "10:00", "13:00", "Room 2"))[0] for n in range(12, 0, -1)]
    page = _page(qtbot, panel)
    dates = [r.sitting_date for r in page.sittings_model.rows()]
    coming = [d for d in dates if d >= TODAY]
    assert dates[:len(coming)] == sorted(coming) and dates[len(coming):] == sorted(dates[len(coming):], reverse=True)
    assert [r.id for r in page.sittings_model.rows()][-2:] == [panel.sitting_id, held]  # 10/11, then 26/10
    assert page.sitting is not None and page.sitting.id == ahead[-1]  # the next one, four weeks ahead
