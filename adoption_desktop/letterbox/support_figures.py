"""Figures of the birth-parent support register (counts only): referrals made in the period, those offered
support within the local timescale (``letterbox.support_offer_working_days``, working days from the
referral), and those who took it up or declined. Each count can be opened to the referrals behind it
(:func:`behind`, ``letterbox.view``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import percent, plural
from adoption_desktop.letterbox.settings import SUPPORT_OFFER_WORKING_DAYS
from adoption_desktop.letterbox.support import RESPONSES
from adoption_desktop.letterbox.support_models import SupportReferral
from adoption_desktop.reports.behind import Behind
from adoption_desktop.reports.model import FigureSection

SECTION = "Referrals of birth relatives for independent support"
SECTIONS = (SECTION,)
REFERRED = "Birth relatives referred for independent support"
OFFERED = "Offered support"
TAKEN_UP = "Took up the support offered"
DECLINED = "Declined the support offered"
AWAITING = "Not yet offered support at the end of the period"
CLOSED = "Referrals closed in the period"
OPEN_AT_END = "Referrals open at the end of the period"
SHARE = "Share of referrals offered support within the timescale"
COLUMNS = ("Case reference", "Initials", "Relationship", "Referred on", "Referred to", "Offered on",
           "Working days to the offer", "Answer", "Closed on")


def _d(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


def within_label(days: int) -> str:
    return f"Offered support within {plural(days, 'working day')} of the referral"


def _lists(session: Session, start: dt.date, end: dt.date) -> tuple[dict[str, list[tuple[str, ...]]], str]:
    days = int(get_setting(session, SUPPORT_OFFER_WORKING_DAYS))
    cal = calendar(session)
    rows = list(session.scalars(select(SupportReferral).order_by(SupportReferral.referred_on,
                                                                 SupportReferral.case_reference)))

    def wd(r: Any) -> int | None:
        return cal.working_days_between(r.referred_on, r.offered_on) if r.offered_on else None

    def line(r: Any) -> tuple[str, ...]:
        w = wd(r)
        return (r.case_reference, r.initials, r.relationship, _d(r.referred_on), r.service, _d(r.offered_on),
                "" if w is None else str(w), RESPONSES.get(r.response, r.response), _d(r.closed_on))

    def inside(day: dt.date | None) -> bool:
        return day is not None and start <= day <= end

    referred = [r for r in rows if inside(r.referred_on)]
    within = [r for r in referred if (w := wd(r)) is not None and w <= days]
    lists = {
        REFERRED: [line(r) for r in referred],
        within_label(days): [line(r) for r in within],
        OFFERED: [line(r) for r in rows if inside(r.offered_on)],
        TAKEN_UP: [line(r) for r in rows if r.response == "taken_up" and inside(r.response_on)],
        DECLINED: [line(r) for r in rows if r.response == "declined" and inside(r.response_on)],
        AWAITING: [line(r) for r in rows if r.referred_on <= end and (r.offered_on is None or r.offered_on > end)
                   and (r.closed_on is None or r.closed_on > end)],
        CLOSED: [line(r) for r in rows if inside(r.closed_on)],
        OPEN_AT_END: [line(r) for r in rows if r.referred_on <= end and (r.closed_on is None or r.closed_on > end)],
    }
    share = "–" if not referred else percent(len(within), len(referred))
    return lists, share


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    """The section for ``start``..``end`` inclusive: referrals made in the period and how many were offered
    support within the timescale; offers, answers and closures dated in the period."""
    if not actor.can(Permission.LETTERBOX_VIEW):
        require(actor, Permission.REPORTS_VIEW)
    with db.session(actor, write=False) as session:
        lists, share = _lists(session, start, end)
    section = FigureSection(SECTION)
    for i, (label, rows) in enumerate(lists.items()):
        section.rows.append((label, str(len(rows))))
        if i == 1:
            section.rows.append((SHARE, share))
    return [section]


def opens(section: str, label: str) -> bool:
    return label != SHARE


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date) -> Behind:
    """The referrals behind one count (``letterbox.view`` as well: they name cases)."""
    require(actor, Permission.REPORTS_VIEW, Permission.LETTERBOX_VIEW)
    with db.session(actor, write=False) as session:
        lists, _share = _lists(session, start, end)
    rows = lists.get(label)
    if rows is None:
        raise ValidationError(f"{SECTION}: '{label}' is a share, not a count; open the counts above it.", "label")
    return Behind(f"{label} ({start:%d/%m/%Y} to {end:%d/%m/%Y})", COLUMNS, tuple(rows), "referral")
