"""User trial of mistakes (6 December): a case closed with one OK, a second case opened for the same person
without a word, a New referral form lost in a crash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from adoption_desktop.core import drafts
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import figures, service
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from adoption_desktop.counselling.views.page import NEW_REFERRAL_DRAFT, CounsellingPage, create_page
from adoption_desktop.counselling.views.widgets import FormDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import qdate
from adoption_desktop.ui.tasks import TaskRunner
from tests.undo_checks import assert_verified, confirm_next

from .conftest import TODAY

D = dt.date


def _page(qtbot: QtBot, db: Database, who: Principal) -> CounsellingPage:
    page = create_page(AppContext(db, who, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    assert isinstance(page, CounsellingPage)
    page.today = lambda: TODAY
    return page


def _ok(dialog: FormDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _fill(dialog: FormDialog, birth_name: str, born: dt.date, address: str = "3 Test Lane\nTesttown TT1 1TT") -> None:
    for name, value in (("birth_name", birth_name), ("current_name", "Lola Marrowwick")):
        edit = dialog.form.findChild(QLineEdit, name)
        assert edit is not None
        edit.setText(value)
    for name, day in (("date_of_birth", born), ("adoption_order_date", D(1961, 1, 10))):
        date = dialog.form.findChild(QDateEdit, name)
        assert date is not None
        date.setDate(qdate(day))
    box = dialog.form.findChild(QPlainTextEdit, "address")
    assert box is not None
    box.setPlainText(address)


def _answer_same_applicant(button: str, seen: list[str]) -> None:
    """Press ``button`` in "A case for … already exists" once it is shown (its text noted in ``seen``)."""
    left = [300]

    def look() -> None:
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
                    and w.objectName() == "same_applicant" and w.isVisible()), None)
        if box is None:
            left[0] -= 1
            if left[0] > 0:
                QTimer.singleShot(10, look)
            return
        seen.append(box.text())
        next(b for b in box.buttons() if b.text().replace("&", "") == button).click()
    QTimer.singleShot(0, look)


# --- (1) closing always asks ------------------------------------------------------------------------

def _closing(qtbot: QtBot, db: Database, counsellor: Principal, case_id: int, outcome: str
             ) -> tuple[CaseDialog, FormDialog]:
    """The case opened from the page and its Close case… form, ``outcome`` chosen: the case and the form."""
    page = _page(qtbot, db, counsellor)
    case = page.open_case(case_id)
    assert case is not None
    qtbot.addWidget(case)
    dialog = case.close_dialog()
    chosen = dialog.form.findChild(QComboBox, "outcome")
    assert chosen is not None
    chosen.setCurrentIndex(chosen.findData(outcome))
    return case, dialog


def test_closing_a_case_with_nothing_outstanding_still_asks_naming_case_and_outcome(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    """Trial: with no loose ends, one OK closed the case for good (a final record) without a question."""
    case_id = new_case()
    case, dialog = _closing(qtbot, db, counsellor, case_id, "withdrawn")
    asked = confirm_next(False)
    _ok(dialog)
    assert len(asked) == 1, "closing asks first, whatever is outstanding"
    reference = case.detail.reference
    assert f"Close case {reference} (Amy Lark) on {TODAY:%d/%m/%Y} as \u201cApplicant withdrew\u201d?" in asked[0]
    assert "cannot be changed or reopened" in asked[0] and "No appointments are cancelled." in asked[0]
    assert dialog.isVisible() and dialog.message.text().startswith("Not closed. The case is still open")
    assert service.open_case(db, counsellor, case_id, today=TODAY).closed_on is None
    asked = confirm_next(True)
    _ok(dialog)
    assert len(asked) == 1 and not dialog.isVisible(), dialog.message.text()
    assert case.detail.closed_on == TODAY and case.detail.outcome == "withdrawn"


def test_closing_question_names_the_appointments_it_cancels(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    service.add_session(db, counsellor, case_id, D(2026, 12, 9), "in_person", "14:30")
    _case, dialog = _closing(qtbot, db, counsellor, case_id, "no_contact")
    asked = confirm_next(False)
    _ok(dialog)
    assert "as \u201cNo contact from applicant\u201d" in asked[0] and "09/12/2026 14:30, in person" in asked[0]
    assert "No appointments are cancelled" not in asked[0]
    assert [s.held_on for s in service.open_case(db, counsellor, case_id, today=TODAY).sessions] == [D(2026, 12, 9)]


# --- (2) a second case for the same person -----------------------------------------------------------

def test_same_applicant_is_found_normalised_in_one_indexed_query(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    first = new_case()  # Amy Thornby, born 04/03/1960
    new_case(birth_name="Amy Thornby", date_of_birth=D(1960, 3, 5))  # another day: someone else
    new_case(birth_name="Amy Thornbury", date_of_birth=D(1960, 3, 4))  # another name
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "counselling_cases" in statement:
            statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        found = service.same_applicant(db, counsellor, "  amy   THÓRNBY ", D(1960, 3, 4))
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert [c.id for c in found] == [first] and found[0].status == "open"
    assert len(statements) == 1
    with db.engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statements[0], ("1960-03-04",)))
    assert "ix_counselling_cases_date_of_birth" in plan, plan


def test_new_referral_for_someone_with_a_case_asks_first(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    """Trial: a New referral with the same birth name and date of birth as BRC-2026-0043 was created silently."""
    existing = new_case()
    reference = service.open_case(db, counsellor, existing, today=TODAY).reference
    page = _page(qtbot, db, counsellor)
    dialog = page.new_referral()
    _fill(dialog, "amy thornby", D(1960, 3, 4))
    seen: list[str] = []
    _answer_same_applicant("Back to the form", seen)
    _ok(dialog)
    assert seen and seen[0].startswith(f"A case for Amy Thornby born 04/03/1960 already exists: {reference} (open). "
                                       "Open that case instead, or create a new one?")
    assert dialog.isVisible() and dialog.message.text().startswith(f"Not saved yet: {reference}")
    assert [r.id for r in service.caseload(db, counsellor, "all", TODAY)] == [existing]
    seen.clear()
    _answer_same_applicant("Create a new case", seen)
    _ok(dialog)
    assert seen and not dialog.isVisible(), dialog.message.text()
    assert len(service.caseload(db, counsellor, "all", TODAY)) == 2
    for case in page.cases:
        qtbot.addWidget(case)


def test_open_that_case_instead_saves_nothing_and_opens_it(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    existing = new_case()
    page = _page(qtbot, db, counsellor)
    dialog = page.new_referral()
    _fill(dialog, "Amy Thornby", D(1960, 3, 4))
    seen: list[str] = []
    _answer_same_applicant("Open that case", seen)
    _ok(dialog)
    assert seen and not dialog.isVisible()
    assert [c.case_id for c in page.cases] == [existing]
    for case in page.cases:
        qtbot.addWidget(case)
    assert [r.id for r in service.caseload(db, counsellor, "all", TODAY)] == [existing]
    assert drafts.load_draft(db, counsellor, NEW_REFERRAL_DRAFT) is None  # the typing went with the choice


def test_a_case_opened_in_error_is_left_out_of_the_figures(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    new_case()
    duplicate = new_case()
    before = dict(figures.figures(db, counsellor, D(2026, 10, 1), TODAY, today=TODAY)[0].rows)
    assert before["Referrals received"] == "2"
    assert "Opened in error (duplicate)" in service.OUTCOMES.values()
    service.close_case(db, counsellor, duplicate, TODAY, service.OPENED_IN_ERROR, "Second case for Amy Lark",
                       today=TODAY)
    rows = dict(figures.figures(db, counsellor, D(2026, 10, 1), TODAY, today=TODAY)[0].rows)
    assert rows["Referrals received"] == "1" and rows["Cases closed"] == "0"
    assert rows["Waiting at end of period (referred, not yet allocated)"] == "1"
    assert service.counts(db, counsellor, TODAY).closed == 0
    # the case opened in error is no case of the person: a later referral is not sent to it
    assert service.same_applicant(db, counsellor, "Amy Thornby", D(1960, 3, 4))[0].id != duplicate
    assert_verified(db)


# --- (3) the referral forms survive a crash -----------------------------------------------------------

def test_new_referral_is_restored_after_a_crash(qtbot: QtBot, db: Database, counsellor: Principal) -> None:
    """Trial: a crash (SIGKILL) lost everything typed in New referral; the session form came back."""
    page = _page(qtbot, db, counsellor)
    dialog = page.new_referral()
    _fill(dialog, "Harriet Oakenfold", D(1958, 7, 9), "12 Synthetic Row\nFaketown FT1 2AB")
    qtbot.waitUntil(lambda: drafts.load_draft(db, counsellor, NEW_REFERRAL_DRAFT) == "12 Synthetic Row\n"
                    "Faketown FT1 2AB", timeout=5000)
    # "crash": the form goes without OK or Cancel (a killed program's windows are gone); nothing was saved
    dialog.hide()
    dialog.deleteLater()
    assert service.caseload(db, counsellor, "all", TODAY) == []
    from adoption_desktop.reports.my_work import my_work

    titles = [line.title for section in my_work(db, counsellor, TODAY).sections for line in section.lines]
    assert any("New referral for a new counselling case (not saved yet)" in t for t in titles), titles

    again = _page(qtbot, db, counsellor).new_referral()
    birth = again.form.findChild(QLineEdit, "birth_name")
    born = again.form.findChild(QDateEdit, "date_of_birth")
    address = again.form.findChild(QPlainTextEdit, "address")
    assert birth is not None and born is not None and address is not None
    assert birth.text() == "Harriet Oakenfold" and born.date() == qdate(D(1958, 7, 9))
    assert address.toPlainText() == "12 Synthetic Row\nFaketown FT1 2AB"
    assert again.message.text().startswith("Unsaved text from your last visit to this form was restored")
    _ok(again)
    assert not again.isVisible(), again.message.text()
    assert [r.name for r in service.caseload(db, counsellor, "all", TODAY)] == ["Lola Marrowwick"]
    assert drafts.load_draft(db, counsellor, NEW_REFERRAL_DRAFT) is None  # cleared once saved
    assert any(d.form == "New referral" for d in drafts.list_drafts(db, counsellor)) is False


def test_edit_referral_is_restored_after_a_crash(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    case_id = new_case()
    ctx = AppContext(db, counsellor, TaskRunner(synchronous=True))
    case = CaseDialog(ctx, case_id, lambda: TODAY)
    qtbot.addWidget(case)
    key = case.draft_key("referral")
    dialog = case.edit_referral()
    phone = dialog.form.findChild(QLineEdit, "phone")
    address = dialog.form.findChild(QPlainTextEdit, "address")
    assert phone is not None and address is not None
    phone.setText("01632 960999")
    address.setPlainText("Flat 2\n3 Test Lane\nTesttown TT1 1TT")
    qtbot.waitUntil(lambda: drafts.load_draft(db, counsellor, key) == "Flat 2\n3 Test Lane\nTesttown TT1 1TT",
                    timeout=5000)
    assert [d.form for d in drafts.list_drafts(db, counsellor)] == ["Edit referral"]
    dialog.hide()
    dialog.deleteLater()
    case.deleteLater()

    again = CaseDialog(ctx, case_id, lambda: TODAY)
    qtbot.addWidget(again)
    dialog = again.edit_referral()
    phone = dialog.form.findChild(QLineEdit, "phone")
    address = dialog.form.findChild(QPlainTextEdit, "address")
    assert phone is not None and address is not None
    assert phone.text() == "01632 960999" and address.toPlainText().startswith("Flat 2")
    assert "Unsaved text from your last visit to this form was restored" in dialog.message.text()
    _ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    saved = service.open_case(db, counsellor, case_id, today=TODAY).referral
    assert saved.phone == "01632 960999" and saved.address.startswith("Flat 2")
    assert drafts.load_draft(db, counsellor, key) is None
