"""The ADM page offscreen: take a decision from the queue, sign it, find its PDF letter and read it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from adoption_desktop.adm import service
from adoption_desktop.adm.views.dialogs import SignDialog
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.adm.views.queue_model import COL_CLOCK
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import handoff
from tests.conftest import TEST_PASSWORD

D = dt.date


def _fill_sign_dialog(password: str, reason: str = "") -> None:
    def fill() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, SignDialog) and w.isVisible():
                if reason:
                    w.reason.setPlainText(reason)
                w.password.setText(password)
                w.accept()
                return
        QTimer.singleShot(20, fill)

    QTimer.singleShot(0, fill)


def _page(db: Database, who: Principal, qtbot: Any, today: dt.date) -> AdmPage:
    page = AdmPage(AppContext(db, who, TaskRunner(synchronous=True)), today=today)
    qtbot.addWidget(page)
    page.resize(1500, 850)
    return page


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(path)).pages)


def test_take_a_decision_from_the_queue_sign_it_and_read_the_letter(
        db: Database, adm_user: Principal, qtbot: Any, tmp_path: Path) -> None:
    with db.session() as s:
        from tests.adm.conftest import open_from_panel

        open_from_panel(s, handoff(received=D(2025, 11, 20), ref="ADP-2025-0101"))  # overdue
        target = open_from_panel(s, handoff(received=D(2025, 12, 1), ref="ADP-2025-0102"))
    page = _page(db, adm_user, qtbot, D(2025, 12, 3))
    assert page.model.rowCount() == 2
    overdue = page.model.row_at(0)  # sorted by urgency: overdue first
    assert overdue.subject_reference == "ADP-2025-0101" and overdue.clock_code == "overdue"
    assert page.model.data(page.model.index(0, COL_CLOCK), Qt.ItemDataRole.ForegroundRole) is not None
    assert "1 overdue" in page.count_label.text()
    page.search.setText("0102")
    page.apply_filter()
    assert page.model.rowCount() == 1
    page.view.selectRow(0)
    detail = page.detail
    assert detail.detail is not None and detail.detail.row.id == target
    assert "suitable to adopt" in detail.recommendation.toPlainText()
    # record the decision and sign with the password (the real dialog)
    detail.addressee.setPlainText("Mr and Mrs Sample\n4 Fern Road\nAmbleford\nZZ99 3AB")
    detail.salutation.setText("Mr and Mrs Sample")
    detail.decision_text.setPlainText("Approved as suitable to adopt up to two children aged 0 to 5.")
    detail.decision_reasons.setPlainText("I agree with the panel: a stable home and a strong support network.")
    _fill_sign_dialog(TEST_PASSWORD)
    qtbot.mouseClick(detail.buttons["sign_button"], Qt.MouseButton.LeftButton)
    assert page.message.isHidden(), page.message.text()
    assert detail.detail is not None and detail.detail.row.state == "signed"
    assert not detail.buttons["sign_button"].isEnabled() and not detail.decision_text.isEnabled()
    assert detail.letters.rowCount() == 1
    out = tmp_path / "letter.pdf"
    detail.save_letter(str(out))
    text = _pdf_text(out)
    for part in ("ADP-2025-0102", "Approved as suitable to adopt up to two children aged 0 to 5.",
                 "a stable home and a strong support network", "3 December 2025", "ZZ99 3AB"):
        assert part in text
    # a Word copy of the same filed letter, for a last edit
    assert detail.buttons["save_word_button"].isEnabled()
    word = tmp_path / "letter.docx"
    detail.save_letter(str(word))
    from docx import Document

    doc_text = " ".join(p.text for p in Document(str(word)).paragraphs)
    assert "Approved as suitable to adopt up to two children aged 0 to 5." in doc_text
    page.grab().save("/tmp/adm.png")


def test_qualifying_determination_letter_from_the_page(db: Database, adm_user: Principal, qtbot: Any,
                                                       tmp_path: Path) -> None:
    with db.session() as s:
        from tests.adm.conftest import open_from_panel

        did = open_from_panel(s, handoff(received=D(2025, 12, 1), recommendation="not_suitable",
                                                  ref="ADP-2025-0200"))
    page = _page(db, adm_user, qtbot, D(2025, 12, 2))
    assert page.select_decision(did)
    detail = page.detail
    detail.outcome.setCurrentIndex(detail.outcome.findData("not_approve"))
    detail.decision_text.setPlainText("I propose not to approve you as prospective adopters.")
    detail.decision_reasons.setPlainText("The assessment did not show that you could meet a child's needs now.")
    detail.sign(password=TEST_PASSWORD)
    assert detail.detail is not None and detail.detail.qd is not None
    assert detail.detail.qd.deadline == D(2026, 1, 29)  # notice Tue 2 Dec 2025 is day 1 of 40
    assert "29 January 2026" in detail.qd_summary.text()
    out = tmp_path / "qd.pdf"
    detail.save_letter(str(out))
    text = _pdf_text(out)
    for part in ("ADP-2025-0200", "29 January 2026", "40 working days", "Independent Review Mechanism",
                 "could meet a child's needs now"):
        assert part in text
    page.detail.tabs.setCurrentIndex(3)
    page.grab().save("/tmp/adm_qd.png")
    (tmp_path / "keep").write_bytes(out.read_bytes())
    Path("/tmp/adm_qd_letter.pdf").write_bytes(out.read_bytes())


def test_panel_member_is_refused_and_wrong_password_shown(db: Database, panel_member: Principal, qtbot: Any) -> None:
    with db.session() as s:
        from tests.adm.conftest import open_from_panel

        did = open_from_panel(s, handoff(member_ids=(panel_member.user_id,)))
    page = _page(db, panel_member, qtbot, D(2025, 12, 2))
    page.select_decision(did)
    page.detail.decision_text.setPlainText("Approved.")
    page.detail.sign(password=TEST_PASSWORD)
    assert not page.message.isHidden() and "sat on the panel" in page.message.text()
    assert service.get_decision(db, panel_member, did, D(2025, 12, 2)).row.state == "pending"


def test_correction_from_the_page_shows_both_versions(db: Database, adm_user: Principal, qtbot: Any) -> None:
    with db.session() as s:
        from tests.adm.conftest import open_from_panel

        did = open_from_panel(s, handoff(received=D(2025, 12, 1)))
    page = _page(db, adm_user, qtbot, D(2025, 12, 3))
    page.state_combo.setCurrentIndex(page.state_combo.findData("all"))
    page.select_decision(did)
    page.detail.decision_text.setPlainText("Approved for one child.")
    page.detail.sign(password=TEST_PASSWORD)
    page.detail.decision_text.setEnabled(True)
    page.detail.decision_text.setPlainText("Approved for up to two children.")
    page.detail.correct(password=TEST_PASSWORD, reason="The number of children was typed wrongly.")
    d = page.detail.detail
    assert d is not None and d.row.version == 2 and page.detail.history.rowCount() == 2
    assert [r.id for r in page.model.rows()] == [d.row.id]


def test_new_decision_without_panel_and_day_batch_from_the_page(db: Database, adm_user: Principal, qtbot: Any,
                                                                 tmp_path: Path) -> None:
    from adoption_desktop.adm.views.dialogs import NewDecisionDialog

    page = _page(db, adm_user, qtbot, D(2026, 3, 2))
    attempts: list[str] = []

    def fill() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, NewDecisionDialog) and w.isVisible():
                attempts.append(w.message.text())
                w.decision_type.setCurrentIndex(w.decision_type.findData("plan_for_adoption"))
                w.reference.setText("CH-2026-0042")
                w.initials.setText("R.T.")
                w.proposal.setPlainText("The child R.T. should be placed for adoption.")
                if len(attempts) == 1:
                    QTimer.singleShot(0, fill)  # first try without the social worker: refused, dialog stays
                else:
                    w.social_worker.setText("Jo Testworker")
                w.accept()
                return
        QTimer.singleShot(20, fill)

    QTimer.singleShot(0, fill)
    page.new_decision()
    assert len(attempts) == 2 and attempts[1].startswith("Child's social worker")
    d = page.detail.detail
    assert d is not None and d.row.subject_reference == "CH-2026-0042" and d.row.due_on == D(2026, 3, 11)
    page.detail.sign(password=TEST_PASSWORD)
    out = tmp_path / "day.pdf"
    page.print_day(D(2026, 3, 2), str(out))
    # the date as every screen and the command line write it (it said "2026-03-02"; user trial, 7 December)
    assert "1 letter dated 02/03/2026" in page.message.text()
    assert "Jo Testworker" in _pdf_text(out)
    page.print_day(D(2026, 3, 3), str(tmp_path / "none.pdf"))  # a day with no letter: said, nothing written
    assert "No ADM letters are dated 03/03/2026." in page.message.text(), page.message.text()
    assert not (tmp_path / "none.pdf").exists()
