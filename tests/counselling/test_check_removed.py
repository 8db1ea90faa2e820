"""A register, veto or signposting check recorded by mistake can be taken off (UT1, 6 December 2026): unticking
it in Record checks… said "Checks recorded." and kept it. Now the untick removes it, with a reason that goes in
the audit log; with no reason it is refused, saying so, and the check stays."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from adoption_desktop.core.audit.models import AuditEntry
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import service
from adoption_desktop.counselling.views.case_dialog import CaseDialog
from tests.counselling.conftest import TODAY
from tests.counselling.test_page import _ctx


def _removals(db: Database, actor: Principal) -> list[str]:
    with db.session(actor, write=False) as s:
        return [str(d) for d in s.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "remove_entered_in_error"))]


def test_the_service_removes_a_check_with_a_reason(db: Database, counsellor: Principal,
                                                   new_case: Callable[..., int]) -> None:
    case_id = new_case()
    service.record_checks(db, counsellor, case_id, veto_checked_on=TODAY, veto_note="No veto.", today=TODAY)
    with pytest.raises(ValidationError, match="Reason for removing: say why") as refused:
        service.record_checks(db, counsellor, case_id, remove=["veto"], today=TODAY)
    assert refused.value.field == "removal_reason"
    assert service.open_case(db, counsellor, case_id, TODAY).veto_checked_on == TODAY
    removed = service.record_checks(db, counsellor, case_id, remove=["veto"], removal_reason="ticked by mistake",
                                    today=TODAY)
    assert removed == ["veto check of 23/11/2026"]
    d = service.open_case(db, counsellor, case_id, TODAY)
    assert (d.veto_checked_on, d.veto_note) == (None, "")
    assert any("veto check of 23/11/2026 removed: ticked by mistake" in x for x in _removals(db, counsellor))


def test_unticking_in_the_window_removes_it_or_says_why_not(qtbot: QtBot, db: Database, counsellor: Principal,
                                                           new_case: Callable[..., int]) -> None:
    case_id = new_case()
    service.record_checks(db, counsellor, case_id, acr_checked_on=TODAY, acr_note="Entry found.", today=TODAY)
    case = CaseDialog(_ctx(db, counsellor), case_id, lambda: TODAY)
    qtbot.addWidget(case)
    dialog = case.checks_dialog()
    acr = dialog.form.findChild(QCheckBox, "acr")
    reason = dialog.form.findChild(QLineEdit, "removal_reason")
    assert acr is not None and reason is not None
    assert not reason.isEnabled()  # asked only when a check on record is unticked
    acr.setChecked(False)
    assert reason.isEnabled()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible() and "Reason for removing" in dialog.message.text()  # not "Checks recorded."
    assert service.open_case(db, counsellor, case_id, TODAY).acr_checked_on == TODAY
    reason.setText("recorded on the wrong case")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.isVisible(), dialog.message.text()
    assert service.open_case(db, counsellor, case_id, TODAY).acr_checked_on is None
    assert "removed: adoption contact register check of 23/11/2026" in case.status.text()


def test_a_colleagues_newer_check_is_not_removed_by_an_untick(db: Database, counsellor: Principal,
                                                              new_case: Callable[..., int]) -> None:
    """Review, 6 December: A unticks the check of 02/11 she saw; colleague B meanwhile took it off and recorded
    one of 20/11 with a note; A's save was stale, and Re-apply (the same untick on B's version) took B's check
    off, note and all, audited as "ticked by mistake". The untick names the date it was of."""
    from adoption_desktop.core.errors import Conflict, StaleRecord

    case_id = new_case()
    first, second = TODAY.replace(day=2), TODAY.replace(day=20)
    service.record_checks(db, counsellor, case_id, acr_checked_on=first, today=TODAY)
    seen = service.open_case(db, counsellor, case_id, TODAY).row_version
    service.record_checks(db, counsellor, case_id, remove=["acr"], removal_reason="wrong date", today=TODAY)
    service.record_checks(db, counsellor, case_id, acr_checked_on=second, acr_note="Entry found.", today=TODAY)
    with pytest.raises(StaleRecord) as stale:
        service.record_checks(db, counsellor, case_id, remove={"acr": first}, removal_reason="ticked by mistake",
                              expected_version=seen, today=TODAY)
    with pytest.raises(Conflict, match=r"now dated 20/11/2026.*not removed"):
        service.record_checks(db, counsellor, case_id, remove={"acr": first}, removal_reason="ticked by mistake",
                              expected_version=stale.value.saved_version, today=TODAY)
    d = service.open_case(db, counsellor, case_id, TODAY)
    assert (d.acr_checked_on, d.acr_note) == (second, "Entry found.")
    assert not any("ticked by mistake" in x for x in _removals(db, counsellor))
