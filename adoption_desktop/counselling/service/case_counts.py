"""Counts of cases and records requests, never names: for any role with reports or counselling access."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import outstanding
from adoption_desktop.counselling.models import CounsellingCase
from adoption_desktop.counselling.service.common import _today
from adoption_desktop.counselling.service.data import OPENED_IN_ERROR, CaseCounts

# --- counts (any role with reports or counselling access) ---------------------------------------

def counts(db: Database, actor: Principal, today: dt.date | None = None) -> CaseCounts:
    """Numbers only, never names: what a manager sees on the counselling page."""
    if not (actor.can(Permission.COUNSELLING_VIEW) or actor.can(Permission.REPORTS_VIEW)):
        require(actor, Permission.REPORTS_VIEW)
    day = _today(today)
    with db.session(actor, write=False) as session:
        open_ = CounsellingCase.closed_on.is_(None)
        waiting = session.scalar(select(func.count()).where(open_, CounsellingCase.allocated_on.is_(None))
                                 .select_from(CounsellingCase)) or 0
        allocated = session.scalar(select(func.count()).where(open_, CounsellingCase.allocated_on.is_not(None))
                                   .select_from(CounsellingCase)) or 0
        closed = session.scalar(select(func.count()).where(  # a case opened in error was never a case
            CounsellingCase.closed_on.is_not(None), CounsellingCase.outcome != OPENED_IN_ERROR)
                                .select_from(CounsellingCase)) or 0
        open_requests, overdue = outstanding.count(session, day)  # as the report's figures count them
        oldest = session.scalar(select(func.min(CounsellingCase.referral_date)).where(
            open_, CounsellingCase.allocated_on.is_(None)))
    return CaseCounts(waiting, allocated, closed, open_requests, overdue,
                      (day - oldest).days if oldest else None)
