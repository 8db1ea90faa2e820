"""Panel use cases: one transaction each, permission checked first, audited; plain data out."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core import audit
from adoption_desktop.core.concurrency import check_version, last_saved, lock_row, stale, when_text
from adoption_desktop.core.errors import Conflict, NotFound, StaleRecord, ValidationError
from adoption_desktop.core.handoff import PanelHandoff
from adoption_desktop.core.security.permissions import Permission, Principal, require
from adoption_desktop.core.security.service import reauthenticate
from adoption_desktop.core.settings_service import calendar, get_setting
from adoption_desktop.core.storage.base import get_or_raise
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.text_input import check_date, clean_name, clean_reference, clean_text
from adoption_desktop.core.workdays import WorkingCalendar
from adoption_desktop.panel import profile, rules, settings
from adoption_desktop.panel.models import (
    PanelAppraisal,
    PanelAttendance,
    PanelDeclaration,
    PanelItem,
    PanelMember,
    PanelMinutes,
    PanelPaper,
    PanelSitting,
)
from adoption_desktop.panel.rules import QuorumMember, QuorumResult, QuorumRule
from adoption_desktop.panel.snapshots import AttendanceChange, OrderChange, RemovedDeclaration, RemovedItem
from adoption_desktop.panel.snapshots import declaration as declaration_snapshot
from adoption_desktop.panel.snapshots import removed_item as removed_item_snapshot

P = Permission


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


# --- plain data ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberInput:
    full_name: str
    role_type: str
    joined_on: dt.date
    pqe_years: int | None = None
    independent: bool = False
    user_id: int | None = None
    appraisal_due: dt.date | None = None
    dbs_checked_on: dt.date | None = None
    training_on: dt.date | None = None
    gender: str = ""          # panel.profile.GENDERS ("" = not recorded)
    ethnicity: str = ""       # panel.profile.ETHNICITIES, "" or "prefer_not_to_say"
    #: the day the member's last annual appraisal was held; a date later than the last one recorded
    #: records an appraisal that met the appraisal due date the member had until now
    appraised_on: dt.date | None = None


@dataclass(frozen=True)
class MemberRow:
    id: int
    full_name: str
    role_type: str
    role_label: str
    is_adviser: bool
    pqe_years: int | None
    independent: bool
    joined_on: dt.date
    user_id: int | None
    notice_given_on: dt.date | None
    leaves_on: dt.date | None
    leaving_kind: str
    leaving_reason: str
    appraisal_due: dt.date | None
    dbs_checked_on: dt.date | None
    training_on: dt.date | None
    warnings: tuple[str, ...]
    row_version: int = 1
    gender: str = ""
    ethnicity: str = ""
    appraised_on: dt.date | None = None  # the last appraisal recorded

    def active_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.leaves_on is None or day < self.leaves_on)


@dataclass(frozen=True)
class SittingInput:
    first_date: dt.date
    start_time: str = "10:00"
    end_time: str = "13:00"
    venue: str = ""
    virtual_link: str = ""
    recurrence: str = "once"
    count: int = 1


@dataclass(frozen=True)
class SittingRow:
    id: int
    sitting_date: dt.date
    start_time: str
    end_time: str
    venue: str
    virtual_link: str
    status: str  # scheduled / held / cancelled
    status_reason: str
    moved_from: dt.date | None
    item_count: int
    papers_deadline: dt.date
    minutes_due: dt.date
    row_version: int = 1

    @property
    def place(self) -> str:
        return " / ".join(x for x in (self.venue, self.virtual_link) if x)


@dataclass(frozen=True)
class ItemInput:
    case_type: str
    subject_reference: str
    subject_initials: str
    presenting_worker: str = ""
    time_slot: str = ""
    notes: str = ""


@dataclass(frozen=True)
class PaperRow:
    code: str
    label: str
    received_on: dt.date | None
    late: bool
    #: ``panel.rules.paper_state``: on_time / late / overdue / awaited (a paper not received is never on time)
    state: str = ""

    @property
    def on_time_text(self) -> str:
        """What the minutes and the screens say in the "On time" column."""
        return rules.PAPER_STATES.get(self.state, "late" if self.late else "")


@dataclass(frozen=True)
class DeclarationRow:
    id: int
    member_id: int
    member_name: str
    interest: str
    withdrew: bool


@dataclass(frozen=True)
class MinutesDraft:
    outcome: str = ""
    recommendation_text: str = ""
    reasons: str = ""
    discussion: str = ""
    member_views: dict[int, str] = field(default_factory=dict)
    vote: str = ""
    votes_for: int | None = None
    votes_against: int | None = None
    advice_number: int | None = None
    advice_age_range: str = ""
    advice_sex: str = ""
    advice_needs: str = ""
    deferral_reason: str = ""


@dataclass(frozen=True)
class MinutesRow:
    id: int
    item_id: int
    version: int
    status: str
    draft: MinutesDraft
    correction_reason: str
    supersedes_id: int | None
    quorum_statement: str
    submitted_on: dt.date | None
    approved_on: dt.date | None
    approved_by_name: str
    handed_off_on: dt.date | None
    adm_decision_id: int | None
    row_version: int = 1

    @property
    def locked(self) -> bool:
        return self.status == "approved"

    @property
    def advice_text(self) -> str:
        return advice_text(self.draft)


@dataclass(frozen=True)
class ItemRow:
    id: int
    sitting_id: int
    position: int
    case_type: str
    subject_reference: str
    subject_initials: str
    presenting_worker: str
    time_slot: str
    notes: str
    papers: tuple[PaperRow, ...]
    declarations: tuple[DeclarationRow, ...]
    quorum: QuorumResult
    minutes: MinutesRow | None
    #: False while nobody's attendance is recorded for the sitting (e.g. a future sitting): the quorum
    #: result is then not a shortfall yet, and the screens show "attendance not recorded".
    attendance_recorded: bool = True
    row_version: int = 1

    @property
    def quorum_state(self) -> str:
        """``"quorate"``, ``"inquorate"`` (a real shortfall) or ``"not_recorded"`` (no attendance yet)."""
        if self.quorum.quorate:
            return "quorate"
        return "inquorate" if self.attendance_recorded else "not_recorded"

    @property
    def quorum_text(self) -> str:
        if self.quorum_state == "not_recorded":
            return "Attendance not recorded yet: quorum is checked once attendance is marked."
        return self.quorum.summary

    @property
    def case_label(self) -> str:
        return rules.CASE_TYPES.get(self.case_type, self.case_type)

    @property
    def subject(self) -> str:
        return f"{self.subject_reference} ({self.subject_initials})" if self.subject_initials else \
            self.subject_reference

    @property
    def late_papers(self) -> int:
        return sum(1 for p in self.papers if p.late)

    @property
    def outcome_label(self) -> str:
        if not self.minutes or not self.minutes.draft.outcome:
            return ""
        return rules.OUTCOMES[self.minutes.draft.outcome]

    @property
    def minutes_status(self) -> str:
        return "" if not self.minutes else f"{self.minutes.status} (v{self.minutes.version})"


@dataclass(frozen=True)
class AttendanceRow:
    member_id: int
    full_name: str
    role_type: str
    role_label: str
    is_adviser: bool
    independent: bool
    pqe_years: int | None
    status: str  # "" = not recorded


@dataclass(frozen=True)
class SittingDetail:
    sitting: SittingRow
    items: tuple[ItemRow, ...]
    attendance: tuple[AttendanceRow, ...]


def advice_text(d: MinutesDraft) -> str:
    parts = []
    if d.advice_number:
        parts.append(f"number of children: {d.advice_number}")
    if d.advice_age_range:
        parts.append(f"age range: {d.advice_age_range}")
    if d.advice_sex:
        parts.append(f"sex: {d.advice_sex}")
    if d.advice_needs:
        parts.append(f"needs and background: {d.advice_needs}")
    return "; ".join(parts)


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
            rules.MemberDates(m.appraisal_due, m.dbs_checked_on, m.training_on), today,
            warn_days=warn[0], dbs_years=warn[1], training_years=warn[2]))
    return MemberRow(m.id, m.full_name, m.role_type, rules.ROLE_LABELS.get(m.role_type, m.role_type),
                     rules.is_adviser(m.role_type), m.pqe_years, m.independent, m.joined_on, m.user_id,
                     m.notice_given_on, m.leaves_on, m.leaving_kind, m.leaving_reason, m.appraisal_due,
                     m.dbs_checked_on, m.training_on, warnings, m.row_version, m.gender, m.ethnicity,
                     appraised_on)


def _last_appraisals(session: Session) -> dict[int, dt.date]:
    return {mid: day for mid, day in session.execute(
        select(PanelAppraisal.member_id, func.max(PanelAppraisal.done_on)).group_by(PanelAppraisal.member_id))}


def _record_appraisal(session: Session, m: PanelMember, appraised_on: dt.date | None, due_before: dt.date | None,
                      last: dt.date | None) -> dt.date | None:
    """Record an appraisal held on ``appraised_on`` when it is later than the last one recorded; it met the
    due date the member had before this save (``due_before``). Returns the last appraisal date."""
    if appraised_on is None or (last is not None and appraised_on <= last):
        return last
    session.add(PanelAppraisal(member_id=m.id, due_on=due_before, done_on=appraised_on))
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
    if s.status == "cancelled":
        return "cancelled"
    return "held" if s.sitting_date <= today else "scheduled"


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
                                 statuses.get(m.id, "")))
    # chair first, then vice chairs, members, advisers
    order = list(rules.ROLE_LABELS)
    out.sort(key=lambda a: (a.is_adviser, order.index(a.role_type) if a.role_type in order else 99, a.full_name))
    return out


def _present_for_item(attendance: Sequence[AttendanceRow], declarations: Sequence[DeclarationRow]
                      ) -> list[AttendanceRow]:
    withdrawn = {d.member_id for d in declarations if d.withdrew}
    return [a for a in attendance if a.status == "present" and not a.is_adviser and a.member_id not in withdrawn]


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


def _items(session: Session, sitting: PanelSitting, attendance: Sequence[AttendanceRow], today: dt.date
           ) -> list[ItemRow]:
    items = list(session.scalars(select(PanelItem).where(PanelItem.sitting_id == sitting.id)
                                 .order_by(PanelItem.position, PanelItem.id)))
    ids = [i.id for i in items]
    decls = _declarations(session, ids)
    papers: dict[int, list[PanelPaper]] = {i: [] for i in ids}
    if ids:
        for p in session.scalars(select(PanelPaper).where(PanelPaper.item_id.in_(ids)).order_by(PanelPaper.id)):
            papers[p.item_id].append(p)
    deadline = rules.papers_deadline(sitting.sitting_date, get_setting(session, settings.PAPERS_DEADLINE_WD),
                                     calendar(session))
    rule = quorum_rule(session)
    recorded = any(a.status for a in attendance if not a.is_adviser)
    out = []
    for i in items:
        prow = tuple(PaperRow(p.code, rules.PAPERS.get(p.code, p.code), p.received_on,
                              rules.paper_late(p.received_on, deadline, today),
                              rules.paper_state(p.received_on, deadline, today)) for p in papers[i.id])
        current = _current_minutes(session, i.id)
        out.append(ItemRow(i.id, i.sitting_id, i.position, i.case_type, i.subject_reference, i.subject_initials,
                           i.presenting_worker, i.time_slot, i.notes, prow, tuple(decls[i.id]),
                           _quorum(rule, _present_for_item(attendance, decls[i.id])),
                           _minutes_row(current) if current else None, recorded, i.row_version))
    return out


# --- central list --------------------------------------------------------------------------------
def _validate_member(data: MemberInput) -> MemberInput:
    """``data`` as it will be stored (text cleaned, dates in range), or a ValidationError naming the field."""
    name = clean_name(data.full_name, "Name", max_length=120)
    if not name:
        raise ValidationError("Name: enter the member's full name.", "full_name")
    for value, label, kind in ((data.joined_on, "Joined on", "event"), (data.appraisal_due, "Appraisal due",
                                                                         "schedule"),
                               (data.dbs_checked_on, "DBS checked on", "event"),
                               (data.training_on, "Training on", "event"),
                               (data.appraised_on, "Last appraisal", "event")):
        check_date(value, label, kind)
    for problem, field_name in ((profile.gender_problem(data.gender), "gender"),
                                (profile.ethnicity_problem(data.ethnicity), "ethnicity")):
        if problem:
            raise ValidationError(problem, field_name)
    if data.appraised_on is not None and data.appraised_on < data.joined_on:
        raise ValidationError(f"Last appraisal: {data.appraised_on:%d/%m/%Y} is before the member joined "
                              f"({data.joined_on:%d/%m/%Y}); enter the day the appraisal was held, or leave it "
                              "blank.", "appraised_on")
    if data.role_type not in rules.ROLE_LABELS:
        raise ValidationError("Role: choose the member's role on the panel.", "role_type")
    if data.pqe_years is not None and data.pqe_years < 0:
        raise ValidationError("Post-qualifying experience: enter whole years, 0 or more.", "pqe_years")
    if data.role_type == "social_worker" and data.pqe_years is None:
        raise ValidationError("Post-qualifying experience: enter the social worker's years of PQE.", "pqe_years")
    return replace(data, full_name=name)


def _check_linked_user(session: Session, user_id: int | None, member_id: int | None) -> None:
    """The user account linked to a member exists and is linked to no other member of the central list
    (the ADM conflict rule relies on it: adm.rules.signer_conflict)."""
    if user_id is None:
        return
    from adoption_desktop.core.security.models import User

    if session.get(User, user_id) is None:
        raise ValidationError(f"User account: there is no user with id {user_id}; choose one from the list.",
                              "user_id")
    other = session.scalars(select(PanelMember.full_name).where(
        PanelMember.user_id == user_id, PanelMember.id != (member_id or 0))).first()
    if other is not None:
        raise ValidationError(f"User account: already linked to {other} on the central list; a user account "
                              "belongs to one member.", "user_id")


def list_members(db: Database, actor: Principal, *, today: dt.date | None = None) -> list[MemberRow]:
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        warn = _warn_settings(session)
        last = _last_appraisals(session)
        return [_member_row(m, _today(today), warn, last.get(m.id))
                for m in session.scalars(select(PanelMember).order_by(PanelMember.full_name))]


def add_member(db: Database, actor: Principal, data: MemberInput, *, today: dt.date | None = None) -> MemberRow:
    require(actor, P.PANEL_EDIT)
    data = _validate_member(data)
    with db.session(actor) as session:
        _check_linked_user(session, data.user_id, None)
        m = PanelMember(full_name=data.full_name.strip(), role_type=data.role_type, pqe_years=data.pqe_years,
                        independent=data.independent, joined_on=data.joined_on, user_id=data.user_id,
                        appraisal_due=data.appraisal_due, dbs_checked_on=data.dbs_checked_on,
                        training_on=data.training_on, gender=data.gender, ethnicity=data.ethnicity)
        session.add(m)
        session.flush()
        last = _record_appraisal(session, m, data.appraised_on, None, None)
        return _member_row(m, _today(today), _warn_settings(session), last)


def _member_values(m: PanelMember) -> dict[str, str]:
    return {"Name": m.full_name, "Role": rules.ROLE_LABELS.get(m.role_type, m.role_type),
            "Joined": f"{m.joined_on:%d/%m/%Y}", "PQE years": "" if m.pqe_years is None else str(m.pqe_years),
            "Independent": "yes" if m.independent else "no",
            "Appraisal due": f"{m.appraisal_due:%d/%m/%Y}" if m.appraisal_due else "",
            "DBS checked": f"{m.dbs_checked_on:%d/%m/%Y}" if m.dbs_checked_on else "",
            "Training": f"{m.training_on:%d/%m/%Y}" if m.training_on else "",
            "Gender": profile.GENDERS.get(m.gender, m.gender),
            "Ethnicity": profile.ethnicity_label(m.ethnicity) if profile.ethnicity_problem(m.ethnicity) is None
            else m.ethnicity}


def update_member(db: Database, actor: Principal, member_id: int, data: MemberInput,
                  *, today: dt.date | None = None, expected_version: int | None = None) -> MemberRow:
    """``expected_version``: the member's ``row_version`` the form was loaded with (a stale save is
    refused with :class:`StaleRecord`); ``None`` from scripts."""
    require(actor, P.PANEL_EDIT)
    data = _validate_member(data)
    with db.session(actor) as session:
        m = get_or_raise(session, PanelMember, member_id, f"No central-list member with id {member_id}.")
        _check_linked_user(session, data.user_id, member_id)
        check_version(session, m, expected_version, f"central-list member {m.full_name}", _member_values)
        due_before = m.appraisal_due
        for key in ("role_type", "pqe_years", "independent", "joined_on", "user_id", "appraisal_due",
                    "dbs_checked_on", "training_on", "gender", "ethnicity"):
            setattr(m, key, getattr(data, key))
        m.full_name = data.full_name.strip()
        last = _record_appraisal(session, m, data.appraised_on, due_before, _last_appraisals(session).get(m.id))
        return _member_row(m, _today(today), _warn_settings(session), last)


def give_notice(db: Database, actor: Principal, member_id: int, notice_on: dt.date, kind: str, reason: str,
                *, today: dt.date | None = None, expected_version: int | None = None) -> MemberRow:
    """A member leaves, or is removed with reasons, on one month's written notice (AAR 2005 reg 3(5))."""
    require(actor, P.PANEL_EDIT)
    if kind not in ("left", "removed"):
        raise ValidationError("Leaving: choose 'left' (the member's notice) or 'removed' (the agency's).", "kind")
    reason = clean_text(reason, "Reasons", multiline=True, max_length=4000)
    check_date(notice_on, "Written notice given on", "event", required=True)
    if kind == "removed" and not reason.strip():
        raise ValidationError("Reasons: a member is removed only with written reasons; enter them.", "reason")
    with db.session(actor) as session:
        m = get_or_raise(session, PanelMember, member_id, f"No central-list member with id {member_id}.")
        check_version(session, m, expected_version, f"central-list member {m.full_name}", _member_values)
        m.notice_given_on, m.leaves_on = notice_on, rules.leaving_date(notice_on)
        m.leaving_kind, m.leaving_reason = kind, reason.strip()
        return _member_row(m, _today(today), _warn_settings(session), _last_appraisals(session).get(m.id))


# --- sittings ------------------------------------------------------------------------------------
def _check_time(value: str, field_name: str, label: str) -> str:
    try:
        return dt.datetime.strptime(value.strip(), "%H:%M").strftime("%H:%M")
    except ValueError:
        raise ValidationError(f"{label}: enter a time as HH:MM, e.g. 10:00.", field_name) from None


def schedule_sittings(db: Database, actor: Principal, data: SittingInput) -> list[int]:
    require(actor, P.PANEL_EDIT)
    start = _check_time(data.start_time, "start_time", "Start time")
    end = _check_time(data.end_time, "end_time", "End time")
    if end <= start:
        raise ValidationError("End time: must be after the start time.", "end_time")
    check_date(data.first_date, "First sitting date", "schedule", required=True)
    data = replace(data, venue=clean_text(data.venue, "Venue", max_length=200),
                   virtual_link=clean_text(data.virtual_link, "Virtual meeting link", max_length=300))
    if not data.venue.strip() and not data.virtual_link.strip():
        raise ValidationError("Venue: enter a venue or a virtual meeting link.", "venue")
    if data.recurrence not in rules.RECURRENCES:
        raise ValidationError("Repeat: choose how often the panel sits.", "recurrence")
    if not 1 <= data.count <= 120:
        raise ValidationError("Number of sittings: enter 1 to 120.", "count")
    dates = rules.recurring_dates(data.first_date, data.recurrence, data.count if data.recurrence != "once" else 1)
    series = uuid.uuid4().hex[:12] if len(dates) > 1 else ""
    with db.session(actor) as session:
        made = [PanelSitting(sitting_date=d, start_time=start, end_time=end, venue=data.venue.strip(),
                             virtual_link=data.virtual_link.strip(), series=series) for d in dates]
        session.add_all(made)
        session.flush()
        return [s.id for s in made]


def _sitting_values(s: PanelSitting) -> dict[str, str]:
    return {"Date": f"{s.sitting_date:%d/%m/%Y}", "Time": f"{s.start_time}–{s.end_time}", "Venue": s.venue,
            "Video link": s.virtual_link, "Status": s.status, "Reason": s.status_reason}


def _sitting_for_edit(session: Session, sitting_id: int, expected_version: int | None) -> PanelSitting:
    s = _sitting(session, sitting_id)
    check_version(session, s, expected_version, f"the sitting of {s.sitting_date:%d/%m/%Y}", _sitting_values)
    return s


def cancel_sitting(db: Database, actor: Principal, sitting_id: int, reason: str, *,
                   expected_version: int | None = None) -> None:
    require(actor, P.PANEL_EDIT)
    reason = clean_text(reason, "Reason", multiline=True, max_length=2000)
    if not reason.strip():
        raise ValidationError("Reason: say why the sitting is cancelled.", "reason")
    with db.session(actor) as session:
        s = _sitting_for_edit(session, sitting_id, expected_version)
        s.status, s.status_reason = "cancelled", reason.strip()


def move_sitting(db: Database, actor: Principal, sitting_id: int, new_date: dt.date, reason: str,
                 start_time: str | None = None, *, expected_version: int | None = None) -> None:
    require(actor, P.PANEL_EDIT)
    reason = clean_text(reason, "Reason", multiline=True, max_length=2000)
    check_date(new_date, "New date", "schedule", required=True)
    if not reason.strip():
        raise ValidationError("Reason: say why the sitting is moved.", "reason")
    with db.session(actor) as session:
        s = _sitting_for_edit(session, sitting_id, expected_version)
        if s.moved_from is None:
            s.moved_from = s.sitting_date
        s.sitting_date, s.status_reason = new_date, reason.strip()
        if start_time:
            s.start_time = _check_time(start_time, "start_time", "Start time")


def sitting_id_for(db: Database, actor: Principal, given: str) -> int:
    """The sitting a person names: its number, its date (``2026-12-08``) or the reference of a case heard
    at it (``AD-2026-0142``). Several matches are refused, listing them, rather than one guessed."""
    from adoption_desktop.core.text_input import reference_key

    require(actor, P.PANEL_VIEW)
    text = given.strip()
    if text.isdigit():
        return int(text)
    with db.session(actor, write=False) as session:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            key = reference_key(text)
            ids = sorted({sid for sid, ref in session.execute(select(PanelItem.sitting_id, PanelItem.subject_reference))
                          if reference_key(ref) == key})
            what = f"heard case {text}"
        else:
            ids = list(session.scalars(select(PanelSitting.id).where(PanelSitting.sitting_date == day)
                                       .where(PanelSitting.status != "cancelled").order_by(PanelSitting.id)))
            what = f"on {day:%d/%m/%Y}"
        if not ids:
            raise NotFound(f"Sitting: no panel sitting {what}; give its date (YYYY-MM-DD), a case reference "
                           "heard at it, or its number.")
        if len(ids) > 1:
            sittings = session.scalars(select(PanelSitting).where(PanelSitting.id.in_(ids))
                                       .order_by(PanelSitting.sitting_date, PanelSitting.id))
            listed = ", ".join(f"{s.id} ({s.sitting_date:%d/%m/%Y} {s.start_time})" for s in sittings)
            raise Conflict(f"Sitting: {len(ids)} sittings {what}: {listed}; give the number of the one you mean.")
        return ids[0]


def record_calendar_export(db: Database, actor: Principal, sittings: int, file_name: str) -> None:
    """Audit an export of the sittings as a calendar (every export is audited, even one with no
    personal data)."""
    require(actor, P.PANEL_VIEW)
    with db.session(actor) as session:
        audit.record(session, "export", "panel_sittings", "*", detail=f"calendar of {sittings} sittings to {file_name}")


def list_sittings(db: Database, actor: Principal, start: dt.date | None = None, end: dt.date | None = None,
                  *, today: dt.date | None = None) -> list[SittingRow]:
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        q = select(PanelSitting).order_by(PanelSitting.sitting_date.desc(), PanelSitting.id)
        if start:
            q = q.where(PanelSitting.sitting_date >= start)
        if end:
            q = q.where(PanelSitting.sitting_date <= end)
        counts: dict[int, int] = {sid: n for sid, n in session.execute(
            select(PanelItem.sitting_id, func.count()).group_by(PanelItem.sitting_id))}
        deadlines = _DeadlineRules.read(session)
        return [_sitting_row(session, s, _today(today), counts.get(s.id, 0), deadlines) for s in session.scalars(q)]


def sitting_detail(db: Database, actor: Principal, sitting_id: int, *, today: dt.date | None = None,
                   opened: bool = False) -> SittingDetail:
    """The sitting with its agenda and attendance. ``opened=True`` when the user opens (selects) the
    sitting: it shows case references, so a view entry is written; a refresh of the same sitting passes
    ``opened=False`` and writes nothing."""
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=opened) as session:
        s = _sitting(session, sitting_id)
        if opened:
            audit.record_view(session, "panel_sittings", s.id)
        attendance = _attendance(session, s)
        items = _items(session, s, attendance, _today(today))
        return SittingDetail(_sitting_row(session, s, _today(today), len(items)), tuple(items), tuple(attendance))


def open_item(db: Database, actor: Principal, item_id: int) -> None:
    """The user opened (selected) an agenda item: its case reference and minutes are on screen."""
    require(actor, P.PANEL_VIEW)
    with db.session(actor) as session:
        audit.record_view(session, "panel_items", _item(session, item_id).id)


# --- agenda --------------------------------------------------------------------------------------
def _validate_item(data: ItemInput) -> ItemInput:
    """``data`` as it will be stored (text cleaned), or a ValidationError naming the field."""
    data = replace(
        data, subject_reference=clean_reference(data.subject_reference, "Case number", max_length=120),
        subject_initials=clean_text(data.subject_initials, "Initials"),
        presenting_worker=clean_name(data.presenting_worker, "Presented by", max_length=120),
        time_slot=clean_text(data.time_slot, "Time", max_length=20),
        notes=clean_text(data.notes, "Notes", multiline=True, max_length=4000))
    if data.case_type not in rules.CASE_TYPES:
        raise ValidationError("Case type: choose the kind of item.", "case_type")
    if data.case_type != "other" and not data.subject_reference.strip():
        raise ValidationError("Case number: enter the agency case number of the subject.", "subject_reference")
    if len(data.subject_initials.strip()) > 30 or " " in data.subject_initials.strip():
        raise ValidationError("Initials: enter initials only (e.g. AB/CD), never a name.", "subject_initials")
    return data


def add_item(db: Database, actor: Principal, sitting_id: int, data: ItemInput) -> int:
    require(actor, P.PANEL_EDIT)
    data = _validate_item(data)
    with db.session(actor) as session:
        s = _sitting(session, sitting_id)
        if s.status == "cancelled":
            raise Conflict("This sitting is cancelled; add the item to another sitting.")
        last = session.scalar(select(func.max(PanelItem.position)).where(PanelItem.sitting_id == sitting_id))
        item = PanelItem(sitting_id=sitting_id, position=(last or 0) + 1, case_type=data.case_type,
                         subject_reference=data.subject_reference.strip(),
                         subject_initials=data.subject_initials.strip().upper(),
                         presenting_worker=data.presenting_worker.strip(), time_slot=data.time_slot.strip(),
                         notes=data.notes.strip())
        session.add(item)
        session.flush()
        for code in rules.CASE_PAPERS[data.case_type]:
            session.add(PanelPaper(item_id=item.id, code=code))
        return item.id


def _item_values(i: PanelItem) -> dict[str, str]:
    return {"Case type": rules.CASE_TYPES.get(i.case_type, i.case_type), "Reference": i.subject_reference,
            "Initials": i.subject_initials, "Presenting worker": i.presenting_worker, "Time": i.time_slot,
            "Notes": i.notes}


def update_item(db: Database, actor: Principal, item_id: int, data: ItemInput, *,
                expected_version: int | None = None) -> None:
    require(actor, P.PANEL_EDIT)
    data = _validate_item(data)
    with db.session(actor) as session:
        item = _item(session, item_id)
        check_version(session, item, expected_version, f"agenda item {item.subject_reference}", _item_values)
        if item.case_type != data.case_type and _current_minutes(session, item_id) is not None:
            raise Conflict("Case type: minutes exist for this item; the case type can no longer change.")
        if item.case_type != data.case_type:
            for p in session.scalars(select(PanelPaper).where(PanelPaper.item_id == item_id)):
                session.delete(p)
            session.flush()
            for code in rules.CASE_PAPERS[data.case_type]:
                session.add(PanelPaper(item_id=item.id, code=code))
        item.case_type = data.case_type
        item.subject_reference = data.subject_reference.strip()
        item.subject_initials = data.subject_initials.strip().upper()
        item.presenting_worker, item.time_slot = data.presenting_worker.strip(), data.time_slot.strip()
        item.notes = data.notes.strip()


def remove_item(db: Database, actor: Principal, item_id: int) -> RemovedItem:
    """Take an item without minutes off the agenda. Returns what was removed (papers and declarations
    with it), so that undo (``panel.undo.restore_item``) can put it back exactly."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        item = _item(session, item_id)
        if _current_minutes(session, item_id) is not None:
            raise Conflict("This item has minutes; it cannot be removed (defer it instead).")
        s = _sitting(session, item.sitting_id)
        removed = removed_item_snapshot(session, item, s.sitting_date, s.row_version)
        for kind in (PanelPaper, PanelDeclaration):
            for row in session.scalars(select(kind).where(kind.item_id == item_id)):
                session.delete(row)
        session.delete(item)
        return removed


def reorder_items(db: Database, actor: Principal, sitting_id: int, item_ids: Sequence[int]
                  ) -> OrderChange:
    """Put the agenda in this order (drag and drop, or Alt+Up/Alt+Down). Returns the order before and
    after (undo puts the previous order back)."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        items = {i.id: i for i in session.scalars(select(PanelItem).where(PanelItem.sitting_id == sitting_id))}
        if set(item_ids) != set(items) or len(item_ids) != len(items):
            raise Conflict("The agenda changed meanwhile; reload it and try again.")
        before = tuple(i.id for i in sorted(items.values(), key=lambda i: (i.position, i.id)))
        for pos, ident in enumerate(item_ids, start=1):
            if items[ident].position != pos:
                items[ident].position = pos
        return OrderChange(sitting_id, before, tuple(item_ids))


def move_item(db: Database, actor: Principal, item_id: int, delta: int) -> OrderChange | None:
    require(actor, P.PANEL_EDIT)
    with db.session(actor, write=False) as session:
        item = _item(session, item_id)
        ids = list(session.scalars(select(PanelItem.id).where(PanelItem.sitting_id == item.sitting_id)
                                   .order_by(PanelItem.position, PanelItem.id)))
        sitting_id = item.sitting_id
    i = ids.index(item_id)
    j = max(0, min(len(ids) - 1, i + delta))
    if i == j:
        return None
    ids.insert(j, ids.pop(i))
    return reorder_items(db, actor, sitting_id, ids)


def set_paper_received(db: Database, actor: Principal, item_id: int, code: str, received_on: dt.date | None) -> None:
    require(actor, P.PANEL_EDIT)
    check_date(received_on, "Received on", "event")
    with db.session(actor) as session:
        paper = session.scalars(select(PanelPaper).where(PanelPaper.item_id == item_id,
                                                         PanelPaper.code == code)).first()
        if paper is None:
            if code not in rules.PAPERS:
                raise ValidationError("Paper: choose a paper from the checklist.", "code")
            _item(session, item_id)
            paper = PanelPaper(item_id=item_id, code=code)
            session.add(paper)
        paper.received_on = received_on


# --- attendance and declarations -----------------------------------------------------------------
def set_attendance(db: Database, actor: Principal, sitting_id: int, member_id: int, status: str
                   ) -> AttendanceChange:
    """Mark one person at a sitting. Returns the mark before and after ("" = not recorded), for undo."""
    require(actor, P.PANEL_EDIT)
    if status not in rules.ATTENDANCE:
        raise ValidationError("Attendance: choose present, apologies or absent.", "status")
    with db.session(actor) as session:
        _sitting(session, sitting_id)
        member = session.get(PanelMember, member_id)
        if member is None:
            raise NotFound(f"No central-list member with id {member_id}.")
        row = session.scalars(select(PanelAttendance).where(PanelAttendance.sitting_id == sitting_id,
                                                            PanelAttendance.member_id == member_id)).first()
        before = row.status if row is not None else ""
        if row is None:
            session.add(PanelAttendance(sitting_id=sitting_id, member_id=member_id, status=status))
        elif row.status != status:
            row.status = status
        return AttendanceChange(sitting_id, member_id, member.full_name, before, status)


def declare_interest(db: Database, actor: Principal, item_id: int, member_id: int, interest: str,
                     withdrew: bool = True) -> int:
    require(actor, P.PANEL_EDIT)
    interest = clean_text(interest, "Interest", multiline=True, max_length=4000)
    if not interest.strip():
        raise ValidationError("Interest: describe the member's interest in this item.", "interest")
    with db.session(actor) as session:
        _item(session, item_id)
        if session.get(PanelMember, member_id) is None:
            raise NotFound(f"No central-list member with id {member_id}.")
        current = _current_minutes(session, item_id)
        if current is not None and current.status == "approved":
            raise Conflict("The minutes of this item are approved; declarations can no longer change.")
        d = PanelDeclaration(item_id=item_id, member_id=member_id, interest=interest.strip(), withdrew=withdrew)
        session.add(d)
        session.flush()
        return d.id


def remove_declaration(db: Database, actor: Principal, declaration_id: int) -> RemovedDeclaration:
    """Withdraw a declaration recorded in error. Returns it as it was (undo puts it back)."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        d = get_or_raise(session, PanelDeclaration, declaration_id, f"No declaration with id {declaration_id}.")
        current = _current_minutes(session, d.item_id)
        if current is not None and current.status == "approved":
            raise Conflict("The minutes of this item are approved; declarations can no longer change.")
        item = _item(session, d.item_id)
        others = tuple(session.scalars(select(PanelDeclaration.id).where(
            PanelDeclaration.item_id == d.item_id, PanelDeclaration.id != d.id).order_by(PanelDeclaration.id)))
        removed = replace(declaration_snapshot(d), others_after=others, item_version=item.row_version)
        session.delete(d)
        return removed


def item_quorum(db: Database, actor: Principal, item_id: int) -> QuorumResult:
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        return _item_quorum(session, _item(session, item_id))


def _item_quorum(session: Session, item: PanelItem) -> QuorumResult:
    attendance = _attendance(session, _sitting(session, item.sitting_id))
    return _quorum(quorum_rule(session), _present_for_item(attendance, _declarations(session, [item.id])[item.id]))


# --- minutes ---------------------------------------------------------------------------------------
def _validate_draft(item: PanelItem, d: MinutesDraft, quorum: QuorumResult) -> None:
    if d.outcome:
        msg = rules.validate_outcome(item.case_type, d.outcome)
        if msg:
            raise ValidationError(msg, "outcome")
        if d.outcome != "deferred" and not quorum.quorate:
            raise ValidationError("Outcome: no recommendation can be recorded on an inquorate item. "
                                  + " ".join(quorum.reasons) + " Record who is present, or defer the item.",
                                  "outcome")
    if d.vote and d.vote not in rules.VOTES:
        raise ValidationError("Vote: choose unanimous or majority.", "vote")
    for value, name, label in ((d.votes_for, "votes_for", "Votes for"), (d.votes_against, "votes_against",
                                                                         "Votes against")):
        if value is not None and value < 0:
            raise ValidationError(f"{label}: enter a whole number, 0 or more.", name)
    if d.advice_number is not None and d.advice_number < 1:
        raise ValidationError("Advice, number of children: enter 1 or more, or leave it empty.", "advice_number")


def _clean_draft(d: MinutesDraft) -> MinutesDraft:
    """The draft as it will be stored: control characters refused, invisible characters removed."""
    def long(value: str, label: str) -> str:
        return clean_text(value, label, multiline=True, max_length=20000)

    return replace(
        d, recommendation_text=clean_text(d.recommendation_text, "Recommendation", max_length=2000),
        reasons=long(d.reasons, "Reasons"), discussion=long(d.discussion, "Discussion"),
        member_views={k: long(v, "Member's view") for k, v in d.member_views.items()},
        advice_age_range=clean_text(d.advice_age_range, "Advice, age range", max_length=60),
        advice_sex=clean_text(d.advice_sex, "Advice, sex", max_length=60),
        advice_needs=long(d.advice_needs, "Advice, needs and background"),
        deferral_reason=long(d.deferral_reason, "Deferral reason"))


def _apply_draft(m: PanelMinutes, d: MinutesDraft) -> None:
    m.outcome, m.recommendation_text, m.reasons, m.discussion = d.outcome, d.recommendation_text, d.reasons, \
        d.discussion
    m.member_views = json.dumps({str(k): v for k, v in sorted(d.member_views.items()) if v.strip()},
                                ensure_ascii=False)
    m.vote, m.votes_for, m.votes_against = d.vote, d.votes_for, d.votes_against
    m.advice_number, m.advice_age_range, m.advice_sex, m.advice_needs = (
        d.advice_number, d.advice_age_range, d.advice_sex, d.advice_needs)
    m.deferral_reason = d.deferral_reason


def _minutes_values(m: PanelMinutes) -> dict[str, str]:
    d = _draft_of(m)
    return {"Status": f"{m.status} (version {m.version})", "Outcome": rules.OUTCOMES.get(d.outcome, d.outcome),
            "Recommendation": d.recommendation_text, "Reasons": d.reasons, "Discussion": d.discussion,
            "Vote": rules.VOTES.get(d.vote, d.vote), "Advice": advice_text(d), "Deferral reason": d.deferral_reason}


def _locked_item_minutes(session: Session, item_id: int) -> tuple[PanelItem, PanelMinutes | None]:
    """The item, locked for this transaction (so two people saving, sending or approving its minutes at
    once are taken one after the other), and its current minutes as stored now."""
    item = lock_row(session, _item(session, item_id))
    return item, _current_minutes(session, item_id)


def _minutes_done_by(session: Session, m: PanelMinutes) -> str:
    who, at = last_saved(session, m)
    if m.status == "approved":
        return f"approved by {m.approved_by_name or who} ({when_text(at)})"
    return f"{'sent to the chair' if m.status == 'submitted' else 'saved'} by {who} at {when_text(at)}"


def save_minutes(db: Database, actor: Principal, item_id: int, draft: MinutesDraft, *,
                 expected_version: int | None = None) -> MinutesRow:
    """Create or update the item's draft minutes (autosave calls this too). Approved minutes are locked.

    ``expected_version``: the ``row_version`` of the minutes the editor was loaded with (0 when there were
    none yet); if someone else saved in between, nothing is saved and :class:`StaleRecord` says who and
    carries their text. ``None`` (scripts) saves over whatever is there."""
    require(actor, P.PANEL_EDIT)
    draft = _clean_draft(draft)
    with db.session(actor) as session:
        item, m = _locked_item_minutes(session, item_id)
        _validate_draft(item, draft, _item_quorum(session, item))
        if m is not None and m.status == "approved":
            raise Conflict(f"These minutes were {_minutes_done_by(session, m)} and are locked; record a "
                           "correction as a new version with a reason.")
        if expected_version is not None:
            if m is None and expected_version != 0:
                raise StaleRecord("The minutes you were editing are no longer there; reload the item.",
                                  what="the minutes", your_version=expected_version)
            if m is not None and (m.row_version != expected_version or expected_version == 0):
                raise stale(session, m, expected_version, f"the minutes of item {item.subject_reference}",
                            _minutes_values)
        if m is None:
            m = PanelMinutes(item_id=item_id, version=1, status="draft")
            session.add(m)
        if m.status == "submitted":
            m.status, m.submitted_on = "draft", None  # edited after sending: send to the chair again
        _apply_draft(m, draft)
        session.flush()
        return _minutes_row(m)


def _complete(item: PanelItem, m: PanelMinutes, quorum: QuorumResult) -> None:
    d = _draft_of(m)
    if not d.outcome:
        raise ValidationError("Outcome: record the panel's recommendation (or defer the item).", "outcome")
    _validate_draft(item, d, quorum)
    if d.outcome == "deferred":
        if not d.deferral_reason.strip():
            raise ValidationError("Deferral reason: say what information the panel needs.", "deferral_reason")
        return
    if d.outcome != "noted":
        if not d.reasons.strip():
            raise ValidationError("Reasons: record the panel's reasons for its recommendation.", "reasons")
        if not d.vote:
            raise ValidationError("Vote: record whether the recommendation was unanimous or by majority.", "vote")
        if d.vote == "majority" and (d.votes_for is None or d.votes_against is None):
            raise ValidationError("Votes for / against: a majority vote needs both numbers.", "votes_for")


def submit_minutes(db: Database, actor: Principal, item_id: int, *, today: dt.date | None = None) -> MinutesRow:
    """Send the item's draft to the chair for approval."""
    require(actor, P.PANEL_EDIT)
    with db.session(actor) as session:
        item, m = _locked_item_minutes(session, item_id)
        if m is None:
            raise Conflict("There is no draft to send to the chair for this item.")
        if m.status != "draft":
            raise Conflict(f"These minutes were already {_minutes_done_by(session, m)}; nothing was sent.")
        _complete(item, m, _item_quorum(session, item))
        m.status, m.submitted_on = "submitted", _today(today)
        return _minutes_row(m)


def item_text(item: ItemRow, m: MinutesRow, members: dict[int, str]) -> str:
    """The item's minutes as plain text (the ADM reads it in-app)."""
    d = m.draft
    lines = [f"{item.case_label}: {item.subject}", f"Presented by: {item.presenting_worker}"]
    lines.append("Papers considered: " + "; ".join(
        f"{p.label}" + (f" (received {p.received_on:%d/%m/%Y})" if p.received_on else " (not received)")
        for p in item.papers))
    if item.declarations:
        lines.append("Declarations of interest: " + "; ".join(
            f"{x.member_name}: {x.interest}" + (" (withdrew)" if x.withdrew else "") for x in item.declarations))
    else:
        lines.append("Declarations of interest: none.")
    lines.append(f"Quorum: {m.quorum_statement or item.quorum.summary}")
    if d.discussion:
        lines.append(f"Discussion: {d.discussion}")
    for mid, view in d.member_views.items():
        lines.append(f"View of {members.get(mid, f'member {mid}')}: {view}")
    lines.append(f"Recommendation: {rules.OUTCOMES.get(d.outcome, d.outcome)}"
                 + (f". {d.recommendation_text}" if d.recommendation_text else ""))
    if d.vote:
        vote = rules.VOTES[d.vote] + (f" ({d.votes_for} for, {d.votes_against} against)"
                                      if d.vote == "majority" else "")
        lines.append(f"Vote: {vote}")
    if d.reasons:
        lines.append(f"Reasons: {d.reasons}")
    if advice_text(d):
        lines.append(f"Advice: {advice_text(d)}")
    if d.outcome == "deferred":
        lines.append(f"Deferred because: {d.deferral_reason}")
    return "\n".join(lines)


def approve_minutes(db: Database, actor: Principal, item_id: int, password: str,
                    *, today: dt.date | None = None) -> MinutesRow:
    """The chair approves an item's minutes (re-entering the password). The approved version is locked and,
    for a definite recommendation, the ADM decision is opened in the same transaction."""
    require(actor, P.PANEL_APPROVE_MINUTES)
    if not reauthenticate(db, actor, password):
        raise ValidationError("Password: that is not your password; enter it again to approve the minutes.",
                              "password")
    with db.session(actor) as session:
        return _approve(session, actor, item_id, _today(today))


def build_handoff(session: Session, item: PanelItem, m: PanelMinutes, approved_on: dt.date) -> PanelHandoff:
    """What the ADM receives for an approved item: members present for it (not advisers, not withdrawn)."""
    sitting = _sitting(session, item.sitting_id)
    attendance = _attendance(session, sitting)
    rows = _items(session, sitting, attendance, approved_on)
    row = next(r for r in rows if r.id == item.id)
    present = _present_for_item(attendance, row.declarations)
    user_ids: dict[int, int | None] = {mid: uid for mid, uid in session.execute(
        select(PanelMember.id, PanelMember.user_id).where(PanelMember.id.in_([a.member_id for a in present])))}
    names = {a.member_id: a.full_name for a in attendance}
    minutes = _minutes_row(m)
    return PanelHandoff(
        panel_item_id=item.id, sitting_id=sitting.id, sitting_date=sitting.sitting_date,
        case_type=item.case_type, subject_reference=item.subject_reference,
        subject_initials=item.subject_initials, recommendation=m.outcome,
        recommendation_text=m.recommendation_text or rules.OUTCOMES[m.outcome], reasons=m.reasons,
        advice=minutes.advice_text, minutes_extract=item_text(row, minutes, names),
        minutes_approved_on=approved_on,
        member_user_ids=tuple(uid for uid in (user_ids.get(a.member_id) for a in present) if uid is not None),
        member_names=tuple(a.full_name for a in present),
        unlinked_member_names=tuple(a.full_name for a in present if user_ids.get(a.member_id) is None))


def approval_blockers(db: Database, actor: Principal, item_id: int, *, today: dt.date | None = None) -> list[str]:
    """What stops the chair approving this item's minutes today (empty when nothing does): the screens
    show it before asking for the password."""
    require(actor, P.PANEL_VIEW)
    with db.session(actor, write=False) as session:
        item = _item(session, item_id)
        m = _current_minutes(session, item_id)
        if m is None:
            return ["Minutes: none are drafted for this item yet."]
        return _approval_problems(session, item, m, _today(today))


def _approval_problems(session: Session, item: PanelItem, m: PanelMinutes, today: dt.date) -> list[str]:
    sitting = _sitting(session, item.sitting_id)
    present = _present_for_item(_attendance(session, sitting), _declarations(session, [item.id])[item.id])
    # each member's view is recorded on a recommendation; a deferral or a noted paper has none to give
    needs_views = m.outcome not in ("", "deferred", "noted")
    return rules.approval_problems(sitting.sitting_date, today, today,
                                   {a.member_id: a.full_name for a in present} if needs_views else {},
                                   _draft_of(m).member_views)


def _check_approval_order(session: Session, item: PanelItem, m: PanelMinutes, today: dt.date) -> None:
    problems = _approval_problems(session, item, m, today)
    if problems:
        raise ValidationError("The minutes cannot be approved yet. " + " ".join(problems),
                              "member_views" if "Members' views" in problems[-1] else "approved_on")


def _approve(session: Session, actor: Principal, item_id: int, today: dt.date) -> MinutesRow:
    from adoption_desktop.adm.service import open_decision_from_panel

    item, m = _locked_item_minutes(session, item_id)
    if m is not None and m.status == "approved":
        raise Conflict(f"These minutes were already {_minutes_done_by(session, m)}; they were not approved "
                       "a second time.")
    if m is None or m.status not in ("draft", "submitted"):
        raise Conflict("There are no minutes awaiting approval for this item.")
    if m.status != "submitted":
        raise Conflict("These minutes have not been sent to the chair yet; send them first.")
    quorum = _item_quorum(session, item)
    _complete(item, m, quorum)
    _check_approval_order(session, item, m, today)
    m.status, m.approved_on = "approved", today
    m.approved_by_user_id, m.approved_by_name = actor.user_id, actor.full_name
    m.quorum_statement = quorum.summary
    session.flush()
    audit.record(session, "approve", "panel_minutes", m.id, detail=f"item {item_id} version {m.version}")
    earlier_handoff = session.scalar(select(func.count()).where(PanelMinutes.item_id == item_id,
                                                                PanelMinutes.handed_off_on.is_not(None)))
    if rules.goes_to_adm(item.case_type, m.outcome) and not earlier_handoff:
        problems = rules.handoff_problems(_sitting(session, item.sitting_id).sitting_date, m.status, m.approved_on,
                                          today)
        if problems:
            raise Conflict(" ".join(problems))
        handoff = build_handoff(session, item, m, today)
        decision_id = open_decision_from_panel(session, handoff)
        m.handed_off_on, m.adm_decision_id = today, decision_id or None
        audit.record(session, "handoff", "panel_minutes", m.id, detail=f"to ADM, decision {decision_id}")
    elif earlier_handoff:
        audit.record(session, "correction_approved", "panel_minutes", m.id,
                     detail=f"version {m.version} supersedes {m.supersedes_id}: {m.correction_reason}")
    session.flush()
    return _minutes_row(m)


def correct_minutes(db: Database, actor: Principal, item_id: int, reason: str) -> MinutesRow:
    """A correction to approved minutes: a new draft version, with a reason, linked to the old."""
    require(actor, P.PANEL_EDIT)
    reason = clean_text(reason, "Reason for correction", multiline=True, max_length=4000)
    if not reason.strip():
        raise ValidationError("Reason for correction: say what is wrong in the approved minutes.", "reason")
    with db.session(actor) as session:
        _, old = _locked_item_minutes(session, item_id)
        if old is not None and old.supersedes_id is not None and old.status != "approved":
            raise Conflict(f"A correction of these minutes was already started ({_minutes_done_by(session, old)}); "
                           "edit that draft instead.")
        if old is None or old.status != "approved":
            raise Conflict("Only approved minutes are corrected; edit the draft instead.")
        new = PanelMinutes(item_id=item_id, version=old.version + 1, status="draft", supersedes_id=old.id,
                           correction_reason=reason.strip())
        _apply_draft(new, _draft_of(old))
        session.add(new)
        session.flush()
        return _minutes_row(new)


def minutes_history(db: Database, actor: Principal, item_id: int) -> list[MinutesRow]:
    require(actor, P.PANEL_VIEW)
    with db.session(actor) as session:
        audit.record_view(session, "panel_items", item_id, detail="minutes history")
        return [_minutes_row(m) for m in session.scalars(
            select(PanelMinutes).where(PanelMinutes.item_id == item_id).order_by(PanelMinutes.version))]


def defer_item(db: Database, actor: Principal, item_id: int, reason: str, to_sitting_id: int | None = None) -> int | None:
    """Record a deferral (allowed even when inquorate) and optionally put the item on a later agenda."""
    require(actor, P.PANEL_EDIT)
    save_minutes(db, actor, item_id, MinutesDraft(outcome="deferred", deferral_reason=reason,
                                                  reasons=reason))
    if to_sitting_id is None:
        return None
    with db.session(actor, write=False) as session:
        item = _item(session, item_id)
        data = ItemInput(item.case_type, item.subject_reference, item.subject_initials, item.presenting_worker,
                         item.time_slot, item.notes)
    new_id = add_item(db, actor, to_sitting_id, data)
    with db.session(actor) as session:
        _item(session, new_id).deferred_from_id = item_id
    return new_id


# --- documents data --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MinutesPack:
    """Everything the Word minutes need, as plain data."""

    agency_name: str
    agency_address: str
    sitting: SittingRow
    present: tuple[AttendanceRow, ...]
    advisers: tuple[AttendanceRow, ...]
    apologies: tuple[AttendanceRow, ...]
    absent: tuple[AttendanceRow, ...]
    items: tuple[ItemRow, ...]
    member_names: dict[int, str]
    draft: bool  # any item not approved
    rule: QuorumRule = field(default_factory=QuorumRule)  # the agency's quorum setting
    #: the agency's own minutes template (None: the shipped file) and its version label
    template_docx: bytes | None = None
    template_version: str = ""
    #: "{agency_telephone}" → value: the agency profile's placeholders of the minutes template
    header: dict[str, str] = field(default_factory=dict)

    def only(self, item_id: int) -> MinutesPack:
        items = tuple(i for i in self.items if i.id == item_id)
        if not items:
            raise NotFound(f"Item {item_id} is not on this sitting's agenda.")
        return replace(self, items=items, draft=any(not i.minutes or not i.minutes.locked for i in items))


def minutes_pack(db: Database, actor: Principal, sitting_id: int, *, today: dt.date | None = None) -> MinutesPack:
    from adoption_desktop.core.config import AGENCY_ADDRESS, AGENCY_NAME
    from adoption_desktop.panel import minutes_template

    require(actor, P.PANEL_VIEW)
    with db.session(actor) as session:
        s = _sitting(session, sitting_id)
        audit.record(session, "export", "panel_sittings", s.id, detail="minutes")
        attendance = _attendance(session, s)
        items = tuple(_items(session, s, attendance, _today(today)))
        return MinutesPack(
            get_setting(session, AGENCY_NAME), get_setting(session, AGENCY_ADDRESS),
            _sitting_row(session, s, _today(today), len(items)),
            tuple(a for a in attendance if a.status == "present" and not a.is_adviser),
            tuple(a for a in attendance if a.status == "present" and a.is_adviser),
            tuple(a for a in attendance if a.status == "apologies"),
            tuple(a for a in attendance if a.status == "absent"),
            items, {a.member_id: a.full_name for a in attendance},
            any(not i.minutes or not i.minutes.locked for i in items), quorum_rule(session),
            *minutes_template.stored_template(session), minutes_template.header_values(session))
