"""My work: the first page after sign-in, built from the work each role has to do (plain data, no Qt).

:func:`my_work` returns, for the signed-in user, one :class:`WorkSection` per kind of work their roles
give them (the chair's minutes awaiting approval, the ADM's queue, the panel administrator's sittings,
the letterbox work list, the counsellor's cases) and, for those who see the reports, the timeliness of
all four areas at a glance (:class:`AreaTimeliness`: counts only, never names). Each :class:`WorkLine`
names the record it opens (``area``, ``kind``, ``record_id``, ``parent_id``).

One read-only transaction; permissions are checked per section (a section the user's roles do not give
is left out, never refused), the timeliness needs ``reports.view``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adoption_desktop.core.security.permissions import Permission, Principal
from adoption_desktop.core.storage.engine import Database

#: how many upcoming sittings the panel administrator sees; how far back unrecorded attendance is shown
NEXT_SITTINGS = 4
ATTENDANCE_LOOKBACK_DAYS = 90
#: tones of lines and bars (the page maps them to palette colours)
OVERDUE, DUE, WAITING, OK = "overdue", "due", "waiting", "ok"


@dataclass(frozen=True)
class WorkLine:
    area: str  # navigation key of the page that opens it: panel / adm / letterbox / counselling / reports
    kind: str  # minutes / decision / sitting / exchange / item / case / figures
    record_id: int
    title: str
    detail: str
    tone: str = DUE
    due: dt.date | None = None
    parent_id: int | None = None  # the sitting of a panel item


@dataclass(frozen=True)
class WorkSection:
    key: str
    title: str
    empty: str  # what to say when there is nothing to do
    lines: tuple[WorkLine, ...]


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    tone: str


@dataclass(frozen=True)
class AreaTimeliness:
    area: str
    title: str
    bars: tuple[Bar, ...]
    note: str = ""


@dataclass(frozen=True)
class MyWork:
    user: str
    today: dt.date
    sections: tuple[WorkSection, ...]
    timeliness: tuple[AreaTimeliness, ...]

    @property
    def lines(self) -> list[WorkLine]:
        return [line for s in self.sections for line in s.lines]


def _d(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


# --- panel chair ---------------------------------------------------------------------------------
def _chair(session: Session, today: dt.date) -> WorkSection:
    from adoption_desktop.core.settings_service import calendar, get_setting
    from adoption_desktop.panel import settings as panel_settings
    from adoption_desktop.panel.models import PanelItem, PanelMinutes, PanelSitting
    from adoption_desktop.panel.rules import CASE_TYPES, minutes_deadline

    latest = select(PanelMinutes.item_id, func.max(PanelMinutes.version).label("v")).group_by(
        PanelMinutes.item_id).subquery()
    rows = session.execute(
        select(PanelItem.id, PanelItem.sitting_id, PanelItem.subject_reference, PanelItem.subject_initials,
               PanelItem.case_type, PanelItem.position, PanelSitting.sitting_date, PanelMinutes.submitted_on)
        .join(latest, latest.c.item_id == PanelItem.id)
        .join(PanelMinutes, (PanelMinutes.item_id == PanelItem.id) & (PanelMinutes.version == latest.c.v))
        .join(PanelSitting, PanelSitting.id == PanelItem.sitting_id)
        .where(PanelMinutes.status == "submitted")
        .order_by(PanelSitting.sitting_date, PanelItem.position, PanelItem.id)).all()
    def label(r: Any) -> str:
        # an item without a case number (other business) is named by its type and place on the agenda
        name = (r.subject_reference or "").strip() or f"{CASE_TYPES.get(r.case_type, r.case_type)}, item {r.position}"
        return f"{name} ({r.subject_initials})" if (r.subject_initials or "").strip() else name

    # overdue as the panel administrator's chart counts it (``_timeliness``): past the panel's final-minutes
    # deadline, in working days after the sitting (a setting), not a fixed week of calendar days
    cal = calendar(session)
    minutes_wd = get_setting(session, panel_settings.MINUTES_DEADLINE_WD)

    def line(r: Any) -> WorkLine:
        due = minutes_deadline(r.sitting_date, minutes_wd, cal)
        return WorkLine("panel", "minutes", r.id, label(r),
                        f"Minutes of the sitting on {_d(r.sitting_date)}, submitted {_d(r.submitted_on)}; "
                        f"final minutes due {_d(due)}", OVERDUE if due < today else DUE, due, r.sitting_id)

    lines = tuple(line(r) for r in rows)
    return WorkSection("chair", "Minutes waiting for my approval", "No minutes are waiting for your approval.",
                       lines)


# --- ADM -----------------------------------------------------------------------------------------
def _adm_rows(session: Session, today: dt.date) -> list[tuple[int, str, str, str, dt.date | None]]:
    """(id, reference, type label, clock code, due) of every open, current decision."""
    from adoption_desktop.adm import rules
    from adoption_desktop.adm.models import AdmDecision, AdmDecisionType, AdmInfoRequest
    from adoption_desktop.core.settings_service import calendar

    cal = calendar(session)
    # the types an administrator added, by their names (a trial saw "Sgo support" for one)
    labels = {str(code): str(label) for code, label in session.execute(
        select(AdmDecisionType.code, AdmDecisionType.label))}
    superseded = set(session.scalars(select(AdmDecision.supersedes_id).where(
        AdmDecision.supersedes_id.is_not(None))))
    pauses: dict[int, dt.date] = {int(k): v for k, v in session.execute(
        select(AdmInfoRequest.decision_id, func.max(AdmInfoRequest.requested_on))
        .where(AdmInfoRequest.received_on.is_(None)).group_by(AdmInfoRequest.decision_id))}
    a = AdmDecision
    out = []
    for d in session.execute(select(a.id, a.state, a.decision_type, a.subject_reference, a.due_on, a.decided_on)
                             .where(a.signed_at.is_(None)).order_by(a.id)):
        if d.id in superseded:
            continue
        status = rules.clock_status(d.state, d.due_on, pauses.get(d.id), d.decided_on, today, cal)
        out.append((d.id, d.subject_reference, f"{rules.type_label(d.decision_type, labels)} — {status.label}",
                    status.code, d.due_on))
    return out


def _adm_follow_ups(session: Session, today: dt.date) -> list[tuple[int, str, str, str, dt.date | None]]:
    """(id, reference, type label — what is owed, code, due) of signed decisions with something still owed:
    the final decision after a qualifying determination, an overdue oral or written notification."""
    from adoption_desktop.adm import rules
    from adoption_desktop.adm.models import AdmDecision, AdmDecisionType
    from adoption_desktop.adm.service.queue_and_detail import follow_ups_in

    owed = follow_ups_in(session, today)
    if not owed:
        return []
    labels = {str(code): str(label) for code, label in session.execute(
        select(AdmDecisionType.code, AdmDecisionType.label))}
    a = AdmDecision
    return [(d.id, d.subject_reference, f"{rules.type_label(d.decision_type, labels)} — {owed[d.id].label}",
             owed[d.id].code, owed[d.id].due)
            for d in session.execute(select(a.id, a.decision_type, a.subject_reference)
                                     .where(a.id.in_(list(owed))).order_by(a.id))]


def _adm(session: Session, today: dt.date) -> WorkSection:
    # an overdue decision first (the decision maker's own statutory work), then what is owed on signed ones
    order = {"overdue": 0, "qd_final_overdue": 1, "notice_overdue": 1, "minutes_corrected": 1, "due_today": 2,
             "qd_final_due": 2, "paused": 3}
    tones = {"overdue": OVERDUE, "qd_final_overdue": OVERDUE, "notice_overdue": OVERDUE, "minutes_corrected": OVERDUE,
             "due_today": DUE, "qd_final_due": DUE, "paused": WAITING}
    rows = sorted((r for r in _adm_rows(session, today) + _adm_follow_ups(session, today) if r[3] in order),
                  key=lambda r: (order[r[3]], r[4] or today, r[0]))
    lines = tuple(WorkLine("adm", "decision", i, ref, label, tones[code], due) for i, ref, label, code, due in rows)
    return WorkSection("adm", "Decision queue: overdue, due today, paused, to follow up",
                       "No decision is overdue, due today or paused, and nothing is owed on a signed one.", lines)


# --- panel administrator -------------------------------------------------------------------------
def _panel_admin(session: Session, today: dt.date) -> WorkSection:
    from adoption_desktop.panel.models import PanelAttendance, PanelItem, PanelPaper, PanelSitting

    s = PanelSitting
    upcoming = list(session.execute(select(s.id, s.sitting_date, s.start_time).where(
        s.status != "cancelled", s.sitting_date >= today).order_by(s.sitting_date, s.id).limit(NEXT_SITTINGS)))
    held = list(session.execute(select(s.id, s.sitting_date, s.start_time).where(
        s.status != "cancelled", s.sitting_date < today,
        s.sitting_date >= today - dt.timedelta(days=ATTENDANCE_LOOKBACK_DAYS)).order_by(s.sitting_date, s.id)))
    ids = [r.id for r in upcoming + held]
    items: dict[int, int] = {k: v for k, v in session.execute(
        select(PanelItem.sitting_id, func.count()).where(PanelItem.sitting_id.in_(ids))
        .group_by(PanelItem.sitting_id))} if ids else {}
    missing: dict[int, int] = {k: v for k, v in session.execute(
        select(PanelItem.sitting_id, func.count()).join(PanelPaper, PanelPaper.item_id == PanelItem.id)
        .where(PanelItem.sitting_id.in_(ids), PanelPaper.received_on.is_(None))
        .group_by(PanelItem.sitting_id))} if ids else {}
    recorded = set(session.scalars(select(PanelAttendance.sitting_id).where(
        PanelAttendance.sitting_id.in_(ids)).distinct())) if ids else set()
    lines: list[WorkLine] = []
    for r in held:
        if r.id not in recorded and items.get(r.id):
            lines.append(WorkLine("panel", "sitting", r.id, f"Sitting {_d(r.sitting_date)} {r.start_time}",
                                  "Attendance not recorded", OVERDUE, r.sitting_date))
    for r in upcoming:
        n_items, n_missing = items.get(r.id, 0), missing.get(r.id, 0)
        papers = f"{n_missing} paper{'s' if n_missing != 1 else ''} awaited" if n_missing else "papers complete"
        lines.append(WorkLine("panel", "sitting", r.id, f"Sitting {_d(r.sitting_date)} {r.start_time}",
                              f"{n_items} item{'s' if n_items != 1 else ''}, {papers}",
                              DUE if n_missing else OK, r.sitting_date))
    return WorkSection("paneladmin", "Next sittings: papers and attendance", "No sittings are scheduled.",
                       tuple(lines))


# --- letterbox -----------------------------------------------------------------------------------
def _letterbox_items(session: Session) -> list[tuple[int, str, str, dt.date, str]]:
    """(item id, reference, status, received on, screened by) of items waiting for screening or a second check."""
    from adoption_desktop.letterbox.models import Arrangement, Item

    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(Item.id, Arrangement.reference, Item.status, Item.received_on, Item.screened_by)
        .join(Arrangement, Arrangement.id == Item.arrangement_id)
        .where((Item.status == "received") | ((Item.status == "screened") & (Item.checked_by == "")))
        .order_by(Item.received_on, Item.id))]


def _letterbox(session: Session, actor: Principal, today: dt.date) -> WorkSection:
    from adoption_desktop.letterbox.service import work_rows_in

    lines: list[WorkLine] = []
    for item_id, ref, status, received, screened_by in _letterbox_items(session):
        if status == "received":
            lines.append(WorkLine("letterbox", "item", item_id, ref, f"Item {item_id} received {_d(received)}: waiting for screening",
                                  DUE, received))
        elif screened_by != actor.username:
            lines.append(WorkLine("letterbox", "item", item_id, ref,
                                  f"Item {item_id} screened by {screened_by}: waiting for a second check", WAITING, received))
    for w in work_rows_in(session, today):
        if w.state in ("overdue", "this month"):
            lines.append(WorkLine("letterbox", "exchange", w.arrangement_id, w.reference,
                                  f"Exchange from the {w.side} side due {_d(w.due)} "
                                  f"({f'overdue {w.overdue_for}' if w.overdue_for else w.state}); chase on {_d(w.chase_on)}",
                                  OVERDUE if w.state == "overdue" else DUE, w.due))
    return WorkSection("letterbox", "Letterbox: items to screen and exchanges due",
                       "Nothing is waiting for screening and no exchange is overdue.", tuple(lines))


# --- counsellor ----------------------------------------------------------------------------------
def _counsellor(session: Session, actor: Principal, today: dt.date) -> WorkSection:
    from adoption_desktop.counselling.models import CounsellingCase, RecordsRequest

    c, r = CounsellingCase, RecordsRequest
    chase = select(r.case_id, func.min(r.chase_due).label("chase"), func.count().label("n")).where(
        r.received_on.is_(None)).group_by(r.case_id).subquery()
    rows = session.execute(
        select(c.id, c.reference, c.allocated_on, chase.c.chase, chase.c.n)
        .outerjoin(chase, chase.c.case_id == c.id)
        .where(c.counsellor_id == actor.user_id, c.closed_on.is_(None))).all()
    far = dt.date.max
    lines = []
    for x in sorted(rows, key=lambda x: (x.chase or far, x.id)):
        if x.chase:
            detail = (f"{x.n} records request{'s' if x.n != 1 else ''} outstanding; "
                      f"{'chase overdue since' if x.chase < today else 'chase on'} {_d(x.chase)}")
        else:
            detail = f"Allocated {_d(x.allocated_on)}; no records awaited"
        tone = OVERDUE if x.chase and x.chase < today else DUE if x.chase and x.chase <= today else OK
        lines.append(WorkLine("counselling", "case", x.id, x.reference, detail, tone, x.chase))
    return WorkSection("counsellor", "My cases and chase dates", "No open cases are allocated to you.", tuple(lines))


# --- timeliness (counts only) -------------------------------------------------------------------
#: the administrator's section while the agency is being set up (a new database): what to do next
SETTING_UP = "Setting up the agency"


def _setting_up(session: Session, actor: Principal) -> WorkSection:
    """For an administrator of a new database: the letterhead's name and address still the shipped example
    (every letter, the minutes and the reports would be headed "Example Regional Adoption Agency, 1 Example
    Street"), and no account yet but their own. Empty, and left off the page, once both are done."""
    from adoption_desktop.core.agency_profile import EXAMPLE_HEADING, heading_not_set
    from adoption_desktop.core.security.models import User

    lines: list[WorkLine] = []
    if actor.can(Permission.SETTINGS_MANAGE) and (unset := heading_not_set(session)):
        lines.append(WorkLine(
            "admin", "agency_profile", 0, f"Agency profile: set the agency's {' and '.join(unset)}",
            f"until then every letter, the minutes and the reports are headed with the example "
            f"\u201c{EXAMPLE_HEADING[0]}\u201d", DUE))
    if actor.can(Permission.USERS_MANAGE) and session.scalar(
            select(func.count()).select_from(User).where(User.id != actor.user_id)) == 0:
        lines.append(WorkLine(
            "admin", "users", 0, "Users: add the people who will use the program, each with their roles",
            "the panel administrator, the letterbox coordinator, the counsellors …", WAITING))
    return WorkSection("setting_up", SETTING_UP, "", tuple(lines))


def _timeliness(session: Session, today: dt.date) -> tuple[AreaTimeliness, ...]:
    from adoption_desktop.core.settings_service import calendar, get_setting
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.letterbox.service import work_rows_in
    from adoption_desktop.panel import rules as panel_rules
    from adoption_desktop.panel import settings as panel_settings
    from adoption_desktop.panel.models import PanelItem, PanelMinutes, PanelPaper, PanelSitting

    # panel: minutes of held sittings not yet approved (late once past the minutes deadline), papers awaited
    cal = calendar(session)
    minutes_wd = get_setting(session, panel_settings.MINUTES_DEADLINE_WD)
    latest = select(PanelMinutes.item_id, func.max(PanelMinutes.version).label("v")).group_by(
        PanelMinutes.item_id).subquery()
    status_of: dict[int, str] = {k: v for k, v in session.execute(select(PanelMinutes.item_id, PanelMinutes.status).join(
        latest, (latest.c.item_id == PanelMinutes.item_id) & (latest.c.v == PanelMinutes.version)))}
    late = on_time = submitted = 0
    for item_id, day in session.execute(select(PanelItem.id, PanelSitting.sitting_date).join(
            PanelSitting, PanelSitting.id == PanelItem.sitting_id).where(
            PanelSitting.status != "cancelled", PanelSitting.sitting_date < today,
            PanelSitting.sitting_date >= today - dt.timedelta(days=ATTENDANCE_LOOKBACK_DAYS))):
        status = status_of.get(item_id, "")
        if status == "approved":
            continue
        if status == "submitted":
            submitted += 1
        if panel_rules.minutes_deadline(day, minutes_wd, cal) < today:
            late += 1
        else:
            on_time += 1
    awaited = session.scalar(select(func.count()).select_from(PanelPaper).join(
        PanelItem, PanelItem.id == PanelPaper.item_id).join(PanelSitting, PanelSitting.id == PanelItem.sitting_id)
        .where(PanelPaper.received_on.is_(None), PanelSitting.status != "cancelled",
               PanelSitting.sitting_date >= today)) or 0
    panel = AreaTimeliness("panel", "Panel minutes and papers", (
        Bar("Minutes late", late, OVERDUE), Bar("Minutes in time", on_time, OK),
        Bar("Awaiting approval", submitted, WAITING), Bar("Papers awaited", int(awaited), DUE)))

    # the decisions still to make: open ones, and the final decision owed after a qualifying determination
    # (not yet opened; My work lists it as overdue too); overdue notifications are not decisions
    codes = [r[3] for r in _adm_rows(session, today) + _adm_follow_ups(session, today)]
    adm = AreaTimeliness("adm", "ADM decisions open", (
        Bar("Overdue", codes.count("overdue") + codes.count("qd_final_overdue"), OVERDUE),
        Bar("Due today", codes.count("due_today"), DUE), Bar("Paused", codes.count("paused"), WAITING),
        Bar("In time", codes.count("on_track") + codes.count("due_soon") + codes.count("qd_final_due"), OK)))

    work = work_rows_in(session, today)
    items = _letterbox_items(session)
    letterbox = AreaTimeliness("letterbox", "Letterbox exchanges and items", (
        Bar("Exchanges overdue", sum(w.state == "overdue" for w in work), OVERDUE),
        Bar("Due this month", sum(w.state == "this month" for w in work), DUE),
        Bar("To screen", sum(i[2] == "received" for i in items), WAITING),
        Bar("Second check", sum(i[2] == "screened" for i in items), WAITING)))

    open_ = CounsellingCase.closed_on.is_(None)
    waiting = session.scalar(select(func.count()).select_from(CounsellingCase).where(
        open_, CounsellingCase.allocated_on.is_(None))) or 0
    allocated = session.scalar(select(func.count()).select_from(CounsellingCase).where(
        open_, CounsellingCase.allocated_on.is_not(None))) or 0
    from adoption_desktop.counselling import outstanding  # the page's and the figures' own definition

    total, overdue = outstanding.count(session, today)
    oldest = session.scalar(select(func.min(CounsellingCase.referral_date)).where(
        open_, CounsellingCase.allocated_on.is_(None)))
    counselling = AreaTimeliness("counselling", "Counselling", (
        Bar("Chases overdue", int(overdue), OVERDUE), Bar("Requests in time", int(total - overdue), OK),
        Bar("Waiting for allocation", int(waiting), WAITING), Bar("Allocated", int(allocated), OK)),
        note=f"Longest wait: {(today - oldest).days} days" if oldest else "Nobody is waiting.")
    return panel, adm, letterbox, counselling


# --- drafts kept from earlier (anyone) ---------------------------------------------------------------
#: the heading, and the start of each line, of the drafts kept from earlier
KEPT_DRAFTS = "Unsaved text kept from earlier"
#: the area's permission a record's name is shown under (a record the user can no longer open is not named)
_AREA_VIEW = {"counselling": Permission.COUNSELLING_VIEW, "adm": Permission.ADM_VIEW,
              "letterbox": Permission.LETTERBOX_VIEW}


def _draft_record(session: Session, kind: str, record_id: int) -> tuple[str, int | None] | None:
    """How the record a draft is of is named, and its parent (an item's arrangement); ``None`` when the
    record is gone."""
    from adoption_desktop.adm.models import AdmDecision
    from adoption_desktop.counselling.models import CounsellingCase
    from adoption_desktop.letterbox.models import Arrangement, Item

    if kind == "case":
        case = session.get(CounsellingCase, record_id)
        return (f"case {case.reference}", None) if case is not None else None
    if kind == "decision":
        decision = session.get(AdmDecision, record_id)
        return (f"{decision.subject_reference}", None) if decision is not None else None
    if kind in ("item", "corrected_item"):
        item = session.get(Item, record_id)
        arrangement = session.get(Arrangement, item.arrangement_id) if item is not None else None
        if item is None or arrangement is None:
            return None
        return f"item {item.id} of arrangement {arrangement.reference}", arrangement.id
    arrangement = session.get(Arrangement, record_id)
    return (f"arrangement {arrangement.reference}", None) if arrangement is not None else None


def _kept_drafts(session: Session, actor: Principal) -> WorkSection:
    """The user's own drafts left from earlier (a crash, a window closed by the program's end): which form,
    of which record, kept when; never their text. Enter opens the record, where the text is offered back."""
    from adoption_desktop.core.concurrency import local_time
    from adoption_desktop.core.drafts import kept_drafts

    lines = []
    for draft in kept_drafts(session, actor.user_id):
        view = _AREA_VIEW.get(draft.area)
        if view is None or not actor.can(view):
            continue  # a record of an area the user's roles no longer give: not named, and cannot be opened
        if draft.kind == "arrangement" and draft.record_id is None:
            named: tuple[str, int | None] | None = ("a new arrangement (not saved yet)", None)
            record_id = 0
        elif draft.kind == "new_referral":
            named, record_id = ("a new counselling case (not saved yet)", None), 0
        elif draft.record_id is None:
            continue
        else:
            named, record_id = _draft_record(session, draft.kind, draft.record_id), draft.record_id
            if draft.kind == "new_item" and named is not None:
                named = (f"a new item of {named[0]}", draft.record_id)  # opened on its arrangement
        if named is None:
            continue  # the record is gone: nothing to open
        when = local_time(draft.saved_at)
        # a draft typed in another window while this form's own was kept (``core.drafts``): its own line
        whose = "draft from another window, " if draft.apart else ""
        lines.append(WorkLine(draft.area, f"draft_{draft.kind}", record_id,
                              f"{KEPT_DRAFTS}: {draft.form} for {named[0]} ({whose}{when:%d/%m %H:%M})", "", DUE,
                              parent_id=named[1]))
    return WorkSection("drafts", KEPT_DRAFTS, "", tuple(lines))


def my_work(db: Database, actor: Principal, today: dt.date | None = None) -> MyWork:
    """The signed-in user's work, per role (see the module's docstring)."""
    day = today or dt.date.today()

    with db.session(actor, write=False) as session:
        sections: list[WorkSection] = []
        kept = _kept_drafts(session, actor)
        if kept.lines:  # said first: text typed before a crash waits in no other list
            sections.append(kept)
        setting_up = _setting_up(session, actor)
        if setting_up.lines:  # a new database: what the administrator does first
            sections.append(setting_up)
        if actor.can(Permission.PANEL_APPROVE_MINUTES):
            sections.append(_chair(session, day))
        if actor.can(Permission.ADM_DECIDE):
            sections.append(_adm(session, day))
        if actor.can(Permission.PANEL_EDIT):
            sections.append(_panel_admin(session, day))
        if actor.can(Permission.LETTERBOX_EDIT):
            sections.append(_letterbox(session, actor, day))
        if actor.can(Permission.COUNSELLING_EDIT):
            sections.append(_counsellor(session, actor, day))
        timeliness = _timeliness(session, day) if actor.can(Permission.REPORTS_VIEW) else ()
    return MyWork(actor.display, day, tuple(sections), timeliness)
