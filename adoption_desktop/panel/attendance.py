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
* **Attendance being corrected**: attendance is counted as it stands. While every item of a sitting whose
  minutes the chair approved has a correction of its minutes open (drafted or sent, not yet approved), the
  sitting's attendance may be corrected (``service.set_attendance``), and no copy of the attendance as
  approved is kept to count instead. Such sittings are named in their own line, "Sittings whose
  attendance is open to correction, awaiting the chair" (shown only when there is one), so a figure that
  includes a correction the chair has not approved is never silent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adoption_desktop.core.security.permissions import Permission, Principal
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.panel.makeup import MemberFacts, load_members, member_row
from adoption_desktop.reports.drilldown import FigureGroup, figures_over, pct, rows_behind
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


CORRECTING = "Sittings whose attendance is open to correction, awaiting the chair (counted as it stands now)"


def compute(members: Sequence[MemberFacts], records: Sequence[AttendanceFacts], sittings: Sequence[dt.date],
            start: dt.date, end: dt.date, correcting: Sequence[dt.date] = ()) -> list[FigureGroup]:
    """``sittings``: dates of the sittings held (one per sitting); ``correcting``: those of them whose
    attendance is open to correction (:func:`load_correcting`). Pure."""
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
    open_now = sorted(d for d in correcting if start <= d <= end)
    if open_now:
        g.add(CORRECTING, [ChildRow(f"Sitting of {d:%d/%m/%Y}", "", "", d, None, None, None,
                                    "a correction of its minutes is awaiting the chair: the attendance counted "
                                    "may include changes the chair has not approved yet") for d in open_now])
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


def load_correcting(session: Session, start: dt.date, end: dt.date) -> list[dt.date]:
    """The sittings held in ``start..end`` up to today whose attendance may be corrected now: at least one
    item's minutes were approved, and every such item has a correction open (its newest version corrects
    an approved one and is not approved yet), as ``service.set_attendance`` allows."""
    from adoption_desktop.panel.models import PanelItem, PanelMinutes, PanelSitting

    last = min(end, dt.date.today())
    versions: dict[int, list[tuple[str, bool]]] = {}
    sitting_of: dict[int, tuple[int, dt.date]] = {}
    for sid, day, item_id, status, corrects in session.execute(
            select(PanelSitting.id, PanelSitting.sitting_date, PanelMinutes.item_id, PanelMinutes.status,
                   PanelMinutes.supersedes_id.is_not(None))
            .join(PanelItem, PanelItem.sitting_id == PanelSitting.id)
            .join(PanelMinutes, PanelMinutes.item_id == PanelItem.id)
            .where(PanelSitting.status != "cancelled", PanelSitting.sitting_date >= start,
                   PanelSitting.sitting_date <= last)
            .order_by(PanelMinutes.item_id, PanelMinutes.version)):
        versions.setdefault(item_id, []).append((status, bool(corrects)))
        sitting_of[item_id] = (sid, day)
    approved: dict[int, list[bool]] = {}  # sitting -> for each item with approved minutes: correction open?
    days: dict[int, dt.date] = {}
    for item_id, v in versions.items():
        if any(status == "approved" for status, _c in v):
            sid, day = sitting_of[item_id]
            newest_status, newest_corrects = v[-1]
            approved.setdefault(sid, []).append(newest_corrects and newest_status != "approved")
            days[sid] = day
    return sorted(days[sid] for sid, open_ in approved.items() if all(open_))


def _groups(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureGroup]:
    with db.session(actor, write=False) as session:
        members = load_members(session)
        records, dates = load(session, start, end)
        correcting = load_correcting(session, start, end)
    return compute(members, records, dates, start, end, correcting)


def figures(db: Database, actor: Principal, start: dt.date, end: dt.date) -> list[FigureSection]:
    return figures_over(_groups, db, actor, start, end)


def behind(db: Database, actor: Principal, section: str, label: str, start: dt.date, end: dt.date
           ) -> list[ChildRow]:
    """The members behind one figure, each with their own attendance (needs ``panel.view``)."""
    return rows_behind(_groups, Permission.PANEL_VIEW, db, actor, section, label, start, end)
