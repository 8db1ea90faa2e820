"""Expected exchanges and the work list: what is overdue, due this month or due soon, with its reminder
and chaser dates.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement, Item
from adoption_desktop.letterbox.service.common import P
from adoption_desktop.letterbox.service.data import WorkRow
from adoption_desktop.letterbox.settings import CHASER_AFTER_DAYS, DUE_SOON_DAYS, REMINDER_DAYS_BEFORE


# --- expected exchanges and the work list -------------------------------------------------------
def work_list(db: Database, actor: Principal, today: dt.date, *, include_later: bool = False) -> list[WorkRow]:
    """Expected items from last month to ``due soon``: overdue, this month, due soon (received ones left out)."""
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return work_rows_in(session, today, include_later=include_later)


def work_rows_in(session: Session, today: dt.date, *, include_later: bool = False) -> list[WorkRow]:
    """:func:`work_list` inside a caller's session (permission checked by the caller: My work counts them
    for a manager, names never leave as counts)."""
    soon = get_setting(session, DUE_SOON_DAYS)
    before = get_setting(session, REMINDER_DAYS_BEFORE)
    chase = get_setting(session, CHASER_AFTER_DAYS)
    window_start = rules.add_months(today.replace(day=1), -2)
    horizon = today + dt.timedelta(days=soon)
    received: set[tuple[int, str, int, int]] = set()
    for r in session.execute(select(Item.arrangement_id, Item.direction, Item.received_on).where(
            Item.received_on >= rules.add_months(window_start, -1))):
        received.add((r.arrangement_id, r.direction, r.received_on.year, r.received_on.month))
    out: list[WorkRow] = []
    for a in session.execute(select(
            Arrangement.id, Arrangement.reference, Arrangement.exchange_months, Arrangement.first_writer,
            Arrangement.replies_expected, Arrangement.start_date, Arrangement.child_dob,
            Arrangement.coordinator).where(Arrangement.status == "active")):
        end = rules.eighteenth_birthday(a.child_dob) if a.child_dob else None
        months = rules.parse_months(a.exchange_months)
        for year in {window_start.year, today.year, horizon.year}:
            for e in rules.expected_exchanges(months, year, first_writer=a.first_writer,
                                              replies_expected=a.replies_expected, start=a.start_date,
                                              end=end):
                if not window_start <= e.due <= horizon:
                    continue
                prev = rules.add_months(e.due, -1)
                got = any((a.id, e.direction, d.year, d.month) in received
                          for d in (prev, e.due, rules.add_months(e.due, 1)))
                state = rules.work_state(e.due, today, received=got, due_soon_days=soon)
                if state == "received" or (state == "later" and not include_later):
                    continue
                out.append(WorkRow(a.id, a.reference, e.due, e.side, state, rules.reminder_date(e.due, before),
                                   rules.chaser_date(e.due, chase), a.coordinator))
    out.sort(key=lambda w: (w.due, w.reference))
    return out
