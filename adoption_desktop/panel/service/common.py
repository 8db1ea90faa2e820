"""Panel service, shared helpers: the quorum rule, rows read into plain data (members, sittings, items,
minutes, attendance, declarations) and the look-ups every use case of the package makes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core.errors import Conflict
from adoption_desktop.core.security.permissions import Permission
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.panel import rules, settings
from adoption_desktop.panel.models import (
    PanelAppraisal,
    PanelAttendance,
    PanelDeclaration,
    PanelItem,
    PanelItemAbsence,
    PanelMember,
    PanelMinutes,
    PanelPaper,
    PanelSitting,
)
from adoption_desktop.panel.rules import QuorumMember, QuorumResult, QuorumRule
from adoption_desktop.panel.service.data import (
    AbsenceRow,
    AttendanceRow,
    DeclarationRow,
    ItemRow,
    MemberRow,
    MinutesDraft,
    MinutesRow,
    PaperRow,
    SittingRow,
)

P = Permission


#: approved minutes not as the chair approved them (``seal_check.require_unchanged``, the Minutes tab's red line)
NOT_AS_APPROVED = "These approved minutes are not as they were approved"


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


# --- helpers ------------------------------------------------------------------------------------
def quorum_rule(session: Session) -> QuorumRule:
    return QuorumRule(
        min_members=get_setting(session, settings.QUORUM_MIN_MEMBERS),
        require_chair_or_vice=get_setting(session, settings.QUORUM_REQUIRE_CHAIR),
        social_worker_pqe_years=get_setting(session, settings.QUORUM_SW_PQE_YEARS),
        require_independent=get_setting(session, settings.QUORUM_REQUIRE_INDEPENDENT),
    )


def _member_row(m: PanelMember, today: dt.date, warn: tuple[int, int, int],
                appraised_on: dt.date | None = None) -> MemberRow:
    warnings: tuple[str, ...] = ()
    if m.leaves_on is None or m.leaves_on > today:
        warnings = tuple(rules.member_warnings(
            rules.MemberDates(m.appraisal_due, m.dbs_checked_on, m.training_on, appraised_on), today,
            warn_days=warn[0], dbs_years=warn[1], training_years=warn[2]))
    return MemberRow(m.id, m.full_name, m.role_type, rules.ROLE_LABELS.get(m.role_type, m.role_type),
                     rules.is_adviser(m.role_type), m.pqe_years, m.independent, m.joined_on, m.user_id,
                     m.notice_given_on, m.leaves_on, m.leaving_kind, m.leaving_reason, m.appraisal_due,
                     m.dbs_checked_on, m.training_on, warnings, m.row_version, m.gender, m.ethnicity,
                     appraised_on, rules.next_appraisal_due(m.appraisal_due, appraised_on))


def _last_appraisals(session: Session) -> dict[int, dt.date]:
    return {mid: day for mid, day in session.execute(
        select(PanelAppraisal.member_id, func.max(PanelAppraisal.done_on)).group_by(PanelAppraisal.member_id))}


def _record_appraisal(session: Session, m: PanelMember, appraised_on: dt.date | None, due_before: dt.date | None,
                      last: dt.date | None) -> dt.date | None:
    """Record an appraisal held on ``appraised_on`` when it is later than the last one recorded; it met the
    due date the member had before this save (``due_before``), so the member's *Appraisal due* moves on
    (:func:`rules.due_after_appraisal`: a year after it was held, unless a later date was typed; never back).
    Returns the last appraisal date."""
    if appraised_on is None or (last is not None and appraised_on <= last):
        return last
    session.add(PanelAppraisal(member_id=m.id, due_on=due_before, done_on=appraised_on))
    m.appraisal_due = rules.due_after_appraisal(m.appraisal_due, due_before, appraised_on)
    return appraised_on


def _warn_settings(session: Session) -> tuple[int, int, int]:
    return (get_setting(session, settings.WARNING_DAYS), get_setting(session, settings.DBS_RENEWAL_YEARS),
            get_setting(session, settings.TRAINING_RENEWAL_YEARS))


def _get(session: Session, kind: type, ident: int, what: str) -> object:
    return get_or_raise(session, kind, ident, f"No {what} with id {ident}.")


def _sitting(session: Session, sitting_id: int) -> PanelSitting:
    s = get_or_raise(session, PanelSitting, sitting_id, f"No panel sitting with id {sitting_id}.")
    return s


def _item(session: Session, item_id: int) -> PanelItem:
    i = get_or_raise(session, PanelItem, item_id, f"No agenda item with id {item_id}.")
    return i


def _sitting_status(s: PanelSitting, today: dt.date) -> str:
    """As the list shows it: a sitting on today's date is "today" (not "held" before it has started)."""
    if s.status == "cancelled":
        return "cancelled"
    if s.sitting_date == today:
        return "today"
    return "held" if s.sitting_date < today else "scheduled"


def _locked_items(session: Session, sitting_id: int) -> list[PanelItem]:
    """The sitting's items locked (id order, as everywhere) before anything is checked: a chair approving
    an item's minutes at the same moment comes wholly before or after the change."""
    from adoption_desktop.core.concurrency import lock_row

    return [lock_row(session, i) for i in session.scalars(
        select(PanelItem).where(PanelItem.sitting_id == sitting_id).order_by(PanelItem.id))]


def _first_minuted(session: Session, items: Sequence[PanelItem], *, approved: bool) -> int | None:
    """The agenda number of the first of ``items`` whose minutes record an outcome (a recommendation, a
    deferral: the panel sat; notes typed ahead of the sitting are not that), or with ``approved`` some
    version approved by the chair (a correction draft's item included)."""
    ids = [i.id for i in items]
    if not ids:
        return None
    query = (select(PanelItem.position).join(PanelMinutes, PanelMinutes.item_id == PanelItem.id)
             .where(PanelItem.id.in_(ids)).order_by(PanelItem.position).limit(1))
    query = query.where(PanelMinutes.status == "approved") if approved else query.where(PanelMinutes.outcome != "")
    return session.scalar(query)


def _refuse_if_approved(session: Session, items: Sequence[PanelItem], what: str) -> None:
    """Once an item's minutes are approved they number the sitting's agenda: refused, saying ``what``
    ("the order can no longer change"). The service's reorder and the undo of a move or a removal alike."""
    approved = _first_minuted(session, items, approved=True)
    if approved is not None:
        raise Conflict(f"The minutes of item {approved} of this sitting are approved, and they number the items "
                       f"in the agenda's order; {what}.")


@dataclass(frozen=True)
class _DeadlineRules:
    """What every sitting row's deadlines need, read once per list (not two settings per sitting)."""

    cal: WorkingCalendar
    papers_wd: int
    minutes_wd: int

    @classmethod
    def read(cls, session: Session) -> _DeadlineRules:
        return cls(calendar(session), get_setting(session, settings.PAPERS_DEADLINE_WD),
                   get_setting(session, settings.MINUTES_DEADLINE_WD))


def _sitting_row(session: Session, s: PanelSitting, today: dt.date, item_count: int | None = None,
                 deadlines: _DeadlineRules | None = None) -> SittingRow:
    d = deadlines or _DeadlineRules.read(session)
    if item_count is None:
        item_count = session.scalar(select(func.count()).where(PanelItem.sitting_id == s.id)) or 0
    return SittingRow(
        s.id, s.sitting_date, s.start_time, s.end_time, s.venue, s.virtual_link, _sitting_status(s, today),
        s.status_reason, s.moved_from, item_count,
        rules.papers_deadline(s.sitting_date, d.papers_wd, d.cal),
        rules.minutes_deadline(s.sitting_date, d.minutes_wd, d.cal),
        s.row_version)


def _current_minutes(session: Session, item_id: int) -> PanelMinutes | None:
    return session.scalars(select(PanelMinutes).where(PanelMinutes.item_id == item_id)
                           .order_by(PanelMinutes.version.desc()).limit(1)).first()


def _approved_minutes(session: Session, item_id: int, by: dt.date) -> PanelMinutes | None:
    """The newest version of an item's minutes approved on or before ``by`` (a later correction left out)."""
    return session.scalars(select(PanelMinutes).where(PanelMinutes.item_id == item_id,
                                                      PanelMinutes.status == "approved",
                                                      PanelMinutes.approved_on <= by)
                           .order_by(PanelMinutes.version.desc()).limit(1)).first()


def _draft_of(m: PanelMinutes) -> MinutesDraft:
    views = {int(k): str(v) for k, v in json.loads(m.member_views or "{}").items()}
    return MinutesDraft(m.outcome, m.recommendation_text, m.reasons, m.discussion, views, m.vote, m.votes_for,
                        m.votes_against, m.advice_number, m.advice_age_range, m.advice_sex, m.advice_needs,
                        m.deferral_reason)


def _minutes_row(m: PanelMinutes) -> MinutesRow:
    return MinutesRow(m.id, m.item_id, m.version, m.status, _draft_of(m), m.correction_reason, m.supersedes_id,
                      m.quorum_statement, m.submitted_on, m.approved_on, m.approved_by_name, m.handed_off_on,
                      m.adm_decision_id, m.row_version)


def _attendance(session: Session, sitting: PanelSitting) -> list[AttendanceRow]:
    statuses = {a.member_id: a.status for a in session.scalars(
        select(PanelAttendance).where(PanelAttendance.sitting_id == sitting.id))}
    out = []
    for m in session.scalars(select(PanelMember).order_by(PanelMember.full_name)):
        on_list = m.joined_on <= sitting.sitting_date and (m.leaves_on is None or sitting.sitting_date < m.leaves_on)
        if not on_list and m.id not in statuses:
            continue
        out.append(AttendanceRow(m.id, m.full_name, m.role_type, rules.ROLE_LABELS.get(m.role_type, m.role_type),
                                 rules.is_adviser(m.role_type), m.independent, m.pqe_years,
                                 statuses.get(m.id, ""), on_list))
    # chair first, then vice chairs, members, advisers
    order = list(rules.ROLE_LABELS)
    out.sort(key=lambda a: (a.is_adviser, order.index(a.role_type) if a.role_type in order else 99, a.full_name))
    return out


def _present_for_item(attendance: Sequence[AttendanceRow], declarations: Sequence[DeclarationRow],
                      absences: Sequence[AbsenceRow]) -> list[AttendanceRow]:
    """The members who count for an item: present at the sitting, not advisers, not withdrawn after a
    declaration, and not recorded as out of the room for the item (arrived after it, left before or
    during it), and on the central list on the sitting's day (a mark recorded before the member's leaving
    date was set never counts them). ``absences`` is required so that no caller forgets them (AAR 2005
    reg 3)."""
    out = {d.member_id for d in declarations if d.withdrew} | {x.member_id for x in absences}
    return [a for a in attendance
            if a.status == "present" and not a.is_adviser and a.on_list and a.member_id not in out]


def _quorum(rule: QuorumRule, present: Sequence[AttendanceRow]) -> QuorumResult:
    return rules.check_quorum([QuorumMember(rules.quorum_role(a.role_type), a.pqe_years, a.independent, a.full_name)
                               for a in present], rule)


def _declarations(session: Session, item_ids: Sequence[int]) -> dict[int, list[DeclarationRow]]:
    out: dict[int, list[DeclarationRow]] = {i: [] for i in item_ids}
    if not item_ids:
        return out
    rows = session.execute(select(PanelDeclaration, PanelMember.full_name)
                           .join(PanelMember, PanelMember.id == PanelDeclaration.member_id)
                           .where(PanelDeclaration.item_id.in_(item_ids)).order_by(PanelDeclaration.id))
    for d, name in rows:
        out[d.item_id].append(DeclarationRow(d.id, d.member_id, name, d.interest, d.withdrew))
    return out


def _absences(session: Session, item_ids: Sequence[int]) -> dict[int, list[AbsenceRow]]:
    """The members not present for each item, by item (first recorded first)."""
    out: dict[int, list[AbsenceRow]] = {i: [] for i in item_ids}
    if not item_ids:
        return out
    rows = session.execute(select(PanelItemAbsence, PanelMember.full_name)
                           .join(PanelMember, PanelMember.id == PanelItemAbsence.member_id)
                           .where(PanelItemAbsence.item_id.in_(item_ids)).order_by(PanelItemAbsence.id))
    for x, name in rows:
        out[x.item_id].append(AbsenceRow(x.id, x.member_id, name, x.reason))
    return out


def _items(session: Session, sitting: PanelSitting, attendance: Sequence[AttendanceRow], today: dt.date, *,
           approved_by: dt.date | None = None) -> list[ItemRow]:
    """The sitting's agenda items; ``approved_by``: with the minutes as approved on or before that day."""
    items = list(session.scalars(select(PanelItem).where(PanelItem.sitting_id == sitting.id)
                                 .order_by(PanelItem.position, PanelItem.id)))
    ids = [i.id for i in items]
    decls = _declarations(session, ids)
    away = _absences(session, ids)
    papers: dict[int, list[PanelPaper]] = {i: [] for i in ids}
    if ids:
        for p in session.scalars(select(PanelPaper).where(PanelPaper.item_id.in_(ids)).order_by(PanelPaper.id)):
            papers[p.item_id].append(p)
    deadline = rules.papers_deadline(sitting.sitting_date, get_setting(session, settings.PAPERS_DEADLINE_WD),
                                     calendar(session))
    rule = quorum_rule(session)
    recorded = any(a.status for a in attendance if not a.is_adviser)
    deferred_to: dict[int, dt.date] = {}
    if ids:  # where each deferred case went: the first later sitting not cancelled
        for source, day in session.execute(
                select(PanelItem.deferred_from_id, PanelSitting.sitting_date)
                .join(PanelSitting, PanelSitting.id == PanelItem.sitting_id)
                .where(PanelItem.deferred_from_id.in_(ids), PanelSitting.status != "cancelled")
                .order_by(PanelSitting.sitting_date.desc())):
            if source is not None:
                deferred_to[source] = day
    out = []
    for i in items:
        prow = tuple(PaperRow(p.code, rules.PAPERS.get(p.code, p.code), p.received_on,
                              rules.paper_late(p.received_on, deadline, today),
                              rules.paper_state(p.received_on, deadline, today)) for p in papers[i.id])
        current = (_current_minutes(session, i.id) if approved_by is None
                   else _approved_minutes(session, i.id, approved_by))
        out.append(ItemRow(i.id, i.sitting_id, i.position, i.case_type, i.subject_reference, i.subject_initials,
                           i.presenting_worker, i.time_slot, i.notes, prow, tuple(decls[i.id]),
                           _quorum(rule, _present_for_item(attendance, decls[i.id], away[i.id])),
                           _minutes_row(current) if current else None, recorded, i.row_version,
                           tuple(away[i.id]), deferred_to.get(i.id)))
    return out
