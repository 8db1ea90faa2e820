"""User trial (6 December, ut23): New referral asked "A case for … already exists" before the form's own checks, so
a person who chose "Create a new case" was then told "Address: preferred contact is letter, so enter a postal
address.", put it right, pressed OK and was asked the same question again. The form's checks come first now, and
"Create a new case" holds for the form while the name at birth and date of birth stay as they were."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDateEdit,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
)
from pytestqt.qtbot import QtBot

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.views.page import CounsellingPage, create_page
from adoption_desktop.counselling.views.widgets import FormDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import qdate
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import TODAY, referral

D = dt.date
NO_ADDRESS = "Address: preferred contact is letter, so enter a postal address."


def _page(qtbot: QtBot, db: Database, who: Principal) -> CounsellingPage:
    page = create_page(AppContext(db, who, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    assert isinstance(page, CounsellingPage)
    page.today = lambda: TODAY
    return page


def _ok(dialog: FormDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _set(dialog: FormDialog, *, birth_name: str | None = None, born: dt.date | None = None,
         address: str | None = None) -> None:
    if birth_name is not None:
        line = dialog.form.findChild(QLineEdit, "birth_name")
        assert line is not None
        line.setText(birth_name)
    if born is not None:
        date = dialog.form.findChild(QDateEdit, "date_of_birth")
        assert date is not None
        date.setDate(qdate(born))
    if address is not None:
        box = dialog.form.findChild(QPlainTextEdit, "address")
        assert box is not None
        box.setPlainText(address)


def _new_referral(qtbot: QtBot, page: CounsellingPage) -> FormDialog:
    """New referral for Amy Thornby (as the trial typed her: other capitals and spaces), with no address."""
    dialog = page.new_referral()
    name = dialog.form.findChild(QLineEdit, "current_name")
    assert name is not None
    name.setText("Lola Marrowwick")
    _set(dialog, birth_name="  AMY   thornby ", born=D(1960, 3, 4), address="")
    return dialog


@pytest.fixture
def questions() -> Iterator[tuple[list[str], list[str]]]:
    """Answers every "A case for … already exists" shown while the test runs with ``answer[0]`` (a button's
    text), noting the question in ``asked``: a question nobody expected is counted, never left waiting."""
    asked: list[str] = []
    answer = ["Create a new case"]
    running = [True]

    def look() -> None:
        box = next((w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)
                    and w.objectName() == "same_applicant" and w.isVisible()), None)
        if box is not None:
            asked.append(box.text())
            next(b for b in box.buttons() if b.text().replace("&", "") == answer[0]).click()
        if running[0]:
            QTimer.singleShot(10, look)
    QTimer.singleShot(0, look)
    yield asked, answer
    running[0] = False


def _refuse_first_save(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first save is refused as the form's checks refuse (what was typed was fine a moment before, but
    saving checks again: the clock, another PC); later saves go to the real database. Returns the saves tried."""
    real = service.create_referral
    tried: list[int] = []

    def create_referral(*args: object, **kwargs: object) -> int:
        tried.append(1)
        if len(tried) == 1:
            raise ValidationError("Referral date: it cannot be after today.", "referral_date")
        return real(*args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(service, "create_referral", create_referral)
    return tried


def test_check_referral_refuses_as_saving_does_and_saves_nothing(
        db: Database, counsellor: Principal, new_case: Callable[..., int]) -> None:
    data = referral(birth_name="  Amy   Thornby ", address="")
    with pytest.raises(ValidationError) as refused:
        service.check_referral(data, TODAY)
    assert (str(refused.value), refused.value.field) == (NO_ADDRESS, "address")
    with pytest.raises(ValidationError) as saving:
        service.create_referral(db, counsellor, data, TODAY)
    assert str(saving.value) == str(refused.value)
    assert service.caseload(db, counsellor, "all", TODAY) == []
    clean = service.check_referral(referral(birth_name="  Amy   Thornby "), TODAY)
    assert clean.birth_name == "Amy Thornby"


def test_the_forms_error_comes_first_then_one_question(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int],
        questions: tuple[list[str], list[str]]) -> None:
    asked, _answer = questions
    existing = new_case()  # Amy Thornby, born 04/03/1960
    reference = service.open_case(db, counsellor, existing, today=TODAY).reference
    page = _page(qtbot, db, counsellor)
    dialog = _new_referral(qtbot, page)
    _ok(dialog)
    qtbot.wait(50)
    assert asked == [], "nothing is asked while the form cannot be saved"
    assert dialog.isVisible() and dialog.message.text() == NO_ADDRESS
    assert [r.id for r in service.caseload(db, counsellor, "all", TODAY)] == [existing]

    _set(dialog, address="3 Test Lane\nTesttown TT1 1TT")
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert len(asked) == 1 and asked[0].startswith(f"A case for Amy Thornby born 04/03/1960 already exists: "
                                                   f"{reference} (open).")
    assert len(service.caseload(db, counsellor, "all", TODAY)) == 2
    for case in page.cases:
        qtbot.addWidget(case)


def test_create_a_new_case_is_not_asked_again_after_a_refusal(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int],
        questions: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    asked, _answer = questions
    existing = new_case()
    page = _page(qtbot, db, counsellor)
    dialog = _new_referral(qtbot, page)
    _set(dialog, address="3 Test Lane\nTesttown TT1 1TT")
    tried = _refuse_first_save(monkeypatch)
    _ok(dialog)
    qtbot.wait(50)
    assert len(asked) == 1 and len(tried) == 1
    assert dialog.isVisible() and dialog.message.text() == "Referral date: it cannot be after today."
    # the same person, written differently: the answer still holds
    _set(dialog, birth_name="Amy Thornby")
    _ok(dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert len(asked) == 1, asked
    assert len(tried) == 2
    assert sorted(r.id for r in service.caseload(db, counsellor, "all", TODAY))[0] == existing
    assert len(service.caseload(db, counsellor, "all", TODAY)) == 2
    for case in page.cases:
        qtbot.addWidget(case)


def test_a_changed_date_of_birth_is_asked_about_again(
        qtbot: QtBot, db: Database, counsellor: Principal, new_case: Callable[..., int],
        questions: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    asked, answer = questions
    new_case()  # Amy Thornby, born 04/03/1960
    other = new_case(date_of_birth=D(1960, 3, 5))  # another Amy Thornby, born a day later
    other_reference = service.open_case(db, counsellor, other, today=TODAY).reference
    page = _page(qtbot, db, counsellor)
    dialog = _new_referral(qtbot, page)
    _set(dialog, address="3 Test Lane\nTesttown TT1 1TT")
    _refuse_first_save(monkeypatch)
    _ok(dialog)
    qtbot.wait(50)
    assert len(asked) == 1 and dialog.isVisible()
    _set(dialog, born=D(1960, 3, 5))
    answer[0] = "Back to the form"
    _ok(dialog)
    qtbot.wait(50)
    assert len(asked) == 2 and f"born 05/03/1960 already exists: {other_reference}" in asked[1]
    assert dialog.isVisible() and dialog.message.text().startswith(f"Not saved yet: {other_reference}")
    assert len(service.caseload(db, counsellor, "all", TODAY)) == 2
