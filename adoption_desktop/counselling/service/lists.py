"""The caseload in waiting-list priority order, and the counsellors to allocate to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.models import User, UserRole
from adoption_desktop.core.security.permissions import Permission, Principal, Role, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.counselling import outstanding, rules
from adoption_desktop.counselling.models import CounsellingCase, RecordsRequest
from adoption_desktop.counselling.service.common import _names, _today, order_date_problem
from adoption_desktop.counselling.service.data import FILTERS, CaseRow, Counsellor
from adoption_desktop.counselling.settings import PRIORITY_AGE

# --- lists --------------------------------------------------------------------------------------

def caseload(db: Database, actor: Principal, which: str = "open", today: dt.date | None = None) -> list[CaseRow]:
    """Cases in waiting-list priority order (open cases ranked; closed cases by closure date).

    ``which``: open (all open), waiting (not yet allocated), mine (allocated to ``actor``), closed, all, check
    (open cases whose adoption order date cannot be right: saved before the date was checked)."""
    require(actor, Permission.COUNSELLING_VIEW)
    if which not in FILTERS:
        raise ValidationError(f"Show: choose one of {', '.join(FILTERS)}.", "which")
    day = _today(today)
    with db.session(actor, write=False) as session:
        older_age = get_setting(session, PRIORITY_AGE)
        names = _names(session)
        c = CounsellingCase
        stmt = select(c.id, c.reference, c.current_name, c.birth_name, c.referral_date, c.adoption_order_date,
                      c.adopted_before_1975, c.date_of_birth, c.counsellor_id, c.allocated_on, c.closed_on)
        if which in ("open", "check"):  # "check": the dates are checked below (the rank stays the list's)
            stmt = stmt.where(c.closed_on.is_(None))
        elif which == "waiting":
            stmt = stmt.where(c.closed_on.is_(None), c.allocated_on.is_(None))
        elif which == "mine":
            stmt = stmt.where(c.closed_on.is_(None), c.counsellor_id == actor.user_id)
        elif which == "closed":
            stmt = stmt.where(c.closed_on.is_not(None))
        rows = session.execute(stmt).all()
        req: dict[int, tuple[int, int]] = {}
        r = RecordsRequest
        for case_id, n_open, n_overdue in session.execute(
                select(r.case_id, func.count(), func.sum(_overdue_expr(day))).join(c, r.case_id == c.id)
                .where(*outstanding.outstanding_on(day)).group_by(r.case_id)):
            req[case_id] = (int(n_open), int(n_overdue or 0))
    open_rows = [x for x in rows if x.closed_on is None]
    ranked = {p.case_id: p for p in rules.order_waiting_list(
        (rules.PriorityInput(x.id, x.referral_date, x.adoption_order_date, x.date_of_birth, x.adopted_before_1975)
         for x in open_rows),
        day, older_age)}
    out: list[CaseRow] = []
    for x in rows:
        p = ranked.get(x.id)
        n_open, n_overdue = req.get(x.id, (0, 0))
        out.append(CaseRow(
            id=x.id, reference=x.reference, name=x.current_name, birth_name=x.birth_name,
            referral_date=x.referral_date, adoption_order_date=x.adoption_order_date,
            date_of_birth=x.date_of_birth, age=rules.age_on(x.date_of_birth, day),
            flags=rules.flags_for(x.adoption_order_date, x.adopted_before_1975), counsellor=names.get(x.counsellor_id or -1, ""),
            allocated_on=x.allocated_on, closed_on=x.closed_on,
            days_waiting=rules.wait_days(x.referral_date, x.allocated_on, x.closed_on or day),
            rank=p.rank if p else None, reasons=p.text if p else "",
            open_requests=n_open if x.closed_on is None else 0,
            overdue_requests=n_overdue if x.closed_on is None else 0, reasons_short=p.short if p else "",
            order_date_problem=order_date_problem(x.date_of_birth, x.adoption_order_date)))
    if which == "check":
        out = [row for row in out if row.order_date_problem]
    out.sort(key=lambda row: (row.rank is None, row.rank or 0,
                              -(row.closed_on.toordinal() if row.closed_on else 0), row.id))
    return out


def _overdue_expr(day: dt.date) -> Any:
    return sql_case((outstanding.overdue_on(day), 1), else_=0)


def counsellors(db: Database, actor: Principal) -> list[Counsellor]:
    require(actor, Permission.COUNSELLING_VIEW)
    with db.session(actor, write=False) as session:
        from adoption_desktop.core.security.service import in_effect

        rows = session.execute(
            select(User.id, User.full_name).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_([str(Role.COUNSELLOR)]), User.disabled.is_(False))
            .order_by(User.full_name)).all()
        effective = in_effect(session, [(uid, str(Role.COUNSELLOR)) for uid, _name in rows])  # not one added in SQL
    return [Counsellor(uid, name) for uid, name in rows if (uid, str(Role.COUNSELLOR)) in effective]
