"""A refused text on a counselling form names the form's own field, so the form puts the cursor in it (and the
message goes once that field is changed), as it already did for the referral and the dates. A session's place,
time or notes, a request's notes, the redactions made, a closure note and a check's note or reason for removing
were refused under their labels ("Location", "Notes", "Closure note"…), which no widget is named by: the message
showed under the form, but the cursor stayed on OK."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import TODAY, records_received

DAY = dt.date(2026, 11, 2)
TOO_LONG = "x" * 20_001

TRIES: dict[str, tuple[str, Callable[[Database, Principal, int], object]]] = {
    "session place": ("location", lambda db, who, case: service.add_session(
        db, who, case, DAY, "in_person", location="x" * 201, today=TODAY)),
    "session time": ("start_time", lambda db, who, case: service.add_session(
        db, who, case, DAY, "in_person", start_time="10:\x0130", today=TODAY)),
    "session notes": ("notes", lambda db, who, case: service.add_session(
        db, who, case, DAY, "in_person", notes=TOO_LONG, today=TODAY)),
    "request notes": ("notes", lambda db, who, case: service.add_request(
        db, who, case, service.RequestInput("archive", "Brackwater Archives", DAY, notes=TOO_LONG), today=TODAY)),
    "redactions made": ("redactions_made", lambda db, who, case: service.add_redaction(
        db, who, case, "Adoption file", DAY, TOO_LONG, today=TODAY)),
    "closure note": ("note", lambda db, who, case: service.close_case(
        db, who, case, DAY, "withdrawn", TOO_LONG, today=TODAY)),
    "register note": ("acr_note", lambda db, who, case: service.record_checks(
        db, who, case, acr_checked_on=DAY, acr_note=TOO_LONG, today=TODAY)),
    "veto note": ("veto_note", lambda db, who, case: service.record_checks(
        db, who, case, veto_checked_on=DAY, veto_note=TOO_LONG, today=TODAY)),
    "reason for removing": ("removal_reason", lambda db, who, case: service.record_checks(
        db, who, case, remove=["acr"], removal_reason="x" * 501, today=TODAY)),
}


@pytest.mark.parametrize("what", list(TRIES))
def test_a_refused_text_names_the_forms_field(db: Database, counsellor: Principal, new_case: Callable[..., int],
                                              what: str) -> None:
    case = new_case()
    records_received(db, counsellor, case)
    field, attempt = TRIES[what]
    with pytest.raises(ValidationError) as refused:
        attempt(db, counsellor, case)
    assert refused.value.field == field, str(refused.value)


def test_the_session_form_puts_the_cursor_in_the_place_refused(qtbot: QtBot, db: Database, counsellor: Principal,
                                                               new_case: Callable[..., int]) -> None:
    case = CaseDialog(AppContext(db, counsellor, TaskRunner(synchronous=True)), new_case(), lambda: TODAY)
    qtbot.addWidget(case)
    dialog = case.session_dialog()
    place = dialog.form.findChild(QLineEdit, "location")
    assert place is not None
    place.setText("Example Street office, " + "room 2 " * 40)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.message.text().startswith("Location: at most 200 characters")
    assert dialog.focusWidget() is place
    assert service.open_case(db, counsellor, case.case_id, TODAY).sessions == []
    place.selectAll()
    qtbot.keyClicks(place, "Example Street office")  # typed over: the message about it goes
    assert dialog.message.text() == ""
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert [s.location for s in service.open_case(db, counsellor, case.case_id, TODAY).sessions] == \
        ["Example Street office"]
