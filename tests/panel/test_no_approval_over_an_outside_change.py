"""Someone holding the database key changed an item's minutes in SQL before the chair approved them (a draft
reworded, approved minutes set back to "submitted"), and the chair's approval sealed them with the change in
them: it then showed only as an old ``verify`` finding. Minutes are now checked against their latest seal,
under the item's lock, before they are saved, sent to the chair or approved; minutes not as the program last
saved them are refused, nothing is written, and ``verify`` goes on naming the change. Untouched minutes are
saved, sent and approved as before."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from sqlalchemy import func, select, text

from adoption_desktop.core.audit import AuditEntry
from adoption_desktop.core.audit.seal_check import check_rows
from adoption_desktop.core.errors import SealBroken
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.panel import service as svc
from tests.conftest import TEST_PASSWORD, papers_received

from .conftest import SITTING_DAY, TODAY, Panel, attend

PRESENT = ("chair", "vice", "sw", "med", "pe")


def _minutes(panel: Panel, ref: str, *, send: bool = True) -> tuple[int, svc.MinutesRow]:
    item = papers_received(panel.db, panel.clerk, svc.add_item(panel.db, panel.clerk, panel.sitting_id,
                                                               svc.ItemInput("approval", ref, "AB")), SITTING_DAY)
    attend(panel, *PRESENT)
    row = svc.save_minutes(panel.db, panel.clerk, item, svc.MinutesDraft(
        outcome="suitable", reasons="Thorough assessment.", vote="unanimous", discussion="Questions.",
        member_views={panel.members[k]: "Agrees." for k in PRESENT}))
    return item, svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY) if send else row


def _sql(panel: Panel, statement: str, **params: object) -> None:
    """A change made with the key, outside the application: plain SQL on the SQLCipher file (no audit, no seal)."""
    with panel.db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _state(panel: Panel, mid: int) -> tuple[int, dict[str, Any]]:
    """The audit entries (but the password check's, on the user) and the minutes' row as stored."""
    with panel.db.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM panel_minutes WHERE id = :i"), {"i": mid}).mappings().one()
        entries = conn.execute(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity != "users"))
        return int(entries.scalar() or 0), dict(row)


def _refused(panel: Panel, mid: int, attempt: Any, *said: str) -> None:
    before = _state(panel, mid)
    with pytest.raises(SealBroken) as refused:
        attempt()
    message = str(refused.value)
    assert message.startswith("These minutes are not as they were last saved in Adoption Desktop: "), message
    for words in (*said, "changed outside the application", "Nothing was saved", "verify", "backup"):
        assert words in message, (words, message)
    assert _state(panel, mid) == before  # no audit entry, no seal, the row as it was
    with panel.db.engine.connect() as conn:
        assert check_rows(conn, "panel_minutes", [mid])


def test_minutes_reworded_in_sql_are_not_approved_sent_or_saved(panel: Panel,
                                                                handoffs: list[PanelHandoff]) -> None:
    item, shown = _minutes(panel, "AD-1")
    _sql(panel, "UPDATE panel_minutes SET reasons = 'Reasons written in SQL.' WHERE id = :i", i=shown.id)
    _refused(panel, shown.id, lambda: svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY),
             "reasons", "They were not approved")
    assert not handoffs  # nothing went to the ADM
    _refused(panel, shown.id, lambda: svc.save_minutes(panel.db, panel.clerk, item, dataclasses.replace(
        shown.draft, discussion="More questions.")), "Your changes were not saved")
    _refused(panel, shown.id, lambda: svc.defer_item_recorded(panel.db, panel.clerk, item, "More papers needed."),
             "The deferral was not recorded")


def test_a_draft_changed_in_sql_is_not_sent_to_the_chair(panel: Panel) -> None:
    item, draft = _minutes(panel, "AD-1", send=False)
    _sql(panel, "UPDATE panel_minutes SET vote = 'majority' WHERE id = :i", i=draft.id)
    _refused(panel, draft.id, lambda: svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY),
             "vote", "They were not sent to the chair")


def test_approved_minutes_set_back_to_submitted_in_sql_are_not_approved_again(
        panel: Panel, handoffs: list[PanelHandoff]) -> None:
    item, shown = _minutes(panel, "AD-1")
    svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY)
    _sql(panel, "UPDATE panel_minutes SET status = 'submitted', approved_on = NULL, handed_off_on = NULL, "
                "reasons = 'Other reasons.' WHERE id = :i", i=shown.id)
    _refused(panel, shown.id, lambda: svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY),
             "status", "They were not approved")
    assert len(handoffs) == 1  # the first approval's hand-off only


def test_untouched_minutes_are_saved_sent_and_approved_as_before(panel: Panel,
                                                                 handoffs: list[PanelHandoff]) -> None:
    item, draft = _minutes(panel, "AD-1", send=False)
    _other, changed = _minutes(panel, "AD-2")
    _sql(panel, "UPDATE panel_minutes SET reasons = 'Reasons written in SQL.' WHERE id = :i", i=changed.id)
    draft = svc.save_minutes(panel.db, panel.clerk, item, dataclasses.replace(draft.draft, discussion="More."),
                             expected_version=draft.row_version)
    sent = svc.submit_minutes(panel.db, panel.clerk, item, today=TODAY, expected_version=draft.row_version)
    row = svc.approve_minutes(panel.db, panel.chair, item, TEST_PASSWORD, today=TODAY,
                              expected_version=sent.row_version)
    assert row.status == "approved" and len(handoffs) == 1
    with panel.db.engine.connect() as conn:
        assert check_rows(conn, "panel_minutes", [row.id]) == []
