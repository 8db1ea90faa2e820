"""Records requests outstanding on a day, and of those overdue for a chase: one definition for the
Counselling page's counts, its case list and the report's figures, so they agree at the same moment.

* **Outstanding on a day**: sent on or before it, not received by it (no date, or a later one), on a case
  still open that day (not closed, or closed later): a closed case's requests are no longer pursued.
* **Overdue for a chase**: outstanding, and its chase date *as it stood on the day* is before the day: the
  chase date the first chase dated after the day replaced (``RecordsChase.due_before``), else the
  request's current one. A past period's figures do not change when a later chase is recorded (UT1: a chase in
  April changed the overdue count reported for January to March). A chase is counted by the day it was made
  (its letter's date), not the day it was typed in: one made on 20 March and entered in April was made within
  January to March, so those figures are corrected by it, as by any fact entered late.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from adoption_desktop.counselling.models import CounsellingCase, RecordsChase, RecordsRequest


def outstanding_on(day: dt.date) -> list[Any]:
    """The conditions on RecordsRequest joined to its CounsellingCase (see the module's definition)."""
    r, c = RecordsRequest, CounsellingCase
    return [r.sent_on <= day, or_(r.received_on.is_(None), r.received_on > day),
            or_(c.closed_on.is_(None), c.closed_on > day)]


def due_on(day: dt.date) -> Any:
    """The request's chase date as it stood on ``day`` (a correlated expression on RecordsRequest)."""
    replaced = (select(RecordsChase.due_before).where(RecordsChase.request_id == RecordsRequest.id,
                                                      RecordsChase.chased_on > day)
                .order_by(RecordsChase.chased_on, RecordsChase.id).limit(1).scalar_subquery())
    return func.coalesce(replaced, RecordsRequest.chase_due)


def overdue_on(day: dt.date) -> Any:
    return due_on(day) < day


def count(session: Session, day: dt.date) -> tuple[int, int]:
    """(outstanding, of which overdue for a chase) on ``day``."""
    base = select(func.count()).select_from(RecordsRequest).join(
        CounsellingCase, RecordsRequest.case_id == CounsellingCase.id).where(*outstanding_on(day))
    return session.scalar(base) or 0, session.scalar(base.where(overdue_on(day))) or 0
