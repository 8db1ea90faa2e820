"""The chair's My work calls minutes overdue past the panel's final-minutes deadline (working days after
the sitting, a setting), as the panel administrator's chart does; not after 7 calendar days."""

from __future__ import annotations

import datetime as dt

from adoption_desktop.core.security.permissions import Role
from adoption_desktop.core.settings_service import set_setting
from adoption_desktop.panel import service as svc
from adoption_desktop.panel import settings as panel_settings
from adoption_desktop.reports.my_work import DUE, OVERDUE, my_work
from tests.conftest import make_user

from .conftest import SITTING_DAY, Panel


def _chair_line(p: Panel, today: dt.date) -> tuple[str, dt.date | None, str]:
    [section] = [s for s in my_work(p.db, p.chair, today).sections if s.key == "chair"]
    [line] = section.lines
    return line.tone, line.due, line.detail


def test_minutes_overdue_after_the_panels_deadline_in_working_days(panel: Panel) -> None:
    item_id = svc.add_item(panel.db, panel.clerk, panel.sitting_id, svc.ItemInput("other", "ADP-901", ""))
    svc.save_minutes(panel.db, panel.clerk, item_id, svc.MinutesDraft(outcome="deferred", deferral_reason="No PAR."))
    svc.submit_minutes(panel.db, panel.clerk, item_id, today=SITTING_DAY + dt.timedelta(days=1))
    # sitting Tuesday 10/11/2026; 10 working days later is Tuesday 24/11/2026
    due = dt.date(2026, 11, 24)
    tone, line_due, detail = _chair_line(panel, dt.date(2026, 11, 23))  # 12 calendar days after submitting
    assert (tone, line_due) == (DUE, due) and "final minutes due 24/11/2026" in detail
    assert _chair_line(panel, due)[0] == DUE
    assert _chair_line(panel, dt.date(2026, 11, 25))[0] == OVERDUE
    # the setting decides: 5 working days after the sitting is 17/11/2026
    admin = make_user(panel.db, "mw_admin", Role.ADMINISTRATOR)
    set_setting(panel.db, admin, panel_settings.MINUTES_DEADLINE_WD, 5)
    tone, line_due, _detail = _chair_line(panel, dt.date(2026, 11, 18))
    assert (tone, line_due) == (OVERDUE, dt.date(2026, 11, 17))
