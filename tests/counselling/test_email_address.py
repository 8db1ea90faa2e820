"""A badly formed e-mail address on a referral is told as badly formed (user trial, 4 December 2026: with
Preferred contact = Email and "not-an-email" typed, the message said "preferred contact is email, so enter an
email address" although one was entered). One checker (``core.text_input.is_email_address``) serves the
referral and the agency profile."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QComboBox, QDateEdit, QDialog, QDialogButtonBox, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.core.agency_profile import AgencyProfile, save_agency_profile
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import is_email_address
from adoption_desktop.counselling import service
from adoption_desktop.counselling.views.page import CounsellingPage, create_page
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import qdate
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import make_user

from .conftest import TODAY, referral

INVALID = "Email: 'not-an-email' is not an e-mail address (name@example.org)."
EMPTY = "Email: preferred contact is email, so enter an email address."


@pytest.mark.parametrize(("text", "ok"), [
    ("amy.lark@example.org", True), ("a+b@mail.example.co.uk", True), ("not-an-email", False),
    ("amy@example", False), ("amy lark@example.org", False), ("amy@@example.org", False), ("@example.org", False),
    ("01632 960001", False), ("", False),
])
def test_the_shared_checker(text: str, ok: bool) -> None:
    assert is_email_address(text) is ok


@pytest.mark.parametrize("preferred", ["email", "letter", "phone"])
def test_a_badly_formed_address_is_told_as_such_whatever_the_preferred_contact(
        db: Database, counsellor: Principal, preferred: str) -> None:
    with pytest.raises(ValidationError) as caught:
        service.create_referral(db, counsellor, referral(email="not-an-email", preferred_contact=preferred),
                                today=TODAY)
    assert str(caught.value) == INVALID and caught.value.field == "email"


def test_an_empty_address_with_email_preferred_keeps_its_message(db: Database, counsellor: Principal) -> None:
    with pytest.raises(ValidationError, match="preferred contact is email, so enter an email address"):
        service.create_referral(db, counsellor, referral(email="", preferred_contact="email"), today=TODAY)
    # empty is fine when another way of contact is preferred; a good address is fine with any
    service.create_referral(db, counsellor, referral(email="", preferred_contact="letter"), today=TODAY)
    service.create_referral(db, counsellor, referral(email=" amy.lark@example.org ", preferred_contact="email"),
                            today=TODAY)


def test_editing_a_referral_checks_the_address_too(db: Database, counsellor: Principal,
                                                   new_case: Callable[..., int]) -> None:
    case_id = new_case()
    with pytest.raises(ValidationError) as caught:
        service.update_referral(db, counsellor, case_id, referral(email="not-an-email"), TODAY)
    assert str(caught.value) == INVALID


def test_new_referral_form_shows_the_invalid_address_message(qtbot: QtBot, db: Database,
                                                             counsellor: Principal) -> None:
    page = create_page(AppContext(db, counsellor, TaskRunner(synchronous=True)))
    qtbot.addWidget(page)
    assert isinstance(page, CounsellingPage)
    page.today = lambda: TODAY
    dialog = page.new_referral()
    qtbot.addWidget(dialog)
    for name, text in (("birth_name", "Rosa Quillby"), ("current_name", "Rosa Wrenfield"), ("email", "not-an-email")):
        line = dialog.form.findChild(QLineEdit, name)
        assert line is not None, name
        line.setText(text)
    address = dialog.form.findChild(QPlainTextEdit, "address")
    contact = dialog.form.findChild(QComboBox, "preferred_contact")
    born = dialog.form.findChild(QDateEdit, "date_of_birth")
    assert address is not None and contact is not None and born is not None
    address.setPlainText("4 Sorrel Road\nCinderby\nZZ99 3FG")
    born.setDate(qdate(dt.date(1958, 7, 9)))
    contact.setCurrentIndex(contact.findText("Email"))
    try:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert dialog.isVisible()
        assert INVALID in dialog.message.text() and "preferred contact is email" not in dialog.message.text()
    finally:  # closed without the "Discard what you typed?" question, which no one would answer here
        QDialog.reject(dialog)


def test_the_agency_profile_uses_the_same_checker(db: Database) -> None:
    admin = make_user(db, "admin", Role.ADMINISTRATOR)
    profile = AgencyProfile(name="Example Regional Adoption Agency", address="1 Example Street\nZZ99 1AA",
                            email="adoption@example")
    with pytest.raises(ValidationError) as caught:
        save_agency_profile(db, admin, profile)
    assert str(caught.value) == "E-mail: enter one address like adoption@example.org."
    save_agency_profile(db, admin, AgencyProfile(name=profile.name, address=profile.address,
                                                 email="adoption@example.org"))
