"""Figures of the child's journey for the Reports page and CSV: every timeliness measure (one figure per
cell: the value, the children it is over, how many were within the threshold) and counts of children,
not items (a sibling group matched on one item is several children)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey.models import JourneyChild
from adoption_desktop.reports.behind import Behind
from adoption_desktop.reports.measures import journey_measures
from adoption_desktop.reports.model import FigureSection


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    require(actor, Permission.REPORTS_VIEW)
    measures = journey_measures(db, actor, start, end)
    timeliness = FigureSection(TIMELINESS)
    for m in measures:
        who = "cases" if m.unit in ("cases",) or m.code.startswith(("stage", "approval", "adm", "letterbox",
                                                                      "counselling")) else "children"
        timeliness.rows.append((f"{m.label} ({m.unit})", _fmt(m.value)))
        timeliness.rows.append((f"{m.label}: {who} counted", str(m.count)))
        if m.within is not None and m.unit != "children":
            timeliness.rows.append((f"{m.label}: {who} within the threshold", str(m.within)))
    c = JourneyChild
    with db.session(actor, write=False) as session:
        def count(col: InstrumentedAttribute[dt.date | None]) -> int:
            return session.scalar(select(func.count()).select_from(c).where(col.between(start, end))) or 0

        groups = session.scalar(select(func.count(func.distinct(c.sibling_group))).where(
            c.sibling_group != "", c.match_recommended_on >= start, c.match_recommended_on <= end)) or 0
        rows = [
            ("Children with a decision that adoption is the plan", str(count(c.plan_decided_on))),
            ("Children with a placement order", str(count(c.placement_order_on))),
            ("Children whose match was recommended by panel", str(count(c.match_recommended_on))),
            ("of whom in sibling groups (groups)", str(groups)),
            ("Children whose match was agreed by the ADM", str(count(c.match_agreed_on))),
            ("Children placed in early permanence", str(count(c.early_permanence_placed_on))),
            ("Children who moved in with their adoptive family", str(count(c.placed_on))),
            ("Children adopted (adoption order)", str(count(c.adoption_order_on))),
            ("Placements that disrupted", str(count(c.disrupted_on))),
        ]
    return [timeliness, FigureSection("Children (each child counted, not items)", rows)]


TIMELINESS = "Timeliness of the child's journey"
#: the measures whose figure is the children in one band of months after the placement order
BAND_CODES = frozenset({"match_4m", "match_4_8m", "match_8_12m", "match_over_12m"})
SECTIONS = (TIMELINESS,)
BEHIND_COLUMNS = ("Reference", "Initials", "Sibling group", "From", "To", "Days", "Within the threshold",
                  "Detail")


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date) -> Behind:
    """The children (or cases) behind a timeliness figure: its measure's list (``measure_children``; another
    area's cases need that area's permission), only those within the threshold for that row. A band row
    ("Matched within 4 months of the placement order") counts the children in its band, so it lists only
    them: it listed every child matched in the period, its title saying "3 children" under a figure of 1
    (user trial). The band's "…: children counted" row is every child matched in the period (what the band
    is counted out of), so it lists them all, each with its band in Detail: it listed only the band's own,
    1 under a figure of 3 (user trial, 7 December)."""
    from adoption_desktop.core.errors import ValidationError
    from adoption_desktop.reports.measures import measure_children

    require(actor, Permission.REPORTS_VIEW)
    matches = [m for m in journey_measures(db, actor, start, end) if label.startswith(m.label)]
    if not matches:
        raise ValidationError(f"{section}: no measure '{label}'.", "label")
    m = max(matches, key=lambda x: len(x.label))
    rows = measure_children(db, actor, m.code, start, end)
    if label.endswith("within the threshold") or (m.code in BAND_CODES and not label.endswith(" counted")):
        rows = [r for r in rows if r.within]

    def d(day: dt.date | None) -> str:
        return "" if day is None else f"{day:%d/%m/%Y}"

    return Behind(f"{label} ({start:%d/%m/%Y} to {end:%d/%m/%Y})", BEHIND_COLUMNS, tuple(
        (r.reference, r.initials, r.sibling_group, d(r.start), d(r.end), "" if r.days is None else str(r.days),
         "" if r.within is None else ("Yes" if r.within else "No"), r.detail) for r in rows),
        "household" if m.code.startswith(("stage", "approval")) else
        "case" if m.code in ("adm_7wd", "letterbox_on_time", "counselling_wait") else "child")
