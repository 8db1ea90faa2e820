"""Timeliness of the child's journey: the adoption scorecard measures and the agencies' own timescales,
each defined here with its published definition, computed per child (or case) and per period.

``journey_measures(db, actor, start, end)`` gives every measure for the period; ``measure_children(db,
actor, code, start, end)`` the children (or cases) behind one of them, so each figure can be opened. The
computation is pure (:func:`compute`, over :class:`~adoption_desktop.journey.rules.ChildDates` and
:class:`CaseDates`) and tested directly; only loading touches the database.

Cohorts (who a measure is computed over):

* A1, A3, A10, A2, A20: children **adopted** in the period (adoption order date within it) — the
  scorecard's cohort.
* Placement order to match, in bands: children whose match was **agreed by the ADM** in the period.
* Plan to panel: children whose match was **recommended by panel** in the period.
* Adopters: stage 1 — households whose stage 1 ended in the period; stage 2 and approval — households
  **approved** in the period.
* ADM within 7 WD: panel decisions signed in the period; letterbox: items received in the period;
  counselling: cases allocated to a counsellor in the period.

Every measure counts children, not items: a sibling group matched on one item is several children.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from adoption_desktop.adm.settings import DECISION_DUE_WD
from adoption_desktop.core.errors import ValidationError
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.journey import settings
from adoption_desktop.journey.rules import ChildDates, month_band, within_months

EDITION = settings.EDITION


@dataclass(frozen=True)
class Measure:
    code: str                 # "A1", "A2", "A3", "A10", "A20", "match_4m", ... (see MEASURES)
    label: str                # what a person reads
    value: float | None       # the figure (None when no child/case in the period)
    unit: str                 # "days", "children", "%", "cases"
    threshold: float | None   # the scorecard threshold (a setting), if any
    count: int                # children (or cases) it is computed over
    definition: str           # the published definition, cited
    within: int | None = None  # how many of them were within the threshold


@dataclass(frozen=True)
class ChildRow:
    """One child (or case) behind a measure: the drill-down."""

    reference: str
    initials: str             # "" for cases that are not children
    sibling_group: str
    start: dt.date | None     # the date the measure runs from
    end: dt.date | None       # the date it runs to
    days: int | None          # calendar days (working days for adm_7wd)
    within: bool | None       # within the threshold (None: the measure has none)
    detail: str = ""          # e.g. "fostering for adoption", "band 4-8 months"


@dataclass(frozen=True)
class CaseDates:
    """A case that is not a child (adopter household, ADM decision, letterbox item, counselling case)."""

    reference: str
    start: dt.date | None
    end: dt.date | None
    extra: dt.date | None = None  # a third date (adopters: stage 2 start; ADM: the due date)
    flag: bool | None = None      # a precomputed within (letterbox: on time)


@dataclass(frozen=True)
class Thresholds:
    a10: int = settings.A10_THRESHOLD_DAYS.default
    a2: int = settings.A2_THRESHOLD_DAYS.default
    a3: int = settings.A3_THRESHOLD_DAYS.default
    plan_to_panel_months: int = settings.PLAN_TO_PANEL_MONTHS.default
    stage1_months: int = settings.STAGE1_MONTHS.default
    stage2_months: int = settings.STAGE2_MONTHS.default
    approval_months: int = settings.APPROVAL_MONTHS.default
    adm_working_days: int = DECISION_DUE_WD.default


@dataclass(frozen=True)
class Inputs:
    children: Sequence[ChildDates] = ()
    adopters: Sequence[CaseDates] = ()   # start=registered, end=approved, extra=stage 2 start
    stage1: Sequence[CaseDates] = ()     # start=registered, end=stage 1 completed
    adm: Sequence[CaseDates] = ()        # start=final minutes received, end=decided, extra=due date
    letterbox: Sequence[CaseDates] = ()  # start=received, flag=on time
    counselling: Sequence[CaseDates] = ()  # start=referral, end=allocated


#: code -> (label, unit, definition)
MEASURES: dict[str, tuple[str, str, str]] = {
    "A1": ("A1: average days from entering care to moving in with the adoptive family", "days",
           "Adoption scorecard A1: average time (days) between a child entering care and moving in with "
           "their adoptive family, for children adopted in the period. " + EDITION + "."),
    "A10": ("A10: average days from entering care to moving in (adjusted for foster carer adoptions)",
            "days",
            "Adoption scorecard A10: as A1, but for a child adopted by their foster carers (including "
            "fostering for adoption and concurrent carers) the date the child moved in with those carers "
            "counts. Threshold 426 days; within = on or below it. " + EDITION + "."),
    "A2": ("A2: average days from placement order to the match decision", "days",
           "Adoption scorecard A2: average time (days) between the local authority receiving court "
           "authority to place a child (the placement order) and deciding on a match to an adoptive "
           "family, for children adopted in the period. Threshold 121 days. " + EDITION + "."),
    "A3": ("A3: children who waited less than the threshold from entering care to moving in", "%",
           "Adoption scorecard A3: number and percentage of children adopted in the period who waited "
           "less than the threshold (default 426 days, 14 months) between entering care and moving in "
           "with their adoptive family (A1 dates). " + EDITION + "."),
    "A20": ("A20: average days from entering care to the placement order", "days",
            "ASGLB / scorecard A20: average time (days) between a child entering care and the local "
            "authority receiving court authority to place, for children adopted in the period."),
    "match_4m": ("Matched within 4 months of the placement order", "children",
                 "Children whose match was agreed by the ADM in the period, matched within 4 calendar "
                 "months of the placement order (ASGLB bands reported by the agencies)."),
    "match_4_8m": ("Matched 4 to 8 months after the placement order", "children",
                   "Children whose match was agreed in the period, more than 4 and up to 8 calendar "
                   "months after the placement order."),
    "match_8_12m": ("Matched 8 to 12 months after the placement order", "children",
                    "Children whose match was agreed in the period, more than 8 and up to 12 calendar "
                    "months after the placement order."),
    "match_over_12m": ("Matched more than 12 months after the placement order", "children",
                       "Children whose match was agreed in the period, more than 12 calendar months "
                       "after the placement order."),
    "plan_to_panel_2m": ("Match reached panel within 2 months of the plan for adoption", "%",
                         "Children whose match was recommended by panel in the period, whose match "
                         "reached panel within the setting's months (default 2) of the ADM decision that "
                         "adoption is the plan (local target reported by the agencies)."),
    "stage1_2m": ("Adopters: stage 1 completed within 2 months", "%",
                  "Households whose stage 1 (pre-assessment) ended in the period, completed within 2 "
                  "months of registration (Adoption Statutory Guidance 2014, ch. 3)."),
    "stage2_4m": ("Adopters: decision within 4 months of stage 2 starting", "%",
                  "Households approved in the period whose ADM decision came within 4 months of stage 2 "
                  "starting (Adoption Agencies Regulations 2005, reg 30B(1))."),
    "approval_6m": ("Adopters: approved within 6 months of registration", "%",
                    "Households approved in the period within 6 months of registering (stage 1 and stage "
                    "2 together; Adoption Statutory Guidance 2014, ch. 3)."),
    "adm_7wd": ("ADM decisions on panel recommendations within 7 working days of the final minutes", "%",
                "Panel decisions signed in the period, made within 7 working days of the ADM receiving "
                "the recommendation and the final minutes, time waiting for information asked for not "
                "counted (Adoption Statutory Guidance 2013, ch. 3; the ADM decision-due setting)."),
    "letterbox_on_time": ("Letterbox exchanges received on time", "%",
                          "Letterbox items received in the period that arrived by the end of the month "
                          "they were due: the first writer's in an agreed exchange month (or the month "
                          "before), a reply in that month or the next (the agreement's exchange months)."),
    "counselling_wait": ("Birth-records counselling: median wait from referral to allocation", "days",
                         "Cases allocated to a counsellor in the period: median calendar days from the "
                         "referral to the allocation (the agencies' reported waiting time)."),
}
CODES: tuple[str, ...] = tuple(MEASURES)
#: drill-downs that list another area's cases need that area's permission besides reports.view
AREA_PERMISSION: dict[str, Permission] = {"adm_7wd": Permission.ADM_VIEW,
                                          "letterbox_on_time": Permission.LETTERBOX_VIEW,
                                          "counselling_wait": Permission.COUNSELLING_VIEW}


def _in(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return day is not None and start <= day <= end


def _days(a: dt.date | None, b: dt.date | None) -> int | None:
    return (b - a).days if a is not None and b is not None else None


def _ep(c: ChildDates) -> str:
    from adoption_desktop.journey.rules import EARLY_PERMANENCE

    parts = [EARLY_PERMANENCE[c.early_permanence].lower()] if c.early_permanence else []
    if c.foster_carer_adoption:
        parts.append("adopted by foster carers")
    if c.disrupted_on is not None:
        parts.append(f"disruption {c.disrupted_on:%d/%m/%Y}")
    return "; ".join(parts)


def _child(c: ChildDates, start: dt.date | None, end: dt.date | None, within: bool | None,
           detail: str = "") -> ChildRow:
    extra = "; ".join(p for p in (detail, _ep(c)) if p)
    return ChildRow(c.reference, c.initials, c.sibling_group, start, end, _days(start, end), within, extra)


def rows_for(code: str, inputs: Inputs, start: dt.date, end: dt.date, t: Thresholds) -> list[ChildRow]:
    """The children (or cases) behind measure ``code`` for ``start``..``end``, each with its days and whether
    it is within the threshold. Pure."""
    if code not in MEASURES:
        raise ValidationError(f"Measure: '{code}' is not a measure; choose one of {', '.join(CODES)}.", "code")
    kids = sorted(inputs.children, key=lambda c: (c.sibling_group or c.reference, c.reference))
    adopted = [c for c in kids if _in(c.adoption_order_on, start, end)]
    rows: list[ChildRow] = []
    if code in ("A1", "A3"):
        for c in adopted:
            if c.entered_care_on and c.placed_on:
                d = _days(c.entered_care_on, c.placed_on)
                assert d is not None
                rows.append(_child(c, c.entered_care_on, c.placed_on, d < t.a3 if code == "A3" else d <= t.a10))
    elif code == "A10":
        for c in adopted:
            moved = c.moved_in_a10()
            if c.entered_care_on and moved:
                d = _days(c.entered_care_on, moved)
                assert d is not None
                rows.append(_child(c, c.entered_care_on, moved, d <= t.a10))
    elif code == "A2":
        for c in adopted:
            if c.placement_order_on and c.match_agreed_on:
                d = _days(c.placement_order_on, c.match_agreed_on)
                assert d is not None
                rows.append(_child(c, c.placement_order_on, c.match_agreed_on, d <= t.a2))
    elif code == "A20":
        rows = [_child(c, c.entered_care_on, c.placement_order_on, None)
                for c in adopted if c.entered_care_on and c.placement_order_on]
    elif code.startswith("match_"):
        band = {"match_4m": "0-4", "match_4_8m": "4-8", "match_8_12m": "8-12", "match_over_12m": "12+"}[code]
        for c in kids:
            if _in(c.match_agreed_on, start, end) and c.placement_order_on and c.match_agreed_on:
                got = month_band(c.placement_order_on, c.match_agreed_on)
                rows.append(_child(c, c.placement_order_on, c.match_agreed_on, got == band,
                                   f"band {got.replace('12+', 'over 12')} months"))
    elif code == "plan_to_panel_2m":
        for c in kids:
            if _in(c.match_recommended_on, start, end) and c.plan_decided_on and c.match_recommended_on:
                rows.append(_child(c, c.plan_decided_on, c.match_recommended_on,
                                   within_months(c.plan_decided_on, c.match_recommended_on, t.plan_to_panel_months)))
    elif code == "stage1_2m":
        rows = [ChildRow(a.reference, "", "", a.start, a.end, _days(a.start, a.end),
                         within_months(a.start, a.end, t.stage1_months))
                for a in inputs.stage1 if _in(a.end, start, end) and a.start and a.end]
    elif code == "stage2_4m":
        rows = [ChildRow(a.reference, "", "", a.extra, a.end, _days(a.extra, a.end),
                         within_months(a.extra, a.end, t.stage2_months))
                for a in inputs.adopters if _in(a.end, start, end) and a.extra and a.end]
    elif code == "approval_6m":
        rows = [ChildRow(a.reference, "", "", a.start, a.end, _days(a.start, a.end),
                         within_months(a.start, a.end, t.approval_months))
                for a in inputs.adopters if _in(a.end, start, end) and a.start and a.end]
    elif code == "adm_7wd":
        rows = [ChildRow(a.reference, "", "", a.start, a.end, None, a.end <= a.extra,
                         f"due {a.extra:%d/%m/%Y}")
                for a in inputs.adm if _in(a.end, start, end) and a.end and a.extra]
    elif code == "letterbox_on_time":
        rows = [ChildRow(a.reference, "", "", a.start, None, None, a.flag)
                for a in inputs.letterbox if _in(a.start, start, end)]
    elif code == "counselling_wait":
        rows = [ChildRow(a.reference, "", "", a.start, a.end, _days(a.start, a.end), None)
                for a in inputs.counselling if _in(a.end, start, end) and a.start and a.end]
    return rows


def _mean(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def compute(inputs: Inputs, start: dt.date, end: dt.date, t: Thresholds | None = None) -> list[Measure]:
    """Every measure of :data:`MEASURES` for ``start``..``end`` inclusive. Pure."""
    t = t or Thresholds()
    thresholds: dict[str, float | None] = {
        "A1": t.a10, "A10": t.a10, "A2": t.a2, "A3": t.a3, "plan_to_panel_2m": t.plan_to_panel_months,
        "stage1_2m": t.stage1_months, "stage2_4m": t.stage2_months, "approval_6m": t.approval_months,
        "adm_7wd": t.adm_working_days,
    }
    out: list[Measure] = []
    for code, (label, unit, definition) in MEASURES.items():
        rows = rows_for(code, inputs, start, end, t)
        within = sum(1 for r in rows if r.within)
        days = [r.days for r in rows if r.days is not None]
        value: float | None
        if code in ("A1", "A10", "A2", "A20"):
            value = _mean(days)
        elif code == "counselling_wait":
            value = float(statistics.median(days)) if days else None
        elif unit == "children":
            value = float(within) if rows else None
        else:
            value = _pct(within, len(rows))
        has_within = code not in ("A20", "counselling_wait")
        out.append(Measure(code, _label(label, code, t), value, unit, thresholds.get(code), len(rows),
                           definition, within if has_within else None))
    return out


def _label(label: str, code: str, t: Thresholds) -> str:
    """The label with the months set locally, when they differ from the default the label names."""
    months = {"plan_to_panel_2m": (2, t.plan_to_panel_months), "stage1_2m": (2, t.stage1_months),
              "stage2_4m": (4, t.stage2_months), "approval_6m": (6, t.approval_months)}
    if code in months and months[code][0] != months[code][1]:
        default, now = months[code]
        return label.replace(f"{default} months", f"{now} months")
    if code == "adm_7wd" and t.adm_working_days != DECISION_DUE_WD.default:
        return label.replace(f"{DECISION_DUE_WD.default} working days", f"{t.adm_working_days} working days")
    return label


# --- loading ----------------------------------------------------------------------------------------

def _thresholds(session: object) -> Thresholds:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    return Thresholds(
        a10=get_setting(session, settings.A10_THRESHOLD_DAYS), a2=get_setting(session, settings.A2_THRESHOLD_DAYS),
        a3=get_setting(session, settings.A3_THRESHOLD_DAYS),
        plan_to_panel_months=get_setting(session, settings.PLAN_TO_PANEL_MONTHS),
        stage1_months=get_setting(session, settings.STAGE1_MONTHS),
        stage2_months=get_setting(session, settings.STAGE2_MONTHS),
        approval_months=get_setting(session, settings.APPROVAL_MONTHS),
        adm_working_days=get_setting(session, DECISION_DUE_WD))


def _letterbox_on_time(received: dt.date, months: str, direction: str, first_writer: str) -> bool:
    agreed = {int(m) for m in months.replace(" ", "").split(",") if m.isdigit()}
    if not agreed:
        return True  # no agreed month: the item cannot be late
    month, nxt = received.month, received.month % 12 + 1
    first = direction.startswith(first_writer)
    ok = month in agreed or nxt in agreed  # in the month, or early by up to a month
    if not first:
        prev = (received.month - 2) % 12 + 1
        ok = ok or prev in agreed
    return ok


def _load(db: Database, actor: Principal, start: dt.date, end: dt.date,
         only: Callable[[str], bool] = lambda _c: True) -> tuple[Inputs, Thresholds]:
    """What the measures need for ``start``..``end`` (one read-only transaction)."""
    from adoption_desktop.journey.models import AdopterJourney, JourneyChild

    with db.session(actor, write=False) as session:
        t = _thresholds(session)
        children = [ChildDates(
            reference=c.reference, initials=c.initials, sibling_group=c.sibling_group,
            entered_care_on=c.entered_care_on, plan_decided_on=c.plan_decided_on,
            placement_order_on=c.placement_order_on, match_recommended_on=c.match_recommended_on,
            match_agreed_on=c.match_agreed_on, placed_on=c.placed_on, adoption_order_on=c.adoption_order_on,
            early_permanence=c.early_permanence, early_permanence_placed_on=c.early_permanence_placed_on,
            foster_carer_adoption=c.foster_carer_adoption, foster_carer_placed_on=c.foster_carer_placed_on,
            disrupted_on=c.disrupted_on) for c in session.scalars(select(JourneyChild))]
        households = list(session.scalars(select(AdopterJourney)))
        adopters = [CaseDates(a.reference, a.registered_on, a.approved_on, a.stage2_started_on) for a in households]
        stage1 = [CaseDates(a.reference, a.registered_on, a.stage1_completed_on) for a in households]
        adm: list[CaseDates] = []
        if only("adm_7wd"):
            from adoption_desktop.adm.models import AdmDecision
            from adoption_desktop.adm.timeliness import signed_decisions

            # a correction is the same decision: dated and timed by its first signature
            adm = [CaseDates(x.row.subject_reference, x.row.received_on, x.decided_on, x.row.due_on)
                   for x in signed_decisions(session, start, end, calendar(session), AdmDecision.source == "panel")]
        letterbox: list[CaseDates] = []
        if only("letterbox_on_time"):
            from adoption_desktop.letterbox import rules
            from adoption_desktop.letterbox.models import Arrangement, Item
            from adoption_desktop.letterbox.service.arrangements import pattern_changes_in

            history = pattern_changes_in(session)  # one query: the agreements whose pattern changed
            for aid, ref, received, direction, months, first in session.execute(
                    select(Arrangement.id, Arrangement.reference, Item.received_on, Item.direction,
                           Arrangement.exchange_months, Arrangement.first_writer)
                    .join(Arrangement, Item.arrangement_id == Arrangement.id)
                    .where(Item.received_on >= start, Item.received_on <= end,
                           Item.status != rules.LOGGED_IN_ERROR)):
                changes = history.get(aid, ())
                if changes and received < max(c.effective_from for c in changes):
                    # came before the latest change: judged by the pattern then in effect (a month since taken
                    # away was on time)
                    then = rules.pattern_on(rules.Pattern(()), changes, received)
                    months, first = ",".join(map(str, then.months)), then.first_writer
                letterbox.append(CaseDates(ref, received, None, None,
                                           _letterbox_on_time(received, months or "", direction, first or "")))
        counselling: list[CaseDates] = []
        if only("counselling_wait"):
            from adoption_desktop.counselling.models import CounsellingCase
            from adoption_desktop.counselling.service.data import OPENED_IN_ERROR

            counselling = [CaseDates(ref, referred, allocated) for ref, referred, allocated in session.execute(
                select(CounsellingCase.reference, CounsellingCase.referral_date, CounsellingCase.allocated_on)
                .where(CounsellingCase.allocated_on >= start, CounsellingCase.allocated_on <= end,
                       CounsellingCase.outcome != OPENED_IN_ERROR))]  # a case opened in error: no wait
    return Inputs(children, adopters, stage1, adm, letterbox, counselling), t


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError("Date range: the end date is before the start date.", "end")


def journey_measures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[Measure]:
    """Every measure for ``start``..``end`` inclusive, in the order of :data:`MEASURES`."""
    require(actor, Permission.REPORTS_VIEW)
    _check_range(start, end)
    inputs, t = _load(db, actor, start, end)
    return compute(inputs, start, end, t)


def measure_children(db: Database, actor: Principal, code: str, start: dt.date, end: dt.date) -> list[ChildRow]:
    """The children (or cases) behind one measure: the figure opened. Children and adopter households are
    listed by reference and initials (never names) to people who may open their records (``adm.view`` or
    ``panel.view``; ``reports.view`` alone sees the count); the cases of another area (ADM decisions,
    letterbox items, counselling cases) only to people who may open that area."""
    from adoption_desktop.reports.behind import require_children_list

    require(actor, Permission.REPORTS_VIEW)
    _check_range(start, end)
    if code not in MEASURES:
        raise ValidationError(f"Measure: '{code}' is not a measure; choose one of {', '.join(CODES)}.", "code")
    if code in AREA_PERMISSION:
        require(actor, AREA_PERMISSION[code])
    else:
        require_children_list(actor)
    inputs, t = _load(db, actor, start, end, only=lambda c: c == code)
    return rows_for(code, inputs, start, end, t)


def format_value(m: Measure) -> str:
    """The figure as a person reads it (for the Reports page and CSV)."""
    if m.value is None:
        return "n/a (none in the period)"
    if m.unit == "%":
        return f"{m.value:g}% ({m.within} of {m.count})"
    if m.unit == "children":
        return f"{m.value:g} of {m.count}"
    return f"{m.value:g} {m.unit}"
