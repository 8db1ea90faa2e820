"""Counselling figures for a date range (counts and durations only, never names).

* Referrals: cases referred in the range; of those, adopted before 12 November 1975 and on or after it (by the
  adoption order date, where it is known) and those whose adoption order date is not known (yet): four rows
  that add up to the referrals.
* Cases closed: cases closed in the range.
* Adults supported: distinct cases with contact with the applicant in the range: a session held, records
  shared, a disclosure to the applicant (a records-ready letter; the recipient is the applicant's name now), or
  a closure as records shared, no records found or applicant withdrew. A session counts only once it has taken
  place: recorded as held (not cancelled, did not attend or not recorded), on or before today (a future one is an
  appointment) and, on a closed case, on or before the closing
  date (an appointment left after it never happened). A records request or chaser to an archive, court or
  agency discloses the applicant's details but is not contact with the applicant: it does not count, nor does
  a closure as no contact or transferred.
* Open at the end of the range, kept apart: **waiting** (referred, not yet allocated to a counsellor)
  and **allocated, still open** (allocated, not closed).
* Waits always run from the referral to the allocation to a counsellor (not to closure or to records
  shared): median and longest for cases allocated in the range; and the longest current wait of a case
  still waiting (unallocated) at the end of the range, from its referral to the end of the range.
* Requests outstanding at the end of the range, and of those overdue for a chase.

A case closed as opened in error (``OPENED_IN_ERROR``: a second case for someone who already had one) is in
none of these: it was never a referral of its own, nor a closure, a wait or an adult supported.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, union

from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import outstanding, rules
from adoption_desktop.counselling.models import (
    CounsellingCase,
    CounsellingSession,
    Disclosure,
)
from adoption_desktop.counselling.service.data import OPENED_IN_ERROR
from adoption_desktop.reports.model import FigureSection

#: closures that count as an adult supported: the applicant was seen through to an answer, or chose to stop
#: (not "no contact from applicant", nor "transferred to another agency", which supports them instead)
SUPPORTED_OUTCOMES = ("records_shared", "no_records_found", "withdrawn")
#: the referrals by adoption date, four rows that add up to "Referrals received"
PRE_1975 = "of which adopted before 12 November 1975 (by the order date)"
#: the row the report lacked (UT1: the "of which" rows did not add up to the referrals)
POST_1975 = "of which adopted on or after 12 November 1975 (by the order date)"
UNKNOWN_PRE_1975 = "of which order date not known, adopted before 1975 as far as is known"
DATE_NOT_KNOWN = "of which order date not known, not known to be before 1975"


def _days(value: float | int | None) -> str:
    if value is None:
        return "–"
    return f"{value:g} days" if isinstance(value, float) else f"{value} days"


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date, *,
            today: dt.date | None = None) -> list[FigureSection]:
    """Figures for ``start``..``end`` inclusive (``today``: the day sessions must have taken place by)."""
    day = today or dt.date.today()
    if not actor.can(Permission.COUNSELLING_VIEW):
        require(actor, Permission.REPORTS_VIEW)
    c = CounsellingCase
    real = c.outcome != OPENED_IN_ERROR  # a case opened in error counts nowhere
    with db.session(actor, write=False) as session:
        referrals = session.scalar(select(func.count()).select_from(c).where(
            c.referral_date.between(start, end), real)) or 0
        closed = session.scalar(select(func.count()).select_from(c).where(
            c.closed_on.between(start, end), real)) or 0
        supported_ids = union(
            select(CounsellingSession.case_id).join(c, CounsellingSession.case_id == c.id).where(
                CounsellingSession.held_on.between(start, min(end, day)),
                CounsellingSession.outcome == rules.HELD,  # a booked one never held is no contact
                c.closed_on.is_(None) | (CounsellingSession.held_on <= c.closed_on), real),
            # contact with the applicant only: records shared, or a disclosure to the applicant (a records-ready
            # letter; never a records request or chaser to an archive, court or agency)
            select(Disclosure.case_id).join(c, Disclosure.case_id == c.id).where(
                Disclosure.disclosed_on.between(start, end), real,
                Disclosure.records_shared.is_(True)
                | (func.lower(func.trim(Disclosure.recipient)) == func.lower(func.trim(c.current_name)))),
            select(c.id).where(c.closed_on.between(start, end), c.outcome.in_(SUPPORTED_OUTCOMES)),
        ).subquery()
        supported = session.scalar(select(func.count()).select_from(supported_ids)) or 0
        waits = [(a - ref).days for ref, a in session.execute(
            select(c.referral_date, c.allocated_on).where(c.allocated_on.between(start, end), real))
            if a is not None]
        oldest_waiting = session.scalar(select(func.min(c.referral_date)).where(
            c.referral_date <= end, c.allocated_on.is_(None) | (c.allocated_on > end),
            c.closed_on.is_(None) | (c.closed_on > end), real))
        open_at_end = (c.referral_date <= end) & (c.closed_on.is_(None) | (c.closed_on > end)) & real
        waiting_at_end = session.scalar(select(func.count()).select_from(c).where(
            open_at_end, c.allocated_on.is_(None) | (c.allocated_on > end))) or 0
        allocated_open_at_end = session.scalar(select(func.count()).select_from(c).where(
            open_at_end, c.allocated_on <= end)) or 0
        n_out, n_overdue = outstanding.count(session, end)  # as the Counselling page counts them
        # four rows that do not overlap and add up to the referrals: a trial's manager added "before 1975"
        # and "date not known" and got more than the referrals (a case of each was counted twice)
        in_range = c.referral_date.between(start, end) & real
        pre_1975 = session.scalar(select(func.count()).select_from(c).where(
            in_range, c.adoption_order_date < rules.COUNSELLING_DATE)) or 0
        post_1975 = session.scalar(select(func.count()).select_from(c).where(
            in_range, c.adoption_order_date >= rules.COUNSELLING_DATE)) or 0
        unknown_pre_1975 = session.scalar(select(func.count()).select_from(c).where(
            in_range, c.adoption_order_date.is_(None), c.adopted_before_1975.is_(True))) or 0
        date_not_known = session.scalar(select(func.count()).select_from(c).where(
            in_range, c.adoption_order_date.is_(None),
            c.adopted_before_1975.is_(None) | c.adopted_before_1975.is_(False))) or 0
    median, longest = rules.median_and_max(waits)
    return [FigureSection("Birth-records counselling", [
        ("Referrals received", str(referrals)),
        (PRE_1975, str(pre_1975)),
        (POST_1975, str(post_1975)),
        (UNKNOWN_PRE_1975, str(unknown_pre_1975)),
        (DATE_NOT_KNOWN, str(date_not_known)),
        ("Adults supported", str(supported)),
        ("Cases closed", str(closed)),
        ("Waiting at end of period (referred, not yet allocated)", str(waiting_at_end)),
        ("Allocated and still open at end of period", str(allocated_open_at_end)),
        ("Median wait, referral to allocation (cases allocated in period)", _days(median)),
        ("Longest wait, referral to allocation (cases allocated in period)", _days(longest)),
        ("Longest current wait, referral to end of period (still waiting)",
         _days((end - oldest_waiting).days if oldest_waiting else None)),
        ("Records requests outstanding at end of period", str(n_out)),
        ("of which overdue for a chase", str(n_overdue)),
    ])]
