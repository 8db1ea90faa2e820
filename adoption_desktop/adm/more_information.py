"""Decisions where the agency decision maker asked for more information before deciding: how many, of
which decision types, how they ended and how long the clock was paused.

Definitions (pure rules over :class:`DecisionFacts`; :func:`load` reads the database):

* **Asked for more information in the period**: a decision (all its versions together: a correction is
  the same decision) with at least one request for information made on a date in the period. A decision
  is counted once however many requests it had.
* **Outcome**, from the decision's latest version, as of the day the figures are counted, in this order:
  **still waiting** (not signed yet); **differs from panel** (a panel case decided differently from the
  recommendation, or proposed not to approve where the panel recommended approval); **not agreed**
  (proposed not to approve, a negative panel recommendation agreed, or a decision without panel decided
  differently); **agreed** (the recommendation, or without panel the proposal, agreed).
* **Days paused**: working days from the day information was asked for to the day it was logged (to the
  day counted while still awaited), summed over the decision's requests made in the period. The decision
  clock is paused, not reset, for that time (Adoption Statutory Guidance ch. 3; ``adm.rules``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.adm import rules
from adoption_desktop.core.security.permissions import Permission, Principal
from adoption_desktop.core.settings_service import calendar
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.reports.drilldown import FigureGroup, figures_over, median, rows_behind
from adoption_desktop.reports.measures import ChildRow
from adoption_desktop.reports.model import FigureSection

MORE_INFORMATION = "ADM asked for more information: decision types and outcomes"
SECTIONS = (MORE_INFORMATION,)

AGREED, NOT_AGREED, DIFFERS, WAITING = "agreed", "not agreed", "differs from panel", "still waiting"
OUTCOMES = (AGREED, NOT_AGREED, DIFFERS, WAITING)


@dataclass(frozen=True)
class Request:
    requested_on: dt.date
    received_on: dt.date | None


@dataclass(frozen=True)
class DecisionFacts:
    reference: str
    initials: str
    decision_type: str
    source: str                # panel | direct | qd_final
    recommendation: str        # the panel's outcome code ("" without panel)
    signed: bool               # the latest version is signed
    outcome: str               # agree | differ | not_approve ("" while a draft)
    decided_on: dt.date | None
    requests: tuple[Request, ...]


def outcome_of(d: DecisionFacts) -> str:
    """Still waiting, differs from panel, not agreed or agreed (see the module's definitions). Pure."""
    if not d.signed:
        return WAITING
    negative = d.recommendation in rules.NEGATIVE_RECOMMENDATIONS
    if d.source == "panel" and (d.outcome == rules.OUTCOME_DIFFER or (
            d.outcome == rules.OUTCOME_NOT_APPROVE and not negative)):
        return DIFFERS
    if d.outcome in (rules.OUTCOME_NOT_APPROVE, rules.OUTCOME_DIFFER) or (d.outcome == rules.OUTCOME_AGREE
                                                                         and negative):
        return NOT_AGREED
    return AGREED


def paused_days(d: DecisionFacts, start: dt.date, end: dt.date, as_of: dt.date, cal: WorkingCalendar) -> int:
    """Working days paused by the decision's requests made in ``start..end``. Pure."""
    return sum(max(cal.working_days_between(r.requested_on, r.received_on or as_of), 0)
               for r in d.requests if start <= r.requested_on <= end)


def compute(decisions: Sequence[DecisionFacts], start: dt.date, end: dt.date, as_of: dt.date,
            cal: WorkingCalendar, labels: dict[str, str] | None = None) -> list[FigureGroup]:
    asked = sorted((d for d in decisions if any(start <= r.requested_on <= end for r in d.requests)),
                   key=lambda d: (d.reference, d.decision_type))
    days = {id(d): paused_days(d, start, end, as_of, cal) for d in asked}

    def row(d: DecisionFacts) -> ChildRow:
        first = min(r.requested_on for r in d.requests if start <= r.requested_on <= end)
        text = f"{rules.type_label(d.decision_type, labels)}; {outcome_of(d)}; paused {days[id(d)]} working days"
        return ChildRow(d.reference, d.initials, "", first, d.decided_on, days[id(d)], None, text)

    g = FigureGroup(MORE_INFORMATION)
    requests = [r for d in asked for r in d.requests if start <= r.requested_on <= end]
    g.add("Decisions where more information was asked for", [row(d) for d in asked])
    g.value("Requests for more information made", str(len(requests)), [row(d) for d in asked])
    g.add("Decisions still waiting for the information", [row(d) for d in asked if any(
        r.received_on is None for r in d.requests)])
    for outcome in OUTCOMES:
        g.add(f"All types: {outcome}", [row(d) for d in asked if outcome_of(d) == outcome])
    g.value("All types: median working days paused", median([days[id(d)] for d in asked]),
            [row(d) for d in asked])
    order = [*rules.BUILTIN_TYPES, *sorted({d.decision_type for d in asked} - set(rules.BUILTIN_TYPES))]
    for t in order:
        mine = [d for d in asked if d.decision_type == t]
        if not mine:
            continue
        name = rules.type_label(t, labels)
        # "Information asked for on review of approval: agreed" (the type is not first: the report's
        # adopters' chapter gathers rows that begin with an adopter decision type)
        label = f"Information asked for on {name[:1].lower()}{name[1:]}"
        g.add(f"{label}: decisions", [row(d) for d in mine])
        for outcome in OUTCOMES:
            g.add(f"{label}: {outcome}", [row(d) for d in mine if outcome_of(d) == outcome])
        g.value(f"{label}: median working days paused", median([days[id(d)] for d in mine]),
                [row(d) for d in mine])
    return [g]


def load(session: Session) -> list[DecisionFacts]:
    """Every decision with a request for information (latest version of each)."""
    from adoption_desktop.adm.models import AdmDecision, AdmInfoRequest

    requests: dict[int, list[Request]] = {}
    for decision_id, asked, got in session.execute(
            select(AdmInfoRequest.decision_id, AdmInfoRequest.requested_on, AdmInfoRequest.received_on)):
        requests.setdefault(decision_id, []).append(Request(asked, got))
    if not requests:
        return []
    versions = list(session.scalars(select(AdmDecision)))
    root = {d.id: d.root_id or d.id for d in versions}
    by_root: dict[int, list[Request]] = {}
    for decision_id, rs in requests.items():
        by_root.setdefault(root.get(decision_id, decision_id), []).extend(rs)
    latest: dict[int, AdmDecision] = {}
    for d in versions:
        r = root[d.id]
        if r in by_root and (r not in latest or d.version > latest[r].version):
            latest[r] = d
    return [DecisionFacts(d.subject_reference, d.subject_initials, d.decision_type, d.source, d.recommendation,
                          d.signed_at is not None, d.outcome, d.decided_on,
                          tuple(sorted(by_root[r], key=lambda x: x.requested_on)))
            for r, d in latest.items()]


def _groups(db: Database, actor: Principal, start: dt.date, end: dt.date, as_of: dt.date | None = None
            ) -> list[FigureGroup]:
    from adoption_desktop.adm.models import AdmDecisionType

    with db.session(actor, write=False) as session:
        cal = calendar(session)
        labels = {c: label for c, label in session.execute(select(AdmDecisionType.code, AdmDecisionType.label))}
        decisions = load(session)
    return compute(decisions, start, end, as_of or dt.date.today(), cal, labels)


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    return figures_over(_groups, db, actor, start, end)


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date
           ) -> list[ChildRow]:
    """The decisions behind one figure, by reference and initials (needs ``adm.view``)."""
    return rows_behind(_groups, Permission.ADM_VIEW, db, actor, section, label, start, end)
