"""Members' attendance at panel sittings in a report period, per member and overall.

Definitions (pure rules over :class:`AttendanceFacts`; :func:`load` reads the database):

* **Sittings in the period**: sittings held (not cancelled) on a date in the period and not after the
  day the figures are counted (a future sitting has not been attended yet).
* **Invited**: a member (not an adviser) was invited to a sitting when their attendance is recorded for
  it as present, apologies or absent. A panel is constituted for each sitting from the central list, so
  being on the list is not an invitation; a sitting with no attendance recorded for the member is not
  counted for them.
* **Attended**: recorded as present. A member's attendance = sittings attended / sittings invited to;
  overall = all attendances / all invitations (each member-sitting counted once).
* Bands count members by their own share: all sittings, at least three quarters, at least half, under
  half.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel.makeup import MemberFacts, load_members, member_row
from adoption_desktop.reports.drilldown import FigureGroup, find, pct, sections
from adoption_desktop.reports.measures import ChildRow
from adoption_desktop.reports.model import FigureSection

ATTENDANCE = "Panel members' attendance at sittings"
SECTIONS = (ATTENDANCE,)


@dataclass(frozen=True)
class AttendanceFacts:
    sitting_date: dt.date
    member_id: int
    status: str  # present / apologies / absent


@dataclass(frozen=True)
class MemberAttendance:
    member: MemberFacts
    invited: int
    attended: int
    apologies: int
    absent: int
    first: dt.date
    last: dt.date

    @property
    def share(self) -> float:
        return self.attended / self.invited

    def row(self) -> ChildRow:
        return member_row(self.member, f"attended {self.attended} of {self.invited} sittings "
                          f"({pct(self.attended, self.invited)}%); apologies {self.apologies}; absent {self.absent}",
                          self.first, self.last, self.attended == self.invited)


def per_member(members: Sequence[MemberFacts], records: Sequence[AttendanceFacts], start: dt.date,
               end: dt.date) -> list[MemberAttendance]:
    """Each member invited to at least one sitting in ``start..end`` (records already limited to sittings
    held), by name. Pure."""
    by_id = {m.id: m for m in members if m.is_member}
    out = []
    for mid, m in by_id.items():
        mine = [r for r in records if r.member_id == mid and start <= r.sitting_date <= end]
        if not mine:
            continue
        count = {s: sum(1 for r in mine if r.status == s) for s in ("present", "apologies", "absent")}
        out.append(MemberAttendance(m, len(mine), count["present"], count["apologies"], count["absent"],
                                    min(r.sitting_date for r in mine), max(r.sitting_date for r in mine)))
    return sorted(out, key=lambda a: (a.member.name, a.member.id))


def compute(members: Sequence[MemberFacts], records: Sequence[AttendanceFacts], sittings: Sequence[dt.date],
            start: dt.date, end: dt.date) -> list[FigureGroup]:
    """``sittings``: dates of the sittings held (one per sitting). Pure."""
    each = per_member(members, records, start, end)
    invitations = sum(a.invited for a in each)
    attended = sum(a.attended for a in each)
    g = FigureGroup(ATTENDANCE)
    rows = [a.row() for a in each]
    g.add("Sittings held", [ChildRow(f"Sitting of {d:%d/%m/%Y}", "", "", d, None, None, None, "held")
                            for d in sorted(d for d in sittings if start <= d <= end)])
    g.add("Members invited to at least one sitting", rows)
    g.value("Invitations (member places at sittings)", str(invitations), rows)
    g.value("Attendances (present)", str(attended), rows)
    g.value("Apologies", str(sum(a.apologies for a in each)), [a.row() for a in each if a.apologies])
    g.value("Absent without apologies", str(sum(a.absent for a in each)), [a.row() for a in each if a.absent])
    g.value("Overall attendance (%)", pct(attended, invitations), rows)
    g.add("Members who attended every sitting they were invited to", [a.row() for a in each if a.share == 1])
    g.add("Members who attended at least three quarters (not all)",
          [a.row() for a in each if 0.75 <= a.share < 1])
    g.add("Members who attended at least half (under three quarters)",
          [a.row() for a in each if 0.5 <= a.share < 0.75])
    g.add("Members who attended under half", [a.row() for a in each if a.share < 0.5])
    return [g]


def load(session: Session, start: dt.date, end: dt.date) -> tuple[list[AttendanceFacts], list[dt.date]]:
    """Attendance at the sittings held in ``start..end`` up to today, and those sittings' dates."""
    from adoption_desktop.panel.models import PanelAttendance, PanelSitting

    last = min(end, dt.date.today())
    held = select(PanelSitting.id, PanelSitting.sitting_date).where(
        PanelSitting.status != "cancelled", PanelSitting.sitting_date >= start, PanelSitting.sitting_date <= last)
    dates = [d for _i, d in session.execute(held)]
    records = [AttendanceFacts(d, mid, status) for d, mid, status in session.execute(
        select(PanelSitting.sitting_date, PanelAttendance.member_id, PanelAttendance.status)
        .join(PanelSitting, PanelSitting.id == PanelAttendance.sitting_id)
        .where(PanelSitting.status != "cancelled", PanelSitting.sitting_date >= start,
               PanelSitting.sitting_date <= last))]
    return records, dates


def _groups(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureGroup]:
    with db.session(actor, write=False) as session:
        members = load_members(session)
        records, dates = load(session, start, end)
    return compute(members, records, dates, start, end)


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    require(actor, Permission.REPORTS_VIEW)
    return sections(_groups(db, actor, start, end))


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date
           ) -> list[ChildRow]:
    """The members behind one figure, each with their own attendance (needs ``panel.view``)."""
    require(actor, Permission.REPORTS_VIEW)
    require(actor, Permission.PANEL_VIEW)
    return find(_groups(db, actor, start, end), section, label)
