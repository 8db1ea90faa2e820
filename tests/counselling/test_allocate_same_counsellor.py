"""*Allocate…* on a case already with the counsellor chosen changes nothing, and now says so. It said
"Allocated to Corey Fenmere." and the date typed went nowhere: a counsellor correcting the day a case was
allocated (the wait runs to it) read that it was done, while the list and the figures kept the old day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import qdate
from adoption_desktop.ui.tasks import TaskRunner

from .conftest import TODAY


def test_allocating_to_the_counsellor_who_has_the_case_is_refused(db: Database, counsellor: Principal,
                                                                   new_case: Callable[..., int]) -> None:
    case_id = new_case()
    service.allocate(db, counsellor, case_id, counsellor.user_id, on=dt.date(2026, 11, 10), today=TODAY)
    with pytest.raises(ValidationError, match=r"already allocated to .* since 10/11/2026; nothing was changed") \
            as refused:
        service.allocate(db, counsellor, case_id, counsellor.user_id, on=dt.date(2026, 11, 2), today=TODAY)
    assert refused.value.field == "counsellor"
    assert service.open_case(db, counsellor, case_id, TODAY).allocated_on == dt.date(2026, 11, 10)


def test_the_allocate_form_says_nothing_was_changed(qtbot: QtBot, db: Database, counsellor: Principal,
                                                    new_case: Callable[..., int]) -> None:
    case_id = new_case()
    service.allocate(db, counsellor, case_id, counsellor.user_id, on=dt.date(2026, 11, 10), today=TODAY)
    case = CaseDialog(AppContext(db, counsellor, TaskRunner(synchronous=True)), case_id, lambda: TODAY)
    qtbot.addWidget(case)
    dialog = case.allocate_dialog()
    dialog.form.findChild(object, "allocated_on").setDate(qdate(dt.date(2026, 11, 2)))  # type: ignore[union-attr]
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "nothing was changed" in dialog.message.text()
