"""Figures of the birth-parent support register (counts only): referrals made in the period, those offered
support within the local timescale (``letterbox.support_offer_working_days``, working days from the
referral, by the period's end), and those who took it up or declined. Only what was known at the period's
end counts (:func:`counted`), so a finished period reads the same however late it is run. Each count can be
opened to the referrals behind it (:func:`behind`, ``letterbox.view``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

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
#: what a row counts, for the report's *Definitions*
DEFINITIONS = {
    OFFERED: "offers of support dated in the period, whenever the referral was made (one made in an earlier "
             "period counts here too).",
    AWAITING: "referrals made on or before the period's last day, neither offered support nor closed by then, "
              "whenever referred. Only what was known at the period's end counts: a referral offered support "
              "after the end is not yet offered here, and is not offered within the timescale.",
}
COLUMNS = ("Case reference", "Initials", "Relationship", "Referred on", "Referred to", "Offered on",
           "Working days to the offer", "Answer", "Closed on")


def _d(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


def within_label(days: int) -> str:
    return f"Offered support within {plural(days, 'working day')} of the referral"


class Dated(Protocol):
    """What the counts read of a referral: its dates and its answer."""

    @property
    def referred_on(self) -> dt.date: ...
    @property
    def offered_on(self) -> dt.date | None: ...
    @property
    def response(self) -> str: ...
    @property
    def response_on(self) -> dt.date | None: ...
    @property
    def closed_on(self) -> dt.date | None: ...


R = TypeVar("R", bound=Dated)


def counted(referrals: Sequence[R], start: dt.date, end: dt.date, days: int,
            working_days: Callable[[dt.date, dt.date], int]) -> dict[str, list[R]]:
    """The referrals behind each count for ``start``..``end`` inclusive (pure). Only what was known at the
    period's end counts: an offer (answer, closure) dated after ``end`` is not yet made for that period, so a
    referral offered after the end is *not yet offered at the end* and not *offered within the timescale*,
    and a finished period's figures do not change when later dates are recorded. ``working_days(a, b)``
    counts the working days after ``a`` up to ``b``."""

    def by_end(day: dt.date | None) -> dt.date | None:
        return day if day is not None and day <= end else None

    def inside(day: dt.date | None) -> bool:
        return day is not None and start <= day <= end

    referred = [r for r in referrals if inside(r.referred_on)]
    within = [r for r in referred
              if (offered := by_end(r.offered_on)) is not None and working_days(r.referred_on, offered) <= days]
    return {
        REFERRED: referred,
        within_label(days): within,
        OFFERED: [r for r in referrals if inside(r.offered_on)],
        TAKEN_UP: [r for r in referrals if r.response == "taken_up" and inside(r.response_on)],
        DECLINED: [r for r in referrals if r.response == "declined" and inside(r.response_on)],
        AWAITING: [r for r in referrals if r.referred_on <= end and by_end(r.offered_on) is None
                   and by_end(r.closed_on) is None],
        CLOSED: [r for r in referrals if inside(r.closed_on)],
        OPEN_AT_END: [r for r in referrals if r.referred_on <= end and by_end(r.closed_on) is None],
    }


def share_within(lists: dict[str, list[R]], days: int) -> str:
    """The share of the period's referrals offered support within the timescale ("–" with none)."""
    referred = lists[REFERRED]
    return "–" if not referred else percent(len(lists[within_label(days)]), len(referred))


def _lists(session: Session, start: dt.date, end: dt.date) -> tuple[dict[str, list[tuple[str, ...]]], str]:
    days = int(get_setting(session, SUPPORT_OFFER_WORKING_DAYS))
    cal = calendar(session)
    rows = list(session.scalars(select(SupportReferral).order_by(SupportReferral.referred_on,
                                                                 SupportReferral.case_reference)))

    def line(r: SupportReferral) -> tuple[str, ...]:
        w = cal.working_days_between(r.referred_on, r.offered_on) if r.offered_on else None
        return (r.case_reference, r.initials, r.relationship, _d(r.referred_on), r.service, _d(r.offered_on),
                "" if w is None else str(w), RESPONSES.get(r.response, r.response), _d(r.closed_on))

    lists = counted(rows, start, end, days, cal.working_days_between)
    return {label: [line(r) for r in rs] for label, rs in lists.items()}, share_within(lists, days)


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
