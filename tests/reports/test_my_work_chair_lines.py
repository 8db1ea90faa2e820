"""My work (chair): every line waiting for approval names its item; one without a case number (other
business) by its type and place on the agenda, never a bare "— Minutes of…"."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import service as panel
from adoption_desktop.reports.my_work import my_work
from tests.conftest import make_user

TODAY = dt.date(2026, 11, 23)


def test_an_item_without_a_case_number_is_named_by_its_type_and_number(db: Database) -> None:
    clerk = make_user(db, "mw_clerk", Role.PANEL_ADMINISTRATOR)
    chair = make_user(db, "mw_chair", Role.PANEL_CHAIR)
    sitting = panel.schedule_sittings(db, clerk, panel.SittingInput(dt.date(2026, 11, 10), venue="Room 4"))[0]
    named = panel.add_item(db, clerk, sitting, panel.ItemInput("other", "ADP-900", ""))
    unnamed = panel.add_item(db, clerk, sitting, panel.ItemInput("other", "", ""))
    for item in (named, unnamed):
        panel.save_minutes(db, clerk, item, panel.MinutesDraft(outcome="deferred", deferral_reason="The report is not ready."))
        panel.submit_minutes(db, clerk, item, today=TODAY)
    [section] = my_work(db, chair, TODAY).sections
    titles = {line.record_id: line.title for line in section.lines}
    assert titles == {named: "ADP-900", unnamed: "Other business, item 2"}, titles
