"""The case window's Summary tab says how a case left the waiting list (user trial, 4 December 2026: after
Allocate… the status said "Allocated" while the Summary still gave its waiting-list position, "Brought forward…
Referred 04/12/2026 (waiting 0 days)")."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from adoption_desktop.core.security.permissions import Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import rules, service

from .conftest import TODAY, referral
from .test_page import _case_window

D = dt.date


@pytest.mark.parametrize(("allocated", "closed", "expected"), [
    (None, None, None),
    (D(2026, 10, 1), None, "Allocated on 01/10/2026 after 0 days on the waiting list"),
    (D(2026, 10, 2), None, "Allocated on 02/10/2026 after 1 day on the waiting list"),
    (D(2026, 10, 13), D(2026, 11, 20), "Allocated on 13/10/2026 after 12 days on the waiting list"),
    (None, D(2026, 10, 21), "Closed on 21/10/2026 after 20 days on the waiting list, without being allocated"),
])
def test_how_a_case_left_the_waiting_list(allocated: dt.date | None, closed: dt.date | None,
                                          expected: str | None) -> None:
    assert rules.left_waiting_list(D(2026, 10, 1), allocated, closed) == expected


def test_after_allocate_the_summary_gives_the_allocation_not_the_position(
        qtbot: QtBot, db: Database, counsellor: Principal) -> None:
    case_id = service.create_referral(db, counsellor, referral(referral_date=D(2026, 11, 9)), today=TODAY)
    case = _case_window(qtbot, db, counsellor, case_id)
    summary = case.summary.text()
    assert "<b>Waiting-list position</b></td><td>Brought forward: adopted before 12/11/1975" in summary
    assert "Referred 09/11/2026 (waiting 14 days)" in summary

    dialog = case.allocate_dialog()  # Allocate… as the counsellor presses it, dated today
    qtbot.addWidget(dialog)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.isVisible(), dialog.message.text()

    assert case.detail.status == "Allocated"
    summary = case.summary.text()
    assert "Waiting-list position" not in summary and "Brought forward" not in summary
    assert "(waiting" not in summary
    assert "<b>Waiting list</b></td><td>Allocated on 23/11/2026 after 14 days on the waiting list" in summary


def test_a_case_closed_while_waiting_says_so(qtbot: QtBot, db: Database, counsellor: Principal) -> None:
    case_id = service.create_referral(db, counsellor, referral(referral_date=D(2026, 11, 9)), today=TODAY)
    service.close_case(db, counsellor, case_id, D(2026, 11, 20), "withdrawn", today=TODAY)
    summary = _case_window(qtbot, db, counsellor, case_id).summary.text()
    assert "Waiting-list position" not in summary and "(waiting" not in summary
    assert "Closed on 20/11/2026 after 11 days on the waiting list, without being allocated" in summary
