"""Figures of the adopters' journey (counts only): households that registered, finished stage 1 (within
the local months of registration), began stage 2, and were approved (within the months of stage 2
starting, and of registration), from the dates kept on the adopters' journey screen. Each count can be
opened to the households behind it (:func:`behind`; households are named by reference only, so
``reports.view`` is enough, as for the journey measures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import plural
from adoption_desktop.journey import settings
from adoption_desktop.journey.models import AdopterJourney
from adoption_desktop.journey.rules import within_months
from adoption_desktop.reports.behind import Behind
from adoption_desktop.reports.model import FigureSection

SECTION = "Adopters' journey: assessment stages"
SECTIONS = (SECTION,)
REGISTERED = "Households that registered (stage 1 began)"
STAGE1 = "Households that completed stage 1"
STAGE2 = "Households that began stage 2"
APPROVED = "Households approved by the ADM"
IN_ASSESSMENT = "Households in assessment at the end of the period"
COLUMNS = ("Household", "Registered", "Stage 1 completed", "Stage 2 started", "Panel", "Approved",
           "Days registration to approval")


def _d(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


def _lists(session: Session, start: dt.date, end: dt.date) -> dict[str, list[tuple[str, ...]]]:
    s1 = int(get_setting(session, settings.STAGE1_MONTHS))
    s2 = int(get_setting(session, settings.STAGE2_MONTHS))
    whole = int(get_setting(session, settings.APPROVAL_MONTHS))
    homes: list[Any] = list(session.scalars(select(AdopterJourney).order_by(AdopterJourney.registered_on,
                                                                 AdopterJourney.reference)))

    def line(h: Any) -> tuple[str, ...]:
        days = (h.approved_on - h.registered_on).days if h.approved_on and h.registered_on else None
        return (h.reference, _d(h.registered_on), _d(h.stage1_completed_on), _d(h.stage2_started_on),
                _d(h.panel_on), _d(h.approved_on), "" if days is None else str(days))

    def inside(day: dt.date | None) -> bool:
        return day is not None and start <= day <= end

    stage1 = [h for h in homes if inside(h.stage1_completed_on)]
    approved = [h for h in homes if inside(h.approved_on)]
    return {
        REGISTERED: [line(h) for h in homes if inside(h.registered_on)],
        STAGE1: [line(h) for h in stage1],
        f"of which within {plural(s1, 'month')} of registration": [
            line(h) for h in stage1 if h.registered_on and within_months(h.registered_on, h.stage1_completed_on, s1)],
        STAGE2: [line(h) for h in homes if inside(h.stage2_started_on)],
        APPROVED: [line(h) for h in approved],
        f"of which decided within {plural(s2, 'month')} of stage 2 starting": [
            line(h) for h in approved if h.stage2_started_on and within_months(h.stage2_started_on, h.approved_on, s2)],
        f"of which approved within {plural(whole, 'month')} of registration": [
            line(h) for h in approved if h.registered_on and within_months(h.registered_on, h.approved_on, whole)],
        IN_ASSESSMENT: [line(h) for h in homes if h.registered_on and h.registered_on <= end
                        and (h.approved_on is None or h.approved_on > end)],
    }


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    """The section for ``start``..``end`` inclusive; each date counts in the period it falls in."""
    require(actor, Permission.REPORTS_VIEW)
    with db.session(actor, write=False) as session:
        lists = _lists(session, start, end)
    return [FigureSection(SECTION, [(label, str(len(rows))) for label, rows in lists.items()])]


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date) -> Behind:
    """The households behind one count (a list: reports.view and adm.view or panel.view, whoever calls)."""
    from adoption_desktop.reports.behind import require_children_list

    require(actor, Permission.REPORTS_VIEW)
    require_children_list(actor)
    with db.session(actor, write=False) as session:
        rows = _lists(session, start, end).get(label)
    if rows is None:
        raise ValidationError(f"{SECTION}: no figure '{label}'.", "label")
    return Behind(f"{label} ({start:%d/%m/%Y} to {end:%d/%m/%Y})", COLUMNS, tuple(rows), "household")
