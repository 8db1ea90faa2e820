"""Trial (team mode): the chair approved minutes text they never saw. The approval carries the version of
the minutes the chair's screen showed; changed since, nothing is approved, the chair is told who changed
them and when, and the screen shows them as stored now."""

from __future__ import annotations

import dataclasses

import pytest
from pytestqt.qtbot import QtBot

from adoption_desktop.core.errors import Conflict, StaleRecord
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.panel import service as svc
from adoption_desktop.panel.views.page import PanelPage
from adoption_desktop.ui.context import AppContext
from adoption_desktop.ui.tasks import TaskRunner
from tests.conftest import TEST_PASSWORD, papers_received

from .conftest import SITTING_DAY, TODAY, Panel, attend

UNSEEN = "Thorough assessment. A sentence the chair never saw."


def _sent(panel: Panel) -> tuple[int, svc.MinutesRow]:
    """An item whose minutes wait for the chair, and those minutes as the chair's screen loads them."""
    item = papers_received(panel.db, panel.clerk, svc.add_item(panel.db, panel.clerk, panel.sitting_id,
                                                               svc.ItemInput("approval", "AD-1", "AB")), SITTING_DAY)
    attend(panel, "chair", "vice", "sw", "med", "pe")
    svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(
        outcome="suitable", reasons="Thorough assessment.", vote="unanimous", discussion="Questions.",
        member_views={panel.members[k]: "Agrees." for k in ("chair", "vice", "sw", "med", "pe")}))
    shown = svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    return item, shown


def _edit(panel: Panel, item: int, shown: svc.MinutesRow, *, send_again: bool) -> None:
    svc.save_minutes(panel.db, panel.clerk, item, dataclasses.replace(shown.draft, reasons=UNSEEN),
                     expected_version=shown.row_version)
    if send_again:
        svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)


def test_minutes_changed_and_sent_again_are_not_approved_on_the_version_shown(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    item, shown = _sent(panel)
    _edit(panel, item, shown, send_again=True)
    changed = f"These minutes were changed by {panel.clerk.full_name} at "
    [blocker] = svc.approval_blockers(panel.db, panel.chair, item, today=TODAY, expected_version=shown.row_version)
    assert blocker.startswith(changed) and "after you opened them; read them again before approving" in blocker
    with pytest.raises(StaleRecord, match="read them again before approving") as err:
        svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY,
                            expected_version=shown.row_version)
    assert str(err.value).startswith(changed) and err.value.saved_by == panel.clerk.full_name
    assert err.value.saved_values["Reasons"] == UNSEEN and not handoffs
    [now] = svc.minutes_history(panel.db, panel.chair, item)
    assert now.status == "submitted" and now.approved_on is None
    # read again: the version now shown is approved, and what the ADM receives is what was read
    assert svc.approval_blockers(panel.db, panel.chair, item, today=TODAY, expected_version=now.row_version) == []
    row = svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY,
                              expected_version=now.row_version)
    assert row.status == "approved" and UNSEEN in handoffs[0].minutes_extract


def test_a_correction_at_the_same_version_number_is_not_approved_from_the_old_screen(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    """A correction is a new minutes row whose version starts again: a second screen still showing the
    approved minutes, at the version number the correction has reached, approved the correction unread
    (review). The approval names the minutes row as well as its version."""
    item, shown = _sent(panel)
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY, expected_version=shown.row_version,
                        expected_minutes_id=shown.id)
    rows = [svc.correct_minutes(panel.db, panel.clerk, item, "Typo in the reasons.")]
    while rows[-1].row_version < shown.row_version - 1:  # ordinary saves of the correction draft
        rows.append(svc.save_minutes(panel.db, panel.clerk, item, dataclasses.replace(
            rows[-1].draft, reasons=UNSEEN + str(len(rows))), expected_version=rows[-1].row_version))
    sent = svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY)
    assert sent.id != shown.id and sent.row_version == shown.row_version  # the numbers agree
    [blocker] = svc.approval_blockers(panel.db, panel.chair, item, today=TODAY, expected_version=shown.row_version,
                                      expected_minutes_id=shown.id)
    assert blocker.startswith("These are newer minutes than the ones on your screen: version 2 (submitted)")
    with pytest.raises(StaleRecord, match=r"Read them before approving\. Nothing was approved"):
        svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY,
                            expected_version=shown.row_version, expected_minutes_id=shown.id)
    assert [m.status for m in svc.minutes_history(panel.db, panel.chair, item)] == ["approved", "submitted"]
    row = svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY,  # read, then approved
                              expected_version=sent.row_version, expected_minutes_id=sent.id)
    assert row.id == sent.id and row.status == "approved"


def test_minutes_changed_after_sending_tell_the_chair_what_happened(panel: Panel) -> None:
    """Edited after sending (back to draft): not "have not been sent to the chair yet; send them first"
    but who changed them, and that they come back when sent again."""
    item, shown = _sent(panel)
    _edit(panel, item, shown, send_again=False)
    said = (f"{panel.clerk.full_name} changed these minutes at ", " after sending them to you; they come back to "
            "you when they are sent again.")
    [blocker] = svc.approval_blockers(panel.db, panel.chair, item, today=TODAY, expected_version=shown.row_version)
    assert blocker.startswith(said[0]) and said[1] in blocker
    with pytest.raises(StaleRecord) as err:
        svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY,
                            expected_version=shown.row_version)
    assert str(err.value).startswith(said[0]) and said[1] in str(err.value)
    with pytest.raises(Conflict, match="not been sent to the chair yet"):  # a script, no version: as before
        svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)


def _chair_page(qtbot: QtBot, panel: Panel) -> PanelPage:
    page = PanelPage(AppContext(panel.db, panel.chair, TaskRunner(synchronous=True)), today=TODAY)
    qtbot.addWidget(page)
    page.reload(select_sitting=panel.sitting_id)
    return page


def test_the_chair_is_refused_before_the_password_and_shown_the_new_text(qtbot: QtBot, panel: Panel) -> None:
    item, shown = _sent(panel)
    page = _chair_page(qtbot, panel)
    assert page.minutes.reasons.toPlainText() == "Thorough assessment." and page.minutes.approve_button.isEnabled()
    _edit(panel, item, shown, send_again=True)  # on the administrator's PC
    page.minutes.approve_button.click()
    assert page.dialog is None or not page.dialog.isVisible()  # no password asked
    assert page.minutes.reasons.toPlainText() == UNSEEN  # the minutes as stored now
    message = page.minutes.message.text()
    assert message.startswith(f"Not approved. These minutes were changed by {panel.clerk.full_name}"), message
    assert "read them again before approving" in page.status.text()
    [now] = svc.minutes_history(panel.db, panel.chair, item)
    assert now.status == "submitted"


def test_a_refused_approval_closes_the_password_dialog_and_reloads(qtbot: QtBot, panel: Panel) -> None:
    """Changed while the chair typed the password: the dialog closes (not left open with Approve still
    on), the minutes behind it are the stored ones, and nothing was approved; a wrong password still
    keeps the dialog open to type it again."""
    item, shown = _sent(panel)
    page = _chair_page(qtbot, panel)
    page.minutes.approve_button.click()
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    password = dialog.fields[0]
    password.setText("not the password")
    dialog._ok()
    assert dialog.isVisible() and "not your password" in dialog.message.text()
    _edit(panel, item, shown, send_again=False)  # on the administrator's PC, while the chair types
    password.setText(TEST_PASSWORD)
    dialog._ok()
    assert not dialog.isVisible()
    assert page.minutes.reasons.toPlainText() == UNSEEN
    assert "after sending them to you; they come back to you when they are sent again" in \
        page.minutes.message.text()
    assert not page.minutes.approve_button.isEnabled()  # a draft again: nothing to approve until sent
    [now] = svc.minutes_history(panel.db, panel.chair, item)
    assert now.status == "draft" and now.approved_on is None
