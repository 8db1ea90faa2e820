"""Panel figures for the six-monthly and annual reports (counts only, never names; NMS 25.6)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select

from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import percent
from adoption_desktop.panel import rules, settings
from adoption_desktop.panel.models import PanelItem, PanelMinutes, PanelPaper, PanelSitting
from adoption_desktop.reports.model import FigureSection


def _pct(part: int, whole: int) -> str:
    return f"{part} of {whole} ({percent(part, whole)})" if whole else "0"


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    require(actor, Permission.REPORTS_VIEW)
    with db.session(actor, write=False) as session:
        cal = calendar(session)
        papers_wd = get_setting(session, settings.PAPERS_DEADLINE_WD)
        minutes_wd = get_setting(session, settings.MINUTES_DEADLINE_WD)
        sittings = list(session.scalars(select(PanelSitting).where(PanelSitting.sitting_date >= start,
                                                                   PanelSitting.sitting_date <= end)))
        held = {s.id: s for s in sittings if s.status != "cancelled"}
        items = list(session.scalars(select(PanelItem).where(PanelItem.sitting_id.in_(list(held))))) if held else []
        item_ids = [i.id for i in items]
        minutes: dict[int, list[PanelMinutes]] = {}
        papers: list[PanelPaper] = []
        if item_ids:
            for m in session.scalars(select(PanelMinutes).where(PanelMinutes.item_id.in_(item_ids))
                                     .order_by(PanelMinutes.version)):
                minutes.setdefault(m.item_id, []).append(m)
            papers = list(session.scalars(select(PanelPaper).where(PanelPaper.item_id.in_(item_ids))))
    by_type: Counter[str] = Counter(i.case_type for i in items)
    outcomes: Counter[tuple[str, str]] = Counter()
    deferred = 0
    on_time = approved = 0
    item_sitting = {i.id: held[i.sitting_id] for i in items}
    for i in items:
        versions = minutes.get(i.id, [])
        # the newest approved version (a correction counts once the chair approves it); a first draft as today
        outcome = rules.counted_outcome([(m.status, m.outcome) for m in versions])
        if outcome:
            outcomes[(i.case_type, outcome)] += 1
            deferred += outcome == "deferred"
        first_approved = next((m for m in versions if m.status == "approved"), None)
        if first_approved and first_approved.approved_on:
            approved += 1
            due = rules.minutes_deadline(item_sitting[i.id].sitting_date, minutes_wd, cal)
            on_time += first_approved.approved_on <= due
    late = 0
    deadlines: dict[int, dt.date] = {}
    for p in papers:
        s = item_sitting[p.item_id]
        if s.id not in deadlines:
            deadlines[s.id] = rules.papers_deadline(s.sitting_date, papers_wd, cal)
        late += rules.paper_late(p.received_on, deadlines[s.id], min(end, dt.date.today()))
    activity = FigureSection("Adoption panel: activity", [
        ("Sittings held", str(sum(1 for s in held.values() if s.sitting_date <= dt.date.today()))),
        ("Sittings cancelled", str(len(sittings) - len(held))),
        ("Items considered", str(len(items))),
        *((f"Items: {label}", str(by_type.get(code, 0))) for code, label in rules.CASE_TYPES.items()),
    ])
    rec = FigureSection("Adoption panel: recommendations", [
        *((f"{rules.CASE_TYPES[c]}: {rules.OUTCOMES[o]}", str(n)) for (c, o), n in sorted(outcomes.items())),
        ("Deferrals", str(deferred)),
    ])
    timeliness = FigureSection("Adoption panel: papers and minutes", [
        ("Papers received late or missing at the deadline", _pct(late, len(papers))),
        (f"Minutes approved within {minutes_wd} working days", _pct(on_time, approved)),
    ])
    return [activity, rec, timeliness]
