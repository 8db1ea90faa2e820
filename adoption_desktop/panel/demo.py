"""Synthetic panel data: a central list of about 15 members and 3 advisers, two years of sittings with
agendas, attendance, declarations, recommendations and approved minutes (each handed to the ADM), some
future sittings with draft agendas, and one item that was inquorate and deferred. All invented.

Members who work for the agency and use the application are linked to their user accounts: the chair,
the non-independent vice chair (a head of service who is also a deputy agency decision maker, so the
ADM conflict rule has something to refuse), the panel adviser (the panel administrator) and the
minute-taker. Independent members and external advisers have no account. The order of events holds:
minutes are approved after the sitting, every member present for an item has a view (or "No view
recorded" with a reason; a member who left during an item before the panel's views is recorded as not
present for it and is not counted), and papers of past sittings were all received."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from adoption_desktop.core.audit import bulk_audit
from adoption_desktop.core.security.models import User, UserRole
from adoption_desktop.core.security.permissions import SYSTEM, Role
from adoption_desktop.core.settings_service import calendar
from adoption_desktop.core.storage.engine import Database
from adoption_desktop.core.wording import plural
from adoption_desktop.panel import rules
from adoption_desktop.panel.models import (
    PanelAttendance,
    PanelDeclaration,
    PanelItem,
    PanelItemAbsence,
    PanelMember,
    PanelMinutes,
    PanelPaper,
    PanelSitting,
)
from adoption_desktop.panel.rules import quorum_role
from adoption_desktop.panel.service import build_handoff

if TYPE_CHECKING:
    from adoption_desktop.demo import DemoContext

VENUES = ("Committee Room 1, Civic Offices, Ambleford ZZ99 1AB", "Meeting Room 4, Hollinbrook House, ZZ99 4DE")
LINK = "https://meet.example.invalid/adoption-panel"
CASE_WEIGHTS = (("approval", 34), ("match", 40), ("review", 9), ("termination", 3), ("early_permanence", 7),
                ("relinquished", 1), ("other", 6))
REASONS = {
    "suitable": "The assessment is thorough and evidenced; the applicants show insight into the needs of "
                "children who have experienced early trauma and have a strong support network.",
    "match_recommended": "The child's needs as set out in the CPR can be met by the adopters; the support plan "
                         "is clear and funded; contact arrangements are realistic.",
    "remains_suitable": "Nothing in the review changes the basis of approval.",
    "terminate": "The adopters asked for their approval to end; circumstances have changed.",
    "ep_suitable": "The applicants understand the uncertainty of early permanence and can work with the plan.",
    "should_be_placed": "Both parents have given informed consent; adoption meets the child's welfare needs.",
    "not_suitable": "The assessment shows the applicants cannot yet meet the needs of a child placed for adoption.",
    "match_not_recommended": "The child's needs for sibling contact cannot be met in this placement.",
}
DEFERRALS = ("Medical report outstanding.", "Adoption support plan not yet agreed with the funding authority.",
             "References incomplete.")


def _member_specs(ctx: DemoContext) -> list[tuple[str, str, int | None, bool]]:
    chair = ctx.users[Role.PANEL_CHAIR].full_name
    specs: list[tuple[str, str, int | None, bool]] = [
        (chair, "chair", None, True),
        (ctx.full_name(), "vice_chair", None, True), (ctx.full_name(), "vice_chair", 12, False),
        (ctx.full_name(), "social_worker", 9, False), (ctx.full_name(), "social_worker", 5, False),
        (ctx.full_name(), "social_worker", 2, False), (ctx.full_name(), "social_worker", 14, True),
        ("Dr " + ctx.full_name(), "medical_adviser", None, False),
        (ctx.full_name(), "personal_experience", None, True), (ctx.full_name(), "personal_experience", None, True),
        (ctx.full_name(), "personal_experience", None, True), (ctx.full_name(), "specialist", None, True),
        (ctx.full_name(), "specialist", None, False), (ctx.full_name(), "member", None, True),
        (ctx.full_name(), "member", None, True),
        (ctx.full_name(), "panel_adviser", 20, False), (ctx.full_name(), "legal_adviser", None, False),
        (ctx.full_name(), "minute_taker", None, False),
    ]
    return specs


def _sitting_dates(ctx: DemoContext) -> list[dt.date]:
    start = ctx.today - dt.timedelta(days=730)
    start += dt.timedelta(days=(1 - start.weekday()) % 7)  # Tuesdays
    out: list[dt.date] = []
    day = start
    while day <= ctx.today + dt.timedelta(days=60):
        out.append(day)
        if ctx.large:
            # about 60 a year: weekly on Tuesdays, with an extra Thursday sitting some weeks
            if ctx.rng.random() < 0.16 and day.weekday() == 1:
                out.append(day + dt.timedelta(days=2))
            day += dt.timedelta(weeks=1)
        else:
            day += dt.timedelta(weeks=2)
    return out


#: synthetic make-up of the demo's central list: (weight, code)
_DEMO_GENDERS = ((9, "female"), (5, "male"), (1, "other"), (1, "prefer_not_to_say"), (2, ""))
_DEMO_ETHNICITIES = ((10, "white_british"), (2, "white_irish"), (1, "white_other"), (2, "asian_indian"),
                     (1, "asian_pakistani"), (2, "black_caribbean"), (1, "black_african"),
                     (1, "mixed_white_black_caribbean"), (1, "other_arab"), (1, "prefer_not_to_say"), (2, ""))


def _profiles(session: Session, ctx: DemoContext, members: list[PanelMember]) -> None:
    """Synthetic gender and ethnicity, and a record of each yearly appraisal before the one now due (one
    in eight missed). A generator of its own, so the rest of the demo is unchanged by it.

    The member's *Appraisal due* then follows from the last appraisal, as the form keeps it: a year after
    the last one held, or, when the last one due was missed, that missed date (genuinely overdue). A
    tester found a member last appraised nearly two years ago whose due date, drawn at random, lay in 2027."""
    import random

    from adoption_desktop.core.months import add_months
    from adoption_desktop.panel.models import PanelAppraisal

    rng = random.Random(7919 * len(members) + ctx.today.toordinal())
    for m in members:
        m.gender = rng.choices([c for _w, c in _DEMO_GENDERS], [w for w, _c in _DEMO_GENDERS])[0]
        m.ethnicity = rng.choices([c for _w, c in _DEMO_ETHNICITIES], [w for w, _c in _DEMO_ETHNICITIES])[0]
        if rules.is_adviser(m.role_type) or m.appraisal_due is None:
            continue
        due = m.appraisal_due - dt.timedelta(days=365)  # the one before the appraisal now due
        latest = True
        while due > m.joined_on + dt.timedelta(days=180):
            if rng.random() >= 0.125:
                done = min(due + dt.timedelta(days=rng.randint(-21, 45)), ctx.today)
                session.add(PanelAppraisal(member_id=m.id, due_on=due, done_on=done))
                if latest:
                    m.appraisal_due = add_months(done, 12)
            elif latest:
                m.appraisal_due = due  # missed: still due since then
            latest = False
            due -= dt.timedelta(days=365)


def _bring_back(item: PanelItem, day: dt.date, awaiting: dict[str, list[tuple[dt.date, PanelItem]]]) -> None:
    """Two in three deferred cases come back (the next item of the same type at least two weeks later
    becomes that case, linked to the deferral); the third is withdrawn. Uses no random numbers, so the
    rest of the demo is as before."""
    waiting = awaiting.get(item.case_type, [])
    if item.case_type == "other" or not waiting or waiting[0][0] > day - dt.timedelta(days=14):
        return
    _first_day, first = waiting.pop(0)
    awaiting["_returns"].append((day, first))
    if len(awaiting["_returns"]) % 3:
        item.subject_reference, item.subject_initials = first.subject_reference, first.subject_initials
        item.deferred_from_id = first.id


def populate(db: Database, ctx: DemoContext) -> None:
    from adoption_desktop.adm.service import open_decision_from_panel

    rng = ctx.rng
    chair_user = ctx.users[Role.PANEL_CHAIR]
    with db.session(SYSTEM) as session, bulk_audit(session, "demo"):
        cal = calendar(session)
        joined = ctx.today - dt.timedelta(days=4 * 365)
        members: list[PanelMember] = []
        for n, (name, role, pqe, ind) in enumerate(_member_specs(ctx)):
            m = PanelMember(full_name=name, role_type=role, pqe_years=pqe, independent=ind,
                            joined_on=joined + dt.timedelta(days=rng.randint(0, 200)),
                            user_id=chair_user.user_id if n == 0 else None,
                            appraisal_due=ctx.today + dt.timedelta(days=rng.randint(-20, 330)),
                            dbs_checked_on=ctx.today - dt.timedelta(days=rng.randint(60, 1150)),
                            training_on=ctx.today - dt.timedelta(days=rng.randint(20, 400)))
            members.append(m)
        _link_users(session, ctx, members)
        leaver = members[13]
        leaver.notice_given_on = ctx.today - dt.timedelta(days=45)
        leaver.leaves_on = rules.leaving_date(leaver.notice_given_on)
        leaver.leaving_kind, leaver.leaving_reason = "left", "Moving out of the area."
        session.add_all(members)
        session.flush()
        _profiles(session, ctx, members)
        core = [m for m in members if not rules.is_adviser(m.role_type)]
        advisers = [m for m in members if rules.is_adviser(m.role_type)]
        workers = [ctx.full_name() for _ in range(8)]

        dates = _sitting_dates(ctx)
        inquorate_done = False
        case_types = [c for c, _w in CASE_WEIGHTS]
        weights = [w for _c, w in CASE_WEIGHTS]
        serial = 0
        awaiting: dict[str, list[tuple[dt.date, PanelItem]]] = {"_returns": []}
        for s_index, day in enumerate(dates):
            future = day > ctx.today
            sitting = PanelSitting(sitting_date=day, start_time="10:00", end_time="13:30",
                                   venue=VENUES[s_index % 2] if s_index % 5 else "",
                                   virtual_link=LINK if s_index % 5 == 0 else "")
            if not future and rng.random() < 0.03:
                sitting.status, sitting.status_reason = "cancelled", "Not enough business"
            session.add(sitting)
            session.flush()
            if sitting.status == "cancelled":
                continue
            n_items = rng.randint(1, 3) if future else rng.randint(2, 4 if not ctx.large else 3)
            items: list[PanelItem] = []
            for pos in range(1, n_items + 1):
                serial += 1
                case_type = rng.choices(case_types, weights)[0]
                item = PanelItem(
                    sitting_id=sitting.id, position=pos, case_type=case_type,
                    subject_reference="" if case_type == "other" else f"AD-{day.year}-{serial:04d}",
                    subject_initials="" if case_type == "other" else
                    "/".join(rules.initials(ctx.full_name()) for _ in range(1 + (case_type == "match"))),
                    presenting_worker=rng.choice(workers), time_slot=f"{10 + (pos - 1) * 3 // 4:02d}:{(pos - 1) * 45 % 60:02d}",
                    notes="Six-monthly panel activity report" if case_type == "other" else "")
                _bring_back(item, day, awaiting)
                items.append(item)
            session.add_all(items)
            session.flush()
            deadline = rules.papers_deadline(day, 5, cal)
            for item in items:
                for code in rules.CASE_PAPERS[item.case_type]:
                    received: dt.date | None = deadline - dt.timedelta(days=rng.randint(0, 6))
                    if rng.random() < 0.08:
                        received = deadline + dt.timedelta(days=rng.randint(1, 3))
                    if (future and rng.random() < 0.5) or (received is not None and received > ctx.today):
                        received = None  # not come in yet: nothing is dated after the demo's today
                    session.add(PanelPaper(item_id=item.id, code=code, received_on=received))
            if future:
                continue
            # attendance
            present = [m for m in core if m.joined_on <= day and (m.leaves_on is None or day < m.leaves_on)]
            absent_ids = {m.id for m in rng.sample(present[1:], rng.randint(3, 6))}
            if rng.random() < 0.1:
                absent_ids.add(present[0].id)  # chair's apologies: a vice chair chairs
            for m in present:
                session.add(PanelAttendance(sitting_id=sitting.id, member_id=m.id,
                                            status="apologies" if m.id in absent_ids else "present"))
            for m in advisers:
                session.add(PanelAttendance(sitting_id=sitting.id, member_id=m.id, status="present"))
            # apologies never leave a sitting inquorate (the one inquorate item below is made on purpose)
            for m in sorted(present, key=lambda m: (m.role_type != "chair", -(m.pqe_years or 0))):
                if _quorate([p for p in present if p.id not in absent_ids], spare=1):
                    break
                absent_ids.discard(m.id)
            attending = [m for m in present if m.id not in absent_ids]
            make_inquorate = not inquorate_done and day >= ctx.today - dt.timedelta(days=120)
            for i, item in enumerate(items):
                withdrawn: set[int] = set()
                if make_inquorate and i == 0:
                    # members withdraw until the item is short of quorum
                    for m in attending[1:]:
                        if len(attending) - len(withdrawn) <= 4:
                            break
                        withdrawn.add(m.id)
                        session.add(PanelDeclaration(item_id=item.id, member_id=m.id, withdrew=True,
                                                     interest="Previously worked with the applicants' family"))
                elif rng.random() < 0.06:
                    m = rng.choice(attending[1:])
                    if _quorate([x for x in attending if x.id != m.id]):
                        withdrawn.add(m.id)
                        session.add(PanelDeclaration(item_id=item.id, member_id=m.id, withdrew=True,
                                                     interest="Knows the applicants socially"))
                sitting_for = [m for m in attending if m.id not in withdrawn]
                quorum = rules.check_quorum([rules.QuorumMember(quorum_role(m.role_type), m.pqe_years,
                                                                m.independent) for m in sitting_for])
                outcomes = rules.CASE_OUTCOMES[item.case_type]
                if not quorum.quorate:
                    outcome = "deferred"
                    inquorate_done = True
                elif item.case_type == "other":
                    outcome = "noted"
                elif rng.random() < 0.06:
                    outcome = "deferred"
                else:
                    outcome = outcomes[0] if rng.random() < 0.93 else outcomes[1]
                majority = outcome not in ("deferred", "noted") and rng.random() < 0.12
                # every member present for the item has a view, or "No view recorded" with a reason
                views = {m.id: rng.choice(("Supports the recommendation.", "In favour; noted strengths in "
                                           "the assessment.", "Agrees; asked about support for birth siblings."))
                         for m in sitting_for}
                if len(sitting_for) > 1 and rng.random() < 0.05:
                    # a member who left during the item, before the panel's views: recorded as not present
                    # for it and not counted (AAR 2005 reg 3), so only where the panel stays quorate without
                    # them (the draw is made either way: the rest of the demo stays as it was)
                    leaver = sitting_for[-1]
                    without = [m for m in sitting_for if m.id != leaver.id]
                    after = rules.check_quorum([rules.QuorumMember(quorum_role(m.role_type), m.pqe_years,
                                                                   m.independent) for m in without])
                    if quorum.quorate and after.quorate and not (majority and leaver is sitting_for[1]):
                        session.add(PanelItemAbsence(item_id=item.id, member_id=leaver.id, reason="left_during"))
                        views.pop(leaver.id)
                        sitting_for, quorum = without, after
                if majority:  # the member who voted against says so (without a draw: the demo stays as it was)
                    views[sitting_for[1].id] = ("Did not support the recommendation; would have deferred for "
                                                "more on the support plan.")
                voters = sum(rules.no_view_reason(v) is None for v in views.values())
                approved_on = cal.add_working_days(day, rng.randint(3, 12) if rng.random() < 0.9 else 14)
                # sent to the chair two working days after the sitting, or today for a sitting of the last two
                # days (nothing is dated after the demo's today, and the chair always has minutes to approve)
                submitted_on: dt.date | None = min(cal.add_working_days(day, 2), ctx.today)
                status = "approved" if approved_on <= ctx.today else "submitted"
                minutes = PanelMinutes(
                    item_id=item.id, version=1, status=status, outcome=outcome,
                    recommendation_text="", reasons=REASONS.get(outcome, "") if outcome != "deferred" else
                    "The panel could not make a recommendation today.",
                    discussion="The presenting social worker answered the panel's questions on support, "
                               "contact and the child's health.",
                    member_views=json.dumps({str(k): v for k, v in views.items()}),
                    vote="" if outcome in ("deferred", "noted") else ("majority" if majority else "unanimous"),
                    votes_for=voters - 1 if majority else None, votes_against=1 if majority else None,
                    advice_number=rng.choice((1, 2)) if outcome in rules.ADVICE_OUTCOMES else None,
                    advice_age_range=rng.choice(("0-2 years", "0-4 years", "2-6 years"))
                    if outcome in rules.ADVICE_OUTCOMES else "",
                    advice_sex="either" if outcome in rules.ADVICE_OUTCOMES else "",
                    deferral_reason=("Panel not quorate for this item after withdrawals."
                                     if not quorum.quorate else rng.choice(DEFERRALS)) if outcome == "deferred" else "",
                    quorum_statement=quorum.summary, submitted_on=submitted_on,
                    approved_on=approved_on if status == "approved" else None,
                    approved_by_user_id=chair_user.user_id if status == "approved" else None,
                    approved_by_name=chair_user.full_name if status == "approved" else "")
                session.add(minutes)
                session.flush()
                if outcome == "deferred" and item.case_type != "other":
                    awaiting.setdefault(item.case_type, []).append((day, item))
                if status == "approved" and rules.goes_to_adm(item.case_type, outcome):
                    _hand_off(session, item, minutes, approved_on, open_decision_from_panel)
        ctx.progress(f"Panel: {plural(len(dates), 'sitting')} made")


def _quorate(members: list[PanelMember], spare: int = 0) -> bool:
    """Quorate with ``spare`` more members than the minimum (room for a withdrawal)."""
    rule = rules.QuorumRule()
    result = rules.check_quorum([rules.QuorumMember(quorum_role(m.role_type), m.pqe_years, m.independent)
                                 for m in members], rule)
    return result.quorate and result.counted >= rule.min_members + spare


def _hand_off(session: Session, item: PanelItem, minutes: PanelMinutes, approved_on: dt.date,
              opener: object) -> None:
    handoff = build_handoff(session, item, minutes, approved_on)
    decision_id = opener(session, handoff)  # type: ignore[operator]
    minutes.handed_off_on, minutes.adm_decision_id = approved_on, decision_id or None


def _link_users(session: Session, ctx: DemoContext, members: list[PanelMember]) -> None:
    """Link the members who use the application to their accounts (creating the accounts that are
    missing): the ADM conflict rule is decided by this link, not by names."""
    chair = session.get(User, ctx.users[Role.PANEL_CHAIR].user_id)
    assert chair is not None
    panel_admin = ctx.users[Role.PANEL_ADMINISTRATOR]

    def account(username: str, full_name: str, *roles: Role) -> int:
        user = User(username=username, full_name=full_name, password_hash=chair.password_hash)
        user.roles = [UserRole(role=str(r)) for r in roles]
        session.add(user)
        session.flush()
        return user.id

    for m in members:
        if m.role_type == "vice_chair" and not m.independent and m.user_id is None:
            m.user_id = account("vicechair", m.full_name, Role.PANEL_CHAIR, Role.AGENCY_DECISION_MAKER)
        elif m.role_type == "panel_adviser":
            m.full_name, m.user_id = panel_admin.full_name, panel_admin.user_id
        elif m.role_type == "minute_taker":
            m.user_id = account("minutes", m.full_name, Role.PANEL_ADMINISTRATOR)
