"""Records requests outstanding: one definition for the Counselling page and the report's figures; and the
demo database dates nothing after its own today (no record received after the case closed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Date, DateTime, func, select

from adoption_desktop import demo
from adoption_desktop.core.security.permissions import Principal, Role
from adoption_desktop.core.storage.base import Base
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import figures, service
from adoption_desktop.counselling.models import (
    CounsellingCase,
    CounsellingSession,
    Disclosure,
    RecordsRequest,
)
from tests.conftest import make_user
from tests.counselling.conftest import TODAY

D = dt.date


def _report(db: Database, actor: Principal, end: dt.date) -> tuple[str, str]:
    [section] = figures.figures(db, actor, end - dt.timedelta(days=180), end)
    rows = dict(section.rows)
    return rows["Records requests outstanding at end of period"], rows["of which overdue for a chase"]


def test_page_and_report_count_outstanding_requests_alike(db: Database, counsellor: Principal,
                                                         manager: Principal, new_case: Callable[..., int]) -> None:
    open_case, closed_case = new_case(), new_case(current_name="Bea Lark")
    for case in (open_case, closed_case):
        service.allocate(db, counsellor, case, counsellor.user_id, D(2026, 10, 2))
        service.add_request(db, counsellor, case, service.RequestInput("archive", "County Archive", D(2026, 10, 5)),
                            today=TODAY)
    # closed with its request never answered: no longer pursued, not outstanding on the page or in the report
    service.close_case(db, counsellor, closed_case, D(2026, 11, 2), "withdrawn", today=TODAY,
                       confirmed=service.closing_problems(db, counsellor, closed_case, D(2026, 11, 2)))
    page = service.counts(db, manager, today=TODAY)
    assert (page.open_requests, page.overdue_requests) == (1, 1)
    assert _report(db, manager, TODAY) == ("1", "1")
    # before the closure the closed case's request was outstanding in the figures too
    assert _report(db, manager, D(2026, 11, 1))[0] == "2"


#: dates that are due or booked, not things that happened: they may be after today
PLANNED = {("adm_decisions", "due_on"), ("adm_qualifying_determinations", "deadline"),
           ("letterbox_arrangements", "review_date"), ("panel_sittings", "sitting_date"),
           ("panel_members", "appraisal_due"), ("panel_members", "leaves_on"), ("counselling_requests", "chase_due"),
           ("counselling_sessions", "held_on")}


def test_the_demo_dates_nothing_after_its_today(db: Database) -> None:
    today = D(2026, 12, 2)  # the trial's day: records received in 2027 on cases closed in 2026 before the fix
    demo.populate(db, "small", today=today)
    admin = make_user(db, "boss", Role.ADMINISTRATOR)
    manager = make_user(db, "boss2", Role.MANAGER)
    future: dict[str, int] = {}
    with db.session(admin, write=False) as s:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if column.name in ("created_at", "updated_at") or (table.name, column.name) in PLANNED:
                    continue  # the computer's clock, and dates that are due rather than done
                limit: object = dt.datetime.combine(today + dt.timedelta(days=1), dt.time()) \
                    if isinstance(column.type, DateTime) else today
                if not isinstance(column.type, Date | DateTime):
                    continue
                n = s.scalar(select(func.count()).select_from(table).where(column > limit))
                if n:
                    future[f"{table.name}.{column.name}"] = n
        # no closed case has anything later than its closure
        c, r = CounsellingCase, RecordsRequest
        late = s.scalar(select(func.count()).select_from(r).join(c, r.case_id == c.id).where(
            c.closed_on.is_not(None), (r.received_on > c.closed_on) | (r.sent_on > c.closed_on))) or 0
        late += s.scalar(select(func.count()).select_from(CounsellingSession).join(
            c, CounsellingSession.case_id == c.id).where(CounsellingSession.held_on > c.closed_on)) or 0
        late += s.scalar(select(func.count()).select_from(Disclosure).join(
            c, Disclosure.case_id == c.id).where(Disclosure.disclosed_on > c.closed_on)) or 0
    assert future == {}
    assert late == 0
    page = service.counts(db, manager, today=today)
    assert _report(db, manager, today) == (str(page.open_requests), str(page.overdue_requests))


def test_the_demo_spreads_allocations_and_requests_over_time(db: Database) -> None:
    """User trial: the small demo allocated cases and sent 21 records requests on its own today (a wait or a
    send that fell after today was pulled back onto it), and a request chased and then received kept its
    chase due on the day of the chase."""
    demo.populate(db, "small", today=TODAY)
    c, r = CounsellingCase, RecordsRequest
    with db.session(write=False) as s:
        allocated_today = s.scalar(select(func.count()).select_from(c).where(c.allocated_on == TODAY))
        sent_today = s.scalar(select(func.count()).select_from(r).where(r.sent_on == TODAY))
        busiest_send = s.scalar(select(func.count()).select_from(r).group_by(r.sent_on)
                                .order_by(func.count().desc()).limit(1))
        stuck = s.scalar(select(func.count()).select_from(r).where(
            r.last_chased_on.is_not(None), r.chase_due <= r.last_chased_on))
        waiting = s.scalar(select(func.count()).select_from(c).where(c.allocated_on.is_(None),
                                                                     c.closed_on.is_(None)))
        allocated_open = s.scalar(select(func.count()).select_from(c).where(c.allocated_on.is_not(None),
                                                                            c.closed_on.is_(None)))
    assert (allocated_today, sent_today) == (0, 0) or max(allocated_today or 0, sent_today or 0) <= 2, \
        (allocated_today, sent_today)
    assert (busiest_send or 0) <= 4, busiest_send
    assert stuck == 0, "a chase moves the chase due on, received or not"
    assert waiting and allocated_open, "a waiting list and a caseload, both"
