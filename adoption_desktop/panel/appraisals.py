"""Annual reviews (appraisals) of panel members in a report period: due, held, overdue.

Members are appraised annually (National Minimum Standards 2014, 17.3). Each appraisal held is recorded
(``panel_appraisals``: the day it was held and the due date it met, from the member form's *Last appraisal
held*); the member's *Appraisal due* is the one still to come.

Definitions (pure rules over :class:`Due`; :func:`load` reads the database):

* **An appraisal due**: each recorded appraisal's due date, and the member's next as the central list's
  warning counts it (``rules.next_appraisal_due``: the typed *Appraisal due*, never more than a year after
  the last appraisal held) unless an appraisal already met it; counted for members (not advisers) on the central list on that date.
* **Due in the period**: due date in ``start..end``; **held by the end of the period** / **held by the due
  date**: of those, held on or before the period's end / on or before the due date.
* **Held in the period**: appraisals held on a date in ``start..end`` (whatever date they were due).
* **Overdue at the end of the period**: due before the period's end and not held by then, for members
  still on the list at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.security.permissions import Permission, Principal
from adoption_desktop.core.settings_service import get_setting
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel.makeup import MemberFacts, load_members, member_row
from adoption_desktop.panel.rules import dbs_renewal_due, next_appraisal_due
from adoption_desktop.panel.settings import DBS_RENEWAL_YEARS
from adoption_desktop.reports.drilldown import FigureGroup, figures_over, rows_behind
from adoption_desktop.reports.measures import ChildRow
from adoption_desktop.reports.model import FigureSection

APPRAISALS = "Panel members' annual appraisals"
#: training and DBS checks: in the report's membership chapter and, opened to the members, on the Reports
#: page (a trial's manager found them only in the Word report)
CHECKS = "Panel members' training and DBS checks"
SECTIONS = (APPRAISALS, CHECKS)


@dataclass(frozen=True)
class Held:
    member_id: int
    due_on: dt.date | None
    done_on: dt.date


@dataclass(frozen=True)
class Due:
    member: MemberFacts
    due_on: dt.date | None
    done_on: dt.date | None

    def row(self) -> ChildRow:
        due = f"due {self.due_on:%d/%m/%Y}" if self.due_on else "no due date recorded"
        held = f"held {self.done_on:%d/%m/%Y}" if self.done_on else "not held"
        on_time = None if self.due_on is None or self.done_on is None else self.done_on <= self.due_on
        return member_row(self.member, f"{due}; {held}", self.due_on, self.done_on, on_time)


def _last_held(held: Sequence[Held]) -> dict[int, dt.date]:
    last: dict[int, dt.date] = {}
    for h in held:
        last[h.member_id] = max(h.done_on, last.get(h.member_id, h.done_on))
    return last


def occurrences(members: Sequence[MemberFacts], held: Sequence[Held]) -> list[Due]:
    """Every appraisal held and every one still due, for members (not advisers). Pure."""
    by_id = {m.id: m for m in members if m.is_member}
    out = [Due(by_id[h.member_id], h.due_on, h.done_on) for h in held if h.member_id in by_id]
    met = {(h.member_id, h.due_on) for h in held}
    last = _last_held(held)
    for m in by_id.values():
        # the one still to come as the central list's warning counts it (rules.next_appraisal_due: never more
        # than a year after the last held, whatever date was typed): a member last appraised on 08/01/2025 with
        # 2027 typed was overdue on the list but not in the figures
        due = next_appraisal_due(m.appraisal_due, last.get(m.id))
        if due is not None and (m.id, due) not in met:
            out.append(Due(m, due, None))
    return sorted(out, key=lambda d: (d.member.name, d.member.id, d.due_on or d.done_on or dt.date.min))


def compute(members: Sequence[MemberFacts], held: Sequence[Held], start: dt.date, end: dt.date
            ) -> list[FigureGroup]:
    every = occurrences(members, held)
    last = _last_held(held)
    due = [d for d in every if d.due_on is not None and start <= d.due_on <= end and d.member.on_list(d.due_on)]
    by_end = [d for d in due if d.done_on is not None and d.done_on <= end]
    g = FigureGroup(APPRAISALS)
    g.add("Appraisals due in the period", [d.row() for d in due])
    g.add("of which held by the end of the period", [d.row() for d in by_end])
    g.add("of which held by the due date", [d.row() for d in by_end if d.due_on and d.done_on
                                            and d.done_on <= d.due_on])
    g.add("Appraisals held in the period", [d.row() for d in every if d.done_on and start <= d.done_on <= end])
    g.add("Appraisals overdue at the end of the period", [
        d.row() for d in every if d.due_on is not None and d.due_on < end and d.member.on_list(end)
        and (d.done_on is None or d.done_on > end)])
    g.add("Members on the list at the end with no appraisal due date", [
        member_row(m) for m in sorted(members, key=lambda m: (m.name, m.id))
        if m.is_member and m.on_list(end) and next_appraisal_due(m.appraisal_due, last.get(m.id)) is None])
    return [g]


@dataclass(frozen=True)
class Checks:
    member_id: int
    training_on: dt.date | None
    dbs_checked_on: dt.date | None


def checks_group(members: Sequence[MemberFacts], checks: Sequence[Checks], start: dt.date, end: dt.date,
                 dbs_years: int = 3) -> FigureGroup:
    """Members (not advisers) trained in the period (their last training recorded), and those on the list at
    the end whose DBS check is more than ``dbs_years`` (the ``panel.dbs_renewal_years`` setting) old or not
    recorded. Pure."""
    by_id = {c.member_id: c for c in checks}
    people = sorted((m for m in members if m.is_member), key=lambda m: (m.name, m.id))
    g = FigureGroup(CHECKS)
    trained = []
    old = []
    for m in people:
        c = by_id.get(m.id)
        training, dbs = (c.training_on, c.dbs_checked_on) if c else (None, None)
        if training is not None and start <= training <= end:
            trained.append(member_row(m, f"training {training:%d/%m/%Y}", training))
        if m.on_list(end) and (dbs is None or dbs_renewal_due(dbs, dbs_years) < end):
            old.append(member_row(m, f"DBS checked {dbs:%d/%m/%Y}" if dbs else "no DBS check recorded", dbs))
    g.add("Members who attended training in the period", trained)
    g.add(f"DBS check more than {_years(dbs_years)} old (or not recorded) at the end", old)
    return g


def _years(n: int) -> str:
    words = {1: "one year", 2: "two years", 3: "three years", 4: "four years", 5: "five years"}
    return words.get(n, f"{n} years")


def load_checks(session: Session) -> list[Checks]:
    from adoption_desktop.panel.models import PanelMember

    return [Checks(i, t, d) for i, t, d in session.execute(
        select(PanelMember.id, PanelMember.training_on, PanelMember.dbs_checked_on))]


def load(session: Session) -> list[Held]:
    from adoption_desktop.panel.models import PanelAppraisal

    return [Held(mid, due, done) for mid, due, done in session.execute(
        select(PanelAppraisal.member_id, PanelAppraisal.due_on, PanelAppraisal.done_on))]


def _groups(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureGroup]:
    with db.session(actor, write=False) as session:
        members = load_members(session)
        held = load(session)
        checks = load_checks(session)
        dbs_years = int(get_setting(session, DBS_RENEWAL_YEARS))
    return [*compute(members, held, start, end), checks_group(members, checks, start, end, dbs_years)]


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    return figures_over(_groups, db, actor, start, end)


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date
           ) -> list[ChildRow]:
    """The members behind one figure, each with the appraisal's due and held dates (needs ``panel.view``)."""
    return rows_behind(_groups, Permission.PANEL_VIEW, db, actor, section, label, start, end)
