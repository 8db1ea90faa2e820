"""Panel make-up for a report period: who is on the central list at the period's end, by role, how many
are independent, their gender and ethnicity (ONS 2021 high-level groups), and who joined and left.

Definitions (the rules are pure, over :class:`MemberFacts`; only :func:`load_members` reads the database):

* **On the list on a day**: joined on or before it and not yet left (``joined_on <= day < leaves_on``);
  a member leaves, or is removed, on the date their one month's written notice ends (AAR 2005 reg 3(5)).
* **Members** are the people who sit on panels (chair, vice chairs, social workers, medical adviser,
  people with personal experience of adoption, other specialists); the panel adviser, legal adviser and
  minute-taker are on the list but are **not members** (AAR 2005 reg 3; statutory guidance 1.40) and are
  counted on a line of their own, never in the shares.
* **Independent**: the member's "independent of the agency" flag (the chair and independent members must
  not have worked for the agency in the previous 12 months). Share = independent members / members.
* **Joined in the period**: ``start <= joined_on <= end``; **left**: ``start <= leaves_on <= end``.
* Gender and ethnicity as the member describes themselves (``panel.profile``); "Not recorded" when
  nothing is entered. Ethnicity is counted by the five ONS 2021 high-level groups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.security.permissions import Permission, Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel import profile, rules
from adoption_desktop.reports.drilldown import FigureGroup, figures_over, pct, rows_behind
from adoption_desktop.reports.measures import ChildRow
from adoption_desktop.reports.model import FigureSection

MAKEUP = "Panel make-up at the end of the period"
MOVES = "Panel members joining and leaving"
SECTIONS = (MAKEUP, MOVES)


@dataclass(frozen=True)
class MemberFacts:
    id: int
    name: str
    role_type: str
    independent: bool
    joined_on: dt.date
    leaves_on: dt.date | None = None
    leaving_kind: str = ""   # "" / "left" / "removed"
    gender: str = ""
    ethnicity: str = ""
    appraisal_due: dt.date | None = None

    @property
    def is_member(self) -> bool:
        return not rules.is_adviser(self.role_type)

    @property
    def role_label(self) -> str:
        return rules.ROLE_LABELS.get(self.role_type, self.role_type)

    def on_list(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.leaves_on is None or day < self.leaves_on)


def member_row(m: MemberFacts, detail: str = "", start: dt.date | None = None, end: dt.date | None = None,
               within: bool | None = None) -> ChildRow:
    """A member as a line of a list behind a figure: name, initials, role and the detail."""
    text = "; ".join(p for p in (m.role_label + (", independent" if m.independent else ""), detail) if p)
    return ChildRow(m.name, rules.initials(m.name), "", start, end, None, within, text)


def compute(members: Sequence[MemberFacts], start: dt.date, end: dt.date) -> list[FigureGroup]:
    """The make-up and the joiners and leavers for ``start``..``end``. Pure."""
    people = sorted(members, key=lambda m: (m.name, m.id))
    at_end = [m for m in people if m.on_list(end) and m.is_member]
    advisers = [m for m in people if m.on_list(end) and not m.is_member]

    def listed(ms: Sequence[MemberFacts]) -> list[ChildRow]:
        return [member_row(m, _detail(m), m.joined_on) for m in ms]

    makeup = FigureGroup(MAKEUP)
    makeup.add("Members on the central list", listed(at_end))
    for code, label in rules.MEMBER_ROLES.items():
        makeup.add(f"Role: {label}", listed([m for m in at_end if m.role_type == code]))
    independent = listed([m for m in at_end if m.independent])
    makeup.add("Independent members", independent)
    makeup.value("Independent members: share of members (%)", pct(len(independent), len(at_end)), independent)
    for code, label in profile.GENDERS.items():
        if code != profile.NOT_RECORDED:
            makeup.add(f"Gender: {label}", listed([m for m in at_end if m.gender == code]))
    makeup.add("Gender: Not recorded", listed([m for m in at_end if m.gender not in profile.GENDERS
                                               or m.gender == profile.NOT_RECORDED]))
    for group in [*profile.ETHNIC_GROUPS.values(), "Prefers not to say", "Not recorded"]:
        makeup.add(f"Ethnicity: {group}", listed([m for m in at_end if _group(m.ethnicity) == group]))
    makeup.add("Advisers on the list (not members)", listed(advisers))

    moves = FigureGroup(MOVES)
    joined = [m for m in people if m.is_member and start <= m.joined_on <= end]
    left = [m for m in people if m.is_member and m.leaves_on is not None and start <= m.leaves_on <= end]
    moves.add("Members who joined", [_joiner(m) for m in joined])
    moves.add("Independent members who joined", [_joiner(m) for m in joined if m.independent])
    moves.add("Members who left", [_leaver(m) for m in left])
    moves.add("Independent members who left", [_leaver(m) for m in left if m.independent])
    moves.add("Members removed by the agency (of those who left)",
              [_leaver(m) for m in left if m.leaving_kind == "removed"])
    return [makeup, moves]


def _group(code: str) -> str:
    try:
        return profile.ethnic_group(code)
    except KeyError:  # a code this version does not know: not a recorded category
        return "Not recorded"


def _joiner(m: MemberFacts) -> ChildRow:
    return member_row(m, f"joined {m.joined_on:%d/%m/%Y}", m.joined_on)


def _leaver(m: MemberFacts) -> ChildRow:
    kind = "removed" if m.leaving_kind == "removed" else "left"
    return member_row(m, f"{kind} {m.leaves_on:%d/%m/%Y}", None, m.leaves_on)


def _detail(m: MemberFacts) -> str:
    gender = profile.GENDERS.get(m.gender, "Not recorded")
    return f"joined {m.joined_on:%d/%m/%Y}; gender: {gender}; ethnicity: {_group_detail(m.ethnicity)}"


def _group_detail(code: str) -> str:
    try:
        return profile.ethnicity_label(code)
    except KeyError:
        return "Not recorded"


def load_members(session: Session) -> list[MemberFacts]:
    from adoption_desktop.panel.models import PanelMember

    m = PanelMember
    return [MemberFacts(r.id, r.full_name, r.role_type, r.independent, r.joined_on, r.leaves_on, r.leaving_kind,
                        r.gender, r.ethnicity, r.appraisal_due) for r in session.execute(select(
                            m.id, m.full_name, m.role_type, m.independent, m.joined_on, m.leaves_on,
                            m.leaving_kind, m.gender, m.ethnicity, m.appraisal_due))]


def _groups(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureGroup]:
    with db.session(actor, write=False) as session:
        members = load_members(session)
    return compute(members, start, end)


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    return figures_over(_groups, db, actor, start, end)


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date
           ) -> list[ChildRow]:
    """The members behind one figure (names: needs ``panel.view`` besides ``reports.view``)."""
    return rows_behind(_groups, Permission.PANEL_VIEW, db, actor, section, label, start, end)
