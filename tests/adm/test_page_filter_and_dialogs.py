"""What the ADM page shows when its filter hides the open decision (nothing may be signed from a pane
the queue does not list), and the small dialogs' fit and wording: the new-decision type list, the
dialog margins, which letter "Letter sent" is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QStyle, QStyleOptionComboBox

from adoption_desktop.adm import rules, service
from adoption_desktop.adm.views.dialogs import DatedNoteDialog, NewDecisionDialog
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff, open_from_panel
from tests.conftest import TEST_PASSWORD

D = dt.date
TODAY = D(2025, 12, 3)
USABLE_HEIGHT = 768 - 40  # a 1366×768 screen less the taskbar


def _queue(db: Database) -> tuple[int, int]:
    with db.session() as s:
        overdue = open_from_panel(s, handoff(received=D(2025, 11, 20), ref="ADP-2025-0301"))
        due_today = open_from_panel(s, handoff(received=D(2025, 11, 24), ref="ADP-2025-0302"))
    return overdue, due_today


def _page(db: Database, who: Principal, qtbot: Any) -> AdmPage:
    page = AdmPage(AppContext(db, who, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1156, 700)
    page.show()
    qtbot.waitExposed(page)
    return page


def _find(qtbot: Any, page: AdmPage, text: str) -> None:
    """Type into Find as a user does (the filter applies after the typing pause)."""
    page.search.clear()
    if text:
        qtbot.keyClicks(page.search, text)
    qtbot.waitUntil(lambda: not page._debounce.isActive())


def test_filter_that_matches_nothing_clears_the_decision_so_nothing_can_be_signed(
        db: Database, adm_user: Principal, qtbot: Any) -> None:
    overdue, _due_today = _queue(db)
    page = _page(db, adm_user, qtbot)
    detail = page.detail
    assert detail.detail is not None and detail.detail.row.id == overdue
    assert detail.buttons["sign_button"].isEnabled()
    detail.decision_reasons.setPlainText("Typed just before searching.")  # not yet autosaved

    _find(qtbot, page, "no such case")
    assert page.model.rowCount() == 0
    assert detail.detail is None
    assert not any(b.isEnabled() for b in detail.buttons.values())
    assert not detail.buttons["sign_button"].isEnabled() and not detail.tabs.isEnabled()
    # none of the previous decision's text stays on screen
    assert "ADP-2025-0301" not in detail.heading.text()
    assert detail.recommendation.toPlainText() == "" and detail.decision_reasons.toPlainText() == ""
    assert "No decisions match the filter" in detail.heading.text()
    assert page.empty_label.isVisibleTo(page) and "No decisions match the filter" in page.empty_label.text()
    assert page.empty_label.geometry() == page.view.viewport().rect()
    detail.sign(password=TEST_PASSWORD)  # even called directly: nothing to sign
    assert service.get_decision(db, adm_user, overdue, TODAY).row.state == rules.STATE_PENDING

    _find(qtbot, page, "")  # cleared: the same decision comes back, with the typing kept as a draft
    assert page.model.rowCount() == 2 and not page.empty_label.isVisibleTo(page)
    assert detail.detail is not None and detail.detail.row.id == overdue
    assert page.view.selectionModel().selectedRows()[0].row() == 0
    assert detail.buttons["sign_button"].isEnabled() and detail.tabs.isEnabled()
    assert "ADP-2025-0301" in detail.heading.text()
    assert detail.decision_reasons.toPlainText() == "Typed just before searching."


def test_filter_that_hides_only_the_open_decision_asks_for_a_choice(db: Database, adm_user: Principal,
                                                                     qtbot: Any) -> None:
    overdue, due_today = _queue(db)
    page = _page(db, adm_user, qtbot)
    assert page.detail.detail is not None and page.detail.detail.row.id == overdue
    _find(qtbot, page, "0302")
    assert [r.id for r in page.model.rows()] == [due_today]
    assert page.detail.detail is None and not page.detail.buttons["sign_button"].isEnabled()
    assert "Select a decision" in page.detail.heading.text() and not page.empty_label.isVisibleTo(page)
    page.view.selectRow(0)  # choosing the listed one opens it
    assert page.detail.detail is not None and page.detail.detail.row.id == due_today
    assert page.detail.buttons["sign_button"].isEnabled()
    _find(qtbot, page, "0302 ")  # still listed: stays open
    assert page.detail.detail is not None and page.detail.detail.row.id == due_today


def test_signed_decision_stays_listed_beside_its_detail(db: Database, adm_user: Principal, qtbot: Any) -> None:
    overdue, _due_today = _queue(db)
    page = _page(db, adm_user, qtbot)
    assert page.state_combo.currentData() == "open"  # "Open or to follow up" hides signed decisions with nothing owed
    page.detail.decision_text.setPlainText("Approved.")
    page.detail.sign(password=TEST_PASSWORD)  # overdue: refused until the reason for delay is given
    assert "Reason for delay" in page.message.text()
    page.detail.sign(password=TEST_PASSWORD, delay_reason="The decision maker was on leave that week.")
    assert page.message.isHidden(), page.message.text()
    d = page.detail.detail
    assert d is not None and d.row.id == overdue and d.row.state == rules.STATE_SIGNED
    # the filter the ADM chose stays (a later trial's queue went from 6 to 151 when Show was widened to All):
    # the signed decision is kept in the list as its one exception, so the list and the pane agree
    assert page.state_combo.currentData() == "open"
    selected = page.view.selectionModel().selectedRows()
    assert selected and page.model.row_at(selected[0].row()).id == overdue
    shown = [page.model.row_at(i).id for i in range(page.model.rowCount())]
    assert overdue in shown and page._pinned_id == overdue  # listed as the exception, not by the filter
    page.state_combo.setCurrentIndex(page.state_combo.findData("overdue"))  # changed by hand: the filter alone
    assert overdue not in [page.model.row_at(i).id for i in range(page.model.rowCount())]


def test_new_decision_dialog_shows_whole_type_names_within_the_screen(
        db: Database, adm_user: Principal, admin: Principal, qtbot: Any) -> None:
    service.add_decision_type(db, admin, "kinship_review", "Kinship review")
    types = service.direct_types(db, adm_user)
    dlg = NewDecisionDialog(None, types, TODAY)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    combo = dlg.decision_type
    for i in range(combo.count()):
        combo.setCurrentIndex(i)
        QApplication.processEvents()
        opt = QStyleOptionComboBox()
        combo.initStyleOption(opt)
        field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                             QStyle.SubControl.SC_ComboBoxEditField, combo)
        need = combo.fontMetrics().horizontalAdvance(combo.itemText(i))
        assert need <= field.width(), (combo.itemText(i), need, field.width())
    assert dlg.width() <= 1366 and dlg.height() <= USABLE_HEIGHT
    # ordinary dialog margins: the labels and the buttons do not touch the window's edge
    margins = dlg.layout().contentsMargins()
    assert min(margins.left(), margins.top(), margins.right(), margins.bottom()) >= 6
    label = dlg.findChild(QLabel, "type_label")
    assert label is not None and label.mapTo(dlg, label.rect().topLeft()).x() >= 6
    assert combo.mapTo(dlg, combo.rect().topRight()).x() <= dlg.width() - 6


def test_letter_sent_dialog_says_which_letter(db: Database, adm_user: Principal, qtbot: Any) -> None:
    overdue, _due_today = _queue(db)
    page = _page(db, adm_user, qtbot)
    detail = page.detail
    detail.addressee.setPlainText("Mr and Mrs Sample\n4 Fern Road\nAmbleford\nZZ99 3AB")
    detail.salutation.setText("Mr and Mrs Sample")
    detail.decision_text.setPlainText("Approved as suitable to adopt.")
    detail.sign(password=TEST_PASSWORD, delay_reason="The decision maker was on leave that week.")
    assert detail.detail is not None and detail.letters.rowCount() == 1
    shown: list[str] = []

    def answer() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, DatedNoteDialog) and w.isVisible():
                shown.append(w.about.text() if w.about.isVisible() else "")
                w.accept()
                return
        QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)
    detail.buttons["letter_sent_button"].click()
    assert shown, "the Letter sent dialog did not open"
    text = shown[0]
    for part in ("Approval", "3 December 2025", "To: Mr and Mrs Sample, 4 Fern Road", "ADP-2025-0301", "(A.B.)"):
        assert part in text, (part, text)
    letter = service.get_decision(db, adm_user, overdue, TODAY).letters[0]
    assert letter.sent_on == TODAY



def test_a_late_signature_asks_for_the_reason_for_delay(db: Database, adm_user: Principal, qtbot: Any,
                                                       monkeypatch: Any) -> None:
    """The sign dialog of an overdue decision has a "Reason for delay" box; what is typed there is kept."""
    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.adm.views import detail as detail_module

    overdue, _due_today = _queue(db)
    page = _page(db, adm_user, qtbot)
    page.detail.decision_text.setPlainText("Approved.")
    seen: list[bool] = []

    def fake_exec(dialog: Any) -> int:
        seen.append(dialog.delay_reason.isVisibleTo(dialog))
        # a trial: the dialog did not say what was being signed
        summary = dialog.findChildren(QLabel)[0].text()
        row = page.detail.detail.row
        assert summary.startswith(f"You are signing: {row.subject_reference} — {row.type_label}, decided on ")
        assert "\nOutcome: Agree with the recommendation." in summary  # what is signed, named (second trial)
        dialog.delay_reason.setPlainText("Legal advice was needed before deciding.")
        dialog.password.setText(TEST_PASSWORD)
        dialog.accept()  # Sign: signed by the dialog, which then closes
        return int(dialog.result())

    monkeypatch.setattr(detail_module.SignDialog, "exec", fake_exec)
    page.detail.sign()
    assert seen == [True]
    assert page.message.isHidden(), page.message.text()
    with db.session() as s:
        assert s.get(AdmDecision, overdue).delay_reason == "Legal advice was needed before deciding."
