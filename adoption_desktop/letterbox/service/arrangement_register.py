"""The arrangements register: filters (the computed statuses among them), sorts, the count and a page,
and the coordinators to filter by.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core.security.permissions import Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage import search
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.letterbox import rules
from adoption_desktop.letterbox.models import Arrangement
from adoption_desktop.letterbox.service.common import ARRANGEMENTS_INDEX, AnySelect, P
from adoption_desktop.letterbox.service.data import ArrangementFilter, ArrangementRow
from adoption_desktop.letterbox.settings import INACTIVE_AFTER_MONTHS

_ARR_SORT = {"reference": Arrangement.reference, "child_birth_name": Arrangement.child_birth_name,
             "child_adoptive_name": Arrangement.child_adoptive_name, "status": Arrangement.status,
             "coordinator": Arrangement.coordinator, "last_exchange": Arrangement.last_exchange,
             "review_date": Arrangement.review_date, "exchange_months": Arrangement.exchange_months}


def _arr_where(session: Session, stmt: AnySelect, f: ArrangementFilter,
               today: dt.date) -> AnySelect:
    cond = search.id_filter(session.connection(), ARRANGEMENTS_INDEX, Arrangement.id, f.query) \
        if f.query.strip() else None
    if cond is not None:
        stmt = stmt.where(cond)
    if f.status == "inactive":
        cutoff = rules.add_months(today, -get_setting(session, INACTIVE_AFTER_MONTHS))
        stmt = stmt.where(Arrangement.status == "active",
                          func.coalesce(Arrangement.last_exchange, Arrangement.start_date) <= cutoff)
    elif f.status == "overdue":
        stmt = stmt.where(Arrangement.status == "active", Arrangement.review_date < today)
    elif f.status:
        stmt = stmt.where(Arrangement.status == f.status)
    if f.month:
        stmt = stmt.where((("," + Arrangement.exchange_months + ",")).like(f"%,{int(f.month)},%"))
    if f.coordinator:
        stmt = stmt.where(Arrangement.coordinator == f.coordinator)
    return stmt


def list_arrangements(db: Database, actor: Principal, f: ArrangementFilter, offset: int = 0, limit: int = 200,
                      today: dt.date | None = None) -> list[ArrangementRow]:
    require(actor, P.LETTERBOX_VIEW)
    today = today or dt.date.today()
    with db.session(actor, write=False) as session:
        months = get_setting(session, INACTIVE_AFTER_MONTHS)
        stmt: AnySelect = select(Arrangement.id, Arrangement.reference, Arrangement.child_birth_name,
                      Arrangement.child_adoptive_name, Arrangement.exchange_months, Arrangement.status,
                      Arrangement.coordinator, Arrangement.last_exchange, Arrangement.review_date,
                      Arrangement.start_date, Arrangement.child_dob)
        stmt = _arr_where(session, stmt, f, today)
        col = _ARR_SORT.get(f.sort, Arrangement.reference)
        stmt = stmt.order_by(col.desc() if f.descending else col.asc(), Arrangement.id)
        out = []
        for r in session.execute(stmt.offset(offset).limit(limit)):
            status = rules.computed_status(r.status, today=today, last_exchange=r.last_exchange,
                                           start_date=r.start_date, child_dob=r.child_dob,
                                           inactive_after_months=months)
            out.append(ArrangementRow(r.id, r.reference, r.child_birth_name, r.child_adoptive_name,
                                      rules.months_text(rules.parse_months(r.exchange_months)), status,
                                      r.coordinator, r.last_exchange, r.review_date))
        return out


def count_arrangements(db: Database, actor: Principal, f: ArrangementFilter, today: dt.date | None = None) -> int:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        stmt = _arr_where(session, select(func.count(Arrangement.id)), f, today or dt.date.today())
        return int(session.scalar(stmt) or 0)


def coordinators(db: Database, actor: Principal) -> list[str]:
    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        return [c for c in session.scalars(select(Arrangement.coordinator).distinct().order_by(
            Arrangement.coordinator)) if c]


def coordinator_names(db: Database, actor: Principal) -> dict[str, str]:
    """Each coordinator's login name → the full name on their user record (the login itself when no user
    has it, e.g. an imported name): the register and its filters show people, not login names."""
    from adoption_desktop.core.security.models import User

    require(actor, P.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        logins = [c for c in session.scalars(select(Arrangement.coordinator).distinct()) if c]
        names = {u: n for u, n in session.execute(select(User.username, User.full_name).where(
            User.username.in_(logins)))}
    return {login: names.get(login) or login for login in logins}
