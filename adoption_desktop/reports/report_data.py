"""The numbers behind the six-monthly and annual report: every feature's figures for the period, the
previous period and the same period last year side by side, panel membership and training, ADM
timeliness, the journey measures, and eight quarters of trends. Counts only, never names.

``build_report`` is one use case: it checks ``reports.view`` first and returns a frozen
:class:`ReportData` that the Word writer (``report_docx``), the charts and the Ofsted pack read.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.adm.settings import DECISION_DUE_WD
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import percent
from adoption_desktop.reports import measures as journey
from adoption_desktop.reports.model import FIGURE_MODULES, FigureSection
from adoption_desktop.reports.periods import (
    KINDS,
    Period,
    is_financial_year,
    last_year,
    previous,
    quarter_label,
    quarters_to,
)

#: report chapter for each figures module
CHAPTERS = {
    "adoption_desktop.panel.figures": "panel",
    "adoption_desktop.panel.deferrals": "panel",
    "adoption_desktop.panel.makeup": "membership",
    "adoption_desktop.panel.attendance": "membership",
    "adoption_desktop.panel.appraisals": "membership",
    "adoption_desktop.adm.figures": "adm",
    "adoption_desktop.adm.more_information": "adm",
    "adoption_desktop.letterbox.figures": "letterbox",
    "adoption_desktop.counselling.figures": "counselling",
    # the children counted (plan, placement order, matched, placed, adopted, disruptions): its timeliness
    # section is the journey measures the report shows as its own table (a trial's report had no children)
    "adoption_desktop.journey.figures": "children",
    "adoption_desktop.letterbox.contact_figures": "letterbox_contact",
    "adoption_desktop.letterbox.support_figures": "birth_parent_support",
    "adoption_desktop.journey.adopter_figures": "adopters",
}
_MONTH_ROW = re.compile(r"^\d{4}-\d{2}$")
#: a month's row of a monthly table ("April 2026: adoptive family to birth family")
_MONTH_LABEL = re.compile(r"^(January|February|March|April|May|June|July|August|September|October|November|"
                          r"December) \d{4}: (.+)$")


def _by_month_position(rows: Sequence[tuple[str, str]]) -> dict[tuple[int, str], str]:
    """A monthly table's values keyed by (the month's place in its period, what the row counts)."""
    months: list[str] = []
    out: dict[tuple[int, str], str] = {}
    for label, value in rows:
        m = _MONTH_LABEL.match(label)
        if m is None:
            continue
        month = label.split(":", 1)[0]
        if month not in months:
            months.append(month)
        out[(months.index(month), m.group(2))] = value
    return out
_ARRANGEMENTS_AT = re.compile(r"^Arrangements at \d{2}/\d{2}/\d{4}$")


@dataclass(frozen=True)
class ComparedTable:
    """One table of the report: a row per figure, a value for each of the three periods."""

    title: str
    rows: tuple[tuple[str, str, str, str], ...]  # label, this period, previous, last year


@dataclass(frozen=True)
class KeyFigures:
    """The few figures the summary and the charts use, as numbers."""

    sittings: int
    items: int
    adopter_items: int
    adm_decisions: int
    adm_timed: int
    adm_within: int
    adm_median_wd: float | None
    exchanges: int
    referrals: int

    @property
    def adm_within_pct(self) -> float | None:
        return 100 * self.adm_within / self.adm_timed if self.adm_timed else None


@dataclass(frozen=True)
class ComparedMeasure:
    current: journey.Measure
    previous: journey.Measure | None
    last_year: journey.Measure | None


@dataclass(frozen=True)
class ReportData:
    kind: str
    agency_name: str
    periods: tuple[Period, Period, Period]  # this period, previous, same period last year
    chapters: dict[str, tuple[ComparedTable, ...]]
    membership: ComparedTable
    adm_by_type: ComparedTable
    key: tuple[KeyFigures, KeyFigures, KeyFigures]
    measures: tuple[ComparedMeasure, ...]
    quarters: tuple[str, ...]
    quarter_key: tuple[KeyFigures, ...]
    adm_threshold_wd: int
    made_on: dt.date
    #: chapter key -> (row label, what it counts) for the rows shown whose module defines them
    #: (``DEFINITIONS`` of a figures module): the chapter's *Definitions*
    definitions: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return KINDS.get(self.kind, "Report")

    @property
    def financial_quarters(self) -> bool:
        """The trends are by the financial year's quarters (the period is a financial year)."""
        return is_financial_year(self.periods[0])

    def children_measures(self) -> tuple[ComparedMeasure, ...]:
        return tuple(m for m in self.measures if not is_adopter_measure(m.current))

    def adopter_measures(self) -> tuple[ComparedMeasure, ...]:
        return tuple(m for m in self.measures if is_adopter_measure(m.current))


def is_adopter_measure(m: journey.Measure) -> bool:
    """Adopters' journey measures are told apart by their code or label naming adopters."""
    return "adopter" in m.label.lower() or m.code.lower().startswith(("adopter", "ad-", "adp"))


def _compare(per_period: Sequence[list[FigureSection]]) -> tuple[ComparedTable, ...]:
    """Sections of one module for the three periods, matched by position and row label."""
    current = per_period[0]
    tables = []
    for i, section in enumerate(current):
        others = [p[i] if i < len(p) else FigureSection(section.title) for p in per_period]
        values = [dict(s.rows) for s in others]
        # this period's rows; a row only another period has goes before the row it comes before there, so a
        # total stays after its parts (a trial's "Review of approval: Deferred", counted last year only, came
        # after the "Deferrals" total), or at the end when nothing shown follows it there
        order = [label for label, _v in section.rows]
        for s in others[1:]:
            theirs = [label for label, _v in s.rows if not _MONTH_ROW.match(label)]
            for i, label in enumerate(theirs):
                if label in order:
                    continue
                following = next((x for x in theirs[i + 1:] if x in order), None)
                order.insert(order.index(following) if following is not None else len(order), label)
        title = "Arrangements at the end of the period" if _ARRANGEMENTS_AT.match(section.title) else section.title
        # a month's row ("April 2026: …") stands beside the month in the same place of the previous period
        # and the same month last year (their months have other names); other rows are matched by label
        by_place = [_by_month_position(s.rows) for s in others]
        places = iter(by_place[0])
        rows: list[tuple[str, str, str, str]] = []
        for label in order:
            if _MONTH_LABEL.match(label) and label in values[0]:
                key = next(places)
                rows.append((label, values[0][label], by_place[1].get(key, "–"), by_place[2].get(key, "–")))
            elif not _MONTH_LABEL.match(label) and not _MONTH_ROW.match(label):
                rows.append((label, *(v.get(label, "–") for v in values)))  # type: ignore[arg-type]
        tables.append(ComparedTable(title, tuple(rows)))
    return tuple(tables)


def _module_figures(db: Database, actor: Principal, name: str, p: Period) -> list[FigureSection]:
    result: list[FigureSection] = importlib.import_module(name).figures(db, actor, p.start, p.end)
    return result


def _membership(session: Session, p: Period) -> dict[str, int]:
    """Membership figures at ``p``'s end and during it, of **members** only: the panel adviser, legal
    adviser and minute-taker are on the central list but are not members (AAR 2005 reg 3), so they are
    counted on a line of their own. "On the list on a day" as ``panel.makeup`` defines it."""
    from adoption_desktop.panel import rules
    from adoption_desktop.panel.models import PanelMember

    people = list(session.execute(select(
        PanelMember.role_type, PanelMember.independent, PanelMember.joined_on, PanelMember.leaves_on)))

    def on_list(m: Any) -> bool:
        return bool(m.joined_on <= p.end and (m.leaves_on is None or m.leaves_on > p.end))

    members = [m for m in people if not rules.is_adviser(m.role_type)]
    at_end = [m for m in members if on_list(m)]
    return {
        "Members at the end of the period": len(at_end),
        "of whom independent": sum(1 for m in at_end if m.independent),
        "Members who joined in the period": sum(1 for m in members if p.start <= m.joined_on <= p.end),
        "Members who left in the period": sum(
            1 for m in members if m.leaves_on and p.start <= m.leaves_on <= p.end),
        # appraisals overdue, training and DBS checks: panel.appraisals, once (on the Reports page too,
        # opened to the members); here they were counted a second way beside it
        "Advisers on the list at the end (not members)": sum(
            1 for m in people if rules.is_adviser(m.role_type) and on_list(m)),
    }


def _decisions(session: Session, start: dt.date, end: dt.date) -> list[tuple[str, str, dt.date, dt.date | None,
                                                                            dt.date, int]]:
    """Signed ADM decisions (latest version of each) decided in ``start..end``: (type, source, received_on,
    due_on, decided_on, working days to decision). A correction is the same decision: its decision date is
    that of the first signed version; the working days leave out the time waiting for more information
    (``adm.timeliness``), as the due date does."""
    from adoption_desktop.adm.timeliness import signed_decisions

    return [(x.row.decision_type, x.row.source, x.row.received_on, x.row.due_on, x.decided_on, x.working_days)
            for x in signed_decisions(session, start, end, calendar(session))]


def _count_by_quarter(days: Sequence[tuple[dt.date, int]], spans: Sequence[Period]) -> list[int]:
    out = [0] * len(spans)
    for day, n in days:
        for i, q in enumerate(spans):
            if q.start <= day <= q.end:  # spans may overlap (the periods and the quarters)
                out[i] += int(n)
    return out


def _key_figures(session: Session, spans: Sequence[Period]) -> list[KeyFigures]:
    """Key figures for each span, from one query per area over the whole range."""
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.counselling.service.data import OPENED_IN_ERROR
    from adoption_desktop.letterbox.models import Item
    from adoption_desktop.letterbox.rules import LOGGED_IN_ERROR
    from adoption_desktop.panel.models import PanelItem, PanelSitting

    lo, hi = min(p.start for p in spans), max(p.end for p in spans)
    sittings = _count_by_quarter(list(session.execute(
        select(PanelSitting.sitting_date, func.count()).where(
            PanelSitting.sitting_date.between(lo, hi), PanelSitting.status != "cancelled",
            PanelSitting.sitting_date <= dt.date.today()).group_by(PanelSitting.sitting_date))), spans)
    item_rows = list(session.execute(
        select(PanelSitting.sitting_date, PanelItem.case_type, func.count()).join(
            PanelItem, PanelItem.sitting_id == PanelSitting.id).where(
            PanelSitting.sitting_date.between(lo, hi), PanelSitting.status != "cancelled")
        .group_by(PanelSitting.sitting_date, PanelItem.case_type)))
    items = _count_by_quarter([(d, n) for d, _t, n in item_rows], spans)
    adopter = _count_by_quarter([(d, n) for d, t, n in item_rows if t in ("approval", "early_permanence")], spans)
    exchanges = _count_by_quarter(list(session.execute(
        select(Item.received_on, func.count()).where(Item.received_on.between(lo, hi),
                                                     Item.status != LOGGED_IN_ERROR)
        .group_by(Item.received_on))), spans)
    referrals = _count_by_quarter(list(session.execute(
        select(CounsellingCase.referral_date, func.count()).where(
            CounsellingCase.referral_date.between(lo, hi), CounsellingCase.outcome != OPENED_IN_ERROR)
        .group_by(CounsellingCase.referral_date))), spans)
    decisions = _decisions(session, lo, hi)
    out = []
    for i, p in enumerate(spans):
        mine = [d for d in decisions if p.start <= d[4] <= p.end]
        timed = [d for d in mine if d[3] is not None]
        durations = [wd for _t, s, _r, _due, _d, wd in mine if s == "panel"]
        out.append(KeyFigures(
            sittings=sittings[i], items=items[i], adopter_items=adopter[i], adm_decisions=len(mine),
            adm_timed=len(timed), adm_within=sum(1 for d in timed if d[3] is not None and d[4] <= d[3]),
            adm_median_wd=float(statistics.median(durations)) if durations else None,
            exchanges=exchanges[i], referrals=referrals[i]))
    return out


def _adm_by_type(session: Session, periods: Sequence[Period]) -> ComparedTable:
    from adoption_desktop.adm import rules

    per: list[dict[str, str]] = []
    types: list[str] = []
    for p in periods:
        values: dict[str, str] = {}
        rows = _decisions(session, p.start, p.end)
        for t in sorted({r[0] for r in rows}):
            mine = [r for r in rows if r[0] == t]
            timed = [r for r in mine if r[3] is not None]
            within = sum(1 for r in timed if r[3] is not None and r[4] <= r[3])
            wd = [r[5] for r in mine if r[1] == "panel"]
            label = rules.type_label(t)
            figures = {  # one figure per cell
                f"{label}: decisions signed": str(len(mine)),
                f"{label}: signed within the timescale (%)": percent(within, len(timed)).rstrip("%") if timed else "n/a",
                f"{label}: median working days from the final minutes (waiting for information not counted)": f"{statistics.median(wd):g}" if wd else "n/a",
            }
            for name, value in figures.items():
                if name not in types:
                    types.append(name)
                values[name] = value
        per.append(values)
    return ComparedTable("ADM decisions by type: timeliness", tuple(
        (t, *(v.get(t, "–") for v in per)) for t in types))  # type: ignore[misc]


def build_report(db: Database, actor: Principal, period: Period, kind: str = "six-monthly", *,
                 progress: Callable[[int, int], None] | None = None,
                 today: dt.date | None = None) -> ReportData:
    """Everything the report shows for ``period`` beside the previous period and the same period last year."""
    require(actor, Permission.REPORTS_VIEW)
    if kind not in KINDS:
        from adoption_desktop.core.errors import ValidationError

        raise ValidationError(f"Kind: '{kind}' is not a report kind; use {' or '.join(KINDS)}.", "kind")
    periods = (period, previous(period), last_year(period))
    modules = [m for m in FIGURE_MODULES if importlib.util.find_spec(m) is not None]
    steps = len(modules) + 2
    chapters: dict[str, tuple[ComparedTable, ...]] = {}
    definitions: dict[str, tuple[tuple[str, str], ...]] = {}
    for n, name in enumerate(modules):
        key = CHAPTERS.get(name, name)  # several modules may write one chapter, in FIGURE_MODULES order
        counted: dict[Period, list[FigureSection]] = {}  # a year's previous period is last year: counted once
        for p in periods:
            if p not in counted:
                counted[p] = _module_figures(db, actor, name, p)
        tables = _compare([counted[p] for p in periods])
        chapters[key] = chapters.get(key, ()) + tables
        defined: dict[str, str] = getattr(importlib.import_module(name), "DEFINITIONS", {})
        shown = [label for t in tables for label, *_v in t.rows if label in defined]
        if shown:
            definitions[key] = definitions.get(key, ()) + tuple((label, defined[label]) for label in shown)
        if progress:
            progress(n + 1, steps)
    from adoption_desktop.core.config import AGENCY_NAME

    quarters = _quarters(period.end, 8)
    with db.session(actor, write=False) as session:
        agency = str(get_setting(session, AGENCY_NAME))
        threshold = int(get_setting(session, DECISION_DUE_WD))
        member_counts = [_membership(session, p) for p in periods]
        membership = ComparedTable("Panel membership and training", tuple(
            (label, *(str(c[label]) for c in member_counts)) for label in member_counts[0]))  # type: ignore[misc]
        adm_types = _adm_by_type(session, periods)
        keys = _key_figures(session, [*periods, *quarters])
    if progress:
        progress(steps - 1, steps)
    measured = [journey.journey_measures(db, actor, p.start, p.end) for p in periods]
    by_code = [{m.code: m for m in ms} for ms in measured[1:]]
    compared = tuple(ComparedMeasure(m, by_code[0].get(m.code), by_code[1].get(m.code)) for m in measured[0])
    if progress:
        progress(steps, steps)
    return ReportData(
        kind=kind, agency_name=agency, periods=periods, chapters=chapters, membership=membership,
        adm_by_type=adm_types, key=(keys[0], keys[1], keys[2]), measures=compared,
        quarters=_quarter_labels(quarters, is_financial_year(period)), quarter_key=tuple(keys[3:]),
        adm_threshold_wd=threshold, made_on=today or dt.date.today(), definitions=definitions)


@dataclass(frozen=True)
class QuarterlyTrend:
    """Eight quarters of key figures and the ADM timescale: what the Reports page's charts show."""

    quarters: tuple[str, ...]
    figures: tuple[KeyFigures, ...]
    adm_threshold_wd: int


def quarterly(db: Database, actor: Principal, end: dt.date, count: int = 8, *,
              financial: bool = False) -> QuarterlyTrend:
    """Key figures for the last ``count`` quarters up to the one holding ``end``, named as the financial
    year's quarters with ``financial`` (a financial year's report), else as calendar quarters."""
    require(actor, Permission.REPORTS_VIEW)
    spans = _quarters(end, count)
    with db.session(actor, write=False) as session:
        threshold = int(get_setting(session, DECISION_DUE_WD))
        figures = _key_figures(session, spans)
    return QuarterlyTrend(_quarter_labels(spans, financial), tuple(figures), threshold)


def _quarters(end: dt.date, count: int) -> list[Period]:
    """The last ``count`` quarters up to ``end``, the last one ending on ``end`` (a part of a quarter: what
    is counted after the period's end has not happened yet)."""
    spans = quarters_to(end, count)
    spans[-1] = Period(spans[-1].start, min(spans[-1].end, end))
    return spans


def _quarter_labels(spans: Sequence[Period], financial: bool) -> tuple[str, ...]:
    """Each quarter's name; a part of a quarter says which days, as the Ofsted pack does ("Q4 2026
    (01/10–03/12)"): a trial read the last bar as a whole quarter."""
    out = []
    for q in spans:
        whole = quarters_to(q.end, 1)[0]
        out.append(quarter_label(q, financial) + ("" if q == whole else f" ({q.start:%d/%m}–{q.end:%d/%m})"))
    return tuple(out)
