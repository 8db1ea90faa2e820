"""The ADM page as a user first sees it: urgent columns on screen, the most urgent decision open, one
audited view per opening; the demo's queue shows overdue, due-today and paused clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from sqlalchemy import func, select

from adoption_desktop.adm import rules, service
from adoption_desktop.adm.models import AdmDecision, AdmInfoRequest
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.adm.views.queue_model import COL_CLOCK, COL_DUE, COL_REF, COL_TYPE, clock_text
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.security.permissions import SYSTEM, Principal
from adoption_desktop.core.settings_service import calendar
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui import geometry
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.main_window import MainWindow
from adoption_desktop.ui.tasks import TaskRunner
from adoption_desktop.ui.wrap_row import WrapRow
from tests.adm.conftest import handoff, open_from_panel
from tests.ui.walk import available

D = dt.date
TODAY = D(2025, 12, 3)


def _views(db: Database, decision_id: int) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "view", AuditEntry.entity == service.ENTITY,
            AuditEntry.entity_id == str(decision_id))) or 0)


def _queue(db: Database) -> tuple[int, int, int]:
    with db.session() as s:
        overdue = open_from_panel(s, handoff(received=D(2025, 11, 20), ref="ADP-2025-0201"))
        today = open_from_panel(s, handoff(received=D(2025, 11, 24), ref="ADP-2025-0202"))
        later = open_from_panel(s, handoff(received=D(2025, 12, 1), ref="ADP-2025-0203"))
    return overdue, today, later


def _page(db: Database, who: Principal, qtbot: Any) -> AdmPage:
    page = AdmPage(AppContext(db, who, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    return page


def test_urgent_columns_on_screen_and_most_urgent_decision_open(db: Database, adm_user: Principal,
                                                                 qtbot: Any) -> None:
    overdue, due_today, _later = _queue(db)
    page = _page(db, adm_user, qtbot)
    page.resize(1366 - 210, 780)  # the page's share of a 1366-pixel window beside the navigation
    page.show()
    qtbot.waitExposed(page)
    # the most urgent (overdue) decision is selected and open in the detail pane
    assert page.detail.detail is not None and page.detail.detail.row.id == overdue
    assert page.view.selectionModel().selectedRows()[0].row() == 0
    assert page.model.row_at(1).id == due_today and page.model.row_at(1).clock_code == "due_today"
    # reference, clock and due date come first and are fully visible without scrolling sideways
    header = page.view.horizontalHeader()
    visible = page.view.viewport().width()
    assert [COL_REF, COL_CLOCK, COL_DUE] == [0, 1, 2]
    for col in (COL_REF, COL_CLOCK, COL_DUE):
        assert header.sectionViewportPosition(col) + header.sectionSize(col) <= visible, col
    assert header.sectionViewportPosition(COL_TYPE) < visible  # the type at least starts on screen
    assert page.model.data(page.model.index(0, COL_CLOCK)).startswith("Overdue")
    # the recommendation's boxes wrap their text: no empty scroll bar under it
    for box in (page.detail.recommendation, page.detail.panel_reasons, page.detail.advice):
        assert box.toPlainText() and not box.horizontalScrollBar().isVisible()


def test_opening_is_audited_once_not_on_refresh_or_after_an_edit(db: Database, adm_user: Principal,
                                                                  qtbot: Any) -> None:
    overdue, due_today, _later = _queue(db)
    page = _page(db, adm_user, qtbot)
    assert page.detail.detail is not None and page.detail.detail.row.id == overdue
    first = _views(db, overdue)
    assert first >= 1
    page.reload()  # F5: the same record stays open
    page.apply_filter()
    assert _views(db, overdue) == first
    page.detail.decision_reasons.setPlainText("The assessment is thorough.")
    page.detail.save_draft()  # the user's own change, re-read: not a new opening
    assert _views(db, overdue) == first
    assert page.select_decision(due_today)  # opening another decision is a new view
    assert _views(db, due_today) == 1


def test_demo_queue_has_overdue_due_today_and_paused(open_demo: Callable[..., Database]) -> None:
    db = open_demo(D(2026, 11, 23))
    today = D(2026, 11, 23)
    rows = [r for r in service.list_queue(db, SYSTEM, today) if r.state != "signed"]
    codes = {r.clock_code for r in rows}
    assert {"overdue", "due_today", "paused"} <= codes
    with db.session(write=False) as s:
        cal = calendar(s)
        for r in rows:
            d = s.get(AdmDecision, r.id)
            assert d is not None
            if r.state == "pending":  # due 7 working days after the minutes/papers were received
                assert r.due_on == cal.add_working_days(d.received_on, 7), r.subject_reference
            if d.source == "panel":
                assert d.sitting_date is not None and d.sitting_date < d.received_on <= today
        paused = [r for r in rows if r.clock_code == "paused"]
        for r in paused:
            asked = s.scalars(select(AdmInfoRequest.requested_on).where(AdmInfoRequest.decision_id == r.id)).all()
            assert asked and all(r.received_on <= a <= today for a in asked)


def test_correct_button_first_opens_the_signed_fields_then_signs(db: Database, adm_user: Principal,
                                                                  qtbot: Any) -> None:
    from tests.adm.test_page import _fill_sign_dialog
    from tests.conftest import TEST_PASSWORD

    _overdue, due_today, _later = _queue(db)
    page = _page(db, adm_user, qtbot)
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    assert page.select_decision(due_today)
    detail = page.detail
    detail.decision_text.setPlainText("Approved for one child.")
    detail.sign(password=TEST_PASSWORD)
    assert detail.detail is not None and detail.detail.row.state == "signed"
    assert not detail.decision_text.isEnabled()
    detail.buttons["correct_button"].click()  # step one: the fields open, nothing is signed yet
    assert detail.correcting and detail.decision_text.isEnabled()
    assert "correction" in detail.buttons["correct_button"].text().replace("&", "")
    detail.decision_text.setPlainText("Approved for up to two children.")
    _fill_sign_dialog(TEST_PASSWORD, reason="The number of children was typed wrongly.")
    detail.buttons["correct_button"].click()  # step two: reason and password, a new signed version
    d = detail.detail
    assert d is not None and d.row.version == 2 and d.decision_text == "Approved for up to two children."
    assert not detail.correcting and detail.history.rowCount() == 2


def test_unsaved_decision_wording_is_restored_after_a_crash(db: Database, adm_user: Principal,
                                                             qtbot: Any) -> None:
    overdue, _due_today, _later = _queue(db)
    page = _page(db, adm_user, qtbot)
    assert page.detail.detail is not None and page.detail.detail.row.id == overdue
    page.detail.decision_reasons.setPlainText("Typed but not saved before the crash.")
    for saver in page.detail.autosavers:
        saver.save_now()
    page.close()
    again = _page(db, adm_user, qtbot)  # the application restarted
    assert again.detail.decision_reasons.toPlainText() == "Typed but not saved before the crash."
    again.detail.save_draft()  # saved for real: the draft goes
    third = _page(db, adm_user, qtbot)
    assert third.detail.decision_reasons.toPlainText() == "Typed but not saved before the crash."
    from adoption_desktop.core import drafts

    assert drafts.load_draft(db, adm_user, f"adm.decision:{overdue}:reasons") is None


def test_page_fits_a_1366_by_768_screen_whatever_decision_and_tab_is_open(db: Database, adm_user: Principal,
                                                                          qtbot: Any) -> None:
    """The main window's height follows the page's minimum: long minutes and reasons scroll inside
    their boxes instead of pushing the window past the screen (768 less the taskbar). At the page's width on
    such a screen at 100 %: narrower (150 % scaling) the decision's labels go above their fields and the page
    scrolls up and down (the next test)."""
    from adoption_desktop import demo

    today = D(2026, 11, 23)
    demo.populate(db, "small", today=today)
    page = AdmPage(AppContext(db, adm_user, TaskRunner(synchronous=True)), today=today)
    qtbot.addWidget(page)
    page.resize(1366 - 210, 600)  # the page's share of a 1366-pixel window beside the navigation
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    page.show()
    assert page.model.rowCount() >= 5
    tallest = 0
    for row in page.model.rows():
        assert page.select_decision(row.id)
        for tab in range(page.detail.tabs.count()):
            page.detail.tabs.setCurrentIndex(tab)
            for _ in range(5):  # the layouts above the pane settle, as between two clicks
                QApplication.processEvents()
            tallest = max(tallest, page.minimumSizeHint().height())
    assert tallest <= 700, tallest


def test_every_clock_in_the_demo_queue_fits_its_column(open_demo: Callable[..., Database], qtbot: Any) -> None:
    """A signed decision's follow-up (final decision after a qualifying determination, a late notice) is a
    few words in the Clock column — its due date is in the Due column, the whole label in the tooltip —
    so a 1366-pixel screen shows it without the mouse (it was cut to "QD: representations p…")."""
    today = D(2026, 12, 9)
    db = open_demo(today)
    page = AdmPage(AppContext(db, SYSTEM, TaskRunner(synchronous=True)), today=today)
    qtbot.addWidget(page)
    page.resize(1366 - 210, 780)
    page.show()
    qtbot.waitExposed(page)
    room = page.view.horizontalHeader().sectionSize(COL_CLOCK) - 8  # the cell's margins
    metrics = page.view.fontMetrics()
    rows = [page.model.row_at(i) for i in range(page.model.rowCount())]
    assert "qd_final_overdue" in {r.clock_code for r in rows}, "the demo has a follow-up"
    cut = [(r.clock_code, text) for i, r in enumerate(rows)
           if metrics.horizontalAdvance(text := str(page.model.data(page.model.index(i, COL_CLOCK)))) > room]
    assert cut == []
    longest = ("Paused since 28/12/2026", "Final decision overdue", "Oral notice overdue", "Paused: awaiting IRM",
               "Overdue by 100 WD")  # the clocks the demo may not have today
    assert [t for t in longest if metrics.horizontalAdvance(t) > room] == []
    irm = replace(rows[0], clock_code="paused", clock_label=rules.IRM_AWAITED_LABEL, clock_short="")
    assert clock_text(irm) == "Paused: awaiting IRM"
    # the Type column too: a built-in type in a few words (the tooltip has the whole), a correction's version
    type_room = page.view.horizontalHeader().sectionSize(COL_TYPE) - 8
    assert [t for t in rules.SHORT_TYPES.values() if metrics.horizontalAdvance(f"{t} (v2)") > type_room] == []
    assert [metrics.horizontalAdvance(t) > type_room for t in rules.BUILTIN_TYPES.values()].count(True) >= 3
    shown = {str(page.model.data(page.model.index(i, COL_TYPE))) for i in range(page.model.rowCount())}
    assert "Match" in shown and "Match of a child with prospective adopters" not in shown


def test_a_plan_for_adoption_greys_letter_to_and_salutation(db: Database, adm_user: Principal, qtbot: Any) -> None:
    """Its letter goes to the child's social worker, greeted by name: the two fields were filled and
    editable (the trial typed there) but never used (user trial, 4 December 2026)."""
    did = service.open_direct_decision(db, adm_user, decision_type="plan_for_adoption", subject_reference="CH-2025-0400",
                                       subject_initials="T.Y.", received_on=D(2025, 11, 24), today=TODAY,
                                       proposal="Should be placed for adoption.", social_worker="Sam Worker")
    approval, _today, _later = _queue(db)
    page = _page(db, adm_user, qtbot)
    assert page.select_decision(did)
    d = page.detail
    assert not d.addressee.isEnabled() and not d.salutation.isEnabled() and d.social_worker.isEnabled()
    assert "goes to the child's social worker" in d.addressee.toolTip()
    assert page.select_decision(approval)
    assert d.addressee.isEnabled() and d.salutation.isEnabled() and not d.addressee.toolTip()


def _cut(tab: QWidget) -> list[str]:
    """What on a tab of the decision pane is cut off: a control or label lower than it needs (a wrapped
    label: its lines at its width), a control past the tab's right edge, a row of buttons whose last line is
    under what follows it."""
    found: list[str] = []
    for widget in tab.findChildren(QWidget):
        if not widget.isVisibleTo(tab) or not isinstance(widget, (QLabel, QAbstractButton, QLineEdit, QComboBox,
                                                                   QAbstractSpinBox, QPlainTextEdit)):
            continue
        if isinstance(widget, QLineEdit) and isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox)):
            continue  # the text part of a list or a date
        need = min(widget.minimumSizeHint().height(), widget.maximumHeight())
        if isinstance(widget, QPlainTextEdit):  # a text box may scroll its text: one line at least
            need = widget.fontMetrics().height() + 2 * widget.frameWidth()
        if isinstance(widget, QLabel) and widget.wordWrap() and widget.text().strip():
            need = widget.heightForWidth(widget.width())
        name = widget.objectName() or type(widget).__name__
        if widget.height() < need:
            found.append(f"{name} is {widget.height()} px high, needs {need}")
        if widget.mapTo(tab, QPoint(widget.width(), 0)).x() > tab.width():
            found.append(f"{name} ends past the tab's right edge")
    for row in tab.findChildren(WrapRow):
        given = row.geometry()
        if row.parentWidget() is tab and given.height() < row.lines_height(given.width()):
            found.append(f"{row.objectName()} is {given.height()} px high, its lines need "
                         f"{row.lines_height(given.width())}")
    return found


def test_at_150_percent_the_queue_shows_which_case_and_when_it_is_due_and_no_tab_is_cut(
        db: Database, adm_user: Principal, qtbot: Any) -> None:
    """1366×768 at 150 % is 911×512 logical pixels: the window 895 wide, the page beside the navigation 671.
    The decision pane's minimum (long labels beside fields, three buttons in a row) left the queue 179
    pixels: the reference and half the clock. The queue keeps its least width (reference, clock, due date)
    and the pane the rest, its labels above their fields and its buttons on further lines, every tab whole
    (the earlier try left the Letters and history tab's second line of buttons 7 pixels short, and the
    Decision tab's fields squeezed to 13 pixels under the wrapped heading and clock: in the window, the page
    in its scroll area)."""
    _queue(db)
    window = MainWindow(AppContext(db, adm_user, TaskRunner(synchronous=True)))
    qtbot.addWidget(window)
    window.setGeometry(geometry.default_rect(available(round(1366 / 1.5), round(768 / 1.5))))
    window.show()
    qtbot.waitExposed(window)
    page = window.open_target("adm")
    assert isinstance(page, AdmPage)
    QApplication.processEvents()
    header = page.view.horizontalHeader()
    visible = page.view.viewport().width()
    for col in (COL_REF, COL_CLOCK, COL_DUE):  # which case, its clock and its due date, whole
        assert header.sectionViewportPosition(col) + header.sectionSize(col) <= visible, col
    assert page.view.width() >= page.queue_least
    detail = page.detail
    assert detail.detail is not None  # the most urgent decision open
    for index in range(detail.tabs.count()):
        detail.tabs.setCurrentIndex(index)
        tab = detail.tabs.currentWidget()
        QApplication.processEvents()  # as the window walk does (tests/ui/walk.every_view)
        QApplication.processEvents()
        assert _cut(tab) == [], detail.tabs.tabText(index)
    detail.tabs.setCurrentWidget(detail.form.findChild(QWidget, "tab_decision"))
    QApplication.processEvents()
    # the labels above their fields: the text boxes as wide as the tab less its margins, not 60 pixels
    assert detail.decision_text.width() >= detail.tabs.currentWidget().width() // 2
    window.close()


def test_at_100_percent_the_decision_keeps_its_labels_beside_its_fields(db: Database, adm_user: Principal,
                                                                       qtbot: Any) -> None:
    """On a 1366-pixel screen at 100 % the pane is as wide as before (its least width with labels beside their
    fields) and the queue has the rest."""
    _queue(db)
    page = _page(db, adm_user, qtbot)
    page.resize(1366 - 210, 600)  # the page's share of a 1366-pixel window beside the navigation
    page.show()
    qtbot.waitExposed(page)
    QApplication.processEvents()
    detail = page.detail
    assert detail.width() >= detail.roomy_width
    detail.tabs.setCurrentWidget(detail.form.findChild(QWidget, "tab_decision"))
    QApplication.processEvents()
    label = detail.form.findChild(QLabel, "decision_text_label")
    assert label is not None
    assert label.mapTo(detail, QPoint(0, 0)).y() == detail.decision_text.mapTo(detail, QPoint(0, 0)).y()
