"""Records requests outstanding on a day, and of those overdue for a chase: one definition for the
Counselling page's counts, its case list and the report's figures, so they agree at the same moment.

* **Outstanding on a day**: sent on or before it, not received by it (no date, or a later one), on a case
  still open that day (not closed, or closed later): a closed case's requests are no longer pursued.
* **Overdue for a chase**: outstanding, and its chase date is before the day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from adoption_desktop.counselling.models import CounsellingCase, RecordsRequest


def outstanding_on(day: dt.date) -> list[Any]:
    """The conditions on RecordsRequest joined to its CounsellingCase (see the module's definition)."""
    r, c = RecordsRequest, CounsellingCase
    return [r.sent_on <= day, or_(r.received_on.is_(None), r.received_on > day),
            or_(c.closed_on.is_(None), c.closed_on > day)]


def overdue_on(day: dt.date) -> Any:
    return RecordsRequest.chase_due < day


def count(session: Session, day: dt.date) -> tuple[int, int]:
    """(outstanding, of which overdue for a chase) on ``day``."""
    base = select(func.count()).select_from(RecordsRequest).join(
        CounsellingCase, RecordsRequest.case_id == CounsellingCase.id).where(*outstanding_on(day))
    return session.scalar(base) or 0, session.scalar(base.where(overdue_on(day))) or 0
