"""Trial (team mode): the ADM signed a decision while the approved minutes it rests on were being corrected
("Make a correction…" opened a draft) and was not told. Signing then is a practice question, not refused:
the sign dialog says who opened the correction, when and why, Sign stays off until "sign anyway" is
ticked, the service asks for that confirmation too, and the audit entry of the signature records it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from adoption_desktop.adm import service as adm
from adoption_desktop.adm.models import AdmDecision
from adoption_desktop.adm.views import detail as detail_module
from adoption_desktop.adm.views.page import AdmPage
from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as panel
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.dates import qdate
from adoption_desktop.ui.tasks import TaskRunner
from tests.adm.conftest import ADDRESS
from tests.conftest import TEST_PASSWORD, make_user, papers_received
from tests.panel.conftest import MEMBERS

SITTING_DAY, APPROVED, SIGNED = dt.date(2026, 11, 10), dt.date(2026, 11, 23), dt.date(2026, 11, 24)
REASON = "The reasons left out the applicants' support network."


def _approved(db: Database) -> tuple[Principal, int, int]:
    """Minutes of one item approved by the chair and handed to the ADM: (panel administrator, item, decision)."""
    clerk = make_user(db, "corr_clerk", Role.PANEL_ADMINISTRATOR)
    chair = make_user(db, "corr_chair", Role.PANEL_CHAIR)
    ids = {key: panel.add_member(db, clerk, panel.MemberInput(
        name, role, dt.date(2024, 1, 1), pqe, ind, user_id=chair.user_id if key == "chair" else None,
        appraisal_due=dt.date(2027, 6, 1), dbs_checked_on=dt.date(2025, 1, 1), training_on=dt.date(2026, 6, 1)),
        today=APPROVED).id for key, (name, role, pqe, ind) in MEMBERS.items()}
    sitting = panel.schedule_sittings(db, clerk, panel.SittingInput(SITTING_DAY, "10:00", "13:00", "Room 2"))[0]
    for key in ("chair", "vice", "sw", "med", "pe"):
        panel.set_attendance(db, clerk, sitting, ids[key], "present")
    item = papers_received(db, clerk, panel.add_item(db, clerk, sitting, panel.ItemInput("approval", "ADP-70", "C.D.")),
                           SITTING_DAY)
    panel.save_minutes(db, clerk, item, panel.MinutesDraft(
        outcome="suitable", reasons="Thorough assessment.", discussion="Questions answered.", vote="unanimous",
        member_views={ids[k]: "Agrees." for k in ("chair", "vice", "sw", "med", "pe")}))
    panel.submit_minutes(db, clerk, item, today=APPROVED)
    row = panel.approve_minutes(db, chair, item, TEST_PASSWORD, today=APPROVED)
    assert row.adm_decision_id
    return clerk, item, row.adm_decision_id


def _decided(db: Database, decider: Principal, decision: int) -> None:
    """Decided, and Letter to filled in (the panel hands over initials only; the letter goes to the applicants)."""
    adm.save_draft_decision(db, decider, decision, outcome="agree", decision_text="Approved as suitable to adopt.",
                            reasons="", addressee=ADDRESS, salutation="", social_worker="")


def _sign_entry(db: Database, decision: int) -> str:
    with db.session(write=False) as s:
        return s.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "sign", AuditEntry.entity == "adm_decisions",
            AuditEntry.entity_id == str(decision))).one()


def test_the_warning_names_who_opened_the_correction_when_and_why(db: Database) -> None:
    clerk, item, decision = _approved(db)
    decider = make_user(db, "corr_adm", Role.AGENCY_DECISION_MAKER)
    assert adm.minutes_correction(db, decider, decision) is None
    panel.correct_minutes(db, clerk, item, REASON)
    found = adm.minutes_correction(db, decider, decision)
    assert found is not None and found.panel_item_id == item and found.version == 2
    assert found.opened_by == clerk.full_name and found.reason == REASON
    assert found.opened_at is not None and abs(dt.datetime.now(dt.UTC).replace(tzinfo=None) - found.opened_at) \
        < dt.timedelta(minutes=5)
    warning = adm.minutes_correction_warning(found)
    assert "are being corrected" in warning and clerk.full_name in warning and REASON in warning
    _decided(db, decider, decision)
    # not blocked, but confirmed: without it nothing is signed (before the password is tried)
    with pytest.raises(ValidationError, match="being corrected") as err:
        adm.sign_decision(db, decider, decision, "not even the password", SIGNED)
    assert err.value.field == "minutes_correction"
    signed = adm.sign_decision(db, decider, decision, TEST_PASSWORD, SIGNED, sign_anyway=True)
    assert signed.decision_id == decision
    entry = _sign_entry(db, decision)
    assert "signed anyway while a correction of the panel minutes was open: version 2" in entry
    assert clerk.full_name in entry and REASON in entry


def test_sign_anyway_is_for_the_correction_the_warning_named(db: Database) -> None:
    """Review: "sign anyway" was a plain yes: a second correction opened (after the first was approved) while
    the dialog was up was signed over with the first one's confirmation, and the audit cited the second."""
    clerk, item, decision = _approved(db)
    decider = make_user(db, "corr_adm", Role.AGENCY_DECISION_MAKER)
    panel.correct_minutes(db, clerk, item, REASON)
    shown = adm.minutes_correction(db, decider, decision)  # the dialog's warning: version 2
    assert shown is not None and shown.version == 2
    chair = make_user(db, "corr_chair3", Role.PANEL_CHAIR)
    panel.submit_minutes(db, clerk, item, today=APPROVED)
    panel.approve_minutes(db, chair, item, TEST_PASSWORD, today=APPROVED)
    panel.correct_minutes(db, clerk, item, "A second correction: the vote was recorded wrongly.")
    _decided(db, decider, decision)
    with pytest.raises(ValidationError, match="the vote was recorded wrongly") as err:
        adm.sign_decision(db, decider, decision, TEST_PASSWORD, SIGNED, sign_anyway=True,
                          correction_shown=shown.version)
    assert err.value.field == "minutes_correction"
    again = adm.minutes_correction(db, decider, decision)
    assert again is not None and again.version == 3
    adm.sign_decision(db, decider, decision, TEST_PASSWORD, SIGNED, sign_anyway=True, correction_shown=again.version)
    assert "open: version 3" in _sign_entry(db, decision)


def test_once_the_correction_is_approved_there_is_nothing_to_confirm(db: Database) -> None:
    clerk, item, decision = _approved(db)
    decider = make_user(db, "corr_adm", Role.AGENCY_DECISION_MAKER)
    panel.correct_minutes(db, clerk, item, REASON)
    panel.submit_minutes(db, clerk, item, today=APPROVED)
    chair = make_user(db, "corr_chair2", Role.PANEL_CHAIR)
    panel.approve_minutes(db, chair, item, TEST_PASSWORD, today=APPROVED)
    assert adm.minutes_correction(db, decider, decision) is None
    _decided(db, decider, decision)
    adm.sign_decision(db, decider, decision, TEST_PASSWORD, SIGNED)
    assert "correction of the panel minutes" not in _sign_entry(db, decision)


def test_the_sign_dialog_warns_and_signs_only_when_confirmed(db: Database, qtbot: Any, monkeypatch: Any) -> None:
    clerk, item, decision = _approved(db)
    decider = make_user(db, "corr_adm", Role.AGENCY_DECISION_MAKER)
    page = AdmPage(AppContext(db, decider, TaskRunner(synchronous=True)), today=SIGNED)
    qtbot.addWidget(page)
    assert page.detail.detail is not None and page.detail.detail.row.id == decision
    page.detail.decided_on.setDate(qdate(SIGNED))
    page.detail.addressee.setPlainText(ADDRESS)  # the panel hands over initials only: the ADM types Letter to
    plain: list[bool] = []
    monkeypatch.setattr(detail_module.SignDialog, "exec", lambda dialog: plain.append(
        dialog.correction_warning.isVisibleTo(dialog) or dialog.sign_anyway.isVisibleTo(dialog)) and 0)
    page.detail.sign()
    assert plain == [False]  # no correction open: no warning, nothing to tick
    panel.correct_minutes(db, clerk, item, REASON)  # "Make a correction…" on the panel administrator's PC
    seen: list[dict[str, Any]] = []
    tick = iter([False, True])

    def fake_exec(dialog: Any) -> int:
        ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        seen.append({"warning": dialog.correction_warning.text(),
                     "shown": dialog.correction_warning.isVisibleTo(dialog) and dialog.sign_anyway.isVisibleTo(dialog),
                     "ok_before": ok.isEnabled()})
        dialog.password.setText(TEST_PASSWORD)
        if next(tick):
            dialog.sign_anyway.setChecked(True)
            seen[-1]["ok_after"] = ok.isEnabled()
            dialog.accept()  # Sign: signed by the dialog, which then closes
            return int(dialog.result())
        return 0  # the first time the ADM cancels: nothing signed

    monkeypatch.setattr(detail_module.SignDialog, "exec", fake_exec)
    page.detail.sign()
    with db.session() as s:
        assert s.get(AdmDecision, decision).signed_at is None
    page.detail.sign()
    assert len(seen) == 2
    for shown in seen:
        assert shown["shown"] and not shown["ok_before"]
        assert clerk.full_name in shown["warning"] and REASON in shown["warning"]
    assert seen[1]["ok_after"]
    with db.session() as s:
        assert s.get(AdmDecision, decision).signed_at is not None
    assert "signed anyway while a correction of the panel minutes was open" in _sign_entry(db, decision)
