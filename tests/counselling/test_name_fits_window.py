"""The names a counselling letter prints in the envelope's window are checked where they are typed. The applicant's
*Name now* (the first line of the acknowledgement, appointment and records-ready letters), the records holder's
name (under "Records Officer" on a records request and a chaser) and, with no postal address, the e-mail address
printed under the name were measured only when a letter was made: the counsellor learned weeks later, at print
time, that the letter could not be written. Now the form refuses them, keyed by the field, so the cursor goes
there and the message goes once the field is changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.core.documents.address_block import WINDOW_WIDTH, line_width
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import TODAY, referral

#: a name within every other limit (120 characters, no formula start) but wider than the window (85 mm)
LONG_NAME = "Alexandra Featherstonehaugh-Cholmondeley-Worthington"
LONG_HOLDER = "Westshire County Council Adoption Records and Archives Service"
LONG_EMAIL = "alexandra.featherstonehaugh-cholmondeley@example.org"


def test_the_examples_are_too_wide_for_the_window() -> None:
    assert all(line_width(x) > WINDOW_WIDTH for x in (LONG_NAME, LONG_HOLDER, LONG_EMAIL))


def test_name_now_is_refused_where_it_is_typed(db: Database, counsellor: Principal,
                                              new_case: Callable[..., int]) -> None:
    with pytest.raises(ValidationError) as refused:
        service.create_referral(db, counsellor, referral(current_name=LONG_NAME), today=TODAY)
    assert refused.value.field == "current_name"
    assert str(refused.value).startswith("Name now:") and "too long for the envelope's window" in str(refused.value)
    case_id = new_case()
    detail = service.open_case(db, counsellor, case_id, TODAY)
    with pytest.raises(ValidationError) as refused:
        service.update_referral(db, counsellor, case_id, referral(current_name=LONG_NAME), TODAY,
                                expected_version=detail.row_version)
    assert refused.value.field == "current_name"
    assert service.open_case(db, counsellor, case_id, TODAY).referral.current_name == "Amy Lark"
    # the name at birth is never printed on an address block: a long one is kept
    service.update_referral(db, counsellor, case_id, referral(birth_name=LONG_NAME), TODAY,
                            expected_version=detail.row_version)


def test_an_email_printed_in_the_window_is_refused_only_without_an_address(db: Database,
                                                                          counsellor: Principal) -> None:
    with pytest.raises(ValidationError) as refused:
        service.create_referral(db, counsellor, referral(address="", email=LONG_EMAIL, preferred_contact="email"),
                                today=TODAY)
    assert refused.value.field == "email" and "enter the postal address" in str(refused.value)
    # with a postal address the e-mail is not printed on the letter
    service.create_referral(db, counsellor, referral(email=LONG_EMAIL), today=TODAY)


def test_the_records_holders_name_is_refused_where_it_is_typed(db: Database, counsellor: Principal,
                                                              new_case: Callable[..., int]) -> None:
    case_id = new_case()
    with pytest.raises(ValidationError) as refused:
        service.add_request(db, counsellor, case_id, service.RequestInput(
            "archive", LONG_HOLDER, dt.date(2026, 10, 5), holder_address="Records Section\nZZ99 2CD"), today=TODAY)
    assert refused.value.field == "holder_name"
    assert str(refused.value).startswith("Archive, court or agency:")
    assert service.open_case(db, counsellor, case_id, TODAY).requests == []


def test_the_referral_form_puts_the_cursor_in_name_now(qtbot: QtBot, db: Database, counsellor: Principal,
                                                       new_case: Callable[..., int]) -> None:
    case = CaseDialog(AppContext(db, counsellor, TaskRunner(synchronous=True)), new_case(), lambda: TODAY)
    qtbot.addWidget(case)
    dialog = case.edit_referral()
    name = dialog.form.findChild(QLineEdit, "current_name")
    assert name is not None
    name.setText(LONG_NAME)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.message.text().startswith("Name now:"), dialog.message.text()
    assert dialog.focusWidget() is name
    assert service.open_case(db, counsellor, case.case_id, TODAY).referral.current_name == "Amy Lark"
    name.selectAll()
    qtbot.keyClicks(name, "Alexandra Worthington")  # written as letters address her: the message goes, it saves
    assert dialog.message.text() == ""
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.isVisible(), dialog.message.text()
    assert service.open_case(db, counsellor, case.case_id, TODAY).referral.current_name == "Alexandra Worthington"


#: an address of eight lines: more than the window holds under the name
LONG_ADDRESS = "Flat 9\nThe Maltings\n3 Quay Street\nOld Town\nAmbleford\nWestshire\nEngland\nZZ99 1AB"


def test_a_case_saved_before_the_rule_still_saves_its_other_changes(db: Database, counsellor: Principal,
                                                                   new_case: Callable[..., int]) -> None:
    """Review: a case whose name, address or e-mail were saved before the envelope's rule could not save a new
    phone number (refused for the name it kept). What is kept is not judged again; what is typed anew is."""
    from adoption_desktop.counselling.models import CounsellingCase

    kept_case, emailed_case = new_case(), new_case()
    with db.session(counsellor) as s:  # as saved before the rule
        case = s.get(CounsellingCase, kept_case)
        assert case is not None
        case.current_name, case.address = LONG_NAME, LONG_ADDRESS
        other = s.get(CounsellingCase, emailed_case)
        assert other is not None
        other.address, other.email, other.preferred_contact = "", LONG_EMAIL, "email"
    version = service.open_case(db, counsellor, kept_case, TODAY).row_version
    service.update_referral(db, counsellor, kept_case, referral(current_name=LONG_NAME, address=LONG_ADDRESS,
                                                                phone="01632 960999"), TODAY, expected_version=version)
    saved = service.open_case(db, counsellor, kept_case, TODAY).referral
    assert (saved.phone, saved.current_name, saved.address) == ("01632 960999", LONG_NAME, LONG_ADDRESS)
    version = service.open_case(db, counsellor, emailed_case, TODAY).row_version
    service.update_referral(db, counsellor, emailed_case, referral(address="", email=LONG_EMAIL,
                                                                   preferred_contact="email", phone="01632 960998"),
                            TODAY, expected_version=version)
    assert service.open_case(db, counsellor, emailed_case, TODAY).referral.phone == "01632 960998"
    # a name, an address or an e-mail typed anew is judged: each refused, naming its field
    version = service.open_case(db, counsellor, kept_case, TODAY).row_version
    for changed, field in ((dict(current_name=LONG_NAME + "e", address=LONG_ADDRESS), "current_name"),
                           (dict(current_name=LONG_NAME, address=LONG_ADDRESS + "\nUK"), "address")):
        with pytest.raises(ValidationError) as refused:
            service.update_referral(db, counsellor, kept_case, referral(**changed), TODAY, expected_version=version)
        assert refused.value.field == field
    version = service.open_case(db, counsellor, emailed_case, TODAY).row_version
    with pytest.raises(ValidationError) as refused:
        service.update_referral(db, counsellor, emailed_case, referral(address="", email="x" + LONG_EMAIL,
                                                                       preferred_contact="email"),
                                TODAY, expected_version=version)
    assert refused.value.field == "email"
